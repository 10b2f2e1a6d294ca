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
