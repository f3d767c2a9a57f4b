//! The group's address book: organizations and people across campaigns (issue 19).

pub mod erase;
pub mod export;
pub mod import;
