//! The notices the campaign pages show after a change (`?notice=…`).

pub const NOTICES: &[(&str, &str)] = &[
    (
        "campaign-created",
        "Campaign created. It is a draft: nothing is public until you open it.",
    ),
    ("campaign-saved", "Campaign settings saved."),
    (
        "release-saved",
        "Release and updates saved.",
    ),
    (
        "campaign-opened",
        "The campaign is open: the sign-on link works and the page is unlisted.",
    ),
    (
        "campaign-published",
        "Published: the public page lists everyone who signed.",
    ),
    (
        "campaign-closed",
        "Closed: the form takes no more signatures; the page stays.",
    ),
    (
        "campaign-reopened",
        "Reopened: the form takes signatures again.",
    ),
    (
        "campaign-kept-open",
        "The letter stays open to new signers after the hard deadline.",
    ),
    (
        "campaign-deadline-restored",
        "The form closes again at the hard deadline.",
    ),
    (
        "letter-saved",
        "Letter saved as a new revision. The public page and the form show it now.",
    ),
    (
        "letter-saved-minor",
        "Saved as a minor change: every listed signer was emailed the change and the new text, and stays listed unless they withdraw.",
    ),
    (
        "letter-saved-correction",
        "Saved as a correction: no word changed, so nobody was emailed. Everyone listed stays listed under the corrected text.",
    ),
    (
        "letter-saved-substantive",
        "Saved as a substantive change: signers are listed under the new text only once they confirm it; each was emailed a link to do so.",
    ),
    (
        "reissued",
        "Reissued as a new statement, open for signatures. Each previous signer was emailed the new text and their own link; nobody is listed until they decide (or, if they were told in advance, until the opt-out date passes).",
    ),
    (
        "reissue-notice-saved",
        "Saved. Signers who confirm from now on see the notice, and it is recorded with their signature.",
    ),
    (
        "letter-unchanged",
        "The letter was not changed, so no new revision was made.",
    ),
    (
        "signature-approved",
        "Signature approved: it counts and is listed publicly.",
    ),
    (
        "signature-restored",
        "Rejection undone: the signature is back where it was before.",
    ),
    (
        "signature-asked-to-confirm",
        "Done, but the name is not listed yet: the letter changed after this signer confirmed it, so they were emailed the text as it stands and appear once they confirm it.",
    ),
    (
        "signature-rejected",
        "Signature rejected. The reason is kept in its history.",
    ),
    ("imported", "Signatures imported. Each signer was emailed a link to confirm; their names appear once they do."),
];
