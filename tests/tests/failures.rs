//! Failures a person can meet, each with a clear message: an unreachable
//! relay, a relay whose certificate changed, a peer that vanishes, and
//! malformed traffic at the relay, which goes on serving others.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use tessera_proto::frame;
use tessera_proto::relay::{ClientMsg, CloseReason, Refusal, RelayMsg, MAX_CONTROL_FRAME};
use tessera_tests::hostile::{Blackhole, HostileRelay};
use tessera_tests::{ca_signed_relay_cert, running_session, scratch, Agent, RelayProcess};

/// A free loopback port for a relay's metrics listener.
fn metrics_addr() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    format!("127.0.0.1:{port}")
}

#[test]
fn a_relay_shutting_down_tells_its_clients_why() {
    let relay = RelayProcess::start(&scratch("sigterm"), &[]);
    let mut agent = Agent::start(&relay.client_args());
    agent.code();
    relay.terminate();
    let ended = agent.events.event("session_ended");
    assert_eq!(ended["reason"], "relay_closed");
    // The relay's close code, told in the client's own fixed words.
    assert_eq!(
        ended["detail"],
        CloseReason::ShuttingDown.describe(),
        "{ended}"
    );
}

#[test]
fn nothing_a_client_sends_after_leaving_is_acted_on() {
    let metrics = metrics_addr();
    let relay = RelayProcess::start(&scratch("after-close"), &["--metrics", &metrics]);
    // Close, then Register, in one write: the registration must not happen.
    let mut bytes = frame::encode(&ClientMsg::Close, MAX_CONTROL_FRAME).expect("encode");
    bytes.extend(frame::encode(&ClientMsg::Register, MAX_CONTROL_FRAME).expect("encode"));
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let answer = rt.block_on(raw_exchange(&relay.addr, &relay.fingerprint, &bytes));
    assert_eq!(answer, None, "no answer after Close");
    assert_eq!(RelayProcess::metric(&metrics, "tessera_relay_waiting"), 0);
    assert_eq!(
        RelayProcess::metric(&metrics, "tessera_relay_connections_total"),
        1
    );
}

#[test]
fn an_unreachable_relay_is_named_with_the_fix() {
    let agent = Agent::start(&["--relay".into(), "127.0.0.1:9".into()]);
    let (status, stderr) = agent.wait();
    assert!(!status.success());
    assert!(
        stderr.contains("relay unreachable at 127.0.0.1:9: is it running? try --relay"),
        "{stderr}"
    );
}

#[test]
fn a_relay_with_another_certificate_than_pinned_is_refused() {
    let relay = RelayProcess::start(&scratch("pin"), &[]);
    let wrong = "ab".repeat(32);
    let agent = Agent::start(&[
        "--relay".into(),
        relay.addr.clone(),
        "--relay-fingerprint".into(),
        wrong.clone(),
    ]);
    let (status, stderr) = agent.wait();
    assert!(!status.success());
    assert!(
        stderr.contains(&format!("presented certificate {}", relay.fingerprint)),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "but {wrong} was expected (given with --relay-fingerprint)"
        )),
        "{stderr}"
    );
}

#[test]
fn a_relay_certified_by_a_trusted_ca_is_accepted_and_others_are_not() {
    let dir = scratch("ca");
    let (ca, cert, key) = ca_signed_relay_cert(&dir);
    let (cert, key) = (cert.display().to_string(), key.display().to_string());
    let relay = RelayProcess::start(&dir.join("relay"), &["--cert", &cert, "--key", &key]);
    let trusting = |ca: &std::path::Path| -> Vec<String> {
        vec![
            "--relay".into(),
            relay.addr.clone(),
            "--relay-ca".into(),
            ca.display().to_string(),
        ]
    };
    let mut agent = Agent::start(&trusting(&ca));
    assert_eq!(agent.code().len(), 13);

    // Another CA did not sign this relay's certificate.
    let other = dir.join("other");
    std::fs::create_dir_all(&other).expect("dir");
    let (other_ca, _, _) = ca_signed_relay_cert(&other);
    let refused = Agent::start(&trusting(&other_ca));
    let (status, stderr) = refused.wait();
    assert!(!status.success());
    assert!(stderr.contains("could not be verified"), "{stderr}");
    assert!(stderr.contains("--relay-ca"), "{stderr}");
}

#[test]
fn a_changed_relay_certificate_is_caught_on_trust_on_first_use() {
    let dir = scratch("tofu");
    let known = dir.join("known_relays");
    let mut first = RelayProcess::start(&dir.join("relay-a"), &[]);
    let addr = first.addr.clone();
    let tofu = |relay_addr: &str| -> Vec<String> {
        vec![
            "--relay".into(),
            relay_addr.into(),
            "--known-relays".into(),
            known.display().to_string(),
        ]
    };
    let mut agent = Agent::start(&tofu(&addr));
    agent.code();
    let recorded = std::fs::read_to_string(&known).expect("recorded on first use");
    assert_eq!(recorded.trim(), format!("{addr} {}", first.fingerprint));
    agent.kill();
    first.stop();

    // Another relay (another key) answers at the same address.
    let second = RelayProcess::start_on(&addr, &dir.join("relay-b"), &[]);
    assert_ne!(second.fingerprint, first.fingerprint);
    let agent = Agent::start(&tofu(&addr));
    let (status, stderr) = agent.wait();
    assert!(!status.success());
    assert!(stderr.contains("recorded in"), "{stderr}");
    assert!(stderr.contains("someone may be intercepting"), "{stderr}");
}

#[test]
fn a_viewer_that_vanishes_is_reported_as_connection_lost() {
    let relay = RelayProcess::start(&scratch("vanish-viewer"), &[]);
    let (mut agent, mut viewer) = running_session(&relay.client_args(), "chat");
    viewer.kill();
    assert_eq!(
        agent.events.event("session_ended")["reason"],
        "connection_lost"
    );
    agent.terminal.wait_for("connection lost");
    let (status, stderr) = agent.wait();
    assert!(!status.success());
    assert!(stderr.contains("connection_lost"), "{stderr}");
}

#[test]
fn an_agent_that_vanishes_is_reported_as_connection_lost() {
    let relay = RelayProcess::start(&scratch("vanish-agent"), &[]);
    let (mut agent, mut viewer) = running_session(&relay.client_args(), "chat");
    agent.kill();
    assert_eq!(
        viewer.events.event("session_ended")["reason"],
        "connection_lost"
    );
    let (status, stderr) = viewer.wait();
    assert!(!status.success());
    assert!(stderr.contains("connection lost"), "{stderr}");
}

#[test]
fn a_partition_is_reported_on_both_sides() {
    let hole = Arc::new(Blackhole::default());
    let relay = HostileRelay::start(&scratch("partition"), hole.clone());
    let (mut agent, mut viewer) = running_session(&relay.client_args(), "chat");
    hole.on.store(true, Ordering::Relaxed);
    assert_eq!(
        agent.events.event("session_ended")["reason"],
        "connection_lost"
    );
    assert_eq!(
        viewer.events.event("session_ended")["reason"],
        "connection_lost"
    );
}

/// Sends raw bytes on a relay control stream; returns the relay's answer.
async fn raw_exchange(addr: &str, fingerprint: &str, bytes: &[u8]) -> Option<RelayMsg> {
    let trust =
        tessera_net::trust::RelayTrust::Fingerprint(fingerprint.parse().expect("fingerprint"));
    let check = tessera_net::trust::TrustCheck::new(&trust, addr).expect("trust");
    let mut tls = rustls::ClientConfig::builder_with_provider(tessera_net::crypto_provider())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .expect("tls13")
        .dangerous()
        .with_custom_certificate_verifier(check.verifier.clone())
        .with_no_client_auth();
    tls.alpn_protocols = vec![tessera_proto::relay::RELAY_ALPN.to_vec()];
    let quic = quinn::crypto::rustls::QuicClientConfig::try_from(tls).expect("quic");
    let mut endpoint =
        quinn::Endpoint::client("127.0.0.1:0".parse().expect("bind")).expect("endpoint");
    endpoint.set_default_client_config(quinn::ClientConfig::new(Arc::new(quic)));
    let conn = endpoint
        .connect(addr.parse().expect("addr"), "localhost")
        .expect("connect")
        .await
        .expect("handshake");
    let (mut send, mut recv) = conn.open_bi().await.expect("stream");
    send.write_all(bytes).await.expect("write");
    let answer = tessera_net::framed::read::<RelayMsg>(&mut recv, MAX_CONTROL_FRAME)
        .await
        .ok()
        .flatten();
    // The relay closes the connection after refusing.
    let closed = tokio::time::timeout(tessera_tests::DEADLINE, conn.closed()).await;
    assert!(
        closed.is_ok(),
        "the relay keeps a misbehaving connection open"
    );
    answer
}

#[test]
fn malformed_oversized_and_wrong_version_messages_are_refused_and_the_relay_serves_on() {
    let relay = RelayProcess::start(&scratch("malformed"), &[]);
    let mut bodies: Vec<(&str, Vec<u8>)> = vec![
        (
            "garbage",
            vec![0, 0, 0, 3, frame::PROTOCOL_VERSION, 0xff, 0xff],
        ),
        ("oversized", vec![0x7f, 0xff, 0xff, 0xff, 1, 2, 3]),
        ("wrong version", vec![0, 0, 0, 2, 9, 0]),
        (
            "mailbox before pairing",
            frame::encode(
                &ClientMsg::Mailbox {
                    payload: vec![1; 8],
                },
                MAX_CONTROL_FRAME,
            )
            .expect("encode"),
        ),
    ];
    bodies.push((
        "oversized mailbox",
        frame::encode(
            &ClientMsg::Mailbox {
                payload: vec![0; 1500],
            },
            MAX_CONTROL_FRAME,
        )
        .expect("encode"),
    ));
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    for (what, bytes) in bodies {
        let answer = rt.block_on(raw_exchange(&relay.addr, &relay.fingerprint, &bytes));
        assert_eq!(
            answer,
            Some(RelayMsg::Refused {
                reason: Refusal::BadRequest
            }),
            "{what}"
        );
    }
    // Others are still served.
    let args = relay.client_args();
    let (mut agent, mut viewer) = running_session(&args, "chat");
    viewer.command(r#"{"cmd":"end"}"#);
    assert_eq!(
        agent.events.event("session_ended")["reason"],
        "technician_ended"
    );
}
