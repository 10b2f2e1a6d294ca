//! The session record's exchange with the agent: this end's audit
//! messages sent as they come, its record closed at the end (and where
//! it is said), the agent's last cosignatures answered.

use super::*;

impl<F: Front> Viewer<F> {
    /// Sends the record's audit messages to the agent, once the channel
    /// is up (the first ones wait for it).
    pub(super) async fn send_audit(&mut self) {
        if self.channel.connection().is_none() {
            return;
        }
        for msg in self.keeper.take_to_peer() {
            if self
                .channel
                .send(&ViewerMsg::Audit(Box::new(msg)))
                .await
                .is_err()
            {
                self.inputs.push_back(ViewerInput::ConnectionLost);
                return;
            }
        }
    }

    /// Answers the agent's last audit messages for a moment after the end,
    /// so each record's final checkpoint is cosigned by the other end
    /// (`RECORD_SETTLE` at most; a little longer once ours is, for the
    /// agent's final one to be answered).
    pub(super) async fn settle_record(&mut self) {
        if self.keeper.live.is_none() || self.channel.connection().is_none() {
            return;
        }
        let mut deadline = tokio::time::Instant::now() + RECORD_SETTLE;
        loop {
            if self.keeper.settled() {
                deadline = deadline.min(tokio::time::Instant::now() + RECORD_GRACE);
            }
            let event = tokio::select! {
                event = self.channel.next() => event,
                _ = tokio::time::sleep_until(deadline) => return,
            };
            match event {
                ChannelEvent::Message(AgentMsg::Audit(msg)) => {
                    if let Err(why) = self.keeper.apply(Recording::FromPeer(msg)) {
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

    /// Closes the record (its final checkpoint goes to the agent) and
    /// says where it is.
    pub(super) async fn close_record(&mut self) {
        match self.keeper.close() {
            Some(Ok(folder)) => {
                self.send_audit().await;
                eprintln!("tessera-viewer: session recorded in {}", folder.display());
            }
            Some(Err(why)) => tracing::warn!("{why}"),
            None => {}
        }
    }
}
