//! What the transfers say to the file worker and hear from it, and what
//! a step of theirs asks the machine holding them to do.

use crate::event::SessionEvent;
use std::path::PathBuf;
use tessera_proto::files::{FileMsg, FileStop, ManifestPage, ResumeFrom, TransferId};

/// What the binary's file worker is told to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileOrder {
    /// Walk this file or folder and offer it as transfer `id`; the worker
    /// answers [`FileNews::Scanned`] or [`FileNews::Failed`].
    Offer {
        /// The transfer.
        id: TransferId,
        /// On this computer.
        path: PathBuf,
    },
    /// A page of a manifest to receive into the receive folder; the last
    /// one is answered [`FileNews::Ready`] or [`FileNews::Failed`]. Only
    /// the `first` starts a transfer in the worker: a later page of one
    /// it already stopped (a failure it reported) starts nothing.
    Take {
        /// The page.
        page: Box<ManifestPage>,
        /// Whether it is the transfer's first.
        first: bool,
    },
    /// The receiver accepted transfer `id`: send its files' streams, each
    /// from where the receiver can resume it.
    Send {
        /// The transfer.
        id: TransferId,
        /// Files the receiver holds part of.
        resume: Vec<ResumeFrom>,
    },
    /// The receiver kept a file under this hash: the sender checks it
    /// against its own and answers [`FileNews::Kept`] or `Failed`.
    Confirmed {
        /// The transfer.
        id: TransferId,
        /// The entry.
        entry: u32,
        /// The receiver's hash.
        sha256: [u8; 32],
    },
    /// The transfer ended before its end: its streams stop, and a
    /// receiver removes what it held.
    Stop {
        /// The transfer.
        id: TransferId,
    },
}

/// What a transfer is, in a person's terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    /// The file's or the top folder's name.
    pub name: String,
    /// How many files (folders not counted).
    pub files: u32,
    /// Their bytes.
    pub bytes: u64,
    /// Bytes the receiver already held of them (a cut transfer's parts
    /// it resumes from); 0 for a sender.
    pub resumed: u64,
    /// The sender: what its walk left out (links, special files, names
    /// the receiver would refuse), each as "path: why", at most
    /// [`MAX_LEFT_OUT`].
    pub left_out: Vec<String>,
}

/// Most left-out items an offer says (the rest are counted).
pub const MAX_LEFT_OUT: usize = 20;

/// What the file worker reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileNews {
    /// The sender's walk is done: the manifest to offer.
    Scanned {
        /// The transfer.
        id: TransferId,
        /// The manifest, page by page.
        pages: Vec<ManifestPage>,
        /// What it holds.
        summary: Summary,
    },
    /// The receiver took the whole manifest: every path passed its rules
    /// and the folders are made.
    Ready {
        /// The transfer.
        id: TransferId,
        /// What it already holds of cut files.
        resume: Vec<ResumeFrom>,
        /// What the transfer holds.
        summary: Summary,
    },
    /// Bytes so far (at most a few times a second).
    Progress {
        /// The transfer.
        id: TransferId,
        /// Done.
        bytes: u64,
        /// Of.
        of: u64,
    },
    /// A file is kept: the receiver's hash matched the sender's.
    Kept {
        /// The transfer.
        id: TransferId,
        /// The entry.
        entry: u32,
        /// Where it is: the name it got (receiver) or was sent under.
        name: String,
        /// Its size.
        bytes: u64,
        /// Its SHA-256.
        sha256: [u8; 32],
        /// Whether this end received it (else it sent it).
        received: bool,
    },
    /// The transfer cannot go on; the worker already removed what it
    /// held of it.
    Failed {
        /// The transfer.
        id: TransferId,
        /// Why.
        why: FileStop,
        /// In words (a path, the system's message).
        detail: String,
    },
}

/// One step's effects, which the machine that holds the transfers turns
/// into its own actions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileStep {
    /// Send this to the other end.
    Peer(FileMsg),
    /// Tell the file worker.
    Order(FileOrder),
    /// Report this (and record what it tells).
    Emit(SessionEvent),
    /// The technician asks for a file of the person's (agent only): a
    /// question to the person, Deny by default.
    AskFetch {
        /// The transfer it would be.
        id: TransferId,
        /// The path asked for, checked as one line of text.
        path: String,
    },
}
