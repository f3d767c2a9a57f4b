//! What the mail pages need: the shared state, the transport to read written mail back,
//! and the group's time zone, which the app passes down.

use axum::extract::FromRef;

use super::{MailKinds, Transport};
use crate::state::AppState;

/// The mail pages need the shared state and, to read back written mail, the transport.
#[derive(Clone)]
pub struct MailState {
    pub app: AppState,
    pub transport: Transport,
    /// To know which messages carry a recipient's secret link.
    pub kinds: std::sync::Arc<MailKinds>,
    /// The time zone a group's Email page shows times in (its campaigns', which this
    /// area knows nothing of: the app passes the lookup down).
    pub group_zone: GroupZone,
}

/// Finds the time zone a group works in: the one most of its campaigns use ("UTC" when
/// it has none).
pub type GroupZone = std::sync::Arc<
    dyn Fn(
            sqlx::PgPool,
            crate::tenancy::TenantId,
        ) -> futures::future::BoxFuture<'static, sqlx::Result<String>>
        + Send
        + Sync,
>;

impl FromRef<MailState> for AppState {
    fn from_ref(state: &MailState) -> Self {
        state.app.clone()
    }
}

impl MailState {
    /// Whether sent mail can be read back in the browser (file transport).
    pub fn files_readable(&self) -> bool {
        matches!(self.transport, Transport::Files { .. })
    }
}
