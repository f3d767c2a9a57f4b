-- Reissue: a finished campaign becomes a new statement, and its signers decide again.
-- Each is asked to opt in (nobody is listed unless they do), or, where the original
-- campaign told them when they confirmed that a reissue would carry their name over
-- unless they opted out, they are listed at the opt-out date unless they opt out.

-- The original campaign's advance notice, shown on its form and on the confirmation
-- page; a confirmation made while it was shown records so on the signature.
ALTER TABLE campaigns ADD COLUMN reissue_notice boolean NOT NULL DEFAULT false;
ALTER TABLE signatures ADD COLUMN reissue_notice_at timestamptz;

-- The reissue: where it came from, and when the names of those told in advance are
-- listed unless they opted out.
ALTER TABLE campaigns
    ADD COLUMN reissued_from uuid,
    ADD COLUMN opt_out_by timestamptz,
    -- What those told in advance were emailed (see `campaigns::reissue::told_digest`):
    -- the notice stands for their consent only while it is unchanged.
    ADD COLUMN told_digest bytea,
    ADD CONSTRAINT campaigns_reissued_from_fk FOREIGN KEY (tenant_id, reissued_from)
        REFERENCES campaigns (tenant_id, id) ON DELETE SET NULL (reissued_from);

-- Two new sources and one new state: `notified` exists only for signatures the reissue
-- carried over by advance notice (the lifecycle enters it at creation only).
ALTER TABLE signatures DROP CONSTRAINT signatures_source_check;
ALTER TABLE signatures ADD CONSTRAINT signatures_source_check
    CHECK (source IN ('form', 'host', 'import', 'reissue_invitation', 'reissue_notice'));
ALTER TABLE signatures DROP CONSTRAINT signatures_state_check;
ALTER TABLE signatures ADD CONSTRAINT signatures_state_check
    CHECK (state IN ('pending', 'notified', 'awaiting_approval', 'confirmed', 'rejected', 'withdrawn'));
ALTER TABLE signatures ADD CONSTRAINT signatures_notified_only_by_notice
    CHECK (state <> 'notified' OR source = 'reissue_notice');
-- The signature of the original campaign a reissued one was made from.
ALTER TABLE signatures ADD COLUMN reissued_from uuid REFERENCES signatures (id) ON DELETE SET NULL;

ALTER TABLE signature_consents DROP CONSTRAINT signature_consents_how_check;
ALTER TABLE signature_consents ADD CONSTRAINT signature_consents_how_check
    CHECK (how IN ('confirmed', 'reconfirmed', 'carried_over', 'not_carried_over', 'listed_after_notice'));

-- The consent ledger of a reissue: one line per decision of each previous signer, in
-- order, including those not asked and why. No names or addresses: those stay with the
-- signatures (and go with them when a signer is erased).
CREATE TABLE reissue_decisions (
    id                     bigserial PRIMARY KEY,
    tenant_id              uuid NOT NULL,
    campaign_id            uuid NOT NULL,
    original_signature_id  uuid REFERENCES signatures (id) ON DELETE SET NULL,
    signature_id           uuid REFERENCES signatures (id) ON DELETE SET NULL,
    decision               text NOT NULL CHECK (decision IN (
                               'asked_to_opt_in', 'told_listed_unless_opt_out', 'not_asked',
                               'opted_in', 'declined', 'opted_out', 'listed_after_notice',
                               'notice_voided', 'withdrew')),
    detail                 text NOT NULL DEFAULT '',
    at                     timestamptz NOT NULL,
    CONSTRAINT reissue_decisions_campaign_fk FOREIGN KEY (tenant_id, campaign_id)
        REFERENCES campaigns (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX reissue_decisions_campaign ON reissue_decisions (campaign_id, id);
CREATE INDEX reissue_decisions_signature ON reissue_decisions (signature_id);

-- The scheduler's lookup of names due to be listed.
CREATE INDEX signatures_notified ON signatures (campaign_id) WHERE state = 'notified';
