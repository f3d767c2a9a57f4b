-- Imports of prospects as a record: who imported what and when, the rows kept aside to
-- fix (the column choices with them), and whether the import was undone. An import can
-- be undone while nothing was sent from it: its prospects carry its id.
CREATE TABLE prospect_imports (
    id               uuid PRIMARY KEY,
    tenant_id        uuid NOT NULL,
    campaign_id      uuid NOT NULL,
    imported_by      uuid REFERENCES users (id) ON DELETE SET NULL,
    imported_by_name text NOT NULL,
    imported_at      timestamptz NOT NULL,
    prospects        integer NOT NULL,
    contacts         integer NOT NULL,
    -- The file's first line (column names) for the rows kept aside to fix, when it had
    -- one; the rows themselves are in prospect_import_kept_rows.
    kept_headers     text[] NOT NULL DEFAULT '{}',
    kept_has_header  boolean NOT NULL DEFAULT true,
    -- How many kept rows signers' erasures removed (the page says so, naming nobody).
    kept_rows_erased integer NOT NULL DEFAULT 0,
    -- What each column held (the import's target keys), for the kept rows.
    mapping          text[] NOT NULL DEFAULT '{}',
    undone_at        timestamptz,
    CONSTRAINT prospect_imports_campaign_fk FOREIGN KEY (tenant_id, campaign_id)
        REFERENCES campaigns (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT prospect_imports_campaign_id_key UNIQUE (campaign_id, id)
);
CREATE INDEX prospect_imports_campaign ON prospect_imports (campaign_id, imported_at DESC);

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

-- Free notes about a prospect (a spreadsheet's "notes" column), kept apart from the
-- sensitivity note; existing prospects start with none.
ALTER TABLE prospects ADD COLUMN notes text NOT NULL DEFAULT '';
-- The import that created the prospect, if any (forgotten when the import record goes).
ALTER TABLE prospects ADD COLUMN import_id uuid;
ALTER TABLE prospects ADD CONSTRAINT prospects_import_fk FOREIGN KEY (campaign_id, import_id)
    REFERENCES prospect_imports (campaign_id, id) ON DELETE SET NULL (import_id);
CREATE INDEX prospects_import ON prospects (import_id) WHERE import_id IS NOT NULL;
