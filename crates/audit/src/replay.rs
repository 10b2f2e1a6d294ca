//! The screen as the technician saw it at any moment of a recording,
//! sans-IO: from the last whole picture at or before that moment, every
//! update after it is applied with the viewer's own decoder, so the
//! picture is the one the live viewer had, pixel for pixel.
//!
//! Seeking reads only from that keyframe's segment on (the agent sends a
//! whole picture at least every few seconds of activity), so any moment
//! of an hour's recording is reached in one segment's decoding.

use crate::recording::{messages, Kind, Message, Scan};
use tessera_screen::{Decoder, Frame, Pointer, ScreenMsg};

/// Why a moment could not be replayed.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// A segment does not read.
    #[error(transparent)]
    Recording(#[from] crate::recording::RecordingError),
    /// A message of the recording is not a screen message.
    #[error("screen message at {at_us} µs does not read: {why}")]
    Message {
        /// When it crossed.
        at_us: u64,
        /// Why.
        why: String,
    },
    /// The decoder refused an update (it does not follow the one before).
    #[error("screen update at {at_us} µs does not apply: {why}")]
    Decode {
        /// When it crossed.
        at_us: u64,
        /// Why.
        why: String,
    },
    /// A segment's bounds are outside the file (the scan said otherwise).
    #[error("segment {0} is outside the recording")]
    Outside(u32),
}

/// The screen at a moment.
#[derive(Debug, Default)]
pub struct Moment {
    /// The picture (`None`: nothing was shown yet).
    pub frame: Option<Frame>,
    /// Where the technician saw the remote pointer.
    pub pointer: Option<Pointer>,
    /// When the last message applied crossed (µs since the log opened).
    pub last_us: u64,
}

/// The bytes of segment `i` of `recording`.
fn segment<'a>(recording: &'a [u8], scan: &Scan, i: usize) -> Result<&'a [u8], ReplayError> {
    let info = &scan.segments[i];
    usize::try_from(info.offset)
        .ok()
        .zip(usize::try_from(info.len).ok())
        .and_then(|(start, len)| recording.get(start..start.checked_add(len)?))
        .ok_or(ReplayError::Outside(info.i))
}

/// Reads one recorded message (length prefix and frame, as sent).
fn read(message: &Message<'_>) -> Result<ScreenMsg, ReplayError> {
    let bad = |why: String| ReplayError::Message {
        at_us: message.at_us,
        why,
    };
    let (prefix, body) = message
        .bytes
        .split_at_checked(4)
        .ok_or_else(|| bad("shorter than its length prefix".into()))?;
    let announced = u32::from_be_bytes([prefix[0], prefix[1], prefix[2], prefix[3]]);
    if usize::try_from(announced).ok() != Some(body.len()) {
        return Err(bad("its length prefix is not its length".into()));
    }
    ScreenMsg::from_body(body).map_err(|e| bad(e.to_string()))
}

/// The screen at `at_us` (µs since the log opened) in `recording`, whose
/// segments `scan` found.
pub fn moment_at(recording: &[u8], scan: &Scan, at_us: u64) -> Result<Moment, ReplayError> {
    match last_keyframe(recording, scan, at_us)? {
        Some((start, from)) => play(recording, scan, start, from, at_us),
        None => Ok(Moment::default()),
    }
}

/// Where the latest whole picture at or before `at_us` is: its segment
/// (the latest that holds one and starts by then, or an earlier one) and
/// its place there. `None` before the first.
fn last_keyframe(
    recording: &[u8],
    scan: &Scan,
    at_us: u64,
) -> Result<Option<(usize, usize)>, ReplayError> {
    let starts = scan
        .segments
        .iter()
        .enumerate()
        .filter(|(_, s)| s.keyframe && s.first_us <= at_us)
        .map(|(i, _)| i)
        .rev();
    for start in starts {
        let listed = messages(segment(recording, scan, start)?)?;
        if let Some(from) = listed
            .iter()
            .rposition(|m| m.kind == Kind::Keyframe && m.at_us <= at_us)
        {
            return Ok(Some((start, from)));
        }
    }
    Ok(None)
}

/// Decodes from message `from` of segment `start` up to `at_us`.
fn play(
    recording: &[u8],
    scan: &Scan,
    start: usize,
    from: usize,
    at_us: u64,
) -> Result<Moment, ReplayError> {
    let mut decoder = Decoder::new().map_err(|e| ReplayError::Decode {
        at_us: 0,
        why: e.to_string(),
    })?;
    let mut moment = Moment::default();
    for i in start..scan.segments.len() {
        if scan.segments[i].first_us > at_us {
            break;
        }
        let skip = if i == start { from } else { 0 };
        for message in messages(segment(recording, scan, i)?)?.iter().skip(skip) {
            if message.at_us > at_us {
                break;
            }
            match read(message)? {
                ScreenMsg::Update(update) => {
                    decoder.apply(&update).map_err(|e| ReplayError::Decode {
                        at_us: message.at_us,
                        why: e.to_string(),
                    })?;
                }
                ScreenMsg::Cursor { pointer, .. } => moment.pointer = Some(pointer),
                // Video regions replay as their lossless picture: still
                // until the top-off (docs/audit.md).
                ScreenMsg::Video(_) => {}
            }
            moment.last_us = message.at_us;
        }
    }
    moment.frame = decoder.frame().cloned();
    Ok(moment)
}

/// How far ahead a player moves by applying the updates in between; past
/// this it starts again from the last whole picture (never more than a
/// few seconds of updates away).
const STEP_LIMIT_US: u64 = 10_000_000;

/// A recording played as a replay window plays it: moving forward
/// applies only the messages in between, moving back (or far ahead)
/// starts again from the last whole picture before the moment.
pub struct Player {
    recording: Vec<u8>,
    scan: Scan,
    decoder: Decoder,
    /// The next message to apply: its segment, its place in it.
    next: (usize, usize),
    at_us: u64,
    pointer: Option<Pointer>,
}

impl Player {
    /// A player at the start of `recording` (a `screen.tsr`'s bytes).
    pub fn new(recording: Vec<u8>) -> Result<Player, ReplayError> {
        let scan = crate::recording::scan(&recording)?;
        Ok(Player {
            recording,
            scan,
            decoder: fresh_decoder()?,
            next: (0, 0),
            at_us: 0,
            pointer: None,
        })
    }

    /// When the last message crossed (µs since the record opened).
    pub fn end_us(&self) -> u64 {
        self.scan.segments.last().map_or(0, |s| s.last_us)
    }

    /// The moment shown.
    pub fn at_us(&self) -> u64 {
        self.at_us
    }

    /// The picture at that moment (`None`: nothing shown yet).
    pub fn frame(&self) -> Option<&Frame> {
        self.decoder.frame()
    }

    /// Where the technician saw the remote pointer then.
    pub fn pointer(&self) -> Option<Pointer> {
        self.pointer
    }

    /// Moves to `at_us`.
    pub fn seek(&mut self, at_us: u64) -> Result<(), ReplayError> {
        let ahead = at_us.checked_sub(self.at_us);
        if ahead.is_none_or(|d| d > STEP_LIMIT_US) {
            self.restart(at_us)?;
        }
        self.play_to(at_us)?;
        self.at_us = at_us;
        Ok(())
    }

    /// Starts from the last whole picture at or before `at_us` (or, with
    /// none, from the start: nothing is shown until one comes).
    fn restart(&mut self, at_us: u64) -> Result<(), ReplayError> {
        self.decoder = fresh_decoder()?;
        self.pointer = None;
        // Before the first whole picture: from the start, which shows
        // nothing until that picture comes.
        self.next = last_keyframe(&self.recording, &self.scan, at_us)?.unwrap_or((0, 0));
        Ok(())
    }

    /// Applies the messages from `next` up to `at_us`.
    fn play_to(&mut self, at_us: u64) -> Result<(), ReplayError> {
        while let Some(info) = self.scan.segments.get(self.next.0) {
            if info.first_us > at_us {
                return Ok(());
            }
            let listed = messages(segment(&self.recording, &self.scan, self.next.0)?)?;
            for message in &listed[self.next.1.min(listed.len())..] {
                if message.at_us > at_us {
                    return Ok(());
                }
                match read(message)? {
                    ScreenMsg::Update(update) => {
                        self.decoder
                            .apply(&update)
                            .map_err(|e| ReplayError::Decode {
                                at_us: message.at_us,
                                why: e.to_string(),
                            })?;
                    }
                    ScreenMsg::Cursor { pointer, .. } => self.pointer = Some(pointer),
                    ScreenMsg::Video(_) => {}
                }
                self.next.1 += 1;
            }
            self.next = (self.next.0 + 1, 0);
        }
        Ok(())
    }
}

fn fresh_decoder() -> Result<Decoder, ReplayError> {
    Decoder::new().map_err(|e| ReplayError::Decode {
        at_us: 0,
        why: e.to_string(),
    })
}
