-- A CSV import of 20,000 rows moved the campaign's public version once per row (and so
-- locked and rewrote the campaign row 20,000 times in one transaction). A transaction
-- that says so (undersigned.defer_public_version = on) skips the per-row bump and moves
-- the version once itself at the end.
CREATE OR REPLACE FUNCTION bump_public_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('undersigned.defer_public_version', true), '') = 'on' THEN
        RETURN NULL;
    END IF;
    UPDATE campaigns SET public_version = public_version + 1 WHERE id = NEW.campaign_id;
    RETURN NULL;
END $$;
