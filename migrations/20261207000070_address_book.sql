-- The group's address book (issue 19): organizations and people belong to the group,
-- across its campaigns; a campaign's prospect is that campaign's relationship with one
-- organization of the book (pipeline status, who owns the ask, a hold for this campaign,
-- the follow-up date), and its contacts are the organization's people.
--
-- Every campaign's prospects and contacts move into the book here, deduplicated across
-- campaigns by the book's one rule (folded name or website domain for organizations, a
-- shared contact address; the same address, or the same name without one, for people
-- of one organization). Nothing is deleted: every prospect keeps its row (now pointing
-- at its organization), every activity keeps its row, and each contact becomes a person
-- or is merged into one, listed in `book_migration_merges` with the counts before and
-- after in `book_migration_counts`.

-- The group's touch limits across every campaign and channel, and how long the book
-- keeps a person with no activity. A group without a row uses the defaults.
CREATE TABLE book_settings (
    tenant_id               uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    min_days_between        integer NOT NULL DEFAULT 3 CHECK (min_days_between BETWEEN 0 AND 60),
    max_touches_in_30_days  integer NOT NULL DEFAULT 6 CHECK (max_touches_in_30_days BETWEEN 1 AND 60),
    -- NULL: people are kept until an organizer removes them.
    retention_months        integer CHECK (retention_months BETWEEN 6 AND 120)
);

CREATE TABLE organizations (
    id                    uuid PRIMARY KEY,
    tenant_id             uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name                  text NOT NULL,
    -- The duplicate rule's folded name (case, accents, punctuation, "The"), as signatures.
    name_key              text NOT NULL,
    sort_key              text NOT NULL,
    website               text NOT NULL DEFAULT '',
    domain                text NOT NULL DEFAULT '',
    size                  text NOT NULL DEFAULT '' CHECK (size IN ('', 'local', 'regional', 'national', 'international')),
    region                text NOT NULL DEFAULT '',
    parent_id             uuid,
    tags                  text[] NOT NULL DEFAULT '{}',
    -- Who keeps the relationship (a campaign's prospect has its own owner of the ask).
    owner_id              uuid REFERENCES users (id) ON DELETE SET NULL,
    notes                 text NOT NULL DEFAULT '',
    sensitivity           text NOT NULL DEFAULT '',
    -- A group-wide hold ("do not approach until their board meets"): every campaign.
    hold_reason           text NOT NULL DEFAULT '',
    hold_until            date,
    possible_duplicate_of uuid,
    -- Kept by the activity trigger: the last email, call or meeting in any campaign.
    last_touch_at         timestamptz,
    import_id             uuid,
    created_at            timestamptz NOT NULL,
    CONSTRAINT organizations_tenant_id_key UNIQUE (tenant_id, id),
    CONSTRAINT organizations_parent_fk FOREIGN KEY (tenant_id, parent_id)
        REFERENCES organizations (tenant_id, id) ON DELETE SET NULL (parent_id),
    CONSTRAINT organizations_duplicate_fk FOREIGN KEY (tenant_id, possible_duplicate_of)
        REFERENCES organizations (tenant_id, id) ON DELETE SET NULL (possible_duplicate_of),
    CONSTRAINT organizations_not_own_parent CHECK (parent_id IS DISTINCT FROM id)
);
CREATE INDEX organizations_order ON organizations (tenant_id, (sort_key COLLATE signer_order), id);
CREATE INDEX organizations_name_key ON organizations (tenant_id, name_key);
CREATE INDEX organizations_domain ON organizations (tenant_id, domain) WHERE domain <> '';
CREATE INDEX organizations_parent ON organizations (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX organizations_tags ON organizations USING gin (tags);
CREATE INDEX organizations_last_touch ON organizations (tenant_id, last_touch_at);

CREATE TABLE people (
    id             uuid PRIMARY KEY,
    tenant_id      uuid NOT NULL,
    organization_id uuid NOT NULL,
    name           text NOT NULL,
    -- What an ask greets them by ({first_name}), when set; else the first word of name.
    first_name     text NOT NULL DEFAULT '',
    role           text NOT NULL DEFAULT '',
    email          citext,
    phone          text NOT NULL DEFAULT '',
    -- A permanent delivery failure: nothing more is sent until an organizer clears it.
    bounced_at     timestamptz,
    bounce_reason  text NOT NULL DEFAULT '',
    -- Kept by the activity trigger: the last email, call or meeting in any campaign.
    last_touch_at  timestamptz,
    created_at     timestamptz NOT NULL,
    -- people_organization_fk is added once the book is filled (below): checked row by
    -- row during the move, it was planned while the table was empty.
    CONSTRAINT people_tenant_id_key UNIQUE (tenant_id, id)
);
CREATE INDEX people_organization ON people (organization_id, created_at, id);
CREATE INDEX people_email ON people (tenant_id, email) WHERE email IS NOT NULL;
CREATE INDEX people_last_touch ON people (tenant_id, last_touch_at);

-- Every touch of a person (an email sent, a call or meeting logged), in any campaign:
-- what both the campaign's limits and the group's limits count. Written by the activity
-- trigger, never by hand.
CREATE TABLE person_touches (
    person_id    uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    tenant_id    uuid NOT NULL,
    campaign_id  uuid,
    activity_id  bigint NOT NULL,
    kind         text NOT NULL,
    at           timestamptz NOT NULL,
    PRIMARY KEY (person_id, activity_id)
);
CREATE INDEX person_touches_recent ON person_touches (person_id, at DESC);
CREATE INDEX person_touches_campaign ON person_touches (person_id, campaign_id, at DESC);
CREATE INDEX person_touches_activity ON person_touches (activity_id);

-- What the move into the book did, per group: counts before and after, and each merge.
CREATE TABLE book_migration_counts (
    tenant_id              uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    prospects_before       integer NOT NULL,
    prospects_after        integer NOT NULL,
    contacts_before        integer NOT NULL,
    people_after           integer NOT NULL,
    contacts_merged        integer NOT NULL,
    activities_before      integer NOT NULL,
    activities_after       integer NOT NULL,
    organizations_created  integer NOT NULL,
    prospects_merged       integer NOT NULL,
    at                     timestamptz NOT NULL
);

-- One row per prospect that joined an organization made from an earlier one, and per
-- contact that joined an existing person. Names are read when shown (a person erased
-- takes their rows with them), so no personal data is copied here.
CREATE TABLE book_migration_merges (
    id               bigserial PRIMARY KEY,
    tenant_id        uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    campaign_id      uuid REFERENCES campaigns (id) ON DELETE CASCADE,
    organization_id  uuid REFERENCES organizations (id) ON DELETE CASCADE,
    person_id        uuid REFERENCES people (id) ON DELETE CASCADE,
    -- 'organization' (a prospect joined an organization) or 'person' (a contact joined a person)
    kind             text NOT NULL CHECK (kind IN ('organization', 'person')),
    -- Which part of the rule matched: 'name', 'domain', 'email' or 'name without email'.
    matched_by       text NOT NULL
);
CREATE INDEX book_migration_merges_tenant ON book_migration_merges (tenant_id, id);

-- Counts before.
CREATE TEMPORARY TABLE book_counts_before ON COMMIT DROP AS
SELECT t.id AS tenant_id,
       (SELECT count(*) FROM prospects p WHERE p.tenant_id = t.id)::int AS prospects,
       (SELECT count(*) FROM prospect_contacts c WHERE c.tenant_id = t.id)::int AS contacts,
       (SELECT count(*) FROM outreach_activities a WHERE a.tenant_id = t.id)::int AS activities
  FROM tenants t;

ALTER TABLE prospects ADD COLUMN organization_id uuid;
CREATE INDEX prospects_organization ON prospects (organization_id);
-- The move's statements run once per prospect, in one function: plan each with the
-- tables as they are then, not once while the book was empty.
SET LOCAL plan_cache_mode = force_custom_plan;
CREATE TEMPORARY TABLE book_contact_map (contact_id uuid PRIMARY KEY, person_id uuid NOT NULL) ON COMMIT DROP;

DO $$
DECLARE
    p record;
    c record;
    target uuid;
    matched text;
    person uuid;
    addresses citext[];
BEGIN
    FOR p IN SELECT * FROM prospects ORDER BY tenant_id, created_at, id LOOP
        -- An organization of the group by the same folded name, else website domain, else
        -- with a person at one of this prospect's contacts' addresses; never one this
        -- prospect's own campaign already has (two prospects of one campaign stay two
        -- organizations, flagged as possible duplicates, as organizers had kept them).
        -- Three lookups, each on its own index, so the move takes time in proportion to
        -- the prospects (one OR of the three walked every organization of the group).
        SELECT o.id, 'name' INTO target, matched
          FROM organizations o
         WHERE o.tenant_id = p.tenant_id AND o.name_key = p.name_key
           AND NOT EXISTS (SELECT 1 FROM prospects q WHERE q.organization_id = o.id AND q.campaign_id = p.campaign_id)
         ORDER BY o.created_at, o.id
         LIMIT 1;
        IF target IS NULL AND p.domain <> '' THEN
            SELECT o.id, 'domain' INTO target, matched
              FROM organizations o
             WHERE o.tenant_id = p.tenant_id AND o.domain = p.domain
               AND NOT EXISTS (SELECT 1 FROM prospects q WHERE q.organization_id = o.id AND q.campaign_id = p.campaign_id)
             ORDER BY o.created_at, o.id
             LIMIT 1;
        END IF;
        addresses := ARRAY(SELECT pc.email FROM prospect_contacts pc WHERE pc.prospect_id = p.id AND pc.email IS NOT NULL);
        IF target IS NULL AND cardinality(addresses) > 0 THEN
            SELECT o.id, 'email' INTO target, matched
              FROM people pe
              JOIN organizations o ON o.id = pe.organization_id
             WHERE pe.tenant_id = p.tenant_id AND pe.email = ANY (addresses)
               AND NOT EXISTS (SELECT 1 FROM prospects q WHERE q.organization_id = o.id AND q.campaign_id = p.campaign_id)
             ORDER BY o.created_at, o.id
             LIMIT 1;
        END IF;

        IF target IS NULL THEN
            target := gen_random_uuid();
            INSERT INTO organizations (id, tenant_id, name, name_key, sort_key, website, domain, size, tags,
                                       owner_id, notes, sensitivity, created_at)
            VALUES (target, p.tenant_id, p.name, p.name_key, p.sort_key, p.website, p.domain, p.size, p.tags,
                    p.owner_id, p.notes, p.sensitivity, p.created_at);
        ELSE
            -- What the earlier campaign's prospect left empty, this one fills; notes and
            -- sensitivity notes written in either are both kept.
            UPDATE organizations o
               SET website = CASE WHEN o.website = '' THEN p.website ELSE o.website END,
                   domain = CASE WHEN o.domain = '' THEN p.domain ELSE o.domain END,
                   size = CASE WHEN o.size = '' THEN p.size ELSE o.size END,
                   tags = ARRAY(SELECT DISTINCT unnest(o.tags || p.tags) ORDER BY 1),
                   owner_id = coalesce(o.owner_id, p.owner_id),
                   notes = CASE WHEN p.notes = '' OR position(p.notes IN o.notes) > 0 THEN o.notes
                                WHEN o.notes = '' THEN p.notes ELSE o.notes || E'\n\n' || p.notes END,
                   sensitivity = CASE WHEN p.sensitivity = '' OR position(p.sensitivity IN o.sensitivity) > 0 THEN o.sensitivity
                                      WHEN o.sensitivity = '' THEN p.sensitivity ELSE o.sensitivity || E'\n\n' || p.sensitivity END
             WHERE o.id = target;
            INSERT INTO book_migration_merges (tenant_id, campaign_id, organization_id, kind, matched_by)
            VALUES (p.tenant_id, p.campaign_id, target, 'organization', matched);
        END IF;
        UPDATE prospects SET organization_id = target WHERE id = p.id;

        FOR c IN SELECT * FROM prospect_contacts WHERE prospect_id = p.id ORDER BY created_at, id LOOP
            person := NULL;
            IF c.email IS NOT NULL THEN
                SELECT pe.id INTO person FROM people pe
                 WHERE pe.organization_id = target AND pe.email = c.email
                 ORDER BY pe.created_at, pe.id LIMIT 1;
                matched := 'email';
            ELSE
                SELECT pe.id INTO person FROM people pe
                 WHERE pe.organization_id = target AND pe.email IS NULL AND lower(pe.name) = lower(c.name)
                 ORDER BY pe.created_at, pe.id LIMIT 1;
                matched := 'name without email';
            END IF;
            IF person IS NULL THEN
                -- The person keeps the contact's id, so its personal links keep working.
                person := c.id;
                INSERT INTO people (id, tenant_id, organization_id, name, first_name, role, email, phone,
                                    bounced_at, bounce_reason, last_touch_at, created_at)
                VALUES (c.id, c.tenant_id, target, c.name, c.first_name, c.role, c.email, c.phone,
                        c.bounced_at, c.bounce_reason, c.last_touch_at, c.created_at);
            ELSE
                UPDATE people pe
                   SET role = CASE WHEN pe.role = '' THEN c.role ELSE pe.role END,
                       phone = CASE WHEN pe.phone = '' THEN c.phone ELSE pe.phone END,
                       first_name = CASE WHEN pe.first_name = '' THEN c.first_name ELSE pe.first_name END,
                       bounced_at = coalesce(pe.bounced_at, c.bounced_at),
                       bounce_reason = CASE WHEN pe.bounce_reason = '' THEN c.bounce_reason ELSE pe.bounce_reason END,
                       last_touch_at = greatest(pe.last_touch_at, c.last_touch_at)
                 WHERE pe.id = person;
                INSERT INTO book_migration_merges (tenant_id, campaign_id, organization_id, person_id, kind, matched_by)
                VALUES (c.tenant_id, c.campaign_id, target, person, 'person', matched);
            END IF;
            INSERT INTO book_contact_map (contact_id, person_id) VALUES (c.id, person);
        END LOOP;
    END LOOP;
END $$;

-- Parents and possible duplicates, from the prospects' links to the organizations'.
UPDATE organizations o SET parent_id = sub.parent_org
  FROM (SELECT DISTINCT ON (p.organization_id) p.organization_id, parent.organization_id AS parent_org
          FROM prospects p JOIN prospects parent ON parent.id = p.parent_id
         WHERE parent.organization_id <> p.organization_id
         ORDER BY p.organization_id, p.created_at) sub
 WHERE o.id = sub.organization_id;
UPDATE organizations o SET possible_duplicate_of = sub.dup_org
  FROM (SELECT DISTINCT ON (p.organization_id) p.organization_id, dup.organization_id AS dup_org
          FROM prospects p JOIN prospects dup ON dup.id = p.possible_duplicate_of
         WHERE dup.organization_id <> p.organization_id
         ORDER BY p.organization_id, p.created_at) sub
 WHERE o.id = sub.organization_id;
UPDATE organizations o SET last_touch_at = sub.at
  FROM (SELECT organization_id, max(last_touch_at) AS at FROM prospects GROUP BY organization_id) sub
 WHERE o.id = sub.organization_id;

ALTER TABLE prospects ALTER COLUMN organization_id SET NOT NULL,
    ADD CONSTRAINT prospects_organization_fk FOREIGN KEY (tenant_id, organization_id)
        REFERENCES organizations (tenant_id, id) ON DELETE CASCADE,
    ADD CONSTRAINT prospects_one_per_organization UNIQUE (campaign_id, organization_id);
ALTER TABLE people ADD CONSTRAINT people_organization_fk FOREIGN KEY (tenant_id, organization_id)
    REFERENCES organizations (tenant_id, id) ON DELETE CASCADE;
ANALYZE organizations, people, prospects;

-- Activities: each belongs to an organization (and to a person, where one was touched),
-- tagged with its campaign; a note in the book belongs to no campaign. Taking an
-- organization off a campaign keeps its history with the organization.
ALTER TABLE outreach_activities ADD COLUMN organization_id uuid;
UPDATE outreach_activities a SET organization_id = p.organization_id FROM prospects p WHERE p.id = a.prospect_id;
ALTER TABLE outreach_activities DROP CONSTRAINT outreach_activities_contact_id_fkey;
UPDATE outreach_activities a SET contact_id = m.person_id FROM book_contact_map m
 WHERE a.contact_id = m.contact_id AND m.person_id <> m.contact_id;
ALTER TABLE outreach_activities
    ALTER COLUMN organization_id SET NOT NULL,
    ALTER COLUMN campaign_id DROP NOT NULL,
    ALTER COLUMN prospect_id DROP NOT NULL,
    DROP CONSTRAINT outreach_activities_prospect_fk,
    ADD CONSTRAINT outreach_activities_organization_fk FOREIGN KEY (tenant_id, organization_id)
        REFERENCES organizations (tenant_id, id) ON DELETE CASCADE,
    ADD CONSTRAINT outreach_activities_campaign_fk FOREIGN KEY (tenant_id, campaign_id)
        REFERENCES campaigns (tenant_id, id) ON DELETE CASCADE,
    ADD CONSTRAINT outreach_activities_prospect_fk FOREIGN KEY (campaign_id, prospect_id)
        REFERENCES prospects (campaign_id, id) ON DELETE SET NULL (prospect_id),
    -- contact_id names a person of the book (the contact the activity touched).
    ADD CONSTRAINT outreach_activities_person_fk FOREIGN KEY (contact_id)
        REFERENCES people (id) ON DELETE SET NULL;
CREATE INDEX outreach_activities_organization ON outreach_activities (organization_id, at DESC, id DESC);

-- The touches the log holds, for both limits: a contact's own touches, and a call or
-- meeting with the organization as a whole for each contact the prospect had.
INSERT INTO person_touches (person_id, tenant_id, campaign_id, activity_id, kind, at)
SELECT a.contact_id, a.tenant_id, a.campaign_id, a.id, a.kind, a.at
  FROM outreach_activities a
 WHERE a.contact_id IS NOT NULL AND a.kind IN ('ask', 'follow_up', 'reminder', 'last_call', 'call', 'meeting')
UNION
SELECT m.person_id, a.tenant_id, a.campaign_id, a.id, a.kind, a.at
  FROM outreach_activities a
  JOIN prospect_contacts c ON c.prospect_id = a.prospect_id
  JOIN book_contact_map m ON m.contact_id = c.id
 WHERE a.contact_id IS NULL AND a.kind IN ('call', 'meeting')
ON CONFLICT DO NOTHING;

-- The scheduler's once-per-stage log names people now; two merged contacts' rows for the
-- same stage and deadline are one.
ALTER TABLE outreach_send_log DROP CONSTRAINT outreach_send_log_contact_id_fkey;
CREATE TEMPORARY TABLE book_send_log ON COMMIT DROP AS
SELECT DISTINCT ON (s.campaign_id, coalesce(m.person_id, s.contact_id), s.stage, s.deadline)
       s.campaign_id, coalesce(m.person_id, s.contact_id) AS contact_id, s.stage, s.deadline, s.outcome, s.reason, s.at
  FROM outreach_send_log s LEFT JOIN book_contact_map m ON m.contact_id = s.contact_id
 ORDER BY s.campaign_id, coalesce(m.person_id, s.contact_id), s.stage, s.deadline, s.outcome = 'sent' DESC, s.at;
DELETE FROM outreach_send_log;
INSERT INTO outreach_send_log SELECT * FROM book_send_log;
ALTER TABLE outreach_send_log ADD CONSTRAINT outreach_send_log_person_fk FOREIGN KEY (contact_id)
    REFERENCES people (id) ON DELETE CASCADE;

-- A signature from a personal link names the person now (loose, as before).
UPDATE signatures s SET personal_ask_contact_id = m.person_id FROM book_contact_map m
 WHERE s.personal_ask_contact_id = m.contact_id AND m.person_id <> m.contact_id;

-- Group-level imports: an import into the book has no campaign.
ALTER TABLE prospect_import_kept_rows DROP CONSTRAINT prospect_import_kept_rows_import_fk;
ALTER TABLE prospect_imports ALTER COLUMN campaign_id DROP NOT NULL;
ALTER TABLE prospect_import_kept_rows ALTER COLUMN campaign_id DROP NOT NULL,
    ADD CONSTRAINT prospect_import_kept_rows_import_fk FOREIGN KEY (import_id)
        REFERENCES prospect_imports (id) ON DELETE CASCADE;
CREATE INDEX prospect_imports_tenant ON prospect_imports (tenant_id, imported_at DESC);
ALTER TABLE organizations ADD CONSTRAINT organizations_import_fk FOREIGN KEY (import_id)
    REFERENCES prospect_imports (id) ON DELETE SET NULL;
CREATE INDEX organizations_import ON organizations (import_id) WHERE import_id IS NOT NULL;

INSERT INTO book_migration_counts
SELECT b.tenant_id, b.prospects,
       (SELECT count(*) FROM prospects p WHERE p.tenant_id = b.tenant_id),
       b.contacts,
       (SELECT count(*) FROM people pe WHERE pe.tenant_id = b.tenant_id),
       (SELECT count(*) FROM book_migration_merges g WHERE g.tenant_id = b.tenant_id AND g.kind = 'person'),
       b.activities,
       (SELECT count(*) FROM outreach_activities a WHERE a.tenant_id = b.tenant_id),
       (SELECT count(*) FROM organizations o WHERE o.tenant_id = b.tenant_id),
       (SELECT count(*) FROM book_migration_merges g WHERE g.tenant_id = b.tenant_id AND g.kind = 'organization'),
       now()
  FROM book_counts_before b
 WHERE b.prospects > 0;

-- What belonged to the organization moves off the campaign's prospect.
DROP INDEX prospects_priority_order;
ALTER TABLE prospects
    DROP COLUMN name, DROP COLUMN name_key, DROP COLUMN sort_key, DROP COLUMN website, DROP COLUMN domain,
    DROP COLUMN size, DROP COLUMN parent_id, DROP COLUMN tags, DROP COLUMN sensitivity, DROP COLUMN notes,
    DROP COLUMN possible_duplicate_of;

DROP TABLE prospect_contacts;

-- Every email sent, call and meeting logged is a touch of its person (a call or meeting
-- with the organization as a whole: of each of its people), in its campaign's limits and
-- in the group's.
CREATE OR REPLACE FUNCTION outreach_count_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.kind IN ('ask', 'follow_up', 'reminder', 'last_call', 'call', 'meeting') THEN
        WITH touched AS (
            INSERT INTO person_touches (person_id, tenant_id, campaign_id, activity_id, kind, at)
            SELECT pe.id, NEW.tenant_id, NEW.campaign_id, NEW.id, NEW.kind, NEW.at
              FROM people pe
             WHERE pe.organization_id = NEW.organization_id
               AND (pe.id = NEW.contact_id OR (NEW.contact_id IS NULL AND NEW.kind IN ('call', 'meeting')))
            RETURNING person_id)
        UPDATE people SET last_touch_at = greatest(last_touch_at, NEW.at)
         WHERE id IN (SELECT person_id FROM touched);
        UPDATE organizations SET last_touch_at = greatest(last_touch_at, NEW.at) WHERE id = NEW.organization_id;
        IF NEW.prospect_id IS NOT NULL THEN
            UPDATE prospects SET last_touch_at = greatest(last_touch_at, NEW.at) WHERE id = NEW.prospect_id;
        END IF;
    END IF;
    RETURN NULL;
END $$;

-- A prospect is signed while a confirmed signature matches it: the signature organizers
-- matched to it, else one from an address of one of its organization's people. An
-- organization of the book the campaign has not asked, with a person at the signer's
-- address, joins the campaign as signed, so "signed" shows on it across campaigns.
-- Nothing here lists anyone: the signature's own state does.
CREATE OR REPLACE FUNCTION outreach_follow_signature() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    moment timestamptz := coalesce(nullif(current_setting('undersigned.now', true), '')::timestamptz, now());
    found_prospect uuid;
    book_org uuid;
BEGIN
    IF NEW.state = 'confirmed' AND (TG_OP = 'INSERT' OR OLD.state <> 'confirmed') AND NEW.kind = 'organization' THEN
        SELECT p.id INTO found_prospect
          FROM prospects p JOIN organizations o ON o.id = p.organization_id
         WHERE p.campaign_id = NEW.campaign_id AND p.signed_signature_id IS NULL
           AND (p.matched_signature_id = NEW.id
                OR (NEW.email IS NOT NULL AND EXISTS (SELECT 1 FROM people pe
                                                       WHERE pe.organization_id = p.organization_id AND pe.email = NEW.email)))
         ORDER BY p.matched_signature_id = NEW.id DESC NULLS LAST, o.name_key = NEW.name_key DESC, p.created_at, p.id
         LIMIT 1
         FOR UPDATE OF p;
        -- Joining the campaign takes the organization's own name too: an address alone
        -- would let someone at one organization, signing for another, mark the first
        -- signed (and stop its outreach). Organizers can still match by hand.
        IF found_prospect IS NULL AND NEW.email IS NOT NULL THEN
            SELECT pe.organization_id INTO book_org
              FROM people pe JOIN organizations o ON o.id = pe.organization_id
             WHERE pe.tenant_id = NEW.tenant_id AND pe.email = NEW.email AND o.name_key = NEW.name_key
               AND NOT EXISTS (SELECT 1 FROM prospects q WHERE q.campaign_id = NEW.campaign_id AND q.organization_id = pe.organization_id)
             ORDER BY o.created_at, o.id
             LIMIT 1;
            IF book_org IS NOT NULL THEN
                found_prospect := gen_random_uuid();
                INSERT INTO prospects (id, tenant_id, campaign_id, organization_id, created_at)
                VALUES (found_prospect, NEW.tenant_id, NEW.campaign_id, book_org, moment);
            END IF;
        END IF;
        IF found_prospect IS NOT NULL THEN
            UPDATE prospects SET signed_signature_id = NEW.id WHERE id = found_prospect;
            INSERT INTO outreach_activities (tenant_id, campaign_id, prospect_id, organization_id, kind, body, author_name, at)
            SELECT p.tenant_id, p.campaign_id, p.id, p.organization_id, 'signed', 'Signed as ' || NEW.name, 'The signer',
                   coalesce(NEW.confirmed_at, moment)
              FROM prospects p WHERE p.id = found_prospect;
        END IF;
    ELSIF TG_OP = 'UPDATE' AND OLD.state = 'confirmed' AND NEW.state <> 'confirmed' THEN
        WITH unsigned AS (
            UPDATE prospects p SET signed_signature_id = NULL
             WHERE p.signed_signature_id = NEW.id
            RETURNING p.id, p.tenant_id, p.campaign_id, p.organization_id)
        INSERT INTO outreach_activities (tenant_id, campaign_id, prospect_id, organization_id, kind, body, author_name, at)
        SELECT tenant_id, campaign_id, id, organization_id, 'unsigned',
               CASE NEW.state WHEN 'withdrawn' THEN 'Signature withdrawn' ELSE 'Signature no longer counts (' || NEW.state || ')' END,
               CASE NEW.state WHEN 'withdrawn' THEN 'The signer' ELSE 'Organizers' END, moment
          FROM unsigned;
    END IF;
    RETURN NULL;
END $$;

-- A permanent delivery failure to an address marks that address bounced on every person
-- of the sending group's book.
CREATE OR REPLACE FUNCTION outreach_mark_bounce() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.bounced AND NOT OLD.bounced AND NEW.tenant_id IS NOT NULL AND NEW.message ->> 'kind' IN ('outreach_ask', 'outreach_reminder', 'outreach_last_call') THEN
        WITH bounced AS (
            UPDATE people SET bounced_at = now(), bounce_reason = left(NEW.last_error, 500)
             WHERE tenant_id = NEW.tenant_id AND email = NEW.recipient::citext AND bounced_at IS NULL
            RETURNING id, tenant_id, organization_id)
        INSERT INTO outreach_activities (tenant_id, organization_id, contact_id, kind, body, author_name, at)
        SELECT tenant_id, organization_id, id, 'bounced', 'Email to ' || NEW.recipient || ' bounced: ' || left(NEW.last_error, 300),
               'Mail server', now()
          FROM bounced;
    END IF;
    RETURN NULL;
END $$;
