-- The address book's list sorted by last touch (newest first, never touched last) and by
-- newest in the book reads a page off an index instead of sorting the group's book.
CREATE INDEX organizations_last_touch_desc ON organizations (tenant_id, last_touch_at DESC NULLS LAST, id);
CREATE INDEX organizations_newest ON organizations (tenant_id, created_at DESC, id);
