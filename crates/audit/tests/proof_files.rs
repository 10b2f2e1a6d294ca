//! tlog-proof files (C2SP `tlog-proof@v1`): the expected strings of
//! transparency-dev/formats (`proof/tlog_proof_test.go`, `TestMarshal`,
//! Apache-2.0), round trips, every way a file is refused, and a proof of
//! one record of a signed and cosigned ten-leaf log, checked end to end.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use ring::digest::{digest, SHA256};
use ring::signature::{Ed25519KeyPair, KeyPair};
use tessera_audit::checkpoint::{Checkpoint, CheckpointError};
use tessera_audit::cosignature::{cosign, verify_cosignature};
use tessera_audit::note::{sign, Note, NoteError};
use tessera_audit::proof_file::{
    ProofFileError, TlogProof, MAX_EXTRA_BYTES, MAX_PATH, MAX_PROOF_FILE_BYTES,
};
use tessera_audit::{inclusion_proof, leaf_hash, root_of, Hash, ProofError};

fn sha256(bytes: &[u8]) -> Hash {
    digest(&SHA256, bytes)
        .as_ref()
        .try_into()
        .expect("32 bytes")
}

/// TestMarshal's cases, with their expected files as the test formats
/// them: `h1`, `h2` are SHA-256 of "hash1" and "hash2", the extra data
/// "extra information".
#[test]
fn transparency_dev_s_files_are_written_byte_for_byte() {
    let (h1, h2) = (sha256(b"hash1"), sha256(b"hash2"));
    let h1b64 = "rzFuy5Go7nrpkhBwKy1HWPMM3eO/YePY54fXRoH5Cm4=";
    let h2b64 = "5784L25ZFbP4hhm4ZiI+vx1RxMUyHMzeLp/3AKMlkIY=";
    let extra_b64 = "ZXh0cmEgaW5mb3JtYXRpb24=";
    let cases = [
        (
            TlogProof {
                extra: None,
                index: 5,
                path: vec![h1, h2],
                note: "test checkpoint\n".into(),
            },
            format!("c2sp.org/tlog-proof@v1\nindex 5\n{h1b64}\n{h2b64}\n\ntest checkpoint\n"),
        ),
        (
            TlogProof {
                extra: Some(b"extra information".to_vec()),
                index: 10,
                path: vec![h1],
                note: "checkpoint data\n".into(),
            },
            format!(
                "c2sp.org/tlog-proof@v1\nextra {extra_b64}\nindex 10\n{h1b64}\n\ncheckpoint data\n"
            ),
        ),
        (
            TlogProof {
                extra: None,
                index: 0,
                path: vec![],
                note: "checkpoint\n".into(),
            },
            "c2sp.org/tlog-proof@v1\nindex 0\n\ncheckpoint\n".to_string(),
        ),
    ];
    for (proof, want) in cases {
        assert_eq!(proof.to_text(), want);
        assert_eq!(TlogProof::parse(want.as_bytes()), Ok(proof), "{want:?}");
    }
}

#[test]
fn files_round_trip() {
    let proofs = [
        TlogProof {
            extra: Some(vec![]),
            index: u64::MAX,
            path: vec![[0xab; 32]; MAX_PATH],
            note: "o\n1\nAAAA\n\n\u{2014} k AAAAAAA=\n".into(),
        },
        TlogProof {
            extra: Some(vec![0xff; MAX_EXTRA_BYTES]),
            index: 123,
            path: vec![sha256(b"a"), sha256(b"b")],
            note: "x".into(),
        },
    ];
    for proof in proofs {
        let text = proof.to_text();
        assert!(text.len() <= MAX_PROOF_FILE_BYTES);
        assert_eq!(TlogProof::parse(text.as_bytes()), Ok(proof));
    }
}

#[test]
fn malformed_files_are_refused_with_the_reason() {
    let h = "rzFuy5Go7nrpkhBwKy1HWPMM3eO/YePY54fXRoH5Cm4=";
    let head = "c2sp.org/tlog-proof@v1\n";
    let short = STANDARD.encode([0; 31]);
    let too_much = STANDARD.encode(vec![0; MAX_EXTRA_BYTES + 1]);
    let cases: Vec<(String, ProofFileError)> = vec![
        (
            "wrong-header\nindex 0\n\ncheckpoint\n".into(),
            ProofFileError::MissingHeader,
        ),
        (
            "c2sp.org/tlog-proof@v2\nindex 0\n\nc\n".into(),
            ProofFileError::MissingHeader,
        ),
        (
            format!("{head}\n\n\ncheckpoint\n"),
            ProofFileError::MissingIndex,
        ),
        (head.into(), ProofFileError::MissingIndex),
        (format!("{head}extra AAAA\n"), ProofFileError::MissingIndex),
        (
            format!("{head}index 1\nextra AAAA\n\nc\n"),
            ProofFileError::HashNotBase64(1),
        ),
        (
            format!("{head}extra !!notbase64!!\nindex 0\n\ncheckpoint\n"),
            ProofFileError::ExtraNotBase64,
        ),
        (
            format!("{head}extra AAA\nindex 0\n\nc\n"),
            ProofFileError::ExtraNotBase64,
        ),
        (
            format!("{head}index 01\n\nc\n"),
            ProofFileError::BadIndex("01".into()),
        ),
        (
            format!("{head}index -5\n\nc\n"),
            ProofFileError::BadIndex("-5".into()),
        ),
        (
            format!("{head}index notanumber\n\nc\n"),
            ProofFileError::BadIndex("notanumber".into()),
        ),
        (
            format!("{head}index \n\nc\n"),
            ProofFileError::BadIndex(String::new()),
        ),
        (
            format!("{head}index 18446744073709551616\n\nc\n"),
            ProofFileError::BadIndex("18446744073709551616".into()),
        ),
        (
            format!("{head}index  1\n\nc\n"),
            ProofFileError::BadIndex(" 1".into()),
        ),
        (
            format!("{head}index 0\n!!notbase64!!\n\ncheckpoint\n"),
            ProofFileError::HashNotBase64(1),
        ),
        (
            format!("{head}index 0\n{h}\n{h}\r\n\nc\n"),
            ProofFileError::HashNotBase64(2),
        ),
        (
            format!("{head}index 0\n{short}\n\nc\n"),
            ProofFileError::HashLength { number: 1, len: 31 },
        ),
        (
            format!("{head}index 0\n{h}\n{}\n\nc\n", "A".repeat(88)),
            ProofFileError::HashLength { number: 2, len: 66 },
        ),
        (
            format!(
                "{head}index 0\n{}\nc\n",
                format!("{h}\n").repeat(MAX_PATH + 1)
            ),
            ProofFileError::TooManyHashes,
        ),
        (format!("{head}index 0\n{h}\n"), ProofFileError::NoBlankLine),
        (format!("{head}index 0\n{h}"), ProofFileError::NoBlankLine),
        (format!("{head}index 0\n"), ProofFileError::NoBlankLine),
        (format!("{head}index 0\n\n"), ProofFileError::NoNote),
        (
            format!("{head}index 0\n\n{}", "x".repeat(16 * 1024 + 1)),
            ProofFileError::NoteTooLarge(16 * 1024 + 1),
        ),
        (
            format!("{head}extra {too_much}\nindex 0\n\nc\n"),
            ProofFileError::ExtraTooLarge(MAX_EXTRA_BYTES + 1),
        ),
        (
            "x".repeat(MAX_PROOF_FILE_BYTES + 1),
            ProofFileError::TooLarge(MAX_PROOF_FILE_BYTES + 1),
        ),
    ];
    for (file, why) in cases {
        assert_eq!(TlogProof::parse(file.as_bytes()), Err(why), "{file:.200?}");
    }
    assert_eq!(
        TlogProof::parse(b"c2sp.org/tlog-proof@v1\nindex 0\n\n\xff\n"),
        Err(ProofFileError::NotUtf8)
    );
}

const LOG: &str = "tessera/00112233445566778899aabbccddeeff/agent";
const WITNESS: &str = "tessera/00112233445566778899aabbccddeeff/viewer";

fn public(key: &Ed25519KeyPair) -> [u8; 32] {
    key.public_key().as_ref().try_into().expect("32 bytes")
}

/// Ten leaves, their tree's checkpoint signed by the log (seed 1) and
/// cosigned by the other end (seed 7), and the proof file of leaf 6.
fn ten_leaves() -> (Vec<Hash>, TlogProof) {
    let leaves: Vec<Hash> = (0..10)
        .map(|i| leaf_hash(format!("event {i}").as_bytes()))
        .collect();
    let checkpoint = Checkpoint {
        origin: LOG.into(),
        size: 10,
        root: root_of(&leaves),
    };
    let text = checkpoint.text();
    let (log, witness) = (
        Ed25519KeyPair::from_seed_unchecked(&[1; 32]).expect("seed"),
        Ed25519KeyPair::from_seed_unchecked(&[7; 32]).expect("seed"),
    );
    let note = Note {
        signatures: vec![
            sign(&text, LOG, &log).expect("signed"),
            cosign(&text, WITNESS, &witness, 1_800_000_000).expect("cosigned"),
        ],
        text,
    };
    let proof = TlogProof {
        extra: Some(b"event 6".to_vec()),
        index: 6,
        path: inclusion_proof(&leaves[..], 6, 10).expect("a path"),
        note: note.to_text(),
    };
    (leaves, proof)
}

#[test]
fn a_proof_of_one_record_verifies_end_to_end() {
    let (leaves, proof) = ten_leaves();
    let log = public(&Ed25519KeyPair::from_seed_unchecked(&[1; 32]).expect("seed"));
    let witness = public(&Ed25519KeyPair::from_seed_unchecked(&[7; 32]).expect("seed"));
    let text = proof.to_text();
    let read = TlogProof::parse(text.as_bytes()).expect("parsed");
    assert_eq!(read, proof);
    let checkpoint = read.verify(LOG, &log, &leaves[6]).expect("verified");
    assert_eq!(checkpoint.origin, LOG);
    assert_eq!(checkpoint.size, 10);
    let note = read.read_note().expect("a note");
    assert_eq!(
        verify_cosignature(&note, WITNESS, &witness),
        Ok(1_800_000_000)
    );

    // Another leaf, or the same path claimed for another index.
    assert_eq!(
        read.verify(LOG, &log, &leaves[5]),
        Err(ProofFileError::Inclusion(ProofError::RootMismatch))
    );
    for index in [5, 7, 2] {
        let other = TlogProof {
            index,
            ..read.clone()
        };
        assert!(
            matches!(
                other.verify(LOG, &log, &leaves[6]),
                Err(ProofFileError::Inclusion(_))
            ),
            "index {index}"
        );
    }
    assert_eq!(
        TlogProof {
            index: 10,
            ..read.clone()
        }
        .verify(LOG, &log, &leaves[6]),
        Err(ProofFileError::Inclusion(ProofError::IndexOutOfRange {
            index: 10,
            size: 10
        }))
    );
    // A path one hash short, or one too long.
    let mut short = read.clone();
    short.path.pop();
    assert_eq!(
        short.verify(LOG, &log, &leaves[6]),
        Err(ProofFileError::Inclusion(ProofError::TooShort))
    );
    let mut long = read.clone();
    long.path.push([0; 32]);
    assert_eq!(
        long.verify(LOG, &log, &leaves[6]),
        Err(ProofFileError::Inclusion(ProofError::TooLong))
    );
}

#[test]
fn the_note_must_be_signed_by_the_log_and_a_checkpoint() {
    let (leaves, proof) = ten_leaves();
    let log_key = Ed25519KeyPair::from_seed_unchecked(&[1; 32]).expect("seed");
    let log = public(&log_key);
    // The witness's key is not the log's.
    let witness = public(&Ed25519KeyPair::from_seed_unchecked(&[7; 32]).expect("seed"));
    assert_eq!(
        proof.verify(WITNESS, &witness, &leaves[6]),
        Err(ProofFileError::Note(NoteError::NotSigned(WITNESS.into())))
    );
    // A changed checkpoint no longer carries the log's signature.
    let changed = TlogProof {
        note: proof.note.replacen("\n10\n", "\n11\n", 1),
        ..proof.clone()
    };
    assert_eq!(
        changed.verify(LOG, &log, &leaves[6]),
        Err(ProofFileError::Note(NoteError::NotSigned(LOG.into())))
    );
    // A note that is not one.
    let bare = TlogProof {
        note: "checkpoint\n".into(),
        ..proof.clone()
    };
    assert_eq!(
        bare.verify(LOG, &log, &leaves[6]),
        Err(ProofFileError::Note(NoteError::NoSeparator))
    );
    // A note the log signed whose text is not a checkpoint.
    let text = "not a checkpoint\n";
    let signed = Note {
        text: text.into(),
        signatures: vec![sign(text, LOG, &log_key).expect("signed")],
    };
    let other = TlogProof {
        note: signed.to_text(),
        ..proof
    };
    assert_eq!(
        other.verify(LOG, &log, &leaves[6]),
        Err(ProofFileError::Checkpoint(CheckpointError::Lines))
    );
}
