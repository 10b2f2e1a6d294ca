//! Every rule of [`Rules`](super::Rules), one client message at a time.

use super::*;
use crate::intercept::Passthrough;
use crate::registry::Limits;
use std::time::Duration;

const AGENT: ConnId = 1;
const VIEWER: ConnId = 2;
const OTHER: ConnId = 3;

fn rules() -> Rules {
    let mut r = Rules::new(Registry::new(Limits::default()), Arc::new(Passthrough));
    for id in [AGENT, VIEWER, OTHER] {
        let addr: SocketAddr = format!("192.0.2.{id}:{}", 1000 + id).parse().unwrap();
        r.opened(id, addr);
    }
    r
}

fn registered(r: &mut Rules, id: ConnId, now: Instant) -> Nameplate {
    match r.message(id, ClientMsg::Register, now).as_slice() {
        [Action::Send(
            to,
            RelayMsg::Registered {
                nameplate,
                expires_in_secs,
            },
        )] => {
            assert_eq!((*to, *expires_in_secs), (id, 600));
            *nameplate
        }
        other => panic!("expected a registration, got {other:?}"),
    }
}

/// Agent and viewer paired; returns the pair.
fn paired(r: &mut Rules, now: Instant) -> PairId {
    let nameplate = registered(r, AGENT, now);
    let actions = r.message(VIEWER, ClientMsg::Join { nameplate }, now);
    match actions.as_slice() {
        [Action::Paired, Action::Send(AGENT, RelayMsg::Paired { session_id: a }), Action::Send(VIEWER, RelayMsg::Paired { session_id: v }), Action::Send(AGENT, RelayMsg::LaneTicket { .. }), Action::Send(VIEWER, RelayMsg::LaneTicket { .. })] =>
        {
            assert_eq!(a, v, "both sides get the same session id");
            r.route(AGENT).expect("paired").pair
        }
        other => panic!("expected a pairing, got {other:?}"),
    }
}

fn mailbox(n: usize) -> ClientMsg {
    ClientMsg::Mailbox {
        payload: vec![7; n],
    }
}

/// The pair's end and who was told `PeerLeft`, from the actions that ended it.
fn ended(actions: &[Action]) -> (Vec<ConnId>, PairEnd) {
    let told = actions
        .iter()
        .filter_map(|a| match a {
            Action::Send(id, RelayMsg::PeerLeft) => Some(*id),
            _ => None,
        })
        .collect();
    let ends: Vec<PairEnd> = actions
        .iter()
        .filter_map(|a| match a {
            Action::Unpaired(record) => Some(record.end),
            _ => None,
        })
        .collect();
    assert_eq!(ends.len(), 1, "one record per pair: {actions:?}");
    (told, ends[0])
}

fn is_bad_request(actions: &[Action], id: ConnId) -> bool {
    matches!(actions.last(), Some(Action::BadRequest(to, _)) if *to == id)
}

#[test]
fn register_and_join_are_only_for_fresh_clients() {
    let now = Instant::now();
    let mut r = rules();
    let nameplate = registered(&mut r, AGENT, now);
    assert!(is_bad_request(
        &r.message(AGENT, ClientMsg::Register, now),
        AGENT
    ));
    assert_eq!(r.waiting(), 0, "a refused agent's nameplate is released");
    assert!(
        r.message(AGENT, ClientMsg::Register, now).is_empty(),
        "a client out of the rendezvous is heard no more"
    );

    let mut r = rules();
    registered(&mut r, AGENT, now);
    let join = ClientMsg::Join { nameplate };
    assert!(is_bad_request(&r.message(AGENT, join.clone(), now), AGENT));

    let mut r = rules();
    paired(&mut r, now);
    assert!(is_bad_request(&r.message(VIEWER, join, now), VIEWER));
}

#[test]
fn a_join_for_no_one_is_refused_and_the_viewer_may_try_again() {
    let now = Instant::now();
    let mut r = rules();
    let nowhere = Nameplate::new(5555).unwrap();
    let actions = r.message(VIEWER, ClientMsg::Join { nameplate: nowhere }, now);
    assert!(matches!(
        actions.as_slice(),
        [Action::Refuse(VIEWER, Refusal::UnknownNameplate)]
    ));
    paired(&mut r, now);
}

#[test]
fn mailbox_messages_go_to_the_peer_only_once_paired() {
    let now = Instant::now();
    let mut r = rules();
    assert!(is_bad_request(&r.message(VIEWER, mailbox(3), now), VIEWER));

    let mut r = rules();
    paired(&mut r, now);
    let to_viewer = r.message(AGENT, mailbox(3), now);
    assert!(matches!(
        to_viewer.as_slice(),
        [Action::Send(VIEWER, RelayMsg::Mailbox { payload })] if payload == &[7; 3]
    ));
    let to_agent = r.message(VIEWER, mailbox(MAX_MAILBOX_PAYLOAD), now);
    assert!(matches!(
        to_agent.as_slice(),
        [Action::Send(AGENT, RelayMsg::Mailbox { .. })]
    ));
}

#[test]
fn an_oversized_mailbox_payload_ends_the_pair_as_that_side_leaving() {
    let now = Instant::now();
    let mut r = rules();
    paired(&mut r, now);
    let actions = r.message(VIEWER, mailbox(MAX_MAILBOX_PAYLOAD + 1), now);
    assert!(is_bad_request(&actions, VIEWER));
    assert_eq!(ended(&actions), (vec![AGENT], PairEnd::ViewerLeft));
    assert_eq!(r.route(AGENT), None);
}

#[test]
fn each_direction_has_its_own_mailbox_cap() {
    let now = Instant::now();
    let mut r = rules();
    paired(&mut r, now);
    for _ in 0..MAX_MAILBOX_MESSAGES {
        assert!(matches!(
            r.message(AGENT, mailbox(1), now).as_slice(),
            [Action::Send(VIEWER, _)]
        ));
    }
    assert!(matches!(
        r.message(VIEWER, mailbox(1), now).as_slice(),
        [Action::Send(AGENT, _)]
    ));
    let actions = r.message(AGENT, mailbox(1), now);
    assert!(is_bad_request(&actions, AGENT));
    assert_eq!(ended(&actions), (vec![VIEWER], PairEnd::AgentLeft));
}

#[test]
fn only_the_agent_may_burn_its_code() {
    let now = Instant::now();
    let mut r = rules();
    paired(&mut r, now);
    let actions = r.message(VIEWER, ClientMsg::Burn, now);
    assert!(is_bad_request(&actions, VIEWER));
    assert_eq!(ended(&actions), (vec![AGENT], PairEnd::ViewerLeft));

    let mut r = rules();
    paired(&mut r, now);
    let actions = r.message(AGENT, ClientMsg::Burn, now);
    assert_eq!(ended(&actions), (vec![AGENT, VIEWER], PairEnd::Burned));
    assert!(!actions
        .iter()
        .any(|a| matches!(a, Action::BadRequest(..) | Action::Close(..))));
    registered(&mut r, AGENT, now);
}

#[test]
fn burning_a_waiting_code_releases_it_for_good() {
    let now = Instant::now();
    let mut r = rules();
    let nameplate = registered(&mut r, AGENT, now);
    assert!(r.message(AGENT, ClientMsg::Burn, now).is_empty());
    assert_eq!(r.waiting(), 0);
    let actions = r.message(VIEWER, ClientMsg::Join { nameplate }, now);
    assert!(matches!(
        actions.as_slice(),
        [Action::Refuse(VIEWER, Refusal::NameplateUsed)]
    ));
    registered(&mut r, AGENT, now);
}

#[test]
fn leaving_ends_the_pair_named_after_who_left() {
    let now = Instant::now();
    let mut r = rules();
    paired(&mut r, now);
    assert_eq!(
        ended(&r.left(AGENT, now)),
        (vec![VIEWER], PairEnd::AgentLeft)
    );

    let mut r = rules();
    paired(&mut r, now);
    let actions = r.message(VIEWER, ClientMsg::Close, now);
    assert_eq!(ended(&actions), (vec![AGENT], PairEnd::ViewerLeft));
    assert!(matches!(
        actions.last(),
        Some(Action::Close(VIEWER, CloseReason::Bye))
    ));
    assert!(r.left(VIEWER, now).is_empty(), "a departure counts once");
}

#[test]
fn a_mailbox_message_that_crossed_the_peers_departure_is_dropped() {
    let now = Instant::now();
    let mut r = rules();
    paired(&mut r, now);
    r.left(AGENT, now);
    assert!(r.message(VIEWER, mailbox(3), now).is_empty());
    registered(&mut r, VIEWER, now);
}

#[test]
fn a_waiting_agent_that_leaves_frees_its_nameplate() {
    let now = Instant::now();
    let mut r = rules();
    let nameplate = registered(&mut r, AGENT, now);
    assert!(r.left(AGENT, now).is_empty(), "no pair, no record");
    assert_eq!(r.waiting(), 0);
    let actions = r.message(VIEWER, ClientMsg::Join { nameplate }, now);
    assert!(matches!(
        actions.as_slice(),
        [Action::Refuse(VIEWER, Refusal::NameplateUsed)]
    ));
}

#[test]
fn datagrams_route_to_the_peer_and_are_counted_in_the_record() {
    let now = Instant::now();
    let mut r = rules();
    assert_eq!(r.route(AGENT), None);
    let pair = paired(&mut r, now);
    let up = r.route(AGENT).unwrap();
    assert_eq!(
        up,
        Route {
            pair,
            peer: VIEWER,
            dir: Direction::AgentToViewer
        }
    );
    r.forwarded(up, 1200);
    r.forwarded(r.route(VIEWER).unwrap(), 80);
    let actions = r.left(VIEWER, now);
    let record = actions.iter().find_map(|a| match a {
        Action::Unpaired(record) => Some(record),
        _ => None,
    });
    let record = record.unwrap();
    assert_eq!(
        (record.bytes_agent_to_viewer, record.bytes_viewer_to_agent),
        (1200, 80)
    );
    assert_eq!(record.agent_addr.to_string(), "192.0.2.1:1001");
    assert_eq!(record.session_id.len(), 32);
    assert_eq!(r.route(AGENT), None);
}

#[test]
fn an_expired_nameplate_is_announced_and_its_agent_is_fresh_again() {
    let now = Instant::now();
    let mut r = rules();
    registered(&mut r, AGENT, now);
    assert!(r.sweep(now + Duration::from_secs(599)).is_empty());
    let later = now + Duration::from_secs(600);
    assert!(matches!(
        r.sweep(later).as_slice(),
        [Action::Refuse(AGENT, Refusal::Expired)]
    ));
    registered(&mut r, AGENT, later);
}

#[test]
fn a_frame_error_takes_the_client_out_of_the_rendezvous() {
    let now = Instant::now();
    let mut r = rules();
    paired(&mut r, now);
    let actions = r.bad_request(AGENT, "garbage".into(), now);
    assert!(is_bad_request(&actions, AGENT));
    assert_eq!(ended(&actions), (vec![VIEWER], PairEnd::AgentLeft));
    assert!(r.bad_request(AGENT, "more".into(), now).is_empty());
}

fn lane_addr(port: u16) -> SocketAddr {
    SocketAddr::from(([198, 51, 100, 7], port))
}

fn open_lane(r: &mut Rules, id: ConnId, nonce: [u8; 16], now: Instant) -> Vec<Action> {
    r.message(id, ClientMsg::OpenLane { nonce }, now)
}

/// The ticket each side was sent right after `Paired`.
fn tickets(actions: &[Action]) -> Vec<(ConnId, [u8; 16])> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Send(id, RelayMsg::LaneTicket { ticket }) => Some((*id, *ticket)),
            _ => None,
        })
        .collect()
}

/// Pairs agent and viewer; returns each side's lane ticket.
fn paired_with_tickets(r: &mut Rules, now: Instant) -> Vec<(ConnId, [u8; 16])> {
    let nameplate = registered(r, AGENT, now);
    tickets(&r.message(VIEWER, ClientMsg::Join { nameplate }, now))
}

#[test]
fn each_side_gets_its_own_ticket_right_after_paired() {
    let mut r = rules();
    let now = Instant::now();
    let t = paired_with_tickets(&mut r, now);
    assert_eq!(t.len(), 2);
    assert_eq!((t[0].0, t[1].0), (AGENT, VIEWER));
    assert_ne!(t[0].1, t[1].1);
    assert_eq!(r.lanes().ticket_owner(&t[0].1), Some(AGENT));
}

#[test]
fn a_paired_client_binds_the_lane_whose_challenge_it_returns() {
    let mut r = rules();
    let now = Instant::now();
    paired_with_tickets(&mut r, now);
    r.lanes()
        .challenge(AGENT, lane_addr(1), [1; 16], now)
        .unwrap();
    let actions = open_lane(&mut r, AGENT, [1; 16], now);
    assert!(
        matches!(
            actions.as_slice(),
            [Action::Send(AGENT, RelayMsg::LaneOpen { nonce: [1, ..] })]
        ),
        "{actions:?}"
    );
    assert_eq!(r.lanes().owner(&lane_addr(1)), Some(AGENT));
    // The agent's nonce is not the viewer's; a used one opens nothing.
    for (id, nonce) in [(VIEWER, [1; 16]), (AGENT, [1; 16])] {
        let actions = open_lane(&mut r, id, nonce, now);
        assert!(
            matches!(actions.as_slice(), [Action::Send(to, RelayMsg::LaneRefused { .. })] if *to == id),
            "{actions:?}"
        );
    }
    assert_eq!(r.lanes().address(VIEWER), None);
}

#[test]
fn only_paired_clients_get_lanes_and_they_end_with_the_pair() {
    let mut r = rules();
    let now = Instant::now();
    let actions = open_lane(&mut r, OTHER, [1; 16], now);
    assert!(
        matches!(
            actions.as_slice(),
            [Action::Send(OTHER, RelayMsg::LaneRefused { .. })]
        ),
        "{actions:?}"
    );
    let t = paired_with_tickets(&mut r, now);
    r.lanes()
        .challenge(AGENT, lane_addr(2), [2; 16], now)
        .unwrap();
    r.lanes()
        .challenge(VIEWER, lane_addr(3), [3; 16], now)
        .unwrap();
    open_lane(&mut r, AGENT, [2; 16], now);
    open_lane(&mut r, VIEWER, [3; 16], now);
    assert_eq!(r.lanes().bound(), 2);
    r.left(VIEWER, now);
    assert_eq!(r.lanes().bound(), 0, "both lanes end with the pair");
    assert_eq!(r.lanes().owner(&lane_addr(2)), None);
    assert_eq!(r.lanes().ticket_owner(&t[0].1), None, "and the tickets");
}

#[test]
fn a_relay_without_lanes_says_so_right_after_paired() {
    let mut r = rules().without_lanes();
    let now = Instant::now();
    let nameplate = registered(&mut r, AGENT, now);
    let actions = r.message(VIEWER, ClientMsg::Join { nameplate }, now);
    let told: Vec<ConnId> = actions
        .iter()
        .filter_map(|a| match a {
            Action::Send(id, RelayMsg::NoLane) => Some(*id),
            _ => None,
        })
        .collect();
    assert_eq!(told, [AGENT, VIEWER]);
    assert!(tickets(&actions).is_empty());
}
