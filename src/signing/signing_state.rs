//! The state the public pages run with.

use std::sync::Arc;

use axum::extract::FromRef;

use super::PageCache;
use crate::state::AppState;

/// The shared state plus what only the public pages keep: the rendered pages (in this
/// process's memory).
#[derive(Clone)]
pub struct SigningState {
    pub app: AppState,
    pub pages: Arc<PageCache>,
}

impl SigningState {
    pub fn new(app: AppState) -> Self {
        Self {
            app,
            pages: Arc::new(PageCache::default()),
        }
    }
}

impl FromRef<SigningState> for AppState {
    fn from_ref(state: &SigningState) -> Self {
        state.app.clone()
    }
}
