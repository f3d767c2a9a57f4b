-- Which import added a person to the book (issue 19): undoing an import removes the
-- people it added that nothing has touched since, in organizations it created or in ones
-- the book already had.
ALTER TABLE people ADD COLUMN import_id uuid;
ALTER TABLE people ADD CONSTRAINT people_import_fk FOREIGN KEY (import_id)
    REFERENCES prospect_imports (id) ON DELETE SET NULL;
CREATE INDEX people_import ON people (import_id) WHERE import_id IS NOT NULL;

-- Every organization an import wrote rows for, created or already in the book: "add these
-- organizations to a campaign" after an import into the book adds them all.
ALTER TABLE prospect_imports ADD COLUMN organization_ids uuid[] NOT NULL DEFAULT '{}';
