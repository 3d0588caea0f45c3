//! Undoing a past run: what it created, from its report (in memory, or the
//! JSON file the app exports and `rolecall-cli --report` saves).

use rolecall_grants::Run;

use crate::error::{AppError, Result};

/// The undo of a run, refused when the run created nothing.
pub fn of_run(undo: Run) -> Result<Run> {
    if undo.grants.is_empty() && undo.custom_roles.is_empty() {
        return Err(AppError::input(
            "That run created nothing, so there is nothing to undo.",
        ));
    }
    Ok(undo)
}

/// The undo of a run from its JSON report's text (checked as untrusted input).
pub fn of_report(text: &str) -> Result<Run> {
    of_run(rolecall_grants::report::undo(text).map_err(AppError::input)?)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_run_that_created_nothing_has_nothing_to_undo() {
        let empty = serde_json::json!({"title": "t", "grants": []}).to_string();
        let refused = super::of_report(&empty).unwrap_err();
        assert!(refused.message.contains("nothing to undo"), "{refused}");
        assert!(
            super::of_report("{")
                .unwrap_err()
                .message
                .contains("not a Rolecall JSON report")
        );
    }
}
