-- One confirmation on the 10,000-signer letter, as the app commits it (the row lock, the
-- state change with its triggers moving the page's version, the event): run at a steady
-- rate (pgbench -R 50) while wrk reads the page.
\set n random(1, 20000)
BEGIN;
SELECT state FROM signatures WHERE campaign_id = '00000000-0000-0000-0000-00000000c001' AND email = ('stream' || :n || '@example.org')::citext FOR UPDATE;
UPDATE signatures SET state = 'confirmed', confirmed_at = coalesce(confirmed_at, now())
 WHERE campaign_id = '00000000-0000-0000-0000-00000000c001' AND email = ('stream' || :n || '@example.org')::citext AND state = 'pending';
INSERT INTO signature_events (tenant_id, signature_id, from_state, to_state, actor, reason, at)
SELECT tenant_id, id, 'pending', 'confirmed', 'signer', 'confirmed through the emailed link', now()
  FROM signatures WHERE campaign_id = '00000000-0000-0000-0000-00000000c001' AND email = ('stream' || :n || '@example.org')::citext;
COMMIT;
