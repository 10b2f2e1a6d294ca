//! The agent's window on an X server, as the person sees it: titles to
//! wait on, and a session brought to its consent prompt. Buttons are
//! found by the window's fixed layout (egui draws with its own fonts, so
//! the layout is the same on every machine); each test that clicks one
//! also checks that the click did what the button does.

use crate::xvfb::Xvfb;
use crate::{Agent, RelayProcess, Viewer};
use std::path::Path;

/// Window titles (regular expressions on ASCII parts of them).
pub const ASKING: &str = "Tessera: (Remote assistance request|Demande d.assistance)";
/// The code screen's title.
pub const CODE: &str = "Tessera: (Your code for remote assistance|Votre code d.assistance)";
/// The session bar's title (the indicator closed).
pub const LIVE: &str = "Tessera: (Remote assistance in progress|Assistance .*distance en cours)$";
/// The indicator's title (the bar opened into everything).
pub const DETAILS: &str =
    "Tessera: (Remote assistance in progress|Assistance .*distance en cours) \\(d.*tails\\)$";
/// An upgrade prompt's title.
pub const ASKING_MORE: &str = "Tessera: (Request for more access|Demande d.acc.*suppl.*mentaire)";
/// The continue check's title.
pub const CONTINUE: &str = "Tessera: (Should the session go on|Continuer la session)";

/// Where the bar's "Show details" is, from the window's corner (English).
pub const SHOW_DETAILS: (i32, i32) = (210, 83);

/// An agent with its window on `x` in `lang` (more flags in `extra`, such
/// as `--screen x11`); returns once the window shows the code and has the
/// keyboard, with the code as read aloud and the window's id.
pub fn waiting(
    x: &Xvfb,
    relay: &RelayProcess,
    lang: &str,
    extra: &[&str],
) -> (Agent, String, String) {
    let mut args = relay.client_args();
    args.extend(["--ui", "gui", "--lang", lang].map(String::from));
    args.extend(extra.iter().map(|a| a.to_string()));
    if !extra.contains(&"--screen") {
        args.extend(["--screen", "synthetic"].map(String::from));
    }
    let mut agent = Agent::start_env(&args, &[("DISPLAY", Path::new(&x.display))]);
    let code = agent.code();
    let id = x.focus_window_titled(CODE);
    (agent, code, id)
}

/// As [`waiting`], and a viewer asking for `request`; returns once the
/// window shows the prompt and has the keyboard.
pub fn asked(
    x: &Xvfb,
    relay: &RelayProcess,
    lang: &str,
    request: &str,
    extra: &[&str],
) -> (Agent, Viewer) {
    let (mut agent, code, _) = waiting(x, relay, lang, extra);
    let viewer = Viewer::connect_as(
        &code,
        &relay.client_args(),
        request,
        &["--name", "Jane Doe", "--org", "Acme IT"],
    );
    agent.events.event("consent_requested");
    x.focus_window_titled(ASKING);
    (agent, viewer)
}

/// As [`asked`], then the person allows everything with the keyboard (Tab
/// from Deny to Allow, Enter); returns once both sides run and the window
/// shows the session bar, with its id.
pub fn allowed(
    x: &Xvfb,
    relay: &RelayProcess,
    lang: &str,
    request: &str,
    extra: &[&str],
) -> (Agent, Viewer, String) {
    let (mut agent, mut viewer) = asked(x, relay, lang, request, extra);
    x.keys(&["Tab", "Return"]);
    agent.events.event("session_started");
    viewer.events.event("session_started");
    let id = x.focus_window_titled(LIVE);
    (agent, viewer, id)
}

/// Opens the indicator from the bar of window `id` with a click on "Show
/// details" (English), as a person would; returns once it shows.
pub fn open_details(x: &Xvfb, id: &str) {
    x.click_in(id, SHOW_DETAILS.0, SHOW_DETAILS.1);
    x.focus_window_titled(DETAILS);
}
