-- Further confirmation links, sent when someone signs again with a name or email that
-- is already pending. The first link keeps working: a stranger who re-submits the form
-- cannot replace the real signer's link, and gets at most one reminder sent per hour.
CREATE TABLE signature_links (
    token_hash   bytea PRIMARY KEY,
    tenant_id    uuid NOT NULL,
    signature_id uuid NOT NULL,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    FOREIGN KEY (tenant_id, signature_id) REFERENCES signatures (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX signature_links_by_signature ON signature_links (signature_id, created_at DESC);
