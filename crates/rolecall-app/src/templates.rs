//! Onboarding templates: the built-in ones, then the admin's own (one JSON
//! file each in the templates folder). The app and the CLI see the same
//! list, and an import is checked the same way from both.

use std::path::PathBuf;

use rolecall_onboarding::Template;

use crate::error::{AppError, ErrorKind, Result};

/// Where a template comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    BuiltIn,
    /// A file in the admin's templates folder.
    Own,
}

/// The templates Rolecall knows: built in, then the folder's.
#[derive(Debug, Clone)]
pub struct Library {
    dir: Option<PathBuf>,
}

impl Library {
    /// The built-in templates and those in `dir` (when it exists).
    pub fn new(dir: Option<PathBuf>) -> Self {
        Self { dir }
    }

    /// Built in first, then the admin's own, each with its origin.
    pub fn list(&self) -> Result<Vec<(Template, Origin)>> {
        let mut all: Vec<_> = rolecall_onboarding::builtin()
            .into_iter()
            .map(|t| (t, Origin::BuiltIn))
            .collect();
        if let Some(dir) = self.dir.as_ref().filter(|d| d.is_dir()) {
            let own = rolecall_onboarding::template::load_dir(dir).map_err(|e| {
                AppError::input(format!("{e}. Fix or remove the file in {}.", dir.display()))
            })?;
            all.extend(own.into_iter().map(|t| (t, Origin::Own)));
        }
        Ok(all)
    }

    /// The template `id`, or an error naming the ones there are.
    pub fn find(&self, id: &str) -> Result<Template> {
        let all = self.list()?;
        let known = all
            .iter()
            .map(|(t, _)| t.id.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        all.into_iter()
            .map(|(t, _)| t)
            .find(|t| t.id == id)
            .ok_or_else(|| {
                AppError::new(
                    ErrorKind::NotFound,
                    "NoTemplate",
                    format!("there is no template '{id}'; the templates are: {known}"),
                )
            })
    }

    /// Checks a template file's text and saves it in the folder (an own
    /// template of the same id is replaced; a built-in id is refused).
    /// Nothing is written when it is refused.
    pub fn import(&self, file_name: &str, text: &str) -> Result<Template> {
        let template =
            Template::parse(text, file_name).map_err(|e| AppError::input(e.to_string()))?;
        if rolecall_onboarding::builtin()
            .iter()
            .any(|t| t.id == template.id)
        {
            return Err(AppError::input(format!(
                "'{}' is the id of a built-in template; give yours another id.",
                template.id
            )));
        }
        let dir = self.dir.as_ref().ok_or_else(|| {
            AppError::new(
                ErrorKind::Storage,
                "NoTemplatesFolder",
                "no folder is known for your templates",
            )
        })?;
        rolecall_core::files::write_atomic(
            &dir.join(format!("{}.json", template.id)),
            text.as_bytes(),
        )
        .map_err(|e| {
            AppError::new(
                ErrorKind::Storage,
                "WriteFailed",
                format!("the template could not be saved: {e}"),
            )
        })?;
        Ok(template)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "rolecall-app-templates-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn built_in_ids_are_taken_and_own_templates_follow_them() {
        let dir = scratch("import");
        let library = Library::new(Some(dir.join("templates")));
        let builtins = library.list().unwrap();
        assert!(builtins.iter().all(|(_, o)| *o == Origin::BuiltIn));
        let acg = rolecall_onboarding::builtin()
            .into_iter()
            .find(|t| t.id == "acg-staff")
            .unwrap();
        let text = serde_json::to_string(&acg).unwrap();
        let refused = library.import("mine.json", &text).unwrap_err();
        assert_eq!(refused.kind, ErrorKind::InvalidInput);
        assert!(refused.message.contains("built-in"), "{refused}");
        assert!(!dir.exists(), "nothing written when refused");

        let mine = text.replacen("\"acg-staff\"", "\"acg-staff-emea\"", 1);
        let imported = library.import("mine.json", &mine).unwrap();
        assert_eq!(imported.id, "acg-staff-emea");
        let listed = library.list().unwrap();
        assert_eq!(listed.last().unwrap().1, Origin::Own);
        assert_eq!(library.find("acg-staff-emea").unwrap().id, "acg-staff-emea");
        let missing = library.find("nope").unwrap_err();
        assert!(missing.message.contains("acg-staff-emea"), "{missing}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
