-- Asks people can answer (issue 17).

-- Personal mail (asks, follow-ups, reminders and last calls to prospects' contacts) goes
-- out under its organizer's name over the configured sender address, with the organizer
-- as Reply-To. Kept with the row, so a retry after a restart sends the same; NULL for
-- all other mail, which keeps the configured sender.
ALTER TABLE outbox ADD COLUMN from_name text, ADD COLUMN reply_to text;

-- The name an ask greets a contact by ({first_name}), when organizers set one ("Bill"
-- for William Okafor); empty: the first word of the contact's name.
ALTER TABLE prospect_contacts ADD COLUMN first_name text NOT NULL DEFAULT '';

-- The follow-up's own template; empty: the default follow-up.
ALTER TABLE outreach_settings ADD COLUMN follow_up_subject text NOT NULL DEFAULT '',
                              ADD COLUMN follow_up_body text NOT NULL DEFAULT '';

-- A signature made from a contact's personal link, at the address the ask was sent to:
-- the contact, and the organizer who had asked them. Loose references on purpose (no
-- foreign key): removing a contact or an account must not rewrite signatures (that
-- would take signature row locks outside the consent lock protocol); the organizers'
-- pages then say less about where it came from, and nothing else changes.
ALTER TABLE signatures ADD COLUMN personal_ask_contact_id uuid,
                       ADD COLUMN personal_ask_by uuid;
