//! Criterion benchmarks of the engine's hot paths, through the library (no process, no file):
//! placement and scale-in on 1000 VMs, one autoscale evaluation, a simulated day and year, and
//! the state file at 10,000 VMs: the full parse and serialisation (what whole-state commands pay),
//! one set through the set index (one-set commands) and the summaries (`list`, `cost`).
//!
//! ```sh
//! cargo bench --bench engine                 # all
//! cargo bench --bench engine -- scale_in     # those whose name holds "scale_in"
//! ```
//!
//! BENCHMARKS.md records the figures of one run.

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use jiff::Timestamp;
use scaleset::cost::catalog::Catalog;
use scaleset::engine::{autoscale, capacity, clock};
use scaleset::model::duration::Duration;
use scaleset::model::state::{ScaleSet, State};
use scaleset::sim::load::{Load, parse_spec};

const START: &str = "2026-01-05T08:00:00Z";

/// A zonal Uniform set that may hold 1000 VMs, with the given scale-in policy and extra lines.
fn definition(name: &str, policy: &str, extra: &str) -> String {
    format!(
        "scaleSets:\n  - name: {name}\n    region: eastus\n    sku: Standard_D2s_v5\n    capacity: 0\n    \
         orchestrationMode: Uniform\n    singlePlacementGroup: false\n    overprovision: false\n    \
         zones: [1, 2, 3]\n    platformFaultDomainCount: 5\n    provisioningTime: 0s\n    \
         scaleInPolicy: {{ rules: [{policy}] }}\n{extra}"
    )
}

fn empty_set(policy: &str) -> ScaleSet {
    let defs =
        scaleset::spec::parse_definition("bench.yaml", definition("web", policy, "").as_bytes(), Catalog::builtin())
            .expect("valid definition");
    capacity::create_set(&defs[0], now()).expect("create").0
}

fn now() -> Timestamp {
    START.parse().expect("time")
}

fn set_of(policy: &str, vms: i64) -> ScaleSet {
    let mut set = empty_set(policy);
    capacity::scale_to(&mut set, vms, now(), "bench").expect("scale");
    set
}

fn placement(c: &mut Criterion) {
    let empty = empty_set("Default");
    c.bench_function("placement/scale_out_0_to_1000", |b| {
        b.iter_batched_ref(
            || empty.clone(),
            |set| capacity::scale_to(set, 1000, now(), "bench").expect("scale"),
            BatchSize::SmallInput,
        );
    });
    let almost = set_of("Default", 999);
    c.bench_function("placement/scale_out_999_to_1000", |b| {
        b.iter_batched_ref(
            || almost.clone(),
            |set| capacity::scale_to(set, 1000, now(), "bench").expect("scale"),
            BatchSize::SmallInput,
        );
    });
}

fn scale_in(c: &mut Criterion) {
    for policy in ["Default", "NewestVM", "OldestVM"] {
        let full = set_of(policy, 1000);
        c.bench_function(&format!("scale_in/{policy}_1000_to_100"), |b| {
            b.iter_batched_ref(
                || full.clone(),
                |set| capacity::scale_to(set, 100, now(), "bench").expect("scale"),
                BatchSize::SmallInput,
            );
        });
        c.bench_function(&format!("scale_in/{policy}_1000_to_999"), |b| {
            b.iter_batched_ref(
                || full.clone(),
                |set| capacity::scale_to(set, 999, now(), "bench").expect("scale"),
                BatchSize::SmallInput,
            );
        });
    }
    let full = set_of("Default", 1000);
    let victims: Vec<u32> = (0..1000).step_by(10).collect();
    c.bench_function("scale_in/delete_100_named_of_1000", |b| {
        b.iter_batched_ref(
            || full.clone(),
            |set| capacity::delete_instances(set, &victims, now()).expect("delete"),
            BatchSize::SmallInput,
        );
    });
}

const AUTOSCALE: &str = "    autoscale:\n      profiles:\n        - name: default\n          \
    capacity: { minimum: 2, maximum: 40, default: 4 }\n          rules:\n            \
    - { condition: \"Percentage CPU > 70 avg 5m\", scale: out 3, cooldown: 5m }\n            \
    - { condition: \"Percentage CPU < 25 avg 10m\", scale: in 1, cooldown: 10m }\n";

/// A state with one autoscaled set, its metric history filled by `warm_up` of diurnal load.
fn autoscaled_state(warm_up: &str) -> (State, Load) {
    let text = definition("web", "Default", AUTOSCALE).replace("capacity: 0", "capacity: 4");
    let defs = scaleset::spec::parse_definition("bench.yaml", text.as_bytes(), Catalog::builtin()).expect("valid");
    let mut state = State::new(1, now());
    state.insert_set(capacity::create_set(&defs[0], now()).expect("create").0);
    let load =
        Load { sources: vec![parse_spec("Percentage CPU=diurnal(50,900,14)+noise(20)", &["web"]).expect("load")] };
    let warm: Duration = warm_up.parse().expect("duration");
    clock::advance(&mut state, warm, Catalog::builtin(), &load, None).expect("advance");
    (state, load)
}

fn autoscale_and_time(c: &mut Criterion) {
    let (state, load) = autoscaled_state("2h");
    let set = state.scale_sets[0].clone();
    let at = state.clock;
    c.bench_function("autoscale/one_evaluation", |b| {
        b.iter_batched_ref(
            || set.clone(),
            |set| {
                let mut events = Vec::new();
                autoscale::step(set, at, &mut events);
                events
            },
            BatchSize::SmallInput,
        );
    });
    let minute: Duration = "1m".parse().expect("duration");
    c.bench_function("advance/one_minute_autoscaled", |b| {
        b.iter_batched_ref(
            || state.clone(),
            |state| clock::advance(state, minute, Catalog::builtin(), &load, None).expect("advance"),
            BatchSize::SmallInput,
        );
    });
    let (fresh, load) = autoscaled_state("0s");
    let day: Duration = "1d".parse().expect("duration");
    let mut group = c.benchmark_group("simulate");
    group.sample_size(20);
    group.bench_function("one_day_autoscaled_diurnal_load", |b| {
        b.iter_batched_ref(
            || fresh.clone(),
            |state| clock::advance(state, day, Catalog::builtin(), &load, None).expect("advance"),
            BatchSize::SmallInput,
        );
    });
    let year: Duration = "365d".parse().expect("duration");
    group.sample_size(10);
    group.bench_function("one_set_year_autoscaled_diurnal_load", |b| {
        b.iter_batched_ref(
            || fresh.clone(),
            |state| clock::advance(state, year, Catalog::builtin(), &load, None).expect("advance"),
            BatchSize::SmallInput,
        );
    });
    group.sample_size(20);
    let mut big = State::new(1, now());
    for k in 0..10 {
        let mut set = set_of("Default", 1000);
        set.config.name = format!("s{k:02}");
        big.insert_set(set);
    }
    group.bench_function("one_day_10_sets_of_1000_no_load", |b| {
        b.iter_batched_ref(
            || big.clone(),
            |state| clock::advance(state, day, Catalog::builtin(), &Load::default(), None).expect("advance"),
            BatchSize::LargeInput,
        );
    });
    group.finish();
}

fn state_file(c: &mut Criterion) {
    let mut state = State::new(1, now());
    for k in 0..10 {
        let mut set = set_of("Default", 1000);
        set.config.name = format!("s{k:02}");
        state.insert_set(set);
    }
    let bytes = scaleset::store::state_bytes(&state).expect("serialize");
    let path = std::path::Path::new("bench.state.json");
    let mut group = c.benchmark_group("state_file_10k_vms");
    group.sample_size(20);
    group.throughput(criterion::Throughput::Bytes(bytes.len() as u64));
    group.bench_function("parse_and_check", |b| {
        b.iter(|| scaleset::store::parse_state(path, black_box(&bytes)).expect("parse"));
    });
    group.bench_function("parse_one_set_through_the_index", |b| {
        let one = scaleset::store::Scope::set("s03");
        b.iter(|| scaleset::store::parse_state_scoped(path, black_box(&bytes), &one).expect("parse"));
    });
    group.bench_function("summaries_through_the_index", |b| {
        b.iter(|| scaleset::store::parse_summaries(path, black_box(&bytes)).expect("parse"));
    });
    group.bench_function("write_with_the_index", |b| {
        b.iter_batched_ref(
            || Vec::with_capacity(bytes.len()),
            |out| scaleset::store::write_state_json(out, black_box(&state), None).expect("serialize"),
            BatchSize::LargeInput,
        );
    });
    group.bench_function("serialize", |b| {
        b.iter_batched_ref(
            || Vec::with_capacity(bytes.len()),
            |out| serde_json::to_writer(out, black_box(&state)).expect("serialize"),
            BatchSize::LargeInput,
        );
    });
    group.finish();
}

criterion_group!(benches, placement, scale_in, autoscale_and_time, state_file);
criterion_main!(benches);
