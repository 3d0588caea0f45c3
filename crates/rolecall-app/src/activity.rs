//! What Rolecall wrote, from the journal: every run and every wizard's batch,
//! across restarts and from both front ends, with undo where it created
//! something.

use rolecall_grants::Journal;
use rolecall_grants::journal::Activity;

use crate::error::{AppError, Result};

/// How many groups the history shows (the journal keeps everything).
pub const SHOWN: usize = 200;

/// The journal's groups of writes, newest first.
pub fn history(journal: &Journal) -> Result<Vec<Activity>> {
    journal.history(SHOWN).map_err(|e| {
        AppError::new(
            crate::ErrorKind::Storage,
            "JournalUnreadable",
            format!(
                "the journal {} cannot be read ({e}); check that the file is there and readable",
                journal.path().display()
            ),
        )
    })
}

/// The undo of the group `id`: what it created, to plan against live state;
/// refused when it created nothing or is not in the journal.
pub fn undo_of(journal: &Journal, id: &str) -> Result<rolecall_grants::Run> {
    let found = journal
        .history(usize::MAX)
        .map_err(|e| AppError::input(format!("the journal cannot be read ({e})")))?
        .into_iter()
        .find(|a| a.id == id)
        .ok_or_else(|| {
            AppError::input("That activity is not in the journal any more; refresh Activity.")
        })?;
    let run = found.undo().ok_or_else(|| {
        AppError::input("That activity created nothing, so there is nothing to undo.")
    })?;
    crate::undo::of_run(run)
}
