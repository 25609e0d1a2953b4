//! Plain domain types: scale set configurations, the state, instances, events.
//! No I/O and no decisions here; the engine decides, the store persists.

pub mod accrual;
pub mod autoscale;
pub mod config;
pub mod duration;
pub mod enums;
pub mod event;
pub mod instance;
pub mod load;
pub mod metric_history;
pub mod money;
pub(crate) mod named_enum;
pub mod names;
pub mod set_summary;
pub mod state;
pub mod text;
pub mod timezone;
