-- Announcing at scale, on top of bench/seed.sql: the PDF of the 1,000- and 10,000-signer
-- letters made public, and a finished campaign (`finished`, closed) with 1,000 listed
-- signers to reissue, half of whom confirmed while its reissue notice was shown; the bench
-- organizer as the group's owner, with a session (token and CSRF token from bench/run:
-- psql -v session=… -v csrf=…).
\set ON_ERROR_STOP on
SET undersigned.defer_public_version = 'on';

INSERT INTO memberships (tenant_id, user_id, role)
VALUES ('00000000-0000-0000-0000-00000000b001', '00000000-0000-0000-0000-00000000b002', 'owner')
ON CONFLICT DO NOTHING;
INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at)
VALUES (sha256(convert_to(:'session', 'UTF8')), '00000000-0000-0000-0000-00000000b002', :'csrf', now(), now());

UPDATE campaigns SET public_pdf = true WHERE slug IN ('letter1k', 'letter');

INSERT INTO campaigns (id, tenant_id, slug, title, points, target, time_zone, soft_deadline, hard_deadline,
                       status, published_at, closed_at, reissue_notice)
VALUES ('00000000-0000-0000-0000-00000000c008', '00000000-0000-0000-0000-00000000b001', 'finished',
        'A Letter That Has Finished', ARRAY['Clean water is a right'], 1000, 'UTC',
        now() - interval '20 days', now() - interval '10 days', 'closed', now() - interval '30 days',
        now() - interval '10 days', true);
INSERT INTO letter_revisions (id, tenant_id, campaign_id, number, body, author_id, author_name, created_at)
VALUES ('00000000-0000-0000-0000-00000000d008', '00000000-0000-0000-0000-00000000b001',
        '00000000-0000-0000-0000-00000000c008', 1, E'# Dear Governor\n\nProtect our rivers.',
        '00000000-0000-0000-0000-00000000b002', 'Bench Organizer', now() - interval '30 days');
INSERT INTO signatures (id, tenant_id, campaign_id, kind, name, name_key, sort_key, city, size, contact_name,
                        contact_title, email, show_contact, state, source, revision_id, confirmed_at, created_at,
                        reissue_notice_at)
SELECT gen_random_uuid(), '00000000-0000-0000-0000-00000000b001', '00000000-0000-0000-0000-00000000c008',
       'organization', 'Finished Org ' || i, 'finished org ' || i, 'Finished Org ' || i, 'City ' || (i % 50), 'local',
       'Contact ' || i, 'Director', 'finished' || i || '@example.org', false, 'confirmed', 'form',
       '00000000-0000-0000-0000-00000000d008', now() - interval '25 days', now() - interval '25 days',
       CASE WHEN i % 2 = 0 THEN now() - interval '25 days' END
FROM generate_series(1, 1000) AS i;
ANALYZE;
