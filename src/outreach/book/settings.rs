//! The group's touch limits and retention: `GET/POST /app/{tenant}/book/settings`. The
//! limits count every campaign and channel and apply in addition to each campaign's own
//! (`rules::group_touch_problem`); retention says how long the book keeps a person with
//! no activity. Every member reads them; owners and organizers change them.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::error::AppResult;
use crate::outreach::store::{self, BookSettings};
use crate::state::AppState;
use crate::tenancy::{Editor, Member};
use crate::web::{render, unprocessable, Form, FormErrors, Layout};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BookSettingsForm {
    pub min_days_between: String,
    pub max_touches_in_30_days: String,
    /// Empty: keep people until an organizer removes them.
    pub retention_months: String,
}

impl BookSettingsForm {
    fn from_settings(s: &BookSettings) -> Self {
        BookSettingsForm {
            min_days_between: s.min_days_between.to_string(),
            max_touches_in_30_days: s.max_touches_in_30_days.to_string(),
            retention_months: s
                .retention_months
                .map(|m| m.to_string())
                .unwrap_or_default(),
        }
    }

    fn validate(&self) -> Result<BookSettings, FormErrors> {
        let mut errors = FormErrors::new();
        let number = |raw: &str| raw.trim().parse::<i32>().ok();
        let min_days_between = number(&self.min_days_between)
            .filter(|n| (0..=60).contains(n))
            .unwrap_or_else(|| {
                errors.add(
                    "min_days_between",
                    "Enter a whole number of days from 0 to 60 (0: no gap is kept).",
                );
                0
            });
        let max_touches_in_30_days = number(&self.max_touches_in_30_days)
            .filter(|n| (1..=60).contains(n))
            .unwrap_or_else(|| {
                errors.add(
                    "max_touches_in_30_days",
                    "Enter a whole number of touches from 1 to 60.",
                );
                1
            });
        let retention_months = if self.retention_months.trim().is_empty() {
            None
        } else {
            match number(&self.retention_months).filter(|n| (6..=120).contains(n)) {
                Some(n) => Some(n),
                None => {
                    errors.add(
                        "retention_months",
                        "Enter a number of months from 6 to 120, or leave it empty to keep people until an organizer removes them.",
                    );
                    None
                }
            }
        };
        if errors.is_empty() {
            Ok(BookSettings {
                min_days_between,
                max_touches_in_30_days,
                retention_months,
            })
        } else {
            Err(errors)
        }
    }
}

#[derive(Template)]
#[template(path = "outreach/book/settings.html")]
struct SettingsPage {
    layout: Layout,
    book: String,
    form: BookSettingsForm,
    errors: FormErrors,
    can_edit: bool,
}

fn page_for(member: &Member, form: BookSettingsForm, errors: FormErrors) -> SettingsPage {
    SettingsPage {
        layout: member.layout("Touch limits and retention — Address book"),
        book: member.path("/book"),
        form,
        errors,
        can_edit: member.role.can_edit(),
    }
}

/// `GET /app/{tenant}/book/settings`
pub async fn page(State(state): State<AppState>, member: Member) -> AppResult<Html<String>> {
    let mut conn = state.db.acquire().await?;
    let settings = store::book_settings(&mut conn, member.tenant_id.uuid()).await?;
    render(page_for(
        &member,
        BookSettingsForm::from_settings(&settings),
        FormErrors::new(),
    ))
}

/// `POST /app/{tenant}/book/settings`: owners and organizers; a bad value keeps what
/// was typed and says what fits.
pub async fn save(
    State(state): State<AppState>,
    Editor(member): Editor,
    Form(form): Form<BookSettingsForm>,
) -> AppResult<Response> {
    match form.validate() {
        Ok(settings) => {
            store::save_book_settings(&state.db, member.tenant_id, &settings).await?;
            Ok(
                Redirect::to(&member.path("/book/settings?notice=book-settings-saved"))
                    .into_response(),
            )
        }
        Err(errors) => unprocessable(page_for(&member, form, errors)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(min: &str, max: &str, months: &str) -> BookSettingsForm {
        BookSettingsForm {
            min_days_between: min.into(),
            max_touches_in_30_days: max.into(),
            retention_months: months.into(),
        }
    }

    #[test]
    fn limits_are_checked_and_empty_retention_keeps_people() {
        assert_eq!(
            form(" 2 ", "8", "").validate().unwrap(),
            BookSettings {
                min_days_between: 2,
                max_touches_in_30_days: 8,
                retention_months: None
            }
        );
        assert_eq!(
            form("3", "6", "24").validate().unwrap().retention_months,
            Some(24)
        );
        let errors = form("-1", "0", "3").validate().unwrap_err();
        assert_eq!(errors.count(), 3);
        assert!(form("three", "6", "").validate().is_err());
        assert!(form("3", "61", "").validate().is_err());
    }
}
