//! Carrying out the machine's actions: the relay, the channel, the
//! prompts in the window or at the terminal, timers, the screen share,
//! injection, files and the clipboard. Nothing here decides.

use super::*;

impl Agent {
    /// Carries out one action; returns the end reason on `Finish`.
    pub(super) async fn perform(&mut self, action: AgentAction) -> Option<EndReason> {
        match action {
            AgentAction::Relay(msg) => {
                if let Err(e) = self.link.send(&msg).await {
                    tracing::warn!("relay send failed: {e}");
                    self.inputs
                        .push_back(AgentInput::RelayClosed(Some(e.to_string())));
                }
            }
            AgentAction::StartChannel { peer_fingerprint } => self.start_channel(peer_fingerprint),
            AgentAction::ToViewer(msg) => {
                if self.channel.send(&msg).await.is_err() {
                    self.inputs.push_back(AgentInput::ConnectionLost);
                }
            }
            AgentAction::AskConsent(ask) => match &self.options.ui {
                // The window asks; the terminal only answers when it is
                // the prompt.
                Some(ui) => ui.send(UiCommand::AskConsent(ask)),
                None => {
                    let question = self.terminal.ask_consent(&ask, std::time::Instant::now());
                    self.ask_at_terminal(question);
                }
            },
            AgentAction::AskContinue { timeout } => match &self.options.ui {
                Some(ui) => ui.send(UiCommand::AskContinue { timeout }),
                None => {
                    let question = self
                        .terminal
                        .ask_continue(timeout, std::time::Instant::now());
                    self.ask_at_terminal(question);
                }
            },
            AgentAction::DismissConsent => {
                if let Some(ui) = &self.options.ui {
                    ui.send(UiCommand::Dismiss);
                }
                if let Some(notice) = self.terminal.dismiss() {
                    self.tty.line(notice);
                }
            }
            AgentAction::SetTimer(t, after) => self.timers.set(t, after),
            AgentAction::CancelTimer(t) => self.timers.cancel(t),
            AgentAction::Emit(event) => self.emit(&event),
            AgentAction::Record(recording) => {
                let started = std::time::Instant::now();
                let kept = self.options.keeper.apply(recording);
                // What keeping the record costs (bench/ reads this).
                tracing::debug!(record_us = started.elapsed().as_micros() as u64, "recorded");
                if let Err(why) = kept {
                    self.inputs.push_back(AgentInput::RecordFailed(why));
                }
            }
            AgentAction::ShareScreen(true) => {
                if let Some(conn) = self.channel.connection() {
                    let capture = self.options.capture.clone();
                    let news = self.displays.0.clone();
                    let tap = self.screen_tap.0.clone();
                    self.screen = Some(ScreenShare::start(capture, conn, news, tap));
                }
            }
            AgentAction::ShareScreen(false) => self.screen = None,
            AgentAction::WatchClipboard(on) => {
                if let Some((clipboard, _)) = &self.clipboard {
                    // Never a catch-up: nothing copied while clipboard
                    // was not granted crosses later.
                    clipboard.watch(on, false);
                }
            }
            AgentAction::SetClipboard(clip) => match &self.clipboard {
                Some((clipboard, _)) => clipboard.set(clip),
                None => tracing::warn!("a copy came, but this desktop's clipboard is not open"),
            },
            AgentAction::SendClipboard(clip) => {
                if let Some(sender) = &self.clip_sender {
                    if sender.try_send(clip).is_err() {
                        tracing::warn!("a copy was not sent: too many waiting");
                    }
                }
            }
            AgentAction::Files(order) => {
                if let Some((worker, _)) = &self.files {
                    worker.order(order);
                }
            }
            AgentAction::AskFetch(ask) => match &self.options.ui {
                Some(ui) => ui.send(UiCommand::AskFetch(ask)),
                None => {
                    let question = self.terminal.ask_fetch(&ask, std::time::Instant::now());
                    self.ask_at_terminal(question);
                }
            },
            AgentAction::SendKeyframe => {
                if let Some(screen) = &self.screen {
                    screen.keyframe();
                }
            }
            AgentAction::ScreenShown(seq) => {
                if let Some(screen) = &self.screen {
                    screen.shown(seq);
                }
            }
            AgentAction::VideoShown(seq) => {
                if let Some(screen) = &self.screen {
                    screen.video_shown(seq);
                }
            }
            AgentAction::Inject(event) => match self.options.injector.as_mut() {
                Some(injector) => {
                    if let Err(e) = injector.inject(&event) {
                        tracing::warn!("{e}");
                        // Admitted and recorded as injected: the record
                        // says it did not reach the desktop after all.
                        let fact = Fact::Error {
                            what: format!("input not injected: {e}"),
                        };
                        let kept = self.options.keeper.apply(Recording::Fact(Box::new(fact)));
                        if let Err(why) = kept {
                            self.inputs.push_back(AgentInput::RecordFailed(why));
                        }
                    }
                    // When it reached the X server (bench/ reads this).
                    tracing::debug!(at_us = unix_micros(), "injected");
                }
                None => tracing::warn!("input admitted, but this agent has no desktop to drive"),
            },
            AgentAction::ShowDisplay(index) => {
                if let Some(screen) = &self.screen {
                    screen.show(index);
                }
            }
            AgentAction::Finish(reason) => {
                if let Some(ui) = &self.options.ui {
                    ui.send(UiCommand::Quit);
                }
                return Some(reason);
            }
        }
        None
    }

    /// Shows a question at the terminal: all but its answer line now
    /// (the loop shows that once it may be answered), discarding whatever
    /// was typed before.
    pub(super) fn ask_at_terminal(&mut self, question: Question) {
        self.tty.discard_pending();
        self.tty.line(&question.text);
    }
}
