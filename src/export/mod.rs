//! `export`: the definition in the formats users deploy with: ARM templates ([`arm`]), Bicep
//! ([`bicep`], the same template in Bicep's syntax) and Terraform azurerm ([`terraform`]).

pub mod arm;
pub mod bicep;
pub mod terraform;

/// A managed disk tier as Azure creates it: the storage type and the tier's size in GiB
/// (`P10`: Premium_LRS, 128).
#[must_use]
pub fn disk(tier: &str) -> (&'static str, u32) {
    let storage = match tier.as_bytes().first() {
        Some(b'P') => "Premium_LRS",
        Some(b'E') => "StandardSSD_LRS",
        _ => "Standard_LRS",
    };
    let size = match tier.get(1..).and_then(|n| n.parse::<u32>().ok()).unwrap_or(10) {
        1 => 4,
        2 => 8,
        3 => 16,
        4 => 32,
        6 => 64,
        10 => 128,
        15 => 256,
        20 => 512,
        30 => 1024,
        40 => 2048,
        50 => 4096,
        60 => 8192,
        70 => 16384,
        _ => 32767,
    };
    (storage, size)
}
