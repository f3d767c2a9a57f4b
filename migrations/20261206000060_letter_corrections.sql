-- A correction: a new text of a signed letter that changes no word (punctuation, spacing,
-- formatting, a typo inside a word; the rule is in src/campaigns/correction.rs). Nobody is
-- emailed; those whose consent covered the text before have it carried over, as for a
-- minor change. Only the allowed values grow: every existing row stays valid.
ALTER TABLE letter_revisions DROP CONSTRAINT letter_revisions_change_kind_check;
ALTER TABLE letter_revisions ADD CONSTRAINT letter_revisions_change_kind_check
    CHECK (change_kind IN ('initial', 'minor', 'substantive', 'correction'));
