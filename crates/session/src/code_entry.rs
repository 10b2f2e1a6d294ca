//! The connect screen's code field: what the technician has typed so far,
//! judged as they type, so a misheard digit is flagged before anything is
//! sent (a wrong code costs the person their code, §4 of the protocol).
//!
//! The rules are [`Code::parse`]'s: spaces, dashes, dots and tabs are
//! ignored, a code has 10 to 16 digits, the last one a Damm check digit.
//! Nothing here logs or prints the digits: [`CodeEntry`]'s `Debug` shows
//! a ready code through [`Code`]'s own, which hides the secret.

use crate::consent::Lang;
use tessera_proto::{Code, CodeError};

/// What the code field holds now.
///
/// With 10 to 16 digits whose check digit fails, the entry is
/// [`Typo`](CodeEntry::Typo) at once, while the technician may still be
/// typing: for a code longer than 10 digits the first 10 can flag a typo
/// until the rest is typed. Nameplates longer than 3 digits (codes of 11
/// digits and more) appear only while a relay holds more than 900 waiting
/// codes, so this is rare, and the flag goes as the code is completed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CodeEntry {
    /// Nothing typed (or only separators).
    Empty,
    /// Fewer digits than any code has.
    Incomplete {
        /// How many digits so far.
        digits: usize,
    },
    /// A whole code whose check digit holds: it may be sent.
    Ready(Code),
    /// The check digit does not match the others: a digit was misheard or
    /// mistyped (or, see above, a longer code is not complete yet).
    Typo,
    /// More digits than any code has.
    TooLong {
        /// How many digits.
        digits: usize,
    },
    /// A character that is neither a digit nor a separator.
    Invalid(char),
}

/// Judges what was typed in the code field.
pub fn check(typed: &str) -> CodeEntry {
    match Code::parse(typed) {
        Ok(code) => CodeEntry::Ready(code),
        Err(CodeError::Empty) => CodeEntry::Empty,
        Err(CodeError::TooShort(digits)) => CodeEntry::Incomplete { digits },
        Err(CodeError::TooLong(digits)) => CodeEntry::TooLong { digits },
        Err(CodeError::Typo) => CodeEntry::Typo,
        Err(CodeError::InvalidCharacter(c)) => CodeEntry::Invalid(c),
    }
}

/// Whether [`Code::parse`] skips `c`.
fn is_separator(c: char) -> bool {
    matches!(c, ' ' | '-' | '.' | '\t')
}

/// What was typed, regrouped as the agent shows its code: in threes from
/// the left, one space between groups (`4829135772` becomes
/// `482 913 577 2`, as [`Code::display`] shows it). Separators typed are
/// dropped; any other character stays where it was typed and takes the
/// place of a digit (a letter `l` for a `1` reads `482 9l3 577 2`), so the
/// technician sees their mistake where they made it.
pub fn grouped(typed: &str) -> String {
    let mut out = String::with_capacity(typed.len() + typed.len() / 3);
    for (place, c) in typed.chars().filter(|c| !is_separator(*c)).enumerate() {
        if place > 0 && place.is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

impl CodeEntry {
    /// Whether the code may be sent.
    pub fn is_ready(&self) -> bool {
        matches!(self, CodeEntry::Ready(_))
    }

    /// What to tell the technician under the field, in plain words; `None`
    /// while there is nothing wrong (empty, being typed, or ready).
    pub fn message(&self, lang: Lang) -> Option<&'static str> {
        Some(match (self, lang) {
            (CodeEntry::Empty | CodeEntry::Incomplete { .. } | CodeEntry::Ready(_), _) => {
                return None
            }
            (CodeEntry::Typo, Lang::En) => {
                "This code has a typo: its last digit does not match. Ask the person to read it again."
            }
            (CodeEntry::Typo, Lang::Fr) => {
                "Ce code contient une erreur : son dernier chiffre ne correspond pas. Demandez à la personne de le relire."
            }
            (CodeEntry::TooLong { .. }, Lang::En) => {
                "This code is too long: a code has 10 to 16 digits. Ask the person to read it again."
            }
            (CodeEntry::TooLong { .. }, Lang::Fr) => {
                "Ce code est trop long : un code a de 10 à 16 chiffres. Demandez à la personne de le relire."
            }
            (CodeEntry::Invalid(_), Lang::En) => {
                "A code holds only digits (spaces, dashes and dots are ignored)."
            }
            (CodeEntry::Invalid(_), Lang::Fr) => {
                "Un code ne contient que des chiffres (espaces, tirets et points sont ignorés)."
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_proto::{Nameplate, Secret};

    fn code(plate: u32) -> Code {
        Code::new(
            Nameplate::new(plate).expect("plate"),
            Secret::from_digits([9, 1, 3, 5, 7, 7]).expect("secret"),
        )
    }

    #[test]
    fn a_code_is_judged_as_it_is_typed() {
        let shown = code(482).display();
        assert_eq!(shown, "482 913 577 2");
        let plain: String = shown.chars().filter(char::is_ascii_digit).collect();
        assert_eq!(check(""), CodeEntry::Empty);
        assert_eq!(check(" - . "), CodeEntry::Empty);
        for n in 1..plain.len() {
            assert_eq!(
                check(&plain[..n]),
                CodeEntry::Incomplete { digits: n },
                "{n}"
            );
        }
        assert_eq!(check(&plain), CodeEntry::Ready(code(482)));
        assert_eq!(check(&shown), CodeEntry::Ready(code(482)));
        assert_eq!(check("482-913.577\t2"), CodeEntry::Ready(code(482)));
        assert!(check(&shown).is_ready());
    }

    #[test]
    fn a_typo_is_flagged_as_soon_as_the_digits_are_all_there() {
        assert_eq!(check("482 913 577 4"), CodeEntry::Typo);
        assert_eq!(check("482 913 757 2"), CodeEntry::Typo, "swapped digits");
        // A leading zero cannot be a nameplate: the digits were mangled.
        assert!(!check("082 913 577 2").is_ready());
        assert!(!check("4829135774").is_ready());
    }

    #[test]
    fn a_longer_code_may_flag_until_it_is_complete() {
        let long = code(123_456);
        let plain: String = long
            .display()
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        assert_eq!(plain.len(), 13);
        assert_eq!(check(&plain), CodeEntry::Ready(long));
        // Its prefixes of 10 to 12 digits are judged as codes of their own.
        for n in 10..13 {
            assert!(
                matches!(check(&plain[..n]), CodeEntry::Typo | CodeEntry::Ready(_)),
                "{n}"
            );
        }
    }

    #[test]
    fn too_long_and_invalid_are_named() {
        assert_eq!(
            check("12345678901234567"),
            CodeEntry::TooLong { digits: 17 }
        );
        assert_eq!(check("482 9l3"), CodeEntry::Invalid('l'));
        assert_eq!(check("482 913 577 2x"), CodeEntry::Invalid('x'));
    }

    #[test]
    fn only_mistakes_have_a_message_in_both_languages() {
        for quiet in [
            CodeEntry::Empty,
            CodeEntry::Incomplete { digits: 4 },
            CodeEntry::Ready(code(482)),
        ] {
            assert_eq!(quiet.message(Lang::En), None);
            assert_eq!(quiet.message(Lang::Fr), None);
        }
        for wrong in [
            CodeEntry::Typo,
            CodeEntry::TooLong { digits: 17 },
            CodeEntry::Invalid('x'),
        ] {
            let en = wrong.message(Lang::En).expect("English");
            let fr = wrong.message(Lang::Fr).expect("French");
            assert_ne!(en, fr);
        }
        assert_eq!(
            CodeEntry::Typo.message(Lang::En),
            Some("This code has a typo: its last digit does not match. Ask the person to read it again.")
        );
    }

    #[test]
    fn grouped_as_the_agent_shows_it() {
        assert_eq!(grouped("4829135772"), "482 913 577 2");
        assert_eq!(grouped("482 913 577 2"), "482 913 577 2");
        assert_eq!(grouped("48-29.13  57\t72"), "482 913 577 2");
        assert_eq!(grouped("482"), "482", "no trailing space");
        assert_eq!(grouped("4829"), "482 9");
        assert_eq!(grouped(""), "");
        assert_eq!(grouped(" - "), "");
        let long = code(123_456).display();
        let plain: String = long.chars().filter(char::is_ascii_digit).collect();
        assert_eq!(grouped(&plain), long);
    }

    #[test]
    fn grouped_keeps_a_wrong_character_where_it_was_typed() {
        assert_eq!(grouped("482 9l3 577 2"), "482 9l3 577 2");
        assert_eq!(grouped("4829l35772"), "482 9l3 577 2");
        assert_eq!(grouped("48x"), "48x");
        assert_eq!(grouped("x4829"), "x48 29");
    }

    #[test]
    fn the_digits_never_show_in_debug() {
        let entry = check("482 913 577 2");
        let debug = format!("{entry:?}");
        assert!(entry.is_ready());
        assert!(!debug.contains("913"), "{debug}");
        assert!(!debug.contains("577"), "{debug}");
    }
}
