//! The pairing exchange both ends run through the relay's mailbox, once
//! the relay paired them: each sends its SPAKE2 message, then its own
//! certificate fingerprint sealed with the key the code gave. Whoever
//! does not hold the code fails at the first message it cannot open.
//!
//! One sub-machine for the agent and the viewer: they differ only in
//! their [`Role`] and in what a failure means to them (the agent burns
//! the code, the viewer ends).

use tessera_proto::pairing::{PairingMsg, MAX_PAIRING_MSG};
use tessera_proto::relay::{ClientMsg, SessionId};
use tessera_proto::{frame, Fingerprint, Nameplate, Secret};
use tessera_secure::identity::SessionBinding;
use tessera_secure::{PairingContext, Pake, PeerConfirmation, Role};

/// A pairing in progress: which message it waits for.
pub(crate) struct Pairing {
    role: Role,
    /// Our certificate's fingerprint, sealed to the peer once the PAKE
    /// gave a key.
    local: Fingerprint,
    step: Step,
}

enum Step {
    /// Our PAKE message is sent; the peer's is next.
    AwaitPake(Pake),
    /// Our sealed fingerprint is sent; the peer's is next.
    AwaitConfirm {
        confirm: PeerConfirmation,
        transcript: [u8; 32],
    },
}

/// What one mailbox message did to the pairing.
pub(crate) enum Progress {
    /// Send this to the relay's mailbox, and wait for the next message.
    Send(Pairing, ClientMsg),
    /// The peer proved it holds the code: its certificate's fingerprint,
    /// authenticated by the PAKE, and what the technician's introduction
    /// is signed over.
    Paired {
        /// The peer's certificate fingerprint, to pin.
        peer_fingerprint: Fingerprint,
        /// The transcript and both fingerprints.
        binding: SessionBinding,
    },
    /// A wrong code, or a message that is not a valid pairing message in
    /// its place: the same failure, so a guesser learns nothing more.
    Failed,
}

impl Pairing {
    /// Starts pairing for `role` with the code's `secret`, bound to the
    /// relay's session id and the nameplate; returns the machine and the
    /// first message to send.
    pub(crate) fn start(
        role: Role,
        secret: &Secret,
        session_id: SessionId,
        nameplate: Nameplate,
        local: Fingerprint,
    ) -> (Self, ClientMsg) {
        let context = PairingContext {
            session_id,
            nameplate,
        };
        let (pake, msg) = Pake::start(role, secret, context);
        let pairing = Self {
            role,
            local,
            step: Step::AwaitPake(pake),
        };
        (pairing, mailbox(PairingMsg::Pake(msg)))
    }

    /// Feeds the peer's next mailbox payload.
    pub(crate) fn mailbox(self, payload: &[u8]) -> Progress {
        let Some(msg) = pairing_msg(payload) else {
            return Progress::Failed;
        };
        match (self.step, msg) {
            (Step::AwaitPake(pake), PairingMsg::Pake(peer)) => match pake.finish(&peer) {
                Ok(keys) => {
                    let transcript = keys.transcript();
                    let (own, confirm) = keys.confirmations(self.role);
                    let sealed = own.seal(&self.local);
                    let next = Self {
                        step: Step::AwaitConfirm {
                            confirm,
                            transcript,
                        },
                        ..self
                    };
                    Progress::Send(next, mailbox(PairingMsg::Confirm(sealed)))
                }
                Err(_) => Progress::Failed,
            },
            (
                Step::AwaitConfirm {
                    confirm,
                    transcript,
                },
                PairingMsg::Confirm(sealed),
            ) => match confirm.open(&sealed) {
                Ok(peer_fingerprint) => {
                    let (agent, viewer) = match self.role {
                        Role::Agent => (self.local, peer_fingerprint),
                        Role::Viewer => (peer_fingerprint, self.local),
                    };
                    Progress::Paired {
                        peer_fingerprint,
                        binding: SessionBinding {
                            transcript,
                            agent,
                            viewer,
                        },
                    }
                }
                Err(_) => Progress::Failed,
            },
            // A message out of its place fails as a wrong code does.
            (Step::AwaitPake(_), PairingMsg::Confirm(_))
            | (Step::AwaitConfirm { .. }, PairingMsg::Pake(_)) => Progress::Failed,
        }
    }
}

/// Wraps a pairing message for the relay's mailbox. Pairing messages are
/// bounded far below the mailbox limit.
fn mailbox(msg: PairingMsg) -> ClientMsg {
    ClientMsg::Mailbox {
        payload: frame::encode_payload(&msg),
    }
}

/// Decodes a mailbox payload from the peer; `None` if it is not a valid,
/// bounded pairing message.
fn pairing_msg(payload: &[u8]) -> Option<PairingMsg> {
    frame::decode_body(payload, MAX_PAIRING_MSG).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SESSION: SessionId = [7; 16];

    fn nameplate() -> Nameplate {
        Nameplate::new(482).expect("valid nameplate")
    }

    fn secret(first: u8) -> Secret {
        Secret::from_digits([first, 1, 3, 5, 7, 7]).expect("digits")
    }

    fn payload(msg: &ClientMsg) -> Vec<u8> {
        match msg {
            ClientMsg::Mailbox { payload } => payload.clone(),
            other => panic!("not a mailbox message: {other:?}"),
        }
    }

    /// Runs both ends against each other; returns what each concluded.
    fn run(agent_secret: u8, viewer_secret: u8) -> (Progress, Progress) {
        let (a_fp, v_fp) = (Fingerprint([0xa; 32]), Fingerprint([0xb; 32]));
        let (agent, a_pake) = Pairing::start(
            Role::Agent,
            &secret(agent_secret),
            SESSION,
            nameplate(),
            a_fp,
        );
        let (viewer, v_pake) = Pairing::start(
            Role::Viewer,
            &secret(viewer_secret),
            SESSION,
            nameplate(),
            v_fp,
        );
        let (agent, a_confirm) = match agent.mailbox(&payload(&v_pake)) {
            Progress::Send(next, msg) => (next, msg),
            other => return (other, Progress::Failed),
        };
        let (viewer, v_confirm) = match viewer.mailbox(&payload(&a_pake)) {
            Progress::Send(next, msg) => (next, msg),
            other => return (Progress::Failed, other),
        };
        (
            agent.mailbox(&payload(&v_confirm)),
            viewer.mailbox(&payload(&a_confirm)),
        )
    }

    #[test]
    fn the_same_code_pairs_both_ends_with_one_binding() {
        let (agent, viewer) = run(4, 4);
        let (
            Progress::Paired {
                peer_fingerprint: agent_sees,
                binding: a,
            },
            Progress::Paired {
                peer_fingerprint: viewer_sees,
                binding: v,
            },
        ) = (agent, viewer)
        else {
            panic!("both ends should pair");
        };
        assert_eq!(agent_sees, Fingerprint([0xb; 32]));
        assert_eq!(viewer_sees, Fingerprint([0xa; 32]));
        assert_eq!(a, v, "both ends sign and check the same binding");
        assert_eq!(a.agent, Fingerprint([0xa; 32]));
    }

    #[test]
    fn a_wrong_code_fails_at_the_confirmation() {
        let (agent, viewer) = run(4, 5);
        assert!(matches!(agent, Progress::Failed));
        assert!(matches!(viewer, Progress::Failed));
    }

    #[test]
    fn garbage_and_messages_out_of_place_fail() {
        let fp = Fingerprint([0xa; 32]);
        let start = || Pairing::start(Role::Agent, &secret(4), SESSION, nameplate(), fp).0;
        assert!(matches!(start().mailbox(b"\x00\x01junk"), Progress::Failed));
        let confirm = frame::encode_payload(&PairingMsg::Confirm(vec![0; 48]));
        assert!(matches!(start().mailbox(&confirm), Progress::Failed));
    }
}
