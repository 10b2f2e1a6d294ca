//! What the continue check says, in French and English: after a long
//! while (30 minutes by default) the person is asked whether the session
//! should go on, so one they forgot about does not stay open. Remote input
//! waits for the answer, and no answer ends the session.

use crate::consent::Lang;
use crate::words::elapsed;

/// The fixed words of the continue check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ContinueWords {
    /// The window's title while the question is open.
    pub title: &'static str,
    /// The button that ends the session (it has the focus: a stray key
    /// press must not keep a forgotten session open).
    pub end: &'static str,
    /// The button that goes on.
    pub go_on: &'static str,
}

/// The continue check's words in `lang`.
pub fn continue_words(lang: Lang) -> ContinueWords {
    match lang {
        Lang::En => ContinueWords {
            title: "Should the session go on?",
            end: "End the session",
            go_on: "Continue",
        },
        Lang::Fr => ContinueWords {
            title: "Continuer la session ?",
            end: "Arrêter la session",
            go_on: "Continuer",
        },
    }
}

/// The question: who, for how long, and that their input waits.
pub fn continue_question(name: &str, connected_secs: u64, lang: Lang) -> String {
    let time = elapsed(connected_secs);
    match lang {
        Lang::En => format!(
            "{name} has been connected to this computer for {time}. Should the session go on? \
             Until you answer, they cannot use your mouse and keyboard."
        ),
        Lang::Fr => format!(
            "{name} est connecté à cet ordinateur depuis {time}. La session doit-elle continuer ? \
             Tant que vous n'avez pas répondu, la souris et le clavier lui sont bloqués."
        ),
    }
}

/// The countdown under the buttons, in minutes and seconds.
pub fn continue_countdown(seconds: u64, lang: Lang) -> String {
    let left = elapsed(seconds);
    match lang {
        Lang::En => format!("Without an answer, the session ends in {left}"),
        Lang::Fr => format!("Sans réponse, la session s'arrête dans {left}"),
    }
}

/// The terminal's question, ending with `[y/N]` (`[o/N]`).
pub fn continue_prompt_text(
    name: &str,
    connected_secs: u64,
    timeout_secs: u64,
    lang: Lang,
) -> String {
    let question = continue_question(name, connected_secs, lang);
    let left = elapsed(timeout_secs);
    match lang {
        Lang::En => format!(
            "\n*** {} ***\n{question}\nWithout an answer in {left}, the session ends.\nContinue? [y/N] ",
            continue_words(lang).title
        ),
        Lang::Fr => format!(
            "\n*** {} ***\n{question}\nSans réponse dans {left}, la session s'arrête.\nContinuer ? [o/N] ",
            continue_words(lang).title
        ),
    }
}

/// Reads a typed answer: only yes (either language) goes on.
pub fn parse_continue(answer: &str) -> bool {
    matches!(
        answer.trim().to_lowercase().as_str(),
        "y" | "yes" | "o" | "oui"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_yes_goes_on() {
        assert!(parse_continue(" Oui\n"));
        assert!(parse_continue("y"));
        assert!(!parse_continue(""));
        assert!(!parse_continue("continue"));
        assert!(!parse_continue("n"));
    }

    #[test]
    fn the_question_names_who_and_how_long_in_both_languages() {
        let en = continue_prompt_text("Jane", 1800, 300, Lang::En);
        assert!(
            en.contains("Jane has been connected to this computer for 30:00."),
            "{en}"
        );
        assert!(
            en.contains("Without an answer in 5:00, the session ends."),
            "{en}"
        );
        assert!(en.ends_with("Continue? [y/N] "));
        let fr = continue_prompt_text("Jane", 1800, 300, Lang::Fr);
        assert!(
            fr.contains("Jane est connecté à cet ordinateur depuis 30:00."),
            "{fr}"
        );
        assert!(fr.ends_with("Continuer ? [o/N] "));
        assert_eq!(
            continue_countdown(299, Lang::En),
            "Without an answer, the session ends in 4:59"
        );
    }
}
