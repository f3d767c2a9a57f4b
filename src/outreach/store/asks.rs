//! Who an ask goes to: recipients (the people of the campaign's prospects' organizations),
//! chapters being asked, whom each person was asked by, a personal link's person.
//! Read-only exception: `referrals` and `signatures` (signatures') say who referred a
//! prospect and whether a person already signed, `mail_suppressions` (mail's) whether
//! they unsubscribed, `memberships` and `users` (tenancy's, auth's) who asked them.

use super::*;

/// SQL for "the organization's group-wide hold lasts on `$3`": its reason, else NULL.
const GROUP_HOLD: &str =
    "CASE WHEN o.hold_reason <> '' AND (o.hold_until IS NULL OR o.hold_until > $3) THEN o.hold_reason END";

/// People chosen for an ask, with what decides whether each may be written to.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Recipient {
    #[sqlx(flatten)]
    pub contact: Contact,
    pub prospect_id: Uuid,
    pub organization_id: Uuid,
    pub organization: String,
    pub status: PipelineStatus,
    pub signed: bool,
    /// On hold for this campaign.
    pub held: bool,
    /// On hold for every campaign (the organization's hold in the book), and why.
    pub group_hold: Option<String>,
    pub unsubscribed: bool,
    /// A signature by this address exists in the campaign (confirming, signed, withdrawn
    /// or declined): they know the letter and are not asked again.
    pub has_signature: bool,
    /// The referrer's name while their signature stands: the ask may introduce them.
    pub referred_by: String,
    /// The prospect is a signer's suggestion no organizer has edited yet.
    pub unchecked_suggestion: bool,
    /// The organization's parent organization in the book.
    pub parent_id: Option<Uuid>,
}

/// The people named, plus every person of the prospects named, in this campaign only (a
/// person whose organization the campaign does not ask is not found). `lock` holds the
/// people until the transaction ends (in one order, before their touches are read), so
/// two sends at once, in this campaign or another, cannot both pass the touch limits.
pub async fn recipients(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
    contact_ids: &[Uuid],
    prospect_ids: &[Uuid],
    today: Date,
    lock: bool,
) -> sqlx::Result<Vec<Recipient>> {
    if lock {
        sqlx::query_scalar::<_, Uuid>(
            "SELECT c.id FROM prospects p JOIN people c ON c.organization_id = p.organization_id
             WHERE p.tenant_id = $1 AND p.campaign_id = $2 AND (c.id = ANY ($3) OR p.id = ANY ($4))
             ORDER BY c.id LIMIT 5001 FOR UPDATE OF c",
        )
        .bind(tenant.uuid())
        .bind(campaign_id)
        .bind(contact_ids)
        .bind(prospect_ids)
        .fetch_all(&mut *conn)
        .await?;
    }
    let sql = format!(
        "SELECT {CONTACT_COLUMNS}, o.id AS organization_id, o.name AS organization, p.status,
                p.signed_signature_id IS NOT NULL AS signed, {HELD} AS held, {GROUP_HOLD} AS group_hold,
                o.parent_id, p.unchecked_suggestion,
                coalesce((SELECT s.name FROM referrals f JOIN signatures s ON s.id = f.signature_id
                          WHERE f.id = p.referral_id AND s.state = 'confirmed'), '') AS referred_by,
                EXISTS (SELECT 1 FROM signatures s WHERE s.campaign_id = p.campaign_id AND s.email = c.email) AS has_signature,
                EXISTS (SELECT 1 FROM mail_suppressions m WHERE m.email = c.email
                        AND (m.tenant_id IS NULL OR m.tenant_id = c.tenant_id)) AS unsubscribed
         FROM prospects p JOIN organizations o ON o.id = p.organization_id
         JOIN people c ON c.organization_id = p.organization_id
         WHERE p.tenant_id = $1 AND p.campaign_id = $2 AND (c.id = ANY ($4) OR p.id = ANY ($5))
         ORDER BY o.sort_key COLLATE signer_order, p.id, c.created_at, c.id
         LIMIT 5001"
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

/// Each parent-and-chapter pair among the given prospects and those being asked, once
/// (prospect ids; the parent is the prospect of the chapter's parent organization).
pub async fn chapter_pairs_being_asked(
    conn: &mut PgConnection,
    campaign_id: Uuid,
    prospect_ids: &[Uuid],
) -> sqlx::Result<Vec<ChapterPair>> {
    sqlx::query_as(
        "SELECT parent.id AS parent_id, parent_org.name AS parent, chapter.id AS chapter_id,
                chapter_org.name AS chapter, chapter.id = ANY ($2) AS chapter_in_send
         FROM prospects chapter
         JOIN organizations chapter_org ON chapter_org.id = chapter.organization_id
         JOIN prospects parent ON parent.campaign_id = chapter.campaign_id
                              AND parent.organization_id = chapter_org.parent_id
         JOIN organizations parent_org ON parent_org.id = parent.organization_id
         WHERE chapter.campaign_id = $1 AND (chapter.id = ANY ($2) OR parent.id = ANY ($2))
           AND (chapter.id = ANY ($2)
                OR (chapter.status IN ('asked', 'in_conversation') AND chapter.signed_signature_id IS NULL))
           AND (parent.id = ANY ($2)
                OR (parent.status IN ('asked', 'in_conversation') AND parent.signed_signature_id IS NULL))
         ORDER BY parent_org.sort_key COLLATE signer_order, chapter_org.sort_key COLLATE signer_order, chapter.id",
    )
    .bind(campaign_id)
    .bind(prospect_ids)
    .fetch_all(conn)
    .await
}

/// The organizer of the group who last wrote to a person in person for this campaign (an
/// ask, a follow-up, a last call they sent), else the campaign's prospect owner: whom the
/// person's automated emails come from, and whose ask a signature from the person's link
/// answers.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ContactAsker {
    pub contact_id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    pub email: String,
}

pub async fn askers(
    conn: &mut PgConnection,
    campaign_id: Uuid,
    contact_ids: &[Uuid],
) -> sqlx::Result<Vec<ContactAsker>> {
    sqlx::query_as(
        "SELECT c.id AS contact_id, u.id AS user_id, u.name, u.email::text AS email
         FROM people c JOIN prospects p ON p.organization_id = c.organization_id AND p.campaign_id = $2
         LEFT JOIN LATERAL (
             SELECT a.author_id FROM outreach_activities a
             JOIN memberships m ON m.user_id = a.author_id AND m.tenant_id = c.tenant_id
             WHERE a.contact_id = c.id AND a.campaign_id = $2 AND a.kind IN ('ask', 'follow_up', 'last_call')
             ORDER BY a.at DESC, a.id DESC LIMIT 1) last ON true
         LEFT JOIN memberships owner ON owner.user_id = p.owner_id AND owner.tenant_id = c.tenant_id
         JOIN users u ON u.id = coalesce(last.author_id, owner.user_id)
         WHERE c.id = ANY ($1)",
    )
    .bind(contact_ids)
    .bind(campaign_id)
    .fetch_all(conn)
    .await
}

/// A person as their personal link's form is filled in with them, and the campaign's
/// prospect of their organization.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct LinkPerson {
    pub prospect_id: Uuid,
    pub organization: String,
    pub website: String,
    pub size: String,
    pub parent: String,
    pub email: Option<String>,
    pub name: String,
    pub role: String,
}

/// The person of a personal link, only in a campaign of this group that emailed them
/// (an ask, follow-up, reminder or last call) and still has their organization as a
/// prospect. The link's MAC names the person and address, not the campaign (links sent
/// before the book must keep working), so without the first condition a link mailed for
/// one campaign would open, as a "personal ask", in another that never asked them.
pub async fn link_person(
    db: &PgPool,
    tenant_id: Uuid,
    campaign_id: Uuid,
    person_id: Uuid,
) -> sqlx::Result<Option<LinkPerson>> {
    sqlx::query_as(
        "SELECT p.id AS prospect_id, o.name AS organization, o.website, o.size,
                coalesce(parent.name, '') AS parent, c.email::text AS email, c.name, c.role
         FROM people c
         JOIN prospects p ON p.organization_id = c.organization_id AND p.campaign_id = $2
         JOIN organizations o ON o.id = p.organization_id
         LEFT JOIN organizations parent ON parent.id = o.parent_id
         WHERE c.id = $1 AND c.tenant_id = $3 AND p.tenant_id = $3
           AND EXISTS (SELECT 1 FROM person_touches t
                        WHERE t.person_id = c.id AND t.campaign_id = $2
                          AND t.kind IN ('ask', 'follow_up', 'reminder', 'last_call'))",
    )
    .bind(person_id)
    .bind(campaign_id)
    .bind(tenant_id)
    .fetch_optional(db)
    .await
}

/// A person of this campaign's prospects with a signer's address: their touches count
/// toward the touch limits of anything else written to that address.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct PersonByEmail {
    pub email: String,
    pub contact_id: Uuid,
    pub prospect_id: Uuid,
    /// This campaign's touches.
    pub touches: i32,
    pub last_touch_at: Option<OffsetDateTime>,
}

/// The most-touched person of this campaign's prospects for each of these addresses
/// (compared whole, case folded).
pub async fn people_by_email(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
    emails: &[String],
) -> sqlx::Result<Vec<PersonByEmail>> {
    let sql = format!(
        "SELECT DISTINCT ON (lower(x.email)) lower(x.email) AS email, x.id AS contact_id, x.prospect_id,
                x.touches, x.last_touch_at
         FROM (SELECT {CONTACT_COLUMNS} FROM prospects p JOIN people c ON c.organization_id = p.organization_id
               WHERE p.tenant_id = $1 AND p.campaign_id = $2 AND lower(c.email::text) = ANY ($3)) x
         ORDER BY lower(x.email), x.touches DESC, x.last_touch_at DESC NULLS LAST, x.id"
    );
    sqlx::query_as(&sql)
        .bind(tenant.uuid())
        .bind(campaign_id)
        .bind(emails.iter().map(|e| e.to_lowercase()).collect::<Vec<_>>())
        .fetch_all(conn)
        .await
}
