//! `--vary PATH=VALUES`: which setting of a scale set's definition a sweep changes, and the
//! values it takes. Paths name the definition's own keys (`sku`, `rules[0].threshold`,
//! `profiles[1].capacity.maximum`); values are a list (`5m,10m`) or an inclusive numeric range
//! with a step (`60..90:5`). Applying a value to a definition is pure and checked: a value the
//! setting cannot take is an error naming the path and value.

use crate::model::duration::Duration;
use crate::spec::SetDefinition;

/// The most variants one sweep runs (a grid above it is refused).
pub const MAX_VARIANTS: usize = 10_000;

/// What a path names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    Sku,
    Threshold,
    Cooldown,
    /// The scale action's count or percent.
    Step,
    TimeWindow,
    Minimum,
    Maximum,
    Default,
    /// `priorityMix.baseRegularPriorityCount`.
    MixBase,
    /// `priorityMix.regularPriorityPercentageAboveBase`.
    MixPercent,
}

impl Key {
    const fn is_rule_key(self) -> bool {
        matches!(self, Key::Threshold | Key::Cooldown | Key::Step | Key::TimeWindow)
    }
}

/// A setting of the set: a key, and which profile and rule (`None`: every one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setting {
    pub key: Key,
    pub profile: Option<usize>,
    pub rule: Option<usize>,
}

/// One value a setting takes, as written (for tables) and as read.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Number(f64),
    Duration(Duration),
    Text(String),
}

impl Value {
    /// The value as the user would write it.
    #[must_use]
    pub fn shown(&self) -> String {
        match self {
            Value::Number(n) => {
                let text = format!("{n:.4}");
                text.trim_end_matches('0').trim_end_matches('.').to_owned()
            }
            Value::Duration(d) => d.to_string(),
            Value::Text(t) => t.clone(),
        }
    }
}

/// One `--vary`.
#[derive(Clone, Debug, PartialEq)]
pub struct Vary {
    /// The path as written.
    pub path: String,
    pub setting: Setting,
    pub values: Vec<Value>,
}

const ACCEPTED_PATHS: &str = "sku, priorityMix.baseRegularPriorityCount|regularPriorityPercentageAboveBase, \
     rules[N|*].threshold|cooldown|value|timeWindow, capacity.minimum|maximum|default, or either of the last two \
     prefixed with profiles[N|*].";

/// Reads `PATH=VALUES`.
///
/// # Errors
/// An unknown path, an empty or inverted range, a step that is not positive, a value the
/// setting cannot take; each names what would be accepted.
pub fn parse(spec: &str) -> Result<Vary, String> {
    let (path, values) = spec
        .split_once('=')
        .ok_or_else(|| format!("--vary '{spec}': expected PATH=VALUES, e.g. rules[0].threshold=60..90:5"))?;
    let path = path.trim();
    let setting = parse_path(path).map_err(|m| format!("--vary '{spec}': {m}"))?;
    let values = parse_values(setting.key, values.trim()).map_err(|m| format!("--vary '{spec}': {m}"))?;
    Ok(Vary { path: path.to_owned(), setting, values })
}

fn index(part: &str, name: &str) -> Result<Option<Option<usize>>, String> {
    let Some(inner) = part.strip_prefix(name).and_then(|r| r.strip_prefix('[')).and_then(|r| r.strip_suffix(']'))
    else {
        return Ok(None);
    };
    if inner == "*" {
        return Ok(Some(None));
    }
    inner.parse().map(|i| Some(Some(i))).map_err(|_| format!("{name}[{inner}]: the index is a number from 0, or *"))
}

fn parse_path(path: &str) -> Result<Setting, String> {
    let unknown = || format!("unknown path '{path}'; accepted: {ACCEPTED_PATHS}");
    let mut parts: Vec<&str> = path.split('.').collect();
    let mut profile = None;
    if let Some(p) = parts.first().map(|first| index(first, "profiles")).transpose()?.flatten() {
        profile = p;
        parts.remove(0);
    }
    let setting = |key, rule| Ok(Setting { key, profile, rule });
    match parts.as_slice() {
        ["sku"] if profile.is_none() && !path.starts_with("profiles") => setting(Key::Sku, None),
        ["priorityMix", key] if !path.starts_with("profiles") => match *key {
            "baseRegularPriorityCount" => setting(Key::MixBase, None),
            "regularPriorityPercentageAboveBase" => setting(Key::MixPercent, None),
            _ => Err(unknown()),
        },
        ["capacity", key] => match *key {
            "minimum" => setting(Key::Minimum, None),
            "maximum" => setting(Key::Maximum, None),
            "default" => setting(Key::Default, None),
            _ => Err(unknown()),
        },
        [rules, key] => {
            let rule = index(rules, "rules")?.ok_or_else(unknown)?;
            let key = match *key {
                "threshold" => Key::Threshold,
                "cooldown" => Key::Cooldown,
                "value" => Key::Step,
                "timeWindow" => Key::TimeWindow,
                _ => return Err(unknown()),
            };
            setting(key, rule)
        }
        _ => Err(unknown()),
    }
}

fn parse_values(key: Key, text: &str) -> Result<Vec<Value>, String> {
    if text.is_empty() {
        return Err("no values".into());
    }
    let values = if let Some((from, rest)) = text.split_once("..") {
        let (to, step) = rest.split_once(':').ok_or("a range needs a step: FROM..TO:STEP, e.g. 60..90:5")?;
        range(key, from.trim(), to.trim(), step.trim())?
    } else {
        text.split(',').map(|v| one(key, v.trim())).collect::<Result<Vec<_>, _>>()?
    };
    if values.len() > MAX_VARIANTS {
        return Err(format!("{} values; a sweep runs at most {MAX_VARIANTS} variants", values.len()));
    }
    Ok(values)
}

fn one(key: Key, text: &str) -> Result<Value, String> {
    if text.is_empty() {
        return Err("an empty value".into());
    }
    match key {
        Key::Sku => Ok(Value::Text(text.to_owned())),
        Key::Cooldown | Key::TimeWindow => {
            text.parse().map(Value::Duration).map_err(|e: crate::model::duration::DurationError| e.to_string())
        }
        Key::Threshold => text
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .map(Value::Number)
            .ok_or_else(|| format!("'{text}' is not a number")),
        Key::MixPercent => text
            .parse::<u8>()
            .ok()
            .filter(|p| *p <= 100)
            .map(|n| Value::Number(f64::from(n)))
            .ok_or_else(|| format!("'{text}' is not a percentage (a whole number from 0 to 100)")),
        Key::Step | Key::Minimum | Key::Maximum | Key::Default | Key::MixBase => text
            .parse::<u32>()
            .map(|n| Value::Number(f64::from(n)))
            .map_err(|_| format!("'{text}' is not a whole number")),
    }
}

fn range(key: Key, from: &str, to: &str, step: &str) -> Result<Vec<Value>, String> {
    let (a, b, s) = match (one(key, from)?, one(key, to)?, one(key, step)?) {
        (Value::Number(a), Value::Number(b), Value::Number(s)) => (a, b, s),
        #[allow(clippy::cast_precision_loss)] // seconds of a run: far below 2^53
        (Value::Duration(a), Value::Duration(b), Value::Duration(s)) => {
            (a.secs() as f64, b.secs() as f64, s.secs() as f64)
        }
        _ => return Err("a range is of numbers or durations".into()),
    };
    if s <= 0.0 {
        return Err(format!("the step {step} is not above zero"));
    }
    if b < a {
        return Err(format!("the range {from}..{to} is inverted"));
    }
    let count = ((b - a) / s + 1e-9).floor() + 1.0;
    if count > MAX_VARIANTS as f64 {
        return Err(format!("{count} values; a sweep runs at most {MAX_VARIANTS} variants"));
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // checked just above
    let count = count as u64;
    #[allow(clippy::cast_precision_loss)]
    Ok((0..count)
        .map(|k| a + s * k as f64)
        .map(|v| match key {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            Key::Cooldown | Key::TimeWindow => Value::Duration(Duration::from_secs(v.round() as u64)),
            _ => Value::Number(v),
        })
        .collect())
}

/// Every combination of the values, as indices into each `--vary`'s values, in a fixed order
/// (the last `--vary` varying fastest).
///
/// # Errors
/// More than [`MAX_VARIANTS`] combinations.
pub fn grid(varies: &[Vary]) -> Result<Vec<Vec<usize>>, String> {
    let total = varies.iter().try_fold(1usize, |n, v| n.checked_mul(v.values.len())).unwrap_or(usize::MAX);
    if total > MAX_VARIANTS {
        return Err(format!(
            "{total} variants; a sweep runs at most {MAX_VARIANTS}: take fewer values, a larger step, or --samples N"
        ));
    }
    let mut out = vec![Vec::new()];
    for v in varies {
        out = out
            .into_iter()
            .flat_map(|prefix| {
                (0..v.values.len()).map(move |i| {
                    let mut next = prefix.clone();
                    next.push(i);
                    next
                })
            })
            .collect();
    }
    Ok(out)
}

/// `--samples N`: at most `samples` combinations drawn by Latin hypercube sampling, seeded: each
/// `--vary`'s values are cut into `samples` equal strata and every stratum is used once, so each
/// setting's whole range is covered however few the samples. Repeated combinations are dropped
/// (first kept). When the full grid is no larger, it is the full grid.
///
/// # Errors
/// `samples` is 0 or above [`MAX_VARIANTS`].
pub fn latin_hypercube(varies: &[Vary], samples: usize, seed: u64) -> Result<Vec<Vec<usize>>, String> {
    use rand::{RngExt, SeedableRng};
    if samples == 0 || samples > MAX_VARIANTS {
        return Err(format!("--samples {samples}: a number from 1 to {MAX_VARIANTS}"));
    }
    let total = varies.iter().try_fold(1usize, |n, v| n.checked_mul(v.values.len())).unwrap_or(usize::MAX);
    if total <= samples {
        return grid(varies);
    }
    let mut columns = Vec::with_capacity(varies.len());
    for (d, v) in varies.iter().enumerate() {
        let key = crate::model::names::stable_hash(&[&seed.to_le_bytes(), b"sweep samples", &d.to_le_bytes()]);
        let mut rng = rand_pcg::Pcg64::seed_from_u64(key);
        // A shuffled order of the strata (Fisher-Yates), then a point inside each stratum.
        let mut strata: Vec<usize> = (0..samples).collect();
        for i in (1..samples).rev() {
            strata.swap(i, rng.random_range(0..=i));
        }
        let k = v.values.len();
        #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let column: Vec<usize> = strata
            .iter()
            .map(|&stratum| {
                let u: f64 = rng.random_range(0.0..1.0);
                (((stratum as f64 + u) / samples as f64 * k as f64) as usize).min(k - 1)
            })
            .collect();
        columns.push(column);
    }
    let mut seen = std::collections::BTreeSet::new();
    Ok((0..samples)
        .map(|i| columns.iter().map(|c| c[i]).collect::<Vec<usize>>())
        .filter(|choice| seen.insert(choice.clone()))
        .collect())
}

/// Sets `value` in `def`.
///
/// # Errors
/// The set has no autoscale setting (for a rule or capacity path), no such profile or rule,
/// or the value is out of what the setting takes.
pub fn apply(def: &mut SetDefinition, vary: &Vary, value: &Value) -> Result<(), String> {
    let fail = |m: String| format!("--vary {}={}: {m}", vary.path, value.shown());
    let setting = &vary.setting;
    if setting.key == Key::Sku {
        let Value::Text(sku) = value else { return Err(fail("not a size".into())) };
        def.config.model.sku.clone_from(sku);
        return Ok(());
    }
    let name = def.config.name.clone();
    if matches!(setting.key, Key::MixBase | Key::MixPercent) {
        let mix = def.config.priority_mix.as_mut().ok_or_else(|| {
            fail(format!(
                "scale set '{name}' has no priorityMix (a Flexible set with priority: Spot and a priorityMix)"
            ))
        })?;
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // whole numbers by parse
        match (setting.key, value) {
            (Key::MixBase, Value::Number(n)) => mix.base_regular_priority_count = *n as u32,
            (Key::MixPercent, Value::Number(n)) if *n <= 100.0 => mix.regular_priority_percentage_above_base = *n as u8,
            _ => return Err(fail("not a value this setting takes".into())),
        }
        return Ok(());
    }
    let autoscale =
        def.config.autoscale.as_mut().ok_or_else(|| fail(format!("scale set '{name}' has no autoscale setting")))?;
    let count = autoscale.profiles.len();
    let profiles: Vec<usize> = match setting.profile {
        Some(p) if p >= count => return Err(fail(format!("there are {count} profile(s), numbered from 0"))),
        Some(p) => vec![p],
        None => (0..count).collect(),
    };
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // whole numbers by parse
    let whole = |v: &Value| match v {
        Value::Number(n) => Some(*n as u32),
        _ => None,
    };
    for p in profiles {
        let profile = &mut autoscale.profiles[p];
        if setting.key.is_rule_key() {
            let n = profile.rules.len();
            let rules: Vec<usize> = match setting.rule {
                Some(r) if r >= n => {
                    return Err(fail(format!("profile '{}' has {n} rule(s), numbered from 0", profile.name)));
                }
                Some(r) => vec![r],
                None => (0..n).collect(),
            };
            for r in rules {
                let rule = &mut profile.rules[r];
                match (setting.key, value) {
                    (Key::Threshold, Value::Number(v)) => rule.threshold = *v,
                    (Key::Cooldown, Value::Duration(d)) => rule.cooldown = *d,
                    (Key::TimeWindow, Value::Duration(d)) => rule.time_window = *d,
                    (Key::Step, v) => {
                        rule.value = whole(v).filter(|n| *n >= 1).ok_or_else(|| fail("a step is 1 or more".into()))?
                    }
                    _ => return Err(fail("not a value this setting takes".into())),
                }
            }
        } else {
            let n = whole(value).ok_or_else(|| fail("not a whole number".into()))?;
            let c = &mut profile.capacity;
            match setting.key {
                Key::Minimum => c.minimum = n,
                Key::Maximum => c.maximum = n,
                _ => c.default = n,
            }
        }
    }
    Ok(())
}

/// Whether the capacities of every profile still hold together (minimum <= default <=
/// maximum); a variant where they do not is left out of the sweep, and counted.
#[must_use]
pub fn capacities_hold(def: &SetDefinition) -> bool {
    def.config.autoscale.as_ref().is_none_or(|a| {
        a.profiles.iter().all(|p| p.capacity.minimum <= p.capacity.default && p.capacity.default <= p.capacity.maximum)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(spec: &str) -> Vec<String> {
        parse(spec).unwrap().values.iter().map(Value::shown).collect()
    }

    #[test]
    fn paths_lists_and_ranges() {
        assert_eq!(shown("rules[0].threshold=60..75:5"), ["60", "65", "70", "75"]);
        assert_eq!(shown("rules[*].cooldown=5m,10m"), ["5m", "10m"]);
        assert_eq!(shown("rules[1].timeWindow=5m..15m:5m"), ["5m", "10m", "15m"]);
        assert_eq!(shown("sku=Standard_D2s_v5,Standard_D4s_v5"), ["Standard_D2s_v5", "Standard_D4s_v5"]);
    }

    #[test]
    fn mistakes_say_what_is_accepted() {
        let err = |spec: &str| parse(spec).unwrap_err();
        assert!(err("rules[0].treshold=5").contains("unknown path 'rules[0].treshold'; accepted: sku, priorityMix"));
        assert!(err("rules[0].threshold=90..60:5").contains("inverted"));
        assert!(err("rules[0].threshold=60..90:0").contains("not above zero"));
        assert!(err("rules[0].threshold=60..90").contains("needs a step"));
        assert!(err("capacity.maximum=ten").contains("'ten' is not a whole number"));
        assert!(err("rules[x].value=1").contains("the index is a number"));
        assert!(err("rules[0].threshold=0..100000:1").contains("at most 10000"));
        assert!(err("sku").contains("expected PATH=VALUES"));
    }

    #[test]
    fn the_grid_is_every_combination_in_order_and_capped() {
        let a = parse("rules[0].threshold=60,70").unwrap();
        let b = parse("rules[0].cooldown=5m,10m,20m").unwrap();
        let g = grid(&[a.clone(), b]).unwrap();
        assert_eq!(g.len(), 6);
        assert_eq!(g[0], [0, 0]);
        assert_eq!(g[1], [0, 1]);
        assert_eq!(g[5], [1, 2]);
        let big = parse("rules[0].threshold=0..999:1").unwrap();
        assert!(grid(&[big.clone(), big]).unwrap_err().contains("1000000 variants"));
    }

    #[test]
    fn samples_cover_every_stratum_of_each_setting_and_repeat_with_the_seed() {
        let a = parse("rules[0].threshold=0..999:1").unwrap();
        let b = parse("capacity.maximum=1..100:1").unwrap();
        let s = latin_hypercube(&[a.clone(), b.clone()], 100, 7).unwrap();
        assert_eq!(s.len(), 100, "distinct combinations");
        // Each tenth of the threshold's range holds exactly ten samples; each maximum one.
        for tenth in 0..10 {
            assert_eq!(s.iter().filter(|c| c[0] / 100 == tenth).count(), 10);
        }
        let mut maxima: Vec<usize> = s.iter().map(|c| c[1]).collect();
        maxima.sort_unstable();
        assert_eq!(maxima, (0..100).collect::<Vec<_>>());
        assert_eq!(latin_hypercube(&[a.clone(), b.clone()], 100, 7).unwrap(), s, "the same seed, the same samples");
        assert_ne!(latin_hypercube(&[a.clone(), b], 100, 8).unwrap(), s);
        // No larger than the grid: the grid.
        let small = parse("rules[0].value=1,2").unwrap();
        assert_eq!(latin_hypercube(std::slice::from_ref(&small), 5, 7).unwrap(), grid(&[small]).unwrap());
        assert!(latin_hypercube(&[a], 0, 7).unwrap_err().contains("a number from 1 to 10000"));
    }
}
