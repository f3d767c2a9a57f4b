//! Markdown as every page and email shows it (the letter, the press release, the letter in
//! a change email): rendered by pulldown-cmark, then sanitized.

/// Markdown to HTML that cannot carry script: raw HTML, `javascript:` links and event
/// attributes are removed by ammonia after pulldown-cmark renders.
pub fn render_markdown(markdown: &str) -> String {
    let parser =
        pulldown_cmark::Parser::new_ext(markdown, pulldown_cmark::Options::ENABLE_STRIKETHROUGH);
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, parser);
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean(&html)
        .to_string()
}
