//! Prices and costs: exact money, the built-in catalog, run rates and accrual by power state.

pub mod accrual;
pub mod catalog;
pub mod money;
pub mod rates;
pub mod retail;
