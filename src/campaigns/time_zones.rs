//! Deadlines are stored as instants and shown in the campaign's time zone.

use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use time::OffsetDateTime;

/// Zones offered in the campaign form; any IANA name is accepted.
pub const COMMON: &[&str] = &[
    "UTC",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Toronto",
    "America/Vancouver",
    "America/Mexico_City",
    "America/Bogota",
    "America/Sao_Paulo",
    "America/Argentina/Buenos_Aires",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Lisbon",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Warsaw",
    "Europe/Athens",
    "Europe/Istanbul",
    "Africa/Lagos",
    "Africa/Nairobi",
    "Africa/Johannesburg",
    "Asia/Kolkata",
    "Asia/Manila",
    "Asia/Jakarta",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
];

pub fn valid_zone(name: &str) -> bool {
    !name.is_empty() && TimeZone::get(name).is_ok()
}

fn to_jiff(at: OffsetDateTime) -> Timestamp {
    Timestamp::from_second(at.unix_timestamp()).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// Reads a `datetime-local` value ("2026-12-10T17:00") as a time in `zone`.
pub fn parse_local(raw: &str, zone: &str) -> Result<OffsetDateTime, &'static str> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err("Choose a date and time.");
    }
    let civil: DateTime = raw
        .parse()
        .map_err(|_| "Enter a date and time like 2026-12-10 17:00.")?;
    let zoned = civil.in_tz(zone).map_err(|_| "Choose a time zone first.")?;
    let seconds = zoned.timestamp().as_second();
    OffsetDateTime::from_unix_timestamp(seconds).map_err(|_| "That date is out of range.")
}

/// The value for a `datetime-local` input showing `at` in `zone`.
pub fn to_local_input(at: OffsetDateTime, zone: &str) -> String {
    match TimeZone::get(zone) {
        Ok(tz) => to_jiff(at)
            .to_zoned(tz)
            .strftime("%Y-%m-%dT%H:%M")
            .to_string(),
        Err(_) => String::new(),
    }
}

/// "10 December 2026, 17:00 CET": the one date format (`web::format_datetime_in`).
pub fn display(at: OffsetDateTime, zone: &str) -> String {
    crate::web::format_datetime_in(&at, zone)
}

/// The calendar day `at` falls on in `zone` (UTC if the zone is unknown): what "today"
/// means for a campaign's follow-ups and holds.
pub fn local_date(at: OffsetDateTime, zone: &str) -> time::Date {
    let date = match TimeZone::get(zone) {
        Ok(tz) => to_jiff(at).to_zoned(tz).date(),
        Err(_) => return at.date(),
    };
    time::Date::from_calendar_date(
        i32::from(date.year()),
        time::Month::try_from(date.month() as u8).unwrap_or(time::Month::January),
        date.day() as u8,
    )
    .unwrap_or(at.date())
}

/// The hour of the day `at` falls on in `zone` (UTC if the zone is unknown): whether it
/// is morning there.
pub fn local_hour(at: OffsetDateTime, zone: &str) -> u8 {
    match TimeZone::get(zone) {
        Ok(tz) => u8::try_from(to_jiff(at).to_zoned(tz).hour()).unwrap_or(at.hour()),
        Err(_) => at.hour(),
    }
}

/// Whole days until `deadline` ("3 days left"), or `None` once it has passed.
pub fn days_left(now: OffsetDateTime, deadline: OffsetDateTime) -> Option<i64> {
    let left = deadline - now;
    if left.is_negative() {
        return None;
    }
    Some((left.whole_seconds() + 86_399) / 86_400)
}

/// "Friday 18 December" in `zone`, with the year when it is not the year of `now` there:
/// how a person names a day they are asked to act by.
pub fn weekday_and_date(at: OffsetDateTime, zone: &str, now: OffsetDateTime) -> String {
    let Ok(tz) = TimeZone::get(zone) else {
        return crate::web::format_datetime(&at);
    };
    let when = to_jiff(at).to_zoned(tz.clone());
    let same_year = to_jiff(now).to_zoned(tz).year() == when.year();
    let format = if same_year {
        "%A %-d %B"
    } else {
        "%A %-d %B %Y"
    };
    when.strftime(format).to_string()
}

/// "17:00 EST": the time of day of `at` in `zone`.
pub fn time_of_day(at: OffsetDateTime, zone: &str) -> String {
    match TimeZone::get(zone) {
        Ok(tz) => to_jiff(at).to_zoned(tz).strftime("%H:%M %Z").to_string(),
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn local_times_round_trip_through_the_zone() {
        let at = parse_local("2026-12-10T17:00", "Europe/Paris").unwrap();
        assert_eq!(at, datetime!(2026-12-10 16:00 UTC));
        assert_eq!(to_local_input(at, "Europe/Paris"), "2026-12-10T17:00");
        assert_eq!(display(at, "Europe/Paris"), "10 December 2026, 17:00 CET");
        assert!(parse_local("tomorrow", "UTC").is_err());
        assert!(!valid_zone("Mars/Olympus"));
    }

    #[test]
    fn days_left_rounds_up() {
        let now = datetime!(2026-11-25 12:00 UTC);
        assert_eq!(days_left(now, datetime!(2026-11-25 13:00 UTC)), Some(1));
        assert_eq!(days_left(now, datetime!(2026-11-28 12:00 UTC)), Some(3));
        assert_eq!(days_left(now, datetime!(2026-11-24 12:00 UTC)), None);
    }
}
