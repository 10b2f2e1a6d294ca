//! Carries the person's own keyboard and mouse activity from the thread
//! that watches their devices to the agent's loop. Only the latest news
//! matters (each one restarts the pause), so a watch channel holds it and
//! a busy mouse never queues up.

use std::time::Instant;
use tokio::sync::watch;

/// The latest moment the person used their keyboard or mouse, and
/// whether they still hold a key, button or touch down.
pub type LocalActivity = watch::Receiver<Option<(Instant, bool)>>;

/// Starts watching the X display's own devices on a thread of its own.
pub fn watch_x11(display: Option<&str>) -> Result<LocalActivity, String> {
    let watch = tessera_input::LocalInputWatch::open(display).map_err(|e| e.to_string())?;
    let (tx, rx) = watch::channel(None);
    std::thread::Builder::new()
        .name("local-input".into())
        .spawn(move || {
            if let Err(e) = watch.run(|held| tx.send(Some((Instant::now(), held))).is_ok()) {
                tracing::warn!("{e}");
            }
        })
        .map_err(|e| format!("cannot start watching the local keyboard and mouse: {e}"))?;
    Ok(rx)
}
