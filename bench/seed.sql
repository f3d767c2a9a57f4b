-- A tenant with two open campaigns: `letter` with 10,000 confirmed organizations (the
-- public page benchmark) and `signing` (the submission benchmark).
\set ON_ERROR_STOP on
-- Seeding is one import: the public pages' versions are not moved row by row.
SET undersigned.defer_public_version = 'on';
-- A group past its first week: the outreach run asks 1,000 contacts at once, beyond a new
-- group's daily cap (src/outreach/daily_cap.rs).
INSERT INTO tenants (id, slug, name, created_at)
VALUES ('00000000-0000-0000-0000-00000000b001', 'bench', 'Bench Coalition', now() - interval '30 days');
INSERT INTO users (id, email, name, password_hash)
VALUES ('00000000-0000-0000-0000-00000000b002', 'bench@example.org', 'Bench Organizer', 'x');
INSERT INTO campaigns (id, tenant_id, slug, title, points, target, time_zone, soft_deadline, hard_deadline, status, published_at)
VALUES
  ('00000000-0000-0000-0000-00000000c001', '00000000-0000-0000-0000-00000000b001', 'letter', 'Clean Rivers for Everyone',
   ARRAY['Clean water is a right', 'Polluters pay', 'Communities decide'], 20000, 'UTC',
   now() + interval '300 days', now() + interval '365 days', 'published', now()),
  ('00000000-0000-0000-0000-00000000c002', '00000000-0000-0000-0000-00000000b001', 'signing', 'Sign Here Quickly',
   ARRAY['Speed matters'], 1000000, 'UTC', now() + interval '300 days', now() + interval '365 days', 'open', NULL);
INSERT INTO letter_revisions (id, tenant_id, campaign_id, number, body, author_id, author_name, created_at)
SELECT gen_random_uuid(), '00000000-0000-0000-0000-00000000b001', c, 1,
       E'# Dear Governor\n\nWe, the undersigned organizations, ask you to protect our rivers.\n\n' || repeat(E'Clean water is the foundation of healthy communities. ', 20),
       '00000000-0000-0000-0000-00000000b002', 'Bench Organizer', now()
FROM unnest(ARRAY['00000000-0000-0000-0000-00000000c001'::uuid, '00000000-0000-0000-0000-00000000c002'::uuid]) AS c;

INSERT INTO signatures (id, tenant_id, campaign_id, kind, name, name_key, sort_key, city, size, contact_name,
                        contact_title, email, show_contact, state, source, confirmed_at, created_at)
SELECT gen_random_uuid(), '00000000-0000-0000-0000-00000000b001', '00000000-0000-0000-0000-00000000c001', 'organization',
       name, lower(name), regexp_replace(name, '^the\s+', '', 'i'), 'City ' || (i % 400), 'local',
       'Contact ' || i, 'Director', 'org' || i || '@example.org', i % 3 = 0, 'confirmed', 'import', now(), now()
FROM (
  SELECT i, CASE WHEN i % 7 = 0 THEN 'The ' ELSE '' END
            || initcap(substr(md5(i::text), 1, 6 + i % 5)) || ' '
            || (ARRAY['Alliance', 'Network', 'Coalition', 'Union', 'Society', 'Collective', 'Council', 'Project'])[1 + i % 8]
            || ' ' || i AS name
  FROM generate_series(1, 10000) AS i
) AS names;
-- Every signature names the revision its signer saw (the public list shows a name only
-- under a text its signer confirmed); the confirmation triggers read it from there.
UPDATE signatures s SET revision_id = r.id FROM letter_revisions r
 WHERE r.campaign_id = s.campaign_id AND s.revision_id IS NULL;
ANALYZE;

-- Launch-day figures: pages of 1,000 and 100,000 signers beside the 10,000 above (the
-- 100,000 are 10,000 organizations and 90,000 individuals, as a letter open to
-- individuals gets them), pending signatures the stream confirms on `letter`, and pending
-- signatures with known links for confirming through HTTP (`confirm`) and in pgbench
-- (`confirm-pg`).
INSERT INTO campaigns (id, tenant_id, slug, title, points, target, allow_individuals, time_zone, soft_deadline, hard_deadline, status, published_at)
VALUES
  ('00000000-0000-0000-0000-00000000c003', '00000000-0000-0000-0000-00000000b001', 'letter1k', 'One Thousand Signers',
   ARRAY['Clean water is a right'], 2000, false, 'UTC', now() + interval '300 days', now() + interval '365 days', 'published', now()),
  ('00000000-0000-0000-0000-00000000c004', '00000000-0000-0000-0000-00000000b001', 'letter100k', 'One Hundred Thousand Signers',
   ARRAY['Clean water is a right'], 200000, true, 'UTC', now() + interval '300 days', now() + interval '365 days', 'published', now()),
  ('00000000-0000-0000-0000-00000000c005', '00000000-0000-0000-0000-00000000b001', 'confirm', 'Confirm Quickly',
   ARRAY['Speed matters'], 1000000, false, 'UTC', now() + interval '300 days', now() + interval '365 days', 'open', NULL),
  ('00000000-0000-0000-0000-00000000c006', '00000000-0000-0000-0000-00000000b001', 'confirm-pg', 'Confirm in pgbench',
   ARRAY['Speed matters'], 1000000, false, 'UTC', now() + interval '300 days', now() + interval '365 days', 'open', NULL);
INSERT INTO letter_revisions (id, tenant_id, campaign_id, number, body, author_id, author_name, created_at)
SELECT gen_random_uuid(), '00000000-0000-0000-0000-00000000b001', c, 1, E'# Dear Governor\n\nProtect our rivers.',
       '00000000-0000-0000-0000-00000000b002', 'Bench Organizer', now()
FROM unnest(ARRAY['00000000-0000-0000-0000-00000000c003', '00000000-0000-0000-0000-00000000c004',
                  '00000000-0000-0000-0000-00000000c005', '00000000-0000-0000-0000-00000000c006']::uuid[]) AS c;

INSERT INTO signatures (id, tenant_id, campaign_id, kind, name, name_key, sort_key, city, size, contact_name,
                        contact_title, email, show_contact, state, source, confirmed_at, created_at)
SELECT gen_random_uuid(), '00000000-0000-0000-0000-00000000b001', campaign, kind,
       name, lower(name), regexp_replace(name, '^the\s+', '', 'i'), 'City ' || (i % 400), 'local',
       'Contact ' || i, 'Director', 'x' || i || '-' || campaign || '@example.org', i % 3 = 0, 'confirmed', 'import', now(), now()
FROM (
  SELECT i, '00000000-0000-0000-0000-00000000c003'::uuid AS campaign, 'organization' AS kind,
         initcap(substr(md5(i::text), 1, 7)) || ' Network ' || i AS name
  FROM generate_series(1, 1000) AS i
  UNION ALL
  SELECT i, '00000000-0000-0000-0000-00000000c004'::uuid, CASE WHEN i <= 10000 THEN 'organization' ELSE 'individual' END,
         initcap(substr(md5(i::text), 1, 7)) || CASE WHEN i <= 10000 THEN ' Coalition ' ELSE ' Person ' END || i
  FROM generate_series(1, 100000) AS i
) AS rows;

-- Pending signatures: confirmed by the stream (by email), and through HTTP and pgbench
-- (by link: the token is 'tok' or 'pgt' and 40 digits, stored as its SHA-256).
INSERT INTO signatures (id, tenant_id, campaign_id, kind, name, name_key, sort_key, city, email, state, source,
                        token_hash, token_expires_at, created_at)
SELECT gen_random_uuid(), '00000000-0000-0000-0000-00000000b001', campaign, 'organization',
       prefix || ' Pending ' || i, lower(prefix) || ' pending ' || i, prefix || ' Pending ' || i, 'Town',
       lower(prefix) || i || '@example.org', 'pending', 'form',
       CASE WHEN token IS NULL THEN NULL ELSE sha256(convert_to(token, 'UTF8')) END, now() + interval '300 days', now()
FROM (
  SELECT i, '00000000-0000-0000-0000-00000000c001'::uuid AS campaign, 'Stream' AS prefix, NULL AS token
  FROM generate_series(1, 20000) AS i
  UNION ALL
  SELECT t * 1000000 + i, '00000000-0000-0000-0000-00000000c005'::uuid, 'Http', 'tok' || lpad((t * 1000000 + i)::text, 40, '0')
  FROM generate_series(1, 2) AS t, generate_series(1, 60000) AS i
  UNION ALL
  SELECT i, '00000000-0000-0000-0000-00000000c006'::uuid, 'Pg', 'pgt' || lpad(i::text, 40, '0')
  FROM generate_series(1, 150000) AS i
) AS pending;
-- Every signature names the revision its signer saw (the public list shows a name only
-- under a text its signer confirmed); the confirmation triggers read it from there.
UPDATE signatures s SET revision_id = r.id FROM letter_revisions r
 WHERE r.campaign_id = s.campaign_id AND s.revision_id IS NULL;
ANALYZE;
