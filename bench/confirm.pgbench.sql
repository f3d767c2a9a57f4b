-- The database work of one confirmation from its emailed link, as the app does it: find
-- the campaign, find the signature by its link, then in one transaction take the consent
-- lock, read the text, lock the signature, confirm
-- it (the triggers move the page's version and keep the confirmed revision), record the
-- revision read, its consent line and the event.
\set n random(1, 150000)
SELECT c.id, c.status, c.public_version, t.name FROM campaigns c JOIN tenants t ON t.id = c.tenant_id
 WHERE t.slug = 'bench' AND c.slug = 'confirm-pg';
SELECT s.id, s.state,
       coalesce((SELECT l.expires_at FROM signature_links l
                  WHERE l.token_hash = sha256(convert_to('pgt' || lpad(:n::text, 40, '0'), 'UTF8')) AND l.signature_id = s.id),
                s.token_expires_at)
  FROM signatures s
 WHERE s.tenant_id = '00000000-0000-0000-0000-00000000b001' AND s.campaign_id = '00000000-0000-0000-0000-00000000c006'
   AND s.id = (SELECT id FROM signatures WHERE token_hash = sha256(convert_to('pgt' || lpad(:n::text, 40, '0'), 'UTF8'))
               UNION ALL
               SELECT signature_id FROM signature_links WHERE token_hash = sha256(convert_to('pgt' || lpad(:n::text, 40, '0'), 'UTF8'))
               LIMIT 1);
BEGIN;
-- The consent lock, shared (any key: shared holders do not wait for each other), then
-- the text as it stands, read in one statement under it.
SELECT pg_advisory_xact_lock_shared(42) FROM (SELECT set_config('lock_timeout', '4s', true)) AS w;
SELECT r.id, coalesce(r.number, 0), c.consent_from_revision, c.title, c.points
  FROM campaigns c
  LEFT JOIN LATERAL (SELECT id, number FROM letter_revisions WHERE campaign_id = c.id ORDER BY number DESC LIMIT 1) r ON true
 WHERE c.id = '00000000-0000-0000-0000-00000000c006';
SELECT state FROM signatures WHERE tenant_id = '00000000-0000-0000-0000-00000000b001' AND token_hash = sha256(convert_to('pgt' || lpad(:n::text, 40, '0'), 'UTF8')) FOR UPDATE;
UPDATE signatures SET state = 'confirmed', confirmed_at = coalesce(confirmed_at, now())
 WHERE tenant_id = '00000000-0000-0000-0000-00000000b001' AND token_hash = sha256(convert_to('pgt' || lpad(:n::text, 40, '0'), 'UTF8'));
-- The revision the signer read, and the line of the consent trail saying so.
UPDATE signatures SET revision_id = (SELECT id FROM letter_revisions WHERE campaign_id = '00000000-0000-0000-0000-00000000c006' ORDER BY number DESC LIMIT 1)
 WHERE tenant_id = '00000000-0000-0000-0000-00000000b001' AND token_hash = sha256(convert_to('pgt' || lpad(:n::text, 40, '0'), 'UTF8'));
INSERT INTO signature_consents (tenant_id, signature_id, revision_id, how, at)
SELECT tenant_id, id, revision_id, 'confirmed', now()
  FROM signatures WHERE tenant_id = '00000000-0000-0000-0000-00000000b001' AND token_hash = sha256(convert_to('pgt' || lpad(:n::text, 40, '0'), 'UTF8'));
INSERT INTO signature_events (tenant_id, signature_id, from_state, to_state, actor, reason, at)
SELECT tenant_id, id, 'pending', 'confirmed', 'signer', 'confirmed through the emailed link', now()
  FROM signatures WHERE tenant_id = '00000000-0000-0000-0000-00000000b001' AND token_hash = sha256(convert_to('pgt' || lpad(:n::text, 40, '0'), 'UTF8'));
COMMIT;
