//! The leaf lines: exact bytes for each kind (an auditor's verifier and
//! `jq` scripts depend on them), round trips, and named refusals.

use tessera_audit::record::{
    link, origin, Certification, Certifier, Direction, Fact, Leaf, Outcome, RecordError, Side,
    TypedText, MAX_LEAF_BYTES,
};
use tessera_audit::wire::{Base64, Hex};
use tessera_audit::{leaf_hash, EMPTY_ROOT};
use tessera_input::{Button, Key, RefusalKind};
use tessera_proto::{EndReason, Grants, Permission, UpgradeRefusal};

const SESSION: [u8; 16] = [0xab; 16];

fn grants(list: &[Permission]) -> Grants {
    list.to_vec().into()
}

/// One fact of every kind, with the line each must give at n=1, t=250,
/// p=00..01.
fn every_kind() -> Vec<(Fact, &'static str)> {
    let cert = Certification {
        kind: Certifier::Device,
        key: Base64([1; 32]),
        signature: Base64([2; 64]),
    };
    vec![
        (
            Fact::LogOpened {
                format: "tessera-audit/1".into(),
                origin: origin(&SESSION, Side::Agent),
                side: Side::Agent,
                session_id: Hex(SESSION),
                relay: "relay.example:4433".into(),
                software: "tessera-agent 0.1.0".into(),
                log_key: Base64([3; 32]),
                certified_by: cert.clone(),
                wall_ms: 1_796_000_000_000,
                typed_text: TypedText::Recorded,
            },
            r#""k":"log_opened","format":"tessera-audit/1","origin":"tessera/abababababababababababababababab/agent","side":"agent","session_id":"abababababababababababababababab","relay":"relay.example:4433","software":"tessera-agent 0.1.0","log_key":"AwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM=","certified_by":{"kind":"device","key":"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=","signature":"AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAg=="},"wall_ms":1796000000000,"typed_text":"recorded""#,
        ),
        (Fact::Tick { wall_ms: 5 }, r#""k":"tick","wall_ms":5"#),
        (
            Fact::Nameplate {
                nameplate: "4829".into(),
            },
            r#""k":"nameplate","nameplate":"4829""#,
        ),
        (Fact::Paired, r#""k":"paired""#),
        (
            Fact::Secured {
                peer_fingerprint: Hex([0xcd; 32]),
            },
            r#""k":"secured","peer_fingerprint":"cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd""#,
        ),
        (
            Fact::PeerLogKey {
                origin: origin(&SESSION, Side::Viewer),
                key: Base64([4; 32]),
                certified_by: Certification {
                    kind: Certifier::Technician,
                    ..cert
                },
            },
            r#""k":"peer_log_key","origin":"tessera/abababababababababababababababab/viewer","key":"BAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ=","certified_by":{"kind":"technician","key":"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=","signature":"AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAg=="}"#,
        ),
        (
            Fact::Technician {
                name: "Ana".into(),
                org: Some("Helpdesk".into()),
                verified_by: None,
                not_verified: Some("unknown_org".into()),
            },
            r#""k":"technician","name":"Ana","org":"Helpdesk","not_verified":"unknown_org""#,
        ),
        (
            Fact::Ticket {
                id: "INC-42".into(),
                priority: Some("high".into()),
            },
            r#""k":"ticket","id":"INC-42","priority":"high""#,
        ),
        (
            Fact::ConsentRequested {
                requested: grants(&[Permission::View, Permission::Control]),
            },
            r#""k":"consent_requested","requested":["view","control"]"#,
        ),
        (
            Fact::Consent {
                granted: grants(&[Permission::View]),
            },
            r#""k":"consent","granted":["view"]"#,
        ),
        (
            Fact::GrantChanged {
                granted: Grants::NONE,
            },
            r#""k":"grant_changed","granted":[]"#,
        ),
        (
            Fact::UpgradeRequested {
                requested: grants(&[Permission::Chat]),
            },
            r#""k":"upgrade_requested","requested":["chat"]"#,
        ),
        (
            Fact::UpgradeGranted {
                granted: grants(&[Permission::View, Permission::Chat]),
            },
            r#""k":"upgrade_granted","granted":["view","chat"]"#,
        ),
        (
            Fact::UpgradeRefused {
                why: UpgradeRefusal::TooSoon,
            },
            r#""k":"upgrade_refused","why":"too_soon""#,
        ),
        (
            Fact::ContinueCheck { open: true },
            r#""k":"continue_check","open":true"#,
        ),
        (
            Fact::Key {
                key: Key::KeyA,
                down: true,
                text: Some('a'),
                outcome: Outcome::Injected,
                why: None,
            },
            r#""k":"key","key":"KeyA","down":true,"text":"a","outcome":"injected""#,
        ),
        (
            Fact::Text {
                text: None,
                chars: 12,
                outcome: Outcome::Refused,
                why: Some(RefusalKind::PromptOpen),
            },
            r#""k":"text","chars":12,"outcome":"refused","why":"prompt_open""#,
        ),
        (
            Fact::Click {
                button: Button::Left,
                down: false,
                x: 10,
                y: 20,
                outcome: Outcome::Injected,
                why: None,
            },
            r#""k":"click","button":"Left","down":false,"x":10,"y":20,"outcome":"injected""#,
        ),
        (
            Fact::Scroll {
                dx: 0,
                dy: -120,
                outcome: Outcome::Refused,
                why: Some(RefusalKind::NotGranted),
            },
            r#""k":"scroll","dx":0,"dy":-120,"outcome":"refused","why":"not_granted""#,
        ),
        (
            Fact::Moves {
                count: 31,
                x: 5,
                y: 6,
                outcome: Outcome::Injected,
                why: None,
            },
            r#""k":"moves","count":31,"x":5,"y":6,"outcome":"injected""#,
        ),
        (
            Fact::Chat {
                from: Side::Viewer,
                text: "Bonjour \"Ana\"\n".into(),
            },
            r#""k":"chat","from":"viewer","text":"Bonjour \"Ana\"\n""#,
        ),
        (
            Fact::Clipboard {
                dir: Direction::ToAgent,
                bytes: 3,
                sha256: Hex([0; 32]),
            },
            r#""k":"clipboard","dir":"to_agent","bytes":3,"sha256":"0000000000000000000000000000000000000000000000000000000000000000""#,
        ),
        (
            Fact::File {
                dir: Direction::ToViewer,
                name: "log.txt".into(),
                bytes: 9,
                sha256: Hex([0x11; 32]),
            },
            r#""k":"file","dir":"to_viewer","name":"log.txt","bytes":9,"sha256":"1111111111111111111111111111111111111111111111111111111111111111""#,
        ),
        (
            Fact::FileOffered {
                dir: Direction::ToAgent,
                name: "logs".into(),
                files: 42,
                bytes: 123_456,
            },
            r#""k":"file_offered","dir":"to_agent","name":"logs","files":42,"bytes":123456"#,
        ),
        (
            Fact::FetchAnswered {
                path: "~/rapport.txt".into(),
                allowed: true,
            },
            r#""k":"fetch_answered","path":"~/rapport.txt","allowed":true"#,
        ),
        (
            Fact::LocalUser { active: false },
            r#""k":"local_user","active":false"#,
        ),
        (
            Fact::Note {
                text: "Printer driver reinstalled.".into(),
            },
            r#""k":"note","text":"Printer driver reinstalled.""#,
        ),
        (
            Fact::PeerCheckpoint {
                note: "o\n1\nr\n\n— o x\n".into(),
            },
            r#""k":"peer_checkpoint","note":"o\n1\nr\n\n— o x\n""#,
        ),
        (
            Fact::Cosigned {
                size: 7,
                line: "— o y\n".into(),
            },
            r#""k":"cosigned","size":7,"line":"— o y\n""#,
        ),
        (
            Fact::ScreenSegment {
                i: 2,
                offset: 100,
                len: 50,
                sha256: Hex([0x22; 32]),
                first_us: 1,
                last_us: 999,
                keyframe: true,
            },
            r#""k":"screen_segment","i":2,"offset":100,"len":50,"sha256":"2222222222222222222222222222222222222222222222222222222222222222","first_us":1,"last_us":999,"keyframe":true"#,
        ),
        (
            Fact::Snapshot {
                seq: 12,
                sha256: Hex([0x33; 32]),
            },
            r#""k":"snapshot","seq":12,"sha256":"3333333333333333333333333333333333333333333333333333333333333333""#,
        ),
        (
            Fact::Error {
                what: "disk full".into(),
            },
            r#""k":"error","what":"disk full""#,
        ),
        (
            Fact::SessionEnded {
                reason: EndReason::UserEnded,
                detail: None,
            },
            r#""k":"session_ended","reason":"user_ended""#,
        ),
        (Fact::LogClosed, r#""k":"log_closed""#),
    ]
}

#[test]
fn every_kind_has_its_exact_line_and_reads_back() {
    let mut kinds = std::collections::HashSet::new();
    for (fact, body) in every_kind() {
        assert!(kinds.insert(fact.kind()), "{} twice", fact.kind());
        assert!(body.starts_with(&format!("\"k\":\"{}\"", fact.kind())));
        let leaf = Leaf {
            n: 1,
            t: 250,
            p: Hex([0, 0, 0, 0, 0, 0, 0, 1]),
            fact,
        };
        let line = leaf.encode().unwrap();
        let expected = format!(r#"{{"n":1,"t":250,"p":"0000000000000001",{body}}}"#);
        assert_eq!(String::from_utf8(line.clone()).unwrap(), expected);
        assert!(!line.contains(&b'\n'));
        assert_eq!(Leaf::decode(&line).unwrap(), leaf);
    }
    assert_eq!(kinds.len(), 34, "a kind was added: give it a line here");
}

#[test]
fn link_is_the_previous_hash_s_first_bytes() {
    let hash = leaf_hash(b"x");
    assert_eq!(link(&hash).0[..], hash[..8]);
    assert_ne!(link(&EMPTY_ROOT), link(&hash));
}

#[test]
fn bad_lines_are_refused_with_the_reason() {
    let ok = r#"{"n":0,"t":0,"p":"0000000000000000","k":"paired"}"#;
    assert!(Leaf::decode(ok.as_bytes()).is_ok());
    let refused = [
        (r#"{"checkpoint":"x"}"#, "not a leaf line"),
        (
            r#" {"n":0,"t":0,"p":"0000000000000000","k":"paired"}"#,
            "not a leaf",
        ),
        (
            r#"{"n":0,"t":0,"p":"000000000000000","k":"paired"}"#,
            "16 lowercase hex",
        ),
        (
            r#"{"n":0,"t":0,"p":"000000000000000A","k":"paired"}"#,
            "16 lowercase hex",
        ),
        (
            r#"{"n":0,"t":0,"p":"000000000000000g","k":"paired"}"#,
            "16 lowercase hex",
        ),
        (
            r#"{"n":0,"t":0,"p":"0000000000000000","k":"launched"}"#,
            "unknown variant",
        ),
        (
            r#"{"n":0,"t":0,"p":"0000000000000000"}"#,
            "missing field `k`",
        ),
        (
            r#"{"n":-1,"t":0,"p":"0000000000000000","k":"paired"}"#,
            "leaf does not read",
        ),
        (
            r#"{"n":0,"t":0,"p":"0000000000000000","k":"consent","granted":["root"]}"#,
            "unknown variant",
        ),
        (
            r#"{"n":0,"t":0,"p":"0000000000000000","k":"secured","peer_fingerprint":"00"}"#,
            "64 lowercase hex",
        ),
        (
            r#"{"n":0,"t":0,"p":"0000000000000000","k":"peer_log_key","origin":"o","key":"AAAA","certified_by":{"kind":"device","key":"AAAA","signature":"AAAA"}}"#,
            "32 bytes in base64",
        ),
        (r#"{"n":0,"t":0,"p":"0000000000000000","k":"paired""#, "EOF"),
        // One meaning only: a repeated key could read differently in
        // another JSON library.
        (
            r#"{"n":0,"n":1,"t":0,"p":"0000000000000000","k":"paired"}"#,
            "duplicate field",
        ),
        (
            r#"{"n":0,"t":0,"p":"0000000000000000","k":"tick","wall_ms":1,"wall_ms":2}"#,
            "duplicate field",
        ),
        (
            r#"{"n":0,"t":0,"p":"0000000000000000","k":"tick","k":"paired","wall_ms":1}"#,
            "duplicate",
        ),
        // Reads, but is not how the writer writes it.
        (
            r#"{"n":0,"t":0,"p":"0000000000000000","k":"paired","x":1}"#,
            "canonical",
        ),
        (
            r#"{"n":0,"t":0,"k":"paired","p":"0000000000000000"}"#,
            "canonical",
        ),
        (
            r#"{"n":0, "t":0,"p":"0000000000000000","k":"paired"}"#,
            "canonical",
        ),
        (
            r#"{"n":0,"t":0,"p":"0000000000000000","k":"note","text":"\u0041"}"#,
            "canonical",
        ),
        (
            r#"{"n":0,"t":0,"p":"0000000000000000","k":"ticket","id":"a","priority":null}"#,
            "canonical",
        ),
    ];
    for (line, why) in refused {
        let error = Leaf::decode(line.as_bytes()).unwrap_err().to_string();
        assert!(error.contains(why), "{line}: {error}");
    }
    let long = format!(
        r#"{{"n":0,"k":"note","text":"{}"}}"#,
        "a".repeat(MAX_LEAF_BYTES)
    );
    assert!(matches!(
        Leaf::decode(long.as_bytes()),
        Err(RecordError::TooLarge(_))
    ));
    let note = Leaf {
        n: 0,
        t: 0,
        p: Hex([0; 8]),
        fact: Fact::Note {
            text: "a".repeat(MAX_LEAF_BYTES),
        },
    };
    assert!(matches!(note.encode(), Err(RecordError::TooLarge(_))));
}
