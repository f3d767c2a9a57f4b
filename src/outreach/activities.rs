//! The activity log: logging a call, meeting, note or requested change (and the small
//! log-a-call page), and linking a requested change to the revision that answered it.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use time::{Date, Duration};
use uuid::Uuid;

use super::store::{self, Contact, Prospect};
use super::{ActivityKind, LOGGABLE};
use crate::campaigns::lookup::CampaignEdit;
use crate::campaigns::store::Campaign;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::tenancy::Member;
use crate::web::{render, unprocessable, Form, FormErrors, Layout, Path, Query};

use super::pipeline;
use super::prospects::{back_to, base, prospect_of, today, IdPath};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ActivityForm {
    pub kind: String,
    pub contact: String,
    pub outcome: String,
    pub body: String,
    pub next_follow_up: String,
    /// From the follow-up queue: come back there.
    pub back: String,
    /// "log-call": sent from the log-a-call form, which comes back with any error.
    pub form: String,
}

fn parse_date(raw: &str) -> Result<Option<Date>, &'static str> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    Date::parse(
        raw,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map(Some)
    .map_err(|_| "Enter a date like 2026-12-15.")
}

pub async fn log_activity(
    State(state): State<AppState>,
    CampaignEdit { member, campaign }: CampaignEdit,
    Path(IdPath { id }): Path<IdPath>,
    Form(form): Form<ActivityForm>,
) -> AppResult<Response> {
    let prospect = prospect_of(&state, &member, &campaign, &id).await?;
    let contacts = store::contacts_of(&state.db, member.tenant_id, prospect.id).await?;
    let mut errors = FormErrors::new();
    let kind = ActivityKind::parse(&form.kind).filter(|k| LOGGABLE.contains(k));
    if kind.is_none() {
        errors.add(
            "kind",
            "Choose a call, a meeting, a note or a requested change.",
        );
    }
    let contact_id = if form.contact.is_empty() {
        None
    } else {
        let id = Uuid::parse_str(&form.contact)
            .ok()
            .filter(|id| contacts.iter().any(|c| c.id == *id));
        if id.is_none() {
            errors.add("contact", "Choose one of this prospect's contacts.");
        }
        id
    };
    let next_follow_up = parse_date(&form.next_follow_up).unwrap_or_else(|message| {
        errors.add("next_follow_up", message);
        None
    });
    let body = form.body.trim();
    let outcome = form.outcome.trim();
    if body.chars().count() > 5000 {
        errors.add("body", "Keep the note under 5,000 characters.");
    }
    if outcome.chars().count() > 200 {
        errors.add("outcome", "Keep the outcome under 200 characters.");
    }
    if kind == Some(ActivityKind::ChangeRequest) && body.is_empty() {
        errors.add("body", "Describe the change they asked for.");
    }
    let kind = match kind {
        Some(kind) if errors.is_empty() => kind,
        _ if form.form == "log-call" => {
            let page = log_call_page_for(&state, &member, campaign, prospect, form, errors).await?;
            return unprocessable(page);
        }
        _ => {
            let message = errors.messages().collect::<Vec<_>>().join(" ");
            return Err(AppError::BadRequest(message));
        }
    };
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    store::record_by(
        &mut tx,
        &member,
        campaign.id,
        &store::MemberActivity {
            prospect_id: prospect.id,
            contact_id,
            kind,
            outcome,
            body,
        },
        now,
    )
    .await?;
    if next_follow_up.is_some() || kind.is_touch() {
        // A touch clears the follow-up it answered unless a new date is given.
        store::set_follow_up(&mut tx, member.tenant_id, prospect.id, next_follow_up).await?;
    }
    // Someone spoke with them: a call or meeting with a prospect not contacted or only
    // asked means a conversation has started (the status page's "from" check keeps a
    // change made meanwhile by someone else).
    let spoke = matches!(kind, ActivityKind::Call | ActivityKind::Meeting);
    if let Some(to) = pipeline::target(prospect.status, pipeline::Action::Spoke).filter(|_| spoke) {
        let moved = store::set_status(
            &mut tx,
            member.tenant_id,
            campaign.id,
            prospect.id,
            prospect.status,
            to,
        )
        .await?;
        if moved.is_some() {
            store::record_by(
                &mut tx,
                &member,
                campaign.id,
                &store::MemberActivity {
                    prospect_id: prospect.id,
                    contact_id: None,
                    kind: ActivityKind::Status,
                    outcome: to.label(),
                    body: &format!(
                        "{} → {} (a {} was logged)",
                        prospect.status.label(),
                        to.label(),
                        kind.label().to_lowercase()
                    ),
                },
                now,
            )
            .await?;
        }
    }
    tx.commit().await?;
    if form.back == "follow-ups" {
        return Ok(Redirect::to(&format!(
            "{}/outreach/follow-ups?notice=activity-logged",
            base(&member, &campaign)
        ))
        .into_response());
    }
    Ok(back_to(&member, &campaign, prospect.id, "activity-logged"))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AnswerForm {
    pub revision: String,
}

pub async fn answer_change(
    State(state): State<AppState>,
    CampaignEdit { member, campaign }: CampaignEdit,
    Path(IdPath { id }): Path<IdPath>,
    Form(form): Form<AnswerForm>,
) -> AppResult<Response> {
    let activity_id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let revision_id = Uuid::parse_str(&form.revision).map_err(|_| {
        AppError::BadRequest("Choose the revision that answered the request.".into())
    })?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let prospect_id = store::answer_change(
        &mut tx,
        member.tenant_id,
        campaign.id,
        activity_id,
        revision_id,
    )
    .await?
    .ok_or(AppError::NotFound)?;
    let told = super::asks::tell_change_answered(
        &state,
        &mut tx,
        &member,
        &campaign,
        prospect_id,
        activity_id,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(back_to(
        &member,
        &campaign,
        prospect_id,
        if told > 0 {
            "change-answered-told"
        } else {
            "change-answered"
        },
    ))
}

/// A phone number as typed, as a `tel:` URI: its digits, after a leading "+" if any.
pub fn tel_uri(phone: &str) -> Option<String> {
    let phone = phone.trim();
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return None;
    }
    let plus = if phone.starts_with('+') { "+" } else { "" };
    Some(format!("tel:{plus}{digits}"))
}

#[derive(Template)]
#[template(path = "outreach/log_call.html")]
struct LogCallPage {
    layout: Layout,
    base: String,
    campaign: Campaign,
    prospect: Prospect,
    contacts: Vec<Contact>,
    form: ActivityForm,
    errors: FormErrors,
    last: Option<store::QueueDetail>,
}

impl LogCallPage {
    pub fn tel(&self, phone: &str) -> Option<String> {
        tel_uri(phone)
    }

    pub fn has_phone(&self) -> bool {
        self.contacts.iter().any(|c| tel_uri(&c.phone).is_some())
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LogCallQuery {
    pub back: String,
}

/// Where the log-a-call form prefills the next follow-up: three days on, in the
/// campaign's zone.
const NEXT_FOLLOW_UP_DAYS: i64 = 3;

async fn log_call_page_for(
    state: &AppState,
    member: &Member,
    campaign: Campaign,
    prospect: Prospect,
    form: ActivityForm,
    errors: FormErrors,
) -> AppResult<LogCallPage> {
    let contacts = store::contacts_of(&state.db, member.tenant_id, prospect.id).await?;
    let last = store::queue_details(&state.db, member.tenant_id, &[prospect.id])
        .await?
        .pop();
    Ok(LogCallPage {
        layout: member.layout(format!("Log a call — {}", prospect.name)),
        base: base(member, &campaign),
        campaign,
        prospect,
        contacts,
        form,
        errors,
        last,
    })
}

/// `GET …/prospects/{id}/log-call`: a small form for a call (outcome, note, next
/// follow-up prefilled three days on), so logging a call never clears a follow-up by
/// itself.
pub async fn log_call_page(
    State(state): State<AppState>,
    CampaignEdit { member, campaign }: CampaignEdit,
    Path(IdPath { id }): Path<IdPath>,
    Query(query): Query<LogCallQuery>,
) -> AppResult<Html<String>> {
    let prospect = prospect_of(&state, &member, &campaign, &id).await?;
    let next = today(&state, &campaign) + Duration::days(NEXT_FOLLOW_UP_DAYS);
    let contacts = store::contacts_of(&state.db, member.tenant_id, prospect.id).await?;
    let first_callable = contacts
        .iter()
        .find(|c| !c.phone.is_empty())
        .or(contacts.first());
    let form = ActivityForm {
        kind: ActivityKind::Call.as_str().into(),
        contact: first_callable.map(|c| c.id.to_string()).unwrap_or_default(),
        next_follow_up: next.to_string(),
        back: if query.back == "follow-ups" {
            "follow-ups".into()
        } else {
            String::new()
        },
        form: "log-call".into(),
        ..ActivityForm::default()
    };
    render(log_call_page_for(&state, &member, campaign, prospect, form, FormErrors::new()).await?)
}
