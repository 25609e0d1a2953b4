//! `import`: a scaleset definition written from what users deploy. Today: the JSON that
//! `az vmss show` and `az monitor autoscale show` print, and the REST bodies of
//! `Microsoft.Compute/virtualMachineScaleSets` and `Microsoft.Insights/autoscalesettings`
//! (a GET response, a list's `value`, or a REST API example file with its `responses`).
//!
//! Guarantees: pure (texts in, YAML text out); every value written carries a comment with the
//! file and JSON path it came from; every setting dropped because it has no effect on
//! simulation or cost is listed once; a setting that would have an effect but has no place in
//! the definition is a warning naming its path, never dropped silently; an input that is none
//! of these shapes, or a placeholder (`{vmss-name}`) without `--param`, is an error naming the
//! file and path and what would be accepted.

mod arm;
mod autoscale;
pub mod expr;
mod terraform;
mod vmss;
mod yaml;

use std::collections::BTreeMap;

use serde_json::Value;

/// What `import` was given besides the files.
#[derive(Debug, Default, Clone)]
pub struct Options {
    /// `--param NAME=VALUE`: values for `{NAME}` placeholders.
    pub params: BTreeMap<String, String>,
    /// `--location`: the region when a resource names none.
    pub location: Option<String>,
}

/// One input file's text.
pub struct Input<'a> {
    pub name: &'a str,
    pub text: &'a str,
}

/// The definition written, and what the user should know about it.
#[derive(Debug)]
pub struct Imported {
    pub yaml: String,
    pub warnings: Vec<String>,
    pub sets: usize,
}

/// A value of the definition and where it came from.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub key: &'static str,
    pub value: Value,
    pub source: String,
}

/// A scale set gathered from the inputs.
#[derive(Debug)]
pub(crate) struct Set {
    pub name: String,
    /// The resource ID, when given: what an autoscale setting's `targetResourceUri` names.
    pub id: Option<String>,
    pub entries: Vec<Entry>,
    pub dropped: Vec<String>,
}

/// A load balancer defined beside the scale sets: what its backend pools cost.
#[derive(Debug, Clone)]
pub(crate) struct Balancer {
    /// Load-balancing and outbound rules (inbound NAT rules are free).
    pub rules: u32,
    /// A Standard load balancer (Basic ones are not billed).
    pub standard: bool,
    /// Where it is defined.
    pub path: String,
}

/// Load balancers by lowercased name.
pub(crate) type LoadBalancers = BTreeMap<String, Balancer>;

/// Why an import failed.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ImportError(pub String);

/// A file as the output's comments name it: its last component (the header lists them whole).
pub(crate) fn short(file: &str) -> &str {
    file.rsplit(['/', '\\']).next().filter(|s| !s.is_empty()).unwrap_or(file)
}

/// A JSON path for messages: `$.properties.virtualMachineProfile`.
pub(crate) fn join(path: &str, key: &str) -> String {
    format!("{path}.{key}")
}

/// Imports the inputs into one definition.
///
/// # Errors
/// A file that is not JSON or none of the accepted shapes, a placeholder without its
/// `--param`, an autoscale setting whose target is not among the scale sets given.
pub fn import(inputs: &[Input<'_>], options: &Options) -> Result<Imported, ImportError> {
    let mut sets: Vec<Set> = Vec::new();
    let mut settings = Vec::new();
    let mut warnings = Vec::new();
    for input in inputs {
        if input.name.ends_with(".tf") {
            let (found, balancers) = terraform::resources(input.name, input.text, options, &mut warnings)?;
            for (mut resource, address) in found {
                let dropped = resource.as_object_mut().and_then(|m| m.remove("terraformDropped"));
                match kind(&resource) {
                    Kind::ScaleSet => {
                        let mut set = vmss::read(input.name, &resource, &address, options, &balancers, &mut warnings)?;
                        for key in dropped.iter().flat_map(|d| d.as_array().cloned().unwrap_or_default()) {
                            set.dropped.push(format!(
                                "{} {address}.{}",
                                short(input.name),
                                key.as_str().unwrap_or_default()
                            ));
                        }
                        settle(&mut set, &mut warnings)?;
                        sets.push(set);
                    }
                    _ => settings.push((input.name, resource, address)),
                }
            }
            continue;
        }
        let value: Value = serde_json::from_str(input.text).map_err(|e| {
            ImportError(format!(
                "{}:{}:{}: not JSON ({e}); accepted: the JSON of `az vmss show`, `az monitor autoscale show`, or a \
                 REST body of a scale set or autoscale setting",
                input.name,
                e.line(),
                e.column()
            ))
        })?;
        let (found, balancers): (Vec<(Value, String)>, LoadBalancers) = match kind(&value) {
            Kind::Template => arm::resources(input.name, &value, options)?,
            _ => (resources(&value, "$").into_iter().map(|(v, p)| (v.clone(), p)).collect(), LoadBalancers::new()),
        };
        for (resource, path) in &found {
            let (resource, path) = (resource, path.clone());
            match kind(resource) {
                Kind::ScaleSet => {
                    let mut set = vmss::read(input.name, resource, &path, options, &balancers, &mut warnings)?;
                    settle(&mut set, &mut warnings)?;
                    sets.push(set);
                }
                Kind::Autoscale => settings.push((input.name, resource.clone(), path)),
                Kind::Template => {
                    return Err(ImportError(format!(
                        "{}: {path}: a template inside a template's resources",
                        input.name
                    )));
                }
                Kind::Other(what) => {
                    return Err(ImportError(format!(
                        "{}: {path} is {what}; accepted: a Microsoft.Compute/virtualMachineScaleSets or \
                         Microsoft.Insights/autoscalesettings resource as `az` prints it or as REST returns it",
                        input.name
                    )));
                }
            }
        }
    }
    if sets.is_empty() {
        return Err(ImportError(format!(
            "no scale set in {} (no Microsoft.Compute/virtualMachineScaleSets resource; an autoscale setting is \
             imported with the scale set it targets: give both files)",
            inputs.iter().map(|i| i.name).collect::<Vec<_>>().join(", ")
        )));
    }
    for (file, setting, path) in settings {
        autoscale::attach(file, &setting, &path, &mut sets, &mut warnings)?;
    }
    for set in &mut sets {
        settle(set, &mut warnings)?;
    }
    let yaml = yaml::write(&sets, inputs);
    Ok(Imported { yaml, warnings, sets: sets.len() })
}

/// Values an ARM template left unresolved: an error where the set cannot do without them
/// (name, region, size), else a warning and the setting left out.
fn settle(set: &mut Set, warnings: &mut Vec<String>) -> Result<(), ImportError> {
    let mut kept = Vec::new();
    for entry in std::mem::take(&mut set.entries) {
        match arm::first_unresolved(&entry.value) {
            None => kept.push(entry),
            Some(reason) if ["name", "region", "sku"].contains(&entry.key) => {
                return Err(ImportError(format!("{}: {reason}", entry.source)));
            }
            Some(reason) => warnings.push(format!("{}: {} not imported: {reason}", entry.source, entry.key)),
        }
    }
    set.entries = kept;
    Ok(())
}

enum Kind {
    ScaleSet,
    Autoscale,
    Template,
    Other(String),
}

/// The resources in a document: itself, a list's `value`, an array, or a REST API example's
/// response body (else its request body).
fn resources<'v>(value: &'v Value, path: &str) -> Vec<(&'v Value, String)> {
    match value {
        Value::Array(items) => {
            items.iter().enumerate().flat_map(|(i, item)| resources(item, &format!("{path}[{i}]"))).collect()
        }
        Value::Object(map) => {
            if let Some(Value::Array(items)) = map.get("value")
                && !map.contains_key("properties")
            {
                let base = join(path, "value");
                return items
                    .iter()
                    .enumerate()
                    .flat_map(|(i, item)| resources(item, &format!("{base}[{i}]")))
                    .collect();
            }
            if let Some(responses) = map.get("responses").and_then(Value::as_object) {
                for code in ["200", "201"] {
                    if let Some(body) = responses.get(code).and_then(|r| r.get("body")) {
                        return resources(body, &format!("{path}.responses.{code}.body"));
                    }
                }
            }
            vec![(value, path.to_owned())]
        }
        _ => vec![(value, path.to_owned())],
    }
}

fn kind(resource: &Value) -> Kind {
    let kind_of = resource.get("type").and_then(Value::as_str).unwrap_or_default().to_ascii_lowercase();
    let props = resource.get("properties").unwrap_or(resource);
    if resource.get("$schema").and_then(Value::as_str).is_some_and(|s| s.contains("deploymentTemplate")) {
        return Kind::Template;
    }
    if kind_of == "microsoft.compute/virtualmachinescalesets" || props.get("virtualMachineProfile").is_some() {
        return Kind::ScaleSet;
    }
    if kind_of == "microsoft.insights/autoscalesettings"
        || (props.get("profiles").is_some() && props.get("targetResourceUri").is_some())
    {
        return Kind::Autoscale;
    }
    Kind::Other(match (resource, kind_of.as_str()) {
        (Value::Object(_), "") => "an object with neither a resource type nor a virtualMachineProfile".to_owned(),
        (Value::Object(_), other) => format!("a resource of type {other}"),
        (Value::Array(_), _) => "an array".to_owned(),
        _ => "not an object".to_owned(),
    })
}

/// A string with `{NAME}` placeholders filled from `--param`.
///
/// # Errors
/// A placeholder without its value.
pub(crate) fn fill(text: &str, file: &str, path: &str, options: &Options) -> Result<String, ImportError> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else { break };
        let name = &rest[open + 1..open + close];
        let value = options.params.get(name).ok_or_else(|| {
            ImportError(format!(
                "{file}: {path} is '{text}', with the placeholder {{{name}}}: give --param {name}=VALUE"
            ))
        })?;
        out.push_str(&rest[..open]);
        out.push_str(value);
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests;
