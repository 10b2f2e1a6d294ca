//! A session record on disk, the crate's one IO edge: a private folder
//! per end per session holding the log (`log.jsonl`) and the screen
//! recording (`screen.tsr`).
//!
//! Nothing is ever overwritten: the folder and its files are created new
//! (owner only), and the writer syncs in the order that makes a crash
//! lose at most the unsigned last second: a screen segment before the
//! leaf that lists it, the leaves before the checkpoint that signs them.

use crate::log::Sealed;
use crate::record::Side;
use std::fs::{DirBuilder, File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// The log's file name in a record folder.
pub const LOG_FILE: &str = "log.jsonl";
/// The screen recording's file name in a record folder.
pub const SCREEN_FILE: &str = "screen.tsr";
/// The largest log read (an hour of busy typing is a few MB).
pub const MAX_LOG_FILE_BYTES: u64 = 1 << 30;
/// The largest screen recording read whole.
pub const MAX_SCREEN_FILE_BYTES: u64 = 8 << 30;

/// The default parent of record folders: `$XDG_DATA_HOME/tessera/sessions`
/// or `~/.local/share/tessera/sessions`, the person's own data folder.
pub fn default_record_dir() -> PathBuf {
    std::env::var_os("XDG_DATA_HOME")
        .filter(|d| Path::new(d).is_absolute())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."))
        .join("tessera")
        .join("sessions")
}

/// The folder name of `side`'s record of session `session`: the wall
/// clock first so a listing sorts by time, then what makes it unique.
pub fn folder_name(wall_ms: u64, session: &[u8; 16], side: Side) -> String {
    let stamp = humantime::format_rfc3339_seconds(
        std::time::UNIX_EPOCH + std::time::Duration::from_millis(wall_ms),
    )
    .to_string()
    .replace(':', "");
    format!("{stamp}-{}-{}", hex::encode(&session[..4]), side.name())
}

/// Checks, before any session, that records can be kept under `parent`:
/// makes it (owner only) if missing, then creates and removes a file
/// there. A session must never start that could not be recorded.
pub fn check_writable(parent: &Path) -> Result<(), String> {
    let fail = |e: std::io::Error| {
        format!(
            "cannot keep session records in {}: {e}. Every session is recorded: make the folder writable, or choose another with --record-dir",
            parent.display()
        )
    };
    DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(parent)
        .map_err(fail)?;
    let probe = parent.join(format!(".write-check-{}", std::process::id()));
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&probe)
        .and_then(|mut f| f.write_all(b"ok"))
        .map_err(fail)?;
    std::fs::remove_file(&probe).map_err(fail)
}

/// The open files of a record being written.
#[derive(Debug)]
pub struct RecordFiles {
    dir: PathBuf,
    log: File,
    screen: File,
}

impl RecordFiles {
    /// Creates the record folder `name` under `parent` (made if missing,
    /// owner only) and its two files, all new: an existing record is
    /// never opened for writing.
    pub fn create(parent: &Path, name: &str) -> std::io::Result<RecordFiles> {
        DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(parent)?;
        let dir = parent.join(name);
        DirBuilder::new().mode(0o700).create(&dir)?;
        let new = |file: &str| {
            OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(dir.join(file))
        };
        let (log, screen) = (new(LOG_FILE)?, new(SCREEN_FILE)?);
        // The new names must survive a crash too.
        File::open(&dir)?.sync_all()?;
        File::open(parent)?.sync_all()?;
        Ok(RecordFiles { dir, log, screen })
    }

    /// The record's folder (to tell the person where it is).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Appends log lines (leaves as they are appended), unsynced: the
    /// next [`RecordFiles::write_sealed`] syncs them.
    pub fn append_log(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.log.write_all(bytes)
    }

    /// Appends a log line that must be on disk now (the record's first
    /// line, a cosignature after close).
    pub fn append_log_synced(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.log.write_all(bytes)?;
        self.log.sync_data()
    }

    /// Writes screen recording bytes and syncs them: a segment is on disk
    /// before the leaf that lists it is written.
    pub fn write_screen(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.screen.write_all(bytes)?;
        self.screen.sync_data()
    }

    /// Writes a sealed stretch: its leaves (the tick last), sync, then the
    /// checkpoint that signs them, sync. A crash between the two leaves
    /// leaves that a verifier reports as the unsigned tail.
    pub fn write_sealed(&mut self, sealed: &Sealed) -> std::io::Result<()> {
        self.log.write_all(&sealed.leaves)?;
        self.log.sync_data()?;
        self.log.write_all(&sealed.checkpoint_line)?;
        self.log.sync_data()
    }
}

/// Writes `bytes` to the new file `path`, whole or not at all, readable
/// by its owner only (a report holds the chat): a temporary file beside
/// it, synced, then linked to its name, which fails rather than replace
/// a file already there.
pub fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // Unique to this call: the process, and a count within it.
    static CALLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let temporary = path.with_file_name(format!(".{name}.{}-{call}.part", std::process::id()));
    let written = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&temporary)
        .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()))
        .and_then(|()| std::fs::hard_link(&temporary, path));
    let _ = std::fs::remove_file(&temporary);
    written
}

/// A record as read back for the auditor.
#[derive(Debug)]
pub struct RecordBytes {
    /// Where the log was read from.
    pub log_path: PathBuf,
    /// The log's bytes.
    pub log: Vec<u8>,
    /// The screen recording's, if the record has one.
    pub screen: Option<Vec<u8>>,
}

/// Why a record could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Nothing there.
    #[error("no session record at {0}: give a record's folder or its {LOG_FILE}")]
    NotFound(PathBuf),
    /// Over the limit for its kind.
    #[error("{0} is over the {1}-byte limit for a session record")]
    TooLarge(PathBuf, u64),
    /// The system said no.
    #[error("cannot read {0}: {1}")]
    Io(PathBuf, std::io::Error),
}

/// Reads the record at `path`: a record folder, or a log file (the screen
/// recording is then `screen.tsr` beside it, if there).
pub fn read_record(path: &Path) -> Result<RecordBytes, ReadError> {
    let log_path = match path.is_dir() {
        true => path.join(LOG_FILE),
        false => path.to_path_buf(),
    };
    if !log_path.is_file() {
        return Err(ReadError::NotFound(path.to_path_buf()));
    }
    let log = read_bounded(&log_path, MAX_LOG_FILE_BYTES)?;
    let screen_path = log_path.with_file_name(SCREEN_FILE);
    let screen = match screen_path.is_file() {
        true => Some(read_bounded(&screen_path, MAX_SCREEN_FILE_BYTES)?),
        false => None,
    };
    Ok(RecordBytes {
        log_path,
        log,
        screen,
    })
}

/// The whole of `path`, refused past `limit` (checked while reading, so a
/// file growing under us cannot slip past).
fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let io = |e| ReadError::Io(path.to_path_buf(), e);
    let file = File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    file.take(limit + 1).read_to_end(&mut bytes).map_err(io)?;
    match bytes.len() as u64 > limit {
        true => Err(ReadError::TooLarge(path.to_path_buf(), limit)),
        false => Ok(bytes),
    }
}
