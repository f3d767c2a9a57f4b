//! All of outreach's SQL: prospects, contacts, activities, settings, imports, the
//! scheduler's logs and digests, one topic per file in `store/`, re-exported here so
//! callers write `outreach::store::x`. Organizer-side reads take a `TenantId`; writes the
//! scheduler shares take the tenant of a campaign already found for it (the composite
//! foreign keys keep tenant and campaign together). Rows are read with `FromRow` structs.
//! Each file's doc names the other areas' tables it reads and why; the one write outside
//! outreach's tables is `referrals.absorbed` (`store/referrals.rs`).
//!
//! Trigger: `outreach_activities_touch` (outreach_activities, after insert) counts an
//! email, call or meeting as a touch of its contact and prospect. Two triggers of lower
//! areas write outreach's tables (docs/outreach.md, "Triggers"): `signatures_outreach`
//! and `outbox_outreach_bounce`.

pub mod book;
pub mod book_migration;
pub mod book_organizations;
pub mod forget;

use sqlx::{PgConnection, PgPool};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::pipeline::{self, PipelineStatus};
use super::{ActivityKind, Size, Stage};
use crate::signatures::names;
use crate::tenancy::{Member, TenantId};

mod activities;
mod asks;
mod book_list_members;
mod book_merge;
mod book_settings;
mod bulk;
mod carry;
mod contacts;
mod dashboard;
mod deadlines;
mod digests;
mod follow_ups;
mod imports;
mod mail_volume;
mod matches;
mod members;
mod prospects;
mod referrals;
mod settings;

pub use activities::*;
pub use asks::*;
pub use book_list_members::*;
pub use book_merge::*;
pub use book_settings::*;
pub use bulk::*;
pub use carry::*;
pub use contacts::*;
pub use dashboard::*;
pub use deadlines::*;
pub use digests::*;
pub use follow_ups::*;
pub use imports::*;
pub use mail_volume::*;
pub use matches::*;
pub use members::*;
pub use prospects::*;
pub use referrals::*;
pub use settings::*;
