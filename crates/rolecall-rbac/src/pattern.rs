//! ARM action patterns: `Microsoft.Support/supportTickets/write`, with `*`
//! wildcards anywhere (`*`, `Microsoft.Support/*`, `*/read`,
//! `Microsoft.Compute/*/action`), matched case-insensitively, as ARM does.

/// Whether `action` matches `pattern` (`*` matches any run of characters,
/// `/` included). ASCII case-insensitive; no allocation.
pub fn matches(pattern: &str, action: &str) -> bool {
    let (p, a) = (pattern.as_bytes(), action.as_bytes());
    let (mut pi, mut ai) = (0usize, 0usize);
    // The last `*` seen, and where in `action` its match currently ends.
    let mut star: Option<(usize, usize)> = None;
    while ai < a.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ai));
            pi += 1;
        } else if pi < p.len() && p[pi].eq_ignore_ascii_case(&a[ai]) {
            pi += 1;
            ai += 1;
        } else if let Some((sp, sa)) = star {
            // Let the last `*` swallow one more character and retry.
            pi = sp + 1;
            ai = sa + 1;
            star = Some((sp, sa + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|b| *b == b'*')
}

/// Whether a pattern holds a wildcard.
pub fn is_wildcard(pattern: &str) -> bool {
    pattern.contains('*')
}

/// The resource-provider namespace a pattern is confined to
/// (`Microsoft.Support` for `Microsoft.Support/*`), or `None` when the
/// wildcard reaches into the namespace itself (`*`, `*/read`, `Microsoft.*`).
pub fn namespace_of(pattern: &str) -> Option<&str> {
    let namespace = pattern.split('/').next()?;
    (!namespace.contains('*') && pattern.contains('/')).then_some(namespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arm_wildcards() {
        assert!(matches("*", "Microsoft.Support/supportTickets/write"));
        assert!(matches(
            "Microsoft.Support/*",
            "microsoft.support/supportTickets/write"
        ));
        assert!(matches("*/read", "Microsoft.Compute/virtualMachines/read"));
        assert!(!matches(
            "*/read",
            "Microsoft.Compute/virtualMachines/write"
        ));
        assert!(matches(
            "Microsoft.Compute/*/action",
            "Microsoft.Compute/virtualMachines/start/action"
        ));
        assert!(!matches(
            "Microsoft.Support/*",
            "Microsoft.SupportX/tickets/read"
        ));
        assert!(matches(
            "Microsoft.Storage/*/read",
            "MICROSOFT.STORAGE/a/b/c/READ"
        ));
        assert!(!matches(
            "Microsoft.Storage/read",
            "Microsoft.Storage/readx"
        ));
        assert!(matches("a**b", "ab"));
        assert!(!matches("", "a"));
        assert!(matches("", ""));
    }

    #[test]
    fn namespaces() {
        assert_eq!(
            namespace_of("Microsoft.Support/*"),
            Some("Microsoft.Support")
        );
        assert_eq!(namespace_of("*/read"), None);
        assert_eq!(namespace_of("*"), None);
        assert_eq!(namespace_of("Microsoft.*/read"), None);
    }
}
