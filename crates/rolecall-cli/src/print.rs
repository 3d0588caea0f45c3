//! How results reach the terminal, decided once: text for people, or one
//! JSON document for scripts (`--json`), as ripgrep has its standard and
//! JSON printers. A command hands its result to [`Printer::show`] with how
//! to say it in words; it never asks which output was chosen to print data.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Printer {
    Text,
    Json,
}

impl Printer {
    pub(crate) fn new(json: bool) -> Self {
        if json { Self::Json } else { Self::Text }
    }

    /// Whether scripts read the output (progress then goes to stderr, or nowhere).
    pub(crate) fn is_json(self) -> bool {
        self == Self::Json
    }

    /// Prints `value`: as one JSON document, or in words by `text`.
    pub(crate) fn show<T: Serialize + ?Sized>(
        self,
        value: &T,
        text: impl FnOnce(&T) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        match self {
            Self::Json => {
                println!("{}", serde_json::to_string(value)?);
                Ok(())
            }
            Self::Text => text(value),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_written_only_for_people() {
        let mut said = false;
        Printer::Json
            .show(&[1, 2], |_| {
                said = true;
                Ok(())
            })
            .unwrap();
        assert!(!said);
        Printer::Text
            .show(&[1, 2], |v| {
                said = v.len() == 2;
                Ok(())
            })
            .unwrap();
        assert!(said);
    }
}
