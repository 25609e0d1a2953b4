//! The timeline CSV (`--timeline`): one row per minute and set, streamed to its writer as the
//! run records it, through the `csv` crate (a set or metric name with a comma or a quote is
//! quoted, so every row keeps its columns). Nothing is kept in memory.

use std::io::Write;

use crate::sim::record::Sample;

const HEADER: [&str; 9] =
    ["minute", "time", "scaleSet", "metric", "capacity", "serving", "demand", "perInstance", "unserved"];

/// Writes timeline rows; the first write error is kept and reported by [`TimelineWriter::finish`].
pub struct TimelineWriter<W: Write> {
    csv: csv::Writer<W>,
    error: Option<csv::Error>,
}

fn num(v: Option<f64>) -> String {
    v.map_or_else(String::new, |v| format!("{}", (v * 1000.0).round() / 1000.0))
}

impl<W: Write> TimelineWriter<W> {
    /// A writer that has written the header.
    pub fn new(out: W) -> Self {
        let mut csv = csv::Writer::from_writer(out);
        let error = csv.write_record(HEADER).err();
        Self { csv, error }
    }

    /// One row.
    pub fn row(&mut self, set: &str, metric: &str, x: &Sample) {
        if self.error.is_some() {
            return;
        }
        let record = [
            x.minute.to_string(),
            x.time.to_string(),
            set.to_owned(),
            metric.to_owned(),
            x.capacity.to_string(),
            x.serving.to_string(),
            num(x.demand),
            num(x.per_instance),
            num(Some(x.unserved)),
        ];
        self.error = self.csv.write_record(&record).err();
    }

    /// Flushes and hands back the writer.
    ///
    /// # Errors
    /// The first error met while writing, or flushing failed.
    pub fn finish(self) -> std::io::Result<W> {
        if let Some(error) = self.error {
            return Err(std::io::Error::other(error));
        }
        self.csv.into_inner().map_err(|e| std::io::Error::other(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_with_commas_and_quotes_keep_their_columns() {
        let mut w = TimelineWriter::new(Vec::new());
        let time = jiff::Timestamp::from_second(1_767_600_000).unwrap();
        let sample = Sample {
            minute: 0,
            time,
            capacity: 2,
            serving: 2,
            demand: Some(1.23456),
            per_instance: None,
            unserved: 0.0,
            profile: None,
        };
        w.row("web", "a,\"b\"", &sample);
        let text = String::from_utf8(w.finish().unwrap()).unwrap();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let row = reader.records().next().unwrap().unwrap();
        assert_eq!(&row[3], "a,\"b\"");
        assert_eq!(&row[6], "1.235");
        assert_eq!(&row[7], "");
    }
}
