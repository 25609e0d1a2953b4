//! `export`: the definition in the formats users deploy with: ARM templates ([`arm`]) and
//! Terraform azurerm ([`terraform`]). Bicep is not built yet.

pub mod arm;
pub mod terraform;
