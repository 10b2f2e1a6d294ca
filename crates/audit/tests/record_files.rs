//! The record folder on disk: created private and new, written in sync
//! order, read back whole; an existing record is never reopened.

mod common;

use common::session;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use tessera_audit::files::{folder_name, read_record, ReadError, RecordFiles, LOG_FILE};
use tessera_audit::record::Side;
use tessera_audit::verify::verify_log;

/// A fresh folder under the system's temporary folder for one test.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tessera-audit-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn a_record_is_private_new_and_reads_back() {
    let parent = scratch("files").join("sessions");
    let name = folder_name(1_796_000_000_000, &[7; 16], Side::Agent);
    assert_eq!(name, "2026-11-30T005320Z-07070707-agent");
    let mut files = RecordFiles::create(&parent, &name).expect("created");
    let (agent, _) = session(7);
    files.append_log(&agent).expect("written");
    files.write_screen(b"TSREC").expect("written");
    let mode =
        |p: &std::path::Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode(files.dir()), 0o700);
    assert_eq!(mode(&parent), 0o700);
    assert_eq!(mode(&files.dir().join(LOG_FILE)), 0o600);
    let dir = files.dir().to_path_buf();
    drop(files);
    for path in [dir.clone(), dir.join(LOG_FILE)] {
        let read = read_record(&path).expect("read");
        assert_eq!(read.log, agent);
        assert_eq!(read.screen.as_deref(), Some(&b"TSREC"[..]));
        assert!(verify_log(&read.log).whole());
    }
    let again = RecordFiles::create(&parent, &name).expect_err("never reopened");
    assert_eq!(again.kind(), std::io::ErrorKind::AlreadyExists);
    let missing = read_record(&parent.join("nothing")).expect_err("nothing there");
    assert!(matches!(missing, ReadError::NotFound(_)));
    assert!(missing.to_string().contains("give a record's folder"));
    std::fs::remove_dir_all(parent.parent().expect("scratch")).expect("cleaned");
}
