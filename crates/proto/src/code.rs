//! One-time session codes: `nameplate + secret + check digit`, e.g.
//! `482 913 577 2`.
//!
//! The nameplate is public (the relay allocated it and pairs by it); the six
//! secret digits are a password that only ever enters SPAKE2; the Damm check
//! digit lets the viewer catch a typo before it costs the one guess a code
//! allows.

use crate::damm;
use serde::{Deserialize, Serialize};
use std::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// How many digits the secret part of a code has (20 bits of entropy).
pub const SECRET_DIGITS: usize = 6;
/// The fewest digits a nameplate has: the relay allocates from 100 upwards.
pub const MIN_NAMEPLATE_DIGITS: usize = 3;
/// The most digits a nameplate may have (the relay never needs more).
pub const MAX_NAMEPLATE_DIGITS: usize = 9;

/// The public half of a code: the number under which the relay pairs an
/// agent and a viewer. Always at least three digits, never a leading zero.
///
/// On the wire it is the bare number (a postcard varint, as a `u32` would
/// be), and decoding refuses a number outside [`Nameplate::MIN`] ..=
/// [`Nameplate::MAX`], so no out-of-range nameplate ever reaches the relay's
/// registry or a client's state machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct Nameplate(u32);

/// A number that is not a nameplate (outside 100 ..= 999 999 999).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0} is not a nameplate (they are 100 to 999999999)")]
pub struct NotANameplate(pub u32);

impl TryFrom<u32> for Nameplate {
    type Error = NotANameplate;

    fn try_from(n: u32) -> Result<Self, Self::Error> {
        Self::new(n).ok_or(NotANameplate(n))
    }
}

impl From<Nameplate> for u32 {
    fn from(n: Nameplate) -> u32 {
        n.0
    }
}

impl Nameplate {
    /// The smallest nameplate (three digits).
    pub const MIN: u32 = 100;
    /// The largest nameplate (nine digits).
    pub const MAX: u32 = 999_999_999;

    /// A nameplate from its number, if it is in the allocatable range.
    pub fn new(n: u32) -> Option<Self> {
        (Self::MIN..=Self::MAX).contains(&n).then_some(Self(n))
    }

    /// The number itself, as the relay protocol carries it.
    pub fn get(self) -> u32 {
        self.0
    }

    fn digits(self) -> Vec<u8> {
        self.0.to_string().bytes().map(|b| b - b'0').collect()
    }
}

impl fmt::Display for Nameplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The secret half of a code: six decimal digits, zeroized on drop and
/// never printed by `Debug`.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct Secret([u8; SECRET_DIGITS]);

impl Secret {
    /// A secret from six digit values (each 0..=9); `None` otherwise.
    pub fn from_digits(digits: [u8; SECRET_DIGITS]) -> Option<Self> {
        digits.iter().all(|d| *d < 10).then_some(Self(digits))
    }

    /// A uniformly random secret from `random_bytes`, which must come from a
    /// CSPRNG. Rejection sampling keeps every digit uniform.
    pub fn from_random(mut next_byte: impl FnMut() -> u8) -> Self {
        let mut digits = [0u8; SECRET_DIGITS];
        for d in &mut digits {
            *d = loop {
                let b = next_byte();
                if b < 250 {
                    break b % 10;
                }
            };
        }
        Self(digits)
    }

    /// The password fed to the PAKE: the digits as ASCII.
    pub fn password_bytes(&self) -> [u8; SECRET_DIGITS] {
        self.0.map(|d| b'0' + d)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(******)")
    }
}

/// A whole code as read aloud: nameplate, secret, check digit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Code {
    /// The public pairing number.
    pub nameplate: Nameplate,
    /// The password for the PAKE.
    pub secret: Secret,
}

/// Why a typed code was not accepted; each says what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    /// Nothing but separators was typed.
    #[error("the code is empty: type the digits the person reads to you")]
    Empty,
    /// A character that is neither a digit nor a separator.
    #[error("the code may only hold digits (and spaces, dashes or dots), not {0:?}")]
    InvalidCharacter(char),
    /// Too few digits for any code.
    #[error("the code is too short ({0} digits, at least 10): ask the person to read it again")]
    TooShort(usize),
    /// More digits than any code has.
    #[error("the code is too long ({0} digits, at most 16): ask the person to read it again")]
    TooLong(usize),
    /// The check digit does not match: a digit was misheard or mistyped.
    #[error("the code has a typo (its last digit does not match the others): ask the person to read it again")]
    Typo,
}

impl Code {
    /// Pairs a nameplate and a secret into a code.
    pub fn new(nameplate: Nameplate, secret: Secret) -> Self {
        Self { nameplate, secret }
    }

    fn digits_without_check(&self) -> Vec<u8> {
        let mut digits = self.nameplate.digits();
        digits.extend_from_slice(&self.secret.0);
        digits
    }

    /// The code as it is shown and read aloud: all digits, check digit
    /// included, grouped in threes from the left (`482 913 577 2`).
    pub fn display(&self) -> String {
        let mut digits = self.digits_without_check();
        digits.push(damm::check_digit(digits.iter().copied()));
        let mut out = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, d) in digits.iter().enumerate() {
            if i > 0 && i % 3 == 0 {
                out.push(' ');
            }
            out.push(char::from(b'0' + d));
        }
        digits.zeroize();
        out
    }

    /// Parses a code as typed: spaces, dashes and dots are ignored; the
    /// check digit is verified before anything else, so a typo is caught
    /// locally and costs nothing.
    pub fn parse(typed: &str) -> Result<Self, CodeError> {
        let mut digits = Vec::with_capacity(16);
        for c in typed.chars() {
            match c {
                '0'..='9' => digits.push(c as u8 - b'0'),
                ' ' | '-' | '.' | '\t' => {}
                other => return Err(CodeError::InvalidCharacter(other)),
            }
        }
        let result = Self::from_digits(&digits);
        digits.zeroize();
        result
    }

    fn from_digits(digits: &[u8]) -> Result<Self, CodeError> {
        let min = MIN_NAMEPLATE_DIGITS + SECRET_DIGITS + 1;
        let max = MAX_NAMEPLATE_DIGITS + SECRET_DIGITS + 1;
        match digits.len() {
            0 => return Err(CodeError::Empty),
            n if n < min => return Err(CodeError::TooShort(n)),
            n if n > max => return Err(CodeError::TooLong(n)),
            _ => {}
        }
        if !damm::is_valid(digits) {
            return Err(CodeError::Typo);
        }
        let plate_len = digits.len() - SECRET_DIGITS - 1;
        let plate_digits = &digits[..plate_len];
        let mut secret = [0u8; SECRET_DIGITS];
        secret.copy_from_slice(&digits[plate_len..plate_len + SECRET_DIGITS]);
        let number = plate_digits
            .iter()
            .fold(0u32, |n, d| n * 10 + u32::from(*d));
        // A leading zero cannot come from the relay: the digits were mangled.
        let nameplate = Nameplate::new(number)
            .filter(|_| plate_digits[0] != 0)
            .ok_or(CodeError::Typo)?;
        Ok(Self::new(nameplate, Secret(secret)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(plate: u32, secret: [u8; 6]) -> Code {
        Code::new(
            Nameplate::new(plate).expect("plate"),
            Secret::from_digits(secret).expect("secret"),
        )
    }

    #[test]
    fn displays_grouped_in_threes_and_round_trips() {
        let c = code(482, [9, 1, 3, 5, 7, 7]);
        let shown = c.display();
        assert!(shown.starts_with("482 913 577 "), "{shown}");
        assert_eq!(shown.len(), 13);
        assert_eq!(Code::parse(&shown), Ok(c));
    }

    #[test]
    fn longer_nameplates_round_trip() {
        for plate in [1000, 99_999, 123_456_789] {
            let c = code(plate, [0, 0, 0, 0, 0, 1]);
            assert_eq!(Code::parse(&c.display()), Ok(c));
        }
    }

    #[test]
    fn the_documented_example_is_a_valid_code() {
        // DESIGN.md's `482 913 577 4` fails its own check digit; ours is right.
        assert!(Code::parse("482 913 577 2").is_ok());
        assert_eq!(Code::parse("482 913 577 4"), Err(CodeError::Typo));
    }

    #[test]
    fn tolerates_separators() {
        let c = code(482, [9, 1, 3, 5, 7, 7]);
        let plain: String = c.display().chars().filter(|c| *c != ' ').collect();
        let dashed = format!("{}-{}.{}", &plain[..3], &plain[3..6], &plain[6..]);
        assert_eq!(Code::parse(&plain), Ok(c.clone()));
        assert_eq!(Code::parse(&dashed), Ok(c.clone()));
        assert_eq!(Code::parse(&format!("  {} ", c.display())), Ok(c));
    }

    #[test]
    fn every_single_digit_typo_and_adjacent_swap_is_caught() {
        let c = code(482, [9, 1, 3, 5, 7, 7]);
        let plain: Vec<u8> = c.display().bytes().filter(|b| *b != b' ').collect();
        for pos in 0..plain.len() {
            for wrong in b'0'..=b'9' {
                if wrong == plain[pos] {
                    continue;
                }
                let mut typo = plain.clone();
                typo[pos] = wrong;
                let typed = String::from_utf8(typo).expect("ascii");
                assert_eq!(Code::parse(&typed), Err(CodeError::Typo), "{typed}");
            }
        }
        for pos in 0..plain.len() - 1 {
            if plain[pos] == plain[pos + 1] {
                continue;
            }
            let mut swapped = plain.clone();
            swapped.swap(pos, pos + 1);
            let typed = String::from_utf8(swapped).expect("ascii");
            assert_eq!(Code::parse(&typed), Err(CodeError::Typo), "{typed}");
        }
    }

    #[test]
    fn rejects_bad_shapes_with_named_errors() {
        assert_eq!(Code::parse(" - "), Err(CodeError::Empty));
        assert_eq!(Code::parse("482 913"), Err(CodeError::TooShort(6)));
        assert_eq!(
            Code::parse("12345678901234567"),
            Err(CodeError::TooLong(17))
        );
        assert_eq!(
            Code::parse("482 91x"),
            Err(CodeError::InvalidCharacter('x'))
        );
    }

    #[test]
    fn secret_is_never_printed() {
        let c = code(482, [9, 1, 3, 5, 7, 7]);
        let debug = format!("{c:?}");
        assert!(!debug.contains("913577"), "{debug}");
        assert!(!debug.contains("9, 1, 3"), "{debug}");
    }

    #[test]
    fn nameplates_travel_as_their_number_and_only_valid_ones_decode() {
        let plate = Nameplate::new(482).expect("plate");
        let as_number = postcard::to_allocvec(&482u32).expect("encode");
        assert_eq!(postcard::to_allocvec(&plate).expect("encode"), as_number);
        assert_eq!(postcard::from_bytes::<Nameplate>(&as_number), Ok(plate));
        for bad in [0u32, 99, 1_000_000_000, u32::MAX] {
            let bytes = postcard::to_allocvec(&bad).expect("encode");
            assert!(postcard::from_bytes::<Nameplate>(&bytes).is_err(), "{bad}");
        }
    }

    #[test]
    fn random_secrets_are_uniform_digits() {
        let mut bytes = (0u8..=255).cycle();
        let mut counts = [0u32; 10];
        for _ in 0..1000 {
            let s = Secret::from_random(|| bytes.next().unwrap_or(0));
            for d in s.password_bytes() {
                counts[usize::from(d - b'0')] += 1;
            }
        }
        // Bytes 250..=255 are rejected, so each digit appears equally often.
        assert!(counts.iter().all(|c| *c == counts[0]), "{counts:?}");
    }
}
