//! Plain, aligned tables in the style of `kubectl get`: upper-case headers, no borders, so they
//! read well, paste well and split well with `awk`. On a terminal they wrap to its width; in a
//! pipe they never wrap, so every row stays one line.

use comfy_table::{ContentArrangement, Table, presets};

/// Settings decided once at the edge.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// Terminal width when stdout is a terminal.
    pub width: Option<u16>,
}

/// A new table with the given headers.
#[must_use]
pub fn new(headers: &[&str], style: Style) -> Table {
    let mut t = Table::new();
    t.load_style(presets::NOTHING);
    t.set_header(headers.iter().map(|h| h.to_ascii_uppercase()));
    match style.width {
        Some(w) => {
            t.set_content_arrangement(ContentArrangement::Dynamic);
            t.set_width(w);
        }
        None => {
            t.set_content_arrangement(ContentArrangement::Disabled);
        }
    }
    t
}

/// The table as text, trailing spaces trimmed from each line.
#[must_use]
pub fn render(table: &Table) -> String {
    let mut out = String::new();
    for line in table.lines() {
        // The preset pads every cell by one space; the first column needs no left margin.
        let line = line.strip_prefix(' ').unwrap_or(&line);
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
