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

-- Updates and digests queued before this migration: each entry is matched to the
-- signature it was written from, by whole-entry equality within its own campaign (an
-- update) or group (a digest: "<name> signed <title>"), never by a search inside text.
INSERT INTO member_update_names (update_id, position, signature_id)
SELECT DISTINCT ON (u.id, e.position) u.id, e.position - 1, s.id
  FROM member_updates u
  CROSS JOIN LATERAL (SELECT o.message FROM signatures r
                        JOIN outbox o ON o.idempotency_key = 'member-update:' || u.id || ':' || r.id
                       WHERE r.campaign_id = u.campaign_id AND jsonb_typeof(o.message->'signers') = 'array'
                       LIMIT 1) m
  CROSS JOIN LATERAL jsonb_array_elements_text(m.message->'signers') WITH ORDINALITY AS e(entry, position)
  JOIN signatures s ON s.campaign_id = u.campaign_id AND s.erased_at IS NULL
                   AND (s.name = e.entry OR (s.kind = 'individual' AND s.name || ' (individual)' = e.entry))
 ORDER BY u.id, e.position, s.state = 'confirmed' DESC, s.id;

INSERT INTO outreach_digest_lines (tenant_id, user_id, day, list, position, signature_id)
SELECT DISTINCT ON (d.tenant_id, d.user_id, d.day, e.position)
       d.tenant_id, d.user_id, d.day, 'new_signers', e.position - 1, s.id
  FROM outreach_digests d
  JOIN outbox o ON o.idempotency_key = 'outreach:digest:' || d.tenant_id || ':' || d.user_id || ':' || to_char(d.day, 'YYYY-MM-DD')
  CROSS JOIN LATERAL jsonb_array_elements_text(CASE WHEN jsonb_typeof(o.message->'new_signers') = 'array'
                                                    THEN o.message->'new_signers' ELSE '[]' END) WITH ORDINALITY AS e(entry, position)
  JOIN campaigns c ON c.tenant_id = d.tenant_id AND right(e.entry, length(' signed ' || c.title)) = ' signed ' || c.title
  JOIN signatures s ON s.campaign_id = c.id AND s.erased_at IS NULL AND s.name = left(e.entry, length(e.entry) - length(' signed ' || c.title))
 ORDER BY d.tenant_id, d.user_id, d.day, e.position, s.state = 'confirmed' DESC, s.id;
