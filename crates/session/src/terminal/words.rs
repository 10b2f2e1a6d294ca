//! Every word the agent's terminal says, in English and French: the code,
//! the notices that follow the session's events, hints and the end. The
//! prompts' own words are in [`consent`](crate::consent) and
//! [`continue_check`](crate::continue_check), shared with the window.

use crate::consent::Lang;
use crate::event::{BurnReason, SessionEvent, Side};
use tessera_input::RefusalKind;
use tessera_proto::{EndReason, UpgradeRefusal};

/// Before anything: which relay the agent is reaching.
pub fn connecting(relay: &str, lang: Lang) -> String {
    match lang {
        Lang::En => format!("Connecting to the relay at {relay}..."),
        Lang::Fr => format!("Connexion au relais {relay}..."),
    }
}

/// Where the session's record was kept, said at the end.
pub fn recorded_in(folder: &str, lang: Lang) -> String {
    match lang {
        Lang::En => format!("This session was recorded on this computer, in {folder}"),
        Lang::Fr => format!("Cette session a été enregistrée sur cet ordinateur, dans {folder}"),
    }
}

/// A line too long to be a chat message or an answer.
pub fn too_long(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "(That line was too long and was not sent.)",
        Lang::Fr => "(Cette ligne était trop longue : elle n'a pas été envoyée.)",
    }
}

/// A line finished before the question's answer line showed.
pub fn typed_too_early(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "(That line was typed before the question: please wait for it, then answer.)",
        Lang::Fr => "(Cette ligne a été tapée avant la question : attendez-la, puis répondez.)",
    }
}

/// `/revoke` without a permission it knows.
pub fn revoke_usage(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "Usage: /revoke view|control|clipboard|files|chat",
        Lang::Fr => "Utilisation : /revoke view|control|clipboard|files|chat",
    }
}

/// Another `/word`: the commands there are.
pub fn commands(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "Commands: /stop ends the session, /revoke PERMISSION takes one back, /cancel N stops file transfer N. Anything else is sent as chat.",
        Lang::Fr => "Commandes : /stop arrête la session, /revoke PERMISSION retire une autorisation, /cancel N arrête le transfert de fichiers N. Tout le reste est envoyé comme message.",
    }
}

/// `/cancel` without a transfer's number.
pub fn cancel_usage(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "Usage: /cancel N (the transfer's number, as shown when it started)",
        Lang::Fr => "Utilisation : /cancel N (le numéro du transfert, affiché à son début)",
    }
}

/// The consent or upgrade question was taken down before an answer.
pub fn withdrawn(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "\n(The request was withdrawn.)",
        Lang::Fr => "\n(La demande a été retirée.)",
    }
}

/// Why a session ended, said to the person.
pub fn end_reason(reason: EndReason, lang: Lang) -> &'static str {
    use EndReason as R;
    match lang {
        Lang::En => reason.describe(),
        Lang::Fr => match reason {
            R::UserEnded => "vous avez arrêté la session",
            R::TechnicianEnded => "le technicien a arrêté la session",
            R::Denied => "vous avez refusé la demande",
            R::ConsentTimeout => "personne n'a répondu à la demande à temps",
            R::WrongCode => "le code ne correspondait pas : il est annulé",
            R::CodeExpired => "le code est inconnu, déjà utilisé ou expiré",
            R::ConnectionLost => "connexion perdue : l'autre côté ne répond plus",
            R::RelayClosed => "le relais a fermé la connexion",
            R::ProtocolError => {
                "l'autre côté n'a pas respecté le protocole : la session a été fermée"
            }
            R::RecordingFailed => {
                "l'enregistrement de la session a échoué : la session a été arrêtée"
            }
            R::ContinueTimeout => {
                "personne n'a confirmé que la longue session devait continuer : elle a été arrêtée"
            }
        },
    }
}

/// What the person reads for `event`, if anything. `technician` names
/// the caller once known.
pub(super) fn event_text(
    event: &SessionEvent,
    technician: Option<&str>,
    lang: Lang,
) -> Option<String> {
    let en = lang == Lang::En;
    let who = technician.unwrap_or(if en {
        "The technician"
    } else {
        "Le technicien"
    });
    Some(match event {
        SessionEvent::Code {
            code,
            expires_in_secs,
        } => {
            let minutes = expires_in_secs / 60;
            match lang {
                Lang::En => format!("\nYour code: {code}\nRead it to the technician who is helping you. It works once and expires in {minutes} minutes."),
                Lang::Fr => format!("\nVotre code : {code}\nLisez-le au technicien qui vous aide. Il ne sert qu'une fois et expire dans {minutes} minutes."),
            }
        }
        SessionEvent::Paired => match lang {
            Lang::En => "Someone entered the code; checking it...".into(),
            Lang::Fr => "Quelqu'un a saisi le code ; vérification...".into(),
        },
        SessionEvent::CodeBurned { reason } => match (reason, lang) {
            (BurnReason::WrongCode, Lang::En) => "Someone tried a wrong code, so the code is now void. Here is a new one:".into(),
            (BurnReason::WrongCode, Lang::Fr) => "Quelqu'un a essayé un mauvais code : il est annulé. En voici un nouveau :".into(),
            (BurnReason::Abandoned, Lang::En) => "The connection attempt did not complete, so the code is now void. Here is a new one:".into(),
            (BurnReason::Abandoned, Lang::Fr) => "La tentative de connexion n'a pas abouti : le code est annulé. En voici un nouveau :".into(),
        },
        SessionEvent::Note { text } => match lang {
            Lang::En => format!("[{who}, for the intervention report] {text}"),
            Lang::Fr => format!("[{who}, pour le rapport d'intervention] {text}"),
        },
        SessionEvent::Secured { .. } => match lang {
            Lang::En => "Code confirmed: the connection is end-to-end encrypted.".into(),
            Lang::Fr => "Code confirmé : la connexion est chiffrée de bout en bout.".into(),
        },
        SessionEvent::InputRefused { reason, count } => {
            let why = refusal(*reason, lang);
            match lang {
                Lang::En => format!("(The technician's keyboard or mouse was blocked: {why}; {count} event(s).)"),
                Lang::Fr => format!("(Le clavier ou la souris du technicien a été bloqué : {why} ; {count} événement(s).)"),
            }
        }
        SessionEvent::SessionStarted { granted } => {
            let what = granted.words(lang);
            match lang {
                Lang::En => format!("\nSession started. {who} may now: {what}.\nType a message and Enter to chat. /revoke PERMISSION takes one back, /stop ends the session."),
                Lang::Fr => format!("\nSession commencée. {who} peut maintenant : {what}.\nTapez un message puis Entrée pour discuter. /revoke PERMISSION retire une autorisation, /stop arrête la session."),
            }
        }
        SessionEvent::GrantChanged { granted } | SessionEvent::UpgradeGranted { granted } => {
            let what = granted.words(lang);
            match lang {
                Lang::En => format!("Permissions now: {what}."),
                Lang::Fr => format!("Autorisations maintenant : {what}."),
            }
        }
        SessionEvent::UpgradeRefused { reason } => upgrade_refused(*reason, lang),
        SessionEvent::ContinueCheck { open: false } => match lang {
            Lang::En => "The session goes on.".into(),
            Lang::Fr => "La session continue.".into(),
        },
        SessionEvent::Chat {
            from: Side::Viewer,
            text,
        } => {
            // Every line carries the name, so a message cannot pass for
            // Tessera's own words.
            let name = technician.unwrap_or(if en { "Technician" } else { "Technicien" });
            text.lines()
                .map(|l| format!("[{name}] {l}"))
                .collect::<Vec<_>>()
                .join("\n")
        }
        SessionEvent::Refused { permission, .. } => match lang {
            Lang::En => format!(
                "(Refused: the technician tried to use {}, which you did not allow.)",
                permission.name()
            ),
            Lang::Fr => format!(
                "(Refusé : le technicien a tenté d'utiliser « {} », que vous n'avez pas autorisé.)",
                permission.name()
            ),
        },
        SessionEvent::SessionEnded { reason, detail } => {
            let why = end_reason(*reason, lang);
            let detail = detail.as_deref().map(|d| format!(" ({d})")).unwrap_or_default();
            match lang {
                Lang::En => format!("\nSession ended: {why}.{detail}"),
                Lang::Fr => format!("\nSession terminée : {why}.{detail}"),
            }
        }
        SessionEvent::FileOffered { .. }
        | SessionEvent::Clipboard { .. }
        | SessionEvent::FileProgress { .. }
        | SessionEvent::FileDone { .. }
        | SessionEvent::FileComplete { .. }
        | SessionEvent::FileFailed { .. } => {
            return super::file_words::file_event_text(event, who, lang)
        }
        SessionEvent::Chat {
            from: Side::Agent, ..
        }
        | SessionEvent::FetchAnswered { .. }
        | SessionEvent::ConsentRequested { .. }
        | SessionEvent::WaitingForConsent
        | SessionEvent::PromptShown { .. }
        | SessionEvent::Frame { .. }
        | SessionEvent::VideoFrame { .. }
        | SessionEvent::Displays { .. }
        | SessionEvent::Cursor { .. }
        | SessionEvent::LocalUser { .. }
        | SessionEvent::UpgradeRequested { .. }
        | SessionEvent::Status { .. }
        | SessionEvent::ContinueCheck { open: true } => return None,
    })
}

fn refusal(reason: RefusalKind, lang: Lang) -> &'static str {
    use RefusalKind as K;
    match (lang, reason) {
        (Lang::En, K::NotGranted) => "you did not allow control",
        (Lang::En, K::PromptOpen) => "a question is open on your screen",
        (Lang::En, K::LocalUser) => "you are using your computer",
        (Lang::En, K::Flood) => "too many events at once",
        (Lang::En, K::Invalid) => "an invalid event",
        (Lang::Fr, K::NotGranted) => "vous n'avez pas autorisé le contrôle",
        (Lang::Fr, K::PromptOpen) => "une question est ouverte sur votre écran",
        (Lang::Fr, K::LocalUser) => "vous utilisez votre ordinateur",
        (Lang::Fr, K::Flood) => "trop d'événements à la fois",
        (Lang::Fr, K::Invalid) => "un événement invalide",
    }
}

fn upgrade_refused(reason: UpgradeRefusal, lang: Lang) -> String {
    use UpgradeRefusal as U;
    match (lang, reason) {
        (Lang::En, U::Denied) => "Refused: the technician keeps only what you allowed before.".into(),
        (Lang::Fr, U::Denied) => "Refusé : le technicien garde seulement ce que vous aviez autorisé.".into(),
        (Lang::En, U::Timeout) => "No answer in time: refused. The technician keeps only what you allowed before.".into(),
        (Lang::Fr, U::Timeout) => "Pas de réponse à temps : refusé. Le technicien garde seulement ce que vous aviez autorisé.".into(),
        (Lang::En, other) => format!(
            "(The technician asked for more; refused without asking you: {}.)",
            other.describe()
        ),
        (Lang::Fr, other) => format!(
            "(Le technicien a demandé plus ; refusé sans vous le demander : {}.)",
            match other {
                U::NothingNew => "tout ce qu'il demande est déjà autorisé",
                U::Busy => "une autre question est ouverte sur votre écran",
                U::TooSoon => "vous venez de refuser ou de retirer une autorisation",
                U::TooMany => "trois demandes déjà refusées dans cette session",
                U::Unavailable => "le contrôle n'est plus disponible dans cette session",
                U::Denied | U::Timeout => "refusé",
            }
        ),
    }
}
