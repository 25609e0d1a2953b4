//! The corpus of bad state files (`tests/corpus/states/`): truncated, garbage, binary, wrong
//! types, negative counts, duplicate instance IDs, broken invariants, a newer schemaVersion,
//! someone else's JSON, and a state whose backup belongs to another state (lineage mismatch).
//! Writers refuse each with exit 74 and a message naming the file and what is wrong; nothing is
//! written, not even a backup. `valid.json` is the state the others were made from: if it stops
//! loading, the schema has changed and the corpus needs making again from a fresh state.

use super::{clean_failure, corpus, corpus_files};
use crate::support::temporaries;
use crate::support::{Env, STATE, WEB};

/// (file, fragment of the message after "error: state file scalesets.state.json ").
const REFUSED: &[(&str, &str)] = &[
    ("truncated.json", "is not valid: EOF while parsing an object at line 73 column 15 (the file ends too early"),
    (
        "truncated-one-byte.json",
        "is not valid: EOF while parsing an object at line 151 column 0 (the file ends too early",
    ),
    ("empty.json", "is not valid: it is empty (0 bytes)"),
    ("whitespace.json", "is not valid: it is empty (5 bytes)"),
    ("garbage.json", "is not valid: expected ident at line 1 column 2 (the file is not JSON)"),
    ("binary.json", "is not valid: it is not UTF-8 text (byte 0)"),
    ("invalid-utf8.json", "is not valid: it is not UTF-8 text (byte 296)"),
    ("trailing-garbage.json", "is not valid: trailing characters at line 152 column 1"),
    ("two-documents.json", "is not valid: trailing characters at line 152 column 1"),
    ("deep-nesting.json", "is not valid: it nests deeper than any scaleset state (recursion limit exceeded"),
    ("duplicate-key.json", "is not valid: duplicate field `serial` at line 6 column 10"),
    ("wrong-type-serial.json", "is not valid: invalid type: string \"seven\", expected u64 at line 5 column 19"),
    ("wrong-type-scalesets.json", "is not valid: invalid type: map, expected a sequence at line 9 column 15"),
    ("wrong-type-instance.json", "is not valid: invalid type: string \"web_1\", expected struct Instance"),
    ("wrong-type-clock.json", "is not valid: failed to parse four digit integer as year"),
    ("negative-capacity.json", "is not valid: invalid value: integer `-3`, expected u32 at line 56 column 20"),
    ("negative-serial.json", "is not valid: invalid value: integer `-1`, expected u64 at line 5 column 14"),
    ("negative-next-id.json", "is not valid: invalid value: integer `-1`, expected u32"),
    ("negative-instance-id.json", "is not valid: invalid value: integer `-1`, expected u32"),
    ("huge-serial.json", "is not valid: invalid type: floating point `1.8446744073709552e+19`, expected u64"),
    ("float-overflow-serial.json", "is not valid: number out of range at line 5 column 17"),
    ("duplicate-instance-ids.json", "is not valid: scale set 'web' lists instance 1 twice or out of order"),
    ("instances-out-of-order.json", "is not valid: scale set 'web' lists instance 1 twice or out of order"),
    ("capacity-mismatch.json", "is not valid: scale set 'web' has capacity 7 but 3 instances"),
    ("id-not-below-next.json", "is not valid: scale set 'web': instance 2 is not below the next ID 2"),
    ("unknown-model-version.json", "is not valid: scale set 'web': instance 1 refers to unknown model version 9"),
    ("zone-not-in-set.json", "is not valid: scale set 'web': instance 1 is in zone 7, which the set does not use"),
    ("clock-before-creation.json", "is not valid: the clock 2020-01-01T00:00:00Z is before the creation time"),
    ("duplicate-set-name.json", "is not valid: scale set 'web' is listed twice or out of order"),
    ("unknown-power-state.json", "is not valid: unknown value 'Exploded' (accepted: Creating | Starting | Running"),
    ("bad-money.json", "is not valid: invalid amount \"a fortune\""),
    ("unknown-field.json", "is not valid: unknown field `colour`"),
    ("missing-lineage.json", "is not valid: missing field `lineage`"),
    ("newer-schema.json", "has schema version 3, newer than this scaleset reads (up to 2): upgrade scaleset"),
    ("newer-schema-new-shape.json", "has schema version 7, newer than this scaleset reads (up to 2): upgrade scaleset"),
    ("huge-schema-version.json", "has schema version 99999999999, newer than this scaleset reads"),
    ("other-format.json", "is not a scaleset state (its format is 'terraform-state'); refusing to overwrite it"),
    (
        "no-format.json",
        "is not a scaleset state (it has no \"format\": \"scaleset-state\" field); refusing to overwrite it",
    ),
    ("json-array.json", "is not a scaleset state (it is a JSON array, not an object)"),
    ("json-null.json", "is not a scaleset state (it is a JSON null, not an object)"),
    ("json-string.json", "is not a scaleset state (it is a JSON string, not an object)"),
];

/// Files of the corpus that load (the base, and a base with a byte-order mark) or come in a
/// pair (the lineage case), tested on their own below.
const SPECIAL: &[&str] = &["lineage-mismatch.json", "lineage-mismatch.json.backup", "utf8-bom.json", "valid.json"];

fn corpus_state(file: &str) -> Vec<u8> {
    std::fs::read(corpus("states").join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

#[test]
fn every_bad_state_is_refused_and_left_untouched() {
    let env = Env::with_definition(WEB);
    for (file, fragment) in REFUSED {
        let bytes = corpus_state(file);
        env.write(STATE, &bytes);
        let expected = format!("error: state file scalesets.state.json {fragment}");
        for args in [&["scale", "web", "--by=+1"][..], &["apply"], &["advance", "1m"], &["list"], &["cost"]] {
            let out = clean_failure(env.run(args), 74, file);
            assert!(out.stderr.starts_with(&expected), "{file} {args:?}:\n{}\nexpected: {expected}", out.stderr);
        }
        assert_eq!(env.state_bytes(), bytes, "{file}: left byte for byte as it was");
        assert!(!env.exists("scalesets.state.json.backup"), "{file}: not backed up as if it were ours");
        assert_eq!(temporaries(env.root()), Vec::<String>::new(), "{file}");
    }
}

#[test]
fn every_corpus_state_has_an_expectation() {
    let mut listed: Vec<&str> = REFUSED.iter().map(|c| c.0).chain(SPECIAL.iter().copied()).collect();
    listed.sort_unstable();
    assert_eq!(listed, corpus_files("states"), "each file in tests/corpus/states is listed once");
}

#[test]
fn the_corpus_base_state_still_loads() {
    let env = Env::with_definition(WEB);
    env.write(STATE, corpus_state("valid.json"));
    let out = env.run(["list", "-o", "json"]);
    assert_eq!(
        out.code, 0,
        "tests/corpus/states/valid.json no longer loads, so the state schema changed: make the corpus again \
         from a fresh state (the README in tests/corpus says how)\n{}",
        out.stderr
    );
    env.run(["scale", "web", "--by=+1"]).code(0).stderr_is("web: scaled out from 3 to 4: created 3\n");
}

#[test]
fn a_byte_order_mark_is_read_past_and_not_written_back() {
    let env = Env::with_definition(WEB);
    let bytes = corpus_state("utf8-bom.json");
    assert!(bytes.starts_with(b"\xef\xbb\xbf"));
    env.write(STATE, &bytes);
    env.run(["list"]).code(0).stdout_has("web");
    env.run(["scale", "web", "--by=+1"]).code(0);
    assert!(env.state_bytes().starts_with(b"{\"format\":\"scaleset-state\""));
    assert_eq!(env.read("scalesets.state.json.backup"), bytes, "the file as it was is the backup");
}

#[test]
fn a_backup_of_another_state_is_never_overwritten() {
    let env = Env::with_definition(WEB);
    let state = corpus_state("lineage-mismatch.json");
    let backup = corpus_state("lineage-mismatch.json.backup");
    env.write(STATE, &state);
    env.write("scalesets.state.json.backup", &backup);
    let message = "error: state file scalesets.state.json (lineage b8132c64-62f5-dd18-f5e7-e7c68039f582) and its \
        backup scalesets.state.json.backup (lineage 0badc0de-0000-4000-8000-000000000000) belong to different \
        states: the state file was replaced or re-created. Nothing was written, so the backup, the only copy of \
        the other state, is kept. To go on with this state, move the backup elsewhere; to restore the other \
        state, copy the backup over the state file\n";
    for args in [&["scale", "web", "--by=+1"][..], &["advance", "1m"], &["delete", "web", "--instances", "0"]] {
        clean_failure(env.run(args), 74, "lineage mismatch").stderr_is(message);
    }
    // Reading is fine, and so is a command that changes nothing.
    env.run(["list"]).code(0).stdout_has("web");
    env.run(["scale", "web", "--by=+0"]).code(0);
    assert_eq!(env.state_bytes(), state);
    assert_eq!(env.read("scalesets.state.json.backup"), backup);
    assert_eq!(temporaries(env.root()), Vec::<String>::new());

    // Moving the backup away, as the message says, lets the state go on.
    std::fs::rename(env.path("scalesets.state.json.backup"), env.path("other.json")).unwrap();
    env.run(["scale", "web", "--by=+1"]).code(0);
    assert_eq!(env.read("scalesets.state.json.backup"), state);
}

#[test]
fn a_state_made_anew_beside_an_old_backup_is_refused_until_the_backup_is_moved() {
    let env = Env::applied(WEB);
    env.run(["scale", "web", "--by=+1"]).code(0);
    let backup = env.read("scalesets.state.json.backup");
    std::fs::remove_file(env.path(STATE)).unwrap();
    // Another seed makes another lineage.
    let out = clean_failure(env.run_bare(["--seed", "9", "apply"]), 74, "re-created state");
    assert!(
        out.stderr.contains("belong to different states: the state file was replaced or re-created"),
        "{}",
        out.stderr
    );
    assert!(!env.exists(STATE), "nothing was created");
    assert_eq!(env.read("scalesets.state.json.backup"), backup);
}
