//! The organizers' prospect pages: the list, adding a prospect, one prospect's page
//! (with its contacts and activity log), saving it, its status, a confirmed match and its
//! follow-up date. Contacts are in `contacts`, the activity log in `activities`, the
//! follow-up queue in `queue`, the outreach settings in `settings_page`.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use time::{Date, Duration};
use uuid::Uuid;

use super::rules::touch_problem;
use super::scheduler::absorb_referrals;
use super::store::{
    self, Activity, ContactInput, Filter, Prospect, ProspectInput, Relative, Sort, SuggestedMatch,
};
use super::{ActivityKind, PipelineStatus, Size, Stage, LOGGABLE};
use crate::campaigns::lookup::{CampaignEdit, CampaignPage};
use crate::campaigns::store::{self as campaigns, Campaign, Revision};
use crate::campaigns::time_zones;
use crate::error::{AppError, AppResult};
use crate::signatures::names::normalize_website;
use crate::state::AppState;
use crate::tenancy::Member;
use crate::web::{render, unprocessable, Form, FormErrors, Layout, Path, Query};

use super::contact_form::{ContactEdit, ContactForm, ContactRow};
use super::pipeline;

pub const PAGE_SIZE: i64 = 100;

/// The `{id}` of a prospect's, contact's or activity's URL (the other segments are the
/// extractors').
#[derive(Debug, Deserialize)]
pub(super) struct IdPath {
    pub id: String,
}

pub(super) fn base(member: &Member, campaign: &Campaign) -> String {
    member.path(&format!("/campaigns/{}", campaign.slug))
}

pub(super) fn today(state: &AppState, campaign: &Campaign) -> Date {
    time_zones::local_date(state.clock.now(), &campaign.time_zone)
}

pub(super) fn parse_id(raw: &str) -> AppResult<Uuid> {
    Uuid::parse_str(raw).map_err(|_| AppError::NotFound)
}

pub(super) async fn prospect_of(
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
    /// The group's hold on the organization lasts (every campaign).
    pub group_held: bool,
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
    CampaignPage { member, campaign }: CampaignPage,
    Query(query): Query<ListQuery>,
) -> AppResult<Html<String>> {
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
    let other_campaigns = store::other_campaigns(&state.db, member.tenant_id, campaign.id).await?;
    render(ListPage {
        layout,
        base: base(&member, &campaign),
        rows: page
            .prospects
            .into_iter()
            .map(|p| Row {
                stage: p.stage(today),
                group_held: p.group_held(today),
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
    /// Which part of the prospect page's forms was sent: "organization" (the book's
    /// fields), "campaign" (this campaign's), or empty (both: the "add" form).
    pub part: String,
    pub name: String,
    pub website: String,
    pub size: String,
    pub region: String,
    pub parent: String,
    pub tags: String,
    pub owner: String,
    pub sensitivity: String,
    pub notes: String,
    pub hold_reason: String,
    pub hold_until: String,
    /// This campaign's next follow-up, on the prospect page's campaign form.
    pub next_follow_up: String,
    /// Contact fields, on the "add a prospect" form only.
    pub contact_name: String,
    pub contact_role: String,
    pub contact_email: String,
    pub contact_phone: String,
    /// The organizer saw the possible duplicate and creates a new organization anyway.
    pub add_anyway: String,
    /// The organizer adds this organization of the address book (the duplicate shown).
    pub from_book: String,
}

impl ProspectForm {
    fn from_prospect(p: &Prospect) -> Self {
        ProspectForm {
            name: p.name.clone(),
            website: p.website.clone(),
            size: p.size.map(|s| s.as_str().to_owned()).unwrap_or_default(),
            region: p.region.clone(),
            parent: p.parent_name.clone().unwrap_or_default(),
            tags: p.tags_text(),
            owner: p.owner_id.map(|id| id.to_string()).unwrap_or_default(),
            sensitivity: p.sensitivity.clone(),
            notes: p.notes.clone(),
            hold_reason: p.hold_reason.clone(),
            hold_until: p.hold_until.map(|d| d.to_string()).unwrap_or_default(),
            next_follow_up: p.next_follow_up.map(|d| d.to_string()).unwrap_or_default(),
            ..ProspectForm::default()
        }
    }

    /// The form as saved: the part sent over what the prospect has for the other part.
    fn with_rest_of(self, prospect: &Prospect) -> Self {
        let current = ProspectForm::from_prospect(prospect);
        match self.part.as_str() {
            "organization" => ProspectForm {
                owner: current.owner,
                hold_reason: current.hold_reason,
                hold_until: current.hold_until,
                next_follow_up: current.next_follow_up,
                ..self
            },
            "campaign" => ProspectForm {
                name: current.name,
                website: current.website,
                size: current.size,
                region: current.region,
                parent: current.parent,
                tags: current.tags,
                sensitivity: current.sensitivity,
                notes: current.notes,
                ..self
            },
            // Both parts at once (no such form on the page): a region left out is kept.
            _ => ProspectForm {
                region: if self.region.trim().is_empty() {
                    current.region
                } else {
                    self.region
                },
                ..self
            },
        }
    }

    fn region(&self, errors: &mut FormErrors) -> String {
        let region = self.region.trim().to_owned();
        if region.chars().count() > 100 {
            errors.add("region", "Keep the region under 100 characters.");
        }
        region
    }

    fn next_follow_up(&self, errors: &mut FormErrors) -> Option<Date> {
        if self.next_follow_up.trim().is_empty() {
            return None;
        }
        Date::parse(
            self.next_follow_up.trim(),
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .map_err(|_| errors.add("next_follow_up", "Enter a date like 2026-12-15."))
        .ok()
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
                errors.add("parent", "No organization of the group's address book has that name: add the parent first, or check the spelling.");
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
                "Say why the prospect is on hold for this campaign (\"wait until their board meets\").",
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

#[derive(Template)]
#[template(path = "outreach/new.html")]
struct NewPage {
    layout: Layout,
    base: String,
    /// The group's address book: `/app/{tenant}/book`.
    book: String,
    campaign: Campaign,
    form: ProspectForm,
    errors: FormErrors,
    /// An organization of the book the duplicate rule matches (and its prospect here).
    duplicate: Option<store::BookMatch>,
    organizers: Vec<(Uuid, String)>,
    sizes: &'static [Size],
}

pub async fn new_page(
    State(state): State<AppState>,
    CampaignEdit { member, campaign }: CampaignEdit,
) -> AppResult<Html<String>> {
    render(NewPage {
        layout: member.layout(format!("Add a prospect — {}", campaign.title)),
        base: base(&member, &campaign),
        book: member.path("/book"),
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
    CampaignEdit { member, campaign }: CampaignEdit,
    Form(form): Form<ProspectForm>,
) -> AppResult<Response> {
    let organizers = store::organizers(&state.db, member.tenant_id).await?;
    let parent = store::id_by_name(&state.db, member.tenant_id, campaign.id, &form.parent).await?;
    let mut errors = FormErrors::new();
    let input = form.validate(&mut errors, &organizers, parent);
    let region = form.region(&mut errors);
    let contact = form.contact(&mut errors);
    let mut tx = state.db.begin().await?;
    let tenant = member.tenant_id.uuid();
    let duplicate = if errors.is_empty() {
        store::find_duplicate(
            &mut tx,
            tenant,
            campaign.id,
            &input.name,
            &input.website,
            None,
        )
        .await?
    } else {
        None
    };
    // "Add it from the address book": the organization shown, not yet in this campaign.
    let from_book = match Uuid::parse_str(&form.from_book) {
        Ok(id) if errors.is_empty() => store::book_organization(&mut tx, tenant, campaign.id, id)
            .await?
            .filter(|found| found.prospect_id.is_none()),
        _ => None,
    };
    let from_book = from_book.as_ref();
    if !errors.is_empty() || (duplicate.is_some() && from_book.is_none() && form.add_anyway != "on")
    {
        return unprocessable(NewPage {
            layout: member.layout(format!("Add a prospect — {}", campaign.title)),
            base: base(&member, &campaign),
            book: member.path("/book"),
            campaign,
            form,
            errors,
            duplicate,
            organizers,
            sizes: Size::ALL,
        });
    }
    let now = state.clock.now();
    let organization_id = match from_book {
        Some(found) => found.organization_id,
        None => {
            let id = store::create_organization(
                &mut tx,
                tenant,
                &input,
                duplicate.as_ref().map(|d| d.organization_id),
                None,
                now,
            )
            .await?;
            if !region.is_empty() {
                store::set_region(&mut tx, member.tenant_id, id, &region).await?;
            }
            id
        }
    };
    let Some(id) = store::add_to_campaign(
        &mut tx,
        tenant,
        campaign.id,
        organization_id,
        &input,
        &store::Origin::default(),
        now,
    )
    .await?
    else {
        return Err(AppError::BadRequest(
            "That organization was just added to this campaign by someone else: go back to the list."
                .into(),
        ));
    };
    if let Some(contact) = &contact {
        store::add_contact(&mut tx, tenant, campaign.id, id, contact, now).await?;
    }
    if from_book.is_some() || contact.is_some() {
        store::match_confirmed_signatures(&mut tx, campaign.id, Some(id), now).await?;
    }
    tx.commit().await?;
    Ok(Redirect::to(&format!(
        "{}/outreach/prospects/{id}?notice=prospect-added",
        base(&member, &campaign)
    ))
    .into_response())
}

#[derive(Template)]
#[template(path = "outreach/prospect.html")]
pub(super) struct DetailPage {
    layout: Layout,
    base: String,
    /// The group's address book: `/app/{tenant}/book`.
    book: String,
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

pub(super) struct DetailInput {
    pub form: Option<ProspectForm>,
    pub errors: FormErrors,
    pub contact_form: ContactForm,
    pub contact_errors: FormErrors,
    pub contact_edit: Option<ContactEdit>,
}

pub(super) async fn detail_page(
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
        book: member.path("/book"),
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
    CampaignPage { member, campaign }: CampaignPage,
    Path(IdPath { id }): Path<IdPath>,
) -> AppResult<Html<String>> {
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

pub(super) fn back_to(
    member: &Member,
    campaign: &Campaign,
    prospect_id: Uuid,
    notice: &str,
) -> Response {
    Redirect::to(&format!(
        "{}/outreach/prospects/{prospect_id}?notice={notice}",
        base(member, campaign)
    ))
    .into_response()
}

/// `POST …/prospects/{id}`: saves the organization's details in the book (every
/// campaign sees them), this campaign's fields, or both (`ProspectForm::part`).
pub async fn update(
    State(state): State<AppState>,
    CampaignEdit { member, campaign }: CampaignEdit,
    Path(IdPath { id }): Path<IdPath>,
    Form(form): Form<ProspectForm>,
) -> AppResult<Response> {
    let prospect = prospect_of(&state, &member, &campaign, &id).await?;
    let form = form.with_rest_of(&prospect);
    let organizers = store::organizers(&state.db, member.tenant_id).await?;
    let parent = store::id_by_name(&state.db, member.tenant_id, campaign.id, &form.parent).await?;
    let mut errors = FormErrors::new();
    let input = form.validate(&mut errors, &organizers, parent);
    let region = form.region(&mut errors);
    let next_follow_up = form.next_follow_up(&mut errors);
    let mut tx = state.db.begin().await?;
    if let Some(parent_id) = input.parent_id {
        if parent_id == prospect.organization_id
            || store::would_loop(
                &mut tx,
                member.tenant_id,
                prospect.organization_id,
                parent_id,
            )
            .await?
        {
            errors.add(
                "parent",
                "An organization cannot be a chapter of itself or of its own chapters.",
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
    let (organization, campaign_part) = match form.part.as_str() {
        "organization" => (true, false),
        "campaign" => (false, true),
        _ => (true, true),
    };
    if organization {
        store::update_organization(
            &mut tx,
            member.tenant_id,
            prospect.organization_id,
            &input,
            &region,
        )
        .await?;
    }
    if campaign_part {
        store::update_campaign_fields(&mut tx, member.tenant_id, campaign.id, prospect.id, &input)
            .await?;
        if form.part == "campaign" {
            store::set_follow_up(&mut tx, member.tenant_id, prospect.id, next_follow_up).await?;
        }
    } else {
        // Saving what a signer typed is an organizer checking it.
        store::mark_checked(&mut tx, member.tenant_id, campaign.id, prospect.id).await?;
    }
    tx.commit().await?;
    let notice = match form.part.as_str() {
        "organization" => "organization-saved",
        _ => "prospect-saved",
    };
    Ok(back_to(&member, &campaign, prospect.id, notice))
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
    CampaignEdit { member, campaign }: CampaignEdit,
    Path(IdPath { id }): Path<IdPath>,
    Form(form): Form<StatusForm>,
) -> AppResult<Response> {
    let prospect = prospect_of(&state, &member, &campaign, &id).await?;
    let status = PipelineStatus::parse(&form.status)
        .ok_or_else(|| AppError::BadRequest("Choose a status from the list.".into()))?;
    let from = PipelineStatus::parse(&form.from)
        .ok_or_else(|| AppError::BadRequest("Reload the page and choose again.".into()))?;
    // Organizers may choose any status (`pipeline::TRANSITIONS`); the table is asked all
    // the same, so a rule added there holds here too.
    if !pipeline::allowed(from, pipeline::Action::Choose(status)) {
        return Err(AppError::BadRequest(
            "Choose a status from the list.".into(),
        ));
    }
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
        store::record_by(
            &mut tx,
            &member,
            campaign.id,
            &store::MemberActivity {
                prospect_id: prospect.id,
                contact_id: None,
                kind: ActivityKind::Status,
                outcome: status.label(),
                body: &format!("{} → {}", from.label(), status.label()),
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
    CampaignEdit { member, campaign }: CampaignEdit,
    Path(IdPath { id }): Path<IdPath>,
    Form(form): Form<MatchForm>,
) -> AppResult<Response> {
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
    store::record_by(
        &mut tx,
        &member,
        campaign.id,
        &store::MemberActivity {
            prospect_id: prospect.id,
            contact_id: None,
            kind: ActivityKind::Signed,
            outcome: "",
            body: "Matched by an organizer to a confirmed signature of the same organization",
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
    CampaignEdit { member, campaign }: CampaignEdit,
    Path(IdPath { id }): Path<IdPath>,
    Form(form): Form<SnoozeForm>,
) -> AppResult<Response> {
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
    CampaignEdit { member, campaign }: CampaignEdit,
    Path(IdPath { id }): Path<IdPath>,
) -> AppResult<Response> {
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
