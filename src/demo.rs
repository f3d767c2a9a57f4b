//! `undersigned demo`: a demo tenant with an organizer a newcomer can log in as.
//! Running it again changes nothing.

use sqlx::PgPool;

use crate::auth::{passwords, store as auth_store};
use crate::tenants::{store as tenant_store, Role, TenantSlug};

pub const EMAIL: &str = "organizer@demo.undersigned.example";
pub const PASSWORD: &str = "demo-organizer-2026";
pub const SLUG: &str = "clean-water-coalition";
const GROUP: &str = "Clean Water Coalition";
const TEAMMATE_EMAIL: &str = "viewer@demo.undersigned.example";

pub struct Loaded {
    pub created: bool,
}

pub async fn load(db: &PgPool) -> anyhow::Result<Loaded> {
    if tenant_store::tenant_by_slug(db, SLUG).await?.is_some() {
        return Ok(Loaded { created: false });
    }
    let slug = TenantSlug::parse(SLUG).map_err(|e| anyhow::anyhow!(e))?;
    let password_hash = passwords::hash(PASSWORD.into()).await?;
    let teammate_hash = passwords::hash("demo-viewer-2026".into()).await?;
    let mut tx = db.begin().await?;
    let tenant = match tenant_store::create_tenant(&mut tx, &slug, GROUP).await {
        Ok(tenant) => tenant,
        // Another run got there first.
        Err(tenant_store::CreateTenantError::SlugTaken) => return Ok(Loaded { created: false }),
        Err(tenant_store::CreateTenantError::Database(e)) => return Err(e.into()),
    };
    for (email, name, hash, role) in [
        (EMAIL, "Dana Organizer", &password_hash, Role::Owner),
        (TEAMMATE_EMAIL, "Vic Viewer", &teammate_hash, Role::Viewer),
    ] {
        let user_id = match auth_store::create_user(&mut tx, email, name, hash).await {
            Ok(id) => id,
            Err(auth_store::CreateUserError::EmailTaken) => {
                sqlx::query_scalar("SELECT id FROM users WHERE email = $1::citext")
                    .bind(email)
                    .fetch_one(&mut *tx)
                    .await?
            }
            Err(auth_store::CreateUserError::Database(e)) => return Err(e.into()),
        };
        tenant_store::add_member(&mut tx, tenant, user_id, role).await?;
    }
    tx.commit().await?;
    Ok(Loaded { created: true })
}
