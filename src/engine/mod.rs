//! Pure decisions: placement, scale-in choice, capacity changes, protection, power
//! operations, upgrades, repairs, plans and the clock. Input: state, request, logical time (and, where chance enters, a seeded generator);
//! output: the new state and the events that explain it. Nothing here reads a file, the wall
//! clock or the OS random source, so every decision is reproducible and testable.

pub mod autoscale;
pub mod capacity;
pub mod clock;
pub mod error;
pub mod lifecycle;
pub mod placement;
pub mod plan;
pub mod power;
pub mod priority_mix;
pub mod protect;
pub mod repair;
pub mod scale_in;
pub mod upgrade;

pub use error::EngineError;
