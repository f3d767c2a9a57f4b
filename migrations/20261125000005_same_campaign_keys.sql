-- No row can point across campaigns: a signature's revision is a revision of the
-- signature's campaign, and a referral belongs to its signature's campaign.
ALTER TABLE letter_revisions
    ADD CONSTRAINT letter_revisions_campaign_id_key UNIQUE (campaign_id, id);
ALTER TABLE signatures
    ADD CONSTRAINT signatures_campaign_id_key UNIQUE (campaign_id, id),
    ADD CONSTRAINT signatures_campaign_revision_fk FOREIGN KEY (campaign_id, revision_id)
        REFERENCES letter_revisions (campaign_id, id);
ALTER TABLE referrals
    ADD CONSTRAINT referrals_campaign_signature_fk FOREIGN KEY (campaign_id, signature_id)
        REFERENCES signatures (campaign_id, id) ON DELETE CASCADE;
