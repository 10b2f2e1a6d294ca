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

/// What the binary's file worker is told to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileOrder {
    /// Walk this file or folder and offer it as transfer `id`; the worker
    /// answers [`FileNews::Scanned`] or [`FileNews::Failed`].
    Offer {
        /// The transfer.
        id: TransferId,
        /// On this computer.
        path: PathBuf,
    },
    /// A page of a manifest to receive into the receive folder; the last
    /// one is answered [`FileNews::Ready`] or [`FileNews::Failed`]. Only
    /// the `first` starts a transfer in the worker: a later page of one
    /// it already stopped (a failure it reported) starts nothing.
    Take {
        /// The page.
        page: Box<ManifestPage>,
        /// Whether it is the transfer's first.
        first: bool,
    },
    /// The receiver accepted transfer `id`: send its files' streams, each
    /// from where the receiver can resume it.
    Send {
        /// The transfer.
        id: TransferId,
        /// Files the receiver holds part of.
        resume: Vec<ResumeFrom>,
    },
    /// The receiver kept a file under this hash: the sender checks it
    /// against its own and answers [`FileNews::Kept`] or `Failed`.
    Confirmed {
        /// The transfer.
        id: TransferId,
        /// The entry.
        entry: u32,
        /// The receiver's hash.
        sha256: [u8; 32],
    },
    /// The transfer ended before its end: its streams stop, and a
    /// receiver removes what it held.
    Stop {
        /// The transfer.
        id: TransferId,
    },
}

/// What a transfer is, in a person's terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    /// The file's or the top folder's name.
    pub name: String,
    /// How many files (folders not counted).
    pub files: u32,
    /// Their bytes.
    pub bytes: u64,
    /// Bytes the receiver already held of them (a cut transfer's parts
    /// it resumes from); 0 for a sender.
    pub resumed: u64,
    /// The sender: what its walk left out (links, special files, names
    /// the receiver would refuse), each as "path: why", at most
    /// [`MAX_LEFT_OUT`].
    pub left_out: Vec<String>,
}

/// Most left-out items an offer says (the rest are counted).
pub const MAX_LEFT_OUT: usize = 20;

/// What the file worker reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileNews {
    /// The sender's walk is done: the manifest to offer.
    Scanned {
        /// The transfer.
        id: TransferId,
        /// The manifest, page by page.
        pages: Vec<ManifestPage>,
        /// What it holds.
        summary: Summary,
    },
    /// The receiver took the whole manifest: every path passed its rules
    /// and the folders are made.
    Ready {
        /// The transfer.
        id: TransferId,
        /// What it already holds of cut files.
        resume: Vec<ResumeFrom>,
        /// What the transfer holds.
        summary: Summary,
    },
    /// Bytes so far (at most a few times a second).
    Progress {
        /// The transfer.
        id: TransferId,
        /// Done.
        bytes: u64,
        /// Of.
        of: u64,
    },
    /// A file is kept: the receiver's hash matched the sender's.
    Kept {
        /// The transfer.
        id: TransferId,
        /// The entry.
        entry: u32,
        /// Where it is: the name it got (receiver) or was sent under.
        name: String,
        /// Its size.
        bytes: u64,
        /// Its SHA-256.
        sha256: [u8; 32],
        /// Whether this end received it (else it sent it).
        received: bool,
    },
    /// The transfer cannot go on; the worker already removed what it
    /// held of it.
    Failed {
        /// The transfer.
        id: TransferId,
        /// Why.
        why: FileStop,
        /// In words (a path, the system's message).
        detail: String,
    },
}

/// One step's effects, which the machine that holds the transfers turns
/// into its own actions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileStep {
    /// Send this to the other end.
    Peer(FileMsg),
    /// Tell the file worker.
    Order(FileOrder),
    /// Report this (and record what it tells).
    Emit(SessionEvent),
    /// The technician asks for a file of the person's (agent only): a
    /// question to the person, Deny by default.
    AskFetch {
        /// The transfer it would be.
        id: TransferId,
        /// The path asked for, checked as one line of text.
        path: String,
    },
}

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

    /// What the file worker reports. (A walk that ends after its
    /// transfer was stopped offers nothing: it is no longer open.)
    pub fn news(&mut self, news: FileNews, out: &mut Vec<FileStep>) {
        let id = match &news {
            FileNews::Scanned { id, .. }
            | FileNews::Ready { id, .. }
            | FileNews::Progress { id, .. }
            | FileNews::Kept { id, .. }
            | FileNews::Failed { id, .. } => *id,
        };
        if !self.open.contains_key(&id) {
            return self.news_of_closed(news, out);
        }
        match news {
            FileNews::Scanned { id, pages, summary } => {
                let sending = self.direction(true);
                let Some(transfer) = self.open.get_mut(&id) else {
                    return;
                };
                if transfer.phase != Phase::Scanning {
                    return;
                }
                transfer.phase = Phase::Offered;
                transfer.files = summary.files;
                for page in pages {
                    out.push(FileStep::Peer(FileMsg::Offer(Box::new(page))));
                }
                out.push(offered(id, sending, summary));
            }
            FileNews::Ready {
                id,
                resume,
                summary,
            } => {
                let receiving = self.direction(false);
                let Some(transfer) = self.open.get_mut(&id) else {
                    return;
                };
                if transfer.phase != Phase::Checking {
                    return;
                }
                transfer.phase = Phase::Running;
                transfer.files = summary.files;
                out.push(FileStep::Peer(FileMsg::Accept { id, resume }));
                out.push(offered(id, receiving, summary));
                self.complete_if_done(id, out);
            }
            FileNews::Progress { id, bytes, of } => {
                if self.open.contains_key(&id) {
                    out.push(FileStep::Emit(SessionEvent::FileProgress { id, bytes, of }));
                }
            }
            FileNews::Kept {
                id,
                entry,
                name,
                bytes,
                sha256,
                ..
            } => {
                let Some(transfer) = self.open.get_mut(&id) else {
                    return;
                };
                transfer.kept = transfer.kept.saturating_add(1);
                let sending = transfer.sending;
                if !sending {
                    out.push(FileStep::Peer(FileMsg::Done { id, entry, sha256 }));
                }
                out.push(FileStep::Emit(SessionEvent::FileDone {
                    id,
                    dir: self.direction(sending),
                    name,
                    bytes,
                    sha256: hex::encode(sha256),
                }));
                self.complete_if_done(id, out);
            }
            FileNews::Failed { id, why, detail } => {
                if let Some(transfer) = self.open.remove(&id) {
                    // Words about a hostile manifest may quote it.
                    let detail = shown_detail(&detail);
                    if self.known_there(&transfer) {
                        out.push(FileStep::Peer(FileMsg::Cancel {
                            id,
                            why,
                            detail: Some(detail.clone()),
                        }));
                    }
                    out.push(failed(id, why, Some(detail)));
                }
            }
        }
    }

    /// News of a transfer no longer open (stopped meanwhile): whatever
    /// the worker still holds of it stops; a file it kept just before is
    /// recorded all the same (the person has it), not confirmed.
    fn news_of_closed(&mut self, news: FileNews, out: &mut Vec<FileStep>) {
        match news {
            FileNews::Failed { .. } => {}
            FileNews::Kept {
                id,
                name,
                bytes,
                sha256,
                received: true,
                ..
            } => {
                out.push(FileStep::Emit(SessionEvent::FileDone {
                    id,
                    dir: self.direction(false),
                    name,
                    bytes,
                    sha256: hex::encode(sha256),
                }));
                out.push(FileStep::Order(FileOrder::Stop { id }));
            }
            FileNews::Scanned { id, .. }
            | FileNews::Ready { id, .. }
            | FileNews::Progress { id, .. }
            | FileNews::Kept { id, .. } => out.push(FileStep::Order(FileOrder::Stop { id })),
        }
    }

    /// Whether transfer `id` is open.
    pub fn is_open(&self, id: TransferId) -> bool {
        self.open.contains_key(&id)
    }

    /// A running transfer whose files are all kept is over.
    fn complete_if_done(&mut self, id: TransferId, out: &mut Vec<FileStep>) {
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

#[cfg(test)]
mod tests;
