//! Completions from the state: set names and instance IDs offered by the shell's completion
//! (`source <(COMPLETE=bash scaleset)`). Read from the state file the environment names
//! (`SCALESET_STATE`, else `scalesets.state.json` here): the completer sees only the word being
//! completed, not the rest of the command line. A missing or unreadable state offers nothing.

use clap_complete::CompletionCandidate;

fn state() -> Option<crate::model::state::State> {
    let path = std::env::var_os("SCALESET_STATE").unwrap_or_else(|| "scalesets.state.json".into());
    match crate::store::read_state(std::path::Path::new(&path)).ok()? {
        crate::store::Loaded::Present(state) => Some(state),
        crate::store::Loaded::Missing => None,
    }
}

/// The scale sets of the state.
#[must_use]
pub fn set_names() -> Vec<CompletionCandidate> {
    state()
        .map(|s| s.scale_sets.iter().map(|set| CompletionCandidate::new(set.config.name.clone())).collect())
        .unwrap_or_default()
}

/// The instance IDs of every set, each with its VM name as help, and `*` for all.
#[must_use]
pub fn instance_ids() -> Vec<CompletionCandidate> {
    let Some(state) = state() else { return Vec::new() };
    let mut out = vec![CompletionCandidate::new("*").help(Some("every instance".into()))];
    for set in &state.scale_sets {
        for i in &set.instances {
            let name = crate::model::names::instance_name(&set.config.name, set.config.orchestration_mode, i.id);
            out.push(CompletionCandidate::new(i.id.to_string()).help(Some(name.into())));
        }
    }
    out
}
