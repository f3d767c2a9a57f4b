-- One consent floor: every revision of a letter moves `consent_from_revision` to itself, so
-- a signature is listed only while its consent covers the text as it stands. A minor change
-- carries the consent of the signers it tells (listed, or awaiting approval) by moving
-- their `confirmed_revision` to the new revision; anyone else (awaiting approval or
-- rejected when the text changed, approved or restored later) is listed again only once
-- they confirm the current text themselves.

-- `confirmed_revision` is now the latest revision the signer's consent covers, kept for
-- signatures awaiting approval and through a rejection too (approving or restoring them
-- must not list them under a text their consent does not cover). It is recomputed from
-- the revision the signer confirmed (`revision_id`) whenever that changes or the
-- signature comes into consent from a state without it; otherwise kept (a carried-over
-- consent survives an approval or the undoing of a rejection).
CREATE OR REPLACE FUNCTION signatures_confirmed_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.state IN ('confirmed', 'awaiting_approval') AND (
           TG_OP = 'INSERT'
        OR NEW.revision_id IS DISTINCT FROM OLD.revision_id
        OR OLD.state NOT IN ('confirmed', 'awaiting_approval', 'rejected')
        OR OLD.confirmed_revision IS NULL) THEN
        NEW.confirmed_revision = (SELECT number FROM letter_revisions WHERE id = NEW.revision_id);
    END IF;
    RETURN NEW;
END $$;

-- What existing consent covers: the latest revision of its trail that the signer
-- confirmed or had carried over (never one they did not confirm in time).
UPDATE signatures s SET confirmed_revision = t.latest
  FROM (SELECT c.signature_id, max(r.number) AS latest
          FROM signature_consents c JOIN letter_revisions r ON r.id = c.revision_id
         WHERE c.how <> 'not_carried_over'
         GROUP BY c.signature_id) t
 WHERE t.signature_id = s.id AND s.state IN ('confirmed', 'awaiting_approval', 'rejected')
   AND t.latest > coalesce(s.confirmed_revision, 0);

-- The floor is the current revision. Signers listed under a minor change they were never
-- told of (approved or restored after it) leave the list until they confirm it.
UPDATE campaigns c SET consent_from_revision = r.latest
  FROM (SELECT campaign_id, max(number) AS latest FROM letter_revisions GROUP BY campaign_id) r
 WHERE r.campaign_id = c.id AND c.consent_from_revision <> r.latest;

-- Signatures by what their consent covers, for the counts a save makes under its lock.
CREATE INDEX signatures_consent_holders ON signatures (campaign_id, confirmed_revision)
    WHERE state IN ('confirmed', 'awaiting_approval', 'rejected');
