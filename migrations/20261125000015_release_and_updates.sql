-- Release: a campaign may be given a date and time to publish itself; until then its
-- public page is hidden (organizers preview it). A press release goes out with it.
-- Member updates: every N days while the letter is open (and on release), each listed
-- signer gets the complete letter and the signer list.
ALTER TABLE campaigns
    ADD COLUMN release_at timestamptz,
    ADD COLUMN released_at timestamptz,
    ADD COLUMN press_release text NOT NULL DEFAULT '',
    ADD COLUMN update_every_days integer NOT NULL DEFAULT 0
        CHECK (update_every_days BETWEEN 0 AND 90),
    -- When periodic updates were turned on: the first goes N days later.
    ADD COLUMN updates_from timestamptz;

-- Each update sent: when, why and to how many (organizers see it).
CREATE TABLE member_updates (
    id           bigserial PRIMARY KEY,
    tenant_id    uuid NOT NULL,
    campaign_id  uuid NOT NULL,
    reason       text NOT NULL CHECK (reason IN ('release', 'periodic')),
    at           timestamptz NOT NULL,
    recipients   integer NOT NULL,
    CONSTRAINT member_updates_campaign_fk FOREIGN KEY (tenant_id, campaign_id)
        REFERENCES campaigns (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX member_updates_campaign ON member_updates (campaign_id, at DESC);
-- The release announcement goes once per campaign, however many schedulers run.
CREATE UNIQUE INDEX member_updates_one_release ON member_updates (campaign_id) WHERE reason = 'release';
