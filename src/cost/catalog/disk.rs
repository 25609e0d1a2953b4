//! Managed disk kinds and their transaction charges.

#[allow(clippy::wildcard_imports)]
use super::*;

// Managed-disk transactions (eastus figures; the reference has none for other regions).

/// Standard HDD transactions in eastus, per 10,000 operations.
pub const STANDARD_HDD_TRANSACTIONS_PER_10K_EASTUS: Money = Money::from_micros(500);
/// Standard SSD transactions in eastus, per 10,000 operations.
pub const STANDARD_SSD_TRANSACTIONS_PER_10K_EASTUS: Money = Money::from_micros(2_000);
// Premium SSD has no transaction charge, so it has no constant.

/// The managed-disk family a tier name belongs to, from its first letter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DiskKind {
    /// `S` tiers.
    StandardHdd,
    /// `E` tiers.
    StandardSsd,
    /// `P` tiers.
    PremiumSsd,
}

impl DiskKind {
    /// The family of a tier such as `"P10"`, or `None` for an unrecognised name.
    #[must_use]
    pub fn of_tier(tier: &str) -> Option<DiskKind> {
        let digits = tier.get(1..)?;
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        match tier.as_bytes()[0] {
            b'S' => Some(DiskKind::StandardHdd),
            b'E' => Some(DiskKind::StandardSsd),
            b'P' => Some(DiskKind::PremiumSsd),
            _ => None,
        }
    }

    /// The name Azure uses for the family, e.g. `"Premium SSD"`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            DiskKind::StandardHdd => "Standard HDD",
            DiskKind::StandardSsd => "Standard SSD",
            DiskKind::PremiumSsd => "Premium SSD",
        }
    }
}

impl fmt::Display for DiskKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}
