//! What the public page and the sign-on form say about the deadline, in the campaign's
//! time zone.

use time::OffsetDateTime;

use crate::campaigns::store::Campaign;
use crate::campaigns::time_zones::{time_of_day, weekday_and_date};

/// The sentence about the deadline, and the moment it stops being true.
#[derive(Clone, Debug, PartialEq)]
pub struct SignBy {
    pub text: String,
    pub until: OffsetDateTime,
}

/// While the soft deadline is ahead, the day asks and reminders name: "Sign by Friday 18
/// December". After it, while the hard deadline still closes the form: "Signing closes
/// Friday 25 December at 17:00 EST". Nothing while the form does not take signatures, or
/// once no deadline is ahead (organizers kept the letter open).
pub fn sign_by(campaign: &Campaign, now: OffsetDateTime) -> Option<SignBy> {
    if !campaign.accepting_signatures(now) {
        return None;
    }
    let zone = &campaign.time_zone;
    if now < campaign.soft_deadline && campaign.soft_deadline < campaign.hard_deadline {
        return Some(SignBy {
            text: format!(
                "Sign by {}",
                weekday_and_date(campaign.soft_deadline, zone, now)
            ),
            until: campaign.soft_deadline,
        });
    }
    if now < campaign.hard_deadline && !campaign.open_after_deadline {
        return Some(SignBy {
            text: format!(
                "Signing closes {} at {}",
                weekday_and_date(campaign.hard_deadline, zone, now),
                time_of_day(campaign.hard_deadline, zone)
            ),
            until: campaign.hard_deadline,
        });
    }
    None
}

/// "Friday 18 December at 10:00 EST": when the public page, its list and the press
/// release are published, while a release date is set and has not come.
pub fn release_when(campaign: &Campaign, now: OffsetDateTime) -> Option<String> {
    let at = campaign.release_at.filter(|_| campaign.release_pending())?;
    Some(format!(
        "{} at {}",
        weekday_and_date(at, &campaign.time_zone, now),
        time_of_day(at, &campaign.time_zone)
    ))
}
