-- The PDF of the letter and its signers: organizers always download it; with this option
-- on, anyone may from the public page (`/{group}/{campaign}/letter.pdf`) while the
-- campaign is public.
ALTER TABLE campaigns ADD COLUMN public_pdf boolean NOT NULL DEFAULT false;
