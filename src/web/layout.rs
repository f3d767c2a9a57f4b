//! What the base layout needs on every page, and the date formats pages and emails share.

/// A group as the navigation links to it.
#[derive(Clone, Debug)]
pub struct TenantLink {
    pub slug: String,
    pub name: String,
}

pub struct Layout {
    pub title: String,
    pub user_name: Option<String>,
    pub tenant: Option<TenantLink>,
    pub tenants: Vec<TenantLink>,
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

    pub fn other_tenants(&self) -> Vec<&TenantLink> {
        let current = self.tenant.as_ref().map(|t| t.slug.as_str());
        self.tenants
            .iter()
            .filter(|t| Some(t.slug.as_str()) != current)
            .collect()
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
