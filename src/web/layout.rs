//! What the base layout needs on every page, and the date formats pages and emails share.

/// A group as the navigation links to it.
#[derive(Clone, Debug)]
pub struct TenantLink {
    pub slug: String,
    pub name: String,
}

pub struct Layout {
    pub title: String,
    pub user_name: Option<String>,
    pub tenant: Option<TenantLink>,
    pub tenants: Vec<TenantLink>,
    pub csrf_token: String,
    pub notice: Option<&'static str>,
    pub dev_mailbox: bool,
    pub noindex: bool,
    /// The moment the page is rendered for, from the app's clock (tests move it): what
    /// "finished" or "due" means on this page.
    pub now: time::OffsetDateTime,
    /// A page a signer or the public reaches from a campaign (the public page, the sign-on
    /// form, a signer's own pages, statements): the header advertises nothing of ours
    /// (no "Log in", no "Start a group") to someone who came to sign someone else's letter.
    pub signer_facing: bool,
}

impl Layout {
    /// The layout for pages rendered without a request context (error pages).
    pub fn bare(title: &str) -> Self {
        Self {
            title: title.to_owned(),
            user_name: None,
            tenant: None,
            tenants: Vec::new(),
            csrf_token: String::new(),
            notice: None,
            dev_mailbox: false,
            noindex: true,
            now: time::OffsetDateTime::now_utc(),
            signer_facing: false,
        }
    }

    /// The same layout for a page signers and the public reach from a campaign.
    pub fn for_signers(mut self) -> Self {
        self.signer_facing = true;
        self
    }

    pub fn other_tenants(&self) -> Vec<&TenantLink> {
        let current = self.tenant.as_ref().map(|t| t.slug.as_str());
        self.tenants
            .iter()
            .filter(|t| Some(t.slug.as_str()) != current)
            .collect()
    }
}

// Dates: one format everywhere, in the zone of the campaign they belong to. A page or
// email about a campaign shows its times in the campaign's zone (`format_datetime_in`,
// `format_date_in`); the group's Email page, in the zone its campaigns use; what belongs
// to no campaign, in UTC, saying so. Files for other programs (CSV) write ISO 8601
// (`iso8601`).

fn in_zone(when: &time::OffsetDateTime, zone: &str) -> Option<jiff::Zoned> {
    let tz = jiff::tz::TimeZone::get(zone).ok()?;
    let at = jiff::Timestamp::new(when.unix_timestamp(), when.nanosecond() as i32).ok()?;
    Some(at.to_zoned(tz))
}

/// "2 December 2026": the day `when` falls on in `zone` (an IANA name; UTC if unknown).
pub fn format_date_in(when: &time::OffsetDateTime, zone: &str) -> String {
    match in_zone(when, zone).or_else(|| in_zone(when, "UTC")) {
        Some(zoned) => zoned.strftime("%-d %B %Y").to_string(),
        None => when.date().to_string(),
    }
}

/// "2 December 2026, 09:05 EST": the time in `zone`, named by its abbreviation (UTC if
/// the zone is unknown).
pub fn format_datetime_in(when: &time::OffsetDateTime, zone: &str) -> String {
    match in_zone(when, zone).or_else(|| in_zone(when, "UTC")) {
        Some(zoned) => zoned.strftime("%-d %B %Y, %H:%M %Z").to_string(),
        None => when.to_string(),
    }
}

/// "2 December 2026": a calendar day (a follow-up date, the end of a hold), already in
/// the zone it was set in.
pub fn format_day(day: &time::Date) -> String {
    let format = time::macros::format_description!("[day padding:none] [month repr:long] [year]");
    day.format(&format).unwrap_or_else(|_| day.to_string())
}

/// "2 December 2026", in UTC: for what belongs to no campaign.
/// A count with its thousands grouped: "2,000".
pub fn format_count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub fn format_date(when: &time::OffsetDateTime) -> String {
    format_date_in(when, "UTC")
}

/// "2 December 2026, 14:05 UTC": for what belongs to no campaign.
pub fn format_datetime(when: &time::OffsetDateTime) -> String {
    format_datetime_in(when, "UTC")
}

/// "2026-12-02T14:05:09Z": ISO 8601 in UTC, to the second, for files other programs read.
pub fn iso8601(when: &time::OffsetDateTime) -> String {
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    when.to_offset(time::UtcOffset::UTC)
        .format(&format)
        .unwrap_or_else(|_| when.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn one_format_in_the_zone_asked_for() {
        let at = datetime!(2026-12-02 14:05:09 UTC);
        assert_eq!(
            format_datetime_in(&at, "America/New_York"),
            "2 December 2026, 09:05 EST"
        );
        assert_eq!(
            format_datetime_in(&at, "Europe/Paris"),
            "2 December 2026, 15:05 CET"
        );
        assert_eq!(format_datetime(&at), "2 December 2026, 14:05 UTC");
        assert_eq!(
            format_datetime_in(&at, "Mars/Olympus"),
            "2 December 2026, 14:05 UTC"
        );
        // Late in the evening in New York is already the next day in UTC.
        let evening = datetime!(2026-12-03 02:30 UTC);
        assert_eq!(
            format_date_in(&evening, "America/New_York"),
            "2 December 2026"
        );
        assert_eq!(format_date(&evening), "3 December 2026");
        assert_eq!(
            format_day(&time::macros::date!(2026 - 12 - 08)),
            "8 December 2026"
        );
        assert_eq!(
            iso8601(&datetime!(2026-12-02 09:05:09 -5)),
            "2026-12-02T14:05:09Z"
        );
    }
}
