-- The coalition's list at scale (issue 20), a group of its own (`list`): 5,000 members
-- (each a person of the book with an organization; 4,200 take each message, 600 the
-- digest, 200 only the archive; the first 1,000 new, their posts held), and an archive of 20,000 published posts in 2,000
-- threads over two years (10 posts each, every tenth thread news). Every member is
-- cleared (their posts go straight through). The organizer's session and a member's
-- (the member page and the archive as members read it) come from bench/run:
-- psql -v session=… -v csrf=… -v member_session=….
\set ON_ERROR_STOP on

INSERT INTO tenants (id, slug, name, created_at, coalition_list_open)
VALUES ('00000000-0000-0000-0000-00000000a151', 'list', 'List Coalition', now() - interval '800 days', true);
INSERT INTO users (id, email, name, password_hash) VALUES
  ('00000000-0000-0000-0000-00000000a152', 'list@example.org', 'List Organizer', 'x');
INSERT INTO memberships (tenant_id, user_id, role) VALUES
  ('00000000-0000-0000-0000-00000000a151', '00000000-0000-0000-0000-00000000a152', 'owner');
INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at)
VALUES (sha256(convert_to(:'session', 'UTF8')), '00000000-0000-0000-0000-00000000a152', :'csrf', now(), now());

INSERT INTO coalition_lists (tenant_id, name, purpose, rules, off_topic_ok, archive_public,
    default_action, created_at, updated_at)
VALUES ('00000000-0000-0000-0000-00000000a151', 'List Coalition members',
    'Where the coalition plans its next steps.',
    E'1. Be kind.\n2. Stay on the coalition''s work.\n3. No attachments: link to documents.',
    false, false, 'accept', now() - interval '800 days', now());

INSERT INTO organizations (id, tenant_id, name, name_key, sort_key, created_at)
SELECT md5('list-org-' || i)::uuid, '00000000-0000-0000-0000-00000000a151',
       'Member Organization ' || i, 'member organization ' || i, 'member organization ' || i,
       now() - interval '700 days'
FROM generate_series(1, 5000) AS i;
INSERT INTO people (id, tenant_id, organization_id, name, email, created_at)
SELECT md5('list-person-' || i)::uuid, '00000000-0000-0000-0000-00000000a151',
       md5('list-org-' || i)::uuid, 'Member Person ' || i, 'member' || i || '@list.example',
       now() - interval '700 days'
FROM generate_series(1, 5000) AS i;
INSERT INTO list_members (id, tenant_id, person_id, email, name, organization, joined_at,
    joined_how, delivery, moderation, post_key, last_digest_at)
SELECT md5('list-member-' || i)::uuid, '00000000-0000-0000-0000-00000000a151',
       md5('list-person-' || i)::uuid, 'member' || i || '@list.example', 'Member Person ' || i,
       'Member Organization ' || i, now() - interval '700 days' + i * interval '1 minute',
       (ARRAY['confirmation', 'join_link', 'invitation'])[1 + i % 3],
       CASE WHEN i % 25 = 0 THEN 'none' WHEN i % 25 < 4 THEN 'digest' ELSE 'each' END,
       -- The first thousand (whose replies receive-mail is fed) are new: their posts are
       -- held, so the inbound path is measured apart from the fan-out (measured above).
       CASE WHEN i <= 1000 THEN 'hold' ELSE 'default' END, md5('list-post-key-' || i),
       -- Today's digest already went out: the drain measures the organizer's post.
       CASE WHEN i % 25 BETWEEN 1 AND 3 THEN now() - interval '1 minute' END
FROM generate_series(1, 5000) AS i;
INSERT INTO list_member_sessions (token_hash, tenant_id, member_id, created_at, expires_at)
VALUES (sha256(convert_to(:'member_session', 'UTF8')), '00000000-0000-0000-0000-00000000a151',
        md5('list-member-7')::uuid, now(), now() + interval '30 days');

-- 2,000 threads over two years, the newest first in the archive; 10 posts each.
INSERT INTO list_threads (id, tenant_id, subject, news_link, started_at, last_post_at, published_posts)
SELECT md5('list-thread-' || t)::uuid, '00000000-0000-0000-0000-00000000a151',
       (ARRAY['Next call', 'Hearing at the statehouse', 'Press release draft', 'Water testing results',
              'Volunteers for Saturday', 'Budget testimony', 'Op-ed sign-on', 'Meeting notes'])[1 + t % 8]
         || ' #' || t,
       CASE WHEN t % 10 = 0 THEN 'https://news.example.org/story/' || t END,
       now() - (2000 - t) * interval '8 hours' - interval '1 day',
       now() - (2000 - t) * interval '8 hours', 10
FROM generate_series(1, 2000) AS t;
INSERT INTO list_posts (id, tenant_id, thread_id, author_member_id, author_name, subject, body,
    source, state, created_at, published_at)
SELECT md5('list-post-' || t || '-' || p)::uuid, '00000000-0000-0000-0000-00000000a151',
       md5('list-thread-' || t)::uuid, md5('list-member-' || (1 + (t * 7 + p * 13) % 5000))::uuid,
       'Member Person ' || (1 + (t * 7 + p * 13) % 5000),
       CASE WHEN p = 1 THEN '' ELSE 'Re: ' END || 'Thread ' || t,
       E'Thanks all. On the ' || (ARRAY['watershed', 'pipeline', 'testimony', 'hearing', 'budget'])[1 + (t + p) % 5]
         || E' question: we can bring ' || (p * 3) || E' people and a banner.\n\nSee you on the call,\n'
         || 'Member ' || p,
       CASE WHEN p % 3 = 0 THEN 'email' ELSE 'web' END, 'published',
       now() - (2000 - t) * interval '8 hours' - interval '1 day' + p * interval '2 hours',
       now() - (2000 - t) * interval '8 hours' - interval '1 day' + p * interval '2 hours'
FROM generate_series(1, 2000) AS t, generate_series(1, 10) AS p;

-- Reply keys of 1,000 members for the newest thread: what receive-mail is fed.
INSERT INTO list_reply_keys (key, tenant_id, member_id, thread_id, created_at)
SELECT md5('list-reply-key-' || i), '00000000-0000-0000-0000-00000000a151',
       md5('list-member-' || i)::uuid, md5('list-thread-2000')::uuid, now()
FROM generate_series(1, 1000) AS i;
ANALYZE organizations, people, list_members, list_threads, list_posts, list_reply_keys;
