-- The coalition's own list (issue 20): members who joined by their own click, posts by
-- web and by email, moderation as Mailman 3 does it, and an archive. Owned by the
-- coalition area (src/coalition/store/).

-- One list per group, made when organizers first set it up.
CREATE TABLE coalition_lists (
    tenant_id        uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    name             text NOT NULL,
    -- Markdown, shown on joining and atop the archive.
    purpose          text NOT NULL DEFAULT '',
    rules            text NOT NULL DEFAULT '',
    off_topic_ok     boolean NOT NULL DEFAULT false,
    archive_public   boolean NOT NULL DEFAULT false,
    -- What a member's post meets when their own action is 'default'.
    default_action   text NOT NULL DEFAULT 'accept'
                     CHECK (default_action IN ('accept', 'hold')),
    -- The emergency brake: every post is held, organizers' too are not (they moderate).
    hold_everything  boolean NOT NULL DEFAULT false,
    -- Whether new members go to the book's retention with the group's setting.
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL
);

-- A person of the address book who joined the list by their own click.
CREATE TABLE list_members (
    id               uuid PRIMARY KEY,
    tenant_id        uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    person_id        uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    -- The address the member joined with (people.email may change; mail goes here).
    email            citext NOT NULL,
    name             text NOT NULL,
    organization     text NOT NULL DEFAULT '',
    joined_at        timestamptz NOT NULL,
    joined_how       text NOT NULL
                     CHECK (joined_how IN ('confirmation', 'join_link', 'invitation', 'join_page')),
    -- The campaign whose confirmation or update they joined from, if any.
    joined_campaign_id uuid REFERENCES campaigns (id) ON DELETE SET NULL,
    delivery         text NOT NULL DEFAULT 'each'
                     CHECK (delivery IN ('each', 'digest', 'none')),
    -- Mailman's member action: 'default' takes the list's; a new member starts on
    -- 'hold' so their first post is held ("approve and clear" sets 'default').
    moderation       text NOT NULL DEFAULT 'hold'
                     CHECK (moderation IN ('default', 'accept', 'hold', 'reject', 'discard')),
    -- Muted: every post held, whatever the action; the note is the organizers' own.
    muted_at         timestamptz,
    mute_note        text NOT NULL DEFAULT '',
    -- A permanent SMTP refusal of list mail: nothing is delivered until they act.
    bouncing_since   timestamptz,
    bounce_reason    text NOT NULL DEFAULT '',
    -- The member's own key for starting a thread by email: list+<key>@MAIL_DOMAIN.
    post_key         text NOT NULL,
    last_digest_at   timestamptz,
    CONSTRAINT list_members_person_key UNIQUE (tenant_id, person_id),
    CONSTRAINT list_members_email_key UNIQUE (tenant_id, email),
    CONSTRAINT list_members_post_key UNIQUE (post_key),
    CONSTRAINT list_members_tenant_id_key UNIQUE (tenant_id, id)
);
CREATE INDEX list_members_by_name ON list_members (tenant_id, joined_at DESC);

-- A conversation: the first post and its replies.
CREATE TABLE list_threads (
    id               uuid PRIMARY KEY,
    tenant_id        uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    subject          text NOT NULL,
    -- "News": an organizer's update with a link and a short summary in their own words.
    news_link        text,
    started_at       timestamptz NOT NULL,
    -- Of published posts only (what the archive sorts by); NULL until one is published.
    last_post_at     timestamptz,
    published_posts  integer NOT NULL DEFAULT 0,
    CONSTRAINT list_threads_tenant_id_key UNIQUE (tenant_id, id)
);
CREATE INDEX list_threads_by_date ON list_threads (tenant_id, last_post_at DESC, id)
    WHERE last_post_at IS NOT NULL;

CREATE TABLE list_posts (
    id               uuid PRIMARY KEY,
    tenant_id        uuid NOT NULL,
    thread_id        uuid NOT NULL,
    -- Exactly one author: a member, an organizer, or nobody left (erased).
    author_member_id uuid,
    author_user_id   uuid REFERENCES users (id) ON DELETE SET NULL,
    -- As shown; "A former member" once erased.
    author_name      text NOT NULL,
    subject          text NOT NULL,
    -- Markdown, with quoted text and signatures already trimmed for an emailed post.
    body             text NOT NULL,
    source           text NOT NULL CHECK (source IN ('web', 'email')),
    -- An emailed post's Message-ID: the same message arriving twice is one post.
    message_id       text,
    state            text NOT NULL
                     CHECK (state IN ('published', 'held', 'rejected', 'discarded', 'removed')),
    -- Why it was held ("first post", "muted", "hold everything", "off-topic rule").
    held_reason      text NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL,
    published_at     timestamptz,
    search           tsvector GENERATED ALWAYS AS
                     (to_tsvector('simple', subject || ' ' || body)) STORED,
    CONSTRAINT list_posts_thread_fk FOREIGN KEY (tenant_id, thread_id)
        REFERENCES list_threads (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT list_posts_member_fk FOREIGN KEY (tenant_id, author_member_id)
        REFERENCES list_members (tenant_id, id) ON DELETE SET NULL (author_member_id),
    CONSTRAINT list_posts_message_key UNIQUE (tenant_id, message_id)
);
CREATE INDEX list_posts_thread ON list_posts (thread_id, created_at);
CREATE INDEX list_posts_held ON list_posts (tenant_id, created_at) WHERE state = 'held';
CREATE INDEX list_posts_published ON list_posts (tenant_id, published_at)
    WHERE state = 'published';
CREATE INDEX list_posts_author ON list_posts (author_member_id) WHERE author_member_id IS NOT NULL;
CREATE INDEX list_posts_search ON list_posts USING gin (search);

-- Every moderation decision, who made it and when (append only).
CREATE TABLE list_moderation_log (
    id               bigserial PRIMARY KEY,
    tenant_id        uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    post_id          uuid REFERENCES list_posts (id) ON DELETE SET NULL,
    member_id        uuid REFERENCES list_members (id) ON DELETE SET NULL,
    -- approve, approve_and_clear, reject, discard, remove, mute, unmute, set_action,
    -- hold_everything_on, hold_everything_off
    action           text NOT NULL,
    -- The reason told to the sender (reject) or the private note (mute).
    reason           text NOT NULL DEFAULT '',
    by_user_id       uuid REFERENCES users (id) ON DELETE SET NULL,
    by_name          text NOT NULL,
    at               timestamptz NOT NULL
);
CREATE INDEX list_moderation_log_by_date ON list_moderation_log (tenant_id, at DESC);

-- The per-member, per-thread reply address list+<key>@MAIL_DOMAIN: a reply is traced to
-- the member who holds the key, never to the From header.
CREATE TABLE list_reply_keys (
    key              text PRIMARY KEY,
    tenant_id        uuid NOT NULL,
    member_id        uuid NOT NULL REFERENCES list_members (id) ON DELETE CASCADE,
    thread_id        uuid NOT NULL REFERENCES list_threads (id) ON DELETE CASCADE,
    created_at       timestamptz NOT NULL,
    CONSTRAINT list_reply_keys_once UNIQUE (member_id, thread_id)
);

-- An organizer's invitation: it subscribes nobody; only its link's button does.
CREATE TABLE list_invitations (
    id               uuid PRIMARY KEY,
    tenant_id        uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    person_id        uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    email            citext NOT NULL,
    token_hash       bytea NOT NULL UNIQUE,
    invited_by       uuid REFERENCES users (id) ON DELETE SET NULL,
    invited_at       timestamptz NOT NULL,
    expires_at       timestamptz NOT NULL,
    accepted_at      timestamptz
);
CREATE INDEX list_invitations_person ON list_invitations (tenant_id, person_id);

-- Magic links (single use, short-lived) and the member sessions they open.
CREATE TABLE list_signin_links (
    token_hash       bytea PRIMARY KEY,
    tenant_id        uuid NOT NULL,
    member_id        uuid NOT NULL REFERENCES list_members (id) ON DELETE CASCADE,
    created_at       timestamptz NOT NULL,
    expires_at       timestamptz NOT NULL,
    used_at          timestamptz
);
CREATE TABLE list_member_sessions (
    token_hash       bytea PRIMARY KEY,
    tenant_id        uuid NOT NULL,
    member_id        uuid NOT NULL REFERENCES list_members (id) ON DELETE CASCADE,
    created_at       timestamptz NOT NULL,
    expires_at       timestamptz NOT NULL
);

-- Every inbound message and what became of it (the log), and the dedupe of Message-IDs
-- for mail that never became a post (a refused message arriving twice answers once).
CREATE TABLE list_inbound_log (
    id               bigserial PRIMARY KEY,
    tenant_id        uuid REFERENCES tenants (id) ON DELETE CASCADE,
    received_at      timestamptz NOT NULL,
    message_id       text NOT NULL DEFAULT '',
    from_address     text NOT NULL DEFAULT '',
    -- posted, held, duplicate, loop, unknown_key, foreign_from, too_large,
    -- too_many_recipients, attachment, unreadable, list_closed, not_a_member
    outcome          text NOT NULL,
    detail           text NOT NULL DEFAULT '',
    size_bytes       integer NOT NULL DEFAULT 0
);
CREATE INDEX list_inbound_log_by_date ON list_inbound_log (received_at DESC);

-- The short explanation sent to an unknown address or for a bad key: once an hour.
CREATE TABLE list_inbound_replies (
    address          citext PRIMARY KEY,
    last_sent_at     timestamptz NOT NULL
);

-- Whether the group has a list open to join: read by campaigns' member updates and the
-- signer's confirmation page (below coalition) to offer the join box or link.
ALTER TABLE tenants ADD COLUMN coalition_list_open boolean NOT NULL DEFAULT false;

-- List mail carries the list's headers (List-Id, Reply-To per member, Message-ID, ...).
ALTER TABLE outbox ADD COLUMN list_headers jsonb;
