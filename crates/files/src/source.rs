//! What a sender offers: a file or a folder on its own disk, walked into
//! a manifest, and each file read back chunk by chunk with its hashes.
//! Only regular files and folders go: a symbolic link, a device, a
//! socket or a pipe is left out and said, as is a name the receiver's
//! rules would refuse (so the receiver is never offered what it must
//! turn down). The crate's second I/O, the sender's mirror of
//! [`crate::receive`].

use crate::chunks::FileHasher;
use crate::path::SafePath;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use tessera_proto::files::{
    Entry, EntryKind, ManifestPage, ResumeFrom, TransferId, CHUNK_BYTES, MAX_ENTRIES,
    MAX_PAGE_ENTRIES,
};

/// Something left out of an offer, and why (for the sender to say).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    /// Where it is on the sender's disk.
    pub path: PathBuf,
    /// Why it is not sent.
    pub why: &'static str,
}

/// Why nothing can be offered.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The path cannot be read.
    #[error("cannot read {path}: {source}")]
    Unreadable {
        /// What.
        path: PathBuf,
        /// The system's words.
        source: std::io::Error,
    },
    /// Not a regular file or a folder (a symbolic link, a device...).
    #[error("{0} is not a file or a folder (symbolic links, devices and pipes are not sent)")]
    NotAFile(PathBuf),
    /// More than a transfer may list.
    #[error("{0} holds more than {MAX_ENTRIES} files and folders: send a smaller folder, or an archive of it")]
    TooMany(PathBuf),
    /// A name the receiver would refuse, at the top.
    #[error("{path} cannot be sent under its name: {why}")]
    BadName {
        /// What.
        path: PathBuf,
        /// The rule it breaks.
        why: crate::path::PathError,
    },
}

/// A file or folder ready to offer.
#[derive(Debug)]
pub struct Source {
    /// The manifest's entries, in order.
    pub entries: Vec<Entry>,
    /// Where each entry is on this disk.
    pub paths: Vec<PathBuf>,
    /// Which file each entry was when walked (device, inode): a file
    /// replaced since (by a link, or another file) is not sent in its
    /// place.
    identities: Vec<(u64, u64)>,
    /// Bytes of all its files.
    pub bytes: u64,
}

impl Source {
    /// Walks `path` (a file, or a folder and everything under it): the
    /// offer, and what was left out.
    pub fn scan(path: &Path) -> Result<(Source, Vec<Skipped>), SourceError> {
        let unreadable = |source| SourceError::Unreadable {
            path: path.to_path_buf(),
            source,
        };
        // A link is not followed, even when it is what was asked for.
        let meta = std::fs::symlink_metadata(path).map_err(unreadable)?;
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        SafePath::parse(&name).map_err(|why| SourceError::BadName {
            path: path.to_path_buf(),
            why,
        })?;
        let mut source = Source {
            entries: Vec::new(),
            paths: Vec::new(),
            identities: Vec::new(),
            bytes: 0,
        };
        let mut skipped = Vec::new();
        if meta.is_file() {
            source.push_file(name, path, &meta);
        } else if meta.is_dir() {
            source.walk(path, name, &mut skipped)?;
        } else {
            return Err(SourceError::NotAFile(path.to_path_buf()));
        }
        Ok((source, skipped))
    }

    fn push_file(&mut self, name: String, path: &Path, meta: &std::fs::Metadata) {
        self.entries.push(Entry {
            path: name,
            kind: EntryKind::File {
                size: meta.len(),
                executable: meta.permissions().mode() & 0o111 != 0,
            },
        });
        self.paths.push(path.to_path_buf());
        self.identities.push((meta.dev(), meta.ino()));
        self.bytes = self.bytes.saturating_add(meta.len());
    }

    /// Adds the folder at `dir` as `name`, and what it holds, sorted by
    /// name so an offer is the same every time.
    fn walk(
        &mut self,
        dir: &Path,
        name: String,
        skipped: &mut Vec<Skipped>,
    ) -> Result<(), SourceError> {
        self.entries.push(Entry {
            path: name.clone(),
            kind: EntryKind::Folder,
        });
        self.paths.push(dir.to_path_buf());
        self.identities.push((0, 0));
        let mut children: Vec<_> = std::fs::read_dir(dir)
            .map_err(|source| SourceError::Unreadable {
                path: dir.to_path_buf(),
                source,
            })?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect();
        children.sort();
        for child in children {
            if self.entries.len() >= MAX_ENTRIES {
                return Err(SourceError::TooMany(dir.to_path_buf()));
            }
            let Some(file_name) = child.file_name().and_then(|n| n.to_str()) else {
                skipped.push(Skipped {
                    path: child.clone(),
                    why: "its name is not valid text",
                });
                continue;
            };
            let relative = format!("{name}/{file_name}");
            if SafePath::parse(&relative).is_err() {
                skipped.push(Skipped {
                    path: child.clone(),
                    why: "its name cannot be received on every system",
                });
                continue;
            }
            let meta = match std::fs::symlink_metadata(&child) {
                Ok(meta) => meta,
                Err(_) => {
                    skipped.push(Skipped {
                        path: child.clone(),
                        why: "it cannot be read",
                    });
                    continue;
                }
            };
            let kind = meta.file_type();
            if kind.is_symlink() {
                skipped.push(Skipped {
                    path: child.clone(),
                    why: "it is a symbolic link",
                });
            } else if kind.is_dir() {
                self.walk(&child, relative, skipped)?;
            } else if kind.is_file() {
                self.push_file(relative, &child, &meta);
            } else {
                skipped.push(Skipped {
                    path: child.clone(),
                    why: "it is not a regular file",
                });
            }
        }
        Ok(())
    }

    /// The manifest as pages of transfer `id`.
    pub fn pages(&self, id: TransferId) -> Vec<ManifestPage> {
        let chunks: Vec<&[Entry]> = self.entries.chunks(MAX_PAGE_ENTRIES).collect();
        let count = chunks.len();
        chunks
            .into_iter()
            .enumerate()
            .map(|(i, entries)| ManifestPage {
                id,
                entries: entries.to_vec(),
                last: i + 1 == count,
            })
            .collect()
    }

    /// Opens entry `entry` for sending from where the receiver can resume
    /// (`resume`, if it holds part of it): the reader, positioned at the
    /// first chunk to send, with the chunks before it already hashed.
    pub fn read(&self, entry: u32, resume: Option<&ResumeFrom>) -> std::io::Result<FileReader> {
        let path = self
            .paths
            .get(entry as usize)
            .ok_or_else(|| std::io::Error::other(format!("no entry {entry}")))?;
        let size = match self.entries.get(entry as usize).map(|e| e.kind) {
            Some(EntryKind::File { size, .. }) => size,
            _ => {
                return Err(std::io::Error::other(format!(
                    "entry {entry} is not a file"
                )))
            }
        };
        // Not through a link, and the very file the walk saw.
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32)
            .open(path)?;
        let meta = file.metadata()?;
        if Some(&(meta.dev(), meta.ino())) != self.identities.get(entry as usize) {
            return Err(std::io::Error::other(format!(
                "{} was replaced since it was offered",
                path.display()
            )));
        }
        let mut hasher = FileHasher::new();
        let mut from_chunk = 0;
        let fits = |r: &&ResumeFrom| {
            r.chunks > 0 && r.chunks.checked_mul(CHUNK_BYTES).is_some_and(|b| b <= size)
        };
        if let Some(resume) = resume.filter(fits) {
            // Hash what the receiver says it holds; skip it only if the
            // chains agree, else send everything.
            let mut buffer = vec![0; 256 * 1024];
            let mut prefix = (&mut file).take(resume.chunks * CHUNK_BYTES);
            loop {
                let n = prefix.read(&mut buffer)?;
                if n == 0 {
                    break;
                }
                hasher.update(&buffer[..n]);
            }
            if hasher.chunks() == resume.chunks && hasher.chain() == resume.chain {
                from_chunk = resume.chunks;
            } else {
                hasher = FileHasher::new();
                file.seek(SeekFrom::Start(0))?;
            }
        }
        Ok(FileReader {
            file,
            hasher,
            from_chunk,
            left: size - from_chunk * CHUNK_BYTES,
        })
    }
}

/// One file being sent: its bytes from the first chunk to send, hashed
/// as they are read (the chunks skipped were hashed when opened).
pub struct FileReader {
    file: File,
    hasher: FileHasher,
    /// The first chunk sent.
    pub from_chunk: u64,
    left: u64,
}

impl FileReader {
    /// The next bytes (at most `buffer`'s length); empty at the end. A
    /// file that shrank while being sent is an error: what the manifest
    /// promised cannot be kept.
    pub fn next<'b>(&mut self, buffer: &'b mut [u8]) -> std::io::Result<&'b [u8]> {
        let want = buffer
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        if want == 0 {
            return Ok(&buffer[..0]);
        }
        let n = self.file.read(&mut buffer[..want])?;
        if n == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the file got shorter while it was being sent",
            ));
        }
        self.hasher.update(&buffer[..n]);
        self.left -= n as u64;
        Ok(&buffer[..n])
    }

    /// Bytes still to send.
    pub fn left(&self) -> u64 {
        self.left
    }

    /// The SHA-256 of the whole file as read, once everything was.
    pub fn sha256(&self) -> Option<[u8; 32]> {
        (self.left == 0).then(|| self.hasher.sha256())
    }
}
