//! Load from real metric exports: a CSV with a time column (any interval, RFC 3339 or
//! `YYYY-MM-DD HH:MM:SS`, UTC when no zone is given, the Azure portal's "Download to CSV" with
//! its preamble), or `az monitor metrics list -o json`. Each value column becomes a series;
//! the trace's options scale it, turn a per-instance average into total demand, align it, and say
//! how to read between points and past the end. Pure: the shell reads the file.

use jiff::Timestamp;

use crate::model::load::{MAX_LOAD_VALUE, Series, Signal, is_load_value};

use super::load::LoadError;

/// How a trace is read (`trace(FILE, key=value, ...)`).
#[derive(Debug, Clone, PartialEq)]
pub struct TraceOptions {
    /// The value column (CSV) or metric (JSON); the first one when not given.
    pub column: Option<String>,
    /// Multiplies every value (requests -> "CPU % of one VM").
    pub scale: f64,
    /// Values are a per-instance average over this many instances (total = value x instances).
    pub instances: Option<Instances>,
    /// Aligned to the export's timestamps rather than to the start of the run.
    pub absolute: bool,
    pub linear: bool,
    pub repeat: bool,
    /// `az monitor metrics list` aggregation: average, total, maximum, minimum, count.
    pub aggregation: String,
}

impl Default for TraceOptions {
    fn default() -> Self {
        Self {
            column: None,
            scale: 1.0,
            instances: None,
            absolute: false,
            linear: false,
            repeat: true,
            aggregation: "average".into(),
        }
    }
}

/// Where a per-instance trace's instance count comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Instances {
    /// The same count for every sample.
    Fixed(u32),
    /// A CSV column of the same file, read row by row (an export with the instance count beside
    /// the average).
    Column(String),
}

/// Time column names, in the order they are looked for.
const TIME_COLUMNS: [&str; 4] = ["timestamp", "time", "timegenerated", "timestamp (utc)"];

fn parse_time(text: &str) -> Option<Timestamp> {
    let t = text.trim().trim_matches('"');
    if let Ok(ts) = t.parse::<Timestamp>() {
        return Some(ts);
    }
    // No zone: UTC, as exports without one write it.
    let civil = t.replace(' ', "T");
    let civil = civil.parse::<jiff::civil::DateTime>().ok().or_else(|| {
        // Log Analytics' "Export to CSV": `1/5/2026, 8:00:00.000 AM` under `TimeGenerated [UTC]`.
        jiff::fmt::strtime::parse("%m/%d/%Y, %I:%M:%S%.f %p", t).ok()?.to_datetime().ok()
    })?;
    jiff::tz::TimeZone::UTC.to_timestamp(civil).ok()
}

/// Whether a header cell names the time column (`TimeGenerated [UTC]` as Log Analytics writes it).
fn is_time_column(cell: &str) -> bool {
    let lower = cell.to_ascii_lowercase();
    let name = lower.strip_suffix(" [utc]").unwrap_or(&lower);
    TIME_COLUMNS.contains(&name)
}

/// The series of one column from (time, value) pairs in file order.
fn series(
    file: &str,
    mut pairs: Vec<(Timestamp, Option<f64>, usize)>,
    opts: &TraceOptions,
) -> Result<Series, LoadError> {
    if pairs.iter().all(|p| p.1.is_none()) {
        return Err(LoadError(format!("{file}: the trace has no values")));
    }
    for w in pairs.windows(2) {
        if w[1].0 <= w[0].0 {
            return Err(LoadError(format!(
                "{file}:{}: time {} is not after the previous row's {}",
                w[1].2, w[1].0, w[0].0
            )));
        }
    }
    let start_second = pairs[0].0.as_second();
    let start = start_second.div_euclid(60);
    let factor = opts.scale
        * match opts.instances {
            Some(Instances::Fixed(n)) => f64::from(n),
            _ => 1.0,
        };
    let mut points = Vec::with_capacity(pairs.len());
    for (time, value, line) in pairs.drain(..) {
        let offset = u32::try_from((time.as_second() - start_second) / 60)
            .map_err(|_| LoadError(format!("{file}:{line}: the trace spans more than 8,000 years")))?;
        let value = value.map(|v| v * factor);
        if let Some(v) = value
            && !is_load_value(v)
        {
            return Err(LoadError(format!(
                "{file}:{line}: {v} (after scaling) is not a number from 0 to {MAX_LOAD_VALUE:e}"
            )));
        }
        // Two points in one minute: the later one counts.
        if points.last().is_some_and(|(m, _): &(u32, Option<f64>)| *m == offset) {
            points.pop();
        }
        points.push((offset, value));
    }
    Ok(Series { start, points, absolute: opts.absolute, linear: opts.linear, repeat: opts.repeat })
}

/// Reads a metric export into one signal per value column (column name, signal).
///
/// # Errors
/// Not a CSV with a time column nor `az monitor metrics` JSON; a missing column; a time that
/// does not parse or does not increase; a value that is not a number; no values at all. Each
/// names the file and, for CSV, the line and column.
pub fn parse(file: &str, text: &str, opts: &TraceOptions) -> Result<Vec<(String, Signal)>, LoadError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim_start().starts_with('{') {
        return parse_az_json(file, text, opts);
    }
    parse_csv(file, text, opts)
}

fn parse_csv(file: &str, text: &str, opts: &TraceOptions) -> Result<Vec<(String, Signal)>, LoadError> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let line_of = |p: Option<&csv::Position>| p.map_or(0, |p| crate::model::text::record_line(text, p.byte(), None));
    let mut header: Option<(Vec<String>, usize)> = None;
    let mut columns: Vec<(usize, String)> = Vec::new();
    let mut rows: Vec<Vec<(Timestamp, Option<f64>, usize)>> = Vec::new();
    // The column holding the instance count, for `instances=COLUMN`.
    let mut count_at: Option<usize> = None;
    let count_column = match &opts.instances {
        Some(Instances::Column(name)) => Some(name.as_str()),
        _ => None,
    };
    for record in reader.records() {
        let record = record.map_err(|e| LoadError(format!("{file}:{}: {e}", line_of(e.position()))))?;
        let line = line_of(record.position());
        let cells: Vec<String> = record.iter().map(|c| c.trim().to_owned()).collect();
        let Some((names, time_at)) = &header else {
            // The portal's file starts with a preamble: the header is the first row naming a
            // time column.
            if let Some(at) = cells.iter().position(|c| is_time_column(c)) {
                if let Some(name) = count_column {
                    let found = cells.iter().enumerate().position(|(i, c)| i != at && c.eq_ignore_ascii_case(name));
                    let have = cells.iter().enumerate().filter(|(i, _)| *i != at).map(|(_, c)| c.as_str());
                    count_at = Some(found.ok_or_else(|| {
                        LoadError(format!(
                            "{file}:{line}: instances={name}: no column '{name}'{}",
                            crate::suggest::hint(name, have)
                        ))
                    })?);
                }
                let wanted: Vec<(usize, String)> = cells
                    .iter()
                    .enumerate()
                    .filter(|(i, c)| *i != at && Some(*i) != count_at && !c.is_empty())
                    .filter(|(_, c)| opts.column.as_ref().is_none_or(|w| w.eq_ignore_ascii_case(c)))
                    .map(|(i, c)| (i, c.clone()))
                    .collect();
                if wanted.is_empty() {
                    let have =
                        cells.iter().enumerate().filter(|(i, _)| *i != at).map(|(_, c)| c.as_str()).collect::<Vec<_>>();
                    return Err(LoadError(match &opts.column {
                        Some(c) => format!("{file}:{line}: no column '{c}'{}", crate::suggest::hint(c, have)),
                        None => format!("{file}:{line}: no value column beside the time column"),
                    }));
                }
                rows = vec![Vec::new(); wanted.len()];
                columns = wanted;
                header = Some((cells.clone(), at));
            }
            continue;
        };
        let _ = names;
        let time_cell = cells.get(*time_at).map_or("", String::as_str);
        if time_cell.is_empty() && cells.iter().all(String::is_empty) {
            continue;
        }
        let time = parse_time(time_cell).ok_or_else(|| {
            LoadError(format!(
                "{file}:{line}:{}: '{time_cell}' is not a time (accepted: 2026-01-05T08:00:00Z, 2026-01-05 08:00:00 or 1/5/2026, 8:00:00.000 AM; \
                 for offsets in minutes, name the first column 'minute')",
                time_at + 1
            ))
        })?;
        let number = |at: usize| -> Result<Option<f64>, LoadError> {
            let cell = cells.get(at).map_or("", String::as_str);
            if cell.is_empty() {
                return Ok(None); // a gap: no data
            }
            Ok(Some(cell.parse::<f64>().ok().filter(|v| v.is_finite() && *v >= 0.0).ok_or_else(|| {
                LoadError(format!("{file}:{line}:{}: '{cell}' is not a non-negative number", at + 1))
            })?))
        };
        // A per-instance average times that row's instance count; no count, no data.
        let count = match count_at {
            Some(at) => number(at)?,
            None => Some(1.0),
        };
        for (k, (at, _)) in columns.iter().enumerate() {
            let value = number(*at)?.zip(count).map(|(v, n)| v * n);
            rows[k].push((time, value, line));
        }
    }
    if header.is_none() {
        return Err(LoadError(format!(
            "{file}: no header with a time column (accepted: {}, or 'minute' for offsets)",
            TIME_COLUMNS.join(", ")
        )));
    }
    columns
        .into_iter()
        .zip(rows)
        .map(|((_, name), pairs)| Ok((name, Signal::Series(series(file, pairs, opts)?))))
        .collect()
}

fn parse_az_json(file: &str, text: &str, opts: &TraceOptions) -> Result<Vec<(String, Signal)>, LoadError> {
    let fail = |m: String| LoadError(format!("{file}: {m}"));
    if let Some(Instances::Column(name)) = &opts.instances {
        return Err(fail(format!(
            "instances={name}: an instance-count column is read from a CSV; for `az monitor` JSON give instances=N"
        )));
    }
    let doc: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| fail(format!("not valid JSON ({e}); expected `az monitor metrics list -o json` output")))?;
    let metrics = doc["value"]
        .as_array()
        .ok_or_else(|| fail("no \"value\" array: expected `az monitor metrics list -o json` output".into()))?;
    let mut out = Vec::new();
    for (i, metric) in metrics.iter().enumerate() {
        let name = metric["name"]["value"].as_str().unwrap_or("").to_owned();
        if opts.column.as_ref().is_some_and(|c| !c.eq_ignore_ascii_case(&name)) {
            continue;
        }
        let data = metric["timeseries"][0]["data"]
            .as_array()
            .ok_or_else(|| fail(format!("value[{i}] ({name}): no timeseries[0].data")))?;
        let mut pairs = Vec::with_capacity(data.len());
        for (j, point) in data.iter().enumerate() {
            let at = format!("value[{i}].timeseries[0].data[{j}]");
            let time = point["timeStamp"]
                .as_str()
                .and_then(parse_time)
                .ok_or_else(|| fail(format!("{at}.timeStamp is not a time")))?;
            let value = match &point[opts.aggregation.as_str()] {
                serde_json::Value::Null => None,
                v => Some(
                    v.as_f64()
                        .filter(|v| v.is_finite() && *v >= 0.0)
                        .ok_or_else(|| fail(format!("{at}.{}: {v} is not a non-negative number", opts.aggregation)))?,
                ),
            };
            pairs.push((time, value, j + 1));
        }
        out.push((name.clone(), Signal::Series(series(file, pairs, opts)?)));
    }
    if out.is_empty() {
        let names: Vec<&str> = metrics.iter().filter_map(|m| m["name"]["value"].as_str()).collect();
        let wanted = opts.column.as_deref().unwrap_or("");
        return Err(fail(format!("no metric '{wanted}'{}", crate::suggest::hint(wanted, names))));
    }
    Ok(out)
}

impl Series {
    /// The value at `minute` minutes into the run (`absolute_minute` since the epoch), or
    /// `None` for a gap or past the end when the trace does not repeat.
    #[must_use]
    pub fn value(&self, minute: u64, absolute_minute: i64) -> Option<f64> {
        // The last value holds for one more interval, as every other value does.
        let n = self.points.len();
        let last = i64::from(self.points[n.checked_sub(1)?].0);
        let interval = if n >= 2 { last - i64::from(self.points[n - 2].0) } else { 1 };
        let span = last + interval.max(1);
        let mut t = if self.absolute { absolute_minute - self.start } else { i64::try_from(minute).ok()? };
        if self.repeat {
            t = t.rem_euclid(span);
        } else if t < 0 || t >= span {
            return None;
        }
        let t = u32::try_from(t).ok()?;
        let i = self.points.partition_point(|(m, _)| *m <= t);
        let (m0, v0) = *self.points.get(i.checked_sub(1)?)?;
        let v0 = v0?;
        if !self.linear {
            return Some(v0);
        }
        match self.points.get(i) {
            Some(&(m1, Some(v1))) if m1 > m0 => Some(v0 + (v1 - v0) * f64::from(t - m0) / f64::from(m1 - m0)),
            _ => Some(v0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series_of(signal: &Signal) -> &Series {
        match signal {
            Signal::Series(s) => s,
            other => panic!("not a series: {other:?}"),
        }
    }

    #[test]
    fn a_timestamped_csv_at_any_interval_holds_or_interpolates() {
        let text = "timestamp,cpu,requests\n2026-01-05T08:00:00Z,10,100\n2026-01-05 08:05:00,20,\n2026-01-05T08:15:00+00:00,40,300\n";
        let parsed = parse("t.csv", text, &TraceOptions::default()).unwrap();
        assert_eq!(parsed.len(), 2);
        let cpu = series_of(&parsed[0].1);
        assert_eq!(cpu.points, vec![(0, Some(10.0)), (5, Some(20.0)), (15, Some(40.0))]);
        assert_eq!(cpu.value(7, 0), Some(20.0), "held");
        let requests = series_of(&parsed[1].1);
        assert_eq!(requests.value(6, 0), None, "an empty cell is a gap: no data");
        let linear = TraceOptions { linear: true, ..TraceOptions::default() };
        let cpu = parse("t.csv", text, &linear).unwrap().remove(0).1;
        assert_eq!(series_of(&cpu).value(10, 0), Some(30.0));
        // The last value holds one interval (10 minutes here); past that, again from the start
        // or nothing.
        assert_eq!(series_of(&cpu).value(24, 0), Some(40.0));
        assert_eq!(series_of(&cpu).value(25, 0), Some(10.0));
        let once = TraceOptions { repeat: false, ..TraceOptions::default() };
        assert_eq!(series_of(&parse("t.csv", text, &once).unwrap()[0].1).value(25, 0), None);
    }

    #[test]
    fn an_instance_count_column_turns_each_average_into_that_rows_total() {
        let text = "time,avg,vms\n2026-01-05T08:00:00Z,50,2\n2026-01-05T08:01:00Z,40,5\n2026-01-05T08:02:00Z,30,\n";
        let opts = TraceOptions { instances: Some(Instances::Column("VMs".into())), ..TraceOptions::default() };
        let columns = parse("t.csv", text, &opts).unwrap();
        assert_eq!(columns.len(), 1, "the count column is not a metric");
        let s = series_of(&columns[0].1);
        assert_eq!((s.value(0, 0), s.value(1, 0), s.value(2, 0)), (Some(100.0), Some(200.0), None));
        let missing = TraceOptions { instances: Some(Instances::Column("count".into())), ..TraceOptions::default() };
        assert!(
            parse("t.csv", text, &missing)
                .unwrap_err()
                .to_string()
                .contains("t.csv:1: instances=count: no column 'count'")
        );
        let json = r#"{"value": []}"#;
        assert!(parse("m.json", json, &opts).unwrap_err().to_string().contains("give instances=N"));
    }

    #[test]
    fn per_instance_values_scale_to_total_demand_and_absolute_alignment_uses_the_clock() {
        let text = "Timestamp,Percentage CPU\n2026-01-05T08:00:00Z,50\n2026-01-05T09:00:00Z,70\n";
        let opts = TraceOptions {
            instances: Some(Instances::Fixed(4)),
            scale: 0.5,
            absolute: true,
            ..TraceOptions::default()
        };
        let s = parse("t.csv", text, &opts).unwrap().remove(0).1;
        let s = series_of(&s);
        let eight = Timestamp::from_second(1_767_600_000).unwrap().as_second() / 60; // 2026-01-05T08:00Z
        assert_eq!(s.start, eight);
        assert_eq!(s.value(999, eight + 30), Some(100.0), "50 x 4 instances x 0.5");
        assert_eq!(s.value(0, eight + 60), Some(140.0));
    }

    #[test]
    fn log_analytics_exports_are_read_in_utc() {
        let text =
            "TimeGenerated [UTC],avg_CounterValue\n\"1/5/2026, 8:00:00.000 AM\",10\n\"1/5/2026, 1:05:00.000 PM\",20\n";
        let s = parse("la.csv", text, &TraceOptions { absolute: true, ..TraceOptions::default() }).unwrap();
        let s = series_of(&s[0].1);
        let eight = Timestamp::from_second(1_767_600_000).unwrap().as_second() / 60; // 2026-01-05T08:00Z
        assert_eq!(s.start, eight);
        assert_eq!(s.points, vec![(0, Some(10.0)), (305, Some(20.0))]);
    }

    #[test]
    fn the_portals_preamble_is_skipped_and_az_json_is_read() {
        let portal = "\u{feff}\"Chart Title\",\"Percentage CPU (Avg)\"\n\"Time Range\",\"last day\"\n\n\"Timestamp\",\"web Percentage CPU (Avg)\"\n\"2026-01-05 08:00:00\",\"12.5\"\n\"2026-01-05 08:01:00\",\"13\"\n";
        let parsed = parse("p.csv", portal, &TraceOptions::default()).unwrap();
        assert_eq!(parsed[0].0, "web Percentage CPU (Avg)");
        assert_eq!(series_of(&parsed[0].1).points.len(), 2);
        let json = r#"{"value": [{"name": {"value": "Percentage CPU"}, "timeseries": [{"data": [
            {"timeStamp": "2026-01-05T08:00:00Z", "average": 30.5, "maximum": 90},
            {"timeStamp": "2026-01-05T08:05:00Z", "average": null},
            {"timeStamp": "2026-01-05T08:10:00Z", "average": 41}]}]}]}"#;
        let parsed = parse("m.json", json, &TraceOptions::default()).unwrap();
        assert_eq!(parsed[0].0, "Percentage CPU");
        assert_eq!(series_of(&parsed[0].1).points, vec![(0, Some(30.5)), (5, None), (10, Some(41.0))]);
        let max = TraceOptions { aggregation: "maximum".into(), ..TraceOptions::default() };
        assert_eq!(series_of(&parse("m.json", json, &max).unwrap()[0].1).points[0], (0, Some(90.0)));
    }

    #[test]
    fn bad_exports_name_the_file_line_and_column() {
        let err = |text: &str, opts: &TraceOptions| parse("t.csv", text, opts).unwrap_err().to_string();
        let d = TraceOptions::default();
        assert!(err("a,b\n1,2\n", &d).contains("no header with a time column"));
        assert!(err("time,cpu\nyesterday,1\n", &d).starts_with("t.csv:2:1: 'yesterday' is not a time"));
        assert!(
            err("time,cpu\n2026-01-05T08:00:00Z,x\n", &d).starts_with("t.csv:2:2: 'x' is not a non-negative number")
        );
        assert!(err("time,cpu\n2026-01-05T08:01:00Z,1\n2026-01-05T08:00:00Z,2\n", &d).contains("t.csv:3: time"));
        assert!(err("time,cpu\n2026-01-05T08:00:00Z,\n", &d).contains("no values"));
        let column = TraceOptions { column: Some("cpuu".into()), ..TraceOptions::default() };
        assert!(err("time,cpu\n2026-01-05T08:00:00Z,1\n", &column).contains("no column 'cpuu'; did you mean 'cpu'?"));
        assert!(parse("m.json", "{\"x\": 1}", &d).unwrap_err().to_string().contains("az monitor metrics"));
    }
}

/// A `--load` spec that reads a metric export: `[SET:]METRIC=trace(FILE[, key=value]...)` with
/// keys `column`, `scale`, `values` (`perInstance` or `total`), `instances`, `align` (`start` or
/// `absolute`), `between` (`hold` or `linear`), `repeat` (`true` or `false`) and `aggregation`
/// (for `az monitor metrics` JSON).
#[derive(Debug, Clone, PartialEq)]
pub struct TraceSpec {
    /// The left side as written (`web:Percentage CPU`), resolved against the run's sets later.
    pub target: String,
    pub file: String,
    pub options: TraceOptions,
}

/// The trace options from `key=value` pairs (a `--load` spec's or a definition's `trace:`).
///
/// # Errors
/// An unknown key or a value it does not accept, naming what would be.
pub fn trace_options<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<TraceOptions, String> {
    let mut options = TraceOptions::default();
    let mut per_instance = false;
    for (key, value) in pairs {
        let bad = |accepted: &str| format!("{key}={value}: accepted: {accepted}");
        match key {
            "column" | "metric" => options.column = Some(value.to_owned()),
            "scale" => {
                options.scale = value
                    .parse()
                    .ok()
                    .filter(|v: &f64| v.is_finite() && *v > 0.0 && *v <= crate::model::load::MAX_LOAD_VALUE)
                    .ok_or_else(|| bad("a positive number"))?;
            }
            "values" => match value.to_ascii_lowercase().as_str() {
                "perinstance" => per_instance = true,
                "total" => per_instance = false,
                _ => return Err(bad("perInstance or total")),
            },
            "instances" => {
                let numeric = value.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '+' || c == '.');
                options.instances = Some(if numeric {
                    Instances::Fixed(
                        value
                            .parse()
                            .ok()
                            .filter(|n| *n > 0)
                            .ok_or_else(|| bad("a whole number of 1 or more, or a column of the file"))?,
                    )
                } else if value.is_empty() {
                    return Err(bad("a whole number of 1 or more, or a column of the file"));
                } else {
                    Instances::Column(value.to_owned())
                });
            }
            "align" => {
                options.absolute = match value {
                    "start" => false,
                    "absolute" => true,
                    _ => return Err(bad("start or absolute")),
                }
            }
            "between" => {
                options.linear = match value {
                    "hold" => false,
                    "linear" => true,
                    _ => return Err(bad("hold or linear")),
                }
            }
            "repeat" => {
                options.repeat = match value {
                    "true" => true,
                    "false" => false,
                    _ => return Err(bad("true or false")),
                }
            }
            "aggregation" => match value {
                "average" | "total" | "maximum" | "minimum" | "count" => options.aggregation = value.to_owned(),
                _ => return Err(bad("average, total, maximum, minimum or count")),
            },
            other => {
                let keys = ["column", "scale", "values", "instances", "align", "between", "repeat", "aggregation"];
                return Err(format!("unknown option '{other}'{}", crate::suggest::hint(other, keys)));
            }
        }
    }
    if per_instance && options.instances.is_none() {
        return Err("values=perInstance needs instances=N (or instances=COLUMN): the average of how many VMs".into());
    }
    if !per_instance && options.instances.is_some() {
        return Err("instances=N goes with values=perInstance".into());
    }
    Ok(options)
}

/// Reads a trace spec; `None` when `spec` is not one.
///
/// # Errors
/// An unknown key or a value it does not accept, naming what would be.
pub fn trace_spec(spec: &str) -> Result<Option<TraceSpec>, LoadError> {
    let Some((target, right)) = spec.split_once('=') else { return Ok(None) };
    let Some(args) = right.trim().strip_prefix("trace(") else { return Ok(None) };
    let fail = |m: String| LoadError(format!("--load '{spec}': {m}"));
    let args = args.strip_suffix(')').ok_or_else(|| fail("trace(...) is not closed".into()))?;
    let mut parts = args.split(',').map(str::trim);
    let file = parts.next().filter(|f| !f.is_empty()).ok_or_else(|| fail("trace(FILE, ...) needs a file".into()))?;
    let pairs = parts.map(|part| part.split_once('=').map_or((part, "true"), |(k, v)| (k.trim(), v.trim())));
    let options = trace_options(pairs).map_err(fail)?;
    Ok(Some(TraceSpec { target: target.trim().to_owned(), file: file.to_owned(), options }))
}

#[cfg(test)]
mod spec_tests {
    use super::*;

    #[test]
    fn trace_specs_read_their_options() {
        let spec = trace_spec("web:Percentage CPU=trace(cpu.csv, column=avg, values=perInstance, instances=4, between=linear, align=absolute, repeat=false, scale=0.5)")
            .unwrap()
            .unwrap();
        assert_eq!(spec.target, "web:Percentage CPU");
        assert_eq!(spec.file, "cpu.csv");
        assert_eq!(spec.options.instances, Some(Instances::Fixed(4)));
        assert!(spec.options.linear && spec.options.absolute && !spec.options.repeat);
        assert_eq!(trace_spec("cpu=100").unwrap(), None);
        let err = |s: &str| trace_spec(s).unwrap_err().to_string();
        assert!(err("cpu=trace(a.csv, values=perInstance)").contains("needs instances=N"));
        assert!(err("cpu=trace(a.csv, betwen=linear)").contains("did you mean 'between'?"));
        assert!(err("cpu=trace(a.csv, align=late)").contains("accepted: start or absolute"));
        assert!(err("cpu=trace(a.csv").contains("not closed"));
    }
}
