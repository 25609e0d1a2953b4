//! ARM templates (and Bicep, compiled to them by `az bicep build`): the scale sets and
//! autoscale settings among a template's resources, with their expressions evaluated against
//! the parameters given (`--param`, `--parameters`) or their defaults, the variables, and
//! `--location` for `resourceGroup().location`. Resource `copy` loops, property `copy` arrays
//! and nested deployments with inline templates are expanded.
//!
//! A value that cannot be known without deploying (`reference()`, `list*()`, a parameter with
//! neither a value nor a default) becomes a marker; the importer reports it by path only where
//! the value matters, with the flag that would supply it.

use std::rc::Rc;

use serde_json::{Map, Value};

use super::expr::{self, Outcome, Scope, Unresolved};
use super::{ImportError, Options, join};

/// Marks a value that could not be evaluated; the reason follows.
pub(crate) const MARK: char = '\u{1}';

/// The reason of a marked value, if it is one.
pub(crate) fn unresolved(v: &Value) -> Option<&str> {
    v.as_str().and_then(|s| s.strip_prefix(MARK))
}

/// The first marked value inside `v`.
pub(crate) fn first_unresolved(v: &Value) -> Option<String> {
    match v {
        Value::String(_) => unresolved(v).map(str::to_owned),
        Value::Array(items) => items.iter().find_map(first_unresolved),
        Value::Object(map) => map.values().find_map(first_unresolved),
        _ => None,
    }
}

/// Deepest nesting of variables, parameters and nested deployments followed.
const MAX_DEPTH: usize = 32;
/// The most resources a copy loop may make.
const MAX_COPIES: i64 = 1000;

/// The most steps (function calls) the expressions of one file may take.
const MAX_STEPS: u64 = 1_000_000;

struct TemplateScope<'a> {
    /// Steps left, shared by every scope of the file.
    budget: Rc<std::cell::Cell<u64>>,
    declared: Rc<Map<String, Value>>,
    /// Values given for parameters, as JSON (nested deployments) or as text (the command line).
    given: Rc<Map<String, Value>>,
    variables: Rc<Map<String, Value>>,
    options: &'a Options,
    copy: Option<i64>,
    depth: usize,
}

impl Scope for TemplateScope<'_> {
    fn parameter(&self, name: &str) -> Outcome {
        let declared = self.declared.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v);
        let kind =
            declared.and_then(|d| d.get("type")).and_then(Value::as_str).unwrap_or("string").to_ascii_lowercase();
        let given = self.given.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone());
        let given = given.or_else(|| self.options.params.get(name).map(|s| Value::String(s.clone())));
        if let Some(v) = given {
            return Ok(typed(v, &kind));
        }
        match declared.and_then(|d| d.get("defaultValue")) {
            Some(default) => self.nested(|s| s.value(default)),
            // Templates name the region parameter `location`: --location fills it.
            None if name.eq_ignore_ascii_case("location") && self.options.location.is_some() => self.location(),
            None => Err(Unresolved(format!(
                "the parameter '{name}' has no value: give --param {name}=VALUE or --parameters FILE"
            ))),
        }
    }
    fn variable(&self, name: &str) -> Outcome {
        let v = self.variables.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone());
        match v {
            Some(v) => self.nested(|s| s.value(&v)),
            None => Err(Unresolved(format!("the variable '{name}' is not declared"))),
        }
    }
    fn location(&self) -> Outcome {
        self.options
            .location
            .clone()
            .map(Value::String)
            .ok_or_else(|| Unresolved("resourceGroup().location: give the region with --location".to_owned()))
    }
    fn copy_index(&self) -> Option<i64> {
        self.copy
    }
    fn step(&self) -> Result<(), Unresolved> {
        let left = self.budget.get();
        if left == 0 {
            return Err(Unresolved(format!("the template's expressions take more than {MAX_STEPS} steps")));
        }
        self.budget.set(left - 1);
        Ok(())
    }
}

/// A value given as text, read as its parameter's declared type.
fn typed(v: Value, kind: &str) -> Value {
    match (v, kind) {
        (Value::String(s), "int") => s.trim().parse::<i64>().map_or(Value::String(s), Value::from),
        (Value::String(s), "bool") => Value::Bool(s.trim().eq_ignore_ascii_case("true")),
        (Value::String(s), "object" | "array" | "secureobject") => serde_json::from_str(&s).unwrap_or(Value::String(s)),
        (v, _) => v,
    }
}

impl<'a> TemplateScope<'a> {
    fn nested(&self, f: impl FnOnce(&Self) -> Value) -> Outcome {
        if self.depth >= MAX_DEPTH {
            return Err(Unresolved("parameters and variables nest too deep (a cycle?)".to_owned()));
        }
        let deeper = TemplateScope { depth: self.depth + 1, ..self.shallow() };
        let v = f(&deeper);
        match unresolved(&v) {
            Some(reason) => Err(Unresolved(reason.to_owned())),
            None => Ok(v),
        }
    }

    /// A JSON value with every expression in it evaluated (marked where it cannot be).
    fn value(&self, v: &Value) -> Value {
        match v {
            Value::String(s) if s.starts_with("[[") => Value::String(s[1..].to_owned()),
            Value::String(s) if s.starts_with('[') && s.ends_with(']') && s.len() >= 2 => {
                let outcome = expr::parse(&s[1..s.len() - 1])
                    .map_err(|e| Unresolved(format!("the expression '{s}' does not parse: {e}")))
                    .and_then(|e| expr::eval(&e, self));
                outcome.unwrap_or_else(|Unresolved(reason)| Value::String(format!("{MARK}{reason}")))
            }
            Value::Array(items) => Value::Array(items.iter().map(|i| self.value(i)).collect()),
            Value::Object(map) => {
                let mut out = Map::new();
                for (k, v) in map {
                    if k == "copy"
                        && let Value::Array(loops) = v
                    {
                        for spec in loops {
                            let Some(name) = spec.get("name").and_then(Value::as_str) else { continue };
                            out.insert(name.to_owned(), self.copies(spec));
                        }
                    } else {
                        out.insert(k.clone(), self.value(v));
                    }
                }
                Value::Object(out)
            }
            other => other.clone(),
        }
    }

    /// A property `copy` loop: `count` copies of `input`.
    fn copies(&self, spec: &Value) -> Value {
        let count = spec.get("count").map(|c| self.value(c));
        let Some(count) = count.as_ref().and_then(Value::as_i64).filter(|c| (0..=MAX_COPIES).contains(c)) else {
            return Value::String(format!("{MARK}a copy loop's count is not a whole number from 0 to {MAX_COPIES}"));
        };
        let input = spec.get("input").cloned().unwrap_or(Value::Null);
        let mut items = Vec::new();
        for i in 0..count {
            // Each copy is a step: copies inside copies must not multiply without bound.
            if let Err(Unresolved(reason)) = self.step() {
                return Value::String(format!("{MARK}{reason}"));
            }
            let scope = TemplateScope { copy: Some(i), ..self.shallow() };
            items.push(scope.value(&input));
        }
        Value::Array(items)
    }

    fn shallow(&self) -> TemplateScope<'a> {
        TemplateScope {
            budget: Rc::clone(&self.budget),
            declared: Rc::clone(&self.declared),
            given: Rc::clone(&self.given),
            variables: Rc::clone(&self.variables),
            options: self.options,
            copy: self.copy,
            depth: self.depth,
        }
    }
}

/// ARM leaves out a property whose value is null (`json('null')` is how templates omit one).
fn strip_nulls(v: Value) -> Value {
    match v {
        Value::Object(map) => {
            Value::Object(map.into_iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k, strip_nulls(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(strip_nulls).collect()),
        other => other,
    }
}

fn object(v: Option<&Value>) -> Map<String, Value> {
    v.and_then(Value::as_object).cloned().unwrap_or_default()
}

/// The scale sets and autoscale settings of a template, evaluated, with their paths; and the
/// load balancers it defines (what a scale set's backend pool refers to).
///
/// # Errors
/// A template without `resources`, or nested deployments deeper than the limit.
pub(super) fn resources(
    file: &str,
    template: &Value,
    options: &Options,
) -> Result<(Vec<(Value, String)>, super::LoadBalancers), ImportError> {
    let scope = TemplateScope {
        budget: Rc::new(std::cell::Cell::new(MAX_STEPS)),
        declared: Rc::new(object(template.get("parameters"))),
        given: Rc::new(Map::new()),
        variables: Rc::new(object(template.get("variables"))),
        options,
        copy: None,
        depth: 0,
    };
    let mut out = Vec::new();
    walk(file, template, "$", &scope, &mut out, 0)?;
    let mut balancers = super::LoadBalancers::new();
    out.retain(|(resource, path)| {
        let kind = resource.get("type").and_then(Value::as_str).unwrap_or_default().to_ascii_lowercase();
        if kind != "microsoft.network/loadbalancers" {
            return true;
        }
        let props = resource.get("properties").unwrap_or(&Value::Null);
        let count = |key: &str| props.get(key).and_then(Value::as_array).map_or(0, Vec::len);
        let rules = u32::try_from(count("loadBalancingRules") + count("outboundRules")).unwrap_or(u32::MAX);
        let standard =
            resource.pointer("/sku/name").and_then(Value::as_str).is_none_or(|s| !s.eq_ignore_ascii_case("basic"));
        if let Some(name) = resource.get("name").and_then(Value::as_str) {
            balancers.insert(name.to_ascii_lowercase(), super::Balancer { rules, standard, path: path.clone() });
        }
        false
    });
    Ok((out, balancers))
}

fn walk(
    file: &str,
    template: &Value,
    path: &str,
    scope: &TemplateScope<'_>,
    out: &mut Vec<(Value, String)>,
    depth: usize,
) -> Result<(), ImportError> {
    if depth > 8 {
        return Err(ImportError(format!("{file}: {path}: nested deployments deeper than 8 levels")));
    }
    let list: Vec<(String, &Value)> = match template.get("resources") {
        Some(Value::Array(items)) => {
            items.iter().enumerate().map(|(i, r)| (format!("{path}.resources[{i}]"), r)).collect()
        }
        // languageVersion 2.0: resources by symbolic name.
        Some(Value::Object(map)) => map.iter().map(|(k, r)| (format!("{path}.resources.{k}"), r)).collect(),
        _ => {
            return Err(ImportError(format!(
                "{file}: {path}.resources is missing; an ARM template lists its resources"
            )));
        }
    };
    for (here, resource) in list {
        let kind = resource.get("type").and_then(Value::as_str).unwrap_or_default().to_ascii_lowercase();
        let copies: Vec<Option<i64>> = match resource.get("copy") {
            Some(copy) => {
                let count = scope.value(copy.get("count").unwrap_or(&Value::Null));
                match count.as_i64().filter(|c| (0..=MAX_COPIES).contains(c)) {
                    Some(n) => (0..n).map(Some).collect(),
                    None => {
                        return Err(ImportError(format!(
                            "{file}: {here}.copy.count is not a whole number from 0 to {MAX_COPIES}{}",
                            unresolved(&count).map(|r| format!(" ({r})")).unwrap_or_default()
                        )));
                    }
                }
            }
            None => vec![None],
        };
        for copy in copies {
            scope.step().map_err(|Unresolved(reason)| ImportError(format!("{file}: {here}: {reason}")))?;
            let scope = TemplateScope { copy, ..scope.shallow() };
            let shown = copy.map_or_else(|| here.clone(), |i| format!("{here} (copy {i})"));
            if kind == "microsoft.resources/deployments" {
                let props = resource.get("properties").cloned().unwrap_or(Value::Null);
                let Some(inner) = props.get("template") else { continue };
                let inner_scope_kind =
                    props.pointer("/expressionEvaluationOptions/scope").and_then(Value::as_str).unwrap_or("outer");
                if inner_scope_kind.eq_ignore_ascii_case("inner") {
                    let mut given = Map::new();
                    for (name, p) in object(props.get("parameters")) {
                        if let Some(v) = p.get("value") {
                            given.insert(name, scope.value(v));
                        }
                    }
                    let nested = TemplateScope {
                        budget: Rc::clone(&scope.budget),
                        declared: Rc::new(object(inner.get("parameters"))),
                        given: Rc::new(given),
                        variables: Rc::new(object(inner.get("variables"))),
                        options: scope.options,
                        copy: None,
                        depth: 0,
                    };
                    walk(file, inner, &join(&shown, "properties.template"), &nested, out, depth + 1)?;
                } else {
                    walk(file, inner, &join(&shown, "properties.template"), &scope, out, depth + 1)?;
                }
            } else if kind == "microsoft.compute/virtualmachinescalesets"
                || kind == "microsoft.insights/autoscalesettings"
                || kind == "microsoft.network/loadbalancers"
            {
                // A resource whose condition is false is not deployed.
                if let Some(condition) = resource.get("condition") {
                    let deployed = scope.value(condition);
                    if deployed == Value::Bool(false)
                        || deployed.as_str().is_some_and(|s| s.eq_ignore_ascii_case("false"))
                    {
                        continue;
                    }
                }
                let mut evaluated = strip_nulls(scope.value(resource));
                if let Some(map) = evaluated.as_object_mut() {
                    map.remove("copy");
                    map.remove("dependsOn");
                    map.remove("apiVersion");
                    map.remove("condition");
                }
                out.push((evaluated, shown));
            }
        }
    }
    Ok(())
}
