-- The database work of one signature submission, as the app does it: look up the
-- campaign (with its current revision, which the form posted back), then in one transaction insert the signature, its first event and the
-- confirmation email's outbox row.
\set n random(1, 2000000000)
SELECT c.id, c.tenant_id, c.slug, c.title, c.points, c.target, c.allow_individuals, c.moderation, c.time_zone,
       c.soft_deadline, c.hard_deadline, c.status, c.open_after_deadline, c.published_at, c.public_version,
       (SELECT r.id FROM letter_revisions r WHERE r.campaign_id = c.id ORDER BY r.number DESC LIMIT 1) AS current_revision_id,
       t.name AS tenant_name
  FROM campaigns c JOIN tenants t ON t.id = c.tenant_id WHERE t.slug = 'bench' AND c.slug = 'signing';
BEGIN;
WITH s AS (
  INSERT INTO signatures (id, tenant_id, campaign_id, kind, name, name_key, sort_key, website, city, size,
                          parent_organization, contact_name, contact_title, email, phone, show_contact, affiliation,
                          comment, domain_matches, source, state, token_hash, token_expires_at, confirmations_sent, created_at)
  VALUES (gen_random_uuid(), '00000000-0000-0000-0000-00000000b001', '00000000-0000-0000-0000-00000000c002', 'organization',
          'PG Org ' || :client_id || ' ' || :n, 'pg org ' || :client_id || ' ' || :n, 'PG Org ' || :client_id || ' ' || :n,
          '', 'Springfield', 'local', '', 'Pat Doe', 'Director', 'pg' || :client_id || '-' || :n || '@example.org', '', false,
          '', '', false, 'form', 'pending', sha256(random()::text::bytea), now() + interval '7 days', 1, now())
  ON CONFLICT DO NOTHING RETURNING id)
INSERT INTO signature_events (tenant_id, signature_id, from_state, to_state, actor, reason, at)
  SELECT '00000000-0000-0000-0000-00000000b001', id, NULL, 'pending', 'signer', 'signed on the public form', now() FROM s;
INSERT INTO outbox (tenant_id, idempotency_key, recipient, message, bulk, send_at)
  VALUES ('00000000-0000-0000-0000-00000000b001', 'pgbench:' || :client_id || ':' || :n, 'pg' || :client_id || '-' || :n || '@example.org',
          '{"kind":"confirm_signature","campaign_title":"Sign Here Quickly","group_name":"Bench Coalition","signer_name":"PG Org","link":"http://127.0.0.1/x","expires":"soon"}',
          false, now())
  ON CONFLICT DO NOTHING;
COMMIT;
