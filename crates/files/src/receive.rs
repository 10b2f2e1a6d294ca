//! The receive folder: the one place a transfer's bytes may land, the
//! crate's I/O. Every path is opened through a rooted directory handle
//! (`cap-std`), so no name, `..` or symbolic link can reach outside the
//! folder whatever the disk already holds; on top of that a folder on
//! the way that is a symbolic link is refused by name.
//!
//! A file is written to a temporary name beside its target
//! (`.NAME.tessera-part`, owner-only), hashed as it is written, and takes
//! its name only when its SHA-256 equals the sender's: linked into
//! place, which never replaces a file already there (a numbered name is
//! taken instead: `report (1).pdf`). A transfer cut short leaves only
//! that temporary file, which the next offer of the same file resumes
//! from, chunk by checked chunk; a cancelled or failed one leaves
//! nothing.

use crate::chunks::FileHasher;
use crate::path::SafePath;
use cap_std::fs::{Dir, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use tessera_proto::files::CHUNK_BYTES;

/// What a temporary file's name ends with.
pub const PART_SUFFIX: &str = ".tessera-part";
/// Most numbered names tried before giving up (`name (999).ext`).
const MAX_NUMBER: u32 = 999;

/// Why a file or folder could not be received; each says what to do.
#[derive(Debug, thiserror::Error)]
pub enum ReceiveError {
    /// The disk is full: nothing of the file is left behind.
    #[error("the disk is full: free some space and send it again")]
    DiskFull,
    /// A folder on the way is a symbolic link.
    #[error("{0} is a symbolic link in the receive folder: nothing is written through it")]
    Symlink(String),
    /// A folder on the way is a file.
    #[error("{0} is a file in the receive folder, not a folder")]
    NotAFolder(String),
    /// Another transfer is writing the same file now.
    #[error("{0} is being received by another transfer already")]
    InUse(String),
    /// Something not a plain file holds the temporary name.
    #[error(
        "{0} is in the way in the receive folder (not a plain file): nothing is written through it"
    )]
    InTheWay(String),
    /// More bytes came than the manifest announced.
    #[error("{0}: more bytes came than announced")]
    TooLong(String),
    /// Fewer bytes came than the manifest announced.
    #[error("{0}: the file ended early ({1} of {2} bytes)")]
    TooShort(String, u64, u64),
    /// The bytes are not the sender's: the file is not kept.
    #[error("{0}: its SHA-256 is not the sender's: the file was not kept")]
    Corrupt(String),
    /// Every numbered name up to 999 is taken.
    #[error("{0}: {MAX_NUMBER} files of that name are already there")]
    NoFreeName(String),
    /// Anything else the system said.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The system's words.
        source: std::io::Error,
    },
}

impl ReceiveError {
    fn io(what: impl Into<String>, source: std::io::Error) -> Self {
        use std::io::ErrorKind::{QuotaExceeded, StorageFull};
        if matches!(source.kind(), StorageFull | QuotaExceeded) {
            return ReceiveError::DiskFull;
        }
        ReceiveError::Io {
            what: what.into(),
            source,
        }
    }
}

/// The folder transfers land in.
pub struct ReceiveFolder {
    root: Dir,
    path: PathBuf,
}

impl ReceiveFolder {
    /// Opens the folder at `path`, creating it (owner-only) if needed.
    pub fn open(path: &Path) -> Result<Self, ReceiveError> {
        let failed = |e| ReceiveError::io(format!("cannot open {}", path.display()), e);
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(path)
            .map_err(failed)?;
        let root = Dir::open_ambient_dir(path, cap_std::ambient_authority()).map_err(failed)?;
        Ok(Self {
            root,
            path: path.to_path_buf(),
        })
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The folder `names` leads to, made if missing, with the folders
    /// made (outermost first); a symbolic link or a file on the way is
    /// refused by name.
    fn folder(&self, names: &[String]) -> Result<(Dir, Vec<String>), ReceiveError> {
        let mut created = Vec::new();
        match self.folder_making(names, &mut created) {
            Ok(dir) => Ok((dir, created)),
            Err(e) => {
                // What this call made goes with its failure.
                self.remove_made(&created);
                Err(e)
            }
        }
    }

    fn folder_making(
        &self,
        names: &[String],
        created: &mut Vec<String>,
    ) -> Result<Dir, ReceiveError> {
        let mut dir = self
            .root
            .try_clone()
            .map_err(|e| ReceiveError::io("the receive folder", e))?;
        let mut shown = String::new();
        for name in names {
            if !shown.is_empty() {
                shown.push('/');
            }
            shown.push_str(name);
            match dir.symlink_metadata(name) {
                Ok(meta) if meta.file_type().is_symlink() => {
                    return Err(ReceiveError::Symlink(shown))
                }
                Ok(meta) if !meta.is_dir() => return Err(ReceiveError::NotAFolder(shown)),
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    dir.create_dir(name)
                        .map_err(|e| ReceiveError::io(format!("cannot create {shown}"), e))?;
                    created.push(shown.clone());
                }
                Err(e) => return Err(ReceiveError::io(shown, e)),
            }
            dir = dir
                .open_dir(name)
                .map_err(|e| ReceiveError::io(format!("cannot open {shown}"), e))?;
        }
        Ok(dir)
    }

    /// Removes what a cut transfer left of the file `path` (its
    /// temporary file, never through a link), if anything.
    pub fn remove_part(&self, path: &SafePath) {
        let Ok(mut dir) = self.root.try_clone() else {
            return;
        };
        for name in path.parents() {
            match dir.symlink_metadata(name) {
                Ok(meta) if meta.is_dir() => match dir.open_dir(name) {
                    Ok(next) => dir = next,
                    Err(_) => return,
                },
                _ => return,
            }
        }
        let temp = format!(".{}{PART_SUFFIX}", path.name());
        if dir.symlink_metadata(&temp).is_ok_and(|m| m.is_file()) {
            let _ = dir.remove_file(&temp);
        }
    }

    /// What a cut transfer left of the file `path` of `size` bytes: the
    /// whole chunks its temporary file holds and their chain, read
    /// without making or changing anything (`None`: nothing to resume).
    pub fn held(
        &self,
        path: &SafePath,
        size: u64,
    ) -> Result<Option<(u64, [u8; 32])>, ReceiveError> {
        let failed = |e| ReceiveError::io(format!("cannot read {path}"), e);
        let mut dir = self.root.try_clone().map_err(failed)?;
        for name in path.parents() {
            match dir.symlink_metadata(name) {
                Ok(meta) if meta.is_dir() => dir = dir.open_dir(name).map_err(failed)?,
                _ => return Ok(None),
            }
        }
        let temp = format!(".{}{PART_SUFFIX}", path.name());
        // A plain file with one name only (never a kept file's link).
        match dir.symlink_metadata(&temp) {
            Ok(meta) if meta.is_file() && cap_std::fs::MetadataExt::nlink(&meta) == 1 => {}
            _ => return Ok(None),
        }
        let file = dir.open(&temp).map_err(failed)?.into_std();
        // Being written by another transfer now: not this one's to resume
        // (nor, if this one stops, to remove).
        match file.try_lock_shared() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => return Ok(None),
            Err(std::fs::TryLockError::Error(e)) => return Err(failed(e)),
        }
        let whole = file.metadata().map_err(failed)?.len().min(size) / CHUNK_BYTES * CHUNK_BYTES;
        let mut hasher = FileHasher::new();
        hash_into(&mut hasher, file, whole).map_err(failed)?;
        Ok((hasher.chunks() > 0).then(|| (hasher.chunks(), hasher.chain())))
    }

    /// Makes the folder `path` (an entry of its own, maybe empty); the
    /// folders it made, for [`ReceiveFolder::remove_made`] if the
    /// transfer does not complete.
    pub fn make_folder(&self, path: &SafePath) -> Result<Vec<String>, ReceiveError> {
        self.folder(path.components()).map(|(_, created)| created)
    }

    /// Makes the folders the file `path` goes in (a list is checked
    /// against the folder before any byte comes: a link on the way is
    /// refused then, by name); the folders made, as
    /// [`make_folder`](Self::make_folder) gives them.
    pub fn make_parents(&self, path: &SafePath) -> Result<Vec<String>, ReceiveError> {
        self.folder(path.parents()).map(|(_, created)| created)
    }

    /// Removes folders a transfer made, innermost first, as long as they
    /// are empty: a cancelled transfer leaves nothing behind.
    pub fn remove_made(&self, made: &[String]) {
        let mut made = made.to_vec();
        made.sort_by_key(|p| std::cmp::Reverse(p.matches('/').count()));
        for folder in made {
            let _ = self.root.remove_dir(&folder);
        }
    }

    /// Starts or resumes receiving the file `path` of `size` bytes: its
    /// temporary file, with what it already holds hashed (whole chunks
    /// only; a torn tail is cut off).
    pub fn partial(
        &self,
        path: &SafePath,
        size: u64,
        executable: bool,
    ) -> Result<Partial, ReceiveError> {
        let (dir, made) = self.folder(path.parents())?;
        let name = path.name().to_string();
        let temp = format!(".{name}{PART_SUFFIX}");
        let shown = path.to_string();
        let failed = |e| ReceiveError::io(format!("cannot write {shown}"), e);
        let existing = match dir.symlink_metadata(&temp) {
            Ok(meta) if meta.is_file() => true,
            Ok(_) => return Err(ReceiveError::InTheWay(temp.clone())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
            Err(e) => return Err(failed(e)),
        };
        let mut options = OpenOptions::new();
        options.read(true).write(true);
        if !existing {
            options.create_new(true);
        }
        let mut file = dir.open_with(&temp, &options).map_err(failed)?.into_std();
        // One writer at a time: another transfer of the same name (this
        // session's, or another program's) holds it.
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => return Err(ReceiveError::InUse(shown)),
            Err(std::fs::TryLockError::Error(e)) => return Err(failed(e)),
        }
        // A second name for it (a kept file, linked) is never written.
        if file.metadata().map_err(failed)?.nlink() != 1 {
            return Err(ReceiveError::InTheWay(temp));
        }
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(failed)?;
        let mut hasher = FileHasher::new();
        let mut held = 0;
        if existing {
            let whole =
                file.metadata().map_err(failed)?.len().min(size) / CHUNK_BYTES * CHUNK_BYTES;
            held = hash_into(&mut hasher, &mut file, whole).map_err(failed)?;
            file.set_len(held).map_err(failed)?;
            file.seek(SeekFrom::Start(held)).map_err(failed)?;
        }
        Ok(Partial {
            dir,
            made,
            temp,
            name,
            shown,
            file,
            hasher,
            written: held,
            size,
            executable,
        })
    }
}

/// Hashes the first `len` bytes of `file` into `hasher`; how many it read.
fn hash_into(hasher: &mut FileHasher, file: impl Read, len: u64) -> std::io::Result<u64> {
    let mut buffer = vec![0; 256 * 1024];
    let mut reader = file.take(len);
    let mut read = 0;
    loop {
        let n = reader.read(&mut buffer)?;
        if n == 0 {
            return Ok(read);
        }
        hasher.update(&buffer[..n]);
        read += n as u64;
    }
}

/// A file being received under its temporary name.
pub struct Partial {
    dir: Dir,
    /// The folders made for it, for the transfer to remove if it stops.
    made: Vec<String>,
    temp: String,
    name: String,
    shown: String,
    file: std::fs::File,
    hasher: FileHasher,
    written: u64,
    size: u64,
    executable: bool,
}

impl Partial {
    /// What is already held: whole chunks and their chain (what a
    /// resume offers the sender to check).
    pub fn held(&self) -> (u64, [u8; 32]) {
        (self.hasher.chunks(), self.hasher.chain())
    }

    /// The folders made for this file (outermost first).
    pub fn made(&self) -> &[String] {
        &self.made
    }

    /// Bytes written so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// The sender does not have what is held (its chain differs): start
    /// from nothing.
    pub fn restart(&mut self) -> Result<(), ReceiveError> {
        let failed = |e| ReceiveError::io(format!("cannot write {}", self.shown), e);
        self.file.set_len(0).map_err(failed)?;
        self.file.seek(SeekFrom::Start(0)).map_err(failed)?;
        self.hasher = FileHasher::new();
        self.written = 0;
        Ok(())
    }

    /// The next bytes of the file.
    pub fn write(&mut self, bytes: &[u8]) -> Result<(), ReceiveError> {
        if self.written + bytes.len() as u64 > self.size {
            return Err(ReceiveError::TooLong(self.shown.clone()));
        }
        self.file
            .write_all(bytes)
            .map_err(|e| ReceiveError::io(format!("cannot write {}", self.shown), e))?;
        self.hasher.update(bytes);
        self.written += bytes.len() as u64;
        Ok(())
    }

    /// Checks the file against the sender's SHA-256 and gives it its
    /// name (or a numbered one), which it returns. A file that does not
    /// check out is removed.
    pub fn finish(mut self, sha256: &[u8; 32]) -> Result<String, ReceiveError> {
        if self.written != self.size {
            let error = ReceiveError::TooShort(self.shown.clone(), self.written, self.size);
            self.abandon();
            return Err(error);
        }
        if self.hasher.sha256() != *sha256 {
            let error = ReceiveError::Corrupt(self.shown.clone());
            self.abandon();
            return Err(error);
        }
        match self.keep() {
            Ok(name) => Ok(name),
            // Checked but not kept (a full disk at the sync, a folder
            // that refuses links, no free name): nothing is left.
            Err(e) => {
                self.abandon();
                Err(e)
            }
        }
    }

    /// Syncs the checked file and links it to its name or a numbered one.
    fn keep(&mut self) -> Result<String, ReceiveError> {
        let mode = if self.executable { 0o755 } else { 0o644 };
        let failed = |e| ReceiveError::io(format!("cannot keep {}", self.shown), e);
        self.file.flush().map_err(failed)?;
        self.file
            .set_permissions(std::fs::Permissions::from_mode(mode))
            .map_err(failed)?;
        self.file.sync_all().map_err(failed)?;
        for number in 0..=MAX_NUMBER {
            let name = numbered(&self.name, number);
            match self.dir.hard_link(&self.temp, &self.dir, &name) {
                Ok(()) => match self.dir.remove_file(&self.temp) {
                    Ok(()) => return Ok(name),
                    // Never two names for one file: the new one goes too.
                    Err(e) => {
                        let _ = self.dir.remove_file(&name);
                        return Err(failed(e));
                    }
                },
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(failed(e)),
            }
        }
        Err(ReceiveError::NoFreeName(self.shown.clone()))
    }

    /// Removes the temporary file: nothing of this file is left.
    pub fn abandon(self) {
        let _ = self.dir.remove_file(&self.temp);
    }
}

/// `report.pdf`, then `report (1).pdf`, `report (2).pdf`...; the number
/// goes before the first dot that is not the first character
/// (`archive (1).tar.gz`, `.bashrc (1)`).
pub fn numbered(name: &str, number: u32) -> String {
    if number == 0 {
        return name.to_string();
    }
    match name.char_indices().skip(1).find(|(_, c)| *c == '.') {
        Some((at, _)) => format!("{} ({number}){}", &name[..at], &name[at..]),
        None => format!("{name} ({number})"),
    }
}

#[cfg(test)]
mod tests {
    use super::numbered;

    #[test]
    fn numbered_names_keep_the_extension() {
        assert_eq!(numbered("report.pdf", 0), "report.pdf");
        assert_eq!(numbered("report.pdf", 1), "report (1).pdf");
        assert_eq!(numbered("archive.tar.gz", 2), "archive (2).tar.gz");
        assert_eq!(numbered(".bashrc", 1), ".bashrc (1)");
        assert_eq!(numbered("README", 3), "README (3)");
    }
}
