//! The command line, as close to the flags as possible. Values are parsed into their types here
//! (durations, times, amounts), so a malformed value is a usage error (exit 64) from clap that
//! names the flag, before any work starts. `commands::Context` turns the rest into settings.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use jiff::Timestamp;

use crate::model::duration::Duration;
use crate::model::money::Money;

/// `--start-time`: any RFC 3339 time.
fn parse_time(text: &str) -> Result<Timestamp, String> {
    text.trim()
        .parse::<Timestamp>()
        .map_err(|e| format!("'{text}' is not an RFC 3339 time in range (accepted: 2026-01-05T08:00:00Z): {e}"))
}

/// The longest `advance` or `simulate`: ten years (3,660 days) of logical minutes, a few
/// seconds of work; longer runs are refused rather than holding the lock for an hour.
pub const MAX_RUN: Duration = Duration::from_days(3660);

/// A run's duration: a duration, at most [`MAX_RUN`].
fn parse_run(text: &str) -> Result<Duration, String> {
    let duration: Duration = text.parse().map_err(|e: crate::model::duration::DurationError| e.to_string())?;
    if duration > MAX_RUN {
        return Err(format!("'{text}' is longer than ten years ({MAX_RUN}), the most one run may cover; split it"));
    }
    Ok(duration)
}

/// `--max-monthly`: an amount of USD, with or without a leading `$`; never negative.
fn parse_budget(text: &str) -> Result<Money, String> {
    let money = Money::parse(text.trim().trim_start_matches('$'))
        .map_err(|e| format!("'{text}' is not an amount in USD (accepted: 500 or 1234.56): {e}"))?;
    if money.is_negative() {
        return Err(format!("'{text}' is negative; a budget is an amount of USD of 0 or more"));
    }
    Ok(money)
}

/// Manage Azure-style VM scale sets locally: deterministic, offline, in milliseconds.
#[derive(Debug, Parser)]
#[command(name = "scaleset", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// The definition file.
    #[arg(
        short = 'f',
        long = "file",
        env = "SCALESET_FILE",
        default_value = "scalesets.yaml",
        global = true,
        value_name = "PATH"
    )]
    pub file: PathBuf,
    /// The state: a file, a blob in Azure Storage (az://ACCOUNT/CONTAINER/PATH, credentials
    /// from AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_ACCOUNT with AZURE_STORAGE_KEY or
    /// AZURE_STORAGE_SAS_TOKEN) or an S3 object (s3://BUCKET/KEY, credentials from the AWS_
    /// variables).
    #[arg(long, env = "SCALESET_STATE", default_value = "scalesets.state.json", global = true, value_name = "PATH")]
    pub state: PathBuf,
    /// Output format of commands that print data.
    #[arg(short = 'o', long, value_enum, default_value_t = Output::Table, global = true)]
    pub output: Output,
    /// Seed of the random generator, fixed when the state is created.
    #[arg(long, env = "SCALESET_SEED", global = true, value_name = "N")]
    pub seed: Option<u64>,
    /// Start of the logical clock when the state is created (default: now, to the minute).
    #[arg(long, global = true, env = "SCALESET_START_TIME", value_name = "RFC3339", value_parser = parse_time)]
    pub start_time: Option<Timestamp>,
    /// How long to wait for another process's lock on the state file.
    #[arg(long, global = true, default_value = "30s", value_name = "DURATION")]
    pub lock_timeout: Duration,
    /// Refuse estimated prices (a Windows price derived from the Linux one, a disk tier from
    /// other regions): every price must come from the catalog, the price cache or an export.
    #[arg(long, global = true)]
    pub strict_prices: bool,
    /// How many activity-log entries to keep per scale set (older ones are dropped and counted).
    #[arg(long, env = "SCALESET_KEEP_EVENTS", global = true, default_value_t = 1000, value_name = "N",
          value_parser = clap::value_parser!(u32).range(10..=10_000_000))]
    pub keep_events: u32,
    /// An Azure Retail Prices export (JSON) laid over the built-in prices; replaces the
    /// definition's `prices:` setting.
    #[arg(long, env = "SCALESET_PRICES", global = true, value_name = "FILE")]
    pub prices: Option<PathBuf>,
}

/// `prices` actions.
#[derive(Debug, Subcommand)]
pub enum PricesAction {
    /// Download current retail prices (VMs, managed disks) into the price cache; the only
    /// command that uses the network.
    Update {
        /// Only these regions (repeatable; default: every region).
        #[arg(long = "region", value_name = "REGION")]
        regions: Vec<String>,
        /// The currency: USD (prices are kept exact in dollars; nothing is converted).
        #[arg(long, default_value = "USD", value_parser = ["USD"])]
        currency: String,
        /// The API's address (a mirror, a test server).
        #[arg(long, env = "SCALESET_PRICES_API", default_value = crate::prices_api::DEFAULT_ENDPOINT, value_name = "URL")]
        endpoint: String,
    },
    /// The price sources in use, with their dates; warns when the cache is older than 35 days.
    Status,
    /// The hourly prices of one VM size, per region, with where they come from.
    Show {
        /// The VM size, e.g. Standard_D2s_v5.
        size: String,
        /// Only this region.
        #[arg(long)]
        region: Option<String>,
    },
}

/// What the budget gate compares with the budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CostBasis {
    /// The definition as written: every set at its capacity, autoscaled sets at their maximum.
    Defined,
    /// The run rate of the state now.
    Now,
    /// The definition simulated for 30 days with its `load:`, scaled to a 730-hour month.
    Simulated,
}

impl CostBasis {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            CostBasis::Defined => "defined",
            CostBasis::Now => "now",
            CostBasis::Simulated => "simulated",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    Table,
    Json,
    /// `import` only: the definition as YAML (its default).
    Yaml,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the definition and print every problem found.
    Validate {
        /// Count loads no rule reads and rules that receive no load as problems (exit 65).
        #[arg(long)]
        strict: bool,
    },
    /// Show what apply would change.
    Plan {
        /// Only these scale sets.
        names: Vec<String>,
        /// Exit 0 when there is nothing to do, 2 when there are changes.
        #[arg(long)]
        detailed_exitcode: bool,
        /// Also plan deleting sets that are no longer defined.
        #[arg(long)]
        prune: bool,
    },
    /// Make the state match the definition.
    Apply {
        /// Only these scale sets.
        names: Vec<String>,
        /// Delete scale sets that are no longer defined (asks first on a terminal).
        #[arg(long)]
        prune: bool,
        /// Carry out deletions without asking (needed for --prune without a terminal).
        #[arg(long)]
        auto_approve: bool,
    },
    /// Create one scale set from the definition.
    Create {
        /// The scale set, as the definition names it.
        name: String,
    },
    /// Change a set's capacity by hand.
    #[command(group = clap::ArgGroup::new("amount").required(true))]
    Scale {
        /// The scale set.
        #[arg(add = clap_complete::ArgValueCandidates::new(crate::completion::set_names))]
        name: String,
        /// The new capacity.
        #[arg(long, visible_alias = "new-capacity", group = "amount", allow_negative_numbers = true)]
        capacity: Option<i64>,
        /// Change the capacity by this much (+N or -N).
        #[arg(long, group = "amount", allow_negative_numbers = true, value_name = "+N|-N")]
        by: Option<i64>,
    },
    /// Delete a whole set, or some of its instances.
    Delete {
        /// The scale set.
        #[arg(add = clap_complete::ArgValueCandidates::new(crate::completion::set_names))]
        name: String,
        /// Delete only these instances (IDs or names); capacity drops accordingly.
        #[arg(long, visible_alias = "instance-ids", add = clap_complete::ArgValueCandidates::new(crate::completion::instance_ids), num_args = 1.., value_name = "ID")]
        instances: Vec<String>,
    },
    /// One row per scale set.
    List,
    /// One row per instance of a set (`az vmss list-instances`).
    #[command(visible_alias = "list-instances")]
    Instances {
        /// The scale set.
        #[arg(add = clap_complete::ArgValueCandidates::new(crate::completion::set_names))]
        name: String,
    },
    /// Cost summary: run rate, monthly projection, accrued so far.
    Cost {
        /// Only these scale sets.
        names: Vec<String>,
        /// Fail (exit 3) when the projected monthly cost is above this many USD (default: the
        /// definition's budget.maxMonthly, if any).
        #[arg(long, value_name = "USD", value_parser = parse_budget)]
        max_monthly: Option<Money>,
        /// Add what-if estimates under 1- and 3-year reservations and savings plans (typical
        /// discounts, Linux regular compute only).
        #[arg(long)]
        commitments: bool,
        /// What the budget is checked against: `defined` (the definition as written, an
        /// autoscaled set at its maximum), `now` (today's run rate) or `simulated` (30 days of
        /// the definition's load, as a month).
        #[arg(long, value_enum, default_value_t = CostBasis::Defined)]
        basis: CostBasis,
    },
    /// Move the logical clock forward: operations finish, autoscale and repairs act, cost accrues.
    Advance {
        /// How far: 90s, 5m, 1h30m, 2d, PT5M (at most ten years).
        #[arg(value_parser = parse_run)]
        duration: Duration,
        #[command(flatten)]
        run: RunArgs,
    },
    /// Run the same on a copy of the state (with the definition applied): the state file is not touched.
    Simulate {
        /// Only these scale sets.
        names: Vec<String>,
        /// How long to simulate.
        #[arg(long, value_name = "DURATION", value_parser = parse_run)]
        duration: Duration,
        /// Simulate the state as it is, without applying the definition first.
        #[arg(long)]
        no_apply: bool,
        #[command(flatten)]
        run: RunArgs,
    },
    /// Simulate one scale set once per combination of --vary values over the same load: cost
    /// against unserved demand, the frontier, and the cheapest variant meeting --slo.
    Sweep {
        /// The scale set (may be left out when the definition has only one).
        name: Option<String>,
        /// How long each variant is simulated.
        #[arg(long, value_name = "DURATION", value_parser = parse_run)]
        duration: Duration,
        /// A setting and its values, repeatable: PATH=V1,V2,... or PATH=FROM..TO:STEP. Paths:
        /// sku, rules[N|*].threshold|cooldown|value|timeWindow, capacity.minimum|maximum|default,
        /// either prefixed with profiles[N|*].
        #[arg(long = "vary", value_name = "PATH=VALUES", required = true)]
        vary: Vec<String>,
        /// Load, as for simulate (repeatable); the definition's load otherwise.
        #[arg(long, value_name = "SPEC")]
        load: Vec<String>,
        /// A service objective: unserved<=PERCENT%, unserved<=VM-HOURS, above<=MINUTES,
        /// actions<=PER-DAY, joined with ','. Picks the cheapest variant meeting it.
        #[arg(long, value_name = "EXPR")]
        slo: Option<String>,
        /// Write the frontier as an SVG scatter (cost across, unserved demand up).
        #[arg(long, value_name = "FILE.svg")]
        svg: Option<std::path::PathBuf>,
        /// Write one self-contained HTML page: the frontier, every variant, the pick and its run.
        #[arg(long, value_name = "FILE.html")]
        report: Option<std::path::PathBuf>,
        /// Write the pick's run (needs --slo) as a timeline CSV, one row per minute, as simulate's.
        #[arg(long, value_name = "FILE.csv")]
        timeline_best: Option<std::path::PathBuf>,
        /// Do not rescale the load by the vCPU ratio when --vary sku changes the size (the load is
        /// then in units of each variant's own size).
        #[arg(long)]
        no_rescale: bool,
        /// Run N variants drawn from the grid by seeded Latin hypercube sampling, not all of it.
        #[arg(long, value_name = "N")]
        samples: Option<usize>,
    },
    /// The activity log, oldest first.
    Events {
        /// Only this scale set.
        name: Option<String>,
        /// Only the last N entries.
        #[arg(long, value_name = "N")]
        tail: Option<usize>,
        /// Only entries at or after this logical time: an RFC 3339 time, or a duration back from
        /// the state's clock (`2h`: the last two hours).
        #[arg(long, value_name = "TIME|DURATION")]
        since: Option<String>,
        /// Only entries of these kinds (repeatable; e.g. AutoscaleScaleOut, Evicted).
        #[arg(long, value_name = "KIND")]
        kind: Vec<String>,
    },
    /// Protect instances from scale-in (and, with the flag, from scale-set actions).
    Protect {
        /// The scale set.
        #[arg(add = clap_complete::ArgValueCandidates::new(crate::completion::set_names))]
        name: String,
        /// The instances: IDs or VM names (`*` for all).
        #[arg(long, visible_alias = "instance-ids", add = clap_complete::ArgValueCandidates::new(crate::completion::instance_ids), num_args = 1.., required = true, value_name = "ID")]
        instances: Vec<String>,
        /// Also protect from scale-set-wide actions (upgrades, reimage, deallocate of the set).
        #[arg(long)]
        scale_set_actions: bool,
    },
    /// Remove instance protection.
    Unprotect {
        /// The scale set.
        #[arg(add = clap_complete::ArgValueCandidates::new(crate::completion::set_names))]
        name: String,
        /// The instances: IDs or VM names (`*` for all).
        #[arg(long, visible_alias = "instance-ids", add = clap_complete::ArgValueCandidates::new(crate::completion::instance_ids), num_args = 1.., required = true, value_name = "ID")]
        instances: Vec<String>,
    },
    /// Start stopped or deallocated VMs (no IDs: the whole set).
    Start(PowerArgs),
    /// Stop VMs: powered off but still allocated, so compute is still billed.
    Stop(PowerArgs),
    /// Deallocate VMs: compute is no longer billed; disks are.
    Deallocate(PowerArgs),
    /// Restart running VMs.
    Restart(PowerArgs),
    /// Reimage VMs: a fresh OS disk from the image, same ID.
    Reimage(PowerArgs),
    /// Bring instances to the latest model (`az vmss update-instances`).
    #[command(visible_alias = "update-instances", group = clap::ArgGroup::new("which").required(true))]
    Upgrade {
        /// The scale set.
        #[arg(add = clap_complete::ArgValueCandidates::new(crate::completion::set_names))]
        name: String,
        /// The instances: IDs or VM names (`*` for all).
        #[arg(long, visible_alias = "instance-ids", add = clap_complete::ArgValueCandidates::new(crate::completion::instance_ids), num_args = 1.., group = "which", value_name = "ID")]
        instances: Vec<String>,
        /// Every outdated VM (except those protected from scale-set actions).
        #[arg(long, group = "which")]
        all: bool,
    },
    /// Rolling upgrade control.
    RollingUpgrade {
        /// status, start or cancel.
        action: RollingAction,
        /// The scale set.
        #[arg(add = clap_complete::ArgValueCandidates::new(crate::completion::set_names))]
        name: String,
    },
    /// Inject what a health probe reports.
    #[command(group = clap::ArgGroup::new("targets").required(true))]
    Health {
        /// The scale set.
        #[arg(add = clap_complete::ArgValueCandidates::new(crate::completion::set_names))]
        name: String,
        /// The instances: IDs or VM names (`*` for all).
        #[arg(long, visible_alias = "instance-ids", add = clap_complete::ArgValueCandidates::new(crate::completion::instance_ids), num_args = 1.., group = "targets", value_name = "ID")]
        instances: Vec<String>,
        /// Every current VM of the set.
        #[arg(long, group = "targets")]
        all: bool,
        /// What VMs report once they (re)start from now on: simulates a broken (unhealthy) or
        /// fixed (healthy) image.
        #[arg(long, group = "targets")]
        new: bool,
        /// What the probe reports: healthy, unhealthy or unknown.
        #[arg(long, value_enum)]
        set: HealthArg,
    },
    /// Simulate the platform evicting Spot VMs.
    #[command(visible_alias = "simulate-eviction")]
    Evict {
        /// The scale set.
        #[arg(add = clap_complete::ArgValueCandidates::new(crate::completion::set_names))]
        name: String,
        /// The instances: IDs or VM names (`*` for all).
        #[arg(long, visible_alias = "instance-ids", add = clap_complete::ArgValueCandidates::new(crate::completion::instance_ids), num_args = 1.., required = true, value_name = "ID")]
        instances: Vec<String>,
    },
    /// Automatic repairs: status, resume, suspend.
    Repairs {
        /// status, resume or suspend.
        action: RepairsAction,
        /// The scale set.
        #[arg(add = clap_complete::ArgValueCandidates::new(crate::completion::set_names))]
        name: String,
    },
    /// Print shell completions.
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
    /// Print the JSON Schema of the definition file.
    Schema,
    /// Print the manual page (roff): `scaleset manpage > scaleset.1; man ./scaleset.1`.
    Manpage,
    /// Current Azure retail prices: fetch them into the price cache, see which prices are used.
    Prices {
        #[command(subcommand)]
        action: PricesAction,
    },
    /// Write a definition from what users deploy: `az vmss show -o json`, `az monitor
    /// autoscale show -o json`, REST bodies, ARM templates (Bicep: compiled with `az bicep
    /// build`), Terraform azurerm `.tf` files.
    Import {
        /// JSON, ARM template or `.tf` files (`-` for stdin, read as JSON).
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// An ARM parameters file: values for template parameters and `{NAME}` placeholders.
        #[arg(long, value_name = "FILE")]
        parameters: Option<PathBuf>,
        /// A value for a template parameter, a Terraform variable or a `{NAME}` placeholder
        /// (repeatable; wins over --parameters).
        #[arg(long = "param", value_name = "NAME=VALUE")]
        params: Vec<String>,
        /// The region of resources that name none.
        #[arg(long, value_name = "REGION")]
        location: Option<String>,
        /// Write the definition to FILE instead of stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Write the definition as a deployable ARM template, Bicep file or Terraform configuration.
    Export {
        /// Only these scale sets (default: all).
        #[arg(value_name = "NAME")]
        names: Vec<String>,
        /// The format: arm, bicep or terraform.
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// Write `azuredeploy.json` (arm), `main.bicep` or `main.tf` into DIR instead of printing it.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Copy the state between a local file and a blob (`az://...`, `s3://...`), as `terraform
    /// state pull/push` do.
    State {
        #[command(subcommand)]
        action: StateAction,
    },
}

/// `export --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Arm,
    Bicep,
    Terraform,
}

/// `state` actions.
#[derive(Debug, Subcommand)]
pub enum StateAction {
    /// Print the state at --state (JSON, as stored) to stdout: `scaleset state pull > copy.json`.
    Pull,
    /// Replace the state at --state with FILE; refused when FILE is another state (another
    /// lineage), an older one (lower serial) or differs at the same serial, unless --force.
    Push {
        /// A local state file.
        file: PathBuf,
        /// Replace whatever is there (its previous version is kept as the backup).
        #[arg(long)]
        force: bool,
    },
    /// Copy the state at --state to another location (a file, an az:// or s3:// URL), with the
    /// same checks as push; the source is left as it is.
    Migrate {
        /// Where to: a file path, az://ACCOUNT/CONTAINER/PATH or s3://BUCKET/KEY.
        #[arg(long, value_name = "LOCATION")]
        to: PathBuf,
        /// Replace whatever is there (its previous version is kept as the backup).
        #[arg(long)]
        force: bool,
    },
}

/// Which instances a power operation touches.
#[derive(Debug, Args)]
pub struct PowerArgs {
    /// The scale set.
    #[arg(add = clap_complete::ArgValueCandidates::new(crate::completion::set_names))]
    pub name: String,
    /// Only these instances (IDs or names; `*` for all, as `az` writes it); without it, the
    /// whole set.
    #[arg(long, visible_alias = "instance-ids", add = clap_complete::ArgValueCandidates::new(crate::completion::instance_ids), num_args = 1.., value_name = "ID")]
    pub instances: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RollingAction {
    Status,
    Start,
    Cancel,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RepairsAction {
    Status,
    Resume,
    Suspend,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HealthArg {
    Healthy,
    Unhealthy,
    Unknown,
}

/// Load and outputs of a run (`advance`, `simulate`).
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Load: "METRIC=VALUE", "METRIC=ramp(100,400,1h)+noise(10)", "SET:METRIC=...", or a CSV
    /// file with header minute,METRIC[,METRIC...]. Repeatable.
    #[arg(long, value_name = "SPEC")]
    pub load: Vec<String>,
    /// Write one row per minute and scale set to this CSV file.
    #[arg(long, value_name = "FILE.csv")]
    pub timeline: Option<PathBuf>,
    /// Write a chart of demand, instances and per-instance metric (with rule thresholds) as SVG.
    #[arg(long, value_name = "FILE.svg")]
    pub svg: Option<PathBuf>,
    /// Write a self-contained HTML report (summary, chart, cost, activity log) to this file.
    #[arg(long, value_name = "FILE.html")]
    pub report: Option<PathBuf>,
    /// Print a terminal chart (simulate prints one unless --no-chart).
    #[arg(long)]
    pub chart: bool,
    /// No terminal chart.
    #[arg(long, conflicts_with = "chart")]
    pub no_chart: bool,
    /// Refuse (exit 64) a load no rule reads or a rule that receives no load, instead of warning.
    #[arg(long)]
    pub strict: bool,
}
