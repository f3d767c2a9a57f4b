//! What every area shares: the page layout, request context (session, CSRF, client
//! address), extractors, form handling and notices.

mod context;
mod extract;
mod form;
mod headers;
mod rate_limit;
pub mod slug;

pub use context::{
    context_layer, RequestContext, SessionUser, CSRF_FIELD, DEVICE_COOKIE, FORM_BODY_LIMIT,
    SESSION_COOKIE, UPLOAD_BODY_LIMIT,
};
pub use extract::{CurrentUser, Visitor};
pub use form::{Form, FormErrors, Path, Query};
pub use headers::security_headers;
pub use rate_limit::RateLimiter;

use askama::Template;
use axum::response::Html;

use crate::error::AppResult;

/// A tenant as shown in navigation.
#[derive(Clone, Debug)]
pub struct TenantNav {
    pub slug: String,
    pub name: String,
    pub role: crate::tenants::Role,
}

/// What the base layout needs on every page.
pub struct Layout {
    pub title: String,
    pub user_name: Option<String>,
    pub tenant: Option<TenantNav>,
    pub tenants: Vec<TenantNav>,
    pub csrf_token: String,
    pub notice: Option<&'static str>,
    pub dev_mailbox: bool,
    pub noindex: bool,
}

impl Layout {
    /// The layout for pages rendered without a request context (error pages).
    pub fn bare(title: &str) -> Self {
        Self {
            title: title.to_owned(),
            user_name: None,
            tenant: None,
            tenants: Vec::new(),
            csrf_token: String::new(),
            notice: None,
            dev_mailbox: false,
            noindex: true,
        }
    }

    pub fn other_tenants(&self) -> Vec<&TenantNav> {
        let current = self.tenant.as_ref().map(|t| t.slug.as_str());
        self.tenants
            .iter()
            .filter(|t| Some(t.slug.as_str()) != current)
            .collect()
    }
}

pub fn render(template: impl Template) -> AppResult<Html<String>> {
    Ok(Html(template.render()?))
}

/// Messages shown once after a redirect. The query string carries only a key, so nobody
/// can put words of their own on our pages through a link.
pub fn notice(key: Option<&str>) -> Option<&'static str> {
    Some(match key? {
        "logged-out" => "You are logged out.",
        "password-changed" => "Your password was changed. Log in with the new one.",
        "reset-sent" => "If an account exists for that address, we have sent it a link to choose a new password. The link works for one hour.",
        "invite-sent" => "Invitation sent. It stays valid for 7 days.",
        "invite-revoked" => "Invitation withdrawn.",
        "role-changed" => "Role changed.",
        "member-removed" => "Member removed.",
        "joined" => "Welcome! You have joined this group.",
        "welcome" => "Your organizing group is ready.",
        "unsubscribed" => "Done: no more bulk email will go to that address.",
        "left" => "You have left that group.",
        "retried" => "The email will be tried again within a minute.",
        "campaign-created" => "Campaign created. It is a draft: nothing is public until you open it.",
        "campaign-saved" => "Campaign settings saved.",
        "campaign-opened" => "The campaign is open: the sign-on link works and the page is unlisted.",
        "campaign-published" => "Published: the public page lists everyone who signed.",
        "campaign-closed" => "Closed: the form takes no more signatures; the page stays.",
        "campaign-reopened" => "Reopened: the form takes signatures again.",
        "campaign-kept-open" => "The letter stays open to new signers after the hard deadline.",
        "campaign-deadline-restored" => "The form closes again at the hard deadline.",
        "letter-saved" => "Letter saved as a new revision. The public page and the form show it now.",
        "letter-unchanged" => "The letter was not changed, so no new revision was made.",
        "signature-approved" => "Signature approved: it counts and is listed publicly.",
        "signature-rejected" => "Signature rejected. The reason is kept in its history.",
        "imported" => "Signatures imported.",
        "confirmed" => "Thank you: your signature is confirmed.",
        "withdrawn" => "Your signature has been withdrawn. It no longer appears anywhere public.",
        "referrals-thanks" => "Thank you for the suggestions: the organizers will reach out.",
        _ => return None,
    })
}

/// Where to go after logging in: only paths on this site, never another host.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && n.len() < 2000 =>
        {
            n.to_owned()
        }
        _ => "/app".to_owned(),
    }
}

/// "2 December 2026", for emails and pages.
pub fn format_date(when: &time::OffsetDateTime) -> String {
    let format = time::macros::format_description!("[day padding:none] [month repr:long] [year]");
    when.format(&format)
        .unwrap_or_else(|_| when.date().to_string())
}

/// "2 December 2026, 14:05 UTC".
pub fn format_datetime(when: &time::OffsetDateTime) -> String {
    let format = time::macros::format_description!(
        "[day padding:none] [month repr:long] [year], [hour]:[minute] UTC"
    );
    when.to_offset(time::UtcOffset::UTC)
        .format(&format)
        .unwrap_or_else(|_| when.to_string())
}
