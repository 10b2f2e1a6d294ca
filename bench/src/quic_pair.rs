//! Two ends of the inner QUIC connection a session uses (the same pinned
//! TLS and transport settings), joined directly over loopback UDP or
//! through an in-process relay, and one bulk transfer between them: the
//! baseline every throughput figure is compared with.

use quinn::{Connection, Endpoint};
use std::time::{Duration, Instant};
use tessera_net::cert::SelfSigned;
use tessera_net::relay_client;
use tessera_net::trust::RelayTrust;
use tessera_proto::relay::{ClientMsg, RelayMsg};
use tessera_relay::tls::RelayIdentity;
use tessera_relay::{Relay, RelayConfig};

const CHUNK: usize = 64 * 1024;

/// Sends `bytes` from `from` to `to` on one stream; returns the time until
/// the receiver has read all of it.
pub async fn transfer(from: &Connection, to: &Connection, bytes: usize) -> Duration {
    let receiver = {
        let to = to.clone();
        tokio::spawn(async move {
            let mut recv = to.accept_uni().await.expect("stream");
            let mut buf = vec![0u8; CHUNK];
            let mut got = 0;
            while let Some(n) = recv.read(&mut buf).await.expect("read") {
                got += n;
            }
            got
        })
    };
    let started = Instant::now();
    let mut send = from.open_uni().await.expect("open");
    let chunk = vec![0x5a; CHUNK];
    let mut sent = 0;
    while sent < bytes {
        send.write_all(&chunk).await.expect("write");
        sent += CHUNK;
    }
    send.finish().expect("finish");
    let got = receiver.await.expect("receiver");
    assert_eq!(got, sent);
    started.elapsed()
}

/// The two ends joined directly over loopback UDP.
pub async fn direct(
    agent: &SelfSigned,
    viewer: &SelfSigned,
) -> (Endpoint, Endpoint, Connection, Connection) {
    let server =
        tessera_net::channel::server_config(agent, viewer.fingerprint).expect("server config");
    let server_ep = Endpoint::server(server, "127.0.0.1:0".parse().expect("addr")).expect("server");
    let client_ep = Endpoint::client("127.0.0.1:0".parse().expect("addr")).expect("client");
    let client =
        tessera_net::channel::client_config(viewer, agent.fingerprint).expect("client config");
    let addr = server_ep.local_addr().expect("addr");
    let (a, v) = tokio::join!(
        async {
            server_ep
                .accept()
                .await
                .expect("incoming")
                .await
                .expect("accept")
        },
        async {
            client_ep
                .connect_with(client, addr, "tessera-agent")
                .expect("connect")
                .await
                .expect("handshake")
        }
    );
    (server_ep, client_ep, a, v)
}

/// How the two ends cross the relay.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RelayPath {
    /// On lanes, as sessions do when the relay offers them.
    Lanes,
    /// Inside the relay connections' datagrams (a relay run with
    /// `--no-lanes`).
    Datagrams,
}

/// The two ends joined through an in-process relay, as a session is.
pub async fn relayed(
    agent: &SelfSigned,
    viewer: &SelfSigned,
    dir: &std::path::Path,
    path: RelayPath,
) -> (Endpoint, Endpoint, Connection, Connection) {
    let identity = RelayIdentity::load_or_create(dir).expect("identity");
    let mut config = RelayConfig::new("127.0.0.1:0".parse().expect("addr"), identity);
    config.lanes = path == RelayPath::Lanes;
    let relay = Relay::bind(config).expect("relay");
    let addr = relay.local_addr().expect("addr").to_string();
    let trust = RelayTrust::Fingerprint(relay.fingerprint());
    tokio::spawn(relay.run());
    let mut a = relay_client::connect(&addr, &trust)
        .await
        .expect("agent link");
    let mut v = relay_client::connect(&addr, &trust)
        .await
        .expect("viewer link");
    a.send(&ClientMsg::Register).await.expect("register");
    let Some(Ok(RelayMsg::Registered { nameplate, .. })) = a.messages.recv().await else {
        panic!("not registered")
    };
    v.send(&ClientMsg::Join { nameplate }).await.expect("join");
    for link in [&mut a, &mut v] {
        let Some(Ok(RelayMsg::Paired { .. })) = link.messages.recv().await else {
            panic!("not paired")
        };
    }
    a.start_lane();
    v.start_lane();
    let (path_a, path_v) = (a.inner_path(), v.inner_path());
    let ((ea, ca), (ev, cv)) = tokio::join!(
        async {
            tessera_net::channel::accept(path_a.await, agent, viewer.fingerprint)
                .await
                .expect("accept")
        },
        async {
            tessera_net::channel::connect(path_v.await, viewer, agent.fingerprint)
                .await
                .expect("connect")
        }
    );
    // Keep the relay links alive for the measurement.
    std::mem::forget(a);
    std::mem::forget(v);
    (ea, ev, ca, cv)
}
