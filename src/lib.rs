//! `scaleset`: Azure Virtual Machine Scale Sets, modelled locally and deterministically.
//!
//! A functional core (`spec`, `model`, `engine`, `cost`) and an imperative shell
//! (`commands`, `store`, `render`). The core never touches files, the wall clock or OS
//! randomness: the same definition, commands and seed give byte-identical results.

pub mod cli;
pub mod commands;
pub mod cost;
pub mod engine;
pub mod exit;
pub mod model;
pub mod render;
pub mod sim;
pub mod spec;
pub mod store;
