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

/// Markdown a member wrote for others to read (a list post): as `render_markdown`, but an
/// image becomes a link to it. A remote image loads when the post is read, telling its
/// host who read it and when: readers choose to follow a link; they do not choose to load
/// an image.
pub fn render_post_markdown(markdown: &str) -> String {
    use pulldown_cmark::{Event, Tag, TagEnd};
    let parser =
        pulldown_cmark::Parser::new_ext(markdown, pulldown_cmark::Options::ENABLE_STRIKETHROUGH)
            .map(|event| match event {
                Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }) => Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }),
                Event::End(TagEnd::Image) => Event::End(TagEnd::Link),
                other => other,
            });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, parser);
    ammonia::Builder::default()
        .rm_tags(&["img"])
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean(&html)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_posts_image_is_a_link_not_a_request() {
        let html = render_post_markdown("Look: ![the flyer](https://tracker.example/p.png)");
        assert!(!html.contains("<img"), "{html}");
        assert!(
            html.contains("href=\"https://tracker.example/p.png\""),
            "{html}"
        );
        assert!(html.contains("the flyer"), "{html}");
        let raw = render_post_markdown("<img src=\"https://tracker.example/q.png\"> hi");
        assert!(!html.contains("<img") && !raw.contains("<img"), "{raw}");
    }
}
