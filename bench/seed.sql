-- A tenant with two open campaigns: `letter` with 10,000 confirmed organizations (the
-- public page benchmark) and `signing` (the submission benchmark).
\set ON_ERROR_STOP on
INSERT INTO tenants (id, slug, name) VALUES ('00000000-0000-0000-0000-00000000b001', 'bench', 'Bench Coalition');
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
ANALYZE;
