//! The keys of inbound list addresses (`list+<key>@MAIL_DOMAIN`): a reply key names one
//! member and one thread (`list_reply_keys`), a post key one member (`list_members`).
//! The key alone decides the group; the `From` header decides nothing.

use sqlx::PgPool;

use crate::coalition::model::{ListMemberId, ThreadId};
use crate::coalition::store::{ListMember, MEMBER_COLUMNS};
use crate::tenancy::PublicTenantId;

/// Whose address an inbound key is, and for which thread (none: a new thread).
pub struct KeyOwner {
    pub tenant: PublicTenantId,
    pub member: ListMember,
    pub thread: Option<ThreadId>,
}

/// The owner of a reply key or a post key, in whatever group it belongs to.
pub async fn key_owner(db: &PgPool, key: &str) -> sqlx::Result<Option<KeyOwner>> {
    let reply: Option<(ListMemberId, ThreadId)> =
        sqlx::query_as("SELECT member_id, thread_id FROM list_reply_keys WHERE key = $1")
            .bind(key)
            .fetch_optional(db)
            .await?;
    let (member, thread): (Option<ListMember>, Option<ThreadId>) = match reply {
        Some((member_id, thread)) => (
            sqlx::query_as(&format!(
                "SELECT {MEMBER_COLUMNS} FROM list_members WHERE id = $1"
            ))
            .bind(member_id)
            .fetch_optional(db)
            .await?,
            Some(thread),
        ),
        None => (
            sqlx::query_as(&format!(
                "SELECT {MEMBER_COLUMNS} FROM list_members WHERE post_key = $1"
            ))
            .bind(key)
            .fetch_optional(db)
            .await?,
            None,
        ),
    };
    Ok(member.map(|member| KeyOwner {
        tenant: PublicTenantId::found_by_list_key(member.tenant_id),
        member,
        thread,
    }))
}
