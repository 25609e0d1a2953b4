//! The document every command that changes the state prints with `-o json`: the new serial,
//! the logical clock and the events of the change.

use jiff::Timestamp;
use serde::Serialize;

use crate::model::event::Event;
use crate::model::state::State;

/// `{serial, clock, events}`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangeReport<'a> {
    pub serial: u64,
    pub clock: Timestamp,
    pub events: &'a [Event],
}

impl<'a> ChangeReport<'a> {
    /// The report of `events`, just written to `state`.
    #[must_use]
    pub fn new(state: &State, events: &'a [Event]) -> Self {
        Self { serial: state.serial, clock: state.clock, events }
    }
}
