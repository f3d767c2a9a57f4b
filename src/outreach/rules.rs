//! Never overdo it: who may be written to at all, and when writing again would nag.
//! The scheduler applies the same rules in SQL (`scheduler::CLAIM_CONTACTS`); the tests
//! below and in `tests/outreach.rs` hold both to the same wording.

use time::{Duration, OffsetDateTime};

use super::store::{BookSettings, GroupTouches, Recipient, Settings};

/// A prospect made from a signer's suggestion carries what a stranger typed: no mail from
/// our address goes to it until an organizer has edited it.
pub const UNCHECKED_SUGGESTION: &str =
    "suggested by a signer — not yet checked (edit and save the prospect first)";

/// Why nothing may be sent to a contact, ever (until the situation changes).
pub fn never_send(recipient: &Recipient) -> Option<String> {
    if let Some(reason) = &recipient.group_hold {
        return Some(format!("on hold for every campaign: {reason}"));
    }
    never_send_in_campaign(recipient).map(str::to_owned)
}

fn never_send_in_campaign(recipient: &Recipient) -> Option<&'static str> {
    if recipient.signed {
        Some("already signed")
    } else if recipient.has_signature {
        Some("this address has signed, is confirming, withdrew or was declined")
    } else if recipient.held {
        Some("on hold")
    } else if recipient.status == super::PipelineStatus::Declined {
        Some("declined")
    } else if recipient.status == super::PipelineStatus::OwnStatement {
        Some("issuing its own statement")
    } else if recipient.contact.bounced_at.is_some() {
        Some("email bounced")
    } else if recipient.contact.email.is_none() {
        Some("no email address")
    } else if recipient.unsubscribed {
        Some("unsubscribed from this group's mail")
    } else if recipient.unchecked_suggestion {
        Some(UNCHECKED_SUGGESTION)
    } else {
        None
    }
}

/// Why writing to this contact now would break the campaign's touch limits: an automated
/// email is then not sent, a manual one asks the organizer first.
pub fn touch_problem(
    touches: i32,
    last_touch_at: Option<OffsetDateTime>,
    settings: &Settings,
    now: OffsetDateTime,
) -> Option<String> {
    if touches >= settings.max_touches {
        return Some(format!(
            "already touched {touches} times (the limit is {})",
            settings.max_touches
        ));
    }
    if let Some(last) = last_touch_at {
        let gap = Duration::days(i64::from(settings.min_days_between));
        if now - last < gap {
            let days = (now - last).whole_days();
            return Some(format!(
                "last touched {} ago (at least {} days must pass)",
                match days {
                    0 => "less than a day".to_owned(),
                    1 => "1 day".to_owned(),
                    n => format!("{n} days"),
                },
                settings.min_days_between
            ));
        }
    }
    None
}

/// The campaign's limits as the scheduler's send log words them (the day of the last
/// touch in the campaign's time zone): an automated email is not sent, and its log says
/// why.
pub fn automated_touch_problem(
    touches: i32,
    last_touch_at: Option<OffsetDateTime>,
    settings: &Settings,
    time_zone: &str,
    now: OffsetDateTime,
) -> Option<String> {
    if touches >= settings.max_touches {
        return Some(format!(
            "already touched {touches} times (the limit is {})",
            settings.max_touches
        ));
    }
    let last = last_touch_at?;
    (now - last < Duration::days(i64::from(settings.min_days_between))).then(|| {
        format!(
            "last touched on {} (at least {} days must pass)",
            crate::web::format_date_in(&last, time_zone),
            settings.min_days_between
        )
    })
}

/// "less than a day", "1 day", "4 days": how long ago a touch was.
fn days_ago(now: OffsetDateTime, at: OffsetDateTime) -> String {
    match (now - at).whole_days() {
        n if n <= 0 => "less than a day".to_owned(),
        1 => "1 day".to_owned(),
        n => format!("{n} days"),
    }
}

/// What a touch of `kind` did, for the campaign titled `campaign`: "asked for the letter
/// “Clean water”", "called about …", or without a campaign just "called".
pub fn touch_described(kind: &str, campaign: Option<&str>) -> String {
    let (verb, about) = match kind {
        "ask" => ("asked", "for"),
        "follow_up" => ("followed up", "about"),
        "reminder" => ("reminded", "about"),
        "last_call" => ("sent the last call", "for"),
        "call" => ("called", "about"),
        "meeting" => ("met", "about"),
        _ => ("touched", "about"),
    };
    match campaign {
        Some(title) => format!("{verb} {about} the letter “{title}”"),
        None => verb.to_owned(),
    }
}

/// Why writing to this person now would break the group's limits, which count every
/// campaign and channel: "asked for the letter “Clean water” 2 days ago (the group allows
/// one touch every 3 days)". Applies in addition to the campaign's own limits.
pub fn group_touch_problem(
    touches: &GroupTouches,
    limits: &BookSettings,
    now: OffsetDateTime,
) -> Option<String> {
    if touches.in_30_days >= i64::from(limits.max_touches_in_30_days) {
        return Some(format!(
            "touched {} times in 30 days across the group's campaigns (the limit is {})",
            touches.in_30_days, limits.max_touches_in_30_days
        ));
    }
    let last = touches.last_at?;
    if now - last < Duration::days(i64::from(limits.min_days_between)) {
        return Some(format!(
            "{} {} ago (the group allows one touch {})",
            touch_described(&touches.last_kind, touches.last_campaign.as_deref()),
            days_ago(now, last),
            match limits.min_days_between {
                1 => "a day".to_owned(),
                n => format!("every {n} days"),
            }
        ));
    }
    None
}

/// The campaign's limits first, then the group's: the first one a touch now would break.
pub fn any_touch_problem(
    touches: i32,
    last_touch_at: Option<OffsetDateTime>,
    group: Option<&GroupTouches>,
    (settings, limits): (&Settings, &BookSettings),
    now: OffsetDateTime,
) -> Option<String> {
    touch_problem(touches, last_touch_at, settings, now)
        .or_else(|| group.and_then(|g| group_touch_problem(g, limits, now)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn touches_are_limited_in_number_and_spacing() {
        let settings = Settings::default();
        let now = datetime!(2026-12-01 12:00 UTC);
        assert_eq!(touch_problem(0, None, &settings, now), None);
        assert_eq!(
            touch_problem(1, Some(now - Duration::days(3)), &settings, now),
            None
        );
        assert!(
            touch_problem(1, Some(now - Duration::days(2)), &settings, now)
                .unwrap()
                .contains("2 days ago")
        );
        assert!(
            touch_problem(4, Some(now - Duration::days(30)), &settings, now)
                .unwrap()
                .contains("limit is 4")
        );
    }

    #[test]
    fn the_group_limits_name_the_campaign_and_what_happened() {
        let limits = BookSettings::default();
        let now = datetime!(2026-12-01 12:00 UTC);
        let asked = GroupTouches {
            in_30_days: 1,
            last_at: Some(now - Duration::days(2)),
            last_kind: "ask".into(),
            last_campaign: Some("Clean Water".into()),
            ..GroupTouches::default()
        };
        assert_eq!(
            group_touch_problem(&asked, &limits, now).as_deref(),
            Some("asked for the letter “Clean Water” 2 days ago (the group allows one touch every 3 days)")
        );
        let later = now + Duration::days(1);
        assert_eq!(group_touch_problem(&asked, &limits, later), None);
        let called = GroupTouches {
            last_kind: "call".into(),
            last_campaign: None,
            ..asked.clone()
        };
        assert!(group_touch_problem(&called, &limits, now)
            .unwrap()
            .starts_with("called 2 days ago"));
        let busy = GroupTouches {
            in_30_days: 6,
            last_at: Some(now - Duration::days(10)),
            ..asked
        };
        assert_eq!(
            group_touch_problem(&busy, &limits, now).as_deref(),
            Some("touched 6 times in 30 days across the group's campaigns (the limit is 6)")
        );
    }
}
