//! Who an ask goes to: recipients, chapters being asked, whom each contact was asked by.
//! Read-only exception: `referrals` and `signatures` (signatures') say who referred a
//! prospect and whether a contact already signed, `mail_suppressions` (mail's) whether
//! they unsubscribed, `memberships` and `users` (tenancy's, auth's) who asked them.

use super::*;

/// Contacts chosen for an ask, with what decides whether each may be written to.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Recipient {
    #[sqlx(flatten)]
    pub contact: Contact,
    pub prospect_id: Uuid,
    pub organization: String,
    pub status: PipelineStatus,
    pub signed: bool,
    pub held: bool,
    pub unsubscribed: bool,
    /// A signature by this address exists in the campaign (confirming, signed, withdrawn
    /// or declined): they know the letter and are not asked again.
    pub has_signature: bool,
    /// The referrer's name while their signature stands: the ask may introduce them.
    pub referred_by: String,
    /// The prospect is a signer's suggestion no organizer has edited yet.
    pub unchecked_suggestion: bool,
    pub parent_id: Option<Uuid>,
}

/// The contacts named, plus every contact of the prospects named, in this campaign only.
/// `lock` holds the contacts until the transaction ends, so two sends at once cannot both
/// pass the touch limits.
pub async fn recipients(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
    contact_ids: &[Uuid],
    prospect_ids: &[Uuid],
    today: Date,
    lock: bool,
) -> sqlx::Result<Vec<Recipient>> {
    let sql = format!(
        "SELECT {CONTACT_COLUMNS}, p.name AS organization, p.status, p.signed_signature_id IS NOT NULL AS signed,
                {HELD} AS held, p.parent_id, p.unchecked_suggestion,
                coalesce((SELECT s.name FROM referrals f JOIN signatures s ON s.id = f.signature_id
                          WHERE f.id = p.referral_id AND s.state = 'confirmed'), '') AS referred_by,
                EXISTS (SELECT 1 FROM signatures s WHERE s.campaign_id = c.campaign_id AND s.email = c.email) AS has_signature,
                EXISTS (SELECT 1 FROM mail_suppressions m WHERE m.email = c.email
                        AND (m.tenant_id IS NULL OR m.tenant_id = c.tenant_id)) AS unsubscribed
         FROM prospect_contacts c JOIN prospects p ON p.id = c.prospect_id
         WHERE c.tenant_id = $1 AND c.campaign_id = $2 AND (c.id = ANY ($4) OR c.prospect_id = ANY ($5))
         ORDER BY p.sort_key COLLATE signer_order, p.id, c.created_at, c.id
         LIMIT 5001 {}",
        if lock { "FOR UPDATE OF c" } else { "" }
    );
    sqlx::query_as(&sql)
        .bind(tenant.uuid())
        .bind(campaign_id)
        .bind(today)
        .bind(contact_ids)
        .bind(prospect_ids)
        .fetch_all(conn)
        .await
}

/// A parent organization and its chapter, both in an ask or one in it while the other is
/// being asked: "chapters often need their parent's decision".
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ChapterPair {
    pub parent_id: Uuid,
    pub parent: String,
    pub chapter_id: Uuid,
    pub chapter: String,
    /// The chapter is one of the prospects asked, so the send can leave it out.
    pub chapter_in_send: bool,
}

/// Each parent-and-chapter pair among the given prospects and those being asked, once.
pub async fn chapter_pairs_being_asked(
    conn: &mut PgConnection,
    campaign_id: Uuid,
    prospect_ids: &[Uuid],
) -> sqlx::Result<Vec<ChapterPair>> {
    sqlx::query_as(
        "SELECT parent.id AS parent_id, parent.name AS parent, chapter.id AS chapter_id, chapter.name AS chapter,
                chapter.id = ANY ($2) AS chapter_in_send
         FROM prospects chapter
         JOIN prospects parent ON parent.campaign_id = chapter.campaign_id AND parent.id = chapter.parent_id
         WHERE chapter.campaign_id = $1 AND (chapter.id = ANY ($2) OR parent.id = ANY ($2))
           AND (chapter.id = ANY ($2)
                OR (chapter.status IN ('asked', 'in_conversation') AND chapter.signed_signature_id IS NULL))
           AND (parent.id = ANY ($2)
                OR (parent.status IN ('asked', 'in_conversation') AND parent.signed_signature_id IS NULL))
         ORDER BY parent.sort_key COLLATE signer_order, chapter.sort_key COLLATE signer_order, chapter.id",
    )
    .bind(campaign_id)
    .bind(prospect_ids)
    .fetch_all(conn)
    .await
}

/// The organizer of the group who last wrote to a contact in person (an ask, a follow-up,
/// a last call they sent), else the prospect's owner: whom the contact's automated emails come from,
/// and whose ask a signature from the contact's link answers.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ContactAsker {
    pub contact_id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    pub email: String,
}

pub async fn askers(
    conn: &mut PgConnection,
    contact_ids: &[Uuid],
) -> sqlx::Result<Vec<ContactAsker>> {
    sqlx::query_as(
        "SELECT c.id AS contact_id, u.id AS user_id, u.name, u.email::text AS email
         FROM prospect_contacts c JOIN prospects p ON p.id = c.prospect_id
         LEFT JOIN LATERAL (
             SELECT a.author_id FROM outreach_activities a
             JOIN memberships m ON m.user_id = a.author_id AND m.tenant_id = c.tenant_id
             WHERE a.contact_id = c.id AND a.kind IN ('ask', 'follow_up', 'last_call')
             ORDER BY a.at DESC, a.id DESC LIMIT 1) last ON true
         LEFT JOIN memberships owner ON owner.user_id = p.owner_id AND owner.tenant_id = c.tenant_id
         JOIN users u ON u.id = coalesce(last.author_id, owner.user_id)
         WHERE c.id = ANY ($1)",
    )
    .bind(contact_ids)
    .fetch_all(conn)
    .await
}
