//! The map's kept meshes resident on the GPU. A scene's layers are tessellated
//! once ([`super::paint::Painted`]); with the glow backend each layer's mesh is
//! uploaded into a vertex and an index buffer the first time it is drawn and
//! then drawn every frame by a paint callback with the pan/zoom change as two
//! uniforms, so a frame hands the GPU a few numbers, not the mesh again (egui
//! copies, moves and uploads every mesh every frame). Without a GL context —
//! the headless UI tests, or `RENEWAL_PLANNER_GPU=0` — or if the shader does
//! not build, the meshes go to egui as before; the pixels are the same.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};

use eframe::egui::{self, Mesh, Rect, emath::TSTransform};
use eframe::egui_glow;
use eframe::glow::{self, HasContext};

/// No GL context (the default); one that can be used; one whose shader failed.
const ABSENT: u8 = 0;
const READY: u8 = 1;
const FAILED: u8 = 2;
static STATE: AtomicU8 = AtomicU8::new(ABSENT);

/// Called once the window has a glow context: meshes are drawn from GPU buffers
/// from then on, unless `RENEWAL_PLANNER_GPU=0` asks for egui's own drawing.
pub fn enable() {
    if std::env::var("RENEWAL_PLANNER_GPU").is_ok_and(|v| v == "0") {
        return;
    }
    let _ = STATE.compare_exchange(ABSENT, READY, Ordering::SeqCst, Ordering::SeqCst);
}

/// Whether kept meshes are drawn from GPU buffers.
pub fn enabled() -> bool {
    STATE.load(Ordering::Relaxed) == READY
}

/// The program and what it is given, made once for the context.
struct Program {
    program: glow::Program,
    /// The callback's rectangle in points: `[left, top, width, height]`.
    u_rect: glow::UniformLocation,
    /// The change from where the mesh was made: `[translate x, translate y, scale]`.
    u_change: glow::UniformLocation,
    a_pos: u32,
    a_color: u32,
    /// Core profiles need a vertex array bound to draw (`None` where there are none).
    vao: Option<glow::VertexArray>,
}

/// GL objects are made and deleted only inside a callback, where the context is current.
static PROGRAM: Mutex<Option<Program>> = Mutex::new(None);
/// Buffers of meshes dropped since the last callback, deleted by the next.
static GARBAGE: Mutex<Vec<(glow::Buffer, glow::Buffer)>> = Mutex::new(Vec::new());

const VERTEX: &str = r#"
#if NEW_SHADER_INTERFACE
    #define I in
    #define O out
#else
    #define I attribute
    #define O varying
#endif
#ifdef GL_ES
    precision highp float;
#endif
uniform vec4 u_rect;
uniform vec3 u_change;
I vec2 a_pos;
I vec4 a_color;
O vec4 v_color;
void main() {
    vec2 p = a_pos * u_change.z + u_change.xy - u_rect.xy;
    gl_Position = vec4(2.0 * p.x / u_rect.z - 1.0, 1.0 - 2.0 * p.y / u_rect.w, 0.0, 1.0);
    v_color = a_color / 255.0;
}
"#;

const FRAGMENT: &str = r#"
#ifdef GL_ES
    precision mediump float;
#endif
#if NEW_SHADER_INTERFACE
    in vec4 v_color;
    out vec4 f_color;
    #define gl_FragColor f_color
#else
    varying vec4 v_color;
#endif
void main() {
    gl_FragColor = v_color;
}
"#;

/// One layer's mesh and, once drawn, its buffers on the GPU.
pub struct Kept {
    pub mesh: Arc<Mesh>,
    buffers: Mutex<Option<Uploaded>>,
}

struct Uploaded {
    vertices: glow::Buffer,
    indices: glow::Buffer,
    count: i32,
}

impl Kept {
    pub fn new(mesh: Mesh) -> Self {
        Kept { mesh: Arc::new(mesh), buffers: Mutex::new(None) }
    }
}

impl Drop for Kept {
    fn drop(&mut self) {
        if let Some(u) = self.buffers.get_mut().ok().and_then(Option::take)
            && let Ok(mut g) = GARBAGE.lock()
        {
            g.push((u.vertices, u.indices));
        }
    }
}

/// The callback that draws `kept` moved and scaled by `change` (screen points:
/// a vertex at `p` is drawn at `change * p`), clipped to `clip`.
pub fn callback(kept: Arc<Kept>, change: TSTransform, clip: Rect) -> egui::PaintCallback {
    let draw = egui_glow::CallbackFn::new(move |info, painter| {
        let gl = painter.gl();
        // SAFETY: glow calls into the GL context egui_glow made current for this callback;
        // every object used was made in that context (PROGRAM, the buffers) and the state
        // changed is the state egui_glow resets after a callback (program, buffers, vertex array).
        unsafe { draw(gl, &kept, change, info.viewport) };
    });
    egui::PaintCallback { rect: clip, callback: Arc::new(draw) }
}

/// The uniforms for a callback's rectangle and a change (what [`VERTEX`] is given).
pub fn uniforms(rect: Rect, change: TSTransform) -> ([f32; 4], [f32; 3]) {
    (
        [rect.min.x, rect.min.y, rect.width(), rect.height()],
        [change.translation.x, change.translation.y, change.scaling],
    )
}

unsafe fn draw(gl: &glow::Context, kept: &Kept, change: TSTransform, rect: Rect) {
    unsafe {
        if let Ok(mut g) = GARBAGE.lock() {
            for (v, i) in g.drain(..) {
                gl.delete_buffer(v);
                gl.delete_buffer(i);
            }
        }
        let Ok(mut program) = PROGRAM.lock() else { return };
        if program.is_none() {
            match make_program(gl) {
                Ok(p) => *program = Some(p),
                Err(e) => {
                    eprintln!("renewal-planner: the map's GPU shader failed ({e}); drawing meshes through egui");
                    STATE.store(FAILED, Ordering::SeqCst);
                    return;
                }
            }
        }
        let Some(p) = program.as_ref() else { return };
        let Ok(mut buffers) = kept.buffers.lock() else { return };
        if buffers.is_none() {
            *buffers = upload(gl, &kept.mesh);
        }
        let Some(b) = buffers.as_ref() else { return };
        gl.use_program(Some(p.program));
        if let Some(vao) = p.vao {
            gl.bind_vertex_array(Some(vao));
        }
        let (r, c) = uniforms(rect, change);
        gl.uniform_4_f32(Some(&p.u_rect), r[0], r[1], r[2], r[3]);
        gl.uniform_3_f32(Some(&p.u_change), c[0], c[1], c[2]);
        gl.bind_buffer(glow::ARRAY_BUFFER, Some(b.vertices));
        let stride = std::mem::size_of::<egui::epaint::Vertex>() as i32;
        gl.enable_vertex_attrib_array(p.a_pos);
        gl.vertex_attrib_pointer_f32(p.a_pos, 2, glow::FLOAT, false, stride, 0);
        gl.enable_vertex_attrib_array(p.a_color);
        // The texture coordinate is not read: the kept meshes are untextured.
        let color = std::mem::offset_of!(egui::epaint::Vertex, color) as i32;
        gl.vertex_attrib_pointer_f32(p.a_color, 4, glow::UNSIGNED_BYTE, false, stride, color);
        gl.bind_buffer(glow::ELEMENT_ARRAY_BUFFER, Some(b.indices));
        gl.draw_elements(glow::TRIANGLES, b.count, glow::UNSIGNED_INT, 0);
        gl.disable_vertex_attrib_array(p.a_pos);
        gl.disable_vertex_attrib_array(p.a_color);
        if p.vao.is_some() {
            gl.bind_vertex_array(None);
        }
    }
}

unsafe fn upload(gl: &glow::Context, mesh: &Mesh) -> Option<Uploaded> {
    unsafe {
        let vertices = gl.create_buffer().ok()?;
        gl.bind_buffer(glow::ARRAY_BUFFER, Some(vertices));
        gl.buffer_data_u8_slice(glow::ARRAY_BUFFER, bytemuck::cast_slice(&mesh.vertices), glow::STATIC_DRAW);
        let Ok(indices) = gl.create_buffer() else {
            gl.delete_buffer(vertices);
            return None;
        };
        gl.bind_buffer(glow::ELEMENT_ARRAY_BUFFER, Some(indices));
        gl.buffer_data_u8_slice(glow::ELEMENT_ARRAY_BUFFER, bytemuck::cast_slice(&mesh.indices), glow::STATIC_DRAW);
        Some(Uploaded { vertices, indices, count: mesh.indices.len() as i32 })
    }
}

unsafe fn make_program(gl: &glow::Context) -> Result<Program, String> {
    unsafe {
        let version = egui_glow::ShaderVersion::get(gl);
        let header = format!(
            "{}#define NEW_SHADER_INTERFACE {}\n",
            version.version_declaration(),
            i32::from(version.is_new_shader_interface())
        );
        let program = gl.create_program()?;
        let mut shaders = Vec::new();
        for (kind, source) in [(glow::VERTEX_SHADER, VERTEX), (glow::FRAGMENT_SHADER, FRAGMENT)] {
            let shader = gl.create_shader(kind)?;
            gl.shader_source(shader, &format!("{header}{source}"));
            gl.compile_shader(shader);
            if !gl.get_shader_compile_status(shader) {
                let log = gl.get_shader_info_log(shader);
                gl.delete_shader(shader);
                gl.delete_program(program);
                return Err(log);
            }
            gl.attach_shader(program, shader);
            shaders.push(shader);
        }
        gl.link_program(program);
        for s in shaders {
            gl.detach_shader(program, s);
            gl.delete_shader(s);
        }
        if !gl.get_program_link_status(program) {
            let log = gl.get_program_info_log(program);
            gl.delete_program(program);
            return Err(log);
        }
        let found = (
            gl.get_uniform_location(program, "u_rect"),
            gl.get_uniform_location(program, "u_change"),
            gl.get_attrib_location(program, "a_pos"),
            gl.get_attrib_location(program, "a_color"),
        );
        let (Some(u_rect), Some(u_change), Some(a_pos), Some(a_color)) = found else {
            gl.delete_program(program);
            return Err("the shader's inputs were not found".into());
        };
        let vao = gl.create_vertex_array().ok();
        Ok(Program { program, u_rect, u_change, a_pos, a_color, vao })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use eframe::egui::{Color32, Pos2, Vec2};

    /// [`VERTEX`]'s `main`, transcribed: where it puts a mesh point given the uniforms,
    /// in normalised device coordinates. (The GLSL itself runs only on a GPU; that it
    /// draws what egui draws was checked on screenshots: `RENEWAL_PLANNER_GPU=0` against 1.)
    fn shader_position(p: Pos2, rect: [f32; 4], change: [f32; 3]) -> [f32; 2] {
        let q = [p.x * change[2] + change[0] - rect[0], p.y * change[2] + change[1] - rect[1]];
        [2.0 * q[0] / rect[2] - 1.0, 1.0 - 2.0 * q[1] / rect[3]]
    }

    /// The uniforms put a mesh where egui would: moved by `Mesh::transform` and drawn in a
    /// callback rectangle, it lands on the same device coordinates.
    #[test]
    fn the_uniforms_place_a_mesh_as_egui_would() {
        let mut mesh = Mesh::default();
        for p in [Pos2::new(10.0, 20.0), Pos2::new(300.5, 40.25), Pos2::new(-5.0, 600.0)] {
            mesh.colored_vertex(p, Color32::RED);
        }
        let rect = Rect::from_min_size(Pos2::new(230.0, 30.0), Vec2::new(730.0, 700.0));
        for change in [TSTransform::IDENTITY, TSTransform::new(Vec2::new(-40.0, 12.5), 1.75)] {
            let (r, c) = uniforms(rect, change);
            let mut moved = mesh.clone();
            moved.transform(change);
            for (v, m) in mesh.vertices.iter().zip(&moved.vertices) {
                let ndc = shader_position(v.pos, r, c);
                // egui draws in points over the whole screen; the callback's viewport is `rect`.
                let expect = [
                    2.0 * (m.pos.x - rect.min.x) / rect.width() - 1.0,
                    1.0 - 2.0 * (m.pos.y - rect.min.y) / rect.height(),
                ];
                assert!((ndc[0] - expect[0]).abs() < 1e-5 && (ndc[1] - expect[1]).abs() < 1e-5, "{ndc:?} ≠ {expect:?}");
            }
        }
    }
}
