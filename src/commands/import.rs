//! `import`: reads the files, writes the definition (stdout or `--out`), and checks that what
//! it wrote validates before anything is written.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context as _, Result};

use super::Context;
use crate::exit::UsageError;
use crate::import::ImportError;
use crate::import::{Input, Options};

/// The most an input file may weigh.
const MAX_INPUT_BYTES: u64 = 64 << 20;

pub fn run(
    ctx: &Context,
    files: &[std::path::PathBuf],
    parameters: Option<&Path>,
    params: &[String],
    location: Option<String>,
    out: Option<&Path>,
) -> Result<ExitCode> {
    if let Some(out) = out {
        let protected = super::time::protected_files(ctx);
        crate::outputs::check(out, "--out", &protected)?;
    }
    let mut options = Options { params: BTreeMap::new(), location };
    if let Some(file) = parameters {
        options.params.extend(parameters_file(file)?);
    }
    for p in params {
        let (name, value) = p
            .split_once('=')
            .ok_or_else(|| UsageError(format!("--param '{p}' is not NAME=VALUE (accepted: --param vmss-name=web)")))?;
        options.params.insert(name.trim().to_owned(), value.to_owned());
    }
    let mut texts = Vec::new();
    for file in files {
        let bytes = crate::inputs::read_limited(file, MAX_INPUT_BYTES)
            .map_err(|e| ImportError(format!("{}: cannot read it: {e}", file.display())))?;
        let text = String::from_utf8(bytes).map_err(|e| {
            ImportError(format!("{}: not UTF-8 text (byte {})", file.display(), e.utf8_error().valid_up_to()))
        })?;
        texts.push((file.display().to_string(), text));
    }
    let inputs: Vec<Input<'_>> = texts.iter().map(|(name, text)| Input { name, text }).collect();
    let imported = crate::import::import(&inputs, &options).map_err(|e| ImportError(e.0))?;
    for warning in &imported.warnings {
        eprintln!("warning: {warning}");
    }
    // What was written must be a definition scaleset takes as it is.
    // Named as what it is until it is written: lines and columns refer to the text printed.
    if let Err(problems) =
        crate::spec::parse_definition("the imported definition", imported.yaml.as_bytes(), &ctx.catalog)
    {
        eprintln!("{}", imported.yaml);
        return Err(ImportError(format!(
            "the definition imported (above) does not validate; nothing was written:\n{problems}"
        ))
        .into());
    }
    if ctx.json {
        let doc = serde_json::json!({ "definition": imported.yaml, "scaleSets": imported.sets, "warnings": imported.warnings });
        ctx.print(&doc, String::new)?;
    } else if let Some(path) = out {
        let (staged, mut file) =
            crate::outputs::create(path).with_context(|| format!("cannot write {}", path.display()))?;
        file.write_all(imported.yaml.as_bytes()).and_then(|()| file.sync_all())?;
        drop(file);
        let shown = staged.publish()?;
        eprintln!("{} scale set(s) written to {}", imported.sets, shown.display());
    } else {
        ctx.print(&(), || imported.yaml.clone())?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The values of an ARM parameters file (`{"parameters": {"NAME": {"value": ...}}}`).
fn parameters_file(path: &Path) -> Result<BTreeMap<String, String>> {
    let bytes = crate::inputs::read_limited(path, MAX_INPUT_BYTES)
        .map_err(|e| ImportError(format!("{}: cannot read it: {e}", path.display())))?;
    let doc: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| ImportError(format!("{}:{}:{}: not JSON ({e})", path.display(), e.line(), e.column())))?;
    let Some(params) = doc.get("parameters").and_then(serde_json::Value::as_object) else {
        return Err(ImportError(format!(
            "{}: no `parameters` object; accepted: an ARM parameters file {{\"parameters\": {{\"NAME\": {{\"value\": ...}}}}}}",
            path.display()
        ))
        .into());
    };
    Ok(params
        .iter()
        .filter_map(|(k, v)| {
            let value = v.get("value")?;
            Some((k.clone(), value.as_str().map_or_else(|| value.to_string(), str::to_owned)))
        })
        .collect())
}
