//! The background half of outreach: deadline reminders, the soft deadline's alert and
//! last call, the hard deadline's summary, each organizer's daily digest, and referrals
//! turned into prospects; also, for the letter, telling signers whose name a substantive
//! change did not carry over (`campaigns::letter_changes`), and releasing campaigns and
//! sending member updates (`campaigns::release`). Every email goes through the outbox.
//!
//! Nothing is scheduled ahead: each tick works out from the campaign as it is now which
//! stage is due, so a moved deadline leaves nothing behind for the old date. A send log
//! keyed by contact, stage and deadline (written in the transaction that enqueues the
//! email) makes each reminder go at most once, however many instances tick at once.
//! Each reminder and last call keeps to the campaign's touch limits and, in addition, to
//! the group's (every campaign and channel counted, `rules::group_touch_problem`); one
//! held back is logged on the prospect with the reason.

use std::collections::HashMap;

use sqlx::PgConnection;
use time::{Date, Duration, OffsetDateTime};
use uuid::Uuid;

use super::daily_cap::{self, OverCap};
use super::emails::{DailyDigest, DeadlineReminder, LastCall, OrganizerAlert};
use super::links::personal_link;
use super::rules::{automated_touch_problem, group_touch_problem};
use super::store::{self, NewActivity, Origin, ProspectInput};
use super::ActivityKind;
use crate::campaigns::time_zones;
use crate::mail::{self, Outgoing, Sender};
use crate::state::AppState;
use crate::tenancy::TenantId;

/// Digests go out from this hour on, in the time zone of the group's open campaigns.
pub const DIGEST_HOUR: u8 = 8;
/// A digest sent before this hour (local) says good morning; a later one (the app was
/// down at eight, say) says hello.
const MORNING_ENDS: u8 = 12;

#[derive(Clone)]
pub struct Scheduler {
    state: AppState,
}

/// What one tick of outreach's own stages did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub reminders: usize,
    pub last_calls: usize,
    pub skipped: usize,
    pub alerts: usize,
    pub digests: usize,
    pub referrals: usize,
}

pub use super::store::DueCampaign;

impl DueCampaign {
    pub fn missed_target(&self) -> bool {
        self.confirmed < i64::from(self.target)
    }

    /// The reminder stage due at `now`: the shortest lead time already reached before
    /// the soft deadline (a stage missed while nothing ran is not sent late).
    pub fn due_reminder(&self, now: OffsetDateTime) -> Option<i32> {
        if now >= self.soft_deadline {
            return None;
        }
        self.settings
            .reminder_lead_days
            .iter()
            .copied()
            .filter(|days| now >= self.soft_deadline - Duration::days(i64::from(*days)))
            .min()
    }
}

/// An organizer an automated email to a contact comes from.
#[derive(Clone, Debug)]
pub struct Organizer {
    pub name: String,
    pub email: String,
}

/// Which automated email to a contact.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContactStage {
    /// `n` days before the soft deadline.
    Reminder(i32),
    LastCall,
}

impl ContactStage {
    fn key(self) -> String {
        match self {
            ContactStage::Reminder(days) => format!("reminder_{days}d"),
            ContactStage::LastCall => "last_call".into(),
        }
    }
}

/// One campaign by id, for the organizers' "send the last call" button.
pub use super::store::due_campaign_by_id;

/// Inside a stage's transaction: the campaign still takes signatures and still has the
/// deadlines the stage was worked out from (an organizer may have moved one since the
/// tick read it). Holding the row shares it with other readers but makes a deadline
/// change wait for the stage to finish.
async fn still_due(conn: &mut PgConnection, campaign: &DueCampaign) -> sqlx::Result<bool> {
    let row = store::deadlines_for_share(conn, campaign.id).await?;
    Ok(row.is_some_and(|(soft, hard, status)| {
        soft == campaign.soft_deadline
            && hard == campaign.hard_deadline
            && matches!(status.as_str(), "open" | "published")
    }))
}

impl Scheduler {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }

    /// Outreach's stages due now, once: referrals absorbed, reminders, the soft
    /// deadline's alert and last call, the hard deadline's summary, digests. The app-wide
    /// tick (`crate::jobs`) runs it beside the other areas' jobs.
    pub async fn tick(&self) -> anyhow::Result<Report> {
        let now = self.state.clock.now();
        let mut report = Report {
            referrals: absorb_referrals(&self.state, None).await?,
            ..Report::default()
        };
        let campaigns = store::due_campaigns(&self.state.db, now).await?;
        for campaign in &campaigns {
            if let Some(days) = campaign.due_reminder(now) {
                let (sent, skipped) = self
                    .contact_stage(campaign, ContactStage::Reminder(days), now, None)
                    .await?;
                report.reminders += sent;
                report.skipped += skipped;
            }
            let soft_missed = now >= campaign.soft_deadline
                && now < campaign.hard_deadline
                && campaign.missed_target();
            if soft_missed && self.soft_deadline_missed(campaign, now).await? {
                report.alerts += 1;
            }
            // Every tick in the window, not only the one that raised the alert: a tick
            // that failed in between leaves nobody out (the send log stops repeats).
            if soft_missed && campaign.settings.auto_last_call {
                let (sent, skipped) = self.last_call(campaign, None).await?;
                report.last_calls += sent;
                report.skipped += skipped;
            }
            if now >= campaign.hard_deadline
                && !campaign.open_after_deadline
                && self.hard_deadline_summary(campaign, now).await?
            {
                report.alerts += 1;
            }
        }
        report.digests = self.digests(now).await?;
        Ok(report)
    }

    /// The last call to asked-but-unsigned contacts, naming the hard deadline; once per
    /// contact and hard deadline. Returns (sent, not sent because of the touch limits).
    /// `clicked_by`: an organizer's click, counted against the group's daily cap (an
    /// `OverCap` error sends nothing) and sent from them; the automatic one passes `None`
    /// and each email comes from the organizer who asked that contact.
    pub async fn last_call(
        &self,
        campaign: &DueCampaign,
        clicked_by: Option<(TenantId, &Organizer)>,
    ) -> anyhow::Result<(usize, usize)> {
        let now = self.state.clock.now();
        self.contact_stage(campaign, ContactStage::LastCall, now, clicked_by)
            .await
    }

    async fn contact_stage(
        &self,
        campaign: &DueCampaign,
        stage: ContactStage,
        now: OffsetDateTime,
        clicked_by: Option<(TenantId, &Organizer)>,
    ) -> anyhow::Result<(usize, usize)> {
        let capped_for = clicked_by.map(|(tenant, _)| tenant);
        let deadline = match stage {
            ContactStage::Reminder(_) => campaign.soft_deadline,
            ContactStage::LastCall => campaign.hard_deadline,
        };
        let today = time_zones::local_date(now, &campaign.time_zone);
        let mut tx = self.state.db.begin().await?;
        // The group before the campaign and the contacts, in the order every capped send
        // takes them.
        let allowance = match capped_for {
            Some(tenant) => Some(daily_cap::allowance(&mut tx, tenant, now, true).await?),
            None => None,
        };
        if !still_due(&mut tx, campaign).await? {
            return Ok((0, 0));
        }
        if let ContactStage::LastCall = stage {
            // In the stage's transaction: a refused last call leaves no mark that it went.
            store::log_last_call(&mut tx, campaign.id, campaign.hard_deadline, now).await?;
        }
        let stage_key = stage.key();
        let claim = store::ContactClaim {
            campaign,
            stage: &stage_key,
            deadline,
            now,
            today,
        };
        let due = store::due_contacts(&mut tx, &claim).await?;
        if due.is_empty() {
            tx.commit().await?;
            return Ok((0, 0));
        }
        // Read after the lock: the campaign's limits, then the group's (every campaign).
        let limits = store::book_settings(&mut tx, campaign.tenant_id).await?;
        let in_campaign: HashMap<Uuid, store::CampaignTouches> =
            store::campaign_touches(&mut tx, campaign.id, &due)
                .await?
                .into_iter()
                .map(|t| (t.person_id, t))
                .collect();
        let in_group: HashMap<Uuid, store::GroupTouches> =
            store::group_touches(&mut tx, campaign.tenant_id, &due, now)
                .await?
                .into_iter()
                .map(|t| (t.person_id, t))
                .collect();
        let decided: Vec<store::ClaimedContact> = due
            .iter()
            .map(|id| {
                let reason = in_campaign
                    .get(id)
                    .and_then(|t| {
                        automated_touch_problem(
                            t.touches,
                            t.last_touch_at,
                            &campaign.settings,
                            &campaign.time_zone,
                            now,
                        )
                    })
                    .or_else(|| {
                        in_group
                            .get(id)
                            .and_then(|g| group_touch_problem(g, &limits, now))
                    });
                store::ClaimedContact {
                    contact_id: *id,
                    outcome: if reason.is_some() { "skipped" } else { "sent" }.into(),
                    reason: reason.unwrap_or_default(),
                }
            })
            .collect();
        let claimed = store::log_contact_stage(&mut tx, &claim, &decided).await?;
        if claimed.is_empty() {
            tx.commit().await?;
            return Ok((0, 0));
        }
        let ids: Vec<Uuid> = claimed.iter().map(|c| c.contact_id).collect();
        let details = store::contact_details(&mut tx, campaign.id, &ids).await?;
        // Each email comes from the organizer who clicked, else from the one who asked
        // the contact (replies reach the person they were talking to).
        let askers = store::askers(&mut tx, campaign.id, &ids).await?;
        let (mut sent, mut skipped) = (0, 0);
        for store::ClaimedContact {
            contact_id,
            outcome,
            reason,
        } in &claimed
        {
            let Some(store::ContactDetail {
                prospect_id,
                name,
                email,
                organization,
                ..
            }) = details.iter().find(|d| d.id == *contact_id)
            else {
                continue;
            };
            let link = personal_link(
                &self.state,
                &campaign.tenant_slug,
                &campaign.slug,
                *contact_id,
                email,
            );
            let from = match clicked_by {
                Some((_, clicker)) => Some(clicker.clone()),
                None => askers
                    .iter()
                    .find(|a| a.contact_id == *contact_id)
                    .map(|a| Organizer {
                        name: a.name.clone(),
                        email: a.email.clone(),
                    }),
            };
            let sender = from
                .as_ref()
                .map(|o| Sender::organizer(&o.name, &o.email, &campaign.group_name));
            let organizer_name = from.map(|o| o.name).unwrap_or_default();
            let (kind, body) = if outcome == "sent" {
                let key = format!(
                    "outreach:{}:{}:{}:{contact_id}",
                    stage.key(),
                    campaign.id,
                    deadline.unix_timestamp()
                );
                match stage {
                    ContactStage::Reminder(_) => {
                        enqueue(
                            &mut tx,
                            campaign,
                            key,
                            email,
                            DeadlineReminder {
                                campaign_title: campaign.title.clone(),
                                group_name: campaign.group_name.clone(),
                                contact_name: name.clone(),
                                organization: organization.clone(),
                                soft_deadline: time_zones::display(deadline, &campaign.time_zone),
                                link,
                                organizer_name,
                            },
                            now,
                            sender.as_ref(),
                        )
                        .await?
                    }
                    ContactStage::LastCall => {
                        enqueue(
                            &mut tx,
                            campaign,
                            key,
                            email,
                            LastCall {
                                campaign_title: campaign.title.clone(),
                                group_name: campaign.group_name.clone(),
                                contact_name: name.clone(),
                                organization: organization.clone(),
                                hard_deadline: time_zones::display(deadline, &campaign.time_zone),
                                link,
                                organizer_name,
                            },
                            now,
                            sender.as_ref(),
                        )
                        .await?
                    }
                }
                sent += 1;
                let kind = match stage {
                    ContactStage::Reminder(_) => ActivityKind::Reminder,
                    ContactStage::LastCall => ActivityKind::LastCall,
                };
                (kind, format!("to {email}"))
            } else {
                skipped += 1;
                let what = match stage {
                    ContactStage::Reminder(days) => format!("The {days}-day deadline reminder"),
                    ContactStage::LastCall => "The last call".into(),
                };
                (
                    ActivityKind::Skipped,
                    format!("{what} to {email} was not sent: {reason}."),
                )
            };
            store::record(
                &mut tx,
                campaign.tenant_id,
                campaign.id,
                &NewActivity {
                    prospect_id: *prospect_id,
                    contact_id: Some(*contact_id),
                    kind,
                    outcome: "",
                    body: &body,
                    author_id: None,
                    author_name: "Scheduler",
                },
                now,
            )
            .await?;
        }
        if let (Some(allowance), Some(tenant)) = (allowance, capped_for) {
            let sent = i64::try_from(sent).unwrap_or(i64::MAX);
            if let Some(refusal) = allowance.refusal("the last call", sent) {
                tx.rollback().await?;
                return Err(OverCap(refusal).into());
            }
            daily_cap::record(&mut tx, tenant, now, sent).await?;
        }
        tx.commit().await?;
        Ok((sent, skipped))
    }

    async fn soft_deadline_missed(
        &self,
        campaign: &DueCampaign,
        now: OffsetDateTime,
    ) -> anyhow::Result<bool> {
        let mut tx = self.state.db.begin().await?;
        let detail = format!("{} of {} signatures", campaign.confirmed, campaign.target);
        if !still_due(&mut tx, campaign).await?
            || !store::claim_campaign_stage(
                &mut tx,
                campaign.id,
                "soft_missed",
                campaign.soft_deadline,
                now,
                &detail,
            )
            .await?
        {
            return Ok(false);
        }
        let (asked, signed) = store::asked_and_signed(&mut tx, campaign.id).await?;
        let outreach = self.state.config.link(&format!(
            "/app/{}/campaigns/{}/outreach",
            campaign.tenant_slug, campaign.slug
        ));
        let message = OrganizerAlert {
            subject: format!("Soft deadline passed: {} has {} of {}", campaign.title, campaign.confirmed, campaign.target),
            paragraphs: vec![
                format!(
                    "The soft deadline of \"{}\" passed with {} signers listed under the current text; the target is {}.",
                    campaign.title, campaign.confirmed, campaign.target
                ),
                if campaign.settings.auto_last_call {
                    format!("As the campaign says, a last call naming the hard deadline ({}) is going to the contacts who were asked and have not signed.", time_zones::display(campaign.hard_deadline, &campaign.time_zone))
                } else {
                    format!("You can send a last call naming the hard deadline ({}) to the contacts who were asked and have not signed, with one click on the outreach page.", time_zones::display(campaign.hard_deadline, &campaign.time_zone))
                },
            ],
            items: vec![
                format!("{asked} organizations asked, {signed} of them signed"),
            ],
            link_label: "Open the outreach page".into(),
            link: outreach,
        };
        self.alert_organizers(
            &mut tx,
            campaign,
            "soft_missed",
            campaign.soft_deadline,
            message,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn hard_deadline_summary(
        &self,
        campaign: &DueCampaign,
        now: OffsetDateTime,
    ) -> anyhow::Result<bool> {
        let mut tx = self.state.db.begin().await?;
        let detail = format!("{} of {} signatures", campaign.confirmed, campaign.target);
        if !still_due(&mut tx, campaign).await?
            || !store::claim_campaign_stage(
                &mut tx,
                campaign.id,
                "hard_summary",
                campaign.hard_deadline,
                now,
                &detail,
            )
            .await?
        {
            return Ok(false);
        }
        let (asked, signed) = store::asked_and_signed(&mut tx, campaign.id).await?;
        let pending = store::unconfirmed_signatures(&mut tx, campaign.id).await?;
        let dashboard = self.state.config.link(&format!(
            "/app/{}/campaigns/{}",
            campaign.tenant_slug, campaign.slug
        ));
        let reached = if campaign.missed_target() {
            "short of the target"
        } else {
            "the target reached"
        };
        let message = OrganizerAlert {
            subject: format!("Signing closed: {} ends with {} signatures", campaign.title, campaign.confirmed),
            paragraphs: vec![format!(
                "The hard deadline of \"{}\" passed and the sign-on form is closed: {} signers listed under the current text, {}.",
                campaign.title, campaign.confirmed, reached
            )],
            items: vec![
                format!("{} listed of a target of {}", campaign.confirmed, campaign.target),
                format!("{pending} signatures submitted before the deadline still await confirmation or approval (their links keep working)"),
                format!("{asked} organizations asked, {signed} of them signed"),
            ],
            link_label: "Open the campaign".into(),
            link: dashboard,
        };
        self.alert_organizers(
            &mut tx,
            campaign,
            "hard_summary",
            campaign.hard_deadline,
            message,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn alert_organizers(
        &self,
        conn: &mut PgConnection,
        campaign: &DueCampaign,
        stage: &str,
        deadline: OffsetDateTime,
        message: OrganizerAlert,
        now: OffsetDateTime,
    ) -> anyhow::Result<()> {
        let organizers = store::organizer_emails(&mut *conn, campaign.tenant_id).await?;
        for (user_id, email) in organizers {
            mail::enqueue(
                conn,
                Outgoing {
                    tenant: Some(campaign.tenant_id),
                    idempotency_key: format!(
                        "outreach:{stage}:{}:{}:{user_id}",
                        campaign.id,
                        deadline.unix_timestamp()
                    ),
                    recipient: &email,
                    message: message.clone(),
                    send_at: now,
                    bulk: false,
                },
            )
            .await?;
        }
        Ok(())
    }

    /// One digest per organizer, group and day, from `DIGEST_HOUR` on in the group's time
    /// zone (that of most of its open campaigns); nothing is sent on a day with nothing
    /// to say.
    async fn digests(&self, now: OffsetDateTime) -> anyhow::Result<usize> {
        let members = store::digest_members(&self.state.db).await?;
        let mut sent = 0;
        for member in members {
            let hour = time_zones::local_hour(now, &member.time_zone);
            let day = time_zones::local_date(now, &member.time_zone);
            if hour < DIGEST_HOUR || member.last_day.is_some_and(|last| last >= day) {
                continue;
            }
            let store::DigestMember {
                tenant_id,
                tenant_slug,
                group_name,
                user_id,
                email,
                time_zone,
                ..
            } = member;
            let mut tx = self.state.db.begin().await?;
            if !store::claim_digest(&mut tx, tenant_id, user_id, day).await? {
                continue;
            }
            let (mut digest, listed, campaigns) =
                digest_for(&mut tx, tenant_id, user_id, &group_name, day, now).await?;
            if !(digest.follow_ups.is_empty()
                && digest.new_signers.is_empty()
                && digest.failed_mail.is_empty())
            {
                digest.greeting = if hour < MORNING_ENDS {
                    "Good morning.".into()
                } else {
                    "Hello.".into()
                };
                (digest.link_label, digest.link) =
                    digest_link(&self.state, &tenant_slug, &digest, &campaigns);
                digest.time_zone = time_zone;
                store::record_digest_lines(&mut tx, tenant_id, user_id, day, &listed).await?;
                mail::enqueue(
                    &mut tx,
                    Outgoing {
                        tenant: Some(tenant_id),
                        idempotency_key: format!("outreach:digest:{tenant_id}:{user_id}:{day}"),
                        recipient: &email,
                        message: digest,
                        send_at: now,
                        bulk: false,
                    },
                )
                .await?;
                sent += 1;
            }
            tx.commit().await?;
        }
        Ok(sent)
    }
}

async fn enqueue<E: crate::mail::Email>(
    conn: &mut PgConnection,
    campaign: &DueCampaign,
    key: String,
    email: &str,
    message: E,
    now: OffsetDateTime,
    sender: Option<&Sender>,
) -> anyhow::Result<()> {
    mail::enqueue_from(
        conn,
        Outgoing {
            tenant: Some(campaign.tenant_id),
            idempotency_key: key,
            recipient: email,
            message,
            send_at: now,
            bulk: true,
        },
        sender,
    )
    .await?;
    Ok(())
}

/// Which campaigns a digest's lines are about (slug), per list.
#[derive(Default)]
struct DigestCampaigns {
    follow_ups: Vec<String>,
    new_signers: Vec<String>,
}

/// The one button of a digest, worded for where it goes: the follow-up queue of the
/// campaign the follow-ups are in; the campaign page of the new signers; the Email page
/// for failures alone; the campaigns list when the lines span several campaigns.
fn digest_link(
    state: &AppState,
    tenant_slug: &str,
    digest: &DailyDigest,
    campaigns: &DigestCampaigns,
) -> (String, String) {
    let only = |slugs: &[String]| -> Option<String> {
        let first = slugs.first()?;
        slugs.iter().all(|s| s == first).then(|| first.clone())
    };
    let group = format!("/app/{tenant_slug}");
    let (label, path) = if !digest.follow_ups.is_empty() {
        match only(&campaigns.follow_ups) {
            Some(slug) => (
                "Open your follow-ups",
                format!("{group}/campaigns/{slug}/outreach/follow-ups"),
            ),
            None => ("Open your campaigns", format!("{group}/campaigns")),
        }
    } else if !digest.new_signers.is_empty() {
        match only(&campaigns.new_signers) {
            Some(slug) => ("Open the campaign", format!("{group}/campaigns/{slug}")),
            None => ("Open your campaigns", format!("{group}/campaigns")),
        }
    } else {
        ("Open the Email page", format!("{group}/mail"))
    };
    (label.to_owned(), state.config.link(&path))
}

/// The longest part of a signer's comment a digest quotes.
const DIGEST_COMMENT_CHARS: usize = 300;

async fn digest_for(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    user_id: Uuid,
    group_name: &str,
    day: Date,
    now: OffsetDateTime,
) -> sqlx::Result<(DailyDigest, store::DigestListed, DigestCampaigns)> {
    let follow_ups = store::digest_follow_ups(&mut *conn, tenant_id, user_id, day).await?;
    let new_signers = store::digest_new_signers(&mut *conn, tenant_id, now).await?;
    let failed =
        mail::outbox::failed_since(&mut *conn, tenant_id, now - time::Duration::days(1), 50)
            .await?;
    let listed = store::DigestListed {
        follow_ups: follow_ups.iter().map(|f| f.id).collect(),
        new_signers: new_signers.iter().map(|s| s.id).collect(),
        failed_mail: failed.iter().map(|f| f.id).collect(),
    };
    let campaigns = DigestCampaigns {
        follow_ups: follow_ups.iter().map(|f| f.slug.clone()).collect(),
        new_signers: new_signers.iter().map(|s| s.slug.clone()).collect(),
    };
    let digest = DailyDigest {
        group_name: group_name.to_owned(),
        day: crate::web::format_date(&day.midnight().assume_utc()),
        follow_ups: follow_ups
            .into_iter()
            .map(
                |store::DigestFollowUp {
                     name, title, due, ..
                 }| {
                    if due < day {
                        format!("{name} ({title}), overdue since {due}")
                    } else {
                        format!("{name} ({title})")
                    }
                },
            )
            .collect(),
        // A signer's comment is part of their line: an erasure replaces the whole line.
        new_signers: new_signers
            .into_iter()
            .map(
                |store::DigestSigner {
                     name,
                     title,
                     comment,
                     ..
                 }| {
                    let comment = comment.trim();
                    if comment.is_empty() {
                        format!("{name} signed {title}")
                    } else {
                        let mut quoted: String =
                            comment.chars().take(DIGEST_COMMENT_CHARS).collect();
                        if comment.chars().count() > DIGEST_COMMENT_CHARS {
                            quoted.push('…');
                        }
                        format!("{name} signed {title}, and wrote: “{quoted}”")
                    }
                },
            )
            .collect(),
        failed_mail: failed
            .into_iter()
            .map(|f| format!("to {}: {}", f.recipient, f.error))
            .collect(),
        ..DailyDigest::default()
    };
    Ok((digest, listed, campaigns))
}

/// Referrals left by signers become prospects marked "referred by" their signer's
/// organization (once each: the prospect keeps the referral's id). `campaign` limits it
/// to one campaign, as the outreach pages do before they read.
pub async fn absorb_referrals(state: &AppState, campaign: Option<Uuid>) -> anyhow::Result<usize> {
    let now = state.clock.now();
    let referrals = crate::signatures::store::referrals_to_absorb(&state.db, campaign).await?;
    let mut absorbed = 0;
    for crate::signatures::store::ReferralToAbsorb {
        id: referral_id,
        tenant_id,
        campaign_id,
        name,
        organization,
        email,
        referrer,
    } in referrals
    {
        let prospect_name = [&organization, &name, &email]
            .into_iter()
            .find(|s| !s.trim().is_empty())
            .map(|s| s.trim().to_owned())
            .unwrap_or_else(|| "Suggested organization".into());
        let mut tx = state.db.begin().await?;
        // Another instance may absorb the same referral at the same moment.
        let taken = crate::signatures::store::take_referral(&mut tx, referral_id).await?;
        let already = store::referral_has_prospect(&mut tx, referral_id).await?;
        if !taken || already {
            continue;
        }
        let prospect_id = store::insert(
            &mut tx,
            tenant_id,
            campaign_id,
            &ProspectInput {
                name: prospect_name,
                ..ProspectInput::default()
            },
            &Origin {
                referral_id: Some(referral_id),
                referred_by: referrer.clone(),
                referral_note: String::new(),
                import_id: None,
            },
            now,
        )
        .await?;
        let email = crate::mail::EmailAddress::parse(&email)
            .ok()
            .map(|e| e.as_str().to_owned());
        if email.is_some() || !name.trim().is_empty() {
            store::add_contact(
                &mut tx,
                tenant_id,
                campaign_id,
                prospect_id,
                &store::ContactInput {
                    name: name.trim().to_owned(),
                    email,
                    ..store::ContactInput::default()
                },
                now,
            )
            .await?;
        }
        store::record(
            &mut tx,
            tenant_id,
            campaign_id,
            &NewActivity {
                prospect_id,
                contact_id: None,
                kind: ActivityKind::Note,
                outcome: "",
                body: &format!("Suggested by {referrer}, who signed."),
                author_id: None,
                author_name: "Referral",
            },
            now,
        )
        .await?;
        store::match_confirmed_signatures(&mut tx, campaign_id, Some(prospect_id), now).await?;
        tx.commit().await?;
        absorbed += 1;
    }
    Ok(absorbed)
}
