//! Reissuing a finished campaign as a new statement. Nobody's earlier signature stands
//! under the new text by itself: each listed signer of the original is emailed the new
//! text and asked to opt in, or, when the original campaign told them as they confirmed
//! that a reissue would carry their name over unless they opted out (its advance notice),
//! they are listed at the opt-out date unless they opt out. Every decision goes into the
//! reissue's consent ledger (`signatures::reissue`), which organizers see here.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::handlers::{sign_on_host, CampaignForm};
use super::lifecycle;
use super::lookup::{CampaignEdit, CampaignPage};
use super::store::{self, Campaign, SaveError, TitleAndSlug};
use super::time_zones;
use crate::error::{AppError, AppResult};
use crate::mail::outbox;
use crate::signatures::consent;
use crate::signatures::reissue::{self as ledger, Decision, Original};
use crate::signatures::store::{self as signatures, Actor, Consent, Inserted, NewSignature};
use crate::signatures::{Action, ReissueInvitation, ReissueNoticeVoided, SignatureSource};
use crate::state::AppState;
use crate::tenancy::{Member, TenantId};
use crate::tokens;
use crate::web::{render, unprocessable, Form, FormErrors, Layout};

/// Signers get at least this long to opt out.
pub const MIN_OPT_OUT_DAYS: i64 = 7;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReissueForm {
    pub title: String,
    pub slug: String,
    pub soft_deadline: String,
    pub hard_deadline: String,
    /// "opt_in", or "opt_out" (only where the original gave the advance notice).
    pub mode: String,
    pub opt_out_by: String,
    pub letter: String,
    /// "send" once the organizer saw the preview and confirmed.
    pub step: String,
    /// The preview the organizer saw (see `previewed`): sending needs it unchanged.
    pub previewed: String,
}

/// A fingerprint of what the preview showed: the form's choices and text and who would
/// be asked, told or left out (and why). Each field goes in with its length before it and
/// each list with its count, so no two different previews read alike, whatever the
/// fields hold.
fn previewed(form: &ReissueForm, preview: &Preview) -> String {
    let letter = form.letter.replace("\r\n", "\n");
    let choices = [
        &form.title,
        &form.slug,
        &form.soft_deadline,
        &form.hard_deadline,
        &form.mode,
        &form.opt_out_by,
        &letter,
    ];
    let mut hasher = Sha256::new();
    let mut field = |text: &str| {
        hasher.update((text.len() as u64).to_be_bytes());
        hasher.update(text.as_bytes());
    };
    for choice in choices {
        field(choice.trim());
    }
    for names in [&preview.asked, &preview.told] {
        field(&names.len().to_string());
        for name in names {
            field(name);
        }
    }
    field(&preview.not_asked.len().to_string());
    for (name, why) in &preview.not_asked {
        field(name);
        field(why);
    }
    tokens::hex(&hasher.finalize())
}

/// Who the reissue will ask, tell or leave out, and why.
#[derive(Default)]
pub struct Preview {
    pub asked: Vec<String>,
    pub told: Vec<String>,
    pub not_asked: Vec<(String, &'static str)>,
}

#[derive(Template)]
#[template(path = "campaigns/reissue.html")]
struct ReissuePage {
    layout: Layout,
    heading: &'static str,
    base: String,
    campaign: Campaign,
    can_edit: bool,
    /// The campaign has finished, so it can be reissued.
    finished: bool,
    /// Signers listed now who confirmed with the advance notice shown.
    told_in_advance: usize,
    listed: usize,
    form: ReissueForm,
    errors: FormErrors,
    preview: Option<Preview>,
    /// This campaign reissues another: its title and link.
    origin: Option<(String, String)>,
    ledger: Vec<ledger::Line>,
    /// Reissues of this campaign: title and link.
    reissues: Vec<(String, String)>,
    problem: Option<&'static str>,
}

fn finished(campaign: &Campaign, now: OffsetDateTime) -> bool {
    campaign.finished(now)
}

fn default_form(campaign: &Campaign, letter: String, now: OffsetDateTime) -> ReissueForm {
    // 17:00 in the campaign's own zone, so many days from today.
    let at = |days: i64| {
        let day = time_zones::local_date(now + Duration::days(days), &campaign.time_zone);
        format!("{day}T17:00")
    };
    let year = now.year();
    ReissueForm {
        title: format!("{} ({year})", campaign.title),
        slug: super::CampaignSlug::suggest(&format!("{} {year}", campaign.slug)),
        soft_deadline: at(21),
        hard_deadline: at(28),
        mode: if campaign.reissue_notice {
            "opt_out"
        } else {
            "opt_in"
        }
        .into(),
        opt_out_by: at(14),
        letter,
        step: String::new(),
        previewed: String::new(),
    }
}

async fn page_for(
    state: &AppState,
    member: &Member,
    campaign: Campaign,
    form: Option<ReissueForm>,
    errors: FormErrors,
    preview: Option<Preview>,
) -> AppResult<ReissuePage> {
    let now = state.clock.now();
    let tenant = member.tenant_id;
    let mut conn = state.db.acquire().await?;
    let originals = ledger::originals(&mut conn, tenant, campaign.id).await?;
    let form = match form {
        Some(form) => form,
        None => {
            let letter = store::current_revision(&state.db, tenant, campaign.id)
                .await?
                .map(|r| r.body)
                .unwrap_or_default();
            default_form(&campaign, letter, now)
        }
    };
    let origin = match campaign.reissued_from {
        Some(id) => store::title_and_slug(&state.db, tenant, id).await?.map(
            |TitleAndSlug { title, slug }| {
                (title, member.path(&format!("/campaigns/{slug}/reissue")))
            },
        ),
        None => None,
    };
    let reissues = store::reissues_of(&state.db, tenant, campaign.id).await?;
    // The page is named for what it offers now: reissuing only once the campaign has
    // finished; before, its consent ledger (a reissue) or the notice to signers.
    let heading = if finished(&campaign, now) {
        "Reissue"
    } else if origin.is_some() {
        "Consent ledger"
    } else {
        "Reissue notice"
    };
    Ok(ReissuePage {
        layout: member.layout(format!("{heading} — {}", campaign.title)),
        heading,
        base: member.path(&format!("/campaigns/{}", campaign.slug)),
        can_edit: member.role.can_edit(),
        finished: finished(&campaign, now),
        told_in_advance: originals.iter().filter(|o| o.told_in_advance).count(),
        listed: originals.len(),
        form,
        errors,
        preview,
        origin,
        ledger: ledger::ledger(&state.db, tenant, campaign.id).await?,
        reissues: reissues
            .into_iter()
            .map(|TitleAndSlug { title, slug }| {
                (title, member.path(&format!("/campaigns/{slug}/reissue")))
            })
            .collect(),
        problem: None,
        campaign,
    })
}

pub async fn page(
    State(state): State<AppState>,
    CampaignPage { member, campaign }: CampaignPage,
) -> AppResult<Html<String>> {
    render(page_for(&state, &member, campaign, None, FormErrors::new(), None).await?)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NoticeForm {
    /// "on" or "off".
    pub notice: String,
}

/// Turns the advance notice on or off. It counts only for confirmations made while it
/// is on: each is recorded with the signature as it happens.
pub async fn set_notice(
    State(state): State<AppState>,
    CampaignEdit { member, campaign }: CampaignEdit,
    Form(form): Form<NoticeForm>,
) -> AppResult<Response> {
    let on = match form.notice.as_str() {
        "on" => true,
        "off" => false,
        _ => return Err(AppError::BadRequest("Choose on or off.".into())),
    };
    store::set_reissue_notice(&state.db, member.tenant_id, campaign.id, on).await?;
    Ok(Redirect::to(&member.path(&format!(
        "/campaigns/{}/reissue?notice=reissue-notice-saved",
        campaign.slug
    )))
    .into_response())
}

/// What the form asks for, checked.
struct Plan {
    input: store::CampaignInput,
    letter: String,
    /// Those told in advance are listed at this time unless they opt out; `None`: every
    /// signer is asked to opt in.
    opt_out_by: Option<OffsetDateTime>,
}

fn check(
    form: &ReissueForm,
    campaign: &Campaign,
    told_in_advance: usize,
    now: OffsetDateTime,
    errors: &mut FormErrors,
) -> Option<Plan> {
    let fields = CampaignForm {
        title: form.title.clone(),
        slug: form.slug.clone(),
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
        time_zone: campaign.time_zone.clone(),
        soft_deadline: form.soft_deadline.clone(),
        hard_deadline: form.hard_deadline.clone(),
        letter: form.letter.clone(),
        ..CampaignForm::default()
    };
    let input = fields.validate(errors);
    let letter = form.letter.replace("\r\n", "\n").trim().to_owned();
    if letter.is_empty() {
        errors.add(
            "letter",
            "Write the text of the new statement: it is what every signer is asked about.",
        );
    }
    if let Some(input) = &input {
        if input.hard_deadline <= now {
            errors.add("hard_deadline", "Choose a hard deadline in the future.");
        }
    }
    let opt_out_by = match form.mode.as_str() {
        "opt_in" => None,
        "opt_out" if told_in_advance == 0 => {
            errors.add("mode", "Only signers who were told in advance, as they confirmed, can be listed unless they opt out; none of this campaign's signers were. Ask them to opt in.");
            None
        }
        "opt_out" => match time_zones::parse_local(&form.opt_out_by, &campaign.time_zone) {
            Ok(at) if at < now + Duration::days(MIN_OPT_OUT_DAYS) => {
                errors.add(
                    "opt_out_by",
                    "Give signers at least 7 days from today to opt out.",
                );
                None
            }
            Ok(at) if input.as_ref().is_some_and(|i| at > i.hard_deadline) => {
                errors.add(
                    "opt_out_by",
                    "Choose a date before the new statement's hard deadline.",
                );
                None
            }
            Ok(at) => Some(at),
            Err(message) => {
                errors.add("opt_out_by", message);
                None
            }
        },
        _ => {
            errors.add("mode", "Choose how previous signers are asked.");
            None
        }
    };
    if !errors.is_empty() {
        return None;
    }
    Some(Plan {
        input: input?,
        letter,
        opt_out_by,
    })
}

/// How each previous signer will be approached under `plan`.
fn approach(original: &Original, opt_out: bool) -> Result<Decision, &'static str> {
    if original.unsubscribed {
        Err("their address asked for no more email from your group")
    } else if original.email.trim().is_empty() {
        Err("no email address")
    } else if opt_out && original.told_in_advance {
        Ok(Decision::ToldListedUnlessOptOut)
    } else {
        Ok(Decision::AskedToOptIn)
    }
}

fn preview_of(originals: &[Original], opt_out: bool) -> Preview {
    let mut preview = Preview::default();
    for original in originals {
        match approach(original, opt_out) {
            Ok(Decision::ToldListedUnlessOptOut) => preview.told.push(original.name.clone()),
            Ok(_) => preview.asked.push(original.name.clone()),
            Err(why) => preview.not_asked.push((original.name.clone(), why)),
        }
    }
    preview
}

/// Shows who will be asked (first), then creates the new statement and asks them.
pub async fn reissue(
    State(state): State<AppState>,
    CampaignEdit { member, campaign }: CampaignEdit,
    Form(form): Form<ReissueForm>,
) -> AppResult<Response> {
    let now = state.clock.now();
    if !finished(&campaign, now) {
        let mut page = page_for(
            &state,
            &member,
            campaign,
            Some(form),
            FormErrors::new(),
            None,
        )
        .await?;
        page.problem =
            Some("Only a finished campaign (closed, or past its hard deadline) can be reissued.");
        return unprocessable(page);
    }
    let mut tx = state.db.begin().await?;
    // One reissue of a letter at a time: two organizers sending at once would email
    // everyone twice.
    let earlier = store::lock_for_reissue(&mut tx, member.tenant_id, campaign.id).await?;
    if earlier.is_some() {
        tx.rollback().await?;
        let mut page = page_for(
            &state,
            &member,
            campaign,
            Some(form),
            FormErrors::new(),
            None,
        )
        .await?;
        page.problem = Some("This letter has already been reissued (see below). Reissue that statement once it has finished, so signers are asked once.");
        return unprocessable(page);
    }
    let originals = ledger::originals(&mut tx, member.tenant_id, campaign.id).await?;
    let told = originals.iter().filter(|o| o.told_in_advance).count();
    let mut errors = FormErrors::new();
    let Some(plan) = check(&form, &campaign, told, now, &mut errors) else {
        tx.rollback().await?;
        return unprocessable(page_for(&state, &member, campaign, Some(form), errors, None).await?);
    };
    // Sent only as previewed: a changed choice, text or list of signers is shown again.
    let preview = preview_of(&originals, plan.opt_out_by.is_some());
    let checked = previewed(&form, &preview);
    if form.step != "send" || form.previewed != checked {
        tx.rollback().await?;
        let mut form = form;
        let changed = form.step == "send";
        form.previewed = checked;
        let mut page =
            page_for(&state, &member, campaign, Some(form), errors, Some(preview)).await?;
        if changed {
            page.problem = Some("Something changed since you checked (the choices, the text or the signers): check who will be asked again before sending.");
            return unprocessable(page);
        }
        return render(page).map(IntoResponse::into_response);
    }
    let new_id = match store::create(&mut tx, member.tenant_id, &plan.input).await {
        Ok(id) => id,
        Err(SaveError::SlugTaken) => {
            tx.rollback().await?;
            errors.add(
                "slug",
                "Another campaign of this group uses this address; choose another.",
            );
            return unprocessable(
                page_for(&state, &member, campaign, Some(form), errors, None).await?,
            );
        }
        Err(SaveError::Database(e)) => return Err(e.into()),
    };
    let (revision_id, _) = store::add_revision(
        &mut tx,
        member.tenant_id,
        new_id,
        &plan.letter,
        (member.user.user_id, &member.user.name),
        now,
    )
    .await?;
    let digest = told_digest(&plan.input.title, &plan.input.points, revision_id);
    // The new statement is created a draft and opened at once, as the lifecycle says.
    let opened = lifecycle::next(super::Status::Draft, lifecycle::Action::Open, false)
        .expect("the lifecycle opens a draft");
    store::mark_reissue(
        &mut tx,
        member.tenant_id,
        new_id,
        campaign.id,
        plan.opt_out_by,
        &digest,
        opened,
    )
    .await?;
    // The group signs the new statement if it signed the original.
    if signatures::host_signed(&mut tx, campaign.id).await? {
        sign_on_host(&mut tx, &member, new_id, Some(revision_id), now).await?;
    }
    let asked = invite(
        &state,
        &mut tx,
        &member,
        &campaign,
        Invitation {
            campaign_id: new_id,
            slug: &plan.input.slug,
            title: &plan.input.title,
            revision_id,
            letter: &plan.letter,
            opt_out_by: plan.opt_out_by,
            expires: plan.input.hard_deadline,
        },
        &originals,
        now,
    )
    .await?;
    tx.commit().await?;
    tracing::info!(campaign = %new_id, asked, "reissued");
    Ok(Redirect::to(&member.path(&format!(
        "/campaigns/{}/reissue?notice=reissued",
        plan.input.slug
    )))
    .into_response())
}

struct Invitation<'a> {
    campaign_id: Uuid,
    slug: &'a str,
    title: &'a str,
    revision_id: Uuid,
    letter: &'a str,
    opt_out_by: Option<OffsetDateTime>,
    expires: OffsetDateTime,
}

/// Makes each previous signer's signature of the new statement (pending their opt-in, or
/// notified), writes the ledger's first line for each, and emails them the new text with
/// their own link; all in the caller's transaction.
#[allow(clippy::too_many_arguments)]
async fn invite(
    state: &AppState,
    conn: &mut sqlx::PgConnection,
    member: &Member,
    original_campaign: &Campaign,
    new: Invitation<'_>,
    originals: &[Original],
    now: OffsetDateTime,
) -> AppResult<usize> {
    let tenant: TenantId = member.tenant_id;
    let actor = member.actor();
    let by = Actor {
        name: &actor,
        user_id: Some(member.user.user_id),
        reason: "reissue of an earlier campaign: the signer decides",
    };
    let opt_out_by = new
        .opt_out_by
        .map(|at| time_zones::display(at, &original_campaign.time_zone))
        .unwrap_or_default();
    let mut messages = Vec::new();
    for original in originals {
        let decision = match approach(original, new.opt_out_by.is_some()) {
            Ok(decision) => decision,
            Err(why) => {
                ledger::record(
                    conn,
                    tenant,
                    new.campaign_id,
                    Some(original.id),
                    None,
                    Decision::NotAsked,
                    why,
                    now,
                )
                .await?;
                continue;
            }
        };
        let source = if decision == Decision::ToldListedUnlessOptOut {
            SignatureSource::ReissueNotice
        } else {
            SignatureSource::ReissueInvitation
        };
        let token = tokens::new_token();
        let inserted = copy_signature(
            conn,
            tenant,
            original.id,
            new.campaign_id,
            source,
            new.revision_id,
            &token.hash,
            new.expires,
            &by,
            now,
        )
        .await?;
        let Some(signature_id) = inserted else {
            ledger::record(
                conn,
                tenant,
                new.campaign_id,
                Some(original.id),
                None,
                Decision::NotAsked,
                "already on the new statement (the same address or organization)",
                now,
            )
            .await?;
            continue;
        };
        ledger::record(
            conn,
            tenant,
            new.campaign_id,
            Some(original.id),
            Some(signature_id),
            decision,
            "",
            now,
        )
        .await?;
        messages.push((
            invitation_key(new.campaign_id, original.id),
            original.email.clone(),
            ReissueInvitation {
                group_name: member.tenant.name.clone(),
                original_title: original_campaign.title.clone(),
                campaign_title: new.title.to_owned(),
                signer_name: original.name.clone(),
                listed_unless_opt_out: decision == Decision::ToldListedUnlessOptOut,
                opt_out_by: opt_out_by.clone(),
                points: original_campaign.points.clone(),
                letter: new.letter.to_owned(),
                link: state.config.link(&format!(
                    "/{}/{}/signature/{}",
                    member.tenant.slug, new.slug, token.token
                )),
            },
        ));
    }
    let asked = messages.len();
    outbox::enqueue_many(conn, Some(tenant.uuid()), messages, now, false).await?;
    Ok(asked)
}

/// The original signature's details, copied into the new statement; its comment stays
/// with the text it was written about, and its phone number with the original.
#[allow(clippy::too_many_arguments)]
async fn copy_signature(
    conn: &mut sqlx::PgConnection,
    tenant: TenantId,
    original: Uuid,
    campaign_id: Uuid,
    source: SignatureSource,
    revision_id: Uuid,
    token_hash: &[u8],
    expires: OffsetDateTime,
    by: &Actor<'_>,
    now: OffsetDateTime,
) -> AppResult<Option<Uuid>> {
    let Some(old) = signatures::by_id_in(&mut *conn, tenant, original).await? else {
        return Ok(None);
    };
    let new = NewSignature {
        name: old.name,
        website: old.website,
        city: old.city,
        size: old.size,
        parent_organization: old.parent_organization,
        contact_name: old.contact_name,
        contact_title: old.contact_title,
        email: old.email,
        show_contact: old.show_contact,
        affiliation: old.affiliation,
        domain_matches: old.domain_matches,
        revision_id: Some(revision_id),
        token_hash: Some(token_hash.to_vec()),
        token_expires_at: Some(expires),
        reissued_from: Some(original),
        ..NewSignature::new(old.kind, source)
    };
    match signatures::insert(conn, tenant, campaign_id, &new, by, now).await? {
        Inserted::Created(id) => Ok(Some(id)),
        Inserted::Duplicate(_) => Ok(None),
    }
}

/// What signers told in advance were emailed: the title, points of unity and revision of
/// the new statement. Kept with the campaign when they are told; the notice stands for
/// their consent only while it is unchanged. (A new web address does not matter: their
/// links keep working at the earlier one.)
pub fn told_digest(title: &str, points: &[String], revision: Uuid) -> Vec<u8> {
    let mut text = format!("{title}\n{revision}");
    for point in points {
        text.push('\n');
        text.push_str(point);
    }
    tokens::hash_token(&text)
}

/// Why the advance notice no longer stands for this signer's consent, if it does not.
async fn notice_void_reason(
    conn: &mut sqlx::PgConnection,
    signature_id: Uuid,
    campaign_id: Uuid,
) -> anyhow::Result<Option<&'static str>> {
    // The consent lock, shared: a letter saved, or settings changed, wait for this
    // decision (and the decision sees them if they came first).
    consent::lock_shared(conn, campaign_id).await?;
    let Some(text) = store::consent_text(conn, campaign_id).await? else {
        return Ok(Some("the campaign is gone"));
    };
    let told = store::told_digest_of(conn, campaign_id).await?;
    let unchanged = match (text.revision_id, told.flatten()) {
        (Some(current), Some(told)) => told_digest(&text.title, &text.points, current) == told,
        _ => false,
    };
    if !unchanged {
        return Ok(Some(
            "the text, title or points changed after they were told",
        ));
    }
    let signatures::OriginalStanding {
        original_stands,
        campaign_id,
        reissued_from: original_id,
    } = signatures::original_standing(conn, signature_id).await?;
    let delivery = match original_id {
        Some(original) => {
            let key = invitation_key(campaign_id, original);
            crate::mail::outbox::status_by_key(&mut *conn, &key).await?
        }
        None => None,
    };
    if original_stands != Some(true) {
        return Ok(Some(
            "their signature of the original letter no longer stands",
        ));
    }
    match delivery.as_deref() {
        Some("sent") => Ok(None),
        Some("pending") => Ok(Some(WAITING_FOR_DELIVERY)),
        _ => Ok(Some("the email with the new text was not delivered")),
    }
}

/// The outbox key of the invitation to a reissued statement: one per original signature,
/// so it is queued once and the opt-out date can ask whether it was delivered.
fn invitation_key(new_campaign_id: Uuid, original_signature_id: Uuid) -> String {
    format!("reissue:{new_campaign_id}:{original_signature_id}")
}

/// Not a reason to void: the email has not gone yet (the worker is behind); decided on
/// a later tick.
const WAITING_FOR_DELIVERY: &str = "waiting for delivery";

/// At a reissue's opt-out date, those told in advance who did not opt out are listed, by
/// the consent they gave then, if it still stands: they were emailed the text, its title,
/// points and address are unchanged, and their original signature stands. Otherwise the
/// notice is void: their signature waits for their own confirmation (the ledger says
/// why). Run by the scheduler; each signature moves under its row lock and the campaign
/// is read under a shared lock, so two schedulers decide once and a letter saved at the
/// same moment is seen or waits.
/// The signer was told they would be listed unless they opted out; that no longer
/// holds, so they are told their name was not carried over, with a fresh link to opt in.
async fn tell_notice_voided(
    conn: &mut sqlx::PgConnection,
    state: &AppState,
    tenant: TenantId,
    signature_id: Uuid,
    now: OffsetDateTime,
) -> anyhow::Result<()> {
    let Some(signer) = signatures::contact_of(conn, tenant, signature_id).await? else {
        return Ok(());
    };
    let Some(campaign) = store::campaign_to_mail(conn, signer.campaign_id).await? else {
        return Ok(());
    };
    let (email, name) = (signer.email, signer.name);
    let (title, slug, hard_deadline) = (campaign.title, campaign.slug, campaign.hard_deadline);
    let (tenant_slug, group_name) = (campaign.tenant_slug, campaign.group_name);
    let token = tokens::new_token();
    let expires = hard_deadline.max(now + Duration::days(30));
    signatures::add_links(conn, tenant, &[(signature_id, token.hash)], now, expires).await?;
    let message = ReissueNoticeVoided {
        group_name,
        campaign_title: title,
        signer_name: name,
        link: state
            .config
            .link(&format!("/{tenant_slug}/{slug}/signature/{}", token.token)),
    };
    outbox::enqueue_many(
        conn,
        Some(tenant.uuid()),
        vec![(format!("reissue-voided:{signature_id}"), email, message)],
        now,
        false,
    )
    .await?;
    Ok(())
}

pub async fn list_after_notice(state: &AppState) -> anyhow::Result<usize> {
    let now = state.clock.now();
    let due = signatures::notified_due(&state.db, now).await?;
    let mut listed = 0;
    for signatures::NotifiedDue {
        id,
        tenant_id: tenant,
        campaign_id,
    } in due
    {
        let tenant = TenantId::for_scheduled_job(tenant);
        let mut tx = state.db.begin().await?;
        match notice_void_reason(&mut tx, id, campaign_id).await? {
            Some(WAITING_FOR_DELIVERY) => {}
            Some(reason) => {
                let by = Actor {
                    name: "scheduler",
                    user_id: None,
                    reason,
                };
                let changed =
                    signatures::change_state(&mut tx, tenant, id, Action::NoticeVoided, &by, now)
                        .await?;
                if changed.is_some() {
                    tell_notice_voided(&mut tx, state, tenant, id, now).await?;
                }
            }
            None => {
                let by = Actor {
                    name: "scheduler",
                    user_id: None,
                    reason: "the opt-out date announced in advance passed without an opt-out",
                };
                let changed =
                    signatures::change_state(&mut tx, tenant, id, Action::NoticeLapsed, &by, now)
                        .await?;
                let told_of = signatures::told_revision(&mut tx, id).await?;
                if let (Some(_), Some(revision)) = (changed, told_of) {
                    signatures::record_consents(
                        &mut tx,
                        tenant,
                        &[id],
                        revision,
                        Consent::ListedAfterNotice,
                        now,
                    )
                    .await?;
                    listed += 1;
                }
            }
        }
        tx.commit().await?;
    }
    Ok(listed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(title: &str, slug: &str) -> ReissueForm {
        ReissueForm {
            title: title.into(),
            slug: slug.into(),
            letter: "We ask the council.".into(),
            ..ReissueForm::default()
        }
    }

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn different_previews_never_share_a_fingerprint() {
        let nobody = Preview::default();
        // Text moved from one field to the next, even across a would-be separator.
        assert_ne!(
            previewed(&form("ab", "c"), &nobody),
            previewed(&form("a", "bc"), &nobody)
        );
        assert_ne!(
            previewed(&form("a\u{1f}b", "c"), &nobody),
            previewed(&form("a", "b\u{1f}c"), &nobody)
        );
        // A signer moved from "asked" to "told", or a name split in two.
        let asked = Preview {
            asked: names(&["Alder Network"]),
            ..Preview::default()
        };
        let told = Preview {
            told: names(&["Alder Network"]),
            ..Preview::default()
        };
        let split = Preview {
            asked: names(&["Alder", " Network"]),
            ..Preview::default()
        };
        let f = form("Title", "title");
        assert_ne!(previewed(&f, &asked), previewed(&f, &told));
        assert_ne!(previewed(&f, &asked), previewed(&f, &split));
        // Left out for another reason.
        let unsubscribed = Preview {
            not_asked: vec![("Alder Network".into(), "unsubscribed")],
            ..Preview::default()
        };
        let already = Preview {
            not_asked: vec![("Alder Network".into(), "already on the new statement")],
            ..Preview::default()
        };
        assert_ne!(previewed(&f, &unsubscribed), previewed(&f, &already));
        // The same preview, and spaces around a field, read alike.
        assert_eq!(
            previewed(&f, &asked),
            previewed(&form(" Title ", "title"), &asked)
        );
    }
}
