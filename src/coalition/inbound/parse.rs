//! One raw RFC 5322 message, read with `mail-parser` into the facts the list decides on:
//! the list keys it was sent to, who it claims to be from, its ids, the signs of a loop or
//! an automatic reply, how many recipients and attachments it has, and its text. Pure.

use mail_parser::{Address, HeaderValue, Message, MessageParser, MimeHeaders};
use sha2::{Digest, Sha256};

use super::trim;

/// The largest message the list takes: the size the HTTP route reads and the CLI reads
/// from standard input (one byte more tells it was larger).
pub const MAX_MESSAGE_BYTES: usize = 10 * 1024 * 1024;
/// More recipients than this in To and Cc is a mass mailing, not a list post.
pub const MAX_RECIPIENTS: usize = 50;

/// What a message says about itself, as far as the list cares.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Inbound {
    /// The `list+<key>` keys it was addressed to, the envelope recipient's first.
    pub keys: Vec<String>,
    /// The From address, lowercase; empty when there is none.
    pub from: String,
    pub from_name: String,
    /// Without angle brackets; a hash of the message when it has none, so the same
    /// message arriving twice is still recognised.
    pub message_id: String,
    pub in_reply_to: Vec<String>,
    pub subject: String,
    /// Why this is an automatic message or our own mail coming back; `None` when a
    /// person wrote it.
    pub automatic: Option<&'static str>,
    pub recipients: usize,
    pub attachments: usize,
    /// The member's own words, trimmed and Markdown-safe.
    pub body: String,
    pub size: usize,
}

/// The key of a list address (`list+<key>@MAIL_DOMAIN`, any case for "list" and the
/// domain); `None` for any other address.
pub fn list_key<'a>(address: &'a str, mail_domain: &str) -> Option<&'a str> {
    let address = address.trim().trim_start_matches('<').trim_end_matches('>');
    let (local, domain) = address.rsplit_once('@')?;
    if !domain.eq_ignore_ascii_case(mail_domain) {
        return None;
    }
    let (base, key) = local.split_once('+')?;
    let fine = base.eq_ignore_ascii_case("list")
        && (8..=64).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    fine.then_some(key)
}

/// The `X-Loop` value list mail carries, recognised when it comes back.
pub fn loop_marker(mail_domain: &str) -> String {
    format!("list@{mail_domain}")
}

fn addresses<'a>(address: Option<&'a Address<'a>>) -> impl Iterator<Item = &'a str> + 'a {
    address
        .into_iter()
        .flat_map(|a| a.iter())
        .filter_map(|a| a.address())
}

fn raw_values<'a>(message: &'a Message<'a>, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    message
        .headers_raw()
        .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
}

fn ids(value: &HeaderValue<'_>) -> Vec<String> {
    match value {
        HeaderValue::Text(t) => vec![t.to_string()],
        HeaderValue::TextList(list) => list.iter().map(|t| t.to_string()).collect(),
        _ => Vec::new(),
    }
}

/// Why a message is automatic (never answered, never posted), if it is.
fn automatic(message: &Message<'_>, from: &str, mail_domain: &str) -> Option<&'static str> {
    let first = |name: &'static str| raw_values(message, name).next().map(str::to_lowercase);
    if let Some(v) = first("Auto-Submitted") {
        if v.split(';').next().unwrap_or("").trim() != "no" {
            return Some("Auto-Submitted");
        }
    }
    if let Some(v) = first("Precedence") {
        if matches!(v.trim(), "bulk" | "junk" | "list" | "auto_reply") {
            return Some("Precedence: bulk, junk or list");
        }
    }
    if raw_values(message, "X-Autoreply").next().is_some()
        || raw_values(message, "X-Autorespond").next().is_some()
    {
        return Some("an autoresponder's header");
    }
    let domain = mail_domain.to_lowercase();
    let ours = |v: &str| {
        let v = v.to_lowercase();
        let v = v.trim().trim_end_matches('>');
        v.ends_with(&format!(".{domain}")) || v.ends_with(&format!("@{domain}"))
    };
    if raw_values(message, "List-Id").any(ours) {
        return Some("our own List-Id came back");
    }
    let marker = loop_marker(&domain);
    if raw_values(message, "X-Loop").any(|v| v.to_lowercase().contains(&marker)) {
        return Some("X-Loop with our marker");
    }
    if message
        .message_id()
        .is_some_and(|id| id.to_lowercase().ends_with(&format!("@{domain}")))
    {
        return Some("our own Message-ID came back");
    }
    if raw_values(message, "Return-Path").any(|v| v.trim() == "<>" || v.trim().is_empty()) {
        return Some("empty Return-Path (a bounce)");
    }
    let local = from.split('@').next().unwrap_or("");
    if from.is_empty()
        || matches!(
            local,
            "mailer-daemon" | "postmaster" | "noreply" | "no-reply"
        )
    {
        return Some("from a mailer daemon or no-reply address");
    }
    let subject = message.subject().unwrap_or("").to_lowercase();
    if [
        "out of office",
        "automatic reply",
        "auto:",
        "autoreply",
        "abwesenheitsnotiz",
        "absence",
    ]
    .iter()
    .any(|s| subject.starts_with(s))
    {
        return Some("an out-of-office subject");
    }
    None
}

/// The facts of `raw`. `envelope_recipient` is the address the mail server delivered to
/// (Postfix's `${recipient}`), trusted first. A message larger than the limit is read for
/// its headers only (`size` tells). `None` when it is not a message at all.
pub fn parse(raw: &[u8], envelope_recipient: Option<&str>, mail_domain: &str) -> Option<Inbound> {
    let too_large = raw.len() > MAX_MESSAGE_BYTES;
    let parser = MessageParser::default();
    let message = if too_large {
        parser.parse_headers(raw)?
    } else {
        parser.parse(raw)?
    };
    // A "message" without a single header is not one (mail-parser reads anything).
    if message.headers().is_empty() {
        return None;
    }

    let mut keys: Vec<String> = Vec::new();
    let mut push_key = |address: &str| {
        if let Some(key) = list_key(address, mail_domain) {
            if !keys.iter().any(|k| k == key) {
                keys.push(key.to_owned());
            }
        }
    };
    if let Some(envelope) = envelope_recipient {
        push_key(envelope);
    }
    for name in [
        "Delivered-To",
        "X-Original-To",
        "Envelope-To",
        "X-Envelope-To",
    ] {
        for value in raw_values(&message, name) {
            push_key(value);
        }
    }
    for address in addresses(message.to()).chain(addresses(message.cc())) {
        push_key(address);
    }

    let from_addr = message.from().and_then(|f| f.first());
    let from = from_addr
        .and_then(|a| a.address())
        .unwrap_or("")
        .trim()
        .to_lowercase();
    let from_name = from_addr
        .and_then(|a| a.name())
        .unwrap_or("")
        .trim()
        .to_owned();

    let message_id = match message.message_id() {
        Some(id) if !id.trim().is_empty() => id.trim().chars().take(250).collect(),
        _ => {
            let digest = Sha256::digest(raw);
            let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
            format!("sha256-{hex}@no-message-id")
        }
    };
    let mut in_reply_to = ids(message.in_reply_to());
    in_reply_to.extend(ids(message.references()));

    let recipients = addresses(message.to())
        .chain(addresses(message.cc()))
        .count();

    // Images an HTML body shows inline (with a Content-ID) are part of the writing, not
    // attachments; they are dropped with the HTML.
    let attachments = message
        .attachments()
        .filter(|part| {
            let inline = part
                .content_disposition()
                .is_some_and(|d| d.c_type.eq_ignore_ascii_case("inline"));
            !(inline && part.content_id().is_some())
        })
        .count();

    let body = if too_large {
        String::new()
    } else {
        let text = match message.text_bodies().next() {
            Some(part) if part.is_text() && !part.is_text_html() => {
                part.text_contents().unwrap_or("").to_owned()
            }
            _ => match message.html_bodies().next() {
                Some(part) if part.is_text_html() => {
                    trim::html_to_text(part.text_contents().unwrap_or(""))
                }
                Some(part) => part.text_contents().unwrap_or("").to_owned(),
                None => String::new(),
            },
        };
        trim::markdown_safe(&trim::trim_reply(&text))
    };

    Some(Inbound {
        automatic: automatic(&message, &from, mail_domain),
        keys,
        from,
        from_name,
        message_id,
        in_reply_to,
        subject: message.subject().unwrap_or("").to_owned(),
        recipients,
        attachments,
        body,
        size: raw.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOMAIN: &str = "lists.example.org";

    fn message(headers: &str, body: &str) -> Vec<u8> {
        format!("{headers}\r\n\r\n{body}")
            .replace('\n', "\r\n")
            .replace("\r\r", "\r")
            .into_bytes()
    }

    #[test]
    fn keys_come_from_the_envelope_then_the_headers() {
        let raw = message(
            "From: Sam <SAM@river.org>\nTo: \"River list\" <list+abcdef0123456789@Lists.Example.org>, other@x.org\nCc: list+ccccccccdddd@lists.example.org\nDelivered-To: list+deliveredkey1@lists.example.org\nMessage-ID: <m1@river.org>\nSubject: Re: Hearing",
            "Yes.",
        );
        let found = parse(&raw, Some("list+envelopekey1@lists.example.org"), DOMAIN).unwrap();
        assert_eq!(
            found.keys,
            [
                "envelopekey1",
                "deliveredkey1",
                "abcdef0123456789",
                "ccccccccdddd"
            ]
        );
        assert_eq!(found.from, "sam@river.org");
        assert_eq!(found.message_id, "m1@river.org");
        assert_eq!(found.recipients, 3);
        assert_eq!(found.body, "Yes.");
        assert_eq!(found.automatic, None);
    }

    #[test]
    fn other_domains_and_bases_are_not_list_keys() {
        assert_eq!(list_key("list+abcdefgh@other.org", DOMAIN), None);
        assert_eq!(list_key("news+abcdefgh@lists.example.org", DOMAIN), None);
        assert_eq!(list_key("list+a'b@lists.example.org", DOMAIN), None);
        assert_eq!(
            list_key("<LIST+abcdefgh@LISTS.example.org>", DOMAIN),
            Some("abcdefgh")
        );
    }

    #[test]
    fn automatic_mail_is_recognised() {
        for (header, why) in [
            ("Auto-Submitted: auto-replied", "Auto-Submitted"),
            ("Precedence: bulk", "Precedence"),
            ("List-Id: River <list.river.lists.example.org>", "List-Id"),
            ("X-Loop: list@lists.example.org", "X-Loop"),
            ("Return-Path: <>", "Return-Path"),
        ] {
            let raw = message(
                &format!("From: sam@river.org\nTo: list+abcdefgh@lists.example.org\nSubject: hi\n{header}"),
                "x",
            );
            let found = parse(&raw, None, DOMAIN).unwrap();
            assert!(
                found.automatic.is_some_and(|w| w.contains(why)),
                "{header}: {:?}",
                found.automatic
            );
        }
        let raw = message(
            "From: sam@river.org\nAuto-Submitted: no\nList-Id: <other.example.com>\nSubject: hi",
            "x",
        );
        assert_eq!(parse(&raw, None, DOMAIN).unwrap().automatic, None);
        let raw = message(
            "From: MAILER-DAEMON@mx.river.org\nSubject: Undelivered",
            "x",
        );
        assert!(parse(&raw, None, DOMAIN).unwrap().automatic.is_some());
    }

    #[test]
    fn without_a_message_id_the_same_bytes_get_the_same_id() {
        let raw = message("From: sam@river.org\nSubject: hi", "x");
        let a = parse(&raw, None, DOMAIN).unwrap().message_id;
        assert_eq!(a, parse(&raw, None, DOMAIN).unwrap().message_id);
        assert!(a.starts_with("sha256-"));
    }

    #[test]
    fn attachments_are_counted_but_inline_images_are_not() {
        let raw = message(
            "From: sam@river.org\nSubject: hi\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b",
            "--b\nContent-Type: text/plain\n\nSee attached.\n--b\nContent-Type: application/pdf\nContent-Disposition: attachment; filename=a.pdf\nContent-Transfer-Encoding: base64\n\nJVBERi0=\n--b--\n",
        );
        let found = parse(&raw, None, DOMAIN).unwrap();
        assert_eq!(found.attachments, 1);
        assert_eq!(found.body, "See attached.");
        let raw = message(
            "From: sam@river.org\nSubject: hi\nMIME-Version: 1.0\nContent-Type: multipart/related; boundary=b",
            "--b\nContent-Type: text/html\n\n<p>Logo <img src=cid:logo1></p>\n--b\nContent-Type: image/png\nContent-Disposition: inline\nContent-ID: <logo1>\nContent-Transfer-Encoding: base64\n\niVBORw0=\n--b--\n",
        );
        let found = parse(&raw, None, DOMAIN).unwrap();
        assert_eq!(found.attachments, 0);
        assert_eq!(found.body, "Logo");
    }

    #[test]
    fn html_only_mail_is_sanitized_text() {
        let raw = message(
            "From: sam@river.org\nSubject: hi\nMIME-Version: 1.0\nContent-Type: text/html; charset=utf-8",
            "<p>Hello <script>alert(1)</script>&lt;script&gt;alert(2)&lt;/script&gt;</p>",
        );
        let found = parse(&raw, None, DOMAIN).unwrap();
        assert!(!found.body.contains("<script"), "{}", found.body);
        assert!(found.body.starts_with("Hello"), "{}", found.body);
        assert!(!found.body.contains("alert(1)"), "{}", found.body);
    }

    #[test]
    fn too_large_is_read_for_its_headers_only() {
        let mut raw = message(
            "From: sam@river.org\nTo: list+abcdefgh@lists.example.org\nSubject: big",
            "",
        );
        raw.resize(MAX_MESSAGE_BYTES + 1, b'a');
        let found = parse(&raw, None, DOMAIN).unwrap();
        assert_eq!(found.keys, ["abcdefgh"]);
        assert_eq!(found.size, MAX_MESSAGE_BYTES + 1);
        assert!(found.body.is_empty());
    }

    #[test]
    fn garbage_is_not_a_message() {
        assert!(parse(b"", None, DOMAIN).is_none());
    }
}
