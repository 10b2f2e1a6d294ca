//! The Damm check digit: catches every single-digit error and every swap of
//! two adjacent digits, which are the mistakes people make reading a code
//! aloud or typing it.

/// The totally anti-symmetric quasigroup of order 10 (Damm, 2004).
const TABLE: [[u8; 10]; 10] = [
    [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
    [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
    [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
    [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
    [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
    [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
    [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
    [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
    [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
    [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
];

/// The check digit for `digits` (each 0..=9): appending it makes
/// [`is_valid`] true.
pub(crate) fn check_digit(digits: impl IntoIterator<Item = u8>) -> u8 {
    digits.into_iter().fold(0, |interim, d| {
        TABLE[usize::from(interim)][usize::from(d % 10)]
    })
}

/// Whether `digits`, check digit last, pass the Damm check.
pub(crate) fn is_valid(digits: &[u8]) -> bool {
    check_digit(digits.iter().copied()) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vector() {
        assert_eq!(check_digit([5, 7, 2]), 4);
        assert!(is_valid(&[5, 7, 2, 4]));
    }

    fn all_numbers(len: u32) -> impl Iterator<Item = Vec<u8>> {
        (0..10u32.pow(len)).map(move |n| {
            (0..len)
                .rev()
                .map(|i| u8::try_from(n / 10u32.pow(i) % 10).unwrap_or(0))
                .collect()
        })
    }

    #[test]
    fn catches_every_single_digit_error() {
        for mut digits in all_numbers(4) {
            digits.push(check_digit(digits.iter().copied()));
            for pos in 0..digits.len() {
                for wrong in 0..10 {
                    if wrong == digits[pos] {
                        continue;
                    }
                    let mut typo = digits.clone();
                    typo[pos] = wrong;
                    assert!(!is_valid(&typo), "{digits:?} -> {typo:?} not caught");
                }
            }
        }
    }

    #[test]
    fn catches_every_adjacent_swap() {
        for mut digits in all_numbers(4) {
            digits.push(check_digit(digits.iter().copied()));
            for pos in 0..digits.len() - 1 {
                if digits[pos] == digits[pos + 1] {
                    continue;
                }
                let mut swapped = digits.clone();
                swapped.swap(pos, pos + 1);
                assert!(!is_valid(&swapped), "{digits:?} -> {swapped:?} not caught");
            }
        }
    }
}
