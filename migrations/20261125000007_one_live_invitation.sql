-- At most one live invitation per (group, address), enforced by the database rather than
-- by revoking and inserting (which two owners clicking at once could interleave). Its
-- last_sent_at lets a re-invitation resend it at most once an hour.
UPDATE invitations i SET revoked_at = i.created_at
 WHERE i.accepted_at IS NULL AND i.revoked_at IS NULL
   AND EXISTS (SELECT 1 FROM invitations j
                WHERE j.tenant_id = i.tenant_id AND j.email = i.email
                  AND j.accepted_at IS NULL AND j.revoked_at IS NULL
                  AND (j.created_at, j.id) > (i.created_at, i.id));
ALTER TABLE invitations ADD COLUMN last_sent_at timestamptz;
UPDATE invitations SET last_sent_at = created_at;
ALTER TABLE invitations ALTER COLUMN last_sent_at SET NOT NULL;
CREATE UNIQUE INDEX invitations_one_live ON invitations (tenant_id, email)
    WHERE accepted_at IS NULL AND revoked_at IS NULL;
CREATE INDEX invitations_sent ON invitations (tenant_id, last_sent_at);
