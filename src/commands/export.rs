//! `export`: the definition (validated) as an ARM template (`DIR/azuredeploy.json`), Bicep
//! (`DIR/main.bicep`) or a Terraform configuration (`DIR/main.tf`), or on stdout.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context as _, Result};

use super::Context;
use crate::cli::ExportFormat;

pub fn run(ctx: &Context, names: &[String], format: ExportFormat, out: Option<&Path>) -> Result<ExitCode> {
    let mut defs = ctx.definitions()?;
    for name in names {
        if !defs.iter().any(|d| &d.config.name == name) {
            let known: Vec<&str> = defs.iter().map(|d| d.config.name.as_str()).collect();
            return Err(crate::engine::EngineError::SetNotFound {
                name: name.clone(),
                hint: crate::suggest::hint(name, known),
            }
            .into());
        }
    }
    if !names.is_empty() {
        defs.retain(|d| names.contains(&d.config.name));
    }
    let (text, json, file_name) = if format == ExportFormat::Terraform {
        (crate::export::terraform::configuration(&defs), None, "main.tf")
    } else if format == ExportFormat::Bicep {
        (crate::export::bicep::file(&defs), None, "main.bicep")
    } else {
        let template = crate::export::arm::template(&defs);
        let mut text = serde_json::to_string_pretty(&template)?;
        text.push('\n');
        (text, Some(template), "azuredeploy.json")
    };
    match out {
        // A template is JSON either way; HCL is printed as it is.
        None => match &json {
            Some(template) => ctx.print(template, || text.clone())?,
            None => {
                let mut stdout = std::io::stdout().lock();
                stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush())?;
            }
        },
        Some(dir) => {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
            let path = dir.join(file_name);
            crate::outputs::check(&path, "--out", &super::time::protected_files(ctx))?;
            let (staged, mut file) =
                crate::outputs::create(&path).with_context(|| format!("cannot write {}", path.display()))?;
            file.write_all(text.as_bytes()).and_then(|()| file.sync_all())?;
            drop(file);
            eprintln!("{} scale set(s) written to {}", defs.len(), staged.publish()?.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}
