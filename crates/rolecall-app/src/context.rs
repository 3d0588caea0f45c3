//! What every use case works with: one small context, built by each front
//! end from its own state (the window's connection, the CLI's flags).

use std::sync::Arc;

use rolecall_azure::Azure;
use rolecall_grants::Journal;
use rolecall_rbac::Catalogue;

use crate::catalogue::Slot;
use crate::error::{AppError, ErrorKind, Result};

/// The signed-in admin's clients, the cloud's catalogue (read once, kept
/// between runs) and the journal every write is recorded in.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    pub azure: &'a Azure,
    pub catalogue: &'a Slot,
    /// `None` when the journal cannot be opened: then nothing is written.
    pub journal: Option<&'a Journal>,
}

impl<'a> Context<'a> {
    /// The journal, which every write is recorded in. Without it Rolecall
    /// writes nothing: an unrecorded write could be neither resumed nor undone.
    pub fn journal(&self) -> Result<&'a Journal> {
        writable(self.journal)
    }

    /// The cloud's provider-operations catalogue.
    pub async fn catalogue(&self) -> Result<Arc<Catalogue>> {
        self.catalogue.get(self.azure).await
    }
}

/// `journal`, or the refusal to write without one (every write is recorded
/// there, to resume or undo it).
pub fn writable(journal: Option<&Journal>) -> Result<&Journal> {
    journal.ok_or_else(|| {
        AppError::new(
            ErrorKind::Storage,
            "NoJournal",
            "Rolecall writes nothing while its journal cannot be opened (every write is recorded there, to resume or undo it). Check that its data folder can be written to, then try again; the log says what failed.",
        )
    })
}
