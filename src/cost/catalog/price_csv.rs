//! Reading the built-in price CSV files, through the `csv` crate (quotes, `""` inside quotes,
//! CRLF, a UTF-8 BOM), and parsing their fields.

#[allow(clippy::wildcard_imports)]
use super::*;

/// Non-blank records of `text` as (1-based line number, fields).
pub(super) fn csv_rows(text: &str) -> impl Iterator<Item = Result<(usize, Vec<String>), (usize, String)>> + '_ {
    let line = |p: Option<&csv::Position>| p.map_or(0, |p| crate::model::text::record_line(text, p.byte(), None));
    csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes()).into_records().filter_map(
        move |record| match record {
            Err(e) => Some(Err((line(e.position()), e.to_string()))),
            Ok(r) if r.iter().all(|f| f.trim().is_empty()) => None,
            // The catalog's rows are one line each: a field across lines is an unterminated quote.
            Ok(r) if r.iter().any(|f| f.contains(['\n', '\r'])) => {
                Some(Err((line(r.position()), "a quoted field runs across lines (an unterminated quote?)".to_owned())))
            }
            Ok(r) => Some(Ok((line(r.position()), r.iter().map(str::to_owned).collect()))),
        },
    )
}

/// A size or tier name: non-empty ASCII letters, digits and `_`, as Azure spells them.
pub(super) fn parse_name<'a>(column: &str, text: &'a str) -> Result<&'a str, CsvFieldError> {
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        Ok(text)
    } else {
        Err(CsvFieldError(format!("{column} {text:?} is not a name of ASCII letters, digits and '_'")))
    }
}

/// An Azure region name such as `eastus`: lower-case ASCII letters and digits, one per row.
pub(super) fn parse_region(text: &str) -> Result<&str, CsvFieldError> {
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()) {
        Ok(text)
    } else {
        Err(CsvFieldError(format!(
            "region {text:?} is not an Azure region name (lower-case letters and digits, one region per row)"
        )))
    }
}

/// A positive whole number such as a vCPU count.
pub(super) fn parse_count(column: &str, text: &str) -> Result<u32, CsvFieldError> {
    match text.parse::<u32>() {
        Ok(count) if count > 0 && text.bytes().all(|b| b.is_ascii_digit()) => Ok(count),
        _ => Err(CsvFieldError(format!("{column} {text:?} is not a positive whole number"))),
    }
}

/// A non-negative price, or `None` for an empty cell (no figure).
pub(super) fn parse_price(column: &str, text: &str) -> Result<Option<Money>, CsvFieldError> {
    if text.is_empty() {
        return Ok(None);
    }
    let price = Money::parse(text).map_err(|error| CsvFieldError(format!("{column}: {error}")))?;
    if price.is_negative() {
        return Err(CsvFieldError(format!("{column} {text:?} is negative")));
    }
    Ok(Some(price))
}
