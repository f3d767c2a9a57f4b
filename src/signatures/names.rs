//! How signer names are compared and ordered, and whether a contact's email belongs to
//! the organization's website.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// The name without a leading "The", for sorting ("The Alder Network" sorts under A).
/// Case, accents and digits are then handled by the `signer_order` collation.
pub fn sort_key(name: &str) -> String {
    let trimmed = name.trim();
    let lower = trimmed.to_lowercase();
    if lower.starts_with("the ") && trimmed.len() > 4 {
        trimmed[4..].trim_start().to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// What makes two organization names the same: case, accents, punctuation, spacing,
/// "&"/"and" and a leading "The" do not count.
pub fn name_key(name: &str) -> String {
    let folded: String = name
        .nfkd()
        .filter(|c| !is_combining_mark(*c))
        .collect::<String>()
        .to_lowercase();
    let words: Vec<String> = folded
        .replace('&', " and ")
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect();
    let words = match words.first().map(String::as_str) {
        Some("the") if words.len() > 1 => &words[1..],
        _ => &words[..],
    };
    words.join(" ")
}

/// Providers where anyone can have an address: never evidence of belonging.
const FREE_MAIL: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "yahoo.co.uk",
    "yahoo.fr",
    "ymail.com",
    "hotmail.com",
    "hotmail.co.uk",
    "hotmail.fr",
    "outlook.com",
    "live.com",
    "msn.com",
    "aol.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "proton.me",
    "protonmail.com",
    "pm.me",
    "gmx.com",
    "gmx.net",
    "gmx.de",
    "web.de",
    "mail.com",
    "yandex.com",
    "yandex.ru",
    "zoho.com",
    "fastmail.com",
    "tutanota.com",
    "hey.com",
    "qq.com",
    "163.com",
    "orange.fr",
    "free.fr",
    "laposte.net",
    "riseup.net",
];

fn website_host(website: &str) -> Option<String> {
    let website = website.trim();
    if website.is_empty() {
        return None;
    }
    let with_scheme = if website.contains("://") {
        website.to_owned()
    } else {
        format!("https://{website}")
    };
    let host = url::Url::parse(&with_scheme)
        .ok()?
        .host_str()?
        .to_ascii_lowercase();
    Some(host.strip_prefix("www.").unwrap_or(&host).to_owned())
}

/// Whether the contact's email domain is the organization's website domain (or one under
/// it, either way round). Free-mail providers never match.
pub fn domain_matches(email: &str, website: &str) -> bool {
    let Some((_, domain)) = email.trim().rsplit_once('@') else {
        return false;
    };
    let domain = domain.to_ascii_lowercase();
    if FREE_MAIL.contains(&domain.as_str()) {
        return false;
    }
    let Some(host) = website_host(website) else {
        return false;
    };
    if FREE_MAIL.contains(&host.as_str()) {
        return false;
    }
    domain == host || domain.ends_with(&format!(".{host}")) || host.ends_with(&format!(".{domain}"))
}

/// A website as typed ("river.org") made into a link ("https://river.org"), or nothing
/// when it is not a plain http(s) address.
pub fn normalize_website(raw: &str) -> Result<String, &'static str> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(String::new());
    }
    let with_scheme = if raw.contains("://") {
        raw.to_owned()
    } else {
        format!("https://{raw}")
    };
    match url::Url::parse(&with_scheme) {
        Ok(url)
            if matches!(url.scheme(), "http" | "https")
                && url.host_str().is_some_and(|h| h.contains('.')) =>
        {
            Ok(url.to_string())
        }
        _ => Err("Enter a website address like river.org."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_is_ignored_for_sorting_but_names_keep_it() {
        assert_eq!(sort_key("The Alder Network"), "Alder Network");
        assert_eq!(sort_key("Theatre Group"), "Theatre Group");
        assert_eq!(sort_key("The"), "The");
    }

    #[test]
    fn duplicate_names_are_found_after_normalization() {
        assert_eq!(
            name_key("The Émile Zola Society"),
            name_key("emile zola society")
        );
        assert_eq!(
            name_key("Friends & Neighbors, Inc."),
            name_key("friends and neighbors inc")
        );
        assert_ne!(name_key("River Keepers"), name_key("River Keeper"));
    }

    #[test]
    fn domains_match_only_for_the_organizations_own_domain() {
        assert!(domain_matches(
            "ana@river.org",
            "https://www.river.org/about"
        ));
        assert!(domain_matches("ana@mail.river.org", "river.org"));
        assert!(!domain_matches("ana@gmail.com", "gmail.com"));
        assert!(!domain_matches("ana@other.org", "river.org"));
        assert!(!domain_matches("ana@river.org", ""));
    }

    #[test]
    fn websites_are_normalized() {
        assert_eq!(
            normalize_website("river.org").unwrap(),
            "https://river.org/"
        );
        assert!(normalize_website("javascript:alert(1)").is_err());
        assert!(normalize_website("not a site").is_err());
    }
}
