//! The fuzzers' findings, kept: every file in `tests/corpus/fuzz/definition/` goes through the
//! definition loader and every file in `tests/corpus/fuzz/engine_ops/` through a command
//! sequence, with the same checks as the fuzz targets (`fuzz/harness.rs`). A few hand-made
//! sequences run too, so the harness itself is tested on every `cargo test`.

#[path = "../../fuzz/harness.rs"]
mod harness;

use super::corpus;

fn replay(target: &str, check: fn(&[u8])) -> usize {
    let dir = corpus("fuzz").join(target);
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "md") {
            continue;
        }
        let bytes = std::fs::read(&path).expect("read reproducer");
        let outcome = std::panic::catch_unwind(|| check(&bytes));
        assert!(outcome.is_ok(), "{} fails again", path.display());
        count += 1;
    }
    count
}

#[test]
fn definition_reproducers_pass() {
    let replayed = replay("definition", harness::definition);
    // The corpus definitions are inputs worth keeping too.
    for file in super::corpus_files("definitions") {
        harness::definition(&std::fs::read(corpus("definitions").join(file)).unwrap());
    }
    harness::definition(harness::SETS[0].as_bytes());
    eprintln!("replayed {replayed} definition reproducers");
}

#[test]
fn engine_reproducers_pass() {
    let replayed = replay("engine_ops", harness::engine_ops);
    eprintln!("replayed {replayed} engine reproducers");
}

#[test]
fn state_file_reproducers_pass() {
    let replayed = replay("state_file", harness::state_file);
    // Every hostile state of the corpus too: refused or read, never a panic.
    for file in super::corpus_files("states") {
        harness::state_file(&std::fs::read(corpus("states").join(file)).unwrap());
    }
    eprintln!("replayed {replayed} state file reproducers");
}

#[test]
fn import_reproducers_pass() {
    let replayed = replay("import", harness::import);
    for case in [
        &b"\x00{\"name\": \"web\", \"location\": \"East US\", \"sku\": {\"name\": \"Standard_D2s_v5\", \"capacity\": \"3\"}, \"virtualMachineProfile\": {}}"[..],
        b"\x00[{\"type\": \"Microsoft.Network/virtualNetworks\"}]",
        b"\x00{\"responses\": {\"200\": {\"body\": {\"value\": []}}}}",
        b"\x01concat(parameters('prefix'), '-', string(add(parameters('n'), 1)))",
        b"\x01variables('v').a[2]",
        b"\x01substring('abc', 1, 9223372036854775807)",
        b"\x01add(9223372036854775807, 1)",
        b"\x01reference('x').name",
        b"\x01concat('new\nline', '\x01')",
        b"\x01a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(",
    ] {
        harness::import(case);
    }
    eprintln!("replayed {replayed} import reproducers");
}

#[test]
fn input_and_prices_reproducers_pass() {
    let inputs = replay("inputs", harness::inputs);
    let prices = replay("prices_export", harness::prices_export);
    // A few hand-made cases, so the checks themselves run on every `cargo test`.
    for case in [
        &b"\x00minute,cpu\n0,5\n3,1e308\n"[..],
        b"\x01cpu=100+noise(1e308)",
        b"\x01web:q=diurnal(1,2,3)",
        b"\x02 99999999999999999999w",
        b"\x021h30m",
        b"\x039999-12-31T00:00:00Z",
        b"\x04123.456789",
        b"\x05timestamp,cpu\n2026-01-05T08:00:00Z,5\n2026-01-05 08:05:00,\n",
        b"\x05{\"value\": []}",
        b"\x06rules[*].threshold=60..90:7.5",
        b"\x06profiles[9].capacity.maximum=1,2",
        b"\x06rules[0].cooldown=1s..9999999w:1s",
        b"\x07unserved<=0.5%,actions<=4",
        b"\x07unserved<=1e999",
    ] {
        harness::inputs(case);
    }
    harness::prices_export(br#"{"Items": [{"retailPrice": 13e9}]}"#);
    harness::prices_export(std::fs::read(super::super::support::PRICES_FIXTURE).unwrap().as_slice());
    eprintln!("replayed {inputs} input and {prices} prices reproducers");
}

#[test]
fn command_sequences_never_touch_the_state_when_they_fail() {
    let replayed = replay("commands", harness::commands);
    // advance 17m with the SVG aimed at the state; simulate with the timeline at the lock;
    // scale; delete; an over-long advance; a cost gate; keep-events.
    harness::commands(&[0, 2, 1, 1, 3, 2, 2, 0, 7, 4, 0, 3, 0, 6, 0, 5, 0, 9, 6, 0, 4, 0, 4, 13]);
    eprintln!("replayed {replayed} command reproducers");
}

#[test]
fn hand_made_sequences_pass_the_engine_checks() {
    for set in 0..harness::SETS.len() as u8 {
        // scale to 40, protect 1 and 2, stop all, advance 10 min, scale to 2, delete 0, evict 3, advance 2h, scale to 0
        let ops = [set, 0, 0, 90, 3, 1, 1, 3, 4, 2, 0, 6, 2, 88, 1, 0, 52, 2, 0, 0, 5, 0, 3, 7, 28, 32, 0, 0, 50];
        harness::engine_ops(&ops);
    }
}
