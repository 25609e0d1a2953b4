//! Instance protection (reference section 3): per VM, not part of the model.
//! protectFromScaleSetActions requires protectFromScaleIn, as Azure enforces.

use jiff::Timestamp;

use crate::model::event::{Event, EventKind};
use crate::model::state::ScaleSet;

use super::capacity::list;
use super::error::EngineError;

/// Sets or clears protection on the given VMs. `actions` also shields them from set-wide
/// actions; clearing always clears both.
///
/// # Errors
/// Never for resolved IDs; kept fallible for symmetry with the other operations.
pub fn set_protection(
    set: &mut ScaleSet,
    ids: &[u32],
    protect: bool,
    actions: bool,
    now: Timestamp,
) -> Result<Vec<Event>, EngineError> {
    let mut changed = Vec::new();
    for id in ids {
        let Some(k) = set.index_of(*id) else { continue };
        let inst = &mut set.instances[k];
        let (scale_in, set_actions) =
            if protect { (true, actions || inst.protect_from_scale_set_actions) } else { (false, false) };
        if inst.protect_from_scale_in != scale_in || inst.protect_from_scale_set_actions != set_actions {
            inst.protect_from_scale_in = scale_in;
            inst.protect_from_scale_set_actions = set_actions;
            changed.push(*id);
        }
    }
    if changed.is_empty() {
        return Ok(Vec::new());
    }
    changed.sort_unstable();
    let what = match (protect, actions) {
        (true, true) => "protected from scale-in and scale-set actions",
        (true, false) => "protected from scale-in",
        (false, _) => "no longer protected",
    };
    let name = set.config.name.clone();
    Ok(vec![
        Event::new(now, Some(&name), EventKind::ProtectionChanged, format!("{} {what}", list(&changed)))
            .with_instances(changed)
            .with_reason(if protect { "protect" } else { "unprotect" }),
    ])
}
