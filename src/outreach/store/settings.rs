//! A campaign's outreach rules (`outreach_settings`).

use super::*;

/// A campaign's outreach rules.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    pub min_days_between: i32,
    pub max_touches: i32,
    /// Days before the soft deadline when asked contacts are reminded, largest first.
    pub reminder_lead_days: Vec<i32>,
    pub auto_last_call: bool,
    pub ask_subject: String,
    pub ask_body: String,
    /// A follow-up's own template: it is not the first ask again, word for word.
    pub follow_up_subject: String,
    pub follow_up_body: String,
}

pub const DEFAULT_ASK_SUBJECT: &str = "Will {organization} sign on? {campaign}";
pub const DEFAULT_ASK_BODY: &str = "Dear {first_name},

{referral}I am writing to ask whether {organization} would sign on to \"{campaign}\", a short letter we are gathering organizations to sign. It stands on these points:

{points}

This link opens the letter as it stands today, with a form already filled in for you (signing takes two minutes):
{link}

We hope to hear from you by {soft_deadline}. If you have a question, just reply to this email.

With thanks,
{organizer_name}";

pub const DEFAULT_FOLLOW_UP_SUBJECT: &str = "Following up: will {organization} sign on? {campaign}";
pub const DEFAULT_FOLLOW_UP_BODY: &str = "Dear {first_name},

I am following up on my note about \"{campaign}\". We would still be glad to count {organization} among the signers, and there is time until {soft_deadline}.

Your personal link opens the letter as it stands today, with the form filled in for you:
{link}

If something in the letter stands in the way, or you would like to talk it over, just reply: I read every answer.

Best,
{organizer_first_name}";

impl Default for Settings {
    fn default() -> Self {
        Settings {
            min_days_between: 3,
            max_touches: 4,
            reminder_lead_days: vec![3, 1],
            auto_last_call: false,
            ask_subject: DEFAULT_ASK_SUBJECT.into(),
            ask_body: DEFAULT_ASK_BODY.into(),
            follow_up_subject: DEFAULT_FOLLOW_UP_SUBJECT.into(),
            follow_up_body: DEFAULT_FOLLOW_UP_BODY.into(),
        }
    }
}

/// The rules as stored; every column `Option` so a campaign without a row (a LEFT JOIN
/// that found none) reads too. An empty template means the default one.
#[derive(sqlx::FromRow, Clone, Debug, Default)]
pub struct SettingsRow {
    pub min_days_between: Option<i32>,
    pub max_touches: Option<i32>,
    pub reminder_lead_days: Option<Vec<i32>>,
    pub auto_last_call: Option<bool>,
    pub ask_subject: Option<String>,
    pub ask_body: Option<String>,
    pub follow_up_subject: Option<String>,
    pub follow_up_body: Option<String>,
}

impl From<SettingsRow> for Settings {
    fn from(r: SettingsRow) -> Self {
        let defaults = Settings::default();
        let or_default = |value: Option<String>, default: String| match value {
            Some(value) if !value.is_empty() => value,
            _ => default,
        };
        let mut lead = r.reminder_lead_days.unwrap_or(defaults.reminder_lead_days);
        lead.sort_unstable_by(|a, b| b.cmp(a));
        Settings {
            min_days_between: r.min_days_between.unwrap_or(defaults.min_days_between),
            max_touches: r.max_touches.unwrap_or(defaults.max_touches),
            reminder_lead_days: lead,
            auto_last_call: r.auto_last_call.unwrap_or(defaults.auto_last_call),
            ask_subject: or_default(r.ask_subject, defaults.ask_subject),
            ask_body: or_default(r.ask_body, defaults.ask_body),
            follow_up_subject: or_default(r.follow_up_subject, defaults.follow_up_subject),
            follow_up_body: or_default(r.follow_up_body, defaults.follow_up_body),
        }
    }
}

/// The campaign's rules, or the defaults when organizers never changed them.
pub async fn settings(db: &PgPool, campaign_id: Uuid) -> sqlx::Result<Settings> {
    let row: Option<SettingsRow> =
        sqlx::query_as("SELECT * FROM outreach_settings WHERE campaign_id = $1")
            .bind(campaign_id)
            .fetch_optional(db)
            .await?;
    Ok(row.map(Settings::from).unwrap_or_default())
}

pub async fn save_settings(
    db: &PgPool,
    tenant: TenantId,
    campaign_id: Uuid,
    s: &Settings,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO outreach_settings (campaign_id, tenant_id, min_days_between, max_touches, reminder_lead_days,
                                        auto_last_call, ask_subject, ask_body, follow_up_subject, follow_up_body)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (campaign_id) DO UPDATE SET min_days_between = $3, max_touches = $4, reminder_lead_days = $5,
                auto_last_call = $6, ask_subject = $7, ask_body = $8, follow_up_subject = $9, follow_up_body = $10",
    )
    .bind(campaign_id)
    .bind(tenant.uuid())
    .bind(s.min_days_between)
    .bind(s.max_touches)
    .bind(&s.reminder_lead_days)
    .bind(s.auto_last_call)
    .bind(&s.ask_subject)
    .bind(&s.ask_body)
    .bind(&s.follow_up_subject)
    .bind(&s.follow_up_body)
    .execute(db)
    .await?;
    Ok(())
}
