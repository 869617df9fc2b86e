//! `vnav audit --since`: the times a person types (`today`, `yesterday`, `7d`, `24h`, a date, an
//! RFC 3339 instant) turned into an instant, and anything else refused with the accepted forms,
//! so a typo never reads as "no records". Days are UTC days, like the log's timestamps.

use time::format_description::well_known::Rfc3339;
use time::{Date, Duration, OffsetDateTime, Time};

pub const ACCEPTED: &str = "today, yesterday, an age like 30m, 24h or 7d, a date like 2026-11-24, or an RFC 3339 time \
     like 2026-11-24T08:00:00Z";

/// The instant `text` means, relative to `now`.
pub fn parse(text: &str, now: OffsetDateTime) -> Result<OffsetDateTime, String> {
    let t = text.trim();
    let midnight = |d: Date| d.with_time(Time::MIDNIGHT).assume_utc();
    let today = now.to_offset(time::UtcOffset::UTC).date();
    match t.to_ascii_lowercase().as_str() {
        "today" => return Ok(midnight(today)),
        "yesterday" => return Ok(midnight(today - Duration::days(1))),
        _ => {}
    }
    if let Some(age) = age(t) {
        return Ok(now - age);
    }
    if let Ok(at) = OffsetDateTime::parse(t, &Rfc3339) {
        return Ok(at);
    }
    let date_format = time::macros::format_description!("[year]-[month]-[day]");
    if let Ok(d) = Date::parse(t, &date_format) {
        return Ok(midnight(d));
    }
    Err(format!("{text:?} is not a time; use {ACCEPTED}"))
}

/// `30m`, `24h`, `7d`, `2w`: a positive count and a unit.
fn age(t: &str) -> Option<Duration> {
    let unit = t.chars().last()?;
    let n: i64 = t[..t.len() - unit.len_utf8()].parse().ok()?;
    if n <= 0 {
        return None;
    }
    match unit {
        'm' => Some(Duration::minutes(n)),
        'h' => Some(Duration::hours(n)),
        'd' => Some(Duration::days(n)),
        'w' => Some(Duration::weeks(n)),
        _ => None,
    }
}

/// For clap: the `--since` value checked when the command line is read (exit 2 when wrong).
pub fn arg(text: &str) -> Result<OffsetDateTime, String> {
    parse(text, OffsetDateTime::now_utc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-12-06 11:30:00 UTC);

    #[test]
    fn the_forms_people_type() {
        assert_eq!(parse("today", NOW), Ok(datetime!(2026-12-06 00:00 UTC)));
        assert_eq!(parse("Yesterday", NOW), Ok(datetime!(2026-12-05 00:00 UTC)));
        assert_eq!(parse("24h", NOW), Ok(datetime!(2026-12-05 11:30 UTC)));
        assert_eq!(parse("7d", NOW), Ok(datetime!(2026-11-29 11:30 UTC)));
        assert_eq!(parse("30m", NOW), Ok(datetime!(2026-12-06 11:00 UTC)));
        assert_eq!(
            parse("2026-11-24", NOW),
            Ok(datetime!(2026-11-24 00:00 UTC))
        );
        assert_eq!(
            parse("2026-11-24T08:00:00+01:00", NOW),
            Ok(datetime!(2026-11-24 07:00 UTC))
        );
    }

    #[test]
    fn what_is_not_a_time_is_refused_with_the_accepted_forms() {
        for bad in [
            "2026-13-45",
            "yesterdy",
            "7",
            "-3d",
            "0h",
            "3y",
            "",
            "2026-02-30",
        ] {
            let err = parse(bad, NOW).unwrap_err();
            assert!(
                err.contains("is not a time") && err.contains("yesterday, an age like"),
                "{bad}: {err}"
            );
        }
    }
}
