//! URL slugs, for tenants and campaigns alike: lowercase letters, digits and inner hyphens.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Checks a typed slug (case and surrounding spaces forgiven); `reserved` are paths the
/// app itself uses at that place.
pub fn parse(raw: &str, max_len: usize, reserved: &[impl AsRef<str>]) -> Result<String, String> {
    let slug = raw.trim().to_ascii_lowercase();
    if slug.len() < 2 || slug.len() > max_len {
        return Err(format!("Use 2 to {max_len} characters."));
    }
    if !slug
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err("Use only letters a–z, digits and hyphens.".into());
    }
    if slug.starts_with('-') || slug.ends_with('-') {
        return Err("Start and end with a letter or digit.".into());
    }
    if reserved.iter().any(|r| r.as_ref() == slug) {
        return Err("This address is reserved by Undersigned; choose another.".into());
    }
    Ok(slug)
}

/// A slug made from a name: "Café & Co." → "cafe-and-co".
pub fn suggest(name: &str, max_len: usize) -> String {
    let folded: String = name
        .replace('&', " and ")
        .nfkd()
        .filter(|c| !is_combining_mark(*c))
        .collect();
    let mut slug = String::new();
    for c in folded.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    slug.truncate(max_len);
    slug.trim_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONE: &[&str] = &[];

    #[test]
    fn slugs_are_checked() {
        assert!(parse("static", 48, &["static"]).is_err());
        assert!(parse("a", 48, NONE).is_err());
        assert!(parse("-abc", 48, NONE).is_err());
        assert!(parse("a b", 48, NONE).is_err());
        assert_eq!(
            parse(" Clean-Air-2030 ", 48, NONE).unwrap(),
            "clean-air-2030"
        );
    }

    #[test]
    fn suggestions_fold_accents_and_punctuation() {
        assert_eq!(suggest("Friends of the Earth", 48), "friends-of-the-earth");
        assert_eq!(suggest("  Café & Co.!  ", 48), "cafe-and-co");
        assert_eq!(suggest("Émile Zola Society", 5), "emile");
    }
}
