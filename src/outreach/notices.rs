//! The one-line notices outreach pages show after a change (`?notice=key`).

pub const NOTICES: &[(&str, &str)] = &[
    ("prospect-added", "Prospect added."),
    ("prospect-saved", "Prospect saved."),
    (
        "organization-saved",
        "The organization's details are saved in the group's address book: every campaign sees them.",
    ),
    (
        "contact-added",
        "Contact added to the organization in the group's address book.",
    ),
    (
        "contact-removed",
        "Contact removed from the group's address book.",
    ),
    ("contact-saved", "Contact saved in the group's address book."),
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
        "book-settings-saved",
        "Saved: the group's touch limits apply to every campaign from now on.",
    ),
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
        "Prospects imported. Organizations already in the address book were taken from it, not added twice.",
    ),
    (
        "prospects-imported-some",
        "The good rows are imported. The rows with problems are kept aside below, to fix and import.",
    ),
    ("kept-rows-forgotten", "The kept rows are forgotten."),
    (
        "import-undone",
        "The import is undone: what it added is removed.",
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
    (
        "organizations-imported",
        "Organizations imported into the address book. Add them to a campaign below.",
    ),
    (
        "organizations-imported-some",
        "The good rows are imported into the address book. The rows with problems are kept aside below, to fix and import.",
    ),
    (
        "book-organizations-added",
        "The import's organizations are added to this campaign's prospects (those it had already stay as they were).",
    ),
    (
        "person-erased",
        "The person is erased from the address book and from every campaign's outreach.",
    ),
];
