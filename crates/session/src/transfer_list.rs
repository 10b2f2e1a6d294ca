//! The transfers of a session as a window lists them, kept from the
//! events: which way each goes, its name, how far it is, and how the last
//! few ended. Both windows (the person's indicator, the technician's
//! files panel) draw this list; only their drawing differs.

use crate::SessionEvent;
use tessera_audit::record::Direction;
use tessera_proto::files::{FileStop, TransferId};

/// Transfers over that stay listed.
pub const ENDED_KEPT: usize = 5;

/// One transfer, as listed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listed {
    /// Its number (what a Stop names).
    pub id: TransferId,
    /// Which way it goes.
    pub dir: Direction,
    /// The file's or the top folder's name.
    pub name: String,
    /// Bytes done (resumed ones included).
    pub done: u64,
    /// Of.
    pub of: u64,
    /// `Some` once over: `None` inside when whole, else why it stopped.
    pub ended: Option<Option<FileStop>>,
}

/// The list.
#[derive(Clone, Debug, Default)]
pub struct TransferList {
    list: Vec<Listed>,
}

impl TransferList {
    /// Follows a session event; `true` when a transfer started (a window
    /// opens its list, so it is seen).
    pub fn event(&mut self, event: &SessionEvent) -> bool {
        match event {
            SessionEvent::FileOffered {
                id,
                dir,
                name,
                bytes,
                resumed,
                ..
            } => {
                self.list.retain(|t| t.id != *id);
                self.list.push(Listed {
                    id: *id,
                    dir: *dir,
                    name: name.clone(),
                    done: *resumed,
                    of: *bytes,
                    ended: None,
                });
                return true;
            }
            SessionEvent::FileProgress { id, bytes, .. } => {
                if let Some(t) = self.running(*id) {
                    t.done = *bytes;
                }
            }
            SessionEvent::FileComplete { id } => self.end(*id, None),
            SessionEvent::FileFailed { id, why, .. } => self.end(*id, Some(*why)),
            _ => {}
        }
        false
    }

    fn running(&mut self, id: TransferId) -> Option<&mut Listed> {
        self.list
            .iter_mut()
            .find(|t| t.id == id && t.ended.is_none())
    }

    fn end(&mut self, id: TransferId, why: Option<FileStop>) {
        if let Some(t) = self.running(id) {
            if why.is_none() {
                t.done = t.of.max(t.done);
            }
            t.ended = Some(why);
        }
        let ended = self.list.iter().filter(|t| t.ended.is_some()).count();
        if ended > ENDED_KEPT {
            if let Some(oldest) = self.list.iter().position(|t| t.ended.is_some()) {
                self.list.remove(oldest);
            }
        }
    }

    /// The transfers, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &Listed> {
        self.list.iter()
    }

    /// Whether there is anything to list.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// How many are under way.
    pub fn running_count(&self) -> usize {
        self.list.iter().filter(|t| t.ended.is_none()).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offered(id: TransferId) -> SessionEvent {
        SessionEvent::FileOffered {
            id,
            dir: Direction::ToAgent,
            name: format!("f{id}"),
            files: 1,
            bytes: 100,
            resumed: 10,
            left_out: vec![],
        }
    }

    #[test]
    fn a_transfer_is_listed_from_offer_to_end_and_the_last_few_stay() {
        let mut list = TransferList::default();
        assert!(list.event(&offered(0)));
        assert_eq!(list.iter().next().map(|t| t.done), Some(10), "resumed");
        list.event(&SessionEvent::FileProgress {
            id: 0,
            bytes: 60,
            of: 100,
        });
        assert_eq!(list.iter().next().map(|t| t.done), Some(60));
        list.event(&SessionEvent::FileFailed {
            id: 0,
            why: FileStop::DiskFull,
            detail: None,
        });
        let first = list.iter().next().expect("listed");
        assert_eq!(
            (first.done, first.ended),
            (60, Some(Some(FileStop::DiskFull)))
        );
        assert_eq!(list.running_count(), 0);
        for id in 1..=ENDED_KEPT as u32 + 2 {
            list.event(&offered(id * 2));
            list.event(&SessionEvent::FileComplete { id: id * 2 });
        }
        assert_eq!(list.iter().count(), ENDED_KEPT);
        assert!(list.iter().all(|t| t.ended == Some(None) && t.done == 100));
    }
}
