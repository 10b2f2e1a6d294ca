//! Cosignatures (C2SP `cosignature/v1`): made and checked with a fixed
//! key, the message signed checked by hand against the spec, every way a
//! cosignature is spoiled, and the timestamp vectors of
//! transparency-dev/formats (`note/note_cosigv1_test.go`,
//! `TestCoSigV1Timestamp`, Apache-2.0) and of the spec's example
//! (c2sp.org/tlog-cosignature).

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use ring::signature::{Ed25519KeyPair, KeyPair, UnparsedPublicKey, ED25519};
use tessera_audit::checkpoint::{Checkpoint, CheckpointError};
use tessera_audit::cosignature::{
    cosign, timestamp, verify_cosignature, CosignatureError, COSIGNATURE_BYTES, MAX_TIME,
};
use tessera_audit::note::{key_id, sign, Note, ALG_COSIGNATURE_V1, ALG_ED25519};
use tessera_audit::EMPTY_ROOT;

const WITNESS: &str = "tessera/witness/viewer";
const LOG: &str = "tessera/00112233445566778899aabbccddeeff/agent";
const TIME: u64 = 1_800_000_000;

fn key(seed: u8) -> Ed25519KeyPair {
    Ed25519KeyPair::from_seed_unchecked(&[seed; 32]).expect("seed")
}

fn public(key: &Ed25519KeyPair) -> [u8; 32] {
    key.public_key().as_ref().try_into().expect("32 bytes")
}

fn checkpoint_text() -> String {
    Checkpoint {
        origin: LOG.into(),
        size: 42,
        root: EMPTY_ROOT,
    }
    .text()
}

/// The checkpoint signed by the log (seed 1) and cosigned by the witness
/// (seed 7) at [`TIME`], written and read back.
fn cosigned() -> Note {
    let text = checkpoint_text();
    let note = Note {
        signatures: vec![
            sign(&text, LOG, &key(1)).expect("signed"),
            cosign(&text, WITNESS, &key(7), TIME).expect("cosigned"),
        ],
        text,
    };
    Note::parse(note.to_text().as_bytes()).expect("a note")
}

#[test]
fn a_cosignature_round_trips_and_states_its_time() {
    let note = cosigned();
    assert_eq!(
        verify_cosignature(&note, WITNESS, &public(&key(7))),
        Ok(TIME)
    );
    assert_eq!(note.verify(LOG, &public(&key(1))), Ok(()));
    let line = &note.signatures[1];
    assert_eq!(line.bytes.len(), COSIGNATURE_BYTES);
    assert_eq!(line.key_id, key_id(WITNESS, 0x04, &public(&key(7))));
    assert_eq!(timestamp(line), Some(TIME));
    assert_eq!(timestamp(&note.signatures[0]), None, "a plain signature");
    // 4 + 8 + 64 bytes in base64, no padding needed.
    let blob = line.line().rsplit_once(' ').expect("a blob").1.to_string();
    assert_eq!(STANDARD.decode(blob.trim_end()).expect("base64").len(), 76);
}

#[test]
fn the_message_signed_is_the_spec_s() {
    let witness = key(7);
    let text = checkpoint_text();
    let line = cosign(&text, WITNESS, &witness, TIME).expect("cosigned");
    assert_eq!(line.bytes[..8], TIME.to_be_bytes());
    let message = format!("cosignature/v1\ntime {TIME}\n{text}");
    let public = public(&witness);
    UnparsedPublicKey::new(&ED25519, &public)
        .verify(message.as_bytes(), &line.bytes[8..])
        .expect("the spec's message");
    // Deterministic: the same key, text and time give the same line.
    assert_eq!(cosign(&text, WITNESS, &witness, TIME), Ok(line));
}

#[test]
fn a_changed_text_time_key_or_name_does_not_verify() {
    let public7 = public(&key(7));
    let good = cosigned().to_text();

    let changed = Note::parse(good.replacen("\n42\n", "\n43\n", 1).as_bytes()).expect("note");
    assert_eq!(
        verify_cosignature(&changed, WITNESS, &public7),
        Err(CosignatureError::BadSignature(WITNESS.into()))
    );

    let mut later = cosigned();
    later.signatures[1].bytes[7] ^= 1;
    assert_eq!(
        verify_cosignature(&later, WITNESS, &public7),
        Err(CosignatureError::BadSignature(WITNESS.into()))
    );

    let note = cosigned();
    assert_eq!(
        verify_cosignature(&note, WITNESS, &public(&key(8))),
        Err(CosignatureError::NotCosigned(WITNESS.into()))
    );
    assert_eq!(
        verify_cosignature(&note, "tessera/witness/agent", &public7),
        Err(CosignatureError::NotCosigned(
            "tessera/witness/agent".into()
        ))
    );

    // The right key id (so the line is the key's own) over another key's
    // signature.
    let mut forged = cosigned();
    forged.signatures[1] = cosign(&checkpoint_text(), WITNESS, &key(8), TIME).expect("cosigned");
    forged.signatures[1].key_id = key_id(WITNESS, ALG_COSIGNATURE_V1, &public7);
    assert_eq!(
        verify_cosignature(&forged, WITNESS, &public7),
        Err(CosignatureError::BadSignature(WITNESS.into()))
    );
}

#[test]
fn a_plain_note_signature_is_not_a_cosignature_nor_the_reverse() {
    let witness = key(7);
    let text = checkpoint_text();
    let plain = sign(&text, WITNESS, &witness).expect("signed");
    let note = Note {
        text: text.clone(),
        signatures: vec![plain.clone()],
    };
    // Another key id (type 0x01): no cosignature by this key at all.
    assert_eq!(
        verify_cosignature(&note, WITNESS, &public(&witness)),
        Err(CosignatureError::NotCosigned(WITNESS.into()))
    );
    // The plain signature's 64 bytes under the cosignature's key id.
    let mut relabelled = plain;
    relabelled.key_id = key_id(WITNESS, ALG_COSIGNATURE_V1, &public(&witness));
    let note = Note {
        text: text.clone(),
        signatures: vec![relabelled],
    };
    assert_eq!(
        verify_cosignature(&note, WITNESS, &public(&witness)),
        Err(CosignatureError::WrongLength {
            name: WITNESS.into(),
            len: 64
        })
    );
    // And a cosignature does not pass for a plain note signature, even
    // under the plain key id.
    let mut cosignature = cosign(&text, WITNESS, &witness, TIME).expect("cosigned");
    cosignature.key_id = key_id(WITNESS, ALG_ED25519, &public(&witness));
    let note = Note {
        text,
        signatures: vec![cosignature],
    };
    assert!(note.verify(WITNESS, &public(&witness)).is_err());
}

#[test]
fn time_past_2_63_is_refused_both_ways() {
    let witness = key(7);
    let text = checkpoint_text();
    assert_eq!(MAX_TIME, (1 << 63) - 1);
    assert!(cosign(&text, WITNESS, &witness, MAX_TIME).is_ok());
    assert_eq!(
        cosign(&text, WITNESS, &witness, MAX_TIME + 1),
        Err(CosignatureError::TimeOutOfRange(MAX_TIME + 1))
    );
    // A line claiming 2^63, whatever its signature.
    let mut note = cosigned();
    note.signatures[1].bytes[..8].copy_from_slice(&(MAX_TIME + 1).to_be_bytes());
    assert_eq!(timestamp(&note.signatures[1]), None);
    assert_eq!(
        verify_cosignature(&note, WITNESS, &public(&witness)),
        Err(CosignatureError::TimeOutOfRange(MAX_TIME + 1))
    );
}

#[test]
fn only_a_checkpoint_is_cosigned_by_a_valid_name() {
    let witness = key(7);
    assert_eq!(
        cosign("just a line\n", WITNESS, &witness, TIME),
        Err(CosignatureError::NotCheckpoint(CheckpointError::Lines))
    );
    assert_eq!(
        cosign(&checkpoint_text(), "two words", &witness, TIME),
        Err(CosignatureError::BadName("two words".into()))
    );
}

#[test]
fn one_good_line_among_bad_ones_suffices() {
    let mut note = cosigned();
    let mut bad = note.signatures[1].clone();
    bad.bytes[20] ^= 1;
    note.signatures.insert(1, bad);
    assert_eq!(
        verify_cosignature(&note, WITNESS, &public(&key(7))),
        Ok(TIME)
    );
    note.signatures.remove(2);
    assert_eq!(
        verify_cosignature(&note, WITNESS, &public(&key(7))),
        Err(CosignatureError::BadSignature(WITNESS.into()))
    );
}

/// A signature line's payload as transparency-dev/formats and the spec
/// give it, read through a note.
fn read_line(payload: &str) -> tessera_audit::note::NoteSignature {
    let note = format!("o\n1\nAAAA\n\n\u{2014} w {payload}\n");
    let note = Note::parse(note.as_bytes()).expect("a note");
    note.signatures[0].clone()
}

#[test]
fn timestamps_of_published_cosignatures() {
    // transparency-dev/formats note/note_cosigv1_test.go, TestCoSigV1Timestamp
    // "works".
    let line = read_line(
        "ZGhGuQAAAABm/qTPeyKXD+R2rzyQsxPiP8mXum7qq/iF0u4vanlqJyocWODBt97w9uL+8qT7S5gxEHWWOworDcFiEBYJXORmnFBOBA==",
    );
    assert_eq!(line.key_id, [0x64, 0x68, 0x46, 0xb9]);
    assert_eq!(line.bytes.len(), COSIGNATURE_BYTES);
    assert_eq!(timestamp(&line), Some(1_727_964_367));
    // The same test's "wrong type of signature": a plain Ed25519 note
    // signature, 4 + 64 bytes.
    let line = read_line(
        "eQjRQm6eSKzFoiYalgwCPXu2y3ijtg68is9M46JKxuZB+dRfTmeQeDBoXnvxZx2ugnkyV+MUMLXpWs1hPb/W/4xkNQY=",
    );
    assert_eq!(line.bytes.len(), 64);
    assert_eq!(timestamp(&line), None);
    // c2sp.org/tlog-cosignature, the example's witness.example.com/w1
    // line, signed at the example message's time 1679315147.
    let line = read_line(
        "jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==",
    );
    assert_eq!(timestamp(&line), Some(1_679_315_147));
}
