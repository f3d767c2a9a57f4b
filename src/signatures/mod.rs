//! Signatures: the consent ledger that the public sign-on pages and the organizers'
//! campaign pages (and outreach) share. Their lifecycle (states and the one table of
//! allowed transitions), the store with every change recorded as an event, referrals,
//! name folding and the domain check, CSV import and export, and the signers' emails.
//! No pages of its own.

pub mod consent;
pub mod csv;
mod emails;
pub mod lifecycle;
pub mod list_join;
pub mod names;
pub mod privacy;
pub mod reissue;
pub mod retention;
pub mod store;

pub use emails::{
    Bulletin, ConfirmSignature, LetterChanged, MemberUpdate, NameNotCarriedOver, ReconfirmReminder,
    ReissueInvitation, ReissueNoticeVoided,
};
pub use lifecycle::{Action, SignatureKind, SignatureSource, SignatureState};
