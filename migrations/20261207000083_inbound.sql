-- Inbound mail (issue 20): the duplicate check looks a message up by its Message-ID on
-- every delivery, and the organizers' inbound page reads a group's log newest first.
CREATE INDEX list_inbound_log_message ON list_inbound_log (message_id) WHERE message_id <> '';
CREATE INDEX list_inbound_log_tenant ON list_inbound_log (tenant_id, id DESC);
