//! Personal asks: a template with merge fields, a preview that says who will get it and
//! who will not (and why), and the send through the outbox. Each contact has one
//! personal link (`/{group}/{campaign}/ask/{token}`) that opens the *current* letter and
//! the sign-on form filled in for them; opening it is recorded on the prospect.

use std::collections::BTreeSet;

use askama::Template;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::daily_cap;
use super::emails::Ask;
pub use super::links::personal_link;
use super::links::{mac_matches, parse_token};
use super::rules::{never_send, touch_problem};
use super::scheduler::{due_campaign_by_id, Scheduler};
use super::store::{self, Recipient, Settings};
use super::ActivityKind;
use crate::campaigns::lookup::campaign_of;
use crate::campaigns::store::Campaign;
use crate::campaigns::time_zones;
use crate::error::{AppError, AppResult};
use crate::mail::outbox;
use crate::signing::{prefilled_form, public_campaign, SignForm};
use crate::state::AppState;
use crate::tenancy::{Member, TenantScope};
use crate::web::{render, render_with, unprocessable, Form, Layout, Path, Visitor};

/// At most this many contacts in one ask.
pub const MAX_RECIPIENTS: usize = 5000;

/// `GET /{group}/{campaign}/ask/{token}`: the sign-on form with the current letter,
/// filled in with the organization and the contact.
pub async fn open_link(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((tenant_slug, campaign_slug, token)): Path<(String, String, String)>,
) -> AppResult<Response> {
    let (contact_id, given_mac) = parse_token(&token).ok_or(AppError::NotFound)?;
    let found = public_campaign(&state, &tenant_slug, &campaign_slug).await?;
    // A typed row (`FromRow`) replaces this tuple when the SQL moves into the store (#18).
    #[allow(clippy::type_complexity)]
    let row: Option<(Uuid, String, String, String, String, Option<String>, String, String)> =
        sqlx::query_as(
            "SELECT p.id, p.name, p.website, p.size, coalesce(parent.name, ''), c.email::text, c.name, c.role
             FROM prospect_contacts c JOIN prospects p ON p.id = c.prospect_id
             LEFT JOIN prospects parent ON parent.id = p.parent_id
             WHERE c.id = $1 AND c.campaign_id = $2 AND c.tenant_id = $3",
        )
        .bind(contact_id)
        .bind(found.campaign.id)
        .bind(found.tenant.uuid())
        .fetch_optional(&state.db)
        .await?;
    let (prospect_id, organization, website, size, parent, email, name, role) =
        row.ok_or(AppError::NotFound)?;
    let email = email.ok_or(AppError::NotFound)?;
    if !mac_matches(&state.secret, contact_id, &email, given_mac) {
        return Err(AppError::NotFound);
    }
    let now = state.clock.now();
    // Opening is recorded once an hour at most (mail scanners and reloads open it too).
    sqlx::query(
        "INSERT INTO outreach_activities (tenant_id, campaign_id, prospect_id, contact_id, kind, body, author_name, at)
         SELECT $1, $2, $3, $4, 'opened', 'Opened the personal link', $5, $6
         WHERE NOT EXISTS (SELECT 1 FROM outreach_activities WHERE contact_id = $4 AND kind = 'opened'
                           AND at > $6 - interval '1 hour')",
    )
    .bind(found.tenant.uuid())
    .bind(found.campaign.id)
    .bind(prospect_id)
    .bind(contact_id)
    .bind(if name.is_empty() { "The contact".to_owned() } else { name.clone() })
    .bind(now)
    .execute(&state.db)
    .await?;
    let form = SignForm {
        kind: "organization".into(),
        organization,
        website,
        size,
        parent_organization: parent,
        contact_name: name,
        contact_title: role,
        email,
        ..SignForm::default()
    };
    let mut response = prefilled_form(&state, &visitor, &tenant_slug, found, form).await?;
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

/// The merge fields a template may use.
pub const MERGE_FIELDS: [(&str, &str); 6] = [
    ("contact_name", "the contact's name"),
    ("organization", "the organization"),
    ("soft_deadline", "the soft deadline"),
    ("organizer_name", "your name"),
    ("campaign", "the campaign's title"),
    (
        "referral",
        "\"<signer> suggested we write to you.\" for referred prospects, else nothing",
    ),
];

pub struct MergeValues<'a> {
    pub contact_name: &'a str,
    pub organization: &'a str,
    pub soft_deadline: &'a str,
    pub organizer_name: &'a str,
    pub campaign: &'a str,
    pub referral: String,
}

/// Fills `{field}`s; an unknown or unclosed field is an error naming it.
pub fn merge(template: &str, values: &MergeValues<'_>) -> Result<String, String> {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find('}').ok_or_else(|| {
            "A \"{\" is not closed: write merge fields like {contact_name}.".to_owned()
        })?;
        let field = &after[..close];
        let value = match field {
            "contact_name" => values.contact_name,
            "organization" => values.organization,
            "soft_deadline" => values.soft_deadline,
            "organizer_name" => values.organizer_name,
            "campaign" => values.campaign,
            "referral" => values.referral.as_str(),
            other => {
                return Err(format!(
                    "{{{other}}} is not a merge field. Use {}.",
                    MERGE_FIELDS
                        .iter()
                        .map(|(f, _)| format!("{{{f}}}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            }
        };
        out.push_str(value);
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn values_for<'a>(
    recipient: &'a Recipient,
    campaign: &'a Campaign,
    soft_deadline: &'a str,
    organizer: &'a str,
) -> MergeValues<'a> {
    MergeValues {
        contact_name: if recipient.contact.name.is_empty() {
            "colleague"
        } else {
            &recipient.contact.name
        },
        organization: &recipient.organization,
        soft_deadline,
        organizer_name: organizer,
        campaign: &campaign.title,
        referral: if recipient.referred_by.is_empty() {
            String::new()
        } else {
            format!("{} suggested we write to you. ", recipient.referred_by)
        },
    }
}

pub const MAX_SUBJECT: usize = 200;
pub const MAX_BODY: usize = 10_000;

/// A template an ask may be sent with: not empty, not overlong, only known merge fields.
pub fn check_template(subject: &str, body: &str) -> Result<(), String> {
    if subject.trim().is_empty() || body.trim().is_empty() {
        return Err("Write a subject and a text for the email.".into());
    }
    if subject.chars().count() > MAX_SUBJECT || body.chars().count() > MAX_BODY {
        return Err(format!(
            "Keep the subject under {MAX_SUBJECT} characters and the text under 10,000."
        ));
    }
    let sample = MergeValues {
        contact_name: "",
        organization: "",
        soft_deadline: "",
        organizer_name: "",
        campaign: "",
        referral: String::new(),
    };
    merge(subject, &sample)?;
    merge(body, &sample)?;
    Ok(())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AskForm {
    pub contact: Vec<String>,
    pub prospect: Vec<String>,
    pub subject: String,
    pub body: String,
    /// "ask" (a first ask) or "follow_up".
    pub kind: String,
    /// Names this preview, so sending it twice sends nothing twice.
    pub batch: String,
    /// The organizer saw the touch-limit warnings and sends anyway.
    pub include_warned: String,
}

impl AskForm {
    fn ids(raw: &[String]) -> Vec<Uuid> {
        raw.iter()
            .filter_map(|id| Uuid::parse_str(id.trim()).ok())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    }

    fn kind(&self) -> ActivityKind {
        if self.kind == "follow_up" {
            ActivityKind::FollowUp
        } else {
            ActivityKind::Ask
        }
    }
}

/// One row of the preview.
pub struct Line {
    pub contact_id: Uuid,
    pub prospect_id: Uuid,
    pub contact: String,
    pub email: String,
    pub organization: String,
    /// Never sent, and why.
    pub excluded: Option<&'static str>,
    /// Sent only if the organizer says so, and why not otherwise.
    pub warning: Option<String>,
}

#[derive(Template)]
#[template(path = "outreach/ask.html")]
struct PreviewPage {
    layout: Layout,
    base: String,
    campaign: Campaign,
    form: AskForm,
    lines: Vec<Line>,
    sendable: usize,
    warned: usize,
    chapter_warnings: Vec<(String, String)>,
    example: Option<(String, String, String)>,
    error: Option<String>,
    /// What the group may still send today (`daily_cap`).
    allowance: String,
    /// The contacts this ask goes to for sure are more than that.
    over_allowance: bool,
    merge_fields: [(&'static str, &'static str); 6],
}

struct Evaluated {
    lines: Vec<Line>,
    recipients: Vec<Recipient>,
    chapter_warnings: Vec<(String, String)>,
}

async fn evaluate(
    conn: &mut sqlx::PgConnection,
    member: &Member,
    campaign: &Campaign,
    form: &AskForm,
    settings: &Settings,
    now: time::OffsetDateTime,
    lock: bool,
) -> AppResult<Evaluated> {
    let today = time_zones::local_date(now, &campaign.time_zone);
    let recipients = store::recipients(
        conn,
        member.tenant_id,
        campaign.id,
        &AskForm::ids(&form.contact),
        &AskForm::ids(&form.prospect),
        today,
        lock,
    )
    .await?;
    if recipients.len() > MAX_RECIPIENTS {
        return Err(AppError::BadRequest(format!(
            "One ask goes to at most {MAX_RECIPIENTS} contacts; choose fewer."
        )));
    }
    let lines = recipients
        .iter()
        .map(|r| {
            let excluded = never_send(r);
            Line {
                contact_id: r.contact.id,
                prospect_id: r.prospect_id,
                contact: r.contact.name.clone(),
                email: r.contact.email.clone().unwrap_or_default(),
                organization: r.organization.clone(),
                excluded,
                warning: if excluded.is_none() {
                    touch_problem(r.contact.touches, r.contact.last_touch_at, settings, now)
                } else {
                    None
                },
            }
        })
        .collect();
    let prospect_ids: Vec<Uuid> = recipients
        .iter()
        .map(|r| r.prospect_id)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let chapter_warnings = store::relatives_being_asked(conn, campaign.id, &prospect_ids).await?;
    Ok(Evaluated {
        lines,
        recipients,
        chapter_warnings,
    })
}

/// An ask leads to the sign-on form: while the form takes no signatures (a draft, a
/// closed campaign, after the hard deadline) nothing is sent.
fn refuse_unless_signing(campaign: &Campaign, now: time::OffsetDateTime) -> AppResult<()> {
    if campaign.accepting_signatures(now) {
        Ok(())
    } else {
        Err(AppError::BadRequest(
            "The sign-on form takes no signatures now (open the campaign first, or it has closed), so the link in this email would lead nowhere. Nothing was sent.".into(),
        ))
    }
}

/// `POST …/outreach/ask`: the preview (also after the template was edited on it).
pub async fn preview(
    State(state): State<AppState>,
    member: Member,
    Path((_, campaign_slug)): Path<(String, String)>,
    Form(mut form): Form<AskForm>,
) -> AppResult<Response> {
    member.require_editor()?;
    let campaign = campaign_of(&state, &member, &campaign_slug).await?;
    let settings = store::settings(&state.db, campaign.id).await?;
    if form.subject.trim().is_empty() {
        form.subject = settings.ask_subject.clone();
    }
    if form.body.trim().is_empty() {
        form.body = settings.ask_body.clone();
    }
    if form.batch.is_empty() {
        form.batch = Uuid::new_v4().simple().to_string();
    }
    let page = preview_page(&state, &member, campaign, form, &settings, None).await?;
    if page.error.is_some() {
        return unprocessable(page);
    }
    Ok(render(page)?.into_response())
}

/// The preview of `form` as it stands now; `refused` is why a send of it was refused.
async fn preview_page(
    state: &AppState,
    member: &Member,
    campaign: Campaign,
    form: AskForm,
    settings: &Settings,
    refused: Option<String>,
) -> AppResult<PreviewPage> {
    let now = state.clock.now();
    let mut conn = state.db.acquire().await?;
    let evaluated = evaluate(&mut conn, member, &campaign, &form, settings, now, false).await?;
    let allowance = daily_cap::allowance(&mut conn, member.tenant_id, now, false).await?;
    let soft = campaign.soft_deadline_display();
    let first = evaluated
        .recipients
        .iter()
        .zip(&evaluated.lines)
        .find(|(_, line)| line.excluded.is_none());
    let mut error = check_template(&form.subject, &form.body).err();
    let example = match first.filter(|_| error.is_none()) {
        Some((recipient, line)) => {
            let values = values_for(recipient, &campaign, &soft, &member.user.name);
            match (merge(&form.subject, &values), merge(&form.body, &values)) {
                (Ok(subject), Ok(body)) => Some((line.email.clone(), subject, body)),
                (Err(e), _) | (_, Err(e)) => {
                    error = Some(e);
                    None
                }
            }
        }
        None => None,
    };
    if evaluated.lines.is_empty() {
        error = Some("Choose at least one prospect or contact to ask.".into());
    }
    let sendable = evaluated
        .lines
        .iter()
        .filter(|l| l.excluded.is_none())
        .count();
    let warned = evaluated
        .lines
        .iter()
        .filter(|l| l.excluded.is_none() && l.warning.is_some())
        .count();
    Ok(PreviewPage {
        layout: member.layout(format!("Ask — {}", campaign.title)),
        base: member.path(&format!("/campaigns/{}", campaign.slug)),
        campaign,
        form,
        lines: evaluated.lines,
        sendable,
        warned,
        chapter_warnings: evaluated.chapter_warnings,
        example,
        error: refused.or(error),
        allowance: allowance.summary(),
        over_allowance: i64::try_from(sendable - warned).unwrap_or(i64::MAX)
            > allowance.remaining(),
        merge_fields: MERGE_FIELDS,
    })
}

/// `POST …/outreach/ask/send`: queues one email per contact that may be written to
/// (those with touch-limit warnings only when the organizer said so) and records each.
pub async fn send(
    State(state): State<AppState>,
    member: Member,
    Path((_, campaign_slug)): Path<(String, String)>,
    Form(form): Form<AskForm>,
) -> AppResult<Response> {
    member.require_editor()?;
    let campaign = campaign_of(&state, &member, &campaign_slug).await?;
    let settings = store::settings(&state.db, campaign.id).await?;
    if !(16..=64).contains(&form.batch.len())
        || !form.batch.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return Err(AppError::BadRequest(
            "This ask was not previewed; open the preview and send from there.".into(),
        ));
    }
    check_template(&form.subject, &form.body).map_err(AppError::BadRequest)?;
    let now = state.clock.now();
    refuse_unless_signing(&campaign, now)?;
    let soft = campaign.soft_deadline_display();
    let mut tx = state.db.begin().await?;
    // The group first, then its contacts: every capped send locks in this order.
    let allowance = daily_cap::allowance(&mut tx, member.tenant_id, now, true).await?;
    let evaluated = evaluate(&mut tx, &member, &campaign, &form, &settings, now, true).await?;
    let include_warned = form.include_warned == "on";
    let mut messages = Vec::new();
    let mut sent_to = Vec::new();
    for (recipient, line) in evaluated.recipients.iter().zip(&evaluated.lines) {
        if line.excluded.is_some() || (line.warning.is_some() && !include_warned) {
            continue;
        }
        let values = values_for(recipient, &campaign, &soft, &member.user.name);
        let (subject, body) = match (merge(&form.subject, &values), merge(&form.body, &values)) {
            (Ok(subject), Ok(body)) => (subject, body),
            (Err(e), _) | (_, Err(e)) => return Err(AppError::BadRequest(e)),
        };
        let key = format!(
            "outreach:ask:{}:{}:{}",
            campaign.id, form.batch, recipient.contact.id
        );
        sent_to.push((
            key.clone(),
            recipient.contact.id,
            recipient.prospect_id,
            subject.clone(),
        ));
        messages.push((
            key,
            line.email.clone(),
            Ask {
                subject,
                body,
                group_name: member.tenant.name.clone(),
                link: personal_link(
                    &state,
                    &member.tenant.slug,
                    &campaign.slug,
                    recipient.contact.id,
                    &line.email,
                ),
            },
        ));
    }
    let new_keys: BTreeSet<String> =
        outbox::enqueue_many(&mut tx, Some(member.tenant_id.uuid()), messages, now, true)
            .await?
            .into_iter()
            .collect();
    let sent: Vec<_> = sent_to
        .into_iter()
        .filter(|(key, ..)| new_keys.contains(key))
        .collect();
    let queued = i64::try_from(sent.len()).unwrap_or(i64::MAX);
    if let Some(refusal) = allowance.refusal("this ask", queued) {
        tx.rollback().await?;
        let refusal = format!(
            "{refusal} Choose fewer contacts, or send it later: what you wrote and chose is kept below."
        );
        let page = preview_page(&state, &member, campaign, form, &settings, Some(refusal)).await?;
        return render_with(StatusCode::TOO_MANY_REQUESTS, page);
    }
    daily_cap::record(&mut tx, member.tenant_id, now, queued).await?;
    let contacts: Vec<Uuid> = sent.iter().map(|(_, c, _, _)| *c).collect();
    let prospects: Vec<Uuid> = sent.iter().map(|(_, _, p, _)| *p).collect();
    let subjects: Vec<String> = sent.iter().map(|(_, _, _, s)| s.clone()).collect();
    sqlx::query(
        "INSERT INTO outreach_activities (tenant_id, campaign_id, prospect_id, contact_id, kind, body, author_id, author_name, at)
         SELECT $1, $2, prospect_id, contact_id, $3, 'Subject: ' || subject, $4, $5, $6
         FROM unnest($7::uuid[], $8::uuid[], $9::text[]) AS a(contact_id, prospect_id, subject)",
    )
    .bind(member.tenant_id.uuid())
    .bind(campaign.id)
    .bind(form.kind())
    .bind(member.user.user_id)
    .bind(&member.user.name)
    .bind(now)
    .bind(&contacts)
    .bind(&prospects)
    .bind(&subjects)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE prospects SET status = 'asked' WHERE campaign_id = $1 AND id = ANY ($2) AND status = 'not_contacted'",
    )
    .bind(campaign.id)
    .bind(&prospects)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!(
        "{}?sent={}",
        member.path(&format!("/campaigns/{}/outreach/prospects", campaign.slug)),
        contacts.len()
    ))
    .into_response())
}

/// A prospect asked for a change and a revision answered it: its contacts are told (with
/// their personal link to the text as it stands), once per request. Returns how many.
pub async fn tell_change_answered(
    state: &AppState,
    conn: &mut sqlx::PgConnection,
    member: &Member,
    campaign: &Campaign,
    prospect_id: Uuid,
    request_id: i64,
    now: time::OffsetDateTime,
) -> AppResult<usize> {
    let today = time_zones::local_date(now, &campaign.time_zone);
    let recipients = store::recipients(
        conn,
        member.tenant_id,
        campaign.id,
        &[],
        &[prospect_id],
        today,
        true,
    )
    .await?;
    let mut messages = Vec::new();
    let mut keys = Vec::new();
    for r in &recipients {
        // They asked: a signer, a bounced or unsubscribed address is still not written to.
        let Some(email) = r.contact.email.clone() else {
            continue;
        };
        if r.contact.bounced_at.is_some() || r.unsubscribed || r.has_signature {
            continue;
        }
        let key = format!("outreach:change-answered:{request_id}:{}", r.contact.id);
        keys.push((key.clone(), r.contact.id));
        messages.push((
            key,
            email.clone(),
            Ask {
                subject: format!("Your suggestion is in the letter: {}", campaign.title),
                body: format!(
                    "Dear {},\n\nYou asked us to change the letter \"{}\". The text now answers it: the link below opens the letter as it stands, with the form filled in for {}.\n\nWith thanks,\n{}",
                    if r.contact.name.is_empty() { "colleague" } else { &r.contact.name },
                    campaign.title,
                    r.organization,
                    member.user.name
                ),
                group_name: member.tenant.name.clone(),
                link: personal_link(state, &member.tenant.slug, &campaign.slug, r.contact.id, &email),
            },
        ));
    }
    let new: BTreeSet<String> =
        outbox::enqueue_many(conn, Some(member.tenant_id.uuid()), messages, now, true)
            .await?
            .into_iter()
            .collect();
    let mut told = 0;
    for (key, contact_id) in keys.into_iter().filter(|(k, _)| new.contains(k)) {
        let _ = key;
        store::record(
            conn,
            member.tenant_id.uuid(),
            campaign.id,
            &store::NewActivity {
                prospect_id,
                contact_id: Some(contact_id),
                kind: ActivityKind::FollowUp,
                outcome: "",
                body: "Told that a revision answers their requested change",
                author_id: Some(member.user.user_id),
                author_name: &member.user.name,
            },
            now,
        )
        .await?;
        told += 1;
    }
    Ok(told)
}

/// `POST …/outreach/last-call`: the organizers' one click after a missed soft deadline.
pub async fn last_call(
    State(state): State<AppState>,
    member: Member,
    Path((_, campaign_slug)): Path<(String, String)>,
) -> AppResult<Response> {
    member.require_editor()?;
    let campaign = campaign_of(&state, &member, &campaign_slug).await?;
    let due = due_campaign_by_id(&state.db, campaign.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = state.clock.now();
    refuse_unless_signing(&campaign, now)?;
    let outreach = member.path(&format!("/campaigns/{}/outreach", campaign.slug));
    if now < due.soft_deadline || now >= due.hard_deadline || !due.missed_target() {
        return Err(AppError::BadRequest(
            "A last call goes only after the soft deadline passed short of the target, and before the hard deadline.".into(),
        ));
    }
    match Scheduler::new(state.clone())
        .last_call(&due, Some(member.tenant_id))
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("{outreach}?notice=last-call-sent")).into_response()),
        Err(e) => match e.downcast::<daily_cap::OverCap>() {
            Ok(over) => Err(AppError::TooManyRequests(format!(
                "{over} Send the last call later, when the group's allowance has room."
            ))),
            Err(e) => Err(e.into()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_fields_are_filled_and_unknown_ones_refused() {
        let values = MergeValues {
            contact_name: "Amira",
            organization: "River Trust",
            soft_deadline: "1 December",
            organizer_name: "Dana",
            campaign: "Clean water",
            referral: "Alder Network suggested we write to you. ".into(),
        };
        assert_eq!(
            merge("Dear {contact_name}, {referral}will {organization} sign by {soft_deadline}? {organizer_name}", &values).unwrap(),
            "Dear Amira, Alder Network suggested we write to you. will River Trust sign by 1 December? Dana"
        );
        assert!(merge("Hi {name}", &values)
            .unwrap_err()
            .contains("{name} is not a merge field"));
        assert!(merge("Hi {contact_name", &values).is_err());
    }
}
