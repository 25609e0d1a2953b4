//! "Did you mean ...?": the one place that finds near misses and words them. Names are
//! compared without regard to case by Levenshtein distance (`strsim`), so a typo or a case
//! slip (`standard_d2s_v5`) finds the name meant. Pure; imports nothing of the crate.

/// Up to three `candidates` closest to `input` by case-insensitive edit distance, best first,
/// ties broken by name; only those within `max(2, len / 3)` edits. A case-insensitive exact
/// match has distance 0 and so comes first. An empty input suggests nothing.
#[must_use]
pub fn nearest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let needle = input.to_lowercase();
    if needle.is_empty() {
        return Vec::new();
    }
    let limit = (needle.chars().count() / 3).max(2);
    let mut scored: Vec<(usize, &str)> = candidates
        .into_iter()
        .filter_map(|candidate| {
            let distance = strsim::levenshtein(&needle, &candidate.to_lowercase());
            (distance <= limit).then_some((distance, candidate))
        })
        .collect();
    scored.sort_unstable();
    scored.dedup();
    scored.into_iter().take(3).map(|(_, candidate)| candidate).collect()
}

/// `did you mean 'a'?` or `did you mean one of: a, b?`; empty when there is nothing near.
#[must_use]
pub fn did_you_mean(near: &[&str]) -> String {
    match near {
        [] => String::new(),
        [one] => format!("did you mean '{one}'?"),
        many => format!("did you mean one of: {}?", many.join(", ")),
    }
}

/// `; did you mean 'a'?` to append to a message; empty when there is nothing near.
#[must_use]
pub fn phrase_after(near: &[&str]) -> String {
    if near.is_empty() { String::new() } else { format!("; {}", did_you_mean(near)) }
}

/// `; did you mean 'a'?` after a message about `input`, or ` (known: a, b)` when nothing is
/// near; empty when nothing is known at all.
#[must_use]
pub fn hint<'a>(input: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    let known: Vec<&str> = known.into_iter().collect();
    match nearest(input, known.iter().copied()).as_slice() {
        [] if known.is_empty() => String::new(),
        [] => format!(" (known: {})", known.join(", ")),
        near => format!("; {}", did_you_mean(near)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_ranks_close_names_case_insensitively() {
        let sizes = ["Standard_D2s_v5", "Standard_D4s_v5", "Standard_B2s"];
        assert_eq!(nearest("standard_d2s_v5", sizes)[0], "Standard_D2s_v5");
        assert!(nearest("Standard_D2s_v4", sizes).contains(&"Standard_D2s_v5"));
        assert_eq!(nearest("westus3", ["westus", "westus2", "eastus"]), ["westus", "westus2"]);
        assert!(nearest("brazilsouth", ["westus", "eastus"]).is_empty());
        assert!(nearest("", ["a"]).is_empty());
        // Ties are broken by name, duplicates collapse, at most three come back.
        assert_eq!(nearest("ab", ["ac", "aa", "ab", "aa", "zz"]), ["ab", "aa", "ac"]);
    }

    #[test]
    fn phrases() {
        assert_eq!(did_you_mean(&[]), "");
        assert_eq!(did_you_mean(&["web"]), "did you mean 'web'?");
        assert_eq!(did_you_mean(&["a", "b"]), "did you mean one of: a, b?");
        assert_eq!(hint("wbe", ["web", "api"]), "; did you mean 'web'?");
        assert_eq!(hint("zzzzzz", ["web", "api"]), " (known: web, api)");
        assert_eq!(hint("web", []), "");
    }
}
