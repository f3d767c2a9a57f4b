-- Outreach at campaign scale, on top of bench/seed.sql: one campaign of the bench group
-- (`outreach`) with 5,000 prospects, 8,000 contacts and 20,000 activities, the bench
-- organizer as an owner of the group with two fellow organizers, and a session for the
-- bench organizer (its token and CSRF token come from bench/run: psql -v session=… -v csrf=…).
--
-- The mix: 35% not contacted, 30% asked, 15% in conversation, 8% declined, 4% issuing their
-- own statement, 8% signed (each through a confirmed signature whose email is its first
-- contact's, so the signature trigger marks it), 2% on hold; 60% local, 25% regional, 10%
-- national, 5% international; one in twenty a chapter of a national; half owned by the
-- bench organizer, of whose asked prospects a quarter are due for a follow-up today and a
-- sixteenth overdue. Prospect 20 (a chapter, 3 contacts, 20 activities) is the one whose
-- page the benchmark reads.
\set ON_ERROR_STOP on
SET undersigned.defer_public_version = 'on';

INSERT INTO users (id, email, name, password_hash) VALUES
  ('00000000-0000-0000-0000-00000000b003', 'robin@example.org', 'Robin Organizer', 'x'),
  ('00000000-0000-0000-0000-00000000b004', 'sam@example.org', 'Sam Organizer', 'x');
INSERT INTO memberships (tenant_id, user_id, role) VALUES
  ('00000000-0000-0000-0000-00000000b001', '00000000-0000-0000-0000-00000000b002', 'owner'),
  ('00000000-0000-0000-0000-00000000b001', '00000000-0000-0000-0000-00000000b003', 'organizer'),
  ('00000000-0000-0000-0000-00000000b001', '00000000-0000-0000-0000-00000000b004', 'organizer');
-- Logged in as the bench organizer: the cookie holds the token, the table its SHA-256.
INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at)
VALUES (sha256(convert_to(:'session', 'UTF8')), '00000000-0000-0000-0000-00000000b002', :'csrf', now(), now());

INSERT INTO campaigns (id, tenant_id, slug, title, points, target, time_zone, soft_deadline, hard_deadline, status, published_at)
VALUES ('00000000-0000-0000-0000-00000000c007', '00000000-0000-0000-0000-00000000b001', 'outreach', 'Protect the Watershed',
        ARRAY['Clean water is a right', 'Polluters pay', 'Communities decide'], 1000, 'UTC',
        now() + interval '10 days', now() + interval '20 days', 'published', now() - interval '14 days');
INSERT INTO letter_revisions (id, tenant_id, campaign_id, number, body, author_id, author_name, created_at)
VALUES (gen_random_uuid(), '00000000-0000-0000-0000-00000000b001', '00000000-0000-0000-0000-00000000c007', 1,
        E'# Dear Governor\n\nWe, the undersigned organizations, ask you to protect the watershed.',
        '00000000-0000-0000-0000-00000000b002', 'Bench Organizer', now() - interval '15 days');

-- The organizations of the group's book, then the campaign's prospect of each (what is
-- about the campaign: status, owner of the ask, a hold for this campaign, follow-up).
CREATE TEMPORARY TABLE bench_orgs AS
SELECT i, tag,
       CASE WHEN i = 20 THEN 'in_conversation'
            WHEN s < 35 THEN 'not_contacted' WHEN s < 65 THEN 'asked' WHEN s < 80 THEN 'in_conversation'
            WHEN s < 88 THEN 'declined' WHEN s < 92 THEN 'own_statement' ELSE 'in_conversation' END AS status,
       CASE WHEN i % 7 = 0 THEN 'The ' ELSE '' END
         || (ARRAY['Riverside', 'Northside', 'Valley', 'Harbor', 'Springfield', 'Eastside', 'Lakeside', 'Millbrook',
                   'Hartwell', 'Cedar Creek', 'Bayview', 'Hill Country'])[1 + i % 12] || ' '
         || CASE tag WHEN 'environmental' THEN 'Watershed Council' WHEN 'faith' THEN 'Interfaith Council'
                     WHEN 'labor' THEN 'Building Trades Council' WHEN 'tenant' THEN 'Tenants Union'
                     WHEN 'health' THEN 'Community Health Center' WHEN 'youth' THEN 'Youth Climate Network'
                     WHEN 'justice' THEN 'Environmental Justice Alliance' ELSE 'Farmers Alliance' END
         || CASE WHEN i % 20 = 0 THEN ' Chapter ' ELSE ' ' END || i AS name
FROM (SELECT i, (i * 7) % 100 AS s,
             (ARRAY['environmental', 'faith', 'labor', 'tenant', 'health', 'youth', 'justice', 'farm'])[1 + (i / 3) % 8] AS tag
      FROM generate_series(1, 5000) AS i) AS base;
INSERT INTO organizations (id, tenant_id, name, name_key, sort_key, website, domain, size, parent_id, tags,
                           owner_id, sensitivity, created_at)
SELECT md5('bench-org-' || i)::uuid, '00000000-0000-0000-0000-00000000b001',
       name, lower(name), regexp_replace(name, '^the\s+', '', 'i'),
       'https://org' || i || '.example', 'org' || i || '.example',
       CASE WHEN i % 20 = 1 THEN 'national' WHEN i % 20 = 3 THEN 'international'
            WHEN i % 20 IN (2, 4, 6, 8, 10) THEN 'regional' ELSE 'local' END,
       CASE WHEN i % 20 = 0 THEN md5('bench-org-' || ((i - 1) / 100 * 100 + 1))::uuid END,
       ARRAY[tag] || CASE WHEN i % 3 = 0 THEN ARRAY[(ARRAY['statewide', 'priority', 'downstream', 'new-partner'])[1 + i % 4]]
                          ELSE '{}'::text[] END,
       CASE WHEN i % 20 < 10 THEN '00000000-0000-0000-0000-00000000b002'::uuid
            WHEN i % 20 < 15 THEN '00000000-0000-0000-0000-00000000b003'::uuid
            WHEN i % 20 < 18 THEN '00000000-0000-0000-0000-00000000b004'::uuid END,
       CASE WHEN i % 40 = 5 THEN 'Their board is split on point 2: talk about the permits, not the fines.' ELSE '' END,
       now() - interval '15 days' + (i % 600) * interval '1 minute'
FROM bench_orgs;
INSERT INTO prospects (id, tenant_id, campaign_id, organization_id, owner_id, hold_reason, hold_until, status, referred_by,
                       next_follow_up, created_at)
SELECT md5('bench-prospect-' || i)::uuid, '00000000-0000-0000-0000-00000000b001', '00000000-0000-0000-0000-00000000c007',
       md5('bench-org-' || i)::uuid,
       CASE WHEN i % 20 < 10 THEN '00000000-0000-0000-0000-00000000b002'::uuid
            WHEN i % 20 < 15 THEN '00000000-0000-0000-0000-00000000b003'::uuid
            WHEN i % 20 < 18 THEN '00000000-0000-0000-0000-00000000b004'::uuid END,
       CASE WHEN i % 50 = 7 THEN 'Waiting for their board meeting' ELSE '' END,
       CASE WHEN i % 50 = 7 THEN current_date + (1 + i % 30) END,
       status,
       CASE WHEN i % 60 = 11 THEN 'Signer Network ' || (i % 400) ELSE '' END,
       CASE WHEN status IN ('asked', 'in_conversation') THEN
                CASE WHEN i % 4 = 0 THEN current_date
                     WHEN i % 16 = 1 THEN current_date - (1 + i % 3)
                     WHEN i % 8 IN (3, 5) THEN current_date + (1 + i % 14) END END,
       now() - interval '15 days' + (i % 600) * interval '1 minute'
FROM bench_orgs;

-- Contacts (the organizations' people): one each, a second for every other one, a third
-- for every tenth (8,000).
INSERT INTO people (id, tenant_id, organization_id, name, role, email, phone, bounced_at, bounce_reason, created_at)
SELECT md5('bench-contact-' || i || '-' || j)::uuid, '00000000-0000-0000-0000-00000000b001', md5('bench-org-' || i)::uuid,
       (ARRAY['Maya', 'Jordan', 'Priya', 'Luis', 'Ruth', 'Sam', 'Grace', 'Keisha', 'Frank', 'Donna', 'Marcus', 'Emily'])[1 + (i + j) % 12] || ' '
         || (ARRAY['Chen', 'Reyes', 'Natarajan', 'Ortega', 'Miller', 'Okafor', 'Whitfield', 'Johnson', 'DeLuca', 'Park', 'Bell', 'Novak', 'Vega'])[1 + (i * j) % 13],
       (ARRAY['Executive Director', 'Policy Director', 'Organizer', 'Board Chair', 'Communications Lead'])[j + i % 3],
       CASE WHEN (i + j) % 33 = 0 THEN NULL ELSE 'c' || j || '.' || i || '@org' || i || '.example' END,
       '(413) 555-' || lpad(((i * j) % 10000)::text, 4, '0'),
       CASE WHEN i % 100 = 37 AND j = 1 THEN now() - interval '3 days' END,
       CASE WHEN i % 100 = 37 AND j = 1 THEN '550 5.1.1 <c1.' || i || '@org' || i || '.example>: mailbox unavailable' ELSE '' END,
       now() - interval '15 days' + (i % 600) * interval '1 minute' + j * interval '1 minute'
FROM generate_series(1, 5000) AS i
JOIN generate_series(1, 3) AS j ON j = 1 OR (j = 2 AND i % 2 = 0) OR (j = 3 AND i % 10 = 0);

-- The signed 8%: each organization confirms with its first contact's email; the trigger on
-- signatures marks the prospect signed and logs it.
INSERT INTO signatures (id, tenant_id, campaign_id, kind, name, name_key, sort_key, city, size, contact_name,
                        contact_title, email, show_contact, state, source, confirmed_at, created_at)
SELECT gen_random_uuid(), p.tenant_id, p.campaign_id, 'organization', o.name, o.name_key, o.sort_key, 'Springfield', o.size,
       c.name, c.role, c.email, false, 'confirmed', 'form', now() - (i % 12) * interval '1 day', now() - (i % 12) * interval '1 day'
FROM generate_series(1, 5000) AS i
JOIN prospects p ON p.id = md5('bench-prospect-' || i)::uuid
JOIN organizations o ON o.id = p.organization_id
JOIN people c ON c.id = md5('bench-contact-' || i || '-1')::uuid
WHERE (i * 7) % 100 >= 92 AND i <> 20 AND c.email IS NOT NULL;

-- Prospect 20's history: twenty lines over two weeks.
INSERT INTO outreach_activities (tenant_id, campaign_id, prospect_id, organization_id, contact_id, kind, outcome, body,
                                 author_id, author_name, at)
SELECT '00000000-0000-0000-0000-00000000b001', '00000000-0000-0000-0000-00000000c007', md5('bench-prospect-20')::uuid,
       md5('bench-org-20')::uuid,
       CASE WHEN kind IN ('call', 'meeting', 'note') AND n % 2 = 0 THEN NULL
            ELSE md5('bench-contact-20-' || (1 + n % 3))::uuid END,
       kind, CASE kind WHEN 'call' THEN 'Interested; asking their board' WHEN 'meeting' THEN 'Supportive' ELSE '' END,
       CASE kind WHEN 'ask' THEN 'Subject: Will they sign on? Protect the Watershed'
                 WHEN 'follow_up' THEN 'Subject: Following up: Protect the Watershed'
                 WHEN 'change_request' THEN 'Could point 3 name the downstream towns?'
                 ELSE 'Talked through the letter and who else has signed.' END,
       '00000000-0000-0000-0000-00000000b002', 'Bench Organizer', now() - interval '14 days' + n * interval '16 hours'
FROM (SELECT n, (ARRAY['ask', 'ask', 'ask', 'opened', 'call', 'note', 'follow_up', 'opened', 'meeting', 'note',
                       'change_request', 'call', 'note', 'follow_up', 'call', 'note', 'meeting', 'note', 'call', 'note'])[n] AS kind
      FROM generate_series(1, 20) AS n) AS a;

-- Everyone else contacted: the rest of the 20,000, about six lines each, oldest first.
INSERT INTO outreach_activities (tenant_id, campaign_id, prospect_id, organization_id, contact_id, kind, outcome, body,
                                 author_id, author_name, at)
SELECT '00000000-0000-0000-0000-00000000b001', '00000000-0000-0000-0000-00000000c007', c.id, c.organization_id,
       CASE WHEN kind IN ('call', 'meeting', 'note') AND k % 3 = 0 THEN NULL ELSE md5('bench-contact-' || c.i || '-1')::uuid END,
       kind, CASE kind WHEN 'call' THEN (ARRAY['Left a voicemail', 'Interested', 'Asking their board'])[1 + k % 3]
                      WHEN 'meeting' THEN 'Supportive' ELSE '' END,
       CASE kind WHEN 'ask' THEN 'Subject: Will they sign on? Protect the Watershed'
                 WHEN 'follow_up' THEN 'Subject: Following up: Protect the Watershed'
                 WHEN 'opened' THEN 'Opened the personal link' ELSE 'Talked through the letter.' END,
       '00000000-0000-0000-0000-00000000b002', 'Bench Organizer',
       now() - interval '14 days' + m * interval '2 days' + (k % 600) * interval '1 minute'
FROM (SELECT k, (k - 1) % n.total + 1 AS rn, (k - 1) / n.total AS m,
             (ARRAY['ask', 'opened', 'call', 'follow_up', 'meeting', 'note', 'call', 'note'])[1 + ((k - 1) / n.total) % 8] AS kind
      FROM (SELECT count(*) AS total FROM prospects
            WHERE campaign_id = '00000000-0000-0000-0000-00000000c007' AND status <> 'not_contacted' AND id <> md5('bench-prospect-20')::uuid) AS n,
           generate_series(1, 20000 - (SELECT count(*) FROM outreach_activities
                                       WHERE campaign_id = '00000000-0000-0000-0000-00000000c007')) AS k) AS a
JOIN (SELECT p.id, p.organization_id, row_number() OVER (ORDER BY p.id) AS rn,
             (regexp_match(o.name, '(\d+)$'))[1]::int AS i
      FROM prospects p JOIN organizations o ON o.id = p.organization_id
      WHERE p.campaign_id = '00000000-0000-0000-0000-00000000c007' AND p.status <> 'not_contacted' AND p.id <> md5('bench-prospect-20')::uuid) AS c
  ON c.rn = a.rn;
-- The activities' trigger updated prospects, people and organizations row by row; autovacuum would
-- clean up after that within a minute, and the plans the pages get depend on it (an
-- index-only scan needs the pages marked all-visible): measure the settled state.
VACUUM (ANALYZE) organizations, people, prospects, outreach_activities, person_touches;
ANALYZE;
