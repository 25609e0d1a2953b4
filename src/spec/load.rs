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
    parse_definition_with_traces(path, bytes, catalog, &TraceTexts::new())
}

/// The texts of the files `load: - trace: { file: ... }` entries name, keyed by the name as
/// written: the shell reads them (see [`trace_files`]) so that parsing stays free of I/O.
pub type TraceTexts = std::collections::BTreeMap<String, Result<String, String>>;

/// The trace files a definition names, as written (empty when it does not parse: the full
/// parse reports that).
#[must_use]
pub fn trace_files(bytes: &[u8]) -> Vec<String> {
    let Ok(text) = std::str::from_utf8(bytes) else { return Vec::new() };
    let Ok(raw) = parse_yaml::<RawDefinition>(text) else { return Vec::new() };
    let mut files: Vec<String> = raw
        .scale_sets
        .iter()
        .flat_map(|s| s.load.iter().flatten())
        .filter_map(|l| l.trace.as_ref().map(|t| t.file.clone()))
        .collect();
    files.sort();
    files.dedup();
    files
}

/// As [`parse_definition`], with the texts of the trace files the definition names.
///
/// # Errors
/// As [`parse_definition`]; a trace file that could not be read or parsed is a problem at its
/// `load[i].trace.file`.
pub fn parse_definition_with_traces(
    path: &str,
    bytes: &[u8],
    catalog: &Catalog,
    traces: &TraceTexts,
) -> Result<Vec<SetDefinition>, DefinitionError> {
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
    let mut raw: RawDefinition = parse_yaml(text).map_err(|p| invalid(vec![p]))?;
    for set in &mut raw.scale_sets {
        for trace in set.load.iter_mut().flatten().filter_map(|l| l.trace.as_mut()) {
            trace.text = traces.get(&trace.file).cloned();
        }
    }
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
        let message = clean_message(&e.without_snippet().to_string());
        let message = explain(text, position, message);
        Problem { position, scale_set: None, set_index: None, field: None, message }
    })
}

/// Azure's names for keys this tool spells its own way (ARM, `az vmss create`, Terraform).
const AZURE_NAMES: [(&str, &str); 8] = [
    ("instanceCount", "capacity"),
    ("instance_count", "capacity"),
    ("vmSize", "sku"),
    ("vm_size", "sku"),
    ("location", "region"),
    ("orchestration_mode", "orchestrationMode"),
    ("upgradeMode", "upgradePolicy: { mode: ... }"),
    ("upgrade_mode", "upgradePolicy: { mode: ... }"),
];

/// An example value for keys whose shape is a mapping or a list.
const EXAMPLES: [(&str, &str); 12] = [
    ("upgradePolicy", "upgradePolicy: { mode: Rolling }"),
    ("scaleInPolicy", "scaleInPolicy: { rules: [NewestVM] }"),
    ("osDisk", "osDisk: { tier: P10 }"),
    ("automaticRepairs", "automaticRepairs: { enabled: true, gracePeriod: 10m }"),
    ("loadBalancer", "loadBalancer: { rules: 2, dataProcessedGb: 500 }"),
    ("priorityMix", "priorityMix: { baseRegularPriorityCount: 1, regularPriorityPercentageAboveBase: 25 }"),
    ("rollingUpgradePolicy", "rollingUpgradePolicy: { maxBatchInstancePercent: 20 }"),
    ("capacity", "capacity: { minimum: 1, maximum: 10, default: 2 } (in a profile)"),
    ("zones", "zones: [1, 2, 3]"),
    ("rules", "rules: [{ condition: \"Percentage CPU > 70 avg 5m\", scale: out 1 }]"),
    ("autoscale", "autoscale: { profiles: [...] }"),
    ("budget", "budget: { maxMonthly: 500 }"),
];

/// Makes a YAML reader's message say which key, what shape it wants and an example, or which
/// key was meant, from the text at `position`.
fn explain(text: &str, position: Option<(usize, usize)>, message: String) -> String {
    // Unknown keys: the nearest accepted name, or Azure's name for it, instead of the full list.
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let (key, rest) = rest.split_once('`').unwrap_or((rest, ""));
        let accepted: Vec<&str> = rest
            .split_once("expected one of ")
            .map_or_else(Vec::new, |(_, list)| list.split(", ").map(|s| s.trim().trim_matches('`')).collect());
        if let Some((_, ours)) = AZURE_NAMES.iter().find(|(azure, _)| *azure == key) {
            return format!("unknown key '{key}': Azure calls it that; here it is '{ours}'");
        }
        let near = crate::suggest::nearest(key, accepted.iter().copied());
        return if near.is_empty() {
            format!("unknown key '{key}' (accepted: {})", accepted.join(", "))
        } else {
            format!("unknown key '{key}'; {}", crate::suggest::did_you_mean(&near))
        };
    }
    let shape = ["expected a mapping", "expected a list", "expected a whole number", "expected a number"]
        .into_iter()
        .find(|s| message.starts_with(s));
    if let (Some(shape), Some((line, column))) = (shape, position) {
        let lines: Vec<&str> = text.lines().collect();
        let mut at = line.saturating_sub(1);
        // Pointing at the start of a key means the value that holds it has the wrong shape
        // (a mapping where a list belongs): the key at fault is the one above, less indented.
        let indent = |l: &str| l.len() - l.trim_start().len();
        if let Some(here) = lines.get(at)
            && column <= indent(here) + 1
        {
            let mine = indent(here);
            at = (0..at).rev().find(|k| !lines[*k].trim().is_empty() && indent(lines[*k]) < mine).unwrap_or(at);
        }
        let written = lines.get(at).copied().unwrap_or("").trim_start();
        // A list item is not the key at fault (`- name: web` where a mapping is wanted).
        if let Some((key, value)) = written.split_once(':').filter(|_| !written.starts_with('-')) {
            let key = key.trim();
            let value = value.split(" #").next().unwrap_or("").trim();
            let structured = shape == "expected a mapping" || shape == "expected a list";
            let example = EXAMPLES
                .iter()
                .find(|(k, _)| *k == key && structured)
                .map_or_else(String::new, |(_, e)| format!("; for example {e}"));
            let found = if value.is_empty() { String::new() } else { format!(", found '{value}'") };
            return format!("{key}: {shape}{found}{example}");
        }
    }
    message
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
                // Deeper: `autoscale.profiles[0].rules[1].condition` walks down to the rule.
                let rest: Vec<&str> = field.map_or_else(Vec::new, |f| f.split('.').skip(1).collect());
                let first = field.and_then(|f| f.split('.').next()).unwrap_or(key);
                let mut at = (i, col);
                if let Some(index) = list_index(first) {
                    at = nth_item(&lines, at, index).unwrap_or(at);
                }
                for segment in rest {
                    // Into the mapping the current key or item holds, then to the segment.
                    let inside = if lines
                        .get(at.0)
                        .is_some_and(|l| l.get(..at.1).is_some_and(|p| p.trim_end().ends_with('-')))
                    {
                        Some(at)
                    } else {
                        enter(&lines, at)
                    };
                    match inside.and_then(|m| descend(&lines, m, segment)) {
                        Some(next) => at = next,
                        None => break,
                    }
                }
                return Some((at.0 + 1, at.1 + 1));
            }
        }
    }
    Some((start + 1, name_col))
}

/// `rules[1]` -> Some(1).
fn list_index(segment: &str) -> Option<usize> {
    segment.split_once('[')?.1.strip_suffix(']')?.parse().ok()
}

/// Indentation of a line, and the line without it.
fn indent_of(line: &str) -> (usize, &str) {
    let trimmed = line.trim_start();
    (line.len() - trimmed.len(), trimmed)
}

/// From the line of `key:` at (line, column), the `index`-th list item under it: its line and
/// the column of what follows `- `.
fn nth_item(lines: &[&str], (line, col): (usize, usize), index: usize) -> Option<(usize, usize)> {
    let mut seen = 0;
    let mut item_indent = None;
    for (i, l) in lines.iter().enumerate().skip(line + 1) {
        let (indent, trimmed) = indent_of(l);
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if indent <= col && !(indent == col && trimmed.starts_with("- ")) {
            return None;
        }
        if trimmed.starts_with("- ") && item_indent.is_none_or(|w| w == indent) {
            item_indent = Some(indent);
            if seen == index {
                return Some((i, indent + 2));
            }
            seen += 1;
        }
    }
    None
}

/// The mapping a `key:` at (line, column) opens: where its keys start (on the same line for a
/// flow mapping, `key: { a: 1 }`; else the next, deeper line).
fn enter(lines: &[&str], (line, col): (usize, usize)) -> Option<(usize, usize)> {
    let here = lines.get(line)?;
    let after = here.get(col..)?.split_once(':')?.1.trim();
    if after.starts_with('{') {
        return Some((line, col + here.get(col..)?.find('{')? + 1));
    }
    for (i, l) in lines.iter().enumerate().skip(line + 1) {
        let (indent, trimmed) = indent_of(l);
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        return (indent > col).then_some((i, indent));
    }
    None
}

/// Within a mapping whose keys start at (line, column) (a list item's content, a block
/// mapping's first key, or a flow mapping), the line and column of `segment` (`rules`,
/// `rules[1]`, `condition`).
fn descend(lines: &[&str], (line, col): (usize, usize), segment: &str) -> Option<(usize, usize)> {
    let key = segment.split('[').next().unwrap_or(segment);
    let pattern = format!("{key}:");
    // On the starting line: a flow mapping or the first key of a list item.
    let here = lines.get(line)?;
    if let Some(pos) = here.get(col..).and_then(|t| t.find(&pattern)).map(|p| p + col) {
        let starts_key = pos == col || here[..pos].ends_with([' ', '{', ',']);
        if starts_key {
            return with_index(lines, (line, pos), segment);
        }
    }
    for (i, l) in lines.iter().enumerate().skip(line + 1) {
        let (indent, trimmed) = indent_of(l);
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if indent < col {
            return None;
        }
        if indent == col && trimmed.starts_with(&pattern) {
            return with_index(lines, (i, indent), segment);
        }
    }
    None
}

fn with_index(lines: &[&str], at: (usize, usize), segment: &str) -> Option<(usize, usize)> {
    match list_index(segment) {
        Some(index) => nth_item(lines, at, index),
        None => Some(at),
    }
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
    fn locates_a_rule_deep_in_an_autoscale_setting() {
        let text = "scaleSets:\n  - name: web\n    autoscale:\n      profiles:\n        - name: default\n          \
                    capacity: { minimum: 1, maximum: 4, default: 2 }\n          rules:\n            \
                    - { condition: \"CPU > 70 avg 5m\", scale: out 1 }\n            \
                    - { condition: \"CPU >> 70 avg 5m\", scale: out 1 }\n        - name: night\n          rules:\n            \
                    - metricName: cpu\n              threshold: x\n";
        assert_eq!(locate(text, "web", 0, Some("autoscale.profiles[0].rules[1].condition")), Some((9, 17)));
        assert_eq!(locate(text, "web", 0, Some("autoscale.profiles[0].capacity")), Some((6, 11)));
        assert_eq!(locate(text, "web", 0, Some("autoscale.profiles[1].rules[0].threshold")), Some((13, 15)));
        assert_eq!(locate(text, "web", 0, Some("autoscale.profiles[1].rules[0]")), Some((12, 15)));
        // A path that is not written stops at the deepest part that is.
        assert_eq!(locate(text, "web", 0, Some("autoscale.profiles[0].rules[5].scale")), Some((5, 11)));
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
