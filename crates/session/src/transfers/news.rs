//! What the file worker reports, as the transfers take it: offers to
//! send, lists taken, progress, files kept, failures; and news of a
//! transfer no longer open, which stops what the worker still holds.

use super::*;

impl Transfers {
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
}
