//! What the catalog refuses: a price it cannot give, a built-in CSV that does not parse.

#[allow(clippy::wildcard_imports)]
use super::*;

/// A field of the built-in price CSV that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CsvFieldError(pub(crate) String);

impl From<String> for CsvFieldError {
    fn from(message: String) -> Self {
        Self(message)
    }
}

/// A price the catalog cannot give. Each message names what is missing, what the catalog does
/// know instead, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PriceError {
    /// The VM size is not in the catalog at all.
    #[error("unknown VM size '{sku}' in {origin} ({}); {}", alternatives("sizes", suggestions, known), origin.hint())]
    UnknownSize {
        /// The name asked for.
        sku: String,
        /// Near matches, best first (see [`suggest`]).
        suggestions: Vec<String>,
        /// Every size the catalog knows.
        known: Vec<String>,
        /// Where the catalog's figures come from.
        origin: CatalogOrigin,
    },
    /// The region appears nowhere in the catalog.
    #[error("unknown region '{region}' in {origin} ({}); {}", alternatives("regions", suggestions, known), origin.hint())]
    UnknownRegion {
        /// The region asked for.
        region: String,
        /// Near matches, best first.
        suggestions: Vec<String>,
        /// Every region the catalog knows.
        known: Vec<String>,
        /// Where the catalog's figures come from.
        origin: CatalogOrigin,
    },
    /// The size and region are known, but not this price for them.
    #[error("no {os}{} price for {sku} in {region} in {origin} ({}); {}", if *spot { " Spot" } else { "" }, known_regions(known_for), origin.hint())]
    MissingVmPrice {
        /// The VM size.
        sku: String,
        /// The region asked for.
        region: String,
        /// The operating system asked for.
        os: Os,
        /// Whether the Spot price was asked for.
        spot: bool,
        /// Regions where this exact price (size, OS, Spot or not) is known.
        known_for: Vec<String>,
        /// Where the catalog's figures come from.
        origin: CatalogOrigin,
    },
    /// The disk tier is not in the catalog at all.
    #[error("unknown disk tier '{tier}' in {origin} ({}); {}", alternatives("tiers", suggestions, known), origin.hint())]
    UnknownDiskTier {
        /// The tier asked for.
        tier: String,
        /// Near matches, best first.
        suggestions: Vec<String>,
        /// Every tier the catalog knows.
        known: Vec<String>,
        /// Where the catalog's figures come from.
        origin: CatalogOrigin,
    },
    /// The disk tier and region are known, but not the tier's price in that region.
    #[error("no monthly price for disk tier {tier} in {region} in {origin} ({}); {}", known_regions(known_for), origin.hint())]
    MissingDiskPrice {
        /// The disk tier.
        tier: String,
        /// The region asked for.
        region: String,
        /// Regions where the tier's price is known.
        known_for: Vec<String>,
        /// Where the catalog's figures come from.
        origin: CatalogOrigin,
    },
    /// Internet egress reaches a tier the reference has no price for.
    #[error(
        "no internet egress price for {gb} GB/month: the built-in figures cover traffic up to {priced_up_to_gb} GB/month only"
    )]
    EgressBeyondKnownTiers {
        /// Monthly traffic asked for.
        gb: u64,
        /// Where the last priced tier ends.
        priced_up_to_gb: u64,
    },
}

/// "did you mean ...?" when there are near matches, else the full list of what exists.
pub(super) fn alternatives(what: &str, suggestions: &[String], known: &[String]) -> String {
    if suggestions.is_empty() {
        format!("known {what}: {}", known.join(", "))
    } else {
        let near: Vec<&str> = suggestions.iter().map(String::as_str).collect();
        crate::suggest::did_you_mean(&near)
    }
}

/// "known for: a, b" or an explicit statement that no region has the figure.
pub(super) fn known_regions(regions: &[String]) -> String {
    if regions.is_empty() { "not known in any region".to_owned() } else { format!("known for: {}", regions.join(", ")) }
}

/// A malformed row in price data, with its 1-based line number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    /// A problem in the VM price CSV.
    #[error("VM price data, line {line}: {message}")]
    Vm {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A problem in the disk price CSV.
    #[error("disk price data, line {line}: {message}")]
    Disk {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
}
