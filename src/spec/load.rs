//! Parsing a definition: bytes to UTF-8 to YAML to the raw types, then validation. The shell
//! reads the file (`crate::inputs`); nothing here opens one.
//!
//! The YAML library is used through [`parse_yaml`] only, so it can be swapped without touching
//! anything else. serde-saphyr is a maintained, pure-Rust YAML 1.2 parser that rejects
//! duplicate keys, limits alias expansion (no "billion laughs") and reports line and column.

use crate::cost::catalog::Catalog;

use super::problem::{DefinitionError, Problem};
use super::raw::RawDefinition;
use super::validate::{SetDefinition, validate};

/// Parses and validates definition text already in memory (`path` is only for messages).
///
/// # Errors
/// The bytes are not UTF-8 YAML of the right shape, or the definition is invalid; every
/// problem carries the file name and, where known, the line and column.
pub fn parse_definition(path: &str, bytes: &[u8], catalog: &Catalog) -> Result<Vec<SetDefinition>, DefinitionError> {
    let invalid = |problems| DefinitionError::Invalid { path: path.to_owned(), problems };
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let (line, col) = position_of_byte(bytes, e.valid_up_to());
        invalid(vec![Problem {
            position: Some((line, col)),
            scale_set: None,
            set_index: None,
            field: None,
            message: "the file is not valid UTF-8".into(),
        }])
    })?;
    // Blank lines and comments only: say so, rather than YAML's "unexpected end of input".
    if text.lines().all(|l| l.trim().is_empty() || l.trim_start().starts_with('#')) {
        return Err(invalid(vec![Problem {
            position: None,
            scale_set: None,
            set_index: None,
            field: None,
            message: "the file is empty; it needs a top-level 'scaleSets:' list".into(),
        }]));
    }
    let raw: RawDefinition = parse_yaml(text).map_err(|p| invalid(vec![p]))?;
    validate(&raw, catalog).map_err(|mut problems| {
        for p in &mut problems {
            if p.position.is_none()
                && let Some(set) = &p.scale_set
            {
                // Names may repeat (a duplicate is itself a problem): find the right entry.
                let occurrence =
                    p.set_index.map_or(0, |k| raw.scale_sets.iter().take(k).filter(|s| s.name == *set).count());
                p.position = locate(text, set, occurrence, p.field.as_deref());
            }
        }
        invalid(problems)
    })
}

/// The one place that knows the YAML library.
pub(crate) fn parse_yaml<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, Problem> {
    let options = serde_saphyr::options! {
        with_snippet: false,
        strict_booleans: true,
    };
    serde_saphyr::from_str_with_options::<T>(text, options).map_err(|e| {
        let position = e
            .location()
            .filter(|l| l.line() > 0)
            .map(|l| (usize::try_from(l.line()).unwrap_or(0), usize::try_from(l.column()).unwrap_or(0)));
        Problem {
            position,
            scale_set: None,
            set_index: None,
            field: None,
            message: clean_message(&e.without_snippet().to_string()),
        }
    })
}

/// serde-saphyr appends " at line L, column C" to some messages; the position is already in
/// front of ours, so drop it.
/// Some of its messages speak to the programmer (library options, Rust type names): say them
/// in the user's terms.
fn clean_message(msg: &str) -> String {
    let first = msg.lines().next().unwrap_or(msg).trim();
    let first = match first.rfind(" at line ") {
        // Not the "(defined at line L, column C) (used at line ...)" of a value read through an alias.
        Some(i) if !first[..i].ends_with("(used") && !first[..i].ends_with("(defined") => {
            first[..i].trim_end_matches(',')
        }
        _ => first,
    };
    if let Some(rest) = first.strip_prefix("duplicate mapping key") {
        let key = rest.split(", set DuplicateKeyPolicy").next().unwrap_or("").trim_start_matches(':').trim();
        return if key.is_empty() {
            "duplicate key (each key may appear only once)".to_owned()
        } else {
            format!("duplicate key '{key}' (each key may appear only once)")
        };
    }
    if first.starts_with("budget breached") {
        // serde-saphyr's limits on aliases, nesting and expanded size: an alias bomb or the like.
        let what = first.trim_start_matches("budget breached:").split(" (").next().unwrap_or("").trim();
        return format!(
            "the YAML expands to too much (a limit of the YAML reader was reached: {what}); \
             a definition needs no more than a few aliases"
        );
    }
    match first {
        "invalid i64" | "invalid i32" | "invalid u64" | "invalid u32" | "invalid u8" => {
            "expected a whole number".to_owned()
        }
        "invalid f64" | "invalid f32" => "expected a number".to_owned(),
        "expected sequence start" => "expected a list".to_owned(),
        "expected mapping start" => "expected a mapping (key: value lines or { key: value })".to_owned(),
        other if other.starts_with("multiple YAML documents detected") => {
            "the file holds more than one YAML document ('---'); put every scale set in one".to_owned()
        }
        other => other.to_owned(),
    }
}

fn position_of_byte(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let col = before.iter().rev().take_while(|b| **b != b'\n').count() + 1;
    (line, col)
}

/// Finds where a set (its `occurrence`-th entry with that name, counting from 0) and, for a
/// top-level field, that field is written, so semantic problems point at a line too. A best
/// effort: block-style YAML, which is what people write.
fn locate(text: &str, set: &str, occurrence: usize, field: Option<&str>) -> Option<(usize, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    // (column of `name:`, its value) for a line that sets a `name`.
    let name_of = |l: &str| -> Option<(usize, String)> {
        let t = l.trim_start().trim_start_matches("- ").trim_start();
        // A set written in flow style: `- { name: web, region: eastus }`.
        let t = t.strip_prefix('{').map_or(t, str::trim_start);
        let v = t.strip_prefix("name:")?;
        let v = v.split(" #").next().unwrap_or(v);
        let v = v.split([',', '}']).next().unwrap_or(v).trim().trim_matches(|c| c == '"' || c == '\'');
        Some((l.len() - t.len() + 1, v.to_owned()))
    };
    // Scale set names are the least indented `name:` keys; deeper ones name autoscale profiles.
    let set_col = lines.iter().filter_map(|l| name_of(l)).map(|(col, _)| col).min()?;
    let start = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| name_of(l).is_some_and(|(col, v)| col == set_col && v == set))
        .nth(occurrence)?
        .0;
    let name_col = set_col;
    let key = field.and_then(|f| f.split(['.', '[']).next()).filter(|k| *k != "name");
    if let Some(key) = key {
        let indent = name_col - 1;
        for (i, l) in lines.iter().enumerate().skip(start + 1) {
            let trimmed = l.trim_start();
            let col = l.len() - trimmed.len();
            if trimmed.starts_with("- ") && col + 2 <= indent && !trimmed.is_empty() {
                break; // the next set
            }
            if col == indent && trimmed.starts_with(&format!("{key}:")) {
                return Some((i + 1, col + 1));
            }
        }
    }
    Some((start + 1, name_col))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_set_and_field() {
        let text = "scaleSets:\n  - name: web\n    region: eastus\n    capacity: 500\n  - name: api\n    capacity: 1\n";
        assert_eq!(locate(text, "web", 0, Some("capacity")), Some((4, 5)));
        assert_eq!(locate(text, "api", 0, Some("capacity")), Some((6, 5)));
        assert_eq!(locate(text, "api", 0, Some("zones")), Some((5, 5)));
        assert_eq!(locate(text, "nope", 0, None), None);
    }

    #[test]
    fn duplicate_set_names_locate_each_entry() {
        // Regression: every problem of the second 'web' pointed at the first one.
        let text = "scaleSets:\n  - name: web\n    capacity: 1\n  - name: web\n    capacity: 500\n";
        assert_eq!(locate(text, "web", 0, Some("capacity")), Some((3, 5)));
        assert_eq!(locate(text, "web", 1, Some("capacity")), Some((5, 5)));
        assert_eq!(locate(text, "web", 1, None), Some((4, 5)));
        assert_eq!(locate(text, "web", 2, None), None);
    }

    #[test]
    fn profile_names_are_not_set_names() {
        // Regression: a set named like an earlier autoscale profile was located at the profile.
        let text = "scaleSets:\n  - name: web\n    autoscale:\n      profiles:\n        - name: default\n  - name: default\n    capacity: 500\n";
        assert_eq!(locate(text, "default", 0, Some("capacity")), Some((7, 5)));
    }

    #[test]
    fn library_jargon_is_translated() {
        assert_eq!(
            clean_message("duplicate mapping key: region, set DuplicateKeyPolicy in Options if acceptable"),
            "duplicate key 'region' (each key may appear only once)"
        );
        assert_eq!(clean_message("invalid i64"), "expected a whole number");
        assert_eq!(clean_message("unclosed quote at line 2, column 11"), "unclosed quote");
        assert_eq!(clean_message("expected sequence start"), "expected a list");
        assert!(
            clean_message("multiple YAML documents detected; use from_str_multiple or from_str_multiple_with_options")
                .starts_with("the file holds more than one YAML document")
        );
    }

    #[test]
    fn flow_style_sets_are_located() {
        // Regression: a set written as `- { name: web, ... }` got no line at all.
        let text = "scaleSets:\n  - { name: web, capacity: 1 }\n  - { name: \"api\", capacity: 5000 }\n";
        assert_eq!(locate(text, "api", 0, Some("capacity")), Some((3, 7)));
    }

    #[test]
    fn byte_positions() {
        assert_eq!(position_of_byte(b"ab\ncd", 4), (2, 2));
    }
}
