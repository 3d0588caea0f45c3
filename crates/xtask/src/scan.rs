//! After the end-to-end suite: no token may be found outside the keychain,
//! in the app's data, config, cache and log folders or in the captured IPC
//! traffic. Looked for: JWTs (Entra's access and ID tokens) and refresh
//! tokens (the emulator's `1.` + 64 base64url characters, shaped like
//! Entra's opaque ones).

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

/// Where a token-shaped string starts in `text`, if anywhere.
pub fn find_token(text: &str) -> Option<(usize, &'static str)> {
    let bytes = text.as_bytes();
    let url_safe = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
    let run = |from: usize| bytes[from..].iter().take_while(|b| url_safe(**b)).count();
    for i in 0..bytes.len() {
        let boundary = i == 0 || !url_safe(bytes[i - 1]);
        if !boundary {
            continue;
        }
        // header.payload.signature, each base64url; header and payload are JSON ("eyJ").
        if bytes[i..].starts_with(b"eyJ") {
            let header = run(i);
            let payload_at = i + header + 1;
            if header >= 10
                && bytes.get(i + header) == Some(&b'.')
                && bytes[payload_at..].starts_with(b"eyJ")
            {
                let payload = run(payload_at);
                if payload >= 10 && bytes.get(payload_at + payload) == Some(&b'.') {
                    return Some((i, "a JWT (access or ID token)"));
                }
            }
        }
        if bytes[i..].starts_with(b"1.") && run(i + 2) >= 64 {
            return Some((i, "a refresh token"));
        }
    }
    None
}

fn files_under(dir: &Path, skip: &[&Path], out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if skip.iter().any(|s| path.starts_with(s)) {
            continue;
        }
        match entry.file_type() {
            Ok(t) if t.is_dir() => files_under(&path, skip, out),
            Ok(t) if t.is_file() => out.push(path),
            _ => {}
        }
    }
}

/// Scans every file under `roots` (except under `skip`); returns how many it
/// read, or an error naming each file that holds a token and what kind.
pub fn no_tokens_in(roots: &[&Path], skip: &[&Path]) -> Result<usize> {
    let mut files = Vec::new();
    for root in roots {
        files_under(root, skip, &mut files);
    }
    let mut found = Vec::new();
    for file in &files {
        let Ok(bytes) = std::fs::read(file) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        if let Some((at, kind)) = find_token(&text) {
            found.push(format!("{} holds {kind} at byte {at}", file.display()));
        }
    }
    if !found.is_empty() {
        bail!("tokens outside the keychain:\n  {}", found.join("\n  "));
    }
    Ok(files.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_jwts_and_refresh_tokens_but_not_ordinary_text() {
        let jwt = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL21hbmFnZW1lbnQifQ.c2lnbmF0dXJl";
        assert!(find_token(&format!("Authorization: Bearer {jwt}\n")).is_some());
        let refresh = format!("1.{}", "a".repeat(64));
        assert_eq!(
            find_token(&format!("{{\"rt\":\"{refresh}\"}}")).map(|f| f.1),
            Some("a refresh token")
        );
        for clean in [
            "version 1.2.3 of eyJ-something",
            "{\"accountId\":\"0d6c3c2e-1111.6d1f5a2c\",\"health\":\"Ready\"}",
            "-----BEGIN CERTIFICATE-----\nMIIBhTCCASugAwIBAgIUeyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9\n",
            &format!("11.{}", "a".repeat(64)),
        ] {
            assert_eq!(find_token(clean), None, "{clean}");
        }
    }

    #[test]
    fn names_the_file_and_skips_the_keychain() {
        let dir = std::env::temp_dir().join(format!("rolecall-scan-{}", std::process::id()));
        let keyrings = dir.join("keyrings");
        std::fs::create_dir_all(&keyrings).unwrap();
        std::fs::write(dir.join("settings.json"), "{\"tenant\":null}").unwrap();
        std::fs::write(
            keyrings.join("login.keyring"),
            format!("1.{}", "b".repeat(64)),
        )
        .unwrap();
        assert_eq!(no_tokens_in(&[&dir], &[&keyrings]).unwrap(), 1);
        std::fs::write(dir.join("app.log"), format!("refresh 1.{}", "c".repeat(70))).unwrap();
        let error = no_tokens_in(&[&dir], &[&keyrings]).unwrap_err().to_string();
        assert!(error.contains("app.log holds a refresh token"), "{error}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
