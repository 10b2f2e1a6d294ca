//! A sender's folder walked into an offer and streamed, file by file,
//! into a receiver's folder on the same disk, as the session will carry
//! it: whole and exact, resumed after a cut from the checked chunks (and
//! sent whole when the sender's file changed meanwhile), nothing left
//! after a cancel, and streams that break the rules refused.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use tessera_files::chunks::CHUNK;
use tessera_files::incoming::{Incoming, IncomingError, MAX_OPEN};
use tessera_files::receive::{ReceiveError, ReceiveFolder};
use tessera_files::source::Source;
use tessera_proto::files::{EntryKind, ResumeFrom, StreamEnd, StreamHead};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tessera-transfer-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch");
    dir
}

/// Every file and folder under `dir`: relative path → contents (`None`
/// for a folder).
fn tree(dir: &Path) -> BTreeMap<String, Option<Vec<u8>>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Option<Vec<u8>>>) {
        for entry in std::fs::read_dir(dir).expect("readable") {
            let path = entry.expect("entry").path();
            let name = path
                .strip_prefix(root)
                .expect("inside")
                .display()
                .to_string();
            let kind = std::fs::symlink_metadata(&path).expect("there").file_type();
            if kind.is_dir() {
                out.insert(name, None);
                walk(root, &path, out);
            } else if kind.is_file() {
                out.insert(name, Some(std::fs::read(&path).expect("file")));
            } else {
                // A link or a pipe: named, never read (a pipe would block).
                out.insert(name, Some(b"(special)".to_vec()));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Offers `source` to `folder` as transfer `id`: the resume list.
fn offer(source: &Source, incoming: &mut Incoming, folder: &ReceiveFolder) -> Vec<ResumeFrom> {
    let mut resume = None;
    for page in source.pages(incoming.id) {
        resume = incoming.page(folder, &page).expect("the manifest is taken");
    }
    resume.expect("the last page")
}

/// Streams file `entry` from `source`, at most `limit` bytes of it; the
/// name it was kept under once whole.
fn stream(
    source: &Source,
    incoming: &mut Incoming,
    folder: &ReceiveFolder,
    entry: u32,
    resume: &[ResumeFrom],
    limit: Option<usize>,
) -> Option<String> {
    let from = resume.iter().find(|r| r.entry == entry);
    let mut reader = source.read(entry, from).expect("readable");
    let head = StreamHead {
        id: incoming.id,
        entry,
        from_chunk: reader.from_chunk,
    };
    incoming.head(folder, &head).expect("the stream starts");
    let mut buffer = vec![0; 64 * 1024 + 7];
    let mut sent = 0;
    loop {
        let bytes = reader.next(&mut buffer).expect("read");
        if bytes.is_empty() {
            break;
        }
        incoming.data(entry, bytes).expect("written");
        sent += bytes.len();
        if limit.is_some_and(|l| sent >= l) {
            return None;
        }
    }
    let end = StreamEnd {
        sha256: reader.sha256().expect("all read"),
    };
    Some(incoming.end(entry, &end).expect("kept"))
}

fn files_of(source: &Source) -> Vec<u32> {
    (0..source.entries.len() as u32)
        .filter(|&i| matches!(source.entries[i as usize].kind, EntryKind::File { .. }))
        .collect()
}

#[test]
fn a_folder_of_a_thousand_files_arrives_whole() {
    let dir = scratch("folder");
    let logs = dir.join("send/Logs");
    for i in 0..1000 {
        let sub = logs.join(format!("day-{}", i % 10));
        std::fs::create_dir_all(&sub).expect("dir");
        std::fs::write(
            sub.join(format!("log-{i}.txt")),
            format!("line {i}\n").repeat(i % 7),
        )
        .expect("file");
    }
    std::fs::create_dir_all(logs.join("empty")).expect("empty");
    let tool = logs.join("collect.sh");
    std::fs::write(&tool, "#!/bin/sh\n").expect("tool");
    std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o755)).expect("mode");
    // Left out, and said: a link and a pipe.
    std::os::unix::fs::symlink("/etc/passwd", logs.join("passwd")).expect("link");
    assert!(std::process::Command::new("mkfifo")
        .arg(logs.join("pipe"))
        .status()
        .expect("mkfifo")
        .success());

    let (source, skipped) = Source::scan(&logs).expect("scanned");
    let why: Vec<_> = skipped.iter().map(|s| s.why).collect();
    assert_eq!(
        why,
        ["it is a symbolic link", "it is not a regular file"],
        "{skipped:?}"
    );
    let folder = ReceiveFolder::open(&dir.join("receive")).expect("opens");
    let mut incoming = Incoming::new(2);
    let resume = offer(&source, &mut incoming, &folder);
    assert!(resume.is_empty());
    for entry in files_of(&source) {
        stream(&source, &mut incoming, &folder, entry, &resume, None).expect("kept");
    }
    assert!(incoming.complete());
    let (got, want) = incoming.progress();
    assert_eq!(got, want);
    let mut sent = tree(&dir.join("send"));
    sent.remove("Logs/passwd");
    sent.remove("Logs/pipe");
    assert_eq!(tree(folder.path()), sent);
    let mode = std::fs::metadata(folder.path().join("Logs/collect.sh"))
        .expect("kept")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o755);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_cut_file_resumes_from_its_checked_chunks_or_restarts_if_changed() {
    let dir = scratch("resume");
    let big = dir.join("send/setup.bin");
    std::fs::create_dir_all(big.parent().expect("parent")).expect("dir");
    let data: Vec<u8> = (0..CHUNK * 8 + 12_345)
        .map(|i| (i * 31 % 256) as u8)
        .collect();
    std::fs::write(&big, &data).expect("file");
    let folder = ReceiveFolder::open(&dir.join("receive")).expect("opens");

    // Cut after three and a half chunks: only the temporary file exists.
    let (source, _) = Source::scan(&big).expect("scanned");
    let mut first = Incoming::new(2);
    let resume = offer(&source, &mut first, &folder);
    assert!(stream(
        &source,
        &mut first,
        &folder,
        0,
        &resume,
        Some(CHUNK * 7 / 2)
    )
    .is_none());
    first.suspend();
    assert_eq!(
        tree(folder.path()).keys().collect::<Vec<_>>(),
        [".setup.bin.tessera-part"]
    );

    // The next session: the receiver offers 3 chunks, the sender checks
    // them against its file and sends the rest.
    let mut second = Incoming::new(4);
    let resume = offer(&source, &mut second, &folder);
    assert_eq!(resume.len(), 1);
    assert_eq!(resume[0].chunks, 3);
    let reader = source.read(0, Some(&resume[0])).expect("readable");
    assert_eq!(reader.from_chunk, 3, "resumed, not restarted");
    assert_eq!(reader.left(), data.len() as u64 - 3 * CHUNK as u64);
    drop(reader);
    stream(&source, &mut second, &folder, 0, &resume, None).expect("kept");
    assert_eq!(
        std::fs::read(folder.path().join("setup.bin")).expect("kept"),
        data
    );

    // Cut again, then the sender's file changes in its first chunk: the
    // chains differ, so the whole file is sent, and the result is exact.
    let mut third = Incoming::new(6);
    let resume = offer(&source, &mut third, &folder);
    assert!(
        resume.is_empty(),
        "a kept file is not resumed: a new one comes beside it"
    );
    stream(&source, &mut third, &folder, 0, &resume, Some(CHUNK * 2)).expect_none();
    third.suspend();
    let mut changed = data.clone();
    changed[100] ^= 0xff;
    std::fs::write(&big, &changed).expect("changed");
    let (source, _) = Source::scan(&big).expect("scanned");
    let mut fourth = Incoming::new(8);
    let resume = offer(&source, &mut fourth, &folder);
    assert_eq!(resume[0].chunks, 2, "the receiver still holds two chunks");
    assert_eq!(
        source
            .read(0, Some(&resume[0]))
            .expect("readable")
            .from_chunk,
        0
    );
    let name = stream(&source, &mut fourth, &folder, 0, &resume, None).expect("kept");
    assert_eq!(name, "setup (1).bin");
    assert_eq!(
        std::fs::read(folder.path().join(&name)).expect("kept"),
        changed
    );
    assert_eq!(
        std::fs::read(folder.path().join("setup.bin")).expect("kept"),
        data
    );
    let _ = std::fs::remove_dir_all(&dir);
}

trait ExpectNone {
    fn expect_none(self);
}

impl<T: std::fmt::Debug> ExpectNone for Option<T> {
    fn expect_none(self) {
        assert!(self.is_none(), "{self:?}");
    }
}

#[test]
fn a_cancel_leaves_nothing_and_broken_streams_are_refused() {
    let dir = scratch("cancel");
    let send = dir.join("send/Patch");
    std::fs::create_dir_all(send.join("docs/empty")).expect("dirs");
    std::fs::write(send.join("docs/readme.txt"), "lisez-moi").expect("file");
    std::fs::write(send.join("patch.bin"), vec![7u8; CHUNK + 10]).expect("file");
    let (source, _) = Source::scan(&send).expect("scanned");
    let folder = ReceiveFolder::open(&dir.join("receive")).expect("opens");
    std::fs::write(folder.path().join("already-there.txt"), "mine").expect("the person's");
    let before = tree(folder.path());

    let mut incoming = Incoming::new(2);
    let resume = offer(&source, &mut incoming, &folder);
    let files = files_of(&source);
    stream(&source, &mut incoming, &folder, files[0], &resume, None).expect("one kept");
    let folder_entry = (0..source.entries.len() as u32)
        .find(|&i| source.entries[i as usize].kind == EntryKind::Folder)
        .expect("a folder");
    let head = |entry, from_chunk| StreamHead {
        id: 2,
        entry,
        from_chunk,
    };
    assert!(matches!(
        incoming.head(&folder, &head(folder_entry, 0)),
        Err(IncomingError::NotAFile(_))
    ));
    assert!(matches!(
        incoming.head(&folder, &head(99, 0)),
        Err(IncomingError::NotAFile(99))
    ));
    assert!(matches!(
        incoming.head(&folder, &head(files[0], 0)),
        Err(IncomingError::Twice(_))
    ));
    assert!(matches!(
        incoming.head(&folder, &head(files[1], 5)),
        Err(IncomingError::WrongStart {
            from: 5,
            held: 0,
            ..
        })
    ));
    assert!(matches!(
        incoming.data(files[1], b"x"),
        Err(IncomingError::NotOpen(_))
    ));
    stream(
        &source,
        &mut incoming,
        &folder,
        files[1],
        &resume,
        Some(1000),
    )
    .expect_none();
    // Cancelled: the file half written and every folder it made go; the
    // file already kept stays, and so does what the person had.
    incoming.cancel(&folder);
    let mut after = tree(folder.path());
    let kept = after
        .keys()
        .filter(|k| !before.contains_key(*k))
        .cloned()
        .collect::<Vec<_>>();
    for k in &kept {
        after.remove(k);
    }
    assert_eq!(after, before);
    assert!(kept.iter().all(|k| !k.contains("tessera-part")), "{kept:?}");
    assert!(!kept.iter().any(|k| k.ends_with("empty")), "{kept:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn one_file_has_one_writer_and_a_transfer_few_open_files() {
    let dir = scratch("writers");
    let send = dir.join("send/Many");
    std::fs::create_dir_all(&send).expect("dir");
    for i in 0..20 {
        std::fs::write(send.join(format!("f{i:02}")), vec![i as u8; 10]).expect("file");
    }
    let (source, _) = Source::scan(&send).expect("scanned");
    let folder = ReceiveFolder::open(&dir.join("receive")).expect("opens");
    let mut first = Incoming::new(2);
    let resume = offer(&source, &mut first, &folder);
    let files = files_of(&source);
    let head = |id, entry| StreamHead {
        id,
        entry,
        from_chunk: 0,
    };
    first.head(&folder, &head(2, files[0])).expect("starts");
    // Found in review: a second transfer of the same name shared the
    // first one's temporary file. Now it waits its turn.
    let mut second = Incoming::new(4);
    offer(&source, &mut second, &folder);
    assert!(matches!(
        second.head(&folder, &head(4, files[0])),
        Err(IncomingError::Receive(ReceiveError::InUse(_)))
    ));
    // At most MAX_OPEN files written at once by one transfer.
    for &entry in &files[1..MAX_OPEN] {
        first.head(&folder, &head(2, entry)).expect("starts");
    }
    assert!(matches!(
        first.head(&folder, &head(2, files[MAX_OPEN])),
        Err(IncomingError::TooManyOpen)
    ));
    // A stream reset frees its place; the file can come again.
    first.reset(files[1]);
    stream(&source, &mut first, &folder, files[1], &resume, None).expect("kept after all");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_cancel_also_removes_what_a_cut_transfer_left_and_odd_resumes_are_safe() {
    let dir = scratch("cancel-parts");
    let big = dir.join("send/big.bin");
    std::fs::create_dir_all(big.parent().expect("parent")).expect("dir");
    std::fs::write(&big, vec![3u8; CHUNK * 2 + 5]).expect("file");
    let (source, _) = Source::scan(&big).expect("scanned");
    let folder = ReceiveFolder::open(&dir.join("receive")).expect("opens");
    let mut first = Incoming::new(2);
    let resume = offer(&source, &mut first, &folder);
    stream(&source, &mut first, &folder, 0, &resume, Some(CHUNK + 10)).expect_none();
    first.suspend();
    let mut second = Incoming::new(4);
    assert_eq!(
        offer(&source, &mut second, &folder).len(),
        1,
        "a part to resume"
    );
    second.cancel(&folder);
    assert!(
        tree(folder.path()).is_empty(),
        "{:?}",
        tree(folder.path()).keys()
    );
    // A peer's resume point past any size (2^60 chunks) is not trusted:
    // the file is sent from the start, without a panic.
    let absurd = ResumeFrom {
        entry: 0,
        chunks: 1 << 60,
        chain: [0; 32],
    };
    assert_eq!(
        source.read(0, Some(&absurd)).expect("readable").from_chunk,
        0
    );
    // A link given as what to send is not followed.
    std::os::unix::fs::symlink(&big, dir.join("send/link.bin")).expect("link");
    assert!(matches!(
        Source::scan(&dir.join("send/link.bin")),
        Err(tessera_files::source::SourceError::NotAFile(_))
    ));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_file_replaced_after_the_offer_is_not_sent_in_its_place() {
    let dir = scratch("replaced");
    let offered = dir.join("logs");
    std::fs::create_dir_all(&offered).expect("mkdir");
    std::fs::write(offered.join("a.txt"), "the log").expect("write");
    std::fs::write(offered.join("b.txt"), "the other log").expect("write");
    let secret = dir.join("secret.txt");
    std::fs::write(&secret, "not offered").expect("write");
    let (source, _) = Source::scan(&offered).expect("scan");
    let entry = |name: &str| {
        let at = source
            .entries
            .iter()
            .position(|e| e.path == format!("logs/{name}"));
        at.expect("listed") as u32
    };
    // Swapped for a link to another file, then for another file.
    std::fs::remove_file(offered.join("a.txt")).expect("rm");
    std::os::unix::fs::symlink(&secret, offered.join("a.txt")).expect("link");
    assert!(
        source.read(entry("a.txt"), None).is_err(),
        "read through a link"
    );
    // (Made before the old one goes, so it cannot reuse its inode.)
    std::fs::write(dir.join("b.new"), "another file now").expect("write");
    std::fs::rename(dir.join("b.new"), offered.join("b.txt")).expect("rename");
    let error = source.read(entry("b.txt"), None).err().expect("refused");
    assert!(error.to_string().contains("replaced"), "{error}");
}
