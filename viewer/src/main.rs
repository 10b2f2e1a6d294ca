//! `tessera-viewer`: the technician's side. Connects with the code the
//! person reads aloud and runs the session they allow, in a window or,
//! with `--headless`, driven by JSON lines on stdin.

mod audit;
mod code_prompt;
mod front;
mod identity;
mod replay_window;
mod run;
mod snapshot;
mod video;
mod window;

use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;
use tessera_net::relay_args::RelayArgs;
use tessera_proto::{Code, Grants};
use tessera_secure::identity::{Introduction, SigningKey};
use tessera_session::consent::Lang;
use window::settings::Settings;

/// Help someone at a distance, with their consent. Without a command,
/// opens the window.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    #[command(subcommand)]
    command: Option<Cmd>,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Connect to the person's computer with the code they read to you
    /// (in the window; --headless for scripts).
    Connect(ConnectArgs),
    /// Technician identities: your key, your organisation's certificate.
    Identity {
        #[command(subcommand)]
        command: identity::IdentityCmd,
    },
    /// For auditors: verify session records, show them, prove one event.
    Audit {
        #[command(subcommand)]
        command: audit::AuditCmd,
    },
}

#[derive(clap::Args, Debug)]
struct ConnectArgs {
    /// The code, e.g. "482 913 577 2" (spaces, dashes and dots are
    /// ignored). Better left out: you are then asked for it (in the
    /// window, or on the terminal with --headless), and typed there it
    /// stays out of your shell history and out of the process list, where
    /// other users of this computer can read it.
    code: Option<String>,
    #[command(flatten)]
    relay: RelayArgs,
    /// Your name, as the person will see it (marked "not verified"; with
    /// --identity, the identity's name is used).
    #[arg(long, default_value_t = default_name(), conflicts_with = "identity")]
    name: String,
    /// Your organisation, as the person will see it.
    #[arg(long, conflicts_with = "identity")]
    org: Option<String>,
    /// Your identity file (`identity new`): with your organisation's
    /// certificate in it, the person sees you as verified.
    #[arg(long)]
    identity: Option<PathBuf>,
    /// What you ask to do: view, control, clipboard, files, chat.
    #[arg(long, default_value = "view,control,chat", value_parser = parse_grants)]
    request: Grants,
    /// The support ticket this session is for (shown to the person as
    /// given by you, and kept on both records).
    #[arg(long, value_name = "ID")]
    ticket: Option<String>,
    /// The ticket's priority, such as high or P2.
    #[arg(long, requires = "ticket")]
    priority: Option<String>,
    /// Where session records are kept (default: your data folder,
    /// ~/.local/share/tessera/sessions). Every session is recorded.
    #[arg(long, value_name = "DIR")]
    record_dir: Option<PathBuf>,
    /// Where files you fetch from the person land (default: your
    /// Downloads folder's Tessera folder, made private).
    #[arg(long, value_name = "DIR")]
    receive_dir: Option<PathBuf>,
    /// Run without a window: JSON commands on stdin, one a line (chat,
    /// end, snapshot, display, text, key, click...; see README.md).
    #[arg(long)]
    headless: bool,
    /// Print one JSON object a line on stdout for each event (with the
    /// window too).
    #[arg(long, value_enum)]
    events: Option<Events>,
    /// Language of the window (default: from the locale).
    #[arg(long, value_enum)]
    lang: Option<LangArg>,
    /// In the window, start sessions with the keyboard grabbed (X11):
    /// Alt+Tab, Super and the like go to the person's computer, not to
    /// your desktop. Ctrl+Alt, or the bar's checkbox, lets go.
    #[arg(long, conflicts_with = "headless")]
    grab_keyboard: bool,
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

fn default_name() -> String {
    std::env::var("USER").unwrap_or_else(|_| "Technician".into())
}

fn parse_grants(s: &str) -> Result<Grants, String> {
    Grants::parse_list(s)
}

fn main() -> ExitCode {
    let matches = Args::command().get_matches();
    let args = match Args::from_arg_matches(&matches) {
        Ok(args) => args,
        Err(e) => e.exit(),
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let connect_matches = matches.subcommand_matches("connect");
    let args = match args.command {
        Some(Cmd::Identity { command }) => {
            return match identity::run(command) {
                Ok(text) => {
                    println!("{text}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("tessera-viewer: {e}");
                    ExitCode::FAILURE
                }
            };
        }
        Some(Cmd::Audit { command }) => return audit::run(command),
        Some(Cmd::Connect(args)) => Some(args),
        None => None,
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("tessera-viewer: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match args {
        Some(args) if args.headless => {
            let code = runtime.block_on(headless(args));
            // A file thread blocked on a disk never holds the exit.
            runtime.shutdown_timeout(std::time::Duration::from_secs(2));
            code
        }
        args => {
            let code = match open_window(&runtime, args, connect_matches) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("tessera-viewer: {e}");
                    ExitCode::FAILURE
                }
            };
            // A session still closing gets a moment to tell the agent.
            runtime.shutdown_timeout(std::time::Duration::from_secs(2));
            code
        }
    }
}

/// Whether the flag `id` was typed on the command line (not a default).
fn typed(matches: Option<&ArgMatches>, id: &str) -> bool {
    matches.is_some_and(|m| m.value_source(id) == Some(ValueSource::CommandLine))
}

/// The window: the form filled from what is remembered, then from the
/// flags typed; with a code, straight into that session.
fn open_window(
    runtime: &tokio::runtime::Runtime,
    args: Option<ConnectArgs>,
    matches: Option<&ArgMatches>,
) -> Result<(), String> {
    let settings_path = Settings::default_path();
    let (mut settings, problem) = Settings::load(&settings_path);
    let mut lang = Lang::from_environment();
    let mut events_json = false;
    let mut grab_keyboard = false;
    let mut code = None;
    let mut ticket = None;
    if let Some(args) = args {
        if typed(matches, "relay") {
            settings.relay = args.relay.relay.clone();
        }
        if let Some(fp) = &args.relay.relay_fingerprint {
            settings.relay_fingerprint = fp.to_string();
        }
        if args.relay.relay_ca.is_some() || args.relay.known_relays.is_some() {
            return Err("the window trusts a relay by its fingerprint or on first use: use --relay-fingerprint, or --headless for --relay-ca and --known-relays".into());
        }
        if let Some(identity) = &args.identity {
            settings.identity = identity.display().to_string();
        }
        if typed(matches, "name") {
            settings.name = args.name.clone();
            settings.identity.clear();
        }
        if let Some(org) = &args.org {
            settings.org = org.clone();
        }
        if let Some(dir) = &args.record_dir {
            settings.record_dir = dir.display().to_string();
        }
        if let Some(dir) = &args.receive_dir {
            settings.receive_dir = dir.display().to_string();
        }
        if typed(matches, "request") {
            settings.request = args.request.iter().map(|p| p.name().to_string()).collect();
        }
        lang = match args.lang {
            Some(LangArg::Fr) => Lang::Fr,
            Some(LangArg::En) => Lang::En,
            None => lang,
        };
        events_json = args.events.is_some();
        grab_keyboard = args.grab_keyboard;
        ticket = args.ticket.clone().map(|id| tessera_proto::peer::Ticket {
            id,
            priority: args.priority.clone(),
        });
        code = match args.code.as_deref().map(Code::parse) {
            Some(Ok(code)) => Some(code),
            Some(Err(e)) => return Err(e.to_string()),
            None => None,
        };
    }
    let mut form = window::connect::ConnectForm::new(settings, problem);
    form.ticket = ticket;
    let start = match code {
        Some(code) => Some(form.prepare(code, lang)?),
        None => None,
    };
    let launch = window::Launch {
        lang,
        events_json,
        form,
        settings_path,
        start,
        grab_keyboard,
    };
    window::run(runtime.handle().clone(), launch)
}

/// The headless viewer: JSON commands on stdin, events on stdout.
async fn headless(args: ConnectArgs) -> ExitCode {
    // A typo is caught here, before it costs the person's code; without
    // a code on the command line, it is asked for on the terminal.
    let code = match args.code.as_deref().map(Code::parse) {
        Some(Ok(code)) => code,
        Some(Err(e)) => {
            eprintln!("tessera-viewer: {e}");
            return ExitCode::from(2);
        }
        None => match code_prompt::ask_on_terminal() {
            Ok(code) => code,
            Err(e) => {
                eprintln!("tessera-viewer: {e}");
                return ExitCode::from(2);
            }
        },
    };
    // Without an identity file, a key for this session only: the
    // introduction is still bound to the session, the name unverified.
    let (name, org, key, certificate) = match &args.identity {
        Some(path) => match identity::load(path) {
            Ok(file) => (file.name, file.org, file.key, file.certificate),
            Err(e) => {
                eprintln!("tessera-viewer: {e}");
                return ExitCode::from(2);
            }
        },
        None => match SigningKey::generate() {
            Ok(key) => (args.name, args.org, key, None),
            Err(e) => {
                eprintln!("tessera-viewer: {e}");
                return ExitCode::FAILURE;
            }
        },
    };
    let (relay, trust) = args.relay.into_relay();
    let options = run::Options {
        relay,
        trust,
        intro: Introduction {
            name,
            org,
            requested: args.request,
            certificate,
            ticket: args.ticket.clone().map(|id| tessera_proto::peer::Ticket {
                id,
                priority: args.priority.clone(),
            }),
        },
        key,
        record_dir: args
            .record_dir
            .clone()
            .unwrap_or_else(tessera_audit::files::default_record_dir),
        receive_dir: args
            .receive_dir
            .clone()
            .unwrap_or_else(tessera_files::downloads::default_receive_dir),
        share_clipboard: false,
    };
    let front = front::headless::Headless::new(args.events.is_some());
    match run::run(options, code, front).await {
        Ok(reason) if reason.is_normal() => ExitCode::SUCCESS,
        Ok(reason) => {
            eprintln!(
                "tessera-viewer: session ended: {reason}: {}",
                reason.describe()
            );
            ExitCode::FAILURE
        }
        Err(e) => {
            // Connection errors can carry the relay's words: made safe.
            let e = tessera_session::terminal::printable(&e);
            eprintln!("tessera-viewer: {e}");
            ExitCode::FAILURE
        }
    }
}
