//! The kinds of line in a prospect's activity log, and which ones organizers log by hand.

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
