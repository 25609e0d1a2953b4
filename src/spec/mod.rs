//! The YAML definition (`scalesets.yaml`): its raw shape, loading with positions, and
//! validation into resolved scale set configurations.

pub mod condition;
pub mod load;
pub mod problem;
pub mod raw;
pub mod settings;
pub mod validate;

pub use load::{TraceTexts, parse_definition, parse_definition_with_traces, trace_files};
pub use problem::{DefinitionError, Problem};
pub use validate::SetDefinition;
