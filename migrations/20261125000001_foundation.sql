-- Foundation: tenants, accounts, memberships, sessions, invitations, password resets,
-- login throttling and the email outbox.

CREATE EXTENSION IF NOT EXISTS citext;

CREATE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at = now();
    RETURN NEW;
END $$;

CREATE TABLE tenants (
    id          uuid PRIMARY KEY,
    slug        text NOT NULL,
    name        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tenants_slug_key UNIQUE (slug),
    CONSTRAINT tenants_slug_format CHECK (slug ~ '^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$')
);
CREATE TRIGGER tenants_updated_at BEFORE UPDATE ON tenants FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE users (
    id             uuid PRIMARY KEY,
    email          citext NOT NULL,
    name           text NOT NULL,
    password_hash  text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_email_key UNIQUE (email)
);
CREATE TRIGGER users_updated_at BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE memberships (
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role        text NOT NULL CHECK (role IN ('owner', 'organizer', 'viewer')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE sessions (
    id_hash       bytea PRIMARY KEY,
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token    text NOT NULL,
    created_at    timestamptz NOT NULL,
    last_seen_at  timestamptz NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- A browser that once logged in to an account is not held back by that account's
-- lockout, so strangers failing on purpose cannot lock the real person out.
CREATE TABLE trusted_devices (
    token_hash  bytea PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL
);

CREATE TABLE login_failures (
    id            bigserial PRIMARY KEY,
    email         citext NOT NULL,
    client_ip     inet NOT NULL,
    failed_at     timestamptz NOT NULL
);
CREATE INDEX login_failures_email ON login_failures (email, failed_at);
CREATE INDEX login_failures_ip ON login_failures (client_ip, failed_at);

CREATE TABLE invitations (
    id           uuid PRIMARY KEY,
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    email        citext NOT NULL,
    role         text NOT NULL CHECK (role IN ('owner', 'organizer', 'viewer')),
    token_hash   bytea NOT NULL,
    invited_by   uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    accepted_at  timestamptz,
    accepted_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    revoked_at   timestamptz,
    CONSTRAINT invitations_token_key UNIQUE (token_hash),
    CONSTRAINT invitations_tenant_id_key UNIQUE (tenant_id, id)
);
CREATE INDEX invitations_tenant ON invitations (tenant_id, created_at DESC);

CREATE TABLE password_resets (
    token_hash  bytea PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);

-- Every email the product sends is a row here, written in the transaction that causes it.
CREATE TABLE outbox (
    id                 bigserial PRIMARY KEY,
    tenant_id          uuid REFERENCES tenants (id) ON DELETE CASCADE,
    idempotency_key    text NOT NULL,
    recipient          text NOT NULL,
    message            jsonb NOT NULL,
    bulk               boolean NOT NULL DEFAULT false,
    send_at            timestamptz NOT NULL,
    status             text NOT NULL DEFAULT 'pending'
                       CHECK (status IN ('pending', 'sent', 'failed', 'suppressed')),
    attempts           integer NOT NULL DEFAULT 0,
    lease_until        timestamptz,
    last_error         text,
    sent_at            timestamptz,
    transport_id       text,
    subject            text,
    unsubscribe_hash   bytea,
    created_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT outbox_idempotency_key UNIQUE (idempotency_key)
);
CREATE INDEX outbox_due ON outbox (send_at) WHERE status = 'pending';
CREATE INDEX outbox_tenant ON outbox (tenant_id, created_at DESC);
CREATE UNIQUE INDEX outbox_unsubscribe ON outbox (unsubscribe_hash) WHERE unsubscribe_hash IS NOT NULL;

-- Addresses that asked for no more bulk mail.
CREATE TABLE mail_suppressions (
    email       citext PRIMARY KEY,
    created_at  timestamptz NOT NULL
);
