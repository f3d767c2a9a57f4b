//! Reading a written message back from its file, for the browser and for tests.

/// A message as written to a file, read back for the browser (and for tests).
pub struct ReadMessage {
    pub subject: String,
    pub from: String,
    /// The From display name ("Maya Okafor (Ohio Valley Clean Water Alliance)").
    pub from_name: String,
    /// Where replies go, when the message names someone (a personal email).
    pub reply_to: Option<String>,
    pub to: String,
    pub text: String,
    pub html: String,
    pub list_unsubscribe: Option<String>,
}

pub fn read_eml(raw: &[u8]) -> Option<ReadMessage> {
    let parsed = mail_parser::MessageParser::default().parse(raw)?;
    let address = |a: Option<&mail_parser::Address>| {
        a.and_then(|a| a.first())
            .and_then(|a| a.address())
            .unwrap_or_default()
            .to_owned()
    };
    Some(ReadMessage {
        subject: parsed.subject().unwrap_or_default().to_owned(),
        from: address(parsed.from()),
        from_name: parsed
            .from()
            .and_then(|a| a.first())
            .and_then(|a| a.name())
            .unwrap_or_default()
            .to_owned(),
        reply_to: parsed
            .reply_to()
            .and_then(|a| a.first())
            .and_then(|a| a.address())
            .map(str::to_owned),
        to: address(parsed.to()),
        text: parsed
            .body_text(0)
            .map(|t| t.into_owned())
            .unwrap_or_default(),
        html: parsed
            .body_html(0)
            .map(|t| t.into_owned())
            .unwrap_or_default(),
        list_unsubscribe: parsed
            .header_raw("List-Unsubscribe")
            .map(|v| v.trim().to_owned()),
    })
}
