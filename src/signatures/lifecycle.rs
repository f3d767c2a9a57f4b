//! A signature's life, written down once: its states, who may move it how, and the one
//! table of allowed transitions. The store applies a transition only when this table
//! allows it from the state it reads (under a row lock); nothing else changes a state.

use std::fmt;

crate::db::text_enum! {
    /// Only `Confirmed` counts and is shown publicly.
    pub enum SignatureState {
        /// Signed on the form; waits for the signer's emailed confirmation.
        Pending = "pending",
        /// Carried into a reissue by the advance notice the signer confirmed in the
        /// original campaign: told of the new text, listed at the opt-out date unless they
        /// opt out. Entered only when the reissue creates the signature.
        Notified = "notified",
        /// The signer confirmed; the campaign moderates, so organizers decide.
        AwaitingApproval = "awaiting_approval",
        /// Counts and is listed publicly.
        Confirmed = "confirmed",
        /// Organizers declined it.
        Rejected = "rejected",
        /// The signer took it back.
        Withdrawn = "withdrawn",
    }
}

impl SignatureState {
    pub fn label(self) -> &'static str {
        match self {
            SignatureState::Pending => "Pending confirmation",
            SignatureState::Notified => "Told of the reissue; listed unless they opt out",
            SignatureState::AwaitingApproval => "Awaiting approval",
            SignatureState::Confirmed => "Confirmed",
            SignatureState::Rejected => "Rejected",
            SignatureState::Withdrawn => "Withdrawn",
        }
    }

    /// Confirmed by the signer, whether or not organizers have approved it yet.
    pub fn signer_confirmed(self) -> bool {
        matches!(
            self,
            SignatureState::Confirmed | SignatureState::AwaitingApproval
        )
    }
}

impl fmt::Display for SignatureState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

crate::db::text_enum! {
    pub enum SignatureKind {
        Organization = "organization",
        Individual = "individual",
    }
}

impl fmt::Display for SignatureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

crate::db::text_enum! {
    /// How a signature came in.
    pub enum SignatureSource {
        /// The public sign-on form, confirmed by email.
        Form = "form",
        /// The host organization, signed on by its organizer when creating the campaign.
        Host = "host",
        /// Gathered by phone or email and imported from CSV by organizers; confirmed by
        /// the signer from an emailed link like any other.
        Import = "import",
        /// A reissue of a finished campaign asked its signer to opt in: starts pending,
        /// like the form, and is listed only if its signer confirms.
        ReissueInvitation = "reissue_invitation",
        /// A reissue carried the signer over by the notice they confirmed in the original
        /// campaign: starts `Notified`.
        ReissueNotice = "reissue_notice",
    }
}

impl SignatureSource {
    /// Made by reissuing an earlier campaign (its decisions go into the reissue's ledger).
    pub fn is_reissue(self) -> bool {
        matches!(
            self,
            SignatureSource::ReissueInvitation | SignatureSource::ReissueNotice
        )
    }
}

impl fmt::Display for SignatureSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything that can happen to an existing signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// The signer confirms from the emailed link (campaign without moderation).
    Confirm,
    /// The signer confirms; the campaign moderates, so it waits for organizers.
    ConfirmForApproval,
    /// Organizers approve a signature its signer confirmed (campaigns with moderation).
    Approve,
    /// Organizers decline a signature.
    Reject,
    /// Organizers undo their rejection: the signature goes back to the state it had.
    Restore,
    /// The signer withdraws.
    Withdraw,
    /// The signer of a withdrawn signature signs again on the form.
    SignAgain,
    /// The opt-out date of a reissue passed and the signer, told of the new text, did not
    /// opt out: the consent they gave in advance, when they confirmed the original with
    /// its reissue notice shown, takes effect. Only the scheduler does this.
    NoticeLapsed,
    /// The notice can no longer stand for consent (the text, title or points changed
    /// after the signer was told, their invitation was not delivered, or they
    /// took back their original signature): the signature waits for the signer's own
    /// confirmation instead. Only the scheduler does this.
    NoticeVoided,
}

impl Action {
    pub const ALL: [Action; 9] = [
        Action::Confirm,
        Action::ConfirmForApproval,
        Action::Approve,
        Action::Reject,
        Action::Restore,
        Action::Withdraw,
        Action::SignAgain,
        Action::NoticeLapsed,
        Action::NoticeVoided,
    ];

    /// Whether this is the signer's own confirmation of the text (what makes a name
    /// public; no organizer action is one).
    pub fn is_signer_confirmation(self) -> bool {
        matches!(self, Action::Confirm | Action::ConfirmForApproval)
    }

    /// Whether this records the signer's consent (`confirmed_at`): their confirmation
    /// now, or the advance consent of a reissue notice they did not opt out of.
    pub fn gives_signer_consent(self) -> bool {
        self.is_signer_confirmation() || self == Action::NoticeLapsed
    }
}

/// Where a transition leads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    To(SignatureState),
    /// Back to the state the signature had before it was rejected (read from its history),
    /// never further: undoing a rejection cannot confirm anything.
    StateBeforeRejection,
}

use Action::*;
use SignatureState::*;
use Target::*;

/// The allowed transitions: (from, action, where to). Anything not here is refused.
/// Only the signer's own confirmation leads out of `Pending` towards the public list
/// (out of `Notified` also the lapse of the opt-out date they were told of in advance);
/// organizers can approve only what the signer confirmed, and undoing a rejection
/// returns to the earlier state, so no organizer click stands in for consent.
pub const TRANSITIONS: &[(SignatureState, Action, Target)] = &[
    (Pending, Confirm, To(Confirmed)),
    (Pending, ConfirmForApproval, To(AwaitingApproval)),
    (AwaitingApproval, Approve, To(Confirmed)),
    (Pending, Reject, To(Rejected)),
    (AwaitingApproval, Reject, To(Rejected)),
    (Confirmed, Reject, To(Rejected)),
    (Rejected, Restore, StateBeforeRejection),
    (Pending, Withdraw, To(Withdrawn)),
    (AwaitingApproval, Withdraw, To(Withdrawn)),
    (Confirmed, Withdraw, To(Withdrawn)),
    (Withdrawn, SignAgain, To(Pending)),
    (Notified, Confirm, To(Confirmed)),
    (Notified, ConfirmForApproval, To(AwaitingApproval)),
    (Notified, Withdraw, To(Withdrawn)),
    (Notified, NoticeLapsed, To(Confirmed)),
    (Notified, NoticeVoided, To(Pending)),
];

/// The state a new signature starts in. Signatures from the form and from a CSV import
/// wait for their signer's emailed confirmation (an organizer's list of who said yes by
/// phone is not the signer's own confirmation of the text); only the host organization,
/// signed on by its own organizer when creating the campaign, starts confirmed. A reissue
/// asks for a new confirmation, or (advance notice) waits for the opt-out date.
pub fn initial_state(source: SignatureSource) -> SignatureState {
    match source {
        SignatureSource::Form | SignatureSource::Import | SignatureSource::ReissueInvitation => {
            Pending
        }
        SignatureSource::ReissueNotice => Notified,
        SignatureSource::Host => Confirmed,
    }
}

/// Where `action` takes a signature in state `from`, if it is allowed at all.
pub fn target(from: SignatureState, action: Action) -> Option<Target> {
    TRANSITIONS
        .iter()
        .find(|(f, a, _)| *f == from && *a == action)
        .map(|(_, _, to)| *to)
}

/// Whether `action` is allowed from `from`.
pub fn allowed(from: SignatureState, action: Action) -> bool {
    target(from, action).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_state_and_action_has_at_most_one_outcome() {
        for from in SignatureState::ALL {
            for action in Action::ALL {
                let outcomes = TRANSITIONS
                    .iter()
                    .filter(|(f, a, _)| f == from && *a == action)
                    .count();
                assert!(outcomes <= 1, "{from:?} + {action:?}");
            }
        }
    }

    #[test]
    fn no_organizer_action_leads_to_confirmed_from_an_unconfirmed_state() {
        for (from, action, to) in TRANSITIONS {
            if *to == To(Confirmed) && !action.gives_signer_consent() {
                assert!(
                    from.signer_confirmed(),
                    "{action:?} confirms a signature its signer never confirmed ({from:?})"
                );
            }
        }
    }

    /// `Notified` stands for consent given in advance to a reissue: nothing leads into it
    /// (organizers cannot reject there, so no undoing of a rejection brings it back after
    /// its date), only the notice source starts there, and the lapse of its date and its
    /// voiding leave only from there.
    #[test]
    fn notified_is_entered_only_at_creation_and_left_by_the_lapse_only_from_there() {
        for (from, action, to) in TRANSITIONS {
            if *to == To(Notified) {
                panic!("{from:?} + {action:?} leads into Notified");
            }
            if matches!(action, NoticeLapsed | NoticeVoided) {
                assert_eq!(*from, Notified, "{action:?} applies only to Notified");
            }
        }
        for source in SignatureSource::ALL {
            assert_eq!(
                initial_state(*source) == Notified,
                *source == SignatureSource::ReissueNotice,
                "{source:?}"
            );
        }
    }

    #[test]
    fn states_read_back_only_known_values() {
        for state in SignatureState::ALL {
            assert_eq!(SignatureState::parse(state.as_str()), Some(*state));
        }
        assert_eq!(SignatureState::parse("approved"), None);
        assert_eq!(SignatureKind::parse("company"), None);
        assert_eq!(SignatureSource::parse("api"), None);
    }
}
