//! `validate -o json` of a valid definition: the file and the sets it defines.

use serde::Serialize;

/// `{file, scaleSets, valid}`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidateReport {
    pub file: String,
    pub scale_sets: Vec<String>,
    pub valid: bool,
}
