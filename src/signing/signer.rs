//! The signer's own page, reached from the emailed link: confirm, then suggest who else to
//! contact, and withdraw at any time.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;

use crate::campaigns::letter::render_markdown;
use crate::campaigns::store::{self as campaigns, Campaign, PublicCampaign, Revision};
use crate::error::{AppError, AppResult};
use crate::mail::EmailAddress;
use crate::signatures::consent;
use crate::signatures::store::{self as store, Actor, Consent, Signature};
use crate::signatures::{Action, SignatureState};
use crate::state::AppState;
use crate::tenancy::PublicTenantId;
use crate::tokens;
use crate::web::{render, render_with, unprocessable, Form, Layout, Path, Visitor};

use super::{SignerForList, SigningState};

pub struct Found {
    pub campaign: Campaign,
    pub tenant: PublicTenantId,
    pub signature: Signature,
    pub page_path: String,
    pub own_path: String,
}

pub async fn find(
    state: &AppState,
    tenant_slug: &str,
    campaign_slug: &str,
    token: &str,
) -> AppResult<Option<Found>> {
    let Some(PublicCampaign {
        campaign, tenant, ..
    }) = campaigns::public_by_slugs(&state.db, tenant_slug, campaign_slug).await?
    else {
        return Err(AppError::NotFound);
    };
    if !tokens::looks_like_token(token) {
        return Ok(None);
    }
    let Some(signature) =
        store::by_token(&state.db, tenant, campaign.id, &tokens::hash_token(token)).await?
    else {
        return Ok(None);
    };
    let page_path = format!("/{tenant_slug}/{}", campaign.slug);
    let own_path = format!("{page_path}/signature/{token}");
    Ok(Some(Found {
        campaign,
        tenant,
        signature,
        page_path,
        own_path,
    }))
}

#[derive(Template)]
#[template(path = "signing/link_gone.html")]
struct LinkGonePage {
    layout: Layout,
    sign_path: Option<String>,
}

pub fn link_gone(visitor: &Visitor, sign_path: Option<String>) -> AppResult<Response> {
    let layout = visitor.layout("This link no longer works").for_signers();
    render_with(StatusCode::GONE, LinkGonePage { layout, sign_path })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReferralForm {
    pub referral_name: Vec<String>,
    pub referral_organization: Vec<String>,
    pub referral_email: Vec<String>,
}

/// Suggestions one form may send; more are refused before anything is rendered.
pub const MAX_REFERRALS: usize = 20;
/// Suggestions one signature may make in all: a signer knows a few dozen people worth
/// asking; each becomes a prospect and a contact organizers must check, so a script
/// posting thousands from one signature would bury the real ones.
pub const MAX_REFERRALS_PER_SIGNATURE: i64 = 50;
/// Suggestion forms per client address: a person sends one or two (and corrects one);
/// several signers behind one office address still fit.
pub const REFERRAL_LIMIT: crate::web::RateLimit = crate::web::RateLimit {
    scope: "referrals",
    max: 10,
    window: time::Duration::minutes(10),
};

impl ReferralForm {
    /// How many rows were sent (the longest of the three columns).
    fn submitted_rows(&self) -> usize {
        self.referral_name
            .len()
            .max(self.referral_organization.len())
            .max(self.referral_email.len())
    }

    /// The rows to show, filled with what was typed: at least three, at most
    /// `MAX_REFERRALS`, however many were sent.
    pub fn rows(&self) -> Vec<(String, String, String)> {
        let n = self.submitted_rows().clamp(3, MAX_REFERRALS);
        let at = |v: &Vec<String>, i: usize| v.get(i).cloned().unwrap_or_default();
        (0..n)
            .map(|i| {
                (
                    at(&self.referral_name, i),
                    at(&self.referral_organization, i),
                    at(&self.referral_email, i),
                )
            })
            .collect()
    }
}

#[derive(Template)]
#[template(path = "signing/signer.html")]
struct SignerPage {
    layout: Layout,
    campaign: Campaign,
    signature: Signature,
    page_path: String,
    own_path: String,
    expired: bool,
    /// The form no longer takes signatures (deadline or organizers); a pending signature
    /// made before that can still be confirmed while its link works.
    form_closed: bool,
    link_expires: String,
    referrals: ReferralForm,
    referral_errors: Vec<String>,
    /// The text a confirmation confirms, shown above the button, and its revision.
    letter_html: String,
    revision_id: String,
    /// "the letter as it read on 3 December 2026, 14:05 EST": what a confirmed signer
    /// signed, said without revision numbers.
    signed_text: Option<String>,
    /// When the list is published, while a release date is set and has not come.
    release: Option<String>,
    problem: Option<&'static str>,
    /// The letter changed since this signer confirmed it.
    change: Option<ChangeSince>,
    /// This signature asks a signer of an earlier campaign about its reissue.
    reissue: Option<ReissueAsk>,
    /// The group's coalition list, offered with a box (unticked) beside the confirmation.
    list_offer: Option<String>,
    /// The box as the signer left it, when a refused confirmation shows the page again.
    join_checked: bool,
}

/// What a reissue asks of this signer, as their page tells them.
pub struct ReissueAsk {
    pub original_title: String,
    /// Told in advance: listed at `opt_out_by` unless they opt out.
    pub listed_unless_opt_out: bool,
    pub opt_out_by: String,
}

/// How the letter changed since the signer confirmed it, as their page shows it.
pub struct ChangeSince {
    /// Their name is not listed under the current text until they confirm it.
    pub needs_confirmation: bool,
    /// When the text they confirmed was saved, and when the current one was.
    pub confirmed_on: String,
    pub changed_on: String,
    /// No word changed since the text they confirmed (`campaigns::correction`).
    pub correction: bool,
    pub note: String,
    pub respond_by: Option<String>,
    pub diff: Vec<crate::campaigns::letter::DiffLine>,
    pub diff_summary: Option<String>,
}

/// Whether a signer may still confirm a substantively changed text: until the date the
/// organizers set, and after it while the form takes signatures (they could sign anew).
fn may_reconfirm(
    campaign: &Campaign,
    respond_by: Option<time::OffsetDateTime>,
    now: time::OffsetDateTime,
) -> bool {
    respond_by.is_some_and(|by| now < by) || campaign.accepting_signatures(now)
}

/// The signer's page, with the letter as it stands (what a confirmation confirms).
async fn signer_page(
    state: &AppState,
    visitor: &Visitor,
    found: Found,
    expired: bool,
    referrals: ReferralForm,
    referral_errors: Vec<String>,
) -> AppResult<SignerPage> {
    let layout = visitor.layout(found.campaign.title.clone()).for_signers();
    let revision: Option<Revision> =
        campaigns::current_revision(&state.db, found.tenant, found.campaign.id).await?;
    let change = change_since(state, &found, revision.as_ref()).await?;
    let reissue = reissue_ask(state, &found).await?;
    let signed_text = signed_text(state, &found, revision.as_ref()).await?;
    let now = state.clock.now();
    Ok(SignerPage {
        signed_text,
        release: super::deadline::release_when(&found.campaign, now),
        change,
        reissue,
        letter_html: revision
            .as_ref()
            .map(|r| render_markdown(&r.body))
            .unwrap_or_default(),
        revision_id: revision
            .as_ref()
            .map(|r| r.id.to_string())
            .unwrap_or_default(),
        problem: None,
        list_offer: None,
        join_checked: false,
        form_closed: !found.campaign.accepting_signatures(state.clock.now()),
        link_expires: found
            .signature
            .token_expires_at
            .map(|at| crate::campaigns::time_zones::display(at, &found.campaign.time_zone))
            .unwrap_or_default(),
        layout,
        campaign: found.campaign,
        signature: found.signature,
        page_path: found.page_path,
        own_path: found.own_path,
        expired,
        referrals,
        referral_errors,
    })
}

/// For a reissued signature still waiting for its signer's decision: which letter they
/// signed before, and whether they are listed unless they opt out.
async fn reissue_ask(state: &AppState, found: &Found) -> AppResult<Option<ReissueAsk>> {
    let waiting = matches!(
        found.signature.state,
        SignatureState::Pending | SignatureState::Notified
    );
    if !found.signature.source.is_reissue() || !waiting {
        return Ok(None);
    }
    let original_title =
        campaigns::title_of(&state.db, found.tenant, found.campaign.reissued_from).await?;
    Ok(Some(ReissueAsk {
        original_title: original_title.unwrap_or_else(|| "an earlier letter".into()),
        listed_unless_opt_out: found.signature.state == SignatureState::Notified,
        opt_out_by: found
            .campaign
            .opt_out_by
            .map(|at| crate::campaigns::time_zones::display(at, &found.campaign.time_zone))
            .unwrap_or_default(),
    }))
}

/// For a confirmed signer whose text was revised since: what changed, and whether their
/// name waits for their confirmation.
async fn change_since(
    state: &AppState,
    found: &Found,
    current: Option<&Revision>,
) -> AppResult<Option<ChangeSince>> {
    let (Some(current), Some(confirmed_number)) = (current, found.signature.revision_number) else {
        return Ok(None);
    };
    if !found.signature.state.signer_confirmed() || confirmed_number >= current.number {
        return Ok(None);
    }
    let Some(confirmed) =
        campaigns::revision_by_number(&state.db, found.tenant, found.campaign.id, confirmed_number)
            .await?
    else {
        return Ok(None);
    };
    let needs_confirmation =
        found.signature.consent_revision.unwrap_or(0) < found.campaign.consent_from_revision;
    let respond_by = if needs_confirmation {
        campaigns::substantive_respond_by(
            &state.db,
            found.tenant,
            found.campaign.id,
            found.signature.consent_revision.unwrap_or(0),
        )
        .await?
    } else {
        current.respond_by
    };
    let comparison =
        crate::campaigns::letter::compare(confirmed.body.clone(), current.body.clone()).await?;
    let zone = &found.campaign.time_zone;
    Ok(Some(ChangeSince {
        needs_confirmation,
        confirmed_on: crate::campaigns::time_zones::display(confirmed.created_at, zone),
        changed_on: crate::campaigns::time_zones::display(current.created_at, zone),
        correction: crate::campaigns::correction::judge(&confirmed.body, &current.body)
            .is_correction(),
        note: current.change_note.clone(),
        respond_by: respond_by
            .map(|at| crate::campaigns::time_zones::display(at, &found.campaign.time_zone)),
        diff: comparison.lines,
        diff_summary: comparison.summary,
    }))
}

/// What a signer who confirmed signed, in words: the letter as it stands, or as it read
/// when the revision they confirmed was saved.
async fn signed_text(
    state: &AppState,
    found: &Found,
    current: Option<&Revision>,
) -> AppResult<Option<String>> {
    let Some(number) = found.signature.revision_number else {
        return Ok(None);
    };
    if current.is_some_and(|c| c.number == number) {
        return Ok(Some("the letter as it stands".to_owned()));
    }
    Ok(
        campaigns::revision_by_number(&state.db, found.tenant, found.campaign.id, number)
            .await?
            .map(|r| {
                format!(
                    "the letter as it read on {}",
                    crate::campaigns::time_zones::display(r.created_at, &found.campaign.time_zone)
                )
            }),
    )
}

/// Applies the signer's own `action` to the signature their link names.
async fn act(
    state: &AppState,
    found: &Found,
    action: Action,
    reason: &str,
) -> AppResult<Option<store::Changed>> {
    let by = Actor::signer(reason);
    let mut tx = state.db.begin().await?;
    let changed = store::change_state(
        &mut tx,
        found.tenant,
        found.signature.id,
        action,
        &by,
        state.clock.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(changed)
}

fn is_expired(state: &AppState, signature: &Signature) -> bool {
    signature.state == SignatureState::Pending
        && signature
            .token_expires_at
            .is_none_or(|at| at <= state.clock.now())
}

pub async fn page(
    State(signing): State<SigningState>,
    visitor: Visitor,
    Path((tenant_slug, campaign_slug, token)): Path<(String, String, String)>,
) -> AppResult<Response> {
    let state = signing.app.clone();
    let Some(found) = find(&state, &tenant_slug, &campaign_slug, &token).await? else {
        return link_gone(
            &visitor,
            Some(format!("/{tenant_slug}/{campaign_slug}/sign")),
        );
    };
    let expired = is_expired(&state, &found.signature);
    let status = if expired {
        StatusCode::GONE
    } else {
        StatusCode::OK
    };
    let tenant = found.tenant;
    let mut page = signer_page(
        &state,
        &visitor,
        found,
        expired,
        ReferralForm::default(),
        Vec::new(),
    )
    .await?;
    if !expired && !page.signature.state.signer_confirmed() {
        page.list_offer = signing.list_join.offer(&state.db, tenant).await?;
    }
    render_with(status, page)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ConfirmForm {
    /// The revision of the letter the page showed the signer.
    pub revision: String,
    /// "shown": the page told the signer that a reissue would carry their name over
    /// unless they opted out.
    pub reissue_notice: String,
    /// The digest of the title and points of unity the page showed (`Campaign::wording`).
    pub wording: String,
    /// "yes": the signer ticked "Keep me on the coalition's list" (unticked by default).
    pub join_list: String,
}

/// What the signer's consent must cover now, read under the consent lock taken shared
/// (`signatures::consent`): a save of the letter, title or points waits for this
/// transaction, and this one sees a save that came first.
async fn text_under_lock(
    conn: &mut sqlx::PgConnection,
    found: &Found,
) -> AppResult<campaigns::ConsentText> {
    consent::lock_shared(conn, found.campaign.id).await?;
    campaigns::consent_text(conn, found.campaign.id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Whether the title or points of unity changed since the signer's page showed them
/// (`shown`, their digest); if so, `found` is brought up to date to show them again.
fn wording_changed(text: &campaigns::ConsentText, found: &mut Found, shown: &str) -> bool {
    if text.wording() == shown.trim() {
        return false;
    }
    found.campaign.title = text.title.clone();
    found.campaign.points = text.points.clone();
    true
}

/// Nothing was confirmed: the signer's page again, as it stands now, saying why.
async fn refused(
    state: &AppState,
    visitor: &Visitor,
    found: Found,
    status: StatusCode,
    problem: &'static str,
) -> AppResult<Response> {
    let mut page = signer_page(
        state,
        visitor,
        found,
        false,
        ReferralForm::default(),
        Vec::new(),
    )
    .await?;
    page.problem = Some(problem);
    render_with(status, page)
}

/// A refused first confirmation: the page again, saying why, with the list's box as the
/// signer left it (what they chose is kept, like any form's input; it still joins only
/// when they confirm).
async fn refused_first(
    signing: &SigningState,
    visitor: &Visitor,
    found: Found,
    status: StatusCode,
    problem: &'static str,
    wished_to_join: bool,
) -> AppResult<Response> {
    let tenant = found.tenant;
    let mut page = signer_page(
        &signing.app,
        visitor,
        found,
        false,
        ReferralForm::default(),
        Vec::new(),
    )
    .await?;
    page.problem = Some(problem);
    page.list_offer = signing.list_join.offer(&signing.app.db, tenant).await?;
    page.join_checked = wished_to_join && page.list_offer.is_some();
    render_with(status, page)
}

const WORDING_CHANGED: &str = "The letter's title or points of unity changed since this page was opened (or the page did not say which it showed). Read them below as they stand now, and confirm if you agree.";

/// The signer confirms the text their page showed them: if the letter changed since,
/// they are shown the new text to confirm instead, and the signature records the
/// revision confirmed.
pub async fn confirm(
    State(signing): State<SigningState>,
    visitor: Visitor,
    Path((tenant_slug, campaign_slug, token)): Path<(String, String, String)>,
    Form(form): Form<ConfirmForm>,
) -> AppResult<Response> {
    let state = signing.app.clone();
    let Some(found) = find(&state, &tenant_slug, &campaign_slug, &token).await? else {
        return link_gone(
            &visitor,
            Some(format!("/{tenant_slug}/{campaign_slug}/sign")),
        );
    };
    if is_expired(&state, &found.signature) {
        return render_with(
            StatusCode::GONE,
            signer_page(
                &state,
                &visitor,
                found,
                true,
                ReferralForm::default(),
                Vec::new(),
            )
            .await?,
        );
    }
    let shown = Uuid::parse_str(form.revision.trim()).ok();
    if found.signature.state.signer_confirmed() {
        return reconfirm(&state, &visitor, found, shown, &form.wording).await;
    }
    let action = if found.campaign.moderation {
        Action::ConfirmForApproval
    } else {
        Action::Confirm
    };
    let by = Actor::signer("confirmed through the emailed link");
    let mut tx = state.db.begin().await?;
    let mut found = found;
    let text = text_under_lock(&mut tx, &found).await?;
    // The state as it is now, under the row lock (an organizer's undo or the signer's
    // other tab may have moved it since the page was read): whatever leads to a
    // confirmation confirms only the text, title and points the page showed.
    let now_state = store::state_for_update(&mut tx, found.tenant, found.signature.id).await?;
    // Only a waiting signature can be confirmed (the page then says where it stands).
    if !matches!(
        now_state,
        Some(SignatureState::Pending | SignatureState::Notified)
    ) {
        tx.rollback().await?;
        return Ok(Redirect::to(&found.own_path).into_response());
    }
    if shown != text.revision_id {
        tx.rollback().await?;
        return refused_first(&signing, &visitor, found, StatusCode::CONFLICT, "The letter has changed since this page was opened (or the page did not say which text you read). Read the text below as it stands now, and confirm it if you agree.", form.join_list == "yes").await;
    }
    if wording_changed(&text, &mut found, &form.wording) {
        tx.rollback().await?;
        return refused_first(
            &signing,
            &visitor,
            found,
            StatusCode::CONFLICT,
            WORDING_CHANGED,
            form.join_list == "yes",
        )
        .await;
    }
    let changed = store::change_state(
        &mut tx,
        found.tenant,
        found.signature.id,
        action,
        &by,
        state.clock.now(),
    )
    .await?;
    if changed.is_some() {
        store::set_confirmed_revision(
            &mut tx,
            found.tenant,
            found.signature.id,
            text.revision_id,
            Consent::Confirmed,
            state.clock.now(),
        )
        .await?;
        // Consent to a future reissue's opt-out counts only if the page showed the notice
        // and the campaign still gives it as the signer confirms.
        // Each confirmation decides it afresh: an earlier one's notice does not outlive a
        // withdrawal and a new confirmation without it. (No write when there is nothing
        // to record or clear: most campaigns give no notice.)
        store::record_reissue_notice(
            &mut tx,
            found.signature.id,
            state.clock.now(),
            form.reissue_notice == "shown",
        )
        .await?;
        // The box joins the group's list only with a confirmation that happened, in its
        // transaction: an unticked box (the default) subscribes nobody.
        if form.join_list == "yes" {
            let signature = &found.signature;
            let (name, organization) = if signature.is_organization() {
                (signature.contact_name.clone(), signature.name.clone())
            } else {
                (signature.name.clone(), signature.affiliation.clone())
            };
            signing
                .list_join
                .join(
                    &mut tx,
                    found.tenant,
                    SignerForList {
                        tenant_slug: tenant_slug.clone(),
                        name,
                        email: signature.email.clone(),
                        organization,
                        campaign_id: found.campaign.id,
                    },
                )
                .await?;
        }
    }
    tx.commit().await?;
    // Only a confirmation that happened is thanked; otherwise the page says where the
    // signature stands (declined by the organizers, withdrawn, already confirmed).
    let notice = if changed.is_some() {
        "?notice=confirmed"
    } else {
        ""
    };
    Ok(Redirect::to(&format!("{}{notice}", found.own_path)).into_response())
}

/// A signer who confirmed an earlier text (listed, or awaiting approval) confirms the
/// letter as it stands after a change: their consent covers the new text from now on.
/// Only the text their page showed is confirmed, checked under the consent lock.
async fn reconfirm(
    state: &AppState,
    visitor: &Visitor,
    mut found: Found,
    shown: Option<Uuid>,
    shown_wording: &str,
) -> AppResult<Response> {
    let now = state.clock.now();
    let respond_by = campaigns::substantive_respond_by(
        &state.db,
        found.tenant,
        found.campaign.id,
        found.signature.consent_revision.unwrap_or(0),
    )
    .await?;
    let mut tx = state.db.begin().await?;
    let text = text_under_lock(&mut tx, &found).await?;
    if text.revision_id.is_none()
        || found.signature.consent_revision.unwrap_or(0) >= text.revision_number
    {
        return Ok(Redirect::to(&found.own_path).into_response());
    }
    if shown != text.revision_id {
        tx.rollback().await?;
        return refused(state, visitor, found, StatusCode::CONFLICT, "The letter has changed again since this page was opened. Read the text below as it stands now, and confirm it if you agree.").await;
    }
    if !may_reconfirm(&found.campaign, respond_by, now) {
        tx.rollback().await?;
        return refused(state, visitor, found, StatusCode::GONE, "The date to confirm the changed text has passed and signing has closed, so your name cannot be added under it any more.").await;
    }
    if wording_changed(&text, &mut found, shown_wording) {
        tx.rollback().await?;
        return refused(state, visitor, found, StatusCode::CONFLICT, WORDING_CHANGED).await;
    }
    // Locked so a withdrawal at the same moment is not undone.
    let still = store::state_for_update(&mut tx, found.tenant, found.signature.id).await?;
    if !still.is_some_and(SignatureState::signer_confirmed) {
        return Ok(Redirect::to(&found.own_path).into_response());
    }
    store::set_confirmed_revision(
        &mut tx,
        found.tenant,
        found.signature.id,
        text.revision_id,
        Consent::Reconfirmed,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("{}?notice=reconfirmed", found.own_path)).into_response())
}

pub async fn referrals(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((tenant_slug, campaign_slug, token)): Path<(String, String, String)>,
    Form(form): Form<ReferralForm>,
) -> AppResult<Response> {
    let Some(found) = find(&state, &tenant_slug, &campaign_slug, &token).await? else {
        return link_gone(&visitor, None);
    };
    if !found.signature.state.signer_confirmed() {
        return Err(AppError::Forbidden(
            "Suggestions can be sent once your signature is confirmed.",
        ));
    }
    if !visitor.context.rate_limit_exempt
        && !REFERRAL_LIMIT
            .allow(&state.db, visitor.context.rate_key(), state.clock.now())
            .await?
    {
        let errors = vec![
            "Many suggestions were sent from your network in the last few minutes. Please wait ten minutes, then send them again: what you typed is kept below.".to_owned(),
        ];
        let page = signer_page(&state, &visitor, found, false, form, errors).await?;
        return render_with(StatusCode::TOO_MANY_REQUESTS, page);
    }
    if form.submitted_rows() > MAX_REFERRALS {
        let errors = vec![format!(
            "Send at most {MAX_REFERRALS} suggestions at a time; the first {MAX_REFERRALS} are kept below."
        )];
        return unprocessable(signer_page(&state, &visitor, found, false, form, errors).await?);
    }
    let mut errors = Vec::new();
    let mut rows = Vec::new();
    for (i, (name, organization, email)) in form.rows().into_iter().enumerate() {
        let (name, organization, email) = (
            name.trim().to_owned(),
            organization.trim().to_owned(),
            email.trim().to_owned(),
        );
        if name.is_empty() && organization.is_empty() && email.is_empty() {
            continue;
        }
        let row = i + 1;
        if name.is_empty() && organization.is_empty() {
            errors.push(format!("Suggestion {row}: add a name or an organization."));
        }
        if !email.is_empty() && EmailAddress::parse(&email).is_err() {
            errors.push(format!(
                "Suggestion {row}: {email:?} is not an email address."
            ));
        }
        if [&name, &organization, &email]
            .iter()
            .any(|v| v.chars().count() > 200)
        {
            errors.push(format!(
                "Suggestion {row}: keep each field under 200 characters."
            ));
        }
        rows.push((name, organization, email));
    }
    if rows.is_empty() {
        errors.push("Add at least one person or organization.".into());
    }
    if !errors.is_empty() {
        return unprocessable(signer_page(&state, &visitor, found, false, form, errors).await?);
    }
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let made = store::referrals_made(&mut tx, &found.signature).await?;
    let room = (MAX_REFERRALS_PER_SIGNATURE - made).max(0);
    if i64::try_from(rows.len()).unwrap_or(i64::MAX) > room {
        tx.rollback().await?;
        let error = if room == 0 {
            format!("You have sent {made} suggestions, the most one signature can send ({MAX_REFERRALS_PER_SIGNATURE}); nothing more was saved. Thank you: the organizers have them.")
        } else {
            format!("One signature can send at most {MAX_REFERRALS_PER_SIGNATURE} suggestions in all; you have sent {made}, so {room} more can be saved. Nothing was saved: keep the {room} that matter most below and send again.")
        };
        return unprocessable(
            signer_page(&state, &visitor, found, false, form, vec![error]).await?,
        );
    }
    for (name, organization, email) in &rows {
        store::add_referral(&mut tx, &found.signature, (name, organization, email), now).await?;
    }
    tx.commit().await?;
    Ok(Redirect::to(&format!("{}?notice=referrals-thanks", found.own_path)).into_response())
}

#[derive(Template)]
#[template(path = "signing/withdraw.html")]
struct WithdrawPage {
    layout: Layout,
    campaign: Campaign,
    signature: Signature,
    own_path: String,
}

pub async fn withdraw_page(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((tenant_slug, campaign_slug, token)): Path<(String, String, String)>,
) -> AppResult<Response> {
    let Some(found) = find(&state, &tenant_slug, &campaign_slug, &token).await? else {
        return link_gone(&visitor, None);
    };
    if found.signature.state == SignatureState::Withdrawn {
        return Ok(Redirect::to(&found.own_path).into_response());
    }
    let layout = visitor.layout("Withdraw your signature").for_signers();
    let page = WithdrawPage {
        layout,
        campaign: found.campaign,
        signature: found.signature,
        own_path: found.own_path,
    };
    Ok(render(page)?.into_response())
}

/// A withdrawn signer signs again from their own link (never from the form, which anyone
/// can fill with their address): the signature is pending again, to be confirmed.
pub async fn sign_again(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((tenant_slug, campaign_slug, token)): Path<(String, String, String)>,
) -> AppResult<Response> {
    let Some(found) = find(&state, &tenant_slug, &campaign_slug, &token).await? else {
        return link_gone(&visitor, None);
    };
    if !found.campaign.accepting_signatures(state.clock.now()) {
        return Ok(Redirect::to(&found.own_path).into_response());
    }
    act(
        &state,
        &found,
        Action::SignAgain,
        "signed again through the emailed link",
    )
    .await?;
    Ok(Redirect::to(&found.own_path).into_response())
}

/// Takes effect at once: the next public page no longer lists the signer.
pub async fn withdraw(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((tenant_slug, campaign_slug, token)): Path<(String, String, String)>,
) -> AppResult<Response> {
    let Some(found) = find(&state, &tenant_slug, &campaign_slug, &token).await? else {
        return link_gone(&visitor, None);
    };
    let changed = act(&state, &found, Action::Withdraw, "withdrawn by the signer").await?;
    // A reissue's signer saying no before ever being listed declined; nothing was withdrawn.
    let never_listed = found.signature.source.is_reissue()
        && matches!(
            found.signature.state,
            SignatureState::Pending | SignatureState::Notified
        );
    let notice = match changed {
        Some(_) if never_listed => "?notice=declined",
        Some(_) => "?notice=withdrawn",
        None => "",
    };
    Ok(Redirect::to(&format!("{}{notice}", found.own_path)).into_response())
}
