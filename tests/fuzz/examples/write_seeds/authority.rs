//! Seeds for `agent_authority`: scripts that reach a running session and
//! then grant, use, take back and ask again, each checked (by running it
//! through the harness) to do what its name says.

use crate::Seeds;
use tessera_fuzz::authority::{self, Outcome};
use tessera_fuzz::script::{Loss, Script, Step};
use tessera_input::{Button, InputEvent, Key};
use tessera_proto::files::FileMsg;
use tessera_proto::frame::encode_payload;
use tessera_proto::peer::ViewerMsg;
use tessera_proto::{Grants, Permission};
use tessera_session::Timer;

fn grants(list: &str) -> Grants {
    Grants::parse_list(list).expect("grants")
}

fn viewer(msg: ViewerMsg) -> Step {
    Step::FromViewer(encode_payload(&msg))
}

fn input(event: InputEvent) -> Step {
    viewer(ViewerMsg::Input(event))
}

fn key(name: &str, down: bool) -> Step {
    let key = Key::from_name(name).expect("a key name");
    input(InputEvent::Key {
        key,
        down,
        text: None,
    })
}

fn click(down: bool) -> Step {
    input(InputEvent::Button {
        button: Button::Left,
        down,
    })
}

fn request(list: &str) -> Step {
    viewer(ViewerMsg::Request {
        grants: grants(list),
    })
}

fn answer(list: &str) -> Step {
    Step::ConsentAnswer(Some(grants(list)))
}

fn screen() -> Step {
    Step::Displays {
        sizes: vec![(1920, 1080), (1280, 1024)],
        showing: 0,
    }
}

type Check = fn(&Outcome) -> bool;

pub fn agent_authority(seeds: &mut Seeds) {
    let typing = vec![
        answer("view,control,chat"),
        screen(),
        key("ShiftLeft", true),
        key("KeyA", true),
        key("KeyA", false),
        input(InputEvent::Move { x: 640, y: 480 }),
        click(true),
        input(InputEvent::Text {
            text: "hello".into(),
        }),
        input(InputEvent::Scroll { dx: 0, dy: 120 }),
        Step::Revoke(Permission::Control),
        key("KeyB", true),
        Step::Wait(1000),
        Step::Timer(Timer::InputRefusals),
    ];
    let upgrade = vec![
        answer("view"),
        screen(),
        request("control"),
        click(true),
        answer("control"),
        key("KeyA", true),
        Step::ControlLost,
        key("KeyA", false),
        request("control"),
    ];
    let continue_check = vec![
        answer("control"),
        key("ControlLeft", true),
        Step::Timer(Timer::ContinueCheck),
        key("KeyC", true),
        Step::ContinueAnswer(true),
        key("KeyC", true),
        Step::Timer(Timer::ContinueCheck),
        Step::Timer(Timer::ContinueAnswer),
    ];
    let chat = vec![
        answer("view,chat"),
        viewer(ViewerMsg::Chat {
            text: "Hello, I can see your screen now.".into(),
        }),
        Step::UserChat("The printer is the one on the left".into()),
        Step::Revoke(Permission::Chat),
        viewer(ViewerMsg::Chat {
            text: "Still there?".into(),
        }),
        request("chat"),
    ];
    let denials = vec![
        answer("view"),
        request("chat"),
        Step::Timer(Timer::Consent),
        request("chat"),
        Step::Timer(Timer::UpgradeCooldown),
        request("chat,files"),
        Step::ConsentAnswer(None),
        Step::Timer(Timer::UpgradeCooldown),
        request("clipboard"),
        answer("clipboard"),
    ];
    let view_only = vec![
        answer("view"),
        screen(),
        key("KeyA", true),
        viewer(ViewerMsg::NeedKeyframe),
        viewer(ViewerMsg::Shown { seq: 1 }),
        viewer(ViewerMsg::ShowDisplay { index: 1 }),
        Step::Revoke(Permission::View),
        viewer(ViewerMsg::NeedKeyframe),
        viewer(ViewerMsg::ShowDisplay { index: 0 }),
    ];
    let local_user = vec![
        answer("view,control"),
        screen(),
        click(true),
        Step::LocalInput { held: true },
        click(true),
        Step::LocalInput { held: false },
        Step::Wait(2500),
        Step::Timer(Timer::LocalPause),
        click(true),
        click(false),
    ];
    let stale_answers = vec![
        answer("view"),
        answer("view,control,clipboard,files,chat"),
        request("control"),
        Step::Timer(Timer::Consent),
        answer("control"),
        key("KeyA", true),
        Step::ContinueAnswer(true),
    ];
    let input_during_prompt = vec![
        answer("control"),
        key("KeyA", true),
        request("view"),
        key("KeyB", true),
        request("chat"),
        answer("view"),
        key("KeyB", true),
        viewer(ViewerMsg::End {
            reason: tessera_proto::EndReason::TechnicianEnded,
        }),
    ];
    let lost_during_upgrade = vec![
        answer("view"),
        request("control,chat"),
        Step::ControlLost,
        answer("control,chat"),
        key("KeyA", true),
        Step::Lost(Loss::Connection),
    ];
    let denied = vec![Step::ConsentAnswer(None)];
    let fetch = |id| {
        viewer(ViewerMsg::Files(FileMsg::Fetch {
            id,
            path: "~/rapport.txt".into(),
        }))
    };
    let fetches = vec![
        answer("files,control"),
        fetch(0),
        key("KeyA", true),
        Step::FetchAnswer(false),
        fetch(2),
        Step::FetchAnswer(true),
        fetch(4),
        fetch(6),
        Step::Revoke(Permission::Files),
        Step::FetchAnswer(true),
        fetch(8),
    ];
    let all = "view,control,clipboard,files,chat";
    let cases: Vec<(&str, &str, Vec<Step>, Check)> = vec![
        ("typing_then_revoke", "view,control,chat", typing, |o| {
            o.injected >= 6
        }),
        ("upgrade_then_control_lost", "view", upgrade, |o| {
            o.upgrades == 1 && o.ever_granted.contains(Permission::Control) && o.injected >= 1
        }),
        ("continue_check", "control", continue_check, |o| {
            o.continue_checks == 2 && o.ended
        }),
        ("chat_then_revoke", "view,chat", chat, |o| {
            o.viewer_chat == 1
        }),
        ("upgrade_denials", "view", denials, |o| {
            o.upgrades == 3 && o.ever_granted.contains(Permission::Clipboard)
        }),
        ("view_only", all, view_only, |o| {
            o.injected == 0 && o.ever_granted == Grants::NONE.with(Permission::View)
        }),
        ("local_user", "view,control", local_user, |o| {
            o.injected >= 3
        }),
        ("stale_answers", "view", stale_answers, |o| {
            o.ever_granted == Grants::NONE.with(Permission::View) && o.injected == 0
        }),
        ("input_during_prompt", "control", input_during_prompt, |o| {
            o.upgrades == 1 && o.ended
        }),
        (
            "control_lost_during_upgrade",
            "view",
            lost_during_upgrade,
            |o| {
                o.ever_granted.contains(Permission::Chat)
                    && !o.ever_granted.contains(Permission::Control)
                    && o.injected == 0
            },
        ),
        ("fetches", "files,control", fetches, |o| {
            o.fetches == 3 && o.injected == 0
        }),
        ("denied", all, denied, |o| {
            o.ended && o.ever_granted == Grants::NONE
        }),
    ];
    for (name, requested, steps, check) in cases {
        let bytes = Script {
            requested: grants(requested),
            steps,
        }
        .to_bytes();
        let outcome = authority::run(&bytes);
        assert!(
            outcome.asked && check(&outcome),
            "agent_authority seed {name}: {outcome:?}"
        );
        seeds.add("agent_authority", name, bytes);
    }
}
