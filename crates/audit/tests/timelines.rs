//! The auditor's timeline of a record (`tessera-viewer audit show`): a
//! session written by the real writer on both ends, each witnessing and
//! cosigning the other's checkpoints, verified, then shown for a terminal
//! and as JSON lines for `jq`.

use ring::signature::{Ed25519KeyPair, KeyPair};
use serde_json::Value;
use tessera_audit::log::Log;
use tessera_audit::record::{
    origin, Certification, Certifier, Direction, Fact, Outcome, Side, TypedText, FORMAT,
};
use tessera_audit::timeline::{entries, render_json, render_text};
use tessera_audit::verify::{verify_log, Report};
use tessera_audit::wire::{Base64, Hex};
use tessera_audit::witness::Witness;
use tessera_input::{Key, RefusalKind};
use tessera_proto::{EndReason, Grants, Lang, Permission};

/// When the logs open: 1 796 000 000 s after the epoch is 20 787 days
/// (2026-11-30) and 3 200 s, so 2026-11-30T00:53:20.000Z.
const WALL_MS: u64 = 1_796_000_000_000;

/// What the person's chat line says: it would clear a terminal, break
/// the line and reverse what follows, were it shown as it is.
const HOSTILE: &str = "\u{1b}[2J\n\u{202e}evil";

fn key(seed: u8) -> Ed25519KeyPair {
    Ed25519KeyPair::from_seed_unchecked(&[seed; 32]).expect("key")
}

fn public(key: &Ed25519KeyPair) -> [u8; 32] {
    key.public_key().as_ref().try_into().expect("32 bytes")
}

/// One end: its log, its file, its view of the other's log.
struct End {
    log: Log,
    file: Vec<u8>,
    witness: Option<Witness>,
    certification: Certification,
}

impl End {
    fn open(side: Side, seed: u8, wall_ms: u64) -> End {
        let session = [0x5e; 16];
        let log_key = key(seed);
        let certifier = key(seed + 100);
        let origin = origin(&session, side);
        let message = tessera_audit::certificate_message(&origin, &public(&log_key));
        let certification = Certification {
            kind: match side {
                Side::Agent => Certifier::Device,
                Side::Viewer => Certifier::Technician,
            },
            key: Base64(public(&certifier)),
            signature: Base64(certifier.sign(&message).as_ref().try_into().expect("64")),
        };
        let opening = Fact::LogOpened {
            format: FORMAT.into(),
            origin,
            side,
            session_id: Hex(session),
            relay: "relay.example.org:4433".into(),
            software: "tessera 0.1.0".into(),
            log_key: Base64(public(&log_key)),
            certified_by: certification.clone(),
            wall_ms,
            typed_text: TypedText::Recorded,
        };
        let (log, file) = Log::open(log_key, 0, opening).expect("open");
        End {
            log,
            file,
            witness: None,
            certification,
        }
    }

    fn record(&mut self, t: u64, fact: Fact) {
        let line = self.log.append(t, fact).expect("append");
        self.file.extend(line);
    }

    /// Learns the other end's log key (as its `LogKey` message gives it).
    fn meet(&mut self, t: u64, other: &End) {
        let key = other.log.public_key();
        self.record(
            t,
            Fact::PeerLogKey {
                origin: other.log.origin().into(),
                key: Base64(key),
                certified_by: other.certification.clone(),
            },
        );
        self.witness = Some(Witness::new(other.log.origin().into(), key));
    }

    /// Seals a stretch at `t` with the wall clock `wall_ms` in its tick;
    /// the checkpoint goes to `other`, which witnesses it once it knows
    /// this end's key, and its cosignature comes back.
    fn seal(&mut self, t: u64, wall_ms: u64, closing: bool, other: &mut End) {
        let Some(sealed) = self.log.seal(t, wall_ms, closing).expect("seal") else {
            return;
        };
        self.file.extend(sealed.leaves);
        self.file.extend(sealed.checkpoint_line);
        let Some(witness) = other.witness.as_mut() else {
            return;
        };
        let sent = self.log.for_peer().expect("proof").expect("new");
        let witnessed = witness
            .witness(
                &mut other.log,
                t,
                t / 1_000_000,
                &sent.note,
                sent.from,
                &sent.proof,
            )
            .expect("witnessed");
        let line = witnessed.cosignature.line();
        other.file.extend(witnessed.line);
        let cosigned = self
            .log
            .cosigned(
                t,
                witnessed.checkpoint.size,
                &line,
                other.log.origin(),
                &other.log.public_key(),
            )
            .expect("cosigned");
        self.file.extend(cosigned);
    }
}

fn grants(list: &[Permission]) -> Grants {
    list.iter().copied().collect()
}

/// The agent's record of a session: pairing, the technician, consent,
/// typing, chat (one line of it hostile), refused input, clipboard and a
/// file, then a wall clock set a minute forward (its tick re-anchors the
/// times after it), a grant taken back, a screen segment and the end.
/// Closed and sealed when `close`; otherwise the events after the tick at
/// 2 s are left under no checkpoint, as a crash would leave them.
fn agent_record(close: bool, wall_ms: u64) -> Vec<u8> {
    let mut agent = End::open(Side::Agent, 1, wall_ms);
    let mut viewer = End::open(Side::Viewer, 2, wall_ms);
    let (a, v) = (&mut agent, &mut viewer);
    a.record(
        5,
        Fact::Nameplate {
            nameplate: "4217".into(),
        },
    );
    a.record(10, Fact::Paired);
    v.record(10, Fact::Paired);
    a.seal(20, wall_ms, false, v);
    v.seal(20, wall_ms, false, a);
    a.meet(30, v);
    v.meet(30, a);
    a.record(
        35,
        Fact::Technician {
            name: "Jane Doe".into(),
            org: Some("Acme IT".into()),
            verified_by: Some("Acme IT".into()),
            not_verified: None,
        },
    );
    let asked = grants(&[Permission::View, Permission::Control, Permission::Chat]);
    a.record(40, Fact::ConsentRequested { requested: asked });
    a.record(50, Fact::Consent { granted: asked });
    v.record(50, Fact::Consent { granted: asked });
    a.seal(1_000_000, wall_ms.saturating_add(1000), false, v);
    v.seal(1_000_000, wall_ms.saturating_add(1000), false, a);

    let press = |key, text, outcome, why| Fact::Key {
        key,
        down: true,
        text,
        outcome,
        why,
    };
    a.record(
        1_100_000,
        press(Key::KeyL, Some('l'), Outcome::Injected, None),
    );
    a.record(
        1_200_000,
        Fact::Text {
            text: Some("lpstat -p\n".into()),
            chars: 10,
            outcome: Outcome::Injected,
            why: None,
        },
    );
    let chat = |from, text: &str| Fact::Chat {
        from,
        text: text.into(),
    };
    a.record(1_300_000, chat(Side::Viewer, "Je regarde votre imprimante"));
    a.record(1_400_000, chat(Side::Agent, HOSTILE));
    a.record(1_450_000, Fact::LocalUser { active: true });
    let refused = press(
        Key::Enter,
        None,
        Outcome::Refused,
        Some(RefusalKind::LocalUser),
    );
    a.record(1_500_000, refused);
    a.record(
        1_600_000,
        Fact::Clipboard {
            dir: Direction::ToAgent,
            bytes: 27,
            sha256: Hex([0x42; 32]),
        },
    );
    a.record(
        1_700_000,
        Fact::File {
            dir: Direction::ToViewer,
            name: "cups-error_log".into(),
            bytes: 18_432,
            sha256: Hex([0x17; 32]),
        },
    );
    // The wall clock was set a minute forward: 2 s in, it reads 62 s.
    a.seal(2_000_000, wall_ms.saturating_add(62_000), false, v);
    v.seal(2_000_000, wall_ms.saturating_add(62_000), false, a);

    let view_chat = grants(&[Permission::View, Permission::Chat]);
    a.record(2_100_000, Fact::GrantChanged { granted: view_chat });
    a.record(
        2_150_000,
        Fact::ScreenSegment {
            i: 0,
            offset: 0,
            len: 48_213,
            sha256: Hex([0x31; 32]),
            first_us: 1_000_000,
            last_us: 2_100_000,
            keyframe: true,
        },
    );
    a.record(
        3_000_000,
        Fact::SessionEnded {
            reason: EndReason::TechnicianEnded,
            detail: Some("problème résolu".into()),
        },
    );
    if close {
        a.seal(3_100_000, wall_ms.saturating_add(63_100), true, v);
        v.seal(3_100_000, wall_ms.saturating_add(63_100), true, a);
    }
    agent.file
}

fn bookkeeping(fact: &Fact) -> bool {
    matches!(
        fact,
        Fact::Tick { .. } | Fact::Cosigned { .. } | Fact::PeerCheckpoint { .. }
    )
}

/// The index of the first leaf of kind `k`.
fn first(report: &Report, k: &str) -> u64 {
    report
        .leaves
        .iter()
        .find(|l| l.fact.kind() == k)
        .map(|l| l.n)
        .expect("a leaf of that kind")
}

/// The event lines of a text timeline, by their index.
fn event_lines(text: &str) -> Vec<(u64, &str)> {
    text.lines()
        .filter(|l| l.starts_with("  "))
        .map(|l| {
            let (n, _) = l.trim_start().split_once("  ").expect("n, then the time");
            (n.parse().expect("an index"), l)
        })
        .collect()
}

#[test]
fn the_text_timeline_has_the_verdict_and_a_line_per_event() {
    let report = verify_log(&agent_record(true, WALL_MS));
    assert!(report.whole(), "{}", report.verdict());
    assert!(report.cosigned > 0 && !report.peer_checkpoints.is_empty());
    let text = render_text(&report, false);
    assert!(text.contains("\nverdict       valid: "), "{text}");
    assert!(text.starts_with(&format!("record        {}\n", report.origin)));
    assert!(text.contains("certified by  device key "));
    assert!(text.contains(&format!(
        "other side    {}",
        origin(&[0x5e; 16], Side::Viewer)
    )));

    let lines = event_lines(&text);
    let expected: Vec<u64> = report
        .leaves
        .iter()
        .filter(|l| !bookkeeping(&l.fact))
        .map(|l| l.n)
        .collect();
    assert_eq!(lines.iter().map(|(n, _)| *n).collect::<Vec<_>>(), expected);
    assert!(lines.iter().all(|(_, l)| !l.ends_with("[not signed]")));
    assert_eq!(entries(&report, false, Lang::En).len(), expected.len());

    let line = |k: &str| {
        let n = first(&report, k);
        lines.iter().find(|(m, _)| *m == n).expect("its line").1
    };
    let opened = line("log_opened");
    assert!(opened.ends_with(
        "2026-11-30 00:53:20.000  +0.000s  record of the agent side opened by \
         tessera 0.1.0, relay relay.example.org:4433, typed text recorded"
    ));
    // After the tick at 1 s (wall clock + 1 s): 1.3 s in.
    assert!(line("chat").ends_with(
        "2026-11-30 00:53:21.300  +1.300s  chat from the technician: Je regarde votre imprimante"
    ));
    // After the tick at 2 s that read 62 s: re-anchored there.
    assert!(line("grant_changed")
        .ends_with("2026-11-30 00:54:22.100  +2.100s  grants changed: view, chat"));
    for (k, says) in [
        (
            "technician",
            "technician Jane Doe (Acme IT), verified by Acme IT",
        ),
        ("consent", "consent: granted view, control, chat"),
        ("key", "key KeyL pressed (\"l\") injected"),
        ("text", "typed \"lpstat -p⏎\" (10 characters) injected"),
        (
            "clipboard",
            "clipboard to the person's computer: 27 bytes, sha256 4242424242424242…",
        ),
        (
            "file",
            "file cups-error_log to the technician: 18432 bytes, sha256 1717171717171717…",
        ),
        ("screen_segment", "screen segment 0: 48213 bytes, keyframe"),
        (
            "session_ended",
            "session ended: the technician ended the session (problème résolu)",
        ),
        ("log_closed", "record closed"),
    ] {
        assert!(line(k).ends_with(says), "{k}: {}", line(k));
    }
    assert!(
        text.contains("key Enter pressed refused: the person was using their keyboard or mouse\n")
    );
    assert!(!text.contains("tick:"));
}

#[test]
fn the_timeline_speaks_french_for_the_person() {
    let report = verify_log(&agent_record(true, WALL_MS));
    let french = entries(&report, false, Lang::Fr);
    let says = |k: &str| {
        let n = first(&report, k);
        let entry = french.iter().find(|e| e.n == n).expect("its entry");
        entry.text.clone()
    };
    for (k, expected) in [
        (
            "chat",
            "message du technicien : Je regarde votre imprimante",
        ),
        (
            "consent",
            "autorisation : accordé voir l'écran, contrôler, discussion",
        ),
        ("key", "touche KeyL enfoncée (\"l\") : exécuté"),
        ("text", "tapé « lpstat -p⏎ » (10 caractères) : exécuté"),
        (
            "file",
            "fichier cups-error_log vers le technicien : 18432 octets, sha256 1717171717171717…",
        ),
        (
            "session_ended",
            "fin de la session : le technicien a arrêté la session (problème résolu)",
        ),
        ("log_closed", "enregistrement fermé"),
    ] {
        assert_eq!(says(k), expected, "{k}");
    }
    // The same events, one sentence each, in either language.
    assert_eq!(french.len(), entries(&report, false, Lang::En).len());
    assert!(french.iter().any(|e| e
        .text
        .ends_with(" : refusé, la personne utilisait son clavier ou sa souris")));
}

#[test]
fn all_shows_the_ticks_and_the_cosignatures_too() {
    let report = verify_log(&agent_record(true, WALL_MS));
    let all = entries(&report, true, Lang::En);
    assert_eq!(all.len(), report.leaves.len());
    assert!(all.iter().zip(&report.leaves).all(|(e, l)| e.n == l.n));
    let tick = all.iter().find(|e| e.kind == "tick").expect("a tick");
    assert_eq!(tick.text, "tick: wall clock 2026-11-30T00:53:20.000Z");
    assert_eq!(tick.wall_ms, Some(WALL_MS));
    assert!(all.iter().any(|e| e.kind == "cosigned"));
    assert!(all.iter().any(|e| e.kind == "peer_checkpoint"));
    let text = render_text(&report, true);
    assert_eq!(event_lines(&text).len(), report.leaves.len());
    assert!(text
        .contains("2026-11-30 00:54:22.000  +2.000s  tick: wall clock 2026-11-30T00:54:22.000Z\n"));
    assert!(text.contains("the other side cosigned our checkpoint at "));
}

#[test]
fn events_after_the_last_checkpoint_are_marked_not_signed() {
    let report = verify_log(&agent_record(false, WALL_MS));
    assert!(!report.whole());
    let covered = report.covered();
    assert!(covered > 0 && covered < report.leaves.len() as u64);
    let text = render_text(&report, false);
    assert!(
        text.contains("\nverdict       truncated after event "),
        "{text}"
    );
    let lines = event_lines(&text);
    for (n, line) in &lines {
        assert_eq!(line.ends_with(" [not signed]"), *n >= covered, "{line}");
    }
    let unsigned = lines.iter().filter(|(n, _)| *n >= covered).count();
    assert_eq!(unsigned, 3, "grant change, screen segment, end: {text}");
    for entry in entries(&report, true, Lang::En) {
        assert_eq!(entry.signed, entry.n < covered);
    }
}

#[test]
fn hostile_text_from_the_record_cannot_steer_the_terminal() {
    let report = verify_log(&agent_record(true, WALL_MS));
    let text = render_text(&report, true);
    assert!(!text.contains('\u{1b}') && !text.contains('\u{202e}'));
    assert!(text
        .chars()
        .all(|c| c == '\n' || !(c.is_control() || tessera_proto::peer::is_invisible(c))));
    // One line for it, whatever line feeds it held.
    let n = report
        .leaves
        .iter()
        .find(|l| matches!(&l.fact, Fact::Chat { text, .. } if text == HOSTILE))
        .expect("the hostile chat")
        .n;
    let (_, line) = event_lines(&text)
        .into_iter()
        .find(|(m, _)| *m == n)
        .expect("its line");
    assert!(
        line.ends_with("chat from the person: \u{fffd}[2J\u{fffd}\u{fffd}evil"),
        "{line}"
    );
    assert_eq!(event_lines(&text).len(), report.leaves.len());
}

#[test]
fn json_lines_parse_and_count_the_events() {
    let report = verify_log(&agent_record(true, WALL_MS));
    for all in [false, true] {
        let json = render_json(&report, all);
        let lines: Vec<Value> = json
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line"))
            .collect();
        let (header, events) = lines.split_first().expect("a header");
        assert_eq!(header["type"], "record");
        assert_eq!(header["origin"], report.origin.as_str());
        assert_eq!(header["side"], "agent");
        assert_eq!(header["session_id"], "5e".repeat(16));
        assert_eq!(header["certified_by"]["kind"], "device");
        assert_eq!(header["peer"]["origin"], origin(&[0x5e; 16], Side::Viewer));
        assert_eq!(header["valid"], true);
        assert_eq!(header["whole"], true);
        assert_eq!(header["covered"], report.covered());
        assert!(header["verdict"]
            .as_str()
            .expect("text")
            .starts_with("valid: "));
        assert_eq!(header["events"], events.len());
        assert_eq!(events.len(), entries(&report, all, Lang::En).len());
        assert!(events
            .iter()
            .all(|e| e["type"] == "event" && e["signed"] == true));
        assert_eq!(events[0]["time"], "2026-11-30T00:53:20.000Z");
        assert_eq!(events[0]["k"], "log_opened");
        let hostile = events
            .iter()
            .find(|e| e["fact"]["text"] == HOSTILE)
            .expect("the fact as recorded");
        assert_eq!(hostile["k"], "chat");
        assert_eq!(hostile["t_us"], 1_400_000);
        assert_eq!(hostile["time"], "2026-11-30T00:53:21.400Z");
        assert!(!hostile["text"]
            .as_str()
            .expect("text")
            .contains(['\u{1b}', '\n', '\u{202e}']));
        let ticks = events.iter().filter(|e| e["k"] == "tick").count();
        assert_eq!(ticks > 0, all);
    }
}

#[test]
fn a_clock_past_the_year_9999_shows_as_unknown() {
    let report = verify_log(&agent_record(true, u64::MAX));
    assert!(report.whole(), "{}", report.verdict());
    let text = render_text(&report, true);
    assert!(text.contains("  ????-??-?? ??:??:??.???  +0.000s  record of the agent side"));
    let json = render_json(&report, true);
    let event: Value = serde_json::from_str(json.lines().nth(1).expect("an event")).expect("JSON");
    assert_eq!(event["time"], Value::Null);
}
