//! The agent window's words besides the prompt's (those are in
//! [`consent`](crate::consent)): the code, the session indicator, the
//! notices. French and English, side by side so they stay in step.

use crate::consent::Lang;

/// The fixed words of the code screen and the session indicator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IndicatorWords {
    /// Above the code.
    pub your_code: &'static str,
    /// Under the code.
    pub read_it: &'static str,
    /// While nobody has used the code.
    pub waiting: &'static str,
    /// The indicator's heading.
    pub live: &'static str,
    /// Before the elapsed time.
    pub since: &'static str,
    /// Before the list of grants.
    pub may: &'static str,
    /// The button that takes one grant back.
    pub take_back: &'static str,
    /// The button that ends everything.
    pub stop: &'static str,
    /// The button that closes the window after the end.
    pub close: &'static str,
    /// Above the chat.
    pub messages: &'static str,
    /// Names the person's own chat lines.
    pub you: &'static str,
    /// The chat box's hint.
    pub write: &'static str,
    /// The button that sends a chat line.
    pub send: &'static str,
}

/// The indicator's words in `lang`.
pub fn indicator_words(lang: Lang) -> IndicatorWords {
    match lang {
        Lang::En => IndicatorWords {
            your_code: "Your code:",
            read_it: "Read it to the technician who is helping you. It works once.",
            waiting: "Waiting for the technician to type the code...",
            live: "Remote assistance in progress",
            since: "for",
            may: "They may:",
            take_back: "Take back",
            stop: "Stop the session",
            close: "Close",
            messages: "Messages",
            you: "You",
            write: "Write a message",
            send: "Send",
        },
        Lang::Fr => IndicatorWords {
            your_code: "Votre code :",
            read_it: "Lisez-le au technicien qui vous aide. Il ne sert qu'une fois.",
            waiting: "En attente du technicien...",
            live: "Assistance à distance en cours",
            since: "depuis",
            may: "Autorisé :",
            take_back: "Retirer",
            stop: "Arrêter la session",
            close: "Fermer",
            messages: "Messages",
            you: "Vous",
            write: "Écrire un message",
            send: "Envoyer",
        },
    }
}

/// The notice when a session ends: who no longer has access.
pub fn ended_notice(name: &str, lang: Lang) -> String {
    match lang {
        Lang::En => format!("{name} no longer has access to this computer."),
        Lang::Fr => format!("{name} n'a plus accès à cet ordinateur."),
    }
}

/// The notice when no session started: why, in the person's words.
pub fn not_started_notice(reason: tessera_proto::EndReason, lang: Lang) -> String {
    use tessera_proto::EndReason as R;
    match (lang, reason) {
        (Lang::En, R::Denied) => "You refused: nobody has access to this computer.".into(),
        (Lang::Fr, R::Denied) => "Vous avez refusé : personne n'a accès à cet ordinateur.".into(),
        (Lang::En, R::ConsentTimeout) => {
            "No answer in time: refused. Nobody has access to this computer.".into()
        }
        (Lang::Fr, R::ConsentTimeout) => {
            "Pas de réponse à temps : refusé. Personne n'a accès à cet ordinateur.".into()
        }
        (Lang::En, other) => format!("Stopped: {}.", other.describe()),
        (Lang::Fr, _) => "Arrêté. Personne n'a accès à cet ordinateur.".into(),
    }
}

/// The notice when a session starts.
pub fn started_notice(name: &str, lang: Lang) -> String {
    match lang {
        Lang::En => format!("{name} is now connected to this computer."),
        Lang::Fr => format!("{name} est maintenant connecté à cet ordinateur."),
    }
}

/// Names the writer of a chat line in the window. The technician's label
/// always carries their role ("Jane (technician)"), which the person's own
/// ("You", "Vous") never does: no name, "You" or "Vous" or one that only
/// looks like them, makes the technician's lines pass for the person's.
pub fn chat_label(from: crate::Side, technician: &str, lang: Lang) -> String {
    match (from, lang) {
        (crate::Side::Agent, lang) => indicator_words(lang).you.into(),
        (crate::Side::Viewer, Lang::En) => format!("{technician} (technician)"),
        (crate::Side::Viewer, Lang::Fr) => format!("{technician} (technicien)"),
    }
}

/// Elapsed time as `m:ss`, or `h:mm:ss` past an hour.
pub fn elapsed(secs: u64) -> String {
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    match h {
        0 => format!("{m}:{s:02}"),
        _ => format!("{h}:{m:02}:{s:02}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_name_the_technician_in_both_languages() {
        assert_eq!(
            ended_notice("Jane", Lang::En),
            "Jane no longer has access to this computer."
        );
        assert_eq!(
            ended_notice("Jane", Lang::Fr),
            "Jane n'a plus accès à cet ordinateur."
        );
        assert_eq!(elapsed(65), "1:05");
        assert_eq!(elapsed(3725), "1:02:05");
    }

    #[test]
    fn no_technician_name_reads_as_the_persons_own_label() {
        use crate::Side;
        for lang in [Lang::En, Lang::Fr] {
            let person = chat_label(Side::Agent, "ignored", lang);
            for name in [
                "You",
                "Vous",
                "you",
                "VOUS",
                "Vous :",
                "You (technician)",
                "",
            ] {
                let theirs = chat_label(Side::Viewer, name, lang);
                assert_ne!(theirs, person, "{name:?} in {lang:?}");
                assert!(
                    !theirs.eq_ignore_ascii_case(&person),
                    "{name:?} in {lang:?}"
                );
            }
        }
        assert_eq!(
            chat_label(Side::Viewer, "Vous", Lang::Fr),
            "Vous (technicien)"
        );
        assert_eq!(chat_label(Side::Agent, "Jane", Lang::Fr), "Vous");
    }
}
