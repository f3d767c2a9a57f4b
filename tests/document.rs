//! The document for the target: the PDF of the letter and everyone listed under it,
//! read back with a real extractor (poppler's `pdftotext`, installed by scripts/test).

use crate::support;

use support::campaigns::{
    campaign_fields, confirm, create_campaign, listed_names, open_campaign, public_page_once, sign,
    sign_and_confirm,
};
use support::{TestApp, PASSWORD};
use time::Duration;
use unicode_normalization::UnicodeNormalization;

/// Runs a poppler tool on a PDF and returns what it prints.
fn poppler(tool: &str, pdf: &[u8], args: &[&str]) -> String {
    let file = tempfile::Builder::new().suffix(".pdf").tempfile().unwrap();
    std::fs::write(file.path(), pdf).unwrap();
    let path = file.path().to_str().unwrap();
    let output = std::process::Command::new(tool)
        .args(args)
        .arg(path)
        .args(if tool == "pdftotext" {
            &["-"][..]
        } else {
            &[][..]
        })
        .output()
        .unwrap_or_else(|e| panic!("{tool} runs (poppler-utils; ./scripts/test installs it): {e}"));
    assert!(
        output.status.success(),
        "{tool} reads the PDF: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// The text of a PDF as poppler extracts it.
fn pdf_text(pdf: &[u8]) -> String {
    poppler("pdftotext", pdf, &["-enc", "UTF-8"])
}

/// Extracted text without the bidi marks poppler puts around right-to-left runs, with
/// any Arabic presentation forms folded back to letters (NFKC).
fn normalized(text: &str) -> String {
    text.chars()
        .filter(|c| !matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
        .collect::<String>()
        .nfkc()
        .collect()
}

/// Signs, with time moving on between signatures as it does between people (the form
/// takes 5 signatures per address in 5 minutes).
async fn sign_org(app: &TestApp, public: &str, name: &str, email: &str) {
    app.clock.advance(Duration::minutes(2));
    sign_and_confirm(app, public, name, email).await;
}

async fn sign_individual(app: &TestApp, public: &str, name: &str, email: &str, city: &str) {
    app.clock.advance(Duration::minutes(2));
    let r = sign(
        app,
        public,
        &[
            ("kind", "individual"),
            ("name", name),
            ("email", email),
            ("city", city),
            ("affiliation", "Analytical Society"),
        ],
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    confirm(app, email).await;
}

const ORGANIZATIONS: &[(&str, &str)] = &[
    ("Zeta Group", "zeta@example.org"),
    ("Ωμέγα Αθηνών", "omega@example.gr"),
    ("جمعية الأمل", "amal@example.eg"),
    ("绿色和平北京", "lvse@example.cn"),
    ("Ärzte für Umwelt", "aerzte@example.de"),
];

#[tokio::test]
async fn the_pdf_lists_the_letter_and_every_confirmed_signer_in_the_public_order() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let (path, public) = open_campaign(&owner, "river", "water", &[]).await;
    for (name, email) in ORGANIZATIONS {
        sign_org(&app, &public, name, email).await;
    }
    sign_individual(
        &app,
        &public,
        "Björk Guðmundsdóttir",
        "bjork@example.is",
        "Reykjavík",
    )
    .await;
    sign_individual(&app, &public, "Ada Lovelace", "ada@example.org", "London").await;
    // Signed but never confirmed: not listed.
    app.clock.advance(Duration::minutes(2));
    let r = sign(
        &app,
        &public,
        &support::campaigns::organization("Pending Partners", "pending@example.org"),
    )
    .await;
    assert_eq!(r.status, 303);
    // Confirmed, then withdrawn: not listed.
    app.clock.advance(Duration::minutes(2));
    let r = sign(
        &app,
        &public,
        &support::campaigns::organization("Withdrawn Alliance", "gone@example.org"),
    )
    .await;
    assert_eq!(r.status, 303);
    let link = confirm(&app, "gone@example.org").await;
    let withdrawn = app
        .client()
        .post_form(&format!("{link}/withdraw"), &[])
        .await;
    assert_eq!(withdrawn.status, 303);

    let response = owner.get(&format!("{path}/letter.pdf")).await;
    assert_eq!(response.status, 200);
    assert_eq!(response.header("content-type"), Some("application/pdf"));
    assert_eq!(
        response.header("content-disposition"),
        Some("attachment; filename=\"water-letter.pdf\"")
    );
    let (status, pdf) = owner.http_get_bytes(&format!("{path}/letter.pdf")).await;
    assert_eq!(status, 200);
    assert!(pdf.starts_with(b"%PDF-"));

    let raw = pdf_text(&pdf);
    let text = normalized(&raw);
    // The letter, its points, its revision and the day it was made.
    for expected in [
        "Group river",
        "Keep the water clean",
        "Points of unity",
        "Clean water is a right",
        "Polluters pay",
        "Dear Mayor",
        "keep the river clean",
        "Revision 1",
        "25 November 2026",
        "Page 1 of",
        "Signed by 6 organizations",
        "And 2 individuals",
        "Analytical Society (for identification only)",
        "Zeta Group, Springfield",
    ] {
        assert!(text.contains(expected), "{expected:?} in the PDF:\n{raw}");
    }
    // Greek, Chinese and accents come out as the very same text: the fonts carry them
    // with their Unicode mapping. Arabic too, once poppler's bidi marks are set aside.
    for name in [
        "Ωμέγα Αθηνών",
        "绿色和平北京",
        "Ärzte für Umwelt",
        "Björk Guðmundsdóttir",
    ] {
        assert!(raw.contains(name), "{name} extracts as itself:\n{raw}");
    }
    assert!(
        text.contains("جمعية الأمل"),
        "the Arabic name extracts:\n{raw}"
    );
    for gone in ["Pending Partners", "Withdrawn Alliance"] {
        assert!(!text.contains(gone), "{gone} is not listed");
    }

    // The order is the public page's: organizations, then individuals.
    let page = public_page_once(&app, &public, |p| {
        listed_names(&p.body).len() == ORGANIZATIONS.len() + 1
    })
    .await;
    let organizations = listed_names(&page.body);
    assert_eq!(
        organizations,
        [
            "Ärzte für Umwelt",
            "Group river",
            "Zeta Group",
            "Ωμέγα Αθηνών",
            "جمعية الأمل",
            "绿色和平北京"
        ]
    );
    let signers = &text[text.find("Signed by").unwrap()..];
    let mut at = 0;
    for name in organizations.iter().map(String::as_str).chain([
        "And 2 individuals",
        "Ada Lovelace",
        "Björk Guðmundsdóttir",
    ]) {
        let found = signers[at..]
            .find(name)
            .unwrap_or_else(|| panic!("{name} comes after the names before it:\n{signers}"));
        at += found + name.len();
    }

    // The fonts are in the file (subsets), with their Unicode mappings.
    let fonts = poppler("pdffonts", &pdf, &[]);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(rows.len() >= 4, "{fonts}");
    for row in &rows {
        assert!(
            row.contains(" yes yes yes "),
            "embedded, subset, mapped: {row}"
        );
    }
    for family in [
        "NotoSans-Regular",
        "NotoSans-Bold",
        "NotoNaskhArabic",
        "NotoSansCJKsc",
    ] {
        assert!(fonts.contains(family), "{family} in\n{fonts}");
    }
}

#[tokio::test]
async fn the_public_link_is_a_campaign_option_and_members_only_see_their_own() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let (path, public) = open_campaign(&owner, "river", "water", &[]).await;
    sign_org(&app, &public, "Zeta Group", "zeta@example.org").await;
    let pdf_link = format!("{public}/letter.pdf");

    assert_eq!(
        app.client().get(&pdf_link).await.status,
        404,
        "off by default"
    );
    let page = app.client().get(&public).await;
    assert!(!page.body.contains("letter.pdf"));
    let dashboard = owner.get(&path).await;
    assert!(dashboard.body.contains(&format!("{path}/letter.pdf")));
    assert!(dashboard.body.contains("Download the PDF"));

    // Turned on in the settings.
    let settings = owner.get(&format!("{path}/settings")).await;
    assert!(settings.body.contains("name=\"public_pdf\""));
    let mut fields = campaign_fields("Keep the water clean", "water");
    fields.retain(|(k, _)| *k != "letter" && *k != "host_signs");
    fields.push(("public_pdf", "on"));
    let saved = owner.post_form(&format!("{path}/settings"), &fields).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let settings = owner.get(&format!("{path}/settings")).await;
    assert!(settings
        .body
        .contains("name=\"public_pdf\" value=\"on\" checked"));

    let anyone = app.client();
    let response = anyone.get(&pdf_link).await;
    assert_eq!(response.status, 200);
    assert_eq!(response.header("content-type"), Some("application/pdf"));
    let (status, pdf) = anyone.http_get_bytes(&pdf_link).await;
    assert_eq!(status, 200);
    assert!(normalized(&pdf_text(&pdf)).contains("Zeta Group"));
    let page = public_page_once(&app, &public, |p| p.body.contains("letter.pdf")).await;
    assert!(page.body.contains("Download the PDF"));

    // Another group's organizer: nothing, by either address.
    let other = app.signup("lake", "lee@lake.example").await;
    assert_eq!(other.get(&format!("{path}/letter.pdf")).await.status, 404);
    assert_eq!(
        other
            .get("/app/lake/campaigns/water/letter.pdf")
            .await
            .status,
        404
    );
    // Nobody logged in: not the organizers' copy.
    let anonymous = app.client().get(&format!("{path}/letter.pdf")).await;
    assert_eq!(anonymous.status, 303, "to the login page");
    assert!(anonymous
        .location()
        .is_some_and(|l| l.starts_with("/login")));

    // A viewer of the group downloads it.
    assert_eq!(
        owner
            .post_form(
                "/app/river/members/invite",
                &[("email", "vic@river.example"), ("role", "viewer")],
            )
            .await
            .status,
        303
    );
    let link = app.link_mailed_to("vic@river.example", "/invite/").await;
    let viewer = app.client();
    assert_eq!(
        viewer
            .post_form(
                &format!("{link}/signup"),
                &[("name", "Vic"), ("password", PASSWORD)],
            )
            .await
            .status,
        303
    );
    let (status, pdf) = viewer.http_get_bytes(&format!("{path}/letter.pdf")).await;
    assert_eq!(status, 200);
    assert!(pdf.starts_with(b"%PDF-"));

    // Turned off again: gone.
    fields.retain(|(k, _)| *k != "public_pdf");
    let saved = owner.post_form(&format!("{path}/settings"), &fields).await;
    assert_eq!(saved.status, 303);
    assert_eq!(app.client().get(&pdf_link).await.status, 404);
}

#[tokio::test]
async fn a_draft_has_no_public_pdf_even_with_the_option_on() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let path = create_campaign(&owner, "river", "draft", &[("public_pdf", "on")]).await;
    assert_eq!(
        app.client().get("/river/draft/letter.pdf").await.status,
        404
    );
    // The organizers have theirs.
    let (status, pdf) = owner.http_get_bytes(&format!("{path}/letter.pdf")).await;
    assert_eq!(status, 200);
    let text = normalized(&pdf_text(&pdf));
    assert!(
        text.contains("Signed by 1 organization"),
        "the host signed on:\n{text}"
    );
    // Once open, the option it was created with applies.
    let r = support::campaigns::set_status(&owner, &path, "open").await;
    assert_eq!(r.status, 303);
    assert_eq!(
        app.client().get("/river/draft/letter.pdf").await.status,
        200
    );
}

/// A name in each script a coalition's signers write, and one no font has (the bee).
const SCRIPTS: &[&str] = &[
    "Élan Coopérative Société",
    "Ωμέγα Αθηνών",
    "Союз Зелёных",
    "جمعية الأمل",
    "שלום עכשיו",
    "क्षेत्रीय किसान संघ",
    "มูลนิธิสืบนาคะเสถียร",
    "환경운동연합",
    "臺灣聯合會",
    "绿色和平北京",
    "みどりの会ネットワーク",
    "ኢትዮጵያ ማህበር",
    "Հայաստանի Կանաչներ",
    "საქართველოს მწვანეები",
    "Bee 🐝 Collective",
    // 40 hanzi: about 400 pt of the line's 467, so it fits on a line of its own.
    "中华全国妇女联合会臺灣聯合會北京市分会中华全国妇女联合会北京市分会深圳市",
];

/// Every string the PDF's page content streams show (the operands of `Tj` and `TJ`),
/// as two-byte codes: krilla writes every font as a CID font (Identity-H), so each code
/// is a glyph id of an embedded subset, where 0 is the empty glyph (a box).
fn shown_glyph_ids(pdf: &[u8]) -> Vec<u16> {
    use std::io::Read;
    let text = String::from_utf8_lossy(pdf);
    let mut contents: Vec<String> = text
        .split("/Contents ")
        .skip(1)
        .filter_map(|rest| rest.split(" 0 R").next())
        .map(|number| format!("\n{} 0 obj", number.trim()))
        .collect();
    contents.dedup();
    assert!(!contents.is_empty(), "pages have contents");
    let mut ids = Vec::new();
    for object in contents {
        let start = find(pdf, object.as_bytes()).expect("the page's content object");
        let rest = &pdf[start..];
        let at = find(rest, b"stream").expect("a content stream") + 6;
        let body = &rest[at..];
        let body = body
            .strip_prefix(b"\r\n")
            .or(body.strip_prefix(b"\n"))
            .unwrap_or(body);
        let end = find(body, b"endstream").expect("a stream ends");
        let mut content = Vec::new();
        flate2::read::ZlibDecoder::new(&body[..end])
            .read_to_end(&mut content)
            .expect("a compressed content stream");
        ids.extend(shown_codes(&content));
    }
    ids
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The two-byte codes of the strings a content stream shows. Strings inside `<< >>`
/// (the ActualText of a marked-content span) are text, not glyphs, and are skipped.
fn shown_codes(content: &[u8]) -> Vec<u16> {
    let mut codes = Vec::new();
    let mut pending: Vec<Vec<u8>> = Vec::new();
    let (mut dict, mut i) = (0usize, 0usize);
    while i < content.len() {
        match content[i] {
            b'<' if content.get(i + 1) == Some(&b'<') => {
                dict += 1;
                i += 2;
            }
            b'>' if content.get(i + 1) == Some(&b'>') => {
                dict = dict.saturating_sub(1);
                i += 2;
            }
            b'(' => {
                let (string, end) = literal_string(content, i + 1);
                if dict == 0 {
                    pending.push(string);
                }
                i = end;
            }
            b'<' => {
                let end = i + content[i..].iter().position(|&b| b == b'>').unwrap();
                let hex: Vec<u8> = content[i + 1..end]
                    .iter()
                    .filter(|b| b.is_ascii_hexdigit())
                    .copied()
                    .collect();
                let bytes = hex
                    .chunks(2)
                    .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap())
                    .collect();
                if dict == 0 {
                    pending.push(bytes);
                }
                i = end + 1;
            }
            b'T' if matches!(content.get(i + 1), Some(b'j' | b'J')) => {
                for string in pending.drain(..) {
                    assert_eq!(string.len() % 2, 0, "two-byte codes");
                    codes.extend(
                        string
                            .chunks(2)
                            .map(|pair| u16::from_be_bytes([pair[0], pair[1]])),
                    );
                }
                i += 2;
            }
            b if b.is_ascii_alphabetic() && dict == 0 => {
                // Another operator: its operands were not shown text.
                let end = i + content[i..]
                    .iter()
                    .position(|b| !b.is_ascii_alphanumeric() && *b != b'*' && *b != b'\'')
                    .unwrap_or(content.len() - i);
                if !(content[i..end] == *b"TJ" || content[i..end] == *b"Tj") {
                    pending.clear();
                }
                i = end;
            }
            _ => i += 1,
        }
    }
    codes
}

/// A PDF literal string from just after its `(`: its bytes and where it ends.
fn literal_string(content: &[u8], mut i: usize) -> (Vec<u8>, usize) {
    let (mut bytes, mut depth) = (Vec::new(), 0);
    while i < content.len() {
        match content[i] {
            b'\\' => {
                let next = content[i + 1];
                i += 2;
                match next {
                    b'n' => bytes.push(b'\n'),
                    b'r' => bytes.push(b'\r'),
                    b't' => bytes.push(b'\t'),
                    b'b' => bytes.push(8),
                    b'f' => bytes.push(12),
                    b'0'..=b'7' => {
                        let mut value = u32::from(next - b'0');
                        for _ in 0..2 {
                            match content.get(i) {
                                Some(d @ b'0'..=b'7') => {
                                    value = value * 8 + u32::from(d - b'0');
                                    i += 1;
                                }
                                _ => break,
                            }
                        }
                        bytes.push(value as u8);
                    }
                    b'\r' | b'\n' => {}
                    other => bytes.push(other),
                }
                continue;
            }
            b'(' => depth += 1,
            b')' if depth == 0 => return (bytes, i + 1),
            b')' => depth -= 1,
            _ => {}
        }
        bytes.push(content[i]);
        i += 1;
    }
    (bytes, i)
}

#[tokio::test]
async fn names_in_every_script_are_drawn_and_read_back_as_themselves_in_the_page_order() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let (path, public) = open_campaign(&owner, "river", "water", &[]).await;
    for (i, name) in SCRIPTS.iter().enumerate() {
        sign_org(&app, &public, name, &format!("signer{i}@example.org")).await;
    }
    let (status, pdf) = owner.http_get_bytes(&format!("{path}/letter.pdf")).await;
    assert_eq!(status, 200);
    if let Ok(keep) = std::env::var("KEEP_PDF") {
        std::fs::write(keep, &pdf).unwrap();
    }

    // No empty box anywhere: every glyph shown is a real glyph of its font.
    let ids = shown_glyph_ids(&pdf);
    assert!(
        ids.len() > 500,
        "the content streams were read: {} glyphs",
        ids.len()
    );
    let empty = ids.iter().filter(|&&id| id == 0).count();
    assert_eq!(empty, 0, "glyph id 0 drawn {empty} times");

    // Every name reads back exactly, each on its own line, in the public page's order.
    let page = public_page_once(&app, &public, |p| {
        listed_names(&p.body).len() == SCRIPTS.len() + 1
    })
    .await;
    let names = listed_names(&page.body);
    let raw = pdf_text(&pdf);
    let signers: Vec<&str> = raw[raw.find("Signed by 17 organizations").expect(&raw)..]
        .lines()
        .skip(1)
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("Revision ") && !l.starts_with("Page "))
        .collect();
    assert_eq!(signers.len(), names.len(), "one line per signer:\n{raw}");
    for (line, name) in signers.iter().zip(&names) {
        // The host organization signed without a city.
        let expected = match name.as_str() {
            "Group river" => name.clone(),
            _ => format!("{name}, Springfield"),
        };
        if name.chars().any(|c| matches!(c, '\u{590}'..='\u{6FF}')) {
            // Right to left: poppler puts bidi marks around the name.
            assert_eq!(normalized(line), expected, "{line:?}");
        } else {
            assert_eq!(*line, expected);
        }
    }
    for name in SCRIPTS {
        assert!(names.iter().any(|n| n == name), "{name} listed");
    }

    // The families of Debian's packages are embedded, bold where the names are bold.
    let fonts = poppler("pdffonts", &pdf, &[]);
    for family in [
        "NotoSansDevanagari-Bold",
        "NotoSansThai-Bold",
        "NotoSansCJKsc-Bold",
        "NotoSansEthiopic-Bold",
        "NotoSansArmenian-Bold",
        "NotoSansGeorgian-Bold",
        "NotoSansHebrew-Bold",
        "NotoNaskhArabic-Bold",
        "NotoSansCodePoints",
    ] {
        assert!(fonts.contains(family), "{family} in\n{fonts}");
    }
}
