//! The timeline of a verified record, as `tessera-viewer audit show`
//! prints it: one sentence an event for a person at a terminal, or JSON
//! lines for `jq` and a SIEM. Sans-IO: a [`Report`] in, strings out.
//!
//! A record is written by the other end of a session too, so everything
//! it says (names, chat, notes, typed text, file names) is shown with
//! every control, invisible and direction-changing character replaced:
//! what the auditor reads on one line is what the record holds, and no
//! record can move the cursor, clear the screen or reorder the text.

use crate::record::{Fact, Side};
use crate::sentences::{certifier, describe};
use crate::verify::Report;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::json;
use std::fmt::Write as _;
use std::time::{Duration, UNIX_EPOCH};
use tessera_proto::Lang;

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
/// entry each, in `lang`; bookkeeping leaves only when `all`.
pub fn entries(report: &Report, all: bool, lang: Lang) -> Vec<Entry> {
    walk(report, all, lang)
        .into_iter()
        .map(|(entry, _)| entry)
        .collect()
}

/// The entries, each with the fact it tells.
fn walk(report: &Report, all: bool, lang: Lang) -> Vec<(Entry, &Fact)> {
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
            text: describe(&leaf.fact, lang),
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
    let list = entries(report, all, Lang::En);
    let b64 = |key: &[u8]| STANDARD.encode(key);
    let certified = report.certified_by.as_ref().map_or("nobody".into(), |c| {
        format!("{} key {}", certifier(c.kind, Lang::En), b64(&c.key.0))
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
    let list = walk(report, all, Lang::En);
    let b64 = |key: &[u8]| STANDARD.encode(key);
    let certified_by = report
        .certified_by
        .as_ref()
        .map(|c| json!({"kind": c.kind, "key": b64(&c.key.0), "signature": b64(&c.signature.0)}));
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
