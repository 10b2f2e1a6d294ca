//! What a technician may do in a session. The agent is the only authority:
//! it decides the grants and checks them on every message.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One thing a technician can ask to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// See the screen.
    View,
    /// Type and click.
    Control,
    /// Read and write the clipboard.
    Clipboard,
    /// Send and fetch files.
    Files,
    /// Exchange chat messages.
    Chat,
}

impl Permission {
    /// Every permission, in the order prompts list them.
    pub const ALL: [Permission; 5] = [
        Permission::View,
        Permission::Control,
        Permission::Clipboard,
        Permission::Files,
        Permission::Chat,
    ];

    fn bit(self) -> u8 {
        match self {
            Permission::View => 1,
            Permission::Control => 2,
            Permission::Clipboard => 4,
            Permission::Files => 8,
            Permission::Chat => 16,
        }
    }

    /// The name used on the command line and in JSON events.
    pub fn name(self) -> &'static str {
        match self {
            Permission::View => "view",
            Permission::Control => "control",
            Permission::Clipboard => "clipboard",
            Permission::Files => "files",
            Permission::Chat => "chat",
        }
    }

    /// Parses a name as given on the command line.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// A set of permissions. On the wire it is a list, so an unknown name is a
/// decode error rather than a silently ignored bit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "Vec<Permission>", into = "Vec<Permission>")]
pub struct Grants(u8);

impl Grants {
    /// No permission at all.
    pub const NONE: Grants = Grants(0);

    /// Every permission there is (what "Ask for more" can still ask is
    /// this without what is granted).
    pub const ALL: Grants = Grants(0b1_1111);

    /// Whether `p` is in the set.
    pub fn contains(self, p: Permission) -> bool {
        self.0 & p.bit() != 0
    }

    /// The set with `p` added.
    pub fn with(self, p: Permission) -> Self {
        Self(self.0 | p.bit())
    }

    /// The set with `p` removed.
    pub fn without(self, p: Permission) -> Self {
        Self(self.0 & !p.bit())
    }

    /// What both sets hold: the agent never grants more than was asked.
    pub fn intersect(self, other: Grants) -> Self {
        Self(self.0 & other.0)
    }

    /// What either set holds.
    pub fn union(self, other: Grants) -> Self {
        Self(self.0 | other.0)
    }

    /// What this set holds and `other` does not.
    pub fn difference(self, other: Grants) -> Self {
        Self(self.0 & !other.0)
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The permissions in the set, in canonical order.
    pub fn iter(self) -> impl Iterator<Item = Permission> {
        Permission::ALL
            .into_iter()
            .filter(move |p| self.contains(*p))
    }

    /// Parses `view,control,chat` as given to `--request`.
    pub fn parse_list(list: &str) -> Result<Self, String> {
        list.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .try_fold(Grants::NONE, |g, name| {
                Permission::from_name(name).map(|p| g.with(p)).ok_or_else(|| {
                    format!("unknown permission {name:?}: use view, control, clipboard, files or chat")
                })
            })
    }
}

impl FromIterator<Permission> for Grants {
    fn from_iter<I: IntoIterator<Item = Permission>>(iter: I) -> Self {
        iter.into_iter().fold(Grants::NONE, Grants::with)
    }
}

impl From<Vec<Permission>> for Grants {
    fn from(v: Vec<Permission>) -> Self {
        v.into_iter().collect()
    }
}

impl From<Grants> for Vec<Permission> {
    fn from(g: Grants) -> Self {
        g.iter().collect()
    }
}

impl fmt::Display for Grants {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("nothing");
        }
        let names: Vec<&str> = self.iter().map(Permission::name).collect();
        f.write_str(&names.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_display() {
        let g = Grants::parse_list("chat, view").expect("valid");
        assert!(g.contains(Permission::View) && g.contains(Permission::Chat));
        assert!(!g.contains(Permission::Control));
        assert_eq!(g.to_string(), "view, chat");
        assert!(Grants::parse_list("view,admin").is_err());
    }

    #[test]
    fn intersect_never_adds() {
        let asked = Grants::parse_list("view,chat").expect("valid");
        let all: Grants = Permission::ALL.into_iter().collect();
        assert_eq!(all.intersect(asked), asked);
        assert_eq!(asked.intersect(Grants::NONE), Grants::NONE);
    }

    #[test]
    fn union_and_difference() {
        let view = Grants::parse_list("view").expect("valid");
        let asked = Grants::parse_list("view,chat").expect("valid");
        assert_eq!(
            asked.difference(view),
            Grants::parse_list("chat").expect("valid")
        );
        assert_eq!(view.difference(asked), Grants::NONE);
        assert_eq!(view.union(asked), asked);
    }

    #[test]
    fn all_is_every_permission() {
        let every = Permission::ALL.into_iter().fold(Grants::NONE, Grants::with);
        assert_eq!(Grants::ALL, every);
    }
}
