//! Arbitrary bytes as what a sender offers: one path through the
//! receiver's rules (`SafePath::parse`), and a run of control frames (a
//! 2-byte little-endian length, then the body) decoded as manifest pages
//! (`ManifestPage`) and gathered by `ManifestReader`. Seeds are real
//! manifests (a folder of files, empty folders, names in several
//! scripts) and hostile ones (`..`, absolute paths, device names,
//! control and direction characters, case collisions, a file used as a
//! folder), so mutations start inside each rule.
//!
//! A path that passes is NFC, reads back the same from its own text, and
//! has only plain components; a manifest that passes holds only such
//! paths, none twice even by case, no file with entries inside it, and
//! its totals are its files'.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::collections::HashSet;
use tessera_files::manifest::ManifestReader;
use tessera_files::path::SafePath;
use tessera_proto::files::{EntryKind, ManifestPage};
use tessera_proto::frame::decode_body;
use tessera_proto::peer::MAX_PEER_FRAME;
use unicode_normalization::UnicodeNormalization;

fn check_path(path: &SafePath) {
    let text = path.to_string();
    assert_eq!(text.nfc().collect::<String>(), text, "not NFC");
    assert_eq!(SafePath::parse(&text).as_ref(), Ok(path), "does not read back");
    for name in path.components() {
        assert!(!name.is_empty() && name != "." && name != "..");
        assert!(!name.contains(['/', '\\', ':', '\0']));
        assert!(!name.chars().any(char::is_control));
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(path) = SafePath::parse(text) {
            check_path(&path);
        }
    }
    let mut reader = ManifestReader::new();
    let mut rest = data;
    while let Some((len, tail)) = rest.split_first_chunk::<2>() {
        let len = usize::from(u16::from_le_bytes(*len)).min(tail.len());
        let (frame, tail) = tail.split_at(len);
        rest = tail;
        let Ok(page) = decode_body::<ManifestPage>(frame, MAX_PEER_FRAME) else {
            continue;
        };
        if reader.page(&page).is_err() {
            return;
        }
    }
    let Some(manifest) = reader.finish() else {
        return;
    };
    let mut folded = HashSet::new();
    let mut files = HashSet::new();
    let (mut count, mut bytes) = (0u64, 0u64);
    for item in &manifest.items {
        check_path(&item.path);
        assert!(folded.insert(item.path.folded()), "twice: {}", item.path);
        if let EntryKind::File { size, .. } = item.kind {
            files.insert(item.path.folded());
            count += 1;
            bytes += size;
        }
    }
    for item in &manifest.items {
        let mut prefix = String::new();
        for parent in item.path.parents() {
            if !prefix.is_empty() {
                prefix.push('/');
            }
            prefix.push_str(parent);
            let prefix = tessera_files::path::fold(&prefix);
            assert!(!files.contains(&prefix), "a file used as a folder: {prefix}");
        }
    }
    assert_eq!((count, bytes), (manifest.files, manifest.bytes));
});
