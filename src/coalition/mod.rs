//! The coalition's own list (docs/coalition.md): members who joined by their own click,
//! a mailing list with written rules, moderation as Mailman 3 does it, posting from the
//! web and by email, delivery through the outbox, a daily digest, and an archive.
//! Above outreach: a member is a person of the group's address book.
//!
//! - `model`: typed ids, delivery, how a member joined, the post states and their one
//!   table of transitions, the moderation decision.
//! - `posting`: the one way a post enters the list (web and email alike), under the
//!   list's and the member's locks; `delivery`: a published post to the outbox.
//! - `members/`: joining (the confirmation box, join links, invitations), the magic-link
//!   sign-in, the member's page, leaving (RFC 8058), the organizers' members page,
//!   erasure and retention.
//! - `list/`: the list's settings, the web posting forms, the archive and search, the
//!   moderation queue and log.
//! - `inbound/`: mail into the list (`undersigned receive-mail`, `POST /inbound/email`).
//! - `mailing/`: the daily digest and bounces.

pub mod delivery;
pub mod inbound;
pub mod links;
pub mod list;
pub mod mailing;
pub mod member_auth;
pub mod members;
pub mod model;
pub mod posting;
pub mod store;

use axum::Router;

use crate::mail::MailKinds;
use crate::state::AppState;

/// Every part's notices, for the assembly.
pub const NOTICE_SETS: &[&[(&str, &str)]] = &[
    members::NOTICES,
    list::NOTICES,
    inbound::NOTICES,
    mailing::NOTICES,
];

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(members::routes())
        .merge(list::routes())
        .merge(inbound::routes())
        .merge(mailing::routes())
}

/// Registers every email the coalition area sends.
pub fn emails(kinds: MailKinds) -> MailKinds {
    let kinds = delivery::emails(kinds);
    let kinds = members::emails(kinds);
    let kinds = list::emails(kinds);
    let kinds = inbound::emails(kinds);
    mailing::emails(kinds)
}
