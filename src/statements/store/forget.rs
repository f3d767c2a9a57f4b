//! What of statements' own table is about one signer, for their erasure
//! (`crate::erasure` runs it, area by area, in one transaction): statements sent from
//! their address, compared whole.

use sqlx::PgConnection;
use uuid::Uuid;

use crate::signatures::privacy::ERASED_CONTACT;
use crate::tenancy::TenantScope;

/// Statements sent from the address (their own words, published only if approved): the
/// person's details go; an approved statement leaves the page with them. An approved
/// one leaving moves its campaign's version (`statements_public`), so the erasure calls
/// this late.
pub async fn forget_sender(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    email: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE statements SET contact_name = $3, email = $4,
                state = CASE WHEN state = 'approved' THEN 'rejected' ELSE state END,
                reason = CASE WHEN state = 'approved' THEN 'erased at the sender''s request' ELSE reason END
         WHERE tenant_id = $1 AND email = $2::citext",
    )
    .bind(tenant.uuid())
    .bind(email)
    .bind(ERASED_CONTACT)
    .bind(format!("erased+{}@invalid", Uuid::new_v4().simple()))
    .execute(conn)
    .await?;
    Ok(())
}
