-- Mail organizers send to their outreach contacts, per group: one row per send with the
-- number of recipients, so the rolling 24-hour cap (src/outreach/daily_cap.rs) is a sum
-- over a day's rows. Holds no address or name: an erasure has nothing to do here.
CREATE TABLE outreach_mail_volume (
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    sent_at     timestamptz NOT NULL,
    recipients  integer NOT NULL CHECK (recipients > 0)
);
CREATE INDEX outreach_mail_volume_recent ON outreach_mail_volume (tenant_id, sent_at);

-- A prospect made from a signer's suggestion carries text a stranger typed (names, an
-- address) until an organizer edits it; until then it is shown as not yet checked and
-- gets no ask.
ALTER TABLE prospects ADD COLUMN unchecked_suggestion boolean NOT NULL DEFAULT false;
-- Suggestions already asked were seen by an organizer; those never contacted were not.
UPDATE prospects SET unchecked_suggestion = true
 WHERE referral_id IS NOT NULL AND status = 'not_contacted';

-- A signature's suggestions are counted (at most 50 in all) each time it sends more.
CREATE INDEX referrals_by_signature ON referrals (signature_id);
