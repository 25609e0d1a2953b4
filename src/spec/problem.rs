//! What is wrong with a definition: every problem found, each with where it is.

use std::fmt;

/// One problem in a definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line and column, when known.
    pub position: Option<(usize, usize)>,
    /// The scale set concerned, for semantic problems.
    pub scale_set: Option<String>,
    /// Which entry of `scaleSets` (0-based) the problem is in: names may repeat, so the name
    /// alone cannot say where a problem is.
    pub set_index: Option<usize>,
    /// The field path within the set (`capacity`, `autoscale.profiles[0].rules[1].scale`).
    pub field: Option<String>,
    /// What is wrong and what would be accepted.
    pub message: String,
}

/// A definition that could not be read or is invalid. Displayed one problem per line, each
/// prefixed with the file name (and line:column where known), as compilers do.
#[derive(Debug, thiserror::Error)]
pub enum DefinitionError {
    #[error("cannot read definition file {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("{}", render(path, problems))]
    Invalid { path: String, problems: Vec<Problem> },
}

fn render(path: &str, problems: &[Problem]) -> String {
    let mut out = String::new();
    for (i, p) in problems.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&p.display_in(path).to_string());
    }
    if problems.len() > 1 {
        out.push_str(&format!("\n{} problems in {path}", problems.len()));
    }
    out
}

impl Problem {
    /// Formats the problem with the file name in front.
    #[must_use]
    pub fn display_in<'a>(&'a self, path: &'a str) -> impl fmt::Display + 'a {
        struct D<'a>(&'a Problem, &'a str);
        impl fmt::Display for D<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let p = self.0;
                write!(f, "{}", self.1)?;
                if let Some((line, col)) = p.position {
                    write!(f, ":{line}:{col}")?;
                }
                f.write_str(": ")?;
                if let Some(set) = &p.scale_set {
                    write!(f, "scale set '{set}': ")?;
                }
                if let Some(field) = &p.field {
                    write!(f, "{field}: ")?;
                }
                f.write_str(&p.message)
            }
        }
        D(self, path)
    }
}
