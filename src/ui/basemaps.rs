//! Basemaps on screen: the plan's basemaps opened as layers, their pieces
//! decoded off the UI thread by a small worker pool, kept as textures (a
//! bounded LRU, reused across frames) and drawn under the scene in every
//! pane; the layer list's basemap section and the "Add basemap" window.
//!
//! A frame never waits: a piece not decoded yet is asked of the workers and,
//! meanwhile, drawn from a coarser tile already on the GPU (over-zoom on
//! screen), else not at all. A basemap's first fault is said once.

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex, mpsc};
use std::time::Duration;

use eframe::egui::{self, Color32, Pos2, RichText};

use super::action::Action;
use super::view::View;
use crate::basemap::{self, BasemapError, Layer, Settings};
use crate::edit::Edit;
use crate::model::basemaps::{Basemap, MercView, PieceKey, Shift, SourceKind};
use crate::render::Camera;

/// Decoding threads.
const WORKERS: usize = 2;
/// Pieces waiting for a worker at most (older ones out of view are dropped first).
const QUEUE: usize = 128;
/// Textures kept on the GPU at most (256 × 256 RGBA: ~256 KB each).
const TEXTURES: usize = 384;
/// A layer asked for more pieces than this in one pane is not drawn there: a
/// source of fine tiles far zoomed out (`basemap::pyramid` already stops three
/// levels out; a large image at its finest blocks). More pieces than
/// [`TEXTURES`] in view are decoded again as they are evicted.
const MAX_PIECES: usize = 4096;
/// How many coarser levels a missing tile's stand-in is looked for.
const STAND_IN_LEVELS: u8 = 6;

/// One piece of one opened layer: the layer's id and the piece.
type TexKey = (u64, PieceKey);

/// A piece asked of the workers.
struct Request {
    uid: u64,
    key: PieceKey,
    layer: Arc<dyn Layer>,
    ctx: egui::Context,
}

/// A worker's answer.
struct Answer {
    uid: u64,
    key: PieceKey,
    image: Result<Option<egui::ColorImage>, BasemapError>,
}

/// The queue the workers take requests from (last asked, first served).
#[derive(Default)]
struct Queue {
    items: Mutex<VecDeque<Request>>,
    ready: Condvar,
}

/// The decoding threads: they stop when the pool is dropped (the queue's sender side goes).
struct Pool {
    queue: Arc<Queue>,
    answers: mpsc::Receiver<Answer>,
    stop: Arc<std::sync::atomic::AtomicBool>,
}

impl Pool {
    fn new() -> Pool {
        let queue = Arc::new(Queue::default());
        let (tx, answers) = mpsc::channel();
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        for i in 0..WORKERS {
            let (queue, tx, stop) = (queue.clone(), tx.clone(), stop.clone());
            let spawned =
                std::thread::Builder::new().name(format!("basemap-{i}")).spawn(move || work(&queue, &tx, &stop));
            // Without a thread the pieces stay missing; the map itself works.
            drop(spawned);
        }
        Pool { queue, answers, stop }
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        self.queue.ready.notify_all();
    }
}

fn work(queue: &Queue, tx: &mpsc::Sender<Answer>, stop: &std::sync::atomic::AtomicBool) {
    loop {
        let req = {
            let Ok(mut items) = queue.items.lock() else { return };
            loop {
                if stop.load(std::sync::atomic::Ordering::SeqCst) {
                    return;
                }
                if let Some(r) = items.pop_back() {
                    break r;
                }
                items = match queue.ready.wait_timeout(items, Duration::from_millis(500)) {
                    Ok((g, _)) => g,
                    Err(_) => return,
                };
            }
        };
        let image = req.layer.image(req.key).map(|img| {
            img.map(|i| egui::ColorImage::from_rgba_unmultiplied([i.width() as usize, i.height() as usize], i.as_raw()))
        });
        if tx.send(Answer { uid: req.uid, key: req.key, image }).is_err() {
            return;
        }
        req.ctx.request_repaint();
    }
}

/// A basemap of the plan as opened for the screen.
struct Entry {
    basemap: Basemap,
    uid: u64,
    /// The opened layer: opening reads the file or asks the server, so it runs
    /// on a thread of its own and the window never waits for it.
    layer: Opened,
    /// The first fault of its pieces (or of opening it).
    fault: Option<BasemapError>,
    said: bool,
    /// An image the georeferencing window can place (asked once, on the thread that opens it: it reads the file's header).
    placeable: bool,
}

/// What opening a basemap's source gave.
type LayerOrFault = Result<Arc<dyn Layer>, BasemapError>;

/// A basemap's source being opened, or opened.
enum Opened {
    /// The layer, and whether the georeferencing window can place it (both read the file).
    Waiting(mpsc::Receiver<(LayerOrFault, bool)>),
    Done(LayerOrFault),
}

impl Entry {
    /// The layer, once opened without fault.
    fn layer(&self) -> Option<&Arc<dyn Layer>> {
        match &self.layer {
            Opened::Done(Ok(l)) => Some(l),
            _ => None,
        }
    }

    /// Takes the opened layer if its thread has finished; `wait` blocks for it.
    fn poll(&mut self, wait: bool) {
        let Opened::Waiting(rx) = &self.layer else { return };
        let got = if wait {
            rx.recv_timeout(Duration::from_secs(30)).map_err(|_| ())
        } else {
            match rx.try_recv() {
                Ok(r) => Ok(r),
                Err(mpsc::TryRecvError::Empty) => return,
                Err(mpsc::TryRecvError::Disconnected) => Err(()),
            }
        };
        let (layer, placeable) = got.unwrap_or_else(|()| {
            let stopped = BasemapError::Broken {
                path: PathBuf::from(&self.basemap.source),
                what: "basemap",
                reason: "opening it stopped".into(),
            };
            (Err(stopped), false)
        });
        self.layer = Opened::Done(layer);
        self.placeable = placeable;
    }

    /// Drawn from tiles in a pyramid (XYZ rows from the top): a missing tile can
    /// stand in with a part of a coarser one.
    fn pyramid(&self) -> bool {
        matches!(self.basemap.kind(), SourceKind::Xyz | SourceKind::MbTiles | SourceKind::PmTiles)
    }

    fn fault(&self) -> Option<&BasemapError> {
        match &self.layer {
            Opened::Done(Err(e)) => Some(e),
            _ => self.fault.as_ref(),
        }
    }
}

/// What the layer list shows of one basemap beyond the plan's own fields.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Row {
    pub fault: Option<String>,
    /// An image without georeference: the list offers to place it by control points.
    pub placeable: bool,
}

/// The same source placed the same way: an opened layer can be kept.
fn same_source(a: &Basemap, b: &Basemap) -> bool {
    a.source == b.source
        && a.epsg == b.epsg
        && a.shift == b.shift
        && a.control_points == b.control_points
        && a.attribution == b.attribution
}

struct Texture {
    handle: egui::TextureHandle,
    used: u64,
}

/// The basemaps the map draws: opened layers, decoding, textures.
pub struct Basemaps {
    entries: Vec<Entry>,
    /// The plan's basemaps the entries were opened for.
    opened_for: Vec<Basemap>,
    next_uid: u64,
    pool: Option<Pool>,
    textures: HashMap<TexKey, Texture>,
    /// Asked of the workers, not answered yet.
    pending: HashSet<TexKey>,
    /// Pieces the source has nothing for, or that failed: not asked again.
    empty: HashSet<TexKey>,
    /// Pieces wanted by this frame's panes so far (a queued piece none wants is dropped).
    frame_wanted: HashSet<TexKey>,
    /// The frame counter (texture use, for the LRU).
    frame: u64,
    /// Pieces drawn with their own texture in the last frame, and those still missing.
    drawn: usize,
    missing: usize,
    /// Missing pieces drawn from a coarser tile in the last frame.
    stood_in: usize,
    ctx: Option<egui::Context>,
    /// Faults to say (basemap name, fault), each basemap's first once.
    to_say: Vec<(String, BasemapError)>,
}

impl Default for Basemaps {
    fn default() -> Self {
        Basemaps {
            entries: Vec::new(),
            opened_for: Vec::new(),
            next_uid: 1,
            pool: None,
            textures: HashMap::new(),
            pending: HashSet::new(),
            empty: HashSet::new(),
            frame_wanted: HashSet::new(),
            frame: 0,
            drawn: 0,
            missing: 0,
            stood_in: 0,
            ctx: None,
            to_say: Vec::new(),
        }
    }
}

impl Basemaps {
    /// Opens what the plan's basemaps name (once: a layer whose source is unchanged
    /// is kept with its textures, whatever its order, opacity or visibility).
    pub fn sync(&mut self, plan: &[Basemap], settings: &Settings) {
        if self.opened_for == plan {
            return;
        }
        let mut old: Vec<Option<Entry>> = std::mem::take(&mut self.entries).into_iter().map(Some).collect();
        for b in plan {
            let reuse = old.iter_mut().find(|e| e.as_ref().is_some_and(|e| same_source(&e.basemap, b)));
            let entry = match reuse.and_then(Option::take) {
                Some(mut e) => {
                    e.basemap = b.clone();
                    e
                }
                None => {
                    let uid = self.next_uid;
                    self.next_uid += 1;
                    let (tx, rx) = mpsc::channel();
                    let (source, settings, ctx) = (b.clone(), settings.clone(), self.ctx.clone());
                    std::thread::spawn(move || {
                        // The window may be gone meanwhile: nothing to tell then.
                        let placeable = super::georef::can_georeference(&source);
                        let _ = tx.send((basemap::open(&source, &settings), placeable));
                        if let Some(ctx) = ctx {
                            ctx.request_repaint();
                        }
                    });
                    let layer = Opened::Waiting(rx);
                    let said = false;
                    Entry { basemap: b.clone(), uid, layer, fault: None, said, placeable: false }
                }
            };
            self.entries.push(entry);
        }
        let kept: HashSet<u64> = self.entries.iter().map(|e| e.uid).collect();
        self.textures.retain(|(uid, _), _| kept.contains(uid));
        self.empty.retain(|(uid, _)| kept.contains(uid));
        self.opened_for = plan.to_vec();
        self.collect_faults();
    }

    /// Opens every basemap again (the settings, a service key, changed).
    pub fn reopen(&mut self, plan: &[Basemap], settings: &Settings) {
        self.entries.clear();
        self.opened_for.clear();
        self.textures.clear();
        self.empty.clear();
        self.sync(plan, settings);
    }

    fn collect_faults(&mut self) {
        for e in &mut self.entries {
            if !e.said
                && let Some(f) = e.fault().cloned()
            {
                e.said = true;
                self.to_say.push((e.basemap.name.clone(), f));
            }
        }
    }

    /// Faults not said yet (each basemap's first, once).
    pub fn take_faults(&mut self) -> Vec<(String, BasemapError)> {
        std::mem::take(&mut self.to_say)
    }

    /// What the layer list shows of each basemap, in the plan's order: its
    /// fault as text, and whether the georeferencing window can place it.
    pub fn rows(&self) -> Vec<Row> {
        self.entries.iter().map(|e| Row { fault: e.fault().map(|f| f.to_string()), placeable: e.placeable }).collect()
    }

    /// The credits of the visible basemaps, once each.
    pub fn attributions(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        // Only what is drawn: a basemap that cannot be opened shows nothing to credit.
        for e in self.entries.iter().filter(|e| e.basemap.visible && e.basemap.opacity > 0.0) {
            let Some(layer) = e.layer() else { continue };
            let a = e.basemap.attribution.clone().or_else(|| layer.attribution());
            if let Some(a) = a.filter(|a| !a.trim().is_empty() && !out.contains(a)) {
                out.push(a);
            }
        }
        out
    }

    /// Pieces drawn with their own texture in the last frame.
    pub fn pieces_drawn(&self) -> usize {
        self.drawn
    }

    /// Pieces in view still without their texture in the last frame.
    pub fn pieces_missing(&self) -> usize {
        self.missing
    }

    /// Missing pieces drawn from a coarser tile in the last frame.
    pub fn pieces_stood_in(&self) -> usize {
        self.stood_in
    }

    /// Textures kept.
    pub fn textures_len(&self) -> usize {
        self.textures.len()
    }

    /// The window's context, for the threads that open sources and decode pieces to wake it.
    pub fn set_context(&mut self, ctx: &egui::Context) {
        if self.ctx.is_none() {
            self.ctx = Some(ctx.clone());
        }
    }

    /// Starts a frame: takes the workers' answers and makes them textures,
    /// and the layers whose sources have finished opening.
    pub fn begin_frame(&mut self, ctx: &egui::Context) {
        self.frame += 1;
        self.drawn = 0;
        self.missing = 0;
        self.stood_in = 0;
        self.frame_wanted.clear();
        if self.ctx.is_none() {
            self.ctx = Some(ctx.clone());
        }
        let answers: Vec<Answer> = match &self.pool {
            Some(p) => p.answers.try_iter().collect(),
            None => Vec::new(),
        };
        for a in answers {
            self.take(a);
        }
        for e in &mut self.entries {
            e.poll(false);
        }
        self.collect_faults();
    }

    /// Waits until every piece asked for has been answered (tests, benchmarks).
    pub fn wait(&mut self) {
        for e in &mut self.entries {
            e.poll(true);
        }
        while !self.pending.is_empty() {
            let Some(pool) = &self.pool else { return };
            match pool.answers.recv_timeout(Duration::from_secs(30)) {
                Ok(a) => self.take(a),
                Err(_) => {
                    self.pending.clear();
                    break;
                }
            }
        }
        self.collect_faults();
    }

    fn take(&mut self, a: Answer) {
        let key = (a.uid, a.key);
        self.pending.remove(&key);
        let Some(entry) = self.entries.iter_mut().find(|e| e.uid == a.uid) else { return };
        match a.image {
            Ok(Some(img)) => {
                if let Some(ctx) = &self.ctx {
                    let name = format!("basemap-{}-{}-{}-{}", a.uid, a.key.z, a.key.x, a.key.y);
                    let handle = ctx.load_texture(name, img, egui::TextureOptions::LINEAR);
                    self.textures.insert(key, Texture { handle, used: self.frame });
                }
            }
            Ok(None) => {
                self.empty.insert(key);
            }
            Err(e) => {
                entry.fault.get_or_insert(e);
                self.empty.insert(key);
            }
        }
        if self.empty.len() > 20_000 {
            self.empty.clear();
        }
        self.evict();
    }

    /// Keeps the textures within bounds, dropping the least recently drawn (never this frame's).
    fn evict(&mut self) {
        if self.textures.len() <= TEXTURES {
            return;
        }
        let mut by_age: Vec<(u64, TexKey)> = self.textures.iter().map(|(k, t)| (t.used, *k)).collect();
        by_age.sort_unstable();
        let over = self.textures.len() - TEXTURES;
        for (used, k) in by_age.into_iter().take(over) {
            if used >= self.frame {
                break;
            }
            self.textures.remove(&k);
        }
    }

    /// Draws the visible basemaps (bottom to top, each with its opacity) into
    /// `pane` as `cam` sees it, asking the workers for the pieces not decoded yet.
    pub fn paint(&mut self, painter: &egui::Painter, pane: egui::Rect, cam: &Camera) {
        if self.entries.iter().all(|e| !e.basemap.visible || e.layer().is_none()) {
            return;
        }
        let ppp = painter.ctx().pixels_per_point();
        let a = cam.screen_to_world([0.0, cam.size[1]]);
        let b = cam.screen_to_world([cam.size[0], 0.0]);
        // Only the part of the pane that shows (a swipe pane is clipped).
        let clip = painter.clip_rect().intersect(pane);
        if clip.width() <= 0.0 || clip.height() <= 0.0 {
            return;
        }
        let size = [(cam.size[0] * ppp).round().max(1.0) as u32, (cam.size[1] * ppp).round().max(1.0) as u32];
        let view = MercView { min: [a[0].min(b[0]), a[1].min(b[1])], max: [a[0].max(b[0]), a[1].max(b[1])], size };
        if !(view.mpp().is_finite() && view.mpp() > 0.0) {
            return;
        }
        let ctx = painter.ctx().clone();
        let mut wanted: Vec<(TexKey, Arc<dyn Layer>)> = Vec::new();
        let to_screen = |w: [f64; 2]| {
            let p = cam.world_to_screen(w);
            Pos2::new(pane.left() + p[0], pane.top() + p[1])
        };
        for e in &self.entries {
            let Some(layer) = e.layer() else { continue };
            if !e.basemap.visible || e.basemap.opacity <= 0.0 {
                continue;
            }
            let tint = Color32::WHITE.gamma_multiply(e.basemap.opacity.clamp(0.0, 1.0));
            // Stand-ins (coarser tiles) first, then the pieces themselves: one mesh a texture.
            let mut stand_ins: Vec<egui::Mesh> = Vec::new();
            let mut own: Vec<egui::Mesh> = Vec::new();
            let pieces = layer.pieces(&view);
            if pieces.len() > MAX_PIECES {
                continue;
            }
            for piece in pieces {
                let key = (e.uid, piece.key);
                let [tl, tr, bl] = piece.corners.map(to_screen);
                let br = tr + (bl - tl);
                let bounds = egui::Rect::from_points(&[tl, tr, bl, br]);
                if !bounds.intersects(clip) {
                    continue;
                }
                let (tex, uv, meshes) = if let Some(t) = self.textures.get_mut(&key) {
                    t.used = self.frame;
                    self.drawn += 1;
                    (Some(t.handle.id()), egui::Rect::from_min_max(Pos2::ZERO, Pos2::new(1.0, 1.0)), &mut own)
                } else {
                    if !self.empty.contains(&key) {
                        self.missing += 1;
                        wanted.push((key, layer.clone()));
                    }
                    match e.pyramid().then(|| stand_in(&mut self.textures, e.uid, piece.key, self.frame)).flatten() {
                        Some((id, uv)) => {
                            self.stood_in += 1;
                            (Some(id), uv, &mut stand_ins)
                        }
                        None => (None, egui::Rect::NOTHING, &mut stand_ins),
                    }
                };
                let Some(tex) = tex else { continue };
                let at = match meshes.iter().position(|m| m.texture_id == tex) {
                    Some(at) => at,
                    None => {
                        meshes.push(egui::Mesh::with_texture(tex));
                        meshes.len() - 1
                    }
                };
                let mesh = &mut meshes[at];
                let i = mesh.vertices.len() as u32;
                for (pos, u) in
                    [(tl, uv.left_top()), (tr, uv.right_top()), (br, uv.right_bottom()), (bl, uv.left_bottom())]
                {
                    mesh.vertices.push(egui::epaint::Vertex { pos, uv: u, color: tint });
                }
                mesh.indices.extend([i, i + 1, i + 2, i, i + 2, i + 3]);
            }
            for mesh in stand_ins.into_iter().chain(own) {
                painter.add(egui::Shape::mesh(mesh));
            }
        }
        self.ask(&ctx, wanted);
    }

    /// Asks the workers for the pieces wanted now; queued pieces no longer wanted are dropped.
    fn ask(&mut self, ctx: &egui::Context, wanted: Vec<(TexKey, Arc<dyn Layer>)>) {
        if wanted.is_empty() {
            return;
        }
        let pool = self.pool.get_or_insert_with(Pool::new);
        let Ok(mut items) = pool.queue.items.lock() else { return };
        self.frame_wanted.extend(wanted.iter().map(|(k, _)| *k));
        // A piece panned out of view (of every pane) before a worker took it is not decoded.
        let pending = &mut self.pending;
        let now = &self.frame_wanted;
        items.retain(|r| {
            let keep = now.contains(&(r.uid, r.key));
            if !keep {
                pending.remove(&(r.uid, r.key));
            }
            keep
        });
        // Workers take from the back: the first pieces of the frame (the lowest layer's) go last.
        for (key, layer) in wanted.into_iter().rev() {
            if self.pending.contains(&key) || items.len() >= QUEUE {
                continue;
            }
            self.pending.insert(key);
            items.push_back(Request { uid: key.0, key: key.1, layer, ctx: ctx.clone() });
        }
        drop(items);
        pool.queue.ready.notify_all();
    }
}

/// A coarser tile already on the GPU that covers `key`, and the part of it that does.
fn stand_in(
    textures: &mut HashMap<TexKey, Texture>,
    uid: u64,
    key: PieceKey,
    frame: u64,
) -> Option<(egui::TextureId, egui::Rect)> {
    for up in 1..=STAND_IN_LEVELS.min(key.z) {
        let n = 1u32 << up;
        let parent = PieceKey { z: key.z - up, x: key.x >> up, y: key.y >> up };
        if let Some(t) = textures.get_mut(&(uid, parent)) {
            t.used = frame;
            let (fx, fy) = ((key.x % n) as f32 / n as f32, (key.y % n) as f32 / n as f32);
            let side = 1.0 / n as f32;
            let uv = egui::Rect::from_min_size(Pos2::new(fx, fy), egui::vec2(side, side));
            return Some((t.handle.id(), uv));
        }
    }
    None
}

/// The credits of the visible basemaps at the map's bottom-right, small, on a translucent band.
pub fn paint_attribution(painter: &egui::Painter, rect: egui::Rect, attributions: &[String]) {
    if attributions.is_empty() {
        return;
    }
    let text = attributions.join(" · ");
    let galley = painter.layout_no_wrap(text, egui::FontId::proportional(10.0), Color32::from_gray(40));
    let size = galley.size();
    let at = Pos2::new(rect.right() - size.x - 6.0, rect.bottom() - size.y - 2.0);
    let band = egui::Rect::from_min_size(at, size).expand2(egui::vec2(4.0, 1.0));
    painter.rect_filled(band, 2.0, Color32::from_white_alpha(190));
    painter.galley(at, galley, Color32::from_gray(40));
}

/// The presets the add window offers (`basemap::presets`: OpenStreetMap, 天地图
/// map and imagery with their label layers), named in the language shown.
pub fn offered_presets(lang: crate::model::Lang) -> Vec<(String, Vec<Basemap>)> {
    crate::basemap::presets::presets()
        .into_iter()
        .map(|p| {
            let name = match lang {
                crate::model::Lang::Zh => p.name_zh,
                crate::model::Lang::En => p.name_en,
            };
            (name.to_string(), p.basemaps)
        })
        .collect()
}

/// The coordinate systems offered for an image whose file does not say.
const EPSG_CHOICES: [u32; 7] = [4326, 4490, 3857, 4527, 4548, 32650, 32651];

/// The add window's own state.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AddState {
    /// A URL template being typed.
    pub url: String,
    /// The coordinate system of an image (`None`: its file says).
    pub epsg: Option<u32>,
    /// The EPSG code being typed.
    pub epsg_text: String,
    pub shift: Shift,
    /// The 天地图 key being typed (kept in the user's settings, never in the plan).
    pub tianditu_key: String,
    /// Why the last URL was not taken.
    pub error: Option<&'static str>,
}

/// The plan's basemaps with one changed (an undoable edit of them all).
fn with_changed(v: &View, i: usize, f: impl FnOnce(&mut Vec<Basemap>)) -> Option<Action> {
    let mut list = v.doc.plan().basemaps.clone();
    if i >= list.len() {
        return None;
    }
    f(&mut list);
    (list != v.doc.plan().basemaps).then_some(Action::Edit(Edit::SetBasemaps { basemaps: list }))
}

/// The layer list's basemap section: each basemap (top of the list is drawn on
/// top) with its checkbox, opacity, order, remove and fault; "Add basemap…".
pub fn section(ui: &mut egui::Ui, v: &View, rows: &[Row]) -> Vec<Action> {
    let mut out = Vec::new();
    let s = v.strings();
    ui.separator();
    ui.heading(s.basemaps);
    let list = &v.doc.plan().basemaps;
    if list.is_empty() {
        ui.label(RichText::new(s.no_basemaps).small().weak());
    }
    let n = list.len();
    // Top of the list = drawn on top, as in QGIS.
    for i in (0..n).rev() {
        let b = &list[i];
        ui.push_id(("basemap", i), |ui| {
            ui.horizontal(|ui| {
                let mut shown = b.visible;
                if ui.checkbox(&mut shown, &b.name).on_hover_text(&b.source).changed() {
                    out.extend(with_changed(v, i, |l| l[i].visible = shown));
                }
            });
            ui.horizontal(|ui| {
                // The slider moves a draft; the plan changes once, when the drag ends.
                let id = ui.scope_id().with("opacity");
                let mut value = ui.data(|d| d.get_temp::<f32>(id)).unwrap_or(b.opacity);
                let r = ui.add(egui::Slider::new(&mut value, 0.0..=1.0).show_value(false).text(s.opacity));
                if r.dragged() {
                    ui.data_mut(|d| d.insert_temp(id, value));
                } else {
                    ui.data_mut(|d| d.remove::<f32>(id));
                    if r.drag_stopped() || r.changed() {
                        out.extend(with_changed(v, i, |l| l[i].opacity = value.clamp(0.0, 1.0)));
                    }
                }
                if ui.add_enabled(i + 1 < n, egui::Button::new("↑").small()).on_hover_text(s.basemap_up).clicked() {
                    out.extend(with_changed(v, i, |l| l.swap(i, i + 1)));
                }
                if ui.add_enabled(i > 0, egui::Button::new("↓").small()).on_hover_text(s.basemap_down).clicked() {
                    out.extend(with_changed(v, i, |l| l.swap(i, i - 1)));
                }
                if ui.add(egui::Button::new("×").small()).on_hover_text(s.basemap_remove).clicked() {
                    out.extend(with_changed(v, i, |l| {
                        l.remove(i);
                    }));
                }
            });
            let row = rows.get(i).cloned().unwrap_or_default();
            if let Some(f) = &row.fault {
                ui.colored_label(super::theme::ERROR, RichText::new(f).small());
            }
            if row.placeable && ui.button(s.basemap_place).on_hover_text(s.basemap_place_hint).clicked() {
                out.push(Action::Georeference(i));
            }
        });
    }
    if ui.button(s.add_basemap).clicked() {
        out.push(Action::ShowBasemapAdd(true));
    }
    out
}

/// The "Add basemap" window: a file, a URL template or a preset; the
/// coordinate system of an image, the shift of a Chinese web map, the 天地图 key.
pub fn add_window(ctx: &egui::Context, st: &mut AddState, v: &View) -> Vec<Action> {
    let mut out = Vec::new();
    let s = v.strings();
    let mut open = true;
    egui::Window::new(s.add_basemap_title)
        .id(egui::Id::unique("add_basemap"))
        .open(&mut open)
        .collapsible(false)
        .default_width(460.0)
        .show(ctx, |ui| {
            egui::Grid::new("basemap_placing").num_columns(2).spacing([10.0, 6.0]).show(ui, |ui| {
                let label = ui.label(s.basemap_crs);
                egui::ComboBox::from_id_salt("basemap_epsg")
                    .selected_text(st.epsg.map_or(s.basemap_crs_from_file.to_string(), |c| format!("EPSG:{c}")))
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut st.epsg, None, s.basemap_crs_from_file);
                        for c in EPSG_CHOICES {
                            ui.selectable_value(&mut st.epsg, Some(c), format!("EPSG:{c}"));
                        }
                    })
                    .response
                    .labelled_by(label.id);
                ui.end_row();
                let label = ui.label(s.basemap_epsg_code);
                let r = ui.add(egui::TextEdit::singleline(&mut st.epsg_text).hint_text("4527").desired_width(80.0));
                let r = r.labelled_by(label.id);
                let typed = st.epsg_text.trim().trim_start_matches("EPSG:").trim();
                let code = typed.parse::<u32>().ok().filter(|c| *c > 0);
                if r.changed()
                    && let Some(c) = code
                {
                    st.epsg = Some(c);
                }
                if !typed.is_empty() && code.is_none() {
                    ui.end_row();
                    ui.label("");
                    ui.colored_label(super::theme::ERROR, s.basemap_epsg_bad);
                }
                ui.end_row();
                ui.label(s.basemap_shift);
                ui.horizontal(|ui| {
                    ui.radio_value(&mut st.shift, Shift::None, "WGS 84 / CGCS2000");
                    ui.radio_value(&mut st.shift, Shift::Gcj02, s.basemap_gcj02);
                    ui.radio_value(&mut st.shift, Shift::Bd09, s.basemap_bd09);
                });
                ui.end_row();
            });
            ui.separator();
            ui.label(RichText::new(s.basemap_file).strong());
            ui.label(RichText::new("MBTiles · PMTiles · GeoTIFF · PNG/JPEG").small().weak());
            if ui.button(s.basemap_choose_file).clicked() {
                out.push(Action::BasemapDialog { epsg: st.epsg, shift: st.shift });
            }
            ui.separator();
            let label = ui.label(RichText::new(s.basemap_url).strong());
            let r = ui
                .add(
                    egui::TextEdit::singleline(&mut st.url)
                        .hint_text("https://…/{z}/{x}/{y}.png")
                        .desired_width(f32::INFINITY),
                )
                .labelled_by(label.id);
            if r.changed() {
                st.error = None;
            }
            let enter = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if let Some(e) = st.error {
                ui.colored_label(super::theme::ERROR, e);
            }
            if ui.button(s.basemap_add_url).clicked() || enter {
                let url = st.url.trim();
                if !(url.starts_with("http://") || url.starts_with("https://"))
                    || !(url.contains("{z}") && url.contains("{x}") && (url.contains("{y}") || url.contains("{-y}")))
                {
                    st.error = Some(s.basemap_url_bad);
                } else {
                    let mut b = Basemap::new(url);
                    b.shift = st.shift;
                    out.push(add(v, b));
                    st.url.clear();
                }
            }
            ui.separator();
            ui.label(RichText::new(s.basemap_presets).strong());
            ui.horizontal_wrapped(|ui| {
                for (name, layers) in offered_presets(v.lang) {
                    if ui.button(name).clicked() {
                        // A preset with a label layer adds both, one undo step.
                        let mut list = v.doc.plan().basemaps.clone();
                        list.extend(layers);
                        out.push(Action::Edit(Edit::SetBasemaps { basemaps: list }));
                    }
                }
            });
            ui.separator();
            ui.horizontal(|ui| {
                let label = ui.label(s.tianditu_key);
                let r = ui
                    .add(egui::TextEdit::singleline(&mut st.tianditu_key).password(true).desired_width(220.0))
                    .labelled_by(label.id);
                if r.lost_focus() || ui.button(s.save_key).clicked() {
                    out.push(Action::SetServiceKey {
                        service: "tianditu".into(),
                        key: st.tianditu_key.trim().to_string(),
                    });
                }
            });
            ui.label(RichText::new(s.tianditu_key_note).small().weak());
        });
    if !open {
        out.push(Action::ShowBasemapAdd(false));
    }
    out
}

/// The undoable edit adding a basemap on top of the plan's.
pub fn add(v: &View, b: Basemap) -> Action {
    let mut list = v.doc.plan().basemaps.clone();
    list.push(b);
    Action::Edit(Edit::SetBasemaps { basemaps: list })
}

/// A basemap from a chosen file, placed as the add window says.
pub fn from_file(path: PathBuf, epsg: Option<u32>, shift: Shift) -> Basemap {
    let mut b = Basemap::new(path.display().to_string());
    b.epsg = epsg;
    b.shift = shift;
    b
}
