//! An append-only journal of every write: one JSON line per grant created or
//! removed, with its outcome and time, flushed to disk before the next. It
//! holds ids and names, never a token.
//!
//! Writes made as part of a [`Run`] (an onboarding, an offboarding) carry the
//! run's id, and the run's whole intent is written first (`begin`) and its
//! end last (`end`): a run that began and never ended was interrupted (a
//! crash, a closed window, a lost connection) and [`Journal::unfinished`]
//! finds it so it can be resumed. Resuming re-plans the same grants against
//! live state, so what was done is not done twice and nothing is left out.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use crate::model::{Grant, Outcome};
/// Runs are modelled in `model`; these paths stay for callers.
pub use crate::model::{Removes, Run, RunGrant, RunKind, RunRole};

/// A handle on the journal file; [`Journal::for_run`] makes one whose
/// entries carry a run id.
#[derive(Debug, Clone)]
pub struct Journal {
    path: PathBuf,
    file: Arc<Mutex<File>>,
    run: Option<String>,
}

/// A run that began and never ended, with what the journal says was done.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Unfinished {
    pub run: Run,
    /// When it began (RFC 3339).
    pub began: String,
    /// Grants it wrote (created or removed) before it stopped.
    pub written: usize,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
enum Mark {
    Begin(Run),
    End {
        #[serde(default)]
        discarded: bool,
    },
}

#[derive(Serialize)]
struct Entry<'a> {
    at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    run: Option<&'a str>,
    action: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    grant: Option<&'a Grant>,
    /// For `createRole` / `deleteRole`: the custom role's name and guid.
    #[serde(skip_serializing_if = "Option::is_none")]
    role: Option<RoleRef<'a>>,
    #[serde(flatten)]
    outcome: &'a Outcome,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RoleRef<'a> {
    guid: &'a str,
    role_name: &'a str,
    scope: Option<&'a String>,
}

#[derive(Serialize)]
struct MarkEntry<'a> {
    at: String,
    run: &'a str,
    #[serde(flatten)]
    mark: &'a Mark,
}

#[derive(Deserialize)]
struct AnyEntry {
    #[serde(default)]
    at: String,
    #[serde(default)]
    run: Option<String>,
    #[serde(default)]
    begin: Option<Run>,
    #[serde(default)]
    end: Option<serde_json::Value>,
    #[serde(default)]
    action: Option<String>,
}

fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Held while a run is being carried out: another process (the app and the
/// CLI share one journal) or another window cannot carry out the same run at
/// once. An OS file lock, so a crash releases it.
#[derive(Debug)]
pub struct RunLock {
    _file: File,
}

/// Why a run cannot be claimed.
#[derive(Debug, thiserror::Error)]
pub enum ClaimError {
    #[error(
        "that run is being carried out already (by this app, another window, or rolecall-cli); wait for it to finish"
    )]
    Busy,
    #[error("'{0}' is not a run id")]
    BadId(String),
    #[error("the run's lock cannot be taken: {0}")]
    Io(#[from] std::io::Error),
}

impl Journal {
    /// Claims `run_id` for this process until the lock is dropped.
    pub fn claim(&self, run_id: &str) -> Result<RunLock, ClaimError> {
        // Run ids come from journal lines too: they name a file only when plain.
        if run_id.is_empty()
            || run_id.len() > 100
            || !run_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(ClaimError::BadId(run_id.to_owned()));
        }
        let dir = self
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default()
            .join("run-locks");
        std::fs::create_dir_all(&dir)?;
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join(format!("{run_id}.lock")))?;
        match file.try_lock() {
            Ok(()) => Ok(RunLock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => Err(ClaimError::Busy),
            Err(std::fs::TryLockError::Error(e)) => Err(ClaimError::Io(e)),
        }
    }

    /// Opens (creating it and its folder when missing) the journal at `path`.
    pub fn open(path: &Path) -> std::io::Result<Self> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .read(true)
            .open(path)?;
        // A crash in the middle of a line leaves it cut short: end it, so the
        // next entry starts on a line of its own.
        let len = file.metadata()?.len();
        if len > 0 {
            use std::io::{Read, Seek, SeekFrom};
            let mut last = [0u8; 1];
            file.seek(SeekFrom::Start(len - 1))?;
            file.read_exact(&mut last)?;
            if last[0] != b'\n' {
                file.write_all(b"\n")?;
            }
        }
        Ok(Self {
            path: path.to_owned(),
            file: Arc::new(Mutex::new(file)),
            run: None,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The same journal; its entries carry `run`'s id.
    pub fn for_run(&self, run: &Run) -> Journal {
        Journal {
            run: Some(run.id.clone()),
            ..self.clone()
        }
    }

    fn append(&self, value: &impl Serialize) {
        let Ok(mut line) = serde_json::to_vec(value) else {
            return;
        };
        line.push(b'\n');
        let mut file = self.file.lock().expect("journal lock");
        if let Err(error) = file.write_all(&line).and_then(|()| file.sync_data()) {
            tracing::error!(path = %self.path.display(), %error, "the journal could not be written");
        }
    }

    /// Appends one entry. A journal that cannot be written is logged, not
    /// fatal: the grant itself already happened (or not) in Azure.
    pub fn record(&self, action: &str, grant: &Grant, outcome: &Outcome) {
        self.append(&Entry {
            at: now(),
            run: self.run.as_deref(),
            action,
            grant: Some(grant),
            role: None,
            outcome,
        });
    }

    /// Appends the creation or deletion of one custom role.
    pub fn record_role(&self, action: &str, role: &RunRole, outcome: &Outcome) {
        self.append(&Entry {
            at: now(),
            run: self.run.as_deref(),
            action,
            grant: None,
            role: Some(RoleRef {
                guid: &role.guid,
                role_name: &role.draft.role_name,
                scope: role.draft.assignable_scopes.first(),
            }),
            outcome,
        });
    }

    /// Writes `run`'s intent, before its first write.
    pub fn begin(&self, run: &Run) {
        self.append(&MarkEntry {
            at: now(),
            run: &run.id,
            mark: &Mark::Begin(run.clone()),
        });
    }

    /// Marks `run_id` ended: it is no longer [`unfinished`](Self::unfinished).
    pub fn end(&self, run_id: &str) {
        self.append(&MarkEntry {
            at: now(),
            run: run_id,
            mark: &Mark::End { discarded: false },
        });
    }

    /// Marks an interrupted run as one the admin chose not to resume.
    pub fn discard(&self, run_id: &str) {
        self.append(&MarkEntry {
            at: now(),
            run: run_id,
            mark: &Mark::End { discarded: true },
        });
    }

    /// Every entry so far, as JSON values (for reports and tests).
    pub fn entries(&self) -> std::io::Result<Vec<serde_json::Value>> {
        let text = std::fs::read_to_string(&self.path)?;
        Ok(text
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect())
    }

    /// What the journal says `run_id` wrote: each grant with its outcome, in
    /// order (a resumed run's report keeps what it did before the crash).
    pub fn written(&self, run_id: &str) -> std::io::Result<Vec<(Grant, Outcome)>> {
        #[derive(Deserialize)]
        struct Written {
            run: Option<String>,
            grant: Option<Grant>,
            #[serde(flatten)]
            outcome: Option<Outcome>,
        }
        let text = std::fs::read_to_string(&self.path)?;
        Ok(text
            .lines()
            .filter_map(|l| serde_json::from_str::<Written>(l).ok())
            .filter(|w| w.run.as_deref() == Some(run_id))
            .filter_map(|w| Some((w.grant?, w.outcome?)))
            .collect())
    }

    /// The runs that began and never ended, oldest first. A line cut short
    /// by a crash is skipped.
    pub fn unfinished(&self) -> std::io::Result<Vec<Unfinished>> {
        let text = std::fs::read_to_string(&self.path)?;
        let mut open: Vec<Unfinished> = Vec::new();
        let mut written: HashMap<String, usize> = HashMap::new();
        for line in text.lines() {
            let Ok(entry) = serde_json::from_str::<AnyEntry>(line) else {
                continue;
            };
            let Some(run) = entry.run else { continue };
            if let Some(begun) = entry.begin {
                open.push(Unfinished {
                    run: begun,
                    began: entry.at,
                    written: 0,
                });
            } else if entry.end.is_some() {
                open.retain(|u| u.run.id != run);
            } else if entry.action.is_some() {
                *written.entry(run).or_default() += 1;
            }
        }
        for u in &mut open {
            u.written = written.get(&u.run.id).copied().unwrap_or(0);
        }
        // A run someone holds now (this app, another window, rolecall-cli)
        // is going on, not interrupted.
        open.retain(|u| !matches!(self.claim(&u.run.id), Err(ClaimError::Busy)));
        Ok(open)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::new_run_id;
    use crate::model::{AzureRoleGrant, Member, MemberKind};

    fn grant() -> Grant {
        Grant::AzureRole(AzureRoleGrant {
            scope: "/subscriptions/1111aaaa-0000-4000-8000-000000000001".into(),
            role_id: "acdd72a7-3385-48ef-bd42-f606fba81ae7".into(),
            role_name: "Reader".into(),
            member: Member {
                id: "5f3c0000-0000-4000-8000-000000000001".into(),
                kind: MemberKind::User,
                display_name: "Nadia Novak".into(),
                detail: None,
            },
            description: None,
        })
    }

    #[test]
    fn a_run_keeps_the_file_shape_earlier_versions_wrote_and_read() {
        // As every version before one list of run grants wrote it.
        let earlier = serde_json::json!({
            "id": "run-1", "kind": "apply", "title": "t",
            "grants": [grant(), grant()], "toCreate": [false, true],
        });
        let run: Run = serde_json::from_value(earlier.clone()).unwrap();
        let flags: Vec<bool> = run.grants.iter().map(|g| g.to_create).collect();
        assert_eq!(flags, [false, true]);
        assert_eq!(run.grant_list(), [grant(), grant()]);
        let written = serde_json::to_value(&run).unwrap();
        assert_eq!(written["grants"], earlier["grants"]);
        assert_eq!(written["toCreate"], earlier["toCreate"]);
        // Without flags (a removal, an older file): none set out to create.
        let bare =
            serde_json::json!({"id": "run-2", "kind": "remove", "title": "t", "grants": [grant()]});
        let run: Run = serde_json::from_value(bare).unwrap();
        assert!(!run.grants[0].to_create);
        assert!(
            serde_json::to_value(&run)
                .unwrap()
                .get("toCreate")
                .is_none()
        );
    }

    #[test]
    fn runs_that_began_and_never_ended_are_found_even_after_a_torn_line() {
        let dir = std::env::temp_dir().join(format!("rolecall-journal-{}", new_run_id()));
        let path = dir.join("journal.jsonl");
        let journal = Journal::open(&path).unwrap();
        // An entry from before runs existed, then a run that ends.
        journal.record("assign", &grant(), &Outcome::AlreadyInPlace);
        let done = Run::new(RunKind::Apply, "done", vec![grant()]);
        journal.begin(&done);
        journal
            .for_run(&done)
            .record("assign", &grant(), &Outcome::AlreadyInPlace);
        journal.end(&done.id);
        // A run cut short after one write, and a crash in the middle of a line.
        let cut = Run::new(RunKind::Apply, "cut short", vec![grant(), grant()]);
        journal.begin(&cut);
        journal
            .for_run(&cut)
            .record("assign", &grant(), &Outcome::AlreadyInPlace);
        drop(journal);
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(br#"{"at":"2026-11-24T00:00:00Z","run":"x","act"#)
            .unwrap();
        drop(file);

        // The next session's first entry starts on a line of its own.
        let journal = Journal::open(&path).unwrap();
        let later = Run::new(RunKind::Remove, "later", vec![grant()]);
        journal.begin(&later);
        let pending = journal.unfinished().unwrap();
        let titles: Vec<_> = pending.iter().map(|u| u.run.title.as_str()).collect();
        assert_eq!(titles, ["cut short", "later"]);
        assert_eq!(pending[0].written, 1);
        assert_eq!(pending[0].run, cut);
        journal.discard(&cut.id);
        journal.end(&later.id);
        assert!(journal.unfinished().unwrap().is_empty());
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_run_is_carried_out_by_one_holder_at_a_time() {
        let dir = std::env::temp_dir().join(format!("rolecall-journal-lock-{}", new_run_id()));
        let journal = Journal::open(&dir.join("journal.jsonl")).unwrap();
        let other = Journal::open(&dir.join("journal.jsonl")).unwrap();
        let id = new_run_id();
        let held = journal.claim(&id).unwrap();
        assert!(matches!(other.claim(&id), Err(ClaimError::Busy)));
        assert!(other.claim(&new_run_id()).is_ok(), "another run is free");
        // A run going on is not offered as interrupted.
        let run = Run::new(RunKind::Apply, "going on", vec![grant()]);
        let running = journal.for_run(&run);
        running.begin(&run);
        let held_run = journal.claim(&run.id).unwrap();
        assert!(other.unfinished().unwrap().is_empty());
        drop(held_run);
        assert_eq!(
            other.unfinished().unwrap().len(),
            1,
            "interrupted once let go"
        );
        drop(held);
        assert!(other.claim(&id).is_ok(), "free again once released");
        for bad in ["../../x", "", "a/b", "run\\x"] {
            assert!(
                matches!(journal.claim(bad), Err(ClaimError::BadId(_))),
                "{bad}"
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    proptest::proptest! {
        /// Any lines in the journal file (a torn write, another program's
        /// text, a crafted run): opening and reading it never panics, and a
        /// run read back from it has only parsed scopes.
        #[test]
        fn any_journal_text_is_read_or_skipped(lines in proptest::collection::vec("\\PC{0,120}", 0..8), hostile in proptest::bool::ANY) {
            let dir = std::env::temp_dir().join(format!("rolecall-journal-prop-{}", new_run_id()));
            let path = dir.join("journal.jsonl");
            std::fs::create_dir_all(&dir).unwrap();
            let mut text = lines.join("\n");
            if hostile {
                let run = Run::new(RunKind::Apply, "t", vec![grant()]);
                let line = serde_json::json!({"at": "2026-01-01T00:00:00Z", "run": run.id, "begin": run}).to_string().replace(
                    "/subscriptions/1111aaaa-0000-4000-8000-000000000001",
                    "https://attacker.example/x",
                );
                text = format!("{line}\n{text}");
            }
            std::fs::write(&path, text).unwrap();
            if let Ok(journal) = Journal::open(&path) {
                let _ = journal.entries();
                if let Ok(unfinished) = journal.unfinished() {
                    for run in unfinished {
                        for item in &run.run.grants {
                            if let Grant::AzureRole(g) = &item.grant {
                                proptest::prop_assert!(rolecall_rbac::Scope::parse(&g.scope).is_ok());
                            }
                        }
                    }
                }
            }
            std::fs::remove_dir_all(&dir).unwrap();
        }
    }
}
