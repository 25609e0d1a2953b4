//! Network prices: the Standard Load Balancer, static public IPs and internet egress.

#[allow(clippy::wildcard_imports)]
use super::*;

/// Standard Load Balancer: rules covered by the base hourly charge.
pub const LB_INCLUDED_RULES: u32 = 5;
/// Standard Load Balancer: hourly charge covering the first [`LB_INCLUDED_RULES`] rules
/// (about $18.25/month).
pub const LB_FIRST_RULES_HOURLY: Money = Money::from_micros(25_000);
/// Standard Load Balancer: hourly charge for each rule beyond the first five.
pub const LB_EXTRA_RULE_HOURLY: Money = Money::from_micros(10_000);
/// Standard Load Balancer: charge per GB of data processed.
pub const LB_DATA_PROCESSED_PER_GB: Money = Money::from_micros(5_000);
/// The Retail Prices API lists load-balancer meters under this region, not the VM's region.
pub const LB_METER_REGION: &str = "Global";
/// Standard static public IPv4 address, per hour (about $3.65/month).
pub const PUBLIC_IPV4_STATIC_HOURLY: Money = Money::from_micros(5_000);

/// One tier of monthly internet egress pricing (North America and Europe).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EgressTier {
    /// First GB of the month's traffic to which this tier applies.
    pub from_gb: u64,
    /// Price per GB inside the tier; `None` where the reference has no figure.
    pub per_gb: Option<Money>,
}

/// Internet egress tiers, in order: the first 100 GB a month are free, then $0.087, $0.083,
/// $0.07 and $0.05 per GB. The tier starting at 512,095 GB has no figure in the reference.
pub const INTERNET_EGRESS_TIERS: [EgressTier; 6] = [
    EgressTier { from_gb: 0, per_gb: Some(Money::ZERO) },
    EgressTier { from_gb: 100, per_gb: Some(Money::from_micros(87_000)) },
    EgressTier { from_gb: 10_335, per_gb: Some(Money::from_micros(83_000)) },
    EgressTier { from_gb: 51_295, per_gb: Some(Money::from_micros(70_000)) },
    EgressTier { from_gb: 153_695, per_gb: Some(Money::from_micros(50_000)) },
    EgressTier { from_gb: 512_095, per_gb: None },
];

/// Monthly price of `gb` GB of internet egress, summed tier by tier.
///
/// # Errors
/// [`PriceError::EgressBeyondKnownTiers`] when the traffic reaches a tier without a figure.
pub fn internet_egress_monthly(gb: u64) -> Result<Money, PriceError> {
    let mut total = Money::ZERO;
    for (index, tier) in INTERNET_EGRESS_TIERS.iter().enumerate() {
        if gb <= tier.from_gb {
            break;
        }
        let until = INTERNET_EGRESS_TIERS.get(index + 1).map_or(gb, |next| next.from_gb.min(gb));
        let Some(per_gb) = tier.per_gb else {
            return Err(PriceError::EgressBeyondKnownTiers { gb, priced_up_to_gb: tier.from_gb });
        };
        total += per_gb
            .checked_mul(until - tier.from_gb)
            .ok_or(PriceError::EgressBeyondKnownTiers { gb, priced_up_to_gb: tier.from_gb })?;
    }
    Ok(total)
}
