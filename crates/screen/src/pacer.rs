//! When to grab the next picture. Sans-IO: fed what happened, it answers
//! whether a grab now would be useful.
//!
//! The screen is grabbed only when it may have changed and fewer than
//! `window` updates are waiting for the viewer to show them. On a slow
//! link the damage keeps piling up on the screen, not in a queue: the
//! next grab takes the newest picture and the encoder sends everything
//! that changed since the last update in one go. Nothing stale is sent.

/// The grab decision.
#[derive(Debug)]
pub struct Pacer {
    window: u64,
    sent: u64,
    shown: u64,
    dirty: bool,
}

impl Pacer {
    /// A pacer allowing `window` (at least one) updates in flight.
    pub fn new(window: u64) -> Self {
        Self {
            window: window.max(1),
            sent: 0,
            shown: 0,
            dirty: true,
        }
    }

    /// Allows `window` (at least one) in flight from now on: a longer
    /// round trip needs more to keep the same pace.
    pub fn set_window(&mut self, window: u64) {
        self.window = window.max(1);
    }

    /// The screen may have changed.
    pub fn damaged(&mut self) {
        self.dirty = true;
    }

    /// A grab was made; it produced update `seq`, or nothing (no change).
    pub fn grabbed(&mut self, seq: Option<u64>) {
        self.dirty = false;
        if let Some(seq) = seq {
            self.sent = seq;
        }
    }

    /// The viewer showed update `seq` (and so every one before it).
    /// Acknowledgements of updates never sent are ignored.
    pub fn shown(&mut self, seq: u64) {
        if seq <= self.sent {
            self.shown = self.shown.max(seq);
        }
    }

    /// The viewer lost its picture: what is in flight will never be
    /// acknowledged, and the next grab must happen (it will be a keyframe).
    pub fn lost(&mut self) {
        self.shown = self.sent;
        self.dirty = true;
    }

    /// How many updates the viewer has not shown yet.
    pub fn in_flight(&self) -> u64 {
        self.sent - self.shown
    }

    /// Whether fewer than the window are in flight (whatever the damage).
    pub fn ready_for_more(&self) -> bool {
        self.in_flight() < self.window
    }

    /// Whether to grab now.
    pub fn ready(&self) -> bool {
        self.dirty && self.in_flight() < self.window
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grabs_only_what_may_have_changed() {
        let mut pacer = Pacer::new(2);
        assert!(pacer.ready(), "the first picture is always wanted");
        pacer.grabbed(Some(1));
        assert!(!pacer.ready(), "nothing changed since");
        pacer.damaged();
        assert!(pacer.ready());
        pacer.grabbed(None);
        assert!(
            !pacer.ready(),
            "a grab that found no change consumes the damage"
        );
    }

    #[test]
    fn a_slow_viewer_gets_the_newest_picture_not_a_backlog() {
        let mut pacer = Pacer::new(2);
        pacer.grabbed(Some(1));
        pacer.damaged();
        pacer.grabbed(Some(2));
        for _ in 0..100 {
            pacer.damaged(); // the screen keeps changing
            assert!(!pacer.ready(), "two in flight: wait, merging damage");
        }
        pacer.shown(1);
        assert!(pacer.ready(), "room again: one grab carries all of it");
        pacer.grabbed(Some(3));
        assert!(!pacer.ready());
        assert_eq!(pacer.in_flight(), 2);
    }

    #[test]
    fn acknowledgements_are_checked() {
        let mut pacer = Pacer::new(1);
        pacer.grabbed(Some(5));
        pacer.shown(9); // never sent: ignored
        assert_eq!(pacer.in_flight(), 5);
        pacer.shown(5);
        pacer.shown(3); // late and older: changes nothing
        assert_eq!(pacer.in_flight(), 0);
    }

    #[test]
    fn a_lost_picture_reopens_the_window() {
        let mut pacer = Pacer::new(1);
        pacer.grabbed(Some(1));
        pacer.lost();
        assert!(pacer.ready(), "the keyframe goes out at once");
    }
}
