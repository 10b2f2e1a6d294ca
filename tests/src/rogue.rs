//! A peer that knows the code (so the PAKE succeeds and the channel opens)
//! but then breaks the protocol on the end-to-end channel. Built from the
//! library parts, so it can send bytes no honest binary would.

use quinn::{Connection, Endpoint, RecvStream, SendStream};
use tessera_net::cert::SelfSigned;
use tessera_net::relay_client::{self, RelayLink};
use tessera_net::trust::RelayTrust;
use tessera_proto::frame::{decode_body, encode_payload};
use tessera_proto::pairing::{PairingMsg, MAX_PAIRING_MSG};
use tessera_proto::peer::{AgentMsg, ViewerMsg, MAX_PEER_FRAME};
use tessera_proto::relay::{ClientMsg, RelayMsg};
use tessera_proto::{Code, Fingerprint, Grants, Nameplate, Secret};
use tessera_secure::identity::{signed_hello, Introduction, SessionBinding, SigningKey};
use tessera_secure::{PairingContext, Pake, Role};

/// An open end-to-end channel held by the rogue.
pub struct RogueChannel {
    /// Keeps the relay connection alive.
    pub link: RelayLink,
    /// The inner endpoint.
    pub endpoint: Endpoint,
    /// The inner connection.
    pub conn: Connection,
    /// The control stream, raw.
    pub send: SendStream,
    /// The control stream, raw.
    pub recv: RecvStream,
    /// What ties an introduction to this session.
    pub binding: SessionBinding,
}

impl RogueChannel {
    /// As a viewer: introduces itself as Jane of Acme IT, asking for
    /// `requested`, with a `Hello` validly signed for this session (a key
    /// made for it), so the agent shows its prompt.
    pub async fn introduce(&mut self, requested: Grants) {
        let intro = Introduction {
            name: "Jane".into(),
            org: Some("Acme IT".into()),
            requested,
            certificate: None,
            ticket: None,
        };
        let key = SigningKey::generate().expect("key");
        let hello = signed_hello(&intro, &key, &self.binding);
        self.send(&ViewerMsg::Hello(Box::new(hello))).await;
    }

    /// As a viewer: sends `msg`, whatever was granted.
    pub async fn send(&mut self, msg: &ViewerMsg) {
        let bytes = tessera_proto::frame::encode(msg, MAX_PEER_FRAME).expect("encode");
        self.send.write_all(&bytes).await.expect("write");
    }

    /// As a viewer: the agent's next message on the control stream, or
    /// `None` at its end or after [`crate::DEADLINE`]. The session
    /// record's exchange (`Audit`) is passed over: a rogue keeps none.
    pub async fn next(&mut self) -> Option<AgentMsg> {
        loop {
            let read = tessera_net::framed::read::<AgentMsg>(&mut self.recv, MAX_PEER_FRAME);
            match tokio::time::timeout(crate::DEADLINE, read)
                .await
                .ok()
                .and_then(|r| r.ok().flatten())
            {
                Some(AgentMsg::Audit(_)) => continue,
                other => return other,
            }
        }
    }
}

async fn mailbox(link: &mut RelayLink) -> PairingMsg {
    match link.messages.recv().await {
        Some(Ok(RelayMsg::Mailbox { payload })) => {
            decode_body(&payload, MAX_PAIRING_MSG).expect("pairing message")
        }
        other => panic!("expected a mailbox message, got {other:?}"),
    }
}

async fn paired(link: &mut RelayLink) -> [u8; 16] {
    match link.messages.recv().await {
        Some(Ok(RelayMsg::Paired { session_id })) => session_id,
        other => panic!("expected pairing, got {other:?}"),
    }
}

/// Runs the honest PAKE as `role`; returns our certificate, the peer's
/// authenticated fingerprint and the pairing transcript.
async fn pake(
    link: &mut RelayLink,
    role: Role,
    secret: &Secret,
    nameplate: Nameplate,
    session_id: [u8; 16],
) -> (SelfSigned, Fingerprint, [u8; 32]) {
    let (pake, msg) = Pake::start(
        role,
        secret,
        PairingContext {
            session_id,
            nameplate,
        },
    );
    let send = |m: PairingMsg| ClientMsg::Mailbox {
        payload: encode_payload(&m),
    };
    link.send(&send(PairingMsg::Pake(msg)))
        .await
        .expect("send pake");
    let PairingMsg::Pake(theirs) = mailbox(link).await else {
        panic!("expected pake")
    };
    let keys = pake.finish(&theirs).expect("pake");
    let transcript = keys.transcript();
    let (own, peer) = keys.confirmations(role);
    let cert = SelfSigned::generate(&["rogue"]).expect("cert");
    link.send(&send(PairingMsg::Confirm(own.seal(&cert.fingerprint))))
        .await
        .expect("send confirm");
    let PairingMsg::Confirm(sealed) = mailbox(link).await else {
        panic!("expected confirm")
    };
    let fp = peer.open(&sealed).expect("the code was right");
    (cert, fp, transcript)
}

/// A rogue viewer: joins with the right code and opens the channel.
pub async fn viewer(relay: &str, fingerprint: &str, code: &str) -> RogueChannel {
    let code = Code::parse(code).expect("code");
    let trust = RelayTrust::Fingerprint(fingerprint.parse().expect("fp"));
    let mut link = relay_client::connect(relay, &trust).await.expect("relay");
    link.send(&ClientMsg::Join {
        nameplate: code.nameplate,
    })
    .await
    .expect("join");
    let session_id = paired(&mut link).await;
    link.start_lane();
    let (cert, agent, transcript) = pake(
        &mut link,
        Role::Viewer,
        &code.secret,
        code.nameplate,
        session_id,
    )
    .await;
    let binding = SessionBinding {
        transcript,
        agent,
        viewer: cert.fingerprint,
    };
    let (endpoint, conn) = tessera_net::channel::connect(link.inner_path().await, &cert, agent)
        .await
        .expect("channel");
    let (send, recv) = conn.open_bi().await.expect("stream");
    RogueChannel {
        link,
        endpoint,
        conn,
        send,
        recv,
        binding,
    }
}

/// A rogue agent: registers, shows its code through `on_code`, and once a
/// viewer joined, accepts its channel.
pub async fn agent(relay: &str, fingerprint: &str, on_code: impl FnOnce(String)) -> RogueChannel {
    let trust = RelayTrust::Fingerprint(fingerprint.parse().expect("fp"));
    let mut link = relay_client::connect(relay, &trust).await.expect("relay");
    link.send(&ClientMsg::Register).await.expect("register");
    let nameplate = match link.messages.recv().await {
        Some(Ok(RelayMsg::Registered { nameplate, .. })) => nameplate,
        other => panic!("expected registration, got {other:?}"),
    };
    let secret = Secret::from_digits([3, 1, 4, 1, 5, 9]).expect("secret");
    on_code(Code::new(nameplate, secret.clone()).display());
    let session_id = paired(&mut link).await;
    link.start_lane();
    let (cert, viewer, transcript) =
        pake(&mut link, Role::Agent, &secret, nameplate, session_id).await;
    let binding = SessionBinding {
        transcript,
        agent: cert.fingerprint,
        viewer,
    };
    let (endpoint, conn) = tessera_net::channel::accept(link.inner_path().await, &cert, viewer)
        .await
        .expect("channel");
    let (send, recv) = conn.accept_bi().await.expect("stream");
    RogueChannel {
        link,
        endpoint,
        conn,
        send,
        recv,
        binding,
    }
}

/// Joins `code` through the relay at `relay` (pinned to `fingerprint`) as
/// a rogue viewer, writes `bytes` as they are on the control stream, and
/// returns the agent's first answer but the record's exchange (`None`
/// if it sent none).
pub fn viewer_sends(
    relay: &str,
    fingerprint: &str,
    code: &str,
    bytes: &[u8],
) -> Option<tessera_proto::peer::AgentMsg> {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let mut rogue = viewer(relay, fingerprint, code).await;
        rogue.send.write_all(bytes).await.expect("write");
        rogue.next().await
    })
}
