//! The auditor's check of one record, sans-IO: the log's bytes in, a
//! [`Report`] out, which says whether the record is whole and, if not,
//! the first place it is not and why. Nothing is trusted that the
//! record's own signed checkpoints do not cover: leaves after the last
//! checkpoint are reported as an unauthenticated tail.

pub mod cross;
pub mod prove;
pub mod screen;

use crate::checkpoint::Checkpoint;
use crate::cosignature::verify_cosignature;
use crate::log::{CheckpointLine, PeerCheckpointLine};
use crate::merkle::{leaf_hash, Frontier, Hash};
use crate::note::Note;
use crate::record::{link, Certification, Fact, Leaf, Side, FORMAT, LEAF_PREFIX};
use crate::wire::Hex;
use ring::signature::{UnparsedPublicKey, ED25519};
use tessera_proto::Lang;

/// Where a record first goes wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    /// A leaf (its index, from 0).
    Event(u64),
    /// A checkpoint line (the size it claims, or the events before it).
    Checkpoint(u64),
    /// A segment of the screen recording.
    Segment(u32),
    /// The line of the log file (from 1) that is neither.
    Line(u64),
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Place::Event(n) => write!(f, "event {n}"),
            Place::Checkpoint(size) => write!(f, "checkpoint at {size} events"),
            Place::Segment(i) => write!(f, "screen segment {i}"),
            Place::Line(line) => write!(f, "line {line}"),
        }
    }
}

/// The first fault: where, and why, in words for the auditor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault {
    /// Where.
    pub place: Place,
    /// Why.
    pub why: String,
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.place, self.why)
    }
}

/// The verdict on one record.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// The log's name, from leaf 0.
    pub origin: String,
    /// Which end wrote it.
    pub side: Option<Side>,
    /// The relay's session id.
    pub session_id: [u8; 16],
    /// The key that signs its checkpoints.
    pub log_key: [u8; 32],
    /// Who vouches for it.
    pub certified_by: Option<Certification>,
    /// The other end's log name and key, as recorded.
    pub peer: Option<(String, [u8; 32])>,
    /// Every leaf read, in order (up to the first fault).
    pub leaves: Vec<Leaf>,
    /// Their hashes.
    pub hashes: Vec<Hash>,
    /// The checkpoints that hold, in order, with their signed notes.
    pub checkpoints: Vec<(Checkpoint, String)>,
    /// How many of our checkpoints the other end cosigned.
    pub cosigned: usize,
    /// The other end's checkpoints this record holds (size, root).
    pub peer_checkpoints: Vec<(u64, Hash)>,
    /// The first fault, if any.
    pub fault: Option<Fault>,
    /// Whether the file ends in a line cut mid-write (a crash).
    pub torn: bool,
}

impl Report {
    /// How many leaves the last good checkpoint covers.
    pub fn covered(&self) -> u64 {
        self.checkpoints.last().map_or(0, |(c, _)| c.size)
    }

    /// Whether the record is whole: no fault, closed, and every leaf
    /// under a signed checkpoint.
    pub fn whole(&self) -> bool {
        self.fault.is_none()
            && matches!(self.leaves.last(), Some(l) if l.fact == Fact::LogClosed)
            && self.covered() == self.leaves.len() as u64
    }

    /// The verdict in `lang`, for a report a person reads: whole, where
    /// it was cut, or the fault (whose details stay in English, the
    /// auditor's language, after a French "NON VALIDE").
    pub fn verdict_in(&self, lang: Lang) -> String {
        let fr = lang == Lang::Fr;
        if let Some(fault) = &self.fault {
            return match fr {
                false => format!("NOT VALID: {fault}"),
                true => format!("NON VALIDE : {fault}"),
            };
        }
        let (leaves, checkpoints) = (self.leaves.len(), self.checkpoints.len());
        if self.whole() {
            let cosigned = self.cosigned;
            return match fr {
                false => format!(
                    "valid: {leaves} events, {checkpoints} checkpoints, {cosigned} cosigned by the other side"
                ),
                true => format!(
                    "valide : {leaves} événements, {checkpoints} points de contrôle, {cosigned} contresignés par l'autre côté"
                ),
            };
        }
        match (self.covered(), fr) {
            (0, false) => "truncated: no signed checkpoint".to_string(),
            (0, true) => "tronqué : aucun point de contrôle signé".to_string(),
            (n, false) => format!(
                "truncated after event {} (the {} events after it are not signed)",
                n - 1,
                leaves as u64 - n
            ),
            (n, true) => format!(
                "tronqué après l'événement {} (les {} événements suivants ne sont pas signés)",
                n - 1,
                leaves as u64 - n
            ),
        }
    }

    /// A line for the auditor: whole, the fault, or where it was cut.
    pub fn verdict(&self) -> String {
        self.verdict_in(Lang::En)
    }
}

/// Checks a log file's bytes.
pub fn verify_log(bytes: &[u8]) -> Report {
    let mut state = State::default();
    for (number, line) in bytes.split_inclusive(|b| *b == b'\n').enumerate() {
        let Some(line) = line.strip_suffix(b"\n") else {
            // A torn last line: the writer crashed mid-write. What it
            // held was not under any checkpoint.
            state.report.torn = true;
            break;
        };
        let number = number as u64 + 1;
        let result = match line {
            _ if line.starts_with(LEAF_PREFIX) => state.leaf(line),
            _ if line.starts_with(br#"{"peer_checkpoint":"#) => state.late_peer(line, number),
            _ => state.checkpoint(line, number),
        };
        if let Err(fault) = result {
            state.report.fault = Some(fault);
            break;
        }
    }
    state.report
}

#[derive(Default)]
struct State {
    report: Report,
    tree: Frontier,
    last_t: u64,
}

/// The longest reason a fault gives, in characters: a parser's message
/// may quote the file, and a verdict is one line.
const MAX_WHY_CHARS: usize = 240;

/// A fault at `place`. The reason may quote the file (a JSON parser's
/// message does): every control, invisible or direction-changing
/// character becomes U+FFFD and it is cut to [`MAX_WHY_CHARS`], so a
/// verdict is one line a terminal shows as it is.
fn fault(place: Place, why: impl Into<String>) -> Fault {
    let why: String = why.into();
    let mut shown: String = why
        .chars()
        .take(MAX_WHY_CHARS)
        .map(
            |c| match c.is_control() || tessera_proto::peer::is_invisible(c) {
                true => '\u{FFFD}',
                false => c,
            },
        )
        .collect();
    if why.chars().nth(MAX_WHY_CHARS).is_some() {
        shown.push('…');
    }
    Fault { place, why: shown }
}

impl State {
    fn leaf(&mut self, line: &[u8]) -> Result<(), Fault> {
        let n = self.tree.size();
        let leaf = Leaf::decode(line).map_err(|e| fault(Place::Event(n), e.to_string()))?;
        if leaf.n != n {
            return Err(fault(
                Place::Event(n),
                format!(
                    "event {} found where event {n} should be: events were removed or moved",
                    leaf.n
                ),
            ));
        }
        let expected = match self.report.hashes.last() {
            Some(previous) => link(previous),
            None => Hex([0; 8]),
        };
        if leaf.p != expected {
            return Err(match n {
                0 => fault(Place::Event(0), "the first event links to no other"),
                _ => fault(
                    Place::Event(n - 1),
                    format!("changed after it was written (event {n} does not follow it)"),
                ),
            });
        }
        if matches!(self.report.leaves.last(), Some(l) if l.fact == Fact::LogClosed) {
            return Err(fault(Place::Event(n), "an event after log_closed"));
        }
        if leaf.t < self.last_t {
            return Err(fault(Place::Event(n), "its time goes back"));
        }
        self.fact(n, &leaf.fact)?;
        let hash = leaf_hash(line);
        self.tree.append(hash);
        self.report.hashes.push(hash);
        self.last_t = leaf.t;
        self.report.leaves.push(leaf);
        Ok(())
    }

    /// What one fact adds to the checks.
    fn fact(&mut self, n: u64, fact: &Fact) -> Result<(), Fault> {
        let here = |why: &str| fault(Place::Event(n), why);
        match (n, fact) {
            (
                0,
                Fact::LogOpened {
                    format,
                    origin,
                    side,
                    session_id,
                    log_key,
                    certified_by,
                    ..
                },
            ) => {
                if format != FORMAT {
                    return Err(here(&format!(
                        "format {format:?}; this verifier reads {FORMAT}"
                    )));
                }
                if *origin != crate::record::origin(&session_id.0, *side) {
                    return Err(here("its origin is not its session's and side's"));
                }
                certified(origin, &log_key.0, certified_by)
                    .map_err(|why| here(&format!("log key {why}")))?;
                let report = &mut self.report;
                report.origin = origin.clone();
                report.side = Some(*side);
                report.session_id = session_id.0;
                report.log_key = log_key.0;
                report.certified_by = Some(certified_by.clone());
            }
            (0, _) => return Err(here("the first event must be log_opened")),
            (_, Fact::LogOpened { .. }) => return Err(here("log_opened again")),
            (
                _,
                Fact::PeerLogKey {
                    origin,
                    key,
                    certified_by,
                },
            ) => {
                let side = self.report.side.map(Side::peer);
                let expected = side.map(|s| crate::record::origin(&self.report.session_id, s));
                if Some(origin) != expected.as_ref() {
                    return Err(here("the other side's log is not this session's other end"));
                }
                if self.report.peer.is_some() {
                    return Err(here("the other side's key again"));
                }
                certified(origin, &key.0, certified_by)
                    .map_err(|why| here(&format!("the other side's log key {why}")))?;
                self.report.peer = Some((origin.clone(), key.0));
            }
            (_, Fact::PeerCheckpoint { note }) => {
                let (name, key) = self.peer(n)?;
                let checkpoint = Note::parse(note.as_bytes())
                    .map_err(|e| e.to_string())
                    .and_then(|note| {
                        note.verify(&name, &key).map_err(|e| e.to_string())?;
                        Checkpoint::parse(&note.text).map_err(|e| e.to_string())
                    })
                    .map_err(|why| here(&format!("the other side's checkpoint: {why}")))?;
                if checkpoint.origin != name {
                    return Err(here("the other side's checkpoint is of another log"));
                }
                self.report
                    .peer_checkpoints
                    .push((checkpoint.size, checkpoint.root));
            }
            (_, Fact::Cosigned { size, line }) => {
                let (name, key) = self.peer(n)?;
                let Some((checkpoint, _)) = self
                    .report
                    .checkpoints
                    .iter()
                    .find(|(c, _)| c.size == *size)
                else {
                    return Err(here(&format!("cosignature of a checkpoint at {size} events, which this log does not hold")));
                };
                let text = format!("{}\n{line}\n", checkpoint.text());
                Note::parse(text.as_bytes())
                    .map_err(|e| e.to_string())
                    .and_then(|note| {
                        verify_cosignature(&note, &name, &key).map_err(|e| e.to_string())
                    })
                    .map_err(|why| here(&format!("cosignature: {why}")))?;
                self.report.cosigned += 1;
            }
            _ => {}
        }
        Ok(())
    }

    /// The other end's signed checkpoint, as this record holds it.
    fn peer_checkpoint(&mut self, place: Place, note: &str) -> Result<(), Fault> {
        let here = |why: String| fault(place.clone(), why);
        let Some((name, key)) = self.report.peer.clone() else {
            return Err(here("the other side's checkpoint before its key".into()));
        };
        let checkpoint = Note::parse(note.as_bytes())
            .map_err(|e| e.to_string())
            .and_then(|note| {
                note.verify(&name, &key).map_err(|e| e.to_string())?;
                Checkpoint::parse(&note.text).map_err(|e| e.to_string())
            })
            .map_err(|why| here(format!("the other side's checkpoint: {why}")))?;
        if checkpoint.origin != name {
            return Err(here("the other side's checkpoint is of another log".into()));
        }
        self.report
            .peer_checkpoints
            .push((checkpoint.size, checkpoint.root));
        Ok(())
    }

    /// The other end's checkpoint that came after this log closed.
    fn late_peer(&mut self, line: &[u8], number: u64) -> Result<(), Fault> {
        let place = Place::Line(number);
        let closed = matches!(self.report.leaves.last(), Some(l) if l.fact == Fact::LogClosed);
        let Ok(PeerCheckpointLine { peer_checkpoint }) = serde_json::from_slice(line) else {
            return Err(fault(place, "neither an event nor a checkpoint"));
        };
        if !closed {
            return Err(fault(
                place,
                "the other side's checkpoint outside the log, before log_closed",
            ));
        }
        self.peer_checkpoint(place, &peer_checkpoint)
    }

    fn peer(&self, n: u64) -> Result<(String, [u8; 32]), Fault> {
        self.report.peer.clone().ok_or_else(|| {
            fault(
                Place::Event(n),
                "refers to the other side's log before its key",
            )
        })
    }

    fn checkpoint(&mut self, line: &[u8], number: u64) -> Result<(), Fault> {
        let size = self.tree.size();
        let here = |why: String| fault(Place::Checkpoint(size), why);
        let Ok(CheckpointLine { checkpoint: text }) = serde_json::from_slice(line) else {
            return Err(fault(
                Place::Line(number),
                "neither an event nor a checkpoint",
            ));
        };
        if self.report.side.is_none() {
            return Err(here("a checkpoint before log_opened".into()));
        }
        let note = Note::parse(text.as_bytes()).map_err(|e| here(e.to_string()))?;
        note.verify(&self.report.origin, &self.report.log_key)
            .map_err(|_| here("not signed by this log's key (replaced or forged)".into()))?;
        let checkpoint = Checkpoint::parse(&note.text).map_err(|e| here(e.to_string()))?;
        if checkpoint.origin != self.report.origin {
            return Err(here(format!("of another log ({})", checkpoint.origin)));
        }
        if checkpoint.size != size {
            return Err(here(format!(
                "it claims {} events: events were removed or added",
                checkpoint.size
            )));
        }
        if checkpoint.root != self.tree.root() {
            let from = self.covered_before();
            return Err(here(format!(
                "events {from} to {} do not match the signed root: one was changed",
                size.saturating_sub(1)
            )));
        }
        // Cosignatures the other end added (on the final checkpoint,
        // which is restated with them after log_closed).
        if let Some((name, key)) = &self.report.peer {
            if note.signatures.iter().any(|s| s.name == *name) {
                verify_cosignature(&note, name, key)
                    .map_err(|e| here(format!("cosignature: {e}")))?;
                self.report.cosigned += 1;
            }
        }
        match self.report.checkpoints.last_mut() {
            Some(last) if last.0.size == size => *last = (checkpoint, text),
            _ => self.report.checkpoints.push((checkpoint, text)),
        }
        Ok(())
    }

    fn covered_before(&self) -> u64 {
        self.report.covered()
    }
}

/// Whether `certified_by` signed `key` as the log key of `origin`.
pub(crate) fn certified(
    origin: &str,
    key: &[u8; 32],
    certified_by: &Certification,
) -> Result<(), &'static str> {
    let message = crate::certificate_message(origin, key);
    UnparsedPublicKey::new(&ED25519, &certified_by.key.0)
        .verify(&message, &certified_by.signature.0)
        .map_err(|_| "is not certified by the key named")
}
