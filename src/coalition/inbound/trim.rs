//! What of an emailed message goes into the archive: the member's own words, without the
//! quoted message they replied to, the client's attribution line ("On … wrote:"),
//! Outlook's copied headers, or their signature; HTML turned into sanitized text; and the
//! result made safe to store as Markdown. Pure functions, tested below.

/// Lines that end an attribution ("On Mon, 7 Dec 2026, Maya <maya@x.org> wrote:"), in the
/// languages mail clients most often write them in. Compared lowercase, trailing spaces off.
const ATTRIBUTION_ENDINGS: &[&str] = &[
    "wrote:",
    "wrote :",
    "a écrit :",
    "a écrit:",
    "schrieb:",
    "escribió:",
    "ha scritto:",
    "escreveu:",
    "schreef:",
    "skrev:",
    "pisze:",
    "napisał:",
    "kirjoitti:",
    "írta:",
    "yazdı:",
    "написал:",
    "написал(а):",
    "写道：",
    "写道:",
];

/// How attributions begin, for the first half of one a client wrapped over two lines.
const ATTRIBUTION_OPENERS: &[&str] = &[
    "on ", "le ", "am ", "el ", "il ", "em ", "op ", "den ", "på ", "w dniu ", "dne ",
];

/// The separator lines Outlook, Thunderbird and others put above a copied message.
const ORIGINAL_MESSAGE_MARKERS: &[&str] = &[
    "original message",
    "ursprüngliche nachricht",
    "message d'origine",
    "mensaje original",
    "messaggio originale",
    "mensagem original",
    "oorspronkelijk bericht",
    "forwarded message",
    "message transféré",
];

/// Outlook's copied header block: "From: …" then, within a few lines, "Sent: …".
const OUTLOOK_FROM: &[&str] = &[
    "from:", "de :", "de:", "von:", "da:", "van:", "från:", "fra:",
];
const OUTLOOK_SENT: &[&str] = &[
    "sent:",
    "date:",
    "envoyé :",
    "envoyé:",
    "gesendet:",
    "enviado:",
    "inviato:",
    "verzonden:",
    "skickat:",
    "sendt:",
];

/// Mobile and webmail taglines: a signature though no "-- " sets them off.
const TAGLINES: &[&str] = &[
    "sent from my ",
    "sent from mail for ",
    "sent from yahoo mail",
    "sent from outlook",
    "sent from samsung",
    "sent with proton mail",
    "sent via ",
    "get outlook for ",
    "envoyé de mon ",
    "envoyé depuis ",
    "von meinem ",
    "gesendet von ",
    "enviado desde mi ",
    "enviado do meu ",
    "inviato da ",
    "verzonden vanaf ",
];

fn lower(line: &str) -> String {
    line.trim().to_lowercase()
}

fn is_quoted(line: &str) -> bool {
    line.trim_start().starts_with('>')
}

/// The verbs of attributions that put the writer's name last ("Am … schrieb Maya:").
const ATTRIBUTION_VERBS: &[&str] = &[
    " wrote ",
    " schrieb ",
    " skrev ",
    " schreef ",
    " a écrit ",
    " escribió ",
    " ha scritto ",
    " escreveu ",
    " pisze ",
    " napisał ",
];

fn is_attribution_end(line: &str) -> bool {
    let l = lower(line);
    ATTRIBUTION_ENDINGS.iter().any(|e| l.ends_with(e))
        || (l.ends_with(':') && ATTRIBUTION_VERBS.iter().any(|v| l.contains(v)))
}

fn opens_attribution(line: &str) -> bool {
    let l = lower(line);
    ATTRIBUTION_OPENERS.iter().any(|o| l.starts_with(o))
}

fn is_signature_delimiter(line: &str) -> bool {
    line.trim_end() == "--"
}

fn is_original_marker(line: &str) -> bool {
    let l = lower(line);
    let dashed = (l.starts_with("---") || l.starts_with("___") || l.starts_with("==="))
        && ORIGINAL_MESSAGE_MARKERS.iter().any(|m| l.contains(m));
    // Outlook's long underscore rule above its copied headers.
    let rule = l.len() >= 20 && l.chars().all(|c| c == '_');
    dashed || rule || l == "begin forwarded message:"
}

fn starts_outlook_block(lines: &[&str], at: usize) -> bool {
    let l = lower(lines[at]);
    if !OUTLOOK_FROM.iter().any(|f| l.starts_with(f)) {
        return false;
    }
    lines[at + 1..]
        .iter()
        .take(4)
        .any(|next| OUTLOOK_SENT.iter().any(|s| lower(next).starts_with(s)))
}

fn is_tagline(line: &str) -> bool {
    let l = lower(line);
    TAGLINES.iter().any(|t| l.starts_with(t)) && l.len() < 80
}

/// The member's own words of a plain-text message: quoted lines, attributions, copied
/// Outlook headers and everything under a signature delimiter or an "Original Message"
/// separator are dropped; mobile taglines at the end too. Interleaved answers between
/// quoted lines are kept.
pub fn trim_reply(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<&str> = text.split('\n').collect();

    // Where the copied message or the signature starts: nothing after it is the member's.
    let cut = (0..lines.len())
        .find(|&i| {
            is_signature_delimiter(lines[i])
                || is_original_marker(lines[i])
                || starts_outlook_block(&lines, i)
        })
        .unwrap_or(lines.len());
    let lines = &lines[..cut];

    let mut kept: Vec<&str> = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        if is_quoted(line) {
            continue;
        }
        if is_attribution_end(line) && followed_by_quote_or_nothing(&lines[i + 1..]) {
            // The first half of an attribution wrapped over two lines goes too.
            if !opens_attribution(line) {
                if let Some(previous) = kept.last() {
                    if opens_attribution(previous) {
                        kept.pop();
                    }
                }
            }
            continue;
        }
        kept.push(line);
    }
    while kept
        .last()
        .is_some_and(|l| l.trim().is_empty() || is_tagline(l))
    {
        kept.pop();
    }

    let mut out = String::with_capacity(text.len());
    let mut blank_run = 0;
    for line in kept {
        if line.trim().is_empty() {
            blank_run += 1;
            if blank_run > 1 || out.is_empty() {
                continue;
            }
        } else {
            blank_run = 0;
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out.trim().to_owned()
}

fn followed_by_quote_or_nothing(rest: &[&str]) -> bool {
    match rest.iter().find(|l| !l.trim().is_empty()) {
        None => true,
        Some(next) => is_quoted(next),
    }
}

/// An HTML body as text: sanitized first (scripts, styles and quoted blocks dropped with
/// their content, every other tag but line-making ones removed), then turned into text.
/// The HTML itself is never kept.
pub fn html_to_text(html: &str) -> String {
    use std::collections::HashSet;
    let block_tags: HashSet<&str> = [
        "p", "br", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "pre",
    ]
    .into_iter()
    .collect();
    let dropped: HashSet<&str> = ["script", "style", "head", "title", "blockquote"]
        .into_iter()
        .collect();
    let clean = ammonia::Builder::empty()
        .tags(block_tags)
        .tag_attributes(std::collections::HashMap::new())
        .generic_attributes(HashSet::new())
        .clean_content_tags(dropped)
        .clean(html)
        .to_string();
    // Each block ends its line, so the text keeps the writer's paragraphs.
    let mut lined = clean.clone();
    for tag in [
        "</div>", "</li>", "</tr>", "</h1>", "</h2>", "</h3>", "</h4>", "</h5>", "</h6>", "</pre>",
    ] {
        lined = lined.replace(tag, "<br>");
    }
    lined = lined.replace("<li>", "<li>- ").replace("</p>", "</p><br>");
    let text = mail_parser::decoders::html::html_to_text(&lined);
    // Gmail's HTML keeps its "On … wrote:" inside a div of its own; trimming removes it.
    let mut out = String::with_capacity(text.len());
    for line in text.split('\n') {
        out.push_str(line.trim());
        out.push('\n');
    }
    out
}

/// Text made safe to store as Markdown: anything that could open an HTML tag, comment or
/// declaration is escaped (the archive renders Markdown sanitized anyway), and control
/// characters that PostgreSQL or a page cannot hold are dropped.
pub fn markdown_safe(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '<' if chars
                .peek()
                .is_some_and(|n| n.is_ascii_alphabetic() || matches!(n, '/' | '!' | '?')) =>
            {
                out.push_str("&lt;");
            }
            c if c.is_control() && !matches!(c, '\n' | '\t') => {}
            c => out.push(c),
        }
    }
    out
}

/// The subject as the archive shows it: "Re:", "Fwd:" (and their translations) and the
/// list's "[Name]" tag taken off the front, however many times they repeat.
pub fn clean_subject(subject: &str, list_name: Option<&str>) -> String {
    const PREFIXES: &[&str] = &[
        "re:", "re :", "fwd:", "fw:", "aw:", "wg:", "sv:", "vs:", "antw:", "r:", "rif:", "tr:",
        "réf:", "ref:", "odp:", "enc:", "rv:",
    ];
    let mut s = subject.trim();
    loop {
        let l = s.to_lowercase();
        if let Some(p) = PREFIXES.iter().find(|p| l.starts_with(*p)) {
            s = s[p.len()..].trim_start();
            continue;
        }
        if s.starts_with('[') {
            if let Some(end) = s.find(']') {
                let tag = s[1..end].trim();
                let ours = list_name.is_some_and(|name| tag.eq_ignore_ascii_case(name.trim()));
                if ours {
                    s = s[end + 1..].trim_start();
                    continue;
                }
            }
        }
        break;
    }
    s.chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect::<String>()
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gmail_top_posting_keeps_the_answer_only() {
        let text = "Yes, count us in for Tuesday.\r\n\r\nOn Mon, Dec 7, 2026 at 10:02 AM Maya Okafor <maya@ohio.org>\r\nwrote:\r\n\r\n> Who can come to the hearing?\r\n> Maya\r\n";
        assert_eq!(trim_reply(text), "Yes, count us in for Tuesday.");
    }

    #[test]
    fn attributions_in_other_languages() {
        for attribution in [
            "Le lun. 7 déc. 2026 à 10:02, Maya <maya@ohio.org> a écrit :",
            "Am 07.12.2026 um 10:02 schrieb Maya Okafor:",
            "El lun, 7 dic 2026 a las 10:02, Maya escribió:",
            "Il giorno lun 7 dic 2026, Maya ha scritto:",
            "Op ma 7 dec. 2026 om 10:02 schreef Maya:",
        ] {
            let text = format!("D'accord.\n\n{attribution}\n> Qui vient ?\n");
            assert_eq!(trim_reply(&text), "D'accord.", "{attribution}");
        }
    }

    #[test]
    fn outlook_copied_headers_and_separators_cut() {
        let text = "Agreed.\n\nBest,\nSam\n\n-----Original Message-----\nFrom: Maya Okafor\nSent: Monday\nTo: list\nSubject: hearing\n\nWho can come?";
        assert_eq!(trim_reply(text), "Agreed.\n\nBest,\nSam");
        let text = "Agreed.\n\n________________________________\nFrom: Maya Okafor <maya@ohio.org>\nSent: Monday, December 7, 2026 10:02\nTo: list\n\nWho can come?";
        assert_eq!(trim_reply(text), "Agreed.");
        let text = "Agreed.\n\nFrom: Maya Okafor <maya@ohio.org>\nSent: Monday\nWho can come?";
        assert_eq!(trim_reply(text), "Agreed.");
        let text = "Einverstanden.\n\nVon: Maya\nGesendet: Montag\nAn: Liste";
        assert_eq!(trim_reply(text), "Einverstanden.");
    }

    #[test]
    fn signatures_and_taglines_trimmed() {
        let text = "See you there.\n\n-- \nSam Reyes\nRiver Friends\n555-0100";
        assert_eq!(trim_reply(text), "See you there.");
        let text = "See you there.\n\nSent from my iPhone\n";
        assert_eq!(trim_reply(text), "See you there.");
        let text = "À mardi.\n\nEnvoyé de mon iPhone";
        assert_eq!(trim_reply(text), "À mardi.");
    }

    #[test]
    fn interleaved_answers_are_kept_without_the_quotes() {
        let text =
            "On Mon, Maya wrote:\n> Can you come?\nYes.\n> And bring the banner?\nIt is ready.\n";
        assert_eq!(trim_reply(text), "Yes.\nIt is ready.");
    }

    #[test]
    fn words_that_only_look_like_an_attribution_stay() {
        let text = "Here is what the mayor wrote:\nWe will review the permit.";
        assert_eq!(trim_reply(text), text);
        let text = "Shifts:\nFrom: Monday\nTo: Friday";
        assert_eq!(trim_reply(text), text);
    }

    #[test]
    fn html_becomes_text_without_scripts_or_quotes() {
        let html = "<html><head><style>p{}</style></head><body><div>Hello <b>all</b>,</div><div>see you&nbsp;Tuesday &amp; after.</div><script>alert(1)</script><img src=x onerror=alert(2)><div class=\"gmail_quote\"><div>On Mon, Maya wrote:</div><blockquote>old &lt;script&gt; text</blockquote></div></body></html>";
        let text = trim_reply(&html_to_text(html));
        assert!(text.starts_with("Hello all,\nsee you"), "{text}");
        assert!(text.contains("Tuesday & after."), "{text}");
        assert!(!text.contains("alert"), "{text}");
        assert!(!text.contains("old"), "{text}");
        assert!(!text.contains("wrote"), "{text}");
    }

    #[test]
    fn markdown_safe_escapes_what_would_become_html() {
        assert_eq!(
            markdown_safe("a <script>x</script> b < c <!-- d"),
            "a &lt;script>x&lt;/script> b < c &lt;!-- d"
        );
        assert_eq!(markdown_safe("nul\0 here"), "nul here");
    }

    #[test]
    fn subjects_lose_reply_prefixes_and_the_list_tag() {
        assert_eq!(
            clean_subject(
                "Re: [River Coalition] RE: Fwd: Hearing on Tuesday",
                Some("River Coalition")
            ),
            "Hearing on Tuesday"
        );
        assert_eq!(
            clean_subject("AW: [Other] news", Some("River Coalition")),
            "[Other] news"
        );
        assert_eq!(clean_subject("  ", None), "");
    }
}
