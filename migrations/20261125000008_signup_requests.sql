-- A sign-up waits for its address to be confirmed: until the emailed link is used there
-- is no account and no group, so nothing can send email to anyone else in its name. The
-- password is chosen on the page the link opens, after the address is proven (else
-- whoever asked first would know the password of the account its owner creates).
CREATE TABLE signup_requests (
    token_hash    bytea PRIMARY KEY,
    email         citext NOT NULL,
    name          text NOT NULL,
    group_name    text NOT NULL,
    slug          text NOT NULL,
    client_ip     inet NOT NULL,
    created_at    timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL,
    used_at       timestamptz,
    -- Whether this request's email went out (the hourly bound per address counts these).
    emailed       boolean NOT NULL DEFAULT false
);
CREATE INDEX signup_requests_ip ON signup_requests (client_ip, created_at);
CREATE INDEX signup_requests_email ON signup_requests (email, created_at);
