//! `apply -o json`: the new serial, the events of the change, the instances of each selected
//! set and the cost breakdown.

use serde::Serialize;

use crate::model::event::Event;
use crate::model::state::ScaleSet;

use super::cost::CostView;
use super::instances::{InstanceView, instances};

/// `{cost, events, scaleSets: [{instances, name}], serial}`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplyReport<'a> {
    pub cost: CostView,
    pub events: &'a [Event],
    pub scale_sets: Vec<SetInstances>,
    pub serial: u64,
}

/// One applied set and its VMs.
#[derive(Debug, Serialize)]
pub struct SetInstances {
    pub instances: Vec<InstanceView>,
    pub name: String,
}

impl SetInstances {
    #[must_use]
    pub fn of(set: &ScaleSet) -> Self {
        Self { instances: instances(set), name: set.config.name.clone() }
    }
}
