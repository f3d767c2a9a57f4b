//! `undersigned demo`: a demo tenant with an organizer a newcomer can log in as.
//! Running it again changes nothing.

use sqlx::PgPool;

use sqlx::PgConnection;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::auth::{passwords, store as auth_store};
use crate::campaigns::store::{self as campaigns, CampaignInput};
use crate::campaigns::{time_zones, Status};
use crate::signatures::store::{self as signatures, Actor, NewSignature};
use crate::signatures::{Action, SignatureKind, SignatureSource};
use crate::tenancy::{self, CreateTenantError, Role, TenantId, TenantSlug};

pub const CAMPAIGN: &str = "clean-rivers";

const LETTER: &str = "# Dear Governor\n\nWe, the undersigned organizations, ask you to protect the rivers our communities drink from.\n\n\
Three things would make the difference this year:\n\n- publish every discharge permit online;\n- fine polluters what the clean-up costs;\n\
- let affected communities take part in every decision.\n\nWe look forward to your answer.";

const SIGNERS: &[(&str, &str)] = &[
    ("Clean Water Coalition", "Springfield"),
    ("The Alder Network", "Portland"),
    ("2 Rivers Collective", "Minneapolis"),
    ("10 Acres Farm Alliance", "Fresno"),
    ("Émile Zola Society", "New Orleans"),
    ("ACLU of the Valley", "Sacramento"),
    ("apple growers union", "Wenatchee"),
    ("Riverkeepers United", "Pittsburgh"),
    ("Zeta Youth Climate", "Denver"),
];

/// An open campaign with a letter and a few confirmed signers, so the public page and the
/// dashboard have something to show.
async fn demo_campaign(
    conn: &mut PgConnection,
    tenant: TenantId,
    owner_id: Uuid,
) -> anyhow::Result<()> {
    let now = OffsetDateTime::now_utc();
    let zone = "America/New_York";
    // 17:00 in New York on the day `days` from now, whatever the season's offset.
    let at_five = |days: i64| -> anyhow::Result<OffsetDateTime> {
        let day = time_zones::to_local_input(now + Duration::days(days), zone);
        let day = day.split('T').next().unwrap_or_default();
        time_zones::parse_local(&format!("{day}T17:00"), zone).map_err(|e| anyhow::anyhow!(e))
    };
    let input = CampaignInput {
        slug: CAMPAIGN.into(),
        title: "Clean Rivers for Everyone".into(),
        points: vec![
            "Clean water is a right".into(),
            "Polluters pay for the clean-up".into(),
            "Communities have a say".into(),
        ],
        target: 25,
        allow_individuals: true,
        moderation: false,
        time_zone: zone.into(),
        soft_deadline: at_five(10)?,
        hard_deadline: at_five(17)?,
    };
    let id = campaigns::create(conn, tenant, &input)
        .await
        .map_err(|e| anyhow::anyhow!("demo campaign: {e}"))?;
    let (revision, _) =
        campaigns::add_revision(conn, tenant, id, LETTER, (owner_id, "Dana Organizer"), now)
            .await?;
    let by = Actor {
        name: "demo data",
        user_id: None,
        reason: "loaded by undersigned demo",
    };
    for (n, (name, city)) in SIGNERS.iter().enumerate() {
        let source = if n == 0 {
            SignatureSource::Host
        } else {
            SignatureSource::Import
        };
        let signature = NewSignature {
            name: (*name).into(),
            city: (*city).into(),
            size: "local".into(),
            contact_name: format!("Contact {}", n + 1),
            contact_title: "Director".into(),
            email: format!("signer{}@demo.undersigned.example", n + 1),
            revision_id: Some(revision),
            ..NewSignature::new(SignatureKind::Organization, source)
        };
        // Fictional signers: the demo plays their confirmation too.
        if let signatures::Inserted::Created(signature_id) =
            signatures::insert(conn, tenant, id, &signature, &by, now).await?
        {
            signatures::change_state(conn, tenant, signature_id, Action::Confirm, &by, now).await?;
        }
    }
    sqlx::query("UPDATE campaigns SET status = $2, published_at = $3 WHERE id = $1")
        .bind(id)
        .bind(Status::Published)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

pub const EMAIL: &str = "organizer@demo.undersigned.example";
pub const PASSWORD: &str = "demo-organizer-2026";
pub const SLUG: &str = "clean-water-coalition";
const GROUP: &str = "Clean Water Coalition";
const TEAMMATE_EMAIL: &str = "viewer@demo.undersigned.example";

pub struct Loaded {
    pub created: bool,
}

pub async fn load(db: &PgPool) -> anyhow::Result<Loaded> {
    if tenancy::slug_taken(db, SLUG).await? {
        return Ok(Loaded { created: false });
    }
    let slug = TenantSlug::parse(SLUG).map_err(|e| anyhow::anyhow!(e))?;
    let password_hash = passwords::hash(PASSWORD.into()).await?;
    let teammate_hash = passwords::hash("demo-viewer-2026".into()).await?;
    let mut tx = db.begin().await?;
    let tenant = match tenancy::create_tenant(&mut tx, &slug, GROUP).await {
        Ok(tenant) => tenant,
        // Another run got there first.
        Err(CreateTenantError::SlugTaken) => return Ok(Loaded { created: false }),
        Err(CreateTenantError::Database(e)) => return Err(e.into()),
    };
    let mut owner_id = None;
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
        tenancy::add_member(&mut tx, tenant, user_id, role).await?;
        owner_id.get_or_insert(user_id);
    }
    let owner_id = owner_id.expect("the demo has an owner");
    demo_campaign(&mut tx, tenant, owner_id).await?;
    tx.commit().await?;
    Ok(Loaded { created: true })
}
