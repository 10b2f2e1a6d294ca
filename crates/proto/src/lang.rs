//! The two languages Tessera speaks to people (the first users are
//! French-speaking support teams), and the words for the wire's own
//! vocabulary in each: permissions, grants, end reasons and refused
//! requests. They live beside the types they name so that the agent, the
//! viewer and the auditor's report all say the same thing.

use crate::{EndReason, Grants, Permission, UpgradeRefusal};

/// A language a person reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    /// English.
    En,
    /// French.
    Fr,
}

impl Lang {
    /// From a locale string such as `fr_FR.UTF-8`; English otherwise.
    pub fn from_locale(locale: &str) -> Self {
        if locale.to_ascii_lowercase().starts_with("fr") {
            Lang::Fr
        } else {
            Lang::En
        }
    }

    /// From the environment's locale (`LC_ALL`, `LC_MESSAGES`, `LANG`,
    /// the first set), as every program of the person's desktop does.
    pub fn from_environment() -> Self {
        let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
            .unwrap_or_default();
        Lang::from_locale(&locale)
    }

    /// `en` or `fr`, as HTML's `lang` attribute and BCP 47 write it.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
        }
    }
}

impl Permission {
    /// The permission in a few words: its command-line name in English.
    pub fn word(self, lang: Lang) -> &'static str {
        match (lang, self) {
            (Lang::En, p) => p.name(),
            (Lang::Fr, Permission::View) => "voir l'écran",
            (Lang::Fr, Permission::Control) => "contrôler",
            (Lang::Fr, Permission::Clipboard) => "presse-papiers",
            (Lang::Fr, Permission::Files) => "fichiers",
            (Lang::Fr, Permission::Chat) => "discussion",
        }
    }
}

impl Grants {
    /// The permissions in words, in the order prompts list them:
    /// "view, chat" or "nothing".
    pub fn words(self, lang: Lang) -> String {
        let words: Vec<&str> = self.iter().map(|p| p.word(lang)).collect();
        match (words.is_empty(), lang) {
            (true, Lang::En) => "nothing".into(),
            (true, Lang::Fr) => "rien".into(),
            (false, _) => words.join(", "),
        }
    }
}

impl EndReason {
    /// Why the session ended, for the technician and in reports (the
    /// person's own terminal says it to them as "you").
    pub fn describe_in(self, lang: Lang) -> &'static str {
        use EndReason as R;
        match lang {
            Lang::En => self.describe(),
            Lang::Fr => match self {
                R::UserEnded => "la personne aidée a arrêté la session",
                R::TechnicianEnded => "le technicien a arrêté la session",
                R::Denied => "la personne aidée a refusé la demande",
                R::ConsentTimeout => "personne n'a répondu à la demande en 60 secondes",
                R::WrongCode => {
                    "le code ne correspondait pas : il est annulé, demandez le nouveau code"
                }
                R::CodeExpired => {
                    "le code est inconnu, déjà utilisé ou expiré : demandez un nouveau code"
                }
                R::ConnectionLost => "connexion perdue : l'autre côté ne répond plus",
                R::RelayClosed => "le relais a fermé la connexion",
                R::ProtocolError => {
                    "l'autre côté n'a pas respecté le protocole : la session a été fermée"
                }
                R::RecordingFailed => {
                    "l'enregistrement de la session n'a pas pu être écrit : la session a été arrêtée"
                }
                R::ContinueTimeout => {
                    "personne n'a confirmé que la longue session devait continuer : elle a été arrêtée"
                }
            },
        }
    }
}

impl UpgradeRefusal {
    /// Why a request for more was refused, for the technician and in
    /// reports.
    pub fn describe_in(self, lang: Lang) -> &'static str {
        use UpgradeRefusal as U;
        match lang {
            Lang::En => self.describe(),
            Lang::Fr => match self {
                U::Denied => "la personne a refusé",
                U::Timeout => "la personne n'a pas répondu à temps",
                U::NothingNew => "tout ce qui est demandé est déjà autorisé",
                U::Busy => "une autre question est ouverte sur l'écran de la personne",
                U::TooSoon => {
                    "la personne vient de refuser ou de reprendre une autorisation : attendez avant de redemander"
                }
                U::TooMany => {
                    "la personne a refusé ou laissé sans réponse trois demandes : plus aucune dans cette session"
                }
                U::Unavailable => {
                    "le contrôle n'est plus possible dans cette session : l'agent ne peut plus voir le clavier et la souris de la personne"
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_picks_french_only_for_french() {
        assert_eq!(Lang::from_locale("fr_CA.UTF-8"), Lang::Fr);
        assert_eq!(Lang::from_locale("FR"), Lang::Fr);
        assert_eq!(Lang::from_locale("de_DE.UTF-8"), Lang::En);
        assert_eq!(Lang::from_locale(""), Lang::En);
    }

    #[test]
    fn grants_in_words() {
        let g = Grants::parse_list("chat,view").expect("valid");
        assert_eq!(g.words(Lang::En), "view, chat");
        assert_eq!(g.words(Lang::Fr), "voir l'écran, discussion");
        assert_eq!(Grants::NONE.words(Lang::Fr), "rien");
    }

    #[test]
    fn every_reason_has_french_words() {
        for reason in [EndReason::UserEnded, EndReason::RecordingFailed] {
            assert_ne!(reason.describe_in(Lang::Fr), reason.describe());
        }
    }
}
