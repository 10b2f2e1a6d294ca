//! The files a session carries, as each machine follows them: who may
//! start a transfer, how many run at once, which message may come when,
//! and what the person, the technician and the record are told. Sans-IO
//! like the machines that hold it: the bytes, the disk and the hashes are
//! the binary's file worker (`tessera_files::worker`), which is told
//! [`FileOrder`]s and reports [`FileNews`].
//!
//! Every transfer is started by the technician (a send or a fetch), so
//! its number is the viewer's: even, and each new one greater than the
//! last. A message about a number below that which is no longer open is
//! late (the transfer was cancelled meanwhile) and ignored; one about a
//! number never opened is a protocol error.

use crate::event::SessionEvent;
use std::collections::BTreeMap;
use std::path::PathBuf;
use tessera_audit::record::Direction;
use tessera_proto::files::{EntryKind, FileMsg, FileStop, ManifestPage, ResumeFrom, TransferId};
use tessera_proto::Permission;

/// Most transfers open at once in a session (asked, offered or running):
/// a ninth is refused, named, until one ends.
pub const MAX_TRANSFERS: usize = 8;

pub use messages::{FileNews, FileOrder, FileStep, Summary, MAX_LEFT_OUT};

/// Where a transfer is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Viewer: a fetch was asked, the agent's offer is awaited.
    Fetching,
    /// Agent: the person is being asked about a fetch.
    Asking,
    /// The sender's walk is running.
    Scanning,
    /// The sender offered; the receiver's answer is awaited.
    Offered,
    /// The receiver takes pages.
    Listing,
    /// The receiver has every page; the worker checks them.
    Checking,
    /// Files flow.
    Running,
}

struct Transfer {
    /// Whether this end sends its files.
    sending: bool,
    phase: Phase,
    /// Files in it, once known.
    files: u32,
    /// Files kept so far.
    kept: u32,
    /// Whether a page of it was taken (the next is not the first).
    listing: bool,
    /// Viewer, a fetch: the name its list must start with (the last
    /// name of the path asked for).
    expect: Option<String>,
}

/// Which end holds the transfers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// The person's end: it receives sends and answers fetches.
    Agent,
    /// The technician's end: it numbers every transfer.
    Viewer,
}

/// The transfers of one session, and their rules.
pub struct Transfers {
    end: End,
    open: BTreeMap<TransferId, Transfer>,
    /// One past the highest number used (the next a viewer gives).
    next: TransferId,
}

/// A message broke the protocol; the session ends with these words.
pub type Violation = String;

impl Transfers {
    /// No transfers yet.
    pub fn new(end: End) -> Self {
        Self {
            end,
            open: BTreeMap::new(),
            next: 0,
        }
    }

    /// How many are open.
    pub fn len(&self) -> usize {
        self.open.len()
    }

    /// Whether none is open.
    pub fn is_empty(&self) -> bool {
        self.open.is_empty()
    }

    /// Whether the other end knows of `transfer`: all but a viewer's
    /// walk not yet offered.
    fn known_there(&self, transfer: &Transfer) -> bool {
        !(self.end == End::Viewer && transfer.phase == Phase::Scanning)
    }

    fn direction(&self, sending: bool) -> Direction {
        match (self.end, sending) {
            (End::Viewer, true) | (End::Agent, false) => Direction::ToAgent,
            (End::Viewer, false) | (End::Agent, true) => Direction::ToViewer,
        }
    }

    /// Viewer: a number for a new transfer, or a refusal (said as a
    /// failed transfer, so the technician sees the number it would have).
    fn open_new(&mut self, granted: bool, phase: Phase, out: &mut Vec<FileStep>) -> Option<u32> {
        let id = self.next;
        self.next = self.next.saturating_add(2);
        if !granted {
            out.push(FileStep::Emit(SessionEvent::Refused {
                permission: Permission::Files,
                reason: "not_granted",
            }));
            return None;
        }
        if self.open.len() >= MAX_TRANSFERS {
            out.push(failed(id, FileStop::Refused, Some(too_many())));
            return None;
        }
        let sending = phase == Phase::Scanning;
        self.open.insert(
            id,
            Transfer {
                sending,
                phase,
                files: 0,
                kept: 0,
                listing: false,
                expect: None,
            },
        );
        Some(id)
    }

    /// Viewer: the technician sends this file or folder to the person.
    pub fn send(&mut self, path: PathBuf, granted: bool, out: &mut Vec<FileStep>) {
        if let Some(id) = self.open_new(granted, Phase::Scanning, out) {
            out.push(FileStep::Order(FileOrder::Offer { id, path }));
        }
    }

    /// Viewer: the technician asks for this file or folder of the
    /// person's (checked as the agent will check it).
    pub fn fetch(&mut self, path: String, granted: bool, out: &mut Vec<FileStep>) {
        let Some(id) = self.open_new(granted, Phase::Fetching, out) else {
            return;
        };
        let expect = path
            .rsplit('/')
            .find(|name| !name.is_empty())
            .map(String::from);
        let msg = FileMsg::Fetch { id, path };
        let checked = msg.validate().map_err(|e| e.to_string());
        let checked = checked.and_then(|()| match &msg {
            FileMsg::Fetch { path, .. } => check_fetch_path(path),
            _ => Ok(()),
        });
        if let Err(e) = checked {
            self.open.remove(&id);
            return out.push(failed(id, FileStop::Refused, Some(e)));
        }
        if let Some(transfer) = self.open.get_mut(&id) {
            transfer.expect = expect.filter(|name| name != "~");
        }
        out.push(FileStep::Peer(msg));
    }

    /// Agent: the person answered the question about fetch `id`.
    pub fn fetch_answered(
        &mut self,
        id: TransferId,
        path: Option<PathBuf>,
        out: &mut Vec<FileStep>,
    ) {
        let Some(transfer) = self.open.get_mut(&id) else {
            return;
        };
        if transfer.phase != Phase::Asking {
            return;
        }
        match path {
            Some(path) => {
                transfer.phase = Phase::Scanning;
                out.push(FileStep::Order(FileOrder::Offer { id, path }));
            }
            None => self.stop(id, FileStop::Denied, None, out),
        }
    }

    /// Either end stops a transfer (the person's Stop, the technician's
    /// cancel, a question denied): the other end is told, the worker
    /// stops it, and it is reported.
    pub fn stop(
        &mut self,
        id: TransferId,
        why: FileStop,
        detail: Option<String>,
        out: &mut Vec<FileStep>,
    ) {
        let Some(transfer) = self.open.remove(&id) else {
            return;
        };
        if self.known_there(&transfer) {
            out.push(FileStep::Peer(FileMsg::Cancel {
                id,
                why,
                detail: detail.clone(),
            }));
        }
        out.push(FileStep::Order(FileOrder::Stop { id }));
        out.push(failed(id, why, detail));
    }

    /// Every transfer stops (`files` taken back).
    pub fn stop_all(&mut self, why: FileStop, out: &mut Vec<FileStep>) {
        let ids: Vec<TransferId> = self.open.keys().copied().collect();
        for id in ids {
            self.stop(id, why, None, out);
        }
    }

    /// The numbers of the open transfers.
    pub fn ids(&self) -> Vec<TransferId> {
        self.open.keys().copied().collect()
    }

    /// A message from the other end. `granted`: whether `files` is.
    pub fn from_peer(
        &mut self,
        msg: FileMsg,
        granted: bool,
        out: &mut Vec<FileStep>,
    ) -> Result<(), Violation> {
        msg.validate().map_err(|e| e.to_string())?;
        let id = msg.id();
        if !self.open.contains_key(&id) {
            return self.not_open(msg, granted, out);
        }
        match msg {
            FileMsg::Fetch { .. } => Err(format!("transfer {id} was asked for twice")),
            FileMsg::Offer(page) => self.offered(*page, out),
            FileMsg::Accept { resume, .. } => self.accepted(id, resume, out),
            FileMsg::Cancel { why, detail, .. } => {
                self.open.remove(&id);
                out.push(FileStep::Order(FileOrder::Stop { id }));
                out.push(failed(id, why, detail));
                Ok(())
            }
            FileMsg::Done { entry, sha256, .. } => match self.open.get(&id) {
                Some(t) if t.sending && t.phase == Phase::Running => {
                    out.push(FileStep::Order(FileOrder::Confirmed { id, entry, sha256 }));
                    Ok(())
                }
                _ => Err(format!(
                    "a file of transfer {id} was confirmed out of order"
                )),
            },
        }
    }

    /// A message about a transfer that is not open: a new one (agent),
    /// a late one, or a violation.
    fn not_open(
        &mut self,
        msg: FileMsg,
        granted: bool,
        out: &mut Vec<FileStep>,
    ) -> Result<(), Violation> {
        let id = msg.id();
        if id < self.next {
            return Ok(()); // late: that transfer is over
        }
        let starts = matches!(&msg, FileMsg::Fetch { .. } | FileMsg::Offer(_));
        if self.end == End::Viewer || !starts {
            return Err(format!(
                "a message about transfer {id}, which was never started"
            ));
        }
        if !id.is_multiple_of(2) {
            return Err(format!(
                "transfer {id} is not a number the technician's end gives"
            ));
        }
        self.next = id.saturating_add(2);
        let refusal = if !granted {
            Some((FileStop::NotGranted, None))
        } else if self.open.len() >= MAX_TRANSFERS {
            Some((FileStop::Refused, Some(too_many())))
        } else {
            None
        };
        if let Some((why, detail)) = refusal {
            // Its later pages are then late, and ignored.
            out.push(FileStep::Peer(FileMsg::Cancel {
                id,
                why,
                detail: detail.clone(),
            }));
            if why == FileStop::NotGranted {
                out.push(FileStep::Emit(SessionEvent::Refused {
                    permission: Permission::Files,
                    reason: "not_granted",
                }));
            } else {
                out.push(failed(id, why, detail));
            }
            return Ok(());
        }
        match msg {
            FileMsg::Fetch { path, .. } => {
                if let Err(why) = check_fetch_path(&path) {
                    out.push(FileStep::Peer(FileMsg::Cancel {
                        id,
                        why: FileStop::Refused,
                        detail: Some(why.clone()),
                    }));
                    out.push(failed(id, FileStop::Refused, Some(why)));
                    return Ok(());
                }
                self.insert(id, true, Phase::Asking);
                out.push(FileStep::AskFetch { id, path });
                Ok(())
            }
            FileMsg::Offer(page) => {
                self.insert(id, false, Phase::Listing);
                self.offered(*page, out)
            }
            _ => Ok(()), // not reached: `starts`
        }
    }

    fn insert(&mut self, id: TransferId, sending: bool, phase: Phase) {
        let transfer = Transfer {
            sending,
            phase,
            files: 0,
            kept: 0,
            listing: false,
            expect: None,
        };
        self.open.insert(id, transfer);
    }

    /// A page of the sender's manifest, for a transfer this end receives.
    fn offered(
        &mut self,
        mut page: ManifestPage,
        out: &mut Vec<FileStep>,
    ) -> Result<(), Violation> {
        let id = page.id;
        let viewer = self.end == End::Viewer;
        let Some(transfer) = self.open.get_mut(&id) else {
            return Ok(());
        };
        let first = !transfer.listing;
        if first {
            // A fetch brings what was asked for, not something else.
            let top = page.entries.first().and_then(|e| e.path.split('/').next());
            if let (Some(expect), Some(top)) = (&transfer.expect, top) {
                if expect != top {
                    let why = format!("the agent offered {top:?}, not the {expect:?} asked for");
                    self.stop(id, FileStop::Refused, Some(shown_detail(&why)), out);
                    return Ok(());
                }
            }
        }
        if viewer {
            // What a person's computer sends does not run by itself on
            // the technician's.
            for entry in &mut page.entries {
                if let EntryKind::File { executable, .. } = &mut entry.kind {
                    *executable = false;
                }
            }
        }
        if transfer.phase == Phase::Fetching {
            transfer.phase = Phase::Listing; // the answer to our fetch
        }
        if transfer.sending || transfer.phase != Phase::Listing {
            return Err(format!("a page of transfer {id} came out of order"));
        }
        transfer.listing = true;
        if page.last {
            transfer.phase = Phase::Checking;
        }
        let page = Box::new(page);
        out.push(FileStep::Order(FileOrder::Take { page, first }));
        Ok(())
    }

    /// The receiver accepted one of this end's offers.
    fn accepted(
        &mut self,
        id: TransferId,
        resume: Vec<ResumeFrom>,
        out: &mut Vec<FileStep>,
    ) -> Result<(), Violation> {
        let Some(transfer) = self.open.get_mut(&id) else {
            return Ok(());
        };
        if !transfer.sending || transfer.phase != Phase::Offered {
            return Err(format!("transfer {id} was accepted out of order"));
        }
        transfer.phase = Phase::Running;
        out.push(FileStep::Order(FileOrder::Send { id, resume }));
        self.complete_if_done(id, out);
        Ok(())
    }

    /// Whether transfer `id` is open.
    pub fn is_open(&self, id: TransferId) -> bool {
        self.open.contains_key(&id)
    }

    /// A running transfer whose files are all kept is over.
    pub(super) fn complete_if_done(&mut self, id: TransferId, out: &mut Vec<FileStep>) {
        if let Some(t) = self.open.get(&id) {
            if t.phase == Phase::Running && t.kept >= t.files {
                self.open.remove(&id);
                out.push(FileStep::Emit(SessionEvent::FileComplete { id }));
            }
        }
    }
}

/// The rule for the path a fetch names: absolute, or in the person's
/// home (`~/`), with no `.` or `..` among its names, so the person reads
/// exactly which file or folder would be sent.
pub fn check_fetch_path(path: &str) -> Result<(), String> {
    let rest = path
        .strip_prefix("~/")
        .or_else(|| path.strip_prefix('/'))
        .ok_or("the path must start with / or ~/ (the person reads exactly which file)")?;
    if rest.split('/').any(|name| name == "." || name == "..") {
        return Err("the path must not hold . or .. (the person reads exactly which file)".into());
    }
    Ok(())
}

/// `text` as the other end will accept and show it: invisible and
/// control characters replaced, cut to a chat line's length.
fn shown_detail(text: &str) -> String {
    text.chars()
        .map(
            |c| match c.is_control() || tessera_proto::peer::is_invisible(c) {
                true => '\u{FFFD}',
                false => c,
            },
        )
        .take(MAX_DETAIL_CHARS)
        .collect()
}

/// Longest detail a `Cancel` carries.
const MAX_DETAIL_CHARS: usize = 400;

fn too_many() -> String {
    format!("at most {MAX_TRANSFERS} transfers at once: wait for one to end")
}

fn failed(id: TransferId, why: FileStop, detail: Option<String>) -> FileStep {
    FileStep::Emit(SessionEvent::FileFailed { id, why, detail })
}

fn offered(id: TransferId, dir: Direction, summary: Summary) -> FileStep {
    FileStep::Emit(SessionEvent::FileOffered {
        id,
        dir,
        name: summary.name,
        files: summary.files,
        bytes: summary.bytes,
        resumed: summary.resumed,
        left_out: summary.left_out,
    })
}

mod messages;
mod news;
#[cfg(test)]
mod tests;
