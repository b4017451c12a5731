//! A pane's scene made on another thread. A scene that was slow to make (a city of a
//! million buildings takes the better part of a second) is made again away from the
//! window: from snapshots — the shared plan, spatial index and drawing cache, each an
//! `Arc` that an edit made meanwhile copies first — while the map goes on drawing the
//! previous scene moved and scaled (`map_view::central`). Small plans never come here:
//! their scenes are made in the frame, as they always were.
//!
//! Words: a *want* is what a pane's scene must be made for (the plan's generation, the
//! phase, the camera); a job is *superseded* when the map wants another generation or
//! phase, so its result would never be shown (it then skips its painting and ends).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};

use eframe::egui;

use super::app::SceneMemo;
use crate::model::{Phase, Plan, SpatialIndex};
use crate::render::{Camera, GeometryCache, Scene, SceneOptions};

/// A scene slower than this (milliseconds) to make is moved and scaled while the map is
/// panned or zoomed, and made again on another thread rather than in a frame.
pub const SLOW_SCENE_MS: f32 = 12.0;

/// Which panes' next scenes are made on another thread: those whose last scene took longer
/// than `ms` to make with at least `features` in view, and a pane's first scene of a plan of
/// at least `plan_features` (opening a city; the map stays empty until it comes). The floors
/// keep a small plan's scenes (the Jinsong plan has 87 features) in the frame however slow a
/// debug build is.
#[derive(Clone, Copy, Debug)]
pub struct Slow {
    pub ms: f32,
    pub features: usize,
    pub plan_features: usize,
}

impl Slow {
    pub const DEFAULT: Slow = Slow { ms: SLOW_SCENE_MS, features: 5_000, plan_features: 200_000 };

    /// Whether the scene after `memo` (none yet: the first, of a plan of `plan_len` features)
    /// is made on another thread.
    pub fn of(&self, memo: Option<&SceneMemo>, plan_len: usize) -> bool {
        match memo {
            Some(m) => m.build_ms > self.ms && m.scene.features_in_view >= self.features,
            None => plan_len >= self.plan_features,
        }
    }
}

/// What a pane's scene is made for.
#[derive(Clone, Debug, PartialEq)]
pub struct Want {
    /// The app's scene generation (bumped by every edit, selection, option change).
    pub generation: u64,
    pub phase: Phase,
    pub camera: Camera,
}

/// Everything a scene is made from, taken on the window's thread.
pub struct Inputs {
    pub plan: Arc<Plan>,
    pub index: Arc<SpatialIndex>,
    pub cache: Arc<GeometryCache>,
    pub opts: SceneOptions,
    /// Veil the district's ground (a basemap is shown under it).
    pub veil: bool,
    /// Where the pane's top-left is on the screen (the painted meshes are made there).
    pub offset: egui::Pos2,
}

/// Makes a scene and its painting for `want` from `inputs`: what the window does in a
/// frame for a quick scene, and a job on its own thread for a slow one.
pub fn make(ctx: &egui::Context, want: &Want, request: u64, inputs: Inputs) -> SceneMemo {
    let started = std::time::Instant::now();
    let (scene, offset) = scene(&want.camera, inputs);
    painted(ctx, want.clone(), request, scene, offset, started)
}

/// The scene for `camera` from `inputs`, and where the pane's top-left is; the
/// snapshots are let go on return, so an edit right after does not copy them for nothing.
fn scene(camera: &Camera, inputs: Inputs) -> (Scene, egui::Pos2) {
    let Inputs { plan, index, cache, opts, veil, offset } = inputs;
    let mut scene = Scene::build(&plan, &index, &cache, camera, &opts);
    if veil {
        scene.veil_district_ground(&plan);
    }
    (scene, offset)
}

/// The scene made ready to paint (dot images, tessellation, the overview image; only
/// the upload of their textures goes through the thread-safe context), as a memo.
fn painted(
    ctx: &egui::Context,
    want: Want,
    request: u64,
    scene: Scene,
    offset: egui::Pos2,
    started: std::time::Instant,
) -> SceneMemo {
    let painted = super::paint::Painted::new(ctx, &scene, offset);
    SceneMemo {
        camera: want.camera,
        generation: want.generation,
        phase: want.phase,
        scene,
        painted,
        build_ms: started.elapsed().as_secs_f32() * 1000.0,
        request,
    }
}

/// Asks the window for a frame when dropped: at the end of a job, however it ends.
struct Wake(egui::Context);

impl Drop for Wake {
    fn drop(&mut self) {
        self.0.request_repaint();
    }
}

/// A scene being made on another thread for one pane.
pub struct SceneJob {
    /// What it is being made for.
    pub want: Want,
    answer: mpsc::Receiver<SceneMemo>,
    superseded: Arc<AtomicBool>,
}

/// How a job stands.
pub enum Poll {
    Pending,
    Done(Box<SceneMemo>),
    /// Given up because the map no longer wants its result.
    Superseded,
    /// Its thread ended without a scene (it panicked): the window makes the scene itself.
    Failed,
}

impl SceneJob {
    /// Starts making the scene for `want` on a thread of its own, which wakes the window
    /// when done; `None` if no thread could be started. `hold` (tests only): the job
    /// waits for this lock before it starts.
    pub fn start(
        ctx: &egui::Context,
        want: Want,
        request: u64,
        inputs: Inputs,
        hold: Option<Arc<Mutex<bool>>>,
    ) -> Option<SceneJob> {
        let (tx, answer) = mpsc::sync_channel(1);
        let superseded = Arc::new(AtomicBool::new(false));
        let (ctx, job_want, given_up) = (ctx.clone(), want.clone(), Arc::clone(&superseded));
        std::thread::Builder::new()
            .name("scene".into())
            .spawn(move || {
                // Wakes the window however the job ends, a panic included.
                let _wake = Wake(ctx.clone());
                if let Some(hold) = hold {
                    let fail = hold.lock().map(|fail| *fail).unwrap_or(true);
                    assert!(!fail, "a scene job told to fail (tests)");
                }
                let started = std::time::Instant::now();
                let (scene, offset) = scene(&job_want.camera, inputs);
                if given_up.load(Ordering::Relaxed) {
                    return;
                }
                let _ = tx.send(painted(&ctx, job_want, request, scene, offset, started));
            })
            .ok()?;
        Some(SceneJob { want, answer, superseded })
    }

    /// Whether it is done, without waiting.
    pub fn poll(&self) -> Poll {
        match self.answer.try_recv() {
            Ok(memo) => Poll::Done(Box::new(memo)),
            Err(mpsc::TryRecvError::Empty) => Poll::Pending,
            Err(mpsc::TryRecvError::Disconnected) if self.superseded.load(Ordering::Relaxed) => Poll::Superseded,
            Err(mpsc::TryRecvError::Disconnected) => Poll::Failed,
        }
    }

    /// Tells the job its result will not be shown: it ends without painting it.
    pub fn supersede(&self) {
        self.superseded.store(true, Ordering::Relaxed);
    }

    /// Tests: waits (up to `bound`) until the job is done, then leaves its result to be
    /// taken by the next frame's [`SceneJob::poll`].
    #[cfg(test)]
    pub fn wait(&mut self, bound: std::time::Duration) -> bool {
        match self.answer.recv_timeout(bound) {
            Ok(memo) => {
                // Put it back through a fresh channel, as if it had just arrived.
                let (tx, rx) = mpsc::sync_channel(1);
                let _ = tx.send(memo);
                self.answer = rx;
                true
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => true,
            Err(mpsc::RecvTimeoutError::Timeout) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use egui_kittest::Harness;

    use super::Slow;
    use crate::render::{Camera, Scene};
    use crate::ui::{Action, PlannerApp};

    /// Every scene after the first is made on another thread, and jobs wait for the lock.
    fn harness() -> (Harness<'static, PlannerApp>, Arc<Mutex<bool>>) {
        let mut app = PlannerApp::new();
        app.slow_scenes = Slow { ms: -1.0, features: 0, plan_features: usize::MAX };
        let hold = Arc::new(Mutex::new(false));
        app.scene_hold = Some(Arc::clone(&hold));
        let mut h = Harness::builder()
            .with_size([1280.0, 800.0])
            .with_context_setup(|ctx| {
                crate::ui::install_fonts(ctx);
                crate::ui::theme::apply(ctx);
            })
            .build_ui_state(|ui, app: &mut PlannerApp| app.show(ui), app);
        h.run_steps(3);
        assert!(h.state().memos[0].is_some(), "the first scene is made in the frame");
        (h, hold)
    }

    fn camera(h: &Harness<'static, PlannerApp>) -> Camera {
        h.state().camera.expect("a camera")
    }

    /// Moves the map as a pan does, without the pointer (so it is not "moving": no settling).
    fn pan(h: &mut Harness<'static, PlannerApp>, dx: f32) -> Camera {
        let mut cam = camera(h);
        cam.pan_pixels(dx, dx / 2.0);
        h.state_mut().camera = Some(cam);
        cam
    }

    /// Waits for the pane's jobs (each within a generous bound, never a race), a frame taking
    /// each result, until the map asks for no more.
    fn finish(h: &mut Harness<'static, PlannerApp>) {
        for _ in 0..10 {
            match h.state_mut().scene_jobs[0].as_mut() {
                Some(job) => assert!(job.wait(Duration::from_secs(60)), "the job ends"),
                None => return,
            }
            h.run_steps(1);
        }
        panic!("the map keeps asking for scenes");
    }

    /// The scene the frame itself would make now: `Scene::build` for the current camera.
    fn fresh(h: &mut Harness<'static, PlannerApp>) -> String {
        let app = h.state_mut();
        let rect = app.map_rect.expect("the map was drawn");
        let pane = crate::ui::map_view::Pane { rect, clip: rect, phase: app.opts.phase.clone() };
        let inputs = crate::ui::map_view::scene_inputs(app, &pane);
        let cam = app.camera.expect("a camera");
        format!("{:?}", Scene::build(&inputs.plan, &inputs.index, &inputs.cache, &cam, &inputs.opts))
    }

    fn shown(h: &Harness<'static, PlannerApp>) -> (Camera, u64, String) {
        let m = h.state().memos[0].as_ref().expect("a scene");
        (m.camera, m.generation, format!("{:?}", m.scene))
    }

    /// What the map shows never passes an older plan for the current one: a scene of an older
    /// generation is shown only where it was made, for the very camera of the map now.
    fn never_stale_elsewhere(h: &Harness<'static, PlannerApp>) {
        let app = h.state();
        let m = app.memos[0].as_ref().expect("a scene");
        let at_rest = app.camera.is_some_and(|c| crate::ui::map_view::same_ground(&m.camera, &c));
        assert!(m.generation == app.generation || at_rest, "an older scene shown moved");
    }

    #[test]
    fn a_slow_scene_is_made_on_another_thread_while_the_old_one_is_shown_moved() {
        let (mut h, hold) = harness();
        let (before, _, old) = shown(&h);
        let held = hold.lock().expect("the hold");
        let cam = pan(&mut h, 120.0);
        h.run_steps(3);
        let job = h.state().scene_jobs[0].as_ref().expect("a job for the new view");
        assert_eq!(job.want.camera, cam);
        // Meanwhile the old scene stays (drawn moved by the cameras' difference).
        let (at, _, scene) = shown(&h);
        assert_eq!(at, before);
        assert!(scene == old, "the old scene is kept while the job runs");
        drop(held);
        finish(&mut h);
        let (at, generation, scene) = shown(&h);
        assert_eq!(at, cam, "the new scene is for the camera of now");
        assert_eq!(generation, h.state().generation);
        assert!(scene == fresh(&mut h), "the same scene as Scene::build makes for it");
    }

    #[test]
    fn a_newer_view_waits_for_the_running_job_and_is_made_after_it() {
        let (mut h, hold) = harness();
        let held = hold.lock().expect("the hold");
        let first = pan(&mut h, 100.0);
        h.run_steps(2);
        let second = pan(&mut h, -300.0);
        h.run_steps(2);
        // One job a pane: still the first.
        assert_eq!(h.state().scene_jobs[0].as_ref().map(|j| j.want.camera), Some(first));
        drop(held);
        // The first one's scene comes in, then the second is asked for.
        finish(&mut h);
        let (at, _, scene) = shown(&h);
        assert_eq!(at, second);
        assert!(scene == fresh(&mut h));
    }

    #[test]
    fn an_edit_during_a_job_never_leaves_the_older_plan_shown_as_current() {
        let (mut h, hold) = harness();
        let held = hold.lock().expect("the hold");
        pan(&mut h, 150.0);
        h.run_steps(2);
        assert!(h.state().scene_jobs[0].is_some());
        // The map has moved since its scene was made: after the edit, a scene of the plan
        // as it is now is made in the frame, never the old one shown moved.
        let building = {
            let plan = h.state().doc.plan();
            plan.iter().find(|(_, f)| f.kind == crate::model::Kind::Building).map(|(id, _)| id).expect("a building")
        };
        h.state_mut().apply(Action::SetKind { features: vec![building], kind: crate::model::Kind::Garden });
        h.run_steps(1);
        never_stale_elsewhere(&h);
        let (at, generation, scene) = shown(&h);
        assert_eq!((at, generation), (camera(&h), h.state().generation));
        assert!(scene == fresh(&mut h));
        // The job, made from the plan before the edit, is given up; its scene never shown.
        drop(held);
        finish(&mut h);
        never_stale_elsewhere(&h);
        assert_eq!(shown(&h).1, h.state().generation);
        assert!(shown(&h).2 == fresh(&mut h));
    }

    #[test]
    fn a_selection_at_rest_keeps_the_scene_in_place_until_the_new_one_is_made() {
        let (mut h, hold) = harness();
        let before = shown(&h);
        let held = hold.lock().expect("the hold");
        let building = {
            let plan = h.state().doc.plan();
            plan.iter().find(|(_, f)| f.kind == crate::model::Kind::Building).map(|(id, _)| id).expect("a building")
        };
        h.state_mut().apply(Action::Select(Some(building)));
        h.run_steps(2);
        // Not moved: the previous scene stays where it was made (marked STALE in map_view) while
        // the one with the selection is made; panning now makes it in the frame.
        let job = h.state().scene_jobs[0].as_ref().expect("a job for the selection");
        assert_eq!(job.want.generation, h.state().generation);
        assert!(shown(&h) == before);
        never_stale_elsewhere(&h);
        drop(held);
        finish(&mut h);
        let (at, generation, scene) = shown(&h);
        assert_eq!((at, generation), (camera(&h), h.state().generation));
        assert!(crate::ui::map_view::same_ground(&at, &before.0), "the map did not move");
        assert!(scene == fresh(&mut h));
        assert!(h.state().opts.selected.contains(&building));
    }

    #[test]
    fn a_job_that_panics_is_made_again_in_the_frame() {
        let (mut h, hold) = harness();
        *hold.lock().expect("the hold") = true;
        let cam = pan(&mut h, 80.0);
        h.run_steps(1);
        assert!(h.state().scene_jobs[0].is_some());
        finish(&mut h);
        let (at, generation, scene) = shown(&h);
        assert_eq!((at, generation), (cam, h.state().generation));
        assert!(scene == fresh(&mut h));
    }

    #[test]
    fn a_big_plan_s_first_scene_is_made_on_another_thread_with_nothing_shown_meanwhile() {
        let mut app = PlannerApp::new();
        app.slow_scenes = Slow { plan_features: 1, ..Slow::DEFAULT };
        let hold = Arc::new(Mutex::new(false));
        app.scene_hold = Some(Arc::clone(&hold));
        let held = hold.lock().expect("the hold");
        let mut h = Harness::builder()
            .with_size([1280.0, 800.0])
            .with_context_setup(crate::ui::install_fonts)
            .build_ui_state(|ui, app: &mut PlannerApp| app.show(ui), app);
        h.run_steps(3);
        assert!(h.state().memos[0].is_none(), "no scene yet, none shown");
        assert!(h.state().scene_jobs[0].is_some());
        drop(held);
        finish(&mut h);
        let (at, generation, scene) = shown(&h);
        assert_eq!((at, generation), (camera(&h), h.state().generation));
        assert!(scene == fresh(&mut h));
    }

    #[test]
    fn the_jinsong_plan_is_never_made_on_another_thread() {
        let (mut h, _) = harness();
        h.state_mut().slow_scenes = Slow::DEFAULT;
        for dx in [50.0, -120.0, 300.0] {
            let cam = pan(&mut h, dx);
            h.run_steps(1);
            assert!(h.state().scene_jobs[0].is_none());
            assert_eq!(shown(&h).0, cam);
        }
    }
}
