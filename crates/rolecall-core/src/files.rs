//! Writing files the way every part of Rolecall must: the folder is created
//! first (a fresh profile has none of Rolecall's folders), the bytes go to a
//! temporary file beside the target, and a rename puts them in place, so a
//! crash or a full disk never leaves half a file behind.
//!
//! Invariant: every file Rolecall writes (settings, the demo tenant's state,
//! templates, exports, reports, cloud profiles) goes through [`write_atomic`];
//! the journal, which appends, creates its folder in `Journal::open`.

use std::io::Write;
use std::path::{Path, PathBuf};

/// A write that failed, naming the file and what went wrong.
#[derive(Debug, thiserror::Error)]
#[error("writing {}: {source}", path.display())]
pub struct WriteError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

/// Writes `bytes` to `path` whole or not at all, creating its folder (and
/// the folders above it) when missing.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let fail = |source: std::io::Error| WriteError {
        path: path.to_owned(),
        source,
    };
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(fail)?;
    let mut file = tempfile::Builder::new()
        .prefix(".rolecall-")
        .suffix(".partial")
        .tempfile_in(&dir)
        .map_err(fail)?;
    file.write_all(bytes).map_err(fail)?;
    file.as_file().sync_all().map_err(fail)?;
    file.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

/// Creates `dir` and its parents when missing, naming it in the error.
pub fn ensure_dir(dir: &Path) -> Result<(), WriteError> {
    std::fs::create_dir_all(dir).map_err(|source| WriteError {
        path: dir.to_owned(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("rolecall-files-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn writes_into_folders_that_do_not_exist_yet() {
        let dir = scratch("fresh");
        let path = dir.join("a/b/c/file.json");
        write_atomic(&path, b"one").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"one");
        write_atomic(&path, b"two, longer").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two, longer");
        // No temporary file is left beside it.
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("file.json")]);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_failed_write_names_the_file_and_leaves_the_old_one() {
        let dir = scratch("blocked");
        std::fs::create_dir_all(&dir).unwrap();
        // A file where a folder should be: the folder cannot be made.
        std::fs::write(dir.join("blocker"), b"x").unwrap();
        let error = write_atomic(&dir.join("blocker/inside.json"), b"y").unwrap_err();
        assert!(error.to_string().contains("inside.json"), "{error}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
