//! Adding an organization to the book (the duplicate rule first), its page (fields,
//! group-wide hold, people, every campaign with its outcome, statements, the whole log),
//! saving it, the hold and notes that belong to no campaign.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use time::{Date, Duration};
use uuid::Uuid;

use super::person_form::PersonForm;
use super::{parse_id, IdPath};
use crate::error::{AppError, AppResult};
use crate::outreach::prospects::parse_tags;
use crate::outreach::store::book_organizations::{
    self as orgs, BookActivity, CampaignOutcome, Organization, OrganizationInput, Person,
    PossibleDuplicate,
};
use crate::outreach::store::organizers;
use crate::outreach::Size;
use crate::signatures::names::{self, normalize_website};
use crate::state::AppState;
use crate::statements::store::Statement;
use crate::tenancy::{Editor, Member};
use crate::web::{render, unprocessable, Form, FormErrors, Layout, Path, Query};

/// The organization's form, every field as typed.
#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct OrganizationForm {
    pub name: String,
    pub website: String,
    pub size: String,
    pub region: String,
    pub tags: String,
    pub owner: String,
    pub notes: String,
    pub sensitivity: String,
    /// "1": the organizer saw the possible duplicates and adds it anyway.
    pub add_anyway: String,
}

impl OrganizationForm {
    fn of(o: &Organization) -> Self {
        OrganizationForm {
            name: o.name.clone(),
            website: o.website.clone(),
            size: o.size.clone(),
            region: o.region.clone(),
            tags: o.tags_text(),
            owner: o.owner_id.map(|id| id.to_string()).unwrap_or_default(),
            notes: o.notes.clone(),
            sensitivity: o.sensitivity.clone(),
            add_anyway: String::new(),
        }
    }

    fn validate(&self, organizers: &[(Uuid, String)]) -> (OrganizationInput, FormErrors) {
        let mut errors = FormErrors::new();
        let name = self.name.trim().to_owned();
        if name.is_empty() {
            errors.add("name", "Enter the organization's name.");
        } else if name.chars().count() > 200 {
            errors.add("name", "Keep the name under 200 characters.");
        }
        let website = normalize_website(&self.website).unwrap_or_else(|message| {
            errors.add("website", message);
            String::new()
        });
        let size = match self.size.trim() {
            "" => None,
            raw => {
                let size = Size::parse(raw);
                if size.is_none() {
                    errors.add("size", "Choose a size from the list.");
                }
                size
            }
        };
        let region = self.region.trim().to_owned();
        if region.chars().count() > 100 {
            errors.add("region", "Keep the region under 100 characters.");
        }
        let tags = parse_tags(&self.tags).unwrap_or_else(|message| {
            errors.add("tags", message);
            Vec::new()
        });
        let owner_id = match self.owner.trim() {
            "" => None,
            raw => match Uuid::parse_str(raw)
                .ok()
                .filter(|id| organizers.iter().any(|(o, _)| o == id))
            {
                Some(id) => Some(id),
                None => {
                    errors.add("owner", "Choose an organizer of this group.");
                    None
                }
            },
        };
        if self.notes.chars().count() > 10_000 || self.sensitivity.chars().count() > 2_000 {
            errors.add(
                "notes",
                "Keep notes under 10,000 characters and the sensitivity note under 2,000.",
            );
        }
        (
            OrganizationInput {
                name,
                website,
                size,
                region,
                tags,
                owner_id,
                notes: self.notes.trim().to_owned(),
                sensitivity: self.sensitivity.trim().to_owned(),
            },
            errors,
        )
    }
}

const SIZES: [Size; 4] = [
    Size::Local,
    Size::Regional,
    Size::National,
    Size::International,
];

#[derive(Template)]
#[template(path = "outreach/book/new.html")]
struct NewPage {
    layout: Layout,
    book: String,
    form: OrganizationForm,
    errors: FormErrors,
    duplicates: Vec<PossibleDuplicate>,
    organizers: Vec<(Uuid, String)>,
    sizes: [Size; 4],
    can_edit: bool,
}

/// `GET /app/{tenant}/book/new`
pub async fn new_page(
    State(state): State<AppState>,
    Editor(member): Editor,
) -> AppResult<Html<String>> {
    let organizers = organizers(&state.db, member.tenant_id).await?;
    render(NewPage {
        layout: member.layout("Add an organization"),
        book: member.path("/book"),
        form: OrganizationForm::default(),
        errors: FormErrors::new(),
        duplicates: Vec::new(),
        organizers,
        sizes: SIZES,
        can_edit: true,
    })
}

/// `POST /app/{tenant}/book/new`: the organizations the duplicate rule matches are shown
/// first; "Add anyway" adds it flagged as a possible duplicate of the first.
pub async fn create(
    State(state): State<AppState>,
    Editor(member): Editor,
    Form(form): Form<OrganizationForm>,
) -> AppResult<Response> {
    let organizers = organizers(&state.db, member.tenant_id).await?;
    let (input, errors) = form.validate(&organizers);
    let duplicates = if errors.is_empty() {
        orgs::possible_duplicates(
            &state.db,
            member.tenant_id,
            &input.name,
            &input.website,
            None,
        )
        .await?
    } else {
        Vec::new()
    };
    if !errors.is_empty() || (!duplicates.is_empty() && form.add_anyway != "1") {
        return unprocessable(NewPage {
            layout: member.layout("Add an organization"),
            book: member.path("/book"),
            form,
            errors,
            duplicates,
            organizers,
            sizes: SIZES,
            can_edit: true,
        });
    }
    let id = orgs::insert_organization(
        &state.db,
        member.tenant_id,
        &input,
        duplicates.first().map(|d| d.id),
        state.clock.now(),
    )
    .await?;
    Ok(Redirect::to(&member.path(&format!("/book/organizations/{id}?added=1"))).into_response())
}

/// A statement in the organization's own words, in the campaign it was sent to.
pub struct StatementRow {
    pub campaign_title: String,
    pub campaign_slug: String,
    pub statement: Statement,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PageQuery {
    pub added: String,
    pub saved: String,
    pub merged: String,
}

#[derive(Template)]
#[template(path = "outreach/book/organization.html")]
struct OrganizationPage {
    layout: Layout,
    book: String,
    app: String,
    organization: Organization,
    form: OrganizationForm,
    errors: FormErrors,
    people: Vec<Person>,
    person_form: PersonForm,
    person_errors: FormErrors,
    edit_id: Option<Uuid>,
    edit_form: PersonForm,
    edit_errors: FormErrors,
    campaigns: Vec<CampaignOutcome>,
    statements: Vec<StatementRow>,
    activities: Vec<BookActivity>,
    organizers: Vec<(Uuid, String)>,
    sizes: [Size; 4],
    can_edit: bool,
    today: Date,
    notice: Option<&'static str>,
    hold_error: Option<String>,
}

pub(super) async fn organization_of(
    state: &AppState,
    member: &Member,
    raw: &str,
) -> AppResult<Organization> {
    orgs::organization(&state.db, member.tenant_id, parse_id(raw)?)
        .await?
        .ok_or(AppError::NotFound)
}

/// What the page shows besides what the request changes.
pub(super) struct Shown {
    pub form: Option<(OrganizationForm, FormErrors)>,
    pub person: Option<(PersonForm, FormErrors)>,
    pub hold_error: Option<String>,
    pub notice: Option<&'static str>,
    /// A person's edit refused: whose, with what was typed and why.
    pub editing: Option<(Uuid, PersonForm, FormErrors)>,
}

pub(super) async fn render_page(
    state: &AppState,
    member: &Member,
    organization: Organization,
    shown: Shown,
) -> AppResult<OrganizationPageOut> {
    let tenant = member.tenant_id;
    let now = state.clock.now();
    let people =
        orgs::people_of(&state.db, tenant, organization.id, now - Duration::days(30)).await?;
    let campaigns = orgs::campaigns_of(&state.db, tenant, organization.id).await?;
    let activities = orgs::activities_of(&state.db, tenant, organization.id).await?;
    let organizers = organizers(&state.db, tenant).await?;
    // Its statements: sent from one of its people's addresses, or under its folded name,
    // in the campaigns that have it.
    let campaign_ids: Vec<Uuid> = campaigns.iter().map(|c| c.campaign_id).collect();
    let mut statements = Vec::new();
    for s in crate::statements::store::all_of_campaigns(&state.db, tenant, &campaign_ids).await? {
        let by_person = people.iter().any(|p| {
            p.email
                .as_deref()
                .is_some_and(|e| e.eq_ignore_ascii_case(&s.email))
        });
        let campaign = campaigns.iter().find(|c| c.campaign_id == s.campaign_id);
        if let Some(c) = campaign
            .filter(|_| by_person || names::name_key(&s.organization) == organization.name_key)
        {
            statements.push(StatementRow {
                campaign_title: c.title.clone(),
                campaign_slug: c.slug.clone(),
                statement: s,
            });
        }
    }
    let (form, errors) = shown
        .form
        .unwrap_or_else(|| (OrganizationForm::of(&organization), FormErrors::new()));
    let (person_form, person_errors) = shown
        .person
        .unwrap_or_else(|| (PersonForm::default(), FormErrors::new()));
    let (edit_id, edit_form, edit_errors) = match shown.editing {
        Some((id, form, errors)) => (Some(id), form, errors),
        None => (None, PersonForm::default(), FormErrors::new()),
    };
    let failed = !errors.is_empty()
        || !person_errors.is_empty()
        || !edit_errors.is_empty()
        || shown.hold_error.is_some();
    let page = OrganizationPage {
        layout: member.layout(organization.name.clone()),
        book: member.path("/book"),
        app: member.path(""),
        form,
        errors,
        people,
        person_form,
        person_errors,
        edit_id,
        edit_form,
        edit_errors,
        campaigns,
        statements,
        activities,
        organizers,
        sizes: SIZES,
        can_edit: member.role.can_edit(),
        today: now.date(),
        notice: shown.notice,
        hold_error: shown.hold_error,
        organization,
    };
    Ok(OrganizationPageOut(page, failed))
}

/// The rendered organization page, and whether it shows a refused form (422).
pub(super) struct OrganizationPageOut(OrganizationPage, bool);

impl OrganizationPageOut {
    pub fn respond(self) -> AppResult<Response> {
        if self.1 {
            unprocessable(self.0)
        } else {
            Ok(render(self.0)?.into_response())
        }
    }
}

/// `GET /app/{tenant}/book/organizations/{id}`
pub async fn page(
    State(state): State<AppState>,
    member: Member,
    Path(IdPath { id }): Path<IdPath>,
    Query(query): Query<PageQuery>,
) -> AppResult<Response> {
    let organization = organization_of(&state, &member, &id).await?;
    let notice = if !query.added.is_empty() {
        Some("Added to the address book.")
    } else if !query.saved.is_empty() {
        Some("Saved.")
    } else if !query.merged.is_empty() {
        Some("Merged: the other organization's people, history and campaigns are now this one's.")
    } else {
        None
    };
    render_page(
        &state,
        &member,
        organization,
        Shown {
            form: None,
            person: None,
            hold_error: None,
            notice,
            editing: None,
        },
    )
    .await?
    .respond()
}

/// `POST /app/{tenant}/book/organizations/{id}`: saves the fields.
pub async fn save(
    State(state): State<AppState>,
    Editor(member): Editor,
    Path(IdPath { id }): Path<IdPath>,
    Form(form): Form<OrganizationForm>,
) -> AppResult<Response> {
    let organization = organization_of(&state, &member, &id).await?;
    let organizers = organizers(&state.db, member.tenant_id).await?;
    let (input, errors) = form.validate(&organizers);
    if !errors.is_empty() {
        return render_page(
            &state,
            &member,
            organization,
            Shown {
                form: Some((form, errors)),
                person: None,
                hold_error: None,
                notice: None,
                editing: None,
            },
        )
        .await?
        .respond();
    }
    orgs::update_organization(&state.db, member.tenant_id, organization.id, &input).await?;
    Ok(
        Redirect::to(&member.path(&format!("/book/organizations/{}?saved=1", organization.id)))
            .into_response(),
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct HoldForm {
    pub reason: String,
    pub until: String,
    /// "lift": end the hold.
    pub action: String,
}

/// `POST …/hold`: a group-wide hold with its reason and (optional) end date, or lifting it.
pub async fn hold(
    State(state): State<AppState>,
    Editor(member): Editor,
    Path(IdPath { id }): Path<IdPath>,
    Form(form): Form<HoldForm>,
) -> AppResult<Response> {
    let organization = organization_of(&state, &member, &id).await?;
    let (reason, until) = if form.action == "lift" {
        (String::new(), None)
    } else {
        let reason = form.reason.trim().to_owned();
        let until = match form.until.trim() {
            "" => Ok(None),
            raw => Date::parse(
                raw,
                time::macros::format_description!("[year]-[month]-[day]"),
            )
            .map(Some)
            .map_err(|_| "Enter the end date as a date."),
        };
        let problem = if reason.is_empty() {
            Some("Say why it is on hold: every campaign's organizers will read it.")
        } else if reason.chars().count() > 500 {
            Some("Keep the reason under 500 characters.")
        } else {
            until.as_ref().err().copied()
        };
        if let Some(problem) = problem {
            return render_page(
                &state,
                &member,
                organization,
                Shown {
                    form: None,
                    person: None,
                    hold_error: Some(problem.to_owned()),
                    notice: None,
                    editing: None,
                },
            )
            .await?
            .respond();
        }
        (reason, until.unwrap_or(None))
    };
    orgs::set_hold(&state.db, member.tenant_id, organization.id, &reason, until).await?;
    Ok(
        Redirect::to(&member.path(&format!("/book/organizations/{}?saved=1", organization.id)))
            .into_response(),
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NoteForm {
    pub body: String,
}

/// `POST …/notes`: a note in the organization's log that belongs to no campaign.
pub async fn add_note(
    State(state): State<AppState>,
    Editor(member): Editor,
    Path(IdPath { id }): Path<IdPath>,
    Form(form): Form<NoteForm>,
) -> AppResult<Response> {
    let organization = organization_of(&state, &member, &id).await?;
    let body = form.body.trim();
    if body.is_empty() || body.chars().count() > 5_000 {
        return Err(AppError::BadRequest(
            "Write the note (under 5,000 characters), then add it.".into(),
        ));
    }
    orgs::add_note(&state.db, &member, organization.id, body, state.clock.now()).await?;
    Ok(
        Redirect::to(&member.path(&format!("/book/organizations/{}#history", organization.id)))
            .into_response(),
    )
}
