//! Names: scale sets, instances, computer names, images; and the stable hash that derives
//! identifiers (lineage, Flexible VM name suffixes) from the seed instead of the OS.

use super::enums::{OrchestrationMode, OsType};

/// A name, prefix or image reference Azure would refuse: what is wrong and what is accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidName(String);

/// Checks a scale set name: 1-64 characters, letters, digits, '-' and '_'.
///
/// # Errors
/// What is wrong and what is accepted.
pub fn check_set_name(name: &str) -> Result<(), InvalidName> {
    if name.is_empty() || name.len() > 64 {
        return Err(InvalidName(format!("'{name}' must be 1 to 64 characters long (it has {})", name.chars().count())));
    }
    if let Some(bad) = name.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_')) {
        return Err(InvalidName(format!("'{name}' contains '{bad}' (accepted: letters, digits, '-' and '_')")));
    }
    Ok(())
}

/// Checks a computer name prefix: 1-15 characters of letters, digits and '-', not all digits,
/// not starting with '-'; for Windows at most 9, since the 6-character suffix must fit in 15.
///
/// # Errors
/// What is wrong and what is accepted.
pub fn check_computer_name_prefix(prefix: &str, os: OsType) -> Result<(), InvalidName> {
    let len = prefix.chars().count();
    if len == 0 || len > 15 {
        return Err(InvalidName(format!("'{prefix}' must be 1 to 15 characters long (it has {len})")));
    }
    if os == OsType::Windows && len > 9 {
        return Err(InvalidName(format!(
            "'{prefix}' has {len} characters; Windows computer names are at most 15, so the prefix may have at most 9 (6 are the instance suffix)"
        )));
    }
    if let Some(bad) = prefix.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '-')) {
        return Err(InvalidName(format!("'{prefix}' contains '{bad}' (accepted: letters, digits and '-')")));
    }
    if prefix.starts_with('-') {
        return Err(InvalidName(format!("'{prefix}' must not start with '-'")));
    }
    if prefix.chars().all(|c| c.is_ascii_digit()) {
        return Err(InvalidName(format!("'{prefix}' must not be all digits")));
    }
    Ok(())
}

/// The prefix used when the definition gives none: the set name without '_', cut to 9
/// characters so that Windows computer names fit in 15; "vm" if nothing is left.
#[must_use]
pub fn default_computer_name_prefix(set_name: &str) -> String {
    let cleaned: String =
        set_name.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').skip_while(|c| *c == '-').take(9).collect();
    if cleaned.is_empty() || cleaned.chars().all(|c| c.is_ascii_digit()) {
        format!("vm{}", cleaned.chars().take(7).collect::<String>())
    } else {
        cleaned
    }
}

/// Checks an image reference: `publisher:offer:sku:version`, a resource ID, or an alias.
///
/// # Errors
/// What is wrong and what is accepted.
pub fn check_image(image: &str) -> Result<(), InvalidName> {
    if image.trim().is_empty() {
        return Err(InvalidName(
            "is empty (accepted: publisher:offer:sku:version, an image resource ID, or an alias such as Ubuntu2404)"
                .into(),
        ));
    }
    if image.contains(':') {
        let parts: Vec<&str> = image.split(':').collect();
        if parts.len() != 4 || parts.iter().any(|p| p.trim().is_empty()) {
            return Err(InvalidName(format!("'{image}' is not publisher:offer:sku:version (four non-empty parts)")));
        }
    } else if image.chars().any(char::is_whitespace) {
        return Err(InvalidName(format!("'{image}' contains spaces")));
    }
    Ok(())
}

/// `{prefix}{id in base 36, 6 characters}`, as Azure shows them (`web000004`).
#[must_use]
pub fn computer_name(prefix: &str, id: u32) -> String {
    let mut digits = [b'0'; 7];
    let mut n = id;
    let mut i = digits.len();
    while n > 0 {
        i -= 1;
        let d = u8::try_from(n % 36).unwrap_or(0);
        digits[i] = if d < 10 { b'0' + d } else { b'a' + d - 10 };
        n /= 36;
    }
    // Six characters hold every ID below 36^6 (2.1 billion); longer IDs keep all their digits.
    let start = i.min(digits.len() - 6);
    format!("{prefix}{}", std::str::from_utf8(&digits[start..]).unwrap_or("000000"))
}

/// The VM name: `{set}_{id}` for Uniform; `{set}_{8 hex}` for Flexible, the suffix derived
/// from the set name and ID so it is stable and needs no storage.
#[must_use]
pub fn instance_name(set: &str, mode: OrchestrationMode, id: u32) -> String {
    match mode {
        OrchestrationMode::Uniform => format!("{set}_{id}"),
        OrchestrationMode::Flexible => {
            let h = stable_hash(&[set.as_bytes(), &id.to_le_bytes()]);
            format!("{set}_{:08x}", h >> 32)
        }
    }
}

/// A fixed 64-bit hash (FNV-1a, then a splitmix64 finaliser). Stable across platforms and
/// releases, unlike `std`'s hasher, so derived names never change.
#[must_use]
pub fn stable_hash(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in *part {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h ^= 0xff;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn computer_names_are_base36_six_wide() {
        assert_eq!(computer_name("web", 4), "web000004");
        assert_eq!(computer_name("web", 35), "web00000z");
        assert_eq!(computer_name("web", 36), "web000010");
        assert_eq!(computer_name("web", 0), "web000000");
        assert_eq!(computer_name("w", u32::MAX), "w1z141z3");
    }

    #[test]
    fn instance_names() {
        assert_eq!(instance_name("web", OrchestrationMode::Uniform, 7), "web_7");
        let flex = instance_name("web", OrchestrationMode::Flexible, 7);
        assert_eq!(flex.len(), "web_".len() + 8);
        assert_eq!(flex, instance_name("web", OrchestrationMode::Flexible, 7));
        assert_ne!(flex, instance_name("web", OrchestrationMode::Flexible, 8));
    }

    #[test]
    fn default_prefixes() {
        assert_eq!(default_computer_name_prefix("web"), "web");
        assert_eq!(default_computer_name_prefix("my_long_scale_set"), "mylongsca");
        assert_eq!(default_computer_name_prefix("___"), "vm");
        assert_eq!(default_computer_name_prefix("123"), "vm123");
    }

    #[test]
    fn prefix_rules() {
        assert!(check_computer_name_prefix("web", OsType::Linux).is_ok());
        assert!(check_computer_name_prefix("abcdefghijklmnop", OsType::Linux).is_err());
        assert!(check_computer_name_prefix("abcdefghij", OsType::Windows).is_err());
        assert!(check_computer_name_prefix("12", OsType::Linux).is_err());
        assert!(check_computer_name_prefix("a_b", OsType::Linux).is_err());
    }
}
