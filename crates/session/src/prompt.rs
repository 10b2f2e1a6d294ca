//! The consent prompt as a form the person fills, whatever shows it (the
//! window or the terminal): what was asked, what they tick, how long is
//! left. Everything asked starts ticked so the person sees the whole
//! request, but the form's default answer is **Deny**: Deny has the
//! focus, Escape denies, and letting it run out denies (closing the
//! window ends the session altogether). Accepting with nothing ticked is
//! a denial too.

use crate::Technician;
use std::time::{Duration, Instant};
use tessera_proto::{Grants, Permission};

/// What a consent or upgrade prompt asks the person: the machine's
/// request, passed as is to whatever shows it (the window, the terminal).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsentRequest {
    /// Who asks.
    pub technician: Technician,
    /// What they ask for (for an upgrade, only what is not granted).
    pub requested: Grants,
    /// For an upgrade, what is already granted (maybe nothing, if the
    /// person took everything back); `None` for the first prompt.
    pub already: Option<Grants>,
    /// When the prompt denies by itself.
    pub timeout: Duration,
}

/// One consent (or upgrade) prompt being answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsentForm {
    requested: Grants,
    chosen: Grants,
    deadline: Instant,
}

impl ConsentForm {
    /// A prompt for `requested`, opened at `now`, denied after `timeout`.
    pub fn new(requested: Grants, timeout: Duration, now: Instant) -> Self {
        Self {
            requested,
            chosen: requested,
            deadline: now + timeout,
        }
    }

    /// What was asked, in the order they are shown.
    pub fn requested(&self) -> impl Iterator<Item = Permission> + '_ {
        self.requested.iter()
    }

    /// Whether `p` is ticked.
    pub fn is_chosen(&self, p: Permission) -> bool {
        self.chosen.contains(p)
    }

    /// Ticks or unticks `p`; what was not asked cannot be ticked.
    pub fn set(&mut self, p: Permission, on: bool) {
        if !self.requested.contains(p) {
            return;
        }
        self.chosen = match on {
            true => self.chosen.with(p),
            false => self.chosen.without(p),
        };
    }

    /// Whole seconds left before the prompt denies by itself (rounded up,
    /// so the countdown reaches 0 only when time is up).
    pub fn seconds_left(&self, now: Instant) -> u64 {
        let left = self.deadline.saturating_duration_since(now);
        left.as_secs() + u64::from(left.subsec_nanos() > 0)
    }

    /// The answer if the person accepts now: what is ticked, or a denial
    /// when nothing is.
    pub fn accept(&self) -> Option<Grants> {
        Some(self.chosen).filter(|g| !g.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_person_grants_part_all_or_nothing() {
        let now = Instant::now();
        let asked = Grants::parse_list("view,control,chat").expect("grants");
        let mut form = ConsentForm::new(asked, Duration::from_secs(60), now);
        assert_eq!(form.accept(), Some(asked), "all, as shown");
        form.set(Permission::Control, false);
        assert_eq!(
            form.accept(),
            Some(Grants::parse_list("view,chat").expect("grants"))
        );
        form.set(Permission::Files, true);
        assert!(!form.is_chosen(Permission::Files), "never more than asked");
        for p in [Permission::View, Permission::Chat] {
            form.set(p, false);
        }
        assert_eq!(form.accept(), None, "nothing ticked is a denial");
    }

    #[test]
    fn the_countdown_reaches_zero_only_when_time_is_up() {
        let now = Instant::now();
        let form = ConsentForm::new(Grants::NONE, Duration::from_secs(60), now);
        assert_eq!(form.seconds_left(now), 60);
        assert_eq!(form.seconds_left(now + Duration::from_millis(59_001)), 1);
        assert_eq!(form.seconds_left(now + Duration::from_secs(60)), 0);
        assert_eq!(form.seconds_left(now + Duration::from_secs(99)), 0);
    }
}
