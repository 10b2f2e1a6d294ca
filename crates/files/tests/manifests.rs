//! A manifest as the receiver takes it: what passes, and every hostile
//! list refused with the entry and the reason.

use tessera_files::manifest::{ManifestError, ManifestReader};
use tessera_files::path::PathError;
use tessera_proto::files::{Entry, EntryKind, ManifestPage, MAX_ENTRIES, MAX_PAGE_ENTRIES};

fn file(path: &str, size: u64) -> Entry {
    Entry {
        path: path.into(),
        kind: EntryKind::File {
            size,
            executable: false,
        },
    }
}

fn folder(path: &str) -> Entry {
    Entry {
        path: path.into(),
        kind: EntryKind::Folder,
    }
}

/// Reads `entries` as one manifest, paged as a sender pages it.
fn read(entries: Vec<Entry>) -> Result<tessera_files::manifest::Manifest, ManifestError> {
    let mut reader = ManifestReader::new();
    let pages: Vec<_> = entries.chunks(MAX_PAGE_ENTRIES).collect();
    let count = pages.len().max(1);
    for i in 0..count {
        let page = ManifestPage {
            id: 2,
            entries: pages.get(i).map_or(Vec::new(), |p| p.to_vec()),
            last: i + 1 == count,
        };
        reader.page(&page)?;
    }
    Ok(reader.finish().expect("whole"))
}

#[test]
fn a_folder_of_a_thousand_files_passes_with_its_totals() {
    let mut entries = vec![folder("Logs"), folder("Logs/empty")];
    entries.extend((0..1000).map(|i| file(&format!("Logs/{}/log-{i}.txt", i % 10), i)));
    let manifest = read(entries).expect("a plain folder passes");
    assert_eq!(manifest.items.len(), 1002);
    assert_eq!(manifest.files, 1000);
    assert_eq!(manifest.bytes, (0..1000).sum::<u64>());
}

#[test]
fn hostile_lists_are_refused_at_their_entry_with_the_reason() {
    let refused = |entries: Vec<Entry>| read(entries).expect_err("refused");
    assert_eq!(
        refused(vec![
            file("ok.txt", 1),
            file("../../.ssh/authorized_keys", 1)
        ]),
        ManifestError::Path {
            index: 1,
            why: PathError::Dots("..")
        }
    );
    assert_eq!(
        refused(vec![file("/etc/cron.d/job", 1)]),
        ManifestError::Path {
            index: 0,
            why: PathError::Absolute
        }
    );
    assert_eq!(
        refused(vec![file("a.txt", 1), file("a.txt", 2)]),
        ManifestError::Duplicate {
            index: 1,
            path: "a.txt".into()
        }
    );
    assert_eq!(
        refused(vec![file("Readme.txt", 1), file("README.TXT", 2)]),
        ManifestError::CaseCollision {
            index: 1,
            path: "README.TXT".into(),
            other: "Readme.txt".into()
        }
    );
    // NFC: two spellings of "é" are one name.
    assert!(matches!(
        refused(vec![file("caf\u{e9}", 1), file("cafe\u{301}", 1)]),
        ManifestError::Duplicate { index: 1, .. }
    ));
    assert_eq!(
        refused(vec![file("x", 1), file("x/y", 1)]),
        ManifestError::FileAsFolder {
            index: 1,
            path: "x".into()
        }
    );
    assert_eq!(
        refused(vec![file("x/y", 1), file("x", 1)]),
        ManifestError::FileAsFolder {
            index: 1,
            path: "x".into()
        }
    );
    assert_eq!(
        refused(vec![file("a", u64::MAX), file("b", 1)]),
        ManifestError::TooLarge
    );
    assert_eq!(refused(Vec::new()), ManifestError::Empty);
}

#[test]
fn a_million_entries_are_refused_at_the_limit() {
    let mut reader = ManifestReader::new();
    let mut n = 0;
    let error = loop {
        let entries = (0..MAX_PAGE_ENTRIES)
            .map(|i| file(&format!("f{}", n + i), 0))
            .collect();
        n += MAX_PAGE_ENTRIES;
        let page = ManifestPage {
            id: 2,
            entries,
            last: n >= 1_000_000,
        };
        if let Err(e) = reader.page(&page) {
            break e;
        }
        assert!(n <= MAX_ENTRIES, "never refused");
    };
    assert_eq!(error, ManifestError::TooMany);
}

#[test]
fn pages_must_be_short_and_end_once() {
    let mut reader = ManifestReader::new();
    let long = ManifestPage {
        id: 2,
        entries: (0..=MAX_PAGE_ENTRIES)
            .map(|i| file(&i.to_string(), 0))
            .collect(),
        last: false,
    };
    assert_eq!(
        reader.page(&long).unwrap_err(),
        ManifestError::PageTooLong(MAX_PAGE_ENTRIES + 1)
    );
    let mut reader = ManifestReader::new();
    let last = ManifestPage {
        id: 2,
        entries: vec![file("a", 1)],
        last: true,
    };
    assert!(reader.page(&last).expect("fine").is_some());
    assert_eq!(reader.page(&last).unwrap_err(), ManifestError::AfterLast);
    // Endless empty pages would keep a transfer listing for ever.
    let mut reader = ManifestReader::new();
    let empty = ManifestPage {
        id: 2,
        entries: vec![],
        last: false,
    };
    assert_eq!(reader.page(&empty).unwrap_err(), ManifestError::EmptyPage);
}

#[test]
fn names_a_case_insensitive_disk_would_merge_are_refused_even_as_folders() {
    let refused = |entries: Vec<Entry>| read(entries).expect_err("refused");
    // Found in review: folders on the way were not compared by case.
    assert_eq!(
        refused(vec![file("a/y", 1), file("A/x", 1)]),
        ManifestError::CaseCollision {
            index: 1,
            path: "A".into(),
            other: "a".into()
        }
    );
    // Case folding, not only lower case: ß and SS, ſ and s.
    assert!(matches!(
        refused(vec![file("stra\u{df}e.txt", 1), file("STRASSE.txt", 1)]),
        ManifestError::CaseCollision { index: 1, .. }
    ));
    assert!(matches!(
        refused(vec![file("\u{17f}et", 1), file("set", 1)]),
        ManifestError::CaseCollision { index: 1, .. }
    ));
    // The receive folder's temporary names cannot be taken.
    assert!(matches!(
        refused(vec![file(".a.tessera-part", 1), file("a", 1)]),
        ManifestError::Path {
            index: 0,
            why: PathError::ReservedSuffix(_)
        }
    ));
}
