//! The built-in Azure price catalog: VM sizes, VM hourly prices, managed-disk monthly prices,
//! networking prices and typical commitment discounts, with exact lookups.
//!
//! Figures are retail pay-as-you-go USD prices copied from the project's Azure price reference
//! (snapshots of the Azure Retail Prices API, June–October 2026); VM and disk prices live in
//! `data/prices/vm.csv` and `data/prices/disks.csv` and are compiled into the binary, so the
//! catalog is the same on every machine and needs no network. Guarantees:
//! - every amount is an exact [`Money`]; nothing is ever priced through a float;
//! - a figure the reference does not have is absent, never zero: asking for it is a
//!   [`PriceError`] that names what is missing and what the catalog does know;
//! - iteration (sizes, regions, tiers, rows) is sorted and therefore deterministic;
//! - names are matched exactly as Azure spells them (`Standard_D2s_v5`, `eastus`), with
//!   `crate::suggest` offering near misses for error messages.
//!
//! The importer in [`crate::cost::retail`] overlays prices from an Azure Retail Prices export
//! with [`Catalog::insert_vm_price`] and [`Catalog::insert_disk_price`] on a clone of
//! [`Catalog::builtin`]; a size or tier known only from such a row has no hardware figures,
//! which [`Catalog::knows_size`] / [`Catalog::knows_disk_tier`] accept.

//!
//! One file per concept: this one holds the catalog and its lookups; `errors` what a lookup or
//! the CSV can refuse; `network` the load balancer, public IP and egress prices; `disk` disk
//! kinds and transactions; `commitments` the typical discounts; `price_csv` the CSV reading.

mod commitments;
mod disk;
mod errors;
mod network;
mod price_csv;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::LazyLock;

use crate::model::money::Money;

pub use commitments::*;
pub use disk::*;
pub use errors::{CatalogError, CsvFieldError, PriceError};
pub use network::*;
use price_csv::{csv_rows, parse_count, parse_name, parse_price, parse_region};

/// Hours in a billing month: 24 × 365 / 12, as the Azure pricing calculator and Infracost use.
pub const HOURS_PER_MONTH: i64 = 730;

/// VM sizes and hourly prices, one row per (size, region).
const VM_CSV: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/data/prices/vm.csv"));
/// Managed-disk (LRS) monthly prices, one row per (tier, region).
const DISK_CSV: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/data/prices/disks.csv"));

/// Column names of the VM price CSV; a trailing `note` column is optional.
const VM_COLUMNS: [&str; 8] = ["size", "vcpus", "memoryGib", "region", "linux", "windows", "spotLinux", "spotWindows"];
/// Column names of the disk price CSV.
const DISK_COLUMNS: [&str; 4] = ["tier", "sizeGib", "region", "monthly"];

// ---------------------------------------------------------------------------------------------
// Types.

/// Operating system a VM price is for. Windows prices include the Windows licence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Os {
    /// Linux (no licence charge).
    Linux,
    /// Windows (licence included).
    Windows,
}

impl Os {
    /// Both operating systems, Linux first.
    pub const ALL: [Os; 2] = [Os::Linux, Os::Windows];

    /// `"Linux"` or `"Windows"`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Os::Linux => "Linux",
            Os::Windows => "Windows",
        }
    }
}

impl fmt::Display for Os {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

/// Hardware of a VM size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VmSize {
    /// Azure's name, e.g. `Standard_D2s_v5`.
    pub name: String,
    /// Virtual CPUs.
    pub vcpus: u32,
    /// Memory in GiB.
    pub memory_gib: u32,
    /// Extra facts from the reference, e.g. `"1x T4"` or `"1x V100, retired 2025-09-30"`.
    pub note: Option<String>,
}

/// Where a catalog's figures come from; used to word error messages and their hints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CatalogOrigin {
    /// Only the compiled-in reference figures.
    Builtin,
    /// Built-in figures with imported prices laid over them.
    Overlaid,
}

impl CatalogOrigin {
    /// What the user can do about a missing figure.
    #[must_use]
    pub const fn hint(self) -> &'static str {
        match self {
            CatalogOrigin::Builtin => "load an Azure Retail Prices export with --prices FILE",
            CatalogOrigin::Overlaid => {
                "the loaded price export has no such row either: export this size and region from the Azure Retail Prices API"
            }
        }
    }
}

impl fmt::Display for CatalogOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CatalogOrigin::Builtin => "the built-in price catalog",
            CatalogOrigin::Overlaid => "the built-in price catalog or the loaded price export",
        })
    }
}

/// The four hourly prices of one size in one region; `None` where no figure exists.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VmPrices {
    /// Linux pay-as-you-go.
    pub linux: Option<Money>,
    /// Windows pay-as-you-go (licence included).
    pub windows: Option<Money>,
    /// Linux Spot (an example: Spot prices move daily).
    pub spot_linux: Option<Money>,
    /// Windows Spot (an example: Spot prices move daily).
    pub spot_windows: Option<Money>,
}

impl VmPrices {
    /// The price for one OS and Spot choice.
    #[must_use]
    pub const fn get(&self, os: Os, spot: bool) -> Option<Money> {
        match (os, spot) {
            (Os::Linux, false) => self.linux,
            (Os::Windows, false) => self.windows,
            (Os::Linux, true) => self.spot_linux,
            (Os::Windows, true) => self.spot_windows,
        }
    }

    fn slot_mut(&mut self, os: Os, spot: bool) -> &mut Option<Money> {
        match (os, spot) {
            (Os::Linux, false) => &mut self.linux,
            (Os::Windows, false) => &mut self.windows,
            (Os::Linux, true) => &mut self.spot_linux,
            (Os::Windows, true) => &mut self.spot_windows,
        }
    }

    fn is_empty(&self) -> bool {
        *self == VmPrices::default()
    }
}

/// Everything known about one VM size.
#[derive(Clone, Debug, Default)]
struct VmEntry {
    /// Hardware; `None` for a size known only from imported prices.
    spec: Option<VmSize>,
    /// Prices by region.
    prices: BTreeMap<String, VmPrices>,
}

/// Everything known about one disk tier.
#[derive(Clone, Debug, Default)]
struct DiskEntry {
    /// Capacity; `None` for a tier known only from imported prices.
    size_gib: Option<u32>,
    /// Monthly price by region.
    monthly: BTreeMap<String, Money>,
}

/// VM sizes and prices plus disk prices, keyed by Azure's exact names.
///
/// All maps are `BTreeMap`s so that every listing comes out in the same sorted order.
#[derive(Clone, Debug)]
pub struct Catalog {
    vms: BTreeMap<String, VmEntry>,
    disks: BTreeMap<String, DiskEntry>,
    /// Union of the regions of every VM and disk price.
    regions: BTreeSet<String>,
    origin: CatalogOrigin,
    /// Where the figures come from, in the order they were laid on: `"built-in"` first, then
    /// one line per imported file.
    sources: Vec<String>,
    /// Where each price laid over the built-in ones came from (`cache`, `export`); a price
    /// not listed is the built-in catalog's.
    price_origins: BTreeMap<(String, String, Os, bool), &'static str>,
    disk_origins: BTreeMap<(String, String), &'static str>,
    /// Imported network prices by meter and region (`global` for the API's "Global"), with
    /// their origin; a meter not listed has its built-in figure.
    network: BTreeMap<(NetworkMeter, String), (Money, &'static str)>,
    /// What prices inserted now are labelled.
    inserting_as: &'static str,
    /// Whether a missing Windows price may be estimated (`--strict-prices` says no).
    estimates: bool,
}

/// A size's family: the letters after `Standard_` (`Standard_D2s_v5` -> `D`).
fn family(sku: &str) -> &str {
    let name = sku.strip_prefix("Standard_").unwrap_or(sku);
    let end = name.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(name.len());
    &name[..end]
}

/// Where a price comes from, shown beside it in tables and JSON.
pub mod source {
    pub const CATALOG: &str = "catalog";
    pub const CACHE: &str = "cache";
    pub const EXPORT: &str = "export";
    /// Derived by a documented rule, never a quote.
    pub const ESTIMATE: &str = "estimate";
    /// A Spot VM billed at its `maxPrice` (or the regular price): at most that.
    pub const AT_MOST: &str = "at most";
}

impl Catalog {
    /// The compiled-in catalog, parsed once on first use.
    ///
    /// # Panics
    /// If the compiled-in CSV files are malformed. They are part of this crate and covered by
    /// its tests, so this is a build defect, not a runtime condition.
    #[must_use]
    pub fn builtin() -> &'static Catalog {
        static BUILTIN: LazyLock<Catalog> = LazyLock::new(|| {
            Catalog::from_csv(VM_CSV, DISK_CSV)
                .unwrap_or_else(|error| panic!("the built-in price catalog is invalid: {error}"))
        });
        &BUILTIN
    }

    /// Builds a catalog from CSV text in the format of `data/prices/vm.csv` and
    /// `data/prices/disks.csv`.
    ///
    /// VM columns: `size,vcpus,memoryGib,region,linux,windows,spotLinux,spotWindows[,note]`,
    /// prices in dollars per hour, an empty cell where no figure exists. Disk columns:
    /// `tier,sizeGib,region,monthly`, prices in dollars per month. One region per row; a
    /// field containing a comma is double-quoted. Blank lines are ignored.
    ///
    /// # Errors
    /// A [`CatalogError`] with the 1-based line number for: a wrong header, a wrong number of
    /// fields, a malformed number, name or region, a negative price, a VM row without any
    /// price, a size or tier whose hardware differs between rows, and a repeated
    /// (size, region) or (tier, region).
    pub fn from_csv(vm_csv: &str, disk_csv: &str) -> Result<Catalog, CatalogError> {
        let mut catalog = Catalog {
            vms: BTreeMap::new(),
            disks: BTreeMap::new(),
            regions: BTreeSet::new(),
            origin: CatalogOrigin::Builtin,
            sources: vec!["built-in price catalog".to_owned()],
            price_origins: BTreeMap::new(),
            disk_origins: BTreeMap::new(),
            network: BTreeMap::new(),
            inserting_as: source::CATALOG,
            estimates: true,
        };
        catalog.load_vm_csv(vm_csv).map_err(|(line, message)| CatalogError::Vm { line, message })?;
        catalog.load_disk_csv(disk_csv).map_err(|(line, message)| CatalogError::Disk { line, message })?;
        Ok(catalog)
    }

    fn load_vm_csv(&mut self, text: &str) -> Result<(), (usize, String)> {
        let mut rows = csv_rows(text);
        let (header_line, header) = rows.next().ok_or((1, "empty: no header".to_owned()))??;
        let has_note = header.len() == VM_COLUMNS.len() + 1 && header[VM_COLUMNS.len()] == "note";
        if header[..header.len().min(VM_COLUMNS.len())] != VM_COLUMNS || !(header.len() == VM_COLUMNS.len() || has_note)
        {
            return Err((
                header_line,
                format!(
                    "expected header '{},note' (note optional), found '{}'",
                    VM_COLUMNS.join(","),
                    header.join(",")
                ),
            ));
        }
        // First line of each size, to check that its hardware is the same on every row.
        let mut first_line: BTreeMap<String, usize> = BTreeMap::new();
        // First line of each (size, region), to reject repeats.
        let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
        for row in rows {
            let (line, fields) = row?;
            let fail = |message: String| (line, message);
            if fields.len() != header.len() {
                return Err(fail(format!("expected {} fields, found {}", header.len(), fields.len())));
            }
            let name = parse_name("size", &fields[0]).map_err(|e| fail(e.0))?;
            let vcpus = parse_count("vcpus", &fields[1]).map_err(|e| fail(e.0))?;
            let memory_gib = parse_count("memoryGib", &fields[2]).map_err(|e| fail(e.0))?;
            let region = parse_region(&fields[3]).map_err(|e| fail(e.0))?;
            let prices = VmPrices {
                linux: parse_price("linux", &fields[4]).map_err(|e| fail(e.0))?,
                windows: parse_price("windows", &fields[5]).map_err(|e| fail(e.0))?,
                spot_linux: parse_price("spotLinux", &fields[6]).map_err(|e| fail(e.0))?,
                spot_windows: parse_price("spotWindows", &fields[7]).map_err(|e| fail(e.0))?,
            };
            if prices.is_empty() {
                return Err(fail(format!("{name} in {region} has no price at all; leave the row out instead")));
            }
            let note = fields.get(VM_COLUMNS.len()).filter(|note| !note.is_empty()).cloned();
            let spec = VmSize { name: name.to_owned(), vcpus, memory_gib, note };

            let entry = self.vms.entry(name.to_owned()).or_default();
            match &entry.spec {
                Some(existing) if *existing != spec => {
                    return Err(fail(format!(
                        "{name} is {} vCPU, {} GiB, note {:?} here but {} vCPU, {} GiB, note {:?} on line {}",
                        spec.vcpus,
                        spec.memory_gib,
                        spec.note.as_deref().unwrap_or(""),
                        existing.vcpus,
                        existing.memory_gib,
                        existing.note.as_deref().unwrap_or(""),
                        first_line[name],
                    )));
                }
                Some(_) => {}
                None => {
                    entry.spec = Some(spec);
                    first_line.insert(name.to_owned(), line);
                }
            }
            if let Some(previous) = seen.insert((name.to_owned(), region.to_owned()), line) {
                return Err(fail(format!("{name} in {region} is already priced on line {previous}")));
            }
            entry.prices.insert(region.to_owned(), prices);
            self.regions.insert(region.to_owned());
        }
        Ok(())
    }

    fn load_disk_csv(&mut self, text: &str) -> Result<(), (usize, String)> {
        let mut rows = csv_rows(text);
        let (header_line, header) = rows.next().ok_or((1, "empty: no header".to_owned()))??;
        if header != DISK_COLUMNS {
            return Err((
                header_line,
                format!("expected header '{}', found '{}'", DISK_COLUMNS.join(","), header.join(",")),
            ));
        }
        let mut first_line: BTreeMap<String, usize> = BTreeMap::new();
        let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
        for row in rows {
            let (line, fields) = row?;
            let fail = |message: String| (line, message);
            if fields.len() != DISK_COLUMNS.len() {
                return Err(fail(format!("expected {} fields, found {}", DISK_COLUMNS.len(), fields.len())));
            }
            let tier = parse_name("tier", &fields[0]).map_err(|e| fail(e.0))?;
            let size_gib = parse_count("sizeGib", &fields[1]).map_err(|e| fail(e.0))?;
            let region = parse_region(&fields[2]).map_err(|e| fail(e.0))?;
            let monthly = parse_price("monthly", &fields[3])
                .map_err(|e| fail(e.0))?
                .ok_or_else(|| fail(format!("{tier} in {region} has an empty monthly price")))?;

            let entry = self.disks.entry(tier.to_owned()).or_default();
            match entry.size_gib {
                Some(existing) if existing != size_gib => {
                    return Err(fail(format!(
                        "{tier} is {size_gib} GiB here but {existing} GiB on line {}",
                        first_line[tier]
                    )));
                }
                Some(_) => {}
                None => {
                    entry.size_gib = Some(size_gib);
                    first_line.insert(tier.to_owned(), line);
                }
            }
            if let Some(previous) = seen.insert((tier.to_owned(), region.to_owned()), line) {
                return Err(fail(format!("{tier} in {region} is already priced on line {previous}")));
            }
            entry.monthly.insert(region.to_owned(), monthly);
            self.regions.insert(region.to_owned());
        }
        Ok(())
    }

    /// Where this catalog's figures come from.
    #[must_use]
    pub const fn origin(&self) -> CatalogOrigin {
        self.origin
    }

    /// Where the figures come from, oldest layer first (`"built-in price catalog"`, then one
    /// entry per imported price file).
    #[must_use]
    pub fn sources(&self) -> &[String] {
        &self.sources
    }

    /// Records one more layer of prices (an imported file) for [`Catalog::sources`].
    pub fn add_source(&mut self, description: String) {
        self.sources.push(description);
        self.origin = CatalogOrigin::Overlaid;
    }

    /// Whether the size is known at all: with hardware, or only from an imported price row.
    /// Definitions accept any known size; pricing then says which figures are missing.
    #[must_use]
    pub fn knows_size(&self, sku: &str) -> bool {
        self.vms.contains_key(sku)
    }

    /// Whether the disk tier is known at all: with a capacity, or only from an imported price.
    #[must_use]
    pub fn knows_disk_tier(&self, tier: &str) -> bool {
        self.disks.contains_key(tier)
    }

    /// Hardware of a size, by its exact, case-sensitive Azure name. `None` for an unknown
    /// size, and for a size known only from imported prices without hardware.
    #[must_use]
    pub fn size(&self, sku: &str) -> Option<&VmSize> {
        self.vms.get(sku)?.spec.as_ref()
    }

    /// Every size that has hardware or a price, sorted by name.
    pub fn size_names(&self) -> impl Iterator<Item = &str> {
        self.vms.keys().map(String::as_str)
    }

    /// Every region appearing in VM or disk prices, sorted.
    pub fn regions(&self) -> impl Iterator<Item = &str> {
        self.regions.iter().map(String::as_str)
    }

    /// Whether any VM or disk price exists for `region` (exact, lower-case Azure name).
    #[must_use]
    pub fn has_region(&self, region: &str) -> bool {
        self.regions.contains(region)
    }

    /// Every disk tier, grouped by letter and in order of size within it
    /// (`E4, E6, E10, …, P4, …, S30`).
    pub fn disk_tiers(&self) -> impl Iterator<Item = &str> {
        let mut tiers: Vec<&str> = self.disks.keys().map(String::as_str).collect();
        tiers.sort_by_key(|tier| tier_sort_key(tier));
        tiers.into_iter()
    }

    /// Capacity of a disk tier in GiB, if known.
    #[must_use]
    pub fn disk_size_gib(&self, tier: &str) -> Option<u32> {
        self.disks.get(tier)?.size_gib
    }

    /// The four hourly prices of a size in a region, if any row exists for them.
    #[must_use]
    pub fn vm_prices(&self, sku: &str, region: &str) -> Option<&VmPrices> {
        self.vms.get(sku)?.prices.get(region)
    }

    /// Every (size, region, prices) row, sorted by size then region.
    pub fn vm_price_rows(&self) -> impl Iterator<Item = (&str, &str, &VmPrices)> {
        self.vms.iter().flat_map(|(sku, entry)| {
            entry.prices.iter().map(move |(region, prices)| (sku.as_str(), region.as_str(), prices))
        })
    }

    /// Every (tier, region, monthly price) row, in [`Catalog::disk_tiers`] order then by region.
    pub fn disk_price_rows(&self) -> impl Iterator<Item = (&str, &str, Money)> {
        self.disk_tiers().flat_map(move |tier| {
            self.disks[tier].monthly.iter().map(move |(region, monthly)| (tier, region.as_str(), *monthly))
        })
    }

    /// Pay-as-you-go (or, with `spot`, Spot) price per hour of one VM of size `sku` in
    /// `region` running `os`.
    ///
    /// # Errors
    /// [`PriceError::UnknownSize`], [`PriceError::UnknownRegion`], or
    /// [`PriceError::MissingVmPrice`] when the size and region exist but this price does not;
    /// a missing figure is never taken as zero.
    pub fn vm_hourly(&self, sku: &str, region: &str, os: Os, spot: bool) -> Result<Money, PriceError> {
        let Some(entry) = self.vms.get(sku) else {
            return Err(PriceError::UnknownSize {
                sku: sku.to_owned(),
                suggestions: owned(crate::suggest::nearest(sku, self.size_names())),
                known: owned(self.size_names()),
                origin: self.origin,
            });
        };
        self.check_region(region)?;
        entry.prices.get(region).and_then(|prices| prices.get(os, spot)).ok_or_else(|| PriceError::MissingVmPrice {
            sku: sku.to_owned(),
            region: region.to_owned(),
            os,
            spot,
            known_for: entry
                .prices
                .iter()
                .filter(|(_, prices)| prices.get(os, spot).is_some())
                .map(|(region, _)| region.clone())
                .collect(),
            origin: self.origin,
        })
    }

    /// Labels the prices inserted from now on (`source::CACHE`, `source::EXPORT`).
    pub fn insert_as(&mut self, label: &'static str) {
        self.inserting_as = label;
    }

    /// Allows or refuses estimated prices (`--strict-prices` refuses them).
    pub fn allow_estimates(&mut self, allowed: bool) {
        self.estimates = allowed;
    }

    /// Where a disk price comes from.
    #[must_use]
    pub fn disk_source(&self, tier: &str, region: &str) -> &'static str {
        self.disk_origins.get(&(tier.to_owned(), region.to_owned())).copied().unwrap_or(source::CATALOG)
    }

    /// The hourly price of one VM and where it comes from. A Windows price that no source has
    /// is estimated, when estimates are allowed, as the Linux price plus a Windows licence
    /// rate per vCPU: the median of (Windows - Linux) / vCPUs over every size and region that
    /// has both (see the README for its observed error).
    ///
    /// # Errors
    /// As [`Catalog::vm_hourly`], when no price and no estimate can be had.
    pub fn vm_hourly_sourced(
        &self,
        sku: &str,
        region: &str,
        os: Os,
        spot: bool,
    ) -> Result<(Money, &'static str), PriceError> {
        match self.vm_hourly(sku, region, os, spot) {
            Ok(price) => {
                let origin = self.price_origins.get(&(sku.to_owned(), region.to_owned(), os, spot)).copied();
                Ok((price, origin.unwrap_or(source::CATALOG)))
            }
            Err(e) if self.estimates && os == Os::Windows && !spot => {
                let vcpus =
                    self.vms.get(sku).and_then(|v| v.spec.as_ref()).map(|s| s.vcpus).ok_or_else(|| e.clone())?;
                let linux = self.vm_hourly(sku, region, Os::Linux, false).map_err(|_| e.clone())?;
                let rate = self.windows_licence_per_vcpu(Some(family(sku))).ok_or(e)?;
                Ok((linux + rate.mul_count(vcpus), source::ESTIMATE))
            }
            Err(e) => Err(e),
        }
    }

    /// The Windows licence rate per vCPU an hour: the median over every (size, region) priced
    /// for both Linux and Windows in the size's family (`B`, `D`, `E`, ...: burstable sizes
    /// carry a much smaller licence), or over every size when the family has none.
    #[must_use]
    pub fn windows_licence_per_vcpu(&self, family_of: Option<&str>) -> Option<Money> {
        let median = |only: Option<&str>| {
            let mut rates: Vec<Money> = Vec::new();
            for (sku, entry) in &self.vms {
                if only.is_some_and(|f| family(sku) != f) {
                    continue;
                }
                let Some(vcpus) = entry.spec.as_ref().map(|s| i64::from(s.vcpus)).filter(|v| *v > 0) else { continue };
                for prices in entry.prices.values() {
                    if let (Some(l), Some(w)) = (prices.get(Os::Linux, false), prices.get(Os::Windows, false)) {
                        rates.push((w - l).div_round(vcpus));
                    }
                }
            }
            rates.sort_unstable();
            rates.get(rates.len() / 2).copied()
        };
        family_of.and_then(|f| median(Some(f))).or_else(|| median(None))
    }

    /// Price per month of one managed disk of `tier` (e.g. `"P10"`) in `region`.
    ///
    /// # Errors
    /// [`PriceError::UnknownDiskTier`], [`PriceError::UnknownRegion`], or
    /// [`PriceError::MissingDiskPrice`] when the tier and region exist but not together.
    pub fn disk_monthly(&self, tier: &str, region: &str) -> Result<Money, PriceError> {
        let Some(entry) = self.disks.get(tier) else {
            return Err(PriceError::UnknownDiskTier {
                tier: tier.to_owned(),
                suggestions: owned(crate::suggest::nearest(tier, self.disk_tiers())),
                known: owned(self.disk_tiers()),
                origin: self.origin,
            });
        };
        self.check_region(region)?;
        entry.monthly.get(region).copied().ok_or_else(|| PriceError::MissingDiskPrice {
            tier: tier.to_owned(),
            region: region.to_owned(),
            known_for: entry.monthly.keys().cloned().collect(),
            origin: self.origin,
        })
    }

    /// The monthly price of one disk and where it comes from. A tier the catalog prices
    /// elsewhere but not in `region` is estimated, when estimates are allowed, from the regions
    /// that have it: each one's price scaled by how `region`'s prices compare to that region's
    /// (see `region_price_ratio`), and the median of those taken. A region with no price in common with any of them gets no estimate.
    ///
    /// # Errors
    /// As [`Catalog::disk_monthly`], when no price and no estimate can be had.
    pub fn disk_monthly_sourced(&self, tier: &str, region: &str) -> Result<(Money, &'static str), PriceError> {
        match self.disk_monthly(tier, region) {
            Ok(price) => Ok((price, self.disk_source(tier, region))),
            Err(e @ PriceError::MissingDiskPrice { .. }) if self.estimates => {
                let entry = &self.disks[tier];
                let mut candidates: Vec<i128> = entry
                    .monthly
                    .iter()
                    .filter_map(|(other, price)| {
                        let ratio = self.disk_price_ratio(tier, region, other)?;
                        // Micro-dollars as f64 are exact far beyond any disk price.
                        #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
                        Some((price.micros() as f64 * ratio).round() as i128)
                    })
                    .collect();
                candidates.sort_unstable();
                let estimate = match candidates.get(candidates.len() / 2) {
                    Some(median) => Money::from_micros(*median),
                    // No disk price in common: the tier's price in the region whose VM prices
                    // are most alike.
                    None => *self
                        .most_alike_region(region, entry.monthly.keys())
                        .and_then(|r| entry.monthly.get(r))
                        .ok_or(e)?,
                };
                Ok((estimate.round_cents(), source::ESTIMATE))
            }
            Err(e) => Err(e),
        }
    }

    /// How `region`'s disk prices compare to `other`'s for disks of `tier`'s type (P, E, S, ...:
    /// regional premiums differ by type): the median of price(region) / price(other) over the
    /// tiers of that type both price, failing that over every tier; `None` when they share no
    /// disk price.
    fn disk_price_ratio(&self, tier: &str, region: &str, other: &str) -> Option<f64> {
        let disk_type = |t: &str| t.chars().next();
        let ratios = |same_type: bool| {
            self.disks
                .iter()
                .filter(|(t, _)| !same_type || disk_type(t) == disk_type(tier))
                .filter_map(|(_, e)| price_ratio(*e.monthly.get(region)?, *e.monthly.get(other)?))
                .collect::<Vec<f64>>()
        };
        median_of(ratios(true)).or_else(|| median_of(ratios(false)))
    }

    /// Of `candidates`, the region whose Linux pay-as-you-go VM prices are closest to
    /// `region`'s (the median ratio nearest 1; the first in name order on a tie).
    fn most_alike_region<'a>(&self, region: &str, candidates: impl Iterator<Item = &'a String>) -> Option<&'a String> {
        let distance = |other: &str| {
            let ratios = self
                .vms
                .values()
                .filter_map(|e| {
                    let linux = |r: &str| e.prices.get(r).and_then(|p| p.get(Os::Linux, false));
                    price_ratio(linux(region)?, linux(other)?)
                })
                .collect();
            median_of(ratios).map(|r| (r - 1.0).abs())
        };
        let mut best: Option<(f64, &String)> = None;
        for other in candidates {
            if let Some(d) = distance(other)
                && best.is_none_or(|(b, _)| d < b)
            {
                best = Some((d, other));
            }
        }
        best.map(|(_, r)| r)
    }

    /// Price per hour of one managed disk: the monthly price over [`HOURS_PER_MONTH`], rounded
    /// half away from zero to the micro-dollar.
    ///
    /// # Errors
    /// As [`Catalog::disk_monthly`].
    pub fn disk_hourly(&self, tier: &str, region: &str) -> Result<Money, PriceError> {
        Ok(self.disk_monthly(tier, region)?.div_round(HOURS_PER_MONTH))
    }

    /// Sets (or replaces) one hourly VM price, as an importer of Azure Retail Prices does.
    /// With `size`, also sets the size's hardware (its `name` is set to `sku`); without it,
    /// existing hardware is kept and a new size has none. Marks the catalog as overlaid.
    pub fn insert_vm_price(&mut self, sku: &str, region: &str, os: Os, spot: bool, price: Money, size: Option<VmSize>) {
        let entry = self.vms.entry(sku.to_owned()).or_default();
        if let Some(mut size) = size {
            sku.clone_into(&mut size.name);
            entry.spec = Some(size);
        }
        *entry.prices.entry(region.to_owned()).or_default().slot_mut(os, spot) = Some(price);
        if self.inserting_as != source::CATALOG {
            self.price_origins.insert((sku.to_owned(), region.to_owned(), os, spot), self.inserting_as);
        }
        self.regions.insert(region.to_owned());
        self.origin = CatalogOrigin::Overlaid;
    }

    /// Sets (or replaces) one monthly disk price. A new tier's capacity stays unknown.
    /// Marks the catalog as overlaid.
    pub fn insert_disk_price(&mut self, tier: &str, region: &str, monthly: Money) {
        self.disks.entry(tier.to_owned()).or_default().monthly.insert(region.to_owned(), monthly);
        if self.inserting_as != source::CATALOG {
            self.disk_origins.insert((tier.to_owned(), region.to_owned()), self.inserting_as);
        }
        self.regions.insert(region.to_owned());
        self.origin = CatalogOrigin::Overlaid;
    }

    fn check_region(&self, region: &str) -> Result<(), PriceError> {
        if self.has_region(region) {
            Ok(())
        } else {
            Err(PriceError::UnknownRegion {
                region: region.to_owned(),
                suggestions: owned(crate::suggest::nearest(region, self.regions())),
                known: owned(self.regions()),
                origin: self.origin,
            })
        }
    }
}

/// a / b, when b is not zero.
#[allow(clippy::cast_precision_loss)] // micro-dollars as f64 are exact far beyond any price
fn price_ratio(a: Money, b: Money) -> Option<f64> {
    (b.micros() > 0).then(|| a.micros() as f64 / b.micros() as f64)
}

/// The median (the upper one of an even count), `None` for none.
fn median_of(mut values: Vec<f64>) -> Option<f64> {
    values.sort_unstable_by(f64::total_cmp);
    values.get(values.len() / 2).copied()
}

fn owned<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    names.into_iter().map(str::to_owned).collect()
}

/// Sort key putting `P4` before `P10`: the letters, then the number, then the raw name.
fn tier_sort_key(tier: &str) -> (&str, u64, &str) {
    let split = tier.find(|c: char| c.is_ascii_digit()).unwrap_or(tier.len());
    let (letters, digits) = tier.split_at(split);
    (letters, digits.parse().unwrap_or(u64::MAX), tier)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(text: &str) -> Money {
        Money::parse(text).unwrap()
    }

    fn builtin() -> &'static Catalog {
        Catalog::builtin()
    }

    /// The figures the README gives for the Windows estimate: leave each Windows price the
    /// catalog has out in turn, estimate it from the rest, and compare.
    #[test]
    fn the_windows_estimate_is_within_three_percent_of_every_catalog_price_left_out() {
        let mut errors = Vec::new();
        for (sku, entry) in &builtin().vms {
            for (region, prices) in &entry.prices {
                let (Some(_), Some(windows)) = (prices.linux, prices.windows) else { continue };
                let mut without = builtin().clone();
                without.vms.get_mut(sku).unwrap().prices.get_mut(region).unwrap().windows = None;
                let (estimate, source) = without.vm_hourly_sourced(sku, region, Os::Windows, false).unwrap();
                assert_eq!(source, source::ESTIMATE);
                // Error in hundredths of a percent.
                errors.push(((estimate - windows).micros().abs() * 10_000) / windows.micros());
            }
        }
        errors.sort_unstable();
        assert_eq!(errors.len(), 48, "pairs checked");
        let median = errors[errors.len() / 2];
        let p90 = errors[errors.len() * 9 / 10];
        let worst = *errors.last().unwrap();
        assert!(median <= 10 && p90 <= 200 && worst <= 300, "median {median}, p90 {p90}, worst {worst} (0.01 %)");
        let mut strict = builtin().clone();
        strict.allow_estimates(false);
        strict.vms.get_mut("Standard_D2s_v5").unwrap().prices.get_mut("eastus").unwrap().windows = None;
        assert!(strict.vm_hourly_sourced("Standard_D2s_v5", "eastus", Os::Windows, false).is_err());
    }

    /// The disk estimate, checked as the README says: leave each (tier, region) price out in
    /// turn and estimate it from the rest.
    #[test]
    fn the_disk_estimate_is_close_to_every_catalog_price_left_out() {
        let mut errors = Vec::new();
        let mut nothing_in_common = Vec::new();
        for (tier, entry) in &builtin().disks {
            for (region, price) in &entry.monthly {
                let mut without = builtin().clone();
                without.disks.get_mut(tier).unwrap().monthly.remove(region);
                let Ok((estimate, source)) = without.disk_monthly_sourced(tier, region) else {
                    nothing_in_common.push(region.as_str());
                    continue;
                };
                assert_eq!(source, source::ESTIMATE);
                errors.push(((estimate - *price).micros().abs() * 10_000) / price.micros());
            }
        }
        // The catalog prices only P10 in westus, and no VM there: nothing to compare it with.
        assert_eq!(nothing_in_common, ["westus"]);
        errors.sort_unstable();
        let median = errors[errors.len() / 2];
        let p90 = errors[errors.len() * 9 / 10];
        let worst = *errors.last().unwrap();
        assert_eq!(errors.len(), 54, "prices checked");
        assert!(median == 0 && p90 <= 5 && worst <= 30, "median {median}, p90 {p90}, worst {worst} (0.01 %)");
        let mut strict = builtin().clone();
        strict.allow_estimates(false);
        strict.disks.get_mut("P10").unwrap().monthly.remove("eastus");
        assert!(strict.disk_monthly_sourced("P10", "eastus").is_err());
    }

    /// Every size in the reference table, with its vCPUs, memory and note.
    const REFERENCE_SIZES: [(&str, u32, u32, Option<&str>); 23] = [
        ("Standard_B1s", 1, 1, None),
        ("Standard_B1ms", 1, 2, None),
        ("Standard_B2s", 2, 4, None),
        ("Standard_B2ms", 2, 8, None),
        ("Standard_B4ms", 4, 16, None),
        ("Standard_B8ms", 8, 32, None),
        ("Standard_D2s_v3", 2, 8, None),
        ("Standard_D4s_v3", 4, 16, None),
        ("Standard_D8s_v3", 8, 32, None),
        ("Standard_D2s_v5", 2, 8, None),
        ("Standard_D4s_v5", 4, 16, None),
        ("Standard_D8s_v5", 8, 32, None),
        ("Standard_D16s_v5", 16, 64, None),
        ("Standard_D2as_v5", 2, 8, None),
        ("Standard_D4as_v5", 4, 16, None),
        ("Standard_E2s_v5", 2, 16, None),
        ("Standard_E4s_v5", 4, 32, None),
        ("Standard_F2s_v2", 2, 4, None),
        ("Standard_F4s_v2", 4, 8, None),
        ("Standard_F8s_v2", 8, 16, None),
        ("Standard_NC4as_T4_v3", 4, 28, Some("1x T4")),
        ("Standard_NC8as_T4_v3", 8, 56, Some("1x T4")),
        ("Standard_NC6s_v3", 6, 112, Some("1x V100, retired 2025-09-30")),
    ];

    #[test]
    fn every_reference_size_is_present_with_its_hardware() {
        let catalog = builtin();
        for (name, vcpus, memory_gib, note) in REFERENCE_SIZES {
            let size = catalog.size(name).unwrap_or_else(|| panic!("{name} missing"));
            assert_eq!(size.name, name);
            assert_eq!(size.vcpus, vcpus, "{name}");
            assert_eq!(size.memory_gib, memory_gib, "{name}");
            assert_eq!(size.note.as_deref(), note, "{name}");
        }
        let mut expected: Vec<&str> = REFERENCE_SIZES.iter().map(|size| size.0).collect();
        expected.sort_unstable();
        assert_eq!(catalog.size_names().collect::<Vec<_>>(), expected);
    }

    #[test]
    fn every_data_row_parses_and_is_loaded() {
        let vm_rows = VM_CSV.lines().skip(1).filter(|l| !l.is_empty()).count();
        let disk_rows = DISK_CSV.lines().skip(1).filter(|l| !l.is_empty()).count();
        // 83 (size, region) rows after expanding "eastus, westus2"; 18 tiers × 3 regions
        // plus the single westus P10 figure.
        assert_eq!(vm_rows, 83);
        assert_eq!(disk_rows, 55);
        assert_eq!(builtin().vm_price_rows().count(), vm_rows);
        assert_eq!(builtin().disk_price_rows().count(), disk_rows);
        // Every loaded figure is positive: an absent figure is absent, never 0.
        for (sku, region, prices) in builtin().vm_price_rows() {
            for os in Os::ALL {
                for spot in [false, true] {
                    if let Some(price) = prices.get(os, spot) {
                        assert!(price > Money::ZERO, "{sku} {region} {os} {spot}");
                    }
                }
            }
        }
        for (tier, region, monthly) in builtin().disk_price_rows() {
            assert!(monthly > Money::ZERO, "{tier} {region}");
        }
    }

    #[test]
    fn three_d2s_v5_in_eastus_cost_210_24_a_month() {
        let hourly = builtin().vm_hourly("Standard_D2s_v5", "eastus", Os::Linux, false).unwrap();
        assert_eq!(hourly, m("0.096"));
        let fleet_hourly = hourly.mul_count(3);
        assert_eq!(fleet_hourly, m("0.288"));
        assert_eq!(fleet_hourly.to_string(), "0.288");
        let monthly = fleet_hourly.mul_count(u32::try_from(HOURS_PER_MONTH).unwrap());
        assert_eq!(monthly, m("210.24"));
        assert_eq!(monthly.format_usd(), "$210.24");
    }

    #[test]
    fn vm_prices_match_the_reference() {
        let catalog = builtin();
        let price = |sku, region, os, spot| catalog.vm_hourly(sku, region, os, spot).unwrap();
        assert_eq!(price("Standard_D2s_v5", "westeurope", Os::Linux, false), m("0.115"));
        assert_eq!(price("Standard_D2s_v5", "eastus", Os::Windows, false), m("0.188"));
        assert_eq!(price("Standard_D2s_v5", "eastus", Os::Linux, true), m("0.02"));
        // Rows written once for "eastus, westus2" in the reference apply to both regions.
        assert_eq!(price("Standard_D4s_v5", "westus2", Os::Linux, false), m("0.192"));
        assert_eq!(price("Standard_D4s_v5", "eastus", Os::Linux, false), m("0.192"));
        assert_eq!(price("Standard_D2s_v3", "eastus", Os::Linux, true), m("0.018816"));
        assert_eq!(price("Standard_D8s_v3", "westeurope", Os::Windows, true), m("0.15671"));
        assert_eq!(price("Standard_NC6s_v3", "eastus", Os::Windows, false), m("3.336"));
        assert_eq!(price("Standard_B1s", "northeurope", Os::Windows, false), m("0.0153"));
        assert_eq!(price("Standard_NC4as_T4_v3", "westeurope", Os::Linux, true), m("0.457113"));
        let row = catalog.vm_prices("Standard_F4s_v2", "eastus").unwrap();
        assert_eq!(
            *row,
            VmPrices {
                linux: Some(m("0.169")),
                windows: None,
                spot_linux: Some(m("0.03718")),
                spot_windows: Some(m("0.07788")),
            }
        );
    }

    #[test]
    fn missing_windows_spot_price_names_size_region_os_and_spot() {
        let error = builtin().vm_hourly("Standard_D2s_v5", "eastus", Os::Windows, true).unwrap_err();
        assert_eq!(
            error,
            PriceError::MissingVmPrice {
                sku: "Standard_D2s_v5".into(),
                region: "eastus".into(),
                os: Os::Windows,
                spot: true,
                known_for: vec!["northeurope".into(), "westeurope".into()],
                origin: CatalogOrigin::Builtin,
            }
        );
        assert_eq!(
            error.to_string(),
            "no Windows Spot price for Standard_D2s_v5 in eastus in the built-in price catalog \
             (known for: northeurope, westeurope); load an Azure Retail Prices export with \
             --prices FILE"
        );
    }

    #[test]
    fn size_without_a_row_in_a_known_region_is_an_error() {
        let error = builtin().vm_hourly("Standard_B8ms", "westeurope", Os::Linux, false).unwrap_err();
        assert_eq!(
            error.to_string(),
            "no Linux price for Standard_B8ms in westeurope in the built-in price catalog \
             (known for: eastus); load an Azure Retail Prices export with --prices FILE"
        );
        // B-series has no Spot offer anywhere.
        let error = builtin().vm_hourly("Standard_B2s", "eastus", Os::Linux, true).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("no Linux Spot price for Standard_B2s in eastus in the built-in price catalog (not known in any region);"),
            "{error}"
        );
    }

    #[test]
    fn unknown_size_suggests_near_names() {
        let error = builtin().vm_hourly("Standard_D2s_v4", "eastus", Os::Linux, false).unwrap_err();
        let PriceError::UnknownSize { sku, suggestions, known, .. } = &error else {
            panic!("{error:?}");
        };
        assert_eq!(sku, "Standard_D2s_v4");
        assert!(suggestions.contains(&"Standard_D2s_v5".to_owned()));
        assert_eq!(known.len(), REFERENCE_SIZES.len());
        assert_eq!(
            error.to_string(),
            "unknown VM size 'Standard_D2s_v4' in the built-in price catalog (did you mean one of: \
             Standard_D2s_v3, Standard_D2s_v5, Standard_D2as_v5?); load an Azure Retail Prices \
             export with --prices FILE"
        );
        // Nothing near: the message lists what exists.
        let error = builtin().vm_hourly("m5.large", "eastus", Os::Linux, false).unwrap_err().to_string();
        assert!(error.contains("(known sizes: Standard_B1ms, Standard_B1s,"), "{error}");
        // Names are case-sensitive, but the exact name is offered.
        let error = builtin().vm_hourly("standard_d2s_v5", "eastus", Os::Linux, false).unwrap_err().to_string();
        assert!(error.contains("did you mean one of: Standard_D2s_v5,"), "{error}");
    }

    #[test]
    fn unknown_region_is_an_error_listing_known_regions() {
        let error = builtin().vm_hourly("Standard_D2s_v5", "eastu", Os::Linux, false).unwrap_err();
        assert_eq!(
            error.to_string(),
            "unknown region 'eastu' in the built-in price catalog (did you mean 'eastus'?); \
             load an Azure Retail Prices export with --prices FILE"
        );
        let error = builtin().disk_monthly("P10", "japaneast").unwrap_err().to_string();
        assert!(error.contains("(known regions: eastus, northeurope, westeurope, westus, westus2)"), "{error}");
    }

    #[test]
    fn disk_prices_match_the_reference() {
        let catalog = builtin();
        assert_eq!(catalog.disk_monthly("P10", "eastus").unwrap(), m("19.71"));
        // 19.71 / 730 = 0.027 exactly.
        assert_eq!(catalog.disk_hourly("P10", "eastus").unwrap(), m("0.027"));
        assert_eq!(catalog.disk_hourly("P10", "eastus").unwrap(), m("19.71").div_round(HOURS_PER_MONTH));
        assert_eq!(catalog.disk_monthly("S4", "eastus").unwrap(), m("1.54"));
        assert_eq!(catalog.disk_monthly("P15", "westeurope").unwrap(), m("41.811428"));
        assert_eq!(catalog.disk_monthly("P15", "northeurope").unwrap(), m("38.012142"));
        assert_eq!(catalog.disk_monthly("E30", "northeurope").unwrap(), m("76.8"));
        assert_eq!(catalog.disk_monthly("P10", "westus").unwrap(), m("19.71"));
        assert_eq!(catalog.disk_size_gib("P10"), Some(128));
        assert_eq!(catalog.disk_size_gib("S30"), Some(1024));
        assert_eq!(catalog.disk_size_gib("X1"), None);
        assert_eq!(
            catalog.disk_tiers().collect::<Vec<_>>(),
            [
                "E4", "E6", "E10", "E15", "E20", "E30", "P4", "P6", "P10", "P15", "P20", "P30", "S4", "S6", "S10",
                "S15", "S20", "S30"
            ]
        );
    }

    #[test]
    fn westus2_disk_price_is_missing_not_zero() {
        let error = builtin().disk_monthly("P10", "westus2").unwrap_err();
        assert_eq!(
            error.to_string(),
            "no monthly price for disk tier P10 in westus2 in the built-in price catalog \
             (known for: eastus, northeurope, westeurope, westus); load an Azure Retail Prices \
             export with --prices FILE"
        );
        let error = builtin().disk_monthly("S4", "westus2").unwrap_err();
        assert!(
            matches!(&error, PriceError::MissingDiskPrice { known_for, .. }
                if *known_for == ["eastus", "northeurope", "westeurope"]),
            "{error:?}"
        );
    }

    #[test]
    fn unknown_disk_tier_is_an_error() {
        let error = builtin().disk_monthly("P11", "eastus").unwrap_err();
        assert!(
            matches!(&error, PriceError::UnknownDiskTier { tier, suggestions, .. }
                if tier == "P11" && suggestions.first().map(String::as_str) == Some("P10")),
            "{error:?}"
        );
        let error = builtin().disk_monthly("Premium_LRS", "eastus").unwrap_err().to_string();
        assert!(error.contains("known tiers: E4, E6, E10,"), "{error}");
    }

    #[test]
    fn regions_and_sizes_are_sorted() {
        let catalog = builtin();
        assert_eq!(catalog.regions().collect::<Vec<_>>(), ["eastus", "northeurope", "westeurope", "westus", "westus2"]);
        assert!(catalog.has_region("westus2"));
        assert!(!catalog.has_region("EastUS"));
        assert!(catalog.size("standard_d2s_v5").is_none());
    }

    #[test]
    fn inserted_prices_overlay_the_builtin_ones() {
        let mut catalog = builtin().clone();
        assert_eq!(catalog.origin(), CatalogOrigin::Builtin);
        catalog.insert_vm_price("Standard_D2s_v5", "eastus", Os::Windows, true, m("0.0371"), None);
        assert_eq!(catalog.vm_hourly("Standard_D2s_v5", "eastus", Os::Windows, true).unwrap(), m("0.0371"));
        // Other prices of the row are kept, and the hardware too.
        assert_eq!(catalog.vm_hourly("Standard_D2s_v5", "eastus", Os::Linux, false).unwrap(), m("0.096"));
        assert_eq!(catalog.size("Standard_D2s_v5").unwrap().vcpus, 2);
        assert_eq!(catalog.origin(), CatalogOrigin::Overlaid);

        // A new size in a new region, with hardware.
        catalog.insert_vm_price(
            "Standard_D2s_v6",
            "swedencentral",
            Os::Linux,
            false,
            m("0.1"),
            Some(VmSize { name: "ignored".into(), vcpus: 2, memory_gib: 8, note: None }),
        );
        assert_eq!(catalog.size("Standard_D2s_v6").unwrap().name, "Standard_D2s_v6");
        assert!(catalog.has_region("swedencentral"));
        let error = catalog.vm_hourly("Standard_D2s_v6", "swedencentral", Os::Windows, false).unwrap_err().to_string();
        assert_eq!(
            error,
            "no Windows price for Standard_D2s_v6 in swedencentral in the built-in price \
             catalog or the loaded price export (not known in any region); the loaded price \
             export has no such row either: export this size and region from the Azure Retail \
             Prices API"
        );

        // A size known only by price: priced, listed, but without hardware.
        catalog.insert_vm_price("Standard_X1", "eastus", Os::Linux, false, m("1"), None);
        assert_eq!(catalog.vm_hourly("Standard_X1", "eastus", Os::Linux, false).unwrap(), m("1"));
        assert!(catalog.size("Standard_X1").is_none());
        assert!(catalog.size_names().any(|name| name == "Standard_X1"));

        catalog.insert_disk_price("P10", "westus2", m("19.71"));
        assert_eq!(catalog.disk_monthly("P10", "westus2").unwrap(), m("19.71"));
        catalog.insert_disk_price("P40", "eastus", m("259.05"));
        assert_eq!(catalog.disk_size_gib("P40"), None);
        assert_eq!(catalog.disk_tiers().filter(|t| t.starts_with('P')).last(), Some("P40"));

        // The shared built-in catalog is untouched.
        assert!(builtin().disk_monthly("P10", "westus2").is_err());
        assert_eq!(builtin().origin(), CatalogOrigin::Builtin);
    }

    #[test]
    fn from_csv_reads_quotes_blank_lines_and_optional_notes() {
        let vm = "size,vcpus,memoryGib,region,linux,windows,spotLinux,spotWindows\n\
                  Standard_A1,1,2,eastus,0.5,,,\n\r\n\
                  Standard_A1,1,2,westus2,,0.7,,\n";
        let disk = "tier,sizeGib,region,monthly\r\nP1,4,eastus,0.78\r\n";
        let catalog = Catalog::from_csv(vm, disk).unwrap();
        assert_eq!(catalog.size("Standard_A1").unwrap().note, None);
        assert_eq!(catalog.vm_hourly("Standard_A1", "westus2", Os::Windows, false).unwrap(), m("0.7"));
        assert_eq!(catalog.disk_monthly("P1", "eastus").unwrap(), m("0.78"));
        let rows: Vec<_> = csv_rows("\u{feff}a,\"b, c\",\"say \"\"hi\"\"\",,\r\n\n x \n").collect();
        assert_eq!(
            rows,
            [
                Ok((1, vec!["a".into(), "b, c".into(), "say \"hi\"".into(), String::new(), String::new()])),
                Ok((3, vec![" x ".into()]))
            ]
        );
    }

    #[test]
    fn from_csv_reports_line_numbers() {
        const VM_HEADER: &str = "size,vcpus,memoryGib,region,linux,windows,spotLinux,spotWindows,note";
        const DISK_OK: &str = "tier,sizeGib,region,monthly\nP10,128,eastus,19.71\n";
        let vm_error = |body: &str| Catalog::from_csv(&format!("{VM_HEADER}\n{body}"), DISK_OK).unwrap_err();
        let vm_message = |line: usize, body: &str| match vm_error(body) {
            CatalogError::Vm { line: got, message } => {
                assert_eq!(got, line, "{message}");
                message
            }
            other @ CatalogError::Disk { .. } => panic!("{other}"),
        };

        let message = vm_message(3, "Standard_A1,1,2,eastus,0.5,,,,\nStandard_A1,1,2,westus2,0.1234567,,,,\n");
        assert!(message.contains("more than 6 decimals"), "{message}");
        let message = vm_message(2, "Standard_A1,1,2,eastus,abc,,,,\n");
        assert!(message.contains("\"abc\""), "{message}");
        let message = vm_message(2, "Standard_A1,1,2,\"eastus, westus2\",0.5,,,,\n");
        assert!(message.contains("one region per row"), "{message}");
        let message = vm_message(2, "Standard_A1,1,2,eastus,0.5,,,\n");
        assert!(message.contains("expected 9 fields, found 8"), "{message}");
        let message = vm_message(2, "Standard_A1,0,2,eastus,0.5,,,,\n");
        assert!(message.contains("vcpus \"0\""), "{message}");
        let message = vm_message(2, "Standard_A1,1,2,eastus,,,,,\n");
        assert!(message.contains("no price at all"), "{message}");
        let message = vm_message(2, "Standard_A1,1,2,eastus,-0.5,,,,\n");
        assert!(message.contains("negative"), "{message}");
        let message = vm_message(4, "Standard_A1,1,2,eastus,0.5,,,,\n\nStandard_A1,2,2,westus2,0.5,,,,\n");
        assert!(message.contains("on line 2"), "{message}");
        let message = vm_message(3, "Standard_A1,1,2,eastus,0.5,,,,\nStandard_A1,1,2,eastus,0.6,,,,\n");
        assert!(message.contains("already priced on line 2"), "{message}");
        let message = vm_message(2, "Standard_A1,1,2,eastus,0.5,,,,\"open\n");
        assert!(message.contains("unterminated"), "{message}");

        let error = Catalog::from_csv("size,cpu\n", DISK_OK).unwrap_err();
        assert_eq!(
            error,
            CatalogError::Vm {
                line: 1,
                message: format!("expected header '{},note' (note optional), found 'size,cpu'", VM_COLUMNS.join(","))
            }
        );
        assert!(error.to_string().starts_with("VM price data, line 1: expected header"));
        assert!(matches!(Catalog::from_csv("", DISK_OK), Err(CatalogError::Vm { line: 1, .. })));

        let vm_ok = format!("{VM_HEADER}\nStandard_A1,1,2,eastus,0.5,,,,\n");
        let disk_error =
            |body: &str| Catalog::from_csv(&vm_ok, &format!("tier,sizeGib,region,monthly\n{body}")).unwrap_err();
        assert_eq!(
            disk_error("P10,128,eastus,19.71\nP10,256,westus2,1\n").to_string(),
            "disk price data, line 3: P10 is 256 GiB here but 128 GiB on line 2"
        );
        assert_eq!(
            disk_error("P10,128,eastus,\n").to_string(),
            "disk price data, line 2: P10 in eastus has an empty monthly price"
        );
        assert_eq!(
            disk_error("P10,128,East US,1\n").to_string(),
            "disk price data, line 2: region \"East US\" is not an Azure region name (lower-case letters and digits, one region per row)"
        );
    }

    #[test]
    fn networking_constants_match_the_reference() {
        assert_eq!(LB_FIRST_RULES_HOURLY, m("0.025"));
        // About $18.25 a month for the first five rules, $3.65 for a public IP.
        assert_eq!(LB_FIRST_RULES_HOURLY.mul_count(730), m("18.25"));
        assert_eq!(PUBLIC_IPV4_STATIC_HOURLY.mul_count(730), m("3.65"));
        assert_eq!(LB_EXTRA_RULE_HOURLY, m("0.01"));
        assert_eq!(LB_DATA_PROCESSED_PER_GB, m("0.005"));
        assert_eq!(STANDARD_HDD_TRANSACTIONS_PER_10K_EASTUS, m("0.0005"));
        assert_eq!(STANDARD_SSD_TRANSACTIONS_PER_10K_EASTUS, m("0.002"));
    }

    #[test]
    fn internet_egress_is_priced_tier_by_tier() {
        assert_eq!(internet_egress_monthly(0).unwrap(), Money::ZERO);
        assert_eq!(internet_egress_monthly(100).unwrap(), Money::ZERO);
        assert_eq!(internet_egress_monthly(101).unwrap(), m("0.087"));
        // 10235 GB at 0.087 = 890.445; then 1000 GB at 0.083 = 83.
        assert_eq!(internet_egress_monthly(10_335).unwrap(), m("890.445"));
        assert_eq!(internet_egress_monthly(11_335).unwrap(), m("973.445"));
        // Up to the end of the last priced tier:
        // 890.445 + 40960 × 0.083 + 102400 × 0.07 + 358400 × 0.05 = 29378.125.
        assert_eq!(internet_egress_monthly(512_095).unwrap(), m("29378.125"));
        assert_eq!(
            internet_egress_monthly(512_096).unwrap_err(),
            PriceError::EgressBeyondKnownTiers { gb: 512_096, priced_up_to_gb: 512_095 }
        );
    }

    #[test]
    fn commitment_discounts_are_typical_estimates() {
        let d2s = m("0.096");
        assert_eq!(Commitment::Reservation1Year.apply(d2s), m("0.0576"));
        assert_eq!(Commitment::Reservation3Years.apply(d2s), m("0.03744"));
        assert_eq!(Commitment::SavingsPlan1Year.apply(d2s), m("0.06528"));
        assert_eq!(Commitment::SavingsPlan3Years.apply(d2s), m("0.0432"));
        assert_eq!(Commitment::ALL.map(Commitment::typical_discount_percent), [40, 61, 32, 55]);
        assert_eq!(Commitment::Reservation3Years.to_string(), "3-year reservation");
    }

    #[test]
    fn disk_kind_follows_the_tier_letter() {
        assert_eq!(DiskKind::of_tier("S4"), Some(DiskKind::StandardHdd));
        assert_eq!(DiskKind::of_tier("E30"), Some(DiskKind::StandardSsd));
        assert_eq!(DiskKind::of_tier("P10"), Some(DiskKind::PremiumSsd));
        assert_eq!(DiskKind::of_tier("P"), None);
        assert_eq!(DiskKind::of_tier("X10"), None);
        assert_eq!(DiskKind::of_tier("Pten"), None);
        assert_eq!(DiskKind::of_tier(""), None);
        assert_eq!(DiskKind::PremiumSsd.to_string(), "Premium SSD");
        for tier in builtin().disk_tiers() {
            assert!(DiskKind::of_tier(tier).is_some(), "{tier}");
        }
    }
}
