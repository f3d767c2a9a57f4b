//! Text into positioned glyphs for the PDF: every cluster of characters (a letter and
//! its marks) takes the first font of a fallback chain that has all of it, runs are
//! shaped with rustybuzz (Arabic letters join and run right to left, Indic letters
//! reorder and form conjuncts), put in visual order by the Unicode bidi algorithm, and
//! broken into lines at the Unicode line-break opportunities (between words, and between
//! CJK ideographs, which have no spaces), never inside a name that fits on a line.
//!
//! The chain (see `fonts/README.md`): Noto Sans, Arabic and Hebrew and a Chinese subset
//! are built into the binary; every other script comes from Debian's `fonts-noto-core`
//! and `fonts-noto-cjk`, read from disk the first time a character needs them and kept
//! for the life of the process. A character no font has is drawn as its code point
//! ("U+1F41D") in a small font of its own, never as an empty box.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use krilla::text::{Font, GlyphId, KrillaGlyph};
use unicode_bidi::{BidiInfo, Level};

/// Where a face's bytes come from.
#[derive(Clone, Copy)]
enum Source {
    /// Committed in `fonts/` and built into the binary.
    Embedded(&'static [u8]),
    /// A file of Debian's Noto packages (in one of `SYSTEM_DIRS`), and its index when
    /// it is a collection.
    System(&'static str, u32),
}

use Source::{Embedded, System};

/// Where `fonts-noto-core` (TrueType) and `fonts-noto-cjk` (OpenType collections) put
/// their files.
const SYSTEM_DIRS: &[&str] = &[
    "/usr/share/fonts/truetype/noto",
    "/usr/share/fonts/opentype/noto",
];

/// A family of the chain: its regular face and, where there is one, its bold face.
struct Family {
    name: &'static str,
    regular: Source,
    bold: Option<Source>,
}

const fn family(name: &'static str, regular: Source, bold: Option<Source>) -> Family {
    Family {
        name,
        regular,
        bold,
    }
}

/// A script's Noto Sans family in Debian's `fonts-noto-core`, regular and bold.
macro_rules! core {
    ($name:literal) => {
        family(
            concat!("Noto Sans ", $name),
            System(concat!("NotoSans", $name, "-Regular.ttf"), 0),
            Some(System(concat!("NotoSans", $name, "-Bold.ttf"), 0)),
        )
    };
    ($name:literal, regular only) => {
        family(
            concat!("Noto Sans ", $name),
            System(concat!("NotoSans", $name, "-Regular.ttf"), 0),
            None,
        )
    };
}

/// Noto Sans CJK SC in the collections of `fonts-noto-cjk` (face 2 of each: simplified
/// Chinese forms by default; every face has the same characters: Hangul, kana,
/// traditional and simplified hanzi).
const CJK_FACE: u32 = 2;

/// The fallback chain, in the order a cluster looks for itself in it. Noto Sans comes
/// first (so Latin, Greek and Cyrillic, digits and punctuation are always drawn alike),
/// the big CJK collection comes last of Debian's (so a name in Thai never reads 20 MB),
/// then the Chinese subset built in, for a machine without `fonts-noto-cjk`.
const FAMILIES: &[Family] = &[
    family(
        "Noto Sans",
        Embedded(include_bytes!("../../../fonts/NotoSans-Regular.ttf")),
        Some(Embedded(include_bytes!("../../../fonts/NotoSans-Bold.ttf"))),
    ),
    family(
        "Noto Naskh Arabic",
        Embedded(include_bytes!("../../../fonts/NotoNaskhArabic-Regular.ttf")),
        Some(System("NotoNaskhArabic-Bold.ttf", 0)),
    ),
    family(
        "Noto Sans Hebrew",
        Embedded(include_bytes!("../../../fonts/NotoSansHebrew-Regular.ttf")),
        Some(System("NotoSansHebrew-Bold.ttf", 0)),
    ),
    core!("Devanagari"),
    core!("Bengali"),
    core!("Gurmukhi"),
    core!("Gujarati"),
    core!("Oriya"),
    core!("Tamil"),
    core!("Telugu"),
    core!("Kannada"),
    core!("Malayalam"),
    core!("Sinhala"),
    core!("Thai"),
    core!("Lao"),
    core!("Khmer"),
    core!("Myanmar"),
    core!("Ethiopic"),
    core!("Armenian"),
    core!("Georgian"),
    family(
        "Noto Serif Tibetan",
        System("NotoSerifTibetan-Regular.ttf", 0),
        Some(System("NotoSerifTibetan-Bold.ttf", 0)),
    ),
    core!("Thaana"),
    core!("Syriac", regular only),
    core!("Mongolian", regular only),
    core!("Cherokee"),
    core!("CanadianAboriginal"),
    core!("Tifinagh", regular only),
    core!("NKo", regular only),
    core!("Adlam"),
    core!("Vai", regular only),
    core!("Javanese"),
    core!("Balinese"),
    core!("Sundanese"),
    core!("Yi", regular only),
    core!("Symbols"),
    core!("Symbols2", regular only),
    core!("Math", regular only),
    family(
        "Noto Sans CJK SC",
        System("NotoSansCJK-Regular.ttc", CJK_FACE),
        Some(System("NotoSansCJK-Bold.ttc", CJK_FACE)),
    ),
    family(
        "Noto Sans CJK SC (GB 2312)",
        Embedded(include_bytes!(
            "../../../fonts/NotoSansCJKsc-Regular-GB2312.otf"
        )),
        None,
    ),
];

/// Faces are numbered `2 * family + bold`.
const REGULAR: usize = 0;
const BOLD: usize = 1;
/// The face that writes code points ("U+0E01") for a cluster no font has.
const CODE_POINTS: usize = 2 * FAMILIES.len();
const CODE_POINTS_FONT: &[u8] = include_bytes!("../../../fonts/NotoSansCodePoints-Regular.ttf");

struct FontFile {
    /// For the PDF (krilla embeds the subset of glyphs drawn).
    pdf: Font,
    /// For shaping.
    face: rustybuzz::Face<'static>,
    /// The characters the face draws (a set: faster than the font's own cmap lookup).
    covers: HashSet<char>,
    units_per_em: f32,
}

/// A shaping plan is slow to make and depends on the font, direction, script and language.
type PlanKey = (usize, bool, rustybuzz::Script, Option<String>);

pub struct Fonts {
    /// Every face, by number; each read the first time a cluster asks for it (`None`
    /// when its file is missing or unreadable).
    files: Vec<OnceLock<Option<FontFile>>>,
    plans: Mutex<HashMap<PlanKey, Arc<rustybuzz::ShapePlan>>>,
}

/// The fonts, shared by the whole process (a face is read once, and krilla hashes a
/// font's bytes when it is made).
pub fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| Fonts {
        files: (0..=CODE_POINTS).map(|_| OnceLock::new()).collect(),
        plans: Mutex::new(HashMap::new()),
    })
}

fn source(face: usize) -> Option<Source> {
    if face == CODE_POINTS {
        return Some(Embedded(CODE_POINTS_FONT));
    }
    let family = FAMILIES.get(face / 2)?;
    if face % 2 == BOLD {
        family.bold
    } else {
        Some(family.regular)
    }
}

/// The name of a face, for messages and tests.
pub fn face_name(face: usize) -> String {
    match FAMILIES.get(face / 2) {
        _ if face == CODE_POINTS => "code points".to_owned(),
        Some(family) if face % 2 == BOLD => format!("{} Bold", family.name),
        Some(family) => family.name.to_owned(),
        None => format!("face {face}"),
    }
}

/// Reads a face. A missing file is not an error for the document: its characters go to
/// the next font of the chain, or are drawn as code points, and the log says once which
/// package brings it.
fn load(face: usize) -> Option<FontFile> {
    read(source(face)?, &face_name(face))
}

fn read(source: Source, name: &str) -> Option<FontFile> {
    let (data, index): (&'static [u8], u32) = match source {
        Embedded(data) => (data, 0),
        System(file, index) => {
            let Some(path) = SYSTEM_DIRS
                .iter()
                .map(|dir| Path::new(dir).join(file))
                .find(|path| path.is_file())
            else {
                let package = if file.contains("CJK") {
                    "fonts-noto-cjk"
                } else {
                    "fonts-noto-core"
                };
                tracing::warn!(
                    "font {file} not found in {}: the PDF draws what it covers with another \
                     font or as code points (install Debian's {package})",
                    SYSTEM_DIRS.join(" or ")
                );
                return None;
            };
            match std::fs::read(&path) {
                // Read once per process and kept: a face lives as long as the program.
                Ok(bytes) => (Box::leak(bytes.into_boxed_slice()), index),
                Err(e) => {
                    tracing::warn!("font {} could not be read: {e}", path.display());
                    return None;
                }
            }
        }
    };
    let parsed = rustybuzz::Face::from_slice(data, index)
        .and_then(|face| Some((Font::new(data.into(), index)?, face)));
    let Some((pdf, face_data)) = parsed else {
        tracing::warn!("font {name} is not a font the PDF can use");
        return None;
    };
    let mut covers = HashSet::new();
    if let Some(cmap) = face_data.tables().cmap {
        for subtable in cmap.subtables.into_iter().filter(|s| s.is_unicode()) {
            subtable.codepoints(|code| {
                let mapped = subtable.glyph_index(code).is_some_and(|glyph| glyph.0 != 0);
                if let (Some(c), true) = (char::from_u32(code), mapped) {
                    covers.insert(c);
                }
            });
        }
    }
    Some(FontFile {
        pdf,
        units_per_em: face_data.units_per_em() as f32,
        face: face_data,
        covers,
    })
}

/// Characters a shaper handles without the font having them (joiners, variation
/// selectors, bidi controls, the soft hyphen): they never decide a font.
fn ignorable(c: char) -> bool {
    matches!(c,
        '\u{AD}' | '\u{34F}' | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{FE00}'..='\u{FE0F}'
        | '\u{FEFF}' | '\u{E0100}'..='\u{E01EF}')
}

/// The language of a run of the CJK faces, where the text tells it: with kana it is
/// Japanese, with Hangul Korean, and the font's `locl` feature then draws the hanzi
/// (kanji, hanja) in that language's forms rather than the simplified Chinese ones.
fn cjk_language(face: usize, text: &str) -> Option<rustybuzz::Language> {
    if !FAMILIES.get(face / 2)?.name.starts_with("Noto Sans CJK") {
        return None;
    }
    let kana = |c: char| matches!(c, '\u{3040}'..='\u{30FF}' | '\u{31F0}'..='\u{31FF}' | '\u{FF66}'..='\u{FF9F}');
    let hangul = |c: char| matches!(c, '\u{1100}'..='\u{11FF}' | '\u{3130}'..='\u{318F}' | '\u{AC00}'..='\u{D7AF}');
    let language = if text.chars().any(kana) {
        "ja"
    } else if text.chars().any(hangul) {
        "ko"
    } else {
        return None;
    };
    language.parse().ok()
}

/// Where `text`'s clusters start: a character with the marks, joiners and variation
/// selectors after it is drawn by one font.
fn cluster_starts(text: &str) -> impl Iterator<Item = usize> + '_ {
    let mut previous: Option<char> = None;
    text.char_indices().filter_map(move |(i, c)| {
        let joined = previous.is_some_and(|p| p == '\u{200D}')
            || unicode_normalization::char::is_combining_mark(c)
            || (ignorable(c) && c != '\u{200B}');
        previous = Some(c);
        (i == 0 || !joined).then_some(i)
    })
}

/// A piece of a paragraph's text, bold or not.
pub struct Span {
    pub text: String,
    pub bold: bool,
    /// Kept on one line when it fits on one (a signer's name): the line breaks before
    /// it rather than inside it, even where the rules would allow a break (between two
    /// hanzi, or between words).
    pub unbroken: bool,
}

impl Span {
    pub fn new(text: impl Into<String>, bold: bool) -> Self {
        Span {
            text: text.into(),
            bold,
            unbroken: false,
        }
    }

    /// A name: bold, and never broken across lines unless it is wider than a line.
    pub fn name(text: impl Into<String>) -> Self {
        Span {
            unbroken: true,
            ..Span::new(text, true)
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
    /// A face, read the first time it is asked for; `None` when it cannot be had.
    fn file(&self, face: usize) -> Option<&FontFile> {
        self.files.get(face)?.get_or_init(|| load(face)).as_ref()
    }

    pub fn pdf_font(&self, face: usize) -> Option<Font> {
        self.file(face).map(|file| file.pdf.clone())
    }

    /// Whether `face` draws every character of `cluster`.
    fn covers(&self, face: usize, cluster: &str) -> bool {
        self.file(face).is_some_and(|file| {
            cluster
                .chars()
                .all(|c| ignorable(c) || file.covers.contains(&c))
        })
    }

    /// The faces a cluster tries, in order: each family's bold face (where the text is
    /// bold and the family has one) before its regular face.
    fn chain(bold: bool) -> impl Iterator<Item = usize> {
        (0..FAMILIES.len()).flat_map(move |family| {
            let regular = 2 * family;
            let bold = (bold && FAMILIES[family].bold.is_some()).then_some(regular + BOLD);
            bold.into_iter().chain([regular])
        })
    }

    /// The face for a cluster: spaces and punctuation stay with the family of the text
    /// before them when it has them (so a phrase of Arabic words is one run), in the
    /// weight of their own text; anything else takes the first face of the chain that
    /// has the whole cluster, and a cluster that none has is written as code points.
    fn pick(&self, cluster: &str, bold: bool, previous: Option<usize>) -> usize {
        let neutral = cluster.chars().next().is_some_and(|c| !c.is_alphanumeric());
        if let (true, Some(previous)) = (neutral, previous) {
            if previous != CODE_POINTS {
                let family = previous / 2;
                let weighted = if bold && FAMILIES[family].bold.is_some() {
                    2 * family + BOLD
                } else {
                    2 * family
                };
                if let Some(face) = [weighted, previous]
                    .into_iter()
                    .find(|&face| self.covers(face, cluster))
                {
                    return face;
                }
            }
        }
        Self::chain(bold)
            .find(|&face| self.covers(face, cluster))
            .unwrap_or(CODE_POINTS)
    }

    /// Shapes `text` in one font and direction; advances are per em.
    fn shape(&self, text: &str, font: usize, rtl: bool) -> Vec<KrillaGlyph> {
        if font == CODE_POINTS {
            return self.code_points(text, rtl);
        }
        let Some(file) = self.file(font) else {
            return Vec::new();
        };
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.guess_segment_properties();
        if let Some(language) = cjk_language(font, text) {
            buffer.set_language(language);
        }
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

    /// Clusters no font has, each written as its code points ("U+1F41D") in a font of
    /// its own. All the glyphs of a label map to the cluster's text, so krilla marks them
    /// with ActualText and the PDF still reads (and copies) as the original characters;
    /// the label font being used for nothing else, no other text's mapping is disturbed.
    fn code_points(&self, text: &str, rtl: bool) -> Vec<KrillaGlyph> {
        let Some(file) = self.file(CODE_POINTS) else {
            return Vec::new();
        };
        let starts: Vec<usize> = cluster_starts(text).chain([text.len()]).collect();
        let mut clusters: Vec<Range<usize>> = starts.windows(2).map(|w| w[0]..w[1]).collect();
        if rtl {
            clusters.reverse();
        }
        let last = clusters.len().saturating_sub(1);
        let mut glyphs = Vec::new();
        for (n, range) in clusters.into_iter().enumerate() {
            let mut label: Vec<String> = text[range.clone()]
                .chars()
                .filter(|&c| !ignorable(c))
                .map(|c| format!("U+{:04X}", c as u32))
                .collect();
            if n < last {
                label.push(String::new());
            }
            let mut buffer = rustybuzz::UnicodeBuffer::new();
            buffer.push_str(&label.join(" "));
            buffer.set_direction(rustybuzz::Direction::LeftToRight);
            let output = rustybuzz::shape(&file.face, &[], buffer);
            for (info, position) in output.glyph_infos().iter().zip(output.glyph_positions()) {
                glyphs.push(KrillaGlyph::new(
                    GlyphId::new(info.glyph_id),
                    position.x_advance as f32 / file.units_per_em,
                    0.0,
                    0.0,
                    0.0,
                    range.clone(),
                    None,
                ));
            }
        }
        glyphs
    }

    /// Lays out a paragraph at `size` points into lines at most `width` wide. A `\n`
    /// in the text breaks the line there.
    pub fn lines(&self, spans: &[Span], size: f32, width: f32, direction: Direction) -> Vec<Line> {
        let mut text = String::new();
        let mut bold = Vec::new();
        let mut unbroken = Vec::new();
        for span in spans {
            if span.unbroken {
                unbroken.push(text.len()..text.len() + span.text.len());
            }
            text.push_str(&span.text);
            bold.extend(std::iter::repeat_n(span.bold, span.text.len()));
        }
        let mut lines = Vec::new();
        let mut offset = 0;
        for piece in text.split('\n') {
            let end = offset + piece.len();
            let flags = &bold[offset..end];
            let kept: Vec<Range<usize>> = unbroken
                .iter()
                .map(|r| r.start.max(offset) - offset..r.end.min(end).max(offset) - offset)
                .filter(|r| !r.is_empty())
                .collect();
            self.paragraph(piece, flags, &kept, size, width, direction, &mut lines);
            offset = end + 1;
        }
        lines
    }

    #[allow(clippy::too_many_arguments)]
    fn paragraph(
        &self,
        text: &str,
        bold: &[bool],
        unbroken: &[Range<usize>],
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
        let starts: Vec<usize> = cluster_starts(text).chain([text.len()]).collect();
        for cluster in starts.windows(2) {
            let font = self.pick(&text[cluster[0]..cluster[1]], bold[cluster[0]], previous);
            fonts[cluster[0]..cluster[1]].fill(font);
            previous = Some(font);
        }

        // How wide each stretch is, from shaping the whole paragraph once.
        let mut advance = vec![0.0f32; text.len() + 1];
        // Where a shaped cluster starts: a word wider than a line is cut only there.
        let mut cuttable = vec![false; text.len() + 1];
        cuttable[text.len()] = true;
        let mut shaped = HashMap::new();
        for item in items(0..text.len(), &bidi.levels, &fonts) {
            let rtl = bidi.levels[item.start].is_rtl();
            let glyphs = self.shape(&text[item.clone()], fonts[item.start], rtl);
            for glyph in &glyphs {
                advance[item.start + glyph.text_range.start + 1] += glyph.x_advance * size;
                cuttable[item.start + glyph.text_range.start] = true;
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
        // A break inside a name that fits on a line is no break: the line breaks before
        // the name instead.
        let inside_kept = |at: usize| {
            unbroken.iter().any(|kept| {
                kept.start < at && at < kept.end && width(kept.start, kept.end) <= max_width
            })
        };
        let breaks = unicode_linebreak::linebreaks(text).filter(|&(at, _)| !inside_kept(at));
        for (at, _) in breaks {
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
                for end in (start + 1..=at).filter(|&end| cuttable[end]) {
                    if cut > start && advance[end] - advance[start] > max_width {
                        break;
                    }
                    cut = end;
                }
                if cut == start {
                    cut = at;
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

    /// The faces and glyph ids a paragraph was set with, by run.
    fn placed(lines: &[Line]) -> Vec<(String, &str, Vec<u32>)> {
        lines
            .iter()
            .flat_map(|l| &l.runs)
            .filter(|r| !r.text.trim().is_empty())
            .map(|r| {
                let ids = r.glyphs.iter().map(|g| g.glyph_id.to_u32()).collect();
                (face_name(r.font), r.text.trim(), ids)
            })
            .collect()
    }

    /// Names in the scripts signers type, each with the face that draws it.
    const SCRIPTS: &[(&str, &str)] = &[
        ("Ärzte für Umwelt Ωμέγα Αθηνών Союз", "Noto Sans"),
        ("جمعية الأمل", "Noto Naskh Arabic"),
        ("שלום עכשיו", "Noto Sans Hebrew"),
        ("भारतीय किसान संघ", "Noto Sans Devanagari"),
        ("মানবাধিকার", "Noto Sans Bengali"),
        ("தமிழ் சங்கம்", "Noto Sans Tamil"),
        ("มูลนิธิสืบนาคะเสถียร", "Noto Sans Thai"),
        ("ኢትዮጵያ", "Noto Sans Ethiopic"),
        ("Հայաստան", "Noto Sans Armenian"),
        ("საქართველო", "Noto Sans Georgian"),
        ("환경운동연합", "Noto Sans CJK SC"),
        ("臺灣聯合會", "Noto Sans CJK SC"),
        ("绿色和平", "Noto Sans CJK SC"),
        ("みどりの会", "Noto Sans CJK SC"),
    ];

    #[test]
    fn every_script_finds_its_font_and_no_glyph_is_empty() {
        let fonts = fonts();
        for bold in [false, true] {
            for &(name, family) in SCRIPTS {
                let lines = fonts.lines(&[Span::new(name, bold)], 10.0, 1000.0, Direction::Auto);
                assert_eq!(lines.len(), 1, "{name}");
                let runs = placed(&lines);
                let weight = if bold { " Bold" } else { "" };
                // Arabic and Hebrew regular are built in; their bold comes from Debian.
                let expected = format!("{family}{weight}");
                for (face, text, ids) in &runs {
                    assert_eq!(face, &expected, "{text:?} of {name:?}");
                    assert!(
                        ids.iter().all(|&id| id != 0),
                        "no empty box in {text:?}: {ids:?}"
                    );
                }
                let text: String = lines[0].runs.iter().map(|r| r.text.as_str()).collect();
                assert_eq!(text, name, "every character is drawn once");
            }
        }
    }

    #[test]
    fn a_character_no_font_has_is_written_as_its_code_point() {
        let fonts = fonts();
        let lines = fonts.lines(
            &[Span::new("Bee \u{1F41D}\u{1F41D} Alliance", true)],
            10.0,
            1000.0,
            Direction::LeftToRight,
        );
        let runs = placed(&lines);
        assert_eq!(runs[1].0, "code points", "{runs:?}");
        // "U+1F41D U+1F41D": two labels with a space between, every glyph a real one.
        assert_eq!(runs[1].2.len(), 15);
        assert!(runs.iter().all(|(_, _, ids)| ids.iter().all(|&id| id != 0)));
        let label = &lines[0]
            .runs
            .iter()
            .find(|r| r.font == CODE_POINTS)
            .unwrap();
        assert_eq!(label.text, "\u{1F41D}\u{1F41D}");
        // Each label carries its character: the PDF's text is the original.
        assert!(label.glyphs[..7].iter().all(|g| g.text_range == (0..4)));
        assert!(label.glyphs[8..].iter().all(|g| g.text_range == (4..8)));
    }

    #[test]
    fn kanji_beside_kana_take_their_japanese_forms() {
        let fonts = fonts();
        let glyph = |text: &str| {
            let lines = fonts.lines(&[Span::new(text, false)], 10.0, 500.0, Direction::Auto);
            lines[0].runs[0].glyphs[0].glyph_id.to_u32()
        };
        // 直 is drawn differently in Japan and in mainland China.
        assert_ne!(glyph("直美の会"), glyph("直美会"));
        assert_eq!(glyph("直美会"), glyph("直"));
    }

    #[test]
    fn a_missing_font_file_is_skipped_not_fatal() {
        assert!(read(System("NotoSansNowhere-Regular.ttf", 0), "nowhere").is_none());
        assert!(read(Embedded(b"not a font"), "garbage").is_none());
    }

    #[test]
    fn a_name_that_fits_is_never_broken() {
        let fonts = fonts();
        let name = "中华全国妇女联合会臺灣聯合會北京市分会";
        let spans = [
            Span::name(name),
            Span::new(", 北京市 — 联系人张三李四王五赵六", false),
        ];
        // 20 hanzi at 10 pt: about 200 pt wide, on lines of 260 pt.
        for prefix in ["", "一", "一二三四五六七八九十"] {
            let mut spans: Vec<Span> = spans
                .iter()
                .map(|s| Span {
                    text: s.text.clone(),
                    ..*s
                })
                .collect();
            spans.insert(0, Span::new(prefix, false));
            let lines = fonts.lines(&spans, 10.0, 260.0, Direction::LeftToRight);
            let texts = line_texts(&lines);
            assert!(
                texts.iter().any(|l| l.contains(name)),
                "{name} whole in {texts:?}"
            );
            assert!(lines.iter().all(|l| l.width <= 260.0));
        }
        // Wider than a line, it breaks between hanzi rather than overflow.
        let lines = fonts.lines(
            &[Span::name(name.repeat(3))],
            10.0,
            260.0,
            Direction::LeftToRight,
        );
        assert!(lines.len() >= 3 && lines.iter().all(|l| l.width <= 260.0));
        // The same for words: "Björk Guðmundsdóttir" moves down whole.
        let lines = fonts.lines(
            &[
                Span::new("Signed by the undersigned ", false),
                Span::name("Björk Guðmundsdóttir"),
            ],
            10.0,
            170.0,
            Direction::LeftToRight,
        );
        assert_eq!(line_texts(&lines).last().unwrap(), "Björk Guðmundsdóttir");
    }

    #[test]
    fn a_long_word_is_cut_between_clusters_only() {
        let fonts = fonts();
        // Devanagari syllables (a conjunct, a vowel sign before its consonant) stay whole.
        let word = "क्षत्रियकिसानसंघ".repeat(6);
        let lines = fonts.lines(
            &[Span::new(word.clone(), false)],
            10.0,
            60.0,
            Direction::LeftToRight,
        );
        assert!(lines.len() > 2);
        let texts = line_texts(&lines);
        assert_eq!(texts.concat(), word);
        for text in &texts {
            let first = text.chars().next().unwrap();
            assert!(
                !unicode_normalization::char::is_combining_mark(first),
                "{texts:?}"
            );
            assert!(!text.starts_with('\u{94D}'), "{texts:?}");
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
