//! The statements area's emails: the sender is asked to confirm their statement, and
//! organizers are told, once it is confirmed, that it waits for their decision (at most
//! once an hour per campaign and organizer, however many arrive). Neither carries what the
//! public typed (organization, name, text): a stranger's words must not reach an inbox
//! in mail from our address.

use askama::Template;
use serde::{Deserialize, Serialize};

use crate::mail::{Email, Footer, RenderedMail};

/// To each owner and organizer: a statement arrived and is not published until one of
/// them approves it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct StatementWaiting {
    /// (Nothing the sender typed: a public form must not put words in our mail.)
    pub campaign_title: String,
    /// The campaign's Statements page.
    pub link: String,
}

#[derive(Template)]
#[template(path = "statements/emails/statement_waiting.txt")]
struct WaitingText<'a> {
    m: &'a StatementWaiting,
    footer: &'a Footer,
}

#[derive(Template)]
#[template(path = "statements/emails/statement_waiting.html")]
struct WaitingHtml<'a> {
    m: &'a StatementWaiting,
    footer: &'a Footer,
}

impl Email for StatementWaiting {
    const KIND: &'static str = "statement_waiting";
    const REASON: &'static str =
        "You receive this because you organize this campaign in Undersigned.";

    fn render(&self, footer: &Footer) -> Result<RenderedMail, askama::Error> {
        Ok(RenderedMail {
            subject: format!(
                "A statement waits for your approval: {}",
                self.campaign_title
            ),
            text: WaitingText { m: self, footer }.render()?,
            html: WaitingHtml { m: self, footer }.render()?,
        })
    }
}

/// Asks whoever typed this address on the statement form to confirm the statement: it is
/// neither published nor put before the organizers until they do.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ConfirmStatement {
    /// Typed by organizers, never by the sender.
    pub campaign_title: String,
    pub group_name: String,
    /// The confirmation page (a secret of the recipient).
    pub link: String,
    pub expires: String,
}

#[derive(Template)]
#[template(path = "statements/emails/confirm_statement.txt")]
struct ConfirmText<'a> {
    m: &'a ConfirmStatement,
    footer: &'a Footer,
}

#[derive(Template)]
#[template(path = "statements/emails/confirm_statement.html")]
struct ConfirmHtml<'a> {
    m: &'a ConfirmStatement,
    footer: &'a Footer,
}

impl Email for ConfirmStatement {
    const KIND: &'static str = "confirm_statement";
    const REASON: &'static str = "This address was given on a statement form. If you did not send a statement, ignore this email: nothing is published without your confirmation.";

    const CARRIES_SECRET_LINK: bool = true;

    fn render(&self, footer: &Footer) -> Result<RenderedMail, askama::Error> {
        Ok(RenderedMail {
            subject: format!("Confirm your statement: {}", self.campaign_title),
            text: ConfirmText { m: self, footer }.render()?,
            html: ConfirmHtml { m: self, footer }.render()?,
        })
    }

    fn forget_secrets(&mut self) {
        self.link = crate::mail::LINK_REMOVED.into();
    }
}

/// Tells each owner and organizer that a statement waits, at most once an hour per
/// campaign and person (the hour is part of the email's key), in the transaction in which
/// its sender confirms the statement.
pub(super) async fn tell_deciders(
    conn: &mut sqlx::PgConnection,
    state: &crate::state::AppState,
    tenant: crate::tenancy::PublicTenantId,
    tenant_slug: &str,
    campaign: &crate::campaigns::store::Campaign,
    now: time::OffsetDateTime,
) -> anyhow::Result<()> {
    use crate::tenancy::TenantScope;
    let hour = now.unix_timestamp().div_euclid(3600);
    let link = state.config.link(&format!(
        "/app/{tenant_slug}/campaigns/{}/statements",
        campaign.slug
    ));
    for (user_id, address) in crate::tenants::store::deciders(&mut *conn, tenant).await? {
        crate::mail::enqueue(
            &mut *conn,
            crate::mail::Outgoing {
                tenant: Some(tenant.uuid()),
                idempotency_key: format!("statement-waiting:{}:{user_id}:{hour}", campaign.id),
                recipient: &address,
                message: StatementWaiting {
                    campaign_title: campaign.title.clone(),
                    link: link.clone(),
                },
                send_at: now,
                bulk: false,
            },
        )
        .await?;
    }
    Ok(())
}
