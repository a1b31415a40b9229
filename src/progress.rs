//! A one-line progress bar on stderr with the rate and what is left, for long commands
//! (the archive generator, imports, exports).

use std::io::Write as _;
use std::time::Instant;

/// Redraws one stderr line; call `show` as work advances, `done` at the end.
pub struct Progress {
    label: &'static str,
    total: u64,
    started: Instant,
    last_drawn: Option<Instant>,
}

impl Progress {
    pub fn new(label: &'static str, total: u64) -> Progress {
        Progress { label, total, started: Instant::now(), last_drawn: None }
    }

    /// Draws `done` of `total`, with `items` counted for the rate (at most ten times a second).
    pub fn show(&mut self, done: u64, items: u64, unit: &str) {
        let now = Instant::now();
        if self.last_drawn.is_some_and(|at| now.duration_since(at).as_millis() < 100) {
            return;
        }
        self.last_drawn = Some(now);
        let elapsed = self.started.elapsed().as_secs_f64().max(0.001);
        let rate = items as f64 / elapsed;
        let fraction = (done as f64 / self.total.max(1) as f64).min(1.0);
        let eta = if fraction > 0.0 { elapsed / fraction - elapsed } else { 0.0 };
        let width = 30;
        let filled = (fraction * width as f64) as usize;
        eprint!(
            "\r{} [{}{}] {:>3.0}% · {items} {unit} · {rate:.0}/s · {elapsed:.0}s elapsed · ETA {eta:.0}s   ",
            self.label,
            "#".repeat(filled),
            ".".repeat(width - filled.min(width)),
            fraction * 100.0,
        );
        let _ = std::io::stderr().flush();
    }

    /// Ends the line.
    pub fn done(&mut self, done: u64, items: u64, unit: &str) {
        self.last_drawn = None;
        self.show(done, items, unit);
        eprintln!();
        self.last_drawn = None;
    }
}

impl Drop for Progress {
    /// A bar left half-drawn (the command failed) gets its line ended, so the error that
    /// follows starts a line of its own.
    fn drop(&mut self) {
        if self.last_drawn.is_some() {
            eprintln!();
        }
    }
}
