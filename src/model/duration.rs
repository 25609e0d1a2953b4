//! Durations as the definition and the command line write them.
//!
//! Accepted: compact forms (`90s`, `5m`, `1h30m`, `2d`, `1w`, `0`) and ISO 8601 durations
//! without calendar units (`PT5M`, `P1DT2H`, `PT90S`). A duration is whole seconds: nothing
//! in a scale set is finer than that. Written back in the compact form, so a state file
//! round-trips exactly.

use std::fmt;
use std::str::FromStr;

/// A non-negative whole number of seconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Duration(u64);

const UNITS: [(char, u64); 5] = [('w', 604_800), ('d', 86_400), ('h', 3_600), ('m', 60), ('s', 1)];

impl Duration {
    pub const ZERO: Duration = Duration(0);

    #[must_use]
    pub const fn from_secs(secs: u64) -> Self {
        Duration(secs)
    }

    #[must_use]
    pub const fn from_mins(mins: u64) -> Self {
        Duration(mins * 60)
    }

    #[must_use]
    pub const fn from_days(days: u64) -> Self {
        Duration(days * 86_400)
    }

    #[must_use]
    pub const fn secs(self) -> u64 {
        self.0
    }

    /// Seconds as the signed type jiff's arithmetic wants; durations fit easily.
    #[must_use]
    pub fn as_signed(self) -> jiff::SignedDuration {
        jiff::SignedDuration::from_secs(i64::try_from(self.0).unwrap_or(i64::MAX))
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == 0 {
            return f.write_str("0s");
        }
        let mut rest = self.0;
        // Weeks are only used when exact, so "14d" stays "2w" but "10d" stays "10d".
        for (unit, size) in UNITS {
            if unit == 'w' && !rest.is_multiple_of(size) {
                continue;
            }
            if rest >= size {
                write!(f, "{}{unit}", rest / size)?;
                rest %= size;
            }
        }
        Ok(())
    }
}

/// Why a duration string was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid duration '{input}': {reason} (accepted: 90s, 5m, 1h30m, 2d, 1w or ISO 8601 such as PT5M)")]
pub struct DurationError {
    input: String,
    reason: &'static str,
}

impl FromStr for Duration {
    type Err = DurationError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let err = |reason| DurationError { input: input.to_owned(), reason };
        let s = input.trim();
        if s.is_empty() {
            return Err(err("it is empty"));
        }
        if s == "0" {
            return Ok(Duration::ZERO);
        }
        let upper = s.to_ascii_uppercase();
        if let Some(iso) = upper.strip_prefix('P') {
            return parse_iso(iso).map(Duration).map_err(err);
        }
        parse_compact(&s.to_ascii_lowercase()).map(Duration).map_err(err)
    }
}

fn parse_compact(s: &str) -> Result<u64, &'static str> {
    let mut total: u64 = 0;
    let mut number: Option<u64> = None;
    let mut last_unit = usize::MAX;
    for c in s.chars() {
        if let Some(d) = c.to_digit(10) {
            let n = number.unwrap_or(0);
            number =
                Some(n.checked_mul(10).and_then(|n| n.checked_add(u64::from(d))).ok_or("the number is too large")?);
            continue;
        }
        let index = UNITS.iter().position(|(u, _)| *u == c).ok_or("unknown unit (use w, d, h, m or s)")?;
        if last_unit != usize::MAX && index <= last_unit {
            return Err("units must go from largest to smallest, each once");
        }
        last_unit = index;
        let n = number.take().ok_or("a unit needs a number before it")?;
        total = n.checked_mul(UNITS[index].1).and_then(|v| total.checked_add(v)).ok_or("the duration is too large")?;
    }
    if number.is_some() {
        return Err("a number needs a unit after it");
    }
    Ok(total)
}

fn parse_iso(s: &str) -> Result<u64, &'static str> {
    let (date, time) = match s.split_once('T') {
        Some((d, t)) => {
            if t.is_empty() {
                return Err("nothing follows T");
            }
            (d, t)
        }
        None => (s, ""),
    };
    if date.is_empty() && time.is_empty() {
        return Err("nothing follows P");
    }
    let mut total = 0u64;
    for (part, units) in
        [(date, &[('W', 604_800u64), ('D', 86_400)][..]), (time, &[('H', 3_600), ('M', 60), ('S', 1)][..])]
    {
        let mut number: Option<u64> = None;
        let mut last = usize::MAX;
        for c in part.chars() {
            if let Some(d) = c.to_digit(10) {
                number = Some(
                    number
                        .unwrap_or(0)
                        .checked_mul(10)
                        .and_then(|n| n.checked_add(u64::from(d)))
                        .ok_or("the number is too large")?,
                );
                continue;
            }
            if c == 'Y' || (c == 'M' && units.len() == 2) {
                return Err("years and months have no fixed length; use days (P30D)");
            }
            let index = units.iter().position(|(u, _)| *u == c).ok_or("unknown ISO 8601 designator")?;
            if last != usize::MAX && index <= last {
                return Err("ISO 8601 designators out of order");
            }
            last = index;
            let n = number.take().ok_or("a designator needs a number before it")?;
            total =
                n.checked_mul(units[index].1).and_then(|v| total.checked_add(v)).ok_or("the duration is too large")?;
        }
        if number.is_some() {
            return Err("a number needs a designator after it");
        }
    }
    Ok(total)
}

impl serde::Serialize for Duration {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Duration {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Duration;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a duration such as 90s, 5m, 1h30m, 2d or PT5M")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Duration, E> {
                v.parse().map_err(E::custom)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Duration, E> {
                if v == 0 {
                    Ok(Duration::ZERO)
                } else {
                    Err(E::custom(format!("a bare number ({v}) has no unit; write {v}s or {v}m")))
                }
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Duration, E> {
                match u64::try_from(v) {
                    Ok(v) => self.visit_u64(v),
                    Err(_) => Err(E::custom(format!("a duration cannot be negative ({v})"))),
                }
            }
        }
        d.deserialize_any(V)
    }
}

impl schemars::JsonSchema for Duration {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Duration".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^(0|([0-9]+[wdhms])+|[Pp].+)$",
            "description": "90s, 5m, 1h30m, 2d, 1w, or ISO 8601 such as PT5M"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> u64 {
        s.parse::<Duration>().unwrap().secs()
    }

    #[test]
    fn compact_forms() {
        assert_eq!(d("90s"), 90);
        assert_eq!(d("5m"), 300);
        assert_eq!(d("1h30m"), 5_400);
        assert_eq!(d("2d"), 172_800);
        assert_eq!(d("1w"), 604_800);
        assert_eq!(d("0s"), 0);
        assert_eq!(d("0"), 0);
        assert_eq!(d("1H"), 3_600);
    }

    #[test]
    fn iso_forms() {
        assert_eq!(d("PT5M"), 300);
        assert_eq!(d("PT0S"), 0);
        assert_eq!(d("P1DT2H"), 93_600);
        assert_eq!(d("PT1H30M"), 5_400);
        assert_eq!(d("pt90s"), 90);
    }

    #[test]
    fn rejects() {
        for bad in ["", "5", "m5", "5x", "1m1h", "5m5m", "P", "PT", "P1M", "P1Y", "-5m", "99999999999999999999s"] {
            assert!(bad.parse::<Duration>().is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn display_round_trips() {
        for (s, shown) in [("90s", "1m30s"), ("1h30m", "1h30m"), ("14d", "2w"), ("10d", "10d"), ("0", "0s")] {
            let v: Duration = s.parse().unwrap();
            assert_eq!(v.to_string(), shown);
            assert_eq!(shown.parse::<Duration>().unwrap(), v);
        }
    }
}
