//! A relay closed while pairs run: every client is told the relay is
//! shutting down, and once `Closer::wait_closed` returns, the session log
//! holds a record for every pair (the writer thread was drained).

use std::path::PathBuf;
use std::time::Duration;
use tessera_net::relay_client::{self, RelayLink};
use tessera_net::trust::RelayTrust;
use tessera_proto::relay::{ClientMsg, CloseReason, RelayMsg};
use tessera_relay::tls::RelayIdentity;
use tessera_relay::{Relay, RelayConfig};

const PAIRS: usize = 12;

fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tessera-relay-shutdown-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

async fn next(link: &mut RelayLink) -> RelayMsg {
    link.messages
        .recv()
        .await
        .expect("the relay answers")
        .expect("a message")
}

#[tokio::test]
async fn every_pair_is_logged_and_every_client_told_once_the_relay_is_closed() {
    let dir = scratch();
    let identity = RelayIdentity::load_or_create(&dir).unwrap();
    let mut config = RelayConfig::new("127.0.0.1:0".parse().unwrap(), identity);
    config.session_log = Some(dir.join("sessions.jsonl"));
    config.limits.join_burst = 2 * PAIRS as u32; // every viewer is 127.0.0.1
    let relay = Relay::bind(config).unwrap();
    let addr = relay.local_addr().unwrap().to_string();
    let trust = RelayTrust::Fingerprint(relay.fingerprint());
    let closer = relay.closer();
    let serving = tokio::spawn(relay.run());

    let mut links = Vec::new();
    for _ in 0..PAIRS {
        let mut agent = relay_client::connect(&addr, &trust).await.unwrap();
        agent.send(&ClientMsg::Register).await.unwrap();
        let RelayMsg::Registered { nameplate, .. } = next(&mut agent).await else {
            panic!("not registered");
        };
        let mut viewer = relay_client::connect(&addr, &trust).await.unwrap();
        viewer.send(&ClientMsg::Join { nameplate }).await.unwrap();
        for link in [&mut viewer, &mut agent] {
            let answer = next(link).await;
            assert!(matches!(answer, RelayMsg::Paired { .. }), "{answer:?}");
        }
        links.extend([agent, viewer]);
    }

    closer.close();
    closer.wait_closed(Duration::from_secs(30)).await;
    let log = std::fs::read_to_string(dir.join("sessions.jsonl")).unwrap();
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), PAIRS, "{log}");
    for line in lines {
        let record: serde_json::Value = serde_json::from_str(line).unwrap();
        let end = record["end"].as_str().unwrap();
        assert!(["agent_left", "viewer_left"].contains(&end), "{line}");
        assert!(
            record["nameplate"].as_u64().is_some_and(|n| n >= 100),
            "{line}"
        );
    }

    for link in &mut links {
        // The control stream ends when the relay closes the connection.
        while let Some(Ok(_)) = link.messages.recv().await {}
        assert_eq!(
            link.closed_because().as_deref(),
            Some(CloseReason::ShuttingDown.describe())
        );
    }
    serving.await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
