//! Text into positioned glyphs for the PDF: every character takes the first font of
//! `fonts/` that has it, runs are shaped with rustybuzz (Arabic letters join and run
//! right to left), put in visual order by the Unicode bidi algorithm, and broken into
//! lines at the Unicode line-break opportunities (between words, and between CJK
//! ideographs, which have no spaces).

use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Arc, Mutex, OnceLock};

use krilla::text::{Font, GlyphId, KrillaGlyph};
use unicode_bidi::{BidiInfo, Level};

/// The fonts, in the order a character looks for itself in them (see `fonts/README.md`).
const FILES: &[&[u8]] = &[
    include_bytes!("../../../fonts/NotoSans-Regular.ttf"),
    include_bytes!("../../../fonts/NotoSans-Bold.ttf"),
    include_bytes!("../../../fonts/NotoNaskhArabic-Regular.ttf"),
    include_bytes!("../../../fonts/NotoSansHebrew-Regular.ttf"),
    include_bytes!("../../../fonts/NotoSansCJKsc-Regular-GB2312.otf"),
];
const REGULAR: usize = 0;
const BOLD: usize = 1;
/// Where a character that Noto Sans lacks looks next, in order.
const FALLBACK: &[usize] = &[2, 3, 4];

struct FontFile {
    /// For the PDF (krilla embeds the subset of glyphs drawn).
    pdf: Font,
    /// For shaping and for knowing which characters the font has.
    face: rustybuzz::Face<'static>,
    units_per_em: f32,
}

/// A shaping plan is slow to make and depends on the font, direction, script and language.
type PlanKey = (usize, bool, rustybuzz::Script, Option<String>);

pub struct Fonts {
    files: Vec<FontFile>,
    /// For each character some font has, which fonts have it (bit `1 << font`).
    coverage: HashMap<char, u8>,
    plans: Mutex<HashMap<PlanKey, Arc<rustybuzz::ShapePlan>>>,
}

/// The fonts, read once per process (krilla hashes a font's bytes when it is made).
pub fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| {
        let files: Vec<FontFile> = FILES
            .iter()
            .map(|&data| {
                let face = rustybuzz::Face::from_slice(data, 0).expect("a font of fonts/ reads");
                FontFile {
                    pdf: Font::new(data.into(), 0).expect("a font of fonts/ reads"),
                    units_per_em: face.units_per_em() as f32,
                    face,
                }
            })
            .collect();
        let mut coverage: HashMap<char, u8> = HashMap::new();
        for (index, file) in files.iter().enumerate() {
            let Some(cmap) = file.face.tables().cmap else {
                continue;
            };
            for subtable in cmap.subtables.into_iter().filter(|s| s.is_unicode()) {
                subtable.codepoints(|code| {
                    let mapped = subtable.glyph_index(code).is_some_and(|glyph| glyph.0 != 0);
                    if let (Some(c), true) = (char::from_u32(code), mapped) {
                        *coverage.entry(c).or_default() |= 1 << index;
                    }
                });
            }
        }
        Fonts {
            files,
            coverage,
            plans: Mutex::new(HashMap::new()),
        }
    })
}

/// A piece of a paragraph's text, bold or not.
pub struct Span {
    pub text: String,
    pub bold: bool,
}

impl Span {
    pub fn new(text: impl Into<String>, bold: bool) -> Self {
        Span {
            text: text.into(),
            bold,
        }
    }
}

/// The base direction of a paragraph.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Left to right whatever the text (lists of names in a left-to-right document).
    LeftToRight,
    /// From the paragraph's first strong character (a letter paragraph in Arabic runs
    /// right to left and is aligned right).
    Auto,
}

/// Glyphs of one font and direction, drawn from `x` (relative to the line's start).
#[derive(Clone)]
pub struct Run {
    pub x: f32,
    pub font: usize,
    pub text: String,
    pub glyphs: Vec<KrillaGlyph>,
}

/// One line of a paragraph, its runs in visual order (left to right).
#[derive(Clone)]
pub struct Line {
    pub width: f32,
    pub runs: Vec<Run>,
    /// The paragraph runs right to left: the line is aligned right.
    pub rtl: bool,
}

impl Fonts {
    pub fn pdf_font(&self, font: usize) -> Font {
        self.files[font].pdf.clone()
    }

    /// The font for `c`: spaces, punctuation and marks stay with the font of the text
    /// before them when it has them (so a phrase of Arabic words is one run), anything
    /// else takes the first font that has it.
    fn pick(&self, c: char, bold: bool, previous: Option<usize>) -> usize {
        let first = if bold { BOLD } else { REGULAR };
        let fonts = self.coverage.get(&c).copied().unwrap_or(0);
        let covers = |font: usize| fonts & (1 << font) != 0;
        if let Some(previous) = previous {
            if !c.is_alphanumeric() && covers(previous) {
                let latin = previous == REGULAR || previous == BOLD;
                return if latin && covers(first) {
                    first
                } else {
                    previous
                };
            }
        }
        if covers(first) {
            return first;
        }
        FALLBACK
            .iter()
            .copied()
            .find(|&font| covers(font))
            .unwrap_or(previous.unwrap_or(first))
    }

    /// Shapes `text` in one font and direction; advances are per em.
    fn shape(&self, text: &str, font: usize, rtl: bool) -> Vec<KrillaGlyph> {
        let file = &self.files[font];
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.guess_segment_properties();
        buffer.set_direction(if rtl {
            rustybuzz::Direction::RightToLeft
        } else {
            rustybuzz::Direction::LeftToRight
        });
        let language = buffer.language();
        let key = (
            font,
            rtl,
            buffer.script(),
            language.as_ref().map(|l| l.as_str().to_owned()),
        );
        let plan = {
            let mut plans = self.plans.lock().unwrap_or_else(|e| e.into_inner());
            plans
                .entry(key)
                .or_insert_with(|| {
                    Arc::new(rustybuzz::ShapePlan::new(
                        &file.face,
                        buffer.direction(),
                        Some(buffer.script()),
                        language.as_ref(),
                        &[],
                    ))
                })
                .clone()
        };
        let output = rustybuzz::shape_with_plan(&file.face, &plan, buffer);
        let (infos, positions) = (output.glyph_infos(), output.glyph_positions());
        let units = file.units_per_em;
        (0..infos.len())
            .map(|i| {
                // The cluster's text runs from its start to the next cluster's start
                // (in logical order, which is backwards through the glyphs when RTL).
                let start = infos[i].cluster as usize;
                let next = if rtl {
                    infos[..i]
                        .iter()
                        .rev()
                        .map(|g| g.cluster as usize)
                        .find(|&c| c != start)
                } else {
                    infos[i + 1..]
                        .iter()
                        .map(|g| g.cluster as usize)
                        .find(|&c| c != start)
                };
                let position = positions[i];
                KrillaGlyph::new(
                    GlyphId::new(infos[i].glyph_id),
                    position.x_advance as f32 / units,
                    position.x_offset as f32 / units,
                    position.y_offset as f32 / units,
                    position.y_advance as f32 / units,
                    start..next.unwrap_or(text.len()),
                    None,
                )
            })
            .collect()
    }

    /// Lays out a paragraph at `size` points into lines at most `width` wide. A `\n`
    /// in the text breaks the line there.
    pub fn lines(&self, spans: &[Span], size: f32, width: f32, direction: Direction) -> Vec<Line> {
        let mut text = String::new();
        let mut bold = Vec::new();
        for span in spans {
            text.push_str(&span.text);
            bold.extend(std::iter::repeat_n(span.bold, span.text.len()));
        }
        let mut lines = Vec::new();
        let mut offset = 0;
        for piece in text.split('\n') {
            let flags = &bold[offset..offset + piece.len()];
            self.paragraph(piece, flags, size, width, direction, &mut lines);
            offset += piece.len() + 1;
        }
        lines
    }

    fn paragraph(
        &self,
        text: &str,
        bold: &[bool],
        size: f32,
        max_width: f32,
        direction: Direction,
        out: &mut Vec<Line>,
    ) {
        if text.trim().is_empty() {
            out.push(Line {
                width: 0.0,
                runs: Vec::new(),
                rtl: false,
            });
            return;
        }
        let base = match direction {
            Direction::LeftToRight => Some(Level::ltr()),
            Direction::Auto => None,
        };
        let bidi = BidiInfo::new(text, base);
        let Some(para) = bidi.paragraphs.first() else {
            return;
        };
        let mut fonts = vec![REGULAR; text.len()];
        let mut previous = None;
        for (i, c) in text.char_indices() {
            let font = self.pick(c, bold[i], previous);
            fonts[i..i + c.len_utf8()].fill(font);
            previous = Some(font);
        }

        // How wide each stretch is, from shaping the whole paragraph once.
        let mut advance = vec![0.0f32; text.len() + 1];
        let mut shaped = HashMap::new();
        for item in items(0..text.len(), &bidi.levels, &fonts) {
            let rtl = bidi.levels[item.start].is_rtl();
            let glyphs = self.shape(&text[item.clone()], fonts[item.start], rtl);
            for glyph in &glyphs {
                advance[item.start + glyph.text_range.start + 1] += glyph.x_advance * size;
            }
            shaped.insert((item.start, item.end, rtl), glyphs);
        }
        for i in 1..advance.len() {
            advance[i] += advance[i - 1];
        }
        let trim = |start: usize, end: usize| start + text[start..end].trim_end().len();
        let width = |start: usize, end: usize| advance[trim(start, end)] - advance[start];

        let mut ranges: Vec<Range<usize>> = Vec::new();
        let mut start = 0;
        let mut fits = None;
        for (at, _) in unicode_linebreak::linebreaks(text) {
            while start < at {
                if width(start, at) <= max_width {
                    fits = Some(at);
                    break;
                }
                if let Some(end) = fits.take() {
                    ranges.push(start..end);
                    start = end;
                    continue;
                }
                // A word wider than the line: cut it where it overflows.
                let mut cut = start;
                for (i, c) in text[start..at].char_indices() {
                    let end = start + i + c.len_utf8();
                    if cut > start && advance[end] - advance[start] > max_width {
                        break;
                    }
                    cut = end;
                }
                ranges.push(start..cut);
                start = cut;
            }
        }
        if start < text.len() {
            ranges.push(start..text.len());
        }

        for range in ranges {
            let range = range.start..trim(range.start, range.end);
            let mut runs = Vec::new();
            let mut x = 0.0;
            if !range.is_empty() {
                let (levels, level_runs) = bidi.visual_runs(para, range);
                for level_run in level_runs {
                    let rtl = levels[level_run.start].is_rtl();
                    let mut pieces = items(level_run, &levels, &fonts);
                    if rtl {
                        pieces.reverse();
                    }
                    for piece in pieces {
                        let font = fonts[piece.start];
                        // A piece shaped whole while measuring is not shaped again.
                        let glyphs = match shaped.remove(&(piece.start, piece.end, rtl)) {
                            Some(glyphs) => glyphs,
                            None => self.shape(&text[piece.clone()], font, rtl),
                        };
                        let run_width: f32 = glyphs.iter().map(|g| g.x_advance * size).sum();
                        runs.push(Run {
                            x,
                            font,
                            text: text[piece].to_owned(),
                            glyphs,
                        });
                        x += run_width;
                    }
                }
            }
            out.push(Line {
                width: x,
                runs,
                rtl: para.level.is_rtl(),
            });
        }
    }
}

/// `range` cut where the bidi level or the font changes, in logical order.
fn items(range: Range<usize>, levels: &[Level], fonts: &[usize]) -> Vec<Range<usize>> {
    let mut items = Vec::new();
    let mut start = range.start;
    for i in range.clone() {
        if i > start && (levels[i] != levels[start] || fonts[i] != fonts[start]) {
            items.push(start..i);
            start = i;
        }
    }
    if start < range.end {
        items.push(start..range.end);
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line_texts(lines: &[Line]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.runs.iter().map(|r| r.text.as_str()).collect())
            .collect()
    }

    #[test]
    fn every_script_finds_its_font() {
        let fonts = fonts();
        let lines = fonts.lines(
            &[Span::new("Ärzte Ωμέγα جمعية الأمل 绿色和平 שלום", false)],
            10.0,
            1000.0,
            Direction::LeftToRight,
        );
        assert_eq!(lines.len(), 1);
        let used: Vec<(usize, &str)> = lines[0]
            .runs
            .iter()
            .map(|r| (r.font, r.text.trim()))
            .filter(|(_, t)| !t.is_empty())
            .collect();
        assert_eq!(
            used,
            [
                (REGULAR, "Ärzte Ωμέγα"),
                (2, "جمعية الأمل"),
                (4, "绿色和平"),
                (3, "שלום")
            ]
        );
        for run in &lines[0].runs {
            assert!(
                run.glyphs.iter().all(|g| g.glyph_id.to_u32() != 0),
                "no box in {:?}",
                run.text
            );
        }
    }

    #[test]
    fn arabic_is_joined_and_right_to_left() {
        let fonts = fonts();
        let word = "الأمل";
        let glyphs = fonts.shape(word, 2, true);
        // Joined letters take their contextual forms: the same letter (lam) gets
        // different glyphs at different places in the word.
        let lam: Vec<u32> = glyphs
            .iter()
            .filter(|g| word[g.text_range.clone()].starts_with('ل'))
            .map(|g| g.glyph_id.to_u32())
            .collect();
        assert_eq!(lam.len(), 2);
        assert_ne!(lam[0], lam[1]);
        // Visual order: the first glyph drawn (leftmost) is the word's last letter.
        assert_eq!(&word[glyphs[0].text_range.clone()], "ل");
    }

    #[test]
    fn lines_break_between_words_and_ideographs() {
        let fonts = fonts();
        let words = fonts.lines(
            &[Span::new(
                "one two three four five six seven eight nine ten",
                false,
            )],
            10.0,
            80.0,
            Direction::LeftToRight,
        );
        assert!(words.len() > 2);
        assert!(words.iter().all(|l| l.width <= 80.0));
        assert_eq!(
            line_texts(&words).join(" "),
            "one two three four five six seven eight nine ten"
        );
        let hanzi = fonts.lines(
            &[Span::new("绿色和平北京".repeat(10), false)],
            10.0,
            100.0,
            Direction::LeftToRight,
        );
        assert!(hanzi.len() > 4, "ideographs break without spaces");
        let long = fonts.lines(
            &[Span::new("x".repeat(300), false)],
            10.0,
            100.0,
            Direction::LeftToRight,
        );
        assert!(long.len() > 1 && long.iter().all(|l| l.width <= 100.0));
        let hard = fonts.lines(
            &[Span::new("a\nb", false)],
            10.0,
            100.0,
            Direction::LeftToRight,
        );
        assert_eq!(line_texts(&hard), ["a", "b"]);
    }

    #[test]
    fn an_arabic_paragraph_runs_right_to_left() {
        let fonts = fonts();
        let lines = fonts.lines(
            &[Span::new("جمعية الأمل في القاهرة", false)],
            10.0,
            400.0,
            Direction::Auto,
        );
        assert!(lines[0].rtl);
        let names = fonts.lines(
            &[Span::new("جمعية الأمل, Cairo", true)],
            10.0,
            400.0,
            Direction::LeftToRight,
        );
        assert!(!names[0].rtl);
        assert_eq!(names[0].runs.last().unwrap().text, "Cairo");
    }
}
