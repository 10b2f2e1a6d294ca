//! `tessera-agent`: run by the person who needs help. Shows a one-time
//! code, asks for consent, and runs the session it allowed.

mod device_key;
mod gui;
mod local;
mod run;
mod screen;
mod sessions;
mod trust;
mod tty;
mod video;

use clap::{Parser, ValueEnum};
use std::process::ExitCode;
use std::time::Duration;
use tessera_net::relay_args::RelayArgs;
use tessera_session::consent::Lang;

/// Get help from a technician: read the code shown to them, then decide
/// what they may do. Nothing happens without your consent.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    #[command(subcommand)]
    command: Option<AgentCmd>,
    #[command(flatten)]
    relay: RelayArgs,
    /// How the consent prompt is shown: in a window (`gui`, the default
    /// when $DISPLAY is set), or on the controlling terminal (`tty`; it
    /// never reads standard input).
    #[arg(long, value_enum)]
    ui: Option<Ui>,
    /// Screen source: the X display, or a synthetic picture (tests, demos).
    #[arg(long, value_enum, default_value_t = Screen::X11)]
    screen: Screen,
    /// X display to capture (default: $DISPLAY).
    #[arg(long)]
    display: Option<String>,
    /// Print one JSON object a line on stdout for each event.
    #[arg(long, value_enum)]
    events: Option<Events>,
    /// Language of everything the person sees, window and terminal
    /// (default: from the locale).
    #[arg(long, value_enum, global = true)]
    lang: Option<LangArg>,
    /// How long a session runs before you are asked whether it should go
    /// on (and again after each yes): 10s to 8h, such as `30m` or `1h`.
    #[arg(long, value_name = "DURATION", default_value = "30m",
          value_parser = |s: &str| duration_between(s, 10, 8 * 3600))]
    continue_check: Duration,
    /// How long you have to answer that question before the session
    /// ends: 10s to 30m.
    #[arg(long, value_name = "DURATION", default_value = "5m",
          value_parser = |s: &str| duration_between(s, 10, 30 * 60))]
    continue_answer: Duration,
    /// Where session records are kept (default: your data folder,
    /// ~/.local/share/tessera/sessions). Every session is recorded.
    #[arg(long, value_name = "DIR", global = true)]
    record_dir: Option<std::path::PathBuf>,
    /// Where files the technician sends you land (default: your
    /// Downloads folder's Tessera folder, made private). Nothing is
    /// written anywhere else.
    #[arg(long, value_name = "DIR")]
    receive_dir: Option<std::path::PathBuf>,
    /// What the record keeps of the technician's typing: the text itself
    /// (`text`, the default: their accountability is the point), or only
    /// how many keys and characters (`counts`).
    #[arg(long, value_enum, default_value_t = TypingRecord::Text)]
    record_typing: TypingRecord,
}

/// What the record keeps of the technician's typing.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum TypingRecord {
    /// The characters typed.
    Text,
    /// Only their number.
    Counts,
}

/// Besides asking for help.
#[derive(clap::Subcommand, Debug)]
enum AgentCmd {
    /// Your recorded sessions: list them, open or export one's report.
    Sessions {
        #[command(subcommand)]
        action: Option<sessions::SessionsCmd>,
    },
}

/// Parses a duration such as `30m`, `90s` or `1h 30m`, between `min` and
/// `max` seconds.
fn duration_between(text: &str, min: u64, max: u64) -> Result<Duration, String> {
    let d = humantime::parse_duration(text)
        .map_err(|e| format!("{e}: write a duration such as 90s, 30m or 1h"))?;
    if d < Duration::from_secs(min) || d > Duration::from_secs(max) {
        return Err(format!(
            "{text} is out of range: between {} and {}",
            humantime::format_duration(Duration::from_secs(min)),
            humantime::format_duration(Duration::from_secs(max))
        ));
    }
    Ok(d)
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Ui {
    Tty,
    Gui,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Screen {
    X11,
    Synthetic,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Events {
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum LangArg {
    Fr,
    En,
}

fn lang(arg: Option<LangArg>) -> Lang {
    match arg {
        Some(LangArg::Fr) => Lang::Fr,
        Some(LangArg::En) => Lang::En,
        None => Lang::from_environment(),
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    if let Some(AgentCmd::Sessions { action }) = args.command {
        let dir = args
            .record_dir
            .unwrap_or_else(tessera_audit::files::default_record_dir);
        // Shown if this computer has one; listing never makes one.
        let path = device_key::default_path();
        let device = path
            .exists()
            .then(|| device_key::load_or_create(&path).ok())
            .flatten()
            .map(|key| key.public().0);
        return sessions::run(action, &dir, lang(args.lang), device);
    }
    // No session that could not be recorded: checked before anything else.
    let record_dir = args
        .record_dir
        .clone()
        .unwrap_or_else(tessera_audit::files::default_record_dir);
    if let Err(e) = tessera_audit::files::check_writable(&record_dir) {
        eprintln!("tessera-agent: {e}");
        return ExitCode::FAILURE;
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("tessera-agent: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let ui = args.ui.unwrap_or(
        match std::env::var_os("DISPLAY").filter(|d| !d.is_empty()) {
            Some(_) => Ui::Gui,
            None => Ui::Tty,
        },
    );
    let lang = lang(args.lang);
    let code = match ui {
        Ui::Tty => runtime.block_on(agent(args, lang, None)),
        Ui::Gui => {
            // The window lives on the main thread; the session beside it.
            let (link, window, closer) = gui::channel(lang);
            let session = runtime.spawn(async move {
                let code = agent(args, lang, Some(link)).await;
                closer.exit();
                code
            });
            if let Err(e) = gui::run(window) {
                eprintln!("tessera-agent: {e}");
                session.abort();
                return ExitCode::FAILURE;
            }
            runtime.block_on(session).unwrap_or(ExitCode::FAILURE)
        }
    };
    // A file thread blocked on a disk never holds the exit.
    runtime.shutdown_timeout(Duration::from_secs(2));
    code
}

/// Everything but the window: opens the screen, the input and the trust
/// store, then runs the session; returns the exit status.
async fn agent(args: Args, lang: Lang, ui: Option<gui::UiLink>) -> ExitCode {
    // The screen is opened before anything else, so a missing display is
    // said at once rather than after the person accepted.
    let capture: Box<dyn tessera_screen::Capture + Send> = match args.screen {
        Screen::X11 => match tessera_screen::X11Capture::open(args.display.as_deref()) {
            Ok(c) => Box::new(c),
            Err(e) => {
                eprintln!("tessera-agent: {e}");
                return ExitCode::FAILURE;
            }
        },
        Screen::Synthetic => match tessera_screen::Synthetic::new(1280, 720) {
            Ok(s) => Box::new(s),
            Err(e) => {
                eprintln!("tessera-agent: {e}");
                return ExitCode::FAILURE;
            }
        },
    };
    // Input goes to the display that is shown (none for the synthetic one).
    let injector: Option<Box<dyn tessera_input::Injector + Send>> = match args.screen {
        Screen::X11 => match tessera_input::X11Injector::open(args.display.as_deref()) {
            Ok(i) => Some(Box::new(i)),
            Err(e) => {
                eprintln!("tessera-agent: {e}");
                return ExitCode::FAILURE;
            }
        },
        Screen::Synthetic => None,
    };
    // The person's own keyboard and mouse pause remote input: without a
    // way to notice them, the agent does not start.
    let local_activity = match args.screen {
        Screen::X11 => match local::watch_x11(args.display.as_deref()) {
            Ok(rx) => Some(rx),
            Err(e) => {
                eprintln!("tessera-agent: {e}");
                return ExitCode::FAILURE;
            }
        },
        Screen::Synthetic => None,
    };
    // Whom this computer trusts to vouch for technicians.
    let trusted = match trust::load() {
        Ok(store) => store,
        Err(e) => {
            eprintln!("tessera-agent: the list of trusted organisations: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Without a window or a terminal there is no one to ask: refuse
    // before registering.
    let tty = match (tty::Tty::open(), &ui) {
        (Ok(t), _) => t,
        (Err(_), Some(_)) => tty::Tty::none(),
        (Err(e), None) => {
            eprintln!("tessera-agent: cannot open the terminal for the consent prompt ({e}): run the agent from a terminal, or with --ui gui");
            return ExitCode::FAILURE;
        }
    };
    let device = match device_key::load_or_create(&device_key::default_path()) {
        Ok(key) => key,
        Err(e) => {
            eprintln!("tessera-agent: {e}");
            return ExitCode::FAILURE;
        }
    };
    let (relay, trust) = args.relay.into_relay();
    let keeper = tessera_audit::live::Keeper {
        parent: args
            .record_dir
            .unwrap_or_else(tessera_audit::files::default_record_dir),
        side: tessera_audit::record::Side::Agent,
        relay: relay.clone(),
        software: format!("tessera-agent {}", env!("CARGO_PKG_VERSION")),
        typed_text: match args.record_typing {
            TypingRecord::Text => tessera_audit::record::TypedText::Recorded,
            TypingRecord::Counts => tessera_audit::record::TypedText::Counted,
        },
        certifier: (tessera_audit::record::Certifier::Device, device.public().0),
        sign: Box::new(move |message| device.sign(message).0),
        live: None,
    };
    let options = run::Options {
        keeper,
        receive_dir: args
            .receive_dir
            .clone()
            .unwrap_or_else(tessera_files::downloads::default_receive_dir),
        relay,
        trust,
        events_json: args.events.is_some(),
        lang,
        capture: std::sync::Arc::new(std::sync::Mutex::new(capture)),
        injector,
        local_activity,
        trusted,
        ui,
        timeouts: tessera_session::Timeouts {
            continue_after: args.continue_check,
            continue_answer: args.continue_answer,
            ..Default::default()
        },
    };
    match run::run(options, tty).await {
        Ok(reason) if reason.is_normal() => ExitCode::SUCCESS,
        Ok(reason) => {
            eprintln!(
                "tessera-agent: session ended: {reason}: {}",
                reason.describe()
            );
            ExitCode::FAILURE
        }
        Err(e) => {
            // Connection errors can carry the relay's words: made safe.
            let e = tessera_session::terminal::printable(&e);
            eprintln!("tessera-agent: {e}");
            ExitCode::FAILURE
        }
    }
}
