//! The state every area shares: the database pool, the settings, the clock, the key for
//! signed values, and what the areas registered with the assembly (notices). An area that
//! needs more keeps it in a state of its own (signing's page cache, say) and takes both
//! through axum's `FromRef`; `app.rs` assembles the whole.

use std::sync::Arc;

use sqlx::PgPool;

use crate::clock::SharedClock;
use crate::config::{Config, SettingError};

/// Messages shown once after a redirect, keyed by the `?notice=` value. Each area declares
/// its own table; the assembly hands them all to the state. The query string carries only
/// a key, so nobody can put words of their own on our pages through a link.
#[derive(Default)]
pub struct Notices(Vec<&'static [(&'static str, &'static str)]>);

impl Notices {
    pub fn new(tables: &[&'static [(&'static str, &'static str)]]) -> Self {
        Self(tables.to_vec())
    }

    pub fn text(&self, key: &str) -> Option<&'static str> {
        self.0
            .iter()
            .flat_map(|table| table.iter())
            .find(|(k, _)| *k == key)
            .map(|(_, text)| *text)
    }

    /// Keys declared by more than one area (each must mean one thing).
    pub fn duplicate_keys(&self) -> Vec<&'static str> {
        let mut seen = std::collections::HashSet::new();
        self.0
            .iter()
            .flat_map(|table| table.iter())
            .filter(|(k, _)| !seen.insert(*k))
            .map(|(k, _)| *k)
            .collect()
    }
}

#[derive(Clone)]
pub struct AppState {
    pub db: PgPool,
    pub config: Arc<Config>,
    pub clock: SharedClock,
    /// Signs values the app hands out and must recognise later (the sign-on form's start time).
    pub secret: Arc<Vec<u8>>,
    pub notices: Arc<Notices>,
}

impl AppState {
    pub fn new(
        db: PgPool,
        config: Arc<Config>,
        clock: SharedClock,
        notices: Notices,
    ) -> Result<Self, SettingError> {
        let secret = crate::config::load_secret(&config)?;
        Ok(Self {
            db,
            config,
            clock,
            secret: Arc::new(secret),
            notices: Arc::new(notices),
        })
    }
}
