//! The rolling 24-hour cap on the mail organizers send to their outreach contacts: asks,
//! follow-ups and the one-click last call, counted by recipient, per group.
//!
//! Why a cap: an ask carries the subject and text its organizers wrote, from our address,
//! to addresses they imported; a group is created by anyone who proves one address, so
//! without a cap a group made a minute ago could write to thousands of strangers, again
//! and again, and our address would carry it (and lose its standing with mail providers).
//!
//! Why these numbers: 2,000 a day is the signature import's bound (also mail to people
//! an organizer listed) and more than a coalition's whole list of prospects in a day. A
//! group younger than 7 days gets 200: enough for a first round of asks each day (1,400
//! in its first week), small enough that a throwaway group cannot do much before anyone
//! notices, the way new senders are expected to ramp up their volume.
//!
//! The guarantee: sends of one group are counted one after the other (the group's row is
//! locked `FOR NO KEY UPDATE`, as the signature import does), inside the transaction that
//! queues them, so two sends at once cannot together pass the cap. A send over it queues
//! nothing. The scheduler's reminders and automatic last call are not capped here: they
//! go only to contacts an organizer already asked, once per stage and deadline, within
//! the touch limits.

use time::{Duration, OffsetDateTime};

use super::store;
use crate::tenancy::TenantId;

/// The window the cap rolls over.
pub const WINDOW: Duration = Duration::days(1);
/// A group is new this long after it was created.
pub const NEW_GROUP_FOR: Duration = Duration::days(7);
/// Recipients a new group may write to in `WINDOW`.
pub const NEW_GROUP_CAP: i64 = 200;
/// Recipients any other group may write to in `WINDOW`.
pub const GROUP_CAP: i64 = 2_000;

/// A send refused by the cap; nothing of it was queued. Carries the refusal to show.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct OverCap(pub String);

/// What a group may still send, as counted at one moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Allowance {
    pub cap: i64,
    pub used: i64,
    pub new_group: bool,
}

impl Allowance {
    pub fn of(group_created_at: OffsetDateTime, used: i64, now: OffsetDateTime) -> Self {
        let new_group = now - group_created_at < NEW_GROUP_FOR;
        Allowance {
            cap: if new_group { NEW_GROUP_CAP } else { GROUP_CAP },
            used,
            new_group,
        }
    }

    pub fn remaining(&self) -> i64 {
        (self.cap - self.used).max(0)
    }

    /// The line the ask preview shows.
    pub fn summary(&self) -> String {
        let remaining = self.remaining();
        format!(
            "You can send {} more {} today ({}).",
            count(remaining),
            if remaining == 1 { "ask" } else { "asks" },
            self.limit()
        )
    }

    /// Why sending `what` ("this ask") to `wanted` contacts now is refused, if it is.
    pub fn refusal(&self, what: &str, wanted: i64) -> Option<String> {
        (wanted > self.remaining()).then(|| {
            format!(
                "Nothing was sent: {what} would go to {} contacts, but the group can send only {} more today ({}).",
                count(wanted),
                count(self.remaining()),
                self.limit()
            )
        })
    }

    fn limit(&self) -> String {
        if self.new_group {
            format!(
                "at most {} contacts in 24 hours in a group's first {} days, {} after",
                count(self.cap),
                NEW_GROUP_FOR.whole_days(),
                count(GROUP_CAP)
            )
        } else {
            format!("at most {} contacts in 24 hours", count(self.cap))
        }
    }
}

fn count(n: i64) -> String {
    crate::web::format_count(usize::try_from(n).unwrap_or(0))
}

/// The group's allowance now. With `lock`, the group's row stays locked until the
/// transaction ends, so a send that records its recipients before committing is counted
/// by the next one.
pub async fn allowance(
    conn: &mut sqlx::PgConnection,
    tenant: TenantId,
    now: OffsetDateTime,
    lock: bool,
) -> sqlx::Result<Allowance> {
    let (created_at, used) = store::mail_volume_since(conn, tenant, now - WINDOW, lock).await?;
    Ok(Allowance::of(created_at, used, now))
}

/// Counts `recipients` sent now (inside the transaction that queued them, after
/// `allowance` with `lock`).
pub async fn record(
    conn: &mut sqlx::PgConnection,
    tenant: TenantId,
    now: OffsetDateTime,
    recipients: i64,
) -> sqlx::Result<()> {
    store::record_mail_volume(conn, tenant, now, recipients, now - WINDOW).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_new_group_gets_the_lower_cap_until_its_seventh_day() {
        let created = datetime!(2026-11-25 12:00 UTC);
        let young = Allowance::of(created, 150, created + Duration::days(6));
        assert_eq!((young.cap, young.remaining()), (NEW_GROUP_CAP, 50));
        assert!(young.summary().contains("You can send 50 more asks today"));
        assert!(young.summary().contains("first 7 days, 2,000 after"));
        let grown = Allowance::of(created, 150, created + Duration::days(7));
        assert_eq!((grown.cap, grown.remaining()), (GROUP_CAP, 1_850));
        assert!(grown.summary().contains("1,850 more asks"));
    }

    #[test]
    fn a_send_beyond_what_remains_is_refused_with_the_numbers() {
        let created = datetime!(2026-11-25 12:00 UTC);
        let allowance = Allowance::of(created, 199, created);
        assert!(allowance.refusal("this ask", 1).is_none());
        let refused = allowance.refusal("this ask", 2).unwrap();
        assert!(
            refused.starts_with("Nothing was sent: this ask would go to 2 contacts, but the group can send only 1 more today"),
            "{refused}"
        );
        let spent = Allowance::of(created, 250, created);
        assert_eq!(spent.remaining(), 0);
        assert!(spent.refusal("this ask", 1).is_some());
    }
}
