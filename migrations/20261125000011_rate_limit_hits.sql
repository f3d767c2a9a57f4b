-- Per-client limits that every app instance on this database shares (the sign-on form's
-- per-address limit). Unlogged: losing the last minutes of counts in a crash is fine.
CREATE UNLOGGED TABLE rate_limit_hits (
    id      bigserial PRIMARY KEY,
    scope   text NOT NULL,
    client  inet NOT NULL,
    at      timestamptz NOT NULL
);
CREATE INDEX rate_limit_hits_client ON rate_limit_hits (scope, client, at);
