//! The session record's exchange with the viewer: this end's audit
//! messages sent as they come, its record closed at the end (and the
//! person told where it is), the viewer's last cosignatures answered.

use super::*;

impl Agent {
    /// Sends the record's audit messages to the viewer, once the channel
    /// is up (the first ones wait for it).
    pub(super) async fn send_audit(&mut self) {
        if self.channel.connection().is_none() {
            return;
        }
        for msg in self.options.keeper.take_to_peer() {
            let msg = tessera_proto::peer::AgentMsg::Audit(Box::new(msg));
            if self.channel.send(&msg).await.is_err() {
                self.inputs.push_back(AgentInput::ConnectionLost);
                return;
            }
        }
    }

    /// Closes the record: its final checkpoint goes to the viewer, and
    /// the person is told where the record is.
    pub(super) async fn close_record(&mut self) {
        match self.options.keeper.close() {
            Some(Ok(folder)) => {
                self.send_audit().await;
                let folder = folder.display().to_string();
                self.tty
                    .line(&terminal::recorded_in(&folder, self.options.lang));
                if let Some(ui) = &self.options.ui {
                    ui.send(UiCommand::Recorded(folder));
                }
            }
            Some(Err(why)) => tracing::warn!("{why}"),
            None => {}
        }
    }

    /// Answers the viewer's last audit messages for a moment after the
    /// end, so each record's final checkpoint is cosigned by the other
    /// end (`RECORD_SETTLE` at most; a little longer once ours is, for
    /// the viewer's final one to be answered).
    pub(super) async fn settle_record(&mut self) {
        if self.options.keeper.live.is_none() || self.channel.connection().is_none() {
            return;
        }
        let mut deadline = tokio::time::Instant::now() + RECORD_SETTLE;
        loop {
            if self.options.keeper.settled() {
                deadline = deadline.min(tokio::time::Instant::now() + RECORD_GRACE);
            }
            let event = tokio::select! {
                event = self.channel.next() => event,
                _ = tokio::time::sleep_until(deadline) => return,
            };
            match event {
                ChannelEvent::Message(ViewerMsg::Audit(msg)) => {
                    let from_peer = tessera_session::record::Recording::FromPeer(msg);
                    if let Err(why) = self.options.keeper.apply(from_peer) {
                        tracing::warn!("{why}");
                        return;
                    }
                    self.send_audit().await;
                }
                ChannelEvent::Message(_) => {}
                _ => return,
            }
        }
    }
}
