//! The imperative shell: each command reads what it needs (definition, state), asks the
//! engine, writes the state back under the lock, and prints through `render`.

mod definition;
mod export;
mod import;
mod lifecycle;
mod prices;
mod scaling;
mod show;
mod state;
mod sweep;
mod time;

use std::borrow::Cow;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Result, bail};
use jiff::Timestamp;

use crate::cli::{Cli, Command, Output};
use crate::cost::catalog::Catalog;
use crate::inputs::DefinitionFile;
use crate::model::event::{Event, EventKind};
use crate::model::instance::Operation;
use crate::model::state::State;
use crate::render::table::Style;
use crate::report::change::ChangeReport;
use crate::spec::SetDefinition;
use crate::store::{Location, Scope, StateStore};

/// Plain settings built from the command line and the environment before any work starts.
pub struct Context {
    pub file: PathBuf,
    pub state_path: PathBuf,
    /// `--state`, parsed: a local file or a blob.
    pub location: Location,
    /// Where the state is kept.
    pub store: Box<dyn StateStore>,
    pub json: bool,
    pub seed: Option<u64>,
    pub start_time: Option<Timestamp>,
    pub lock_timeout: std::time::Duration,
    /// Activity-log entries kept per set.
    pub keep_events: usize,
    pub style: Style,
    pub command_line: String,
    /// The definition file, read once at the start (a pipe can be read only once).
    pub definition: DefinitionFile,
    pub catalog: Cow<'static, Catalog>,
    /// The serial this run committed, once it has: a failure to print after it must not
    /// look like a failure to change (a retry would apply the change twice).
    committed: std::cell::Cell<Option<u64>>,
}

/// Runs a parsed command line.
///
/// # Errors
/// Whatever the command refuses; the caller maps it to an exit code.
pub fn run(cli: Cli) -> Result<ExitCode> {
    let ctx = Context::new(&cli)?;
    match cli.command {
        Command::Validate { strict } => definition::validate(&ctx, strict),
        Command::Plan { names, detailed_exitcode, prune } => definition::plan(&ctx, &names, prune, detailed_exitcode),
        Command::Apply { names, prune, auto_approve } => definition::apply(&ctx, &names, prune, auto_approve),
        Command::Create { name } => definition::create(&ctx, &name),
        Command::Schema => definition::schema(),
        Command::Scale { name, capacity, by } => scaling::scale(&ctx, &name, capacity, by),
        Command::Delete { name, instances } => scaling::delete(&ctx, &name, &instances),
        Command::Protect { name, instances, scale_set_actions } => {
            scaling::protect(&ctx, &name, &instances, true, scale_set_actions)
        }
        Command::Unprotect { name, instances } => scaling::protect(&ctx, &name, &instances, false, false),
        Command::List => show::list(&ctx),
        Command::Instances { name } => show::instances(&ctx, &name),
        Command::Events { name, tail, since, kind } => {
            show::events(&ctx, name.as_deref(), tail, since.as_deref(), &kind)
        }
        Command::Prices { action } => prices::run(&ctx, action),
        Command::Manpage => {
            let page = clap_mangen::Man::new(<Cli as clap::CommandFactory>::command());
            let mut out = Vec::new();
            page.render(&mut out)?;
            std::io::Write::write_all(&mut std::io::stdout().lock(), &out)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Cost { names, max_monthly, commitments, basis } => {
            show::cost(&ctx, &names, max_monthly, commitments, basis)
        }
        Command::Advance { duration, run } => time::advance(&ctx, duration, &run),
        Command::Simulate { names, duration, no_apply, run } => time::simulate(&ctx, &names, duration, no_apply, &run),
        Command::Sweep { name, duration, vary, load, slo, svg, report, timeline_best, no_rescale, samples } => {
            sweep::sweep(
                &ctx,
                name.as_deref(),
                duration,
                &sweep::Args {
                    vary: &vary,
                    load: &load,
                    slo: slo.as_deref(),
                    svg: svg.as_deref(),
                    report: report.as_deref(),
                    timeline_best: timeline_best.as_deref(),
                    rescale: !no_rescale,
                    samples,
                },
            )
        }
        Command::Start(a) => lifecycle::power(&ctx, Operation::Start, &a),
        Command::Stop(a) => lifecycle::power(&ctx, Operation::Stop, &a),
        Command::Deallocate(a) => lifecycle::power(&ctx, Operation::Deallocate, &a),
        Command::Restart(a) => lifecycle::power(&ctx, Operation::Restart, &a),
        Command::Reimage(a) => lifecycle::power(&ctx, Operation::Reimage, &a),
        Command::Upgrade { name, instances, all } => lifecycle::upgrade(&ctx, &name, &instances, all),
        Command::RollingUpgrade { action, name } => lifecycle::rolling(&ctx, action, &name),
        Command::Health { name, instances, all, new, set } => lifecycle::health(&ctx, &name, &instances, all, new, set),
        Command::Evict { name, instances } => lifecycle::evict(&ctx, &name, &instances),
        Command::Repairs { action, name } => lifecycle::repairs(&ctx, action, &name),
        Command::State { action } => state::run(&ctx, action),
        Command::Export { names, format, out } => export::run(&ctx, &names, format, out.as_deref()),
        Command::Import { files, parameters, params, location, out } => {
            import::run(&ctx, &files, parameters.as_deref(), &params, location, out.as_deref())
        }
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "scaleset", &mut std::io::stdout());
            Ok(ExitCode::SUCCESS)
        }
    }
}

impl Context {
    fn new(cli: &Cli) -> Result<Self> {
        let g = &cli.global;
        // The terminal's width, asked of it (`COLUMNS` overrides); a pipe gets whole rows.
        let width = if std::io::stdout().is_terminal() {
            std::env::var("COLUMNS")
                .ok()
                .and_then(|c| c.parse().ok())
                .or_else(|| terminal_size::terminal_size().map(|(w, _)| w.0))
                .or(Some(80))
        } else {
            None
        };
        let needs_definition = !matches!(
            cli.command,
            Command::Completions { .. } | Command::Schema | Command::Manpage | Command::State { .. }
        );
        let definition = if needs_definition { DefinitionFile::read(&g.file) } else { DefinitionFile::none(&g.file) };
        let mut catalog = price_catalog(cli, &definition)?;
        if g.strict_prices {
            catalog.to_mut().allow_estimates(false);
        }
        if g.output == Output::Yaml && !matches!(cli.command, Command::Import { .. }) {
            return Err(crate::exit::UsageError(
                "-o yaml: only import writes YAML; accepted here: table, json".to_owned(),
            )
            .into());
        }
        let location = Location::parse(&g.state)?;
        let lease = crate::store::lease_from_env().map_err(crate::exit::UsageError)?;
        Ok(Self {
            file: g.file.clone(),
            state_path: g.state.clone(),
            store: crate::store::open(&location, lease),
            location,
            json: g.output == Output::Json,
            seed: g.seed,
            start_time: g.start_time,
            lock_timeout: std::time::Duration::from_secs(g.lock_timeout.secs()),
            keep_events: usize::try_from(g.keep_events).unwrap_or(usize::MAX),
            style: Style { width },
            command_line: std::env::args().skip(1).collect::<Vec<_>>().join(" "),
            definition,
            catalog,
            committed: std::cell::Cell::new(None),
        })
    }

    /// The definition, validated.
    fn definitions(&self) -> Result<Vec<SetDefinition>> {
        let defs = self.definition.definitions(&self.catalog)?;
        for note in defs.iter().flat_map(|d| &d.notes) {
            eprintln!("note: {note}");
        }
        Ok(defs)
    }

    /// The state as it is (no lock: a reader sees the old or the new file, never a mix).
    fn read_state(&self) -> Result<Option<State>> {
        Ok(self.store.load()?.0)
    }

    /// [`Context::read_state`] parsing only the sets in `scope`.
    fn read_state_in(&self, scope: &Scope) -> Result<Option<State>> {
        Ok(self.store.load_scoped(scope)?.0)
    }

    /// A fresh state for this run's seed and start time.
    fn new_state(&self) -> State {
        // The one place the wall clock is read: the default start of the logical clock.
        let start = self.start_time.unwrap_or_else(|| {
            let now = Timestamp::now().as_second();
            Timestamp::from_second(now - now.rem_euclid(60)).unwrap_or(Timestamp::UNIX_EPOCH)
        });
        let mut state = State::new(self.seed.unwrap_or(0), start);
        state.events.push(Event::new(
            start,
            None,
            EventKind::StateCreated,
            format!("state created (seed {}, lineage {})", state.seed, state.lineage),
        ));
        state
    }

    /// Read-modify-write under the lock. `change` returns the events of what it did; no events
    /// means nothing changed and nothing is written. An error leaves the state untouched.
    fn mutate<T>(&self, change: impl FnMut(&mut State) -> Result<(Vec<Event>, T)>) -> Result<(State, Vec<Event>, T)> {
        self.mutate_in(&Scope::All, change)
    }

    /// [`Context::mutate`] for a command that reads and changes only the sets in `scope`: the
    /// others are neither parsed nor re-serialised but written back as the bytes they were.
    fn mutate_in<T>(
        &self,
        scope: &Scope,
        change: impl FnMut(&mut State) -> Result<(Vec<Event>, T)>,
    ) -> Result<(State, Vec<Event>, T)> {
        self.transact_in(scope, change, |_, _| Ok(())).map(|(state, events, out, ())| (state, events, out))
    }

    /// [`Context::mutate`], with `stage` run after the change and before the commit: what it
    /// prepares (output files written to temporary names) exists before the state changes, so
    /// a failure there changes nothing.
    ///
    /// When the commit finds that someone else committed since the load (a writer that did not
    /// take the lock, or whose lease ran out), the whole transaction runs again on the new
    /// state, a few times with growing random pauses: no update is lost, none applied twice.
    fn transact<T, S>(
        &self,
        change: impl FnMut(&mut State) -> Result<(Vec<Event>, T)>,
        stage: impl FnMut(&State, &T) -> Result<S>,
    ) -> Result<(State, Vec<Event>, T, S)> {
        self.transact_in(&Scope::All, change, stage)
    }

    fn transact_in<T, S>(
        &self,
        scope: &Scope,
        mut change: impl FnMut(&mut State) -> Result<(Vec<Event>, T)>,
        mut stage: impl FnMut(&State, &T) -> Result<S>,
    ) -> Result<(State, Vec<Event>, T, S)> {
        const ATTEMPTS: u32 = 5;
        let mut attempt = 1;
        loop {
            match self.transact_once(scope, &mut change, &mut stage) {
                Err(e)
                    if attempt < ATTEMPTS
                        && e.downcast_ref::<crate::store::StoreError>()
                            .is_some_and(|e| matches!(e, crate::store::StoreError::Conflict { .. })) =>
                {
                    let pause = 50 * u64::from(attempt) + crate::store::jitter(100 * u64::from(attempt));
                    std::thread::sleep(std::time::Duration::from_millis(pause));
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    fn transact_once<T, S>(
        &self,
        scope: &Scope,
        change: &mut impl FnMut(&mut State) -> Result<(Vec<Event>, T)>,
        stage: &mut impl FnMut(&State, &T) -> Result<S>,
    ) -> Result<(State, Vec<Event>, T, S)> {
        let guard = self.store.lock(self.lock_timeout, &format!("scaleset {}", self.command_line))?;
        if let Some(previous) = guard.took_over_from() {
            eprintln!("note: took over the state lock last held by {previous}, which ended without releasing it");
        }
        let (existing, version) = self.store.load_scoped(scope)?;
        let mut state = match existing {
            Some(s) => {
                self.check_fixed_settings(&s)?;
                s
            }
            None => self.new_state(),
        };
        let (events, out) = change(&mut state)?;
        if !events.is_empty() {
            state.serial = state.serial.checked_add(1).ok_or_else(|| {
                crate::engine::EngineError::Limit(format!(
                    "the state's serial is at its maximum ({}); nothing was written",
                    state.serial
                ))
            })?;
            state.events.extend(events.iter().cloned());
            state.trim_events(self.keep_events);
            state.check().map_err(|e| {
                anyhow::anyhow!("internal error: the change would break the state ({e}); nothing was written")
            })?;
        }
        let staged = stage(&state, &out)?;
        // Nothing happened: nothing is written (and no state is created for it).
        if !events.is_empty() {
            self.store.commit(&version, &state)?;
            self.committed.set(Some(state.serial));
        }
        drop(guard);
        Ok((state, events, out, staged))
    }

    fn check_fixed_settings(&self, state: &State) -> Result<()> {
        if let Some(seed) = self.seed
            && seed != state.seed
        {
            bail!(
                "the state {} was created with seed {}; --seed {seed} cannot change it (the seed is fixed when the state is created)",
                self.state_path.display(),
                state.seed
            );
        }
        if let Some(start) = self.start_time
            && start != state.created_at
        {
            eprintln!("note: --start-time {start} ignored: the state already exists (its clock is at {})", state.clock);
        }
        Ok(())
    }

    /// Prints data: JSON or the table text.
    fn print(&self, json: &impl serde::Serialize, table: impl FnOnce() -> String) -> Result<()> {
        // Stdout is line-buffered: without a buffer, pretty JSON costs a write per line.
        let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
        let written = if self.json {
            serde_json::to_writer_pretty(&mut out, json)
                .map_err(std::io::Error::from)
                .and_then(|()| out.write_all(b"\n"))
        } else {
            out.write_all(table().as_bytes())
        };
        written.and_then(|()| out.flush()).map_err(|error| match self.committed.get() {
            // A reader that stopped reading (`| head`) is no failure worth reporting.
            Some(serial) if error.kind() != std::io::ErrorKind::BrokenPipe => {
                anyhow::Error::new(crate::exit::CommittedNotPrinted { serial, error })
            }
            _ => anyhow::Error::new(error),
        })
    }

    /// Tells the user what a change did (stderr), one line per event.
    fn report(events: &[Event]) {
        let mut err = std::io::stderr().lock();
        for e in events {
            if e.kind == EventKind::ClockAdvanced || e.kind == EventKind::StateCreated {
                continue;
            }
            let _ = match &e.scale_set {
                Some(set) => writeln!(err, "{set}: {}", e.message),
                None => writeln!(err, "{}", e.message),
            };
        }
    }
}

/// How a command that changed (or found nothing to change in) one set ends: what it did on
/// stderr, and with `-o json` the change report on stdout.
fn finish(ctx: &Context, state: &State, events: &[Event]) -> Result<ExitCode> {
    Context::report(events);
    if events.is_empty() {
        eprintln!("Nothing to change.");
    }
    if ctx.json {
        ctx.print(&ChangeReport::new(state, events), String::new)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// A set that must exist in the state.
fn set_not_found(state: Option<&State>, name: &str) -> crate::engine::EngineError {
    unknown_set(state.map(|s| s.scale_sets.names()).unwrap_or_default(), name)
}

/// No set of that name, with the nearest of `known` suggested.
fn unknown_set(known: Vec<&str>, name: &str) -> crate::engine::EngineError {
    crate::engine::EngineError::SetNotFound { name: name.to_owned(), hint: crate::suggest::hint(name, known) }
}

/// The prices of this run: the built-in catalog, overlaid with `--prices` or the definition's
/// `prices:` export (see `inputs::price_catalog`). Completions and the schema need none.
fn price_catalog(cli: &Cli, definition: &DefinitionFile) -> Result<Cow<'static, Catalog>> {
    // `prices update` replaces the cache it would otherwise read: nothing to price with.
    if matches!(
        cli.command,
        Command::Completions { .. }
            | Command::Schema
            | Command::Manpage
            | Command::State { .. }
            | Command::Import { .. }
            | Command::Prices { action: crate::cli::PricesAction::Update { .. } }
    ) {
        return Ok(Cow::Borrowed(Catalog::builtin()));
    }
    let (catalog, warnings) = crate::inputs::price_catalog(cli.global.prices.as_deref(), definition)?;
    for warning in warnings {
        eprintln!("warning: {warning}");
    }
    Ok(catalog)
}
