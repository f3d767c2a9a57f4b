//! The state the public pages run with.

use std::sync::Arc;

use axum::extract::FromRef;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::PageCache;
use crate::state::AppState;
use crate::tenancy::PublicTenantId;

/// The shared state plus what only the public pages keep: the rendered pages (in this
/// process's memory), and the coalition's list offered on the confirmation page.
#[derive(Clone)]
pub struct SigningState {
    pub app: AppState,
    pub pages: Arc<PageCache>,
    /// The group's coalition list, as the confirmation page offers it (the coalition is
    /// above signing: the assembly hands its implementation down).
    pub list_join: Arc<dyn ListJoin>,
}

impl SigningState {
    pub fn new(app: AppState) -> Self {
        Self {
            app,
            pages: Arc::new(PageCache::default()),
            list_join: Arc::new(NoList),
        }
    }

    /// The same state, offering the group's list through `list_join`.
    pub fn with_list_join(mut self, list_join: Arc<dyn ListJoin>) -> Self {
        self.list_join = list_join;
        self
    }
}

impl FromRef<SigningState> for AppState {
    fn from_ref(state: &SigningState) -> Self {
        state.app.clone()
    }
}

/// The signer who ticked "Keep me on the coalition's list" as they confirmed.
#[derive(Clone, Debug)]
pub struct SignerForList {
    pub tenant_slug: String,
    pub name: String,
    pub email: String,
    pub organization: String,
    pub campaign_id: Uuid,
}

/// The coalition's list, seen from the confirmation page: whether to offer the box, and
/// the join when the signer ticked it and their confirmation happened (in the
/// confirmation's own transaction, so the two stand or fall together).
#[async_trait::async_trait]
pub trait ListJoin: Send + Sync {
    /// The list's name while the group's list is open to joining.
    async fn offer(&self, db: &PgPool, tenant: PublicTenantId) -> anyhow::Result<Option<String>>;

    /// Makes the signer a member (their own click: the ticked box).
    async fn join(
        &self,
        conn: &mut PgConnection,
        tenant: PublicTenantId,
        signer: SignerForList,
    ) -> anyhow::Result<()>;
}

/// No list: the box is never offered (tests and tools that build the state alone).
pub struct NoList;

#[async_trait::async_trait]
impl ListJoin for NoList {
    async fn offer(&self, _: &PgPool, _: PublicTenantId) -> anyhow::Result<Option<String>> {
        Ok(None)
    }

    async fn join(
        &self,
        _: &mut PgConnection,
        _: PublicTenantId,
        _: SignerForList,
    ) -> anyhow::Result<()> {
        Ok(())
    }
}
