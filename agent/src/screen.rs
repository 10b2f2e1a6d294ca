//! Sends the screen to the viewer while `view` is granted: a capture
//! thread grabs, encodes only what changed and hands the update to a task
//! that writes it on its own end-to-end stream. The hand-over holds one
//! update, so a slow link makes the thread wait and the next update carries
//! the newest picture (damage merges, nothing stale piles up).

use quinn::Connection;
use std::sync::mpsc as std_mpsc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tessera_screen::{Capture, Encoder};
use tokio::sync::mpsc;

/// At most this many grabs a second.
const FRAME_INTERVAL: Duration = Duration::from_millis(33);

/// What the session tells the capture thread.
enum Control {
    Keyframe,
}

/// A running screen share; dropping it stops the capture thread.
pub struct ScreenShare {
    control: std_mpsc::Sender<Control>,
}

impl ScreenShare {
    /// Starts capturing from `capture` and sending on a new stream of `conn`.
    pub fn start(mut capture: Box<dyn Capture + Send>, conn: Connection) -> Self {
        let (control, orders) = std_mpsc::channel();
        let (updates, mut outgoing) = mpsc::channel::<Vec<u8>>(1);
        tokio::spawn(async move {
            let Ok(mut stream) = conn.open_uni().await else {
                return;
            };
            while let Some(bytes) = outgoing.recv().await {
                if stream.write_all(&bytes).await.is_err() {
                    return;
                }
            }
            let _ = stream.finish();
        });
        std::thread::spawn(move || {
            let Ok(mut encoder) = Encoder::new() else {
                return;
            };
            loop {
                match orders.try_recv() {
                    Ok(Control::Keyframe) => encoder.request_keyframe(),
                    Err(std_mpsc::TryRecvError::Disconnected) => return,
                    Err(std_mpsc::TryRecvError::Empty) => {}
                }
                let captured_at_us = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |d| d.as_micros() as u64);
                let frame = match capture.grab() {
                    Ok(frame) => frame,
                    Err(e) => {
                        tracing::error!("screen capture stopped: {e}");
                        return;
                    }
                };
                match encoder.encode(frame) {
                    Ok(Some(mut update)) => {
                        update.captured_at_us = captured_at_us;
                        if updates.blocking_send(update.to_bytes()).is_err() {
                            return; // the stream is gone
                        }
                    }
                    Ok(None) => {} // idle: nothing to send
                    Err(e) => {
                        tracing::error!("screen encoding stopped: {e}");
                        return;
                    }
                }
                // Pacing between grabs, not synchronisation.
                std::thread::sleep(FRAME_INTERVAL);
            }
        });
        Self { control }
    }

    /// The next update will be a whole picture.
    pub fn keyframe(&self) {
        let _ = self.control.send(Control::Keyframe);
    }
}
