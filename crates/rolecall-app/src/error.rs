//! One error for every use case: a kind the front ends can match on (the
//! window by its code, the CLI by its exit status) and a message that says
//! what to do.

use std::borrow::Cow;

/// What kind of failure, as a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// What was given is not valid (a template, an id, a file).
    InvalidInput,
    /// The thing named does not exist.
    NotFound,
    /// A rule refuses it (a built-in role, a role still assigned).
    Refused,
    /// A file could not be read or written.
    Storage,
    /// Azure answered with an error.
    Azure,
}

impl ErrorKind {
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::InvalidInput => "InvalidInput",
            ErrorKind::NotFound => "NotFound",
            ErrorKind::Refused => "Refused",
            ErrorKind::Storage => "Storage",
            ErrorKind::Azure => "Azure",
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub kind: ErrorKind,
    /// A finer code where one helps (`BuiltInRole`, `RoleDefinitionHasAssignments`),
    /// or the code Azure or Entra answered with (`AuthorizationFailed`,
    /// `InteractionRequired`), kept so the window can act on it.
    pub code: Cow<'static, str>,
    pub message: String,
}

impl AppError {
    pub fn new(
        kind: ErrorKind,
        code: impl Into<Cow<'static, str>>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            kind,
            code: code.into(),
            message: message.into(),
        }
    }

    pub fn input(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidInput, "InvalidInput", message)
    }
}

impl From<rolecall_azure::AzureError> for AppError {
    fn from(error: rolecall_azure::AzureError) -> Self {
        Self::new(ErrorKind::Azure, error.code(), error.to_string())
    }
}

impl From<rolecall_grants::resolve::ResolveError> for AppError {
    fn from(error: rolecall_grants::resolve::ResolveError) -> Self {
        match error {
            rolecall_grants::resolve::ResolveError::Azure(e) => e.into(),
            other => Self::new(ErrorKind::NotFound, "NotFound", other.to_string()),
        }
    }
}

impl From<rolecall_onboarding::expand::ExpandError> for AppError {
    fn from(error: rolecall_onboarding::expand::ExpandError) -> Self {
        use rolecall_onboarding::expand::ExpandError;
        match error {
            ExpandError::Azure(e) => e.into(),
            ExpandError::Resolve(e) => e.into(),
            other => Self::input(other.to_string()),
        }
    }
}

impl From<rolecall_grants::journal::ClaimError> for AppError {
    fn from(error: rolecall_grants::journal::ClaimError) -> Self {
        Self::new(ErrorKind::Refused, "Running", error.to_string())
    }
}

impl From<rolecall_auth::AuthError> for AppError {
    fn from(error: rolecall_auth::AuthError) -> Self {
        Self::new(ErrorKind::Azure, error.code(), error.to_string())
    }
}

pub type Result<T, E = AppError> = std::result::Result<T, E>;
