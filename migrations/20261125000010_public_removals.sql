-- The public page may lag new confirmations by a moment (it is rendered once while
-- readers are served the previous one), but never a removal: a name whose signature is
-- withdrawn or rejected must go at once. Removals are counted apart, and a page older
-- than the last removal is never served.
ALTER TABLE campaigns ADD COLUMN public_removals bigint NOT NULL DEFAULT 0;
CREATE FUNCTION bump_public_removals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE campaigns SET public_removals = public_removals + 1 WHERE id = NEW.campaign_id;
    RETURN NULL;
END $$;
CREATE TRIGGER signatures_public_removal AFTER UPDATE ON signatures
    FOR EACH ROW WHEN (OLD.state = 'confirmed' AND NEW.state <> 'confirmed')
    EXECUTE FUNCTION bump_public_removals();
