// From the bottom of the stack to the top; `tests/architecture.rs` enforces the order.
pub mod app;
pub mod auth;
pub mod campaigns;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod error;
pub mod mail;
pub mod outreach;
pub mod signatures;
pub mod signing;
pub mod state;
pub mod tenancy;
pub mod tenants;
pub mod tokens;
pub mod web;
