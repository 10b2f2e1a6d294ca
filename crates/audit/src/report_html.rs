//! The session as one self-contained HTML page for people: the auditor's
//! export and the intervention report given to the person helped. Who
//! took part and how they were verified, whether the record checks out,
//! the technician's report and ticket, grants over time, the chat, files
//! and clipboard, pictures of the screen at key moments, and the whole
//! timeline. No script, no outside resource: it opens anywhere, offline.
//!
//! Everything that came from the record is escaped for HTML and made
//! safe (control and direction characters replaced) before it is shown.

use crate::record::{Direction, Fact, Side};
use crate::sentences::why_not_verified;
use crate::timeline::{entries, rfc3339, shown};
use crate::verify::Report;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use std::fmt::Write as _;

/// The report's language (the person's side speaks French and English).
pub use tessera_proto::Lang;

/// A picture of the screen at a moment, PNG-encoded.
#[derive(Clone, Debug)]
pub struct Picture {
    /// When (µs since the record opened).
    pub at_us: u64,
    /// What happened then (from [`key_moments`]).
    pub caption: String,
    /// The PNG.
    pub png: Vec<u8>,
}

/// What the export knows beyond the record itself.
pub struct Export<'a> {
    /// The record.
    pub report: &'a Report,
    /// The verdict on the whole (the record, its screen recording and,
    /// given, the other end's).
    pub verdict: &'a str,
    /// Whether everything checked out.
    pub valid: bool,
    /// Pictures at key moments.
    pub pictures: &'a [Picture],
    /// Language.
    pub lang: Lang,
}

/// The moments worth a picture, with what happened: the session's start,
/// each grant change, each snapshot the technician took, the end.
pub fn key_moments(report: &Report, lang: Lang) -> Vec<(u64, String)> {
    let fr = lang == Lang::Fr;
    report
        .leaves
        .iter()
        .filter_map(|leaf| {
            let caption = match &leaf.fact {
                Fact::Consent { .. } => pick(fr, "Session started", "Début de la session"),
                Fact::GrantChanged { granted } | Fact::UpgradeGranted { granted } => {
                    format!(
                        "{} {}",
                        pick(fr, "Grants now:", "Autorisations :"),
                        granted.words(lang)
                    )
                }
                Fact::Snapshot { .. } => {
                    pick(fr, "Snapshot by the technician", "Capture du technicien")
                }
                Fact::SessionEnded { .. } => pick(fr, "End of the session", "Fin de la session"),
                _ => return None,
            };
            Some((leaf.t, caption))
        })
        .collect()
}

fn pick(fr: bool, en: &str, fr_text: &str) -> String {
    match fr {
        true => fr_text.into(),
        false => en.into(),
    }
}

/// Text from the record, safe inside HTML.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in shown(text).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A wall-clock time for people: `2026-12-07 12:08:59 UTC`.
fn when(wall_ms: Option<u64>) -> String {
    wall_ms
        .and_then(rfc3339)
        .map(|t| format!("{} UTC", t.replacen('T', " ", 1).get(..19).unwrap_or("")))
        .unwrap_or_else(|| "?".into())
}

const STYLE: &str = "body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em;color:#1b1b1b}\
h1{font-size:1.6em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ccc}\
.ok{background:#e3f4e1;border:2px solid #2e7d32;padding:.6em}.bad{background:#fde7e7;border:2px solid #c62828;padding:.6em}\
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #eee;padding:.25em .5em;text-align:left;vertical-align:top}\
.pics{display:flex;flex-wrap:wrap;gap:1em}.pics figure{margin:0}.pics img{max-width:320px;border:1px solid #999}\
.unsigned{color:#a15c00}td.when{white-space:nowrap}.mono{font-family:monospace;font-size:.85em;word-break:break-all}";

/// The page.
pub fn render(export: &Export<'_>) -> String {
    let Export {
        report,
        verdict,
        valid,
        pictures,
        lang,
    } = *export;
    let fr = lang == Lang::Fr;
    let t = |en: &str, fr_text: &str| pick(fr, en, fr_text);
    let list = entries(report, false, lang);
    let wall_of = |n: u64| list.iter().find(|e| e.n == n).and_then(|e| e.wall_ms);
    let mut page = format!(
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>",
        lang.code(),
        t("Remote assistance session report", "Rapport de session d'assistance à distance"),
    );
    let _ = write!(
        page,
        "<h1>{}</h1><div class=\"{}\"><strong>{}</strong> {}</div>",
        t(
            "Remote assistance session report",
            "Rapport de session d'assistance à distance"
        ),
        if valid { "ok" } else { "bad" },
        match valid {
            true => t(
                "Record verified: whole and unaltered.",
                "Enregistrement vérifié : complet et non modifié."
            ),
            false => t("Record NOT verified:", "Enregistrement NON vérifié :"),
        },
        esc(verdict),
    );

    // Who, when, why.
    let mut rows: Vec<(String, String)> = Vec::new();
    let mut started = None;
    let mut ended = None;
    let mut notes = Vec::new();
    let mut chat = Vec::new();
    let mut grants = Vec::new();
    let mut transfers = Vec::new();
    for leaf in &report.leaves {
        let at = wall_of(leaf.n);
        match &leaf.fact {
            Fact::LogOpened { relay, side, .. } => {
                started = at;
                rows.push((
                    t("Record kept by", "Enregistrement tenu par"),
                    side_name(*side, fr),
                ));
                rows.push((t("Relay", "Relais"), esc(relay)));
            }
            Fact::Technician {
                name,
                org,
                verified_by,
                not_verified,
            } => {
                let org = org
                    .as_deref()
                    .map(|o| format!(", {}", esc(o)))
                    .unwrap_or_default();
                let status = match (verified_by, not_verified) {
                    (Some(by), _) => format!("{} {}", t("verified by", "vérifié par"), esc(by)),
                    (None, why) => format!(
                        "{} ({})",
                        t("NOT verified", "NON vérifié"),
                        esc(&why
                            .as_deref()
                            .map_or("?".into(), |w| why_not_verified(w, lang)))
                    ),
                };
                rows.push((
                    t("Technician", "Technicien"),
                    format!("{}{org}, {status}", esc(name)),
                ));
            }
            Fact::Ticket { id, priority } => {
                let priority = priority
                    .as_deref()
                    .map(|p| format!(" ({})", esc(p)))
                    .unwrap_or_default();
                rows.push((t("Ticket", "Ticket"), format!("{}{priority}", esc(id))));
            }
            Fact::Consent { granted }
            | Fact::GrantChanged { granted }
            | Fact::UpgradeGranted { granted } => grants.push((at, granted.words(lang))),
            Fact::Note { text } => notes.push((at, esc(text))),
            Fact::Chat { from, text } => chat.push((at, side_name(*from, fr), esc(text))),
            Fact::File {
                dir,
                name,
                bytes,
                sha256,
            } => transfers.push((
                at,
                direction(*dir, fr),
                format!(
                    "{} {} ({bytes} B, SHA-256 {})",
                    t("file", "fichier"),
                    esc(name),
                    hex::encode(sha256.0)
                ),
            )),
            Fact::FetchAnswered { path, allowed } => transfers.push((
                at,
                direction(Direction::ToViewer, fr),
                format!(
                    "{} {}: {}",
                    t("asked for", "demande de"),
                    esc(path),
                    match allowed {
                        true => t("allowed by the person", "acceptée par la personne"),
                        false => t("refused by the person", "refusée par la personne"),
                    }
                ),
            )),
            Fact::Clipboard { dir, bytes, sha256 } => transfers.push((
                at,
                direction(*dir, fr),
                format!(
                    "{} ({bytes} B, SHA-256 {})",
                    t("clipboard", "presse-papiers"),
                    hex::encode(sha256.0)
                ),
            )),
            Fact::SessionEnded { reason, detail } => {
                ended = at;
                let detail = detail
                    .as_deref()
                    .map(|d| format!(" ({})", esc(d)))
                    .unwrap_or_default();
                rows.push((
                    t("How it ended", "Raison de la fin"),
                    format!("{}{detail}", esc(reason.describe_in(lang))),
                ));
            }
            _ => {}
        }
    }
    rows.insert(0, (t("Session", "Session"), hex::encode(report.session_id)));
    rows.push((t("Started", "Début"), when(started)));
    rows.push((t("Ended", "Fin"), when(ended)));
    page.push_str(&format!("<h2>{}</h2><table>", t("Session", "Session")));
    for (key, value) in rows {
        let _ = write!(page, "<tr><th>{key}</th><td>{value}</td></tr>");
    }
    page.push_str("</table>");

    let _ = write!(
        page,
        "<h2>{}</h2>",
        t("Technician's report", "Rapport du technicien")
    );
    match notes.is_empty() {
        true => page.push_str(&format!("<p>{}</p>", t("No notes.", "Aucune note."))),
        false => {
            page.push_str("<ul>");
            for (at, text) in notes {
                let _ = write!(page, "<li>{} — {text}</li>", when(at));
            }
            page.push_str("</ul>");
        }
    }

    let _ = write!(
        page,
        "<h2>{}</h2><table>",
        t("What was allowed", "Ce qui a été autorisé")
    );
    for (at, granted) in grants {
        let _ = write!(
            page,
            "<tr><td class=\"when\">{}</td><td>{}</td></tr>",
            when(at),
            esc(&granted)
        );
    }
    page.push_str("</table>");

    section(
        &mut page,
        &t("Chat", "Discussion"),
        &t("None.", "Aucune."),
        chat.into_iter()
            .map(|(at, who, text)| [when(at), who, text]),
    );
    section(
        &mut page,
        &t("Files and clipboard", "Fichiers et presse-papiers"),
        &t("None.", "Aucun."),
        transfers
            .into_iter()
            .map(|(at, dir, what)| [when(at), dir, what]),
    );

    if !pictures.is_empty() {
        let _ = write!(
            page,
            "<h2>{}</h2><div class=\"pics\">",
            t("The screen at key moments", "L'écran aux moments clés")
        );
        for picture in pictures {
            let _ = write!(
                page,
                "<figure><img alt=\"{caption}\" src=\"data:image/png;base64,{}\"><figcaption>+{:.1}s — {caption}</figcaption></figure>",
                STANDARD.encode(&picture.png),
                picture.at_us as f64 / 1e6,
                caption = esc(&picture.caption),
            );
        }
        page.push_str("</div>");
    }

    let _ = write!(
        page,
        "<h2>{}</h2><table>",
        t("Everything that happened", "Tout ce qui s'est passé")
    );
    for entry in &list {
        let mark = match entry.signed {
            true => String::new(),
            false => format!(
                " <span class=\"unsigned\">[{}]</span>",
                t("not signed", "non signé")
            ),
        };
        let _ = write!(
            page,
            "<tr><td>{}</td><td class=\"when\">{}</td><td>{}{mark}</td></tr>",
            entry.n,
            when(entry.wall_ms),
            esc(&entry.text)
        );
    }
    page.push_str("</table>");
    let _ = writeln!(
        page,
        "<h2>{}</h2><p class=\"mono\">{}{}{}<br>{}{}tessera-viewer audit verify RECORD</p></body></html>",
        t("To check this record", "Pour vérifier cet enregistrement"),
        t("Record", "Enregistrement"),
        t(": ", " : "),
        esc(&report.origin),
        t("Command", "Commande"),
        t(": ", " : "),
    );
    page
}

/// A table section of three columns, or a line saying there is none.
fn section(page: &mut String, title: &str, none: &str, rows: impl Iterator<Item = [String; 3]>) {
    let _ = write!(page, "<h2>{title}</h2><table>");
    let mut empty = true;
    for [a, b, c] in rows {
        empty = false;
        let _ = write!(
            page,
            "<tr><td class=\"when\">{a}</td><td>{b}</td><td>{c}</td></tr>"
        );
    }
    page.push_str("</table>");
    if empty {
        let _ = write!(page, "<p>{none}</p>");
    }
}

fn side_name(side: Side, fr: bool) -> String {
    match (side, fr) {
        (Side::Agent, false) => "the person helped".into(),
        (Side::Agent, true) => "la personne aidée".into(),
        (Side::Viewer, false) => "the technician".into(),
        (Side::Viewer, true) => "le technicien".into(),
    }
}

fn direction(dir: Direction, fr: bool) -> String {
    match (dir, fr) {
        (Direction::ToAgent, false) => "to the person".into(),
        (Direction::ToAgent, true) => "vers la personne".into(),
        (Direction::ToViewer, false) => "to the technician".into(),
        (Direction::ToViewer, true) => "vers le technicien".into(),
    }
}
