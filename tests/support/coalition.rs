//! Setting up a group's coalition list for tests: the app's state (to call the posting
//! API as the pages do), a list opened directly, and members made as their own click
//! would make them (`coalition::store::join`).

use std::sync::Arc;

use undersigned::coalition::model::{JoinedHow, ListMemberId};
use undersigned::coalition::store::{self, Joining};
use undersigned::state::AppState;
use undersigned::tenancy::{public_group, PublicTenantId};
use uuid::Uuid;

use super::TestApp;

/// The app's shared state over the test's database and clock.
pub fn state(app: &TestApp) -> AppState {
    undersigned::app::state(
        app.db.clone(),
        app.config.clone(),
        Arc::new(app.clock.clone()),
    )
    .unwrap()
}

/// The group of `slug`, as the list's public pages find it.
pub async fn group(app: &TestApp, slug: &str) -> PublicTenantId {
    public_group(&app.db, slug)
        .await
        .unwrap()
        .expect("the group exists")
        .id
}

/// Opens the group's list with `default_action` ("accept" or "hold"), as the settings
/// page would.
pub async fn open_list(app: &TestApp, slug: &str, default_action: &str) {
    sqlx::query(
        "INSERT INTO coalition_lists (tenant_id, name, purpose, rules, default_action, created_at, updated_at)
         SELECT id, 'Clean Water Coalition', 'Coordinating the clean water letter.',
             'Be kind. Stay on topic.', $2, now(), now()
         FROM tenants WHERE slug = $1",
    )
    .bind(slug)
    .bind(default_action)
    .execute(&app.db)
    .await
    .unwrap();
    sqlx::query("UPDATE tenants SET coalition_list_open = true WHERE slug = $1")
        .bind(slug)
        .execute(&app.db)
        .await
        .unwrap();
}

/// A person of the group's book (with an organization) who joined the list by their own
/// click; `cleared` members post without moderation (their first post was approved).
pub async fn member(
    app: &TestApp,
    slug: &str,
    name: &str,
    email: &str,
    cleared: bool,
) -> ListMemberId {
    let tenant = group(app, slug).await;
    let tenant_id: Uuid = sqlx::query_scalar("SELECT id FROM tenants WHERE slug = $1")
        .bind(slug)
        .fetch_one(&app.db)
        .await
        .unwrap();
    let organization = format!("{name}'s organization");
    let org_id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO organizations (id, tenant_id, name, name_key, sort_key, created_at)
         VALUES ($1, $2, $3, lower($3), lower($3), now())",
    )
    .bind(org_id)
    .bind(tenant_id)
    .bind(&organization)
    .execute(&app.db)
    .await
    .unwrap();
    let person_id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO people (id, tenant_id, organization_id, name, email, created_at)
         VALUES ($1, $2, $3, $4, $5, now())",
    )
    .bind(person_id)
    .bind(tenant_id)
    .bind(org_id)
    .bind(name)
    .bind(email)
    .execute(&app.db)
    .await
    .unwrap();
    let mut conn = app.db.acquire().await.unwrap();
    let joined = store::join(
        &mut conn,
        tenant,
        &Joining {
            person_id,
            email,
            name,
            organization: &organization,
            how: JoinedHow::Confirmation,
            campaign_id: None,
        },
        undersigned::clock::Clock::now(&app.clock),
    )
    .await
    .unwrap()
    .id();
    if cleared {
        sqlx::query("UPDATE list_members SET moderation = 'default' WHERE id = $1")
            .bind(joined)
            .execute(&app.db)
            .await
            .unwrap();
    }
    joined
}
