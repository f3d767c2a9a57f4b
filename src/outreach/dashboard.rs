//! The outreach dashboard: the funnel, asked against signed, signers over time (an SVG
//! drawn here, with its numbers as a table), large organizations not yet contacted,
//! overdue follow-ups, failed and bounced emails, who brought in whom, and the banner
//! with the last-call button once the soft deadline passed short of the target.

use askama::Template;
use axum::extract::State;
use axum::response::Html;
use time::Date;
use uuid::Uuid;

use super::scheduler::absorb_referrals;
use super::store::{self, Prospect};
use super::Stage;
use crate::campaigns::lookup::CampaignPage;
use crate::campaigns::store::Campaign;
use crate::campaigns::time_zones;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::{render, Layout};

/// One day of the signers chart.
pub struct Day {
    pub date: Date,
    pub new: i64,
    pub total: i64,
}

/// The chart's geometry, worked out here so the template only prints it.
pub struct Chart {
    pub width: i64,
    pub height: i64,
    /// "x,y x,y …" of the running total.
    pub line: String,
    /// The target's height, if it fits.
    pub target_y: i64,
    pub max: i64,
    pub first: String,
    pub last: String,
    pub bars: Vec<(i64, i64, i64)>,
}

const WIDTH: i64 = 640;
const HEIGHT: i64 = 220;
const PAD: i64 = 30;

pub fn chart(days: &[Day], target: i64) -> Option<Chart> {
    let (first, last) = (days.first()?, days.last()?);
    let max = days
        .iter()
        .map(|d| d.total)
        .max()
        .unwrap_or(0)
        .max(target)
        .max(1);
    let span = (last.date - first.date).whole_days().max(1);
    let x = |date: Date| PAD + (date - first.date).whole_days() * (WIDTH - 2 * PAD) / span;
    let y = |value: i64| HEIGHT - PAD - value * (HEIGHT - 2 * PAD) / max;
    let line = days
        .iter()
        .map(|d| format!("{},{}", x(d.date), y(d.total)))
        .collect::<Vec<_>>()
        .join(" ");
    let bar_width = ((WIDTH - 2 * PAD) / (span + 1)).clamp(2, 24);
    Some(Chart {
        width: WIDTH,
        height: HEIGHT,
        line,
        target_y: y(target),
        max,
        first: crate::web::format_day(&first.date),
        last: crate::web::format_day(&last.date),
        bars: days
            .iter()
            .map(|d| (x(d.date) - bar_width / 2, y(d.new), bar_width))
            .collect(),
    })
}

pub struct Referral {
    pub prospect_id: Uuid,
    pub name: String,
    pub referred_by: String,
    pub stage: Stage,
}

pub struct Bounced {
    pub prospect_id: Uuid,
    pub organization: String,
    pub contact: String,
    pub email: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "outreach/dashboard.html")]
struct DashboardPage {
    layout: Layout,
    base: String,
    campaign: Campaign,
    funnel: Vec<(Stage, i64)>,
    total: i64,
    asked: i64,
    confirmed: i64,
    days: Vec<Day>,
    chart: Option<Chart>,
    large_not_contacted: Vec<Prospect>,
    signed_split: store::SignedSplit,
    comments: Vec<store::SignerComment>,
    change_requests: Vec<store::OpenChangeRequest>,
    zone: String,
    overdue: Vec<Prospect>,
    bounced: Vec<Bounced>,
    failed: Vec<crate::mail::outbox::FailedMessage>,
    referrals: Vec<Referral>,
    soft_missed: bool,
    last_call_sent: bool,
    can_edit: bool,
    mail_path: String,
}

pub async fn page(
    State(state): State<AppState>,
    CampaignPage { member, campaign }: CampaignPage,
) -> AppResult<Html<String>> {
    absorb_referrals(&state, Some(campaign.id)).await?;
    let db = &state.db;
    let now = state.clock.now();
    let today = time_zones::local_date(now, &campaign.time_zone);
    let funnel = store::stage_counts(db, member.tenant_id, campaign.id, today).await?;
    let total: i64 = funnel.iter().map(|(_, n)| n).sum();
    let count = |stage: Stage| {
        funnel
            .iter()
            .find(|(s, _)| *s == stage)
            .map_or(0, |(_, n)| *n)
    };
    let asked = total - count(Stage::NotContacted);

    // Signers listed under the current text, as the public page counts them: after a
    // substantive change, those who have not confirmed it yet are counted apart.
    let signed_split = store::signed_split(db, member.tenant_id, campaign.id).await?;
    let per_day = store::listed_per_day(
        db,
        member.tenant_id,
        campaign.id,
        zone_for_sql(&campaign.time_zone),
    )
    .await?;
    let mut running = 0;
    let days: Vec<Day> = per_day
        .into_iter()
        .map(
            |store::ListedOnDay {
                 day: date,
                 count: new,
             }| {
                running += new;
                Day {
                    date,
                    new,
                    total: running,
                }
            },
        )
        .collect();

    // Not contacted means no touch by any channel (an email, a call, a meeting), whatever
    // status an organizer set.
    let large_not_contacted =
        store::large_untouched(db, member.tenant_id, campaign.id, today, 10).await?;
    let comments = store::signer_comments(db, member.tenant_id, campaign.id, 20).await?;
    let change_requests =
        store::open_change_requests(db, member.tenant_id, campaign.id, 20).await?;
    let overdue = store::follow_ups(db, member.tenant_id, campaign.id, None, today, 10).await?;

    let bounced = store::bounced_contacts(db, member.tenant_id, campaign.id, 20)
        .await?
        .into_iter()
        .map(|b| Bounced {
            prospect_id: b.prospect_id,
            organization: b.organization,
            contact: b.contact,
            email: b.email.unwrap_or_default(),
            reason: b.bounce_reason,
        })
        .collect::<Vec<_>>();
    let failed = crate::mail::outbox::failed_of_kind(db, member.tenant_id, "outreach_", 20).await?;

    let referral_rows = store::referred_prospects(db, member.tenant_id, campaign.id, 200).await?;
    let referrals = referral_rows
        .into_iter()
        .map(|r| Referral {
            prospect_id: r.id,
            stage: Stage::of(
                r.status,
                r.signed,
                super::hold_lasts(&r.hold_reason, r.hold_until, today)
                    || super::hold_lasts(&r.group_hold_reason, r.group_hold_until, today),
            ),
            name: r.name,
            referred_by: r.referred_by,
        })
        .collect();

    let moments = store::campaign_log(db, campaign.id).await?;
    let confirmed = days.last().map_or(0, |d| d.total);
    let soft_missed = now >= campaign.soft_deadline
        && now < campaign.hard_deadline
        && confirmed < i64::from(campaign.target);
    let last_call_sent = moments
        .iter()
        .any(|(stage, deadline)| stage == "last_call" && *deadline == campaign.hard_deadline);

    render(DashboardPage {
        layout: member.layout(format!("Outreach — {}", campaign.title)),
        base: member.path(&format!("/campaigns/{}", campaign.slug)),
        chart: chart(&days, i64::from(campaign.target)),
        zone: campaign.time_zone.clone(),
        campaign,
        funnel,
        total,
        asked,
        confirmed,
        days,
        large_not_contacted,
        signed_split,
        comments,
        change_requests,
        overdue,
        bounced,
        failed,
        referrals,
        soft_missed,
        last_call_sent,
        can_edit: member.role.can_edit(),
        mail_path: member.path("/mail"),
    })
}

/// PostgreSQL knows the IANA zones the campaign form accepts; anything else reads as UTC.
fn zone_for_sql(zone: &str) -> &str {
    if time_zones::valid_zone(zone) {
        zone
    } else {
        "UTC"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_chart_spans_the_days_and_the_target() {
        let days = vec![
            Day {
                date: date!(2026 - 11 - 20),
                new: 2,
                total: 2,
            },
            Day {
                date: date!(2026 - 11 - 22),
                new: 3,
                total: 5,
            },
        ];
        let chart = chart(&days, 10).unwrap();
        assert_eq!(chart.max, 10);
        assert_eq!(chart.line, "30,158 610,110");
        assert_eq!(chart.target_y, 30);
        assert!(super::chart(&[], 10).is_none());
    }
}
