//! Exact amounts of US dollars for cost estimates.
//!
//! [`Money`] holds a whole number of micro-dollars (1e-6 USD) in an `i128`, so every VM and disk
//! price in the built-in catalog (at most six decimals) is represented exactly and sums never
//! drift the way binary floating point does. No floating-point value is used anywhere in this module: parsing,
//! formatting, rounding and division all work on integers. Amounts read from text are at most
//! [`Money::MAX_TEXT`] (a quintillion dollars); the 128-bit range is some 10^20 times larger, so
//! sums and products of capped inputs (prices, VM counts, durations: see the README's limits)
//! cannot leave it. Arithmetic that would still leave it panics with a message instead of
//! wrapping or saturating, because a silently wrong bill is worse than a crash.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Sub, SubAssign};
use std::str::FromStr;

/// Micro-dollars per dollar.
const MICROS_PER_DOLLAR: i128 = 1_000_000;
/// Micro-dollars per cent.
const MICROS_PER_CENT: i128 = 10_000;
/// Most decimals an amount may carry: one micro-dollar is the smallest unit.
const MAX_DECIMALS: usize = 6;

/// An exact amount of US dollars, stored as integer micro-dollars.
///
/// Ordering, equality and hashing are those of the underlying integer, so `Money` can key maps
/// and sort deterministically.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(i128);

/// Why a decimal string could not be read as [`Money`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyParseError {
    /// Not a plain decimal number (optional leading `-`, digits, optional `.` and digits).
    #[error("invalid amount {0:?}: expected a plain decimal number of dollars such as 0.096 or 19.71")]
    Invalid(String),
    /// More decimals than a micro-dollar can hold.
    #[error("amount {0:?} has more than 6 decimals; prices are exact to the micro-dollar (0.000001)")]
    TooPrecise(String),
    /// Outside the representable range.
    #[error("amount {0:?} is too large: the limit is about 9.2 trillion dollars")]
    Overflow(String),
}

impl Money {
    /// No money at all.
    pub const ZERO: Money = Money(0);
    /// The largest amount read from text: a quintillion dollars, far above any bill and far
    /// below the arithmetic's range.
    pub const MAX_TEXT: Money = Money(1_000_000_000_000_000_000 * MICROS_PER_DOLLAR);

    /// An amount of `micros` micro-dollars (1e-6 USD).
    #[must_use]
    pub const fn from_micros(micros: i128) -> Money {
        Money(micros)
    }

    /// The amount in micro-dollars.
    #[must_use]
    pub const fn micros(self) -> i128 {
        self.0
    }

    /// Whether the amount is below zero.
    #[must_use]
    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// Reads an exact decimal amount of dollars such as `"0.018816"`, `"19.71"`, `"3"` or
    /// `"-1.5"`.
    ///
    /// Accepted: an optional leading `-`, at least one digit, then optionally `.` followed by
    /// one to six digits. Anything else (spaces, `+`, exponents, thousands separators, `$`) is
    /// rejected rather than guessed at, since prices come from files we want to read exactly.
    ///
    /// # Errors
    /// [`MoneyParseError::Invalid`] for malformed text, [`MoneyParseError::TooPrecise`] for more
    /// than six decimals, [`MoneyParseError::Overflow`] beyond [`Money::MAX_TEXT`].
    pub fn parse(text: &str) -> Result<Money, MoneyParseError> {
        let invalid = || MoneyParseError::Invalid(text.to_owned());
        let (negative, unsigned) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (whole, fraction) = match unsigned.split_once('.') {
            Some((whole, fraction)) => (whole, Some(fraction)),
            None => (unsigned, None),
        };
        if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid());
        }
        let fraction = fraction.unwrap_or("");
        if unsigned.contains('.') && fraction.is_empty() {
            return Err(invalid());
        }
        if !fraction.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid());
        }
        if fraction.len() > MAX_DECIMALS {
            return Err(MoneyParseError::TooPrecise(text.to_owned()));
        }

        // Accumulate the magnitude with checks; the range check happens once at the end.
        let overflow = || MoneyParseError::Overflow(text.to_owned());
        let mut magnitude: i128 = 0;
        for digit in whole.bytes().chain(fraction.bytes()) {
            magnitude =
                magnitude.checked_mul(10).and_then(|m| m.checked_add(i128::from(digit - b'0'))).ok_or_else(overflow)?;
        }
        for _ in fraction.len()..MAX_DECIMALS {
            magnitude = magnitude.checked_mul(10).ok_or_else(overflow)?;
        }
        if magnitude > Money::MAX_TEXT.0 {
            return Err(overflow());
        }
        Ok(Money(if negative { -magnitude } else { magnitude }))
    }

    /// `self + other`, or `None` if the sum leaves the representable range.
    #[must_use]
    pub const fn checked_add(self, other: Money) -> Option<Money> {
        match self.0.checked_add(other.0) {
            Some(sum) => Some(Money(sum)),
            None => None,
        }
    }

    /// `self - other`, or `None` if the difference leaves the representable range.
    #[must_use]
    pub const fn checked_sub(self, other: Money) -> Option<Money> {
        match self.0.checked_sub(other.0) {
            Some(difference) => Some(Money(difference)),
            None => None,
        }
    }

    /// `self × factor`, or `None` if the product leaves the representable range.
    #[must_use]
    pub fn checked_mul(self, factor: u64) -> Option<Money> {
        self.0.checked_mul(i128::from(factor)).map(Money)
    }

    /// `self × count`, for instance an hourly price times a number of instances or hours.
    ///
    /// # Panics
    /// If the product leaves the 128-bit range, which no capped input can reach.
    #[must_use]
    pub fn mul_count(self, count: u32) -> Money {
        self.checked_mul(u64::from(count)).unwrap_or_else(|| panic!("money overflow: {self} × {count}"))
    }

    /// `self × numerator / denominator`, rounded half away from zero to the micro-dollar.
    ///
    /// Computed in 128-bit integers, so the intermediate product never overflows; used for
    /// percentages (a 40 % discount is `mul_ratio(60, 100)`) and per-unit conversions.
    ///
    /// # Panics
    /// If `denominator` is zero, or the result exceeds the representable range.
    #[must_use]
    pub fn mul_ratio(self, numerator: i64, denominator: i64) -> Money {
        assert!(denominator != 0, "money divided by zero: {self} × {numerator} / 0");
        let Some(product) = self.0.checked_mul(i128::from(numerator)) else {
            panic!("money overflow: {self} × {numerator} / {denominator}");
        };
        Money(div_round_half_away(product, i128::from(denominator)))
    }

    /// `self / divisor`, rounded half away from zero to the micro-dollar.
    ///
    /// This is how a monthly disk price becomes an hourly one (`monthly.div_round(730)`):
    /// the result is the nearest micro-dollar, never truncated, so totals stay unbiased.
    ///
    /// # Panics
    /// If `divisor` is zero.
    #[must_use]
    pub fn div_round(self, divisor: i64) -> Money {
        self.mul_ratio(1, divisor)
    }

    /// The amount rounded half away from zero to whole cents, as billed.
    ///
    /// # Panics
    /// Never for amounts a capped input can reach (see the module documentation).
    #[must_use]
    pub fn round_cents(self) -> Money {
        Money(div_round_half_away(self.0, MICROS_PER_CENT) * MICROS_PER_CENT)
    }

    /// The amount with exactly `decimals` decimals (0 to 6), rounded half away from zero: how
    /// reports write each kind of amount in JSON, the same width whatever the value.
    #[must_use]
    pub fn fixed(self, decimals: u32) -> String {
        let decimals = decimals.min(6);
        let value = div_round_half_away(self.0, 10i128.pow(6 - decimals));
        let scale = 10u128.pow(decimals);
        let magnitude = value.unsigned_abs();
        let sign = if value < 0 { "-" } else { "" };
        if decimals == 0 {
            return format!("{sign}{magnitude}");
        }
        format!("{sign}{}.{:0width$}", magnitude / scale, magnitude % scale, width = decimals as usize)
    }

    /// The amount for tables: rounded to cents, with a dollar sign and thousands separators,
    /// e.g. `"$1,234.56"`, `"$0.29"`, `"-$3.00"`.
    #[must_use]
    pub fn format_usd(self) -> String {
        let cents = self.round_cents().0 / MICROS_PER_CENT;
        let magnitude = cents.unsigned_abs();
        let dollars = (magnitude / 100).to_string();
        let mut grouped = String::with_capacity(dollars.len() + dollars.len() / 3);
        for (index, digit) in dollars.chars().enumerate() {
            if index > 0 && (dollars.len() - index).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(digit);
        }
        let sign = if cents < 0 { "-" } else { "" };
        format!("{sign}${grouped}.{:02}", magnitude % 100)
    }
}

/// Integer division of `numerator / denominator` rounded half away from zero.
fn div_round_half_away(numerator: i128, denominator: i128) -> i128 {
    let quotient = numerator / denominator;
    let remainder = numerator % denominator;
    // |remainder| * 2 >= |denominator| means the exact result is at least half a unit away
    // from the truncated quotient, so step one unit away from zero.
    if remainder.unsigned_abs() * 2 >= denominator.unsigned_abs() {
        if (numerator < 0) == (denominator < 0) { quotient + 1 } else { quotient - 1 }
    } else {
        quotient
    }
}

impl fmt::Display for Money {
    /// Plain decimal dollars with two to six decimals: `0.288`, `210.24`, `19.00`,
    /// `0.018816`, `-1.50`. Exact: parsing the output gives back the same value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let magnitude = self.0.unsigned_abs();
        let dollars = magnitude / MICROS_PER_DOLLAR.unsigned_abs();
        let micros = magnitude % MICROS_PER_DOLLAR.unsigned_abs();
        let mut fraction = format!("{micros:06}");
        while fraction.len() > 2 && fraction.ends_with('0') {
            fraction.pop();
        }
        let sign = if self.0 < 0 { "-" } else { "" };
        f.pad(&format!("{sign}{dollars}.{fraction}"))
    }
}

impl FromStr for Money {
    type Err = MoneyParseError;

    fn from_str(text: &str) -> Result<Money, MoneyParseError> {
        Money::parse(text)
    }
}

impl Add for Money {
    type Output = Money;

    /// # Panics
    /// If the sum leaves the representable range (about ±9.2 trillion dollars).
    fn add(self, other: Money) -> Money {
        self.checked_add(other).unwrap_or_else(|| panic!("money overflow: {self} + {other}"))
    }
}

impl AddAssign for Money {
    fn add_assign(&mut self, other: Money) {
        *self = *self + other;
    }
}

impl Sub for Money {
    type Output = Money;

    /// # Panics
    /// If the difference leaves the representable range (about ±9.2 trillion dollars).
    fn sub(self, other: Money) -> Money {
        self.checked_sub(other).unwrap_or_else(|| panic!("money overflow: {self} - {other}"))
    }
}

impl SubAssign for Money {
    fn sub_assign(&mut self, other: Money) {
        *self = *self - other;
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, Add::add)
    }
}

impl<'a> Sum<&'a Money> for Money {
    fn sum<I: Iterator<Item = &'a Money>>(iter: I) -> Money {
        iter.copied().sum()
    }
}

/// Serialized as the exact decimal string of [`fmt::Display`] (e.g. `"0.288"`), never as a
/// JSON number, so that no consumer reads it back through a float.
impl serde::Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Report fields with fixed decimals: `#[serde(serialize_with = "money::json::cents")]` for
/// amounts billed (monthly, accrued, totals: 2 decimals) and `money::json::micros` for rates
/// (prices and hourly costs: 6 decimals). The state keeps the exact form of `Serialize`.
pub mod json {
    use super::Money;

    /// Two decimals, rounded half away from zero.
    ///
    /// # Errors
    /// Those of the serializer.
    #[allow(clippy::trivially_copy_pass_by_ref)] // serde passes a reference
    pub fn cents<S: serde::Serializer>(m: &Money, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&m.fixed(2))
    }

    /// Six decimals: exact.
    ///
    /// # Errors
    /// Those of the serializer.
    #[allow(clippy::trivially_copy_pass_by_ref)] // serde passes a reference
    pub fn micros<S: serde::Serializer>(m: &Money, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&m.fixed(6))
    }
}

/// Accepts the decimal string form written by `Serialize` (and anything [`Money::parse`]
/// accepts).
impl<'de> serde::Deserialize<'de> for Money {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Money, D::Error> {
        struct MoneyVisitor;

        impl serde::de::Visitor<'_> for MoneyVisitor {
            type Value = Money;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a decimal string of dollars such as \"0.096\"")
            }

            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Money, E> {
                Money::parse(text).map_err(E::custom)
            }
        }

        deserializer.deserialize_str(MoneyVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_decimals_round_half_away_from_zero() {
        let m = |t: &str| Money::parse(t).unwrap();
        assert_eq!(m("0.369").fixed(2), "0.37");
        assert_eq!(m("0.365").fixed(2), "0.37");
        assert_eq!(m("-0.365").fixed(2), "-0.37");
        assert_eq!(m("140.16").fixed(2), "140.16");
        assert_eq!(m("0.5").fixed(2), "0.50");
        assert_eq!(m("0.096").fixed(6), "0.096000");
        assert_eq!(m("12").fixed(0), "12");
    }

    fn m(text: &str) -> Money {
        Money::parse(text).unwrap()
    }

    #[test]
    fn parses_exact_decimals() {
        assert_eq!(m("0.018816").micros(), 18_816);
        assert_eq!(m("19.71").micros(), 19_710_000);
        assert_eq!(m("3").micros(), 3_000_000);
        assert_eq!(m("-1.5").micros(), -1_500_000);
        assert_eq!(m("0").micros(), 0);
        assert_eq!(m("-0").micros(), 0);
        assert_eq!(m("0.000001").micros(), 1);
        assert_eq!(m("007.10").micros(), 7_100_000);
        assert_eq!("2.40".parse::<Money>().unwrap().micros(), 2_400_000);
    }

    #[test]
    fn parses_the_extremes_of_the_range() {
        assert_eq!(m("1000000000000000000").micros(), Money::MAX_TEXT.micros());
        assert_eq!(m("-1000000000000000000").micros(), -Money::MAX_TEXT.micros());
        // What used to be the limit is an ordinary amount now.
        assert_eq!(m("9223372036854.775807").micros(), i128::from(i64::MAX));
    }

    #[test]
    fn rejects_too_many_decimals_naming_the_value() {
        let error = Money::parse("0.0000001").unwrap_err();
        assert_eq!(error, MoneyParseError::TooPrecise("0.0000001".into()));
        assert!(error.to_string().contains("\"0.0000001\""), "{error}");
        assert!(error.to_string().contains("6 decimals"), "{error}");
    }

    #[test]
    fn rejects_garbage() {
        for text in [
            "", "-", ".", "1.", ".5", "-.5", "+1", " 1", "1 ", "1,000", "$1", "1e3", "1.2.3", "--1", "abc", "0x10",
            "1_000", "1.-5", "NaN",
        ] {
            assert_eq!(Money::parse(text), Err(MoneyParseError::Invalid(text.into())), "{text:?}");
        }
        assert!(Money::parse("1,000").unwrap_err().to_string().contains("\"1,000\""));
    }

    #[test]
    fn rejects_overflow() {
        for text in ["1000000000000000000.000001", "-1000000000000000001", "99999999999999999999999999999999999999999"]
        {
            assert_eq!(Money::parse(text), Err(MoneyParseError::Overflow(text.into())), "{text:?}");
        }
    }

    #[test]
    fn displays_two_to_six_decimals() {
        assert_eq!(Money::from_micros(288_000).to_string(), "0.288");
        assert_eq!(Money::from_micros(210_240_000).to_string(), "210.24");
        assert_eq!(Money::from_micros(19_000_000).to_string(), "19.00");
        assert_eq!(Money::from_micros(18_816).to_string(), "0.018816");
        assert_eq!(Money::from_micros(-1_500_000).to_string(), "-1.50");
        assert_eq!(Money::from_micros(-1).to_string(), "-0.000001");
        assert_eq!(Money::ZERO.to_string(), "0.00");
        assert_eq!(Money::from_micros(100_000).to_string(), "0.10");
        assert_eq!(Money::from_micros(i128::from(i64::MIN)).to_string(), "-9223372036854.775808");
        assert_eq!(format!("{:>8}", m("1.5")), "    1.50");
    }

    #[test]
    fn display_and_parse_round_trip() {
        for micros in
            [0, 1, -1, 10, 27_000, 96_000, 18_816, 41_811_428, -1_500_000, 123_456_789_012, Money::MAX_TEXT.micros()]
        {
            let money = Money::from_micros(micros);
            assert_eq!(m(&money.to_string()), money, "{micros}");
        }
        for text in ["0.288", "210.24", "19.00", "0.018816", "-1.50", "5.8072"] {
            assert_eq!(m(text).to_string(), text);
        }
    }

    #[test]
    fn adds_subtracts_and_sums() {
        let mut total = m("0.096") + m("0.096");
        total += m("0.096");
        assert_eq!(total, m("0.288"));
        assert_eq!(m("19.71") - m("21.68"), m("-1.97"));
        let mut balance = m("5");
        balance -= m("0.5");
        assert_eq!(balance, m("4.5"));
        let prices = [m("0.0104"), m("0.0207"), m("0.0416")];
        assert_eq!(prices.iter().sum::<Money>(), m("0.0727"));
        assert_eq!(prices.into_iter().sum::<Money>(), m("0.0727"));
        assert_eq!(std::iter::empty::<Money>().sum::<Money>(), Money::ZERO);
        assert_eq!(Money::from_micros(i128::MAX).checked_add(m("0.000001")), None);
        assert_eq!(Money::from_micros(i128::MIN).checked_sub(m("0.000001")), None);
    }

    #[test]
    #[should_panic(expected = "money overflow")]
    fn add_overflow_panics_instead_of_wrapping() {
        let _ = Money::from_micros(i128::MAX) + Money::from_micros(1);
    }

    #[test]
    fn multiplies_exactly_and_reports_overflow() {
        // Three D2s_v5 in eastus for a 730-hour month: 0.096 × 3 = 0.288/h, × 730 = 210.24.
        let hourly = m("0.096").mul_count(3);
        assert_eq!(hourly, m("0.288"));
        assert_eq!(hourly.mul_count(730), m("210.24"));
        assert_eq!(m("0.096").checked_mul(3), Some(m("0.288")));
        assert_eq!(m("1").checked_mul(u64::MAX), Some(Money::from_micros(i128::from(u64::MAX) * 1_000_000)));
        assert_eq!(Money::from_micros(i128::MAX / 2 + 1).checked_mul(2), None);
        assert_eq!(m("-2.5").mul_count(4), m("-10"));
        assert_eq!(m("1").mul_count(0), Money::ZERO);
    }

    #[test]
    #[should_panic(expected = "money overflow")]
    fn mul_count_overflow_panics() {
        let _ = Money::from_micros(i128::MAX).mul_count(2);
    }

    #[test]
    fn div_round_rounds_half_away_from_zero() {
        // P10 eastus: 19.71 / 730 = 0.027 exactly.
        assert_eq!(m("19.71").div_round(730), m("0.027"));
        // 1.54 / 730 = 0.0021095890..., nearest micro-dollar is 0.002110.
        assert_eq!(m("1.54").div_round(730), m("0.00211"));
        // 5.8072 / 730 = 0.0079550684..., rounds down to 0.007955.
        assert_eq!(m("5.8072").div_round(730), m("0.007955"));
        // Exact halves go away from zero, for either sign of either operand.
        assert_eq!(Money::from_micros(5).div_round(2).micros(), 3);
        assert_eq!(Money::from_micros(-5).div_round(2).micros(), -3);
        assert_eq!(Money::from_micros(5).div_round(-2).micros(), -3);
        assert_eq!(Money::from_micros(-5).div_round(-2).micros(), 3);
        assert_eq!(Money::from_micros(7).div_round(3).micros(), 2);
        assert_eq!(Money::from_micros(8).div_round(3).micros(), 3);
        assert_eq!(Money::from_micros(-7).div_round(3).micros(), -2);
        assert_eq!(Money::from_micros(i128::MAX).div_round(1).micros(), i128::MAX);
    }

    #[test]
    fn mul_ratio_applies_percentages_exactly() {
        // 40 % off 0.096 is 0.0576; 61 % off 0.096 is 0.03744.
        assert_eq!(m("0.096").mul_ratio(60, 100), m("0.0576"));
        assert_eq!(m("0.096").mul_ratio(39, 100), m("0.03744"));
        // A realistic product stays far inside the range.
        assert_eq!(Money::MAX_TEXT.mul_ratio(1000, 1000), Money::MAX_TEXT);
    }

    #[test]
    #[should_panic(expected = "divided by zero")]
    fn div_round_by_zero_panics() {
        let _ = m("1").div_round(0);
    }

    #[test]
    fn rounds_to_cents_half_away_from_zero() {
        assert_eq!(m("210.24").round_cents(), m("210.24"));
        assert_eq!(m("0.288").round_cents(), m("0.29"));
        assert_eq!(m("0.284999").round_cents(), m("0.28"));
        assert_eq!(m("0.285").round_cents(), m("0.29"));
        assert_eq!(m("-0.285").round_cents(), m("-0.29"));
        assert_eq!(m("-0.284").round_cents(), m("-0.28"));
        assert_eq!(m("0.004999").round_cents(), Money::ZERO);
        assert_eq!(m("0.005").round_cents(), m("0.01"));
    }

    #[test]
    fn formats_usd_for_tables() {
        assert_eq!(m("1234.56").format_usd(), "$1,234.56");
        assert_eq!(m("210.24").format_usd(), "$210.24");
        assert_eq!(m("0.288").format_usd(), "$0.29");
        assert_eq!(m("19").format_usd(), "$19.00");
        assert_eq!(Money::ZERO.format_usd(), "$0.00");
        assert_eq!(m("999.995").format_usd(), "$1,000.00");
        assert_eq!(m("1234567.891").format_usd(), "$1,234,567.89");
        assert_eq!(m("100000").format_usd(), "$100,000.00");
        assert_eq!(m("-3").format_usd(), "-$3.00");
        assert_eq!(m("-1234.5").format_usd(), "-$1,234.50");
        assert_eq!(m("-0.004").format_usd(), "$0.00");
    }

    #[test]
    fn serde_uses_the_exact_decimal_string() {
        use serde::Deserialize;
        use serde::de::IntoDeserializer;
        use serde::de::value::{Error, StrDeserializer};

        let read = |text: &str| {
            let deserializer: StrDeserializer<'_, Error> = text.into_deserializer();
            Money::deserialize(deserializer)
        };
        assert_eq!(read("0.018816").unwrap(), m("0.018816"));
        let error = read("0.0000001").unwrap_err().to_string();
        assert!(error.contains("more than 6 decimals"), "{error}");
    }
}
