//! The definition as Bicep: the ARM template of [`super::arm`], written in Bicep's syntax
//! (parameters with `@secure()`, one `resource` per resource, symbolic references instead of
//! `resourceId()` and `dependsOn`), so the two formats can never say different things.
//!
//! Guarantees: pure and deterministic; every ARM expression the template uses
//! (`parameters()`, `resourceId()` of a resource it declares) has its Bicep form; anything else
//! would be written as a string, which the tests check never happens.

use std::fmt::Write;

use serde_json::Value;

use crate::spec::SetDefinition;

/// The Bicep file for `defs`.
#[must_use]
pub fn file(defs: &[SetDefinition]) -> String {
    let template = super::arm::template(defs);
    let mut out = String::from("// Written by `scaleset export --format bicep`.\n");
    // Parameters, in the template's order.
    if let Some(params) = template.get("parameters").and_then(Value::as_object) {
        for (name, p) in params {
            let kind = p.get("type").and_then(Value::as_str).unwrap_or("string");
            if let Some(d) = p.pointer("/metadata/description").and_then(Value::as_str) {
                let _ = writeln!(out, "\n@description({})", string(d));
            } else {
                out.push('\n');
            }
            let kind = if kind.eq_ignore_ascii_case("securestring") {
                out.push_str("@secure()\n");
                "string"
            } else {
                kind
            };
            let default = p.get("defaultValue").map(|d| format!(" = {}", value(d, 0, &[]))).unwrap_or_default();
            let _ = writeln!(out, "param {name} {kind}{default}");
        }
    }
    let resources = template.get("resources").and_then(Value::as_array).cloned().unwrap_or_default();
    // Symbols: the resource IDs the template refers to, by the name it gives them.
    let symbols: Vec<(String, String)> = resources
        .iter()
        .map(|r| {
            let kind = r.get("type").and_then(Value::as_str).unwrap_or_default();
            let name = r.get("name").and_then(Value::as_str).unwrap_or_default();
            (format!("[resourceId('{kind}', '{name}')]"), symbol(kind, name))
        })
        .collect();
    for r in &resources {
        let kind = r.get("type").and_then(Value::as_str).unwrap_or_default();
        let api = r.get("apiVersion").and_then(Value::as_str).unwrap_or_default();
        let name = r.get("name").and_then(Value::as_str).unwrap_or_default();
        let mut body = r.as_object().cloned().unwrap_or_default();
        for key in ["type", "apiVersion", "dependsOn"] {
            body.remove(key);
        }
        let _ = writeln!(
            out,
            "\nresource {} '{kind}@{api}' = {}",
            symbol(kind, name),
            value(&Value::Object(body), 0, &symbols)
        );
    }
    out
}

/// A resource's symbolic name: its kind and name, as an identifier.
fn symbol(kind: &str, name: &str) -> String {
    let short = kind.rsplit('/').next().unwrap_or(kind);
    let mut id: String =
        format!("{name}_{short}").chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    if id.starts_with(|c: char| c.is_ascii_digit()) {
        id.insert(0, '_');
    }
    id
}

/// A Bicep string literal.
fn string(text: &str) -> String {
    let mut out = String::from("'");
    for c in text.chars() {
        match c {
            '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' => out.push_str("\\$"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

fn key(k: &str) -> String {
    let plain = k.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain { k.to_owned() } else { string(k) }
}

/// A JSON value in Bicep's syntax, ARM expressions in their Bicep form.
fn value(v: &Value, depth: usize, symbols: &[(String, String)]) -> String {
    let pad = "  ".repeat(depth + 1);
    let end = "  ".repeat(depth);
    match v {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        // Bicep has no fractional literals: a whole number as an integer, else json('70.5').
        #[allow(clippy::cast_possible_truncation)]
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i.to_string(),
            (None, Some(f)) if f.fract() == 0.0 && f.abs() < 9e15 => (f as i64).to_string(),
            _ => format!("json('{n}')"),
        },
        Value::String(s) => expression(s, symbols).unwrap_or_else(|| string(s)),
        Value::Array(items) if items.is_empty() => "[]".to_owned(),
        Value::Array(items) => {
            let lines: Vec<String> = items.iter().map(|i| format!("{pad}{}", value(i, depth + 1, symbols))).collect();
            format!("[\n{}\n{end}]", lines.join("\n"))
        }
        Value::Object(map) if map.is_empty() => "{}".to_owned(),
        Value::Object(map) => {
            let lines: Vec<String> =
                map.iter().map(|(k, v)| format!("{pad}{}: {}", key(k), value(v, depth + 1, symbols))).collect();
            format!("{{\n{}\n{end}}}", lines.join("\n"))
        }
    }
}

/// The Bicep form of the ARM expressions the template writes: `[parameters('x')]` and
/// `[resourceId(...)]` of a declared resource.
fn expression(s: &str, symbols: &[(String, String)]) -> Option<String> {
    if let Some(name) = s.strip_prefix("[parameters('").and_then(|r| r.strip_suffix("')]")) {
        return Some(name.to_owned());
    }
    symbols.iter().find(|(id, _)| id == s).map(|(_, symbol)| format!("{symbol}.id"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cost::catalog::Catalog;

    #[test]
    fn every_expression_has_its_bicep_form_and_the_file_is_balanced() {
        for text in [
            include_str!("../../scalesets.yaml"),
            include_str!("../../examples/spot-batch.yaml"),
            include_str!("../../examples/weekly-profiles.yaml"),
        ] {
            let defs = crate::spec::parse_definition("x.yaml", text.as_bytes(), Catalog::builtin()).unwrap();
            let bicep = file(&defs);
            assert!(
                !bicep.contains("'[") && !bicep.contains("[parameters("),
                "an ARM expression left as text:\n{bicep}"
            );
            assert!(bicep.contains("@secure()\nparam adminPassword string"), "{bicep}");
            let opens = bicep.matches('{').count() + bicep.matches('[').count();
            let closes = bicep.matches('}').count() + bicep.matches(']').count();
            assert_eq!(opens, closes, "{bicep}");
            for def in &defs {
                assert!(bicep.contains(&format!(
                    "resource {}_virtualMachineScaleSets 'Microsoft.Compute/virtualMachineScaleSets@",
                    def.config.name
                )));
                if def.config.autoscale.is_some() {
                    assert!(
                        bicep.contains(&format!("targetResourceUri: {}_virtualMachineScaleSets.id", def.config.name)),
                        "{bicep}"
                    );
                }
            }
        }
        assert_eq!(string("it's ${x}\\"), r"'it\'s \${x}\\'");
    }
}
