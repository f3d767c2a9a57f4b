-- The coalition list's members part (issue 20): a person of the book who is a current
-- member of the group's list chose to stay, so the book's retention (people with no
-- activity for N months) keeps them. Written by outreach's store when a member joins
-- or leaves (src/outreach/store/book_list_members.rs).
ALTER TABLE people ADD COLUMN on_coalition_list boolean NOT NULL DEFAULT false;
