//! Members (issue 20, docs/coalition.md "Members"): who is on the list and how they got
//! there, always by their own click.
//!
//! - `joining`: the confirmation page's box (`signing::ListJoin`, handed down by the
//!   assembly), the join link of member updates, invitations' buttons, and the list's
//!   front page with its join form; each finds or adds the person in the address book,
//!   then `store::join`, then the welcome.
//! - `account`: the magic-link sign-in, the member's page, leaving (RFC 8058 one click).
//! - `admin`: the organizers' members pages, moderation of a member, invitations,
//!   carrying members into a campaign's outreach.
//! - `forget`: erasure of a signer's membership (called by `crate::erasure`).

mod account;
mod admin;
pub mod emails;
pub mod joining;

use axum::routing::{get, post};
use axum::Router;
use sqlx::PgConnection;

use crate::mail::MailKinds;
use crate::state::AppState;
use crate::tenancy::TenantScope;

pub use joining::list_join;

pub const NOTICES: &[(&str, &str)] = &[
    (
        "members-join-sent",
        "Check your email: we sent you a link to confirm that you want to join. Nothing happens until you press the button on its page.",
    ),
    (
        "members-joined",
        "Welcome: you are on the list. We emailed you its rules and how to post.",
    ),
    (
        "members-already",
        "You are already on the list: nothing changed. To read the archive or post, sign in with a link we email you.",
    ),
    (
        "members-signin-sent",
        "If that address is on the list, a sign-in link is on its way. It works once, for 30 minutes.",
    ),
    ("members-signed-out", "You are signed out of the list on this browser."),
    ("members-left", "You have left the list. No more list mail will come to you."),
    (
        "members-leave-unconfirmed",
        "Nothing changed: tick the box to confirm that you want to leave the list.",
    ),
    ("members-delivery-saved", "Your delivery choice is saved."),
    ("members-resumed", "Delivery resumed: list mail will come to you again."),
    (
        "members-invited",
        "Invitations sent (members, and people invited in the last week, were left out). Nobody joins until they press the button on their invitation's page.",
    ),
    ("members-saved", "Saved, and written in the moderation log."),
    ("members-removed", "The member was removed from the list."),
    (
        "members-carried",
        "The members' organizations are now prospects of that campaign (not signers).",
    ),
    ("members-carry-choose", "Choose a campaign of this group to carry the members into."),
];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/{tenant}/list", get(joining::front).post(joining::request))
        .route(
            "/{tenant}/list/join/confirm/{token}",
            get(joining::confirm_page).post(joining::confirm),
        )
        .route(
            "/{tenant}/list/join/s/{signed}",
            get(joining::link_page).post(joining::link_join),
        )
        .route(
            "/{tenant}/list/invitation/{token}",
            get(joining::invitation_page).post(joining::invitation_join),
        )
        .route(
            "/{tenant}/list/signin",
            get(account::signin_page).post(account::signin),
        )
        .route(
            "/{tenant}/list/signin/{token}",
            get(account::signin_link_page).post(account::signin_with_link),
        )
        .route("/{tenant}/list/signout", post(account::signout))
        .route("/{tenant}/list/me", get(account::me))
        .route("/{tenant}/list/me/delivery", post(account::delivery))
        .route("/{tenant}/list/me/resume", post(account::resume))
        .route("/{tenant}/list/me/leave", post(account::leave_from_page))
        .route(
            "/{tenant}/list/leave/{token}",
            get(account::leave_page).post(account::leave),
        )
        .route("/app/{tenant}/list/members", get(admin::members))
        .route("/app/{tenant}/list/members/carry", post(admin::carry))
        .route("/app/{tenant}/list/members/{id}", get(admin::member_page))
        .route(
            "/app/{tenant}/list/members/{id}/action",
            post(admin::set_action),
        )
        .route("/app/{tenant}/list/members/{id}/mute", post(admin::mute))
        .route(
            "/app/{tenant}/list/members/{id}/unmute",
            post(admin::unmute),
        )
        .route(
            "/app/{tenant}/list/members/{id}/remove",
            post(admin::remove),
        )
        .route(
            "/app/{tenant}/list/invite",
            get(admin::invite_page).post(admin::invite),
        )
}

pub fn emails(kinds: MailKinds) -> MailKinds {
    kinds
        .with::<emails::ListJoinConfirm>()
        .with::<emails::ListWelcome>()
        .with::<emails::ListInvitation>()
        .with::<emails::ListSigninLink>()
}

/// Erasure of a signer (their address in the group), in the erasure's transaction: their
/// list posts lose their author ("A former member"), their membership goes (sessions,
/// sign-in links and reply keys with it), and so do invitations to the address.
pub async fn forget(
    conn: &mut PgConnection,
    tenant: impl TenantScope,
    email: &str,
) -> sqlx::Result<()> {
    if let Some(person) = crate::coalition::store::forget_member(conn, tenant, email).await? {
        crate::outreach::store::set_on_coalition_list(conn, tenant, person, false).await?;
    }
    Ok(())
}
