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

/// An eligible or time-bound grant Rolecall wrote, and when its last write
/// made it end ([`Journal::time_bound`]).
#[derive(Debug, Clone)]
pub struct TimeBound {
    pub grant: crate::model::AzureRoleGrant,
    pub ends: time::OffsetDateTime,
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

/// A group of writes in the journal: a run (an onboarding, an offboarding,
/// an undo) or one wizard's batch.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Activity {
    /// The run's or batch's id (`line-N` for an older id-less entry).
    pub id: String,
    /// The run's title, or one made from what the batch wrote.
    pub title: String,
    /// A run's kind; `None` for a batch.
    pub kind: Option<crate::model::RunKind>,
    /// When it began (RFC 3339).
    pub began: String,
    /// When a run was marked ended; `None` for a batch, or a run interrupted
    /// (or going on now).
    pub ended: Option<String>,
    /// An interrupted run the admin chose not to resume.
    pub discarded: bool,
    pub writes: Vec<Written>,
}

/// One write, as the journal has it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Written {
    pub at: String,
    /// `assign`, `remove`, `createRole`, `updateRole`, `deleteRole`.
    pub action: String,
    pub grant: Option<Grant>,
    pub role: Option<RoleWritten>,
    pub outcome: Outcome,
}

/// The custom role a write was about.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleWritten {
    pub guid: String,
    pub role_name: String,
    #[serde(default)]
    pub scope: Option<String>,
}

impl Activity {
    /// What undoing it would remove: the grants and custom roles it created
    /// (to be planned against live state first); `None` when it created none.
    pub fn undo(&self) -> Option<Run> {
        let created = |w: &&Written| matches!(w.outcome, Outcome::Created { .. });
        let grants: Vec<Grant> = self
            .writes
            .iter()
            .filter(|w| w.action == "assign")
            .filter(created)
            .filter_map(|w| w.grant.clone())
            .collect();
        let roles: Vec<RunRole> = self
            .writes
            .iter()
            .filter(|w| w.action == "createRole")
            .filter(created)
            .filter_map(|w| {
                let role = w.role.as_ref()?;
                Some(RunRole {
                    guid: role.guid.clone(),
                    draft: rolecall_rbac::draft::Draft {
                        role_name: role.role_name.clone(),
                        assignable_scopes: role.scope.iter().cloned().collect(),
                        ..Default::default()
                    },
                })
            })
            .collect();
        if grants.is_empty() && roles.is_empty() {
            return None;
        }
        let mut run = Run::undoing(format!("Undoing: {}", self.title), grants);
        run.custom_roles = roles;
        Some(run)
    }
}

/// A journal line as the history reads it: what [`Journal::unfinished`]
/// reads of every line, and the write itself.
#[derive(Deserialize)]
struct HistoryLine {
    #[serde(flatten)]
    entry: AnyEntry,
    #[serde(default)]
    grant: Option<Grant>,
    #[serde(default)]
    role: Option<RoleWritten>,
    #[serde(flatten)]
    outcome: Option<Outcome>,
}

fn seconds_between(earlier: &str, later: &str) -> Option<i64> {
    use time::format_description::well_known::Rfc3339;
    let a = time::OffsetDateTime::parse(earlier, &Rfc3339).ok()?;
    let b = time::OffsetDateTime::parse(later, &Rfc3339).ok()?;
    Some((b - a).whole_seconds())
}

/// A batch's title, from what it wrote.
fn batch_title(writes: &[Written]) -> String {
    let role_name = || {
        writes
            .iter()
            .find_map(|w| w.role.as_ref().map(|r| r.role_name.clone()))
            .unwrap_or_default()
    };
    let all = |action: &str| writes.iter().all(|w| w.action == action);
    let app_roles = writes
        .iter()
        .all(|w| matches!(w.grant, Some(Grant::AppRole(_))));
    let n = writes.len();
    let plural = |one: &str, many: &str| {
        if n == 1 {
            one.to_owned()
        } else {
            format!("{n} {many}")
        }
    };
    if all("createRole") {
        format!("Custom role created: {}", role_name())
    } else if all("updateRole") {
        format!("Custom role edited: {}", role_name())
    } else if all("deleteRole") {
        format!("Custom role deleted: {}", role_name())
    } else if all("assign") && app_roles {
        plural("App role assignment", "app role assignments")
    } else if all("assign") {
        plural("Role assignment", "role assignments")
    } else if all("remove") && app_roles {
        plural(
            "App role assignment removed",
            "app role assignments removed",
        )
    } else if all("remove") {
        plural("Role assignment removed", "role assignments removed")
    } else if all("extend") {
        plural("Access extended", "extensions of access")
    } else {
        plural("Write", "writes")
    }
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

/// The action of a note that a removal found nothing to remove: not a
/// write (history, runs and reports leave it out), but what ended is no
/// longer Rolecall's to renew ([`Journal::time_bound`]).
const FOUND_GONE: &str = "foundGone";

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

    /// The same journal; its entries carry a new batch id, so the history
    /// shows one wizard's writes (an apply, a removal, a custom role saved)
    /// together. A batch has no `begin`: it is not a run to resume.
    pub fn for_batch(&self) -> Journal {
        Journal {
            run: Some(crate::model::new_run_id()),
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

    /// Notes that removing `grant` found nothing there (someone removed it
    /// elsewhere, or it ended). Not a write: see [`FOUND_GONE`].
    pub fn note_gone(&self, grant: &Grant) {
        self.record(FOUND_GONE, grant, &Outcome::AlreadyGone);
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
            #[serde(default)]
            action: Option<String>,
            grant: Option<Grant>,
            #[serde(flatten)]
            outcome: Option<Outcome>,
        }
        let text = std::fs::read_to_string(&self.path)?;
        Ok(text
            .lines()
            .filter_map(|l| serde_json::from_str::<Written>(l).ok())
            .filter(|w| w.run.as_deref() == Some(run_id) && w.action.as_deref() != Some(FOUND_GONE))
            .filter_map(|w| Some((w.grant?, w.outcome?)))
            .collect())
    }

    /// Every write the journal holds, grouped as it was made (a run, or one
    /// wizard's batch), newest first; at most `limit` groups. Entries older
    /// versions wrote without an id are grouped when they follow each other
    /// within two minutes with the same action. A line cut short is skipped.
    pub fn history(&self, limit: usize) -> std::io::Result<Vec<Activity>> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(e),
        };
        let mut groups: Vec<Activity> = Vec::new();
        let mut by_id: HashMap<String, usize> = HashMap::new();
        for (n, line) in text.lines().enumerate() {
            let Ok(HistoryLine {
                entry,
                grant,
                role,
                outcome,
            }) = serde_json::from_str::<HistoryLine>(line)
            else {
                continue;
            };
            if entry.action.as_deref() == Some(FOUND_GONE) {
                continue;
            }
            let id = match &entry.run {
                Some(id) => id.clone(),
                None => {
                    // An id-less write of an older version: with the one before
                    // it when that is id-less too, recent and of the same action.
                    let joins = groups.last().is_some_and(|g| {
                        g.id.starts_with("line-")
                            && g.writes.last().is_some_and(|w| {
                                Some(&w.action) == entry.action.as_ref()
                                    && seconds_between(&w.at, &entry.at).is_some_and(|s| s <= 120)
                            })
                    });
                    if joins {
                        groups.last().map(|g| g.id.clone()).unwrap_or_default()
                    } else {
                        format!("line-{}", n + 1)
                    }
                }
            };
            let at = *by_id.entry(id.clone()).or_insert_with(|| {
                groups.push(Activity {
                    id: id.clone(),
                    title: String::new(),
                    kind: None,
                    began: entry.at.clone(),
                    ended: None,
                    discarded: false,
                    writes: Vec::new(),
                });
                groups.len() - 1
            });
            let group = &mut groups[at];
            if let Some(run) = entry.begin {
                group.title = run.title.clone();
                group.kind = Some(run.kind);
                group.began = entry.at;
            } else if let Some(end) = entry.end {
                group.ended = Some(entry.at);
                group.discarded = end
                    .get("discarded")
                    .and_then(serde_json::Value::as_bool)
                    .unwrap_or(false);
            } else if let (Some(action), Some(outcome)) = (entry.action, outcome) {
                group.writes.push(Written {
                    at: entry.at,
                    action,
                    grant,
                    role,
                    outcome,
                });
            }
        }
        groups.retain(|g| !g.writes.is_empty() || g.kind.is_some());
        for g in &mut groups {
            if g.title.is_empty() {
                g.title = batch_title(&g.writes);
            }
        }
        groups.reverse();
        groups.truncate(limit);
        Ok(groups)
    }

    /// The eligible and time-bound Azure role grants Rolecall's writes left
    /// standing, each with the end its last write gave it: made
    /// (`assign` → created), extended or renewed, and not removed since.
    /// What ended is still here (its end is in the past): PIM keeps it
    /// renewable for a while, and Azure's lists no longer show it. A line cut
    /// short is skipped; no journal yet is an empty list.
    pub fn time_bound(&self) -> std::io::Result<Vec<TimeBound>> {
        #[derive(Deserialize)]
        struct Line {
            at: String,
            action: Option<String>,
            grant: Option<Grant>,
            #[serde(flatten)]
            outcome: Option<Outcome>,
        }
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(e),
        };
        let rfc = &time::format_description::well_known::Rfc3339;
        let mut standing: Vec<TimeBound> = Vec::new();
        for line in text.lines() {
            let Ok(Line {
                at,
                action: Some(action),
                grant: Some(Grant::AzureRole(grant)),
                outcome: Some(outcome),
            }) = serde_json::from_str::<Line>(line)
            else {
                continue;
            };
            let Some(schedule) = grant.schedule.clone() else {
                continue;
            };
            let same = |t: &TimeBound| {
                t.grant.scope.eq_ignore_ascii_case(&grant.scope)
                    && t.grant.role_id.eq_ignore_ascii_case(&grant.role_id)
                    && t.grant.member.id.eq_ignore_ascii_case(&grant.member.id)
                    && t.grant.schedule.as_ref().map(|s| s.eligible) == Some(schedule.eligible)
            };
            let written = matches!(
                (action.as_str(), &outcome),
                ("assign", Outcome::Created { .. })
                    | ("extend", Outcome::Extended { .. })
                    | ("renew", Outcome::Renewed { .. })
            );
            if written {
                let Some(ends) = time::OffsetDateTime::parse(&at, rfc)
                    .ok()
                    .and_then(|start| schedule.ends(start))
                else {
                    // Permanent: nothing ends.
                    standing.retain(|t| !same(t));
                    continue;
                };
                standing.retain(|t| !same(t));
                standing.push(TimeBound { grant, ends });
            } else if (action == "remove" || action == FOUND_GONE)
                && matches!(outcome, Outcome::Removed { .. } | Outcome::AlreadyGone)
            {
                standing.retain(|t| !same(t));
            }
        }
        Ok(standing)
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
            } else if entry.action.as_deref().is_some_and(|a| a != FOUND_GONE) {
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
            schedule: None,
        })
    }

    #[test]
    fn time_bound_grants_are_what_the_last_write_left_and_removals_take_away() {
        let dir = std::env::temp_dir().join(format!("rolecall-journal-{}", new_run_id()));
        let journal = Journal::open(&dir.join("journal.jsonl")).unwrap();
        let with = |eligible: bool, until: Option<&str>, duration: Option<&str>| match grant() {
            Grant::AzureRole(g) => Grant::AzureRole(AzureRoleGrant {
                schedule: Some(crate::model::Schedule {
                    eligible,
                    until: until.map(str::to_owned),
                    duration: duration.map(str::to_owned),
                    ..Default::default()
                }),
                ..g
            }),
            other => other,
        };
        let created = || Outcome::Created {
            assignment_id: "a".into(),
            request_id: None,
        };
        // Made eligible until a day; found in place (not Rolecall's end to
        // know); a permanent one; a plain role assignment.
        journal.record(
            "assign",
            &with(true, Some("2026-01-31T00:00:00Z"), None),
            &created(),
        );
        journal.record(
            "assign",
            &with(false, None, Some("P30D")),
            &Outcome::AlreadyInPlace,
        );
        journal.record("assign", &with(false, None, None), &created());
        journal.record("assign", &grant(), &created());
        let found = journal.time_bound().unwrap();
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].grant.schedule.as_ref().unwrap().eligible);
        assert_eq!(found[0].ends.year(), 2026);
        assert_eq!(u8::from(found[0].ends.month()), 1);

        // Extended by 90 days from the write: the later end counts, once.
        journal.record(
            "extend",
            &with(true, None, Some("P90D")),
            &Outcome::Extended { request_id: None },
        );
        let found = journal.time_bound().unwrap();
        assert_eq!(found.len(), 1, "{found:?}");
        let in_90 = time::OffsetDateTime::now_utc() + time::Duration::days(90);
        assert!((found[0].ends - in_90).abs() < time::Duration::minutes(1));
        // A failed removal changes nothing; a removal ends it.
        journal.record(
            "remove",
            &with(true, None, None),
            &Outcome::Failed {
                code: "x".into(),
                message: "y".into(),
                request_id: None,
            },
        );
        assert_eq!(journal.time_bound().unwrap().len(), 1);
        journal.record(
            "remove",
            &with(true, None, None),
            &Outcome::Removed { request_id: None },
        );
        assert!(journal.time_bound().unwrap().is_empty());
        // Made again, then a removal finds it gone (removed elsewhere): it is
        // not Rolecall's to renew, and the note is no write of anyone's.
        let run = Run::new(RunKind::Remove, "offboard", vec![with(true, None, None)]);
        journal.begin(&run);
        let in_run = journal.for_run(&run);
        in_run.record("assign", &with(true, None, Some("P30D")), &created());
        assert_eq!(journal.time_bound().unwrap().len(), 1);
        in_run.note_gone(&with(true, None, None));
        assert!(journal.time_bound().unwrap().is_empty());
        assert_eq!(
            journal.written(&run.id).unwrap().len(),
            1,
            "the note is no write"
        );
        assert_eq!(journal.unfinished().unwrap()[0].written, 1);
        assert!(
            journal
                .history(10)
                .unwrap()
                .iter()
                .all(|a| a.writes.iter().all(|w| w.action != "foundGone"))
        );
        // No journal yet: nothing.
        let none = Journal {
            path: dir.join("absent.jsonl"),
            ..journal.clone()
        };
        assert!(none.time_bound().unwrap().is_empty());
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

    fn created() -> Outcome {
        Outcome::Created {
            assignment_id: "/x/providers/Microsoft.Authorization/roleAssignments/1".into(),
            request_id: Some("req-1".into()),
        }
    }

    #[test]
    fn the_history_groups_every_write_as_it_was_made_across_restarts() {
        let dir = std::env::temp_dir().join(format!("rolecall-journal-history-{}", new_run_id()));
        let path = dir.join("journal.jsonl");
        // Two id-less writes an older version made together, and one long after.
        let old = |at: &str, action: &str| {
            let mut line = serde_json::json!({"at": at, "action": action, "grant": grant()});
            line.as_object_mut().unwrap().extend(
                serde_json::to_value(created())
                    .unwrap()
                    .as_object()
                    .unwrap()
                    .clone(),
            );
            line.to_string()
        };
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            &path,
            [
                old("2026-11-01T10:00:00Z", "assign"),
                old("2026-11-01T10:00:05Z", "assign"),
                old("2026-11-02T09:00:00Z", "assign"),
            ]
            .join("\n")
                + "\n",
        )
        .unwrap();
        let journal = Journal::open(&path).unwrap();
        // A run that ends, a wizard's batch, a custom role created, and a run cut short.
        let run = Run::new(RunKind::Apply, "Onboarding Nadia Novak", vec![grant()]);
        journal.begin(&run);
        journal.for_run(&run).record("assign", &grant(), &created());
        journal.end(&run.id);
        let batch = journal.for_batch();
        batch.record("assign", &grant(), &Outcome::AlreadyInPlace);
        batch.record("assign", &grant(), &created());
        let role = RunRole {
            guid: "0f1e2d3c-0000-4000-8000-000000000009".into(),
            draft: rolecall_rbac::draft::Draft {
                role_name: "Contoso SMTP Sender".into(),
                assignable_scopes: vec![
                    "/subscriptions/1111aaaa-0000-4000-8000-000000000001".into(),
                ],
                ..Default::default()
            },
        };
        journal
            .for_batch()
            .record_role("createRole", &role, &created());
        let cut = Run::new(RunKind::Remove, "Offboarding Ivan", vec![grant()]);
        journal.begin(&cut);
        journal
            .for_run(&cut)
            .record("remove", &grant(), &Outcome::Removed { request_id: None });
        drop(journal);

        // A restart: the history is read from the file alone.
        let history = Journal::open(&path).unwrap().history(100).unwrap();
        let titles: Vec<&str> = history.iter().map(|a| a.title.as_str()).collect();
        assert_eq!(
            titles,
            [
                "Offboarding Ivan",
                "Custom role created: Contoso SMTP Sender",
                "2 role assignments",
                "Onboarding Nadia Novak",
                "Role assignment",
                "2 role assignments",
            ]
        );
        let counts: Vec<usize> = history.iter().map(|a| a.writes.len()).collect();
        assert_eq!(counts, [1, 1, 2, 1, 1, 2]);
        assert!(history[0].ended.is_none(), "the cut run is not ended");
        assert!(history[3].ended.is_some());

        // Undo takes only what was created.
        assert!(history[0].undo().is_none(), "a removal created nothing");
        let role_undo = history[1].undo().unwrap();
        assert_eq!(role_undo.custom_roles[0].guid, role.guid);
        assert_eq!(
            role_undo.custom_roles[0].draft.assignable_scopes,
            role.draft.assignable_scopes
        );
        assert_eq!(role_undo.kind, RunKind::Remove);
        assert_eq!(history[2].undo().unwrap().grants.len(), 1);
        assert_eq!(
            history[5].undo().unwrap().title,
            "Undoing: 2 role assignments"
        );

        assert_eq!(Journal::open(&path).unwrap().history(2).unwrap().len(), 2);
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
