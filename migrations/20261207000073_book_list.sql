-- The address book's list at 20,000 organizations and 50,000 people: sorted by last touch
-- (newest first, never touched last) or newest in the book, a page is read off an index;
-- searching a part of a name, website or address uses trigram indexes instead of reading
-- every organization and person of the group.
CREATE INDEX organizations_last_touch_desc ON organizations (tenant_id, last_touch_at DESC NULLS LAST, id);
CREATE INDEX organizations_newest ON organizations (tenant_id, created_at DESC, id);

CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX organizations_name_search ON organizations USING gin (name gin_trgm_ops);
CREATE INDEX organizations_website_search ON organizations USING gin (website gin_trgm_ops);
CREATE INDEX people_name_search ON people USING gin (name gin_trgm_ops);
CREATE INDEX people_email_search ON people USING gin ((email::text) gin_trgm_ops);
