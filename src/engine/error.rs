//! Why the engine refused a request. A refused request changes nothing.

/// A request the engine refused, with everything needed to say why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    #[error("scale set '{name}' does not exist{hint}")]
    SetNotFound { name: String, hint: String },
    #[error("scale set '{name}' already exists (use apply or scale to change it)")]
    SetExists { name: String },
    #[error("scale set '{name}' is not in the definition {file}{hint}")]
    NotDefined { name: String, file: String, hint: String },
    #[error("scale set '{set}': capacity {requested} is above the limit of {limit}: {why}")]
    AboveLimit { set: String, requested: i64, limit: u32, why: String },
    #[error("scale set '{set}': capacity {requested} is negative")]
    Negative { set: String, requested: i64 },
    #[error(
        "scale set '{set}': cannot scale in from {from} to {to}: only {removable} VM(s) are not protected from scale-in; protected: {}",
        protected.join(", ")
    )]
    Protected { set: String, from: u32, to: u32, removable: u32, protected: Vec<String> },
    #[error(
        "scale set '{set}': refused by strict zone balance (zoneBalance: true): the change would leave {counts} (more than one VM apart)"
    )]
    ZoneImbalance { set: String, counts: String },
    #[error("scale set '{set}': no instance '{id}' (instances: {known})")]
    UnknownInstance { set: String, id: String, known: String },
    #[error("scale set '{set}': {message}")]
    Invalid { set: String, message: String },
    #[error("{0}")]
    Price(String),
    /// A counter or amount would leave its range (a serial, a model version, money, time).
    #[error("{0}")]
    Limit(String),
}
