//! How long signers' contact details are kept: each campaign's `retention_months` after
//! it closes (6 by default, as UK Parliament petitions do; 0 keeps them). The scheduler
//! calls `anonymize_due` on every tick; each closing of a campaign is handled once
//! (`retention_runs`, written in the transaction that anonymizes), and organizers see
//! what was done on the campaign's settings page (`summary`).
//!
//! A campaign is closed from its `closed_at` when organizers closed it, or from its hard
//! deadline when that closed the form by itself (not kept open). The SQL is in
//! `store/retention.rs` (it reads the `campaigns` table directly because this module sits
//! below `campaigns` in the layers; the scheduler, at the top, calls it); the mail part
//! goes through mail's `forget_mail_to`, which erasure uses too.

use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use super::privacy;
use super::store::retention as store;
use crate::mail::forget::{forget_mail_to, forget_written_mail};
use crate::state::AppState;
use crate::tenancy::TenantId;

/// The setting's bounds: 0 keeps contact details; otherwise 1 to 120 months.
pub const MAX_MONTHS: i32 = 120;
pub const DEFAULT_MONTHS: i32 = 6;
/// What a signature's name becomes when it was never public record (not confirmed).
pub const ANONYMIZED_NAME: &str = "Anonymized signer";

/// Anonymizes the signers' contact details of every campaign whose retention period
/// after closing has passed at `now`, once per closing. Kept: what the public page shows
/// of a confirmed signature (name, city, affiliation, and the contact person when shown).
/// Removed: the email address (a unique `anonymized+<uuid>@invalid` takes its place),
/// phone, private contact name and title, comment, an individual's website; a signature
/// that was never confirmed loses its name and city too. Suggestions lose the suggested
/// person's name and address, and the signer mail sent to those addresses keeps only its
/// kind, subject, date and status. Returns how many signatures were anonymized.
pub async fn anonymize_due(state: &AppState, now: OffsetDateTime) -> anyhow::Result<usize> {
    let due = store::due_for_retention(&state.db, now).await?;
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
    let Some(tenant_id) = store::still_due(&mut tx, campaign_id, closing, now).await? else {
        return Ok((0, Vec::new()));
    };
    // Once per closing, however many schedulers run.
    let Some(run) = store::claim_run(&mut tx, tenant_id, campaign_id, closing, now).await? else {
        return Ok((0, Vec::new()));
    };
    let old = store::anonymize_campaign(&mut tx, campaign_id, now, ANONYMIZED_NAME).await?;
    // The signer mail to each address, unless another signature of the group still
    // stands on it (that one's campaign keeps its own mail until its own time).
    let kinds = privacy::signer_mail_kinds();
    let mut files = Vec::new();
    let mut done = std::collections::HashSet::new();
    for (_, email) in &old {
        if !done.insert(email.to_lowercase()) {
            continue;
        }
        if !store::address_in_use(&mut tx, tenant_id, email).await? {
            files.extend(forget_mail_to(&mut tx, tenant_id, email, Some(&kinds)).await?);
        }
    }
    store::finish_run(&mut tx, run, old.len() as i32).await?;
    tx.commit().await?;
    Ok((old.len(), files))
}

pub use super::store::retention::Run;

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
    let runs = store::runs(db, tenant, campaign_id).await?;
    let erased_signers = store::erased_signers(db, tenant, campaign_id).await?;
    Ok(Summary {
        runs,
        erased_signers: erased_signers.unwrap_or(0),
    })
}
