//! `scaleset`: Azure Virtual Machine Scale Sets, modelled locally and deterministically.
//!
//! A functional core and an imperative shell, in layers that import only downwards:
//! - `model`: plain data (state, configurations, money, load descriptions); imports nothing;
//! - `sim`, `cost`, `spec`, `engine`: behaviour over the model (load and metrics, prices,
//!   the definition's parsing and validation, decisions);
//! - `report`: the documents commands print, as typed data; `render`: their text;
//! - `inputs`, `store`, `commands`, `cli`, `exit`: the shell, the only code that touches files.
//!
//! The core never touches files, the wall clock or OS randomness: the same definition,
//! commands and seed give byte-identical results.

pub mod cli;
pub mod commands;
pub mod completion;
pub mod cost;
pub mod engine;
pub mod exit;
pub mod export;
pub mod import;
pub mod inputs;
pub mod model;
pub mod outputs;
pub mod prices_api;
pub mod render;
pub mod report;
pub mod sim;
pub mod spec;
pub mod store;
pub mod suggest;
pub mod sweep;
