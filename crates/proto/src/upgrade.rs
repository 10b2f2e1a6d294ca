//! Why the agent did not grant more in the middle of a session. A
//! technician may ask for more than the person first allowed; the person
//! answers a new prompt, and the agent keeps people from being worn down
//! by repeated asking (one prompt at a time, a pause after a no, and no
//! more asking after three).

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why an upgrade request got nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UpgradeRefusal {
    /// The person said no (or ticked nothing).
    Denied,
    /// The person did not answer in time.
    Timeout,
    /// Everything asked is already granted: no prompt was shown.
    NothingNew,
    /// Another question is open on the person's screen.
    Busy,
    /// The person said no, or took a permission back, a moment ago.
    TooSoon,
    /// The person already said no (or nothing) three times in this
    /// session.
    TooMany,
    /// Nothing asked can be offered: `control` is no longer available in
    /// this session (the agent lost its view of the person's own keyboard
    /// and mouse, so it could not give way to them).
    Unavailable,
}

impl UpgradeRefusal {
    /// The stable name used in JSON events.
    pub fn name(self) -> &'static str {
        match self {
            UpgradeRefusal::Denied => "denied",
            UpgradeRefusal::Timeout => "timeout",
            UpgradeRefusal::NothingNew => "nothing_new",
            UpgradeRefusal::Busy => "busy",
            UpgradeRefusal::TooSoon => "too_soon",
            UpgradeRefusal::TooMany => "too_many",
            UpgradeRefusal::Unavailable => "unavailable",
        }
    }

    /// A sentence for the technician.
    pub fn describe(self) -> &'static str {
        match self {
            UpgradeRefusal::Denied => "the person declined",
            UpgradeRefusal::Timeout => "the person did not answer in time",
            UpgradeRefusal::NothingNew => "everything asked is already granted",
            UpgradeRefusal::Busy => "another question is open on the person's screen",
            UpgradeRefusal::TooSoon => {
                "the person declined or took a permission back moments ago: wait before asking again"
            }
            UpgradeRefusal::TooMany => {
                "the person declined or left unanswered three requests: no more in this session"
            }
            UpgradeRefusal::Unavailable => {
                "control is no longer available in this session: the agent cannot watch the person's own keyboard and mouse"
            }
        }
    }
}

impl fmt::Display for UpgradeRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
