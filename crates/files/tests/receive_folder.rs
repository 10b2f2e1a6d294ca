//! The receive folder on a real disk: files take their name only when
//! their hash is the sender's, never over a file already there, resume
//! from checked chunks, leave nothing when abandoned, and nothing gets
//! through a symbolic link, whatever the folder already holds.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use tessera_files::chunks::{FileHasher, CHUNK};
use tessera_files::path::SafePath;
use tessera_files::receive::{ReceiveError, ReceiveFolder, PART_SUFFIX};

/// A fresh folder of this test's own.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tessera-files-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch");
    dir
}

fn path(p: &str) -> SafePath {
    SafePath::parse(p).expect("a safe path")
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    let mut hasher = FileHasher::new();
    hasher.update(bytes);
    hasher.sha256()
}

/// Everything under `dir`, relative, sorted.
fn listing(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("readable") {
            let entry = entry.expect("entry");
            let p = entry.path();
            out.push(p.strip_prefix(root).expect("inside").display().to_string());
            if entry.file_type().expect("type").is_dir() {
                walk(root, &p, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

#[test]
fn a_file_takes_its_name_only_when_its_hash_is_the_senders() {
    let dir = scratch("names");
    let folder = ReceiveFolder::open(&dir.join("Tessera")).expect("opens");
    let mode = std::fs::metadata(folder.path())
        .expect("made")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o700, "private");
    let data = b"#!/bin/sh\necho fixed\n".to_vec();
    let mut partial = folder
        .partial(&path("tools/fix.sh"), data.len() as u64, true)
        .expect("starts");
    assert_eq!(partial.made(), ["tools"]);
    partial.write(&data[..5]).expect("written");
    // Only the temporary file exists meanwhile.
    assert_eq!(
        listing(folder.path()),
        ["tools".to_string(), format!("tools/.fix.sh{PART_SUFFIX}")]
    );
    partial.write(&data[5..]).expect("written");
    let name = partial.finish(&sha256(&data)).expect("kept");
    assert_eq!(name, "fix.sh");
    let kept = folder.path().join("tools/fix.sh");
    assert_eq!(std::fs::read(&kept).expect("there"), data);
    assert_eq!(
        std::fs::metadata(&kept)
            .expect("there")
            .permissions()
            .mode()
            & 0o777,
        0o755
    );
    assert_eq!(listing(folder.path()), ["tools", "tools/fix.sh"]);

    // The same name again: a numbered one, the first untouched.
    let mut again = folder
        .partial(&path("tools/fix.sh"), 3, false)
        .expect("starts");
    again.write(b"new").expect("written");
    assert_eq!(again.finish(&sha256(b"new")).expect("kept"), "fix (1).sh");
    assert_eq!(std::fs::read(&kept).expect("there"), data);

    // Bytes that are not the sender's: nothing kept, nothing left.
    let mut bad = folder
        .partial(&path("tools/other.sh"), 3, false)
        .expect("starts");
    bad.write(b"abc").expect("written");
    let error = bad.finish(&sha256(b"abd")).expect_err("corrupt");
    assert!(matches!(error, ReceiveError::Corrupt(_)), "{error}");
    assert_eq!(
        listing(folder.path()),
        ["tools", "tools/fix (1).sh", "tools/fix.sh"]
    );
    // More than announced is refused at once.
    let mut long = folder.partial(&path("long"), 2, false).expect("starts");
    assert!(matches!(long.write(b"abc"), Err(ReceiveError::TooLong(_))));
    long.abandon();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_cut_transfer_resumes_from_its_checked_chunks() {
    let dir = scratch("resume");
    let folder = ReceiveFolder::open(&dir).expect("opens");
    let data: Vec<u8> = (0..(CHUNK * 3 + 500)).map(|i| (i % 253) as u8).collect();
    let size = data.len() as u64;
    let mut first = folder
        .partial(&path("big.bin"), size, false)
        .expect("starts");
    // Two chunks and a half, then the connection drops (the partial is
    // simply dropped: the temporary file stays).
    first
        .write(&data[..CHUNK * 2 + CHUNK / 2])
        .expect("written");
    drop(first);
    let mut resumed = folder
        .partial(&path("big.bin"), size, false)
        .expect("resumes");
    let (chunks, chain) = resumed.held();
    assert_eq!(chunks, 2, "the torn half chunk is not counted");
    let mut sender = FileHasher::new();
    sender.update(&data[..CHUNK * 2]);
    assert_eq!(chain, sender.chain(), "the sender can check what is held");
    assert_eq!(resumed.written(), (CHUNK * 2) as u64);
    resumed.write(&data[CHUNK * 2..]).expect("the rest");
    assert_eq!(resumed.finish(&sha256(&data)).expect("kept"), "big.bin");
    assert_eq!(std::fs::read(dir.join("big.bin")).expect("there"), data);

    // The sender's file changed meanwhile: its chain differs, so the
    // receiver starts again from nothing.
    let mut first = folder
        .partial(&path("changed.bin"), size, false)
        .expect("starts");
    first.write(&data[..CHUNK]).expect("written");
    drop(first);
    let mut other = data.clone();
    other[10] ^= 1;
    let mut resumed = folder
        .partial(&path("changed.bin"), size, false)
        .expect("resumes");
    let mut sender = FileHasher::new();
    sender.update(&other[..CHUNK]);
    assert_ne!(resumed.held().1, sender.chain());
    resumed.restart().expect("from nothing");
    resumed.write(&other).expect("all of it");
    resumed.finish(&sha256(&other)).expect("kept");
    assert_eq!(
        std::fs::read(dir.join("changed.bin")).expect("there"),
        other
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_part_being_written_is_not_offered_to_resume() {
    let dir = scratch("locked-part");
    let folder = ReceiveFolder::open(&dir).expect("opens");
    let size = (CHUNK * 2) as u64;
    let mut writing = folder
        .partial(&path("big.bin"), size, false)
        .expect("starts");
    writing.write(&vec![7; CHUNK + 10]).expect("written");
    // Another transfer of the same name now: the part is not its own.
    assert_eq!(folder.held(&path("big.bin"), size).expect("reads"), None);
    drop(writing);
    let (chunks, _) = folder
        .held(&path("big.bin"), size)
        .expect("reads")
        .expect("held once free");
    assert_eq!(chunks, 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_abandoned_transfer_leaves_nothing_behind() {
    let dir = scratch("abandon");
    let folder = ReceiveFolder::open(&dir).expect("opens");
    let made = folder.make_folder(&path("a/empty")).expect("made");
    let partial = folder
        .partial(&path("a/b/c.txt"), 10, false)
        .expect("starts");
    let mut all = made.clone();
    all.extend_from_slice(partial.made());
    partial.abandon();
    folder.remove_made(&all);
    assert!(listing(&dir).is_empty(), "{:?}", listing(&dir));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn nothing_is_written_through_a_symbolic_link_in_the_folder() {
    let dir = scratch("symlinks");
    let outside = dir.join("outside");
    std::fs::create_dir_all(&outside).expect("outside");
    let folder = ReceiveFolder::open(&dir.join("receive")).expect("opens");
    // Someone left links in the receive folder: to a folder outside, and
    // to a file outside, under the name a transfer will use.
    std::os::unix::fs::symlink(&outside, folder.path().join("docs")).expect("link");
    std::os::unix::fs::symlink(outside.join("victim"), folder.path().join("notes.txt"))
        .expect("link");
    std::os::unix::fs::symlink(
        outside.join("part"),
        folder.path().join(format!(".x.txt{PART_SUFFIX}")),
    )
    .expect("link");
    let error = folder
        .partial(&path("docs/evil.txt"), 1, false)
        .err()
        .expect("refused");
    assert!(
        matches!(error, ReceiveError::Symlink(ref p) if p == "docs"),
        "{error}"
    );
    assert!(matches!(
        folder.make_folder(&path("docs/sub")),
        Err(ReceiveError::Symlink(_))
    ));
    // The file's own name is a link: the file gets a numbered name, the
    // link and what it points at are untouched.
    let mut partial = folder
        .partial(&path("notes.txt"), 2, false)
        .expect("starts");
    partial.write(b"hi").expect("written");
    assert_eq!(
        partial.finish(&sha256(b"hi")).expect("kept"),
        "notes (1).txt"
    );
    // A temporary name that is a link is refused, not followed.
    let error = folder
        .partial(&path("x.txt"), 1, false)
        .err()
        .expect("refused");
    assert!(matches!(error, ReceiveError::InTheWay(_)), "{error}");
    assert!(
        listing(&outside).is_empty(),
        "nothing outside: {:?}",
        listing(&outside)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
