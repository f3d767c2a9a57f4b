-- Mail organizers send to their outreach contacts, per group: one row per send with the
-- number of recipients, so the rolling 24-hour cap (src/outreach/daily_cap.rs) is a sum
-- over a day's rows. Holds no address or name: an erasure has nothing to do here.
CREATE TABLE outreach_mail_volume (
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    sent_at     timestamptz NOT NULL,
    recipients  integer NOT NULL CHECK (recipients > 0)
);
CREATE INDEX outreach_mail_volume_recent ON outreach_mail_volume (tenant_id, sent_at);
