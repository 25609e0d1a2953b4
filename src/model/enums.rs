//! The enumerations shared by the definition and the state file, spelled as Azure spells them.

use super::named_enum::named_enum;

named_enum! {
    /// How the scale set manages its VMs; fixed at creation.
    pub enum OrchestrationMode { Uniform => "Uniform", Flexible => "Flexible" }
}

named_enum! {
    /// The operating system, which decides the licence part of the price.
    pub enum OsType { Linux => "linux", Windows => "windows" }
}

named_enum! {
    /// Which VMs a capacity reduction removes first (after zone balancing).
    pub enum ScaleInRule { Default => "Default", NewestVm => "NewestVM", OldestVm => "OldestVM" }
}

named_enum! {
    /// How model changes reach existing VMs.
    pub enum UpgradeMode { Manual => "Manual", Automatic => "Automatic", Rolling => "Rolling" }
}

named_enum! {
    /// Regular (pay-as-you-go) or Spot (evictable, discounted) capacity.
    pub enum Priority { Regular => "Regular", Spot => "Spot" }
}

named_enum! {
    /// What happens to a Spot VM when it is evicted.
    pub enum EvictionPolicy { Deallocate => "Deallocate", Delete => "Delete" }
}

named_enum! {
    /// What automatic repairs do to an unhealthy VM.
    pub enum RepairAction { Replace => "Replace", Restart => "Restart", Reimage => "Reimage" }
}

named_enum! {
    /// The power state of one VM. Transitional states last for logical time.
    pub enum PowerState {
        Creating => "Creating",
        Starting => "Starting",
        Running => "Running",
        Stopping => "Stopping",
        Stopped => "Stopped",
        Deallocating => "Deallocating",
        Deallocated => "Deallocated",
    }
}

impl PowerState {
    /// Whether compute is billed in this state (Azure bills from Starting until the VM is
    /// deallocated; Stopped VMs stay allocated and are billed).
    #[must_use]
    pub const fn compute_billed(self) -> bool {
        matches!(self, Self::Starting | Self::Running | Self::Stopping | Self::Stopped)
    }
}

named_enum! {
    /// The provisioning state of one VM.
    pub enum ProvisioningState {
        Creating => "Creating",
        Updating => "Updating",
        Succeeded => "Succeeded",
        Failed => "Failed",
        Deleting => "Deleting",
    }
}

named_enum! {
    /// What a health probe reports for one VM.
    pub enum Health { Healthy => "Healthy", Unhealthy => "Unhealthy", Unknown => "Unknown" }
}

named_enum! {
    /// Output format of data-printing commands.
    pub enum OutputFormat { Table => "table", Json => "json" }
}
