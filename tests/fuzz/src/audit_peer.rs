//! One end's live session record (`SessionRecord`) as the programs keep
//! it, fed the other end's audit messages: what the `audit_peer` target
//! drives and its seeds are made with. Each "second" the record keeps a
//! chat line and seals; then it takes the other end's messages.
//! Both ends use the fixture keys, and every step has a fixed time, so
//! the same messages give the same bytes every time: a seed's
//! checkpoints and cosignatures hold when the target replays them.

use crate::audit::{certify, SESSION_ID};
use crate::fixtures::{
    audit_device_key, audit_log_key, audit_technician_key, audit_witness_key, NOW,
};
use tessera_audit::record::{Fact, Side, TypedText};
use tessera_audit::session_record::{Opening, Outputs, RecordError, SessionRecord, Write};
use tessera_proto::audit::AuditMsg;

/// One step of the record's clock (µs): a second.
const SECOND: u64 = 1_000_000;

/// The most messages a target run takes: enough for a dozen seconds of
/// checkpoints and cosignatures.
pub const MAX_MESSAGES: usize = 32;

/// One end's record, and its log file as written.
pub struct End {
    record: SessionRecord,
    /// The log file's bytes, as the writes would leave them.
    pub log: Vec<u8>,
    seconds: u64,
}

impl End {
    /// Opens `side`'s record with the fixture keys; what it sends the
    /// other end first (its log key).
    pub fn open(side: Side) -> (End, Vec<AuditMsg>) {
        let (log_key, certifier) = match side {
            Side::Agent => (audit_log_key(), audit_device_key()),
            Side::Viewer => (audit_witness_key(), audit_technician_key()),
        };
        let opening = Opening {
            side,
            session_id: SESSION_ID,
            relay: "relay.example.org:4433".into(),
            software: "tessera 0.1.0".into(),
            certification: certify(side, &log_key, &certifier),
            log_key,
            wall_ms: NOW * 1000,
            typed_text: TypedText::Recorded,
        };
        let (record, out) = SessionRecord::open(opening, 0).expect("a record opens");
        let mut end = End {
            record,
            log: Vec::new(),
            seconds: 0,
        };
        let to_peer = end.apply(out);
        (end, to_peer)
    }

    /// Writes what a step gives into the log; what goes to the other end.
    fn apply(&mut self, out: Outputs) -> Vec<AuditMsg> {
        for write in out.writes {
            match write {
                Write::Log { bytes, .. } => self.log.extend(bytes),
                Write::Sealed(sealed) => {
                    self.log.extend(sealed.leaves);
                    self.log.extend(sealed.checkpoint_line);
                }
                Write::Screen(_) => {}
            }
        }
        out.to_peer
    }

    /// The record's µs at this point of the current second.
    fn at(&self, into: u64) -> u64 {
        self.seconds * SECOND + into
    }

    /// One second of this end's own: a chat line, then the seal. What
    /// goes to the other end (its checkpoint); `Err` when the record
    /// stops (the other end stopped cosigning).
    pub fn second(&mut self) -> Result<Vec<AuditMsg>, RecordError> {
        self.seconds += 1;
        let fact = Fact::Chat {
            from: Side::Viewer,
            text: format!("line {}", self.seconds),
        };
        let out = self.record.record(self.at(100_000), fact)?;
        let mut to_peer = self.apply(out);
        let t = self.at(500_000);
        let out = self.record.tick(t, NOW * 1000 + t / 1000)?;
        to_peer.extend(self.apply(out));
        Ok(to_peer)
    }

    /// The other end's message, late in the current second; what goes
    /// back (a cosignature), or why the record refused it.
    pub fn take(&mut self, msg: &AuditMsg) -> Result<Vec<AuditMsg>, RecordError> {
        let t = self.at(600_000);
        let out = self.record.from_peer(t, NOW + t / SECOND, msg)?;
        Ok(self.apply(out))
    }

    /// Closes the record, as the programs do whatever ended the session;
    /// its log file.
    pub fn close(mut self) -> Result<Vec<u8>, RecordError> {
        let t = self.at(900_000);
        let out = self.record.close(t, NOW * 1000 + t / 1000)?;
        self.apply(out);
        Ok(self.log)
    }
}
