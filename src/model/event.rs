//! Entries of the activity log: every operation and automatic action, with its time and reason.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    pub time: Timestamp,
    /// The scale set concerned; `None` (null) for state-wide entries.
    #[serde(default)]
    pub scale_set: Option<String>,
    pub kind: EventKind,
    pub message: String,
    /// Instance IDs affected, in ascending order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub instances: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_capacity: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_capacity: Option<u32>,
    /// Why it happened: the command, the rule that fired, the policy that applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// VMs of this entry were deleted with `scaleInPolicy.forceDeletion`. Recorded only: in
    /// Azure it skips the graceful shutdown, which takes no logical time here either.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub force_deletion: bool,
}

impl Event {
    #[must_use]
    pub fn new(time: Timestamp, scale_set: Option<&str>, kind: EventKind, message: impl Into<String>) -> Self {
        Self {
            time,
            scale_set: scale_set.map(str::to_owned),
            kind,
            message: message.into(),
            instances: Vec::new(),
            old_capacity: None,
            new_capacity: None,
            reason: None,
            force_deletion: false,
        }
    }

    /// Marks VMs of this entry as force-deleted (and says so in the message) when `force` is set.
    #[must_use]
    pub fn with_force_deletion(mut self, force: bool) -> Self {
        if force {
            self.force_deletion = true;
            self.message.push_str(" (force deletion)");
        }
        self
    }

    #[must_use]
    pub fn with_instances(mut self, ids: impl IntoIterator<Item = u32>) -> Self {
        self.instances = ids.into_iter().map(|id| id.to_string()).collect();
        self
    }

    #[must_use]
    pub fn with_capacity(mut self, old: u32, new: u32) -> Self {
        self.old_capacity = Some(old);
        self.new_capacity = Some(new);
        self
    }

    #[must_use]
    pub fn with_reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }
}

super::named_enum::named_enum! {
    /// What kind of entry this is.
    pub enum EventKind {
        StateCreated => "StateCreated",
        ScaleSetCreated => "ScaleSetCreated",
        ScaleSetUpdated => "ScaleSetUpdated",
        ScaleSetDeleted => "ScaleSetDeleted",
        ModelUpdated => "ModelUpdated",
        ScaleOut => "ScaleOut",
        ScaleIn => "ScaleIn",
        InstancesDeleted => "InstancesDeleted",
        InstancesProvisioned => "InstancesProvisioned",
        ProtectionChanged => "ProtectionChanged",
        ClockAdvanced => "ClockAdvanced",
        Start => "Start",
        Stop => "Stop",
        Deallocate => "Deallocate",
        Restart => "Restart",
        Reimage => "Reimage",
        Update => "Update",
        OperationCompleted => "OperationCompleted",
        Evicted => "Evicted",
        HealthChanged => "HealthChanged",
        Overprovisioned => "Overprovisioned",
        RollingUpgradeStarted => "RollingUpgradeStarted",
        RollingUpgradeBatch => "RollingUpgradeBatch",
        RollingUpgradeCompleted => "RollingUpgradeCompleted",
        RollingUpgradeFaulted => "RollingUpgradeFaulted",
        RollingUpgradeCancelled => "RollingUpgradeCancelled",
        RepairStarted => "RepairStarted",
        RepairsSuspended => "RepairsSuspended",
        RepairsResumed => "RepairsResumed",
        AutoscaleScaleOut => "AutoscaleScaleOut",
        AutoscaleScaleIn => "AutoscaleScaleIn",
        AutoscaleFailed => "AutoscaleFailed",
        AutoscaleProfileChanged => "AutoscaleProfileChanged",
        MetricsUnavailable => "MetricsUnavailable",
        Flapping => "Flapping",
        FlappingOccurred => "FlappingOccurred",
    }
}
