//! Whether loads and rules meet: a load no rule reads (a misspelt metric, a set prefix that
//! names no set) and a rule whose metric receives no load both mean a simulation that cannot
//! show what the user meant, in silence. This finds them, each with the nearest name that would
//! match, for the shell to print as warnings (or refuse with `--strict`). Pure.

use crate::model::config::ScaleSetConfig;
use crate::model::load::Source;
use crate::model::metric_history::is_cpu;

/// Something that does not meet, described for a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch(pub String);

/// The metrics a set's rules read, in first-seen order.
fn rule_metrics(set: &ScaleSetConfig) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for rule in set.autoscale.iter().filter(|a| a.enabled).flat_map(|a| &a.profiles).flat_map(|p| &p.rules) {
        if !out.iter().any(|m| m.eq_ignore_ascii_case(&rule.metric_name)) {
            out.push(&rule.metric_name);
        }
    }
    out
}

/// Checks `loads` (from the command line; `None` scope = every set) and each set's own `load:`
/// against the rules of `sets`. A metric given on the command line replaces the definition's
/// load of that metric, as the simulation does.
#[must_use]
pub fn check(sets: &[&ScaleSetConfig], loads: &[Source]) -> Vec<Mismatch> {
    let mut found = Vec::new();
    let set_names: Vec<&str> = sets.iter().map(|s| s.name.as_str()).collect();
    // Loads that reach no rule.
    let mut all_loads: Vec<(&Source, &str)> = loads.iter().map(|s| (s, "--load")).collect();
    for set in sets {
        all_loads.extend(set.load.iter().map(|s| (s, "load:")));
    }
    for (source, from) in &all_loads {
        let scope: Vec<&&ScaleSetConfig> = sets
            .iter()
            .filter(|s| source.scale_set.as_deref().is_none_or(|n| n == s.name))
            .filter(|s| *from == "--load" || s.load.iter().any(|l| std::ptr::eq(l, *source)))
            .collect();
        let read = is_cpu(&source.metric)
            || scope.iter().any(|s| rule_metrics(s).iter().any(|m| m.eq_ignore_ascii_case(&source.metric)));
        if read {
            continue;
        }
        let mut known: Vec<String> = vec!["Percentage CPU".to_owned()];
        for s in sets {
            for m in rule_metrics(s) {
                known.push(m.to_owned());
                known.push(format!("{}:{m}", s.name));
            }
            known.push(format!("{}:Percentage CPU", s.name));
        }
        // A set's own `load:` entry is scoped to it; say so as the user wrote it.
        let (whose, written) = match (&source.scale_set, *from) {
            (Some(set), "load:") => (format!("{set}: "), source.metric.clone()),
            (Some(set), _) => (String::new(), format!("{set}:{}", source.metric)),
            (None, _) => (String::new(), source.metric.clone()),
        };
        let near = crate::suggest::nearest(&written, known.iter().map(String::as_str));
        let prefix = source.metric.split_once(':').map(|(p, _)| p.trim());
        let why = match prefix {
            Some(p) if !set_names.contains(&p) => format!(" ('{p}' is not a set of this run)"),
            _ => String::new(),
        };
        found.push(Mismatch(format!(
            "{whose}{from} metric '{written}' is read by no autoscale rule{why}: it only shows in charts and timelines{}",
            crate::suggest::phrase_after(&near)
        )));
    }
    // Rules that receive no load: worth saying only when the run has load at all (without any,
    // the user is not simulating demand).
    if all_loads.is_empty() {
        return found;
    }
    for set in sets {
        for metric in rule_metrics(set) {
            let given = loads
                .iter()
                .any(|l| l.scale_set.as_deref().is_none_or(|n| n == set.name) && l.metric.eq_ignore_ascii_case(metric))
                || set.load.iter().any(|l| l.metric.eq_ignore_ascii_case(metric));
            if !given {
                found.push(Mismatch(format!(
                    "{}: the rules read '{metric}', which receives no load: autoscale sees it as missing \
                     (give it with --load \"{metric}=...\" or a load: entry)",
                    set.name
                )));
            }
        }
    }
    found
}
