//! The organizer's follow-up queue: the prospects they own (or everyone's) due today or
//! overdue, or due this week, with whom to call and how it last went.

use askama::Template;
use axum::extract::State;
use axum::response::Html;
use serde::Deserialize;
use time::{Date, Duration};
use uuid::Uuid;

use super::activities::tel_uri;
use super::prospects::{base, today};
use super::store::{self, Prospect};
use crate::campaigns::lookup::CampaignPage;
use crate::campaigns::store::Campaign;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::{render, Layout, Query};

pub struct FollowUp {
    pub prospect: Prospect,
    pub overdue_days: i64,
    pub due_today: bool,
    pub held: bool,
    /// Held by the group's hold on the organization (every campaign).
    pub group_held: bool,
    pub detail: Option<store::QueueDetail>,
}

impl FollowUp {
    pub fn tel(&self) -> Option<String> {
        tel_uri(self.detail.as_ref()?.contact_phone.as_deref()?)
    }
}

#[derive(Template)]
#[template(path = "outreach/follow_ups.html")]
struct FollowUpsPage {
    layout: Layout,
    base: String,
    campaign: Campaign,
    rows: Vec<FollowUp>,
    everyone: bool,
    week: bool,
    /// The query string that keeps "everyone" across the today/week switch, and back.
    who_query: &'static str,
    when_query: &'static str,
    week_ends: Date,
    zone: String,
    can_edit: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FollowUpsQuery {
    pub who: String,
    /// "week": due within the next seven days (overdue included); otherwise due today.
    pub when: String,
}

/// Seven days from today, today included: "this week" in the queue.
fn week_end(today: Date) -> Date {
    today + Duration::days(6)
}

/// `GET …/outreach/follow-ups`: the organizer's prospects due today or overdue, or due
/// this week.
pub async fn follow_ups(
    State(state): State<AppState>,
    CampaignPage { member, campaign }: CampaignPage,
    Query(query): Query<FollowUpsQuery>,
) -> AppResult<Html<String>> {
    let today = today(&state, &campaign);
    let everyone = query.who == "everyone";
    let week = query.when == "week";
    let owner = (!everyone).then_some(member.user.user_id);
    let due_by = if week { week_end(today) } else { today };
    let prospects =
        store::follow_ups(&state.db, member.tenant_id, campaign.id, owner, due_by, 500).await?;
    let ids: Vec<Uuid> = prospects.iter().map(|p| p.id).collect();
    let mut details = store::queue_details(&state.db, member.tenant_id, &ids).await?;
    let rows = prospects
        .into_iter()
        .map(|prospect| {
            let due = prospect.next_follow_up.unwrap_or(today);
            let detail = details
                .iter()
                .position(|d| d.prospect_id == prospect.id)
                .map(|i| details.swap_remove(i));
            FollowUp {
                overdue_days: (today - due).whole_days(),
                due_today: due == today,
                held: prospect.held(today),
                group_held: prospect.group_held(today),
                detail,
                prospect,
            }
        })
        .collect();
    render(FollowUpsPage {
        layout: member.layout(format!("Follow-ups — {}", campaign.title)),
        base: base(&member, &campaign),
        zone: campaign.time_zone.clone(),
        campaign,
        rows,
        everyone,
        week,
        who_query: if everyone { "who=everyone&" } else { "" },
        when_query: if week { "when=week&" } else { "" },
        week_ends: week_end(today),
        can_edit: member.role.can_edit(),
    })
}
