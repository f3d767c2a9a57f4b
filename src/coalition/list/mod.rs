//! The list's own pages: organizers' overview and settings, posting from the web
//! (organizers' posts and news, members' threads and replies), the archive with its
//! search and thread pages, and moderation as Mailman 3 does it (the held queue, approve
//! and clear, reject with a reason the sender is told, discard, hold everything, remove
//! from the archive) with its log.
//!
//! Organizer pages (`/app/{tenant}/list…`) take `tenancy::Member` to read and `Editor` to
//! write. The public pages (`/{tenant}/list/archive…`, `/{tenant}/list/post`) find who
//! reads or posts in `access`: a member signed in for this group, an organizer of this
//! group, or (the archive only, when public) anyone.

mod access;
mod archive;
mod emails;
mod moderation;
mod overview;
mod post_form;

use axum::routing::{get, post};
use axum::Router;

use crate::mail::MailKinds;
use crate::state::AppState;

pub use access::Reader;
pub use emails::PostRejected;

pub const NOTICES: &[(&str, &str)] = &[
    ("list-saved", "The list's settings are saved."),
    (
        "list-started",
        "The coalition list is started: people can now join it from their own click.",
    ),
    (
        "list-published",
        "Your post is published in the archive and sent to the members.",
    ),
    (
        "list-hold-on",
        "Hold everything is on: every member's post waits for an organizer.",
    ),
    (
        "list-hold-off",
        "Hold everything is off: posts meet each member's action again.",
    ),
    (
        "list-approved",
        "The post is approved: it is in the archive and on its way to the members.",
    ),
    (
        "list-approved-cleared",
        "The post is approved and its sender cleared: their next post goes straight through.",
    ),
    (
        "list-rejected",
        "The post is rejected; its sender is told why by email.",
    ),
    ("list-discarded", "The post is discarded."),
    (
        "list-removed",
        "The post is removed from the archive; its place says so.",
    ),
];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/app/{tenant}/list", get(overview::page))
        .route("/app/{tenant}/list/settings", post(overview::save))
        .route(
            "/app/{tenant}/list/posts/new",
            get(post_form::organizer_page).post(post_form::organizer_post),
        )
        .route(
            "/app/{tenant}/list/posts/{post}/remove",
            post(moderation::remove),
        )
        .route("/app/{tenant}/list/moderation", get(moderation::page))
        .route(
            "/app/{tenant}/list/moderation/hold-everything",
            post(moderation::hold_everything),
        )
        .route(
            "/app/{tenant}/list/moderation/{post}",
            post(moderation::decide),
        )
        .route("/app/{tenant}/list/moderation/log", get(moderation::log))
        .route("/{tenant}/list/archive", get(archive::index))
        .route("/{tenant}/list/archive/{thread}", get(archive::thread))
        .route(
            "/{tenant}/list/archive/{thread}/reply",
            post(post_form::reply),
        )
        .route(
            "/{tenant}/list/post",
            get(post_form::member_page).post(post_form::member_post),
        )
}

pub fn emails(kinds: MailKinds) -> MailKinds {
    kinds.with::<PostRejected>()
}
