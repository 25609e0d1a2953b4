//! A `Microsoft.Insights/autoscalesettings` resource, joined to its scale set by
//! `targetResourceUri` and written as the set's `autoscale:` in Azure's own shape (profiles,
//! capacities, `metricTrigger` / `scaleAction` rules, recurrences and fixed dates).

use serde_json::{Value, json};

use super::vmss::as_int;
use super::{Entry, ImportError, Set, join};

/// Attaches the setting to the set it targets.
///
/// # Errors
/// No target, a target that is not among the sets imported, a second setting for one set.
pub(super) fn attach(
    file: &str,
    setting: &Value,
    path: &str,
    sets: &mut [Set],
    warnings: &mut Vec<String>,
) -> Result<(), ImportError> {
    let props_path = if setting.get("properties").is_some() { join(path, "properties") } else { path.to_owned() };
    let props = setting.get("properties").unwrap_or(setting);
    let target_path = join(&props_path, "targetResourceUri");
    let target = props.get("targetResourceUri").and_then(Value::as_str).ok_or_else(|| {
        ImportError(format!("{file}: {target_path} is missing: an autoscale setting names the scale set it scales"))
    })?;
    if let Some(reason) = super::arm::unresolved(&Value::String(target.to_owned())) {
        return Err(ImportError(format!("{file}: {target_path}: {reason}")));
    }
    let target_name = target.rsplit('/').next().unwrap_or(target);
    let names: Vec<String> = sets.iter().map(|s| s.name.clone()).collect();
    let set = sets
        .iter_mut()
        .find(|s| {
            s.id.as_deref().is_some_and(|id| id.eq_ignore_ascii_case(target))
                || s.name.eq_ignore_ascii_case(target_name)
        })
        .ok_or_else(|| {
            ImportError(format!(
                "{file}: {target_path} targets the scale set '{target_name}', which is not among those imported ({}); \
                 give its JSON too",
                names.join(", ")
            ))
        })?;
    if set.entries.iter().any(|e| e.key == "autoscale") {
        return Err(ImportError(format!(
            "{file}: {path}: a second autoscale setting for the scale set '{}'; Azure allows one per resource",
            set.name
        )));
    }
    let mut profiles = Vec::new();
    let profiles_path = join(&props_path, "profiles");
    for (p, profile) in props.get("profiles").and_then(Value::as_array).into_iter().flatten().enumerate() {
        let here = format!("{profiles_path}[{p}]");
        let capacity = profile.get("capacity").cloned().unwrap_or(Value::Null);
        let number = |k: &str| -> Result<i64, ImportError> {
            capacity
                .get(k)
                .and_then(as_int)
                .ok_or_else(|| ImportError(format!("{file}: {here}.capacity.{k} is missing or not a whole number")))
        };
        let mut out = serde_json::Map::new();
        out.insert("name".into(), profile.get("name").cloned().unwrap_or_else(|| json!(format!("profile{p}"))));
        out.insert(
            "capacity".into(),
            json!({ "minimum": number("minimum")?, "maximum": number("maximum")?, "default": number("default")? }),
        );
        let mut rules = Vec::new();
        for rule in profile.get("rules").and_then(Value::as_array).into_iter().flatten() {
            let mut trigger = rule.get("metricTrigger").cloned().unwrap_or(Value::Null);
            if let Some(map) = trigger.as_object_mut() {
                // Kept: the definition takes them as Azure writes them (dimensions with a note:
                // they are not simulated). An empty list is left out.
                if map.get("dimensions").and_then(Value::as_array).is_some_and(Vec::is_empty) {
                    map.remove("dimensions");
                }
                map.remove("metricResourceLocation");
            }
            let mut action = rule.get("scaleAction").cloned().unwrap_or(Value::Null);
            if let Some(map) = action.as_object_mut()
                && let Some(v) = map.get("value").and_then(as_int)
            {
                map.insert("value".into(), json!(v));
            }
            rules.push(json!({ "metricTrigger": trigger, "scaleAction": action }));
        }
        out.insert("rules".into(), Value::Array(rules));
        if let Some(recurrence) = profile.get("recurrence") {
            let schedule = recurrence.get("schedule").cloned().unwrap_or(Value::Null);
            let mut r = serde_json::Map::new();
            if let Some(f) = recurrence.get("frequency") {
                r.insert("frequency".into(), f.clone());
            }
            for k in ["timeZone", "days", "hours", "minutes"] {
                if let Some(v) = schedule.get(k) {
                    r.insert(k.into(), v.clone());
                }
            }
            out.insert("recurrence".into(), Value::Object(r));
        }
        if let Some(fixed) = profile.get("fixedDate") {
            out.insert("fixedDate".into(), fixed.clone());
        }
        profiles.push(Value::Object(out));
    }
    let mut autoscale = serde_json::Map::new();
    if let Some(enabled) = props.get("enabled") {
        autoscale.insert("enabled".into(), enabled.clone());
    }
    autoscale.insert("profiles".into(), Value::Array(profiles));
    set.entries.push(Entry {
        key: "autoscale",
        value: Value::Object(autoscale),
        source: format!("{file} {props_path}"),
    });
    for key in ["notifications", "predictiveAutoscalePolicy"] {
        if props.get(key).is_some() {
            if key == "predictiveAutoscalePolicy" {
                warnings.push(format!("{file}: {}: predictive autoscale is not simulated", join(&props_path, key)));
            } else {
                set.dropped.push(format!("{} {}", super::short(file), join(&props_path, key)));
            }
        }
    }
    for key in ["id", "type", "tags", "location", "name"] {
        if setting.get(key).is_some() {
            set.dropped.push(format!("{} {}", super::short(file), join(path, key)));
        }
    }
    Ok(())
}
