//! One VM of a scale set, as the state file records it.
//!
//! Only what cannot be derived is stored: the name and computer name follow from the set and
//! the ID, which keeps a state of 100,000 VMs small and quick to read.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::enums::{Health, PowerState, Priority, ProvisioningState};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Instance {
    /// Never reused within a set.
    pub id: u32,
    /// Zone number, or `None` for a regional VM.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<u8>,
    pub fault_domain: u8,
    pub priority: Priority,
    pub power_state: PowerState,
    pub provisioning_state: ProvisioningState,
    pub health: Health,
    pub model_version: u32,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub protect_from_scale_in: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub protect_from_scale_set_actions: bool,
    pub created_at: Timestamp,
    /// When the VM last changed state (create, update, repair): starts the repair grace period.
    pub state_changed_at: Timestamp,
    /// When the current operation (and its transitional state) ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub busy_until: Option<Timestamp>,
    /// The operation in progress, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<Operation>,
    /// Created or restored by an automatic repair and not yet seen healthy: if it needs
    /// repairing again, that repair failed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub repaired: bool,
}

super::named_enum::named_enum! {
    /// An operation that takes logical time.
    pub enum Operation {
        Create => "Create",
        Start => "Start",
        Stop => "Stop",
        Deallocate => "Deallocate",
        Restart => "Restart",
        Reimage => "Reimage",
        Update => "Update",
    }
}

impl Instance {
    /// Whether this VM serves load: running, and not failed.
    #[must_use]
    pub fn is_serving(&self) -> bool {
        self.power_state == PowerState::Running && self.provisioning_state != ProvisioningState::Failed
    }

    /// Whether an operation is in progress.
    #[must_use]
    pub fn is_busy(&self) -> bool {
        self.busy_until.is_some()
    }
}
