//! .NET `DateTime` ticks, the representation of every `bigint` time stamp in both databases
//! (`chatDate`, `nodeAddedOn`, `prinAddedOn`, …).
//!
//! A tick is 100 ns; tick 0 is 0001-01-01 00:00:00 (proleptic Gregorian). Documented by
//! implication (schemas.md §3.9: the official sample queries convert `chatDate` with
//! `dbo.fnTicksToDate`). **Inferred (schemas.md §3.9): the values are UTC** — the schema pages
//! do not say so; the resource kit's UTC date filters and the legacy protocol's UTC server time
//! point that way. Every conversion here treats ticks as UTC.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

/// Ticks per second (1 tick = 100 ns).
pub const TICKS_PER_SECOND: i64 = 10_000_000;
/// Ticks per millisecond.
pub const TICKS_PER_MILLISECOND: i64 = 10_000;
/// Ticks per day (864 000 000 000).
pub const TICKS_PER_DAY: i64 = 86_400 * TICKS_PER_SECOND;
/// Ticks at the Unix epoch, 1970-01-01 00:00:00 UTC (621 355 968 000 000 000).
pub const UNIX_EPOCH_TICKS: i64 = 621_355_968_000_000_000;
/// Largest valid .NET tick value (9999-12-31 23:59:59.9999999).
pub const MAX_TICKS: i64 = 3_155_378_975_999_999_999;

/// Converts a UTC instant to ticks (sub-100-ns precision is truncated towards the past).
pub fn from_datetime(dt: DateTime<Utc>) -> i64 {
    let secs = dt.timestamp();
    let sub = i64::from(dt.timestamp_subsec_nanos()) / 100;
    UNIX_EPOCH_TICKS + secs * TICKS_PER_SECOND + sub
}

/// Converts ticks to a UTC instant; `None` when out of the .NET range (negative or past
/// 9999-12-31).
pub fn to_datetime(ticks: i64) -> Option<DateTime<Utc>> {
    if !(0..=MAX_TICKS).contains(&ticks) {
        return None;
    }
    let rel = ticks - UNIX_EPOCH_TICKS;
    let secs = rel.div_euclid(TICKS_PER_SECOND);
    let nanos = (rel.rem_euclid(TICKS_PER_SECOND) * 100) as u32;
    Utc.timestamp_opt(secs, nanos).single()
}

/// Ticks at midnight UTC of a calendar date.
pub fn from_date(date: NaiveDate) -> i64 {
    from_datetime(
        date.and_hms_opt(0, 0, 0)
            .expect("midnight exists")
            .and_utc(),
    )
}

/// Parses `YYYY-MM-DD` (the profile's `start_date`) to ticks at midnight UTC; `None` if the
/// text is not such a date.
pub fn parse_date(text: &str) -> Option<i64> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .ok()
        .map(from_date)
}

/// Formats ticks as RFC 3339 UTC with 100-ns precision (`2011-04-05T10:11:12.1234567Z`), or
/// `ticks:<n>` when out of range. Used in reports and differences.
pub fn format(ticks: i64) -> String {
    match to_datetime(ticks) {
        Some(dt) => format!(
            "{}.{:07}Z",
            dt.format("%Y-%m-%dT%H:%M:%S"),
            dt.timestamp_subsec_nanos() / 100
        ),
        None => format!("ticks:{ticks}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_epoch_constant_matches_calendar() {
        let epoch = Utc.with_ymd_and_hms(1970, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(from_datetime(epoch), UNIX_EPOCH_TICKS);
        // days since 0001-01-01 = 719 162 at the Unix epoch
        assert_eq!(UNIX_EPOCH_TICKS / TICKS_PER_DAY, 719_162);
    }

    #[test]
    fn sql_server_datetime_base_matches_schemas_md() {
        let base = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap();
        assert_eq!(from_date(base), 599_266_080_000_000_000);
        assert_eq!(from_date(base) / TICKS_PER_DAY, 693_595);
    }

    #[test]
    fn round_trip_keeps_100ns_precision() {
        for t in [
            0,
            1,
            UNIX_EPOCH_TICKS - 1,
            UNIX_EPOCH_TICKS,
            634_000_000_000_000_001,
            MAX_TICKS,
        ] {
            let dt = to_datetime(t).unwrap();
            assert_eq!(from_datetime(dt), t, "ticks {t}");
        }
        assert!(to_datetime(-1).is_none());
        assert!(to_datetime(MAX_TICKS + 1).is_none());
    }

    #[test]
    fn parse_and_format() {
        let t = parse_date("2010-01-01").unwrap();
        assert_eq!(format(t), "2010-01-01T00:00:00.0000000Z");
        assert_eq!(format(t + 1), "2010-01-01T00:00:00.0000001Z");
        assert!(parse_date("1/1/2010").is_none());
        assert_eq!(format(-5), "ticks:-5");
    }
}
