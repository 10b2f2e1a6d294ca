//! One transfer as its receiver follows it: the manifest page by page,
//! then each file's stream (head, bytes, end) into the receive folder,
//! in any order and several at once. It enforces the stream rules (a
//! stream names a file of the manifest, once; it starts where the
//! receiver can take it; it carries exactly the announced bytes) and
//! keeps what a cancel must undo. Only the files being written hold an
//! open file: a folder of 100 000 files costs no descriptor until each
//! one's stream comes.

use crate::manifest::{Manifest, ManifestError, ManifestReader};
use crate::receive::{Partial, ReceiveError, ReceiveFolder};
use std::collections::HashMap;
use tessera_proto::files::{
    EntryKind, ManifestPage, ResumeFrom, StreamEnd, StreamHead, TransferId, CHUNK_BYTES, MAX_RESUME,
};

/// Why a transfer cannot go on; it is cancelled with these words.
#[derive(Debug, thiserror::Error)]
pub enum IncomingError {
    /// The manifest was refused.
    #[error("the list of files was refused: {0}")]
    Manifest(#[from] ManifestError),
    /// The folder refused a file or a folder.
    #[error("{0}")]
    Receive(#[from] ReceiveError),
    /// A stream before the manifest was whole.
    #[error("a file came before the list of files was complete")]
    TooEarly,
    /// A stream for an entry that is not a file of the manifest.
    #[error("a file came for entry {0}, which is not a file of the transfer")]
    NotAFile(u32),
    /// A second stream for a file.
    #[error("entry {0} came twice")]
    Twice(u32),
    /// A stream starting where the receiver cannot take it.
    #[error("entry {entry} started at chunk {from}, but {held} are held")]
    WrongStart {
        /// The entry.
        entry: u32,
        /// Where it started.
        from: u64,
        /// What the receiver holds.
        held: u64,
    },
    /// Bytes or an end for a file without an open stream.
    #[error("bytes came for entry {0}, which is not being received")]
    NotOpen(u32),
    /// More files at once than [`MAX_OPEN`].
    #[error("more than {MAX_OPEN} files were sent at once")]
    TooManyOpen,
    /// A file's stream ended before its last byte or without its hash.
    #[error("the stream of entry {0} ended before the whole file and its hash came")]
    EndedEarly(u32),
}

/// Most files of one transfer written at once (each holds two
/// descriptors): a sender cannot run the receiver out of them.
pub const MAX_OPEN: usize = 16;

/// What a file's stream has come to.
enum File {
    /// Announced, no stream yet.
    Waiting,
    /// Being written. (Boxed: a file's hashers are large.)
    Open(Box<Partial>),
    /// Kept.
    Kept,
    /// Refused or failed: nothing of it is left.
    Failed,
}

/// A transfer being received.
pub struct Incoming {
    /// Its number.
    pub id: TransferId,
    reader: ManifestReader,
    manifest: Option<Manifest>,
    files: HashMap<u32, File>,
    /// Files a cut transfer left a part of (offered to resume).
    parts: std::collections::HashSet<crate::path::SafePath>,
    made: Vec<String>,
    received: u64,
    /// How many files are `Open`.
    open: usize,
}

impl Incoming {
    /// A transfer announced by its first page.
    pub fn new(id: TransferId) -> Self {
        Self {
            id,
            reader: ManifestReader::new(),
            manifest: None,
            files: HashMap::new(),
            parts: Default::default(),
            made: Vec::new(),
            received: 0,
            open: 0,
        }
    }

    /// Takes the next page of the manifest. Once whole: the folders are
    /// made, and what a cut transfer left of its files is offered to
    /// resume (the `FileAccept`'s list).
    pub fn page(
        &mut self,
        folder: &ReceiveFolder,
        page: &ManifestPage,
    ) -> Result<Option<Vec<ResumeFrom>>, IncomingError> {
        if self.reader.page(page)?.is_none() {
            return Ok(None);
        }
        let manifest = std::mem::take(&mut self.reader)
            .finish()
            .ok_or(IncomingError::TooEarly)?;
        let mut resume = Vec::new();
        for (index, item) in manifest.items.iter().enumerate() {
            let entry = index as u32;
            match item.kind {
                EntryKind::Folder => {
                    let made = folder.make_folder(&item.path)?;
                    self.made.extend(made);
                }
                EntryKind::File { size, .. } => {
                    let made = folder.make_parents(&item.path)?;
                    self.made.extend(made);
                    // Past MAX_RESUME, files are sent whole (their part
                    // is dropped when their stream starts at 0).
                    if resume.len() < MAX_RESUME {
                        if let Some((chunks, chain)) = folder.held(&item.path, size)? {
                            resume.push(ResumeFrom {
                                entry,
                                chunks,
                                chain,
                            });
                            self.parts.insert(item.path.clone());
                        }
                    }
                    self.files.insert(entry, File::Waiting);
                }
            }
        }
        self.manifest = Some(manifest);
        Ok(Some(resume))
    }

    /// The manifest, once whole.
    pub fn manifest(&self) -> Option<&Manifest> {
        self.manifest.as_ref()
    }

    /// A file's stream begins.
    pub fn head(&mut self, folder: &ReceiveFolder, head: &StreamHead) -> Result<(), IncomingError> {
        let manifest = self.manifest.as_ref().ok_or(IncomingError::TooEarly)?;
        let entry = head.entry;
        let (path, size, executable) = match manifest.items.get(entry as usize) {
            Some(item) => match item.kind {
                EntryKind::File { size, executable } => (&item.path, size, executable),
                EntryKind::Folder => return Err(IncomingError::NotAFile(entry)),
            },
            None => return Err(IncomingError::NotAFile(entry)),
        };
        if !matches!(self.files.get(&entry), Some(File::Waiting)) {
            return Err(IncomingError::Twice(entry));
        }
        if self.open >= MAX_OPEN {
            return Err(IncomingError::TooManyOpen);
        }
        let mut partial = folder.partial(path, size, executable)?;
        self.made.extend_from_slice(partial.made());
        let (held, _) = partial.held();
        match head.from_chunk {
            0 if held > 0 => partial.restart()?,
            from if from == held => {}
            from => {
                partial.abandon();
                return Err(IncomingError::WrongStart { entry, from, held });
            }
        }
        self.received += head.from_chunk * CHUNK_BYTES;
        self.files.insert(entry, File::Open(Box::new(partial)));
        self.open += 1;
        Ok(())
    }

    /// The next bytes of a file.
    pub fn data(&mut self, entry: u32, bytes: &[u8]) -> Result<(), IncomingError> {
        let Some(File::Open(partial)) = self.files.get_mut(&entry) else {
            return Err(IncomingError::NotOpen(entry));
        };
        partial.write(bytes)?;
        self.received += bytes.len() as u64;
        Ok(())
    }

    /// A file's stream ended: it is kept under the name returned, or
    /// refused (and removed) if it is not the sender's.
    pub fn end(&mut self, entry: u32, end: &StreamEnd) -> Result<String, IncomingError> {
        let Some(File::Open(partial)) = self.files.remove(&entry) else {
            return Err(IncomingError::NotOpen(entry));
        };
        self.open -= 1;
        match partial.finish(&end.sha256) {
            Ok(name) => {
                self.files.insert(entry, File::Kept);
                Ok(name)
            }
            Err(e) => {
                self.files.insert(entry, File::Failed);
                Err(e.into())
            }
        }
    }

    /// A file's stream stopped before its end (the sender reset it):
    /// its part stays for a later stream to resume; it may come again.
    pub fn reset(&mut self, entry: u32) {
        if let Some(file) = self.files.get_mut(&entry) {
            if matches!(file, File::Open(_)) {
                *file = File::Waiting;
                self.open -= 1;
                // Its part is this transfer's now: a cancel removes it, a
                // suspend keeps it.
                let item = self
                    .manifest
                    .as_ref()
                    .and_then(|m| m.items.get(entry as usize));
                if let Some(item) = item {
                    self.parts.insert(item.path.clone());
                }
            }
        }
    }

    /// Bytes received (those resumed included) and announced.
    pub fn progress(&self) -> (u64, u64) {
        (self.received, self.manifest.as_ref().map_or(0, |m| m.bytes))
    }

    /// Whether every file is kept.
    pub fn complete(&self) -> bool {
        self.manifest.is_some() && self.files.values().all(|f| matches!(f, File::Kept))
    }

    /// Stops for good (cancelled, refused, a full disk): the files being
    /// written and the folders this transfer made are removed; files
    /// already kept stay, as the person has them.
    pub fn cancel(self, folder: &ReceiveFolder) {
        for file in self.files.into_values() {
            if let File::Open(partial) = file {
                partial.abandon();
            }
        }
        // Parts an earlier, cut transfer left: the person said stop, so
        // nothing is kept for a resume either.
        for path in &self.parts {
            folder.remove_part(path);
        }
        folder.remove_made(&self.made);
    }

    /// Stops for now (the connection was lost): what was written stays
    /// under its temporary names, for the next offer to resume.
    pub fn suspend(self) {}
}
