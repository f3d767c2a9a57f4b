//! The integration tests, one binary with a module per area.
//!
//! Each module is an area's tests, named as the area is (`outreach`, `signing`, …); they
//! share `support` (a fresh database per test, the app on a free port, an SMTP sink, a
//! headless Chromium). One binary links the app once instead of once per file, which is
//! most of a fresh machine's build (Cargo.toml turns off the automatic one-binary-per-file
//! layout with `autotests = false`).
//!
//! Run one area with `cargo test --test it outreach::`, one test by its full name.

mod support;

mod architecture;
mod auth;
mod book_migration;
mod book_privacy;
mod browser;
mod browser_numbers;
mod campaigns;
mod cli;
mod coalition_inbound;
mod coalition_list;
mod coalition_mailing;
mod coalition_members;
mod coalition_posting;
mod copy_and_look;
mod document;
mod letter_changes;
mod logging;
mod mail;
mod outreach;
mod outreach_asks;
mod outreach_book;
mod outreach_import;
mod outreach_numbers;
mod outreach_touch_limits;
mod privacy;
mod reissue;
mod release;
mod signatures;
mod signing;
mod statements;
mod tenants;
mod web;
