//! The consent ledger of a reissue: each decision of each previous signer about the new
//! statement, from being asked (or told, or not asked and why) to opting in or out.
//! Lines written by `store::change_state` for every signer's own step, and by the
//! reissue and the scheduler for the rest; no names or addresses are kept here. The SQL
//! is in `store/reissue.rs`.

use time::OffsetDateTime;
use uuid::Uuid;

use super::lifecycle::{Action, SignatureKind, SignatureState};
pub use super::store::reissue::{ledger, originals, record};

crate::db::text_enum! {
    /// One decision about one previous signer and the reissued statement.
    pub enum Decision {
        /// Emailed the new text and asked to opt in: not listed unless they do.
        AskedToOptIn = "asked_to_opt_in",
        /// Confirmed the original with the reissue notice shown: emailed the new text,
        /// listed at the opt-out date unless they opt out.
        ToldListedUnlessOptOut = "told_listed_unless_opt_out",
        /// Not asked at all (the detail says why).
        NotAsked = "not_asked",
        /// Confirmed the new text themselves.
        OptedIn = "opted_in",
        /// Said no to an invitation.
        Declined = "declined",
        /// Opted out before the date.
        OptedOut = "opted_out",
        /// The opt-out date passed without an opt-out: listed.
        ListedAfterNotice = "listed_after_notice",
        /// The notice no longer stands for their consent (the detail says why): not
        /// listed unless they confirm.
        NoticeVoided = "notice_voided",
        /// Withdrew after being listed.
        Withdrew = "withdrew",
    }
}

impl Decision {
    pub fn label(self) -> &'static str {
        match self {
            Decision::AskedToOptIn => "asked to opt in",
            Decision::ToldListedUnlessOptOut => "told they will be listed unless they opt out",
            Decision::NotAsked => "not asked",
            Decision::OptedIn => "opted in (confirmed the new text)",
            Decision::Declined => "declined",
            Decision::OptedOut => "opted out",
            Decision::ListedAfterNotice => "listed: did not opt out by the date",
            Decision::NoticeVoided => "not listed by the notice; listed only if they confirm",
            Decision::Withdrew => "withdrew",
        }
    }

    /// The ledger line for a signer's step on a reissued signature, if it is a decision
    /// about the statement (organizers' moderation is in the signature's own history).
    pub fn of(from: SignatureState, action: Action) -> Option<Decision> {
        use SignatureState::*;
        match (from, action) {
            (Pending | Notified, Action::Confirm | Action::ConfirmForApproval) => {
                Some(Decision::OptedIn)
            }
            (Pending, Action::Withdraw) => Some(Decision::Declined),
            (Notified, Action::Withdraw) => Some(Decision::OptedOut),
            (Notified, Action::NoticeLapsed) => Some(Decision::ListedAfterNotice),
            (Notified, Action::NoticeVoided) => Some(Decision::NoticeVoided),
            (AwaitingApproval | Confirmed, Action::Withdraw) => Some(Decision::Withdrew),
            _ => None,
        }
    }
}

/// A signer of the original campaign, as the reissue considers them.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Original {
    pub id: Uuid,
    pub kind: SignatureKind,
    pub name: String,
    pub email: String,
    /// They confirmed while the original told them a reissue would carry their name over
    /// unless they opted out.
    pub told_in_advance: bool,
    /// Their address asked this group for no more email.
    pub unsubscribed: bool,
}

/// One line of the ledger, for the organizers' reissue page.
#[derive(sqlx::FromRow)]
pub struct Line {
    /// The signer's name as it stands (empty once they erased their details).
    pub name: String,
    pub decision: Decision,
    pub detail: String,
    pub at: OffsetDateTime,
    /// Where the signer's new signature stands now.
    pub state: Option<SignatureState>,
}
