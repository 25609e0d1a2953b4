//! The cost vs. unserved-demand frontier of a sweep, and the service objective (`--slo`) that
//! picks the cheapest variant meeting it.

use super::Outcome;

/// Marks the variants no other beats on both monthly cost and unserved demand (lower or equal
/// on both, lower on one).
pub fn mark(outcomes: &mut [Outcome]) {
    let mut order: Vec<usize> = (0..outcomes.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&outcomes[a], &outcomes[b]);
        x.monthly_cost.cmp(&y.monthly_cost).then(x.unserved_demand.total_cmp(&y.unserved_demand)).then(a.cmp(&b))
    });
    let mut best: Option<(f64, crate::model::money::Money)> = None;
    for i in order {
        let o = &mut outcomes[i];
        let on = match best {
            None => true,
            Some((unserved, cost)) => {
                o.unserved_demand < unserved || (o.unserved_demand == unserved && o.monthly_cost == cost)
            }
        };
        if on {
            o.on_frontier = true;
            best = Some((o.unserved_demand, o.monthly_cost));
        }
    }
}

/// What an objective bounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measure {
    /// Instance-hours of unserved demand.
    UnservedHours,
    /// Unserved demand as a percentage of all demand.
    UnservedPercent,
    /// Minutes above a scale-out threshold.
    MinutesAbove,
    /// Scale actions per day.
    ActionsPerDay,
}

/// `--slo "unserved<=0.5%"`: conditions that must all hold.
#[derive(Clone, Debug, PartialEq)]
pub struct Objective {
    pub text: String,
    pub bounds: Vec<(Measure, f64)>,
}

/// Reads an objective: `unserved<=0.5%`, `unserved<=2` (instance-hours), `above<=60`
/// (minutes), `actions<=4` (a day), several joined with `,`.
///
/// # Errors
/// A measure or bound it does not know, naming what would be accepted.
pub fn parse(text: &str) -> Result<Objective, String> {
    let accepted =
        "accepted: unserved<=PERCENT%, unserved<=VM-HOURS, above<=MINUTES, actions<=PER-DAY, joined with ','";
    let mut bounds = Vec::new();
    for part in text.split(',').map(str::trim) {
        let (name, bound) = part.split_once("<=").ok_or_else(|| format!("--slo '{text}': '{part}': {accepted}"))?;
        let bound = bound.trim();
        let (measure, number) = match (name.trim(), bound.strip_suffix('%')) {
            ("unserved", Some(n)) => (Measure::UnservedPercent, n),
            ("unserved", None) => (Measure::UnservedHours, bound),
            ("above", None) => (Measure::MinutesAbove, bound),
            ("actions", None) => (Measure::ActionsPerDay, bound),
            _ => return Err(format!("--slo '{text}': '{part}': {accepted}")),
        };
        let value = number
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v >= 0.0)
            .ok_or_else(|| format!("--slo '{text}': '{number}' is not a number of 0 or more"))?;
        bounds.push((measure, value));
    }
    Ok(Objective { text: text.to_owned(), bounds })
}

impl Objective {
    fn actual(measure: Measure, o: &Outcome, days: f64) -> f64 {
        #[allow(clippy::cast_precision_loss)] // counts of actions and minutes
        match measure {
            Measure::UnservedHours => o.unserved_demand,
            Measure::UnservedPercent => o.unserved_percent.unwrap_or(0.0),
            Measure::MinutesAbove => o.minutes_above as f64,
            Measure::ActionsPerDay => o.scale_actions as f64 / days.max(1e-9),
        }
    }

    /// How far `o` is from meeting every bound: 0 when it does (the sum of relative excesses).
    #[must_use]
    pub fn shortfall(&self, o: &Outcome, days: f64) -> f64 {
        self.bounds
            .iter()
            .map(|&(m, bound)| {
                let excess = Self::actual(m, o, days) - bound;
                if excess <= 0.0 { 0.0 } else { excess / bound.max(1e-9) }
            })
            .sum()
    }

    /// The cheapest variant meeting the objective (ties: less unserved, then grid order), or
    /// `Err` with the closest one when none does.
    ///
    /// # Errors
    /// No variant meets it: the index of the one with the smallest shortfall.
    pub fn pick(&self, outcomes: &[Outcome], days: f64) -> Result<usize, Option<usize>> {
        let meeting = outcomes.iter().enumerate().filter(|(_, o)| self.shortfall(o, days) == 0.0);
        let best = meeting.min_by(|(i, a), (j, b)| {
            a.monthly_cost.cmp(&b.monthly_cost).then(a.unserved_demand.total_cmp(&b.unserved_demand)).then(i.cmp(j))
        });
        match best {
            Some((i, _)) => Ok(i),
            None => Err(outcomes
                .iter()
                .enumerate()
                .min_by(|(i, a), (j, b)| self.shortfall(a, days).total_cmp(&self.shortfall(b, days)).then(i.cmp(j)))
                .map(|(i, _)| i)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::money::Money;

    fn outcome(cost: &str, unserved: f64) -> Outcome {
        Outcome {
            values: Vec::new(),
            choice: Vec::new(),
            defined: false,
            monthly_cost: Money::parse(cost).unwrap(),
            cost: Money::ZERO,
            unserved_demand: unserved,
            unserved_percent: Some(unserved),
            minutes_above: 0,
            scale_actions: 0,
            flapping_avoided: 0,
            avg_instances: 0.0,
            on_frontier: false,
        }
    }

    #[test]
    fn the_frontier_is_what_nothing_beats_on_both() {
        let mut o =
            vec![outcome("10", 5.0), outcome("20", 1.0), outcome("15", 6.0), outcome("30", 1.0), outcome("20", 1.0)];
        mark(&mut o);
        let on: Vec<bool> = o.iter().map(|o| o.on_frontier).collect();
        assert_eq!(on, [true, true, false, false, true]);
    }

    #[test]
    fn the_objective_picks_the_cheapest_meeting_it_or_names_the_closest() {
        let o = vec![outcome("10", 5.0), outcome("20", 1.0), outcome("15", 2.0)];
        assert_eq!(parse("unserved<=2%").unwrap().pick(&o, 1.0), Ok(2));
        assert_eq!(parse("unserved<=0.5%").unwrap().pick(&o, 1.0), Err(Some(1)));
        assert!(parse("latency<=5").unwrap_err().contains("accepted: unserved<=PERCENT%"));
        assert!(parse("unserved<=-1").unwrap_err().contains("not a number of 0 or more"));
    }
}
