-- The rows an import kept aside to fix, one row each, with the contact addresses they
-- hold (the cells of the column mapped to the contact's email) in a column of their
-- own: a signer's erasure deletes the rows with their address by comparing it whole
-- (`address = ANY (emails)`), never by searching the cells' text.
CREATE TABLE prospect_import_kept_rows (
    campaign_id uuid NOT NULL,
    import_id   uuid NOT NULL,
    -- The row's place among the kept rows (from 1), as the file had them.
    position    integer NOT NULL,
    cells       text[] NOT NULL,
    emails      citext[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (import_id, position),
    CONSTRAINT prospect_import_kept_rows_import_fk FOREIGN KEY (campaign_id, import_id)
        REFERENCES prospect_imports (campaign_id, id) ON DELETE CASCADE
);
CREATE INDEX prospect_import_kept_rows_emails ON prospect_import_kept_rows USING gin (emails);

-- The file's first line (column names) for the kept rows, when it had one.
ALTER TABLE prospect_imports ADD COLUMN kept_headers text[] NOT NULL DEFAULT '{}';

-- How many kept rows signers' erasures removed (the page says so, naming nobody).
ALTER TABLE prospect_imports ADD COLUMN kept_rows_erased integer NOT NULL DEFAULT 0;

-- How many rows are kept is counted from the rows themselves (an erasure removes some).
ALTER TABLE prospect_imports DROP COLUMN kept_rows;

-- `kept_aside` (the kept rows as CSV text) stays for imports recorded before this
-- migration: the application moves them into the table above at start-up
-- (`outreach::import::move_kept_rows_out_of_text`, which parses them with the import's
-- own CSV reader) and empties it. No code writes it any more; a later migration drops it.
COMMENT ON COLUMN prospect_imports.kept_aside IS
    'Legacy: kept rows as CSV, moved to prospect_import_kept_rows at start-up; always empty after.';
