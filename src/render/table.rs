//! Plain, aligned tables in the style of `kubectl get`: upper-case headers, no borders, columns
//! two spaces apart, so they read well, paste well and split well with `awk`.
//!
//! In a pipe (or whenever the table fits) rows are laid out directly: one line per row, never
//! wrapped, fast for thousands of rows. On a terminal too narrow for the table, comfy-table
//! wraps cells so the table fits the terminal's width.

use std::borrow::Cow;

use comfy_table::{ContentArrangement, presets};

/// Settings decided once at the edge.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// Terminal width when stdout is a terminal.
    pub width: Option<u16>,
}

/// A cell: fixed words (states, yes/no) are borrowed, so large tables allocate only what varies.
pub type Cell = Cow<'static, str>;

/// A table being built.
#[derive(Debug, Clone)]
pub struct Table {
    headers: Vec<Cell>,
    rows: Vec<Vec<Cell>>,
    width: Option<u16>,
}

impl Table {
    /// Adds a row; missing cells are empty.
    pub fn add_row<S: Into<Cell>>(&mut self, row: impl IntoIterator<Item = S>) {
        self.rows.push(row.into_iter().map(Into::into).collect());
    }
}

/// A new table with the given headers.
#[must_use]
pub fn new(headers: &[&str], style: Style) -> Table {
    Table {
        headers: headers.iter().map(|h| Cow::Owned(h.to_ascii_uppercase())).collect(),
        rows: Vec::new(),
        width: style.width,
    }
}

fn cell_width(s: &str) -> usize {
    s.chars().count()
}

/// The table as text, one line per row, trailing spaces trimmed.
#[must_use]
pub fn render(table: &Table) -> String {
    let columns = table.headers.len().max(table.rows.iter().map(Vec::len).max().unwrap_or(0));
    let mut widths = vec![0usize; columns];
    for row in std::iter::once(&table.headers).chain(&table.rows) {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell_width(cell));
        }
    }
    let total: usize = widths.iter().sum::<usize>() + 2 * columns.saturating_sub(1);
    if let Some(w) = table.width
        && total > usize::from(w)
    {
        return render_wrapped(table, w);
    }
    let mut out = String::with_capacity((total + 1) * (table.rows.len() + 1));
    for row in std::iter::once(&table.headers).chain(&table.rows) {
        let start = out.len();
        for (i, width) in widths.iter().enumerate() {
            let cell = row.get(i).map_or("", |c| c.as_ref());
            if i > 0 {
                out.push_str("  ");
            }
            out.push_str(cell);
            for _ in cell_width(cell)..*width {
                out.push(' ');
            }
        }
        let trimmed = out[start..].trim_end().len();
        out.truncate(start + trimmed);
        out.push('\n');
    }
    out
}

/// comfy-table's layout for a terminal narrower than the table: cells wrap within columns.
fn render_wrapped(table: &Table, width: u16) -> String {
    let mut t = comfy_table::Table::new();
    t.load_style(presets::NOTHING);
    t.set_header(table.headers.iter().map(|h| h.to_string()));
    t.set_content_arrangement(ContentArrangement::Dynamic);
    t.set_width(width);
    for row in &table.rows {
        t.add_row(row.iter().map(|c| c.to_string()));
    }
    let mut out = String::new();
    for line in t.lines() {
        // The preset pads every cell by one space; the first column needs no left margin.
        let line = line.strip_prefix(' ').unwrap_or(&line);
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_two_spaces_apart_and_trimmed() {
        let mut t = new(&["Id", "Name"], Style { width: None });
        t.add_row(["0", "web_0"]);
        t.add_row(["10", "web_10"]);
        assert_eq!(render(&t), "ID  NAME\n0   web_0\n10  web_10\n");
    }

    #[test]
    fn narrow_terminals_wrap_instead_of_overflowing() {
        let mut t = new(&["Message"], Style { width: Some(20) });
        t.add_row(["a rather long message that cannot fit in twenty columns"]);
        let out = render(&t);
        assert!(out.lines().count() > 2, "{out}");
        assert!(out.lines().all(|l| l.chars().count() <= 20), "{out}");
    }
}
