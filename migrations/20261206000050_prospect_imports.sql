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
    -- The rows kept aside as CSV (with the file's first line when it named the columns),
    -- to fix and import again; emptied once organizers are done with them.
    kept_aside       text NOT NULL DEFAULT '',
    kept_rows        integer NOT NULL DEFAULT 0,
    kept_has_header  boolean NOT NULL DEFAULT true,
    -- What each column held (the import's target keys), for the kept rows.
    mapping          text[] NOT NULL DEFAULT '{}',
    undone_at        timestamptz,
    CONSTRAINT prospect_imports_campaign_fk FOREIGN KEY (tenant_id, campaign_id)
        REFERENCES campaigns (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT prospect_imports_campaign_id_key UNIQUE (campaign_id, id)
);
CREATE INDEX prospect_imports_campaign ON prospect_imports (campaign_id, imported_at DESC);

-- Free notes about a prospect (a spreadsheet's "notes" column), kept apart from the
-- sensitivity note; existing prospects start with none.
ALTER TABLE prospects ADD COLUMN notes text NOT NULL DEFAULT '';
-- The import that created the prospect, if any (forgotten when the import record goes).
ALTER TABLE prospects ADD COLUMN import_id uuid;
ALTER TABLE prospects ADD CONSTRAINT prospects_import_fk FOREIGN KEY (campaign_id, import_id)
    REFERENCES prospect_imports (campaign_id, id) ON DELETE SET NULL (import_id);
CREATE INDEX prospects_import ON prospects (import_id) WHERE import_id IS NOT NULL;
