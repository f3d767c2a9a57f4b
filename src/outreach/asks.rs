//! Personal asks: a template with merge fields, a preview that says who will get it and
//! who will not (and why), and the send through the outbox. Each contact has one
//! personal link (`/{group}/{campaign}/ask/{token}`) that opens the *current* letter and
//! the sign-on form filled in for them; opening it is recorded on the prospect.

use std::collections::{BTreeSet, HashMap};

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
use super::rules::{any_touch_problem, never_send};
use super::scheduler::{due_campaign_by_id, Organizer, Scheduler};
use super::store::{self, ChapterPair, Recipient, Settings};
use super::ActivityKind;
use crate::campaigns::lookup::CampaignEdit;
use crate::campaigns::store::Campaign;
use crate::campaigns::time_zones;
use crate::error::{AppError, AppResult};
use crate::mail::{outbox, Sender};
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
    let store::LinkPerson {
        prospect_id,
        organization,
        website,
        size,
        parent,
        email,
        name,
        role,
    } = store::link_person(
        &state.db,
        found.tenant.uuid(),
        found.campaign.id,
        contact_id,
    )
    .await?
    .ok_or(AppError::NotFound)?;
    let email = email.ok_or(AppError::NotFound)?;
    if !mac_matches(&state.secret, contact_id, &email, given_mac) {
        return Err(AppError::NotFound);
    }
    let now = state.clock.now();
    // Opening is recorded once an hour at most (mail scanners and reloads open it too).
    let opened_by = if name.is_empty() {
        "The contact".to_owned()
    } else {
        name.clone()
    };
    store::record_opened(
        &state.db,
        found.tenant.uuid(),
        found.campaign.id,
        (prospect_id, contact_id),
        &opened_by,
        now,
    )
    .await?;
    // The form remembers the ask, so a signature sent from it at this address says so.
    let asked_by = {
        let mut conn = state.db.acquire().await?;
        store::askers(&mut conn, found.campaign.id, &[contact_id])
            .await?
            .first()
            .map(|a| a.user_id)
    };
    let form = SignForm {
        personal_ask: crate::signing::personal_ask::field(
            &state.secret,
            found.campaign.id,
            contact_id,
            asked_by,
            &email,
        ),
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
pub const MERGE_FIELDS: &[(&str, &str)] = &[
    (
        "first_name",
        "the contact's first name: as set on the contact, else the first word of their name",
    ),
    ("contact_name", "the contact's full name"),
    ("role", "the contact's role"),
    ("organization", "the organization"),
    ("campaign", "the campaign's title"),
    ("points", "the points of unity, one per line"),
    ("soft_deadline", "the soft deadline"),
    ("organizer_name", "your name"),
    ("organizer_first_name", "your first name"),
    (
        "referral",
        "\"<signer> suggested we write to you.\" for referred prospects, else nothing",
    ),
    ("link", "the contact's personal link, written out"),
];

pub struct MergeValues<'a> {
    pub first_name: &'a str,
    pub contact_name: &'a str,
    pub role: &'a str,
    pub organization: &'a str,
    pub campaign: &'a str,
    pub points: String,
    pub soft_deadline: &'a str,
    pub organizer_name: &'a str,
    pub organizer_first_name: &'a str,
    pub referral: String,
    pub link: &'a str,
}

/// Fills `{field}`s; an unknown or unclosed field is an error naming it.
pub fn merge(template: &str, values: &MergeValues<'_>) -> Result<String, String> {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find('}').ok_or_else(|| {
            "A \"{\" is not closed: write merge fields like {first_name}.".to_owned()
        })?;
        let field = &after[..close];
        let value = match field {
            "first_name" => values.first_name,
            "contact_name" => values.contact_name,
            "role" => values.role,
            "organization" => values.organization,
            "campaign" => values.campaign,
            "points" => values.points.as_str(),
            "soft_deadline" => values.soft_deadline,
            "organizer_name" => values.organizer_name,
            "organizer_first_name" => values.organizer_first_name,
            "referral" => values.referral.as_str(),
            "link" => values.link,
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

/// The first word of a name ("Maya" of "Maya Okafor").
pub fn first_word(name: &str) -> &str {
    name.split_whitespace().next().unwrap_or("")
}

/// The points of unity as an email lists them.
fn points_text(points: &[String]) -> String {
    points
        .iter()
        .map(|p| format!("- {}", p.trim()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Who writes an ask, as its merge fields need them.
struct Writer<'a> {
    name: &'a str,
    campaign: &'a Campaign,
    points: String,
    soft_deadline: String,
}

impl<'a> Writer<'a> {
    fn new(member: &'a Member, campaign: &'a Campaign) -> Self {
        Writer {
            name: &member.user.name,
            campaign,
            points: points_text(&campaign.points),
            soft_deadline: campaign.soft_deadline_display(),
        }
    }

    fn values_for(&'a self, recipient: &'a Recipient, link: &'a str) -> MergeValues<'a> {
        let contact = &recipient.contact;
        let first_name = if !contact.first_name.is_empty() {
            contact.first_name.as_str()
        } else {
            first_word(&contact.name)
        };
        MergeValues {
            first_name: if first_name.is_empty() {
                "colleague"
            } else {
                first_name
            },
            contact_name: if contact.name.is_empty() {
                "colleague"
            } else {
                &contact.name
            },
            role: &contact.role,
            organization: &recipient.organization,
            campaign: &self.campaign.title,
            points: self.points.clone(),
            soft_deadline: &self.soft_deadline,
            organizer_name: self.name,
            organizer_first_name: first_word(self.name),
            referral: if recipient.referred_by.is_empty() {
                String::new()
            } else {
                format!("{} suggested we write to you. ", recipient.referred_by)
            },
            link,
        }
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
        first_name: "",
        contact_name: "",
        role: "",
        organization: "",
        campaign: "",
        points: String::new(),
        soft_deadline: "",
        organizer_name: "",
        organizer_first_name: "",
        referral: String::new(),
        link: "",
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
    /// Which recipient the preview shows the email of (0: the first who gets it).
    pub step: String,
    /// Prospects whose contacts this send leaves out (a chapter whose parent is asked).
    pub leave_out: Vec<String>,
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
        if self.is_follow_up() {
            ActivityKind::FollowUp
        } else {
            ActivityKind::Ask
        }
    }

    pub fn is_follow_up(&self) -> bool {
        self.kind == "follow_up"
    }

    /// The campaign's template for this kind of email.
    fn template<'s>(&self, settings: &'s Settings) -> (&'s str, &'s str) {
        if self.is_follow_up() {
            (&settings.follow_up_subject, &settings.follow_up_body)
        } else {
            (&settings.ask_subject, &settings.ask_body)
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
    pub excluded: Option<String>,
    /// Sent only if the organizer says so, and why not otherwise.
    pub warning: Option<String>,
}

/// The email as one recipient will read it, and where it stands among them.
pub struct Example {
    pub to: String,
    pub organization: String,
    pub subject: String,
    pub body: String,
    /// 1-based, among the recipients who may get it.
    pub position: usize,
    pub count: usize,
    /// The `step` values of the recipients before and after this one.
    pub previous: Option<usize>,
    pub next: Option<usize>,
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
    chapter_warnings: Vec<ChapterPair>,
    /// Organizations this send leaves out on the organizer's word.
    left_out: Vec<String>,
    example: Option<Example>,
    /// Who the email is from, as the recipient sees it.
    from_line: String,
    /// The text uses `{role}` and some recipients have none.
    empty_role: Option<String>,
    error: Option<String>,
    /// What the group may still send today (`daily_cap`).
    allowance: String,
    /// The contacts this ask goes to for sure are more than that.
    over_allowance: bool,
    merge_fields: &'static [(&'static str, &'static str)],
}

struct Evaluated {
    lines: Vec<Line>,
    recipients: Vec<Recipient>,
    chapter_warnings: Vec<ChapterPair>,
    left_out: Vec<String>,
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
    let mut recipients = store::recipients(
        conn,
        member.tenant_id,
        campaign.id,
        &AskForm::ids(&form.contact),
        &AskForm::ids(&form.prospect),
        today,
        lock,
    )
    .await?;
    let leave_out = AskForm::ids(&form.leave_out);
    let mut left_out: Vec<String> = Vec::new();
    recipients.retain(|r| {
        let kept = !leave_out.contains(&r.prospect_id);
        if !kept && !left_out.contains(&r.organization) {
            left_out.push(r.organization.clone());
        }
        kept
    });
    if recipients.len() > MAX_RECIPIENTS {
        return Err(AppError::BadRequest(format!(
            "One ask goes to at most {MAX_RECIPIENTS} contacts; choose fewer."
        )));
    }
    // The group's limits count every campaign and channel, in addition to this one's.
    let limits = store::book_settings(conn, member.tenant_id.uuid()).await?;
    let people: Vec<Uuid> = recipients.iter().map(|r| r.contact.id).collect();
    let in_group: HashMap<Uuid, store::GroupTouches> =
        store::group_touches(conn, member.tenant_id.uuid(), &people, now)
            .await?
            .into_iter()
            .map(|t| (t.person_id, t))
            .collect();
    let lines = recipients
        .iter()
        .map(|r| {
            let excluded = never_send(r);
            let warning = if excluded.is_none() {
                any_touch_problem(
                    r.contact.touches,
                    r.contact.last_touch_at,
                    in_group.get(&r.contact.id),
                    (settings, &limits),
                    now,
                )
            } else {
                None
            };
            Line {
                contact_id: r.contact.id,
                prospect_id: r.prospect_id,
                contact: r.contact.name.clone(),
                email: r.contact.email.clone().unwrap_or_default(),
                organization: r.organization.clone(),
                excluded,
                warning,
            }
        })
        .collect();
    let prospect_ids: Vec<Uuid> = recipients
        .iter()
        .map(|r| r.prospect_id)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let chapter_warnings =
        store::chapter_pairs_being_asked(conn, campaign.id, &prospect_ids).await?;
    Ok(Evaluated {
        lines,
        recipients,
        chapter_warnings,
        left_out,
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

/// `POST …/outreach/ask`: the preview (also after the template was edited on it, and
/// when stepping from one recipient's email to the next).
pub async fn preview(
    State(state): State<AppState>,
    CampaignEdit { member, campaign }: CampaignEdit,
    Form(mut form): Form<AskForm>,
) -> AppResult<Response> {
    let settings = store::settings(&state.db, campaign.id).await?;
    let (subject, body) = form.template(&settings);
    if form.subject.trim().is_empty() {
        form.subject = subject.to_owned();
    }
    if form.body.trim().is_empty() {
        form.body = body.to_owned();
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

/// What a preview shows in place of the personal link (each contact's own is written in).
const LINK_IN_PREVIEW: &str = "(their personal link)";

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
    let mut error = check_template(&form.subject, &form.body).err();
    // Every recipient who may get it, in the table's order: the preview steps through them.
    let shown: Vec<(&Recipient, &Line)> = evaluated
        .recipients
        .iter()
        .zip(&evaluated.lines)
        .filter(|(_, line)| line.excluded.is_none())
        .collect();
    let count = shown.len();
    let index = form
        .step
        .trim()
        .parse::<usize>()
        .unwrap_or(0)
        .min(count.saturating_sub(1));
    let example = match shown.get(index).filter(|_| error.is_none()) {
        Some((recipient, line)) => {
            let writer = Writer::new(member, &campaign);
            let values = writer.values_for(recipient, LINK_IN_PREVIEW);
            match (merge(&form.subject, &values), merge(&form.body, &values)) {
                (Ok(subject), Ok(body)) => Some(Example {
                    to: line.email.clone(),
                    organization: line.organization.clone(),
                    subject,
                    body: if body.contains(LINK_IN_PREVIEW) {
                        body
                    } else {
                        format!("{}\n\n{LINK_IN_PREVIEW}", body.trim_end())
                    },
                    position: index + 1,
                    count,
                    previous: index.checked_sub(1),
                    next: (index + 1 < count).then_some(index + 1),
                }),
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
    // A role nobody typed would leave a gap in the sentence: say so before it goes.
    let uses_role = form.subject.contains("{role}") || form.body.contains("{role}");
    let without_role = shown
        .iter()
        .filter(|(r, _)| r.contact.role.trim().is_empty())
        .count();
    let empty_role = (uses_role && without_role > 0).then(|| {
        format!(
            "{{role}} is empty for {without_role} of the {count} contacts who get this: add their roles on their prospects' pages, or word the text so it reads well without."
        )
    });
    let sendable = count;
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
        left_out: evaluated.left_out,
        example,
        empty_role,
        from_line: format!(
            "{} · replies go to {}",
            sender_of(member).display_name,
            member.user.email
        ),
        error: refused.or(error),
        allowance: allowance.summary(),
        over_allowance: i64::try_from(sendable - warned).unwrap_or(i64::MAX)
            > allowance.remaining(),
        merge_fields: MERGE_FIELDS,
    })
}

/// The organizer writing, as their emails show them (`mail::Sender`).
pub fn sender_of(member: &Member) -> Sender {
    Sender::organizer(&member.user.name, &member.user.email, &member.tenant.name)
}

/// `POST …/outreach/ask/send`: queues one email per contact that may be written to
/// (those with touch-limit warnings only when the organizer said so) and records each.
pub async fn send(
    State(state): State<AppState>,
    CampaignEdit { member, campaign }: CampaignEdit,
    Form(form): Form<AskForm>,
) -> AppResult<Response> {
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
    let writer = Writer::new(&member, &campaign);
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
        let link = personal_link(
            &state,
            &member.tenant.slug,
            &campaign.slug,
            recipient.contact.id,
            &line.email,
        );
        let values = writer.values_for(recipient, &link);
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
                link,
            },
        ));
    }
    let new_keys: BTreeSet<String> = outbox::enqueue_many_from(
        &mut tx,
        Some(member.tenant_id.uuid()),
        messages,
        now,
        true,
        Some(&sender_of(&member)),
    )
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
    let sent: Vec<store::AskSent> = sent
        .into_iter()
        .map(|(_, contact_id, prospect_id, subject)| store::AskSent {
            contact_id,
            prospect_id,
            subject,
        })
        .collect();
    store::record_asks(
        &mut tx,
        member.tenant_id,
        campaign.id,
        form.kind(),
        (member.user.user_id, &member.user.name),
        &sent,
        now,
    )
    .await?;
    let prospects: Vec<Uuid> = sent.iter().map(|s| s.prospect_id).collect();
    store::mark_asked(&mut tx, campaign.id, &prospects).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!(
        "{}?sent={}",
        member.path(&format!("/campaigns/{}/outreach/prospects", campaign.slug)),
        sent.len()
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
        let link = personal_link(
            state,
            &member.tenant.slug,
            &campaign.slug,
            r.contact.id,
            &email,
        );
        messages.push((
            key,
            email.clone(),
            Ask {
                subject: format!("Your suggestion is in the letter: {}", campaign.title),
                body: format!(
                    "Dear {},\n\nYou asked us to change the letter \"{}\". The text now answers it. This link opens the letter as it stands, with the form filled in for {}:\n{link}\n\nWith thanks,\n{}",
                    if r.contact.name.is_empty() { "colleague" } else { &r.contact.name },
                    campaign.title,
                    r.organization,
                    member.user.name
                ),
                group_name: member.tenant.name.clone(),
                link,
            },
        ));
    }
    let new: BTreeSet<String> = outbox::enqueue_many_from(
        conn,
        Some(member.tenant_id.uuid()),
        messages,
        now,
        true,
        Some(&sender_of(member)),
    )
    .await?
    .into_iter()
    .collect();
    let mut told = 0;
    for (key, contact_id) in keys.into_iter().filter(|(k, _)| new.contains(k)) {
        let _ = key;
        store::record_by(
            conn,
            member,
            campaign.id,
            &store::MemberActivity {
                prospect_id,
                contact_id: Some(contact_id),
                kind: ActivityKind::FollowUp,
                outcome: "",
                body: "Told that a revision answers their requested change",
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
    CampaignEdit { member, campaign }: CampaignEdit,
) -> AppResult<Response> {
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
        .last_call(
            &due,
            Some((
                member.tenant_id,
                &Organizer {
                    name: member.user.name.clone(),
                    email: member.user.email.clone(),
                },
            )),
        )
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
            first_name: "Amira",
            contact_name: "Amira Haddad",
            role: "Director",
            organization: "River Trust",
            campaign: "Clean water",
            points: "- Water is a right".into(),
            soft_deadline: "1 December",
            organizer_name: "Dana Ruiz",
            organizer_first_name: "Dana",
            referral: "Alder Network suggested we write to you. ".into(),
            link: "https://x.example/a",
        };
        assert_eq!(
            merge("Dear {contact_name}, {referral}will {organization} sign by {soft_deadline}? {organizer_name}", &values).unwrap(),
            "Dear Amira Haddad, Alder Network suggested we write to you. will River Trust sign by 1 December? Dana Ruiz"
        );
        assert_eq!(
            merge(
                "Hi {first_name} ({role}):\n{points}\n{link}\n{organizer_first_name}",
                &values
            )
            .unwrap(),
            "Hi Amira (Director):\n- Water is a right\nhttps://x.example/a\nDana"
        );
        assert!(merge("Hi {name}", &values)
            .unwrap_err()
            .contains("{name} is not a merge field"));
        assert!(merge("Hi {contact_name", &values).is_err());
    }
}
