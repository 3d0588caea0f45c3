//! An append-only journal of every write: one JSON line per grant created or
//! removed, with its outcome and time, flushed to disk before the next. It
//! holds ids and names, never a token.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::Serialize;

use crate::apply::Outcome;
use crate::model::Grant;

#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: Mutex<File>,
}

#[derive(Serialize)]
struct Entry<'a> {
    at: String,
    action: &'a str,
    grant: &'a Grant,
    #[serde(flatten)]
    outcome: &'a Outcome,
}

impl Journal {
    /// Opens (creating it and its folder when missing) the journal at `path`.
    pub fn open(path: &Path) -> std::io::Result<Self> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(Self {
            path: path.to_owned(),
            file: Mutex::new(file),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one entry. A journal that cannot be written is logged, not
    /// fatal: the grant itself already happened (or not) in Azure.
    pub fn record(&self, action: &str, grant: &Grant, outcome: &Outcome) {
        let entry = Entry {
            at: time::OffsetDateTime::now_utc()
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
            action,
            grant,
            outcome,
        };
        let Ok(mut line) = serde_json::to_vec(&entry) else {
            return;
        };
        line.push(b'\n');
        let mut file = self.file.lock().expect("journal lock");
        if let Err(error) = file.write_all(&line).and_then(|()| file.sync_data()) {
            tracing::error!(path = %self.path.display(), %error, "the journal could not be written");
        }
    }

    /// Every entry so far, as JSON values (for reports and tests).
    pub fn entries(&self) -> std::io::Result<Vec<serde_json::Value>> {
        let text = std::fs::read_to_string(&self.path)?;
        Ok(text
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect())
    }
}
