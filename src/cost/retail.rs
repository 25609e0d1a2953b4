//! Importing an offline export of the Azure Retail Prices API
//! (`https://prices.azure.com/api/retail/prices`) and laying it over the price catalog.
//!
//! Accepted shapes, as saved from the API: one page `{"BillingCurrency": "USD", "Items": [...],
//! "NextPageLink": ..., "Count": ...}`, a JSON array of such pages (every page of a paged
//! query), or a bare JSON array of items. Of the items, two kinds are used:
//! - **VM hourly prices**: `serviceName` "Virtual Machines", `productName` starting
//!   "Virtual Machines " (which leaves out Cloud Services and Dedicated Host products),
//!   `type` "Consumption", `unitOfMeasure` "1 Hour". The size is `armSkuName` (never `skuName`,
//!   whose spelling varies); Windows is a `productName` ending " Windows"; Spot is a `skuName`
//!   or `meterName` ending " Spot"; Low Priority (Batch) rows are dropped.
//! - **Managed-disk monthly prices**: a `productName` ending "Managed Disks" (or `serviceName`
//!   "Managed Disks") with a `skuName` such as "P10 LRS", a per-disk meter (`meterName`
//!   "P10 LRS Disk") and `unitOfMeasure` "1/Month".
//! - **Network prices**: the Standard Load Balancer's meters (`serviceName` "Load Balancer",
//!   `skuName` "Standard": included rules and overage rules by the hour, data processed by the
//!   GB; listed in region "Global") and the Standard static public IPv4 address by the hour
//!   (`serviceName` "Virtual Network", `productName` "IP Addresses").
//!
//! Everything else is skipped for a stated reason, counted in the [`ImportReport`]: Reservation
//! rows (their `retailPrice` is the whole term, although the unit says "1 Hour"),
//! DevTestConsumption rows, other services and meters, rows without a usable region or size. Rows
//! are never filtered on `isPrimaryMeterRegion`. When several rows give the same price (same
//! size, region, OS and Spot, or same tier and region), for instance a meter listed twice with
//! and without an `effectiveEndDate`, the current row (no `effectiveEndDate`) wins, then the
//! latest `effectiveStartDate`, then the first in the file.
//!
//! Guarantees:
//! - a price is read from the digits of the JSON number, never through a float; a figure with
//!   more than six decimals is rounded half away from zero to the micro-dollar (counted in
//!   [`ImportReport::rounded`]);
//! - only US dollars: an export in another currency is an error, nothing is converted;
//! - malformed data is an error naming the file, the item (its index, e.g. `Items[3]` or
//!   `[1].Items[3]`, and its meterId / armSkuName) and the field and value at fault;
//! - the same file always gives the same catalog.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::value::RawValue;

use super::catalog::{Catalog, GLOBAL_REGION, NetworkMeter, Os};
use crate::model::money::Money;

/// A value of an export that cannot be read: not an object where one is expected, not a
/// string, or a price that is not a JSON number of dollars this tool can hold exactly.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ExportValueError(pub(crate) String);

impl From<String> for ExportValueError {
    fn from(message: String) -> Self {
        Self(message)
    }
}

/// A price export that cannot be used, with where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("retail prices export {file}: {}{message}", item.as_ref().map(|i| format!("item {i}: ")).unwrap_or_default())]
pub struct RetailError {
    /// The file as the user named it.
    pub file: String,
    /// The item at fault, e.g. `Items[3] (meterId 'm-1', armSkuName 'Standard_D2s_v5')`.
    pub item: Option<String>,
    /// What is wrong, naming the field and value.
    pub message: String,
}

/// Why an item of the export was not used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Skip {
    /// Not a VM, managed-disk, Standard Load Balancer or static public IPv4 price (bandwidth, ...).
    OtherService,
    /// Under serviceName "Virtual Machines" but not a VM product (Cloud Services, Dedicated Host).
    NotVmProduct,
    /// Reservation, DevTestConsumption or another type that is not pay-as-you-go.
    NotConsumption,
    /// A Low Priority (Batch) meter.
    LowPriority,
    /// No armSkuName, or one that is not a size name.
    NoSize,
    /// No armRegionName, or one that is not a region (e.g. "Global").
    NoRegion,
    /// A unit other than "1 Hour" for a VM or "1/Month" for a disk.
    OtherUnit,
    /// A disk meter other than the monthly price of an LRS S/E/P tier (ZRS, operations, ...).
    OtherDiskMeter,
    /// A price of zero: a missing figure is never priced at $0.
    ZeroPrice,
    /// Another row for the same price was preferred (expired or older duplicate).
    Superseded,
}

impl Skip {
    /// A short explanation for reports.
    #[must_use]
    pub const fn reason(self) -> &'static str {
        match self {
            Skip::OtherService => "not a VM, managed-disk, Standard Load Balancer or static public IPv4 price",
            Skip::NotVmProduct => "not a VM product (Cloud Services, Dedicated Host)",
            Skip::NotConsumption => "not pay-as-you-go (Reservation, DevTestConsumption)",
            Skip::LowPriority => "Low Priority (Batch)",
            Skip::NoSize => "no usable armSkuName",
            Skip::NoRegion => "no usable armRegionName (e.g. Global)",
            Skip::OtherUnit => "unit other than 1 Hour (VM) or 1/Month (disk)",
            Skip::OtherDiskMeter => "not an LRS disk tier's monthly price",
            Skip::ZeroPrice => "zero price",
            Skip::Superseded => "superseded by another row for the same price",
        }
    }
}

impl fmt::Display for Skip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.reason())
    }
}

/// What an import found and used.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// The file as the user named it.
    pub file: String,
    /// Items read.
    pub items: usize,
    /// VM prices set in the catalog (size, region, OS, Spot).
    pub vm_prices: usize,
    /// Disk prices set in the catalog (tier, region).
    pub disk_prices: usize,
    /// Load balancer and public IP prices set in the catalog (meter, region).
    pub network_prices: usize,
    /// Used prices that had more than six decimals and were rounded to the micro-dollar.
    pub rounded: usize,
    /// Items not used, by reason.
    pub skipped: BTreeMap<Skip, usize>,
    /// Things the user should know (e.g. a page that still has a NextPageLink).
    pub warnings: Vec<String>,
}

impl ImportReport {
    /// One line for listings of price sources, e.g.
    /// `prices.json (Azure Retail Prices export: 12 VM and 3 disk prices from 20 items)`.
    #[must_use]
    pub fn summary(&self) -> String {
        let network = match self.network_prices {
            0 => String::new(),
            n => format!(", {n} network price(s)"),
        };
        format!(
            "{} (Azure Retail Prices export: {} VM and {} disk price(s){network} from {} item(s))",
            self.file, self.vm_prices, self.disk_prices, self.items
        )
    }
}

/// One row chosen for a price, and how it ranks against others for the same price.
#[derive(Debug, Clone)]
struct Candidate {
    price: Money,
    rounded: bool,
    /// No effectiveEndDate.
    current: bool,
    /// effectiveStartDate as written (ISO 8601 from the API, so text order is time order).
    start: String,
    /// Position in the file: earlier wins a tie.
    index: usize,
}

impl Candidate {
    /// Whether `self` should replace `other`.
    fn beats(&self, other: &Candidate) -> bool {
        (self.current, &self.start, std::cmp::Reverse(self.index))
            > (other.current, &other.start, std::cmp::Reverse(other.index))
    }
}

/// Prices selected from an export, before they are laid over a catalog.
#[derive(Debug, Default)]
pub struct Import {
    vms: BTreeMap<(String, String, Os, bool), Candidate>,
    disks: BTreeMap<(String, String), Candidate>,
    network: BTreeMap<(NetworkMeter, String), Candidate>,
    /// What was found.
    pub report: ImportReport,
}

impl Import {
    /// The selected hourly VM prices: (size, region, OS, Spot, price), sorted.
    pub fn vm_prices(&self) -> impl Iterator<Item = (&str, &str, Os, bool, Money)> {
        self.vms.iter().map(|((sku, region, os, spot), c)| (sku.as_str(), region.as_str(), *os, *spot, c.price))
    }

    /// The selected monthly disk prices: (tier, region, price), sorted.
    pub fn disk_prices(&self) -> impl Iterator<Item = (&str, &str, Money)> {
        self.disks.iter().map(|((tier, region), c)| (tier.as_str(), region.as_str(), c.price))
    }

    /// Lays the selected prices over `catalog` (replacing figures it has, adding the others)
    /// and records the file among its sources.
    pub fn overlay(&self, catalog: &mut Catalog) {
        for (sku, region, os, spot, price) in self.vm_prices() {
            catalog.insert_vm_price(sku, region, os, spot, price, None);
        }
        for (tier, region, price) in self.disk_prices() {
            catalog.insert_disk_price(tier, region, price);
        }
        for ((meter, region), c) in &self.network {
            catalog.insert_network_price(*meter, region, c.price);
        }
        catalog.add_source(self.report.summary());
    }
}

/// Reads export text and selects the prices it gives. `file` is only for messages.
///
/// # Errors
/// The text is not an export of a known shape, is not in USD, or has a malformed price row.
pub fn parse(file: &str, text: &str) -> Result<Import, RetailError> {
    let mut reader = Reader { file, import: Import::default(), index: 0 };
    reader.import.report.file = file.to_owned();
    // A byte-order mark is what some editors and tools put in front of UTF-8 text.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let top: &RawValue = serde_json::from_str(text)
        .map_err(|e| reader.error(None, format!("not valid JSON ({e}); expected an Azure Retail Prices export")))?;
    match first_byte(top) {
        b'{' => {
            let page = object(top).map_err(|m| reader.error(None, m))?;
            if !page.contains_key("Items") {
                return Err(reader.error(
                    None,
                    "the object has no \"Items\": expected a page of the Azure Retail Prices API \
                     ({\"BillingCurrency\": \"USD\", \"Items\": [...]}), an array of such pages, or an array of items"
                        .to_owned(),
                ));
            }
            reader.page(&page, "", true)?;
        }
        b'[' => {
            let elements: Vec<&RawValue> =
                serde_json::from_str(top.get()).map_err(|e| reader.error(None, format!("not valid JSON ({e})")))?;
            let count = elements.len();
            for (k, element) in elements.into_iter().enumerate() {
                let map = object(element).map_err(|m| {
                    reader.error(Some(format!("[{k}]")), format!("{m}: expected a page (with Items) or a price item"))
                })?;
                if map.contains_key("Items") {
                    reader.page(&map, &format!("[{k}]."), k + 1 == count)?;
                } else {
                    reader.item(&map, format!("[{k}]"))?;
                }
            }
        }
        _ => {
            return Err(reader.error(
                None,
                format!(
                    "found {}: expected an Azure Retail Prices page ({{\"Items\": [...]}}), an array of pages, \
                     or an array of items",
                    excerpt(top.get())
                ),
            ));
        }
    }
    let mut import = reader.import;
    import.report.vm_prices = import.vms.len();
    import.report.disk_prices = import.disks.len();
    import.report.network_prices = import.network.len();
    import.report.rounded =
        import.vms.values().chain(import.disks.values()).filter(|candidate| candidate.rounded).count();
    Ok(import)
}

/// Reading state: the file name for messages, what was selected so far, and the running
/// item count (file order, for tie-breaks).
struct Reader<'f> {
    file: &'f str,
    import: Import,
    index: usize,
}

/// A JSON object with its values still as raw text.
type RawObject<'a> = BTreeMap<String, &'a RawValue>;

impl Reader<'_> {
    fn error(&self, item: Option<String>, message: impl ToString) -> RetailError {
        RetailError { file: self.file.to_owned(), item, message: message.to_string() }
    }

    fn skip(&mut self, why: Skip) {
        *self.import.report.skipped.entry(why).or_default() += 1;
    }

    fn page(&mut self, page: &RawObject<'_>, prefix: &str, last: bool) -> Result<(), RetailError> {
        let at = |field: &str| if prefix.is_empty() { None } else { Some(format!("{prefix}{field}")) };
        let currency = string(page, "BillingCurrency").map_err(|m| self.error(at("BillingCurrency"), m))?;
        if let Some(currency) = currency.filter(|c| c != "USD") {
            return Err(self.error(at("BillingCurrency"), not_usd("BillingCurrency", &currency)));
        }
        let items = page.get("Items").copied().filter(|raw| raw.get().trim() != "null");
        let items: Vec<&RawValue> = match items {
            Some(raw) if first_byte(raw) == b'[' => serde_json::from_str(raw.get())
                .map_err(|e| self.error(at("Items"), format!("Items: not valid JSON ({e})")))?,
            Some(raw) => {
                return Err(
                    self.error(at("Items"), format!("Items: expected an array of items, found {}", excerpt(raw.get())))
                );
            }
            None => Vec::new(),
        };
        for (k, raw) in items.into_iter().enumerate() {
            let place = format!("{prefix}Items[{k}]");
            let map =
                object(raw).map_err(|m| self.error(Some(place.clone()), format!("{m}: expected a price item")))?;
            self.item(&map, place)?;
        }
        let next = string(page, "NextPageLink").map_err(|m| self.error(at("NextPageLink"), m))?;
        if last && next.is_some_and(|link| !link.is_empty()) {
            self.import.report.warnings.push(format!(
                "{}: the last page has a NextPageLink, so the export may be incomplete \
                 (follow NextPageLink and save every page)",
                self.file
            ));
        }
        Ok(())
    }

    #[allow(clippy::too_many_lines)] // the selection rules read best in one place, in order
    fn item(&mut self, item: &RawObject<'_>, place: String) -> Result<(), RetailError> {
        self.import.report.items += 1;
        let index = self.index;
        self.index += 1;
        // Fields are read lazily so that a row we do not use cannot fail the import, except
        // for the currency: a non-USD row means the whole export is in the wrong currency.
        let file = self.file;
        let fail = |message: String| RetailError { file: file.to_owned(), item: Some(describe(&place, item)), message };
        let get = |key: &str| string(item, key).map_err(|e| fail(e.0));
        if let Some(currency) = get("currencyCode")?.filter(|c| c != "USD") {
            return Err(fail(not_usd("currencyCode", &currency)));
        }
        let service = get("serviceName")?.unwrap_or_default();
        let product = get("productName")?.unwrap_or_default();
        let kind = match get("type")? {
            Some(kind) => kind,
            None if item.get("reservationTerm").is_some_and(|raw| raw.get().trim() != "null") => {
                "Reservation".to_owned()
            }
            None => "Consumption".to_owned(),
        };
        let sku_name = get("skuName")?.unwrap_or_default();
        let meter_name = get("meterName")?.unwrap_or_default();
        let unit = get("unitOfMeasure")?.unwrap_or_default();

        enum Target {
            Vm { os: Os, spot: bool },
            Disk { tier: String },
            Network { meter: NetworkMeter },
        }
        let target = if service == "Virtual Machines" {
            if !product.starts_with("Virtual Machines ")
                || product.contains("Dedicated Host")
                || product.contains("Cloud Services")
            {
                self.skip(Skip::NotVmProduct);
                return Ok(());
            }
            if kind != "Consumption" {
                self.skip(Skip::NotConsumption);
                return Ok(());
            }
            if sku_name.ends_with(" Low Priority") || meter_name.ends_with(" Low Priority") {
                self.skip(Skip::LowPriority);
                return Ok(());
            }
            if unit != "1 Hour" {
                self.skip(Skip::OtherUnit);
                return Ok(());
            }
            let spot = sku_name.ends_with(" Spot") || meter_name.ends_with(" Spot");
            let os = if product.ends_with(" Windows") { Os::Windows } else { Os::Linux };
            Target::Vm { os, spot }
        } else if product.ends_with("Managed Disks") || service == "Managed Disks" {
            if kind != "Consumption" {
                self.skip(Skip::NotConsumption);
                return Ok(());
            }
            let Some(tier) = disk_tier(&sku_name, &meter_name) else {
                self.skip(Skip::OtherDiskMeter);
                return Ok(());
            };
            if unit != "1/Month" && unit != "1 Month" {
                self.skip(Skip::OtherUnit);
                return Ok(());
            }
            Target::Disk { tier }
        } else if let Some(meter) = network_meter(&service, &product, &sku_name, &meter_name) {
            if kind != "Consumption" {
                self.skip(Skip::NotConsumption);
                return Ok(());
            }
            let hourly = meter != NetworkMeter::LbDataProcessed;
            if (hourly && unit != "1 Hour" && unit != "1/Hour") || (!hourly && unit != "1 GB") {
                self.skip(Skip::OtherUnit);
                return Ok(());
            }
            Target::Network { meter }
        } else {
            self.skip(Skip::OtherService);
            return Ok(());
        };

        // Load-balancer meters are listed under region "Global".
        let region = get("armRegionName")?.map(|r| if r == "Global" { GLOBAL_REGION.to_owned() } else { r });
        let Some(region) =
            region.filter(|r| is_region(r) && (r != GLOBAL_REGION || matches!(target, Target::Network { .. })))
        else {
            self.skip(Skip::NoRegion);
            return Ok(());
        };
        let Some(raw_price) = item.get("retailPrice").filter(|raw| raw.get().trim() != "null") else {
            return Err(fail("retailPrice is missing".to_owned()));
        };
        let (price, rounded) =
            parse_price(raw_price.get()).map_err(|m| fail(format!("retailPrice {}: {m}", excerpt(raw_price.get()))))?;
        if price.is_negative() {
            return Err(fail(format!("retailPrice {} is negative", excerpt(raw_price.get()))));
        }
        if price > MAX_UNIT_PRICE {
            return Err(fail(format!(
                "retailPrice {} is above {}, the most this tool accepts for one hour of a VM or one month of a disk",
                excerpt(raw_price.get()),
                MAX_UNIT_PRICE.format_usd()
            )));
        }
        if price == Money::ZERO {
            self.skip(Skip::ZeroPrice);
            return Ok(());
        }
        let candidate = Candidate {
            price,
            rounded,
            current: get("effectiveEndDate")?.is_none_or(|end| end.is_empty()),
            start: match get("effectiveStartDate")? {
                Some(start) if !start.is_empty() && !is_date(&start) => {
                    return Err(fail(format!(
                        "effectiveStartDate \"{start}\" is not a date (accepted: 2026-01-01T00:00:00Z)"
                    )));
                }
                start => start.unwrap_or_default(),
            },
            index,
        };
        let replaced = match target {
            Target::Vm { os, spot } => {
                let Some(sku) = get("armSkuName")?.filter(|s| is_size_name(s)) else {
                    self.skip(Skip::NoSize);
                    return Ok(());
                };
                keep_best(&mut self.import.vms, (sku, region, os, spot), candidate)
            }
            Target::Disk { tier } => keep_best(&mut self.import.disks, (tier, region), candidate),
            Target::Network { meter } => keep_best(&mut self.import.network, (meter, region), candidate),
        };
        if replaced {
            self.skip(Skip::Superseded);
        }
        Ok(())
    }
}

/// Keeps the better of the existing and the new candidate; returns whether one was dropped.
fn keep_best<K: Ord>(map: &mut BTreeMap<K, Candidate>, key: K, candidate: Candidate) -> bool {
    match map.entry(key) {
        std::collections::btree_map::Entry::Vacant(slot) => {
            slot.insert(candidate);
            false
        }
        std::collections::btree_map::Entry::Occupied(mut slot) => {
            if candidate.beats(slot.get()) {
                slot.insert(candidate);
            }
            true
        }
    }
}

/// `Items[3] (meterId 'm', armSkuName 'Standard_D2s_v5', armRegionName 'eastus')`, with the
/// identifying fields the item has.
fn describe(place: &str, item: &RawObject<'_>) -> String {
    let ids: Vec<String> = ["meterId", "armSkuName", "skuName", "armRegionName"]
        .iter()
        .filter_map(|key| string(item, key).ok().flatten().map(|value| format!("{key} '{value}'")))
        .take(3)
        .collect();
    if ids.is_empty() { place.to_owned() } else { format!("{place} ({})", ids.join(", ")) }
}

fn not_usd(field: &str, currency: &str) -> String {
    format!(
        "{field} is '{currency}': only USD exports are supported and scaleset converts nothing; \
         export with currencyCode='USD' (the API's default)"
    )
}

/// The tier of a per-disk monthly meter: skuName "P10 LRS" with meterName "P10 LRS Disk" (or
/// "P10 Disks"); `None` for anything else (ZRS, operations, bursting, mounts).
fn disk_tier(sku_name: &str, meter_name: &str) -> Option<String> {
    let tier = sku_name.strip_suffix(" LRS")?;
    let letter = *tier.as_bytes().first()?;
    let digits = &tier[1..];
    if !matches!(letter, b'S' | b'E' | b'P') || digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let meter_ok = meter_name.is_empty()
        || meter_name == format!("{tier} LRS Disk")
        || meter_name == format!("{tier} Disks")
        || meter_name == format!("{tier} Disk");
    meter_ok.then(|| tier.to_owned())
}

/// An Azure region name as the catalog keys them: lower-case ASCII letters and digits.
/// The network meter an item prices: a Standard Load Balancer meter (`serviceName` "Load
/// Balancer", `skuName` "Standard") or a Standard static public IPv4 address (`serviceName`
/// "Virtual Network", `productName` "IP Addresses"); `None` for any other.
fn network_meter(service: &str, product: &str, sku_name: &str, meter_name: &str) -> Option<NetworkMeter> {
    let candidates: &[NetworkMeter] = match (service, product) {
        ("Load Balancer", _) if sku_name == "Standard" => {
            &[NetworkMeter::LbIncludedRules, NetworkMeter::LbOverageRule, NetworkMeter::LbDataProcessed]
        }
        ("Virtual Network", "IP Addresses") => &[NetworkMeter::PublicIpv4Static],
        _ => &[],
    };
    candidates.iter().copied().find(|m| m.meter_name() == meter_name)
}

fn is_region(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// A size name as ARM spells it: ASCII letters, digits and `_`.
fn is_size_name(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

fn first_byte(raw: &RawValue) -> u8 {
    raw.get().trim_start().bytes().next().unwrap_or(b' ')
}

/// The most one unit (an hour of a VM, a month of a disk) may cost: $100,000, hundreds of times
/// the dearest real figure. A larger one is a mistake in the export, and refusing it keeps
/// every sum in range.
pub const MAX_UNIT_PRICE: Money = Money::from_micros(100_000 * 1_000_000);

/// Whether an `effectiveStartDate` is a date as the API writes it (RFC 3339, or a civil
/// date-time), so that comparing the text compares the times.
fn is_date(text: &str) -> bool {
    text.parse::<jiff::Timestamp>().is_ok() || text.parse::<jiff::civil::DateTime>().is_ok()
}

/// A raw JSON object's members, values unparsed.
fn object<'a>(raw: &'a RawValue) -> Result<RawObject<'a>, ExportValueError> {
    if first_byte(raw) != b'{' {
        return Err(ExportValueError(format!("found {}", excerpt(raw.get()))));
    }
    let members: Members<'a> =
        serde_json::from_str(raw.get()).map_err(|e| ExportValueError(format!("not valid JSON ({e})")))?;
    Ok(members.0)
}

/// An object's members, refusing a key given twice (which one would count is a guess).
struct Members<'a>(RawObject<'a>);

impl<'de: 'a, 'a> serde::Deserialize<'de> for Members<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Visit<'a> {
            type Value = Members<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
                let mut members = RawObject::new();
                while let Some((key, value)) = map.next_entry::<String, &'de RawValue>()? {
                    if members.contains_key(&key) {
                        return Err(serde::de::Error::custom(format!("the key \"{key}\" is given twice")));
                    }
                    members.insert(key, value);
                }
                Ok(Members(members))
            }
        }
        d.deserialize_map(Visit(std::marker::PhantomData))
    }
}

/// A string member: `None` when absent or null.
fn string(object: &RawObject<'_>, key: &str) -> Result<Option<String>, ExportValueError> {
    match object.get(key) {
        None => Ok(None),
        Some(raw) if raw.get().trim() == "null" => Ok(None),
        Some(raw) => serde_json::from_str::<String>(raw.get())
            .map(Some)
            .map_err(|_| ExportValueError(format!("{key}: expected a string, found {}", excerpt(raw.get())))),
    }
}

/// At most 60 characters of raw JSON, for messages.
fn excerpt(text: &str) -> String {
    let text = text.trim();
    match text.char_indices().nth(60) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.to_owned(),
    }
}

/// Reads a JSON number's text exactly as dollars (`0.096`, `1.3E-4`, `41.811428`), rounding
/// half away from zero to the micro-dollar when it has more than six decimals. Returns the
/// amount and whether it was rounded.
///
/// # Errors
/// Not a JSON number (a quoted string, `true`, ...), or too large for [`Money`].
pub fn parse_price(text: &str) -> Result<(Money, bool), ExportValueError> {
    let text = text.trim();
    let not_number = || "expected a JSON number of dollars such as 0.096".to_owned();
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => (&unsigned[..at], Some(&unsigned[at + 1..])),
        None => (unsigned, None),
    };
    let (whole, fraction) = match mantissa.split_once('.') {
        Some((whole, fraction)) => (whole, fraction),
        None => (mantissa, ""),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(whole) || (mantissa.contains('.') && !all_digits(fraction)) {
        return Err(ExportValueError(not_number()));
    }
    let exponent: i64 = match exponent {
        None => 0,
        Some(e) => {
            let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
            if !all_digits(digits) {
                return Err(ExportValueError(not_number()));
            }
            if digits.len() > 6 {
                return Err(ExportValueError("the exponent is out of range".to_owned()));
            }
            e.parse().map_err(|_| not_number())?
        }
    };
    let digits = format!("{whole}{fraction}");
    let digits = digits.trim_start_matches('0');
    if digits.is_empty() {
        return Ok((Money::ZERO, false));
    }
    if digits.len() > 36 {
        return Err(ExportValueError("more than 36 significant digits".to_owned()));
    }
    let significand: i128 = digits.parse().map_err(|_| not_number())?;
    // value = significand × 10^(exponent - fraction digits); micro-dollars = value × 10^6.
    let shift = exponent - i64::try_from(fraction.len()).unwrap_or(i64::MAX) + 6;
    let too_large = || "too large: the limit is about 9.2 trillion dollars".to_owned();
    let (micros, rounded) = if shift >= 0 {
        let factor = u32::try_from(shift).ok().and_then(|s| 10_i128.checked_pow(s)).ok_or_else(too_large)?;
        (significand.checked_mul(factor).ok_or_else(too_large)?, false)
    } else {
        match u32::try_from(-shift).ok().and_then(|s| 10_i128.checked_pow(s)) {
            Some(divisor) => {
                let quotient = significand / divisor;
                let remainder = significand % divisor;
                (if remainder * 2 >= divisor { quotient + 1 } else { quotient }, remainder != 0)
            }
            // Smaller than any representable fraction of a micro-dollar.
            None => (0, true),
        }
    };
    let micros = i64::try_from(micros).map_err(|_| too_large())?;
    Ok((Money::from_micros(i128::from(if negative { -micros } else { micros })), rounded))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(text: &str) -> Money {
        Money::parse(text).unwrap()
    }

    fn vm(import: &Import, sku: &str, region: &str, os: Os, spot: bool) -> Option<Money> {
        import.vm_prices().find(|p| (p.0, p.1, p.2, p.3) == (sku, region, os, spot)).map(|p| p.4)
    }

    const FIXTURE: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/retail-prices.json"));

    #[test]
    fn prices_are_read_from_the_digits() {
        assert_eq!(parse_price("0.096").unwrap(), (m("0.096"), false));
        assert_eq!(parse_price("19.71").unwrap(), (m("19.71"), false));
        assert_eq!(parse_price("1800").unwrap(), (m("1800"), false));
        assert_eq!(parse_price("1800.0").unwrap(), (m("1800"), false));
        assert_eq!(parse_price("1.3E-4").unwrap(), (m("0.00013"), false));
        assert_eq!(parse_price("2.5e+2").unwrap(), (m("250"), false));
        assert_eq!(parse_price("0E0").unwrap(), (Money::ZERO, false));
        assert_eq!(parse_price("-0.5").unwrap(), (m("-0.5"), false));
        // More than six decimals: nearest micro-dollar, half away from zero, flagged.
        assert_eq!(parse_price("0.0418114285").unwrap(), (m("0.041811"), true));
        assert_eq!(parse_price("0.0000005").unwrap(), (m("0.000001"), true));
        assert_eq!(parse_price("0.00000049").unwrap(), (Money::ZERO, true));
        assert_eq!(parse_price("-0.0000005").unwrap(), (m("-0.000001"), true));
        assert_eq!(parse_price("1e-300").unwrap(), (Money::ZERO, true));
        // 0.1 + 0.2 style values stay exact: no float is involved.
        assert_eq!(parse_price("0.30000000000000004").unwrap(), (m("0.3"), true));
    }

    #[test]
    fn non_numbers_and_huge_numbers_are_refused() {
        for text in ["\"0.096\"", "true", "", ".5", "1.", "1e", "0x10", "1,5", "NaN", "--1", "1e+"] {
            assert!(parse_price(text).is_err(), "{text:?}");
        }
        assert!(parse_price("1e100").unwrap_err().to_string().contains("too large"));
        assert!(parse_price("99999999999999").unwrap_err().to_string().contains("too large"));
        assert!(parse_price("1e1234567").unwrap_err().to_string().contains("exponent"));
    }

    #[test]
    fn the_fixture_imports_to_the_right_prices() {
        let import = parse("retail-prices.json", FIXTURE).unwrap();
        let report = &import.report;
        // A size and a region the built-in catalog does not have.
        assert_eq!(vm(&import, "Standard_D2ads_v5", "swedencentral", Os::Linux, false), Some(m("0.112")));
        assert_eq!(vm(&import, "Standard_D2ads_v5", "eastus", Os::Linux, false), Some(m("0.103")));
        // Windows only from the product name; Spot from the sku/meter name.
        assert_eq!(vm(&import, "Standard_D2ads_v5", "eastus", Os::Windows, false), Some(m("0.195")));
        assert_eq!(vm(&import, "Standard_D2ads_v5", "eastus", Os::Linux, true), Some(m("0.0206")));
        // The current row of a meter listed twice wins over the expired one.
        assert_eq!(vm(&import, "Standard_D2s_v5", "swedencentral", Os::Linux, false), Some(m("0.1")));
        // Reservation (the whole term's price), DevTest, Low Priority and Cloud Services rows
        // set nothing.
        assert_eq!(import.vm_prices().filter(|p| p.0 == "Standard_D2ads_v5" && p.1 == "eastus").count(), 3);
        assert_eq!(import.disk_prices().collect::<Vec<_>>(), [("P10", "swedencentral", m("20.28"))]);
        assert_eq!(report.skipped.get(&Skip::NotConsumption), Some(&2));
        assert_eq!(report.skipped.get(&Skip::LowPriority), Some(&1));
        assert_eq!(report.skipped.get(&Skip::NotVmProduct), Some(&1));
        // The Global load-balancer row is a network price.
        assert_eq!(report.skipped.get(&Skip::OtherService), None);
        assert_eq!(report.network_prices, 1);
        assert_eq!(
            import.network.keys().collect::<Vec<_>>(),
            [&(NetworkMeter::LbIncludedRules, GLOBAL_REGION.to_owned())]
        );
        assert_eq!(report.skipped.get(&Skip::Superseded), Some(&1));
        assert_eq!(report.skipped.get(&Skip::OtherDiskMeter), Some(&1));
        assert_eq!(report.vm_prices, 5);
        assert_eq!(report.disk_prices, 1);
        assert_eq!(
            report.items,
            report.vm_prices + report.disk_prices + report.network_prices + report.skipped.values().sum::<usize>()
        );
        assert!(report.warnings.is_empty(), "{:?}", report.warnings);

        let mut catalog = Catalog::builtin().clone();
        import.overlay(&mut catalog);
        assert!(catalog.knows_size("Standard_D2ads_v5"));
        assert!(catalog.size("Standard_D2ads_v5").is_none());
        assert!(catalog.has_region("swedencentral"));
        // The load balancer row's "Global" is not a region.
        assert!(!catalog.regions().any(|r| r.eq_ignore_ascii_case("global")));
        assert_eq!(catalog.disk_monthly("P10", "swedencentral").unwrap(), m("20.28"));
        // Built-in figures the export does not mention are untouched.
        assert_eq!(catalog.vm_hourly("Standard_D2s_v5", "eastus", Os::Linux, false).unwrap(), m("0.096"));
        assert_eq!(catalog.sources().len(), 2);
        assert!(catalog.sources()[1].starts_with("retail-prices.json (Azure Retail Prices export: 5 VM and 1 disk"));
    }

    fn item(fields: &str) -> String {
        format!(
            r#"{{"currencyCode": "USD", "serviceName": "Virtual Machines", "productName": "Virtual Machines Dv5 Series",
                "skuName": "D2 v5", "meterName": "D2 v5", "armSkuName": "Standard_D2_v5", "armRegionName": "eastus",
                "unitOfMeasure": "1 Hour", "type": "Consumption", "meterId": "m-1" {fields}}}"#
        )
    }

    #[test]
    fn shapes_pages_arrays_of_pages_and_arrays_of_items() {
        let one = item(r#", "retailPrice": 0.09"#);
        let page = format!(r#"{{"BillingCurrency": "USD", "Items": [{one}], "NextPageLink": null, "Count": 1}}"#);
        for text in [page.clone(), format!("[{page}, {page}]"), format!("[{one}]")] {
            let import = parse("p.json", &text).unwrap();
            assert_eq!(vm(&import, "Standard_D2_v5", "eastus", Os::Linux, false), Some(m("0.09")), "{text}");
        }
        // An empty page is fine (nothing to import).
        assert_eq!(parse("p.json", r#"{"Items": []}"#).unwrap().report.items, 0);
        // A page that says more follows.
        let open =
            format!(r#"{{"Items": [{one}], "NextPageLink": "https://prices.azure.com/api/retail/prices?$skip=100"}}"#);
        let warnings = parse("p.json", &open).unwrap().report.warnings;
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("may be incomplete"), "{warnings:?}");
    }

    #[test]
    fn errors_name_the_file_item_field_and_value() {
        let error = parse(
            "p.json",
            &format!(r#"{{"Items": [{}, {}]}}"#, item(r#", "retailPrice": 1"#), item(r#", "retailPrice": "0.1""#)),
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "retail prices export p.json: item Items[1] (meterId 'm-1', armSkuName 'Standard_D2_v5', skuName 'D2 v5'): \
             retailPrice \"0.1\": expected a JSON number of dollars such as 0.096"
        );
        let error = parse("p.json", &format!("[{}]", item(r#", "retailPrice": -1"#))).unwrap_err();
        assert!(error.to_string().contains("item [0] (meterId 'm-1'"), "{error}");
        assert!(error.to_string().ends_with("retailPrice -1 is negative"), "{error}");
        let error = parse("p.json", &format!("[{}]", item(""))).unwrap_err();
        assert!(error.to_string().ends_with("retailPrice is missing"), "{error}");
        let five = item(r#", "retailPrice": 1"#).replace(r#""armSkuName": "Standard_D2_v5""#, r#""armSkuName": 5"#);
        let error = parse("p.json", &format!("[{five}]")).unwrap_err();
        assert!(error.to_string().contains("armSkuName: expected a string, found 5"), "{error}");
    }

    #[test]
    fn duplicate_keys_bad_dates_and_absurd_prices_are_refused_with_the_item() {
        let twice = parse("p.json", &format!("[{}]", item(r#", "retailPrice": 1, "retailPrice": 2"#))).unwrap_err();
        assert!(twice.to_string().contains(r#"the key "retailPrice" is given twice"#), "{twice}");
        let date = item(r#", "retailPrice": 1, "effectiveStartDate": "someday""#);
        let error = parse("p.json", &format!("[{date}]")).unwrap_err();
        assert!(error.to_string().contains(r#"effectiveStartDate "someday" is not a date"#), "{error}");
        let error = parse("p.json", &format!("[{}]", item(r#", "retailPrice": 13e9"#))).unwrap_err();
        assert!(error.to_string().contains("item [0] (meterId 'm-1'"), "{error}");
        assert!(error.to_string().contains("is above $100,000.00"), "{error}");
        // A byte-order mark in front is not part of the JSON.
        let bom = format!("\u{feff}[{}]", item(r#", "retailPrice": 0.5"#));
        assert_eq!(vm(&parse("p.json", &bom).unwrap(), "Standard_D2_v5", "eastus", Os::Linux, false), Some(m("0.5")));
    }

    #[test]
    fn other_currencies_are_refused_not_converted() {
        let error = parse("eur.json", r#"{"BillingCurrency": "EUR", "Items": []}"#).unwrap_err();
        assert_eq!(
            error.to_string(),
            "retail prices export eur.json: BillingCurrency is 'EUR': only USD exports are supported and scaleset \
             converts nothing; export with currencyCode='USD' (the API's default)"
        );
        let eur = item(r#", "retailPrice": 1"#).replace(r#""currencyCode": "USD""#, r#""currencyCode": "EUR""#);
        let error = parse("eur.json", &format!("[{eur}]")).unwrap_err();
        assert!(error.to_string().contains("item [0] (meterId 'm-1'"), "{error}");
        assert!(error.to_string().contains("currencyCode is 'EUR'"), "{error}");
    }

    #[test]
    fn unknown_shapes_are_explained() {
        for (text, expected) in [
            ("", "not valid JSON"),
            ("42", "found 42: expected an Azure Retail Prices page"),
            (r#"{"items": []}"#, "the object has no \"Items\""),
            (r#"{"Items": 3}"#, "Items: expected an array of items, found 3"),
            ("[1]", "item [0]: found 1: expected a page (with Items) or a price item"),
            (r#"{"Items": [true]}"#, "item Items[0]: found true: expected a price item"),
        ] {
            let error = parse("p.json", text).unwrap_err().to_string();
            assert!(error.starts_with("retail prices export p.json: "), "{error}");
            assert!(error.contains(expected), "{text}: {error}");
        }
    }

    #[test]
    fn ties_keep_the_current_then_latest_then_first_row() {
        let rows = [
            item(r#", "retailPrice": 1, "effectiveStartDate": "2024-01-01T00:00:00Z""#),
            item(r#", "retailPrice": 2, "effectiveStartDate": "2025-01-01T00:00:00Z""#),
            item(concat!(
                r#", "retailPrice": 3, "effectiveStartDate": "2026-01-01T00:00:00Z","#,
                r#" "effectiveEndDate": "2026-02-01T00:00:00Z""#,
            )),
            item(r#", "retailPrice": 4, "effectiveStartDate": "2025-01-01T00:00:00Z""#),
        ];
        let import = parse("p.json", &format!("[{}]", rows.join(","))).unwrap();
        // Row 3 is the latest but expired; rows 2 and 4 tie: the first one wins.
        assert_eq!(vm(&import, "Standard_D2_v5", "eastus", Os::Linux, false), Some(m("2")));
        assert_eq!(import.report.skipped.get(&Skip::Superseded), Some(&3));
    }

    #[test]
    fn disk_meters_are_recognised_by_sku_and_meter_name() {
        assert_eq!(disk_tier("P10 LRS", "P10 LRS Disk"), Some("P10".to_owned()));
        assert_eq!(disk_tier("E4 LRS", "E4 Disks"), Some("E4".to_owned()));
        assert_eq!(disk_tier("S30 LRS", ""), Some("S30".to_owned()));
        assert_eq!(disk_tier("P10 ZRS", "P10 ZRS Disk"), None);
        assert_eq!(disk_tier("P10 LRS", "P10 LRS Disk Mount"), None);
        assert_eq!(disk_tier("Premium LRS", "Disk Operations"), None);
        assert_eq!(disk_tier("P LRS", "P LRS Disk"), None);
    }

    #[test]
    fn network_meters_are_standard_lb_and_static_ipv4_with_global_only_for_them() {
        let row = |service: &str, product: &str, sku: &str, meter: &str, region: &str, unit: &str| {
            format!(
                r#"[{{"currencyCode": "USD", "serviceName": "{service}", "productName": "{product}", "skuName": "{sku}",
                "meterName": "{meter}", "armRegionName": "{region}", "unitOfMeasure": "{unit}", "type": "Consumption",
                "retailPrice": 0.03}}]"#
            )
        };
        let network = |text: String| parse("n.json", &text).unwrap().network.into_keys().collect::<Vec<_>>();
        let lb = "Standard Included LB Rules and Outbound Rules";
        assert_eq!(
            network(row("Load Balancer", "Load Balancer", "Standard", lb, "Global", "1 Hour")),
            [(NetworkMeter::LbIncludedRules, GLOBAL_REGION.to_owned())]
        );
        assert_eq!(
            network(row("Load Balancer", "Load Balancer", "Standard", "Standard Data Processed", "eastus", "1 GB")),
            [(NetworkMeter::LbDataProcessed, "eastus".to_owned())]
        );
        // Basic, a gateway meter, a per-GB meter priced by the hour: not used.
        assert!(network(row("Load Balancer", "Load Balancer", "Basic", lb, "Global", "1 Hour")).is_empty());
        assert!(network(row("Load Balancer", "Load Balancer", "Gateway", "Gateway", "Global", "1 Hour")).is_empty());
        assert!(
            network(row("Load Balancer", "Load Balancer", "Standard", "Standard Data Processed", "Global", "1 Hour"))
                .is_empty()
        );
        let ip = "Standard IPv4 Static Public IP";
        assert_eq!(
            network(row("Virtual Network", "IP Addresses", "Standard", ip, "westeurope", "1 Hour")),
            [(NetworkMeter::PublicIpv4Static, "westeurope".to_owned())]
        );
        assert!(
            network(row(
                "Virtual Network",
                "IP Addresses",
                "Basic",
                "Basic IPv4 Static Public IP",
                "westeurope",
                "1 Hour"
            ))
            .is_empty()
        );
        // "Global" stays no region for a VM row.
        let vm = row("Virtual Machines", "Virtual Machines Dv5 Series", "D2s v5", "D2s v5", "Global", "1 Hour")
            .replace(r#""unitOfMeasure""#, r#""armSkuName": "Standard_D2s_v5", "unitOfMeasure""#);
        assert_eq!(parse("v.json", &vm).unwrap().report.skipped.get(&Skip::NoRegion), Some(&1));
    }
}
