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

/// A network price the Retail Prices API lists, and that an import may replace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NetworkMeter {
    /// "Standard Included LB Rules and Outbound Rules": an hour covering the first five rules.
    LbIncludedRules,
    /// "Standard Overage LB Rules and Outbound Rules": an hour of each rule beyond five.
    LbOverageRule,
    /// "Standard Data Processed": one GB through the load balancer.
    LbDataProcessed,
    /// "Standard IPv4 Static Public IP": an hour of one address.
    PublicIpv4Static,
}

impl NetworkMeter {
    /// The built-in figure (the reference's, the same in every region).
    #[must_use]
    pub const fn builtin(self) -> Money {
        match self {
            NetworkMeter::LbIncludedRules => LB_FIRST_RULES_HOURLY,
            NetworkMeter::LbOverageRule => LB_EXTRA_RULE_HOURLY,
            NetworkMeter::LbDataProcessed => LB_DATA_PROCESSED_PER_GB,
            NetworkMeter::PublicIpv4Static => PUBLIC_IPV4_STATIC_HOURLY,
        }
    }

    /// The API's `meterName`.
    #[must_use]
    pub const fn meter_name(self) -> &'static str {
        match self {
            NetworkMeter::LbIncludedRules => "Standard Included LB Rules and Outbound Rules",
            NetworkMeter::LbOverageRule => "Standard Overage LB Rules and Outbound Rules",
            NetworkMeter::LbDataProcessed => "Standard Data Processed",
            NetworkMeter::PublicIpv4Static => "Standard IPv4 Static Public IP",
        }
    }
}

impl Catalog {
    /// A network price in `region` and where it comes from: the region's own imported row,
    /// else the row for region "Global" (where the API lists load-balancer meters), else the
    /// built-in figure.
    #[must_use]
    pub fn network_price(&self, meter: NetworkMeter, region: &str) -> (Money, &'static str) {
        self.network
            .get(&(meter, region.to_owned()))
            .or_else(|| self.network.get(&(meter, GLOBAL_REGION.to_owned())))
            .copied()
            .unwrap_or((meter.builtin(), source::CATALOG))
    }

    /// Sets one imported network price (`region` may be [`GLOBAL_REGION`]).
    pub fn insert_network_price(&mut self, meter: NetworkMeter, region: &str, price: Money) {
        self.network.insert((meter, region.to_owned()), (price, self.inserting_as));
        self.origin = CatalogOrigin::Overlaid;
    }
}

/// The region name under which the Retail Prices API lists meters priced the same everywhere.
pub const GLOBAL_REGION: &str = "global";

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
