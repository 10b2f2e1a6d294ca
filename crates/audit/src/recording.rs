//! The screen recording (`screen.tsr`), sans-IO: the screen messages
//! exactly as they crossed, cut into segments of at most a second. Each
//! segment carries a CRC (to find a torn write after a crash) and its
//! SHA-256 enters the log before that second's checkpoint, which is what
//! authenticates it. All integers are big-endian:
//!
//! - header: `TSREC\0\x01\n`, u16 origin length, the origin;
//! - segment: `SEGM`, u32 number, u64 first and last message time (µs
//!   since the log opened), u32 offset in the body of the first keyframe
//!   (`0xFFFFFFFF` for none), u32 message count, u32 body length, the
//!   body, u32 CRC-32 (IEEE) of everything from `SEGM`;
//! - body: per message, u64 time, u8 kind (0 update, 1 keyframe, 2
//!   cursor), u32 length, the message's bytes as sent;
//! - at a clean close: `INDX`, u32 count, per segment u64 offset, u64
//!   first time, u32 keyframe offset; u32 CRC-32 of it from `INDX`; then
//!   the u64 offset of `INDX` and `TSRINDX1`.

use ring::digest::{digest, SHA256};

/// What a recording file starts with.
pub const MAGIC: &[u8; 8] = b"TSREC\0\x01\n";
/// What a cleanly closed recording ends with.
pub const TRAILER: &[u8; 8] = b"TSRINDX1";
/// The largest segment body: a second of the largest updates.
pub const MAX_BODY_BYTES: usize = 256 * 1024 * 1024;
/// The largest message (screen updates are bounded well below).
pub const MAX_MESSAGE_BYTES: usize = 128 * 1024 * 1024;
/// The most messages in a segment.
pub const MAX_MESSAGES: u32 = 1_000_000;
/// The longest origin in the header.
pub const MAX_ORIGIN_BYTES: usize = 256;
/// Bytes of a segment's header, before the body.
const SEGMENT_HEAD: usize = 4 + 4 + 8 + 8 + 4 + 4 + 4;
/// Bytes of a message's header in a body.
const MESSAGE_HEAD: usize = 8 + 1 + 4;
/// No keyframe in the segment.
const NO_KEYFRAME: u32 = u32::MAX;

/// What a message on the screen streams was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A picture update that needs the picture before it.
    Update,
    /// A picture update that stands alone (replay starts at one).
    Keyframe,
    /// A cursor move or shape.
    Cursor,
    /// A video picture or a video region's end (`ScreenMsg::Video`).
    Video,
}

impl Kind {
    fn byte(self) -> u8 {
        match self {
            Kind::Update => 0,
            Kind::Keyframe => 1,
            Kind::Cursor => 2,
            Kind::Video => 3,
        }
    }

    fn from_byte(byte: u8) -> Option<Kind> {
        [Kind::Update, Kind::Keyframe, Kind::Cursor, Kind::Video]
            .into_iter()
            .find(|k| k.byte() == byte)
    }
}

/// A segment as the log describes it (its `screen_segment` leaf).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SegmentInfo {
    /// Its number, from 0.
    pub i: u32,
    /// Where it starts in the file.
    pub offset: u64,
    /// Its length in bytes, CRC included.
    pub len: u64,
    /// SHA-256 of those bytes.
    pub sha256: [u8; 32],
    /// Its first message's time.
    pub first_us: u64,
    /// Its last message's time.
    pub last_us: u64,
    /// Whether it holds a keyframe.
    pub keyframe: bool,
}

/// A recording being written: messages in, bytes to append out.
#[derive(Debug)]
pub struct Recorder {
    written: u64,
    next: u32,
    body: Vec<u8>,
    count: u32,
    first_us: u64,
    last_us: u64,
    keyframe_at: u32,
    index: Vec<(u64, u64, u32)>,
}

/// Why a recording does not read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RecordingError {
    /// Not a recording, or another version.
    #[error("not a Tessera screen recording (bad header)")]
    Header,
    /// A message over [`MAX_MESSAGE_BYTES`].
    #[error("screen message of {0} bytes is too large to record")]
    MessageTooLarge(usize),
    /// A segment's bytes do not hold together.
    #[error("segment {i} is damaged: {why}")]
    Segment {
        /// Which.
        i: u32,
        /// What.
        why: &'static str,
    },
}

impl Recorder {
    /// Starts the recording of log `origin`; returns the header to write.
    pub fn new(origin: &str) -> (Recorder, Vec<u8>) {
        let origin = &origin.as_bytes()[..origin.len().min(MAX_ORIGIN_BYTES)];
        let mut header = MAGIC.to_vec();
        header.extend_from_slice(&(origin.len() as u16).to_be_bytes());
        header.extend_from_slice(origin);
        let recorder = Recorder {
            written: header.len() as u64,
            next: 0,
            body: Vec::new(),
            count: 0,
            first_us: 0,
            last_us: 0,
            keyframe_at: NO_KEYFRAME,
            index: Vec::new(),
        };
        (recorder, header)
    }

    /// Adds a message sent or received at `at_us`. Returns a finished
    /// segment when this one is full (then write it at once).
    pub fn push(
        &mut self,
        at_us: u64,
        kind: Kind,
        message: &[u8],
    ) -> Result<Option<(Vec<u8>, SegmentInfo)>, RecordingError> {
        if message.len() > MAX_MESSAGE_BYTES {
            return Err(RecordingError::MessageTooLarge(message.len()));
        }
        let full = self.body.len() + MESSAGE_HEAD + message.len() > MAX_BODY_BYTES
            || self.count >= MAX_MESSAGES;
        let finished = match full {
            true => self.cut(),
            false => None,
        };
        if self.count == 0 {
            self.first_us = at_us;
        }
        if kind == Kind::Keyframe && self.keyframe_at == NO_KEYFRAME {
            self.keyframe_at = self.body.len() as u32;
        }
        self.last_us = at_us.max(self.last_us);
        self.body.extend_from_slice(&at_us.to_be_bytes());
        self.body.push(kind.byte());
        self.body
            .extend_from_slice(&(message.len() as u32).to_be_bytes());
        self.body.extend_from_slice(message);
        self.count += 1;
        Ok(finished)
    }

    /// Whether messages wait for [`Recorder::cut`].
    pub fn has_pending(&self) -> bool {
        self.count > 0
    }

    /// Finishes the segment under way: its bytes to append, and what the
    /// log says of it. `None` when no message came.
    pub fn cut(&mut self) -> Option<(Vec<u8>, SegmentInfo)> {
        if self.count == 0 {
            return None;
        }
        let mut bytes = Vec::with_capacity(SEGMENT_HEAD + self.body.len() + 4);
        bytes.extend_from_slice(b"SEGM");
        bytes.extend_from_slice(&self.next.to_be_bytes());
        bytes.extend_from_slice(&self.first_us.to_be_bytes());
        bytes.extend_from_slice(&self.last_us.to_be_bytes());
        bytes.extend_from_slice(&self.keyframe_at.to_be_bytes());
        bytes.extend_from_slice(&self.count.to_be_bytes());
        bytes.extend_from_slice(&(self.body.len() as u32).to_be_bytes());
        bytes.append(&mut self.body);
        let crc = crc32fast::hash(&bytes);
        bytes.extend_from_slice(&crc.to_be_bytes());
        let info = SegmentInfo {
            i: self.next,
            offset: self.written,
            len: bytes.len() as u64,
            sha256: sha256(&bytes),
            first_us: self.first_us,
            last_us: self.last_us,
            keyframe: self.keyframe_at != NO_KEYFRAME,
        };
        self.index
            .push((info.offset, info.first_us, self.keyframe_at));
        self.written += info.len;
        self.next += 1;
        self.count = 0;
        self.keyframe_at = NO_KEYFRAME;
        Some((bytes, info))
    }

    /// The index and trailer that end a clean recording (after the last
    /// [`Recorder::cut`]).
    pub fn close(&self) -> Vec<u8> {
        let mut bytes = b"INDX".to_vec();
        bytes.extend_from_slice(&(self.index.len() as u32).to_be_bytes());
        for (offset, first_us, keyframe_at) in &self.index {
            bytes.extend_from_slice(&offset.to_be_bytes());
            bytes.extend_from_slice(&first_us.to_be_bytes());
            bytes.extend_from_slice(&keyframe_at.to_be_bytes());
        }
        let crc = crc32fast::hash(&bytes);
        bytes.extend_from_slice(&crc.to_be_bytes());
        bytes.extend_from_slice(&self.written.to_be_bytes());
        bytes.extend_from_slice(TRAILER);
        bytes
    }
}

/// SHA-256, as the log records it.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    let mut out = [0; 32];
    out.copy_from_slice(digest(&SHA256, bytes).as_ref());
    out
}

/// What a scan of a recording file found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scan {
    /// The origin in its header.
    pub origin: String,
    /// Every whole segment, in order.
    pub segments: Vec<SegmentInfo>,
    /// Where the bytes stop making a segment (a crash mid-write), when
    /// they end before a clean close.
    pub torn_at: Option<u64>,
    /// Whether it ends with a good index (a clean close).
    pub closed: bool,
}

/// Reads a recording's header and walks its segments, checking each
/// CRC; stops at the first torn one (after a crash, the index is
/// missing and this is how the segments are found).
pub fn scan(bytes: &[u8]) -> Result<Scan, RecordingError> {
    let origin_len = match bytes.get(..10) {
        Some(head) if head[..8] == MAGIC[..] => usize::from(u16::from_be_bytes([head[8], head[9]])),
        _ => return Err(RecordingError::Header),
    };
    let origin = bytes
        .get(10..10 + origin_len)
        .and_then(|o| std::str::from_utf8(o).ok())
        .ok_or(RecordingError::Header)?;
    let mut scan = Scan {
        origin: origin.into(),
        ..Scan::default()
    };
    let mut at = 10 + origin_len;
    while at < bytes.len() {
        let rest = &bytes[at..];
        if rest.starts_with(b"INDX") && index_holds(rest, at as u64, scan.segments.len()) {
            scan.closed = true;
            return Ok(scan);
        }
        match segment_at(rest, scan.segments.len() as u32) {
            Some((len, mut info)) => {
                info.offset = at as u64;
                info.sha256 = sha256(&rest[..len]);
                scan.segments.push(info);
                at += len;
            }
            None => {
                scan.torn_at = Some(at as u64);
                return Ok(scan);
            }
        }
    }
    Ok(scan)
}

fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

fn be64(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_be_bytes(bytes.get(at..at + 8)?.try_into().ok()?))
}

/// A whole segment numbered `i` at the start of `rest`: its length and
/// description (offset and hash left to the caller).
fn segment_at(rest: &[u8], i: u32) -> Option<(usize, SegmentInfo)> {
    if !rest.starts_with(b"SEGM") || be32(rest, 4)? != i {
        return None;
    }
    let body_len = usize::try_from(be32(rest, 32)?).ok()?;
    if body_len > MAX_BODY_BYTES {
        return None;
    }
    let len = SEGMENT_HEAD + body_len + 4;
    let whole = rest.get(..len)?;
    let crc = be32(whole, len - 4)?;
    if crc32fast::hash(&whole[..len - 4]) != crc {
        return None;
    }
    Some((
        len,
        SegmentInfo {
            i,
            offset: 0,
            len: len as u64,
            sha256: [0; 32],
            first_us: be64(whole, 8)?,
            last_us: be64(whole, 16)?,
            keyframe: be32(whole, 24)? != NO_KEYFRAME,
        },
    ))
}

/// Whether `rest` (from `INDX` at `offset`) is an index of `count`
/// segments with its trailer, ending the file.
fn index_holds(rest: &[u8], offset: u64, count: usize) -> bool {
    let Some(n) = be32(rest, 4).and_then(|n| usize::try_from(n).ok()) else {
        return false;
    };
    let body = 8 + n.saturating_mul(20);
    n == count
        && rest.len() == body + 4 + 16
        && be32(rest, body) == Some(crc32fast::hash(&rest[..body]))
        && be64(rest, body + 4) == Some(offset)
        && rest.ends_with(TRAILER)
}

/// One message of a segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Message<'a> {
    /// When (µs since the log opened).
    pub at_us: u64,
    /// What it is.
    pub kind: Kind,
    /// Its bytes as they crossed.
    pub bytes: &'a [u8],
}

/// The messages of a whole segment (as [`scan`] found it).
pub fn messages(segment: &[u8]) -> Result<Vec<Message<'_>>, RecordingError> {
    let i = be32(segment, 4).unwrap_or(0);
    let bad = |why| RecordingError::Segment { i, why };
    let (len, _) = segment_at(segment, i).ok_or(bad("its CRC or length does not hold"))?;
    let count = be32(segment, 28).ok_or(bad("no count"))?;
    let mut body = &segment[SEGMENT_HEAD..len - 4];
    let mut out = Vec::new();
    while !body.is_empty() {
        let at_us = be64(body, 0).ok_or(bad("a message is cut"))?;
        let kind = body
            .get(8)
            .and_then(|b| Kind::from_byte(*b))
            .ok_or(bad("unknown message kind"))?;
        let n = be32(body, 9)
            .and_then(|n| usize::try_from(n).ok())
            .ok_or(bad("a message is cut"))?;
        let bytes = body
            .get(MESSAGE_HEAD..MESSAGE_HEAD + n)
            .ok_or(bad("a message is cut"))?;
        out.push(Message { at_us, kind, bytes });
        body = &body[MESSAGE_HEAD + n..];
    }
    match out.len() as u64 == u64::from(count) {
        true => Ok(out),
        false => Err(bad("its message count is wrong")),
    }
}
