-- Unsubscribing from one group's bulk mail stops that group's bulk mail, not every
-- group's. Rows without a group (from before this change, or bulk mail no group sent)
-- still stop all bulk mail to the address.
ALTER TABLE mail_suppressions ADD COLUMN tenant_id uuid REFERENCES tenants (id) ON DELETE CASCADE;
ALTER TABLE mail_suppressions DROP CONSTRAINT mail_suppressions_pkey;
CREATE UNIQUE INDEX mail_suppressions_key
    ON mail_suppressions (coalesce(tenant_id, '00000000-0000-0000-0000-000000000000'::uuid), email);
