//! The organizers' prospect pages: the list, adding a prospect, one prospect with its
//! contacts and activity log, and logging a call. The follow-up queue is in `queue`, the
//! outreach settings in `settings_page`.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use time::{Date, Duration};
use uuid::Uuid;

use super::rules::touch_problem;
use super::scheduler::absorb_referrals;
use super::store::{
    self, Activity, Contact, ContactInput, Filter, Prospect, ProspectInput, Relative, Sort,
    SuggestedMatch,
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

pub(super) fn base(member: &Member, campaign: &Campaign) -> String {
    member.path(&format!("/campaigns/{}", campaign.slug))
}

pub(super) fn today(state: &AppState, campaign: &Campaign) -> Date {
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
            first_name: String::new(),
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
    /// What an ask greets them by, when not the first word of their name.
    pub first_name: String,
    pub role: String,
    pub email: String,
    pub phone: String,
}

impl ContactForm {
    fn is_empty(&self) -> bool {
        [
            &self.name,
            &self.first_name,
            &self.role,
            &self.email,
            &self.phone,
        ]
        .iter()
        .all(|v| v.trim().is_empty())
    }

    /// `prefix` names the fields on forms that hold more than a contact.
    pub fn validate(&self, errors: &mut FormErrors, prefix: &'static str) -> ContactInput {
        let field = |name: &'static str| -> &'static str {
            match (prefix, name) {
                ("contact_", "name") => "contact_name",
                ("contact_", "first_name") => "contact_first_name",
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
        let first_name = self.first_name.trim().to_owned();
        if first_name.chars().count() > 100 {
            errors.add(
                field("first_name"),
                "Keep the first name under 100 characters.",
            );
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
            first_name,
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
                    first_name: e.form.first_name.clone(),
                    role: e.form.role.clone(),
                    email: e.form.email.clone(),
                    phone: e.form.phone.clone(),
                },
                true,
            ),
            _ => (
                ContactForm {
                    name: self.contact.name.clone(),
                    first_name: self.contact.first_name.clone(),
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
    signer_comments: Vec<store::SignerComment>,
    /// A hold that ends after the soft or hard deadline: which, and the date before the
    /// soft deadline a reminder would be set for.
    hold_warning: Option<HoldWarning>,
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
        signer_comments: store::prospect_signer_comments(
            db,
            member.tenant_id,
            campaign.id,
            prospect.id,
        )
        .await?,
        hold_warning: hold_warning(&campaign, &prospect, today),
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

/// A hold that lasts past a deadline: asking only once it ends would be too late.
pub struct HoldWarning {
    /// "soft deadline" or "hard deadline": the later of the two the hold outlasts.
    pub deadline_name: &'static str,
    pub deadline: String,
    pub hold_until: Date,
    /// The follow-up "remind me before the soft deadline" sets; `None` once the soft
    /// deadline's eve has passed.
    pub remind_on: Option<Date>,
}

/// How many days before the soft deadline "remind me" sets the follow-up.
const REMIND_DAYS_BEFORE_SOFT: i64 = 3;

/// The day "remind me before the soft deadline" picks: three days before it in the
/// campaign's zone, or today when that is already past, never on or after the deadline.
fn remind_before_soft(campaign: &Campaign, today: Date) -> Option<Date> {
    let soft = time_zones::local_date(campaign.soft_deadline, &campaign.time_zone);
    let day = (soft - Duration::days(REMIND_DAYS_BEFORE_SOFT)).max(today);
    (day < soft).then_some(day)
}

fn hold_warning(campaign: &Campaign, prospect: &Prospect, today: Date) -> Option<HoldWarning> {
    let until = prospect.hold_until?;
    if !prospect.held(today) || prospect.signed_signature_id.is_some() {
        return None;
    }
    let zone = &campaign.time_zone;
    // A hold ends on its date: asking can start that day, which must come before the
    // deadline's own day for the ask to be answered in time.
    let (deadline_name, at) = if until >= time_zones::local_date(campaign.hard_deadline, zone) {
        ("hard deadline", campaign.hard_deadline)
    } else if until >= time_zones::local_date(campaign.soft_deadline, zone) {
        ("soft deadline", campaign.soft_deadline)
    } else {
        return None;
    };
    Some(HoldWarning {
        deadline_name,
        deadline: time_zones::display(at, zone),
        hold_until: until,
        remind_on: remind_before_soft(campaign, today),
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
    member: Member,
    Path((_, campaign_slug, id)): Path<(String, String, String)>,
    Form(form): Form<ActivityForm>,
) -> AppResult<Response> {
    member.require_editor()?;
    let campaign = campaign_of(&state, &member, &campaign_slug).await?;
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
    // Someone spoke with them: a call or meeting with a prospect not contacted or only
    // asked means a conversation has started (the status page's "from" check keeps a
    // change made meanwhile by someone else).
    if matches!(kind, ActivityKind::Call | ActivityKind::Meeting)
        && matches!(
            prospect.status,
            PipelineStatus::NotContacted | PipelineStatus::Asked
        )
    {
        let moved = store::set_status(
            &mut tx,
            member.tenant_id,
            campaign.id,
            prospect.id,
            prospect.status,
            PipelineStatus::InConversation,
        )
        .await?;
        if moved.is_some() {
            store::record(
                &mut tx,
                member.tenant_id.uuid(),
                campaign.id,
                &store::NewActivity {
                    prospect_id: prospect.id,
                    contact_id: None,
                    kind: ActivityKind::Status,
                    outcome: PipelineStatus::InConversation.label(),
                    body: &format!(
                        "{} → {} (a {} was logged)",
                        prospect.status.label(),
                        PipelineStatus::InConversation.label(),
                        kind.label().to_lowercase()
                    ),
                    author_id: Some(member.user.user_id),
                    author_name: &member.user.name,
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

/// `POST …/prospects/{id}/remind-before-soft-deadline`: sets the follow-up a few days
/// before the soft deadline, so a hold that would outlast it is looked at again in time.
pub async fn remind_before_soft_deadline(
    State(state): State<AppState>,
    member: Member,
    Path((_, campaign_slug, id)): Path<(String, String, String)>,
) -> AppResult<Response> {
    member.require_editor()?;
    let campaign = campaign_of(&state, &member, &campaign_slug).await?;
    let prospect = prospect_of(&state, &member, &campaign, &id).await?;
    let Some(on) = remind_before_soft(&campaign, today(&state, &campaign)) else {
        return Err(AppError::BadRequest(
            "The soft deadline is too close to set a reminder before it: decide about the hold now."
                .into(),
        ));
    };
    let mut conn = state.db.acquire().await?;
    store::set_follow_up(&mut conn, member.tenant_id, prospect.id, Some(on)).await?;
    Ok(back_to(&member, &campaign, prospect.id, "reminder-set"))
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
    member: Member,
    Path((_, campaign_slug, id)): Path<(String, String, String)>,
    Query(query): Query<LogCallQuery>,
) -> AppResult<Html<String>> {
    member.require_editor()?;
    let campaign = campaign_of(&state, &member, &campaign_slug).await?;
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
