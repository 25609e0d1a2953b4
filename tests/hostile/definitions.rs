//! The corpus of bad definitions (`tests/corpus/definitions/`): syntax errors, wrong types,
//! unknown and duplicate keys, deep nesting, alias bombs, huge and negative numbers, invalid
//! UTF-8, empty files, binary garbage. Each is refused by `validate`, `plan` and `apply` with
//! exit 65 and a message that says where and what, never a panic; the state is not touched,
//! and none is created.

use super::{clean_failure, corpus, corpus_files};
use crate::support::{Env, STATE, WEB};

/// (file, fragments the message must hold). The fragments name the place (file:line:col, or
/// the set and field) and the problem.
type Case = (&'static str, &'static [&'static str]);

const SYNTAX: &[Case] = &[
    ("syntax-unclosed-flow.yaml", &["scalesets.yaml:2:5: unclosed bracket '{'"]),
    ("syntax-bad-indent.yaml", &["scalesets.yaml:3:5: missing field `sku`"]),
    ("syntax-tab-indent.yaml", &["scalesets.yaml:2:11: while scanning a plain scalar, found a tab"]),
    ("syntax-unterminated-quote.yaml", &["scalesets.yaml:2:11: unclosed quote"]),
    ("syntax-stray-colon.yaml", &["scalesets.yaml:2:14: mapping values are not allowed in this context"]),
    ("multiple-documents.yaml", &["scalesets.yaml:6:1: the file holds more than one YAML document ('---')"]),
    ("complex-key.yaml", &["scalesets.yaml:2:7: expected string scalar"]),
    ("top-level-list.yaml", &["scalesets.yaml:1:1: expected a mapping (key: value lines or { key: value })"]),
    ("top-level-scalar.yaml", &["scalesets.yaml:1:1: expected a mapping"]),
    ("null-scalesets.yaml", &["scalesets.yaml:1:10: scaleSets: expected a list"]),
];

const TYPES: &[Case] = &[
    ("wrong-type-capacity.yaml", &["scalesets.yaml:5:15: capacity: expected a whole number"]),
    ("wrong-type-scalesets-map.yaml", &["scalesets.yaml:2:3: scaleSets: expected a list"]),
    ("wrong-type-zones.yaml", &["scalesets.yaml:5:12: zones: expected a list"]),
    ("wrong-type-bool.yaml", &["scalesets.yaml:6:20: invalid boolean (strict mode expects true/false)"]),
    ("wrong-type-name-list.yaml", &["scalesets.yaml:2:11: expected string scalar"]),
    ("custom-tag.yaml", &["scalesets.yaml:5:21: capacity: expected a whole number"]),
];

const KEYS: &[Case] = &[
    ("unknown-key-top.yaml", &["scalesets.yaml:1:1: unknown key 'scaleSet'; did you mean 'scaleSets'?"]),
    ("unknown-key-set.yaml", &["scalesets.yaml:5:5: unknown key 'capacityy'; did you mean 'capacity'?"]),
    ("duplicate-key-set.yaml", &["scalesets.yaml:6:5: duplicate key 'capacity' (each key may appear only once)"]),
    ("duplicate-key-top.yaml", &["scalesets.yaml:5:1: duplicate key 'scaleSets' (each key may appear only once)"]),
    (
        "duplicate-set-name.yaml",
        &[
            "scalesets.yaml:5:5: scale set 'WEB': name: duplicate scale set name (names are case-insensitive, as in Azure)",
        ],
    ),
];

/// Nesting and alias expansion: refused early, in bounded time and memory.
const BOMBS: &[Case] = &[
    ("deep-nesting-flow.yaml", &["scalesets.yaml:5:12: expected string scalar"]),
    ("deep-nesting-block.yaml", &["scalesets.yaml:6:7: load: expected a list"]),
    ("alias-bomb-top-level.yaml", &["scalesets.yaml:1:1: unknown key 'a' (accepted: scaleSets, prices, budget)"]),
    (
        "alias-bomb-nested.yaml",
        &["scalesets.yaml:9:16: invalid type: sequence, expected a zone", "(used at line 9, column 16)"],
    ),
    (
        "alias-bomb-quadratic.yaml",
        &["scalesets.yaml:6:", "the YAML expands to too much (a limit of the YAML reader was reached: ScalarBytes"],
    ),
    ("alias-undefined.yaml", &["scalesets.yaml:3:13: alias references unknown anchor"]),
    ("alias-merge-keys.yaml", &["scalesets.yaml:8:15: capacity: expected a whole number"]),
];

const NUMBERS: &[Case] = &[
    ("huge-number-capacity.yaml", &["scalesets.yaml:5:15: capacity: expected a whole number"]),
    ("huge-float-capacity.yaml", &["scalesets.yaml:5:15: capacity: expected a whole number"]),
    (
        "negative-capacity.yaml",
        &["scalesets.yaml:5:5: scale set 'web': capacity: -1 is negative (accepted: 0 to 1000)"],
    ),
    (
        "overflow-capacity-u32.yaml",
        &[
            "scalesets.yaml:5:5: scale set 'web': capacity: 4294967296 is above the limit: a scale set holds at most 1000 VMs",
        ],
    ),
    ("overflow-capacity-i64.yaml", &["scalesets.yaml:5:15: capacity: expected a whole number"]),
    ("capacity-above-limit.yaml", &["scalesets.yaml:6:5: scale set 'web': capacity: 101 is above the limit"]),
    (
        "autoscale-min-above-max.yaml",
        &["scale set 'web': autoscale.profiles[0].capacity: minimum 10 is greater than maximum 2"],
    ),
    ("autoscale-huge-capacity.yaml", &["scalesets.yaml:8:44: capacity: expected a whole number"]),
    (
        "duration-overflow.yaml",
        &["scalesets.yaml:5:23: invalid duration '99999999999999999999d': the number is too large"],
    ),
    ("duration-negative.yaml", &["scalesets.yaml:5:23: invalid duration '-5m'"]),
    ("percent-out-of-range.yaml", &["maxBatchInstancePercent: 1000000000000 is out of range (accepted: 5 to 100)"]),
    ("budget-negative.yaml", &["scalesets.yaml:1:23: -5 is negative; a budget is 0 or more US dollars"]),
];

const ENCODING: &[Case] = &[
    ("invalid-utf8.yaml", &["scalesets.yaml:3:17: the file is not valid UTF-8"]),
    ("utf16.yaml", &["scalesets.yaml:1:1: the file is not valid UTF-8"]),
    ("binary-garbage.bin", &["scalesets.yaml:1:2: the file is not valid UTF-8"]),
    ("nul-byte.yaml", &["scalesets.yaml:2:14: unexpected character: `\\u{0}'"]),
    ("empty.yaml", &["scalesets.yaml: the file is empty; it needs a top-level 'scaleSets:' list"]),
    ("only-comments.yaml", &["scalesets.yaml: the file is empty"]),
    ("whitespace-only.yaml", &["scalesets.yaml: the file is empty"]),
    // Terminal escapes in a name are shown inert, never sent to the terminal.
    ("control-characters.yaml", &["name: 'we\\u{7}b\\u{1b}[31m' contains '\\u{7}'"]),
    ("very-long-name.yaml", &["scalesets.yaml:2:5: scale set 'wwwwwwww", "name: "]),
];

const SEMANTICS: &[Case] = &[
    (
        "unknown-sku-and-region.yaml",
        &[
            "scalesets.yaml:3:5: scale set 'web': region: unknown region 'eastuss'; did you mean 'eastus'?",
            "scalesets.yaml:4:5: scale set 'web': sku: unknown VM size 'Standard_D2s_v55'; did you mean one of",
            "2 problems in scalesets.yaml",
        ],
    ),
    (
        "zones-out-of-range.yaml",
        &["zones: '0' is not a zone", "zones: '4' is not a zone", "zones: '99999999999' is not a zone"],
    ),
    (
        "many-problems.yaml",
        &[
            "scale set 'web': zoneBalance: needs more than one zone",
            "scalesets.yaml:6:5: scale set 'web': capacity: 5000 is above the limit",
            "scalesets.yaml:7:5: scale set 'web': computerNamePrefix:",
            "scalesets.yaml:10:5: scale set 'api': region: unknown region 'mars'",
            "regularPriorityPercentageAboveBase: 150 is out of range",
        ],
    ),
    ("bad-timezone.yaml", &["unknown time zone 'Mars/Olympus_Mons'", "unknown day 'Caturday'", "4 problems"]),
    (
        "bad-condition.yaml",
        &["autoscale.profiles[0].rules[0].condition: condition 'Percentage CPU >>> seventy avg forever'"],
    ),
    // A device named as the price export is refused at once, never read forever.
    (
        "prices-not-a-file.yaml",
        &["scalesets.yaml:1:1: prices: retail prices export /dev/zero: it is a device, not a file"],
    ),
];

/// Runs every case of a group against a state that exists and against none.
fn check(cases: &[Case]) {
    check_with(cases, &[&["validate"], &["plan"], &["apply"]]);
}

/// As [`check`], with the given commands on the existing state.
fn check_with(cases: &[Case], commands: &[&[&str]]) {
    let with_state = Env::applied(WEB);
    let state = with_state.state_bytes();
    let without_state = Env::new();
    for (file, fragments) in cases {
        let bytes = std::fs::read(corpus("definitions").join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        with_state.define_bytes(&bytes);
        without_state.define_bytes(&bytes);
        for &args in commands {
            let out = clean_failure(with_state.run(args), 65, file);
            for fragment in *fragments {
                assert!(out.stderr.contains(fragment), "{file} {args:?}: stderr lacks {fragment:?}:\n{}", out.stderr);
            }
        }
        assert_eq!(with_state.state_bytes(), state, "{file}: the state is untouched");
        assert!(!with_state.exists("scalesets.state.json.backup"), "{file}: nothing was written");
        clean_failure(without_state.run(["apply"]), 65, file);
        assert!(!without_state.exists(STATE), "{file}: no state is created");
    }
}

trait DefineBytes {
    fn define_bytes(&self, bytes: &[u8]);
}

impl DefineBytes for Env {
    fn define_bytes(&self, bytes: &[u8]) {
        self.write(crate::support::DEFINITION, bytes);
    }
}

#[test]
fn syntax_errors() {
    check(SYNTAX);
}

#[test]
fn wrong_types() {
    check(TYPES);
}

#[test]
fn unknown_and_duplicate_keys() {
    check(KEYS);
}

#[test]
fn nesting_and_alias_bombs() {
    // Two commands only: each bomb costs the YAML reader about a second in a debug build.
    check_with(BOMBS, &[&["validate"], &["apply"]]);
}

#[test]
fn huge_negative_and_overflowing_numbers() {
    check(NUMBERS);
}

#[test]
fn encodings_empty_files_and_garbage() {
    check(ENCODING);
}

#[test]
fn semantic_problems_are_all_reported() {
    check(SEMANTICS);
}

#[test]
fn every_corpus_file_has_an_expectation() {
    let mut listed: Vec<&str> =
        [SYNTAX, TYPES, KEYS, BOMBS, NUMBERS, ENCODING, SEMANTICS].iter().flat_map(|g| g.iter().map(|c| c.0)).collect();
    listed.sort_unstable();
    let files = corpus_files("definitions");
    assert_eq!(listed, files, "each file in tests/corpus/definitions is listed once in a group above");
}

#[test]
fn oversized_and_endless_definitions_are_refused_without_reading_them_whole() {
    let env = Env::applied(WEB);
    let state = env.state_bytes();
    // 17 MiB, sparse: refused from its size.
    let big = std::fs::File::create(env.path("big.yaml")).unwrap();
    big.set_len(17 * 1024 * 1024).unwrap();
    let out = clean_failure(env.run(["-f", "big.yaml", "validate"]), 65, "17 MiB definition");
    assert!(
        out.stderr
            .contains("cannot read definition file big.yaml: it is 17825792 bytes; a definition may be at most 16 MiB")
    );
    // A device gives bytes forever: refused before reading.
    let out = clean_failure(env.run(["-f", "/dev/zero", "apply"]), 65, "/dev/zero as the definition");
    assert_eq!(out.stderr, "error: cannot read definition file /dev/zero: it is a device, not a file\n");
    // The definition is a directory.
    std::fs::create_dir(env.path("defs")).unwrap();
    let out = clean_failure(env.run(["-f", "defs", "plan"]), 65, "a directory as the definition");
    assert!(out.stderr.contains("cannot read definition file defs: it is a directory, not a file"), "{}", out.stderr);
    assert_eq!(env.state_bytes(), state);
}
