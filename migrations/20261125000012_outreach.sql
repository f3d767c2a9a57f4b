-- Outreach: the organizations a campaign asks (prospects), their decision-makers
-- (contacts), every touch and note (activities), and the deadline emails' send logs.

-- A campaign's outreach rules; a campaign without a row uses the defaults.
CREATE TABLE outreach_settings (
    campaign_id          uuid PRIMARY KEY,
    tenant_id            uuid NOT NULL,
    min_days_between     integer NOT NULL DEFAULT 3 CHECK (min_days_between BETWEEN 0 AND 60),
    max_touches          integer NOT NULL DEFAULT 4 CHECK (max_touches BETWEEN 1 AND 20),
    reminder_lead_days   integer[] NOT NULL DEFAULT '{3,1}',
    auto_last_call       boolean NOT NULL DEFAULT false,
    ask_subject          text NOT NULL DEFAULT '',
    ask_body             text NOT NULL DEFAULT '',
    CONSTRAINT outreach_settings_campaign_fk FOREIGN KEY (tenant_id, campaign_id)
        REFERENCES campaigns (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE prospects (
    id                    uuid PRIMARY KEY,
    tenant_id             uuid NOT NULL,
    campaign_id           uuid NOT NULL,
    name                  text NOT NULL,
    -- Duplicate detection, as for signatures (case, accents, punctuation, "The").
    name_key              text NOT NULL,
    sort_key              text NOT NULL,
    website               text NOT NULL DEFAULT '',
    domain                text NOT NULL DEFAULT '',
    size                  text NOT NULL DEFAULT '' CHECK (size IN ('', 'local', 'regional', 'national', 'international')),
    parent_id             uuid,
    tags                  text[] NOT NULL DEFAULT '{}',
    owner_id              uuid REFERENCES users (id) ON DELETE SET NULL,
    sensitivity           text NOT NULL DEFAULT '',
    hold_reason           text NOT NULL DEFAULT '',
    hold_until            date,
    status                text NOT NULL DEFAULT 'not_contacted'
                          CHECK (status IN ('not_contacted', 'asked', 'in_conversation', 'declined', 'own_statement')),
    -- The confirmed signature that makes this prospect "signed" (kept by the trigger below).
    signed_signature_id   uuid,
    -- A signature an organizer confirmed as this organization's (a match by name).
    matched_signature_id  uuid,
    referral_id           uuid UNIQUE,
    referred_by           text NOT NULL DEFAULT '',
    referral_note         text NOT NULL DEFAULT '',
    possible_duplicate_of uuid,
    next_follow_up        date,
    last_touch_at         timestamptz,
    created_at            timestamptz NOT NULL,
    CONSTRAINT prospects_campaign_fk FOREIGN KEY (tenant_id, campaign_id)
        REFERENCES campaigns (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT prospects_tenant_id_key UNIQUE (tenant_id, id),
    CONSTRAINT prospects_campaign_id_key UNIQUE (campaign_id, id),
    CONSTRAINT prospects_parent_fk FOREIGN KEY (campaign_id, parent_id)
        REFERENCES prospects (campaign_id, id) ON DELETE SET NULL (parent_id),
    CONSTRAINT prospects_duplicate_fk FOREIGN KEY (campaign_id, possible_duplicate_of)
        REFERENCES prospects (campaign_id, id) ON DELETE SET NULL (possible_duplicate_of),
    CONSTRAINT prospects_not_own_parent CHECK (parent_id IS DISTINCT FROM id),
    CONSTRAINT prospects_signed_fk FOREIGN KEY (tenant_id, signed_signature_id)
        REFERENCES signatures (tenant_id, id) ON DELETE SET NULL (signed_signature_id),
    CONSTRAINT prospects_matched_fk FOREIGN KEY (tenant_id, matched_signature_id)
        REFERENCES signatures (tenant_id, id) ON DELETE SET NULL (matched_signature_id)
);
CREATE INDEX prospects_campaign_order ON prospects (campaign_id, (sort_key COLLATE signer_order), id);
CREATE INDEX prospects_name_key ON prospects (campaign_id, name_key);
CREATE INDEX prospects_domain ON prospects (campaign_id, domain) WHERE domain <> '';
CREATE INDEX prospects_parent ON prospects (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX prospects_follow_up ON prospects (campaign_id, owner_id, next_follow_up) WHERE next_follow_up IS NOT NULL;
-- One signature signs one prospect: it names one organization.
CREATE UNIQUE INDEX prospects_signed ON prospects (signed_signature_id) WHERE signed_signature_id IS NOT NULL;
CREATE INDEX prospects_matched ON prospects (matched_signature_id) WHERE matched_signature_id IS NOT NULL;

CREATE TABLE prospect_contacts (
    id             uuid PRIMARY KEY,
    tenant_id      uuid NOT NULL,
    campaign_id    uuid NOT NULL,
    prospect_id    uuid NOT NULL,
    name           text NOT NULL,
    role           text NOT NULL DEFAULT '',
    email          citext,
    phone          text NOT NULL DEFAULT '',
    -- A permanent delivery failure: nothing more is sent until an organizer clears it.
    bounced_at     timestamptz,
    bounce_reason  text NOT NULL DEFAULT '',
    -- Kept by the activity trigger: every email, call and meeting is a touch.
    touches        integer NOT NULL DEFAULT 0,
    last_touch_at  timestamptz,
    created_at     timestamptz NOT NULL,
    CONSTRAINT prospect_contacts_prospect_fk FOREIGN KEY (campaign_id, prospect_id)
        REFERENCES prospects (campaign_id, id) ON DELETE CASCADE,
    CONSTRAINT prospect_contacts_tenant_fk FOREIGN KEY (tenant_id, campaign_id)
        REFERENCES campaigns (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT prospect_contacts_tenant_id_key UNIQUE (tenant_id, id)
);
CREATE INDEX prospect_contacts_prospect ON prospect_contacts (prospect_id, created_at);
CREATE INDEX prospect_contacts_email ON prospect_contacts (campaign_id, email) WHERE email IS NOT NULL;
CREATE INDEX prospect_contacts_tenant_email ON prospect_contacts (tenant_id, email) WHERE email IS NOT NULL;

CREATE TABLE outreach_activities (
    id             bigserial PRIMARY KEY,
    tenant_id      uuid NOT NULL,
    campaign_id    uuid NOT NULL,
    prospect_id    uuid NOT NULL,
    contact_id     uuid REFERENCES prospect_contacts (id) ON DELETE SET NULL,
    kind           text NOT NULL CHECK (kind IN ('ask', 'follow_up', 'reminder', 'last_call', 'call', 'meeting', 'note',
                                                 'change_request', 'opened', 'signed', 'unsigned', 'bounced', 'skipped', 'status')),
    outcome        text NOT NULL DEFAULT '',
    body           text NOT NULL DEFAULT '',
    author_id      uuid REFERENCES users (id) ON DELETE SET NULL,
    author_name    text NOT NULL,
    at             timestamptz NOT NULL,
    -- For a requested change: the letter revision that answered it.
    answered_by_revision_id uuid,
    CONSTRAINT outreach_activities_prospect_fk FOREIGN KEY (campaign_id, prospect_id)
        REFERENCES prospects (campaign_id, id) ON DELETE CASCADE,
    CONSTRAINT outreach_activities_revision_fk FOREIGN KEY (tenant_id, answered_by_revision_id)
        REFERENCES letter_revisions (tenant_id, id)
);
CREATE INDEX outreach_activities_prospect ON outreach_activities (prospect_id, at DESC, id DESC);
CREATE INDEX outreach_activities_contact ON outreach_activities (contact_id, kind) WHERE contact_id IS NOT NULL;

-- Every email sent, call and meeting logged counts as a touch of its contact; a call or
-- meeting logged for the organization as a whole touches each of its contacts.
CREATE FUNCTION outreach_count_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.kind IN ('ask', 'follow_up', 'reminder', 'last_call', 'call', 'meeting') THEN
        UPDATE prospect_contacts
           SET touches = touches + 1,
               last_touch_at = greatest(last_touch_at, NEW.at)
         WHERE prospect_id = NEW.prospect_id
           AND (id = NEW.contact_id OR (NEW.contact_id IS NULL AND NEW.kind IN ('call', 'meeting')));
        UPDATE prospects SET last_touch_at = greatest(last_touch_at, NEW.at) WHERE id = NEW.prospect_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER outreach_activities_touch AFTER INSERT ON outreach_activities
    FOR EACH ROW EXECUTE FUNCTION outreach_count_touch();

-- A prospect is signed while a confirmed signature matches it: by a contact's email, or
-- by the signature an organizer confirmed as the organization's. Withdrawn or rejected,
-- it is not signed any more. Kept here so every path that changes a signature's state
-- (form, link, moderation, import) moves the prospect with it.
CREATE FUNCTION outreach_follow_signature() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    moment timestamptz := coalesce(nullif(current_setting('undersigned.now', true), '')::timestamptz, now());
BEGIN
    IF NEW.state = 'confirmed' AND (TG_OP = 'INSERT' OR OLD.state <> 'confirmed') AND NEW.kind = 'organization' THEN
        -- The one prospect this signature is: the one organizers matched to it, else one
        -- with a contact at the signer's address (the same folded name first).
        WITH target AS (
            SELECT p.id FROM prospects p
             WHERE p.signed_signature_id IS NULL
               AND p.id IN (SELECT c.prospect_id FROM prospect_contacts c
                             WHERE c.campaign_id = NEW.campaign_id AND c.email = NEW.email
                            UNION ALL
                            SELECT m.id FROM prospects m WHERE m.matched_signature_id = NEW.id)
             ORDER BY p.matched_signature_id = NEW.id DESC NULLS LAST, p.name_key = NEW.name_key DESC, p.created_at, p.id
             LIMIT 1
             FOR UPDATE),
        signed AS (
            UPDATE prospects p SET signed_signature_id = NEW.id FROM target
             WHERE p.id = target.id
            RETURNING p.id, p.tenant_id, p.campaign_id)
        INSERT INTO outreach_activities (tenant_id, campaign_id, prospect_id, kind, body, author_name, at)
        SELECT tenant_id, campaign_id, id, 'signed', 'Signed as ' || NEW.name, 'The signer', coalesce(NEW.confirmed_at, moment)
          FROM signed;
    ELSIF TG_OP = 'UPDATE' AND OLD.state = 'confirmed' AND NEW.state <> 'confirmed' THEN
        WITH unsigned AS (
            UPDATE prospects p SET signed_signature_id = NULL
             WHERE p.signed_signature_id = NEW.id
            RETURNING p.id, p.tenant_id, p.campaign_id)
        INSERT INTO outreach_activities (tenant_id, campaign_id, prospect_id, kind, body, author_name, at)
        SELECT tenant_id, campaign_id, id, 'unsigned',
               CASE NEW.state WHEN 'withdrawn' THEN 'Signature withdrawn' ELSE 'Signature no longer counts (' || NEW.state || ')' END,
               CASE NEW.state WHEN 'withdrawn' THEN 'The signer' ELSE 'Organizers' END, moment
          FROM unsigned;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER signatures_outreach AFTER INSERT OR UPDATE OF state ON signatures
    FOR EACH ROW EXECUTE FUNCTION outreach_follow_signature();

-- A permanent refusal (an SMTP 5xx: no such mailbox), as opposed to giving up after retries.
ALTER TABLE outbox ADD COLUMN bounced boolean NOT NULL DEFAULT false;

-- A permanent delivery failure to an address marks that address bounced on every contact
-- of the sending group (nothing more is sent to it until an organizer clears it).
CREATE FUNCTION outreach_mark_bounce() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.bounced AND NOT OLD.bounced AND NEW.tenant_id IS NOT NULL AND NEW.message ->> 'kind' IN ('outreach_ask', 'outreach_reminder', 'outreach_last_call') THEN
        WITH bounced AS (
            UPDATE prospect_contacts SET bounced_at = now(), bounce_reason = left(NEW.last_error, 500)
             WHERE tenant_id = NEW.tenant_id AND email = NEW.recipient::citext AND bounced_at IS NULL
            RETURNING id, tenant_id, campaign_id, prospect_id)
        INSERT INTO outreach_activities (tenant_id, campaign_id, prospect_id, contact_id, kind, body, author_name, at)
        SELECT tenant_id, campaign_id, prospect_id, id, 'bounced', 'Email to ' || NEW.recipient || ' bounced: ' || left(NEW.last_error, 300),
               'Mail server', now()
          FROM bounced;
    END IF;
    RETURN NULL;
END $$;
-- The dashboard lists a group's failed emails; failures are rare among many sent.
CREATE INDEX outbox_failed ON outbox (tenant_id, id DESC) WHERE status = 'failed';

CREATE TRIGGER outbox_outreach_bounce AFTER UPDATE OF bounced ON outbox
    FOR EACH ROW EXECUTE FUNCTION outreach_mark_bounce();

-- Referrals become prospects once their signer's signature is confirmed; the flag keeps
-- the scheduler's look for new ones to the few not yet taken in.
ALTER TABLE referrals ADD COLUMN absorbed boolean NOT NULL DEFAULT false;
CREATE INDEX referrals_waiting ON referrals (created_at) WHERE NOT absorbed;

-- One automated email per contact, stage and deadline, however many schedulers run: the
-- row is written in the transaction that enqueues the email (or records why it was not).
CREATE TABLE outreach_send_log (
    campaign_id  uuid NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    contact_id   uuid NOT NULL REFERENCES prospect_contacts (id) ON DELETE CASCADE,
    stage        text NOT NULL,
    deadline     timestamptz NOT NULL,
    outcome      text NOT NULL CHECK (outcome IN ('sent', 'skipped')),
    reason       text NOT NULL DEFAULT '',
    at           timestamptz NOT NULL,
    PRIMARY KEY (campaign_id, contact_id, stage, deadline)
);

-- Campaign-wide moments (soft deadline missed, last call, hard deadline summary), once each
-- per deadline.
CREATE TABLE outreach_campaign_log (
    campaign_id  uuid NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    stage        text NOT NULL,
    deadline     timestamptz NOT NULL,
    at           timestamptz NOT NULL,
    detail       text NOT NULL DEFAULT '',
    PRIMARY KEY (campaign_id, stage, deadline)
);

-- One digest per organizer, group and day.
CREATE TABLE outreach_digests (
    tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    day        date NOT NULL,
    PRIMARY KEY (tenant_id, user_id, day)
);
