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
    let hosts: Vec<Uuid> = sqlx::query_scalar(
        "UPDATE signatures SET revision_id = $3
         WHERE tenant_id = $1 AND campaign_id = $2 AND source = 'host' AND state = 'confirmed' RETURNING id",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(revision_id)
    .fetch_all(&mut *conn)
    .await?;
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

/// A substantive change whose date to respond has passed.
#[derive(sqlx::FromRow)]
struct DueChange {
    campaign_id: Uuid,
    tenant_id: Uuid,
    revision_id: Uuid,
    number: i32,
    title: String,
    slug: String,
    tenant_slug: String,
    group_name: String,
}

/// After the date set for a substantive change, each signer who did not confirm it is
/// told, once, that their name was not carried over (and it is written in their trail).
/// Run by the scheduler.
pub async fn tell_names_not_carried_over(state: &AppState) -> anyhow::Result<usize> {
    let now = state.clock.now();
    // The latest substantive revision of each campaign whose date to respond has passed.
    let due: Vec<DueChange> = sqlx::query_as(
        "SELECT c.id AS campaign_id, c.tenant_id, r.id AS revision_id, r.number, c.title, c.slug,
                t.slug AS tenant_slug, t.name AS group_name
         FROM campaigns c JOIN tenants t ON t.id = c.tenant_id
         JOIN letter_revisions r ON r.campaign_id = c.id
          AND r.number = (SELECT max(l.number) FROM letter_revisions l
                           WHERE l.campaign_id = c.id AND l.change_kind = 'substantive')
         WHERE r.respond_by <= $1 AND r.respond_by > $1 - interval '60 days'",
    )
    .bind(now)
    .fetch_all(&state.db)
    .await?;
    let mut told = 0;
    for DueChange {
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
        let signers: Vec<(Uuid, String, String)> = sqlx::query_as(
            "WITH claimed AS (
                 INSERT INTO consent_notices (signature_id, revision_id, stage, at)
                 SELECT s.id, $2, 'not_carried_over', $3 FROM signatures s
                  WHERE s.campaign_id = $1 AND s.state = 'confirmed' AND s.confirmed_revision < $4
                 ON CONFLICT DO NOTHING RETURNING signature_id)
             SELECT s.id, s.name, s.email::text FROM signatures s JOIN claimed ON claimed.signature_id = s.id",
        )
        .bind(campaign_id)
        .bind(revision_id)
        .bind(now)
        .bind(number)
        .fetch_all(&mut *tx)
        .await?;
        if signers.is_empty() {
            continue;
        }
        let ids: Vec<Uuid> = signers.iter().map(|(id, _, _)| *id).collect();
        sqlx::query(
            "INSERT INTO signature_consents (tenant_id, signature_id, revision_id, how, at)
             SELECT $1, id, $3, 'not_carried_over', $4 FROM unnest($2::uuid[]) AS id",
        )
        .bind(tenant_id)
        .bind(&ids)
        .bind(revision_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let mut links: Vec<(Uuid, Vec<u8>)> = Vec::new();
        let mut messages = Vec::new();
        for (id, name, email) in &signers {
            let token = tokens::new_token();
            links.push((*id, token.hash.clone()));
            messages.push((
                format!("not-carried-over:{revision_id}:{id}"),
                email.clone(),
                NameNotCarriedOver {
                    campaign_title: title.clone(),
                    group_name: group_name.clone(),
                    signer_name: name.clone(),
                    revision: number,
                    link: state
                        .config
                        .link(&format!("/{tenant_slug}/{slug}/signature/{}", token.token)),
                },
            ));
        }
        sqlx::query(
            "INSERT INTO signature_links (token_hash, tenant_id, signature_id, created_at, expires_at)
             SELECT hash, $1, id, $4, $4 + interval '30 days' FROM unnest($2::uuid[], $3::bytea[]) AS l(id, hash)",
        )
        .bind(tenant_id)
        .bind(links.iter().map(|(id, _)| *id).collect::<Vec<_>>())
        .bind(links.iter().map(|(_, h)| h.clone()).collect::<Vec<_>>())
        .bind(now)
        .execute(&mut *tx)
        .await?;
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
