//! A member signed in without a password: the magic link (`signin`) opens a session whose
//! cookie is scoped to the group's list (`/{tenant}/list`), so one group's member key
//! opens nothing of another group, and an organizer's login is a separate thing.

use axum_extra::extract::cookie::{Cookie, CookieJar};
use time::{Duration, OffsetDateTime};

use crate::coalition::store::{self, ListMember};
use crate::state::AppState;
use crate::tenancy::PublicTenantId;
use crate::tokens;
use crate::web::Visitor;

pub const MEMBER_COOKIE: &str = "us_list_member";

/// How long a member stays signed in on one browser.
pub const SESSION_LENGTH: Duration = Duration::days(30);

/// The member signed in on this browser for the group of the URL, if any.
pub async fn signed_in(
    state: &AppState,
    jar: &CookieJar,
    tenant: PublicTenantId,
    now: OffsetDateTime,
) -> sqlx::Result<Option<ListMember>> {
    let Some(token) = jar.get(MEMBER_COOKIE).map(|c| c.value().to_owned()) else {
        return Ok(None);
    };
    if !tokens::looks_like_token(&token) {
        return Ok(None);
    }
    let hash = tokens::hash_token(&token);
    let Some(id) = store::session_member(&state.db, tenant, &hash, now).await? else {
        return Ok(None);
    };
    store::member(&state.db, tenant, id).await
}

/// Starts a session for `member` (the magic link was just spent): the cookie to set.
pub async fn start_session(
    conn: &mut sqlx::PgConnection,
    visitor: &Visitor,
    tenant: PublicTenantId,
    tenant_slug: &str,
    member: &ListMember,
    now: OffsetDateTime,
) -> sqlx::Result<Cookie<'static>> {
    let token = tokens::new_token();
    store::create_member_session(
        conn,
        tenant,
        member.id,
        &token.hash,
        now,
        now + SESSION_LENGTH,
    )
    .await?;
    let mut cookie = visitor.context.cookie(MEMBER_COOKIE, token.token);
    cookie.set_path(format!("/{tenant_slug}/list"));
    cookie.set_max_age(Some(SESSION_LENGTH));
    Ok(cookie)
}

/// Signs the member out on this browser: the session row goes, and the cookie.
pub async fn end_session(
    state: &AppState,
    jar: &CookieJar,
    visitor: &Visitor,
    tenant_slug: &str,
) -> sqlx::Result<Cookie<'static>> {
    if let Some(token) = jar.get(MEMBER_COOKIE) {
        store::end_member_session(&state.db, &tokens::hash_token(token.value())).await?;
    }
    let mut gone = visitor.context.cookie(MEMBER_COOKIE, String::new());
    gone.set_path(format!("/{tenant_slug}/list"));
    gone.set_max_age(Some(time::Duration::ZERO));
    Ok(gone)
}
