//! What crosses the wire for files: a transfer's manifest, offered page
//! by page on the control stream, and the head of each file's own data
//! stream. The receiver checks every path itself (`tessera-files`): a
//! manifest says what the sender wants, never where the bytes go.

use serde::{Deserialize, Serialize};

/// Most entries one transfer may list (a folder of 100 000 files is the
/// most a support session sends; a million is refused, named).
pub const MAX_ENTRIES: usize = 100_000;
/// Most entries on one page of a manifest, so a page fits a control
/// frame whatever the names.
pub const MAX_PAGE_ENTRIES: usize = 200;
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
