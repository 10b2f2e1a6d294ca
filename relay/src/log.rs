//! The relay's session log: one JSON line per pairing, metadata only
//! (ids, times, addresses, byte counts, how it ended), never payload.
//!
//! The engine serves every client from one task, so it never touches the
//! disk: records go over a bounded channel to a writer thread that appends
//! and flushes each line. A full channel (a disk slower than pairs end)
//! drops the record, counts it and warns, rather than stall every client;
//! [`SessionLog::close`] drains what is queued before the relay reports
//! itself closed.

use crate::metrics::Metrics;
use serde::Serialize;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{sync_channel, SyncSender, TrySendError};
use std::sync::Arc;
use tessera_proto::Nameplate;
use tokio::sync::oneshot;

/// Records queued for the writer at most. At a few hundred bytes each this
/// is about a megabyte, minutes of pairs ending at any plausible rate.
pub const QUEUE: usize = 4096;

/// How a pairing ended, as the log's `end` field spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PairEnd {
    /// The agent voided its code (a wrong code, or a pairing that stalled
    /// or was left).
    Burned,
    /// The agent's connection closed or was lost first.
    AgentLeft,
    /// The viewer's connection closed or was lost first.
    ViewerLeft,
}

/// One finished pairing.
#[derive(Debug, Serialize)]
pub struct SessionRecord {
    /// The pairing id, hex.
    pub session_id: String,
    /// The nameplate used.
    pub nameplate: Nameplate,
    /// When the viewer joined (RFC 3339).
    pub started_at: String,
    /// When forwarding stopped (RFC 3339).
    pub ended_at: String,
    /// The agent's address.
    pub agent_addr: SocketAddr,
    /// The viewer's address.
    pub viewer_addr: SocketAddr,
    /// Datagram bytes forwarded agent → viewer.
    pub bytes_agent_to_viewer: u64,
    /// Datagram bytes forwarded viewer → agent.
    pub bytes_viewer_to_agent: u64,
    /// How it ended.
    pub end: PairEnd,
}

/// Where records go: the tracing log, and a JSON-lines file through the
/// writer thread if one is configured.
#[derive(Debug)]
pub struct SessionLog {
    writer: Option<Writer>,
    metrics: Arc<Metrics>,
}

/// The channel to the writer thread, and its word that it has finished.
#[derive(Debug)]
struct Writer {
    lines: SyncSender<String>,
    done: oneshot::Receiver<()>,
}

impl SessionLog {
    /// Appends to `path` if given (created with mode 0600), from a writer
    /// thread started here; drops are counted in `metrics`.
    pub fn open(path: Option<PathBuf>, metrics: Arc<Metrics>) -> std::io::Result<Self> {
        let writer = match path {
            Some(p) => {
                use std::os::unix::fs::OpenOptionsExt;
                // It holds addresses: readable by the operator only.
                let file = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .mode(0o600)
                    .open(p)?;
                Some(Writer::start(file)?)
            }
            None => None,
        };
        Ok(Self { writer, metrics })
    }

    /// Logs one record and queues it for the file, without waiting.
    pub fn write(&self, record: &SessionRecord) {
        let Ok(line) = serde_json::to_string(record) else {
            return;
        };
        tracing::info!(target: "tessera_relay::session", "{line}");
        let Some(writer) = &self.writer else {
            return;
        };
        match writer.lines.try_send(line) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                let dropped = self
                    .metrics
                    .session_log_dropped_total
                    .fetch_add(1, Ordering::Relaxed)
                    + 1;
                // Warn at the 1st, 2nd, 4th, 8th... drop: a stuck disk does
                // not turn into a flood of warnings.
                if dropped.is_power_of_two() {
                    tracing::warn!(
                        "the session log cannot keep up: {dropped} records dropped so far"
                    );
                }
            }
            Err(TrySendError::Disconnected(_)) => {
                tracing::error!("the session log writer has stopped: record not written");
            }
        }
    }

    /// Waits until every record queued so far is written and flushed, and
    /// stops the writer.
    pub async fn close(self) {
        if let Some(Writer { lines, done }) = self.writer {
            drop(lines);
            let _ = done.await;
        }
    }
}

impl Writer {
    fn start(mut file: impl Write + Send + 'static) -> std::io::Result<Self> {
        let (lines, queue) = sync_channel::<String>(QUEUE);
        let (finished, done) = oneshot::channel();
        std::thread::Builder::new()
            .name("session-log".into())
            .spawn(move || {
                // Ends once every sender is gone and the queue is empty.
                for mut line in queue {
                    line.push('\n');
                    if let Err(e) = file.write_all(line.as_bytes()).and_then(|()| file.flush()) {
                        tracing::error!("cannot write the session log: {e}");
                    }
                }
                let _ = finished.send(());
            })?;
        Ok(Self { lines, done })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Condvar, Mutex};
    use std::time::Duration;

    /// A disk that takes `delay` per write, and holds every write while
    /// its gate is closed.
    #[derive(Clone)]
    struct SlowDisk {
        lines: Arc<Mutex<Vec<String>>>,
        gate: Arc<(Mutex<bool>, Condvar)>,
        delay: Duration,
    }

    impl SlowDisk {
        fn new(delay: Duration, open: bool) -> Self {
            Self {
                lines: Arc::default(),
                gate: Arc::new((Mutex::new(open), Condvar::new())),
                delay,
            }
        }

        fn open_gate(&self) {
            *self.gate.0.lock().unwrap() = true;
            self.gate.1.notify_all();
        }

        fn log(&self, metrics: &Arc<Metrics>) -> SessionLog {
            SessionLog {
                writer: Some(Writer::start(self.clone()).unwrap()),
                metrics: metrics.clone(),
            }
        }
    }

    impl Write for SlowDisk {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            let (open, changed) = &*self.gate;
            let _open = changed
                .wait_while(open.lock().unwrap(), |open| !*open)
                .unwrap();
            std::thread::sleep(self.delay); // a slow disk, not synchronisation
            let line = String::from_utf8_lossy(buf).into_owned();
            self.lines.lock().unwrap().push(line);
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[tokio::test]
    async fn closing_waits_for_a_slow_disk_to_take_every_record() {
        let disk = SlowDisk::new(Duration::from_millis(2), true);
        let metrics = Arc::new(Metrics::default());
        let log = disk.log(&metrics);
        for n in 0..100 {
            log.write(&record(n, PairEnd::AgentLeft));
        }
        log.close().await;
        assert_eq!(disk.lines.lock().unwrap().len(), 100);
    }

    #[tokio::test]
    async fn a_stuck_disk_costs_dropped_records_never_a_stalled_relay() {
        let disk = SlowDisk::new(Duration::ZERO, false);
        let metrics = Arc::new(Metrics::default());
        let log = disk.log(&metrics);
        let total = QUEUE as u32 + 5;
        for n in 0..total {
            log.write(&record(n, PairEnd::Burned));
        }
        let dropped = metrics.session_log_dropped_total.load(Ordering::Relaxed);
        // The writer may have taken one record off the queue before it stuck.
        assert!((4..=5).contains(&dropped), "{dropped}");
        disk.open_gate();
        log.close().await;
        let written = disk.lines.lock().unwrap().len() as u64;
        assert_eq!(written + dropped, u64::from(total));
    }

    fn record(n: u32, end: PairEnd) -> SessionRecord {
        SessionRecord {
            session_id: format!("{n:032x}"),
            nameplate: Nameplate::new(100 + n).unwrap(),
            started_at: "2026-01-01T00:00:00.000Z".into(),
            ended_at: "2026-01-01T00:00:01.000Z".into(),
            agent_addr: "192.0.2.1:1".parse().unwrap(),
            viewer_addr: "192.0.2.2:2".parse().unwrap(),
            bytes_agent_to_viewer: 1,
            bytes_viewer_to_agent: 2,
            end,
        }
    }

    #[tokio::test]
    async fn every_record_is_in_the_file_once_closed_in_the_same_format() {
        let dir = std::env::temp_dir().join(format!("tessera-log-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("sessions.jsonl");
        let _ = std::fs::remove_file(&path);
        let metrics = Arc::new(Metrics::default());
        let log = SessionLog::open(Some(path.clone()), metrics.clone()).unwrap();
        let ends = [PairEnd::Burned, PairEnd::AgentLeft, PairEnd::ViewerLeft];
        for n in 0..300 {
            log.write(&record(n, ends[n as usize % 3]));
        }
        log.close().await;
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 300);
        assert_eq!(metrics.session_log_dropped_total.load(Ordering::Relaxed), 0);
        assert!(lines[0].contains(r#""nameplate":100,"#), "{}", lines[0]);
        assert!(lines[0].ends_with(r#""end":"burned"}"#), "{}", lines[0]);
        assert!(lines[1].ends_with(r#""end":"agent_left"}"#));
        assert!(lines[2].ends_with(r#""end":"viewer_left"}"#));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
