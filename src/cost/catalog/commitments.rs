//! Typical discounts of reservations and savings plans, for what-if estimates only.

#[allow(clippy::wildcard_imports)]
use super::*;

// Commitment discounts. These are typical, observed estimates, not published rates: Azure
// advertises "up to 72%" for reservations and "up to 65%" for savings plans, and the discount
// really varies by size and region. They apply to Linux compute only, never to Spot, storage or
// network.

/// Typical, observed discount of a 1-year reservation, in percent.
pub const RESERVATION_1Y_DISCOUNT_PERCENT: u32 = 40;
/// Typical, observed discount of a 3-year reservation, in percent.
pub const RESERVATION_3Y_DISCOUNT_PERCENT: u32 = 61;
/// Typical, observed discount of a 1-year savings plan, in percent (observed range 31–33 %).
pub const SAVINGS_PLAN_1Y_DISCOUNT_PERCENT: u32 = 32;
/// Typical, observed discount of a 3-year savings plan, in percent (observed range 53–56 %).
pub const SAVINGS_PLAN_3Y_DISCOUNT_PERCENT: u32 = 55;

/// A compute commitment with its typical, observed discount (an estimate, see the constants).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Commitment {
    /// 1-year reserved instance.
    Reservation1Year,
    /// 3-year reserved instance.
    Reservation3Years,
    /// 1-year compute savings plan.
    SavingsPlan1Year,
    /// 3-year compute savings plan.
    SavingsPlan3Years,
}

impl Commitment {
    /// Every commitment, in a stable order.
    pub const ALL: [Commitment; 4] = [
        Commitment::Reservation1Year,
        Commitment::Reservation3Years,
        Commitment::SavingsPlan1Year,
        Commitment::SavingsPlan3Years,
    ];

    /// The typical, observed discount in percent.
    #[must_use]
    pub const fn typical_discount_percent(self) -> u32 {
        match self {
            Commitment::Reservation1Year => RESERVATION_1Y_DISCOUNT_PERCENT,
            Commitment::Reservation3Years => RESERVATION_3Y_DISCOUNT_PERCENT,
            Commitment::SavingsPlan1Year => SAVINGS_PLAN_1Y_DISCOUNT_PERCENT,
            Commitment::SavingsPlan3Years => SAVINGS_PLAN_3Y_DISCOUNT_PERCENT,
        }
    }

    /// A stable identifier for JSON, e.g. `"reservation3Years"`.
    #[must_use]
    pub const fn id(self) -> &'static str {
        match self {
            Commitment::Reservation1Year => "reservation1Year",
            Commitment::Reservation3Years => "reservation3Years",
            Commitment::SavingsPlan1Year => "savingsPlan1Year",
            Commitment::SavingsPlan3Years => "savingsPlan3Years",
        }
    }

    /// A short human label, e.g. `"3-year reservation"`.
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Commitment::Reservation1Year => "1-year reservation",
            Commitment::Reservation3Years => "3-year reservation",
            Commitment::SavingsPlan1Year => "1-year savings plan",
            Commitment::SavingsPlan3Years => "3-year savings plan",
        }
    }

    /// Estimated price under this commitment of a Linux pay-as-you-go `price`, rounded half
    /// away from zero to the micro-dollar.
    #[must_use]
    pub fn apply(self, price: Money) -> Money {
        price.mul_ratio(100 - i64::from(self.typical_discount_percent()), 100)
    }
}

impl fmt::Display for Commitment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.label())
    }
}
