//! A campaign's address within its group.

/// A campaign's URL slug: 2 to 64 lowercase letters, digits and inner hyphens, unique
/// within its tenant.
pub struct CampaignSlug(String);

impl CampaignSlug {
    pub const MAX_LEN: usize = 64;

    pub fn parse(raw: &str) -> Result<Self, String> {
        crate::web::slug::parse(raw, Self::MAX_LEN, &super::reserved_slugs()).map(Self)
    }

    pub fn suggest(title: &str) -> String {
        crate::web::slug::suggest(title, Self::MAX_LEN)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn campaign_slugs() {
        assert_eq!(
            super::super::reserved_slugs(),
            ["new", "list"],
            "taken from the routes, and the group's own pages"
        );
        assert!(CampaignSlug::parse("new").is_err());
        assert!(CampaignSlug::parse("list").is_err());
        assert!(CampaignSlug::parse("x").is_err());
        assert_eq!(
            CampaignSlug::parse("Clean-Water-2027").unwrap().as_str(),
            "clean-water-2027"
        );
    }
}
