//! A transfer's manifest as the receiver takes it: pages gathered in
//! order up to [`MAX_ENTRIES`], every path checked ([`SafePath`]), and
//! the whole checked for what no single path shows: the same name twice,
//! two names a case-insensitive disk would merge, a file that another
//! entry uses as a folder. What comes out ([`Manifest`]) is what the
//! receive folder may create, and nothing else.

use crate::path::{fold, PathError, SafePath};
use std::collections::HashMap;
use tessera_proto::files::{Entry, EntryKind, ManifestPage, MAX_ENTRIES, MAX_PAGE_ENTRIES};

/// Most bytes of paths one manifest may list (a folder of 100 000 files
/// at 320 bytes of path each): what the receiver holds of a list is
/// bounded by it.
pub const MAX_MANIFEST_PATH_BYTES: usize = 32 * 1024 * 1024;

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
    /// An empty page before the last.
    #[error("a page of the list is empty before its last")]
    EmptyPage,
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
    /// Paths that add up past [`MAX_MANIFEST_PATH_BYTES`].
    #[error("the paths listed add up to more than {MAX_MANIFEST_PATH_BYTES} bytes")]
    PathsTooLong,
    /// Sizes that add up past what a disk can hold.
    #[error("the files' sizes add up past 2^64 bytes")]
    TooLarge,
}

/// What a name in the tree is taken by.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Taken {
    /// A file.
    File,
    /// A folder named by an entry of its own.
    Folder,
    /// A folder only because entries go inside it.
    Parent,
}

/// One name of the tree the manifest describes.
struct Node {
    taken: Taken,
    /// The name as given (NFC).
    name: String,
    /// The folder it is in (0: the receive folder itself).
    parent: usize,
}

/// Gathers a manifest page by page, checking as it goes, so a hostile
/// list is refused at its first bad entry or past its limits, before
/// anything is allocated for the rest. The names seen are kept as a tree
/// (each name once, under its folder), so what it holds grows with the
/// names sent, never with their depth.
pub struct ManifestReader {
    manifest: Manifest,
    nodes: Vec<Node>,
    children: HashMap<(usize, String), usize>,
    path_bytes: usize,
    done: bool,
}

impl Default for ManifestReader {
    fn default() -> Self {
        Self {
            manifest: Manifest::default(),
            nodes: vec![Node {
                taken: Taken::Parent,
                name: String::new(),
                parent: 0,
            }],
            children: HashMap::new(),
            path_bytes: 0,
            done: false,
        }
    }
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
        // So the pages are bounded by the entries.
        if page.entries.is_empty() && !page.last {
            return Err(ManifestError::EmptyPage);
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

    /// The path of a node, as given.
    fn path_of(&self, mut node: usize) -> String {
        let mut names = Vec::new();
        while node != 0 {
            names.push(self.nodes[node].name.as_str());
            node = self.nodes[node].parent;
        }
        names.reverse();
        names.join("/")
    }

    fn entry(&mut self, entry: &Entry) -> Result<(), ManifestError> {
        let index = self.manifest.items.len();
        if index >= MAX_ENTRIES {
            return Err(ManifestError::TooMany);
        }
        self.path_bytes += entry.path.len();
        if self.path_bytes > MAX_MANIFEST_PATH_BYTES {
            return Err(ManifestError::PathsTooLong);
        }
        let path =
            SafePath::parse(&entry.path).map_err(|why| ManifestError::Path { index, why })?;
        let names = path.components();
        let mut parent = 0;
        for (depth, name) in names.iter().enumerate() {
            let last = depth + 1 == names.len();
            let key = (parent, fold(name));
            let Some(&node) = self.children.get(&key) else {
                let taken = match (last, entry.kind) {
                    (false, _) => Taken::Parent,
                    (true, EntryKind::File { .. }) => Taken::File,
                    (true, EntryKind::Folder) => Taken::Folder,
                };
                self.nodes.push(Node {
                    taken,
                    name: name.clone(),
                    parent,
                });
                parent = self.nodes.len() - 1;
                self.children.insert(key, parent);
                continue;
            };
            if self.nodes[node].name != *name {
                let mut path = self.path_of(parent);
                if !path.is_empty() {
                    path.push('/');
                }
                path.push_str(name);
                return Err(ManifestError::CaseCollision {
                    index,
                    path,
                    other: self.path_of(node),
                });
            }
            match (last, self.nodes[node].taken, entry.kind) {
                (false, Taken::File, _) => {
                    return Err(ManifestError::FileAsFolder {
                        index,
                        path: self.path_of(node),
                    })
                }
                (false, _, _) => {}
                // A folder named after entries inside it were listed.
                (true, Taken::Parent, EntryKind::Folder) => self.nodes[node].taken = Taken::Folder,
                (true, Taken::Parent, EntryKind::File { .. }) => {
                    return Err(ManifestError::FileAsFolder {
                        index,
                        path: path.to_string(),
                    })
                }
                (true, _, _) => {
                    return Err(ManifestError::Duplicate {
                        index,
                        path: path.to_string(),
                    })
                }
            }
            parent = node;
        }
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
