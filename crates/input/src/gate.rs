//! The gate: the one place every remote input event passes before it is
//! injected. Sans-IO: fed events, the state of the session and the time,
//! it answers inject, refuse (and why), or ignore; it remembers what it
//! let press, so all of it can be released at once.

use crate::event::{Button, InputError, InputEvent};
use crate::keys::Key;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

/// How long remote input waits after the person touches their own
/// keyboard or mouse: the local user always wins.
pub const LOCAL_PAUSE: Duration = Duration::from_secs(2);
/// Events a second a viewer may send, sustained (mouse moves at a high
/// refresh rate and fast typing stay well under it).
pub const FLOOD_RATE: u32 = 500;
/// Events a viewer may send at once before the rate applies.
pub const FLOOD_BURST: u32 = 1000;

/// What the session says when an event arrives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Context {
    /// Whether `control` is granted now.
    pub control: bool,
    /// Whether a consent or upgrade prompt is open (nothing is injected
    /// then, so a technician cannot click "Accept" themself).
    pub prompt_open: bool,
    /// Size of the display the viewer sees.
    pub width: u32,
    /// Its height.
    pub height: u32,
}

/// Why an event was not injected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// `control` is not granted.
    #[error("input refused: not granted")]
    NotGranted,
    /// A prompt is open on the person's screen.
    #[error("input refused: the person is answering a prompt")]
    PromptOpen,
    /// The person is using their keyboard or mouse.
    #[error("input paused: the person is using their computer")]
    LocalUser,
    /// Too many events too fast.
    #[error("input refused: more than {FLOOD_RATE} events a second")]
    Flood,
    /// The event is out of bounds.
    #[error("input refused: {0}")]
    Invalid(#[from] InputError),
}

/// Why input was refused, as reported to the viewer and in the events.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusalKind {
    /// `control` is not granted.
    NotGranted,
    /// A prompt is open on the person's screen.
    PromptOpen,
    /// The person is using their keyboard or mouse.
    LocalUser,
    /// Too many events too fast.
    Flood,
    /// An event out of bounds.
    Invalid,
}

impl RefusalKind {
    /// The name the `input_refused` event uses.
    pub fn name(self) -> &'static str {
        match self {
            RefusalKind::NotGranted => "not_granted",
            RefusalKind::PromptOpen => "prompt_open",
            RefusalKind::LocalUser => "local_user",
            RefusalKind::Flood => "flood",
            RefusalKind::Invalid => "invalid",
        }
    }
}

impl Refusal {
    /// Which kind of refusal.
    pub fn kind(&self) -> RefusalKind {
        match self {
            Refusal::NotGranted => RefusalKind::NotGranted,
            Refusal::PromptOpen => RefusalKind::PromptOpen,
            Refusal::LocalUser => RefusalKind::LocalUser,
            Refusal::Flood => RefusalKind::Flood,
            Refusal::Invalid(_) => RefusalKind::Invalid,
        }
    }

    /// The reason as the `input_refused` event names it.
    pub fn reason(&self) -> &'static str {
        self.kind().name()
    }
}

/// The gate's answer for one event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Inject it.
    Inject(InputEvent),
    /// Do not; tell the viewer and record why.
    Refuse(Refusal),
    /// Do nothing and say nothing: the release of a key or button the
    /// agent never pressed (it could be one the person is holding).
    Ignore,
}

/// The gate of one session.
#[derive(Debug)]
pub struct Gate {
    keys: BTreeSet<Key>,
    buttons: BTreeSet<Button>,
    tokens: f64,
    refilled: Instant,
    paused_until: Option<Instant>,
    /// The person holds a key, a button or a touch down: the pause lasts
    /// until they let go (and [`LOCAL_PAUSE`] after).
    local_held: bool,
    refused: u64,
}

impl Gate {
    /// A gate with nothing pressed and a full burst allowance.
    pub fn new(now: Instant) -> Self {
        Self {
            keys: BTreeSet::new(),
            buttons: BTreeSet::new(),
            tokens: f64::from(FLOOD_BURST),
            refilled: now,
            paused_until: None,
            local_held: false,
            refused: 0,
        }
    }

    /// Decides what becomes of `event`.
    pub fn admit(&mut self, event: InputEvent, ctx: &Context, now: Instant) -> Verdict {
        let verdict = self.decide(event, ctx, now);
        if matches!(verdict, Verdict::Refuse(_)) {
            self.refused += 1;
        }
        verdict
    }

    fn decide(&mut self, event: InputEvent, ctx: &Context, now: Instant) -> Verdict {
        if !ctx.control {
            return Verdict::Refuse(Refusal::NotGranted);
        }
        if ctx.prompt_open {
            return Verdict::Refuse(Refusal::PromptOpen);
        }
        if self.paused(now) {
            return Verdict::Refuse(Refusal::LocalUser);
        }
        if let Err(e) = event.validate(ctx.width, ctx.height) {
            return Verdict::Refuse(e.into());
        }
        let elapsed = now.saturating_duration_since(self.refilled).as_secs_f64();
        self.tokens = (self.tokens + elapsed * f64::from(FLOOD_RATE)).min(f64::from(FLOOD_BURST));
        self.refilled = now;
        if self.tokens < 1.0 {
            return Verdict::Refuse(Refusal::Flood);
        }
        self.tokens -= 1.0;
        // A release is injected only for what the gate let press.
        let ours = match &event {
            InputEvent::Key { key, down, .. } if *down => {
                self.keys.insert(*key);
                true
            }
            InputEvent::Key { key, .. } => self.keys.remove(key),
            InputEvent::Button { button, down } if *down => {
                self.buttons.insert(*button);
                true
            }
            InputEvent::Button { button, .. } => self.buttons.remove(button),
            _ => true,
        };
        if !ours {
            return Verdict::Ignore;
        }
        Verdict::Inject(event)
    }

    /// The person touched their own keyboard or mouse: remote input waits
    /// while they hold anything down (`held`) and [`LOCAL_PAUSE`] from
    /// now. Returns the releases of everything the agent holds pressed, to
    /// inject at once.
    pub fn local_input(&mut self, now: Instant, held: bool) -> Vec<InputEvent> {
        self.paused_until = Some(now + LOCAL_PAUSE);
        self.local_held = held;
        self.release_all()
    }

    /// Whether remote input is paused for the local user at `now`.
    pub fn paused(&self, now: Instant) -> bool {
        self.local_held || self.paused_until.is_some_and(|until| now < until)
    }

    /// Whether the person holds a key, button or touch down right now.
    pub fn local_held(&self) -> bool {
        self.local_held
    }

    /// Releases of every key and button the agent pressed and has not
    /// released, modifiers last; the gate then holds nothing. For revoke,
    /// end, disconnect, a vanished viewer: nothing stays pressed.
    pub fn release_all(&mut self) -> Vec<InputEvent> {
        let (modifiers, keys): (Vec<Key>, Vec<Key>) = std::mem::take(&mut self.keys)
            .into_iter()
            .partition(|k| k.is_modifier());
        let keys = keys
            .into_iter()
            .chain(modifiers)
            .map(|key| InputEvent::Key {
                key,
                down: false,
                text: None,
            });
        let buttons =
            std::mem::take(&mut self.buttons)
                .into_iter()
                .map(|button| InputEvent::Button {
                    button,
                    down: false,
                });
        keys.chain(buttons).collect()
    }

    /// How many events were refused so far (for the record).
    pub fn refused(&self) -> u64 {
        self.refused
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONTROL: Context = Context {
        control: true,
        prompt_open: false,
        width: 1920,
        height: 1080,
    };

    fn key(key: Key, down: bool) -> InputEvent {
        InputEvent::Key {
            key,
            down,
            text: None,
        }
    }

    #[test]
    fn nothing_passes_without_control_and_every_refusal_is_counted() {
        let now = Instant::now();
        let mut gate = Gate::new(now);
        let view_only = Context {
            control: false,
            ..CONTROL
        };
        for event in [
            key(Key::KeyA, true),
            InputEvent::Text {
                text: "rm -rf".into(),
            },
            InputEvent::Move { x: 1, y: 1 },
            InputEvent::Button {
                button: Button::Left,
                down: true,
            },
            InputEvent::Scroll { dx: 0, dy: 120 },
        ] {
            assert_eq!(
                gate.admit(event, &view_only, now),
                Verdict::Refuse(Refusal::NotGranted)
            );
        }
        assert_eq!(gate.refused(), 5);
        assert!(gate.release_all().is_empty(), "nothing was pressed");
    }

    #[test]
    fn an_open_prompt_blocks_input_even_with_control() {
        let now = Instant::now();
        let mut gate = Gate::new(now);
        let prompting = Context {
            prompt_open: true,
            ..CONTROL
        };
        let click = InputEvent::Button {
            button: Button::Left,
            down: true,
        };
        assert_eq!(
            gate.admit(click, &prompting, now),
            Verdict::Refuse(Refusal::PromptOpen)
        );
    }

    #[test]
    fn everything_pressed_is_released_modifiers_last() {
        let now = Instant::now();
        let mut gate = Gate::new(now);
        for event in [
            key(Key::ControlLeft, true),
            key(Key::KeyC, true),
            InputEvent::Button {
                button: Button::Left,
                down: true,
            },
        ] {
            assert!(matches!(
                gate.admit(event, &CONTROL, now),
                Verdict::Inject(_)
            ));
        }
        assert_eq!(
            gate.release_all(),
            vec![
                key(Key::KeyC, false),
                key(Key::ControlLeft, false),
                InputEvent::Button {
                    button: Button::Left,
                    down: false
                },
            ]
        );
        assert!(gate.release_all().is_empty());
    }

    #[test]
    fn releasing_what_the_agent_did_not_press_is_ignored() {
        let now = Instant::now();
        let mut gate = Gate::new(now);
        // The person may be holding Shift themself: not ours to release.
        assert_eq!(
            gate.admit(key(Key::ShiftLeft, false), &CONTROL, now),
            Verdict::Ignore
        );
    }

    #[test]
    fn the_local_user_pauses_remote_input_and_gets_their_keys_back() {
        let now = Instant::now();
        let mut gate = Gate::new(now);
        gate.admit(key(Key::ShiftLeft, true), &CONTROL, now);
        assert_eq!(
            gate.local_input(now, false),
            vec![key(Key::ShiftLeft, false)]
        );
        let typed = key(Key::KeyA, true);
        let soon = now + LOCAL_PAUSE - Duration::from_millis(1);
        assert_eq!(
            gate.admit(typed.clone(), &CONTROL, soon),
            Verdict::Refuse(Refusal::LocalUser)
        );
        assert!(gate.paused(soon));
        let later = now + LOCAL_PAUSE;
        assert_eq!(
            gate.admit(typed.clone(), &CONTROL, later),
            Verdict::Inject(typed)
        );
    }

    #[test]
    fn the_pause_lasts_while_the_person_holds_a_key() {
        let now = Instant::now();
        let mut gate = Gate::new(now);
        gate.local_input(now, true);
        let much_later = now + 10 * LOCAL_PAUSE;
        assert!(gate.paused(much_later), "still held: still paused");
        assert!(gate.local_held());
        gate.local_input(much_later, false); // let go
        assert!(gate.paused(much_later + LOCAL_PAUSE - Duration::from_millis(1)));
        assert!(!gate.paused(much_later + LOCAL_PAUSE));
    }

    #[test]
    fn a_flood_is_refused_then_the_rate_recovers() {
        let now = Instant::now();
        let mut gate = Gate::new(now);
        let nudge = InputEvent::Move { x: 5, y: 5 };
        for _ in 0..FLOOD_BURST {
            assert!(matches!(
                gate.admit(nudge.clone(), &CONTROL, now),
                Verdict::Inject(_)
            ));
        }
        assert_eq!(
            gate.admit(nudge.clone(), &CONTROL, now),
            Verdict::Refuse(Refusal::Flood)
        );
        let second = now + Duration::from_secs(1);
        let mut passed = 0;
        while matches!(
            gate.admit(nudge.clone(), &CONTROL, second),
            Verdict::Inject(_)
        ) {
            passed += 1;
        }
        assert_eq!(passed, FLOOD_RATE);
    }

    #[test]
    fn out_of_bounds_events_are_refused_with_the_reason() {
        let now = Instant::now();
        let mut gate = Gate::new(now);
        let off = InputEvent::Move { x: 5000, y: 5 };
        let verdict = gate.admit(off, &CONTROL, now);
        assert!(matches!(
            verdict,
            Verdict::Refuse(Refusal::Invalid(InputError::OffScreen { .. }))
        ));
        if let Verdict::Refuse(r) = verdict {
            assert_eq!(r.reason(), "invalid");
            assert!(
                r.to_string().contains("outside the 1920x1080 display"),
                "{r}"
            );
        }
    }
}
