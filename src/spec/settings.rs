//! The definition's settings outside `scaleSets`: `prices:` (an Azure Retail Prices export laid
//! over the built-in catalog, relative to the definition file) and `budget:` (the monthly budget
//! `cost` checks when `--max-monthly` is not given).
//!
//! They are read on their own, without validating the scale sets, because commands that never
//! load the definition need them too: `advance`, `cost` and `list` price with the definition's
//! prices, and `cost` gates on its budget. Guarantees: a missing definition file means "no
//! settings", never an error; a malformed setting is a [`DefinitionError`] with the file, line
//! and field; amounts are exact (see [`super::raw::RawMoney`]).

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::model::money::Money;

use super::load::parse_yaml;
use super::problem::{DefinitionError, Problem};
use super::raw::RawBudget;

/// The top-level settings of a definition.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    /// `prices:`, if given.
    pub prices: Option<PricesFile>,
    /// `budget.maxMonthly`, if given.
    pub budget: Option<Money>,
}

/// A price export named by the definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricesFile {
    /// As written in the definition.
    pub written: String,
    /// Resolved against the definition file's directory.
    pub path: PathBuf,
}

/// Only the keys this module reads; everything else is left to the full loader.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Peek {
    prices: Option<String>,
    budget: Option<RawBudget>,
}

/// Reads the settings from the definition's text. `shown` names the file in messages;
/// `base` is its directory, against which `prices:` is resolved.
///
/// # Errors
/// The text is not YAML, or a setting is malformed (e.g. an empty `prices`, a negative
/// budget).
pub fn parse(shown: &str, base: &Path, text: &str) -> Result<Settings, DefinitionError> {
    if text.lines().all(|l| l.trim().is_empty() || l.trim_start().starts_with('#')) {
        return Ok(Settings::default());
    }
    let peek: Peek =
        parse_yaml(text).map_err(|p| DefinitionError::Invalid { path: shown.to_owned(), problems: vec![p] })?;
    let prices = match peek.prices {
        None => None,
        Some(written) if written.trim().is_empty() => {
            return Err(DefinitionError::Invalid {
                path: shown.to_owned(),
                problems: vec![problem(
                    text,
                    "prices",
                    "is empty; give the path of an Azure Retail Prices export (JSON)",
                )],
            });
        }
        Some(written) => Some(PricesFile { path: base.join(&written), written }),
    };
    Ok(Settings { prices, budget: peek.budget.map(|b| b.max_monthly.0) })
}

/// A problem with a top-level key, located at the line that writes it.
#[must_use]
pub fn problem(text: &str, key: &str, message: impl Into<String>) -> Problem {
    let position = text.lines().position(|l| l.starts_with(&format!("{key}:"))).map(|line| (line + 1, 1));
    Problem { position, scale_set: None, set_index: None, field: Some(key.to_owned()), message: message.into() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_text(text: &str) -> Result<Option<Settings>, DefinitionError> {
        parse("defs/scalesets.yaml", Path::new("defs"), text).map(Some)
    }

    #[test]
    fn reads_prices_and_budget_exactly() {
        let settings = read_text("prices: exports/prices.json\nbudget: { maxMonthly: 1234.56 }\nscaleSets: []\n")
            .unwrap()
            .unwrap();
        assert_eq!(
            settings.prices,
            Some(PricesFile { written: "exports/prices.json".into(), path: PathBuf::from("defs/exports/prices.json") })
        );
        assert_eq!(settings.budget, Some(Money::parse("1234.56").unwrap()));
        for (yaml, amount) in [("500", "500"), ("\"99.5\"", "99.5"), ("0", "0"), ("0.1", "0.1"), ("'$20'", "20")] {
            let settings = read_text(&format!("budget:\n  maxMonthly: {yaml}\nscaleSets: []\n")).unwrap().unwrap();
            assert_eq!(settings.budget, Some(Money::parse(amount).unwrap()), "{yaml}");
        }
    }

    #[test]
    fn missing_keys_mean_no_settings() {
        assert_eq!(read_text("scaleSets: []\n").unwrap(), Some(Settings::default()));
        assert_eq!(read_text("# nothing yet\n").unwrap(), Some(Settings::default()));
    }

    #[test]
    fn malformed_settings_are_located() {
        let error = read_text("scaleSets: []\nbudget: { maxMonthly: -5 }\n").unwrap_err().to_string();
        assert!(error.contains(":2:"), "{error}");
        assert!(error.contains("negative"), "{error}");
        let error = read_text("scaleSets: []\nbudget: { maxMonthly: 1.2345678 }\n").unwrap_err().to_string();
        assert!(error.contains("more than 6 decimals"), "{error}");
        let error = read_text("scaleSets: []\nbudget: { maxMonthly: lots }\n").unwrap_err().to_string();
        assert!(error.contains("\"lots\""), "{error}");
        let error = read_text("scaleSets: []\nprices: ''\n").unwrap_err().to_string();
        assert!(
            error.ends_with(":2:1: prices: is empty; give the path of an Azure Retail Prices export (JSON)"),
            "{error}"
        );
    }
}
