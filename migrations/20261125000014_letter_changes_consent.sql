-- Letter changes after people signed. Organizers say what each new revision is: a minor
-- change (signers are told, may withdraw, and stay listed: their consent is carried
-- over) or a substantive one (signers must confirm the new text; until they do they are
-- not listed under it). Every listed name traces to a row of `signature_consents`.

ALTER TABLE letter_revisions
    ADD COLUMN change_kind text NOT NULL DEFAULT 'initial'
        CHECK (change_kind IN ('initial', 'minor', 'substantive')),
    -- What changed, in the organizers' words, as signers are told.
    ADD COLUMN change_note text NOT NULL DEFAULT '',
    -- Minor: signers may withdraw until then. Substantive: signers may re-confirm until then.
    ADD COLUMN respond_by timestamptz;

-- The number of the latest substantive revision (1 when there was none): a confirmed
-- signature is listed only if its signer confirmed this revision or a later one.
ALTER TABLE campaigns ADD COLUMN consent_from_revision integer NOT NULL DEFAULT 1;

-- The revision a signature's signer confirmed, by number, kept with the signature so the
-- public list reads it straight from its index.
ALTER TABLE signatures ADD COLUMN confirmed_revision integer;
UPDATE signatures s SET confirmed_revision = r.number FROM letter_revisions r
 WHERE r.id = s.revision_id AND s.state = 'confirmed';

-- Kept from `revision_id` (the revision the signer confirmed) whenever a signature is
-- confirmed or its revision recorded, so no path can forget it.
CREATE FUNCTION signatures_confirmed_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.state = 'confirmed' THEN
        NEW.confirmed_revision = (SELECT number FROM letter_revisions WHERE id = NEW.revision_id);
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER signatures_confirmed_revision BEFORE INSERT OR UPDATE OF revision_id, state ON signatures
    FOR EACH ROW EXECUTE FUNCTION signatures_confirmed_revision();

DROP INDEX signatures_public_order;
CREATE INDEX signatures_public_order ON signatures (campaign_id, kind, (sort_key COLLATE signer_order), id)
    INCLUDE (confirmed_revision) WHERE state = 'confirmed';

-- The consent ledger: each confirmation of a revision by its signer, and each carrying
-- over of that consent to a minor revision, with the revision and the time.
CREATE TABLE signature_consents (
    id            bigserial PRIMARY KEY,
    tenant_id     uuid NOT NULL,
    signature_id  uuid NOT NULL,
    revision_id   uuid NOT NULL,
    how           text NOT NULL CHECK (how IN ('confirmed', 'reconfirmed', 'carried_over', 'not_carried_over')),
    at            timestamptz NOT NULL,
    CONSTRAINT signature_consents_signature_fk FOREIGN KEY (tenant_id, signature_id)
        REFERENCES signatures (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT signature_consents_revision_fk FOREIGN KEY (tenant_id, revision_id)
        REFERENCES letter_revisions (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX signature_consents_signature ON signature_consents (signature_id, id);

-- What signers confirmed before this ledger existed.
INSERT INTO signature_consents (tenant_id, signature_id, revision_id, how, at)
SELECT tenant_id, id, revision_id, 'confirmed', coalesce(confirmed_at, created_at)
  FROM signatures WHERE state = 'confirmed' AND revision_id IS NOT NULL;

-- A substantive change takes names off the public page at once: it counts as a removal
-- for the page cache, which never serves a page older than the last removal.
CREATE FUNCTION bump_removals_on_consent() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.consent_from_revision <> OLD.consent_from_revision THEN
        NEW.public_removals = OLD.public_removals + 1;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER campaigns_consent_removal BEFORE UPDATE OF consent_from_revision ON campaigns
    FOR EACH ROW EXECUTE FUNCTION bump_removals_on_consent();

-- A re-confirmation brings a name back: the page version moves on.
CREATE TRIGGER signatures_public_reconfirm AFTER UPDATE OF revision_id ON signatures
    FOR EACH ROW WHEN (NEW.state = 'confirmed' AND OLD.confirmed_revision IS DISTINCT FROM NEW.confirmed_revision)
    EXECUTE FUNCTION bump_public_version();

-- Reminders of substantive changes and notices that a name was not carried over go
-- once per signature and revision.
CREATE TABLE consent_notices (
    signature_id  uuid NOT NULL REFERENCES signatures (id) ON DELETE CASCADE,
    revision_id   uuid NOT NULL REFERENCES letter_revisions (id) ON DELETE CASCADE,
    stage         text NOT NULL,
    at            timestamptz NOT NULL,
    PRIMARY KEY (signature_id, revision_id, stage)
);
