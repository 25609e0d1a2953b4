//! How long operations take and what states a VM passes through.
//!
//! Every operation puts the VM in a transitional state until `busy_until`; the clock finishes
//! it. Times: create, reimage and model update take the set's `provisioningTime`; start, stop,
//! deallocate and restart take 30 seconds (Azure's are typically 20-60 s). A VM's health is
//! Unknown while it is not running and becomes what the set's health probe reports
//! (`probe_default`, Healthy unless a broken image is simulated) once it runs again.

use jiff::Timestamp;

use crate::model::duration::Duration;
use crate::model::enums::{Health, PowerState, ProvisioningState};
use crate::model::instance::{Instance, Operation};
use crate::model::state::ScaleSet;

/// Time of a power operation (start, stop, deallocate, restart).
pub const POWER_OPERATION_TIME: Duration = Duration::from_secs(30);

/// How long `op` takes on a VM of `set`.
#[must_use]
pub fn duration(set: &ScaleSet, op: Operation) -> Duration {
    match op {
        Operation::Create | Operation::Reimage | Operation::Update => set.config.provisioning_time,
        Operation::Start | Operation::Stop | Operation::Deallocate | Operation::Restart => POWER_OPERATION_TIME,
    }
}

/// Puts a VM into the transitional state of `op`. A zero duration finishes at once.
pub fn begin(inst: &mut Instance, op: Operation, now: Timestamp, duration: Duration, probe: Health) {
    match op {
        Operation::Create => {
            inst.power_state = PowerState::Creating;
            inst.provisioning_state = ProvisioningState::Creating;
        }
        Operation::Start | Operation::Restart => inst.power_state = PowerState::Starting,
        Operation::Stop => inst.power_state = PowerState::Stopping,
        Operation::Deallocate => inst.power_state = PowerState::Deallocating,
        Operation::Reimage | Operation::Update => {
            inst.power_state = PowerState::Starting;
            inst.provisioning_state = ProvisioningState::Updating;
        }
    }
    inst.health = Health::Unknown;
    inst.state_changed_at = now;
    inst.operation = Some(op);
    inst.busy_until = now.checked_add(duration.as_signed()).ok();
    if duration == Duration::ZERO {
        finish(inst, probe);
    }
}

/// Ends the operation in progress: the VM reaches its resting state. Returns the operation.
pub fn finish(inst: &mut Instance, probe: Health) -> Option<Operation> {
    let until = inst.busy_until.take()?;
    inst.power_state = match inst.power_state {
        PowerState::Creating | PowerState::Starting => PowerState::Running,
        PowerState::Stopping => PowerState::Stopped,
        PowerState::Deallocating => PowerState::Deallocated,
        other => other,
    };
    if matches!(inst.provisioning_state, ProvisioningState::Creating | ProvisioningState::Updating) {
        inst.provisioning_state = ProvisioningState::Succeeded;
    }
    inst.health = if inst.power_state == PowerState::Running { probe } else { Health::Unknown };
    inst.state_changed_at = until;
    inst.operation.take()
}
