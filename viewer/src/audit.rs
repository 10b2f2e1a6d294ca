//! `tessera-viewer audit ...`: the auditor's commands on session records.
//! Every rule is in `tessera_audit`; this file reads the files, prints,
//! and turns verdicts into exit codes: 0 valid, 1 not valid (tampered,
//! truncated, the two ends disagree), 2 nothing could be read.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use tessera_audit::export::{check, Checked};
use tessera_audit::files::{read_record, write_new, RecordBytes};
use tessera_audit::verify::cross::cross_check;
use tessera_audit::verify::prove::{check_proof, log_verifier_key, prove_event};
use tessera_audit::verify::Report;
use tessera_proto::Lang;
use tessera_session::terminal::printable;

/// The auditor's subcommands.
#[derive(clap::Subcommand, Debug)]
pub enum AuditCmd {
    /// Prove a record whole and unaltered: its tree, every checkpoint and
    /// cosignature, every screen segment; with both ends' records, that
    /// they agree. Exit 0 only if all holds.
    Verify {
        /// A record's folder (or its log.jsonl).
        path: PathBuf,
        /// The other end's record of the same session.
        other: Option<PathBuf>,
    },
    /// The record's timeline: who did what, and when.
    Show {
        /// A record's folder (or its log.jsonl).
        path: PathBuf,
        /// One JSON object a line (for jq and SIEMs).
        #[arg(long)]
        json: bool,
        /// Also the bookkeeping (ticks, cosignatures).
        #[arg(long)]
        all: bool,
    },
    /// Hand one event on without the rest: a C2SP tlog-proof file that
    /// `verify-proof` checks with only the log's key.
    Prove {
        /// A record's folder (or its log.jsonl).
        path: PathBuf,
        /// The event's number, as `show` gives it.
        event: u64,
        /// Write the proof to this new file (default: standard output).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Replay the screen as the technician saw it, with the events beside
    /// it (a window: play, pause, seek, speed, next event); or, with --at
    /// and --snapshot, write the screen at one moment as a PNG.
    Replay {
        /// A record's folder (or its log.jsonl).
        path: PathBuf,
        /// The moment, from the start of the record: `12.5` (seconds),
        /// `90s`, `1m 30s`.
        #[arg(long, value_parser = parse_moment, requires = "snapshot")]
        at: Option<u64>,
        /// The PNG to write (a new file).
        #[arg(long, requires = "at")]
        snapshot: Option<PathBuf>,
        /// The window's language (default: from the locale).
        #[arg(long, value_enum)]
        lang: Option<ReportLang>,
    },
    /// One self-contained HTML page for people (the intervention report
    /// too): who, how verified, the verdict, grants over time, the chat,
    /// files, the technician's notes and ticket, the screen at key
    /// moments, the timeline.
    Export {
        /// A record's folder (or its log.jsonl).
        path: PathBuf,
        /// The other end's record, to check against.
        other: Option<PathBuf>,
        /// The page to write (a new file, readable by you only).
        #[arg(long)]
        html: PathBuf,
        /// Its language (default: from the locale).
        #[arg(long, value_enum)]
        lang: Option<ReportLang>,
    },
    /// Check a tlog-proof file from `prove`.
    VerifyProof {
        /// The proof file.
        file: PathBuf,
        /// The log's verifier key, as `show` prints it.
        #[arg(long)]
        key: String,
        /// The other end's verifier key: its cosignature must be there.
        #[arg(long)]
        witness: Vec<String>,
    },
}

/// Runs an audit subcommand; what it prints goes to standard output.
pub fn run(command: AuditCmd) -> ExitCode {
    let mut out = std::io::stdout().lock();
    let result = match command {
        AuditCmd::Verify { path, other } => verify(&mut out, &path, other.as_deref()),
        AuditCmd::Show { path, json, all } => show(&mut out, &path, json, all),
        AuditCmd::Prove {
            path,
            event,
            out: file,
        } => prove(&mut out, &path, event, file),
        AuditCmd::Replay {
            path,
            at: Some(at),
            snapshot: Some(snapshot),
            ..
        } => replay(&mut out, &path, at, &snapshot),
        AuditCmd::Replay { path, lang, .. } => {
            crate::replay_window::run(&path, ReportLang::pick(lang)).map(|()| true)
        }
        AuditCmd::Export {
            path,
            other,
            html,
            lang,
        } => export(
            &mut out,
            &path,
            other.as_deref(),
            &html,
            ReportLang::pick(lang),
        ),
        AuditCmd::VerifyProof { file, key, witness } => {
            verify_proof(&mut out, &file, &key, &witness)
        }
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("tessera-viewer audit: {e}");
            ExitCode::from(2)
        }
    }
}

/// Writes `text` and a line feed, made safe for a terminal: what a
/// record holds is not trusted to be printable.
fn say(out: &mut impl Write, text: &str) -> Result<(), String> {
    writeln!(out, "{}", printable(text)).map_err(|e| e.to_string())
}

/// A record read and checked, its screen recording with it.
fn checked(path: &Path) -> Result<(RecordBytes, Report, String), String> {
    let bytes = read_record(path).map_err(|e| e.to_string())?;
    let Checked { report, screen, .. } = check(&bytes);
    Ok((bytes, report, screen))
}

fn verify(out: &mut impl Write, path: &Path, other: Option<&Path>) -> Result<bool, String> {
    let (_, report, screen) = checked(path)?;
    let mut ok = report.whole();
    say(
        out,
        &format!("{}: {}{screen}", path.display(), report.verdict()),
    )?;
    let Some(other) = other else {
        return Ok(ok);
    };
    let (_, peer, screen) = checked(other)?;
    ok &= peer.whole();
    say(
        out,
        &format!("{}: {}{screen}", other.display(), peer.verdict()),
    )?;
    match cross_check(&report, &peer) {
        Ok(notes) => {
            say(out, "the two ends agree")?;
            for note in notes {
                say(out, &format!("  note: {note}"))?;
            }
        }
        Err(why) => {
            ok = false;
            say(out, &format!("the two ends DISAGREE: {why}"))?;
        }
    }
    Ok(ok)
}

fn show(out: &mut impl Write, path: &Path, json: bool, all: bool) -> Result<bool, String> {
    let (_, report, screen) = checked(path)?;
    let text = match json {
        true => tessera_audit::timeline::render_json(&report, all),
        false => format!(
            "{}verifier key: {}\nscreen: {}\n",
            tessera_audit::timeline::render_text(&report, all),
            log_verifier_key(&report),
            screen
                .trim_start_matches("; ")
                .trim_start_matches("screen: ")
        ),
    };
    out.write_all(text.as_bytes()).map_err(|e| e.to_string())?;
    Ok(report.fault.is_none())
}

fn prove(
    out: &mut impl Write,
    path: &Path,
    event: u64,
    file: Option<PathBuf>,
) -> Result<bool, String> {
    let (_, report, _) = checked(path)?;
    let proof = prove_event(&report, event)?.to_text();
    match file {
        None => out.write_all(proof.as_bytes()).map_err(|e| e.to_string())?,
        Some(file) => {
            write_new(&file, proof.as_bytes())
                .map_err(|e| format!("cannot write the proof to {}: {e}", file.display()))?;
            say(
                out,
                &format!(
                    "proof of event {event} written to {}; check it with:\n  tessera-viewer audit verify-proof {} --key {}",
                    file.display(),
                    file.display(),
                    log_verifier_key(&report)
                ),
            )?;
        }
    }
    Ok(true)
}

/// The language of a report or the replay window.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum ReportLang {
    /// English.
    En,
    /// French.
    Fr,
}

impl ReportLang {
    /// The language asked for, or the locale's.
    fn pick(asked: Option<ReportLang>) -> Lang {
        match asked {
            Some(ReportLang::En) => Lang::En,
            Some(ReportLang::Fr) => Lang::Fr,
            None => Lang::from_environment(),
        }
    }
}

fn export(
    out: &mut impl Write,
    path: &Path,
    other: Option<&Path>,
    html: &Path,
    lang: Lang,
) -> Result<bool, String> {
    let record = read_record(path).map_err(|e| e.to_string())?;
    let other = match other {
        Some(other) => Some(read_record(other).map_err(|e| e.to_string())?),
        None => None,
    };
    let page = tessera_audit::export::page(&record, other.as_ref(), lang);
    write_new(html, page.html.as_bytes())
        .map_err(|e| format!("cannot write the report to {}: {e}", html.display()))?;
    let verified = match page.valid {
        true => "the record is verified",
        false => "the record is NOT verified",
    };
    say(
        out,
        &format!(
            "{}: the session report ({} pictures of the screen); {verified}",
            html.display(),
            page.pictures
        ),
    )?;
    Ok(page.valid)
}

/// A moment as µs from the start of the record: seconds (`12.5`) or a
/// duration (`90s`, `1m 30s`).
fn parse_moment(text: &str) -> Result<u64, String> {
    let seconds = match text.trim().parse::<f64>() {
        Ok(s) if s.is_finite() && s >= 0.0 => std::time::Duration::from_secs_f64(s),
        Ok(_) => return Err("a moment is 0 or more seconds".into()),
        Err(_) => humantime::parse_duration(text)
            .map_err(|e| format!("{e}: write seconds (12.5) or a duration (1m 30s)"))?,
    };
    u64::try_from(seconds.as_micros()).map_err(|_| "that moment is too far".into())
}

fn replay(out: &mut impl Write, path: &Path, at_us: u64, png: &Path) -> Result<bool, String> {
    let (bytes, report, _) = checked(path)?;
    if report.fault.is_some() {
        say(out, &report.verdict())?;
        return Ok(false);
    }
    if png.exists() {
        return Err(format!("{} exists: give a new file name", png.display()));
    }
    let recording = bytes
        .screen
        .ok_or_else(|| format!("{} has no screen recording", path.display()))?;
    let scan = tessera_audit::recording::scan(&recording).map_err(|e| e.to_string())?;
    let moment =
        tessera_audit::replay::moment_at(&recording, &scan, at_us).map_err(|e| e.to_string())?;
    let Some(frame) = moment.frame else {
        say(out, "nothing was on screen yet at that moment")?;
        return Ok(false);
    };
    crate::snapshot::write_png(&frame, png)?;
    say(
        out,
        &format!(
            "{}: the screen at +{:.3}s ({}x{}, last change at +{:.3}s)",
            png.display(),
            at_us as f64 / 1e6,
            frame.width(),
            frame.height(),
            moment.last_us as f64 / 1e6
        ),
    )?;
    Ok(true)
}

fn verify_proof(
    out: &mut impl Write,
    file: &Path,
    key: &str,
    witnesses: &[String],
) -> Result<bool, String> {
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    match check_proof(&bytes, key, witnesses) {
        Ok(proven) => {
            let line = proven.leaf.encode().map_err(|e| e.to_string())?;
            say(
                out,
                &format!(
                    "valid: event {} is in {} (checkpoint of {} events){}\n{}",
                    proven.leaf.n,
                    proven.checkpoint.origin,
                    proven.checkpoint.size,
                    proven
                        .cosigned_by
                        .iter()
                        .map(|(name, _)| format!(", cosigned by {name}"))
                        .collect::<String>(),
                    String::from_utf8_lossy(&line)
                ),
            )?;
            Ok(true)
        }
        Err(why) => {
            say(out, &format!("NOT VALID: {why}"))?;
            Ok(false)
        }
    }
}
