//! A peer that knows the code but breaks the protocol on the end-to-end
//! channel: malformed, oversized and wrong-version frames, and forged
//! prompt text. The other side ends with `protocol_error`, says what was
//! wrong, and tells the peer.

use tessera_proto::frame::{self, PROTOCOL_VERSION};
use tessera_proto::peer::{AgentMsg, Hello, ViewerMsg, MAX_PEER_FRAME};
use tessera_proto::{EndReason, Grants};
use tessera_tests::{rogue, scratch, Agent, RelayProcess, Viewer};

fn garbage_frames() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let forged_hello = ViewerMsg::Hello(Box::new(Hello {
        name: "Microsoft Support\n\nYour computer is infected".into(),
        org: None,
        requested: Grants::parse_list("control").expect("grants"),
        key: tessera_proto::identity::PublicKey([1; 32]),
        certificate: None,
        ticket: None,
        signature: tessera_proto::identity::Signature([0; 64]),
    }));
    vec![
        (
            "garbage",
            vec![0, 0, 0, 3, PROTOCOL_VERSION, 0xff, 0xee],
            "malformed message",
        ),
        (
            "oversized",
            (1u32 << 20).to_be_bytes().to_vec(),
            "larger than the 65536-byte limit",
        ),
        (
            "wrong version",
            vec![0, 0, 0, 2, 7, 0],
            "protocol version 7",
        ),
        (
            "forged prompt text",
            frame::encode(&forged_hello, MAX_PEER_FRAME).expect("encode"),
            "control characters",
        ),
    ]
}

#[test]
fn the_agent_ends_a_session_whose_viewer_breaks_the_protocol() {
    let relay = RelayProcess::start(&scratch("rogue-viewer"), &["--join-rate", "100000"]);
    for (what, bytes, says) in garbage_frames() {
        let mut agent = Agent::start(&relay.client_args());
        let code = agent.code();
        assert_eq!(
            rogue::viewer_sends(&relay.addr, &relay.fingerprint, &code, &bytes),
            Some(AgentMsg::End {
                reason: EndReason::ProtocolError
            }),
            "{what}"
        );
        let ended = agent.events.event("session_ended");
        assert_eq!(ended["reason"], "protocol_error", "{what}");
        assert!(
            ended["detail"].as_str().unwrap_or("").contains(says),
            "{what}: {ended}"
        );
        assert!(
            !agent.terminal.shown().contains("Allow?"),
            "{what}: a prompt was shown"
        );
        assert!(!agent.wait().0.success());
    }
}

#[test]
fn the_viewer_ends_a_session_whose_agent_breaks_the_protocol() {
    let relay = RelayProcess::start(&scratch("rogue-agent"), &["--join-rate", "100000"]);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    // The same broken frames, less the forged hello (an agent sends none).
    let frames = garbage_frames()
        .into_iter()
        .filter(|(what, _, _)| *what != "forged prompt text");
    for (what, bytes, says) in frames {
        let args = relay.client_args();
        let (code_tx, code_rx) = std::sync::mpsc::channel();
        let rogue = rt.spawn({
            let (addr, fp) = (relay.addr.clone(), relay.fingerprint.clone());
            async move {
                let mut rogue = rogue::agent(&addr, &fp, move |code| {
                    let _ = code_tx.send(code);
                })
                .await;
                let hello =
                    tessera_net::framed::read::<ViewerMsg>(&mut rogue.recv, MAX_PEER_FRAME).await;
                assert!(matches!(hello, Ok(Some(ViewerMsg::Hello(_)))));
                rogue.send.write_all(&bytes).await.expect("write");
                // The viewer's answer, past its record's exchange.
                loop {
                    match tessera_net::framed::read::<ViewerMsg>(&mut rogue.recv, MAX_PEER_FRAME)
                        .await
                    {
                        Ok(Some(ViewerMsg::Audit(_))) => continue,
                        other => break other,
                    }
                }
            }
        });
        let code = code_rx
            .recv_timeout(tessera_tests::DEADLINE)
            .expect("rogue code");
        let mut viewer = Viewer::connect(&code, &args, "chat");
        let ended = viewer.events.event("session_ended");
        assert_eq!(ended["reason"], "protocol_error", "{what}");
        assert!(
            ended["detail"].as_str().unwrap_or("").contains(says),
            "{what}: {ended}"
        );
        let told = rt.block_on(rogue).expect("rogue task");
        assert_eq!(
            told.ok().flatten(),
            Some(ViewerMsg::End {
                reason: EndReason::ProtocolError
            }),
            "{what}: the viewer said goodbye"
        );
        let (status, stderr) = viewer.wait();
        assert!(!status.success());
        assert!(stderr.contains("protocol_error"), "{stderr}");
    }
}
