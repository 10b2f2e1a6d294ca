//! What crosses the wire for files: a transfer's manifest, offered page
//! by page on the control stream, and the head of each file's own data
//! stream. The receiver checks every path itself (`tessera-files`): a
//! manifest says what the sender wants, never where the bytes go.

use serde::{Deserialize, Serialize};

/// Most entries one transfer may list (a folder of 100 000 files is the
/// most a support session sends; a million is refused, named).
pub const MAX_ENTRIES: usize = 100_000;
/// Most entries on one page of a manifest, so a page fits a control
/// frame (64 KiB) whatever the names: 50 paths of at most
/// [`MAX_PATH_BYTES`] and their few bytes each.
pub const MAX_PAGE_ENTRIES: usize = 50;
/// Most files an `Accept` offers to resume, so it fits a control frame
/// (44 bytes each at most); files past it are sent from the start.
pub const MAX_RESUME: usize = 1000;
/// Longest path an entry may name, in bytes.
pub const MAX_PATH_BYTES: usize = 1024;
/// Bytes of a file between two hashes: the unit of resume.
pub const CHUNK_BYTES: u64 = 1024 * 1024;

/// A transfer's number, chosen by whoever starts it (the viewer's even,
/// the agent's odd), unique within the session.
pub type TransferId = u32;

/// One thing a transfer holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Where it goes, relative to the receiver's folder: components
    /// joined by `/`. Checked by the receiver, never trusted.
    pub path: String,
    /// What it is.
    pub kind: EntryKind,
}

/// A file with its size and whether it runs, or a folder (sent so an
/// empty one arrives too). No symlinks, devices or other special files:
/// a sender leaves them out and says so.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EntryKind {
    /// A regular file.
    File {
        /// Its size in bytes.
        size: u64,
        /// Whether it is executable (the only mode bit carried over).
        executable: bool,
    },
    /// A folder.
    Folder,
}

/// A page of a manifest. Pages go in order; the last says so.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestPage {
    /// The transfer.
    pub id: TransferId,
    /// Up to [`MAX_PAGE_ENTRIES`] entries, continuing the previous page.
    pub entries: Vec<Entry>,
    /// Whether this page ends the manifest.
    pub last: bool,
}

/// Where a file's sending starts again: the chunks the receiver already
/// holds and checked, and a hash over their hashes in order, which the
/// sender compares with its own file's before skipping them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResumeFrom {
    /// The entry's index in the manifest.
    pub entry: u32,
    /// How many whole chunks the receiver holds.
    pub chunks: u64,
    /// SHA-256 over the SHA-256 of each of those chunks, in order.
    pub chain: [u8; 32],
}

/// The first frame of a file's data stream: which file, from which
/// chunk. The file's bytes follow from there, then a [`StreamEnd`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamHead {
    /// The transfer.
    pub id: TransferId,
    /// The entry's index in the manifest.
    pub entry: u32,
    /// The first chunk sent.
    pub from_chunk: u64,
}

/// The last frame of a file's data stream: the SHA-256 of the whole file
/// as the sender read it, which the receiver's own must equal before the
/// file takes its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamEnd {
    /// SHA-256 of the file's bytes.
    pub sha256: [u8; 32],
}

/// Longest path a fetch may name on the person's computer, in bytes.
pub const MAX_FETCH_PATH_BYTES: usize = 4096;

/// Why a transfer stopped, as both sides report it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileStop {
    /// Someone pressed Stop (the person) or cancelled (the technician).
    Stopped,
    /// The person said no to a fetch.
    Denied,
    /// `files` is not granted, or was taken back.
    NotGranted,
    /// The receiver refused the list (a path broke its rules, too many
    /// entries...): the detail says which entry and why.
    Refused,
    /// The receiver's disk is full.
    DiskFull,
    /// A file's bytes did not match the sender's SHA-256.
    Corrupt,
    /// Anything else: a file that cannot be read or written.
    Failed,
}

impl FileStop {
    /// The stable name used in JSON events and on the record.
    pub fn name(self) -> &'static str {
        match self {
            FileStop::Stopped => "stopped",
            FileStop::Denied => "denied",
            FileStop::NotGranted => "not_granted",
            FileStop::Refused => "refused",
            FileStop::DiskFull => "disk_full",
            FileStop::Corrupt => "corrupt",
            FileStop::Failed => "failed",
        }
    }
}

/// The files protocol on the control stream, in either direction (a
/// `Fetch` only from the viewer). Each file's bytes go on a stream of
/// their own ([`StreamHead`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FileMsg {
    /// The technician asks for this file or folder on the person's
    /// computer: a question to the person, whatever the grants say.
    Fetch {
        /// The transfer it will be (the viewer's number).
        id: TransferId,
        /// As the technician typed it (at most
        /// [`MAX_FETCH_PATH_BYTES`], shown to the person).
        path: String,
    },
    /// The sender's manifest, a page at a time. (Boxed: it is large.)
    Offer(Box<ManifestPage>),
    /// The receiver takes the transfer: its streams may start, each file
    /// it holds part of from there.
    Accept {
        /// The transfer.
        id: TransferId,
        /// Files to resume (at most one per file of the manifest).
        resume: Vec<ResumeFrom>,
    },
    /// Either side stops a transfer; the receiver removes what it held.
    Cancel {
        /// The transfer.
        id: TransferId,
        /// Why.
        why: FileStop,
        /// More words (which entry, the system's message), checked as
        /// chat is.
        detail: Option<String>,
    },
    /// The receiver kept this file under this hash.
    Done {
        /// The transfer.
        id: TransferId,
        /// The entry.
        entry: u32,
        /// Its SHA-256, as checked.
        sha256: [u8; 32],
    },
}

/// Why a files message is not acceptable.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FileMsgError {
    /// A fetch's path is empty or too long.
    #[error("the path asked for is {0} bytes long (1 to {MAX_FETCH_PATH_BYTES})")]
    FetchPath(usize),
    /// Text holds characters no person should be shown.
    #[error("{0}")]
    Text(#[from] crate::peer::ContentError),
    /// A page longer than [`MAX_PAGE_ENTRIES`].
    #[error("a page of {0} entries (at most {MAX_PAGE_ENTRIES})")]
    Page(usize),
    /// More resume points than an `Accept` may carry.
    #[error("{0} files to resume (at most {MAX_RESUME})")]
    Resume(usize),
}

impl FileMsg {
    /// Checks what a decoder cannot: lengths, and text a person will
    /// read. (Paths in a manifest are the receiver's to check, with its
    /// own rules, in `tessera-files`.)
    pub fn validate(&self) -> Result<(), FileMsgError> {
        match self {
            FileMsg::Fetch { path, .. } => {
                if path.is_empty() || path.len() > MAX_FETCH_PATH_BYTES {
                    return Err(FileMsgError::FetchPath(path.len()));
                }
                crate::peer::validate_line("the path asked for", path, MAX_FETCH_PATH_BYTES)?;
            }
            FileMsg::Offer(page) if page.entries.len() > MAX_PAGE_ENTRIES => {
                return Err(FileMsgError::Page(page.entries.len()))
            }
            FileMsg::Accept { resume, .. } if resume.len() > MAX_RESUME => {
                return Err(FileMsgError::Resume(resume.len()))
            }
            FileMsg::Cancel {
                detail: Some(detail),
                ..
            } => crate::peer::validate_chat(detail)?,
            _ => {}
        }
        Ok(())
    }

    /// The transfer it is about.
    pub fn id(&self) -> TransferId {
        match self {
            FileMsg::Fetch { id, .. }
            | FileMsg::Accept { id, .. }
            | FileMsg::Cancel { id, .. }
            | FileMsg::Done { id, .. } => *id,
            FileMsg::Offer(page) => page.id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_a_person_reads_is_checked() {
        let fetch = |path: &str| FileMsg::Fetch {
            id: 2,
            path: path.into(),
        };
        assert!(fetch("/home/marie/Documents/facture.pdf")
            .validate()
            .is_ok());
        assert!(fetch("~/Bureau/log.txt").validate().is_ok());
        assert_eq!(fetch("").validate(), Err(FileMsgError::FetchPath(0)));
        assert!(matches!(
            fetch("a\u{1b}[2Jb").validate(),
            Err(FileMsgError::Text(_))
        ));
        assert!(matches!(
            fetch("x\u{202e}fdp.exe").validate(),
            Err(FileMsgError::Text(_))
        ));
        let cancel = FileMsg::Cancel {
            id: 3,
            why: FileStop::Refused,
            detail: Some("entry 2: the path goes up\n\u{7}".into()),
        };
        assert!(cancel.validate().is_err());
        assert_eq!(FileStop::DiskFull.name(), "disk_full");
    }
}
