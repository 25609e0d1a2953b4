//! Positions in text, for messages that name a line.

/// The 1-based line of the byte at `offset` in `text` (past the end: the last line).
#[must_use]
pub fn line_at(text: &str, offset: u64) -> usize {
    let end = usize::try_from(offset).unwrap_or(usize::MAX).min(text.len());
    1 + text.as_bytes()[..end].iter().filter(|b| **b == b'\n').count()
}

/// The 1-based line where a CSV record starts, from the offset the `csv` crate gives for it
/// (the end of the previous record: before its line break, blank lines and, with `comment`,
/// comment lines).
#[must_use]
pub fn record_line(text: &str, offset: u64, comment: Option<u8>) -> usize {
    let bytes = text.as_bytes();
    let mut at = usize::try_from(offset).unwrap_or(usize::MAX).min(bytes.len());
    loop {
        while at < bytes.len() && matches!(bytes[at], b'\r' | b'\n') {
            at += 1;
        }
        match comment {
            Some(c) if bytes.get(at) == Some(&c) => {
                while at < bytes.len() && bytes[at] != b'\n' {
                    at += 1;
                }
            }
            _ => break,
        }
    }
    line_at(text, at as u64)
}

#[cfg(test)]
mod tests {
    use super::{line_at, record_line};

    #[test]
    fn counts_line_feeds_before_the_offset() {
        assert_eq!(line_at("a\r\n\nb", 0), 1);
        assert_eq!(line_at("a\r\n\nb", 4), 3);
        assert_eq!(line_at("a\n", 99), 2);
    }

    #[test]
    fn a_record_starts_after_line_breaks_blank_lines_and_comments() {
        let text = "a,b\r\n\n x \n# note\n\ny,z\n";
        assert_eq!(record_line(text, 0, None), 1);
        assert_eq!(record_line(text, 3, None), 3);
        assert_eq!(record_line(text, 9, Some(b'#')), 6);
    }
}
