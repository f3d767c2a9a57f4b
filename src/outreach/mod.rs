//! Outreach: the organizations a campaign asks to sign (prospects) and their
//! decision-makers (contacts), personal asks whose link always opens the current letter,
//! the activity log, the touch limits that keep anyone from being nagged, each organizer's
//! follow-up queue, and the scheduler's deadline emails. A prospect is "signed" only while
//! a confirmed signature matches it: outreach records consent, it never makes it.

mod activities;
mod activity_kind;
mod asks;
pub mod book;
mod bulk;
mod carry;
mod contact_form;
mod contacts;
mod daily_cap;
mod dashboard;
mod emails;
mod import;
mod links;
mod notices;
pub mod pipeline;
mod prospects;
mod queue;
mod reconfirm;
pub mod rules;
pub mod scheduler;
mod settings_page;
mod size;
pub mod store;

use axum::routing::{get, post};
use axum::Router;

pub use asks::first_word;
pub use emails::{Ask, DailyDigest, DeadlineReminder, LastCall, OrganizerAlert};
pub use scheduler::Scheduler;

pub use activity_kind::{ActivityKind, LOGGABLE};
pub use notices::NOTICES;
pub use pipeline::{hold_lasts, PipelineStatus, Stage};
pub use size::Size;

use crate::state::AppState;

const OUTREACH: &str = "/app/{tenant}/campaigns/{campaign}/outreach";

pub fn router() -> Router<AppState> {
    let o = OUTREACH;
    Router::new()
        .route(o, get(dashboard::page))
        .route(&format!("{o}/prospects"), get(prospects::list))
        .route(&format!("{o}/prospects/bulk"), post(bulk::apply))
        .route(
            &format!("{o}/prospects/new"),
            get(prospects::new_page).post(prospects::create),
        )
        .route(
            &format!("{o}/prospects/{{id}}"),
            get(prospects::detail).post(prospects::update),
        )
        .route(
            &format!("{o}/prospects/{{id}}/contacts"),
            post(contacts::add_contact),
        )
        .route(
            &format!("{o}/prospects/{{id}}/activities"),
            post(activities::log_activity),
        )
        .route(
            &format!("{o}/prospects/{{id}}/status"),
            post(prospects::change_status),
        )
        .route(
            &format!("{o}/prospects/{{id}}/match"),
            post(prospects::confirm_match),
        )
        .route(
            &format!("{o}/prospects/{{id}}/snooze"),
            post(prospects::snooze),
        )
        .route(
            &format!("{o}/prospects/{{id}}/remind-before-soft-deadline"),
            post(prospects::remind_before_soft_deadline),
        )
        .route(
            &format!("{o}/prospects/{{id}}/log-call"),
            get(activities::log_call_page),
        )
        .route(
            &format!("{o}/contacts/{{id}}/clear-bounce"),
            post(contacts::clear_bounce),
        )
        .route(
            &format!("{o}/contacts/{{id}}"),
            post(contacts::edit_contact),
        )
        .route(
            &format!("{o}/contacts/{{id}}/remove"),
            post(contacts::remove_contact),
        )
        .route(
            &format!("{o}/activities/{{id}}/answered"),
            post(activities::answer_change),
        )
        .route(&format!("{o}/follow-ups"), get(queue::follow_ups))
        .route(
            &format!("{o}/settings"),
            get(settings_page::settings_page).post(settings_page::save_settings),
        )
        .route(&format!("{o}/ask"), post(asks::preview))
        .route(&format!("{o}/ask/send"), post(asks::send))
        .route(&format!("{o}/last-call"), post(asks::last_call))
        .route(&format!("{o}/reconfirm-reminders"), post(reconfirm::remind))
        .route(
            &format!("{o}/import"),
            get(import::page).post(import::upload),
        )
        .route(&format!("{o}/import/confirm"), post(import::confirm))
        .route(&format!("{o}/imports/{{id}}"), get(import::record_page))
        .route(
            &format!("{o}/imports/{{id}}/kept-aside.csv"),
            get(import::download_kept),
        )
        .route(
            &format!("{o}/imports/{{id}}/forget"),
            post(import::forget_kept),
        )
        .route(&format!("{o}/imports/{{id}}/undo"), post(import::undo))
        .route(&format!("{o}/export.csv"), get(import::export))
        .route(&format!("{o}/carry"), post(carry::carry))
        .route("/{tenant}/{campaign}/ask/{token}", get(asks::open_link))
        .merge(book::router())
}
