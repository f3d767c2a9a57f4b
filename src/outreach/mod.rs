//! Outreach: the organizations a campaign asks to sign (prospects) and their
//! decision-makers (contacts), personal asks whose link always opens the current letter,
//! the activity log, the touch limits that keep anyone from being nagged, each organizer's
//! follow-up queue, and the scheduler's deadline emails. A prospect is "signed" only while
//! a confirmed signature matches it: outreach records consent, it never makes it.

mod asks;
mod bulk;
mod carry;
mod daily_cap;
mod dashboard;
mod emails;
mod handlers;
mod import;
mod links;
mod queue;
mod reconfirm;
pub mod rules;
pub mod scheduler;
mod settings_page;
pub mod store;

use axum::routing::{get, post};
use axum::Router;

pub use asks::first_word;
pub use emails::{Ask, DailyDigest, DeadlineReminder, LastCall, OrganizerAlert};
pub use scheduler::Scheduler;

use crate::state::AppState;

pub const NOTICES: &[(&str, &str)] = &[
    ("prospect-added", "Prospect added."),
    ("prospect-saved", "Prospect saved."),
    ("contact-added", "Contact added."),
    ("contact-removed", "Contact removed."),
    ("contact-saved", "Contact saved."),
    (
        "bounce-cleared",
        "The bounce is cleared: this address may be written to again.",
    ),
    ("activity-logged", "Logged."),
    ("status-changed", "Status changed."),
    (
        "match-confirmed",
        "Match confirmed: the prospect counts as signed while that signature stands.",
    ),
    ("snoozed", "Snoozed: it comes back on the date you chose."),
    (
        "reminder-set",
        "Follow-up set before the soft deadline: it comes up in the follow-up queue then, hold or not.",
    ),
    (
        "change-answered",
        "The requested change is linked to the revision that answered it.",
    ),
    (
        "change-answered-told",
        "The requested change is linked to the revision that answered it, and the prospect's contacts were told.",
    ),
    (
        "last-call-sent",
        "Last call queued to the contacts who were asked and have not signed.",
    ),
    ("outreach-settings-saved", "Outreach settings saved."),
    (
        "reconfirm-reminded",
        "Reminders sent to the signers awaiting reconfirmation whom the touch limits allow; the list shows who was reminded and when.",
    ),
    (
        "reconfirm-none",
        "Nobody was reminded: each signer awaiting reconfirmation was written to too recently or too often (the touch limits), or can no longer confirm.",
    ),
    (
        "prospects-imported",
        "Prospects imported. Possible duplicates are flagged on the list.",
    ),
    (
        "prospects-imported-some",
        "The good rows are imported. The rows with problems are kept aside below, to fix and import.",
    ),
    ("kept-rows-forgotten", "The kept rows are forgotten."),
    (
        "import-undone",
        "The import is undone: its prospects and their contacts are removed.",
    ),
    ("prospects-updated", "The selected prospects are changed."),
    (
        "prospects-deleted",
        "The selected prospects are deleted, with their contacts and log.",
    ),
    (
        "prospects-merged",
        "The two prospects are one now: contacts and log kept.",
    ),
    (
        "none-selected",
        "Nothing changed: tick the prospects to change first (or \"all\").",
    ),
];

crate::db::text_enum! {
    /// Where the relationship stands, as organizers set it. "Signed" and "on hold" are not
    /// stored here: a prospect is signed while a confirmed signature matches it, and held
    /// while a hold with a reason lasts (see `Stage`).
    pub enum PipelineStatus {
        NotContacted = "not_contacted",
        Asked = "asked",
        InConversation = "in_conversation",
        Declined = "declined",
        OwnStatement = "own_statement",
    }
}

impl PipelineStatus {
    pub fn label(self) -> &'static str {
        Stage::from(self).label()
    }
}

/// What the list and the funnel show: the pipeline status, unless a confirmed signature
/// makes the prospect signed or a hold sets it aside.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    NotContacted,
    Asked,
    InConversation,
    Signed,
    Declined,
    OwnStatement,
    OnHold,
}

/// Whether a hold with this reason and end date lasts on `today`: a hold needs a reason,
/// and ends on its date.
pub fn hold_lasts(reason: &str, until: Option<time::Date>, today: time::Date) -> bool {
    !reason.is_empty() && until.is_none_or(|until| until > today)
}

impl Stage {
    /// The one rule for what a prospect shows (the SQL in `store` mirrors it): signed
    /// while a confirmed signature matches it, else on hold while a hold lasts, else its
    /// pipeline status.
    pub fn of(status: PipelineStatus, signed: bool, held: bool) -> Stage {
        if signed {
            Stage::Signed
        } else if held {
            Stage::OnHold
        } else {
            status.into()
        }
    }

    pub const ALL: [Stage; 7] = [
        Stage::NotContacted,
        Stage::Asked,
        Stage::InConversation,
        Stage::Signed,
        Stage::Declined,
        Stage::OwnStatement,
        Stage::OnHold,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Stage::NotContacted => "not_contacted",
            Stage::Asked => "asked",
            Stage::InConversation => "in_conversation",
            Stage::Signed => "signed",
            Stage::Declined => "declined",
            Stage::OwnStatement => "own_statement",
            Stage::OnHold => "on_hold",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Stage::NotContacted => "Not contacted",
            Stage::Asked => "Asked",
            Stage::InConversation => "In conversation",
            Stage::Signed => "Signed",
            Stage::Declined => "Declined",
            Stage::OwnStatement => "Will issue its own statement",
            Stage::OnHold => "On hold",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.key() == key)
    }

    /// Whether anything may still be sent to this prospect's contacts.
    pub fn may_be_written_to(self) -> bool {
        matches!(
            self,
            Stage::NotContacted | Stage::Asked | Stage::InConversation
        )
    }
}

impl From<PipelineStatus> for Stage {
    fn from(status: PipelineStatus) -> Self {
        match status {
            PipelineStatus::NotContacted => Stage::NotContacted,
            PipelineStatus::Asked => Stage::Asked,
            PipelineStatus::InConversation => Stage::InConversation,
            PipelineStatus::Declined => Stage::Declined,
            PipelineStatus::OwnStatement => Stage::OwnStatement,
        }
    }
}

crate::db::text_enum! {
    /// An organization's reach; national and international ones are approached early,
    /// since they take longest to decide.
    pub enum Size {
        Local = "local",
        Regional = "regional",
        National = "national",
        International = "international",
    }
}

impl Size {
    pub fn label(self) -> &'static str {
        match self {
            Size::Local => "Local",
            Size::Regional => "Regional",
            Size::National => "National",
            Size::International => "International",
        }
    }

    pub fn approach_early(self) -> bool {
        matches!(self, Size::National | Size::International)
    }
}

crate::db::text_enum! {
    /// One line of a prospect's activity log.
    pub enum ActivityKind {
        Ask = "ask",
        FollowUp = "follow_up",
        Reminder = "reminder",
        LastCall = "last_call",
        Call = "call",
        Meeting = "meeting",
        Note = "note",
        ChangeRequest = "change_request",
        Opened = "opened",
        Signed = "signed",
        Unsigned = "unsigned",
        Bounced = "bounced",
        Skipped = "skipped",
        Status = "status",
    }
}

impl ActivityKind {
    pub fn label(self) -> &'static str {
        match self {
            ActivityKind::Ask => "Ask sent",
            ActivityKind::FollowUp => "Follow-up sent",
            ActivityKind::Reminder => "Deadline reminder sent",
            ActivityKind::LastCall => "Last call sent",
            ActivityKind::Call => "Call",
            ActivityKind::Meeting => "Meeting",
            ActivityKind::Note => "Note",
            ActivityKind::ChangeRequest => "Asked for a change to the letter",
            ActivityKind::Opened => "Opened the personal link",
            ActivityKind::Signed => "Signed",
            ActivityKind::Unsigned => "Signature withdrawn",
            ActivityKind::Bounced => "Email bounced",
            ActivityKind::Skipped => "Automated email not sent",
            ActivityKind::Status => "Status changed",
        }
    }

    /// Emails sent, calls and meetings: what the touch limits count.
    pub fn is_touch(self) -> bool {
        matches!(
            self,
            ActivityKind::Ask
                | ActivityKind::FollowUp
                | ActivityKind::Reminder
                | ActivityKind::LastCall
                | ActivityKind::Call
                | ActivityKind::Meeting
        )
    }
}

/// The kinds an organizer logs by hand on a prospect's page.
pub const LOGGABLE: [ActivityKind; 4] = [
    ActivityKind::Call,
    ActivityKind::Meeting,
    ActivityKind::Note,
    ActivityKind::ChangeRequest,
];

const OUTREACH: &str = "/app/{tenant}/campaigns/{campaign}/outreach";

pub fn router() -> Router<AppState> {
    let o = OUTREACH;
    Router::new()
        .route(o, get(dashboard::page))
        .route(&format!("{o}/prospects"), get(handlers::list))
        .route(&format!("{o}/prospects/bulk"), post(bulk::apply))
        .route(
            &format!("{o}/prospects/new"),
            get(handlers::new_page).post(handlers::create),
        )
        .route(
            &format!("{o}/prospects/{{id}}"),
            get(handlers::detail).post(handlers::update),
        )
        .route(
            &format!("{o}/prospects/{{id}}/contacts"),
            post(handlers::add_contact),
        )
        .route(
            &format!("{o}/prospects/{{id}}/activities"),
            post(handlers::log_activity),
        )
        .route(
            &format!("{o}/prospects/{{id}}/status"),
            post(handlers::change_status),
        )
        .route(
            &format!("{o}/prospects/{{id}}/match"),
            post(handlers::confirm_match),
        )
        .route(
            &format!("{o}/prospects/{{id}}/snooze"),
            post(handlers::snooze),
        )
        .route(
            &format!("{o}/prospects/{{id}}/remind-before-soft-deadline"),
            post(handlers::remind_before_soft_deadline),
        )
        .route(
            &format!("{o}/prospects/{{id}}/log-call"),
            get(handlers::log_call_page),
        )
        .route(
            &format!("{o}/contacts/{{id}}/clear-bounce"),
            post(handlers::clear_bounce),
        )
        .route(
            &format!("{o}/contacts/{{id}}"),
            post(handlers::edit_contact),
        )
        .route(
            &format!("{o}/contacts/{{id}}/remove"),
            post(handlers::remove_contact),
        )
        .route(
            &format!("{o}/activities/{{id}}/answered"),
            post(handlers::answer_change),
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
}
