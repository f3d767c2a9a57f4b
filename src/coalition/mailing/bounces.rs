//! Bounces: a permanent SMTP refusal of list mail stops list mail to that member until
//! they act (the resume button on their page, or signing in from a magic link, clears
//! it). Mail sits below the coalition and knows no list, so the call is inverted: the
//! assembly gives the mail worker `refusal_hook()`, which the worker calls after it has
//! recorded a permanent refusal; the hook marks the member `bouncing_since` with the
//! server's answer as `bounce_reason`, for list mail only (`list_post`, `list_digest`).
//! Delivery and the digest skip a bouncing member.
//!
//! Why a hook and not a trigger such as outreach's `outbox_outreach_bounce`: the rule
//! ("which kinds of email are list mail", "which member has this address in this group")
//! is the list's, written in Rust beside the list's other rules, with the list's own
//! store; a trigger would put it in SQL on mail's table that names the list's tables.

use std::sync::Arc;

use crate::coalition::store;
use crate::mail::worker::{RefusalHook, RefusedMail};
use crate::mail::Email;

use super::digest::ListDigest;

/// The kinds of email that are list mail: a refusal of one of these marks the member.
pub const LIST_KINDS: &[&str] = &["list_post", ListDigest::KIND];

/// The longest server answer kept as the reason.
const MAX_REASON: usize = 500;

/// The hook the assembly gives the mail worker (`Worker::with_refusal_hook`).
pub fn refusal_hook() -> RefusalHook {
    Arc::new(|db, refused: RefusedMail| {
        Box::pin(async move {
            if !LIST_KINDS.contains(&refused.kind.as_str()) {
                return;
            }
            let Some(tenant) = refused.tenant else {
                return;
            };
            let reason: String = refused.error.chars().take(MAX_REASON).collect();
            match store::mark_bouncing(&db, tenant, &refused.recipient, &reason, refused.at).await {
                Ok(marked) => tracing::info!(
                    %tenant, marked, kind = %refused.kind,
                    "list mail refused for good: member marked bouncing"
                ),
                Err(e) => tracing::error!(
                    %tenant, error = %e,
                    "list mail refused for good, but the member could not be marked bouncing"
                ),
            }
        })
    })
}
