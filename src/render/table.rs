//! Plain, aligned tables in the style of `kubectl get`: upper-case headers, no borders, columns
//! two spaces apart, so they read well, paste well and split well with `awk`.
//!
//! Guarantees:
//! - a value is never split across lines: a table wider than the terminal first drops columns
//!   in the order each table declares (the least useful first), then shortens the one column a
//!   table allows to be shortened (a message) with `…`, and says below the table what it left
//!   out; `-o json` always has every field;
//! - money columns are right-aligned with the same number of decimals on every row;
//! - in a pipe (no width) nothing is dropped or shortened: one line per row, fast for thousands
//!   of rows.

use std::borrow::Cow;

/// Settings decided once at the edge.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// Terminal width when stdout is a terminal.
    pub width: Option<u16>,
}

/// A cell: fixed words (states, yes/no) are borrowed, so large tables allocate only what varies.
pub type Cell = Cow<'static, str>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Align {
    Left,
    Right,
    /// Right-aligned, with the decimals of every `$` amount padded to the column's most.
    Money,
}

/// A table being built.
#[derive(Debug, Clone)]
pub struct Table {
    headers: Vec<Cell>,
    align: Vec<Align>,
    /// Columns that may be dropped to fit, the first dropped first.
    drop_order: Vec<usize>,
    /// The column that may be shortened to fit, after dropping.
    shorten: Option<usize>,
    rows: Vec<Vec<Cell>>,
    width: Option<u16>,
}

impl Table {
    /// Adds a row; missing cells are empty.
    pub fn add_row<S: Into<Cell>>(&mut self, row: impl IntoIterator<Item = S>) {
        self.rows.push(row.into_iter().map(Into::into).collect());
    }

    /// Right-aligns these columns (counts).
    #[must_use]
    pub fn right(mut self, columns: &[usize]) -> Self {
        for &c in columns {
            self.align[c] = Align::Right;
        }
        self
    }

    /// Right-aligns these money columns with fixed decimals.
    #[must_use]
    pub fn money(mut self, columns: &[usize]) -> Self {
        for &c in columns {
            self.align[c] = Align::Money;
        }
        self
    }

    /// The columns that may be dropped on a narrow terminal, the first dropped first.
    #[must_use]
    pub fn drop_first(mut self, columns: &[usize]) -> Self {
        self.drop_order = columns.to_vec();
        self
    }

    /// The column that may be shortened with `…` when dropping is not enough.
    #[must_use]
    pub fn shorten(mut self, column: usize) -> Self {
        self.shorten = Some(column);
        self
    }
}

/// A new table with the given headers: every column left-aligned and kept.
#[must_use]
pub fn new(headers: &[&str], style: Style) -> Table {
    Table {
        headers: headers.iter().map(|h| Cow::Owned(h.to_ascii_uppercase())).collect(),
        align: vec![Align::Left; headers.len()],
        drop_order: Vec::new(),
        shorten: None,
        rows: Vec::new(),
        width: style.width,
    }
}

fn cell_width(s: &str) -> usize {
    s.chars().count()
}

/// Decimals of a money cell (`$1,234.5` has 1), if it is one.
fn decimals(cell: &str) -> Option<usize> {
    let amount = cell.trim_start_matches(['+', '-']);
    amount.starts_with('$').then(|| amount.split_once('.').map_or(0, |(_, f)| f.len()))
}

/// Pads the money cells of a column to the same number of decimals.
fn normalise_money(rows: &mut [Vec<Cell>], column: usize) {
    let most = rows.iter().filter_map(|r| r.get(column)).filter_map(|c| decimals(c)).max().unwrap_or(0);
    for row in rows.iter_mut() {
        if let Some(cell) = row.get_mut(column)
            && let Some(have) = decimals(cell)
            && have < most
        {
            let mut padded = cell.to_string();
            if have == 0 {
                padded.push('.');
            }
            padded.extend(std::iter::repeat_n('0', most - have));
            *cell = Cow::Owned(padded);
        }
    }
}

/// Shortens `cell` to `width` characters, ending with `…`.
fn shortened(cell: &str, width: usize) -> Cell {
    if cell_width(cell) <= width {
        return Cow::Owned(cell.to_owned());
    }
    let mut out: String = cell.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    Cow::Owned(out)
}

/// The table as text, one line per row, trailing spaces trimmed.
#[must_use]
pub fn render(table: &Table) -> String {
    let columns = table.headers.len().max(table.rows.iter().map(Vec::len).max().unwrap_or(0));
    let mut rows = table.rows.clone();
    for c in 0..columns {
        if table.align.get(c) == Some(&Align::Money) {
            normalise_money(&mut rows, c);
        }
    }
    let mut widths = vec![0usize; columns];
    for row in std::iter::once(&table.headers).chain(&rows) {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell_width(cell));
        }
    }
    let mut shown: Vec<bool> = vec![true; columns];
    let total = |shown: &[bool], widths: &[usize]| -> usize {
        let kept: Vec<usize> = (0..columns).filter(|i| shown[*i]).map(|i| widths[i]).collect();
        kept.iter().sum::<usize>() + 2 * kept.len().saturating_sub(1)
    };
    let mut dropped = Vec::new();
    let mut shortened_to = None;
    if let Some(limit) = table.width.map(usize::from) {
        for &c in &table.drop_order {
            if total(&shown, &widths) <= limit {
                break;
            }
            shown[c] = false;
            dropped.push(table.headers[c].to_string());
        }
        if let Some(c) = table.shorten
            && total(&shown, &widths) > limit
        {
            let others = total(&shown, &widths) - widths[c];
            // Keep at least a readable stub of the column.
            let room = limit.saturating_sub(others).max(cell_width(&table.headers[c])).max(12);
            if room < widths[c] {
                widths[c] = room;
                shortened_to = Some((table.headers[c].to_string(), room));
                for row in &mut rows {
                    if let Some(cell) = row.get_mut(c) {
                        *cell = shortened(cell, room);
                    }
                }
            }
        }
    }
    let mut out = String::with_capacity((total(&shown, &widths) + 1) * (rows.len() + 1));
    for row in std::iter::once(&table.headers).chain(&rows) {
        let start = out.len();
        let mut first = true;
        for (i, width) in widths.iter().enumerate() {
            if !shown[i] {
                continue;
            }
            let cell = row.get(i).map_or("", |c| c.as_ref());
            if !first {
                out.push_str("  ");
            }
            first = false;
            let pad = width.saturating_sub(cell_width(cell));
            let right = table.align.get(i).is_some_and(|a| *a != Align::Left);
            if right {
                out.extend(std::iter::repeat_n(' ', pad));
                out.push_str(cell);
            } else {
                out.push_str(cell);
                out.extend(std::iter::repeat_n(' ', pad));
            }
        }
        let trimmed = out[start..].trim_end().len();
        out.truncate(start + trimmed);
        out.push('\n');
    }
    if !dropped.is_empty() || shortened_to.is_some() {
        let width = table.width.unwrap_or(0);
        let mut what = Vec::new();
        if !dropped.is_empty() {
            what.push(format!("hidden to fit {width} columns: {}", dropped.join(", ")));
        }
        if let Some((header, room)) = shortened_to {
            what.push(format!("{header} cut to {room} characters"));
        }
        let note = format!("({}; -o json has every field)", what.join("; "));
        out.push_str(&wrap_words(&note, usize::from(width).max(20)));
    }
    out
}

/// A note folded at word boundaries to `width`, one line each.
fn wrap_words(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && cell_width(&line) + 1 + cell_width(word) > width {
            out.push_str(&line);
            out.push('\n');
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push_str(&line);
    out.push('\n');
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
    fn money_is_right_aligned_with_fixed_decimals() {
        let mut t = new(&["Set", "Cost"], Style { width: None }).money(&[1]);
        t.add_row(["web", "$1,210.5"]);
        t.add_row(["api", "$0.288"]);
        t.add_row(["old", "-$3"]);
        assert_eq!(render(&t), "SET        COST\nweb  $1,210.500\napi      $0.288\nold     -$3.000\n");
    }

    #[test]
    fn narrow_terminals_drop_columns_then_shorten_never_wrap() {
        let mut t = new(&["Time", "Set", "Kind", "Message"], Style { width: Some(40) }).drop_first(&[2]).shorten(3);
        t.add_row(["2026-01-05T08:00:00Z", "web", "ScaleOut", "scaled out from 3 to 5: created 3, 4"]);
        let out = render(&t);
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines.len() >= 3, "{out}");
        assert!(lines[..2].iter().all(|l| l.chars().count() <= 40), "{out}");
        assert!(lines[1].starts_with("2026-01-05T08:00:00Z  web"), "values stay whole: {out}");
        assert!(lines[1].ends_with('…'), "{out}");
        assert!(out.contains("hidden to fit 40 columns: KIND"), "{out}");
        assert!(out.lines().all(|l| l.chars().count() <= 40), "the note folds too: {out}");
        // In a pipe: everything, whole.
        let mut t = new(&["Time", "Message"], Style { width: None }).shorten(1);
        t.add_row(["2026-01-05T08:00:00Z".to_owned(), "x".repeat(300)]);
        assert_eq!(render(&t).lines().nth(1).unwrap().len(), 20 + 2 + 300);
    }
}
