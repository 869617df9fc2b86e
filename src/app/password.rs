//! Asking for a password again inside the UI after a login was refused: a masked one-line
//! prompt for one endpoint. Enter hands the new password to the runtime (`Effect::SetPassword`,
//! which rebuilds the endpoint's client with it) and reconnects; Esc leaves the endpoint failed.
//! The typed text never reaches a log or a Debug print, and is wiped when the prompt closes.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use secrecy::SecretString;
use zeroize::Zeroizing;

use super::event::Effect;
use super::tree::EndpointId;
use super::{App, Overlay};
use crate::api::ApiError;
use crate::config::PasswordSource;

#[derive(Clone)]
pub struct PasswordPrompt {
    pub endpoint: EndpointId,
    /// Why we ask: the refused login, with the source of the refused password.
    pub reason: String,
    typed: Zeroizing<String>,
}

impl PasswordPrompt {
    /// How many characters were typed: all the dialog shows of them.
    pub fn typed_len(&self) -> usize {
        self.typed.chars().count()
    }
}

impl std::fmt::Debug for PasswordPrompt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordPrompt")
            .field("endpoint", &self.endpoint)
            .field("reason", &self.reason)
            .field("typed", &"[REDACTED]")
            .finish()
    }
}

impl App {
    /// Records where an endpoint's password came from, to name it if the server refuses it
    /// (and to ask again at once when it was typed at a prompt).
    pub fn set_password_source(&mut self, endpoint: EndpointId, source: PasswordSource) {
        if let Some(e) = self.endpoints.get_mut(endpoint) {
            e.password_source = Some(source);
        }
    }

    /// The message for a failed connection; a refused login names the password's source.
    pub(crate) fn connect_failure(&mut self, endpoint: EndpointId, e: &ApiError) -> String {
        let ep = &mut self.endpoints[endpoint];
        ep.login_refused = matches!(e, ApiError::LoginRefused { .. });
        match (&ep.password_source, ep.login_refused) {
            (Some(source), true) => format!("{e} (password from {source})"),
            _ => e.to_string(),
        }
    }

    /// After a refused login: ask at once when the refused password was typed at a prompt
    /// (the user is at the keyboard and expects to be asked), unless another dialog is open.
    pub(crate) fn offer_password_prompt(&mut self, endpoint: EndpointId, reason: &str) {
        let ep = &self.endpoints[endpoint];
        if ep.login_refused
            && ep.password_source == Some(PasswordSource::Prompt)
            && self.overlay.is_none()
        {
            self.open_password_prompt(endpoint, reason.to_string());
        }
    }

    pub(crate) fn open_password_prompt(&mut self, endpoint: EndpointId, reason: String) {
        self.overlay = Some(Overlay::Password(PasswordPrompt {
            endpoint,
            reason,
            typed: Zeroizing::new(String::new()),
        }));
    }

    pub(crate) fn on_password_key(&mut self, key: KeyEvent) -> bool {
        let Some(Overlay::Password(prompt)) = &mut self.overlay else {
            return false;
        };
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('c') if ctrl => self.quit(),
            KeyCode::Char('u') if ctrl => prompt.typed.clear(),
            KeyCode::Char(c) if !ctrl => prompt.typed.push(c),
            KeyCode::Backspace => {
                prompt.typed.pop();
            }
            KeyCode::Esc => self.overlay = None,
            KeyCode::Enter if !prompt.typed.is_empty() => {
                let endpoint = prompt.endpoint;
                let password = SecretString::from(prompt.typed.as_str());
                self.overlay = None;
                let ep = &mut self.endpoints[endpoint];
                ep.password_source = Some(PasswordSource::Prompt);
                ep.login_refused = false;
                self.effects
                    .push(Effect::SetPassword { endpoint, password });
                self.connect(endpoint);
            }
            _ => return false,
        }
        true
    }
}
