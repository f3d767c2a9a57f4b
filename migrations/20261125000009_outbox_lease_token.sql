-- Each claim writes a token of its own; a worker renews a row's lease right before (and
-- while) sending it, and marks the row sent or failed only while it still holds that
-- token, so a lease that ran out mid-batch never makes a message go out twice.
ALTER TABLE outbox ADD COLUMN lease_token uuid;
