-- Campaigns, letter revisions, signatures (with their history) and referrals.

-- Public signer order: case and accents folded, digits in natural order ("2" before "10").
CREATE COLLATION signer_order (provider = icu, locale = 'und-u-ks-level1-kn-true', deterministic = false);

CREATE TABLE campaigns (
    id                   uuid PRIMARY KEY,
    tenant_id            uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    slug                 text NOT NULL,
    title                text NOT NULL,
    points               text[] NOT NULL,
    target               integer NOT NULL,
    allow_individuals    boolean NOT NULL DEFAULT false,
    moderation           boolean NOT NULL DEFAULT false,
    time_zone            text NOT NULL,
    soft_deadline        timestamptz NOT NULL,
    hard_deadline        timestamptz NOT NULL,
    status               text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'open', 'published', 'closed')),
    open_after_deadline  boolean NOT NULL DEFAULT false,
    published_at         timestamptz,
    public_version       bigint NOT NULL DEFAULT 1,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT campaigns_tenant_slug_key UNIQUE (tenant_id, slug),
    CONSTRAINT campaigns_tenant_id_key UNIQUE (tenant_id, id),
    CONSTRAINT campaigns_points_count CHECK (cardinality(points) BETWEEN 1 AND 3),
    CONSTRAINT campaigns_target_range CHECK (target BETWEEN 1 AND 1000000),
    CONSTRAINT campaigns_deadlines_order CHECK (hard_deadline >= soft_deadline),
    CONSTRAINT campaigns_slug_format CHECK (slug ~ '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$')
);
CREATE TRIGGER campaigns_updated_at BEFORE UPDATE ON campaigns FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE letter_revisions (
    id           uuid PRIMARY KEY,
    tenant_id    uuid NOT NULL,
    campaign_id  uuid NOT NULL,
    number       integer NOT NULL,
    body         text NOT NULL,
    author_id    uuid REFERENCES users (id) ON DELETE SET NULL,
    author_name  text NOT NULL,
    created_at   timestamptz NOT NULL,
    CONSTRAINT letter_revisions_campaign_fk FOREIGN KEY (tenant_id, campaign_id)
        REFERENCES campaigns (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT letter_revisions_number_key UNIQUE (campaign_id, number),
    CONSTRAINT letter_revisions_tenant_id_key UNIQUE (tenant_id, id)
);

-- Revisions are immutable.
CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows cannot be changed', TG_TABLE_NAME;
END $$;
CREATE TRIGGER letter_revisions_immutable BEFORE UPDATE ON letter_revisions FOR EACH ROW EXECUTE FUNCTION refuse_change();

CREATE TABLE signatures (
    id                  uuid PRIMARY KEY,
    tenant_id           uuid NOT NULL,
    campaign_id         uuid NOT NULL,
    kind                text NOT NULL CHECK (kind IN ('organization', 'individual')),
    name                text NOT NULL,
    -- Duplicate detection: case, accents, punctuation and a leading "The" removed.
    name_key            text NOT NULL,
    -- Public order: the name without a leading "The", sorted with signer_order.
    sort_key            text NOT NULL,
    website             text NOT NULL DEFAULT '',
    city                text NOT NULL DEFAULT '',
    size                text NOT NULL DEFAULT '' CHECK (size IN ('', 'local', 'regional', 'national', 'international')),
    parent_organization text NOT NULL DEFAULT '',
    contact_name        text NOT NULL DEFAULT '',
    contact_title       text NOT NULL DEFAULT '',
    email               citext NOT NULL,
    phone               text NOT NULL DEFAULT '',
    show_contact        boolean NOT NULL DEFAULT false,
    affiliation         text NOT NULL DEFAULT '',
    comment             text NOT NULL DEFAULT '',
    domain_matches      boolean NOT NULL DEFAULT false,
    source              text NOT NULL DEFAULT 'form' CHECK (source IN ('form', 'host', 'import')),
    state               text NOT NULL CHECK (state IN ('pending', 'awaiting_approval', 'confirmed', 'rejected', 'withdrawn')),
    revision_id         uuid,
    token_hash          bytea,
    token_expires_at    timestamptz,
    confirmations_sent  integer NOT NULL DEFAULT 0,
    confirmed_at        timestamptz,
    created_at          timestamptz NOT NULL,
    CONSTRAINT signatures_campaign_fk FOREIGN KEY (tenant_id, campaign_id)
        REFERENCES campaigns (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT signatures_revision_fk FOREIGN KEY (tenant_id, revision_id)
        REFERENCES letter_revisions (tenant_id, id),
    CONSTRAINT signatures_tenant_id_key UNIQUE (tenant_id, id),
    CONSTRAINT signatures_email_key UNIQUE (campaign_id, email)
);
CREATE UNIQUE INDEX signatures_organization_key ON signatures (campaign_id, name_key) WHERE kind = 'organization';
CREATE UNIQUE INDEX signatures_token ON signatures (token_hash) WHERE token_hash IS NOT NULL;
-- The public list is read in this order straight from the index.
CREATE INDEX signatures_public_order ON signatures (campaign_id, kind, (sort_key COLLATE signer_order), id)
    WHERE state = 'confirmed';
CREATE INDEX signatures_by_state ON signatures (campaign_id, state);

-- Every change of a signature's state: who, when, why.
CREATE TABLE signature_events (
    id            bigserial PRIMARY KEY,
    tenant_id     uuid NOT NULL,
    signature_id  uuid NOT NULL,
    from_state    text,
    to_state      text NOT NULL,
    actor         text NOT NULL,
    actor_user_id uuid REFERENCES users (id) ON DELETE SET NULL,
    reason        text NOT NULL DEFAULT '',
    at            timestamptz NOT NULL,
    CONSTRAINT signature_events_signature_fk FOREIGN KEY (tenant_id, signature_id)
        REFERENCES signatures (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX signature_events_signature ON signature_events (signature_id, at);

-- "Who else should we contact?"
CREATE TABLE referrals (
    id            uuid PRIMARY KEY,
    tenant_id     uuid NOT NULL,
    campaign_id   uuid NOT NULL,
    signature_id  uuid NOT NULL,
    name          text NOT NULL DEFAULT '',
    organization  text NOT NULL DEFAULT '',
    email         text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL,
    CONSTRAINT referrals_campaign_fk FOREIGN KEY (tenant_id, campaign_id)
        REFERENCES campaigns (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT referrals_signature_fk FOREIGN KEY (tenant_id, signature_id)
        REFERENCES signatures (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX referrals_campaign ON referrals (campaign_id, created_at);

-- The public page is cached by (campaign, public_version): anything that changes what it
-- shows moves the version on. Pending signatures do not, so signing stays cheap.
CREATE FUNCTION bump_public_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE campaigns SET public_version = public_version + 1 WHERE id = NEW.campaign_id;
    RETURN NULL;
END $$;
CREATE TRIGGER signatures_public_insert AFTER INSERT ON signatures
    FOR EACH ROW WHEN (NEW.state = 'confirmed') EXECUTE FUNCTION bump_public_version();
CREATE TRIGGER signatures_public_update AFTER UPDATE ON signatures
    FOR EACH ROW WHEN ((OLD.state = 'confirmed') <> (NEW.state = 'confirmed')
                       OR (NEW.state = 'confirmed' AND ROW(OLD.name, OLD.city, OLD.contact_name, OLD.contact_title, OLD.show_contact, OLD.affiliation)
                           IS DISTINCT FROM ROW(NEW.name, NEW.city, NEW.contact_name, NEW.contact_title, NEW.show_contact, NEW.affiliation)))
    EXECUTE FUNCTION bump_public_version();
CREATE TRIGGER letter_revisions_public AFTER INSERT ON letter_revisions
    FOR EACH ROW EXECUTE FUNCTION bump_public_version();

CREATE FUNCTION bump_own_public_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.public_version = OLD.public_version THEN
        NEW.public_version = OLD.public_version + 1;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER campaigns_public_version BEFORE UPDATE ON campaigns
    FOR EACH ROW EXECUTE FUNCTION bump_own_public_version();
