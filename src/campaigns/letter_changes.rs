//! Changing a letter people have signed. A minor change tells every listed signer (the
//! diff and the full new text) and carries their consent over; a substantive one takes
//! the names off the text until each signer confirms it, and tells those who did not, once
//! the date set has passed, that their name was not carried over. Nothing else happens to
//! anyone: no name is added or kept without its signer's say.

use time::OffsetDateTime;
use uuid::Uuid;

use super::diff::compare;
use super::store::{self, Campaign, ChangeKind};
use crate::error::AppResult;
use crate::mail::outbox;
use crate::signatures::store::{self as signatures, Consent};
use crate::signatures::{LetterChanged, NameNotCarriedOver};
use crate::state::AppState;
use crate::tenancy::{Member, TenantId};
use crate::tokens;

pub struct Change {
    pub kind: ChangeKind,
    pub note: String,
    /// Minor or substantive: the date signers have to respond by. A correction asks
    /// nothing of anyone.
    pub respond_by: Option<OffsetDateTime>,
}

/// The host organization signs its own group's letter: the organizer who saves a new text
/// speaks for it, so its signature follows the group's own revisions (in its trail as
/// confirmed by that save).
pub async fn host_follows(
    conn: &mut sqlx::PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
    revision_id: Uuid,
    now: OffsetDateTime,
) -> sqlx::Result<()> {
    let hosts = signatures::host_follows_revision(conn, tenant, campaign_id, revision_id).await?;
    signatures::record_consents(conn, tenant, &hosts, revision_id, Consent::Reconfirmed, now).await
}

/// The changes from one text to another as an email shows them: "+ line" / "- line", or
/// one line summing up a change too large to show.
pub async fn email_diff(from: String, to: String) -> AppResult<Vec<String>> {
    let comparison = compare(from, to).await?;
    Ok(match comparison.summary {
        Some(summary) => vec![summary],
        None => comparison
            .lines
            .iter()
            .filter(|l| l.change != "same")
            .map(|l| format!("{} {}", if l.change == "added" { "+" } else { "-" }, l.text))
            .collect(),
    })
}

/// Emails are written this many at a time (a large coalition is told in one transaction).
const BATCH: usize = 1000;

/// Saves the new text as a minor or substantive revision and tells every signer whose
/// consent covers the text as it stood (listed, or awaiting approval), each with their
/// own link; returns how many were told. Runs in the caller's transaction, which holds
/// the consent lock exclusively and checked that the text it changes is still current;
/// `diff` (from `email_diff`) is worked out before, so the lock is not held for it.
///
/// A correction (the caller checked with `correction::judge`, against that same current
/// text, that no word changes) carries the consent of the same signers a minor change
/// would, and tells nobody: the words they agreed to are the words that stand.
#[allow(clippy::too_many_arguments)]
pub async fn save(
    state: &AppState,
    tx: &mut sqlx::PgConnection,
    member: &Member,
    campaign: &Campaign,
    body: &str,
    change: &Change,
    diff: &[String],
) -> AppResult<usize> {
    let now = state.clock.now();
    // Who agreed to the text before the change, their rows locked in order before the
    // revision locks the campaign's row (a withdrawal locks the signature, then the
    // campaign: this order cannot deadlock with it).
    let floor = store::consent_text(tx, campaign.id)
        .await?
        .map_or(campaign.consent_from_revision, |t| t.consent_from_revision);
    let told: Vec<_> = signatures::holding_consent(tx, member.tenant_id, campaign.id, floor)
        .await?
        .into_iter()
        .filter(|s| !s.host)
        .collect();
    let (revision_id, number) = store::add_changed_revision(
        tx,
        member.tenant_id,
        campaign.id,
        body,
        (member.user.user_id, &member.user.name),
        now,
        change.kind,
        &change.note,
        change.respond_by,
    )
    .await?;
    host_follows(tx, member.tenant_id, campaign.id, revision_id, now).await?;
    let ids: Vec<Uuid> = told.iter().map(|s| s.id).collect();
    if matches!(change.kind, ChangeKind::Minor | ChangeKind::Correction) {
        signatures::carry_over(tx, member.tenant_id, &ids, (revision_id, number), now).await?;
    }
    let Some(respond_by_at) = change
        .respond_by
        .filter(|_| change.kind != ChangeKind::Correction)
    else {
        return Ok(0);
    };
    let respond_by = super::time_zones::display(respond_by_at, &campaign.time_zone);
    for chunk in told.chunks(BATCH) {
        let mut links = Vec::with_capacity(chunk.len());
        let mut messages = Vec::with_capacity(chunk.len());
        for signer in chunk {
            let token = tokens::new_token();
            links.push((signer.id, token.hash.clone()));
            messages.push((
                format!("letter-change:{revision_id}:{}", signer.id),
                signer.email.clone(),
                LetterChanged {
                    campaign_title: campaign.title.clone(),
                    group_name: member.tenant.name.clone(),
                    signer_name: signer.name.clone(),
                    substantive: change.kind == ChangeKind::Substantive,
                    revision: number,
                    note: change.note.clone(),
                    diff: diff.to_vec(),
                    new_text: body.to_owned(),
                    respond_by: respond_by.clone(),
                    link: state.config.link(&format!(
                        "/{}/{}/signature/{}",
                        member.tenant.slug, campaign.slug, token.token
                    )),
                },
            ));
        }
        signatures::add_links(tx, member.tenant_id, &links, now, respond_by_at).await?;
        outbox::enqueue_many(tx, Some(member.tenant_id.uuid()), messages, now, false).await?;
    }
    Ok(told.len())
}

/// After the date set for a substantive change, each signer who did not confirm it is
/// told, once, that their name was not carried over (and it is written in their trail).
/// Run by the scheduler.
pub async fn tell_names_not_carried_over(state: &AppState) -> anyhow::Result<usize> {
    let now = state.clock.now();
    // The latest substantive revision of each campaign whose date to respond has passed.
    let due = store::due_substantive_changes(&state.db, now).await?;
    let mut told = 0;
    for store::DueChange {
        campaign_id,
        tenant_id,
        revision_id,
        number,
        title,
        slug,
        tenant_slug,
        group_name,
    } in due
    {
        let mut tx = state.db.begin().await?;
        let signers =
            signatures::claim_not_carried_over(&mut tx, campaign_id, revision_id, number, now)
                .await?;
        if signers.is_empty() {
            continue;
        }
        let mut links: Vec<(Uuid, Vec<u8>)> = Vec::new();
        let mut messages = Vec::new();
        for signer in &signers {
            let token = tokens::new_token();
            links.push((signer.id, token.hash.clone()));
            messages.push((
                format!("not-carried-over:{revision_id}:{}", signer.id),
                signer.email.clone(),
                NameNotCarriedOver {
                    campaign_title: title.clone(),
                    group_name: group_name.clone(),
                    signer_name: signer.name.clone(),
                    revision: number,
                    link: state
                        .config
                        .link(&format!("/{tenant_slug}/{slug}/signature/{}", token.token)),
                },
            ));
        }
        signatures::record_not_carried_over(&mut tx, tenant_id, revision_id, &links, now).await?;
        outbox::enqueue_many(&mut tx, Some(tenant_id), messages, now, false).await?;
        tx.commit().await?;
        told += signers.len();
    }
    Ok(told)
}

/// Organizers approved or restored a signature whose consent does not cover the text as
/// it stands (the letter changed after its signer confirmed, and they were not told as a
/// listed signer): it is not listed, and its signer is asked to confirm the current text,
/// as after a substantive change, once per revision. In the caller's transaction, which
/// holds the consent lock shared. Returns whether the signature waits for that.
pub async fn ask_to_confirm_current(
    state: &AppState,
    tx: &mut sqlx::PgConnection,
    member: &Member,
    campaign: &Campaign,
    signature_id: Uuid,
) -> AppResult<bool> {
    let Some(signer) = signatures::by_id_in(tx, member.tenant_id, signature_id).await? else {
        return Ok(false);
    };
    let Some(text) = store::consent_text(tx, campaign.id).await? else {
        return Ok(false);
    };
    let covered = signer.consent_revision.unwrap_or(0);
    let Some(current_id) = text
        .revision_id
        .filter(|_| covered < text.consent_from_revision)
    else {
        return Ok(false);
    };
    let current = store::revision_by_number(
        &state.db,
        member.tenant_id,
        campaign.id,
        text.revision_number,
    )
    .await?;
    let confirmed = store::revision_by_number(
        &state.db,
        member.tenant_id,
        campaign.id,
        signer.revision_number.unwrap_or(covered),
    )
    .await?;
    let (Some(current), Some(confirmed)) = (current, confirmed) else {
        return Ok(false);
    };
    let diff = email_diff(confirmed.body.clone(), current.body.clone()).await?;
    let now = state.clock.now();
    let token = tokens::new_token();
    let expires = campaign.hard_deadline.max(now + time::Duration::days(30));
    signatures::add_links(
        tx,
        member.tenant_id,
        &[(signature_id, token.hash)],
        now,
        expires,
    )
    .await?;
    let message = LetterChanged {
        campaign_title: campaign.title.clone(),
        group_name: member.tenant.name.clone(),
        signer_name: signer.name.clone(),
        substantive: true,
        revision: current.number,
        note: current.change_note.clone(),
        diff,
        new_text: current.body.clone(),
        respond_by: campaign.hard_deadline_display(),
        link: state.config.link(&format!(
            "/{}/{}/signature/{}",
            member.tenant.slug, campaign.slug, token.token
        )),
    };
    // Once per revision: a signer told of this text already is not emailed again.
    outbox::enqueue_many(
        tx,
        Some(member.tenant_id.uuid()),
        vec![(
            format!("letter-change:{current_id}:{signature_id}"),
            signer.email,
            message,
        )],
        now,
        false,
    )
    .await?;
    Ok(true)
}
