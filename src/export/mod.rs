//! `export`: the definition in Azure's own deployment formats. Today: ARM templates
//! ([`arm`]); Bicep and Terraform azurerm are not built yet.

pub mod arm;
