//! Remote input as the record keeps it: each key, text, click and scroll
//! on its own, with its outcome; pointer moves aggregated (a count and
//! where the last went) so a minute of mouse work is a few lines, not
//! thousands; typed characters kept or only counted, as the record's
//! `typed_text` setting says.

use crate::record::{Fact, Outcome, TypedText};
use tessera_input::{InputEvent, RefusalKind};

/// Moves not yet recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Moves {
    count: u32,
    x: u32,
    y: u32,
    why: Option<RefusalKind>,
}

/// Turns input events into facts.
#[derive(Debug)]
pub struct InputFacts {
    typed_text: TypedText,
    moves: Option<Moves>,
    /// With typing counted: the keys pressed for a character, whose
    /// release is not recorded either (it would name the key).
    counted: Vec<tessera_input::Key>,
    /// Where the technician's pointer last went (clicks land there).
    pointer: (u32, u32),
}

impl InputFacts {
    /// Keeps typed characters or only counts them.
    pub fn new(typed_text: TypedText) -> Self {
        InputFacts {
            typed_text,
            moves: None,
            pointer: (0, 0),
            counted: Vec::new(),
        }
    }

    /// The facts `event` makes now (`refused`: why it was not injected):
    /// a move waits to be aggregated with the next ones; anything else
    /// first records the moves before it.
    pub fn event(&mut self, event: &InputEvent, refused: Option<RefusalKind>) -> Vec<Fact> {
        let outcome = match refused {
            None => Outcome::Injected,
            Some(_) => Outcome::Refused,
        };
        if let InputEvent::Move { x, y } = *event {
            self.pointer = (x, y);
            return match &mut self.moves {
                Some(moves) if moves.why == refused => {
                    moves.count = moves.count.saturating_add(1);
                    (moves.x, moves.y) = (x, y);
                    Vec::new()
                }
                pending => {
                    let before = pending.take();
                    *pending = Some(Moves {
                        count: 1,
                        x,
                        y,
                        why: refused,
                    });
                    before.map(fact_of).into_iter().collect()
                }
            };
        }
        let keep = self.typed_text == TypedText::Recorded;
        let fact = match event {
            // Counted: a key that types a character is one character, its
            // name untold (KeyA would tell what was typed).
            InputEvent::Key {
                key,
                down: true,
                text: Some(_),
            } if !keep => {
                self.counted.push(*key);
                Fact::Text {
                    text: None,
                    chars: 1,
                    outcome,
                    why: refused,
                }
            }
            InputEvent::Key {
                key, down: false, ..
            } if !keep && self.counted.contains(key) => {
                self.counted.retain(|k| k != key);
                return self.flush().into_iter().collect();
            }
            InputEvent::Key { key, down, text } => Fact::Key {
                key: *key,
                down: *down,
                text: text.filter(|_| keep),
                outcome,
                why: refused,
            },
            InputEvent::Text { text } => Fact::Text {
                text: keep.then(|| text.clone()),
                chars: u32::try_from(text.chars().count()).unwrap_or(u32::MAX),
                outcome,
                why: refused,
            },
            InputEvent::Button { button, down } => Fact::Click {
                button: *button,
                down: *down,
                x: self.pointer.0,
                y: self.pointer.1,
                outcome,
                why: refused,
            },
            InputEvent::Scroll { dx, dy } => Fact::Scroll {
                dx: *dx,
                dy: *dy,
                outcome,
                why: refused,
            },
            InputEvent::Move { .. } => return Vec::new(),
        };
        let mut facts: Vec<Fact> = self.flush().into_iter().collect();
        facts.push(fact);
        facts
    }

    /// The moves waiting, as one fact (before any other fact, and at
    /// each checkpoint).
    pub fn flush(&mut self) -> Option<Fact> {
        self.moves.take().map(fact_of)
    }
}

fn fact_of(moves: Moves) -> Fact {
    Fact::Moves {
        count: moves.count,
        x: moves.x,
        y: moves.y,
        outcome: match moves.why {
            None => Outcome::Injected,
            Some(_) => Outcome::Refused,
        },
        why: moves.why,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_input::{Button, Key};

    #[test]
    fn moves_aggregate_and_clicks_land_where_they_went() {
        let mut facts = InputFacts::new(TypedText::Counted);
        for x in 0..50 {
            assert!(facts.event(&InputEvent::Move { x, y: 7 }, None).is_empty());
        }
        let refused = facts.event(
            &InputEvent::Move { x: 1, y: 1 },
            Some(RefusalKind::LocalUser),
        );
        assert!(matches!(
            refused[..],
            [Fact::Moves {
                count: 50,
                x: 49,
                y: 7,
                ..
            }]
        ));
        let click = facts.event(
            &InputEvent::Button {
                button: Button::Left,
                down: true,
            },
            None,
        );
        assert!(matches!(
            click[0],
            Fact::Moves {
                count: 1,
                outcome: Outcome::Refused,
                ..
            }
        ));
        assert!(matches!(
            click[1],
            Fact::Click {
                x: 1,
                y: 1,
                outcome: Outcome::Injected,
                ..
            }
        ));
        let key = InputEvent::Key {
            key: Key::KeyA,
            down: true,
            text: Some('a'),
        };
        assert!(matches!(
            facts.event(&key, None)[..],
            [Fact::Text {
                text: None,
                chars: 1,
                ..
            }]
        ));
        let release = InputEvent::Key {
            key: Key::KeyA,
            down: false,
            text: None,
        };
        assert!(facts.event(&release, None).is_empty(), "its name untold");
        let enter = InputEvent::Key {
            key: Key::Enter,
            down: true,
            text: None,
        };
        assert!(matches!(
            facts.event(&enter, None)[..],
            [Fact::Key {
                key: Key::Enter,
                ..
            }]
        ));
        let text = InputEvent::Text {
            text: "secret".into(),
        };
        assert!(matches!(
            facts.event(&text, None)[..],
            [Fact::Text {
                text: None,
                chars: 6,
                ..
            }]
        ));
        assert_eq!(facts.flush(), None);
    }
}
