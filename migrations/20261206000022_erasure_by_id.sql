-- Erasure touches one person: it finds what is about a signer by ids and by their exact
-- address, never by searching the text the public typed (a contact named "Clean" once
-- rewrote the group's mail to everybody else).

-- Which signatures each member update listed, at which place of its list: an erasure
-- blanks exactly that entry in the update's messages. One row per listed name per
-- update (not per message: every recipient of an update gets the same list).
CREATE TABLE member_update_names (
    update_id     bigint NOT NULL REFERENCES member_updates (id) ON DELETE CASCADE,
    position      integer NOT NULL,
    signature_id  uuid NOT NULL REFERENCES signatures (id) ON DELETE CASCADE,
    PRIMARY KEY (update_id, position)
);
CREATE INDEX member_update_names_signature ON member_update_names (signature_id);

-- What each organizer's daily digest listed, line by line: a new signer (signature), a
-- follow-up (prospect) or a failed email (outbox row, which names its recipient).
CREATE TABLE outreach_digest_lines (
    tenant_id     uuid NOT NULL,
    user_id       uuid NOT NULL,
    day           date NOT NULL,
    list          text NOT NULL CHECK (list IN ('new_signers', 'follow_ups', 'failed_mail')),
    position      integer NOT NULL,
    signature_id  uuid,
    prospect_id   uuid,
    -- No foreign key: a line outlives a forgotten message harmlessly.
    outbox_id     bigint,
    PRIMARY KEY (tenant_id, user_id, day, list, position),
    CONSTRAINT outreach_digest_lines_digest_fk FOREIGN KEY (tenant_id, user_id, day)
        REFERENCES outreach_digests (tenant_id, user_id, day) ON DELETE CASCADE,
    CONSTRAINT outreach_digest_lines_one_subject
        CHECK (num_nonnulls(signature_id, prospect_id, outbox_id) = 1)
);
CREATE INDEX outreach_digest_lines_signature ON outreach_digest_lines (signature_id) WHERE signature_id IS NOT NULL;
CREATE INDEX outreach_digest_lines_prospect ON outreach_digest_lines (prospect_id) WHERE prospect_id IS NOT NULL;
CREATE INDEX outreach_digest_lines_outbox ON outreach_digest_lines (outbox_id) WHERE outbox_id IS NOT NULL;

-- A download or an erasure reads one address's mail: by index, never a scan of the
-- group's mail.
CREATE INDEX outbox_recipient ON outbox (tenant_id, lower(recipient));

-- Suggestions that name an address (another signer's "who else should we contact"):
-- an erasure of that address removes them.
CREATE INDEX referrals_email ON referrals (tenant_id, lower(btrim(email))) WHERE email <> '';
