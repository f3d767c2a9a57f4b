//! The sign-on form: organizations (and individuals where allowed) sign, then confirm by
//! email. Protected by the CSRF token, a honeypot field, a minimum fill time and a
//! per-address rate limit, none of which a person filling the form notices.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{public_campaign, SigningState, CONFIRMATION_VALID_FOR, MIN_FILL_TIME};
use crate::campaigns::store::{self as campaigns, Campaign, PublicCampaign};
use crate::error::AppResult;
use crate::mail::{self, EmailAddress, Outgoing};
use crate::signatures::names::{domain_matches, normalize_website};
use crate::signatures::store::{self as store, Actor, Inserted, NewSignature};
use crate::signatures::{ConfirmSignature, SignatureKind, SignatureSource, SignatureState};
use crate::state::AppState;
use crate::tenancy::{PublicTenantId, TenantScope};
use crate::tokens;
use crate::web::started::{started_at, started_token};
use crate::web::{render, render_with, Form, FormErrors, Layout, Path, Query, Visitor};

pub const SIZES: [(&str, &str); 4] = [
    ("local", "Local"),
    ("regional", "Regional"),
    ("national", "National"),
    ("international", "International"),
];

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SignForm {
    pub kind: String,
    pub organization: String,
    pub website: String,
    pub city: String,
    pub size: String,
    pub parent_organization: String,
    pub contact_name: String,
    pub contact_title: String,
    pub email: String,
    pub phone: String,
    pub authorized: String,
    pub show_contact: String,
    pub comment: String,
    pub name: String,
    pub affiliation: String,
    pub revision: String,
    pub started: String,
    /// Set when the form was opened from a contact's personal link (`personal_ask`).
    pub personal_ask: String,
    /// The honeypot: hidden from people, filled by bots.
    pub nickname: String,
}

impl SignForm {
    pub fn is_individual(&self) -> bool {
        self.kind == "individual"
    }
}

/// How long a fetched form may be sent back: one fetched form cannot be replayed forever.
pub const FORM_VALID_FOR: time::Duration = time::Duration::days(1);

/// Why a returned form cannot be taken as it is, if it cannot.
fn fill_time_problem(started: Option<OffsetDateTime>, now: OffsetDateTime) -> Option<&'static str> {
    match started {
        Some(at) if now - at < MIN_FILL_TIME => Some("Please check your details and send the form again: it came back faster than we expected a person to fill it."),
        Some(at) if now - at > FORM_VALID_FOR => Some("This form was opened more than a day ago. Please check your details and send it again: what you typed is kept below."),
        Some(_) => None,
        None => Some("Please check your details and send the form again: we could not read when it was opened."),
    }
}

#[derive(Template)]
#[template(path = "signing/form.html")]
struct FormPage<'a> {
    layout: Layout,
    campaign: &'a Campaign,
    group_name: &'a str,
    page_path: String,
    letter_html: String,
    form: SignForm,
    errors: FormErrors,
    problem: Option<String>,
    sizes: [(&'static str, &'static str); 4],
    /// "Sign by Friday 18 December", while a deadline is ahead.
    sign_by: Option<String>,
    /// When the list is published, while a release date is set and has not come.
    release: Option<String>,
}

/// The form's fields in the order the page shows them: the error summary lists what to
/// fix in that order, each linking to its field.
const ORGANIZATION_FIELDS: [&str; 12] = [
    "organization",
    "website",
    "city",
    "size",
    "parent_organization",
    "contact_name",
    "contact_title",
    "email",
    "phone",
    "authorized",
    "comment",
    "affiliation",
];
const INDIVIDUAL_FIELDS: [&str; 4] = ["name", "email", "city", "affiliation"];

impl FormPage<'_> {
    fn error_links(&self) -> Vec<(&'static str, &str)> {
        let order: &[&'static str] = if self.form.is_individual() {
            &INDIVIDUAL_FIELDS
        } else {
            &ORGANIZATION_FIELDS
        };
        order
            .iter()
            .filter_map(|field| self.errors.get(field).map(|message| (*field, message)))
            .collect()
    }
}

#[derive(Template)]
#[template(path = "signing/closed.html")]
struct ClosedPage<'a> {
    layout: Layout,
    campaign: &'a Campaign,
    page_path: String,
    by_deadline: bool,
}

fn closed(
    visitor: &Visitor,
    campaign: &Campaign,
    page_path: String,
    now: OffsetDateTime,
) -> AppResult<Response> {
    let layout = visitor
        .layout(format!("Signing has closed — {}", campaign.title))
        .for_signers();
    let page = ClosedPage {
        layout,
        campaign,
        page_path,
        by_deadline: campaign.closed_by_deadline(now),
    };
    render_with(StatusCode::GONE, page)
}

struct FormContext<'a> {
    state: &'a AppState,
    visitor: &'a Visitor,
    campaign: &'a Campaign,
    tenant: PublicTenantId,
    group_name: &'a str,
    page_path: String,
}

impl FormContext<'_> {
    async fn render(
        &self,
        status: StatusCode,
        mut form: SignForm,
        errors: FormErrors,
        problem: Option<String>,
    ) -> AppResult<Response> {
        let revision =
            campaigns::current_revision(&self.state.db, self.tenant, self.campaign.id).await?;
        form.revision = revision
            .as_ref()
            .map(|r| r.id.to_string())
            .unwrap_or_default();
        let now = self.state.clock.now();
        form.started = started_token(
            &self.state.secret,
            "sign-form-started",
            self.campaign.id,
            now,
        );
        form.nickname = String::new();
        if !self.campaign.allow_individuals {
            form.kind = "organization".into();
        }
        let layout = self
            .visitor
            .layout(format!("Sign: {}", self.campaign.title))
            .for_signers();
        let page = FormPage {
            layout,
            campaign: self.campaign,
            group_name: self.group_name,
            page_path: self.page_path.clone(),
            letter_html: revision
                .as_ref()
                .map(|r| crate::campaigns::letter::render_markdown(&r.body))
                .unwrap_or_default(),
            form,
            errors,
            problem,
            sizes: SIZES,
            sign_by: super::deadline::sign_by(self.campaign, now).map(|s| s.text),
            release: super::deadline::release_when(self.campaign, now),
        };
        render_with(status, page)
    }
}

#[derive(Deserialize)]
pub struct FormQuery {
    #[serde(rename = "as")]
    signing_as: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((tenant_slug, campaign_slug)): Path<(String, String)>,
    Query(query): Query<FormQuery>,
) -> AppResult<Response> {
    let found = public_campaign(&state, &tenant_slug, &campaign_slug).await?;
    let kind = if query.signing_as.as_deref() == Some("individual") {
        "individual"
    } else {
        "organization"
    };
    let form = SignForm {
        kind: kind.into(),
        ..SignForm::default()
    };
    prefilled(&state, &visitor, &tenant_slug, found, form).await
}

/// The form with the current letter, filled in ahead with `form` (a personal link from
/// outreach knows the organization and its contact); the closed page once signing ended.
pub async fn prefilled(
    state: &AppState,
    visitor: &Visitor,
    tenant_slug: &str,
    found: PublicCampaign,
    form: SignForm,
) -> AppResult<Response> {
    let PublicCampaign {
        campaign,
        tenant,
        group_name,
    } = found;
    let page_path = format!("/{tenant_slug}/{}", campaign.slug);
    let now = state.clock.now();
    if !campaign.accepting_signatures(now) {
        return closed(visitor, &campaign, page_path, now);
    }
    let context = FormContext {
        state,
        visitor,
        campaign: &campaign,
        tenant,
        group_name: &group_name,
        page_path,
    };
    context
        .render(StatusCode::OK, form, FormErrors::new(), None)
        .await
}

fn limit(value: &str, max: usize, field: &'static str, errors: &mut FormErrors) -> String {
    let value = value.trim();
    if value.chars().count() > max {
        errors.add(field, format!("Keep this under {max} characters."));
    }
    value.to_owned()
}

fn required(
    value: &str,
    max: usize,
    field: &'static str,
    message: &'static str,
    errors: &mut FormErrors,
) -> String {
    let value = limit(value, max, field, errors);
    if value.is_empty() {
        errors.add(field, message);
    }
    value
}

/// Checks the form and makes the signature to store, or says what to fix beside each field.
fn validate(form: &SignForm, campaign: &Campaign) -> Result<NewSignature, FormErrors> {
    let mut errors = FormErrors::new();
    let individual = form.is_individual() && campaign.allow_individuals;
    let email = match EmailAddress::parse(&form.email) {
        Ok(email) => email.as_str().to_owned(),
        Err(message) => {
            errors.add("email", message);
            String::new()
        }
    };
    let mut signature = if individual {
        NewSignature {
            name: required(&form.name, 200, "name", "Enter your name.", &mut errors),
            city: required(
                &form.city,
                200,
                "city",
                "Enter your city or region.",
                &mut errors,
            ),
            affiliation: limit(&form.affiliation, 200, "affiliation", &mut errors),
            ..NewSignature::new(SignatureKind::Individual, SignatureSource::Form)
        }
    } else {
        let website = normalize_website(&form.website).unwrap_or_else(|message| {
            errors.add("website", message);
            String::new()
        });
        if !SIZES.iter().any(|(value, _)| *value == form.size) {
            errors.add("size", "Choose the organization's size.");
        }
        let phone = limit(&form.phone, 40, "phone", &mut errors);
        if !phone
            .chars()
            .all(|c| c.is_ascii_digit() || " +-()./".contains(c))
        {
            errors.add("phone", "Use digits, spaces and + - ( ) only.");
        }
        if form.authorized != "on" {
            errors.add(
                "authorized",
                "Tick this box to confirm you may sign for this organization.",
            );
        }
        NewSignature {
            name: required(
                &form.organization,
                200,
                "organization",
                "Enter the organization's name.",
                &mut errors,
            ),
            domain_matches: domain_matches(&email, &website),
            website,
            city: required(
                &form.city,
                200,
                "city",
                "Enter the organization's city or region.",
                &mut errors,
            ),
            size: form.size.clone(),
            parent_organization: limit(
                &form.parent_organization,
                200,
                "parent_organization",
                &mut errors,
            ),
            contact_name: required(
                &form.contact_name,
                200,
                "contact_name",
                "Enter your name.",
                &mut errors,
            ),
            contact_title: required(
                &form.contact_title,
                200,
                "contact_title",
                "Enter your title or role.",
                &mut errors,
            ),
            phone,
            show_contact: form.show_contact == "on",
            comment: limit(&form.comment, 2000, "comment", &mut errors),
            ..NewSignature::new(SignatureKind::Organization, SignatureSource::Form)
        }
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    signature.email = email;
    Ok(signature)
}

pub async fn submit(
    State(signing): State<SigningState>,
    visitor: Visitor,
    Path((tenant_slug, campaign_slug)): Path<(String, String)>,
    Form(form): Form<SignForm>,
) -> AppResult<Response> {
    let state = &signing.app;
    let PublicCampaign {
        campaign,
        tenant,
        group_name,
    } = public_campaign(state, &tenant_slug, &campaign_slug).await?;
    let page_path = format!("/{tenant_slug}/{}", campaign.slug);
    let now = state.clock.now();
    if !campaign.accepting_signatures(now) {
        return closed(&visitor, &campaign, page_path, now);
    }
    let context = FormContext {
        state,
        visitor: &visitor,
        campaign: &campaign,
        tenant,
        group_name: &group_name,
        page_path: page_path.clone(),
    };

    let client = visitor.context.rate_key();
    let limited = !visitor.context.rate_limit_exempt;
    if limited {
        if let Some(refusal) = refusal(state, client, &campaign, now).await? {
            return context
                .render(
                    StatusCode::TOO_MANY_REQUESTS,
                    form,
                    FormErrors::new(),
                    Some(refusal),
                )
                .await;
        }
    }
    // Every submission that stores nothing new counts against the address's retries.
    let count_retry = || async {
        if limited {
            let mut conn = state.db.acquire().await?;
            super::SIGN_RETRY_LIMIT
                .record(&mut conn, client, now)
                .await?;
        }
        Ok::<(), crate::error::AppError>(())
    };
    // Bots fill every field; people never see this one. They get the same answer as a
    // person would, and nothing is stored.
    if !form.nickname.is_empty() {
        count_retry().await?;
        return Ok(Redirect::to(&format!("{page_path}/sign/sent")).into_response());
    }
    let started = started_at(
        &state.secret,
        "sign-form-started",
        campaign.id,
        &form.started,
    );
    if let Some(problem) = fill_time_problem(started, now) {
        count_retry().await?;
        return context
            .render(
                StatusCode::UNPROCESSABLE_ENTITY,
                form,
                FormErrors::new(),
                Some(problem.to_owned()),
            )
            .await;
    }
    let mut signature = match validate(&form, &campaign) {
        Ok(signature) => signature,
        Err(errors) => {
            count_retry().await?;
            return context
                .render(StatusCode::UNPROCESSABLE_ENTITY, form, errors, None)
                .await;
        }
    };
    signature.personal_ask = super::personal_ask::verify(
        &state.secret,
        campaign.id,
        &form.personal_ask,
        &signature.email,
    );
    // The revision the signer read: usually the current one, which costs no query.
    signature.revision_id = match Uuid::parse_str(form.revision.trim()) {
        Ok(id) if Some(id) == campaign.current_revision_id => Some(id),
        Ok(id)
            if campaigns::revision_number_of(&state.db, tenant, campaign.id, id)
                .await?
                .is_some() =>
        {
            Some(id)
        }
        _ => campaign.current_revision_id,
    };

    let token = tokens::new_token();
    signature.token_hash = Some(token.hash.clone());
    signature.token_expires_at = Some(now + CONFIRMATION_VALID_FOR);
    let confirmation = Confirmation {
        state,
        campaign: &campaign,
        tenant,
        group_name: &group_name,
        page_path: &page_path,
        token: &token.token,
        now,
    };
    let mut tx = state.db.begin().await?;
    let by = Actor::signer("signed on the public form");
    match store::insert(&mut tx, tenant, campaign.id, &signature, &by, now).await? {
        Inserted::Created(id) => {
            // Counted here, in the signature's transaction, so that simultaneous
            // submissions from one address cannot pass the limit together.
            if limited {
                if let Some(retry_at) = super::SIGN_LIMIT.take(&mut tx, client, now).await? {
                    tx.rollback().await?;
                    let problem = new_signatures_refusal(&campaign, retry_at);
                    return context
                        .render(
                            StatusCode::TOO_MANY_REQUESTS,
                            form,
                            FormErrors::new(),
                            Some(problem),
                        )
                        .await;
                }
            }
            confirmation
                .enqueue(&mut tx, id, 1, &signature.email)
                .await?;
            tx.commit().await?;
            Ok(Redirect::to(&format!("{page_path}/sign/sent")).into_response())
        }
        Inserted::Duplicate(existing) => {
            // Whoever sent this may not be the signer: the answer is the one a new
            // signature gets, nothing changes state here, the first link is never
            // replaced, and the signer's address gets at most one email an hour. A
            // withdrawn signer who signs again gets a link; signing again happens there.
            let same_signer = existing.email.to_lowercase() == signature.email.to_lowercase();
            let waiting = existing.state == SignatureState::Pending
                || (existing.state == SignatureState::Withdrawn && same_signer);
            if waiting {
                let expires = now + CONFIRMATION_VALID_FOR;
                let sent = store::add_link(&mut tx, tenant, existing.id, &token.hash, now, expires)
                    .await?;
                if let Some(sequence) = sent {
                    confirmation
                        .enqueue(&mut tx, existing.id, sequence, &existing.email)
                        .await?;
                }
            }
            if limited {
                super::SIGN_RETRY_LIMIT.record(&mut tx, client, now).await?;
            }
            tx.commit().await?;
            Ok(Redirect::to(&format!("{page_path}/sign/sent")).into_response())
        }
    }
}

/// Why the address's next submission is refused before it is read, if it is: its new
/// signatures or its retries are spent for now (docs/signatures.md says why each).
async fn refusal(
    state: &AppState,
    client: std::net::IpAddr,
    campaign: &Campaign,
    now: OffsetDateTime,
) -> AppResult<Option<String>> {
    let mut conn = state.db.acquire().await?;
    if let Some(retry_at) = super::SIGN_LIMIT.spent(&mut conn, client, now).await? {
        return Ok(Some(new_signatures_refusal(campaign, retry_at)));
    }
    Ok(super::SIGN_RETRY_LIMIT
        .spent(&mut conn, client, now)
        .await?
        .map(|retry_at| {
            format!(
                "This form has been sent from your network many times in the last few minutes without a new signature. Please check your details and send it again after {}: what you typed is kept below.",
                crate::campaigns::time_zones::display(retry_at, &campaign.time_zone)
            )
        }))
}

fn new_signatures_refusal(campaign: &Campaign, retry_at: OffsetDateTime) -> String {
    format!(
        "Many people have signed from your network in the last hour (a meeting or an office often shares one internet address). So that this form cannot be used to email strangers, it takes at most {} new signatures an hour from one address. Please send this form again after {}: what you typed is kept below.",
        super::SIGN_LIMIT.max,
        crate::campaigns::time_zones::display(retry_at, &campaign.time_zone)
    )
}

/// What the confirmation email of one submission needs to know.
struct Confirmation<'a> {
    state: &'a AppState,
    campaign: &'a Campaign,
    tenant: PublicTenantId,
    group_name: &'a str,
    page_path: &'a str,
    token: &'a str,
    now: OffsetDateTime,
}

impl Confirmation<'_> {
    /// Enqueues confirmation email number `sequence` for the signature.
    async fn enqueue(
        &self,
        conn: &mut sqlx::PgConnection,
        signature_id: Uuid,
        sequence: i32,
        email: &str,
    ) -> AppResult<()> {
        let (campaign, page_path, token) = (self.campaign, self.page_path, self.token);
        mail::enqueue(
            conn,
            Outgoing {
                tenant: Some(self.tenant.uuid()),
                idempotency_key: format!("confirm-signature:{signature_id}:{sequence}"),
                recipient: email,
                message: ConfirmSignature {
                    campaign_title: campaign.title.clone(),
                    group_name: self.group_name.to_owned(),
                    link: self
                        .state
                        .config
                        .link(&format!("{page_path}/signature/{token}")),
                    expires: crate::campaigns::time_zones::display(
                        self.now + CONFIRMATION_VALID_FOR,
                        &campaign.time_zone,
                    ),
                },
                send_at: self.now,
                bulk: false,
            },
        )
        .await?;
        Ok(())
    }
}

#[derive(Template)]
#[template(path = "signing/sent.html")]
struct SentPage<'a> {
    layout: Layout,
    campaign: &'a Campaign,
    page_path: String,
}

pub async fn sent(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((tenant_slug, campaign_slug)): Path<(String, String)>,
) -> AppResult<Html<String>> {
    let PublicCampaign { campaign, .. } =
        public_campaign(&state, &tenant_slug, &campaign_slug).await?;
    let layout = visitor.layout("Check your email").for_signers();
    render(SentPage {
        layout,
        page_path: format!("/{tenant_slug}/{}", campaign.slug),
        campaign: &campaign,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn start_times_are_signed_and_bound_to_their_campaign() {
        let secret = b"0123456789abcdef0123456789abcdef";
        let (water, air) = (Uuid::new_v4(), Uuid::new_v4());
        let now = datetime!(2026-11-25 12:00 UTC);
        let token = started_token(secret, "sign-form-started", water, now);
        assert_eq!(
            started_at(secret, "sign-form-started", water, &token),
            Some(now)
        );
        assert_eq!(
            started_at(secret, "sign-form-started", air, &token),
            None,
            "not for another campaign"
        );
        let forged = format!(
            "{}.{}",
            now.unix_timestamp() - 60,
            token.split_once('.').unwrap().1
        );
        assert_eq!(
            started_at(secret, "sign-form-started", water, &forged),
            None
        );
        assert_eq!(
            started_at(secret, "sign-form-started", water, "garbage"),
            None
        );
        assert!(fill_time_problem(Some(now), now + time::Duration::seconds(5)).is_none());
        assert!(fill_time_problem(Some(now), now + time::Duration::seconds(1)).is_some());
        assert!(
            fill_time_problem(Some(now), now + time::Duration::hours(25))
                .unwrap()
                .contains("more than a day ago")
        );
    }
}
