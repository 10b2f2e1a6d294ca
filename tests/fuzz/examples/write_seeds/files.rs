//! Seeds for `file_manifests`: paths alone (plain, in several scripts,
//! and one breaking each rule), and manifests framed as the target reads
//! them: a folder of files with an empty folder, one spread over two
//! pages, and hostile ones (a climb out, a case collision, a file used as
//! a folder). Each says what it is: the plain ones pass, each hostile one
//! is refused for its reason.

use super::Seeds;
use tessera_files::manifest::{ManifestError, ManifestReader};
use tessera_proto::files::{Entry, EntryKind, ManifestPage, MAX_PAGE_ENTRIES};

fn file(path: &str, size: u64) -> Entry {
    Entry {
        path: path.into(),
        kind: EntryKind::File {
            size,
            executable: path.ends_with(".sh"),
        },
    }
}

/// `entries` as the target's frames: pages of at most
/// [`MAX_PAGE_ENTRIES`], each a 2-byte length and its body.
fn framed(entries: &[Entry], per_page: usize) -> (Vec<u8>, Vec<ManifestPage>) {
    let chunks: Vec<&[Entry]> = entries.chunks(per_page.min(MAX_PAGE_ENTRIES)).collect();
    let mut bytes = Vec::new();
    let mut pages = Vec::new();
    for (i, chunk) in chunks.iter().enumerate() {
        let page = ManifestPage {
            id: 2,
            entries: chunk.to_vec(),
            last: i + 1 == chunks.len(),
        };
        let body = tessera_proto::frame::encode_payload(&page);
        bytes.extend(u16::try_from(body.len()).expect("a page fits").to_le_bytes());
        bytes.extend(body);
        pages.push(page);
    }
    (bytes, pages)
}

fn read(pages: &[ManifestPage]) -> Result<(), ManifestError> {
    let mut reader = ManifestReader::new();
    for page in pages {
        reader.page(page)?;
    }
    Ok(())
}

pub fn file_manifests(seeds: &mut Seeds) {
    for (name, path) in [
        ("path_plain", "Rapports/2026/facture n°12.pdf"),
        ("path_scripts", "Документы/報告/تقرير.txt"),
        ("path_dotfile", "config/.env.example"),
        ("path_up", "../../.ssh/authorized_keys"),
        ("path_absolute", "/etc/cron.d/job"),
        ("path_drive", "C:/Windows/System32/drivers/etc/hosts"),
        ("path_device", "logs/COM1.txt"),
        ("path_bidi", "invoice\u{202e}fdp.exe"),
        ("path_control", "bad\u{1b}[2Jname"),
        ("path_decomposed", "cafe\u{301}/menu.txt"),
    ] {
        seeds.add("file_manifests", name, path.as_bytes().to_vec());
    }
    let mut folder = vec![Entry {
        path: "Logs/empty".into(),
        kind: EntryKind::Folder,
    }];
    folder.extend((0..12).map(|i| file(&format!("Logs/{}/log-{i}.txt", i % 3), i * 100)));
    folder.push(file("Logs/fix.sh", 20));
    for (name, entries, per_page, refused) in [
        ("folder", folder.clone(), MAX_PAGE_ENTRIES, None),
        ("folder_two_pages", folder, 7, None),
        (
            "climb_out",
            vec![file("ok.txt", 1), file("../../.bashrc", 1)],
            MAX_PAGE_ENTRIES,
            Some("entry 1"),
        ),
        (
            "case_collision",
            vec![file("Readme.txt", 1), file("README.TXT", 1)],
            MAX_PAGE_ENTRIES,
            Some("differ only by case"),
        ),
        (
            "file_as_folder",
            vec![file("x", 1), file("x/y", 1)],
            MAX_PAGE_ENTRIES,
            Some("is a file"),
        ),
    ] {
        let (bytes, pages) = framed(&entries, per_page);
        match (read(&pages), refused) {
            (Ok(()), None) => {}
            (Err(e), Some(why)) => assert!(e.to_string().contains(why), "{name}: {e}"),
            (result, _) => panic!("{name}: {result:?}"),
        }
        seeds.add("file_manifests", name, bytes);
    }
}

/// Seeds for `file_streams`: a whole honest transfer, and each way one
/// goes wrong, each run through the harness.
pub fn file_streams(seeds: &mut Seeds) {
    use tessera_fuzz::file_streams::{manifest, run, Op};
    let sizes: Vec<(u8, usize)> = manifest()
        .entries
        .iter()
        .enumerate()
        .filter_map(|(i, e)| match e.kind {
            EntryKind::File { size, .. } => Some((i as u8, size as usize)),
            EntryKind::Folder => None,
        })
        .collect();
    let whole = |entry: u8, size: usize| {
        let bytes: Vec<u8> = (0..size).map(|i| (i * 7 + usize::from(entry)) as u8).collect();
        let half = size / 2;
        vec![
            Op::Head(entry, 0),
            Op::Data(entry, bytes[..half].to_vec()),
            Op::Data(entry, bytes[half..].to_vec()),
            Op::End(entry, None),
        ]
    };
    let honest: Vec<Op> = sizes.iter().flat_map(|&(e, s)| whole(e, s)).collect();
    let bad_hash = vec![Op::Head(0, 0), Op::Data(0, b"hello".to_vec()), Op::End(0, Some([9; 32]))];
    let too_long = vec![Op::Head(0, 0), Op::Data(0, b"hello, world".to_vec()), Op::End(0, None)];
    let twice = vec![Op::Head(0, 0), Op::Head(0, 0), Op::Data(0, b"hello".to_vec()), Op::End(0, None)];
    let mut resumed = vec![Op::Head(5, 0), Op::Data(5, vec![1; 1000]), Op::Reset(5)];
    resumed.extend(whole(5, 3000));
    let mut cancelled: Vec<Op> = whole(0, 5);
    cancelled.extend([Op::Head(2, 0), Op::Data(2, vec![3; 100]), Op::Cancel]);
    let root = std::env::temp_dir().join(format!("tessera-seeds-file-streams-{}", std::process::id()));
    for (name, ops) in [
        ("honest", honest),
        ("bad_hash", bad_hash),
        ("too_long", too_long),
        ("twice", twice),
        ("reset_then_whole", resumed),
        ("cancelled", cancelled),
    ] {
        let mut bytes = Vec::new();
        for op in &ops {
            op.write(&mut bytes);
        }
        run(&root, &bytes);
        seeds.add("file_streams", name, bytes);
    }
    let _ = std::fs::remove_dir_all(&root);
}
