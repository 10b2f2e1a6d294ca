//! `tessera-agent sessions`: the person's own records, in their words.
//! Lists them (when, who helped, the ticket, how it ended, whether the
//! record checks out), and opens or exports one as the HTML report.
//! Every rule is `tessera_audit`'s; this file reads folders and prints.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use tessera_audit::export::{check, page};
use tessera_audit::files::{read_record, write_new, LOG_FILE};
use tessera_audit::record::Fact;
use tessera_session::consent::Lang;
use tessera_session::terminal::printable;

/// What to do with the records.
#[derive(clap::Subcommand, Debug)]
pub enum SessionsCmd {
    /// Write record N (as the list numbers them) as an HTML report.
    Export {
        /// The record's number in the list.
        number: usize,
        /// The page to write (a new file).
        #[arg(long)]
        html: PathBuf,
    },
    /// Open record N's report in the web browser.
    Open {
        /// The record's number in the list.
        number: usize,
    },
}

/// The record folders under `dir`, oldest first (their names start with
/// the time).
fn records(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join(LOG_FILE).is_file())
        .collect();
    found.sort();
    found
}

/// Runs `sessions [COMMAND]` on the records in `dir`.
pub fn run(
    command: Option<SessionsCmd>,
    dir: &Path,
    lang: Lang,
    device: Option<[u8; 32]>,
) -> ExitCode {
    let fr = lang == Lang::Fr;
    let list = records(dir);
    let pick = |number: usize| {
        list.get(number.wrapping_sub(1))
            .cloned()
            .ok_or_else(|| match fr {
                true => format!(
                    "pas d'enregistrement n° {number} : « tessera-agent sessions » les liste"
                ),
                false => format!("no record number {number}: 'tessera-agent sessions' lists them"),
            })
    };
    let result = match command {
        None => {
            list_records(&list, dir, lang);
            // What an auditor checks `certified_by` against.
            if let Some(key) = device {
                let key = base64_key(&key);
                match fr {
                    true => {
                        println!("Clé de cet ordinateur (elle signe ses enregistrements) : {key}")
                    }
                    false => println!("This computer's key (it signs its records): {key}"),
                }
            }
            Ok(())
        }
        Some(SessionsCmd::Export { number, html }) => {
            pick(number).and_then(|record| export(&record, &html, lang))
        }
        Some(SessionsCmd::Open { number }) => pick(number).and_then(|record| {
            // Made afresh in the person's language, outside the record
            // (which is never written after its session).
            let name = record.file_name().map(|n| n.to_string_lossy().into_owned());
            let html = std::env::temp_dir().join(format!(
                "tessera-report-{}-{}.html",
                name.unwrap_or_default(),
                std::process::id()
            ));
            export(&record, &html, lang)?;
            let _ = std::process::Command::new("xdg-open").arg(&html).status();
            Ok(())
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tessera-agent: {}", printable(&e));
            ExitCode::FAILURE
        }
    }
}

/// A key as records write it (`certified_by.key`).
fn base64_key(key: &[u8; 32]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(key)
}

fn export(record: &Path, html: &Path, lang: Lang) -> Result<(), String> {
    let bytes = read_record(record).map_err(|e| e.to_string())?;
    let made = page(&bytes, None, lang);
    write_new(html, made.html.as_bytes()).map_err(|e| format!("{}: {e}", html.display()))?;
    println!("{}", html.display());
    Ok(())
}

/// One line a record: number, when, who, ticket, how it ended, verdict.
fn list_records(list: &[PathBuf], dir: &Path, lang: Lang) {
    let fr = lang == Lang::Fr;
    if list.is_empty() {
        match fr {
            true => println!("Aucune session enregistrée dans {}.", dir.display()),
            false => println!("No session recorded in {}.", dir.display()),
        }
        return;
    }
    for (i, record) in list.iter().enumerate() {
        let Ok(bytes) = read_record(record) else {
            continue;
        };
        let report = check(&bytes).report;
        let (mut who, mut ticket, mut ended) = (None, None, None);
        for leaf in &report.leaves {
            match &leaf.fact {
                Fact::Technician { name, org, .. } => {
                    who = Some(match org {
                        Some(org) => format!("{name} ({org})"),
                        None => name.clone(),
                    })
                }
                Fact::Ticket { id, .. } => ticket = Some(id.clone()),
                Fact::SessionEnded { reason, .. } => {
                    ended = Some(tessera_session::terminal::end_reason(*reason, lang))
                }
                _ => {}
            }
        }
        let when = record
            .file_name()
            .map(|n| n.to_string_lossy().chars().take(18).collect::<String>())
            .unwrap_or_default();
        let verdict = match (report.whole(), report.fault.is_none(), fr) {
            (true, _, false) => "record verified",
            (true, _, true) => "enregistrement vérifié",
            (false, true, false) => "record cut short (the program stopped)",
            (false, true, true) => "enregistrement interrompu (le programme s'est arrêté)",
            (false, false, false) => "record NOT valid: altered or damaged",
            (false, false, true) => "enregistrement NON valide : modifié ou abîmé",
        };
        let who = who.unwrap_or_else(|| if fr { "personne" } else { "nobody" }.into());
        let ticket = ticket.map(|t| format!(", ticket {t}")).unwrap_or_default();
        let ended = ended.unwrap_or("?");
        let line = match fr {
            true => format!("{}. {when}  {who}{ticket}  fin : {ended}  {verdict}", i + 1),
            false => format!(
                "{}. {when}  {who}{ticket}  ended: {ended}  {verdict}",
                i + 1
            ),
        };
        println!("{}", printable(&line));
        println!("   {}", record.display());
    }
}
