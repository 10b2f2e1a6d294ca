//! The technician's keyboard and mouse at the agent: every event passes
//! the [`Gate`] (control granted, no prompt open, the person not using
//! their computer, rate and bounds); what the gate let press is released
//! whenever control stops; refusals are reported, at most once a second
//! per reason with their count; the technician learns of the person's own
//! input only while they hold `control`.
//!
//! Once the agent lost its view of the person's own devices, control is
//! gone for the session: it is never offered again, and only releases of
//! what was pressed are ever injected.

use super::{AgentAction, Out};
use crate::event::SessionEvent;
use crate::record::Recording;
use crate::Timer;
use std::mem;
use std::time::{Duration, Instant};
use tessera_input::{Context, Gate, InputEvent, RefusalKind, Verdict, LOCAL_PAUSE};
use tessera_proto::peer::{AgentMsg, DisplayInfo};
use tessera_proto::{Grants, Permission};

/// Refusals of the same kind are reported at most this often.
const REFUSAL_REPORT_EVERY: Duration = Duration::from_secs(1);

/// Everything the agent keeps about remote input across a session.
#[derive(Default)]
pub(super) struct RemoteControl {
    /// The input gate, from the first remote or local event on.
    gate: Option<Gate>,
    /// Size of the display shown, for the bounds of pointer positions.
    display: Option<(u32, u32)>,
    /// The last refusal reported, and when.
    last_report: Option<(RefusalKind, Instant)>,
    /// Refusals since, not yet reported.
    unreported: u32,
    /// Whether the viewer was told the person is using their computer.
    local_told: bool,
    /// The watch on the person's devices was lost: no control, ever again.
    lost: bool,
}

impl RemoteControl {
    /// What of `asked` can be offered: everything, but `control` once it
    /// was lost.
    pub(super) fn offerable(&self, asked: Grants) -> Grants {
        match self.lost {
            true => asked.without(Permission::Control),
            false => asked,
        }
    }

    /// The agent can no longer see the person's own keyboard and mouse.
    pub(super) fn lose(&mut self) {
        self.lost = true;
    }

    /// Passes one remote event through the gate: inject it, or refuse it.
    pub(super) fn admit(&mut self, out: &mut Out, granted: Grants, event: InputEvent, at: Instant) {
        let (width, height) = self.display.unwrap_or((u32::MAX, u32::MAX));
        let ctx = Context {
            control: granted.contains(Permission::Control) && !self.lost,
            prompt_open: out.prompt_shown,
            width,
            height,
        };
        let sent = event.clone();
        match self
            .gate
            .get_or_insert_with(|| Gate::new(at))
            .admit(event, &ctx, at)
        {
            Verdict::Inject(event) => self.inject(out, event),
            Verdict::Refuse(refusal) => {
                out.record(Recording::Input {
                    event: sent,
                    refused: Some(refusal.kind()),
                });
                self.report_refusal(out, refusal.kind(), at)
            }
            Verdict::Ignore => {}
        }
    }

    /// Queues an injection; once control was lost, only releases pass.
    fn inject(&self, out: &mut Out, event: InputEvent) {
        if self.lost && !event.is_release() {
            out.record(Recording::Input {
                event,
                refused: Some(RefusalKind::NotGranted),
            });
            return;
        }
        out.record(Recording::Input {
            event: event.clone(),
            refused: None,
        });
        out.push(AgentAction::Inject(event));
    }

    /// The person used their own keyboard or mouse: remote input pauses
    /// while they hold anything down and for [`LOCAL_PAUSE`] after (what
    /// the agent held pressed is released), and a technician with
    /// `control` is told when the pause starts.
    pub(super) fn local_input(&mut self, out: &mut Out, granted: Grants, at: Instant, held: bool) {
        let gate = self.gate.get_or_insert_with(|| Gate::new(at));
        for release in gate.local_input(at, held) {
            out.push(AgentAction::Inject(release));
        }
        out.push(AgentAction::SetTimer(Timer::LocalPause, LOCAL_PAUSE));
        if granted.contains(Permission::Control) && !self.local_told {
            self.local_told = true;
            out.push(AgentAction::ToViewer(AgentMsg::LocalUser { active: true }));
            out.emit(SessionEvent::LocalUser { active: true });
        }
    }

    /// The pause may be over: the technician told of it hears it ended,
    /// unless the person still holds something (its release re-arms the
    /// timer).
    pub(super) fn local_pause_over(&mut self, out: &mut Out) {
        let held = self.gate.as_ref().is_some_and(Gate::local_held);
        if !held && mem::take(&mut self.local_told) {
            out.push(AgentAction::ToViewer(AgentMsg::LocalUser { active: false }));
            out.emit(SessionEvent::LocalUser { active: false });
        }
    }

    /// `control` was taken back: nothing stays pressed, and the person's
    /// pauses are no longer the technician's business.
    pub(super) fn control_taken_back(&mut self, out: &mut Out) {
        self.release_all(out);
        self.local_told = false;
    }

    /// The capture's displays changed: pointer bounds follow the one shown.
    pub(super) fn set_display(&mut self, displays: &[DisplayInfo], showing: u32) {
        self.display = displays.get(showing as usize).map(|d| (d.width, d.height));
    }

    /// Counts a refusal; tells the viewer and the event stream on the
    /// first of a run, on a new reason, or a second after the last report.
    pub(super) fn report_refusal(&mut self, out: &mut Out, reason: RefusalKind, at: Instant) {
        self.unreported = self.unreported.saturating_add(1);
        let due = match self.last_report {
            Some((last, when)) => {
                last != reason || at.saturating_duration_since(when) >= REFUSAL_REPORT_EVERY
            }
            None => true,
        };
        if due {
            self.flush_refusals(out, reason, at);
        } else if self.unreported == 1 {
            // The first held back: reported when the second is over.
            out.push(AgentAction::SetTimer(
                Timer::InputRefusals,
                REFUSAL_REPORT_EVERY,
            ));
        }
    }

    /// The report timer ran out: refusals held back are told now.
    pub(super) fn refusals_due(&mut self, out: &mut Out) {
        if let Some((reason, at)) = self.last_report {
            self.flush_refusals(out, reason, at + REFUSAL_REPORT_EVERY);
        }
    }

    /// Reports the refusals not yet reported.
    fn flush_refusals(&mut self, out: &mut Out, reason: RefusalKind, at: Instant) {
        let count = mem::take(&mut self.unreported);
        if count == 0 {
            return;
        }
        out.push(AgentAction::CancelTimer(Timer::InputRefusals));
        self.last_report = Some((reason, at));
        out.push(AgentAction::ToViewer(AgentMsg::InputRefused {
            reason,
            count,
        }));
        out.emit(SessionEvent::InputRefused { reason, count });
    }

    /// Releases every key and button the agent pressed for the viewer.
    pub(super) fn release_all(&mut self, out: &mut Out) {
        let releases = self.gate.as_mut().map(Gate::release_all);
        for release in releases.into_iter().flatten() {
            out.push(AgentAction::Inject(release));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_input::{Button, Key};

    fn injected(out: &Out) -> Vec<&InputEvent> {
        out.actions
            .iter()
            .filter_map(|a| match a {
                AgentAction::Inject(e) => Some(e),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn once_control_is_lost_only_releases_are_injected_whatever_the_grants_say() {
        let (mut control, mut out) = (RemoteControl::default(), Out::default());
        let at = Instant::now();
        let granted = Grants::NONE.with(Permission::Control);
        let press = InputEvent::Button {
            button: Button::Left,
            down: true,
        };
        control.admit(&mut out, granted, press.clone(), at);
        assert_eq!(injected(&out), vec![&press], "control granted: injected");

        control.lose();
        let key = InputEvent::Key {
            key: Key::KeyA,
            down: true,
            text: None,
        };
        // Even a caller that still believes control is granted.
        control.admit(&mut out, granted, key, at);
        assert_eq!(injected(&out).len(), 1, "nothing new once control is lost");
        control.release_all(&mut out);
        let all = injected(&out);
        assert_eq!(all.len(), 2, "what was pressed is still let go");
        assert!(all[1].is_release());
        assert_eq!(control.offerable(granted), Grants::NONE);
    }
}
