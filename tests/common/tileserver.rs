//! A tiny tile server on 127.0.0.1 for tests: answers `GET …/z/x/y.png` with
//! a generated PNG whose colour says which tile it is ([`color`]), 404 for
//! zooms outside the range it serves, and counts what it was asked. A path
//! with a `/tms/` segment reads its row from the bottom (TMS). It can be told
//! to answer with an HTTP status or an HTML page instead, and is stopped (the
//! port closed) by [`TileServer::stop`] or when dropped.
//!
//! Not in `common/mod.rs` (that one carries the window's test harness): use it
//! as `#[path = "common/tileserver.rs"] mod tileserver;`.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::ops::RangeInclusive;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// What the server answers a tile request with.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Answer {
    /// The tile (or 404 outside the zooms served).
    Tiles,
    /// This HTTP status with an empty body.
    Status(u16),
    /// A 200 with an HTML page, as a captive portal or a login page sends.
    Html,
}

struct Shared {
    zooms: RangeInclusive<u8>,
    answer: Mutex<Answer>,
    requests: AtomicUsize,
    paths: Mutex<Vec<String>>,
    user_agents: Mutex<Vec<String>>,
    active: AtomicUsize,
    max_active: AtomicUsize,
    stop: AtomicBool,
}

/// A running tile server.
pub struct TileServer {
    port: u16,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

/// The colour of tile `z/x/y` (XYZ row): red from the column, green from the row, blue from the zoom.
pub fn color(z: u8, x: u32, y: u32) -> [u8; 3] {
    [(x % 251) as u8, (y % 251) as u8, z.wrapping_mul(12)]
}

/// A 256 × 256 PNG of one colour.
pub fn png(rgb: [u8; 3]) -> Vec<u8> {
    let img = image::RgbaImage::from_pixel(256, 256, image::Rgba([rgb[0], rgb[1], rgb[2], 255]));
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png).expect("encode a PNG");
    out
}

impl TileServer {
    /// Starts serving tiles of `zooms` on a free port of 127.0.0.1.
    pub fn start(zooms: RangeInclusive<u8>) -> TileServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        listener.set_nonblocking(true).expect("nonblocking listener");
        let port = listener.local_addr().expect("address").port();
        let shared = Arc::new(Shared {
            zooms,
            answer: Mutex::new(Answer::Tiles),
            requests: AtomicUsize::new(0),
            paths: Mutex::new(Vec::new()),
            user_agents: Mutex::new(Vec::new()),
            active: AtomicUsize::new(0),
            max_active: AtomicUsize::new(0),
            stop: AtomicBool::new(false),
        });
        let s = shared.clone();
        let thread = std::thread::spawn(move || {
            let mut handlers = Vec::new();
            while !s.stop.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let s = s.clone();
                        handlers.push(std::thread::spawn(move || serve(stream, &s)));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(2)),
                }
            }
            for h in handlers {
                let _ = h.join();
            }
            // The listener is dropped here: the port is closed.
        });
        TileServer { port, shared, thread: Some(thread) }
    }

    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Requests answered so far.
    pub fn requests(&self) -> usize {
        self.shared.requests.load(Ordering::SeqCst)
    }

    /// The paths asked for, in order.
    pub fn paths(&self) -> Vec<String> {
        self.shared.paths.lock().map(|p| p.clone()).unwrap_or_default()
    }

    /// The User-Agent headers the requests carried.
    pub fn user_agents(&self) -> Vec<String> {
        self.shared.user_agents.lock().map(|p| p.clone()).unwrap_or_default()
    }

    /// The most requests that were being answered at once.
    pub fn max_in_flight(&self) -> usize {
        self.shared.max_active.load(Ordering::SeqCst)
    }

    pub fn answer(&self, a: Answer) {
        if let Ok(mut m) = self.shared.answer.lock() {
            *m = a;
        }
    }

    /// Stops the server and closes its port.
    pub fn stop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            t.join().expect("the tile server thread ends");
        }
    }
}

impl Drop for TileServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn serve(stream: TcpStream, s: &Shared) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    let mut first = String::new();
    let _ = reader.read_line(&mut first);
    let mut agent = String::new();
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) if line == "\r\n" || line == "\n" => break,
            Ok(_) => {
                if let Some((name, value)) = line.split_once(':')
                    && name.eq_ignore_ascii_case("user-agent")
                {
                    agent = value.trim().to_string();
                }
            }
        }
    }
    let path = first.split_whitespace().nth(1).unwrap_or("").to_string();
    let now = s.active.fetch_add(1, Ordering::SeqCst) + 1;
    s.max_active.fetch_max(now, Ordering::SeqCst);
    // A little work time, so requests overlap when a client sends many at once.
    std::thread::sleep(Duration::from_millis(5));
    let (status, kind, body) = answer(&path, s);
    s.requests.fetch_add(1, Ordering::SeqCst);
    if let Ok(mut p) = s.paths.lock() {
        p.push(path);
    }
    if let Ok(mut u) = s.user_agents.lock() {
        u.push(agent);
    }
    let head = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    // Counted as in flight while being worked on, which is inside the client's request.
    s.active.fetch_sub(1, Ordering::SeqCst);
    let mut stream = stream;
    let _ = stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(&body));
    let _ = stream.flush();
}

fn answer(path: &str, s: &Shared) -> (u16, &'static str, Vec<u8>) {
    match s.answer.lock().map(|a| *a).unwrap_or(Answer::Tiles) {
        Answer::Status(code) => return (code, "text/plain", Vec::new()),
        Answer::Html => return (200, "text/html", b"<!doctype html><html><body>Please log in</body></html>".to_vec()),
        Answer::Tiles => {}
    }
    let clean = path.split('?').next().unwrap_or("");
    let parts: Vec<&str> = clean.trim_end_matches(".png").split('/').collect();
    let n = parts.len();
    let parsed =
        (n >= 3).then(|| (parts[n - 3].parse::<u8>(), parts[n - 2].parse::<u32>(), parts[n - 1].parse::<u32>()));
    let Some((Ok(z), Ok(x), Ok(row))) = parsed else { return (400, "text/plain", Vec::new()) };
    if z > 30 || x >= 1 << z || row >= 1 << z || !s.zooms.contains(&z) {
        return (404, "text/plain", Vec::new());
    }
    let y = if parts.contains(&"tms") { (1 << z) - 1 - row } else { row };
    (200, "image/png", png(color(z, x, y)))
}
