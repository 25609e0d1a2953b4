//! `prices update | status | show`: current retail prices into the cache, and which prices a
//! run uses.

use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::{Context as _, Result};

use crate::cli::PricesAction;
use crate::cost::catalog::Os;
use crate::prices_api::{self, CACHE_FORMAT, Cache};

use super::Context;

/// Days after which the cache is called old.
const STALE_DAYS: i64 = 35;

pub fn run(ctx: &Context, action: PricesAction) -> Result<ExitCode> {
    match action {
        PricesAction::Update { regions, currency, endpoint } => update(&regions, &currency, &endpoint),
        PricesAction::Status => status(ctx),
        PricesAction::Show { size, region } => show(ctx, &size, region.as_deref()),
    }
}

fn update(regions: &[String], currency: &str, endpoint: &str) -> Result<ExitCode> {
    let path = prices_api::cache_path();
    let first = prices_api::first_url(endpoint, currency, regions);
    let terminal = std::io::stderr().is_terminal();
    let pages = prices_api::fetch(endpoint, &first, |pages, items| {
        if terminal {
            eprint!("\rprices: {pages} page(s), {items} item(s)   ");
        }
    })?;
    if terminal {
        eprintln!();
    }
    // Check what came before keeping it: an export the importer refuses is not a cache.
    let text = format!("[{}]", pages.join(","));
    let import = crate::cost::retail::parse("the downloaded prices", &text)?;
    let pages = pages
        .into_iter()
        .map(serde_json::value::RawValue::from_string)
        .collect::<Result<Vec<_>, _>>()
        .context("the downloaded pages")?;
    let cache = Cache {
        format: CACHE_FORMAT.to_owned(),
        // The shell may read the wall clock: this is when the prices were fetched.
        fetched_at: jiff::Timestamp::now().round(jiff::Unit::Second).unwrap_or(jiff::Timestamp::UNIX_EPOCH),
        endpoint: endpoint.to_owned(),
        currency: currency.to_owned(),
        regions: regions.to_vec(),
        pages,
    };
    prices_api::write_cache(&path, &cache)
        .with_context(|| format!("cannot write the price cache {}", path.display()))?;
    eprintln!(
        "prices: {} page(s), {} VM and {} disk price(s), {} network price(s) kept in {}",
        cache.pages.len(),
        import.report.vm_prices,
        import.report.disk_prices,
        import.report.network_prices,
        path.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn status(ctx: &Context) -> Result<ExitCode> {
    let path = prices_api::cache_path();
    println!("Prices in use, later ones winning:");
    for source in ctx.catalog.sources() {
        println!("  {source}");
    }
    match prices_api::read_cache(&path) {
        Ok(None) => println!("Price cache: none at {} (run `scaleset prices update`)", path.display()),
        Ok(Some(cache)) => {
            let age = (jiff::Timestamp::now().as_second() - cache.fetched_at.as_second()) / 86_400;
            let regions = if cache.regions.is_empty() { "every region".to_owned() } else { cache.regions.join(", ") };
            println!("Price cache: {} (fetched {}, {age} day(s) ago, {regions})", path.display(), cache.fetched_at);
            if age > STALE_DAYS {
                eprintln!(
                    "warning: the price cache is {age} days old (more than {STALE_DAYS}): run `scaleset prices update`"
                );
            }
        }
        Err(e) => eprintln!("warning: the price cache {} is not used: {e}", path.display()),
    }
    Ok(ExitCode::SUCCESS)
}

fn show(ctx: &Context, size: &str, region: Option<&str>) -> Result<ExitCode> {
    let catalog = &ctx.catalog;
    if !catalog.knows_size(size) {
        let near = crate::suggest::hint(size, catalog.size_names());
        anyhow::bail!("unknown VM size '{size}' in the prices in use{near}");
    }
    let regions: Vec<&str> = catalog.regions().filter(|r| region.is_none_or(|w| w.eq_ignore_ascii_case(r))).collect();
    let style = ctx.style;
    let mut t = crate::render::table::new(&["Region", "Linux", "Windows", "Spot Linux", "Spot Windows"], style)
        .money(&[1, 2, 3, 4]);
    let mut any = false;
    for r in regions {
        let price =
            |os, spot| catalog.vm_hourly(size, r, os, spot).map_or_else(|_| "-".to_owned(), |p| format!("${p}"));
        let row =
            [price(Os::Linux, false), price(Os::Windows, false), price(Os::Linux, true), price(Os::Windows, true)];
        if row.iter().all(|c| c == "-") {
            continue;
        }
        any = true;
        let mut cells = vec![r.to_owned()];
        cells.extend(row);
        t.add_row(cells);
    }
    if !any {
        anyhow::bail!("no price for {size}{}", region.map_or_else(String::new, |r| format!(" in {r}")));
    }
    print!("{}", crate::render::table::render(&t));
    println!("Hourly, USD; from: {}", catalog.sources().join(" + "));
    Ok(ExitCode::SUCCESS)
}
