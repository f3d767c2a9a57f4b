-- A statement speaks for an organization, so it is published only after its sender
-- confirms it from the address they typed, as a signature is: the form stores it
-- unconfirmed and emails a single-use link (256 random bits, stored as SHA-256, 7 days);
-- only a confirmed statement can be approved, and only an approved one is public.
ALTER TABLE statements
    ADD COLUMN confirmed_at timestamptz,
    -- The live confirmation link (cleared once used). A re-submission from the same
    -- address while the statement is unconfirmed replaces its text; it gets a new link
    -- (and email) only when the last one went an hour ago or more.
    ADD COLUMN token_hash bytea UNIQUE,
    ADD COLUMN token_expires_at timestamptz,
    ADD COLUMN confirmation_sent_at timestamptz,
    -- Moves on with each replacement, so a confirmation counts only for the text its page
    -- showed.
    ADD COLUMN wording integer NOT NULL DEFAULT 1,
    -- Approved before confirmation existed (set below, never by the application).
    ADD COLUMN approved_before_confirmation boolean NOT NULL DEFAULT false;

-- Statements already here were never confirmed by their senders (no link was sent).
-- Approved ones stay published: organizers approved each one with its address marked
-- unverified, often after reaching the organization themselves, and taking them down
-- silently would unsay what a coalition published without anyone deciding it. They stay
-- marked (on the organizers' page and, to readers, on the public page) as approved before
-- senders confirmed; once an organizer withdraws or rejects one, it can be approved
-- again only after its sender confirms it (which means sending it again through the form).
-- Pending ones need their sender's confirmation like any new one: they cannot be approved
-- as they are, and no link is emailed for them now (their senders never asked for mail;
-- they may send the statement again). Rejected ones stay rejected.
UPDATE statements SET approved_before_confirmation = true WHERE state = 'approved';

ALTER TABLE statements ADD CONSTRAINT statements_approved_only_when_confirmed
    CHECK (state <> 'approved' OR confirmed_at IS NOT NULL OR approved_before_confirmation);

-- One unconfirmed statement per address and campaign: a re-submission replaces it, so
-- two sent at once cannot both mail the address.
CREATE UNIQUE INDEX statements_one_unconfirmed_per_address
    ON statements (tenant_id, campaign_id, email)
    WHERE confirmed_at IS NULL AND token_hash IS NOT NULL AND state = 'pending';
