//! The campaign's outreach settings: the ask and follow-up templates, the touch limits,
//! the reminders before the soft deadline and the automatic last call.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::prospects::base;
use super::store::{self, Settings};
use crate::campaigns::lookup::{CampaignEdit, CampaignPage};
use crate::campaigns::store::Campaign;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::{render, unprocessable, Form, FormErrors, Layout};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SettingsForm {
    pub min_days_between: String,
    pub max_touches: String,
    pub reminder_lead_days: String,
    pub auto_last_call: String,
    pub ask_subject: String,
    pub ask_body: String,
    pub follow_up_subject: String,
    pub follow_up_body: String,
}

impl SettingsForm {
    fn from_settings(s: &Settings) -> Self {
        SettingsForm {
            min_days_between: s.min_days_between.to_string(),
            max_touches: s.max_touches.to_string(),
            reminder_lead_days: s
                .reminder_lead_days
                .iter()
                .map(i32::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            auto_last_call: if s.auto_last_call {
                "on".into()
            } else {
                String::new()
            },
            ask_subject: s.ask_subject.clone(),
            ask_body: s.ask_body.clone(),
            follow_up_subject: s.follow_up_subject.clone(),
            follow_up_body: s.follow_up_body.clone(),
        }
    }

    fn validate(&self, errors: &mut FormErrors) -> Settings {
        let min_days_between = match self.min_days_between.trim().parse::<i32>() {
            Ok(n) if (0..=60).contains(&n) => n,
            _ => {
                errors.add("min_days_between", "Enter a number of days from 0 to 60.");
                3
            }
        };
        let max_touches = match self.max_touches.trim().parse::<i32>() {
            Ok(n) if (1..=20).contains(&n) => n,
            _ => {
                errors.add("max_touches", "Enter a number from 1 to 20.");
                4
            }
        };
        let mut lead: Vec<i32> = Vec::new();
        for part in self
            .reminder_lead_days
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            match part.parse::<i32>() {
                Ok(n) if (1..=60).contains(&n) => {
                    if !lead.contains(&n) {
                        lead.push(n)
                    }
                }
                _ => {
                    errors.add(
                        "reminder_lead_days",
                        "Write days before the soft deadline, like \"3, 1\" (1 to 60 each).",
                    );
                    break;
                }
            }
        }
        if lead.len() > 5 {
            errors.add("reminder_lead_days", "At most five reminders.");
        }
        lead.sort_unstable_by(|a, b| b.cmp(a));
        let ask_subject = self.ask_subject.trim().to_owned();
        let ask_body = self.ask_body.trim().to_owned();
        if let Err(e) = super::asks::check_template(&ask_subject, &ask_body) {
            errors.add("ask_body", e);
        }
        // Both left empty: the default follow-up (stored empty, read as the default).
        let follow_up_subject = self.follow_up_subject.trim().to_owned();
        let follow_up_body = self.follow_up_body.trim().to_owned();
        let default_follow_up = follow_up_subject.is_empty() && follow_up_body.is_empty();
        if !default_follow_up {
            if let Err(e) = super::asks::check_template(&follow_up_subject, &follow_up_body) {
                errors.add("follow_up_body", e);
            }
        }
        Settings {
            min_days_between,
            max_touches,
            reminder_lead_days: lead,
            auto_last_call: self.auto_last_call == "on",
            ask_subject,
            ask_body,
            follow_up_subject,
            follow_up_body,
        }
    }
}

#[derive(Template)]
#[template(path = "outreach/settings.html")]
struct SettingsPage {
    layout: Layout,
    base: String,
    campaign: Campaign,
    form: SettingsForm,
    errors: FormErrors,
    merge_fields: &'static [(&'static str, &'static str)],
    can_edit: bool,
    /// The group's limits across every campaign, which apply in addition.
    group_limits: store::BookSettings,
    book_settings: String,
}

pub async fn settings_page(
    State(state): State<AppState>,
    CampaignPage { member, campaign }: CampaignPage,
) -> AppResult<Html<String>> {
    let settings = store::settings(&state.db, campaign.id).await?;
    let group_limits = {
        let mut conn = state.db.acquire().await?;
        store::book_settings(&mut conn, member.tenant_id.uuid()).await?
    };
    render(SettingsPage {
        layout: member.layout(format!("Outreach settings — {}", campaign.title)),
        base: base(&member, &campaign),
        campaign,
        form: SettingsForm::from_settings(&settings),
        errors: FormErrors::new(),
        merge_fields: super::asks::MERGE_FIELDS,
        can_edit: member.role.can_edit(),
        group_limits,
        book_settings: member.path("/book/settings"),
    })
}

pub async fn save_settings(
    State(state): State<AppState>,
    CampaignEdit { member, campaign }: CampaignEdit,
    Form(form): Form<SettingsForm>,
) -> AppResult<Response> {
    let mut errors = FormErrors::new();
    let settings = form.validate(&mut errors);
    if !errors.is_empty() {
        let group_limits = {
            let mut conn = state.db.acquire().await?;
            store::book_settings(&mut conn, member.tenant_id.uuid()).await?
        };
        return unprocessable(SettingsPage {
            layout: member.layout(format!("Outreach settings — {}", campaign.title)),
            base: base(&member, &campaign),
            campaign,
            form,
            errors,
            merge_fields: super::asks::MERGE_FIELDS,
            can_edit: true,
            book_settings: member.path("/book/settings"),
            group_limits,
        });
    }
    store::save_settings(&state.db, member.tenant_id, campaign.id, &settings).await?;
    Ok(Redirect::to(&format!(
        "{}/outreach/settings?notice=outreach-settings-saved",
        base(&member, &campaign)
    ))
    .into_response())
}
