//! A campaign's life, written down once: its statuses, what moves it, and the one table
//! of allowed transitions (the pattern of `signatures::lifecycle`). The status form
//! (`handlers::change_status`), the release (`store::claim_next_release`) and a reissue
//! opening its new statement read their next status from this table; nothing else
//! changes a campaign's status.

use Target::*;

crate::db::text_enum! {
    /// Where a campaign is in its life. Only `open` and `published` accept signatures.
    pub enum Status {
        /// Nothing public yet.
        Draft = "draft",
        /// The sign-on link works; the page is unlisted (`noindex`).
        Open = "open",
        /// The public page lists everyone and may be indexed.
        Published = "published",
        /// The form is closed; the page stays.
        Closed = "closed",
    }
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Draft => "Draft",
            Status::Open => "Open for signatures",
            Status::Published => "Published",
            Status::Closed => "Closed",
        }
    }

    pub fn is_public(self) -> bool {
        self != Status::Draft
    }
}

/// Everything that can happen to a campaign's status (or, keeping it, to whether the
/// form stays open after the hard deadline).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Organizers open a draft: the sign-on link works. A reissue opens the new statement
    /// it creates the same way.
    Open,
    /// Organizers publish: the public page lists everyone and may be indexed.
    Publish,
    /// Organizers close the form; the page stays.
    Close,
    /// Organizers reopen a closed campaign, back to where it was.
    Reopen,
    /// Organizers keep the form open after the hard deadline.
    KeepOpen,
    /// Organizers let the form close again at the hard deadline.
    EndKeepOpen,
    /// The release date came (the scheduler): an open campaign is published.
    Release,
}

impl Action {
    pub const ALL: [Action; 7] = [
        Action::Open,
        Action::Publish,
        Action::Close,
        Action::Reopen,
        Action::KeepOpen,
        Action::EndKeepOpen,
        Action::Release,
    ];

    /// The action a button of the status form names (the release is the scheduler's).
    pub fn from_form(value: &str) -> Option<Action> {
        match value {
            "open" => Some(Action::Open),
            "publish" => Some(Action::Publish),
            "close" => Some(Action::Close),
            "reopen" => Some(Action::Reopen),
            "keep_open" => Some(Action::KeepOpen),
            "end_keep_open" => Some(Action::EndKeepOpen),
            _ => None,
        }
    }

    /// Whether the form stays open after the hard deadline once this is done, given
    /// whether it did before: closing ends it, the two keep-open buttons set it.
    pub fn keeps_open(self, before: bool) -> bool {
        match self {
            Action::Close | Action::EndKeepOpen => false,
            Action::KeepOpen => true,
            Action::Open | Action::Publish | Action::Reopen | Action::Release => before,
        }
    }

    /// The notice the dashboard shows after organizers did this.
    pub fn notice(self) -> &'static str {
        match self {
            Action::Open => "campaign-opened",
            Action::Publish => "campaign-published",
            Action::Close => "campaign-closed",
            Action::Reopen => "campaign-reopened",
            Action::KeepOpen => "campaign-kept-open",
            Action::EndKeepOpen => "campaign-deadline-restored",
            Action::Release => "campaign-published",
        }
    }
}

/// Where a transition leads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    To(Status),
    /// The status stays (only whether the form stays open after the deadline changes,
    /// or, for a release, only that it happened).
    Stays,
    /// Back to where it was before it closed: published if it ever was, open otherwise.
    BackToWhereItWas,
}

/// The allowed transitions: (from, action, where to). Anything not here is refused.
pub const TRANSITIONS: &[(Status, Action, Target)] = &[
    (Status::Draft, Action::Open, To(Status::Open)),
    (Status::Draft, Action::Publish, To(Status::Published)),
    (Status::Open, Action::Publish, To(Status::Published)),
    (Status::Open, Action::Close, To(Status::Closed)),
    (Status::Published, Action::Close, To(Status::Closed)),
    (Status::Closed, Action::Reopen, BackToWhereItWas),
    (Status::Open, Action::KeepOpen, Stays),
    (Status::Published, Action::KeepOpen, Stays),
    (Status::Open, Action::EndKeepOpen, Stays),
    (Status::Published, Action::EndKeepOpen, Stays),
    (Status::Open, Action::Release, To(Status::Published)),
    (Status::Published, Action::Release, Stays),
    (Status::Closed, Action::Release, Stays),
];

/// Where `action` takes a campaign in status `from`, if it is allowed at all.
pub fn target(from: Status, action: Action) -> Option<Target> {
    TRANSITIONS
        .iter()
        .find(|(f, a, _)| *f == from && *a == action)
        .map(|(_, _, to)| *to)
}

/// Whether `action` is allowed from `from`.
pub fn allowed(from: Status, action: Action) -> bool {
    target(from, action).is_some()
}

/// The status `action` leads to from `from` (`was_published`: the campaign was published
/// once, for a reopening); `None` when the table does not allow it.
pub fn next(from: Status, action: Action, was_published: bool) -> Option<Status> {
    Some(match target(from, action)? {
        To(status) => status,
        Stays => from,
        BackToWhereItWas if was_published => Status::Published,
        BackToWhereItWas => Status::Open,
    })
}

/// Every (from, to) pair of an action that needs no history (for SQL that moves many
/// campaigns at once, as the release does).
pub fn moves(action: Action) -> Vec<(Status, Status)> {
    TRANSITIONS
        .iter()
        .filter(|(_, a, _)| *a == action)
        .filter_map(|(from, _, to)| match to {
            To(status) => Some((*from, *status)),
            Stays => Some((*from, *from)),
            BackToWhereItWas => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the code allowed before the table existed, one (status, action) pair at a
    /// time: the status form's guards, the release's `status <> 'draft'` with `open`
    /// becoming `published`, and a reissue opening its new draft.
    fn allowed_before(from: Status, action: Action) -> Option<Status> {
        use Status::*;
        match action {
            Action::Open if from == Draft => Some(Open),
            Action::Publish if matches!(from, Draft | Open) => Some(Published),
            Action::Close if matches!(from, Open | Published) => Some(Closed),
            // Published when `published_at` is set; see `reopening_goes_back`.
            Action::Reopen if from == Closed => Some(Open),
            Action::KeepOpen | Action::EndKeepOpen if matches!(from, Open | Published) => {
                Some(from)
            }
            Action::Release if from != Draft => Some(if from == Open { Published } else { from }),
            _ => None,
        }
    }

    #[test]
    fn the_table_allows_exactly_what_the_code_allowed() {
        for from in Status::ALL {
            for action in Action::ALL {
                let outcomes = TRANSITIONS
                    .iter()
                    .filter(|(f, a, _)| f == from && *a == action)
                    .count();
                assert!(outcomes <= 1, "{from:?} + {action:?}");
                assert_eq!(
                    allowed(*from, action),
                    allowed_before(*from, action).is_some(),
                    "{from:?} + {action:?}"
                );
                assert_eq!(
                    next(*from, action, false),
                    allowed_before(*from, action),
                    "{from:?} + {action:?}"
                );
            }
        }
    }

    #[test]
    fn reopening_goes_back() {
        assert_eq!(
            next(Status::Closed, Action::Reopen, true),
            Some(Status::Published)
        );
        assert_eq!(
            next(Status::Closed, Action::Reopen, false),
            Some(Status::Open)
        );
    }

    #[test]
    fn nothing_leads_back_to_draft_and_the_release_moves_only_public_campaigns() {
        for (from, action, to) in TRANSITIONS {
            assert_ne!(*to, To(Status::Draft), "{from:?} + {action:?}");
        }
        assert_eq!(
            moves(Action::Release),
            [
                (Status::Open, Status::Published),
                (Status::Published, Status::Published),
                (Status::Closed, Status::Closed),
            ]
        );
    }

    #[test]
    fn form_actions_and_what_they_keep() {
        for action in Action::ALL {
            let word = match action {
                Action::Open => "open",
                Action::Publish => "publish",
                Action::Close => "close",
                Action::Reopen => "reopen",
                Action::KeepOpen => "keep_open",
                Action::EndKeepOpen => "end_keep_open",
                Action::Release => "release",
            };
            let expected = (action != Action::Release).then_some(action);
            assert_eq!(Action::from_form(word), expected);
        }
        assert!(!Action::Close.keeps_open(true));
        assert!(Action::KeepOpen.keeps_open(false));
        assert!(Action::Publish.keeps_open(true));
    }

    #[test]
    fn statuses_read_back_only_known_values() {
        for status in Status::ALL {
            assert_eq!(Status::parse(status.as_str()), Some(*status));
        }
        assert_eq!(Status::parse("archived"), None);
    }
}
