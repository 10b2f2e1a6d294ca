//! Arbitrary bytes as what an auditor is handed: a signed note, a
//! checkpoint's text, a tlog-proof file. Each read returns a value or a
//! named error, never a panic, and what reads is written back byte for
//! byte. A note that reads is checked for the fixture log's signature
//! and the fixture witness's cosignature, and a proof file is verified
//! against the fixture log key for the leaf whose record is its `extra`
//! data (as the seeds make them), so the checks' inner paths are reached:
//! whatever verifies is by those keys and states an in-range time.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;
use tessera_audit::checkpoint::Checkpoint;
use tessera_audit::cosignature::{timestamp, verify_cosignature, MAX_TIME};
use tessera_audit::leaf_hash;
use tessera_audit::note::Note;
use tessera_audit::proof_file::TlogProof;
use tessera_fuzz::fixtures::{
    audit_log_key, audit_public, audit_witness_key, AUDIT_LOG, AUDIT_WITNESS,
};

static LOG: LazyLock<[u8; 32]> = LazyLock::new(|| audit_public(&audit_log_key()));
static WITNESS: LazyLock<[u8; 32]> = LazyLock::new(|| audit_public(&audit_witness_key()));

fn check_note(note: &Note) {
    if note.verify(AUDIT_LOG, &LOG).is_ok() {
        assert!(note.signatures.iter().any(|s| s.name == AUDIT_LOG));
    }
    if let Ok(time) = verify_cosignature(note, AUDIT_WITNESS, &WITNESS) {
        assert!(time <= MAX_TIME);
        assert!(note
            .signatures
            .iter()
            .any(|s| s.name == AUDIT_WITNESS && timestamp(s) == Some(time)));
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(note) = Note::parse(data) {
        assert_eq!(note.to_text().as_bytes(), data, "a note reads back");
        check_note(&note);
    }
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(checkpoint) = Checkpoint::parse(text) {
            assert_eq!(checkpoint.text(), text, "a checkpoint reads back");
        }
    }
    if let Ok(proof) = TlogProof::parse(data) {
        assert_eq!(proof.to_text().as_bytes(), data, "a proof reads back");
        let record = proof.extra.clone().unwrap_or_default();
        if let Ok(checkpoint) = proof.verify(AUDIT_LOG, &LOG, &leaf_hash(&record)) {
            assert!(proof.index < checkpoint.size);
            assert!(proof.path.len() <= 64);
        }
        if let Ok(note) = proof.read_note() {
            check_note(&note);
        }
    }
});
