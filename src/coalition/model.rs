//! The list's words, written down once: who a member is to the list (how they joined,
//! what mail they take, what their posts meet), the states a post can be in with the one
//! table of ways between them, and the moderation decision a new post meets.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, sqlx::Type)]
        #[serde(transparent)]
        #[sqlx(transparent)]
        pub struct $name(pub Uuid);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

typed_id!(
    /// A row of `list_members`: a person of the book who joined the list.
    ListMemberId
);
typed_id!(
    /// A conversation of the list: its first post and the replies.
    ThreadId
);
typed_id!(
    /// One post (a thread's first, or a reply).
    PostId
);

crate::db::text_enum! {
    /// What list mail a member takes.
    pub enum Delivery {
        /// Every post as it is published.
        Each = "each",
        /// One email a day with the day's posts.
        Digest = "digest",
        /// No mail: they read the archive.
        ArchiveOnly = "none",
    }
}

impl Delivery {
    pub fn label(self) -> &'static str {
        match self {
            Delivery::Each => "Each message",
            Delivery::Digest => "A daily digest",
            Delivery::ArchiveOnly => "No mail: I read the archive",
        }
    }
}

crate::db::text_enum! {
    /// The member's own click that made them a member: every way in is one.
    pub enum JoinedHow {
        /// The box on their signature's confirmation page.
        Confirmation = "confirmation",
        /// The join link in a member update or the release announcement.
        JoinLink = "join_link",
        /// The button behind an organizer's invitation.
        Invitation = "invitation",
        /// The list's public join page, confirmed from the emailed link.
        JoinPage = "join_page",
    }
}

impl JoinedHow {
    pub fn label(self) -> &'static str {
        match self {
            JoinedHow::Confirmation => "Ticked the box when confirming their signature",
            JoinedHow::JoinLink => "Join link in a campaign email",
            JoinedHow::Invitation => "Accepted an organizer's invitation",
            JoinedHow::JoinPage => "The list's join page",
        }
    }
}

crate::db::text_enum! {
    /// Mailman 3's member moderation action: what this member's posts meet.
    pub enum MemberAction {
        /// The list's default action.
        Default = "default",
        /// Published at once.
        Accept = "accept",
        /// Held for an organizer (a new member starts here: their first post is held).
        Hold = "hold",
        /// Refused; the sender is told.
        Reject = "reject",
        /// Dropped without a word.
        Discard = "discard",
    }
}

impl MemberAction {
    pub fn label(self) -> &'static str {
        match self {
            MemberAction::Default => "The list's default",
            MemberAction::Accept => "Post without moderation",
            MemberAction::Hold => "Hold for moderation",
            MemberAction::Reject => "Reject (they are told)",
            MemberAction::Discard => "Discard silently",
        }
    }
}

crate::db::text_enum! {
    /// What the list does with a member's post when their action is `Default`.
    pub enum ListDefault {
        Accept = "accept",
        Hold = "hold",
    }
}

crate::db::text_enum! {
    pub enum PostState {
        /// In the archive and sent to the members.
        Published = "published",
        /// Waits for an organizer.
        Held = "held",
        /// Refused by an organizer (the sender was told why) or by the member's action.
        Rejected = "rejected",
        /// Dropped without a word.
        Discarded = "discarded",
        /// Taken out of the archive after publishing; the archive says a post was removed.
        Removed = "removed",
    }
}

impl PostState {
    pub fn label(self) -> &'static str {
        match self {
            PostState::Published => "Published",
            PostState::Held => "Held for moderation",
            PostState::Rejected => "Rejected",
            PostState::Discarded => "Discarded",
            PostState::Removed => "Removed",
        }
    }
}

/// What moves a post from one state to another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PostEvent {
    /// An organizer approves a held post (with or without clearing its sender).
    Approve,
    /// An organizer rejects a held post, with a reason the sender is told.
    Reject,
    /// An organizer discards a held post.
    Discard,
    /// An organizer takes a published post out of the archive.
    Remove,
}

/// The one table of transitions: `None` where the event does not apply.
pub fn next_state(from: PostState, event: PostEvent) -> Option<PostState> {
    use PostEvent as E;
    use PostState as S;
    match (from, event) {
        (S::Held, E::Approve) => Some(S::Published),
        (S::Held, E::Reject) => Some(S::Rejected),
        (S::Held, E::Discard) => Some(S::Discarded),
        (S::Published, E::Remove) => Some(S::Removed),
        _ => None,
    }
}

/// The list's settings a new post is judged by.
#[derive(Clone, Copy, Debug)]
pub struct ListModeration {
    pub default_action: ListDefault,
    pub hold_everything: bool,
}

/// What the author's membership says of their posts.
#[derive(Clone, Copy, Debug)]
pub struct AuthorModeration {
    pub action: MemberAction,
    pub muted: bool,
}

/// What a new post meets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    Publish,
    Hold(&'static str),
    Reject(&'static str),
    Discard,
}

impl Decision {
    /// The state a post is stored in; a discarded post is not stored at all.
    pub fn state(&self) -> Option<PostState> {
        match self {
            Decision::Publish => Some(PostState::Published),
            Decision::Hold(_) => Some(PostState::Held),
            Decision::Reject(_) => Some(PostState::Rejected),
            Decision::Discard => None,
        }
    }
}

pub const HELD_FIRST_POST: &str = "A new member's first post waits for an organizer";
pub const HELD_EVERYTHING: &str = "Every post is held (hold everything is on)";
pub const HELD_MUTED: &str = "The sender is muted";
pub const HELD_BY_ACTION: &str = "The sender's posts are held";
pub const HELD_BY_LIST: &str = "The list holds members' posts";
pub const REJECTED_BY_ACTION: &str = "The organizers have set this list not to accept your posts.";

/// The moderation a new post meets. Organizers (no member row: `author` is `None`) are
/// the moderators, so their posts are published; "hold everything" holds every member's.
/// A new member's action is `Hold` until an organizer approves a post and clears them.
pub fn decide(list: ListModeration, author: Option<AuthorModeration>) -> Decision {
    let Some(author) = author else {
        return Decision::Publish;
    };
    if list.hold_everything {
        return Decision::Hold(HELD_EVERYTHING);
    }
    if author.muted {
        return Decision::Hold(HELD_MUTED);
    }
    match author.action {
        MemberAction::Accept => Decision::Publish,
        MemberAction::Hold => Decision::Hold(HELD_BY_ACTION),
        MemberAction::Reject => Decision::Reject(REJECTED_BY_ACTION),
        MemberAction::Discard => Decision::Discard,
        MemberAction::Default => match list.default_action {
            ListDefault::Accept => Decision::Publish,
            ListDefault::Hold => Decision::Hold(HELD_BY_LIST),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATES: [PostState; 5] = [
        PostState::Published,
        PostState::Held,
        PostState::Rejected,
        PostState::Discarded,
        PostState::Removed,
    ];
    const EVENTS: [PostEvent; 4] = [
        PostEvent::Approve,
        PostEvent::Reject,
        PostEvent::Discard,
        PostEvent::Remove,
    ];

    #[test]
    fn every_state_and_event_has_its_one_answer() {
        let mut allowed = Vec::new();
        for from in STATES {
            for event in EVENTS {
                if let Some(to) = next_state(from, event) {
                    allowed.push((from, event, to));
                }
            }
        }
        assert_eq!(
            allowed,
            vec![
                (PostState::Published, PostEvent::Remove, PostState::Removed),
                (PostState::Held, PostEvent::Approve, PostState::Published),
                (PostState::Held, PostEvent::Reject, PostState::Rejected),
                (PostState::Held, PostEvent::Discard, PostState::Discarded),
            ]
        );
    }

    #[test]
    fn the_decision_for_every_setting() {
        let list = |hold_everything, default_action| ListModeration {
            default_action,
            hold_everything,
        };
        let member = |action, muted| Some(AuthorModeration { action, muted });
        let open = list(false, ListDefault::Accept);
        assert_eq!(decide(open, None), Decision::Publish);
        assert_eq!(
            decide(list(true, ListDefault::Accept), None),
            Decision::Publish
        );
        assert_eq!(
            decide(
                list(true, ListDefault::Accept),
                member(MemberAction::Accept, false)
            ),
            Decision::Hold(HELD_EVERYTHING)
        );
        assert_eq!(
            decide(open, member(MemberAction::Accept, true)),
            Decision::Hold(HELD_MUTED)
        );
        assert_eq!(
            decide(open, member(MemberAction::Default, false)),
            Decision::Publish
        );
        assert_eq!(
            decide(
                list(false, ListDefault::Hold),
                member(MemberAction::Default, false)
            ),
            Decision::Hold(HELD_BY_LIST)
        );
        assert_eq!(
            decide(open, member(MemberAction::Hold, false)),
            Decision::Hold(HELD_BY_ACTION)
        );
        assert_eq!(
            decide(open, member(MemberAction::Reject, false)),
            Decision::Reject(REJECTED_BY_ACTION)
        );
        assert_eq!(
            decide(open, member(MemberAction::Discard, false)),
            Decision::Discard
        );
        assert_eq!(Decision::Discard.state(), None);
    }
}
