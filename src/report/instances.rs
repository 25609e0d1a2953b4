//! `instances NAME`: one row per VM, as the table shows it and as `-o json` prints it.

use serde::Serialize;

use crate::model::enums::{Health, PowerState, Priority, ProvisioningState};
use crate::model::names;
use crate::model::state::ScaleSet;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InstanceView {
    pub instance_id: String,
    pub name: String,
    pub computer_name: String,
    pub zone: Option<String>,
    pub fault_domain: u8,
    pub priority: Priority,
    pub power_state: PowerState,
    pub provisioning_state: ProvisioningState,
    pub health: Health,
    pub model_version: u32,
    pub latest_model_applied: bool,
    pub protect_from_scale_in: bool,
    pub protect_from_scale_set_actions: bool,
    pub created_at: jiff::Timestamp,
    pub sku: String,
}

#[must_use]
pub fn instances(set: &ScaleSet) -> Vec<InstanceView> {
    let name = &set.config.name;
    let mode = set.config.orchestration_mode;
    set.instances
        .iter()
        .map(|i| InstanceView {
            instance_id: i.id.to_string(),
            name: names::instance_name(name, mode, i.id),
            computer_name: names::computer_name(&set.config.computer_name_prefix, i.id),
            zone: i.zone.map(|z| z.to_string()),
            fault_domain: i.fault_domain,
            priority: i.priority,
            power_state: i.power_state,
            provisioning_state: i.provisioning_state,
            health: i.health,
            model_version: i.model_version,
            latest_model_applied: i.model_version == set.model_version,
            protect_from_scale_in: i.protect_from_scale_in,
            protect_from_scale_set_actions: i.protect_from_scale_set_actions,
            created_at: i.created_at,
            sku: set.model(i.model_version).map_or_else(String::new, |m| m.sku.clone()),
        })
        .collect()
}
