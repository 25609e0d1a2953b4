//! The definition `import` writes: YAML whose values are JSON (a subset of YAML), each with a
//! comment naming the file and path it came from, and the settings dropped listed below each
//! set.

use std::fmt::Write;

use super::{Input, Set};

/// Comments stay on one line whatever a file name holds.
fn one_line(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

pub(super) fn write(sets: &[Set], inputs: &[Input<'_>]) -> String {
    let mut out = String::new();
    let files: Vec<String> = inputs.iter().map(|i| one_line(i.name)).collect();
    let _ = writeln!(out, "# Written by `scaleset import` from {}.", files.join(", "));
    let _ = writeln!(out, "# Each value names the file and JSON path it came from. Check it with `scaleset validate`.");
    out.push_str("scaleSets:\n");
    for set in sets {
        for (n, entry) in set.entries.iter().enumerate() {
            let lead = if n == 0 { "  - " } else { "    " };
            let value = serde_json::to_string(&entry.value).unwrap_or_else(|_| "null".to_owned());
            let _ = writeln!(out, "{lead}{}: {value}  # {}", entry.key, one_line(&entry.source));
        }
        if !set.dropped.is_empty() {
            out.push_str("    # Not imported, no effect on simulation or cost:\n");
            for d in &set.dropped {
                let _ = writeln!(out, "    #   {}", one_line(d));
            }
        }
    }
    out
}
