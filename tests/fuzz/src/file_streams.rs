//! The `file_streams` harness: a receiver's transfer (`Incoming`) over a
//! real receive folder, fed what a sender's file streams may carry in any
//! order: heads (any entry, any starting chunk), bytes, ends (with the
//! right hash or any other), resets, and a cancel. After every step the
//! folder is checked: only the transfer's folders, temporary files and
//! kept files are in it; a kept file holds exactly its size and the hash
//! its end gave; after a cancel, only kept files remain.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use tessera_files::chunks::FileHasher;
use tessera_files::incoming::Incoming;
use tessera_files::receive::ReceiveFolder;
use tessera_proto::files::{Entry, EntryKind, ManifestPage, StreamEnd, StreamHead};

/// The transfer every run receives: a file, a folder with two files in
/// it (one empty), and an empty folder.
pub fn manifest() -> ManifestPage {
    let file = |path: &str, size| Entry {
        path: path.into(),
        kind: EntryKind::File {
            size,
            executable: false,
        },
    };
    let folder = |path: &str| Entry {
        path: path.into(),
        kind: EntryKind::Folder,
    };
    ManifestPage {
        id: 4,
        entries: vec![
            file("a.txt", 5),
            folder("logs"),
            file("logs/b.bin", 300),
            file("logs/empty", 0),
            folder("vide"),
            file("c", 3000),
        ],
        last: true,
    }
}

/// One thing a sender's streams do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// A stream starts: entry, first chunk.
    Head(u8, u8),
    /// Bytes for an entry.
    Data(u8, Vec<u8>),
    /// An entry's end: with the hash of what was sent (`None`), or this.
    End(u8, Option<[u8; 32]>),
    /// An entry's stream is reset.
    Reset(u8),
    /// The transfer is cancelled.
    Cancel,
}

impl Op {
    /// The bytes [`parse`] reads back.
    pub fn write(&self, out: &mut Vec<u8>) {
        match self {
            Op::Head(entry, from) => out.extend([0, *entry, *from]),
            Op::Data(entry, bytes) => {
                out.extend([1, *entry]);
                let len = u16::try_from(bytes.len()).expect("short");
                out.extend(len.to_le_bytes());
                out.extend(bytes);
            }
            Op::End(entry, None) => out.extend([2, *entry, 0]),
            Op::End(entry, Some(hash)) => {
                out.extend([2, *entry, 1]);
                out.extend(hash);
            }
            Op::Reset(entry) => out.extend([3, *entry]),
            Op::Cancel => out.push(4),
        }
    }
}

/// Reads ops until the bytes run out.
pub fn parse(mut data: &[u8]) -> Vec<Op> {
    let mut ops = Vec::new();
    let mut take = |n: usize| -> Option<Vec<u8>> {
        let (head, rest) = data.split_at_checked(n)?;
        data = rest;
        Some(head.to_vec())
    };
    while let Some(op) = take(1) {
        let op = match op[0] % 5 {
            0 => match take(2) {
                Some(b) => Op::Head(b[0], b[1] % 3),
                None => break,
            },
            1 => {
                let Some(b) = take(3) else { break };
                let len = usize::from(u16::from_le_bytes([b[1], b[2]])).min(4096);
                let Some(bytes) = take(len) else { break };
                Op::Data(b[0], bytes)
            }
            2 => {
                let Some(b) = take(2) else { break };
                match b[1] & 1 {
                    0 => Op::End(b[0], None),
                    _ => match take(32) {
                        Some(h) => Op::End(b[0], h.try_into().ok()),
                        None => break,
                    },
                }
            }
            3 => match take(1) {
                Some(b) => Op::Reset(b[0]),
                None => break,
            },
            _ => Op::Cancel,
        };
        ops.push(op);
    }
    ops
}

/// Every path under `root`, relative, with whether it is a folder.
fn walk(root: &Path) -> Vec<(String, bool)> {
    let mut found = Vec::new();
    let mut todo = vec![PathBuf::new()];
    while let Some(rel) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(root.join(&rel)) else {
            continue;
        };
        for entry in entries.flatten() {
            let rel = rel.join(entry.file_name());
            let dir = entry.file_type().is_ok_and(|t| t.is_dir());
            if dir {
                todo.push(rel.clone());
            }
            found.push((rel.display().to_string(), dir));
        }
    }
    found
}

/// Runs `data` against a fresh receive folder under `root`; panics when
/// an invariant breaks.
pub fn run(root: &Path, data: &[u8]) {
    let _ = std::fs::remove_dir_all(root);
    let folder = ReceiveFolder::open(root).expect("a receive folder");
    let page = manifest();
    let mut incoming = Incoming::new(page.id);
    incoming.page(&folder, &page).expect("the manifest passes");
    let mut sent: HashMap<u8, FileHasher> = HashMap::new();
    let mut kept: HashMap<String, ([u8; 32], u64)> = HashMap::new();
    let mut cancelled = false;
    for op in parse(data) {
        match op {
            Op::Head(entry, from) => {
                let head = StreamHead {
                    id: page.id,
                    entry: u32::from(entry % 8),
                    from_chunk: u64::from(from),
                };
                if incoming.head(&folder, &head).is_ok() {
                    sent.insert(entry % 8, FileHasher::new());
                }
            }
            Op::Data(entry, bytes) => {
                if incoming.data(u32::from(entry % 8), &bytes).is_ok() {
                    if let Some(hasher) = sent.get_mut(&(entry % 8)) {
                        hasher.update(&bytes);
                    }
                }
            }
            Op::End(entry, hash) => {
                let honest = sent.get(&(entry % 8)).map(FileHasher::sha256);
                let Some(sha256) = hash.or(honest) else {
                    continue;
                };
                if let Ok(name) = incoming.end(u32::from(entry % 8), &StreamEnd { sha256 }) {
                    let item = &page.entries[usize::from(entry % 8)];
                    let EntryKind::File { size, .. } = item.kind else {
                        panic!("kept a folder");
                    };
                    let parent = item.path.rsplit_once('/').map(|(p, _)| p);
                    let path = parent.map_or(name.clone(), |p| format!("{p}/{name}"));
                    kept.insert(path, (sha256, size));
                }
            }
            Op::Reset(entry) => incoming.reset(u32::from(entry % 8)),
            Op::Cancel => {
                let done = std::mem::replace(&mut incoming, Incoming::new(page.id));
                done.cancel(&folder);
                cancelled = true;
                break;
            }
        }
        check(root, &page, &kept, false);
    }
    check(root, &page, &kept, cancelled);
}

/// The folder holds only what the transfer may have put there.
fn check(root: &Path, page: &ManifestPage, kept: &HashMap<String, ([u8; 32], u64)>, cancelled: bool) {
    for (path, (sha256, size)) in kept {
        let bytes = std::fs::read(root.join(path)).expect("a kept file stays");
        assert_eq!(bytes.len() as u64, *size, "{path}: its size");
        let mut hasher = FileHasher::new();
        hasher.update(&bytes);
        assert_eq!(hasher.sha256(), *sha256, "{path}: its hash");
    }
    let folders: Vec<&str> = page
        .entries
        .iter()
        .filter(|e| e.kind == EntryKind::Folder)
        .map(|e| e.path.as_str())
        .collect();
    for (path, is_dir) in walk(root) {
        if is_dir {
            assert!(folders.contains(&path.as_str()) && !(cancelled && !kept.keys().any(|k| k.starts_with(&format!("{path}/")))),
                "a folder that should not be there: {path}");
            continue;
        }
        let part = path.rsplit('/').next().is_some_and(|n| n.starts_with('.') && n.ends_with(".tessera-part"));
        assert!(kept.contains_key(&path) || (part && !cancelled), "a file that should not be there: {path}");
    }
}
