//! The one way an email enters the list, whichever door it came through (`undersigned
//! receive-mail` or `POST /inbound/email`): parsed, traced to a member by the key of the
//! address it was sent to (never by its From header), checked, posted through
//! `posting::submit`, logged, and answered when that is safe.

use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

use super::emails::InboundAnswer;
use super::parse::{self, Inbound, MAX_MESSAGE_BYTES, MAX_RECIPIENTS};
use super::trim;
use crate::coalition::posting::{self, Author, NewPost, PostSource, Posted};
use crate::coalition::store::{self, InboundEntry, KeyOwner};
use crate::mail::{self, Outgoing};
use crate::state::AppState;
use crate::tenancy::{PublicTenantId, TenantScope};

/// What became of an inbound message; the words are those of `list_inbound_log.outcome`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Posted,
    Held,
    Rejected,
    Discarded,
    Duplicate,
    Loop,
    UnknownKey,
    ForeignFrom,
    TooLarge,
    TooManyRecipients,
    Attachment,
    Unreadable,
    Empty,
    /// The post itself could not be taken (too long, control characters).
    Refused,
    ListClosed,
    NotAMember,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Posted => "posted",
            Outcome::Held => "held",
            Outcome::Rejected => "rejected",
            Outcome::Discarded => "discarded",
            Outcome::Duplicate => "duplicate",
            Outcome::Loop => "loop",
            Outcome::UnknownKey => "unknown_key",
            Outcome::ForeignFrom => "foreign_from",
            Outcome::TooLarge => "too_large",
            Outcome::TooManyRecipients => "too_many_recipients",
            Outcome::Attachment => "attachment",
            Outcome::Unreadable => "unreadable",
            Outcome::Empty => "empty",
            Outcome::Refused => "refused",
            Outcome::ListClosed => "list_closed",
            Outcome::NotAMember => "not_a_member",
        }
    }

    /// How the organizers' inbound page says it.
    pub fn label(outcome: &str) -> &'static str {
        match outcome {
            "posted" => "Posted",
            "held" => "Held for moderation",
            "rejected" => "Rejected (member's action)",
            "discarded" => "Discarded (member's action)",
            "duplicate" => "Duplicate (already received)",
            "loop" => "Automatic mail or a loop: dropped",
            "unknown_key" => "Unknown or missing list key",
            "foreign_from" => "From does not match the key's member",
            "too_large" => "Too large",
            "too_many_recipients" => "Too many recipients",
            "attachment" => "Had attachments",
            "unreadable" => "Unreadable",
            "empty" => "Nothing left after trimming",
            "refused" => "Refused (too long or unstorable text)",
            "list_closed" => "The group has no list",
            "not_a_member" => "No longer a member",
            _ => "Other",
        }
    }
}

/// Decides one raw message. An `Err` is a temporary failure (the database did not
/// answer): the caller asks the sending server to try again later.
pub async fn receive(
    state: &AppState,
    raw: &[u8],
    envelope_recipient: Option<&str>,
) -> anyhow::Result<Outcome> {
    let now = state.clock.now();
    let Some(mail) = parse::parse(raw, envelope_recipient, &state.config.mail_domain) else {
        let seen = Seen {
            tenant: None,
            message_id: "",
            from: "",
            size: raw.len(),
        };
        return finish(
            state,
            &seen,
            Outcome::Unreadable,
            "not an email message",
            now,
        )
        .await;
    };

    let mut holder = None;
    for key in mail.keys.iter().take(3) {
        holder = store::key_owner(&state.db, key).await?;
        if holder.is_some() {
            break;
        }
    }
    let log_tenant = holder.as_ref().map(|h| h.member.tenant_id);
    let seen = Seen {
        tenant: log_tenant,
        message_id: &mail.message_id,
        from: &mail.from,
        size: mail.size,
    };

    // Never answered, never posted: answering an automatic message starts a loop.
    if let Some(why) = mail.automatic {
        return finish(state, &seen, Outcome::Loop, why, now).await;
    }
    if store::already_received(&state.db, log_tenant, &mail.message_id).await? {
        let detail = "this Message-ID was received before";
        return finish(state, &seen, Outcome::Duplicate, detail, now).await;
    }

    let Some(KeyOwner {
        tenant,
        member,
        thread: thread_id,
    }) = holder
    else {
        let detail = if mail.keys.is_empty() {
            "sent to no list+<key> address"
        } else {
            "the list+<key> address is unknown"
        };
        if !mail.from.is_empty() && store::claim_answer(&state.db, &mail.from, now).await? {
            let answer = InboundAnswer {
                headline: "Your message was not delivered to any list".into(),
                explanation: "You wrote to a coalition list address that does not take mail: its key is unknown or no longer valid, so your message went nowhere and nobody read it. Members post by replying to a list email or from their list's page.".into(),
                // The From of mail to an unknown key is unproven: the answer repeats
                // none of its words, so it cannot carry a stranger's text to a victim.
                their_subject: String::new(),
                list_name: "Undersigned".into(),
            };
            send_answer(
                state,
                None,
                &mail.from,
                &mail,
                Outcome::UnknownKey,
                answer,
                now,
            )
            .await?;
        }
        return finish(state, &seen, Outcome::UnknownKey, detail, now).await;
    };
    let tenant_id = member.tenant_id;

    // The key decides who wrote; a From that is not the key's member is a forgery or a
    // forward. Nothing is posted in anyone's name, and only the key's owner is told.
    if !mail.from.eq_ignore_ascii_case(member.email.trim()) {
        let detail = format!(
            "From {} is not the address of the member who holds the key",
            mail.from
        );
        let explanation = format!(
            "A message was sent to the list with your personal list address, but from another address ({}). It was not posted: the list posts only what comes from the address you joined with. If you sent it, send it again from {}. If you did not, nothing was posted in your name and you need not do anything.",
            mail.from, member.email
        );
        refuse(
            state,
            tenant,
            &member.email,
            &mail,
            Outcome::ForeignFrom,
            explanation,
            now,
        )
        .await?;
        return finish(state, &seen, Outcome::ForeignFrom, &detail, now).await;
    }

    let refusal = if mail.size > MAX_MESSAGE_BYTES {
        Some((
            Outcome::TooLarge,
            format!("{} bytes, over the limit of {MAX_MESSAGE_BYTES}", mail.size),
            format!("Your message was larger than the list takes ({} MB). Send the text alone, with a link to anything large.", MAX_MESSAGE_BYTES / (1024 * 1024)),
        ))
    } else if mail.recipients > MAX_RECIPIENTS {
        Some((
            Outcome::TooManyRecipients,
            format!("{} recipients in To and Cc", mail.recipients),
            format!("Your message had {} recipients; the list takes messages with at most {MAX_RECIPIENTS}. Send it to the list's address alone.", mail.recipients),
        ))
    } else if mail.attachments > 0 {
        Some((
            Outcome::Attachment,
            format!("{} attachment(s)", mail.attachments),
            "Attachments are not accepted on the list; put a link in the text instead (to a shared folder or a web page) and send it again.".to_owned(),
        ))
    } else if mail.body.trim().is_empty() {
        Some((
            Outcome::Empty,
            "no text once quoted text and the signature were taken off".to_owned(),
            "Your message had no text of its own once the quoted message and the signature were taken off, so nothing was posted. Write your answer above the quoted text and send it again.".to_owned(),
        ))
    } else {
        None
    };
    if let Some((outcome, detail, explanation)) = refusal {
        refuse(
            state,
            tenant,
            &member.email,
            &mail,
            outcome,
            explanation,
            now,
        )
        .await?;
        return finish(state, &seen, outcome, &detail, now).await;
    }

    let subject = match thread_id {
        // A reply takes its thread's subject.
        Some(_) => String::new(),
        None => {
            let name = store::list(&state.db, tenant).await?.map(|l| l.name);
            let s = trim::clean_subject(&mail.subject, name.as_deref());
            if s.is_empty() {
                "(no subject)".to_owned()
            } else {
                s
            }
        }
    };
    let posted = posting::submit(
        state,
        tenant,
        Author::Member(member.id),
        NewPost {
            thread: thread_id,
            subject: &subject,
            body: &mail.body,
            news_link: None,
            source: PostSource::Email {
                message_id: &mail.message_id,
            },
        },
    )
    .await?;
    let (outcome, detail, answer) = match posted {
        Posted::Published { post, .. } => (Outcome::Posted, format!("post {post}"), None),
        Posted::Held { post, reason, .. } => (
            Outcome::Held,
            format!("post {post}: {reason}"),
            Some(("Your message is waiting for a moderator".to_owned(), format!("Your message reached the list and is waiting for a moderator ({reason}). You will see it in the archive once an organizer approves it."))),
        ),
        Posted::Rejected { reason } => (
            Outcome::Rejected,
            reason.to_owned(),
            Some(("Your message to the list was not posted".to_owned(), format!("Your message was not posted: {reason}."))),
        ),
        Posted::Discarded => (Outcome::Discarded, String::new(), None),
        Posted::Duplicate { post } => (Outcome::Duplicate, format!("already post {post}"), None),
        Posted::NoSuchThread => (
            Outcome::UnknownKey,
            "the key's thread is gone".to_owned(),
            Some(("Your message to the list was not posted".to_owned(), "The conversation you replied to is no longer in the list's archive, so your reply was not posted. Start a new conversation from the list's page if you wish.".to_owned())),
        ),
        Posted::NotAMember => (Outcome::NotAMember, String::new(), None),
        Posted::Refused(why) => (
            Outcome::Refused,
            why.to_owned(),
            Some(("Your message to the list was not posted".to_owned(), format!("Your message was not posted: {why}"))),
        ),
        Posted::NoList => (
            Outcome::ListClosed,
            String::new(),
            Some(("Your message to the list was not posted".to_owned(), "This group's list is closed, so your message was not posted.".to_owned())),
        ),
    };
    if let Some((headline, explanation)) = answer {
        let list_name = list_name(state, tenant).await?;
        let answer = InboundAnswer {
            headline,
            explanation,
            their_subject: mail.subject.clone(),
            list_name,
        };
        send_answer(
            state,
            Some(tenant_id),
            &member.email,
            &mail,
            outcome,
            answer,
            now,
        )
        .await?;
    }
    finish(state, &seen, outcome, &detail, now).await
}

async fn list_name(state: &AppState, tenant: PublicTenantId) -> anyhow::Result<String> {
    Ok(store::list(&state.db, tenant)
        .await?
        .map(|l| l.name)
        .unwrap_or_else(|| "the coalition list".into()))
}

/// A refusal's explanation to the key's member, at most once an hour per address.
async fn refuse(
    state: &AppState,
    tenant: PublicTenantId,
    to: &str,
    mail: &Inbound,
    outcome: Outcome,
    explanation: String,
    now: OffsetDateTime,
) -> anyhow::Result<()> {
    if !store::claim_answer(&state.db, to, now).await? {
        return Ok(());
    }
    let list_name = list_name(state, tenant).await?;
    let answer = InboundAnswer {
        headline: format!("Your message to {list_name} was not posted"),
        explanation,
        their_subject: mail.subject.clone(),
        list_name,
    };
    send_answer(state, Some(tenant.uuid()), to, mail, outcome, answer, now).await
}

async fn send_answer(
    state: &AppState,
    tenant: Option<Uuid>,
    to: &str,
    mail: &Inbound,
    outcome: Outcome,
    mut answer: InboundAnswer,
    now: OffsetDateTime,
) -> anyhow::Result<()> {
    answer.their_subject = answer.their_subject.chars().take(150).collect();
    // One answer per message and outcome, however often the message arrives.
    let digest = Sha256::digest(format!("{}\n{to}", mail.message_id).as_bytes());
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    let mut conn = state.db.acquire().await?;
    mail::enqueue(
        &mut conn,
        Outgoing {
            tenant,
            idempotency_key: format!("list-inbound:{}:{hex}", outcome.as_str()),
            recipient: to,
            message: answer,
            send_at: now,
            bulk: false,
        },
    )
    .await?;
    Ok(())
}

/// What the log says of any message, whatever became of it.
struct Seen<'a> {
    tenant: Option<Uuid>,
    message_id: &'a str,
    from: &'a str,
    size: usize,
}

/// Logs the decision (in the table and by tracing) and returns it.
async fn finish(
    state: &AppState,
    seen: &Seen<'_>,
    outcome: Outcome,
    detail: &str,
    now: OffsetDateTime,
) -> anyhow::Result<Outcome> {
    let entry = InboundEntry {
        tenant: seen.tenant,
        message_id: seen.message_id,
        from: seen.from,
        outcome: outcome.as_str(),
        detail,
        size: seen.size,
    };
    store::log_inbound(&state.db, &entry, now).await?;
    tracing::info!(
        outcome = outcome.as_str(),
        tenant = ?seen.tenant,
        from = seen.from,
        message_id = seen.message_id,
        size = seen.size,
        detail,
        "inbound mail"
    );
    Ok(outcome)
}
