//! The organizers' prospect pages: the list, one prospect with its contacts and activity
//! log, the follow-up queue, and the campaign's outreach settings.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use time::{Date, Duration};
use uuid::Uuid;

use super::rules::touch_problem;
use super::scheduler::absorb_referrals;
use super::store::{
    self, Activity, Contact, ContactInput, Filter, Prospect, ProspectInput, Relative, Settings,
    Sort, SuggestedMatch,
};
use super::{ActivityKind, PipelineStatus, Size, Stage, LOGGABLE};
use crate::campaigns::lookup::campaign_of;
use crate::campaigns::store::{self as campaigns, Campaign, Revision};
use crate::campaigns::time_zones;
use crate::error::{AppError, AppResult};
use crate::mail::EmailAddress;
use crate::signatures::names::normalize_website;
use crate::state::AppState;
use crate::tenancy::Member;
use crate::web::{render, unprocessable, Form, FormErrors, Layout, Path, Query};

pub const PAGE_SIZE: i64 = 100;

fn base(member: &Member, campaign: &Campaign) -> String {
    member.path(&format!("/campaigns/{}", campaign.slug))
}

fn today(state: &AppState, campaign: &Campaign) -> Date {
    time_zones::local_date(state.clock.now(), &campaign.time_zone)
}

fn parse_id(raw: &str) -> AppResult<Uuid> {
    Uuid::parse_str(raw).map_err(|_| AppError::NotFound)
}

async fn prospect_of(
    state: &AppState,
    member: &Member,
    campaign: &Campaign,
    id: &str,
) -> AppResult<Prospect> {
    store::by_id(&state.db, member.tenant_id, campaign.id, parse_id(id)?)
        .await?
        .ok_or(AppError::NotFound)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    pub q: String,
    pub stage: String,
    pub size: String,
    pub tag: String,
    pub owner: String,
    pub sort: String,
    pub page: String,
    pub sent: String,
    pub carried: String,
    /// Just imported: the import, to see or undo it.
    pub import: String,
}

impl ListQuery {
    pub(super) fn filter(&self, member: &Member) -> Filter {
        let page: i64 = self.page.parse().unwrap_or(1).clamp(1, 10_000);
        Filter {
            search: self.q.trim().chars().take(200).collect(),
            stage: Stage::parse(&self.stage),
            size: Size::parse(&self.size),
            tag: self.tag.trim().chars().take(100).collect(),
            owner: match self.owner.as_str() {
                "me" => Some(Some(member.user.user_id)),
                "none" => Some(None),
                other => Uuid::parse_str(other).ok().map(Some),
            },
            sort: Sort::parse(&self.sort),
            offset: (page - 1) * PAGE_SIZE,
            limit: PAGE_SIZE,
        }
    }

    /// The query string without the page, for the pager's links.
    pub fn without_page(&self) -> String {
        let pairs = [
            ("q", &self.q),
            ("stage", &self.stage),
            ("size", &self.size),
            ("tag", &self.tag),
            ("owner", &self.owner),
            ("sort", &self.sort),
        ];
        pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}&", urlencoding(v)))
            .collect()
    }

    pub fn page_number(&self) -> i64 {
        self.page.parse().unwrap_or(1).clamp(1, 10_000)
    }
}

fn urlencoding(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

pub struct Row {
    pub prospect: Prospect,
    pub stage: Stage,
}

#[derive(Template)]
#[template(path = "outreach/list.html")]
struct ListPage {
    layout: Layout,
    base: String,
    campaign: Campaign,
    rows: Vec<Row>,
    total: i64,
    query: ListQuery,
    page: i64,
    pages: i64,
    stages: [Stage; 7],
    sizes: &'static [Size],
    sorts: [(Sort, &'static str, &'static str); 4],
    organizers: Vec<(Uuid, String)>,
    can_edit: bool,
    /// After an ask: how many emails were queued.
    sent: Option<usize>,
    /// After carrying another campaign's signers over: how many prospects were added.
    carried: Option<usize>,
    /// The group's other campaigns, whose signers can be carried over as prospects.
    other_campaigns: Vec<(String, String)>,
    /// Just imported: the import's id, for its page (and undo).
    import: Option<Uuid>,
    statuses: &'static [PipelineStatus],
}

/// `GET …/outreach/prospects`: filtered, sorted, a hundred to a page, in one query.
pub async fn list(
    State(state): State<AppState>,
    member: Member,
    Path((_, campaign_slug)): Path<(String, String)>,
    Query(query): Query<ListQuery>,
) -> AppResult<Html<String>> {
    let campaign = campaign_of(&state, &member, &campaign_slug).await?;
    absorb_referrals(&state, Some(campaign.id)).await?;
    let today = today(&state, &campaign);
    let page = store::list(
        &state.db,
        member.tenant_id,
        campaign.id,
        &query.filter(&member),
        today,
    )
    .await?;
    let organizers = store::organizers(&state.db, member.tenant_id).await?;
    let layout = member.layout(format!("Prospects — {}", campaign.title));
    let sent = query.sent.parse::<usize>().ok();
    let carried = query.carried.parse::<usize>().ok();
    let import = Uuid::parse_str(&query.import).ok();
    // Names only: counting each campaign's signers would read every signature of the group.
    let other_campaigns: Vec<(String, String)> = sqlx::query_as(
        "SELECT slug, title FROM campaigns WHERE tenant_id = $1 AND id <> $2 ORDER BY created_at DESC LIMIT 50",
    )
    .bind(member.tenant_id.uuid())
    .bind(campaign.id)
    .fetch_all(&state.db)
    .await?;
    render(ListPage {
        layout,
        base: base(&member, &campaign),
        rows: page
            .prospects
            .into_iter()
            .map(|p| Row {
                stage: p.stage(today),
                prospect: p,
            })
            .collect(),
        total: page.total,
        page: query.page_number(),
        pages: (page.total + PAGE_SIZE - 1) / PAGE_SIZE,
        query,
        campaign,
        stages: Stage::ALL,
        sizes: Size::ALL,
        sorts: Sort::ALL,
        organizers,
        can_edit: member.role.can_edit(),
        sent,
        carried,
        other_campaigns,
        import,
        statuses: PipelineStatus::ALL,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProspectForm {
    pub name: String,
    pub website: String,
    pub size: String,
    pub parent: String,
    pub tags: String,
    pub owner: String,
    pub sensitivity: String,
    pub notes: String,
    pub hold_reason: String,
    pub hold_until: String,
    /// Contact fields, on the "add a prospect" form only.
    pub contact_name: String,
    pub contact_role: String,
    pub contact_email: String,
    pub contact_phone: String,
    /// The organizer saw the possible duplicate and adds it anyway.
    pub add_anyway: String,
}

impl ProspectForm {
    fn from_prospect(p: &Prospect) -> Self {
        ProspectForm {
            name: p.name.clone(),
            website: p.website.clone(),
            size: p.size.map(|s| s.as_str().to_owned()).unwrap_or_default(),
            parent: p.parent_name.clone().unwrap_or_default(),
            tags: p.tags_text(),
            owner: p.owner_id.map(|id| id.to_string()).unwrap_or_default(),
            sensitivity: p.sensitivity.clone(),
            notes: p.notes.clone(),
            hold_reason: p.hold_reason.clone(),
            hold_until: p.hold_until.map(|d| d.to_string()).unwrap_or_default(),
            ..ProspectForm::default()
        }
    }

    /// `parent` is the parent named in the form, already looked up by name.
    fn validate(
        &self,
        errors: &mut FormErrors,
        organizers: &[(Uuid, String)],
        parent: Option<Uuid>,
    ) -> ProspectInput {
        let name = self.name.trim().to_owned();
        if name.is_empty() {
            errors.add("name", "Enter the organization's name.");
        } else if name.chars().count() > 200 {
            errors.add("name", "Keep the name under 200 characters.");
        }
        let website = if self.website.trim().is_empty() {
            String::new()
        } else if self.website.trim().chars().count() > 500 {
            errors.add("website", "Keep the web address under 500 characters.");
            String::new()
        } else {
            normalize_website(&self.website).unwrap_or_else(|message| {
                errors.add("website", message);
                String::new()
            })
        };
        let size = if self.size.is_empty() {
            None
        } else {
            let size = Size::parse(&self.size);
            if size.is_none() {
                errors.add("size", "Choose local, regional, national or international.");
            }
            size
        };
        let parent_id = if self.parent.trim().is_empty() {
            None
        } else {
            if parent.is_none() {
                errors.add("parent", "No prospect of this campaign has that name: add the parent first, or check the spelling.");
            }
            parent
        };
        let owner_id = if self.owner.is_empty() {
            None
        } else {
            match Uuid::parse_str(&self.owner) {
                Ok(id) if organizers.iter().any(|(o, _)| *o == id) => Some(id),
                _ => {
                    errors.add("owner", "Choose an organizer of this group.");
                    None
                }
            }
        };
        let tags = parse_tags(&self.tags).unwrap_or_else(|message| {
            errors.add("tags", message);
            Vec::new()
        });
        let hold_until = if self.hold_until.trim().is_empty() {
            None
        } else {
            match Date::parse(
                self.hold_until.trim(),
                time::macros::format_description!("[year]-[month]-[day]"),
            ) {
                Ok(date) => Some(date),
                Err(_) => {
                    errors.add("hold_until", "Enter a date like 2026-12-15.");
                    None
                }
            }
        };
        let hold_reason = self.hold_reason.trim().to_owned();
        if hold_until.is_some() && hold_reason.is_empty() {
            errors.add(
                "hold_reason",
                "Say why the prospect is on hold (\"wait until their board meets\").",
            );
        }
        for (field, value) in [
            ("sensitivity", &self.sensitivity),
            ("hold_reason", &self.hold_reason),
        ] {
            if value.chars().count() > 2000 {
                errors.add(field, "Keep this under 2,000 characters.");
            }
        }
        if self.notes.chars().count() > 10_000 {
            errors.add("notes", "Keep the notes under 10,000 characters.");
        }
        ProspectInput {
            name,
            website,
            size,
            parent_id,
            tags,
            owner_id,
            sensitivity: self.sensitivity.trim().to_owned(),
            notes: self.notes.trim().to_owned(),
            hold_reason,
            hold_until,
        }
    }

    fn contact(&self, errors: &mut FormErrors) -> Option<ContactInput> {
        let form = ContactForm {
            name: self.contact_name.clone(),
            role: self.contact_role.clone(),
            email: self.contact_email.clone(),
            phone: self.contact_phone.clone(),
        };
        if form.is_empty() {
            return None;
        }
        Some(form.validate(errors, "contact_"))
    }
}

/// Tags separated by commas: trimmed, at most 20, each under 50 characters.
pub fn parse_tags(raw: &str) -> Result<Vec<String>, &'static str> {
    let mut tags: Vec<String> = Vec::new();
    for tag in raw.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        if tag.chars().count() > 50 {
            return Err("Keep each tag under 50 characters.");
        }
        if !tags.iter().any(|t| t.eq_ignore_ascii_case(tag)) {
            tags.push(tag.to_owned());
        }
    }
    if tags.len() > 20 {
        return Err("Use at most 20 tags.");
    }
    Ok(tags)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ContactForm {
    pub name: String,
    pub role: String,
    pub email: String,
    pub phone: String,
}

impl ContactForm {
    fn is_empty(&self) -> bool {
        [&self.name, &self.role, &self.email, &self.phone]
            .iter()
            .all(|v| v.trim().is_empty())
    }

    /// `prefix` names the fields on forms that hold more than a contact.
    pub fn validate(&self, errors: &mut FormErrors, prefix: &'static str) -> ContactInput {
        let field = |name: &'static str| -> &'static str {
            match (prefix, name) {
                ("contact_", "name") => "contact_name",
                ("contact_", "role") => "contact_role",
                ("contact_", "email") => "contact_email",
                ("contact_", "phone") => "contact_phone",
                (_, name) => name,
            }
        };
        let name = self.name.trim().to_owned();
        if name.is_empty() {
            errors.add(field("name"), "Enter the contact's name.");
        }
        if name.chars().count() > 200 || self.role.trim().chars().count() > 200 {
            errors.add(field("name"), "Keep names and roles under 200 characters.");
        }
        let email = if self.email.trim().is_empty() {
            None
        } else {
            match EmailAddress::parse(&self.email) {
                Ok(email) => Some(email.as_str().to_owned()),
                Err(message) => {
                    errors.add(field("email"), message);
                    None
                }
            }
        };
        let phone = self.phone.trim().to_owned();
        if phone.chars().count() > 40
            || !phone
                .chars()
                .all(|c| c.is_ascii_digit() || " +-()./".contains(c))
        {
            errors.add(field("phone"), "Use digits, spaces and + - ( ) only.");
        }
        ContactInput {
            name,
            role: self.role.trim().to_owned(),
            email,
            phone,
        }
    }
}

#[derive(Template)]
#[template(path = "outreach/new.html")]
struct NewPage {
    layout: Layout,
    base: String,
    campaign: Campaign,
    form: ProspectForm,
    errors: FormErrors,
    duplicate: Option<(Uuid, String)>,
    organizers: Vec<(Uuid, String)>,
    sizes: &'static [Size],
}

pub async fn new_page(
    State(state): State<AppState>,
    member: Member,
    Path((_, campaign_slug)): Path<(String, String)>,
) -> AppResult<Html<String>> {
    member.require_editor()?;
    let campaign = campaign_of(&state, &member, &campaign_slug).await?;
    render(NewPage {
        layout: member.layout(format!("Add a prospect — {}", campaign.title)),
        base: base(&member, &campaign),
        form: ProspectForm {
            owner: member.user.user_id.to_string(),
            ..ProspectForm::default()
        },
        errors: FormErrors::new(),
        duplicate: None,
        organizers: store::organizers(&state.db, member.tenant_id).await?,
        campaign,
        sizes: Size::ALL,
    })
}

pub async fn create(
    State(state): State<AppState>,
    member: Member,
    Path((_, campaign_slug)): Path<(String, String)>,
    Form(form): Form<ProspectForm>,
) -> AppResult<Response> {
    member.require_editor()?;
    let campaign = campaign_of(&state, &member, &campaign_slug).await?;
    let organizers = store::organizers(&state.db, member.tenant_id).await?;
    let parent = store::id_by_name(&state.db, member.tenant_id, campaign.id, &form.parent).await?;
    let mut errors = FormErrors::new();
    let input = form.validate(&mut errors, &organizers, parent);
    let contact = form.contact(&mut errors);
    let mut tx = state.db.begin().await?;
    let duplicate = if errors.is_empty() {
        store::find_duplicate(&mut tx, campaign.id, &input.name, &input.website, None).await?
    } else {
        None
    };
    if !errors.is_empty() || (duplicate.is_some() && form.add_anyway != "on") {
        return unprocessable(NewPage {
            layout: member.layout(format!("Add a prospect — {}", campaign.title)),
            base: base(&member, &campaign),
            campaign,
            form,
            errors,
            duplicate,
            organizers,
            sizes: Size::ALL,
        });
    }
    let now = state.clock.now();
    let id = store::insert(
        &mut tx,
        member.tenant_id.uuid(),
        campaign.id,
        &input,
        &store::Origin::default(),
        now,
    )
    .await?;
    if let Some(contact) = contact {
        store::add_contact(
            &mut tx,
            member.tenant_id.uuid(),
            campaign.id,
            id,
            &contact,
            now,
        )
        .await?;
        store::match_confirmed_signatures(&mut tx, campaign.id, Some(id), now).await?;
    }
    tx.commit().await?;
    Ok(Redirect::to(&format!(
        "{}/outreach/prospects/{id}?notice=prospect-added",
        base(&member, &campaign)
    ))
    .into_response())
}

pub struct ContactRow {
    pub contact: Contact,
    pub warning: Option<String>,
}

impl ContactRow {
    /// The contact's edit form: as sent back with errors, else as stored.
    pub fn edit_form(&self, edit: &Option<ContactEdit>) -> (ContactForm, bool) {
        match edit {
            Some(e) if e.id == self.contact.id => (
                ContactForm {
                    name: e.form.name.clone(),
                    role: e.form.role.clone(),
                    email: e.form.email.clone(),
                    phone: e.form.phone.clone(),
                },
                true,
            ),
            _ => (
                ContactForm {
                    name: self.contact.name.clone(),
                    role: self.contact.role.clone(),
                    email: self.contact.email.clone().unwrap_or_default(),
                    phone: self.contact.phone.clone(),
                },
                false,
            ),
        }
    }
}

#[derive(Template)]
#[template(path = "outreach/prospect.html")]
struct DetailPage {
    layout: Layout,
    base: String,
    campaign: Campaign,
    prospect: Prospect,
    stage: Stage,
    form: ProspectForm,
    errors: FormErrors,
    contact_form: ContactForm,
    contact_errors: FormErrors,
    contact_edit: Option<ContactEdit>,
    contacts: Vec<ContactRow>,
    activities: Vec<Activity>,
    chapters: Vec<Relative>,
    parent: Option<Relative>,
    suggested: Option<SuggestedMatch>,
    revisions: Vec<Revision>,
    organizers: Vec<(Uuid, String)>,
    sizes: &'static [Size],
    statuses: &'static [PipelineStatus],
    loggable: [ActivityKind; 4],
    can_edit: bool,
    today: Date,
}

struct DetailInput {
    form: Option<ProspectForm>,
    errors: FormErrors,
    contact_form: ContactForm,
    contact_errors: FormErrors,
    contact_edit: Option<ContactEdit>,
}

/// A contact's edit form sent back with errors: shown open, with what was typed.
pub struct ContactEdit {
    pub id: Uuid,
    pub form: ContactForm,
    pub errors: FormErrors,
}

async fn detail_page(
    state: &AppState,
    member: &Member,
    campaign: Campaign,
    prospect: Prospect,
    input: DetailInput,
) -> AppResult<DetailPage> {
    let db = &state.db;
    let now = state.clock.now();
    let today = today(state, &campaign);
    let settings = store::settings(db, campaign.id).await?;
    let contacts = store::contacts_of(db, member.tenant_id, prospect.id)
        .await?
        .into_iter()
        .map(|contact| ContactRow {
            warning: touch_problem(contact.touches, contact.last_touch_at, &settings, now),
            contact,
        })
        .collect();
    let parent = match prospect.parent_id {
        Some(parent_id) => store::by_id(db, member.tenant_id, campaign.id, parent_id)
            .await?
            .map(|p| Relative {
                id: p.id,
                name: p.name,
                status: p.status,
                signed: p.signed_signature_id.is_some(),
            }),
        None => None,
    };
    Ok(DetailPage {
        layout: member.layout(format!("{} — {}", prospect.name, campaign.title)),
        base: base(member, &campaign),
        stage: prospect.stage(today),
        form: input
            .form
            .unwrap_or_else(|| ProspectForm::from_prospect(&prospect)),
        errors: input.errors,
        contact_form: input.contact_form,
        contact_errors: input.contact_errors,
        contact_edit: input.contact_edit,
        contacts,
        activities: store::activities(db, member.tenant_id, prospect.id).await?,
        chapters: store::chapters(db, member.tenant_id, campaign.id, prospect.id).await?,
        parent,
        suggested: store::suggested_match(db, member.tenant_id, campaign.id, prospect.id).await?,
        revisions: campaigns::revisions(db, member.tenant_id, campaign.id).await?,
        organizers: store::organizers(db, member.tenant_id).await?,
        prospect,
        campaign,
        sizes: Size::ALL,
        statuses: PipelineStatus::ALL,
        loggable: LOGGABLE,
        can_edit: member.role.can_edit(),
        today,
    })
}

pub async fn detail(
    State(state): State<AppState>,
    member: Member,
    Path((_, campaign_slug, id)): Path<(String, String, String)>,
) -> AppResult<Html<String>> {
    let campaign = campaign_of(&state, &member, &campaign_slug).await?;
    let prospect = prospect_of(&state, &member, &campaign, &id).await?;
    let page = detail_page(
        &state,
        &member,
        campaign,
        prospect,
        DetailInput {
            form: None,
            errors: FormErrors::new(),
            contact_form: ContactForm::default(),
            contact_errors: FormErrors::new(),
            contact_edit: None,
        },
    )
    .await?;
    render(page)
}

fn back_to(member: &Member, campaign: &Campaign, prospect_id: Uuid, notice: &str) -> Response {
    Redirect::to(&format!(
        "{}/outreach/prospects/{prospect_id}?notice={notice}",
        base(member, campaign)
    ))
    .into_response()
}

pub async fn update(
    State(state): State<AppState>,
    member: Member,
    Path((_, campaign_slug, id)): Path<(String, String, String)>,
    Form(form): Form<ProspectForm>,
) -> AppResult<Response> {
    member.require_editor()?;
    let campaign = campaign_of(&state, &member, &campaign_slug).await?;
    let prospect = prospect_of(&state, &member, &campaign, &id).await?;
    let organizers = store::organizers(&state.db, member.tenant_id).await?;
    let parent = store::id_by_name(&state.db, member.tenant_id, campaign.id, &form.parent).await?;
    let mut errors = FormErrors::new();
    let input = form.validate(&mut errors, &organizers, parent);
    let mut tx = state.db.begin().await?;
    if let Some(parent_id) = input.parent_id {
        if parent_id == prospect.id
            || store::would_loop(&mut tx, campaign.id, prospect.id, parent_id).await?
        {
            errors.add(
                "parent",
                "A prospect cannot be a chapter of itself or of its own chapters.",
            );
        }
    }
    if !errors.is_empty() {
        drop(tx);
        let page = detail_page(
            &state,
            &member,
            campaign,
            prospect,
            DetailInput {
                form: Some(form),
                errors,
                contact_form: ContactForm::default(),
                contact_errors: FormErrors::new(),
                contact_edit: None,
            },
        )
        .await?;
        return unprocessable(page);
    }
    store::update(&mut tx, member.tenant_id, campaign.id, prospect.id, &input).await?;
    tx.commit().await?;
    Ok(back_to(&member, &campaign, prospect.id, "prospect-saved"))
}

pub async fn add_contact(
    State(state): State<AppState>,
    member: Member,
    Path((_, campaign_slug, id)): Path<(String, String, String)>,
    Form(form): Form<ContactForm>,
) -> AppResult<Response> {
    member.require_editor()?;
    let campaign = campaign_of(&state, &member, &campaign_slug).await?;
    let prospect = prospect_of(&state, &member, &campaign, &id).await?;
    let mut errors = FormErrors::new();
    let input = form.validate(&mut errors, "");
    if !errors.is_empty() {
        let page = detail_page(
            &state,
            &member,
            campaign,
            prospect,
            DetailInput {
                form: None,
                errors: FormErrors::new(),
                contact_form: form,
                contact_errors: errors,
                contact_edit: None,
            },
        )
        .await?;
        return unprocessable(page);
    }
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    store::add_contact(
        &mut tx,
        member.tenant_id.uuid(),
        campaign.id,
        prospect.id,
        &input,
        now,
    )
    .await?;
    store::match_confirmed_signatures(&mut tx, campaign.id, Some(prospect.id), now).await?;
    tx.commit().await?;
    Ok(back_to(&member, &campaign, prospect.id, "contact-added"))
}

pub async fn edit_contact(
    State(state): State<AppState>,
    member: Member,
    Path((_, campaign_slug, id)): Path<(String, String, String)>,
    Form(form): Form<ContactForm>,
) -> AppResult<Response> {
    member.require_editor()?;
    let campaign = campaign_of(&state, &member, &campaign_slug).await?;
    let contact_id = parse_id(&id)?;
    let mut errors = FormErrors::new();
    let input = form.validate(&mut errors, "");
    if !errors.is_empty() {
        let prospect_id: Uuid = sqlx::query_scalar(
            "SELECT prospect_id FROM prospect_contacts WHERE tenant_id = $1 AND campaign_id = $2 AND id = $3",
        )
        .bind(member.tenant_id.uuid())
        .bind(campaign.id)
        .bind(contact_id)
        .fetch_optional(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
        let prospect = prospect_of(&state, &member, &campaign, &prospect_id.to_string()).await?;
        let page = detail_page(
            &state,
            &member,
            campaign,
            prospect,
            DetailInput {
                form: None,
                errors: FormErrors::new(),
                contact_form: ContactForm::default(),
                contact_errors: FormErrors::new(),
                contact_edit: Some(ContactEdit {
                    id: contact_id,
                    form,
                    errors,
                }),
            },
        )
        .await?;
        return unprocessable(page);
    }
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let prospect_id =
        store::update_contact(&mut tx, member.tenant_id, campaign.id, contact_id, &input)
            .await?
            .ok_or(AppError::NotFound)?;
    store::match_confirmed_signatures(&mut tx, campaign.id, Some(prospect_id), now).await?;
    tx.commit().await?;
    Ok(back_to(&member, &campaign, prospect_id, "contact-saved"))
}

pub async fn remove_contact(
    State(state): State<AppState>,
    member: Member,
    Path((_, campaign_slug, id)): Path<(String, String, String)>,
) -> AppResult<Response> {
    member.require_editor()?;
    let campaign = campaign_of(&state, &member, &campaign_slug).await?;
    let mut conn = state.db.acquire().await?;
    let prospect_id =
        store::remove_contact(&mut conn, member.tenant_id, campaign.id, parse_id(&id)?)
            .await?
            .ok_or(AppError::NotFound)?;
    Ok(back_to(&member, &campaign, prospect_id, "contact-removed"))
}

pub async fn clear_bounce(
    State(state): State<AppState>,
    member: Member,
    Path((_, campaign_slug, id)): Path<(String, String, String)>,
) -> AppResult<Response> {
    member.require_editor()?;
    let campaign = campaign_of(&state, &member, &campaign_slug).await?;
    let mut conn = state.db.acquire().await?;
    let prospect_id = store::clear_bounce(&mut conn, member.tenant_id, campaign.id, parse_id(&id)?)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(back_to(&member, &campaign, prospect_id, "bounce-cleared"))
}

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
    member: Member,
    Path((_, campaign_slug, id)): Path<(String, String, String)>,
    Form(form): Form<ActivityForm>,
) -> AppResult<Response> {
    member.require_editor()?;
    let campaign = campaign_of(&state, &member, &campaign_slug).await?;
    let prospect = prospect_of(&state, &member, &campaign, &id).await?;
    let kind = ActivityKind::parse(&form.kind)
        .filter(|k| LOGGABLE.contains(k))
        .ok_or_else(|| {
            AppError::BadRequest("Choose a call, a meeting, a note or a requested change.".into())
        })?;
    let contacts = store::contacts_of(&state.db, member.tenant_id, prospect.id).await?;
    let contact_id = if form.contact.is_empty() {
        None
    } else {
        let id = Uuid::parse_str(&form.contact)
            .ok()
            .filter(|id| contacts.iter().any(|c| c.id == *id));
        Some(id.ok_or_else(|| {
            AppError::BadRequest("Choose one of this prospect's contacts.".into())
        })?)
    };
    let next_follow_up =
        parse_date(&form.next_follow_up).map_err(|m| AppError::BadRequest(m.into()))?;
    let body = form.body.trim();
    let outcome = form.outcome.trim();
    if body.chars().count() > 5000 || outcome.chars().count() > 200 {
        return Err(AppError::BadRequest(
            "Keep the note under 5,000 characters and the outcome under 200.".into(),
        ));
    }
    if kind == ActivityKind::ChangeRequest && body.is_empty() {
        return Err(AppError::BadRequest(
            "Describe the change they asked for.".into(),
        ));
    }
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    store::record(
        &mut tx,
        member.tenant_id.uuid(),
        campaign.id,
        &store::NewActivity {
            prospect_id: prospect.id,
            contact_id,
            kind,
            outcome,
            body,
            author_id: Some(member.user.user_id),
            author_name: &member.user.name,
        },
        now,
    )
    .await?;
    if next_follow_up.is_some() || kind.is_touch() {
        // A touch clears the follow-up it answered unless a new date is given.
        store::set_follow_up(&mut tx, member.tenant_id, prospect.id, next_follow_up).await?;
    }
    if kind.is_touch() && prospect.status == PipelineStatus::Asked {
        store::set_status(
            &mut tx,
            member.tenant_id,
            campaign.id,
            prospect.id,
            PipelineStatus::Asked,
            PipelineStatus::InConversation,
        )
        .await?;
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
pub struct StatusForm {
    pub status: String,
    /// The status the page showed: a change made meanwhile by someone else wins.
    pub from: String,
}

pub async fn change_status(
    State(state): State<AppState>,
    member: Member,
    Path((_, campaign_slug, id)): Path<(String, String, String)>,
    Form(form): Form<StatusForm>,
) -> AppResult<Response> {
    member.require_editor()?;
    let campaign = campaign_of(&state, &member, &campaign_slug).await?;
    let prospect = prospect_of(&state, &member, &campaign, &id).await?;
    let status = PipelineStatus::parse(&form.status)
        .ok_or_else(|| AppError::BadRequest("Choose a status from the list.".into()))?;
    let from = PipelineStatus::parse(&form.from)
        .ok_or_else(|| AppError::BadRequest("Reload the page and choose again.".into()))?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    if store::set_status(
        &mut tx,
        member.tenant_id,
        campaign.id,
        prospect.id,
        from,
        status,
    )
    .await?
    .is_none()
    {
        return Err(AppError::BadRequest(format!(
            "Someone changed this prospect's status to \"{}\" meanwhile. Go back, reload and choose again.",
            prospect.status.label()
        )));
    }
    if from != status {
        store::record(
            &mut tx,
            member.tenant_id.uuid(),
            campaign.id,
            &store::NewActivity {
                prospect_id: prospect.id,
                contact_id: None,
                kind: ActivityKind::Status,
                outcome: status.label(),
                body: &format!("{} → {}", from.label(), status.label()),
                author_id: Some(member.user.user_id),
                author_name: &member.user.name,
            },
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(back_to(&member, &campaign, prospect.id, "status-changed"))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MatchForm {
    pub signature: String,
}

pub async fn confirm_match(
    State(state): State<AppState>,
    member: Member,
    Path((_, campaign_slug, id)): Path<(String, String, String)>,
    Form(form): Form<MatchForm>,
) -> AppResult<Response> {
    member.require_editor()?;
    let campaign = campaign_of(&state, &member, &campaign_slug).await?;
    let prospect = prospect_of(&state, &member, &campaign, &id).await?;
    let signature_id = parse_id(&form.signature)?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    if !store::confirm_match(
        &mut tx,
        member.tenant_id,
        campaign.id,
        prospect.id,
        signature_id,
    )
    .await?
    {
        return Err(AppError::BadRequest(
            "That signature is not confirmed any more, or this prospect already counts as signed."
                .into(),
        ));
    }
    store::record(
        &mut tx,
        member.tenant_id.uuid(),
        campaign.id,
        &store::NewActivity {
            prospect_id: prospect.id,
            contact_id: None,
            kind: ActivityKind::Signed,
            outcome: "",
            body: "Matched by an organizer to a confirmed signature of the same organization",
            author_id: Some(member.user.user_id),
            author_name: &member.user.name,
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(back_to(&member, &campaign, prospect.id, "match-confirmed"))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SnoozeForm {
    pub days: String,
    pub back: String,
}

pub async fn snooze(
    State(state): State<AppState>,
    member: Member,
    Path((_, campaign_slug, id)): Path<(String, String, String)>,
    Form(form): Form<SnoozeForm>,
) -> AppResult<Response> {
    member.require_editor()?;
    let campaign = campaign_of(&state, &member, &campaign_slug).await?;
    let prospect = prospect_of(&state, &member, &campaign, &id).await?;
    let days: i64 = form
        .days
        .parse()
        .ok()
        .filter(|d| (1..=90).contains(d))
        .ok_or_else(|| AppError::BadRequest("Snooze for 1 to 90 days.".into()))?;
    let until = today(&state, &campaign) + Duration::days(days);
    let mut conn = state.db.acquire().await?;
    store::set_follow_up(&mut conn, member.tenant_id, prospect.id, Some(until)).await?;
    if form.back == "follow-ups" {
        return Ok(Redirect::to(&format!(
            "{}/outreach/follow-ups?notice=snoozed",
            base(&member, &campaign)
        ))
        .into_response());
    }
    Ok(back_to(&member, &campaign, prospect.id, "snoozed"))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AnswerForm {
    pub revision: String,
}

pub async fn answer_change(
    State(state): State<AppState>,
    member: Member,
    Path((_, campaign_slug, id)): Path<(String, String, String)>,
    Form(form): Form<AnswerForm>,
) -> AppResult<Response> {
    member.require_editor()?;
    let campaign = campaign_of(&state, &member, &campaign_slug).await?;
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

pub struct FollowUp {
    pub prospect: Prospect,
    pub overdue_days: i64,
}

#[derive(Template)]
#[template(path = "outreach/follow_ups.html")]
struct FollowUpsPage {
    layout: Layout,
    base: String,
    campaign: Campaign,
    rows: Vec<FollowUp>,
    everyone: bool,
    can_edit: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FollowUpsQuery {
    pub who: String,
}

/// `GET …/outreach/follow-ups`: the organizer's prospects due today or overdue.
pub async fn follow_ups(
    State(state): State<AppState>,
    member: Member,
    Path((_, campaign_slug)): Path<(String, String)>,
    Query(query): Query<FollowUpsQuery>,
) -> AppResult<Html<String>> {
    let campaign = campaign_of(&state, &member, &campaign_slug).await?;
    let today = today(&state, &campaign);
    let everyone = query.who == "everyone";
    let owner = (!everyone).then_some(member.user.user_id);
    let rows = store::follow_ups(&state.db, member.tenant_id, campaign.id, owner, today, 500)
        .await?
        .into_iter()
        .map(|prospect| FollowUp {
            overdue_days: prospect
                .next_follow_up
                .map_or(0, |due| (today - due).whole_days()),
            prospect,
        })
        .collect();
    render(FollowUpsPage {
        layout: member.layout(format!("Follow-ups — {}", campaign.title)),
        base: base(&member, &campaign),
        campaign,
        rows,
        everyone,
        can_edit: member.role.can_edit(),
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SettingsForm {
    pub min_days_between: String,
    pub max_touches: String,
    pub reminder_lead_days: String,
    pub auto_last_call: String,
    pub ask_subject: String,
    pub ask_body: String,
}

impl SettingsForm {
    fn from_settings(s: &Settings) -> Self {
        SettingsForm {
            min_days_between: s.min_days_between.to_string(),
            max_touches: s.max_touches.to_string(),
            reminder_lead_days: s
                .reminder_lead_days
                .iter()
                .map(i32::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            auto_last_call: if s.auto_last_call {
                "on".into()
            } else {
                String::new()
            },
            ask_subject: s.ask_subject.clone(),
            ask_body: s.ask_body.clone(),
        }
    }

    fn validate(&self, errors: &mut FormErrors) -> Settings {
        let min_days_between = match self.min_days_between.trim().parse::<i32>() {
            Ok(n) if (0..=60).contains(&n) => n,
            _ => {
                errors.add("min_days_between", "Enter a number of days from 0 to 60.");
                3
            }
        };
        let max_touches = match self.max_touches.trim().parse::<i32>() {
            Ok(n) if (1..=20).contains(&n) => n,
            _ => {
                errors.add("max_touches", "Enter a number from 1 to 20.");
                4
            }
        };
        let mut lead: Vec<i32> = Vec::new();
        for part in self
            .reminder_lead_days
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            match part.parse::<i32>() {
                Ok(n) if (1..=60).contains(&n) => {
                    if !lead.contains(&n) {
                        lead.push(n)
                    }
                }
                _ => {
                    errors.add(
                        "reminder_lead_days",
                        "Write days before the soft deadline, like \"3, 1\" (1 to 60 each).",
                    );
                    break;
                }
            }
        }
        if lead.len() > 5 {
            errors.add("reminder_lead_days", "At most five reminders.");
        }
        lead.sort_unstable_by(|a, b| b.cmp(a));
        let ask_subject = self.ask_subject.trim().to_owned();
        let ask_body = self.ask_body.trim().to_owned();
        if let Err(e) = super::asks::check_template(&ask_subject, &ask_body) {
            errors.add("ask_body", e);
        }
        Settings {
            min_days_between,
            max_touches,
            reminder_lead_days: lead,
            auto_last_call: self.auto_last_call == "on",
            ask_subject,
            ask_body,
        }
    }
}

#[derive(Template)]
#[template(path = "outreach/settings.html")]
struct SettingsPage {
    layout: Layout,
    base: String,
    campaign: Campaign,
    form: SettingsForm,
    errors: FormErrors,
    merge_fields: [(&'static str, &'static str); 6],
    can_edit: bool,
}

pub async fn settings_page(
    State(state): State<AppState>,
    member: Member,
    Path((_, campaign_slug)): Path<(String, String)>,
) -> AppResult<Html<String>> {
    let campaign = campaign_of(&state, &member, &campaign_slug).await?;
    let settings = store::settings(&state.db, campaign.id).await?;
    render(SettingsPage {
        layout: member.layout(format!("Outreach settings — {}", campaign.title)),
        base: base(&member, &campaign),
        campaign,
        form: SettingsForm::from_settings(&settings),
        errors: FormErrors::new(),
        merge_fields: super::asks::MERGE_FIELDS,
        can_edit: member.role.can_edit(),
    })
}

pub async fn save_settings(
    State(state): State<AppState>,
    member: Member,
    Path((_, campaign_slug)): Path<(String, String)>,
    Form(form): Form<SettingsForm>,
) -> AppResult<Response> {
    member.require_editor()?;
    let campaign = campaign_of(&state, &member, &campaign_slug).await?;
    let mut errors = FormErrors::new();
    let settings = form.validate(&mut errors);
    if !errors.is_empty() {
        return unprocessable(SettingsPage {
            layout: member.layout(format!("Outreach settings — {}", campaign.title)),
            base: base(&member, &campaign),
            campaign,
            form,
            errors,
            merge_fields: super::asks::MERGE_FIELDS,
            can_edit: true,
        });
    }
    store::save_settings(&state.db, member.tenant_id, campaign.id, &settings).await?;
    Ok(Redirect::to(&format!(
        "{}/outreach/settings?notice=outreach-settings-saved",
        base(&member, &campaign)
    ))
    .into_response())
}
