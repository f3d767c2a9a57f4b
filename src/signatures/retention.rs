//! How long signers' contact details are kept: each campaign's `retention_months` after
//! it closes (6 by default, as UK Parliament petitions do; 0 keeps them). The scheduler
//! calls `anonymize_due` on every tick; each closing of a campaign is handled once
//! (`retention_runs`, written in the transaction that anonymizes), and organizers see
//! what was done on the campaign's settings page (`summary`).
//!
//! A campaign is closed from its `closed_at` when organizers closed it, or from its hard
//! deadline when that closed the form by itself (not kept open). The SQL reads the
//! `campaigns` table directly because this module sits below `campaigns` in the layers
//! (the scheduler, at the top, calls it); the mail part goes through `privacy`, the one
//! place that touches the outbox for signers' privacy.

use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use super::privacy;
use crate::mail::forget::{forget_mail_to, forget_written_mail};
use crate::state::AppState;
use crate::tenancy::TenantId;

/// The setting's bounds: 0 keeps contact details; otherwise 1 to 120 months.
pub const MAX_MONTHS: i32 = 120;
pub const DEFAULT_MONTHS: i32 = 6;
/// What a signature's name becomes when it was never public record (not confirmed).
pub const ANONYMIZED_NAME: &str = "Anonymized signer";

/// When each campaign counts as closed: its `closed_at`, or the hard deadline that closed
/// its form (unless organizers keep it open).
const CLOSING: &str = "CASE WHEN c.status = 'closed' THEN c.closed_at
                            WHEN c.status IN ('open', 'published') AND NOT c.open_after_deadline THEN c.hard_deadline
                       END";

/// Anonymizes the signers' contact details of every campaign whose retention period
/// after closing has passed at `now`, once per closing. Kept: what the public page shows
/// of a confirmed signature (name, city, affiliation, and the contact person when shown).
/// Removed: the email address (a unique `anonymized+<uuid>@invalid` takes its place),
/// phone, private contact name and title, comment, an individual's website; a signature
/// that was never confirmed loses its name and city too. Suggestions lose the suggested
/// person's name and address, and the signer mail sent to those addresses keeps only its
/// kind, subject, date and status. Returns how many signatures were anonymized.
pub async fn anonymize_due(state: &AppState, now: OffsetDateTime) -> anyhow::Result<usize> {
    let due: Vec<(Uuid, OffsetDateTime)> = sqlx::query_as(&format!(
        "SELECT c.id, {CLOSING} AS closing FROM campaigns c
         WHERE c.retention_months > 0
           AND {CLOSING} + make_interval(months => c.retention_months) <= $1
           AND NOT EXISTS (SELECT 1 FROM retention_runs r WHERE r.campaign_id = c.id AND r.closed_at = {CLOSING})"
    ))
    .bind(now)
    .fetch_all(&state.db)
    .await?;
    let mut total = 0;
    for (campaign_id, closing) in due {
        let (anonymized, files) = anonymize_campaign(&state.db, campaign_id, closing, now).await?;
        forget_written_mail(&state.config, &files);
        total += anonymized;
    }
    Ok(total)
}

async fn anonymize_campaign(
    db: &PgPool,
    campaign_id: Uuid,
    closing: OffsetDateTime,
    now: OffsetDateTime,
) -> anyhow::Result<(usize, Vec<String>)> {
    let mut tx = db.begin().await?;
    // The consent lock first, exclusively, as a letter save takes it: a save locks the
    // signatures it tells before the campaign's row, this the other way round, and the
    // lock keeps them from crossing (docs/signatures.md).
    super::consent::lock_exclusive(&mut tx, campaign_id).await?;
    // Still closed since then, with retention on (an organizer may have reopened it or
    // changed the setting since the tick read it); the lock makes them wait for this.
    let still: Option<Uuid> = sqlx::query_scalar(&format!(
        "SELECT c.tenant_id FROM campaigns c
         WHERE c.id = $1 AND c.retention_months > 0 AND {CLOSING} = $2
           AND {CLOSING} + make_interval(months => c.retention_months) <= $3
         FOR SHARE"
    ))
    .bind(campaign_id)
    .bind(closing)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(tenant_id) = still else {
        return Ok((0, Vec::new()));
    };
    // Once per closing, however many schedulers run.
    let claimed: Option<i64> = sqlx::query_scalar(
        "INSERT INTO retention_runs (tenant_id, campaign_id, closed_at, at, anonymized) VALUES ($1, $2, $3, $4, 0)
         ON CONFLICT (campaign_id, closed_at) DO NOTHING RETURNING id",
    )
    .bind(tenant_id)
    .bind(campaign_id)
    .bind(closing)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(run) = claimed else {
        return Ok((0, Vec::new()));
    };
    let old: Vec<(Uuid, String)> = sqlx::query_as(
        "SELECT id, email::text FROM signatures
         WHERE campaign_id = $1 AND anonymized_at IS NULL ORDER BY id FOR NO KEY UPDATE",
    )
    .bind(campaign_id)
    .fetch_all(&mut *tx)
    .await?;
    let ids: Vec<Uuid> = old.iter().map(|(id, _)| *id).collect();
    sqlx::query(
        "UPDATE signatures SET
            email = 'anonymized+' || gen_random_uuid() || '@invalid',
            phone = '',
            comment = '',
            contact_name = CASE WHEN state = 'confirmed' AND show_contact THEN contact_name ELSE '' END,
            contact_title = CASE WHEN state = 'confirmed' AND show_contact THEN contact_title ELSE '' END,
            website = CASE WHEN kind = 'individual' THEN '' ELSE website END,
            name = CASE WHEN state = 'confirmed' THEN name ELSE $3 END,
            name_key = CASE WHEN state = 'confirmed' THEN name_key ELSE 'anonymized-' || id END,
            sort_key = CASE WHEN state = 'confirmed' THEN sort_key ELSE $3 END,
            city = CASE WHEN state = 'confirmed' THEN city ELSE '' END,
            affiliation = CASE WHEN state = 'confirmed' THEN affiliation ELSE '' END,
            parent_organization = CASE WHEN state = 'confirmed' THEN parent_organization ELSE '' END,
            anonymized_at = $2
         WHERE id = ANY ($1)",
    )
    .bind(&ids)
    .bind(now)
    .bind(ANONYMIZED_NAME)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE referrals SET name = '', email = '', absorbed = true WHERE signature_id = ANY ($1)",
    )
    .bind(&ids)
    .execute(&mut *tx)
    .await?;
    // The signer mail to each address, unless another signature of the group still
    // stands on it (that one's campaign keeps its own mail until its own time).
    let kinds = privacy::signer_mail_kinds();
    let mut files = Vec::new();
    let mut done = std::collections::HashSet::new();
    for (_, email) in &old {
        if !done.insert(email.to_lowercase()) {
            continue;
        }
        let still_used: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM signatures WHERE tenant_id = $1 AND email = $2::citext)",
        )
        .bind(tenant_id)
        .bind(email)
        .fetch_one(&mut *tx)
        .await?;
        if !still_used {
            files.extend(forget_mail_to(&mut tx, tenant_id, email, Some(&kinds)).await?);
        }
    }
    sqlx::query("UPDATE retention_runs SET anonymized = $2 WHERE id = $1")
        .bind(run)
        .bind(ids.len() as i32)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok((ids.len(), files))
}

/// One run, as organizers read it.
pub struct Run {
    pub at: OffsetDateTime,
    pub anonymized: i32,
}

/// What privacy did to a campaign: retention runs, newest first, and how many signers
/// erased themselves.
pub struct Summary {
    pub runs: Vec<Run>,
    pub erased_signers: i32,
}

impl Run {
    /// The run as the campaign's settings page says it, on the day of the campaign's zone.
    pub fn sentence(&self, zone: &str) -> String {
        let who = if self.anonymized == 1 {
            "1 signer was".to_owned()
        } else {
            format!("{} signers were", self.anonymized)
        };
        format!(
            "Contact details of {who} anonymized on {}, as the campaign's retention setting says.",
            crate::web::format_date_in(&self.at, zone)
        )
    }
}

pub async fn summary(db: &PgPool, tenant: TenantId, campaign_id: Uuid) -> sqlx::Result<Summary> {
    let runs: Vec<(OffsetDateTime, i32)> = sqlx::query_as(
        "SELECT at, anonymized FROM retention_runs WHERE tenant_id = $1 AND campaign_id = $2 ORDER BY at DESC, id DESC",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .fetch_all(db)
    .await?;
    let erased_signers: Option<i32> =
        sqlx::query_scalar("SELECT erased_signers FROM campaigns WHERE tenant_id = $1 AND id = $2")
            .bind(tenant.uuid())
            .bind(campaign_id)
            .fetch_optional(db)
            .await?;
    Ok(Summary {
        runs: runs
            .into_iter()
            .map(|(at, anonymized)| Run { at, anonymized })
            .collect(),
        erased_signers: erased_signers.unwrap_or(0),
    })
}
