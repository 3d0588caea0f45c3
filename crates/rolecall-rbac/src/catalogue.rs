//! The provider-operations catalogue: every operation ARM knows, as
//! `GET /providers/Microsoft.Authorization/providerOperations?$expand=resourceTypes`
//! lists them (live, or the shared reference files in tests), indexed by
//! namespace for wildcard expansion and by text for search-as-you-type.

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

use crate::pattern::{matches, namespace_of};
use crate::permissions::ActionKind;

/// One operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    /// `Microsoft.Support/supportTickets/write`.
    pub name: String,
    pub display_name: String,
    pub description: String,
    pub kind: ActionKind,
    /// `Microsoft.Support`.
    pub namespace: String,
    /// `supportTickets`; empty for the namespace's own operations.
    pub resource_type: String,
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    #[error("cannot read the provider-operations catalogue at {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("the provider-operations document {what} is not in ARM's shape: {reason}")]
    Shape { what: String, reason: String },
}

#[derive(Debug, Default)]
pub struct Catalogue {
    operations: Vec<Operation>,
    /// Lowercased `name`, for matching without allocating.
    names_lower: Vec<String>,
    /// `name display description`, lowercased, for search.
    haystacks: Vec<String>,
    /// Operation indices per lowercased namespace.
    by_namespace: HashMap<String, Vec<u32>>,
    /// Lowercased name → indices (a name can be both an action and a data action).
    by_name: HashMap<String, Vec<u32>>,
    /// Entries as listed, duplicates included (an operation can be listed
    /// under its namespace and under a resource type).
    listed: usize,
}

fn text(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap_or_default().to_owned()
}

impl Catalogue {
    /// Builds the catalogue from provider-operations documents (one per
    /// namespace, with `operations` and `resourceTypes[].operations`).
    pub fn from_namespaces(documents: &[Value]) -> Result<Self, CatalogueError> {
        let mut catalogue = Catalogue::default();
        for doc in documents {
            let namespace = doc["name"].as_str().ok_or_else(|| CatalogueError::Shape {
                what: "(unnamed)".into(),
                reason: "no name".into(),
            })?;
            let mut add = |op: &Value, resource_type: &str| {
                let name = text(op, "name");
                if name.is_empty() {
                    return;
                }
                let kind = if op["isDataAction"].as_bool().unwrap_or(false) {
                    ActionKind::DataAction
                } else {
                    ActionKind::Action
                };
                catalogue.push(Operation {
                    display_name: text(op, "displayName"),
                    description: text(op, "description"),
                    kind,
                    namespace: namespace.to_owned(),
                    resource_type: resource_type.to_owned(),
                    name,
                });
            };
            for op in doc["operations"].as_array().into_iter().flatten() {
                add(op, "");
            }
            for rt in doc["resourceTypes"].as_array().into_iter().flatten() {
                let rt_name = rt["name"].as_str().unwrap_or_default();
                for op in rt["operations"].as_array().into_iter().flatten() {
                    add(op, rt_name);
                }
            }
        }
        Ok(catalogue)
    }

    fn push(&mut self, op: Operation) {
        self.listed += 1;
        let lower = op.name.to_ascii_lowercase();
        let same = self.by_name.entry(lower.clone()).or_default();
        if same
            .iter()
            .any(|i| self.operations[*i as usize].kind == op.kind)
        {
            return; // listed twice (e.g. under the namespace and a resource type): keep one
        }
        let index = u32::try_from(self.operations.len()).expect("fewer than 4 billion operations");
        same.push(index);
        self.by_namespace
            .entry(op.namespace.to_ascii_lowercase())
            .or_default()
            .push(index);
        self.haystacks
            .push(format!("{} {} {}", op.name, op.display_name, op.description).to_lowercase());
        self.names_lower.push(lower);
        self.operations.push(op);
    }

    /// Reads a folder of `{Namespace}.json` provider-operations documents
    /// (the shared reference's `provider-operations/`).
    pub fn load_dir(dir: &Path) -> Result<Self, CatalogueError> {
        let read = |path: &Path, e: &dyn std::fmt::Display| CatalogueError::Read {
            path: path.display().to_string(),
            reason: e.to_string(),
        };
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .map_err(|e| read(dir, &e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        let mut documents = Vec::with_capacity(files.len());
        for file in files {
            let bytes = std::fs::read(&file).map_err(|e| read(&file, &e))?;
            documents.push(
                serde_json::from_slice(&bytes).map_err(|e| CatalogueError::Shape {
                    what: file.display().to_string(),
                    reason: e.to_string(),
                })?,
            );
        }
        Self::from_namespaces(&documents)
    }

    /// Distinct operations (by name and kind).
    pub fn len(&self) -> usize {
        self.operations.len()
    }

    /// Entries as the provider-operations documents list them, duplicates included.
    pub fn listed(&self) -> usize {
        self.listed
    }

    pub fn is_empty(&self) -> bool {
        self.operations.is_empty()
    }

    pub fn operations(&self) -> &[Operation] {
        &self.operations
    }

    pub fn operation(&self, index: u32) -> &Operation {
        &self.operations[index as usize]
    }

    pub fn get(&self, name: &str) -> Option<&Operation> {
        self.by_name
            .get(&name.to_ascii_lowercase())
            .and_then(|list| list.first())
            .map(|i| &self.operations[*i as usize])
    }

    pub fn has_namespace(&self, namespace: &str) -> bool {
        self.by_namespace
            .contains_key(&namespace.to_ascii_lowercase())
    }

    /// Indices of the operations of `kind` that `pattern` names (one for an
    /// exact name, many for a wildcard). Confined to the pattern's namespace
    /// when it has one, so `Microsoft.Support/*` looks at one namespace only.
    pub fn expand(&self, pattern: &str, kind: ActionKind) -> Vec<u32> {
        if !pattern.contains('*') {
            return self
                .by_name
                .get(&pattern.to_ascii_lowercase())
                .into_iter()
                .flatten()
                .copied()
                .filter(|i| self.operations[*i as usize].kind == kind)
                .collect();
        }
        let candidates: Box<dyn Iterator<Item = u32>> = match namespace_of(pattern) {
            Some(ns) => match self.by_namespace.get(&ns.to_ascii_lowercase()) {
                Some(list) => Box::new(list.iter().copied()),
                None => return Vec::new(),
            },
            None => Box::new(0..u32::try_from(self.operations.len()).expect("u32 operations")),
        };
        candidates
            .filter(|i| {
                let op = &self.operations[*i as usize];
                op.kind == kind && matches(pattern, &self.names_lower[*i as usize])
            })
            .collect()
    }

    /// Search as you type: every whitespace-separated term must appear in the
    /// operation's name, display name or description; operations whose name
    /// contains the whole query come first. At most `limit` results.
    pub fn search(&self, query: &str, kind: Option<ActionKind>, limit: usize) -> Vec<&Operation> {
        let query = query.trim().to_lowercase();
        if query.is_empty() {
            return Vec::new();
        }
        let terms: Vec<&str> = query.split_whitespace().collect();
        let mut by_name = Vec::new();
        let mut by_text = Vec::new();
        for (i, haystack) in self.haystacks.iter().enumerate() {
            if kind.is_some_and(|k| self.operations[i].kind != k) {
                continue;
            }
            if terms.iter().all(|t| haystack.contains(t)) {
                if self.names_lower[i].contains(&query) {
                    by_name.push(i);
                    if by_name.len() >= limit {
                        break;
                    }
                } else if by_text.len() < limit {
                    by_text.push(i);
                }
            }
        }
        by_name
            .into_iter()
            .chain(by_text)
            .take(limit)
            .map(|i| &self.operations[i])
            .collect()
    }
}

/// The shared Azure reference (`shared/azure-reference` beside the checkout,
/// or `ROLECALL_AZURE_REFERENCE`), for tests and benchmarks.
pub fn shared_reference_dir() -> std::path::PathBuf {
    let dir = std::env::var_os("ROLECALL_AZURE_REFERENCE")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            // At run time, not only `env!`: with a target directory shared
            // between checkouts, cargo reuses a binary built in another clone.
            std::path::PathBuf::from(
                std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or(env!("CARGO_MANIFEST_DIR").into()),
            )
            .join("../../../shared/azure-reference")
        });
    assert!(
        dir.join("builtin-roles.json").exists(),
        "the Azure reference data is missing at {}: check out shared/ beside the repository or set ROLECALL_AZURE_REFERENCE",
        dir.display()
    );
    dir
}
