//! One error type for the domain. Every variant says what went wrong *and* what
//! the admin can do about it, because these messages reach the UI unchanged.

use std::fmt;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A cloud profile (usually a custom one, pasted or loaded from a file) is unusable.
    #[error("the cloud profile is not valid: {reason}. {hint}")]
    InvalidCloudProfile { reason: String, hint: &'static str },

    /// The network call did not complete (DNS, TLS, refused connection, timeout).
    #[error(
        "could not reach {endpoint}: {detail}. Check the network connection and the cloud's endpoints, then try again."
    )]
    Unreachable { endpoint: String, detail: String },

    /// The service answered, but not with what the protocol promises.
    #[error("{endpoint} answered with HTTP {status}: {detail}")]
    UnexpectedResponse {
        endpoint: String,
        status: u16,
        detail: String,
    },

    /// The settings file cannot be read or written.
    #[error("the settings file {} cannot be used: {reason}. Fix or delete it; Rolecall then starts from its defaults.", path.display())]
    Settings {
        path: std::path::PathBuf,
        reason: String,
    },

    /// A setting the admin typed is not valid.
    #[error("{field}: {reason}. {hint}")]
    InvalidSetting {
        field: &'static str,
        reason: String,
        hint: &'static str,
    },
}

impl Error {
    /// A stable, machine-readable code for the UI and `--json` output.
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidCloudProfile { .. } => "InvalidCloudProfile",
            Error::Unreachable { .. } => "Unreachable",
            Error::UnexpectedResponse { .. } => "UnexpectedResponse",
            Error::Settings { .. } => "Settings",
            Error::InvalidSetting { .. } => "InvalidSetting",
        }
    }
}

/// Formats a reqwest error with its whole cause chain (TLS failures hide the
/// useful part, e.g. "certificate verify failed", two levels down), never the
/// request itself, so no header or body can leak into a message.
pub(crate) struct ChainDisplay<'a>(pub &'a (dyn std::error::Error + 'static));

impl fmt::Display for ChainDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(cause) = source {
            write!(f, ": {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}
