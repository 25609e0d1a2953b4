//! `validate -o json`: whether the definition is valid, the sets it defines, and every
//! diagnostic (errors, and notes such as a load no rule reads), whether or not it is valid, so
//! a CI step can annotate the exact line.

use serde::Serialize;

use crate::spec::{DefinitionError, Problem};

/// `{valid, file, scaleSets, diagnostics}`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidateReport {
    pub diagnostics: Vec<Diagnostic>,
    pub file: String,
    pub scale_sets: Vec<String>,
    pub valid: bool,
}

/// One thing `validate` has to say.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Diagnostic {
    /// `error` (the definition is refused) or `note`.
    pub severity: &'static str,
    pub file: String,
    /// 1-based, when known.
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// The scale set concerned, for problems within one.
    pub set: Option<String>,
    /// The field path within the set (`autoscale.profiles[0].rules[1].scale`).
    pub field: Option<String>,
    pub message: String,
    /// What would fix it, when the message carries one (`did you mean ...`, `accepted: ...`).
    pub hint: Option<String>,
}

impl Diagnostic {
    fn of(severity: &'static str, file: &str, p: &Problem) -> Self {
        let hint = ["did you mean", "accepted:", "(accepted"].iter().find_map(|marker| {
            p.message.find(marker).map(|at| p.message[at..].trim_matches(['(', ')', ';', ' ']).to_owned())
        });
        Self {
            severity,
            file: file.to_owned(),
            line: p.position.map(|(line, _)| line),
            column: p.position.map(|(_, column)| column),
            set: p.scale_set.clone(),
            field: p.field.clone(),
            message: p.message.clone(),
            hint,
        }
    }

    /// A note about the whole definition.
    #[must_use]
    pub fn note(file: &str, message: String) -> Self {
        let problem = Problem { position: None, scale_set: None, set_index: None, field: None, message };
        Self::of("note", file, &problem)
    }
}

impl ValidateReport {
    /// The report of a valid definition.
    #[must_use]
    pub fn valid(file: &str, sets: Vec<String>, notes: Vec<Diagnostic>) -> Self {
        Self { diagnostics: notes, file: file.to_owned(), scale_sets: sets, valid: true }
    }

    /// The report of a definition refused with `error`.
    #[must_use]
    pub fn invalid(file: &str, error: &DefinitionError) -> Self {
        let diagnostics = match error {
            DefinitionError::Read { reason, .. } => {
                let problem =
                    Problem { position: None, scale_set: None, set_index: None, field: None, message: reason.clone() };
                vec![Diagnostic::of("error", file, &problem)]
            }
            DefinitionError::Invalid { problems, .. } => {
                problems.iter().map(|p| Diagnostic::of("error", file, p)).collect()
            }
        };
        Self { diagnostics, file: file.to_owned(), scale_sets: Vec::new(), valid: false }
    }
}
