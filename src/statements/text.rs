//! A statement's text and link as the public form takes them and the pages show them.

/// Plain text in paragraphs: split at blank lines, each trimmed, empty ones dropped.
pub fn paragraphs(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut end = 0;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.trim().is_empty() {
            if let Some(s) = start.take() {
                out.push(text[s..end].trim());
            }
        } else {
            start.get_or_insert(offset);
            end = offset + line.len();
        }
        offset += line.len();
    }
    if let Some(s) = start {
        out.push(text[s..end].trim());
    }
    out
}

/// An absolute http(s) address with a host.
pub fn is_web_link(link: &str) -> bool {
    url::Url::parse(link).is_ok_and(|u| {
        matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| !h.is_empty())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_split_at_blank_lines() {
        assert_eq!(
            paragraphs("One line\nand more.\n\n  \r\nSecond.\n\n\n"),
            ["One line\nand more.", "Second."]
        );
        assert!(paragraphs(" \n\n").is_empty());
    }

    #[test]
    fn only_web_links() {
        assert!(is_web_link("https://lake.example/statement?x=1"));
        assert!(is_web_link("http://lake.example"));
        for bad in [
            "javascript:alert(1)",
            "JAVASCRIPT://x%0aalert(1)",
            "data:text/html,x",
            "lake.example",
            "ftp://x.example",
            "https://",
        ] {
            assert!(!is_web_link(bad), "{bad}");
        }
    }
}
