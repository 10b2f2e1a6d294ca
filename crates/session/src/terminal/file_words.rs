//! What the person reads at the terminal about files, in their language.

use crate::event::{SessionEvent, Side};
use tessera_audit::record::Direction;
use tessera_proto::clipboard::ClipKind;
use tessera_proto::files::FileStop;
use tessera_proto::Lang;

/// A size as a person reads it: "2.3 MB", in French "2,3 Mo".
pub fn size_words(bytes: u64, lang: Lang) -> String {
    const UNITS: [(&str, &str); 4] = [("KB", "Ko"), ("MB", "Mo"), ("GB", "Go"), ("TB", "To")];
    if bytes < 1000 {
        return match lang {
            Lang::En => format!("{bytes} bytes"),
            Lang::Fr => format!("{bytes} octets"),
        };
    }
    let mut value = bytes as f64 / 1000.0;
    let mut unit = 0;
    while value >= 999.95 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    let (en, fr) = UNITS[unit];
    match lang {
        Lang::En => format!("{value:.1} {en}"),
        Lang::Fr => format!("{value:.1} {fr}").replace('.', ","),
    }
}

/// Why a transfer stopped, in words.
pub fn stop_words(why: FileStop, lang: Lang) -> &'static str {
    use FileStop as S;
    match (lang, why) {
        (Lang::En, S::Stopped) => "on request",
        (Lang::En, S::Denied) => "you said no",
        (Lang::En, S::NotGranted) => "files are not allowed",
        (Lang::En, S::Refused) => "refused",
        (Lang::En, S::DiskFull) => "the disk is full",
        (Lang::En, S::Corrupt) => "the file arrived damaged and was removed",
        (Lang::En, S::Failed) => "it could not be read or written",
        (Lang::Fr, S::Stopped) => "sur demande",
        (Lang::Fr, S::Denied) => "vous avez refusé",
        (Lang::Fr, S::NotGranted) => "les fichiers ne sont pas autorisés",
        (Lang::Fr, S::Refused) => "refusé",
        (Lang::Fr, S::DiskFull) => "le disque est plein",
        (Lang::Fr, S::Corrupt) => "le fichier est arrivé abîmé et a été supprimé",
        (Lang::Fr, S::Failed) => "impossible de le lire ou de l'écrire",
    }
}

/// The question a fetch puts to the person: who asks, for what, what a
/// yes means; its last line is the answer line. `verified_by` names the
/// organisation vouching for the technician, when one does.
pub fn fetch_prompt_text(
    name: &str,
    verified_by: Option<&str>,
    path: &str,
    secs: u64,
    lang: Lang,
) -> String {
    let who = match (verified_by, lang) {
        (Some(org), Lang::En) => format!("{name} (verified by {org})"),
        (Some(org), Lang::Fr) => format!("{name} (vérifié par {org})"),
        (None, Lang::En) => format!("{name} (NOT verified)"),
        (None, Lang::Fr) => format!("{name} (NON vérifié)"),
    };
    match lang {
        Lang::En => format!("\n{who} asks for a copy of this file or folder of your computer:\n    {path}\nSay yes only if you expected it: files can hold private data. No answer in {secs} s means no.\nSend it? [y/N]"),
        Lang::Fr => format!("\n{who} demande une copie de ce fichier ou dossier de votre ordinateur :\n    {path}\nN'acceptez que si vous vous y attendiez : des fichiers peuvent contenir des données privées. Sans réponse dans {secs} s, c'est non.\nL'envoyer ? [o/N]"),
    }
}

/// The fixed words of the fetch question in a window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FetchWords {
    /// The window's title while the question is open.
    pub title: &'static str,
    /// The safe button (it has the focus).
    pub deny: &'static str,
    /// The yes, which works a moment after the question appears.
    pub allow: &'static str,
}

/// The fetch question's words in `lang`.
pub fn fetch_words(lang: Lang) -> FetchWords {
    match lang {
        Lang::En => FetchWords {
            title: "Send a file to the technician?",
            deny: "Deny",
            allow: "Send a copy",
        },
        Lang::Fr => FetchWords {
            title: "Envoyer un fichier au technicien ?",
            deny: "Refuser",
            allow: "Envoyer une copie",
        },
    }
}

/// The indicator's fixed words about files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TransferWords {
    /// The section's heading.
    pub files: &'static str,
    /// Stops a transfer.
    pub stop: &'static str,
    /// Before the receive folder's path.
    pub land_in: &'static str,
}

/// The indicator's words about files in `lang`.
pub fn transfer_words(lang: Lang) -> TransferWords {
    match lang {
        Lang::En => TransferWords {
            files: "Files",
            stop: "Stop",
            land_in: "Files you receive go to:",
        },
        Lang::Fr => TransferWords {
            files: "Fichiers",
            stop: "Arrêter",
            land_in: "Les fichiers reçus vont dans :",
        },
    }
}

/// A transfer under way, in the indicator: which way, what, how far.
pub fn transfer_line(dir: Direction, name: &str, done: u64, of: u64, lang: Lang) -> String {
    let (done, of) = (size_words(done, lang), size_words(of, lang));
    match (dir, lang) {
        (Direction::ToAgent, Lang::En) => format!("Receiving \"{name}\": {done} of {of}"),
        (Direction::ToAgent, Lang::Fr) => format!("Réception de « {name} » : {done} sur {of}"),
        (Direction::ToViewer, Lang::En) => {
            format!("Sending \"{name}\" to the technician: {done} of {of}")
        }
        (Direction::ToViewer, Lang::Fr) => {
            format!("Envoi de « {name} » au technicien : {done} sur {of}")
        }
    }
}

/// A transfer over, in the indicator: whole (`None`) or stopped, and why.
pub fn transfer_over(dir: Direction, name: &str, stopped: Option<FileStop>, lang: Lang) -> String {
    match (stopped, dir, lang) {
        (None, Direction::ToAgent, Lang::En) => format!("Received \"{name}\", checked"),
        (None, Direction::ToAgent, Lang::Fr) => format!("Reçu « {name} », vérifié"),
        (None, Direction::ToViewer, Lang::En) => format!("Sent \"{name}\", checked on arrival"),
        (None, Direction::ToViewer, Lang::Fr) => format!("Envoyé « {name} », vérifié à l'arrivée"),
        (Some(FileStop::Stopped), _, Lang::En) => format!("\"{name}\" stopped"),
        (Some(FileStop::Stopped), _, Lang::Fr) => format!("« {name} » arrêté"),
        (Some(why), _, Lang::En) => format!("\"{name}\" stopped: {}", stop_words(why, lang)),
        (Some(why), _, Lang::Fr) => format!("« {name} » arrêté : {}", stop_words(why, lang)),
    }
}

/// What the person reads when something crossed their clipboard.
pub fn clipboard_words(from: Side, kind: ClipKind, bytes: u64, who: &str, lang: Lang) -> String {
    let size = size_words(bytes, lang);
    let what = match (kind, lang) {
        (ClipKind::Text, Lang::En) => format!("{size} of text"),
        (ClipKind::Text, Lang::Fr) => format!("{size} de texte"),
        (ClipKind::Png, Lang::En) => format!("an image of {size}"),
        (ClipKind::Png, Lang::Fr) => format!("une image de {size}"),
    };
    match (from, lang) {
        (Side::Viewer, Lang::En) => format!("{who} copied {what} to your clipboard."),
        (Side::Viewer, Lang::Fr) => format!("{who} a copié {what} dans votre presse-papiers."),
        (Side::Agent, Lang::En) => format!("What you copied ({what}) went to {who}'s clipboard."),
        (Side::Agent, Lang::Fr) => {
            format!("Ce que vous avez copié ({what}) est allé dans le presse-papiers de {who}.")
        }
    }
}

/// At the terminal, after a copy: how to stop them.
fn revoke_clipboard_hint(lang: Lang) -> &'static str {
    match lang {
        Lang::En => " (/revoke clipboard stops it.)",
        Lang::Fr => " (/revoke clipboard l'arrête.)",
    }
}

/// Above the list of what a walk left out.
pub fn left_out_words(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "Not sent (links, special files, or names the other computer cannot take):",
        Lang::Fr => "Pas envoyé (liens, fichiers spéciaux, ou noms que l'autre ordinateur ne peut pas prendre) :",
    }
}

/// What the person reads for a file event, if anything (`who`: the
/// technician's name). Progress is for the indicator, not the terminal.
pub(super) fn file_event_text(event: &SessionEvent, who: &str, lang: Lang) -> Option<String> {
    Some(match event {
        SessionEvent::FileOffered {
            id,
            dir,
            name,
            files,
            bytes,
            left_out,
            ..
        } => {
            let size = size_words(*bytes, lang);
            let said = match (dir, lang) {
                (Direction::ToAgent, Lang::En) => format!("{who} is sending you \"{name}\" ({files} file(s), {size}). Type /cancel {id} to stop it."),
                (Direction::ToAgent, Lang::Fr) => format!("{who} vous envoie « {name} » ({files} fichier(s), {size}). Tapez /cancel {id} pour l'arrêter."),
                (Direction::ToViewer, Lang::En) => format!("Sending \"{name}\" to {who} ({files} file(s), {size}). Type /cancel {id} to stop it."),
                (Direction::ToViewer, Lang::Fr) => format!("Envoi de « {name} » à {who} ({files} fichier(s), {size}). Tapez /cancel {id} pour l'arrêter."),
            };
            match left_out.is_empty() {
                true => said,
                false => format!(
                    "{said}\n{}\n  {}",
                    left_out_words(lang),
                    left_out.join("\n  ")
                ),
            }
        }
        SessionEvent::FileDone {
            dir, name, bytes, ..
        } => {
            let size = size_words(*bytes, lang);
            match (dir, lang) {
                (Direction::ToAgent, Lang::En) => format!("Received \"{name}\" ({size}), checked."),
                (Direction::ToAgent, Lang::Fr) => format!("Reçu « {name} » ({size}), vérifié."),
                (Direction::ToViewer, Lang::En) => {
                    format!("Sent \"{name}\" ({size}), checked on arrival.")
                }
                (Direction::ToViewer, Lang::Fr) => {
                    format!("Envoyé « {name} » ({size}), vérifié à l'arrivée.")
                }
            }
        }
        SessionEvent::FileComplete { id } => match lang {
            Lang::En => format!("Transfer {id} is complete."),
            Lang::Fr => format!("Le transfert {id} est terminé."),
        },
        SessionEvent::FileFailed { id, why, detail } => {
            let why = stop_words(*why, lang);
            let detail = detail
                .as_deref()
                .map(|d| format!(" ({d})"))
                .unwrap_or_default();
            match lang {
                Lang::En => format!("Transfer {id} stopped: {why}{detail}. Nothing of the unfinished file was kept."),
                Lang::Fr => format!("Transfert {id} arrêté : {why}{detail}. Rien du fichier inachevé n'a été gardé."),
            }
        }
        SessionEvent::Clipboard {
            from, kind, bytes, ..
        } => clipboard_words(*from, *kind, *bytes, who, lang) + revoke_clipboard_hint(lang),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fetch_question_ends_with_its_answer_line_and_names_the_caller() {
        let fr = fetch_prompt_text("Alice", None, "~/rapport.txt", 60, Lang::Fr);
        assert!(fr.ends_with("L'envoyer ? [o/N]"), "{fr}");
        assert!(
            fr.contains("Alice (NON vérifié)") && fr.contains("~/rapport.txt"),
            "{fr}"
        );
        let en = fetch_prompt_text("Alice", Some("Acme IT"), "/etc/hosts", 60, Lang::En);
        assert!(
            en.contains("verified by Acme IT") && en.ends_with("[y/N]"),
            "{en}"
        );
    }

    #[test]
    fn the_indicator_says_how_far_and_how_it_ended() {
        let line = transfer_line(
            Direction::ToAgent,
            "patch.msi",
            1_200_000,
            5_000_000,
            Lang::Fr,
        );
        assert_eq!(line, "Réception de « patch.msi » : 1,2 Mo sur 5,0 Mo");
        let over = transfer_over(
            Direction::ToAgent,
            "patch.msi",
            Some(FileStop::DiskFull),
            Lang::En,
        );
        assert_eq!(over, "\"patch.msi\" stopped: the disk is full");
    }

    #[test]
    fn the_person_is_told_of_each_copy() {
        let fr = clipboard_words(Side::Viewer, ClipKind::Text, 1_234, "Alice", Lang::Fr);
        assert!(
            fr.starts_with("Alice a copié 1,2 Ko de texte dans votre presse-papiers"),
            "{fr}"
        );
        let en = clipboard_words(Side::Agent, ClipKind::Text, 12, "Alice", Lang::En);
        assert!(
            en.contains("12 bytes of text") && en.contains("Alice's clipboard"),
            "{en}"
        );
        let image = clipboard_words(Side::Viewer, ClipKind::Png, 2_500, "Alice", Lang::Fr);
        assert!(
            image.starts_with("Alice a copié une image de 2,5 Ko dans votre presse-papiers"),
            "{image}"
        );
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(size_words(0, Lang::En), "0 bytes");
        assert_eq!(size_words(999, Lang::Fr), "999 octets");
        assert_eq!(size_words(1_234, Lang::En), "1.2 KB");
        assert_eq!(size_words(2_345_678, Lang::Fr), "2,3 Mo");
        assert_eq!(size_words(999_999, Lang::En), "1.0 MB");
        assert_eq!(size_words(1 << 30, Lang::En), "1.1 GB");
    }

    #[test]
    fn the_person_is_told_each_transfer_in_french_too() {
        let offered = SessionEvent::FileOffered {
            id: 2,
            dir: Direction::ToAgent,
            name: "patch.msi".into(),
            files: 1,
            bytes: 5_000_000,
            resumed: 0,
            left_out: vec![],
        };
        let fr = file_event_text(&offered, "Alice", Lang::Fr).expect("told");
        assert!(fr.contains("Alice vous envoie « patch.msi »"), "{fr}");
        assert!(fr.contains("5,0 Mo") && fr.contains("/cancel 2"), "{fr}");
        let failed = SessionEvent::FileFailed {
            id: 2,
            why: FileStop::DiskFull,
            detail: None,
        };
        let en = file_event_text(&failed, "Alice", Lang::En).expect("told");
        assert!(en.contains("the disk is full"), "{en}");
        let progress = SessionEvent::FileProgress {
            id: 2,
            bytes: 1,
            of: 2,
        };
        assert_eq!(file_event_text(&progress, "Alice", Lang::En), None);
    }
}
