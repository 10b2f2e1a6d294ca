//! The timeline of a verified record, as `tessera-viewer audit show`
//! prints it: one sentence an event for a person at a terminal, or JSON
//! lines for `jq` and a SIEM. Sans-IO: a [`Report`] in, strings out.
//!
//! A record is written by the other end of a session too, so everything
//! it says (names, chat, notes, typed text, file names) is shown with
//! every control, invisible and direction-changing character replaced:
//! what the auditor reads on one line is what the record holds, and no
//! record can move the cursor, clear the screen or reorder the text.

use crate::record::{Certifier, Direction, Fact, Outcome, Side, TypedText};
use crate::verify::Report;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::json;
use std::fmt::Write as _;
use std::time::{Duration, UNIX_EPOCH};
use tessera_input::RefusalKind;

/// One line of the timeline: one leaf of the record, in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The leaf's index, so an auditor can point at it (and prove it on
    /// its own with an inclusion proof).
    pub n: u64,
    /// When, in µs since the log opened (the writer's monotonic clock,
    /// which no clock change moves).
    pub at_us: u64,
    /// The wall clock then, in ms since the Unix epoch: `log_opened`'s
    /// wall clock plus the time since, re-anchored at each `tick` (which
    /// carries the wall clock at its own time), so a long session does
    /// not drift from the clock the person saw. `None` only if it does
    /// not fit a time.
    pub wall_ms: Option<u64>,
    /// The leaf's kind (its `k`), for filtering.
    pub kind: &'static str,
    /// A sentence for a person, on one line, safe for a terminal.
    pub text: String,
    /// Whether a signed checkpoint of the record covers it: events
    /// after the last good checkpoint could have been written by anyone.
    pub signed: bool,
}

/// Whether a fact only keeps the record itself (clock ticks and the two
/// ends' checkpoints and cosignatures): left out of the timeline unless
/// all is asked for, since they say nothing about the session.
fn bookkeeping(fact: &Fact) -> bool {
    matches!(
        fact,
        Fact::Tick { .. } | Fact::Cosigned { .. } | Fact::PeerCheckpoint { .. }
    )
}

/// The timeline of `report`'s leaves (those read before any fault), one
/// entry each; bookkeeping leaves only when `all`.
pub fn entries(report: &Report, all: bool) -> Vec<Entry> {
    walk(report, all)
        .into_iter()
        .map(|(entry, _)| entry)
        .collect()
}

/// The entries, each with the fact it tells.
fn walk(report: &Report, all: bool) -> Vec<(Entry, &Fact)> {
    let covered = report.covered();
    // (wall clock in ms, leaf time in µs) of the last leaf that gave one.
    let mut anchor: Option<(u64, u64)> = None;
    let mut entries = Vec::new();
    for leaf in &report.leaves {
        if let Fact::LogOpened { wall_ms, .. } | Fact::Tick { wall_ms } = &leaf.fact {
            anchor = Some((*wall_ms, leaf.t));
        }
        if bookkeeping(&leaf.fact) && !all {
            continue;
        }
        let wall_ms =
            anchor.and_then(|(wall, t)| wall.checked_add(leaf.t.saturating_sub(t) / 1000));
        let entry = Entry {
            n: leaf.n,
            at_us: leaf.t,
            wall_ms,
            kind: leaf.fact.kind(),
            text: describe(&leaf.fact),
            signed: leaf.n < covered,
        };
        entries.push((entry, &leaf.fact));
    }
    entries
}

/// The record for a terminal: a header (whose record, which key signs
/// it and who vouches for that key, the verdict), then one line an event:
/// `  <n>  <UTC wall clock>  +<seconds since open>s  <text>`, with
/// ` [not signed]` after any event no signed checkpoint covers.
pub fn render_text(report: &Report, all: bool) -> String {
    let list = entries(report, all);
    let b64 = |key: &[u8]| STANDARD.encode(key);
    let certified = report.certified_by.as_ref().map_or("nobody".into(), |c| {
        format!("{} key {}", certifier(c.kind), b64(&c.key.0))
    });
    let peer = report
        .peer
        .as_ref()
        .map_or("not recorded".into(), |(o, key)| {
            format!("{} (key {})", shown(o), b64(key))
        });
    let mut out = format!(
        "record        {}\nside          {}\nsession       {}\nlog key       {}\n\
         certified by  {certified}\nother side    {peer}\nverdict       {}\n\
         events        {} shown, {} bookkeeping hidden\n",
        shown(&report.origin),
        report.side.map_or("unknown", Side::name),
        hex::encode(report.session_id),
        b64(&report.log_key),
        shown(&report.verdict()),
        list.len(),
        report.leaves.len() - list.len(),
    );
    let width = list.last().map_or(1, |e| e.n.to_string().len());
    for entry in &list {
        let time = entry.wall_ms.and_then(rfc3339).map_or_else(
            || "????-??-?? ??:??:??.???".to_string(),
            |t| t.replacen('T', " ", 1).trim_end_matches('Z').to_string(),
        );
        let (secs, ms) = (entry.at_us / 1_000_000, entry.at_us % 1_000_000 / 1000);
        let mark = if entry.signed { "" } else { " [not signed]" };
        let (n, text) = (entry.n, &entry.text);
        let _ = writeln!(out, "  {n:>width$}  {time}  +{secs}.{ms:03}s  {text}{mark}");
    }
    out
}

/// The record as JSON lines for `jq` or a SIEM: a `record` object (whose
/// record, the verdict, and `valid`: no fault, `whole`: nothing missing
/// or unsigned), then one `event` object an entry with its words (made
/// safe, as `jq -r` prints them raw) and its fact exactly as recorded.
pub fn render_json(report: &Report, all: bool) -> String {
    let list = walk(report, all);
    let b64 = |key: &[u8]| STANDARD.encode(key);
    let certified_by = report.certified_by.as_ref().map(|c| {
        json!({"kind": certifier(c.kind), "key": b64(&c.key.0), "signature": b64(&c.signature.0)})
    });
    let peer = report
        .peer
        .as_ref()
        .map(|(origin, key)| json!({"origin": origin, "key": b64(key)}));
    let header = json!({
        "type": "record",
        "origin": report.origin,
        "side": report.side.map(Side::name),
        "session_id": hex::encode(report.session_id),
        "log_key": b64(&report.log_key),
        "certified_by": certified_by,
        "peer": peer,
        "verdict": report.verdict(),
        "valid": report.fault.is_none(),
        "whole": report.whole(),
        "covered": report.covered(),
        "leaves": report.leaves.len(),
        "events": list.len(),
    });
    let mut out = format!("{header}\n");
    for (entry, fact) in &list {
        let event = json!({
            "type": "event",
            "n": entry.n,
            "t_us": entry.at_us,
            "time": entry.wall_ms.and_then(rfc3339),
            "k": entry.kind,
            "signed": entry.signed,
            "text": entry.text,
            "fact": serde_json::to_value(fact).unwrap_or_default(),
        });
        let _ = writeln!(out, "{event}");
    }
    out
}

/// A wall clock in ms as RFC 3339 UTC with milliseconds; `None` past the
/// year 9999 (which a hostile record may claim), never a panic.
pub(crate) fn rfc3339(wall_ms: u64) -> Option<String> {
    let time = UNIX_EPOCH.checked_add(Duration::from_millis(wall_ms))?;
    let mut text = String::new();
    write!(text, "{}", humantime::format_rfc3339_millis(time)).ok()?;
    Some(text)
}

/// Text from the record, made safe for a terminal: every control
/// character (line feeds too, so an entry stays one line) and every
/// invisible or direction-changing one becomes U+FFFD.
pub(crate) fn shown(s: &str) -> String {
    let hidden = |c: char| c.is_control() || tessera_proto::peer::is_invisible(c);
    s.chars()
        .map(|c| if hidden(c) { '\u{FFFD}' } else { c })
        .collect()
}

/// Typed text as shown: a line feed (Enter) as ⏎, the rest as [`shown`].
fn typed(s: &str) -> String {
    shown(&s.replace(['\n', '\r'], "⏎"))
}

fn certifier(kind: Certifier) -> &'static str {
    match kind {
        Certifier::Device => "device",
        Certifier::Technician => "technician",
    }
}

fn who(side: Side) -> &'static str {
    match side {
        Side::Agent => "the person",
        Side::Viewer => "technician",
    }
}

fn towards(dir: Direction) -> &'static str {
    match dir {
        Direction::ToAgent => "to the person's computer",
        Direction::ToViewer => "to the technician",
    }
}

/// A hash as a person compares it: its first 16 hex digits.
fn short(hash: &[u8; 32]) -> String {
    format!("{}…", hex::encode(&hash[..8]))
}

fn pressed(down: bool) -> &'static str {
    if down {
        "pressed"
    } else {
        "released"
    }
}

/// What became of an input event, and why not when refused; `None`
/// for a fact that is not one.
fn outcome(fact: &Fact) -> Option<String> {
    let (Fact::Key { outcome, why, .. }
    | Fact::Text { outcome, why, .. }
    | Fact::Click { outcome, why, .. }
    | Fact::Scroll { outcome, why, .. }
    | Fact::Moves { outcome, why, .. }) = fact
    else {
        return None;
    };
    let what = match outcome {
        Outcome::Injected => "injected",
        Outcome::Refused => "refused",
    };
    let why = match why {
        None => return Some(what.into()),
        Some(RefusalKind::NotGranted) => "control was not granted",
        Some(RefusalKind::PromptOpen) => "a prompt was open on the person's screen",
        Some(RefusalKind::LocalUser) => "the person was using their keyboard or mouse",
        Some(RefusalKind::Flood) => "too many events too fast",
        Some(RefusalKind::Invalid) => "the event was out of bounds",
    };
    Some(format!("{what}: {why}"))
}

/// One leaf in words, on one line.
fn describe(fact: &Fact) -> String {
    let text = what(fact);
    match outcome(fact) {
        Some(outcome) => format!("{text} {outcome}"),
        None => text,
    }
}

/// What a fact says (for input, what was done; [`outcome`] says what
/// became of it).
fn what(fact: &Fact) -> String {
    match fact {
        Fact::LogOpened {
            side,
            relay,
            software,
            typed_text,
            ..
        } => format!(
            "record of the {} side opened by {}, relay {}, typed text {}",
            side.name(),
            shown(software),
            shown(relay),
            match typed_text {
                TypedText::Recorded => "recorded",
                TypedText::Counted => "only counted",
            }
        ),
        Fact::Tick { wall_ms } => match rfc3339(*wall_ms) {
            Some(time) => format!("tick: wall clock {time}"),
            None => format!("tick: wall clock {wall_ms} ms (out of range)"),
        },
        Fact::Nameplate { nameplate } => format!("nameplate {}", shown(nameplate)),
        Fact::Paired => "paired by the relay".into(),
        Fact::Secured { peer_fingerprint } => format!(
            "end-to-end channel secured, the other side's certificate sha256 {}",
            short(&peer_fingerprint.0)
        ),
        Fact::PeerLogKey {
            origin,
            key,
            certified_by: by,
        } => format!(
            "the other side's log {} has key {}, certified by {} key {}",
            shown(origin),
            STANDARD.encode(key.0),
            certifier(by.kind),
            STANDARD.encode(by.key.0)
        ),
        Fact::Technician {
            name,
            org,
            verified_by,
            not_verified,
        } => {
            let org = org
                .as_ref()
                .map_or(String::new(), |o| format!(" ({})", shown(o)));
            let verified = match (verified_by, not_verified) {
                (Some(by), _) => format!("verified by {}", shown(by)),
                (None, Some(why)) => format!("not verified: {}", shown(why)),
                (None, None) => "not verified".into(),
            };
            format!("technician {}{org}, {verified}", shown(name))
        }
        Fact::Ticket { id, priority } => match priority {
            Some(p) => format!("ticket {} (priority {})", shown(id), shown(p)),
            None => format!("ticket {}", shown(id)),
        },
        Fact::ConsentRequested { requested } => format!("consent requested: {requested}"),
        Fact::Consent { granted } => format!("consent: granted {granted}"),
        Fact::GrantChanged { granted } => format!("grants changed: {granted}"),
        Fact::UpgradeRequested { requested } => format!("more asked: {requested}"),
        Fact::UpgradeGranted { granted } => format!("more granted: grants now {granted}"),
        Fact::UpgradeRefused { why } => format!("more refused: {}", why.describe()),
        Fact::ContinueCheck { open: true } => {
            "the person was asked whether the session should go on".into()
        }
        Fact::ContinueCheck { open: false } => "the person said the session should go on".into(),
        Fact::Key {
            key, down, text, ..
        } => {
            let text = text.map_or(String::new(), |c| {
                format!(" (\"{}\")", typed(&c.to_string()))
            });
            format!("key {} {}{text}", key.name(), pressed(*down))
        }
        Fact::Text {
            text: Some(text),
            chars,
            ..
        } => format!("typed \"{}\" ({chars} characters)", typed(text)),
        Fact::Text { chars, .. } => format!("typed {chars} characters"),
        Fact::Click {
            button, down, x, y, ..
        } => format!("{} button {} at {x},{y}", button.name(), pressed(*down)),
        Fact::Scroll { dx, dy, .. } => format!("wheel turned {dx},{dy}"),
        Fact::Moves { count, x, y, .. } => format!("pointer moved {count} times, to {x},{y}"),
        Fact::Chat { from, text } => format!("chat from {}: {}", who(*from), shown(text)),
        Fact::Clipboard { dir, bytes, sha256 } => format!(
            "clipboard {}: {bytes} bytes, sha256 {}",
            towards(*dir),
            short(&sha256.0)
        ),
        Fact::File {
            dir,
            name,
            bytes,
            sha256,
        } => format!(
            "file {} {}: {bytes} bytes, sha256 {}",
            shown(name),
            towards(*dir),
            short(&sha256.0)
        ),
        Fact::LocalUser { active: true } => {
            "the person is using their keyboard or mouse: remote input paused".into()
        }
        Fact::LocalUser { active: false } => {
            "the person stopped using their keyboard and mouse: remote input resumed".into()
        }
        Fact::Note { text } => format!("note: {}", shown(text)),
        Fact::PeerCheckpoint { note } => {
            let size = crate::note::Note::parse(note.as_bytes())
                .ok()
                .and_then(|n| crate::checkpoint::Checkpoint::parse(&n.text).ok())
                .map_or(String::new(), |c| format!(" at {} events", c.size));
            format!("the other side's checkpoint{size}, checked and cosigned")
        }
        Fact::Cosigned { size, .. } => {
            format!("the other side cosigned our checkpoint at {size} events")
        }
        Fact::ScreenSegment {
            i, len, keyframe, ..
        } => {
            let keyframe = if *keyframe { ", keyframe" } else { "" };
            format!("screen segment {i}: {len} bytes{keyframe}")
        }
        Fact::Snapshot { seq, sha256 } => format!(
            "screen snapshot saved (update {seq}), sha256 {}",
            short(&sha256.0)
        ),
        Fact::Error { what } => format!("error: {}", shown(what)),
        Fact::SessionEnded { reason, detail } => {
            let reason = reason.name().replace('_', " ");
            match detail {
                Some(detail) => format!("session ended: {reason} ({})", shown(detail)),
                None => format!("session ended: {reason}"),
            }
        }
        Fact::LogClosed => "record closed".into(),
    }
}
