//! The consent ledger of a reissue: each decision of each previous signer about the new
//! statement, from being asked (or told, or not asked and why) to opting in or out.
//! Lines written by `store::change_state` for every signer's own step, and by the
//! reissue and the scheduler for the rest; no names or addresses are kept here.

use sqlx::{PgConnection, PgPool, Row};
use time::OffsetDateTime;
use uuid::Uuid;

use super::lifecycle::{Action, SignatureKind, SignatureState};
use crate::tenancy::{TenantId, TenantScope};

crate::db::text_enum! {
    /// One decision about one previous signer and the reissued statement.
    pub enum Decision {
        /// Emailed the new text and asked to opt in: not listed unless they do.
        AskedToOptIn = "asked_to_opt_in",
        /// Confirmed the original with the reissue notice shown: emailed the new text,
        /// listed at the opt-out date unless they opt out.
        ToldListedUnlessOptOut = "told_listed_unless_opt_out",
        /// Not asked at all (the detail says why).
        NotAsked = "not_asked",
        /// Confirmed the new text themselves.
        OptedIn = "opted_in",
        /// Said no to an invitation.
        Declined = "declined",
        /// Opted out before the date.
        OptedOut = "opted_out",
        /// The opt-out date passed without an opt-out: listed.
        ListedAfterNotice = "listed_after_notice",
        /// The notice no longer stands for their consent (the detail says why): not
        /// listed unless they confirm.
        NoticeVoided = "notice_voided",
        /// Withdrew after being listed.
        Withdrew = "withdrew",
    }
}

impl Decision {
    pub fn label(self) -> &'static str {
        match self {
            Decision::AskedToOptIn => "asked to opt in",
            Decision::ToldListedUnlessOptOut => "told they will be listed unless they opt out",
            Decision::NotAsked => "not asked",
            Decision::OptedIn => "opted in (confirmed the new text)",
            Decision::Declined => "declined",
            Decision::OptedOut => "opted out",
            Decision::ListedAfterNotice => "listed: did not opt out by the date",
            Decision::NoticeVoided => "not listed by the notice; listed only if they confirm",
            Decision::Withdrew => "withdrew",
        }
    }

    /// The ledger line for a signer's step on a reissued signature, if it is a decision
    /// about the statement (organizers' moderation is in the signature's own history).
    pub fn of(from: SignatureState, action: Action) -> Option<Decision> {
        use SignatureState::*;
        match (from, action) {
            (Pending | Notified, Action::Confirm | Action::ConfirmForApproval) => {
                Some(Decision::OptedIn)
            }
            (Pending, Action::Withdraw) => Some(Decision::Declined),
            (Notified, Action::Withdraw) => Some(Decision::OptedOut),
            (Notified, Action::NoticeLapsed) => Some(Decision::ListedAfterNotice),
            (Notified, Action::NoticeVoided) => Some(Decision::NoticeVoided),
            (AwaitingApproval | Confirmed, Action::Withdraw) => Some(Decision::Withdrew),
            _ => None,
        }
    }
}

#[allow(clippy::too_many_arguments)]
pub async fn record(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    campaign_id: Uuid,
    original: Option<Uuid>,
    signature: Option<Uuid>,
    decision: Decision,
    detail: &str,
    now: OffsetDateTime,
) -> sqlx::Result<()> {
    // A signer's own step names only the new signature: the original comes from it.
    sqlx::query(
        "INSERT INTO reissue_decisions (tenant_id, campaign_id, original_signature_id, signature_id, decision, detail, at)
         VALUES ($1, $2, coalesce($3, (SELECT reissued_from FROM signatures WHERE id = $4)), $4, $5, $6, $7)",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .bind(original)
    .bind(signature)
    .bind(decision)
    .bind(detail)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// A signer of the original campaign, as the reissue considers them.
#[derive(Clone, Debug)]
pub struct Original {
    pub id: Uuid,
    pub kind: SignatureKind,
    pub name: String,
    pub email: String,
    /// They confirmed while the original told them a reissue would carry their name over
    /// unless they opted out.
    pub told_in_advance: bool,
    /// Their address asked this group for no more email.
    pub unsubscribed: bool,
}

/// The signers listed on the original campaign now (the host organization aside: it
/// signs the reissue as its own organizer creates it), in the public order; those whose
/// contact details the retention setting removed cannot be asked. Locked until the
/// caller's transaction ends, so a withdrawal or an erasure waits for the reissue and
/// then reaches its copies too.
pub async fn originals(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
) -> sqlx::Result<Vec<Original>> {
    let rows = sqlx::query(
        "SELECT s.id, s.kind, s.name, s.email::text AS email, s.reissue_notice_at IS NOT NULL AS told,
                EXISTS (SELECT 1 FROM mail_suppressions x
                        WHERE x.email = s.email AND (x.tenant_id IS NULL OR x.tenant_id = s.tenant_id)) AS unsubscribed
         FROM signatures s JOIN campaigns c ON c.id = s.campaign_id
         WHERE s.tenant_id = $1 AND s.campaign_id = $2 AND s.state = 'confirmed' AND s.erased_at IS NULL
           AND s.anonymized_at IS NULL
           AND s.confirmed_revision >= c.consent_from_revision AND s.source <> 'host'
         ORDER BY s.kind DESC, s.sort_key COLLATE signer_order, s.id
         FOR SHARE OF s",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Original {
                id: r.try_get("id")?,
                kind: r.try_get("kind")?,
                name: r.try_get("name")?,
                email: r.try_get("email")?,
                told_in_advance: r.try_get("told")?,
                unsubscribed: r.try_get("unsubscribed")?,
            })
        })
        .collect()
}

/// One line of the ledger, for the organizers' reissue page.
pub struct Line {
    /// The signer's name as it stands (empty once they erased their details).
    pub name: String,
    pub decision: Decision,
    pub detail: String,
    pub at: OffsetDateTime,
    /// Where the signer's new signature stands now.
    pub state: Option<SignatureState>,
}

/// The reissue's ledger, grouped by signer (in the order they were considered), each
/// signer's decisions in order.
pub async fn ledger(db: &PgPool, tenant: TenantId, campaign_id: Uuid) -> sqlx::Result<Vec<Line>> {
    let rows = sqlx::query(
        "SELECT coalesce(CASE WHEN o.erased_at IS NULL THEN o.name END, '') AS name, d.decision, d.detail, d.at,
                s.state
         FROM reissue_decisions d
         LEFT JOIN signatures o ON o.id = d.original_signature_id
         LEFT JOIN signatures s ON s.id = d.signature_id
         WHERE d.tenant_id = $1 AND d.campaign_id = $2
         ORDER BY min(d.id) OVER (PARTITION BY coalesce(d.original_signature_id, d.signature_id)), d.id",
    )
    .bind(tenant.uuid())
    .bind(campaign_id)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Line {
                name: r.try_get("name")?,
                decision: r.try_get("decision")?,
                detail: r.try_get("detail")?,
                at: r.try_get("at")?,
                state: r.try_get("state")?,
            })
        })
        .collect()
}
