-- A sign-up waits for its address to be confirmed: until the emailed link is used there
-- is no account and no group, so nothing can send email to anyone else in its name.
CREATE TABLE signup_requests (
    token_hash    bytea PRIMARY KEY,
    email         citext NOT NULL,
    name          text NOT NULL,
    password_hash text NOT NULL,
    group_name    text NOT NULL,
    slug          text NOT NULL,
    client_ip     inet NOT NULL,
    created_at    timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL,
    used_at       timestamptz
);
CREATE INDEX signup_requests_ip ON signup_requests (client_ip, created_at);
CREATE INDEX signup_requests_email ON signup_requests (email, created_at);
