-- A campaign's earlier web addresses keep working after organizers change it: every
-- emailed link (confirmations, asks, letter changes, reissue invitations) names the
-- address as it was when it was sent. The current address of any campaign wins over an
-- earlier one.
CREATE TABLE campaign_previous_slugs (
    tenant_id    uuid NOT NULL,
    slug         text NOT NULL,
    campaign_id  uuid NOT NULL,
    replaced_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, slug),
    CONSTRAINT campaign_previous_slugs_campaign_fk FOREIGN KEY (tenant_id, campaign_id)
        REFERENCES campaigns (tenant_id, id) ON DELETE CASCADE
);

CREATE FUNCTION remember_previous_slug() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.slug <> OLD.slug THEN
        INSERT INTO campaign_previous_slugs (tenant_id, slug, campaign_id, replaced_at)
        VALUES (OLD.tenant_id, OLD.slug, OLD.id, now())
        ON CONFLICT (tenant_id, slug) DO UPDATE
            SET campaign_id = EXCLUDED.campaign_id, replaced_at = EXCLUDED.replaced_at;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER campaigns_previous_slug AFTER UPDATE OF slug ON campaigns
    FOR EACH ROW EXECUTE FUNCTION remember_previous_slug();
