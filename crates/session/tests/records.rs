//! What both machines ask their session records to keep: the record
//! opens at pairing, the nameplate (never the secret), the introduction
//! and consent, every input event injected or refused, the peer's audit
//! messages passed on, and a record that cannot be kept ends the session
//! on both sides.

mod common;

use common::*;
use tessera_audit::record::Fact;
use tessera_input::{InputEvent, Key, RefusalKind};
use tessera_proto::audit::AuditMsg;
use tessera_proto::peer::{AgentMsg, ViewerMsg};
use tessera_proto::{EndReason, Permission};
use tessera_session::agent::AgentInput;
use tessera_session::record::Recording;
use tessera_session::viewer::ViewerInput;

fn facts(records: &[Recording]) -> Vec<&Fact> {
    records
        .iter()
        .filter_map(|r| match r {
            Recording::Fact(fact) => Some(&**fact),
            _ => None,
        })
        .collect()
}

fn key(down: bool) -> InputEvent {
    InputEvent::Key {
        key: Key::KeyA,
        down,
        text: down.then_some('a'),
    }
}

#[test]
fn both_records_open_at_pairing_and_keep_the_session() {
    let mut p = Pair::running("view,control,chat", "view,control,chat");
    for records in [&p.agent_records, &p.viewer_records] {
        assert!(matches!(records[0], Recording::Open(_)), "{records:?}");
        let facts = facts(records);
        assert!(matches!(facts[0], Fact::Nameplate { .. }));
        assert!(facts.contains(&&Fact::Paired));
        assert!(facts.iter().any(|f| matches!(f, Fact::Consent { .. })));
        assert!(facts
            .iter()
            .any(|f| matches!(f, Fact::ConsentRequested { .. })));
    }
    assert!(facts(&p.agent_records)
        .iter()
        .any(|f| matches!(f, Fact::Technician { .. })));
    p.deliver_viewer(ViewerInput::UserInput(key(true)));
    p.deliver_viewer(ViewerInput::UserInput(key(false)));
    p.deliver_agent(AgentInput::Revoke(Permission::Control));
    p.deliver_viewer(ViewerInput::UserInput(key(true)));
    let inputs: Vec<_> = p
        .agent_records
        .iter()
        .filter_map(|r| match r {
            Recording::Input { event, refused } => Some((event.clone(), *refused)),
            _ => None,
        })
        .collect();
    assert_eq!(
        inputs,
        vec![
            (key(true), None),
            (key(false), None),
            (key(true), Some(RefusalKind::NotGranted)),
        ]
    );
    assert!(facts(&p.agent_records)
        .iter()
        .any(|f| matches!(f, Fact::GrantChanged { .. })));
}

#[test]
fn audit_messages_reach_the_record_and_a_failed_record_ends_both() {
    let mut p = Pair::running("view", "view");
    let msg = AuditMsg::Cosignature {
        size: 3,
        line: "x\n".into(),
    };
    p.deliver_agent(AgentInput::FromViewer(ViewerMsg::Audit(Box::new(
        msg.clone(),
    ))));
    p.deliver_viewer(ViewerInput::FromAgent(AgentMsg::Audit(Box::new(
        msg.clone(),
    ))));
    for records in [&p.agent_records, &p.viewer_records] {
        assert!(records.contains(&Recording::FromPeer(Box::new(msg.clone()))));
    }
    p.deliver_agent(AgentInput::RecordFailed("disk full".into()));
    assert_eq!(
        p.ended(),
        (
            Some(EndReason::RecordingFailed),
            Some(EndReason::RecordingFailed)
        )
    );
    let mut p = Pair::running("view", "view");
    p.deliver_viewer(ViewerInput::RecordFailed("disk full".into()));
    assert_eq!(
        p.ended(),
        (
            Some(EndReason::RecordingFailed),
            Some(EndReason::RecordingFailed)
        ),
        "both records say why"
    );
}

/// The record's facts of kind `pred` on one end.
fn has(records: &[Recording], pred: impl Fn(&Fact) -> bool) -> bool {
    facts(records).into_iter().any(pred)
}

#[test]
fn upgrades_continue_checks_and_the_persons_own_input_are_on_both_records() {
    use common::grants;
    use tessera_proto::UpgradeRefusal;
    use tessera_session::Timer;
    let mut p = Pair::running("view", "view");
    // Asked and granted.
    p.deliver_viewer(ViewerInput::UserRequest(grants("view,control")));
    p.deliver_agent(AgentInput::ConsentAnswer(Some(grants("control"))));
    // Asked again for nothing new: refused without a prompt.
    p.deliver_viewer(ViewerInput::UserRequest(grants("control")));
    // The continue check, asked and answered.
    p.deliver_agent(AgentInput::TimerFired(Timer::ContinueCheck));
    p.deliver_agent(AgentInput::ContinueAnswer(true));
    // The person's own hands on the keyboard.
    p.deliver_agent(AgentInput::LocalInput {
        at: std::time::Instant::now(),
        held: false,
    });
    for records in [&p.agent_records, &p.viewer_records] {
        assert!(
            has(records, |f| matches!(f, Fact::UpgradeRequested { .. })),
            "{records:?}"
        );
        let granted = Fact::UpgradeGranted {
            granted: grants("view,control"),
        };
        assert!(has(records, |f| *f == granted), "{records:?}");
        let refused = Fact::UpgradeRefused {
            why: UpgradeRefusal::NothingNew,
        };
        assert!(has(records, |f| *f == refused), "{records:?}");
        for open in [true, false] {
            let check = Fact::ContinueCheck { open };
            assert!(has(records, |f| *f == check), "{records:?}");
        }
        let local = Fact::LocalUser { active: true };
        assert!(has(records, |f| *f == local), "{records:?}");
    }
}

#[test]
fn a_screen_update_the_viewer_refused_is_on_its_record() {
    let mut p = Pair::running("view", "view");
    p.deliver_viewer(ViewerInput::FrameRejected("bad tile at 3".into()));
    assert!(has(&p.viewer_records, |f| {
        *f == Fact::Error {
            what: "screen update rejected: bad tile at 3".into(),
        }
    }));
    // However long the decoder's words, the record keeps 200 characters.
    p.deliver_viewer(ViewerInput::FrameRejected("x".repeat(10_000)));
    assert!(has(&p.viewer_records, |f| matches!(
        f,
        Fact::Error { what } if what.len() == "screen update rejected: ".len() + 200
    )));
}
