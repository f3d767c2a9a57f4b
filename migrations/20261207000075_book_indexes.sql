-- The book's text search (q=…) matches a part of an organization's name or website, or
-- of one of its people's names or addresses (ILIKE '%…%'). Without these, each search
-- reads every person of every group (50,000 rows: about 100 ms) and, for its count, every
-- organization of the group as well; with them, the people matching come off an index
-- (bench/README.md, "The address book"). Trigram indexes serve ILIKE with a pattern of
-- three or more characters anywhere in the text.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX organizations_search ON organizations USING gin (name gin_trgm_ops, website gin_trgm_ops);
CREATE INDEX people_search ON people USING gin (name gin_trgm_ops, (email::text) gin_trgm_ops);
