//! Time zones for autoscale schedules: IANA names, UTC, and the Windows names Azure uses.
//!
//! The zone database is the one compiled into the binary, never the machine's, so a schedule
//! resolves the same way on every machine.

use jiff::tz::TimeZone;

/// Windows time zone names (as the Azure portal writes them) and their IANA equivalents.
const WINDOWS_ZONES: &[(&str, &str)] = &[
    ("UTC", "UTC"),
    ("Coordinated Universal Time", "UTC"),
    ("GMT Standard Time", "Europe/London"),
    ("Greenwich Standard Time", "Atlantic/Reykjavik"),
    ("W. Europe Standard Time", "Europe/Berlin"),
    ("Central Europe Standard Time", "Europe/Budapest"),
    ("Central European Standard Time", "Europe/Warsaw"),
    ("Romance Standard Time", "Europe/Paris"),
    ("E. Europe Standard Time", "Europe/Chisinau"),
    ("FLE Standard Time", "Europe/Kiev"),
    ("GTB Standard Time", "Europe/Bucharest"),
    ("Russian Standard Time", "Europe/Moscow"),
    ("Eastern Standard Time", "America/New_York"),
    ("Central Standard Time", "America/Chicago"),
    ("Mountain Standard Time", "America/Denver"),
    ("US Mountain Standard Time", "America/Phoenix"),
    ("Pacific Standard Time", "America/Los_Angeles"),
    ("Alaskan Standard Time", "America/Anchorage"),
    ("Hawaiian Standard Time", "Pacific/Honolulu"),
    ("Atlantic Standard Time", "America/Halifax"),
    ("E. South America Standard Time", "America/Sao_Paulo"),
    ("India Standard Time", "Asia/Kolkata"),
    ("China Standard Time", "Asia/Shanghai"),
    ("Tokyo Standard Time", "Asia/Tokyo"),
    ("Korea Standard Time", "Asia/Seoul"),
    ("Singapore Standard Time", "Asia/Singapore"),
    ("Arabian Standard Time", "Asia/Dubai"),
    ("AUS Eastern Standard Time", "Australia/Sydney"),
    ("New Zealand Standard Time", "Pacific/Auckland"),
    ("South Africa Standard Time", "Africa/Johannesburg"),
];

/// Resolves a time zone name, or says why it cannot.
///
/// # Errors
/// The name is neither an IANA name nor one of the Windows names listed above.
pub fn resolve(name: &str) -> Result<TimeZone, UnknownTimeZone> {
    let iana =
        WINDOWS_ZONES.iter().find(|(windows, _)| windows.eq_ignore_ascii_case(name)).map_or(name, |(_, iana)| *iana);
    jiff::tz::db().get(iana).map_err(|_| UnknownTimeZone(name.to_owned()))
}

/// A time zone name that is neither an IANA name nor a Windows name this tool knows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown time zone '{0}' (accepted: an IANA name such as Europe/Paris, UTC, or a Windows name such as {example})",
    example = WINDOWS_ZONES[2].0
)]
pub struct UnknownTimeZone(String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_iana_windows_and_utc() {
        assert!(resolve("Europe/Paris").is_ok());
        assert!(resolve("UTC").is_ok());
        assert!(resolve("Pacific Standard Time").is_ok());
        assert!(resolve("pacific standard time").is_ok());
        assert!(resolve("Mars/Olympus").is_err());
    }
}
