//! Never overdo it: who may be written to at all, and when writing again would nag.
//! The scheduler applies the same rules in SQL (`scheduler::CLAIM_CONTACTS`); the tests
//! below and in `tests/outreach.rs` hold both to the same wording.

use time::{Duration, OffsetDateTime};

use super::store::{Recipient, Settings};

/// A prospect made from a signer's suggestion carries what a stranger typed: no mail from
/// our address goes to it until an organizer has edited it.
pub const UNCHECKED_SUGGESTION: &str =
    "suggested by a signer — not yet checked (edit and save the prospect first)";

/// Why nothing may be sent to a contact, ever (until the situation changes).
pub fn never_send(recipient: &Recipient) -> Option<&'static str> {
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
}
