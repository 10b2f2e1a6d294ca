//! What the consent prompt says and how a typed answer is read, in French
//! and English. The terminal prompt and the window both use it, so the
//! words and the rules stay the same whatever the person sees.

use crate::Technician;
use tessera_proto::{Grants, Permission};

/// A question's yes (Allow, Continue; a typed answer at the terminal) only
/// counts this long after the question appears: a click, key press or
/// line meant for what was there a moment before (the person was told
/// "click there now", or was typing a chat line) cannot answer it. Deny
/// and End work at once.
pub const ARM_DELAY: std::time::Duration = std::time::Duration::from_secs(1);

/// The language of the prompt (shared with every other word Tessera
/// says to people).
pub use tessera_proto::Lang;

/// What a permission lets the technician do, said to the person.
pub fn permission_explained(p: Permission, lang: Lang) -> &'static str {
    match (lang, p) {
        (Lang::En, Permission::View) => "See your screen",
        (Lang::En, Permission::Control) => "Use your mouse and keyboard",
        (Lang::En, Permission::Clipboard) => "Read and fill your clipboard",
        (Lang::En, Permission::Files) => "Send and fetch files",
        (Lang::En, Permission::Chat) => "Chat with you",
        (Lang::Fr, Permission::View) => "Voir votre écran",
        (Lang::Fr, Permission::Control) => "Utiliser votre souris et votre clavier",
        (Lang::Fr, Permission::Clipboard) => "Lire et remplir votre presse-papiers",
        (Lang::Fr, Permission::Files) => "Envoyer et récupérer des fichiers",
        (Lang::Fr, Permission::Chat) => "Discuter avec vous",
    }
}

/// The fixed words of the consent window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WindowWords {
    /// The window's title.
    pub title: &'static str,
    /// The warning shown above everything else.
    pub warning: &'static str,
    /// Before the list of what is asked.
    pub asks: &'static str,
    /// The accept button.
    pub allow: &'static str,
    /// The deny button (the default).
    pub deny: &'static str,
    /// The window's title for an upgrade request mid-session.
    pub more_title: &'static str,
    /// Before the list of what an upgrade request adds.
    pub more_asks: &'static str,
    /// Before the list of what is already allowed, on an upgrade prompt.
    pub already: &'static str,
    /// The warning on an upgrade prompt.
    pub more_warning: &'static str,
    /// That the session is recorded, and where.
    pub recorded: &'static str,
}

/// What every session's person is told before consenting: it is on the
/// record, at both ends (`docs/audit.md`).
const RECORDED_EN: &str =
    "This session is recorded, on this computer and by the technician's side.";
/// [`RECORDED_EN`] in French.
const RECORDED_FR: &str =
    "Cette session est enregistrée, sur cet ordinateur et du côté du technicien.";

/// The consent window's words in `lang`.
pub fn window_words(lang: Lang) -> WindowWords {
    match lang {
        Lang::En => WindowWords {
            title: "Remote assistance request",
            warning: "Accept only if YOU asked for this help yourself. Never accept a call you did not expect.",
            asks: "asks to:",
            allow: "Allow what is ticked",
            deny: "Deny",
            more_title: "Request for more access",
            more_asks: "now also asks to:",
            already: "Already allowed:",
            more_warning: "Allow only if YOU want this. If you deny, the session goes on as it is.",
            recorded: RECORDED_EN,
        },
        Lang::Fr => WindowWords {
            title: "Demande d'assistance à distance",
            warning: "N'acceptez que si VOUS avez demandé cette aide. N'acceptez jamais un appel inattendu.",
            asks: "demande à :",
            allow: "Autoriser ce qui est coché",
            deny: "Refuser",
            more_title: "Demande d'accès supplémentaire",
            more_asks: "demande en plus à :",
            already: "Déjà autorisé :",
            more_warning: "N'autorisez que si VOUS le voulez. Si vous refusez, la session continue telle quelle.",
            recorded: RECORDED_FR,
        },
    }
}

/// The countdown under the buttons.
pub fn countdown_text(seconds: u64, lang: Lang) -> String {
    match lang {
        Lang::En => format!("Denied automatically in {seconds} s"),
        Lang::Fr => format!("Refus automatique dans {seconds} s"),
    }
}

/// Who asks, with the verification status spelled out: who vouches, or
/// that nobody does and the name is only what the caller typed.
pub fn describe_technician(t: &Technician, lang: Lang) -> String {
    let org = t
        .org
        .as_deref()
        .map(|o| format!(", {o}"))
        .unwrap_or_default();
    let status = match (&t.verified_by, lang) {
        (Some(by), Lang::En) => format!("verified by {by}"),
        (Some(by), Lang::Fr) => format!("vérifié par {by}"),
        (None, Lang::En) => "NOT verified: this name was typed by the caller".into(),
        (None, Lang::Fr) => "NON vérifié : ce nom a été tapé par l'appelant".into(),
    };
    format!("{}{org} ({status})", t.name)
}

/// The ticket line of a prompt, when the technician gave one: said to be
/// theirs, as nobody vouches for it.
pub fn describe_ticket(t: &Technician, lang: Lang) -> Option<String> {
    let ticket = t.ticket.as_ref()?;
    let priority = ticket.priority.as_deref();
    Some(match (lang, priority) {
        (Lang::En, Some(p)) => format!(
            "Ticket {}, priority {p} (as given by the technician)",
            ticket.id
        ),
        (Lang::En, None) => format!("Ticket {} (as given by the technician)", ticket.id),
        (Lang::Fr, Some(p)) => format!("Ticket {}, priorité {p} (selon le technicien)", ticket.id),
        (Lang::Fr, None) => format!("Ticket {} (selon le technicien)", ticket.id),
    })
}

/// The whole terminal prompt: warning, who, what, how to answer. Ends with
/// the question `Allow? [y/N]` (French: `Autoriser ? [o/N]`).
pub fn prompt_text(t: &Technician, requested: Grants, timeout_secs: u64, lang: Lang) -> String {
    let who = describe_technician(t, lang);
    let what = requested.words(lang);
    let ticket = describe_ticket(t, lang)
        .map(|line| format!("{line}\n"))
        .unwrap_or_default();
    match lang {
        Lang::En => format!(
            "\n*** Remote assistance request ***\n\
             Accept only if YOU asked for this help yourself. Never accept a call you did not expect.\n\
             {ticket}{who} asks to: {what}.\n\
             {RECORDED_EN}\n\
             Type y to allow all of it, n to refuse, or list what you allow (e.g. view,chat).\n\
             No answer in {timeout_secs} s means no.\n\
             Allow? [y/N] "
        ),
        Lang::Fr => format!(
            "\n*** Demande d'assistance à distance ***\n\
             N'acceptez que si VOUS avez demandé cette aide. N'acceptez jamais un appel inattendu.\n\
             {ticket}{who} demande : {what}.\n\
             {RECORDED_FR}\n\
             Tapez o pour tout autoriser, n pour refuser, ou la liste de ce que vous autorisez (ex. view,chat).\n\
             Sans réponse dans {timeout_secs} s, c'est non.\n\
             Autoriser ? [o/N] "
        ),
    }
}

/// The terminal prompt for an upgrade mid-session: the same warning and
/// rules, what is new, and what is already allowed.
pub fn upgrade_prompt_text(
    t: &Technician,
    new: Grants,
    already: Grants,
    timeout_secs: u64,
    lang: Lang,
) -> String {
    let who = describe_technician(t, lang);
    let what = new.words(lang);
    let had = already.words(lang);
    match lang {
        Lang::En => format!(
            "\n*** Request for more access ***\n\
             Accept only if YOU want this. You can say no: the session goes on as it is.\n\
             {who} now also asks to: {what} (already allowed: {had}).\n\
             Type y to allow all of it, n to refuse, or list what you allow (e.g. control).\n\
             No answer in {timeout_secs} s means no.\n\
             Allow? [y/N] "
        ),
        Lang::Fr => format!(
            "\n*** Demande d'accès supplémentaire ***\n\
             N'acceptez que si VOUS le voulez. Vous pouvez refuser : la session continue telle quelle.\n\
             {who} demande en plus : {what} (déjà autorisé : {had}).\n\
             Tapez o pour tout autoriser, n pour refuser, ou la liste de ce que vous autorisez (ex. control).\n\
             Sans réponse dans {timeout_secs} s, c'est non.\n\
             Autoriser ? [o/N] "
        ),
    }
}

/// Reads a typed answer: yes in either language grants everything asked;
/// a list of permission names grants those (never more than asked);
/// anything else, including an empty line, denies.
pub fn parse_answer(answer: &str, requested: Grants) -> Option<Grants> {
    let a = answer.trim().to_lowercase();
    match a.as_str() {
        "y" | "yes" | "o" | "oui" => Some(requested),
        "" | "n" | "no" | "non" => None,
        list => Grants::parse_list(list)
            .ok()
            .map(|g| g.intersect(requested))
            .filter(|g| !g.is_empty()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use tessera_secure::identity::{NotVerified, Verification};

    fn jane() -> Technician {
        Technician::new(
            "Jane".into(),
            None,
            Verification::NotVerified(NotVerified::NoCertificate),
        )
    }

    #[test]
    fn prompt_names_who_and_what_in_both_languages() {
        let chat = Grants::parse_list("chat").expect("valid");
        let en = prompt_text(&jane(), chat, 60, Lang::En);
        assert!(
            en.contains("Jane (NOT verified: this name was typed by the caller) asks to: chat."),
            "{en}"
        );
        assert!(en.ends_with("Allow? [y/N] "));
        let fr = prompt_text(&jane(), chat, 60, Lang::Fr);
        assert!(
            fr.contains(
                "Jane (NON vérifié : ce nom a été tapé par l'appelant) demande : discussion."
            ),
            "{fr}"
        );
        assert!(fr.ends_with("Autoriser ? [o/N] "));
    }

    #[test]
    fn a_verified_technician_shows_who_vouches() {
        let jane = Technician::new(
            "Jane Doe".into(),
            Some("Acme IT".into()),
            Verification::Verified {
                org: "Acme IT".into(),
            },
        );
        assert_eq!(
            describe_technician(&jane, Lang::En),
            "Jane Doe, Acme IT (verified by Acme IT)"
        );
        assert_eq!(
            describe_technician(&jane, Lang::Fr),
            "Jane Doe, Acme IT (vérifié par Acme IT)"
        );
    }

    #[test]
    fn answers() {
        let asked = Grants::parse_list("view,chat").expect("valid");
        assert_eq!(parse_answer("y\n", asked), Some(asked));
        assert_eq!(parse_answer(" OUI ", asked), Some(asked));
        assert_eq!(parse_answer("", asked), None);
        assert_eq!(parse_answer("n", asked), None);
        assert_eq!(parse_answer("whatever", asked), None);
        let view = Grants::parse_list("view").expect("valid");
        assert_eq!(parse_answer("view", asked), Some(view));
        assert_eq!(parse_answer("view,control", asked), Some(view));
        assert_eq!(parse_answer("control", asked), None);
    }

    #[test]
    fn an_upgrade_prompt_says_what_is_new_and_what_is_had() {
        let control = Grants::parse_list("control").expect("valid");
        let view = Grants::parse_list("view").expect("valid");
        let en = upgrade_prompt_text(&jane(), control, view, 60, Lang::En);
        assert!(
            en.contains("now also asks to: control (already allowed: view)."),
            "{en}"
        );
        let fr = upgrade_prompt_text(&jane(), control, view, 60, Lang::Fr);
        assert!(
            fr.contains("demande en plus : contrôler (déjà autorisé : voir l'écran)."),
            "{fr}"
        );
    }
}
