//! Prices and costs: the built-in catalog, Retail Prices exports, and run rates by power state.
//! Money and accrual, the plain amounts, live in `model`.

pub mod catalog;
pub mod rates;
pub mod retail;
