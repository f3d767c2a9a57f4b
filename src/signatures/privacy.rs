//! The words of an erasure, and finding a signer's name or address in the text of a row
//! about them. The erasure itself is an orchestration at the top (`crate::erasure`): it
//! calls each area's `forget` (`store/forget.rs`) in one transaction, and each area
//! rewrites, with these needles, only text inside rows already found to be about the
//! person (by id or by the address compared whole), never rows found by searching text
//! the public typed. The rule in full, table by table, is in docs/signatures.md
//! ("Erasure").

use super::emails::{
    Bulletin, ConfirmSignature, LetterChanged, MemberUpdate, NameNotCarriedOver, ReconfirmReminder,
    ReissueInvitation, ReissueNoticeVoided,
};
use crate::mail::Email;

/// What an erased signature is called wherever its name was.
pub const ERASED_NAME: &str = "Erased signer";
/// What an erased address reads as inside text that named it.
pub const ERASED_ADDRESS: &str = "(erased address)";
/// What an outreach contact with the erased address is called.
pub const ERASED_CONTACT: &str = "Erased contact";

/// The emails a signer gets as a signer (as opposed to mail they get as an organizer
/// or as an outreach contact).
pub fn signer_mail_kinds() -> Vec<&'static str> {
    vec![
        ConfirmSignature::KIND,
        Bulletin::KIND,
        LetterChanged::KIND,
        NameNotCarriedOver::KIND,
        ReconfirmReminder::KIND,
        MemberUpdate::KIND,
        ReissueInvitation::KIND,
        ReissueNoticeVoided::KIND,
    ]
}

/// A text to find in a row about the signer, and what to put in its place.
#[derive(Clone)]
pub struct Needle {
    pub text: String,
    pub replacement: &'static str,
    /// An address goes wherever it is; a name is left inside a link, where it may be
    /// part of someone else's address (`https://clean.example`).
    pub in_links: bool,
}

impl Needle {
    pub fn address(text: &str) -> Needle {
        Needle {
            text: text.to_owned(),
            replacement: ERASED_ADDRESS,
            in_links: true,
        }
    }

    pub fn name(text: &str, replacement: &'static str) -> Needle {
        Needle {
            text: text.to_owned(),
            replacement,
            in_links: false,
        }
    }
}

// ---------------------------------------------------------------------------------
// Finding a name or an address in the text of a row about the signer

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn same_letter(a: char, b: char) -> bool {
    a == b || a.to_lowercase().eq(b.to_lowercase())
}

/// The byte ranges of web and mail links in `text` (up to the next space or bracket).
fn links(text: &str) -> Vec<std::ops::Range<usize>> {
    let lower = text.to_ascii_lowercase();
    let mut found = Vec::new();
    for scheme in ["http://", "https://", "mailto:", "www."] {
        for (start, _) in lower.match_indices(scheme) {
            let end = text[start..]
                .find(|c: char| c.is_whitespace() || "<>\"'()[]".contains(c))
                .map_or(text.len(), |n| start + n);
            found.push(start..end);
        }
    }
    found
}

/// `text` with every occurrence of `needle` (case folded) replaced, where it is not part
/// of a longer word; `None` when there is none.
pub fn redact(text: &str, needle: &str, replacement: &str) -> Option<String> {
    redact_where(text, needle, replacement, true)
}

fn redact_where(text: &str, needle: &str, replacement: &str, in_links: bool) -> Option<String> {
    let needle: Vec<char> = needle.trim().chars().collect();
    let (Some(&first), Some(&last)) = (needle.first(), needle.last()) else {
        return None;
    };
    let skipped = if in_links { Vec::new() } else { links(text) };
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = String::with_capacity(text.len());
    let mut copied_to = 0;
    let mut i = 0;
    let mut found = false;
    while i + needle.len() <= chars.len() {
        let before_ok = !is_word(first) || i == 0 || !is_word(chars[i - 1].1);
        let matches = before_ok
            && !skipped.iter().any(|link| link.contains(&chars[i].0))
            && needle
                .iter()
                .zip(&chars[i..i + needle.len()])
                .all(|(n, (_, c))| same_letter(*n, *c));
        let end = i + needle.len();
        if matches && (!is_word(last) || end == chars.len() || !is_word(chars[end].1)) {
            let start_byte = chars[i].0;
            let end_byte = chars.get(end).map_or(text.len(), |(b, _)| *b);
            out.push_str(&text[copied_to..start_byte]);
            out.push_str(replacement);
            copied_to = end_byte;
            i = end;
            found = true;
        } else {
            i += 1;
        }
    }
    if !found {
        return None;
    }
    out.push_str(&text[copied_to..]);
    Some(out)
}

pub fn redact_all(text: &str, needles: &[Needle]) -> Option<String> {
    let mut current: Option<String> = None;
    for n in needles {
        let now = current.as_deref().unwrap_or(text);
        if let Some(new) = redact_where(now, &n.text, n.replacement, n.in_links) {
            current = Some(new);
        }
    }
    current
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_found_whatever_its_case_but_never_inside_a_longer_word() {
        assert_eq!(
            redact("Ann signed. ANN again; Annual report", "ann", "X").as_deref(),
            Some("X signed. X again; Annual report")
        );
        assert_eq!(redact("Annual", "Ann", "X"), None);
        assert_eq!(
            redact("to pat@x.example: 550", "Pat@X.example", "(gone)").as_deref(),
            Some("to (gone): 550")
        );
        assert_eq!(
            redact("Signed as Café (UK)!", "café (uk)", "X").as_deref(),
            Some("Signed as X!")
        );
        assert_eq!(redact("anything", "  ", "X"), None);
    }

    #[test]
    fn a_name_inside_a_link_stays_and_an_address_goes_everywhere() {
        let needles = [
            Needle::name("Clean", ERASED_NAME),
            Needle::address("pat@clean.example"),
        ];
        assert_eq!(
            redact_all(
                "Clean called; see https://clean.example/Clean and mailto:pat@clean.example",
                &needles
            )
            .as_deref(),
            Some(
                "Erased signer called; see https://clean.example/Clean and mailto:(erased address)"
            )
        );
        assert_eq!(redact_all("www.clean.example", &needles), None);
    }
}
