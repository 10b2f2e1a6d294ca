//! Seeds for the decoders: real messages from the real encoders, for
//! `display_lists`, `peer_messages`, `relay_messages`, `pairing_mailbox`,
//! `input_events` and `typed_text`.

use crate::Seeds;
use tessera_fuzz::fixtures::{self, key, Who, ORG_NAME, TECHNICIAN_NAME, VIEWER_FP};
use tessera_input::{Button, InputEvent, Key, RefusalKind};
use tessera_proto::audit::{AuditMsg, LogCertifier};
use tessera_proto::files::{Entry, EntryKind, FileMsg, FileStop, ManifestPage, ResumeFrom};
use tessera_proto::frame::encode_payload;
use tessera_proto::lane::LanePacket;
use tessera_proto::identity::{PublicKey, Signature};
use tessera_proto::pairing::PairingMsg;
use tessera_proto::peer::{validate_displays, AgentMsg, DisplayInfo, ViewerMsg, MAX_DISPLAYS};
use tessera_proto::relay::{ClientMsg, Refusal, RelayMsg};
use tessera_proto::{Code, EndReason, Grants, Nameplate, Permission, Secret, UpgradeRefusal};
use tessera_secure::identity::{signed_hello, Introduction};
use tessera_secure::{PairingContext, Pake, Role};

fn grants(list: &str) -> Grants {
    Grants::parse_list(list).expect("grants")
}

fn display(name: &str, x: i32, width: u32, height: u32, primary: bool) -> DisplayInfo {
    DisplayInfo {
        name: name.into(),
        x,
        y: 0,
        width,
        height,
        primary,
    }
}

pub fn display_lists(seeds: &mut Seeds) {
    let many = (0..MAX_DISPLAYS)
        .map(|i| {
            display(
                &format!("screen {}", i + 1),
                1024 * i as i32,
                1024,
                768,
                i == 0,
            )
        })
        .collect::<Vec<_>>();
    let pair = vec![
        display("DP-1", 0, 2560, 1440, true),
        display("HDMI-A-0", 2560, 1920, 1080, false),
    ];
    let cases = [
        (
            "one",
            vec![display("screen 1", 0, 1920, 1080, true)],
            0,
            true,
        ),
        ("two_showing_second", pair.clone(), 1, true),
        ("sixteen", many, 15, true),
        ("showing_none", pair.clone(), 2, false),
        ("empty", vec![], 0, false),
        (
            "escape_in_name",
            vec![display("DP-1\u{1b}[2J", 0, 800, 600, true)],
            0,
            false,
        ),
        (
            "reversed_name",
            vec![display("DP-\u{202e}1", 0, 800, 600, true)],
            0,
            false,
        ),
    ];
    for (name, displays, showing, valid) in cases {
        assert_eq!(
            validate_displays(&displays, showing).is_ok(),
            valid,
            "display seed {name}"
        );
        let msg = AgentMsg::Displays { displays, showing };
        seeds.add("display_lists", name, encode_payload(&msg));
    }
}

fn hello() -> ViewerMsg {
    let intro = Introduction {
        name: TECHNICIAN_NAME.into(),
        org: Some(ORG_NAME.into()),
        requested: grants("view,control,chat"),
        certificate: None,
        ticket: None,
    };
    ViewerMsg::Hello(Box::new(signed_hello(
        &intro,
        &key(Who::Technician),
        &fixtures::binding(),
    )))
}

fn key_event(name: &str, down: bool, text: Option<char>) -> InputEvent {
    InputEvent::Key {
        key: Key::from_name(name).expect("a key name"),
        down,
        text,
    }
}

fn events() -> Vec<(&'static str, InputEvent)> {
    vec![
        ("key_down", key_event("KeyA", true, Some('a'))),
        ("key_up", key_event("KeyA", false, None)),
        ("move", InputEvent::Move { x: 640, y: 480 }),
        (
            "button",
            InputEvent::Button {
                button: Button::Right,
                down: true,
            },
        ),
        (
            "text",
            InputEvent::Text {
                text: "héllo\twörld\n".into(),
            },
        ),
        ("scroll", InputEvent::Scroll { dx: -60, dy: 240 }),
    ]
}

pub fn peer_messages(seeds: &mut Seeds) {
    let mut viewer = vec![
        ("viewer_hello", hello()),
        (
            "viewer_chat",
            ViewerMsg::Chat {
                text: "Hello!\nCan you open the settings?".into(),
            },
        ),
        (
            "viewer_end",
            ViewerMsg::End {
                reason: EndReason::TechnicianEnded,
            },
        ),
        ("viewer_keyframe", ViewerMsg::NeedKeyframe),
        ("viewer_shown", ViewerMsg::Shown { seq: 4242 }),
        ("viewer_video_shown", ViewerMsg::VideoShown { seq: 77 }),
        ("viewer_show_display", ViewerMsg::ShowDisplay { index: 1 }),
        (
            "viewer_request",
            ViewerMsg::Request {
                grants: grants("control,clipboard,chat"),
            },
        ),
        (
            "viewer_audit_log_key",
            ViewerMsg::Audit(Box::new(AuditMsg::LogKey {
                origin: "tessera/5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e/viewer".into(),
                key: PublicKey([0x11; 32]),
                certifier: LogCertifier::Technician,
                certifier_key: PublicKey([0x22; 32]),
                signature: Signature([0x33; 64]),
            })),
        ),
        (
            "viewer_audit_checkpoint",
            ViewerMsg::Audit(Box::new(AuditMsg::Checkpoint {
                note: "tessera/5e/viewer\n12\nVGVzc2VyYQ==\n\n\u{2014} tessera/5e/viewer AAAA\n"
                    .into(),
                from: 8,
                proof: vec![[0x44; 32], [0x55; 32]],
            })),
        ),
        (
            "viewer_audit_cosignature",
            ViewerMsg::Audit(Box::new(AuditMsg::Cosignature {
                size: 12,
                line: "\u{2014} tessera/5e/agent AAAAAAAAAAAA\n".into(),
            })),
        ),
        (
            "viewer_files_fetch",
            ViewerMsg::Files(FileMsg::Fetch {
                id: 2,
                path: "~/Documents/rapport.pdf".into(),
            }),
        ),
        (
            "viewer_files_offer",
            ViewerMsg::Files(FileMsg::Offer(Box::new(ManifestPage {
                id: 4,
                entries: vec![
                    Entry {
                        path: "Patch".into(),
                        kind: EntryKind::Folder,
                    },
                    Entry {
                        path: "Patch/install.sh".into(),
                        kind: EntryKind::File {
                            size: 2048,
                            executable: true,
                        },
                    },
                ],
                last: true,
            }))),
        ),
        (
            "viewer_files_accept",
            ViewerMsg::Files(FileMsg::Accept {
                id: 5,
                resume: vec![ResumeFrom {
                    entry: 1,
                    chunks: 3,
                    chain: [0x66; 32],
                }],
            }),
        ),
        (
            "viewer_files_cancel",
            ViewerMsg::Files(FileMsg::Cancel {
                id: 4,
                why: FileStop::Stopped,
                detail: Some("the technician cancelled".into()),
            }),
        ),
    ];
    let inputs: Vec<(String, ViewerMsg)> = events()
        .into_iter()
        .map(|(name, e)| (format!("viewer_input_{name}"), ViewerMsg::Input(e)))
        .collect();
    let agent = vec![
        (
            "agent_accepted",
            AgentMsg::Accepted {
                granted: grants("view,chat"),
            },
        ),
        (
            "agent_grants_changed",
            AgentMsg::GrantsChanged {
                granted: grants("view"),
            },
        ),
        (
            "agent_chat",
            AgentMsg::Chat {
                text: "It is the printer on the left".into(),
            },
        ),
        (
            "agent_refused",
            AgentMsg::Refused {
                permission: Permission::Files,
            },
        ),
        (
            "agent_end",
            AgentMsg::End {
                reason: EndReason::ContinueTimeout,
            },
        ),
        (
            "agent_input_refused",
            AgentMsg::InputRefused {
                reason: RefusalKind::LocalUser,
                count: 17,
            },
        ),
        (
            "agent_displays",
            AgentMsg::Displays {
                displays: vec![display("DP-1", 0, 1920, 1080, true)],
                showing: 0,
            },
        ),
        ("agent_local_user", AgentMsg::LocalUser { active: true }),
        (
            "agent_upgrade_granted",
            AgentMsg::UpgradeGranted {
                granted: grants("view,control"),
            },
        ),
        (
            "agent_upgrade_refused",
            AgentMsg::UpgradeRefused {
                reason: UpgradeRefusal::TooSoon,
            },
        ),
        (
            "agent_continue_check",
            AgentMsg::ContinueCheck { open: true },
        ),
        (
            "agent_files_done",
            AgentMsg::Files(FileMsg::Done {
                id: 4,
                entry: 1,
                sha256: [0x77; 32],
            }),
        ),
        (
            "agent_files_cancel",
            AgentMsg::Files(FileMsg::Cancel {
                id: 2,
                why: FileStop::Denied,
                detail: None,
            }),
        ),
        (
            "agent_asking_verified",
            AgentMsg::Asking {
                verified: true,
                verified_by: Some(ORG_NAME.into()),
                not_verified: None,
            },
        ),
        (
            "agent_asking_not_verified",
            AgentMsg::Asking {
                verified: false,
                verified_by: None,
                not_verified: Some("no_certificate".into()),
            },
        ),
        (
            "agent_audit_cosignature",
            AgentMsg::Audit(Box::new(AuditMsg::Cosignature {
                size: 30,
                line: "\u{2014} tessera/5e/viewer AAAAAAAAAAAA\n".into(),
            })),
        ),
    ];
    for (name, msg) in viewer.drain(..) {
        seeds.add("peer_messages", name, encode_payload(&msg));
    }
    for (name, msg) in inputs {
        seeds.add("peer_messages", &name, encode_payload(&msg));
    }
    for (name, msg) in agent {
        seeds.add("peer_messages", name, encode_payload(&msg));
    }
    // A clipboard copy as its stream carries it (length, head, bytes).
    let clip = tessera_proto::clipboard::Clip::text("ipconfig /all\n".into()).expect("fits");
    let head = encode_payload(&clip.head(1));
    let mut copy = vec![u8::try_from(head.len()).expect("a short head")];
    copy.extend(head);
    copy.extend(clip.bytes());
    seeds.add("peer_messages", "clipboard_copy", copy);
}

/// A real SPAKE2 message and a real (sealed) confirmation, for the
/// `pairing_mailbox` target's code and context.
fn pairing_messages() -> (PairingMsg, PairingMsg) {
    let secret = Secret::from_digits([1, 2, 3, 4, 5, 6]).expect("six digits");
    let context = PairingContext {
        session_id: [0; 16],
        nameplate: Nameplate::new(482).expect("a nameplate"),
    };
    let (viewer, viewer_msg) = Pake::start(Role::Viewer, &secret, context);
    let (_, agent_msg) = Pake::start(Role::Agent, &secret, context);
    let keys = viewer.finish(&agent_msg).expect("a valid SPAKE2 message");
    let (own, _) = keys.confirmations(Role::Viewer);
    (
        PairingMsg::Pake(viewer_msg),
        PairingMsg::Confirm(own.seal(&VIEWER_FP)),
    )
}

pub fn relay_messages(seeds: &mut Seeds) {
    let (pake, _) = pairing_messages();
    let payload = encode_payload(&pake);
    let client = [
        ("client_register", ClientMsg::Register),
        (
            "client_join",
            ClientMsg::Join {
                nameplate: Nameplate::new(482).expect("a nameplate"),
            },
        ),
        (
            "client_mailbox",
            ClientMsg::Mailbox {
                payload: payload.clone(),
            },
        ),
        ("client_burn", ClientMsg::Burn),
        ("client_close", ClientMsg::Close),
        ("client_open_lane", ClientMsg::OpenLane { nonce: [9; 16] }),
    ];
    let relay = [
        (
            "relay_registered",
            RelayMsg::Registered {
                nameplate: Nameplate::new(482).expect("a nameplate"),
                expires_in_secs: 600,
            },
        ),
        (
            "relay_paired",
            RelayMsg::Paired {
                session_id: [7; 16],
            },
        ),
        ("relay_mailbox", RelayMsg::Mailbox { payload }),
        ("relay_peer_left", RelayMsg::PeerLeft),
        (
            "relay_refused",
            RelayMsg::Refused {
                reason: Refusal::RateLimited,
            },
        ),
        ("relay_lane_open", RelayMsg::LaneOpen { nonce: [9; 16] }),
        ("relay_no_lane", RelayMsg::NoLane),
        ("relay_lane_ticket", RelayMsg::LaneTicket { ticket: [4; 16] }),
        ("relay_lane_refused", RelayMsg::LaneRefused { nonce: [9; 16] }),
    ];
    for (name, msg) in client {
        seeds.add("relay_messages", name, encode_payload(&msg));
    }
    for (name, msg) in relay {
        seeds.add("relay_messages", name, encode_payload(&msg));
    }
    seeds.add(
        "relay_messages",
        "lane_bind",
        LanePacket::Bind([4; 16]).encode().to_vec(),
    );
    seeds.add(
        "relay_messages",
        "lane_challenge",
        LanePacket::Challenge([5; 16]).encode().to_vec(),
    );
}

/// The `pairing_mailbox` input: the first payload's length, the first
/// payload, then the second.
fn two_payloads(first: &PairingMsg, second: &PairingMsg) -> Vec<u8> {
    let first = encode_payload(first);
    let mut out = vec![u8::try_from(first.len()).expect("a pairing message under 256 bytes")];
    out.extend(first);
    out.extend(encode_payload(second));
    out
}

pub fn pairing_mailbox(seeds: &mut Seeds) {
    let (pake, confirm) = pairing_messages();
    seeds.add(
        "pairing_mailbox",
        "pake_then_confirm",
        two_payloads(&pake, &confirm),
    );
    seeds.add("pairing_mailbox", "pake_twice", two_payloads(&pake, &pake));
    seeds.add(
        "pairing_mailbox",
        "confirm_first",
        two_payloads(&confirm, &pake),
    );
}

pub fn input_events(seeds: &mut Seeds) {
    let chunk = |e: &InputEvent| {
        let body = encode_payload(e);
        assert!(!body.contains(&0xff), "0xff separates events: {e:?}");
        body
    };
    let join = |list: &[InputEvent]| list.iter().map(chunk).collect::<Vec<_>>().join(&0xff);
    for (name, e) in events() {
        seeds.add("input_events", name, join(&[e]));
    }
    let drag = [
        InputEvent::Move { x: 10, y: 10 },
        InputEvent::Button {
            button: Button::Left,
            down: true,
        },
        InputEvent::Move { x: 300, y: 200 },
        InputEvent::Button {
            button: Button::Left,
            down: false,
        },
    ];
    seeds.add("input_events", "drag", join(&drag));
    let shortcut = [
        key_event("ControlLeft", true, None),
        key_event("ShiftLeft", true, None),
        key_event("Escape", true, None),
    ];
    seeds.add("input_events", "held_shortcut", join(&shortcut));
}

pub fn typed_text(seeds: &mut Seeds) {
    let nameplate = Nameplate::new(482).expect("a nameplate");
    let secret = Secret::from_digits([9, 1, 3, 5, 7, 7]).expect("six digits");
    seeds.add(
        "typed_text",
        "code",
        Code::new(nameplate, secret).display().into_bytes(),
    );
    let commands = [
        ("chat", r#"{"cmd":"chat","text":"hello"}"#),
        ("end", r#"{"cmd":"end"}"#),
        ("status", r#"{"cmd":"status"}"#),
        (
            "request",
            r#"{"cmd":"request","grants":["control","chat"]}"#,
        ),
        ("display", r#"{"cmd":"display","index":1}"#),
        ("text", r#"{"cmd":"text","text":"héllo"}"#),
        ("key", r#"{"cmd":"key","key":"Enter"}"#),
        (
            "key_down",
            r#"{"cmd":"key","key":"ShiftLeft","action":"down"}"#,
        ),
        ("mouse_move", r#"{"cmd":"mouse_move","x":100,"y":200}"#),
        (
            "double_click",
            r#"{"cmd":"click","button":"left","count":2}"#,
        ),
        ("scroll", r#"{"cmd":"scroll","dy":-0.5}"#),
    ];
    for (name, line) in commands {
        assert!(
            tessera_session::command::parse(line).is_ok(),
            "command seed {name}"
        );
        seeds.add(
            "typed_text",
            &format!("command_{name}"),
            line.as_bytes().to_vec(),
        );
    }
}
