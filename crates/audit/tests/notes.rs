//! Signed notes against Go's `golang.org/x/mod/sumdb/note` example key
//! (its documentation's "PeterNeumann" key and signature: Ed25519 is
//! deterministic, so the line must come out byte for byte), and the ways
//! a note is refused.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use ring::signature::{Ed25519KeyPair, KeyPair};
use tessera_audit::note::{
    parse_verifier_key, sign, verifier_key, Note, NoteError, MAX_NOTE_BYTES,
};

const TEXT: &str =
    "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PRIVATE: &str = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const VERIFIER: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const LINE: &str = "\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

fn peter() -> Ed25519KeyPair {
    let blob = STANDARD.decode(PRIVATE).expect("base64");
    assert_eq!(blob[0], 0x01, "an Ed25519 key");
    Ed25519KeyPair::from_seed_unchecked(&blob[1..]).expect("seed")
}

fn public(key: &Ed25519KeyPair) -> [u8; 32] {
    key.public_key().as_ref().try_into().expect("32 bytes")
}

#[test]
fn go_s_example_is_reproduced_byte_for_byte() {
    let key = peter();
    assert_eq!(verifier_key("PeterNeumann", &public(&key)), VERIFIER);
    let signature = sign(TEXT, "PeterNeumann", &key).expect("signed");
    assert_eq!(signature.line(), LINE);
    let note = Note {
        text: TEXT.into(),
        signatures: vec![signature],
    };
    let written = note.to_text();
    assert_eq!(written, format!("{TEXT}\n{LINE}"));
    let read = Note::parse(written.as_bytes()).expect("parsed");
    assert_eq!(read, note);
    assert_eq!(read.verify("PeterNeumann", &public(&key)), Ok(()));
}

#[test]
fn a_changed_text_name_or_key_does_not_verify() {
    let key = peter();
    let good = format!("{TEXT}\n{LINE}");
    let changed = good.replacen("problem", "problems", 1);
    let note = Note::parse(changed.as_bytes()).expect("still a note");
    assert!(matches!(
        note.verify("PeterNeumann", &public(&key)),
        Err(NoteError::NotSigned(_))
    ));
    let note = Note::parse(good.as_bytes()).expect("note");
    assert!(note.verify("Peter", &public(&key)).is_err());
    let other = Ed25519KeyPair::from_seed_unchecked(&[7; 32]).expect("seed");
    assert!(note.verify("PeterNeumann", &public(&other)).is_err());
}

#[test]
fn malformed_notes_are_refused_with_the_reason() {
    let cases: Vec<(String, NoteError)> = vec![
        (TEXT.into(), NoteError::NoSeparator),
        (format!("{TEXT}{LINE}"), NoteError::NoSeparator),
        (format!("{TEXT}\n"), NoteError::SignatureCount(0)),
        (
            format!("{TEXT}\n- PeterNeumann AAAA\n"),
            NoteError::BadLine(1),
        ),
        (
            format!("{TEXT}\n{LINE}\u{2014} bad+name AAAAAAA=\n"),
            NoteError::BadLine(2),
        ),
        (
            format!("{TEXT}\n\u{2014} Short AAAA\n"),
            NoteError::BadLine(1),
        ),
        (format!("tab\there\n\n{LINE}"), NoteError::ControlCharacter),
        (
            format!("{TEXT}\n{}", LINE.repeat(33)),
            NoteError::SignatureCount(33),
        ),
        (
            "x".repeat(MAX_NOTE_BYTES + 1),
            NoteError::TooLarge(MAX_NOTE_BYTES + 1),
        ),
    ];
    for (note, why) in cases {
        assert_eq!(Note::parse(note.as_bytes()), Err(why), "{note:?}");
    }
    assert_eq!(Note::parse(&[0xff, b'\n', b'\n']), Err(NoteError::NotUtf8));
    // Signing refuses what could not be read back.
    let key = peter();
    assert!(matches!(
        sign("no final line feed", "k", &key),
        Err(NoteError::NoSeparator)
    ));
    assert!(matches!(
        sign(TEXT, "two words", &key),
        Err(NoteError::BadName(_))
    ));
}

#[test]
fn a_verifier_key_reads_back_and_a_typo_is_refused() {
    let key = peter();
    let (name, read) = parse_verifier_key(VERIFIER).expect("Go's key reads");
    assert_eq!((name.as_str(), read), ("PeterNeumann", public(&key)));
    for bad in [
        "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumanm+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3+Ahpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3",
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T",
        "",
    ] {
        assert!(
            matches!(parse_verifier_key(bad), Err(NoteError::BadVerifierKey(_))),
            "{bad}"
        );
    }
}
