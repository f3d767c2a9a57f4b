use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use time::{Duration, OffsetDateTime};

use super::lifecycle::{self, Action};
use super::lookup::{campaign_of, CampaignPage};
use super::store::{self, Campaign, CampaignInput, CampaignSummary, SaveError};
use super::{parse_points, time_zones, CampaignSlug, Status};
use crate::error::{AppError, AppResult};
use crate::mail::outbox;
use crate::signatures::store::{self as signatures, Actor, NewSignature, Signature, StateCounts};
use crate::signatures::{consent, retention};
use crate::signatures::{SignatureKind, SignatureSource, SignatureState};
use crate::state::AppState;
use crate::tenancy::{Editor, Member, Role};
use crate::tenants::store as tenants;
use crate::web::{render, unprocessable, Form, FormErrors, Layout, Query};

#[derive(Template)]
#[template(path = "campaigns/overview.html")]
struct OverviewPage {
    layout: Layout,
    member_count: i64,
    failed_mail: i64,
    role: Role,
    base: String,
    campaigns: Vec<CampaignSummary>,
}

/// `/app/{tenant}`: the group's home, with its campaigns.
pub async fn overview(State(state): State<AppState>, member: Member) -> AppResult<Html<String>> {
    let member_count = tenants::count_members(&state.db, member.tenant_id).await?;
    let failed_mail = outbox::failed_count(&state.db, member.tenant_id).await?;
    let campaigns = store::list(&state.db, member.tenant_id).await?;
    render(OverviewPage {
        layout: member.layout(member.tenant.name.clone()),
        member_count,
        failed_mail,
        role: member.role,
        base: member.path(""),
        campaigns,
    })
}

#[derive(Template)]
#[template(path = "campaigns/list.html")]
struct ListPage {
    layout: Layout,
    campaigns: Vec<CampaignSummary>,
    base: String,
    can_edit: bool,
}

pub async fn list(State(state): State<AppState>, member: Member) -> AppResult<Html<String>> {
    let campaigns = store::list(&state.db, member.tenant_id).await?;
    render(ListPage {
        layout: member.layout("Campaigns"),
        campaigns,
        base: member.path(""),
        can_edit: member.role.can_edit(),
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CampaignForm {
    pub title: String,
    pub slug: String,
    pub point: Vec<String>,
    pub target: String,
    pub who: String,
    pub moderation: String,
    pub time_zone: String,
    pub soft_deadline: String,
    pub hard_deadline: String,
    pub letter: String,
    pub host_signs: String,
    /// Months after closing that signers' contact details are kept ("0": for good).
    pub retention_months: String,
    /// "on": anyone may download the PDF of the letter and its signers.
    pub public_pdf: String,
}

impl CampaignForm {
    fn from_campaign(campaign: &Campaign) -> Self {
        let zone = &campaign.time_zone;
        CampaignForm {
            title: campaign.title.clone(),
            slug: campaign.slug.clone(),
            point: campaign.points.clone(),
            target: campaign.target.to_string(),
            who: if campaign.allow_individuals {
                "organizations_and_individuals"
            } else {
                "organizations"
            }
            .into(),
            moderation: if campaign.moderation {
                "on".into()
            } else {
                String::new()
            },
            time_zone: zone.clone(),
            soft_deadline: time_zones::to_local_input(campaign.soft_deadline, zone),
            hard_deadline: time_zones::to_local_input(campaign.hard_deadline, zone),
            letter: String::new(),
            host_signs: String::new(),
            // Filled in by the settings page (`store::retention_months`).
            retention_months: String::new(),
            public_pdf: if campaign.public_pdf {
                "on".into()
            } else {
                String::new()
            },
        }
    }

    /// Three point fields to show, filled with what was typed.
    pub fn point_fields(&self) -> Vec<String> {
        let mut fields = self.point.clone();
        while fields.len() < super::MAX_POINTS {
            fields.push(String::new());
        }
        fields
    }

    /// The retention setting: empty means the default; otherwise 0 (keep) or 1 to 120.
    fn retention(&self, errors: &mut FormErrors) -> Option<i32> {
        let raw = self.retention_months.trim();
        if raw.is_empty() {
            return Some(retention::DEFAULT_MONTHS);
        }
        match raw.parse::<i32>() {
            Ok(n) if (0..=retention::MAX_MONTHS).contains(&n) => Some(n),
            _ => {
                errors.add(
                    "retention_months",
                    "Enter a number of months from 1 to 120, or 0 to keep signers' contact details.",
                );
                None
            }
        }
    }

    pub(super) fn validate(&self, errors: &mut FormErrors) -> Option<CampaignInput> {
        let title = self.title.trim().to_owned();
        if title.is_empty() {
            errors.add("title", "Give the campaign a title.");
        } else if title.chars().count() > 200 {
            errors.add("title", "Keep the title under 200 characters.");
        }
        let slug_source = if self.slug.trim().is_empty() {
            CampaignSlug::suggest(&title)
        } else {
            self.slug.clone()
        };
        let slug = CampaignSlug::parse(&slug_source)
            .map_err(|e| errors.add("slug", e))
            .ok();
        let points = parse_points(&self.point)
            .map_err(|e| errors.add("point", e))
            .ok();
        let target = match self.target.trim().parse::<i64>() {
            Ok(n) if (1..=1_000_000).contains(&n) => Some(n as i32),
            _ => {
                errors.add(
                    "target",
                    "Enter how many signers you hope for, from 1 to 1,000,000.",
                );
                None
            }
        };
        let allow_individuals = match self.who.as_str() {
            "organizations" => Some(false),
            "organizations_and_individuals" => Some(true),
            _ => {
                errors.add("who", "Choose who may sign.");
                None
            }
        };
        let zone = self.time_zone.trim().to_owned();
        if !time_zones::valid_zone(&zone) {
            errors.add("time_zone", "Choose a time zone, like Europe/London.");
        }
        let soft = time_zones::parse_local(&self.soft_deadline, &zone)
            .map_err(|e| errors.add("soft_deadline", e))
            .ok();
        let hard = time_zones::parse_local(&self.hard_deadline, &zone)
            .map_err(|e| errors.add("hard_deadline", e))
            .ok();
        if let (Some(soft), Some(hard)) = (soft, hard) {
            if hard < soft {
                errors.add(
                    "hard_deadline",
                    "The hard deadline cannot come before the soft deadline.",
                );
            }
        }
        if self.letter.chars().count() > super::letter::MAX_LETTER_LENGTH {
            errors.add("letter", "Keep the letter under 100,000 characters.");
        }
        if !errors.is_empty() {
            return None;
        }
        Some(CampaignInput {
            slug: slug?.as_str().to_owned(),
            title,
            points: points?,
            target: target?,
            allow_individuals: allow_individuals?,
            moderation: self.moderation == "on",
            time_zone: zone,
            soft_deadline: soft?,
            hard_deadline: hard?,
        })
    }
}

#[derive(Template)]
#[template(path = "campaigns/form.html")]
struct FormPage {
    layout: Layout,
    form: CampaignForm,
    errors: FormErrors,
    action: String,
    creating: bool,
    zones: &'static [&'static str],
    host_name: String,
    /// What the retention setting and erasures did (settings page only).
    privacy: Vec<String>,
    /// Signers are listed under the title and points of unity, which then stay as they
    /// confirmed them (settings page only): shown read-only, with the reason.
    wording_locked: bool,
    /// How many (besides the host) hold consent to the current text.
    holding_consent: i64,
    /// The campaign whose settings these are, for its tab bar (settings page only).
    campaign: Option<Campaign>,
    base: String,
}

impl FormPage {
    /// Why the title and points cannot change, as the settings page says it.
    fn locked_reason(&self) -> String {
        let who = match self.holding_consent {
            1 => "1 signer holds".to_owned(),
            n => format!("{n} signers hold"),
        };
        format!(
            "Locked: {who} consent to the letter under this title and these points of unity, so both stay as \
             they confirmed them while anyone is listed or awaiting approval. The letter's text can still change \
             (signers are asked, as a minor or substantive change). For another title or other points, reissue \
             the letter as a new statement once this campaign has finished."
        )
    }
}

fn form_page(
    member: &Member,
    form: CampaignForm,
    errors: FormErrors,
    action: String,
    creating: bool,
) -> FormPage {
    FormPage {
        layout: member.layout(if creating {
            "New campaign"
        } else {
            "Campaign settings"
        }),
        form,
        errors,
        action,
        creating,
        zones: time_zones::COMMON,
        host_name: member.tenant.name.clone(),
        privacy: Vec::new(),
        wording_locked: false,
        holding_consent: 0,
        campaign: None,
        base: String::new(),
    }
}

fn default_deadline(now: OffsetDateTime, days: i64) -> String {
    let at = (now + Duration::days(days)).replace_time(time::macros::time!(17:00));
    time_zones::to_local_input(at, "UTC")
}

pub async fn new_page(
    State(state): State<AppState>,
    Editor(member): Editor,
) -> AppResult<Html<String>> {
    let now = state.clock.now();
    let form = CampaignForm {
        point: vec![String::new(); 3],
        target: "50".into(),
        who: "organizations".into(),
        time_zone: "UTC".into(),
        soft_deadline: default_deadline(now, 14),
        hard_deadline: default_deadline(now, 21),
        host_signs: "on".into(),
        retention_months: retention::DEFAULT_MONTHS.to_string(),
        ..CampaignForm::default()
    };
    let action = member.path("/campaigns/new");
    render(form_page(&member, form, FormErrors::new(), action, true))
}

pub async fn create(
    State(state): State<AppState>,
    Editor(member): Editor,
    Form(form): Form<CampaignForm>,
) -> AppResult<Response> {
    let mut errors = FormErrors::new();
    let months = form.retention(&mut errors);
    let input = form.validate(&mut errors);
    let action = member.path("/campaigns/new");
    let Some(input) = input else {
        return unprocessable(form_page(&member, form, errors, action, true));
    };
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let id = match store::create(&mut tx, member.tenant_id, &input).await {
        Ok(id) => id,
        Err(SaveError::SlugTaken) => {
            errors.add(
                "slug",
                "Another campaign of this group uses this address; choose another.",
            );
            return unprocessable(form_page(&member, form, errors, action, true));
        }
        Err(SaveError::Database(e)) => return Err(e.into()),
    };
    let letter = form.letter.replace("\r\n", "\n");
    let revision_id = if letter.trim().is_empty() {
        None
    } else {
        let (revision_id, _) = store::add_revision(
            &mut tx,
            member.tenant_id,
            id,
            &letter,
            (member.user.user_id, &member.user.name),
            now,
        )
        .await?;
        Some(revision_id)
    };
    let months = months.unwrap_or(retention::DEFAULT_MONTHS);
    store::set_retention_months(&mut tx, member.tenant_id, id, months).await?;
    if form.host_signs == "on" {
        sign_on_host(&mut tx, &member, id, revision_id, now).await?;
    }
    if form.public_pdf == "on" {
        store::set_public_pdf(&mut tx, member.tenant_id, id, true).await?;
    }
    tx.commit().await?;
    Ok(Redirect::to(&member.path(&format!(
        "/campaigns/{}?notice=campaign-created",
        input.slug
    )))
    .into_response())
}

/// The host organization signs its own letter in one step, pre-filled from the tenant;
/// it is then listed like everyone else.
pub(super) async fn sign_on_host(
    conn: &mut sqlx::PgConnection,
    member: &Member,
    campaign_id: uuid::Uuid,
    revision_id: Option<uuid::Uuid>,
    now: OffsetDateTime,
) -> AppResult<()> {
    let host = NewSignature {
        name: member.tenant.name.clone(),
        contact_name: member.user.name.clone(),
        email: member.user.email.clone(),
        revision_id,
        ..NewSignature::new(SignatureKind::Organization, SignatureSource::Host)
    };
    let actor = member.actor();
    let by = Actor {
        name: &actor,
        user_id: Some(member.user.user_id),
        reason: "the host organization signed on when the campaign was created",
    };
    signatures::insert(conn, member.tenant_id, campaign_id, &host, &by, now).await?;
    Ok(())
}

pub async fn settings_page(
    State(state): State<AppState>,
    CampaignPage { member, campaign }: CampaignPage,
) -> AppResult<Html<String>> {
    member.require_editor()?;
    let action = member.path(&format!("/campaigns/{}/settings", campaign.slug));
    let mut form = CampaignForm::from_campaign(&campaign);
    form.retention_months = store::retention_months(&state.db, member.tenant_id, campaign.id)
        .await?
        .to_string();
    let mut page = form_page(&member, form, FormErrors::new(), action, false);
    page.privacy = privacy_record(&state, &member, &campaign).await?;
    page.base = member.path(&format!("/campaigns/{}", campaign.slug));
    page.campaign = Some(campaign.clone());
    page.holding_consent = signatures::holding_consent_count(
        &state.db,
        member.tenant_id,
        campaign.id,
        campaign.consent_from_revision,
    )
    .await?;
    page.wording_locked = page.holding_consent > 0;
    render(page)
}

/// What the retention setting did to this campaign's signers, and how many erased
/// themselves, as the settings page tells organizers.
async fn privacy_record(
    state: &AppState,
    member: &Member,
    campaign: &Campaign,
) -> AppResult<Vec<String>> {
    let summary = retention::summary(&state.db, member.tenant_id, campaign.id).await?;
    let mut lines: Vec<String> = summary
        .runs
        .iter()
        .map(|run| run.sentence(&campaign.time_zone))
        .collect();
    match summary.erased_signers {
        0 => {}
        1 => lines.push("1 signer asked to be erased: their name and contact details are gone, and only this count is kept.".into()),
        n => lines.push(format!("{n} signers asked to be erased: their names and contact details are gone, and only this count is kept.")),
    }
    Ok(lines)
}

/// A refused settings form shows the title and points locked, as the page did, while
/// anyone holds consent to them.
async fn showing_lock(
    state: &AppState,
    member: &Member,
    campaign: &Campaign,
    mut page: FormPage,
) -> AppResult<FormPage> {
    page.holding_consent = signatures::holding_consent_count(
        &state.db,
        member.tenant_id,
        campaign.id,
        campaign.consent_from_revision,
    )
    .await?;
    page.wording_locked = page.holding_consent > 0;
    page.base = member.path(&format!("/campaigns/{}", campaign.slug));
    page.campaign = Some(campaign.clone());
    Ok(page)
}

pub async fn update_settings(
    State(state): State<AppState>,
    CampaignPage { member, campaign }: CampaignPage,
    Form(form): Form<CampaignForm>,
) -> AppResult<Response> {
    member.require_editor()?;
    let action = member.path(&format!("/campaigns/{}/settings", campaign.slug));
    let mut errors = FormErrors::new();
    let months = form.retention(&mut errors);
    let Some(input) = form.validate(&mut errors) else {
        let page = form_page(&member, form, errors, action, false);
        return unprocessable(showing_lock(&state, &member, &campaign, page).await?);
    };
    let mut tx = state.db.begin().await?;
    // The title and the points of unity are part of the text each signer confirmed: they
    // stay as confirmed while anyone holds consent to them (listed, awaiting approval, or
    // rejected and restorable). Compared with the campaign as it stands under the consent
    // lock, taken exclusively (another organizer may have changed them since this form
    // was opened, and a confirmation may be under way): a short wait for confirmations.
    consent::lock_exclusive(&mut tx, campaign.id).await?;
    let text = store::consent_text(&mut tx, campaign.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let title_changes = input.title != text.title;
    let points_change = input.points != text.points;
    let holding_consent = if title_changes || points_change {
        signatures::holding_consent_count(
            &mut *tx,
            member.tenant_id,
            campaign.id,
            text.consent_from_revision,
        )
        .await?
    } else {
        0
    };
    if holding_consent > 0 {
        tx.rollback().await?;
        let mut page = form_page(&member, form, errors, action, false);
        page.wording_locked = true;
        page.holding_consent = holding_consent;
        page.base = member.path(&format!("/campaigns/{}", campaign.slug));
        page.campaign = Some(campaign.clone());
        if title_changes {
            page.errors.add(
                "title",
                "Signers confirmed the letter under this title, so it cannot change now that others are listed under it. Reissue the letter as a new statement once this campaign has finished to give it another title.",
            );
        }
        if points_change {
            page.errors.add(
                "point",
                "Signers confirmed the letter with these points of unity, so they cannot change now that others are listed under them. Change the letter's text instead (signers are then asked, as a minor or substantive change), or reissue the letter as a new statement once this campaign has finished.",
            );
        }
        return unprocessable(page);
    }
    match store::update(&mut tx, member.tenant_id, campaign.id, &input).await {
        Ok(()) => {}
        Err(SaveError::SlugTaken) => {
            errors.add(
                "slug",
                "Another campaign of this group uses this address; choose another.",
            );
            tx.rollback().await?;
            let page = form_page(&member, form, errors, action, false);
            return unprocessable(showing_lock(&state, &member, &campaign, page).await?);
        }
        Err(SaveError::Database(e)) => return Err(e.into()),
    }
    let months = months.unwrap_or(retention::DEFAULT_MONTHS);
    store::set_retention_months(&mut tx, member.tenant_id, campaign.id, months).await?;
    store::set_public_pdf(
        &mut tx,
        member.tenant_id,
        campaign.id,
        form.public_pdf == "on",
    )
    .await?;
    tx.commit().await?;
    Ok(
        Redirect::to(&member.path(&format!("/campaigns/{}?notice=campaign-saved", input.slug)))
            .into_response(),
    )
}

#[derive(Deserialize)]
pub struct DashboardQuery {
    state: Option<String>,
}

#[derive(Template)]
#[template(path = "campaigns/dashboard.html")]
struct DashboardPage {
    layout: Layout,
    campaign: Campaign,
    base: String,
    public_path: String,
    counts: StateCounts,
    /// Who confirmed an earlier text and is not listed until they confirm this one.
    awaiting: Vec<signatures::AwaitingReconfirmation>,
    /// The latest date among theirs to confirm by, as shown.
    awaiting_by: Option<String>,
    /// That date has passed (they may still confirm while the form is open).
    awaiting_by_passed: bool,
    has_letter: bool,
    accepting: bool,
    closed_by_deadline: bool,
    soft_days_left: Option<i64>,
    hard_days_left: Option<i64>,
    signatures: Vec<Signature>,
    filter: Option<SignatureState>,
    can_edit: bool,
    problem: Option<&'static str>,
    truncated: bool,
}

const SHOWN_SIGNATURES: i64 = 500;

async fn dashboard_page(
    state: &AppState,
    member: &Member,
    campaign: Campaign,
    filter: Option<SignatureState>,
    problem: Option<&'static str>,
) -> AppResult<DashboardPage> {
    let now = state.clock.now();
    let counts = signatures::counts_by_state(&state.db, member.tenant_id, campaign.id).await?;
    let awaiting = if counts.awaiting_reconfirmation > 0 {
        let mut conn = state.db.acquire().await?;
        signatures::awaiting_reconfirmation(&mut conn, member.tenant_id, campaign.id).await?
    } else {
        Vec::new()
    };
    let latest_by = awaiting.iter().filter_map(|a| a.respond_by).max();
    let list = signatures::for_campaign(
        &state.db,
        member.tenant_id,
        campaign.id,
        filter,
        SHOWN_SIGNATURES,
    )
    .await?;
    let has_letter = campaign.current_revision_id.is_some();
    Ok(DashboardPage {
        layout: member.layout(campaign.title.clone()),
        base: member.path(&format!("/campaigns/{}", campaign.slug)),
        public_path: format!("/{}/{}", member.tenant.slug, campaign.slug),
        counts,
        awaiting_by: latest_by.map(|at| time_zones::display(at, &campaign.time_zone)),
        awaiting_by_passed: latest_by.is_some_and(|at| at <= now),
        awaiting,
        has_letter,
        accepting: campaign.accepting_signatures(now),
        closed_by_deadline: campaign.closed_by_deadline(now),
        soft_days_left: time_zones::days_left(now, campaign.soft_deadline),
        hard_days_left: time_zones::days_left(now, campaign.hard_deadline),
        truncated: list.len() as i64 == SHOWN_SIGNATURES,
        signatures: list,
        filter,
        can_edit: member.role.can_edit(),
        problem,
        campaign,
    })
}

pub async fn dashboard(
    State(state): State<AppState>,
    CampaignPage { member, campaign }: CampaignPage,
    Query(query): Query<DashboardQuery>,
) -> AppResult<Html<String>> {
    let filter = query.state.as_deref().and_then(SignatureState::parse);
    render(dashboard_page(&state, &member, campaign, filter, None).await?)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StatusForm {
    action: String,
}

pub async fn change_status(
    State(state): State<AppState>,
    CampaignPage { member, campaign }: CampaignPage,
    Form(form): Form<StatusForm>,
) -> AppResult<Response> {
    member.require_editor()?;
    let has_letter = campaign.current_revision_id.is_some();
    let current = campaign.status;
    let action = Action::from_form(&form.action);
    let next = action.and_then(|a| {
        lifecycle::next(current, a, campaign.published_at.is_some()).map(|to| (a, to))
    });
    let Some((action, status)) = next else {
        let problem = "That change is not possible from the campaign's current status.";
        return unprocessable(
            dashboard_page(&state, &member, campaign, None, Some(problem)).await?,
        );
    };
    let keep_open = action.keeps_open(campaign.open_after_deadline);
    let notice = action.notice();
    if matches!(status, Status::Open | Status::Published) && !has_letter {
        let problem =
            "Write the letter before opening the campaign: signers need to read what they sign.";
        return unprocessable(
            dashboard_page(&state, &member, campaign, None, Some(problem)).await?,
        );
    }
    let changed = store::set_status(
        &state.db,
        member.tenant_id,
        &campaign,
        status,
        keep_open,
        state.clock.now(),
    )
    .await?;
    if !changed {
        let problem = "Someone changed this campaign's status while you were looking: here it is as it is now. Choose again if you still want to.";
        let fresh = campaign_of(&state, &member, &campaign.slug).await?;
        return unprocessable(dashboard_page(&state, &member, fresh, None, Some(problem)).await?);
    }
    Ok(
        Redirect::to(&member.path(&format!("/campaigns/{}?notice={notice}", campaign.slug)))
            .into_response(),
    )
}
