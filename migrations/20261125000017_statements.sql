-- Statements in their own words: an organization that cannot sign sends a statement
-- through the public form; organizers approve it before the public page shows it, in a
-- section of its own apart from the signers.
CREATE TABLE statements (
    id            uuid PRIMARY KEY,
    tenant_id     uuid NOT NULL,
    campaign_id   uuid NOT NULL,
    organization  text NOT NULL CHECK (char_length(organization) BETWEEN 1 AND 200),
    contact_name  text NOT NULL CHECK (char_length(contact_name) BETWEEN 1 AND 200),
    -- Not confirmed by email: the statement is published only once organizers approve it.
    email         citext NOT NULL,
    body          text NOT NULL CHECK (char_length(body) BETWEEN 1 AND 5000),
    link          text NOT NULL DEFAULT '' CHECK (link = '' OR (link ~* '^https?://' AND char_length(link) <= 2000)),
    state         text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'rejected')),
    -- The last decision: who (as signature histories name them), when, why.
    decided_by    text NOT NULL DEFAULT '',
    decided_by_user_id uuid REFERENCES users (id) ON DELETE SET NULL,
    decided_at    timestamptz,
    reason        text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL,
    CONSTRAINT statements_campaign_fk FOREIGN KEY (tenant_id, campaign_id)
        REFERENCES campaigns (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT statements_tenant_id_key UNIQUE (tenant_id, id)
);
CREATE INDEX statements_by_state ON statements (campaign_id, state, created_at);
-- The public page reads the approved ones in this order straight from the index.
CREATE INDEX statements_public_order ON statements (campaign_id, (organization COLLATE signer_order), id)
    WHERE state = 'approved';

-- The public page is cached by (campaign, public_version), and a page older than the
-- campaign's last removal is never served (20261125000010_public_removals.sql). An
-- approved statement that appears, or changes, moves the version on; one that leaves the
-- page (approval withdrawn, rejected, deleted), or whose shown text changes, counts as
-- a removal, so the cache never serves the old text late. Pending and rejected
-- statements change nothing public.
CREATE FUNCTION statements_public_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.state = 'approved' THEN
            UPDATE campaigns SET public_version = public_version + 1 WHERE id = NEW.campaign_id;
        END IF;
    ELSIF TG_OP = 'DELETE' THEN
        IF OLD.state = 'approved' THEN
            UPDATE campaigns SET public_removals = public_removals + 1 WHERE id = OLD.campaign_id;
        END IF;
    ELSIF OLD.state = 'approved'
          AND (NEW.state <> 'approved'
               OR NEW.campaign_id <> OLD.campaign_id
               OR ROW(OLD.organization, OLD.body, OLD.link) IS DISTINCT FROM ROW(NEW.organization, NEW.body, NEW.link)) THEN
        -- Removals move the version too (campaigns_public_version).
        UPDATE campaigns SET public_removals = public_removals + 1 WHERE id = OLD.campaign_id;
        IF NEW.state = 'approved' AND NEW.campaign_id <> OLD.campaign_id THEN
            UPDATE campaigns SET public_version = public_version + 1 WHERE id = NEW.campaign_id;
        END IF;
    ELSIF NEW.state = 'approved' AND OLD.state <> 'approved' THEN
        UPDATE campaigns SET public_version = public_version + 1 WHERE id = NEW.campaign_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER statements_public AFTER INSERT OR UPDATE OR DELETE ON statements
    FOR EACH ROW EXECUTE FUNCTION statements_public_change();
