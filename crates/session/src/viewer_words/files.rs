//! The words of the technician's files panel, in English and French: how
//! to send and fetch, each transfer's line, and how it ended.

use crate::consent::Lang;
use crate::terminal::file_words::{size_words, stop_words};
use tessera_audit::record::Direction;
use tessera_proto::files::FileStop;

/// The panel's fixed words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FilesWords {
    /// The panel's heading, and its button in the bar.
    pub title: &'static str,
    /// Above the field for a path on this computer.
    pub send_label: &'static str,
    /// Sends it.
    pub send: &'static str,
    /// Above the field for a path on the person's computer.
    pub fetch_label: &'static str,
    /// Asks for it.
    pub fetch: &'static str,
    /// Stops a transfer.
    pub cancel: &'static str,
    /// Drag and drop.
    pub drop_hint: &'static str,
    /// Before the receive folder.
    pub land_in: &'static str,
    /// When `files` is not granted.
    pub not_granted: &'static str,
}

/// The panel's words in `lang`.
pub fn files_words(lang: Lang) -> FilesWords {
    match lang {
        Lang::En => FilesWords {
            title: "Files",
            send_label: "Send a file or folder of this computer:",
            send: "Send",
            fetch_label: "Fetch a file or folder of theirs (they are asked first):",
            fetch: "Fetch",
            cancel: "Cancel",
            drop_hint: "Or drop files on this window to send them.",
            land_in: "Fetched files go to:",
            not_granted: "Files are not allowed: ask for more to send or fetch.",
        },
        Lang::Fr => FilesWords {
            title: "Fichiers",
            send_label: "Envoyer un fichier ou un dossier de cet ordinateur :",
            send: "Envoyer",
            fetch_label:
                "Récupérer un fichier ou un dossier de la personne (elle est d'abord consultée) :",
            fetch: "Récupérer",
            cancel: "Annuler",
            drop_hint: "Ou déposez des fichiers sur cette fenêtre pour les envoyer.",
            land_in: "Les fichiers récupérés vont dans :",
            not_granted:
                "Les fichiers ne sont pas autorisés : demandez plus pour envoyer ou récupérer.",
        },
    }
}

/// A transfer under way, as the technician reads it.
pub fn sending_line(dir: Direction, name: &str, done: u64, of: u64, lang: Lang) -> String {
    let (done, of) = (size_words(done, lang), size_words(of, lang));
    match (dir, lang) {
        (Direction::ToAgent, Lang::En) => format!("Sending \"{name}\": {done} of {of}"),
        (Direction::ToAgent, Lang::Fr) => format!("Envoi de « {name} » : {done} sur {of}"),
        (Direction::ToViewer, Lang::En) => format!("Fetching \"{name}\": {done} of {of}"),
        (Direction::ToViewer, Lang::Fr) => format!("Récupération de « {name} » : {done} sur {of}"),
    }
}

/// A transfer over, as the technician reads it.
pub fn sending_over(dir: Direction, name: &str, stopped: Option<FileStop>, lang: Lang) -> String {
    match (stopped, dir, lang) {
        (None, Direction::ToAgent, Lang::En) => format!("\"{name}\" sent, checked on arrival"),
        (None, Direction::ToAgent, Lang::Fr) => format!("« {name} » envoyé, vérifié à l'arrivée"),
        (None, Direction::ToViewer, Lang::En) => format!("\"{name}\" fetched, checked"),
        (None, Direction::ToViewer, Lang::Fr) => format!("« {name} » récupéré, vérifié"),
        (Some(FileStop::Stopped), _, Lang::En) => format!("\"{name}\" stopped"),
        (Some(FileStop::Stopped), _, Lang::Fr) => format!("« {name} » arrêté"),
        (Some(FileStop::Denied), _, Lang::En) => format!("\"{name}\": the person said no"),
        (Some(FileStop::Denied), _, Lang::Fr) => format!("« {name} » : la personne a refusé"),
        (Some(why), _, Lang::En) => format!("\"{name}\" stopped: {}", stop_words(why, lang)),
        (Some(why), _, Lang::Fr) => format!("« {name} » arrêté : {}", stop_words(why, lang)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_technician_reads_each_transfer_in_both_languages() {
        let line = sending_line(Direction::ToViewer, "journal.log", 1_500, 3_000, Lang::Fr);
        assert_eq!(line, "Récupération de « journal.log » : 1,5 Ko sur 3,0 Ko");
        let over = sending_over(
            Direction::ToViewer,
            "journal.log",
            Some(FileStop::Denied),
            Lang::En,
        );
        assert_eq!(over, "\"journal.log\": the person said no");
        for lang in [Lang::En, Lang::Fr] {
            let w = files_words(lang);
            assert!(!w.title.is_empty() && !w.not_granted.is_empty());
        }
    }
}
