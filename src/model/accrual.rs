//! Exact accrual of cost over logical time.
//!
//! Prices are per hour (VMs, network) or per 730-hour month (disks). Over one second, an hourly
//! price `p` costs `p / 3600` and a monthly price `m` costs `m / 2,628,000`. Counting in units
//! of 1/2,628,000 micro-dollar makes both whole numbers (`p * 730` and `m`), so accrual is
//! integer addition and never drifts, whatever the number of steps.

use serde::{Deserialize, Serialize};

use super::money::Money;

/// Seconds in a 730-hour month: the common denominator.
pub const UNITS_PER_MICRO: u128 = 730 * 3600;

/// A cost rate in units per second.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Rate(u128);

impl Rate {
    pub const ZERO: Rate = Rate(0);

    /// The rate of an hourly price.
    #[must_use]
    pub fn hourly(price: Money) -> Rate {
        Rate(u128::try_from(price.micros()).unwrap_or(0) * 730)
    }

    /// The rate of a monthly (730-hour) price.
    #[must_use]
    pub fn monthly(price: Money) -> Rate {
        Rate(u128::try_from(price.micros()).unwrap_or(0))
    }

    #[must_use]
    pub fn times(self, count: u64) -> Rate {
        Rate(self.0 * u128::from(count))
    }

    /// The hourly cost at this rate, rounded to the micro-dollar.
    #[must_use]
    pub fn per_hour(self) -> Money {
        to_money(self.0 * 3600)
    }

    /// The 730-hour monthly cost at this rate, rounded to the micro-dollar.
    #[must_use]
    pub fn per_month(self) -> Money {
        to_money(self.0 * UNITS_PER_MICRO)
    }
}

impl std::ops::Add for Rate {
    type Output = Rate;
    fn add(self, o: Rate) -> Rate {
        Rate(self.0 + o.0)
    }
}

impl std::ops::AddAssign for Rate {
    fn add_assign(&mut self, o: Rate) {
        self.0 += o.0;
    }
}

impl std::iter::Sum for Rate {
    fn sum<I: Iterator<Item = Rate>>(iter: I) -> Rate {
        iter.fold(Rate::ZERO, |a, b| a + b)
    }
}

fn to_money(units: u128) -> Money {
    // Round half up to the micro-dollar.
    let micros = (units + UNITS_PER_MICRO / 2) / UNITS_PER_MICRO;
    Money::from_micros(i128::try_from(micros).unwrap_or(i128::MAX))
}

/// Cost accrued so far, exact.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Accrued(u128);

impl Accrued {
    /// Adds `seconds` at `rate`.
    pub fn add(&mut self, rate: Rate, seconds: u64) {
        self.0 += rate.0 * u128::from(seconds);
    }

    pub fn absorb(&mut self, other: Accrued) {
        self.0 += other.0;
    }

    /// Rounded to the micro-dollar.
    #[must_use]
    pub fn money(self) -> Money {
        to_money(self.0)
    }
}

impl std::iter::Sum for Accrued {
    fn sum<I: Iterator<Item = Accrued>>(iter: I) -> Accrued {
        Accrued(iter.map(|a| a.0).sum())
    }
}

/// Stored as whole micro-dollars (a decimal string, readable) plus the exact remainder.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AccruedRepr {
    usd: String,
    remainder: u64,
}

impl Serialize for Accrued {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let micros = i128::try_from(self.0 / UNITS_PER_MICRO).map_err(serde::ser::Error::custom)?;
        let remainder = u64::try_from(self.0 % UNITS_PER_MICRO).unwrap_or(0);
        AccruedRepr { usd: Money::from_micros(micros).to_string(), remainder }.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Accrued {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let r = AccruedRepr::deserialize(d)?;
        let money = Money::parse(&r.usd).map_err(serde::de::Error::custom)?;
        let micros = u128::try_from(money.micros())
            .map_err(|_| serde::de::Error::custom(format!("accrued cost {} is negative", r.usd)))?;
        if u128::from(r.remainder) >= UNITS_PER_MICRO {
            return Err(serde::de::Error::custom(format!("accrued remainder {} is out of range", r.remainder)));
        }
        Ok(Accrued(micros * UNITS_PER_MICRO + u128::from(r.remainder)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Money {
        Money::parse(s).unwrap()
    }

    #[test]
    fn an_hour_of_a_vm_costs_its_hourly_price() {
        let mut a = Accrued::default();
        for _ in 0..60 {
            a.add(Rate::hourly(m("0.096")), 60);
        }
        assert_eq!(a.money(), m("0.096"));
    }

    #[test]
    fn a_month_of_a_disk_costs_its_monthly_price() {
        let mut a = Accrued::default();
        a.add(Rate::monthly(m("19.71")), 730 * 3600);
        assert_eq!(a.money(), m("19.71"));
        assert_eq!(Rate::monthly(m("19.71")).per_month(), m("19.71"));
        assert_eq!(Rate::monthly(m("19.71")).per_hour(), m("0.027"));
    }

    #[test]
    fn run_rates() {
        let three = Rate::hourly(m("0.096")).times(3);
        assert_eq!(three.per_hour(), m("0.288"));
        assert_eq!(three.per_month(), m("210.24"));
    }

    #[test]
    fn serde_round_trip_is_exact() {
        let mut a = Accrued::default();
        a.add(Rate::hourly(m("0.096")), 7);
        let json = serde_json::to_string(&a).unwrap();
        let back: Accrued = serde_json::from_str(&json).unwrap();
        assert_eq!(a, back);
    }
}
