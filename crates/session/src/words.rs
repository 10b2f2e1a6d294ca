//! The agent window's words besides the prompt's (those are in
//! [`consent`](crate::consent)): the code, the session indicator, the
//! notices. French and English, side by side so they stay in step.

use crate::consent::Lang;
use std::time::Duration;

/// The fixed words of the code screen, the session bar and the session
/// indicator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IndicatorWords {
    /// The code screen's heading and title: what the code is for.
    pub code_title: &'static str,
    /// Under the heading: what giving the code leads to.
    pub code_for: &'static str,
    /// Under the code, in the warning's frame: to whom, and to whom not.
    pub read_only: &'static str,
    /// While nobody has used the code.
    pub waiting: &'static str,
    /// The code screen's button that gives up and closes the agent.
    pub cancel: &'static str,
    /// The indicator's heading and the bar's first words.
    pub live: &'static str,
    /// The indicator's title beside [`live`](Self::live): the bar opened
    /// into everything.
    pub details_title: &'static str,
    /// The bar's button that opens the indicator.
    pub show_details: &'static str,
    /// The indicator's button that shrinks it back to the bar.
    pub hide_details: &'static str,
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
            code_title: "Your code for remote assistance",
            code_for: "Give it to the technician who is helping you: they can then ask to see your screen. Nothing is shared until you accept.",
            read_only: "Read it only to the technician you called yourself.",
            waiting: "Waiting for the technician to type the code...",
            cancel: "Cancel",
            live: "Remote assistance in progress",
            details_title: "Remote assistance in progress (details)",
            show_details: "Show details",
            hide_details: "Hide details",
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
            code_title: "Votre code d'assistance à distance",
            code_for: "Donnez-le au technicien qui vous aide : il pourra alors demander à voir votre écran. Rien n'est partagé sans votre accord.",
            read_only: "Ne le lisez qu'au technicien que vous avez appelé vous-même.",
            waiting: "En attente du technicien...",
            cancel: "Annuler",
            live: "Assistance à distance en cours",
            details_title: "Assistance à distance en cours (détails)",
            show_details: "Afficher les détails",
            hide_details: "Masquer les détails",
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

/// A line of the technician's intervention report, as the person's
/// window shows it among the messages (under the technician's name).
pub fn report_note(text: &str, lang: Lang) -> String {
    match lang {
        Lang::En => format!("For the intervention report: {text}"),
        Lang::Fr => format!("Pour le rapport d'intervention : {text}"),
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
        (Lang::En, R::CodeExpired) => {
            "The code expired before anyone used it: nobody has access to this computer. Start again for a new code.".into()
        }
        (Lang::Fr, R::CodeExpired) => {
            "Le code a expiré sans avoir servi : personne n'a accès à cet ordinateur. Relancez pour un nouveau code.".into()
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

const MINUTE: Duration = Duration::from_secs(60);

/// How long a session has run, as the bar and the indicator say it, in
/// whole minutes ("for 12 min", "depuis 1 h 05 min"), and how long until
/// that changes. A seconds clock would redraw the person's screen every
/// second, which the technician's stream then captures and sends: the
/// window redraws only when these words change.
pub fn connected_for(elapsed: Duration, lang: Lang) -> (String, Duration) {
    let minutes = elapsed.as_secs() / 60;
    let into_minute = Duration::from_nanos((elapsed.as_nanos() % MINUTE.as_nanos()) as u64);
    let until_next = MINUTE - into_minute;
    let (h, m) = (minutes / 60, minutes % 60);
    let text = match (lang, h, m) {
        (Lang::En, 0, 0) => "for less than a minute".to_string(),
        (Lang::Fr, 0, 0) => "depuis moins d'une minute".to_string(),
        (Lang::En, 0, m) => format!("for {m} min"),
        (Lang::Fr, 0, m) => format!("depuis {m} min"),
        (Lang::En, h, m) => format!("for {h} h {m:02} min"),
        (Lang::Fr, h, m) => format!("depuis {h} h {m:02} min"),
    };
    (text, until_next)
}

/// The code screen's line on the code's life: once only, and the time
/// left, in minutes while more than one is left ("expires in 10 min": a
/// minute counts while any of it is left), then in seconds; and how long
/// until it changes.
pub fn code_expires(left: Duration, lang: Lang) -> (String, Duration) {
    let ms = u64::try_from(left.as_millis()).unwrap_or(u64::MAX);
    if ms == 0 {
        let text = match lang {
            Lang::En => "It has expired.",
            Lang::Fr => "Il a expiré.",
        };
        return (text.into(), Duration::MAX);
    }
    // Rounded up, so "0" is never shown as time left. The text changes
    // when the time left falls to the next whole unit below, or to one
    // minute, where it turns to seconds.
    let (count, unit, changes_at) = if ms > 60_000 {
        let minutes = ms.div_ceil(60_000);
        (minutes, "min", ((minutes - 1) * 60_000).max(60_000))
    } else {
        let seconds = ms.div_ceil(1000);
        (seconds, "s", (seconds - 1) * 1000)
    };
    let text = match lang {
        Lang::En => format!("It works once and expires in {count} {unit}."),
        Lang::Fr => format!("Il ne sert qu'une fois et expire dans {count} {unit}."),
    };
    (text, Duration::from_millis(ms - changes_at))
}

/// Who is connected, short enough for the bar: the name and organisation
/// as given, and whether someone vouches for them ("verified by ORG", or
/// "NOT verified"; the indicator says the whole of it).
pub fn technician_short(t: &crate::Technician, lang: Lang) -> (String, String) {
    let who = match &t.org {
        Some(org) => format!("{}, {org}", t.name),
        None => t.name.clone(),
    };
    let status = match (&t.verified_by, lang) {
        (Some(by), Lang::En) => format!("verified by {by}"),
        (Some(by), Lang::Fr) => format!("vérifié par {by}"),
        (None, Lang::En) => "NOT verified".into(),
        (None, Lang::Fr) => "NON vérifié".into(),
    };
    (who, status)
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
    fn the_session_time_is_in_minutes_and_changes_once_a_minute() {
        let s = Duration::from_secs;
        assert_eq!(
            connected_for(s(0), Lang::En),
            ("for less than a minute".into(), s(60))
        );
        assert_eq!(
            connected_for(Duration::from_millis(59_999), Lang::Fr),
            ("depuis moins d'une minute".into(), Duration::from_millis(1))
        );
        assert_eq!(connected_for(s(60), Lang::En), ("for 1 min".into(), s(60)));
        assert_eq!(
            connected_for(s(12 * 60 + 50), Lang::En),
            ("for 12 min".into(), s(10))
        );
        assert_eq!(
            connected_for(s(3600 + 5 * 60 + 1), Lang::Fr),
            ("depuis 1 h 05 min".into(), s(59))
        );
        // Redrawn when the words change, never more often.
        let mut at = s(0);
        let mut redraws = 0;
        while at < s(3600) {
            let (before, wait) = connected_for(at, Lang::En);
            at += wait;
            redraws += 1;
            assert_ne!(connected_for(at, Lang::En).0, before, "at {at:?}");
        }
        assert_eq!(redraws, 60);
    }

    #[test]
    fn the_code_counts_down_in_minutes_then_seconds() {
        let s = Duration::from_secs;
        assert_eq!(
            code_expires(s(600), Lang::En),
            ("It works once and expires in 10 min.".into(), s(60))
        );
        assert_eq!(
            code_expires(s(599), Lang::Fr),
            (
                "Il ne sert qu'une fois et expire dans 10 min.".into(),
                s(59)
            )
        );
        // Any part of a minute counts, down to the last one, told in
        // seconds.
        assert_eq!(
            code_expires(s(61), Lang::En).0,
            "It works once and expires in 2 min."
        );
        assert_eq!(code_expires(s(61), Lang::En).1, s(1));
        assert_eq!(
            code_expires(s(60), Lang::En),
            ("It works once and expires in 60 s.".into(), s(1))
        );
        assert_eq!(
            code_expires(Duration::from_millis(1), Lang::En).0,
            "It works once and expires in 1 s."
        );
        assert_eq!(code_expires(s(0), Lang::En).0, "It has expired.");
        // Every wait lands on a change of words; the minutes cost 9
        // redraws, the last minute 60.
        let mut left = s(600);
        let mut redraws = 0;
        while !left.is_zero() {
            let (before, wait) = code_expires(left, Lang::En);
            left -= wait;
            redraws += 1;
            assert_ne!(code_expires(left, Lang::En).0, before, "at {left:?}");
        }
        assert_eq!(redraws, 69);
    }

    #[test]
    fn the_bar_says_who_and_whether_anyone_vouches() {
        let mut t = crate::Technician {
            name: "Jane Doe".into(),
            org: Some("Acme IT".into()),
            verified: true,
            verified_by: Some("Acme".into()),
            not_verified: None,
            ticket: None,
        };
        assert_eq!(
            technician_short(&t, Lang::En),
            ("Jane Doe, Acme IT".into(), "verified by Acme".into())
        );
        t.verified = false;
        t.verified_by = None;
        t.org = None;
        assert_eq!(
            technician_short(&t, Lang::Fr),
            ("Jane Doe".into(), "NON vérifié".into())
        );
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
