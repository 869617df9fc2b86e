//! One error type for everything remote, with messages written for the operator who reads them
//! on the affected node or in the status bar.

use thiserror::Error;

#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum ApiError {
    /// The server answered with an error status; `message` is the server's own words.
    #[error("{status}{}: {message}", code.as_deref().map(|c| format!(" {c}")).unwrap_or_default())]
    Server {
        status: u16,
        code: Option<String>,
        message: String,
    },
    /// The server refused the user's credentials at login (401/403 to the login request), so
    /// the caller can ask for another password or name the source of the one it used.
    #[error("login refused for {user}: {reason}")]
    LoginRefused { user: String, reason: String },
    /// The session could not be established or kept for another reason (no token in the
    /// answer, not logged in, a 401 again right after a re-login).
    #[error("authentication failed: {0}")]
    Auth(String),
    /// Could not reach the server, or the connection broke (timeout, reset, DNS, refused).
    #[error("{0}")]
    Transport(String),
    /// The server's certificate was not accepted.
    #[error("TLS: {message}")]
    Tls { message: String },
    /// The body could not be understood (malformed, truncated, unexpected shape, too large).
    #[error("bad response: {0}")]
    Parse(String),
    /// The server does not offer what was asked (no common API version, action not offered, …).
    #[error("{0}")]
    Unsupported(String),
    #[error("cancelled")]
    Cancelled,
}

impl ApiError {
    pub fn parse(msg: impl Into<String>) -> Self {
        ApiError::Parse(msg.into())
    }

    /// A 401 or 403 to a login request: the credentials, not the connection, are at fault.
    pub fn login_refused(user: &str, status: u16) -> Self {
        let reason = match status {
            403 => "the user may not log in here (HTTP 403)".to_string(),
            s => format!("wrong password or unknown user (HTTP {s})"),
        };
        ApiError::LoginRefused {
            user: user.to_string(),
            reason,
        }
    }

    /// Whether a failed action may still have reached the server and happened: the answer was
    /// lost, cut or mangled on the way back. A 503 or 429 means it was turned away unprocessed.
    pub fn answer_lost(&self) -> bool {
        match self {
            ApiError::Transport(_) | ApiError::Parse(_) => true,
            ApiError::Server { status, .. } => *status >= 500 && *status != 503,
            _ => false,
        }
    }

    /// Whether an idempotent request may be retried after this error.
    pub fn is_retryable(&self) -> bool {
        match self {
            ApiError::Server { status, .. } => *status == 429 || *status >= 500,
            ApiError::Transport(_) => true,
            _ => false,
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
