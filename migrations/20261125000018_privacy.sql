-- Signers' privacy: a signer erases what the group holds about them from their own
-- link, and each campaign says how long signers' contact details are kept after it
-- closes (by default 6 months, as UK Parliament petitions do; 0 keeps them).

ALTER TABLE campaigns
    -- Months after closing at which signers' contact details are anonymized; 0: kept.
    ADD COLUMN retention_months integer NOT NULL DEFAULT 6
        CHECK (retention_months BETWEEN 0 AND 120),
    -- When the campaign was closed (status 'closed'); NULL while it is not.
    ADD COLUMN closed_at timestamptz,
    -- Signers who erased themselves: all that is kept of them is this count.
    ADD COLUMN erased_signers integer NOT NULL DEFAULT 0;

-- Campaigns closed before this column existed: the last change to them is the best
-- date known (later than the real one, so their data is kept longer, never shorter).
UPDATE campaigns SET closed_at = updated_at WHERE status = 'closed';

-- The app sets closed_at itself (from its clock) when an organizer closes a campaign;
-- this keeps it right on every other path: set when a row becomes closed without one,
-- cleared when it is reopened.
CREATE FUNCTION campaigns_closed_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = 'closed' THEN
        IF NEW.closed_at IS NULL THEN
            NEW.closed_at = now();
        END IF;
    ELSE
        NEW.closed_at = NULL;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER campaigns_closed_at BEFORE INSERT OR UPDATE OF status, closed_at ON campaigns
    FOR EACH ROW EXECUTE FUNCTION campaigns_closed_at();

ALTER TABLE signatures
    -- The signer erased it: name and contact details are gone, and its state never
    -- changes again (so no restored rejection can list "Erased signer").
    ADD COLUMN erased_at timestamptz,
    -- Contact details removed (by the retention setting, or by erasure).
    ADD COLUMN anonymized_at timestamptz;

-- What the retention setting did: once per campaign and closing, whatever the number
-- of schedulers (the row is written in the transaction that anonymizes).
CREATE TABLE retention_runs (
    id           bigserial PRIMARY KEY,
    tenant_id    uuid NOT NULL,
    campaign_id  uuid NOT NULL,
    -- The closing this run followed (closed_at, or the hard deadline that closed it).
    closed_at    timestamptz NOT NULL,
    at           timestamptz NOT NULL,
    anonymized   integer NOT NULL,
    CONSTRAINT retention_runs_campaign_fk FOREIGN KEY (tenant_id, campaign_id)
        REFERENCES campaigns (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT retention_runs_once UNIQUE (campaign_id, closed_at)
);

-- No index on the outbox's recipients: an erasure or a download reads one group's mail
-- (through outbox_tenant) a few times a year, while every signature writes a row.
