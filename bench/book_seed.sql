-- The group's address book at scale (issue 19), a group of its own (`book`): 20,000
-- organizations, 50,000 people and 200,000 activities over three campaigns, plus a fourth
-- campaign with no prospects yet (`fresh`) for adding 5,000 book organizations at once.
-- The organizer's session comes from bench/run: psql -v session=… -v csrf=….
--
-- The mix: organizations in 8 tags (a second tag for a third of them), 60% local, 25%
-- regional, 10% national, 5% international; five regions, "North" being exactly 5,000
-- (what `fresh` takes from the book); one in twenty a chapter of another; one in fifty on
-- a group-wide hold. People: two per organization and a third for every other one (one
-- address in 33 missing). Campaigns: `spring` has 5,000 prospects (the list the bench
-- reads), `summer` 4,000, `autumn` 3,000; 8% of spring's and summer's sign (through a
-- confirmed signature from their first person's address: the trigger marks them). Every
-- prospect contacted has about 23 lines of history; the rest of the 200,000 are notes in
-- the book, in no campaign. Organization 20 is the one whose page the bench reads first.
\set ON_ERROR_STOP on
SET undersigned.defer_public_version = 'on';

INSERT INTO tenants (id, slug, name, created_at)
VALUES ('00000000-0000-0000-0000-0000000b0b01', 'book', 'Book Coalition', now() - interval '400 days');
INSERT INTO users (id, email, name, password_hash) VALUES
  ('00000000-0000-0000-0000-0000000b0b02', 'book@example.org', 'Book Organizer', 'x'),
  ('00000000-0000-0000-0000-0000000b0b03', 'book2@example.org', 'Robin Booker', 'x');
INSERT INTO memberships (tenant_id, user_id, role) VALUES
  ('00000000-0000-0000-0000-0000000b0b01', '00000000-0000-0000-0000-0000000b0b02', 'owner'),
  ('00000000-0000-0000-0000-0000000b0b01', '00000000-0000-0000-0000-0000000b0b03', 'organizer');
-- Logged in as the book organizer: the cookie holds the token, the table its SHA-256.
INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at)
VALUES (sha256(convert_to(:'session', 'UTF8')), '00000000-0000-0000-0000-0000000b0b02', :'csrf', now(), now());

INSERT INTO campaigns (id, tenant_id, slug, title, points, target, time_zone, soft_deadline, hard_deadline, status, published_at, created_at)
SELECT id::uuid, '00000000-0000-0000-0000-0000000b0b01', slug, title,
       ARRAY['Clean water is a right', 'Polluters pay'], 1000, 'UTC',
       now() + soft * interval '1 day', now() + soft * interval '1 day' + interval '10 days',
       'published', now() - age * interval '1 day', now() - age * interval '1 day' - interval '1 day'
FROM (VALUES ('00000000-0000-0000-0000-0000000b0c01', 'spring', 'Protect the Watershed', 10, 30),
             ('00000000-0000-0000-0000-0000000b0c02', 'summer', 'Stop the Pipeline', -150, 200),
             ('00000000-0000-0000-0000-0000000b0c03', 'autumn', 'Fund the Parks', -280, 330),
             ('00000000-0000-0000-0000-0000000b0c04', 'fresh', 'Save the Wetlands', 40, 1)) AS c (id, slug, title, soft, age);
INSERT INTO letter_revisions (id, tenant_id, campaign_id, number, body, author_id, author_name, created_at)
SELECT gen_random_uuid(), tenant_id, id, 1, E'# Dear Governor\n\nWe, the undersigned organizations, ask you to act.',
       '00000000-0000-0000-0000-0000000b0b02', 'Book Organizer', created_at
FROM campaigns WHERE tenant_id = '00000000-0000-0000-0000-0000000b0b01';

-- Organizations.
INSERT INTO organizations (id, tenant_id, name, name_key, sort_key, website, domain, size, region, parent_id, tags,
                           owner_id, notes, sensitivity, hold_reason, hold_until, created_at)
SELECT md5('book-org-' || i)::uuid, '00000000-0000-0000-0000-0000000b0b01',
       name, lower(regexp_replace(name, '^the\s+', '', 'i')), regexp_replace(name, '^the\s+', '', 'i'),
       'https://org' || i || '.example', 'org' || i || '.example',
       CASE WHEN i % 20 = 1 THEN 'national' WHEN i % 20 = 3 THEN 'international'
            WHEN i % 20 IN (2, 4, 6, 8, 10) THEN 'regional' ELSE 'local' END,
       (ARRAY['Central', 'North', 'South', 'East', 'West'])[1 + i % 4 + CASE WHEN i % 4 = 0 AND i % 8 = 0 THEN 4 ELSE 0 END],
       CASE WHEN i % 20 = 0 THEN md5('book-org-' || ((i - 1) / 100 * 100 + 1))::uuid END,
       ARRAY[tag] || CASE WHEN i % 3 = 0 THEN ARRAY[(ARRAY['statewide', 'priority', 'downstream', 'new-partner'])[1 + i % 4]]
                          ELSE '{}'::text[] END,
       CASE WHEN i % 20 < 10 THEN '00000000-0000-0000-0000-0000000b0b02'::uuid
            WHEN i % 20 < 15 THEN '00000000-0000-0000-0000-0000000b0b03'::uuid END,
       CASE WHEN i % 9 = 4 THEN 'Met at the spring assembly; their board decides in the second week of the month.' ELSE '' END,
       CASE WHEN i % 40 = 5 THEN 'Their board is split on point 2: talk about the permits, not the fines.' ELSE '' END,
       CASE WHEN i % 50 = 7 THEN 'Waiting for their board meeting' ELSE '' END,
       CASE WHEN i % 50 = 7 THEN current_date + (1 + i % 30) END,
       now() - interval '400 days' + (i % 900) * interval '1 hour'
FROM (
  SELECT i, tag,
         CASE WHEN i % 7 = 0 THEN 'The ' ELSE '' END
           || (ARRAY['Riverside', 'Northside', 'Valley', 'Harbor', 'Springfield', 'Eastside', 'Lakeside', 'Millbrook',
                     'Hartwell', 'Cedar Creek', 'Bayview', 'Hill Country'])[1 + i % 12] || ' '
           || CASE tag WHEN 'environmental' THEN 'Watershed Council' WHEN 'faith' THEN 'Interfaith Council'
                       WHEN 'labor' THEN 'Building Trades Council' WHEN 'tenant' THEN 'Tenants Union'
                       WHEN 'health' THEN 'Community Health Center' WHEN 'youth' THEN 'Youth Climate Network'
                       WHEN 'justice' THEN 'Environmental Justice Alliance' ELSE 'Farmers Alliance' END
           || CASE WHEN i % 20 = 0 THEN ' Chapter ' ELSE ' ' END || i AS name
  FROM (SELECT i, (ARRAY['environmental', 'faith', 'labor', 'tenant', 'health', 'youth', 'justice', 'farm'])[1 + (i / 3) % 8] AS tag
        FROM generate_series(1, 20000) AS i) AS base
) AS o;

-- People: two per organization, a third for every other one (50,000).
INSERT INTO people (id, tenant_id, organization_id, name, first_name, role, email, phone, bounced_at, bounce_reason, created_at)
SELECT md5('book-person-' || i || '-' || j)::uuid, '00000000-0000-0000-0000-0000000b0b01', md5('book-org-' || i)::uuid,
       first || ' ' || (ARRAY['Chen', 'Reyes', 'Natarajan', 'Ortega', 'Miller', 'Okafor', 'Whitfield', 'Johnson', 'DeLuca', 'Park', 'Bell', 'Novak', 'Vega'])[1 + (i * j) % 13],
       first,
       (ARRAY['Executive Director', 'Policy Director', 'Organizer', 'Board Chair', 'Communications Lead'])[j + i % 3],
       CASE WHEN (i + j) % 33 = 0 THEN NULL ELSE 'p' || j || '.' || i || '@org' || i || '.example' END,
       '(413) 555-' || lpad(((i * j) % 10000)::text, 4, '0'),
       CASE WHEN i % 100 = 37 AND j = 1 THEN now() - interval '3 days' END,
       CASE WHEN i % 100 = 37 AND j = 1 THEN '550 5.1.1 <p1.' || i || '@org' || i || '.example>: mailbox unavailable' ELSE '' END,
       now() - interval '400 days' + (i % 900) * interval '1 hour' + j * interval '1 minute'
FROM (SELECT i, j, (ARRAY['Maya', 'Jordan', 'Priya', 'Luis', 'Ruth', 'Sam', 'Grace', 'Keisha', 'Frank', 'Donna', 'Marcus', 'Emily'])[1 + (i + j) % 12] AS first
      FROM generate_series(1, 20000) AS i
      JOIN generate_series(1, 3) AS j ON j <= 2 OR i % 2 = 0) AS pj;

-- Prospects: spring takes every fourth organization (5,000), summer every fifth (4,000),
-- autumn three in twenty (3,000).
INSERT INTO prospects (id, tenant_id, campaign_id, organization_id, owner_id, hold_reason, hold_until, status, next_follow_up, created_at)
SELECT md5('book-prospect-' || c.slug || '-' || i)::uuid, '00000000-0000-0000-0000-0000000b0b01', c.id, md5('book-org-' || i)::uuid,
       CASE WHEN i % 20 < 10 THEN '00000000-0000-0000-0000-0000000b0b02'::uuid
            WHEN i % 20 < 15 THEN '00000000-0000-0000-0000-0000000b0b03'::uuid END,
       CASE WHEN i % 97 = 3 THEN 'Not this one: ask again for the next letter' ELSE '' END,
       CASE WHEN i % 97 = 3 THEN current_date + 20 END,
       CASE WHEN s < 35 THEN 'not_contacted' WHEN s < 65 THEN 'asked' WHEN s < 80 THEN 'in_conversation'
            WHEN s < 88 THEN 'declined' WHEN s < 92 THEN 'own_statement' ELSE 'in_conversation' END,
       CASE WHEN s >= 35 AND s < 80 AND i % 4 = 0 THEN current_date + (i % 14) - 3 END,
       c.created_at + (i % 600) * interval '1 minute'
FROM campaigns c
JOIN (SELECT i, (i * 7) % 100 AS s FROM generate_series(1, 20000) AS i) AS o
  ON (c.slug = 'spring' AND i % 4 = 0) OR (c.slug = 'summer' AND i % 5 = 0) OR (c.slug = 'autumn' AND i % 20 IN (1, 3, 7))
WHERE c.tenant_id = '00000000-0000-0000-0000-0000000b0b01';

-- The signed 8% of spring and summer: a confirmed signature from the first person's
-- address; the trigger on signatures marks the prospect signed and logs it.
INSERT INTO signatures (id, tenant_id, campaign_id, kind, name, name_key, sort_key, city, size, contact_name,
                        contact_title, email, show_contact, state, source, revision_id, confirmed_at, created_at)
SELECT gen_random_uuid(), p.tenant_id, p.campaign_id, 'organization', o.name, o.name_key, o.sort_key, 'Springfield', o.size,
       pe.name, pe.role, pe.email, false, 'confirmed', 'form',
       (SELECT r.id FROM letter_revisions r WHERE r.campaign_id = p.campaign_id),
       c.created_at + interval '5 days' + (i % 20) * interval '1 day', c.created_at + interval '5 days' + (i % 20) * interval '1 day'
FROM generate_series(1, 20000) AS i
JOIN organizations o ON o.id = md5('book-org-' || i)::uuid
JOIN prospects p ON p.organization_id = o.id
JOIN campaigns c ON c.id = p.campaign_id AND c.slug IN ('spring', 'summer')
JOIN people pe ON pe.id = md5('book-person-' || i || '-1')::uuid
WHERE (i * 7) % 100 >= 92 AND pe.email IS NOT NULL;

-- The history: the touch trigger is off while the lines go in, and its work is done in
-- bulk after (the same rows it would write).
ALTER TABLE outreach_activities DISABLE TRIGGER outreach_activities_touch;

-- Every contacted prospect: 23 lines, about three days apart from its campaign's start.
INSERT INTO outreach_activities (tenant_id, campaign_id, prospect_id, organization_id, contact_id, kind, outcome, body,
                                 author_id, author_name, at)
SELECT p.tenant_id, p.campaign_id, p.id, p.organization_id,
       CASE WHEN kind IN ('call', 'meeting', 'note') AND k % 3 = 0 THEN NULL
            ELSE md5('book-person-' || (regexp_match(o.name, '(\d+)$'))[1] || '-' || (1 + k % 2))::uuid END,
       kind, CASE kind WHEN 'call' THEN (ARRAY['Left a voicemail', 'Interested', 'Asking their board'])[1 + k % 3]
                      WHEN 'meeting' THEN 'Supportive' ELSE '' END,
       CASE kind WHEN 'ask' THEN 'Subject: Will they sign on? ' || c.title
                 WHEN 'follow_up' THEN 'Subject: Following up: ' || c.title
                 WHEN 'opened' THEN 'Opened the personal link' ELSE 'Talked through the letter.' END,
       '00000000-0000-0000-0000-0000000b0b02', 'Book Organizer',
       least(now(), c.created_at + k * interval '3 days' + (hashtext(p.id::text) & 1023) * interval '1 minute')
FROM prospects p
JOIN organizations o ON o.id = p.organization_id
JOIN campaigns c ON c.id = p.campaign_id
CROSS JOIN LATERAL (SELECT k, (ARRAY['ask', 'opened', 'call', 'follow_up', 'meeting', 'note', 'call', 'note'])[1 + k % 8] AS kind
                      FROM generate_series(1, 23) AS k) AS a
WHERE p.tenant_id = '00000000-0000-0000-0000-0000000b0b01' AND p.status <> 'not_contacted';

-- The rest of the 200,000: notes in the book, in no campaign.
INSERT INTO outreach_activities (tenant_id, organization_id, kind, body, author_id, author_name, at)
SELECT '00000000-0000-0000-0000-0000000b0b01', md5('book-org-' || (1 + k % 20000))::uuid, 'note',
       'Saw them at the regional assembly; ' || (ARRAY['keen on the next letter.', 'new director starting.', 'asked for the one-pager.'])[1 + k % 3],
       '00000000-0000-0000-0000-0000000b0b02', 'Book Organizer', now() - (k % 360) * interval '1 day'
FROM generate_series(1, 200000 - (SELECT count(*) FROM outreach_activities WHERE tenant_id = '00000000-0000-0000-0000-0000000b0b01')) AS k;

ALTER TABLE outreach_activities ENABLE TRIGGER outreach_activities_touch;

-- What the touch trigger would have written.
INSERT INTO person_touches (person_id, tenant_id, campaign_id, activity_id, kind, at)
SELECT pe.id, a.tenant_id, a.campaign_id, a.id, a.kind, a.at
FROM outreach_activities a
JOIN people pe ON pe.organization_id = a.organization_id
             AND (pe.id = a.contact_id OR (a.contact_id IS NULL AND a.kind IN ('call', 'meeting')))
WHERE a.tenant_id = '00000000-0000-0000-0000-0000000b0b01'
  AND a.kind IN ('ask', 'follow_up', 'reminder', 'last_call', 'call', 'meeting');
UPDATE people pe SET last_touch_at = t.at
FROM (SELECT person_id, max(at) AS at FROM person_touches WHERE tenant_id = '00000000-0000-0000-0000-0000000b0b01' GROUP BY 1) t
WHERE pe.id = t.person_id;
UPDATE organizations o SET last_touch_at = t.at
FROM (SELECT organization_id, max(at) AS at FROM outreach_activities
      WHERE tenant_id = '00000000-0000-0000-0000-0000000b0b01' AND kind IN ('ask', 'follow_up', 'reminder', 'last_call', 'call', 'meeting')
      GROUP BY 1) t
WHERE o.id = t.organization_id;
UPDATE prospects p SET last_touch_at = t.at
FROM (SELECT prospect_id, max(at) AS at FROM outreach_activities
      WHERE tenant_id = '00000000-0000-0000-0000-0000000b0b01' AND prospect_id IS NOT NULL
        AND kind IN ('ask', 'follow_up', 'reminder', 'last_call', 'call', 'meeting')
      GROUP BY 1) t
WHERE p.id = t.prospect_id;

-- Measure the settled state (index-only scans need the pages marked all-visible).
VACUUM (ANALYZE) organizations, people, prospects, outreach_activities, person_touches, signatures;
ANALYZE;
