//! Runs the timers a sans-IO state machine arms: at most one deadline per
//! kind, re-armed or cancelled by the machine's actions.

use std::collections::HashMap;
use std::hash::Hash;
use std::time::Duration;
use tokio::time::Instant;

/// The armed deadlines of one state machine.
#[derive(Debug)]
pub struct Timers<K> {
    deadlines: HashMap<K, Instant>,
}

impl<K: Copy + Eq + Hash> Default for Timers<K> {
    fn default() -> Self {
        Self {
            deadlines: HashMap::new(),
        }
    }
}

impl<K: Copy + Eq + Hash> Timers<K> {
    /// Arms (or re-arms) `kind` to fire after `after`.
    pub fn set(&mut self, kind: K, after: Duration) {
        self.deadlines.insert(kind, Instant::now() + after);
    }

    /// Disarms `kind`.
    pub fn cancel(&mut self, kind: K) {
        self.deadlines.remove(&kind);
    }

    /// Waits for the earliest deadline, disarms it and returns its kind;
    /// pends forever while none is armed (for use in `select!`).
    pub async fn next(&mut self) -> K {
        let Some((&kind, &at)) = self.deadlines.iter().min_by_key(|(_, at)| **at) else {
            return std::future::pending().await;
        };
        tokio::time::sleep_until(at).await;
        self.deadlines.remove(&kind);
        kind
    }
}
