//! A transfer's manifest as the receiver takes it: pages gathered in
//! order up to [`MAX_ENTRIES`], every path checked ([`SafePath`]), and
//! the whole checked for what no single path shows: the same name twice,
//! two names a case-insensitive disk would merge, a file that another
//! entry uses as a folder. What comes out ([`Manifest`]) is what the
//! receive folder may create, and nothing else.

use crate::path::{PathError, SafePath};
use std::collections::HashMap;
use tessera_proto::files::{Entry, EntryKind, ManifestPage, MAX_ENTRIES, MAX_PAGE_ENTRIES};

/// One checked entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    /// Where it goes, relative to the receive folder.
    pub path: SafePath,
    /// What it is.
    pub kind: EntryKind,
}

/// A whole manifest that passed every check.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Manifest {
    /// In the sender's order (data streams name entries by index).
    pub items: Vec<Item>,
    /// How many files.
    pub files: u64,
    /// Their bytes together.
    pub bytes: u64,
}

/// Why a manifest was refused: the entry (by its index, as the sender
/// numbered it) and what was wrong. Paths named are checked ones, safe to
/// show.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ManifestError {
    /// Past [`MAX_ENTRIES`] entries.
    #[error("the transfer lists more than {MAX_ENTRIES} entries")]
    TooMany,
    /// A page longer than [`MAX_PAGE_ENTRIES`].
    #[error("a page of the list has {0} entries, the limit is {MAX_PAGE_ENTRIES}")]
    PageTooLong(usize),
    /// A page after the one that said it was the last.
    #[error("the list went on after its last page")]
    AfterLast,
    /// Nothing to receive.
    #[error("the transfer lists nothing")]
    Empty,
    /// An entry whose path broke a rule.
    #[error("entry {index}: {why}")]
    Path {
        /// The entry's index.
        index: usize,
        /// The rule it broke.
        why: PathError,
    },
    /// The same path twice (after NFC).
    #[error("entry {index}: {path} is listed twice")]
    Duplicate {
        /// The second entry's index.
        index: usize,
        /// The path.
        path: String,
    },
    /// Two paths that differ only by case.
    #[error("entry {index}: {path} and {other} differ only by case")]
    CaseCollision {
        /// The second entry's index.
        index: usize,
        /// Its path.
        path: String,
        /// The first one's.
        other: String,
    },
    /// A file that another entry needs as a folder.
    #[error("entry {index}: {path} is a file, but other entries go inside it")]
    FileAsFolder {
        /// The entry that conflicts.
        index: usize,
        /// The file's path.
        path: String,
    },
    /// Sizes that add up past what a disk can hold.
    #[error("the files' sizes add up past 2^64 bytes")]
    TooLarge,
}

/// What a folded path is taken by.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Taken {
    /// A file, from this entry.
    File(usize),
    /// A folder named by this entry.
    Folder(usize),
    /// A folder only because entries go inside it.
    Parent,
}

/// Gathers a manifest page by page, checking as it goes, so a hostile
/// list is refused at its first bad entry or past its limit, before
/// anything is allocated for the rest.
#[derive(Default)]
pub struct ManifestReader {
    manifest: Manifest,
    taken: HashMap<String, (Taken, String)>,
    done: bool,
}

impl ManifestReader {
    /// A reader for a new transfer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes the next page; the manifest once its last page is in.
    pub fn page(&mut self, page: &ManifestPage) -> Result<Option<&Manifest>, ManifestError> {
        if self.done {
            return Err(ManifestError::AfterLast);
        }
        if page.entries.len() > MAX_PAGE_ENTRIES {
            return Err(ManifestError::PageTooLong(page.entries.len()));
        }
        for entry in &page.entries {
            self.entry(entry)?;
        }
        if !page.last {
            return Ok(None);
        }
        self.done = true;
        if self.manifest.items.is_empty() {
            return Err(ManifestError::Empty);
        }
        Ok(Some(&self.manifest))
    }

    /// The manifest gathered, once whole.
    pub fn finish(self) -> Option<Manifest> {
        self.done.then_some(self.manifest)
    }

    fn entry(&mut self, entry: &Entry) -> Result<(), ManifestError> {
        let index = self.manifest.items.len();
        if index >= MAX_ENTRIES {
            return Err(ManifestError::TooMany);
        }
        let path =
            SafePath::parse(&entry.path).map_err(|why| ManifestError::Path { index, why })?;
        // Every folder it sits in must be one, not a file.
        let mut prefix = String::new();
        for parent in path.parents() {
            if !prefix.is_empty() {
                prefix.push('/');
            }
            prefix.push_str(parent);
            let folded = prefix.to_lowercase();
            match self.taken.get(&folded) {
                Some((Taken::File(_), shown)) => {
                    return Err(ManifestError::FileAsFolder {
                        index,
                        path: shown.clone(),
                    })
                }
                Some(_) => {}
                None => {
                    self.taken.insert(folded, (Taken::Parent, prefix.clone()));
                }
            }
        }
        let shown = path.to_string();
        let folded = path.folded();
        let taking = match entry.kind {
            EntryKind::File { .. } => Taken::File(index),
            EntryKind::Folder => Taken::Folder(index),
        };
        match self.taken.get(&folded) {
            None => {}
            // A folder named after files inside it were listed: fine, once.
            Some((Taken::Parent, other)) if taking == Taken::Folder(index) && *other == shown => {}
            Some((Taken::Parent, _)) if matches!(taking, Taken::File(_)) => {
                return Err(ManifestError::FileAsFolder { index, path: shown })
            }
            Some((_, other)) if *other == shown => {
                return Err(ManifestError::Duplicate { index, path: shown })
            }
            Some((_, other)) => {
                return Err(ManifestError::CaseCollision {
                    index,
                    path: shown,
                    other: other.clone(),
                })
            }
        }
        self.taken.insert(folded, (taking, shown));
        if let EntryKind::File { size, .. } = entry.kind {
            self.manifest.files += 1;
            self.manifest.bytes = self
                .manifest
                .bytes
                .checked_add(size)
                .ok_or(ManifestError::TooLarge)?;
        }
        self.manifest.items.push(Item {
            path,
            kind: entry.kind,
        });
        Ok(())
    }
}
