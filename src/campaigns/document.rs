//! The document for the target: the letter as it stands, followed by everyone listed
//! under it (organizations, then individuals, in the public page's order), as a PDF.
//! Organizers download it from the campaign's page; when the campaign's `public_pdf`
//! option is on, `crate::signing` serves it to anyone from the public page too.
//!
//! The PDF is drawn with krilla, A4, with a fallback chain of Noto fonts embedded
//! (subsets of the glyphs used): every script a signer types shows as text, in bold where
//! the page is bold, and copies or extracts as the same text (see `typeset` and
//! `fonts/README.md`). A signer's name is never broken across lines unless it is wider
//! than one.
//! Every page has "Page N of M", the letter's revision and the day it was made in the
//! campaign's time zone in its footer.

mod typeset;

use std::sync::{Mutex, OnceLock};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use krilla::geom::{PathBuilder, Point, Rect, Size};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::Fill;
use krilla::Document;
use pulldown_cmark::{Event, Tag, TagEnd};
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use time::OffsetDateTime;

use super::lookup::CampaignPage;
use super::store::{self, Campaign};
use super::time_zones;
use crate::error::{AppError, AppResult};
use crate::signatures::store::{self as signatures, PublicSigner};
use crate::signatures::SignatureKind;
use crate::state::AppState;
use crate::tenancy::TenantScope;
use typeset::{Direction, Fonts, Line, Span};

/// What the document shows, read in one go and then drawn off the async runtime.
pub struct Contents {
    pub group_name: String,
    pub title: String,
    pub points: Vec<String>,
    /// The current revision of the letter: its number and its Markdown.
    pub letter: Option<(i32, String)>,
    pub organizations: Vec<PublicSigner>,
    /// Empty unless the campaign takes individuals.
    pub individuals: Vec<PublicSigner>,
    /// The day it is made, in the campaign's time zone ("25 November 2026").
    pub generated: String,
}

/// Reads what the PDF shows: the current letter and exactly the signers the public
/// page lists (confirmed, consent covering the current text), in the same order.
pub async fn contents(
    db: &PgPool,
    tenant: impl TenantScope,
    campaign: &Campaign,
    group_name: &str,
    now: OffsetDateTime,
) -> AppResult<Contents> {
    // One snapshot: the text, the consent floor and the lists under it agree.
    let mut tx = crate::db::begin_snapshot(db).await?;
    let (revision, floor) = store::public_text(&mut tx, tenant, campaign.id).await?;
    let organizations = signatures::public_list(
        &mut *tx,
        tenant,
        campaign.id,
        floor,
        SignatureKind::Organization,
        0,
        i64::MAX,
    )
    .await?;
    let individuals = if campaign.allow_individuals {
        signatures::public_list(
            &mut *tx,
            tenant,
            campaign.id,
            floor,
            SignatureKind::Individual,
            0,
            i64::MAX,
        )
        .await?
    } else {
        Vec::new()
    };
    tx.commit().await?;
    let day = time_zones::local_date(now, &campaign.time_zone);
    let generated = day
        .format(time::macros::format_description!(
            "[day padding:none] [month repr:long] [year]"
        ))
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(Contents {
        group_name: group_name.to_owned(),
        title: campaign.title.clone(),
        points: campaign.points.clone(),
        letter: revision.map(|r| (r.number, r.body)),
        organizations,
        individuals,
        generated,
    })
}

/// `GET /app/{tenant}/campaigns/{campaign}/letter.pdf`: every member, viewers too.
pub async fn download(
    State(state): State<AppState>,
    CampaignPage { member, campaign }: CampaignPage,
) -> AppResult<Response> {
    let contents = contents(
        &state.db,
        member.tenant_id,
        &campaign,
        &member.tenant.name,
        state.clock.now(),
    )
    .await?;
    let pdf = pdf(contents).await?;
    Ok(response(
        pdf,
        &campaign.slug,
        Disposition::Attachment,
        false,
    ))
}

/// Whether a browser shows the PDF or saves it.
pub enum Disposition {
    Inline,
    Attachment,
}

/// The PDF as an HTTP answer, named after the campaign's slug.
pub fn response(pdf: Bytes, slug: &str, disposition: Disposition, noindex: bool) -> Response {
    let kind = match disposition {
        Disposition::Inline => "inline",
        Disposition::Attachment => "attachment",
    };
    // Slugs are lowercase letters, digits and hyphens: nothing to quote.
    let name = format!("{kind}; filename=\"{slug}-letter.pdf\"");
    let mut response = (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/pdf"),
        )],
        pdf,
    )
        .into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&name) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if noindex {
        headers.insert("x-robots-tag", HeaderValue::from_static("noindex"));
    }
    response
}

/// Recently made PDFs by what they show (a digest of `Contents`): the same list on the
/// same day is drawn once, however many download it. At most this many, and this many
/// bytes in all.
const CACHED: usize = 8;
const CACHED_BYTES: usize = 32 << 20;

/// Oldest first: (digest of the contents, PDF).
type Cache = Mutex<Vec<([u8; 32], Bytes)>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(Vec::new()))
}

/// At most one PDF per core is drawn at a time.
fn renders() -> &'static tokio::sync::Semaphore {
    static RENDERS: OnceLock<tokio::sync::Semaphore> = OnceLock::new();
    RENDERS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        tokio::sync::Semaphore::new(cores)
    })
}

fn digest(contents: &Contents) -> [u8; 32] {
    let mut hash = Sha256::new();
    let mut field = |text: &str| {
        hash.update((text.len() as u64).to_le_bytes());
        hash.update(text.as_bytes());
    };
    field(&contents.group_name);
    field(&contents.title);
    field(&contents.generated);
    for point in &contents.points {
        field(point);
    }
    field("--letter");
    if let Some((number, body)) = &contents.letter {
        field(&number.to_string());
        field(body);
    }
    for (kind, list) in [
        ("--o", &contents.organizations),
        ("--i", &contents.individuals),
    ] {
        field(kind);
        for s in list {
            field(&s.name);
            field(&s.city);
            field(s.contact.as_deref().unwrap_or("\u{0}"));
            field(&s.affiliation);
        }
    }
    hash.finalize().into()
}

/// The PDF of `contents`: from the cache, or drawn off the async runtime.
pub async fn pdf(contents: Contents) -> AppResult<Bytes> {
    let key = digest(&contents);
    let cached = |key: &[u8; 32]| {
        let cache = cache().lock().unwrap_or_else(|e| e.into_inner());
        cache
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, pdf)| pdf.clone())
    };
    if let Some(pdf) = cached(&key) {
        return Ok(pdf);
    }
    let _permit = renders()
        .acquire()
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    // Someone else may have drawn it while this one waited.
    if let Some(pdf) = cached(&key) {
        return Ok(pdf);
    }
    let pdf = tokio::task::spawn_blocking(move || render(&contents))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .map_err(|e| AppError::Internal(anyhow::anyhow!("the PDF could not be made: {e}")))?;
    let pdf = Bytes::from(pdf);
    let mut cache = cache().lock().unwrap_or_else(|e| e.into_inner());
    cache.retain(|(k, _)| *k != key);
    while !cache.is_empty()
        && (cache.len() >= CACHED
            || cache.iter().map(|(_, p)| p.len()).sum::<usize>() + pdf.len() > CACHED_BYTES)
    {
        cache.remove(0);
    }
    if pdf.len() <= CACHED_BYTES {
        cache.push((key, pdf.clone()));
    }
    Ok(pdf)
}

// The page: A4 in points, with margins.
const PAGE_WIDTH: f32 = 595.28;
const PAGE_HEIGHT: f32 = 841.89;
const LEFT: f32 = 64.0;
const TEXT_WIDTH: f32 = PAGE_WIDTH - 2.0 * LEFT;
const TOP: f32 = 62.0;
/// Text stops here; the footer sits below.
const BOTTOM: f32 = PAGE_HEIGHT - 72.0;
const FOOTER_BASELINE: f32 = PAGE_HEIGHT - 40.0;
const BODY: f32 = 10.5;
const INDENT: f32 = 18.0;

/// How a paragraph is set.
struct Para {
    size: f32,
    /// Space above it, unless it opens a page.
    above: f32,
    indent: f32,
    /// A list marker ("•", "2.") set before its first line.
    marker: Option<String>,
    /// A heading: moves to the next page rather than end one.
    heading: bool,
    gray: bool,
    direction: Direction,
}

impl Para {
    fn body() -> Self {
        Para {
            size: BODY,
            above: 7.0,
            indent: 0.0,
            marker: None,
            heading: false,
            gray: false,
            direction: Direction::Auto,
        }
    }

    fn heading(size: f32, above: f32) -> Self {
        Para {
            size,
            above,
            heading: true,
            ..Para::body()
        }
    }
}

/// A line where it is drawn: `x` is its left end, `baseline` from the page's top.
struct Placed {
    x: f32,
    baseline: f32,
    size: f32,
    gray: bool,
    line: Line,
}

#[derive(Default)]
struct Page {
    lines: Vec<Placed>,
    /// Horizontal rules: left end, top, width.
    rules: Vec<(f32, f32, f32)>,
}

/// Lays paragraphs out down the pages.
struct Composer<'a> {
    fonts: &'a Fonts,
    pages: Vec<Page>,
    y: f32,
}

impl<'a> Composer<'a> {
    fn new(fonts: &'a Fonts) -> Self {
        Composer {
            fonts,
            pages: vec![Page::default()],
            y: TOP,
        }
    }

    fn new_page(&mut self) {
        self.pages.push(Page::default());
        self.y = TOP;
    }

    fn page(&mut self) -> &mut Page {
        self.pages.last_mut().expect("there is always a page")
    }

    fn space(&mut self, points: f32) {
        if self.y > TOP {
            self.y += points;
        }
    }

    fn paragraph(&mut self, spans: &[Span], para: &Para) {
        let width = TEXT_WIDTH - para.indent;
        let lines = self.fonts.lines(spans, para.size, width, para.direction);
        let height = para.size * 1.38;
        self.space(para.above);
        // A heading keeps two lines of what follows with it.
        let keep = if para.heading {
            height + 2.0 * BODY * 1.38
        } else {
            height
        };
        if self.y + keep > BOTTOM && self.y > TOP {
            self.new_page();
        }
        for (i, line) in lines.into_iter().enumerate() {
            if self.y + height > BOTTOM {
                self.new_page();
            }
            let baseline = self.y + para.size;
            let left = LEFT + para.indent;
            if let (0, Some(marker)) = (i, &para.marker) {
                let marker = self.fonts.lines(
                    &[Span::new(marker.clone(), false)],
                    para.size,
                    INDENT,
                    Direction::LeftToRight,
                );
                if let Some(marker) = marker.into_iter().next() {
                    let x = left - 5.0 - marker.width;
                    self.page().lines.push(Placed {
                        x,
                        baseline,
                        size: para.size,
                        gray: para.gray,
                        line: marker,
                    });
                }
            }
            let x = if line.rtl {
                left + width - line.width
            } else {
                left
            };
            self.page().lines.push(Placed {
                x,
                baseline,
                size: para.size,
                gray: para.gray,
                line,
            });
            self.y += height;
        }
    }

    fn rule(&mut self) {
        self.space(6.0);
        if self.y + 12.0 > BOTTOM {
            self.new_page();
        }
        let y = self.y;
        self.page().rules.push((LEFT, y, TEXT_WIDTH));
        self.y += 6.0;
    }
}

/// Control characters would draw as boxes; line and paragraph separators break lines.
fn clean(text: &str, keep_newlines: bool) -> String {
    text.chars()
        .map(|c| match c {
            '\n' | '\u{2028}' | '\u{2029}' if keep_newlines => '\n',
            c if c.is_control() || c == '\u{2028}' || c == '\u{2029}' => ' ',
            c => c,
        })
        .collect()
}

/// One block of the letter.
#[derive(Debug, PartialEq)]
enum Block {
    Heading(u8, String),
    /// A paragraph (or list item, quote, code line): its spans (text, bold), how deep it
    /// is indented and its list marker.
    Text {
        spans: Vec<(String, bool)>,
        depth: usize,
        marker: Option<String>,
    },
    Rule,
}

/// The letter's Markdown as plain blocks: headings, paragraphs, list items (with their
/// bullets or numbers), quotes (indented) and rules; bold kept, raw HTML dropped, a link
/// followed by its address when that differs from its text.
fn letter_blocks(markdown: &str) -> Vec<Block> {
    struct Walk {
        blocks: Vec<Block>,
        open: Option<Block>,
        bold: usize,
        heading: Option<u8>,
        lists: Vec<Option<u64>>,
        quotes: usize,
        marker: Option<String>,
        links: Vec<(String, usize)>,
    }
    impl Walk {
        fn close(&mut self) {
            if let Some(block) = self.open.take() {
                let empty = match &block {
                    Block::Heading(_, text) => text.trim().is_empty(),
                    Block::Text { spans, .. } => spans.iter().all(|(t, _)| t.trim().is_empty()),
                    Block::Rule => false,
                };
                if !empty {
                    self.blocks.push(block);
                }
            }
        }
        fn text(&mut self, text: &str) {
            if self.open.is_none() {
                self.open = Some(match self.heading {
                    Some(level) => Block::Heading(level, String::new()),
                    None => Block::Text {
                        spans: Vec::new(),
                        depth: self.lists.len() + self.quotes,
                        marker: self.marker.take(),
                    },
                });
            }
            let bold = self.bold > 0;
            match &mut self.open {
                Some(Block::Heading(_, heading)) => heading.push_str(text),
                Some(Block::Text { spans, .. }) => match spans.last_mut() {
                    Some((last, b)) if *b == bold => last.push_str(text),
                    _ => spans.push((text.to_owned(), bold)),
                },
                _ => {}
            }
        }
        fn length(&self) -> usize {
            match &self.open {
                Some(Block::Heading(_, text)) => text.len(),
                Some(Block::Text { spans, .. }) => spans.iter().map(|(t, _)| t.len()).sum(),
                _ => 0,
            }
        }
        fn since(&self, at: usize) -> String {
            let whole: String = match &self.open {
                Some(Block::Heading(_, text)) => text.clone(),
                Some(Block::Text { spans, .. }) => spans.iter().map(|(t, _)| t.as_str()).collect(),
                _ => String::new(),
            };
            whole.get(at..).unwrap_or_default().to_owned()
        }
    }

    let mut walk = Walk {
        blocks: Vec::new(),
        open: None,
        bold: 0,
        heading: None,
        lists: Vec::new(),
        quotes: 0,
        marker: None,
        links: Vec::new(),
    };
    let parser =
        pulldown_cmark::Parser::new_ext(markdown, pulldown_cmark::Options::ENABLE_STRIKETHROUGH);
    for event in parser {
        match event {
            Event::Start(Tag::Paragraph) | Event::End(TagEnd::Paragraph) => walk.close(),
            Event::Start(Tag::Heading { level, .. }) => {
                walk.close();
                walk.heading = Some(level as u8);
            }
            Event::End(TagEnd::Heading(_)) => {
                walk.close();
                walk.heading = None;
            }
            Event::Start(Tag::BlockQuote(_)) => {
                walk.close();
                walk.quotes += 1;
            }
            Event::End(TagEnd::BlockQuote(_)) => {
                walk.close();
                walk.quotes = walk.quotes.saturating_sub(1);
            }
            Event::Start(Tag::CodeBlock(_)) | Event::End(TagEnd::CodeBlock) => walk.close(),
            Event::Start(Tag::List(start)) => {
                walk.close();
                walk.lists.push(start);
            }
            Event::End(TagEnd::List(_)) => {
                walk.close();
                walk.lists.pop();
            }
            Event::Start(Tag::Item) => {
                walk.close();
                walk.marker = Some(match walk.lists.last_mut() {
                    Some(Some(number)) => {
                        *number += 1;
                        format!("{}.", *number - 1)
                    }
                    _ => "•".to_owned(),
                });
            }
            Event::End(TagEnd::Item) => walk.close(),
            Event::Start(Tag::Strong) => walk.bold += 1,
            Event::End(TagEnd::Strong) => walk.bold = walk.bold.saturating_sub(1),
            Event::Start(Tag::Link { dest_url, .. }) => {
                let at = walk.length();
                walk.links.push((dest_url.to_string(), at));
            }
            Event::End(TagEnd::Link) => {
                if let Some((url, at)) = walk.links.pop() {
                    let shown = walk.since(at);
                    let web = ["http://", "https://", "mailto:"]
                        .iter()
                        .any(|scheme| url.starts_with(scheme));
                    if web
                        && shown.trim() != url
                        && shown.trim() != url.trim_start_matches("mailto:")
                    {
                        walk.text(&format!(" ({url})"));
                    }
                }
            }
            Event::Text(text) | Event::Code(text) => {
                walk.text(&clean(&text, true));
            }
            Event::SoftBreak => walk.text(" "),
            Event::HardBreak => walk.text("\n"),
            Event::Rule => {
                walk.close();
                walk.blocks.push(Block::Rule);
            }
            _ => {}
        }
    }
    walk.close();
    // Code blocks end with a newline: no empty last line.
    for block in &mut walk.blocks {
        if let Block::Text { spans, .. } = block {
            if let Some((last, _)) = spans.last_mut() {
                let trimmed = last.trim_end_matches('\n').len();
                last.truncate(trimmed);
            }
        }
    }
    walk.blocks
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Draws the PDF.
pub fn render(contents: &Contents) -> Result<Vec<u8>, String> {
    let fonts = typeset::fonts();
    let mut page = Composer::new(fonts);
    let one_line = |text: String| clean(&text, false);

    page.paragraph(
        &[Span::new(one_line(contents.group_name.clone()), false)],
        &Para {
            gray: true,
            ..Para::body()
        },
    );
    page.paragraph(
        &[Span::new(one_line(contents.title.clone()), true)],
        &Para::heading(20.0, 4.0),
    );
    let revision = match &contents.letter {
        Some((number, _)) => format!("Revision {number} of the letter"),
        None => "The letter is not written yet".to_owned(),
    };
    page.paragraph(
        &[Span::new(
            format!(
                "{revision}, with everyone who signed it as of {}.",
                contents.generated
            ),
            false,
        )],
        &Para {
            size: 9.0,
            above: 2.0,
            gray: true,
            ..Para::body()
        },
    );

    page.paragraph(
        &[Span::new("Points of unity", true)],
        &Para::heading(13.0, 18.0),
    );
    for (i, point) in contents.points.iter().enumerate() {
        page.paragraph(
            &[Span::new(one_line(point.clone()), false)],
            &Para {
                above: 4.0,
                indent: INDENT,
                marker: Some(format!("{}.", i + 1)),
                ..Para::body()
            },
        );
    }
    page.space(10.0);

    if let Some((_, body)) = &contents.letter {
        for block in letter_blocks(body) {
            match block {
                Block::Heading(level, text) => {
                    let size = match level {
                        1 => 16.0,
                        2 => 14.0,
                        _ => 12.0,
                    };
                    page.paragraph(&[Span::new(text, true)], &Para::heading(size, 12.0));
                }
                Block::Text {
                    spans,
                    depth,
                    marker,
                } => {
                    let spans: Vec<Span> =
                        spans.into_iter().map(|(t, b)| Span::new(t, b)).collect();
                    let listed = marker.is_some() || depth > 0;
                    page.paragraph(
                        &spans,
                        &Para {
                            above: if listed { 4.0 } else { 7.0 },
                            indent: INDENT * depth as f32,
                            marker,
                            ..Para::body()
                        },
                    );
                }
                Block::Rule => page.rule(),
            }
        }
    }

    let organizations = &contents.organizations;
    page.paragraph(
        &[Span::new(
            format!(
                "Signed by {}",
                plural(organizations.len(), "organization", "organizations")
            ),
            true,
        )],
        &Para::heading(14.0, 24.0),
    );
    if organizations.is_empty() {
        page.paragraph(
            &[Span::new("No organization has signed yet.", false)],
            &Para {
                gray: true,
                ..Para::body()
            },
        );
    }
    let signer = |name: &str, city: &str, rest: Option<String>| {
        let mut spans = vec![Span::name(one_line(name.to_owned()))];
        if !city.trim().is_empty() {
            spans.push(Span::new(one_line(format!(", {city}")), false));
        }
        if let Some(rest) = rest {
            spans.push(Span::new(one_line(format!(" — {rest}")), false));
        }
        spans
    };
    let listed = Para {
        size: 10.0,
        above: 3.0,
        direction: Direction::LeftToRight,
        ..Para::body()
    };
    for s in organizations {
        page.paragraph(&signer(&s.name, &s.city, s.contact.clone()), &listed);
    }
    if !contents.individuals.is_empty() {
        page.paragraph(
            &[Span::new(
                format!(
                    "And {}",
                    plural(contents.individuals.len(), "individual", "individuals")
                ),
                true,
            )],
            &Para::heading(14.0, 20.0),
        );
        for s in &contents.individuals {
            let affiliation = (!s.affiliation.trim().is_empty())
                .then(|| format!("{} (for identification only)", s.affiliation));
            page.paragraph(&signer(&s.name, &s.city, affiliation), &listed);
        }
    }

    draw(fonts, page.pages, contents)
}

fn draw(fonts: &Fonts, pages: Vec<Page>, contents: &Contents) -> Result<Vec<u8>, String> {
    let gray = Fill {
        paint: krilla::color::rgb::Color::new(96, 96, 96).into(),
        ..Fill::default()
    };
    let black = Fill::default();
    let size = Size::from_wh(PAGE_WIDTH, PAGE_HEIGHT).ok_or("page size")?;
    let footer = match &contents.letter {
        Some((number, _)) => format!("Revision {number} · made {}", contents.generated),
        None => format!("Made {}", contents.generated),
    };
    let footer = fonts
        .lines(
            &[Span::new(footer, false)],
            8.0,
            TEXT_WIDTH - 90.0,
            Direction::LeftToRight,
        )
        .into_iter()
        .next();
    let count = pages.len();

    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(clean(&contents.title, false))
            .authors(vec![clean(&contents.group_name, false)])
            .creator("Undersigned".to_owned()),
    );
    for (index, page) in pages.into_iter().enumerate() {
        let mut pdf_page = document.start_page_with(PageSettings::new(size));
        let mut surface = pdf_page.surface();
        let draw_line = |surface: &mut krilla::surface::Surface, placed: &Placed| {
            surface.set_fill(Some(if placed.gray {
                gray.clone()
            } else {
                black.clone()
            }));
            for run in &placed.line.runs {
                // Runs only take faces that were read, so every run has its font.
                let Some(font) = fonts.pdf_font(run.font) else {
                    continue;
                };
                surface.draw_glyphs(
                    Point::from_xy(placed.x + run.x, placed.baseline),
                    &run.glyphs,
                    font,
                    &run.text,
                    placed.size,
                    false,
                );
            }
        };
        for placed in &page.lines {
            draw_line(&mut surface, placed);
        }
        for (x, y, width) in &page.rules {
            let mut path = PathBuilder::new();
            path.push_rect(Rect::from_xywh(*x, *y, *width, 0.6).ok_or("rule")?);
            if let Some(path) = path.finish() {
                surface.set_fill(Some(gray.clone()));
                surface.draw_path(&path);
            }
        }
        if let Some(line) = footer.clone() {
            draw_line(
                &mut surface,
                &Placed {
                    x: LEFT,
                    baseline: FOOTER_BASELINE,
                    size: 8.0,
                    gray: true,
                    line,
                },
            );
        }
        let number = format!("Page {} of {count}", index + 1);
        if let Some(line) = fonts
            .lines(
                &[Span::new(number, false)],
                8.0,
                90.0,
                Direction::LeftToRight,
            )
            .into_iter()
            .next()
        {
            draw_line(
                &mut surface,
                &Placed {
                    x: LEFT + TEXT_WIDTH - line.width,
                    baseline: FOOTER_BASELINE,
                    size: 8.0,
                    gray: true,
                    line,
                },
            );
        }
        surface.finish();
        pdf_page.finish();
    }
    document.finish().map_err(|e| format!("{e:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(spans: &[(String, bool)]) -> String {
        spans.iter().map(|(t, _)| t.as_str()).collect()
    }

    #[test]
    fn the_letter_becomes_plain_blocks() {
        let blocks = letter_blocks(
            "# Dear Mayor\n\nWe **ask** you.<script>alert(1)</script>\n\n- one\n- two\n\n3. three\n4. four\n\n> quoted\n\n---\n\nSee [our site](https://example.org).",
        );
        assert_eq!(blocks[0], Block::Heading(1, "Dear Mayor".into()));
        let Block::Text { spans, .. } = &blocks[1] else {
            panic!("{blocks:?}")
        };
        assert_eq!(
            spans,
            &[
                ("We ".to_string(), false),
                ("ask".to_string(), true),
                (" you.alert(1)".to_string(), false)
            ]
        );
        let markers: Vec<(String, Option<String>, usize)> = blocks
            .iter()
            .filter_map(|b| match b {
                Block::Text {
                    spans,
                    depth,
                    marker,
                } => Some((text(spans), marker.clone(), *depth)),
                _ => None,
            })
            .collect();
        assert_eq!(markers[1], ("one".into(), Some("•".into()), 1));
        assert_eq!(markers[2], ("two".into(), Some("•".into()), 1));
        assert_eq!(markers[3], ("three".into(), Some("3.".into()), 1));
        assert_eq!(markers[4], ("four".into(), Some("4.".into()), 1));
        assert_eq!(markers[5], ("quoted".into(), None, 1));
        assert!(blocks.contains(&Block::Rule));
        assert_eq!(markers[6].0, "See our site (https://example.org).");
    }

    #[test]
    fn a_pdf_is_made() {
        let contents = Contents {
            group_name: "Group".into(),
            title: "Keep the river clean".into(),
            points: vec!["Clean water".into()],
            letter: Some((2, "# Dear Mayor\n\nWe ask.".into())),
            organizations: vec![PublicSigner {
                name: "Ωμέγα Αθηνών".into(),
                city: "Athens".into(),
                contact: None,
                affiliation: String::new(),
            }],
            individuals: Vec::new(),
            generated: "25 November 2026".into(),
        };
        let pdf = render(&contents).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
    }
}
