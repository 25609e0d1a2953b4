//! What commands print, as typed data: one `Serialize` struct per JSON document of the
//! contract (camelCase keys, money as decimal strings) and per table's rows, built from the
//! state, the definition and the catalog. Pure: no I/O, no formatting of text (that is
//! `render`), no orchestration (that is `commands`). The table and the JSON of a command come
//! from the same struct, so they cannot disagree.

pub mod apply;
pub mod budget;
pub mod change;
pub mod cost;
pub mod cost_change;
pub mod defined;
pub mod instances;
pub mod lifecycle;
pub mod plan;
pub mod sets;
pub mod simulation;
pub mod validate;
