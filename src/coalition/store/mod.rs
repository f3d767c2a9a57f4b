//! All of the coalition area's SQL, one topic per file, re-exported here so callers write
//! `coalition::store::x`. The tables are the list's (migration
//! `20261207000080_coalition_list.sql`); the area reads the address book's `people` and
//! `organizations` through outreach's store, and writes a group's "list open" flag
//! through tenancy's. Public pages pass a `PublicTenantId`, organizers a `TenantId`;
//! both reach the SQL as `impl TenantScope`.

mod inbound;
mod keys;
mod list_pages;
mod lists;
mod mailing;
mod members;
mod members_admin;
mod posts;
mod sessions;

pub use inbound::*;
pub use keys::*;
pub use list_pages::*;
pub use lists::*;
pub use mailing::*;
pub use members::*;
pub use members_admin::*;
pub use posts::*;
pub use sessions::*;
