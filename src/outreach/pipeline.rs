//! A prospect's pipeline, written down once: the statuses organizers set
//! (`PipelineStatus`), what the list shows (`Stage`: signed and on hold come from a
//! signature and a hold, never from the status), what moves a status (`Action`), and the
//! one table of allowed moves (`TRANSITIONS`). Every status change in outreach asks
//! `allowed` (or `target`) first; the table says what the code does, nothing stricter:
//! organizers may choose any status (a wrong click is undone by choosing again), a sent
//! ask moves a prospect not contacted to asked, a logged call or meeting starts a
//! conversation, and a merge gives the kept prospect the folded one's status only while
//! it had none of its own.

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

/// Everything that moves a prospect's status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// An organizer chooses this status, on the prospect's page or for many at once
    /// from the list.
    Choose(PipelineStatus),
    /// An ask or follow-up went to one of its contacts.
    AskSent,
    /// A call or meeting with it was logged.
    Spoke,
    /// Merged with a prospect in this status, which the kept one takes.
    MergedWith(PipelineStatus),
}

use PipelineStatus::*;

impl Action {
    /// Every action, for the exhaustive walk of the table.
    pub const ALL: [Action; 12] = [
        Action::Choose(NotContacted),
        Action::Choose(Asked),
        Action::Choose(InConversation),
        Action::Choose(Declined),
        Action::Choose(OwnStatement),
        Action::AskSent,
        Action::Spoke,
        Action::MergedWith(NotContacted),
        Action::MergedWith(Asked),
        Action::MergedWith(InConversation),
        Action::MergedWith(Declined),
        Action::MergedWith(OwnStatement),
    ];
}

use Action::*;

/// The allowed moves: (from, action, to). Anything not here leaves the status as it is.
/// Choosing the status a prospect already has is allowed and changes nothing.
pub const TRANSITIONS: &[(PipelineStatus, Action, PipelineStatus)] = &[
    // Organizers choose freely.
    (NotContacted, Choose(NotContacted), NotContacted),
    (NotContacted, Choose(Asked), Asked),
    (NotContacted, Choose(InConversation), InConversation),
    (NotContacted, Choose(Declined), Declined),
    (NotContacted, Choose(OwnStatement), OwnStatement),
    (Asked, Choose(NotContacted), NotContacted),
    (Asked, Choose(Asked), Asked),
    (Asked, Choose(InConversation), InConversation),
    (Asked, Choose(Declined), Declined),
    (Asked, Choose(OwnStatement), OwnStatement),
    (InConversation, Choose(NotContacted), NotContacted),
    (InConversation, Choose(Asked), Asked),
    (InConversation, Choose(InConversation), InConversation),
    (InConversation, Choose(Declined), Declined),
    (InConversation, Choose(OwnStatement), OwnStatement),
    (Declined, Choose(NotContacted), NotContacted),
    (Declined, Choose(Asked), Asked),
    (Declined, Choose(InConversation), InConversation),
    (Declined, Choose(Declined), Declined),
    (Declined, Choose(OwnStatement), OwnStatement),
    (OwnStatement, Choose(NotContacted), NotContacted),
    (OwnStatement, Choose(Asked), Asked),
    (OwnStatement, Choose(InConversation), InConversation),
    (OwnStatement, Choose(Declined), Declined),
    (OwnStatement, Choose(OwnStatement), OwnStatement),
    // A sent ask: only a prospect nobody had contacted becomes asked.
    (NotContacted, AskSent, Asked),
    // Someone spoke with them: a conversation has started.
    (NotContacted, Spoke, InConversation),
    (Asked, Spoke, InConversation),
    // A merge: the kept prospect takes the folded one's status only while not contacted.
    (NotContacted, MergedWith(NotContacted), NotContacted),
    (NotContacted, MergedWith(Asked), Asked),
    (NotContacted, MergedWith(InConversation), InConversation),
    (NotContacted, MergedWith(Declined), Declined),
    (NotContacted, MergedWith(OwnStatement), OwnStatement),
];

/// Where `action` takes a prospect in status `from`, if it moves it at all.
pub fn target(from: PipelineStatus, action: Action) -> Option<PipelineStatus> {
    TRANSITIONS
        .iter()
        .find(|(f, a, _)| *f == from && *a == action)
        .map(|(_, _, to)| *to)
}

/// Whether `action` moves a prospect in status `from`.
pub fn allowed(from: PipelineStatus, action: Action) -> bool {
    target(from, action).is_some()
}

/// The statuses `action` moves a prospect out of (for SQL that changes many at once).
pub fn sources(action: Action) -> Vec<PipelineStatus> {
    PipelineStatus::ALL
        .iter()
        .copied()
        .filter(|from| allowed(*from, action))
        .collect()
}

/// `sources` as the text the `status` column holds, to bind as `text[]`.
pub fn source_keys(action: Action) -> Vec<&'static str> {
    sources(action)
        .into_iter()
        .map(PipelineStatus::as_str)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What each action does, said once more independently of the table: the walk below
    /// checks every (status, action) pair against it.
    fn expected(from: PipelineStatus, action: Action) -> Option<PipelineStatus> {
        match action {
            Choose(to) => Some(to),
            AskSent => (from == NotContacted).then_some(Asked),
            Spoke => matches!(from, NotContacted | Asked).then_some(InConversation),
            MergedWith(other) => (from == NotContacted).then_some(other),
        }
    }

    #[test]
    fn every_status_and_action_moves_as_the_code_does() {
        let mut walked = 0;
        for from in PipelineStatus::ALL {
            for action in Action::ALL {
                let outcomes = TRANSITIONS
                    .iter()
                    .filter(|(f, a, _)| f == from && *a == action)
                    .count();
                assert!(
                    outcomes <= 1,
                    "{from:?} + {action:?} has {outcomes} outcomes"
                );
                assert_eq!(
                    target(*from, action),
                    expected(*from, action),
                    "{from:?} + {action:?}"
                );
                assert_eq!(allowed(*from, action), expected(*from, action).is_some());
                walked += 1;
            }
        }
        assert_eq!(walked, PipelineStatus::ALL.len() * Action::ALL.len());
    }

    #[test]
    fn every_action_is_listed_once() {
        for status in PipelineStatus::ALL {
            for action in [Choose(*status), MergedWith(*status)] {
                assert_eq!(Action::ALL.iter().filter(|a| **a == action).count(), 1);
            }
        }
        assert_eq!(Action::ALL.len(), 2 * PipelineStatus::ALL.len() + 2);
    }

    #[test]
    fn only_a_prospect_nobody_contacted_is_moved_by_an_ask_or_a_merge() {
        assert_eq!(sources(AskSent), vec![NotContacted]);
        assert_eq!(sources(Spoke), vec![NotContacted, Asked]);
        for status in PipelineStatus::ALL {
            assert_eq!(sources(MergedWith(*status)), vec![NotContacted]);
            assert_eq!(sources(Choose(*status)).len(), PipelineStatus::ALL.len());
        }
        assert_eq!(source_keys(AskSent), vec!["not_contacted"]);
    }
}
