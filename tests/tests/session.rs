//! A whole session through the real relay, agent and viewer: code, PAKE,
//! consent at the terminal, chat both ways, and an orderly end.

use tessera_proto::peer::{AgentMsg, ViewerMsg};
use tessera_proto::{Grants, Permission};
use tessera_tests::{rogue, running_session, scratch, Agent, RelayProcess, Viewer};

#[test]
fn full_session_with_chat_both_ways() {
    let relay = RelayProcess::start(&scratch("full"), &[]);
    let args = relay.client_args();
    let mut agent = Agent::start(&args);
    let code = agent.code();
    assert_eq!(code.len(), 13, "nnn nnn nnn n: {code}");
    let mut viewer = Viewer::connect(&code, &args, "chat");

    // The person sees who asks and what, and answers on the terminal.
    agent
        .terminal
        .wait_for("Jane, Acme IT (NOT verified: this name was typed by the caller) asks to: chat.");
    let asked = agent.events.event("consent_requested");
    assert_eq!(asked["technician"]["name"], "Jane");
    assert_eq!(asked["technician"]["verified"], false);
    assert_eq!(asked["requested"], serde_json::json!(["chat"]));
    viewer.events.event("waiting_for_consent");
    agent.answer("y");
    for events in [&mut agent.events, &mut viewer.events] {
        let started = events.event("session_started");
        assert_eq!(started["granted"], serde_json::json!(["chat"]));
    }

    // Technician → person.
    viewer.command(r#"{"cmd":"chat","text":"Bonjour, je regarde ça"}"#);
    let got = agent.events.event("chat");
    assert_eq!(got["from"], "viewer");
    assert_eq!(got["text"], "Bonjour, je regarde ça");
    agent.terminal.wait_for("[Jane] Bonjour, je regarde ça");

    // Person → technician, typed at the terminal.
    agent.terminal.type_line("Merci !");
    let got = viewer.events.event_where("chat", |e| e["from"] == "agent");
    assert_eq!(got["text"], "Merci !");

    // The technician ends; both say how.
    viewer.command(r#"{"cmd":"end"}"#);
    for events in [&mut agent.events, &mut viewer.events] {
        assert_eq!(events.event("session_ended")["reason"], "technician_ended");
    }
    let (status, _) = viewer.wait();
    assert!(status.success());
    let (status, _) = agent.wait();
    assert!(status.success());

    // The relay logged metadata only.
    let log = relay.session_log();
    assert_eq!(log.len(), 1, "{log:?}");
    assert!(log[0]["bytes_agent_to_viewer"].as_u64().unwrap_or(0) > 0);
    let text = serde_json::to_string(&log).unwrap_or_default();
    assert!(!text.contains("Bonjour") && !text.contains("Merci"));
}

#[test]
fn the_person_ends_with_stop() {
    let relay = RelayProcess::start(&scratch("stop"), &[]);
    let (mut agent, mut viewer) = running_session(&relay.client_args(), "chat");
    agent.terminal.type_line("/stop");
    for events in [&mut agent.events, &mut viewer.events] {
        assert_eq!(events.event("session_ended")["reason"], "user_ended");
    }
    assert!(agent.wait().0.success());
    assert!(viewer.wait().0.success());
}

#[test]
fn a_refusal_ends_the_session_on_both_sides() {
    let relay = RelayProcess::start(&scratch("deny"), &[]);
    let args = relay.client_args();
    let mut agent = Agent::start(&args);
    let code = agent.code();
    let mut viewer = Viewer::connect(&code, &args, "view,chat");
    agent.answer("n");
    for events in [&mut agent.events, &mut viewer.events] {
        assert_eq!(events.event("session_ended")["reason"], "denied");
    }
    let (status, stderr) = viewer.wait();
    assert!(!status.success());
    assert!(stderr.contains("denied"), "{stderr}");
    assert!(!agent.wait().0.success());
}

#[test]
fn a_partial_grant_is_enforced_by_the_agent() {
    // A viewer that sends what was not granted (the real one refuses it
    // before sending, so only a rogue one tests the agent): the PAKE and
    // a Hello signed for this session, then chat the person did not allow.
    let relay = RelayProcess::start(&scratch("partial"), &[]);
    let mut agent = Agent::start(&relay.client_args());
    let code = agent.code();
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let mut rogue = rt.block_on(async {
        let mut rogue = rogue::viewer(&relay.addr, &relay.fingerprint, &code).await;
        rogue
            .introduce(Grants::parse_list("view,chat").expect("grants"))
            .await;
        rogue
    });
    // The agent tells the viewer how its prompt presents the technician.
    assert_eq!(
        rt.block_on(rogue.next()),
        Some(AgentMsg::Asking {
            verified: false,
            verified_by: None,
            not_verified: Some("no_certificate".into()),
        })
    );
    agent.answer("view");
    let started = agent.events.event("session_started");
    assert_eq!(started["granted"], serde_json::json!(["view"]));
    let granted = rt.block_on(rogue.next());
    assert_eq!(
        granted,
        Some(AgentMsg::Accepted {
            granted: Grants::parse_list("view").expect("grants")
        })
    );

    rt.block_on(rogue.send(&ViewerMsg::Chat {
        text: "hello? type your password here".into(),
    }));
    // The agent answers with a refusal (other messages, such as the
    // display list, may come first) and says so in its own events.
    let answer = rt.block_on(async {
        loop {
            match rogue.next().await {
                Some(AgentMsg::Displays { .. }) => continue,
                other => break other,
            }
        }
    });
    assert_eq!(
        answer,
        Some(AgentMsg::Refused {
            permission: Permission::Chat
        })
    );
    let refused = agent.events.event("refused");
    assert_eq!(refused["permission"], "chat");
    // The session goes on with what was granted; the line never reached
    // the person.
    rt.block_on(rogue.send(&ViewerMsg::End {
        reason: tessera_proto::EndReason::TechnicianEnded,
    }));
    assert_eq!(
        agent.events.event("session_ended")["reason"],
        "technician_ended"
    );
    assert!(
        !agent.events.seen().iter().any(|l| l.contains("password")),
        "the chat line was shown as an event"
    );
    assert!(
        !agent.terminal.shown().contains("password"),
        "the chat line reached the person's terminal"
    );
}

#[test]
fn the_viewer_refuses_an_ungranted_chat_before_sending_it() {
    let relay = RelayProcess::start(&scratch("partial-viewer"), &[]);
    let args = relay.client_args();
    let mut agent = Agent::start(&args);
    let code = agent.code();
    let mut viewer = Viewer::connect(&code, &args, "view,chat");
    agent.answer("view");
    let started = viewer.events.event("session_started");
    assert_eq!(started["granted"], serde_json::json!(["view"]));
    // The viewer's own courtesy check refuses chat locally: the agent
    // never hears of it.
    viewer.command(r#"{"cmd":"chat","text":"hello?"}"#);
    let refused = viewer.events.event("refused");
    assert_eq!(refused["permission"], "chat");
    viewer.command(r#"{"cmd":"end"}"#);
    assert_eq!(
        agent.events.event("session_ended")["reason"],
        "technician_ended"
    );
    let seen = agent.events.seen();
    assert!(!seen.iter().any(|l| l.contains("hello?")));
    assert!(
        !seen.iter().any(|l| l.contains(r#""event":"refused""#)),
        "the chat line was sent to the agent"
    );
}

#[test]
fn bad_commands_get_a_clear_error_and_the_session_goes_on() {
    let relay = RelayProcess::start(&scratch("badcmd"), &[]);
    let (mut agent, mut viewer) = running_session(&relay.client_args(), "chat");
    viewer.command("this is not json");
    assert!(viewer.events.event("error")["message"]
        .as_str()
        .unwrap_or("")
        .contains("not a JSON object"));
    viewer.command(r#"{"cmd":"dance"}"#);
    assert!(viewer.events.event("error")["message"]
        .as_str()
        .unwrap_or("")
        .contains("invalid command"));
    viewer.command(r#"{"cmd":"chat","text":"still here"}"#);
    assert_eq!(agent.events.event("chat")["text"], "still here");
    viewer.command(r#"{"cmd":"end"}"#);
    assert!(viewer.wait().0.success());
}

#[test]
fn the_relay_reports_health_and_load_as_prometheus_metrics() {
    use std::io::{Read, Write};
    // A free port for the metrics listener.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let metrics = format!("127.0.0.1:{port}");
    let relay = RelayProcess::start(&scratch("metrics"), &["--metrics", &metrics]);
    let (mut agent, mut viewer) = running_session(&relay.client_args(), "chat");
    // Both ends run the end-to-end connection on lanes.
    assert_eq!(
        RelayProcess::metric(&metrics, "tessera_relay_lanes_open"),
        2
    );
    chat_both_ways(&mut agent, &mut viewer);
    assert!(RelayProcess::metric(&metrics, "tessera_relay_lane_bytes_total") > 0);
    viewer.command(r#"{"cmd":"end"}"#);
    assert!(viewer.wait().0.success());

    let mut stream = std::net::TcpStream::connect(&metrics).expect("metrics endpoint");
    stream
        .write_all(b"GET /metrics HTTP/1.1\r\nhost: x\r\n\r\n")
        .expect("request");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("response");
    assert!(response.starts_with("HTTP/1.1 200 OK"), "{response}");
    let value = |name: &str| -> u64 {
        response
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name} ")))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("{name} missing:\n{response}"))
    };
    assert_eq!(value("tessera_relay_pairs_total"), 1);
    assert!(value("tessera_relay_connections_total") >= 2);
    assert!(value("tessera_relay_bytes_forwarded_total") > 0);
    assert_eq!(value("tessera_relay_lanes_open"), 0);
}

#[test]
fn a_relay_without_lanes_carries_the_session_in_its_datagrams() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let metrics = format!("127.0.0.1:{port}");
    let relay = RelayProcess::start(&scratch("no-lanes"), &["--metrics", &metrics, "--no-lanes"]);
    let (mut agent, mut viewer) = running_session(&relay.client_args(), "chat");
    chat_both_ways(&mut agent, &mut viewer);
    assert_eq!(
        RelayProcess::metric(&metrics, "tessera_relay_lanes_open"),
        0
    );
    assert_eq!(
        RelayProcess::metric(&metrics, "tessera_relay_lane_bytes_total"),
        0
    );
    assert!(RelayProcess::metric(&metrics, "tessera_relay_bytes_forwarded_total") > 0);
    viewer.command(r#"{"cmd":"end"}"#);
    assert!(viewer.wait().0.success());
}

#[test]
fn at_the_terminal_an_upgrade_is_asked_and_a_line_typed_before_the_question_answers_nothing() {
    let relay = RelayProcess::start(&scratch("tty-upgrade"), &[]);
    let (mut agent, mut viewer) = running_session(&relay.client_args(), "chat");
    viewer.command(r#"{"cmd":"request","grants":["view"]}"#);
    agent
        .terminal
        .wait_for("now also asks to: view (already allowed: chat).");
    // A chat line finished just as the question appears ("type yes if you
    // can read me"): it must not answer it.
    agent.terminal.type_line("yes");
    agent.terminal.wait_for("typed before the question");
    agent.answer("y");
    let granted = viewer.events.event("upgrade_granted");
    assert_eq!(granted["granted"], serde_json::json!(["view", "chat"]));
    assert!(
        !viewer
            .events
            .seen()
            .iter()
            .any(|l| l.contains(r#""text":"yes""#)),
        "the early line was not sent as chat either"
    );
    viewer.command(r#"{"cmd":"end"}"#);
    assert!(viewer.wait().0.success());
}

/// One chat line each way, checked where it arrives: the session's
/// end-to-end connection carries both directions.
fn chat_both_ways(agent: &mut Agent, viewer: &mut Viewer) {
    viewer.command(r#"{"cmd":"chat","text":"ping"}"#);
    assert_eq!(agent.events.event("chat")["text"], "ping");
    agent.terminal.type_line("pong");
    let got = viewer.events.event_where("chat", |e| e["from"] == "agent");
    assert_eq!(got["text"], "pong");
}
