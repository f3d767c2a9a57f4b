//! The move into the address book (migration 20261207000070): a database at the schema
//! before it, with two campaigns of one group sharing organizations and contacts (by
//! folded name, by website domain, by a contact's address only; a contact with no address
//! in both by name; two prospects of one campaign with the same name that organizers kept
//! apart), activities, the scheduler's send log and a signature from a personal link; then
//! the migration, and what an organizer would check: nothing lost, each merge listed with
//! what matched, the touches counted, and another group untouched by the first's book.

use std::borrow::Cow;

use sqlx::migrate::Migrator;
use sqlx::{PgPool, Row};
use uuid::Uuid;

use crate::support;

/// The last migration before the address book, and the address book's own.
const BEFORE_BOOK: i64 = 20261206000060;
const BOOK: i64 = 20261207000070;

/// The app's migrations up to and including `last`.
fn migrations_until(last: i64) -> Migrator {
    Migrator {
        migrations: Cow::Owned(
            undersigned::db::MIGRATOR
                .iter()
                .filter(|m| m.version <= last)
                .cloned()
                .collect(),
        ),
        ignore_missing: false,
        locking: true,
        no_tx: false,
    }
}

/// A row's id from its name in the seed (`md5('name')::uuid` there is replaced by this
/// value before the seed runs, so the test and the seed agree without a lookup).
fn id(name: &str) -> Uuid {
    // FNV-1a, twice with different offsets: distinct, stable ids for distinct names.
    let hash = |offset: u64| {
        name.bytes().fold(offset, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    };
    Uuid::from_u64_pair(hash(0xcbf2_9ce4_8422_2325), hash(0x8422_2325_cbf2_9ce4))
}

/// The seed with each `md5('name')::uuid` replaced by `id(name)`.
fn seed_sql() -> String {
    let mut out = String::new();
    let mut rest = OLD_SCHEMA_SEED;
    while let Some(at) = rest.find("md5('") {
        out.push_str(&rest[..at]);
        let after = &rest[at + "md5('".len()..];
        let end = after.find("')::uuid").expect("md5('name')::uuid");
        out.push_str(&format!("'{}'::uuid", id(&after[..end])));
        rest = &after[end + "')::uuid".len()..];
    }
    out.push_str(rest);
    out
}

/// Two groups in the schema before the book. Group "river": campaign "water" (earlier)
/// and campaign "air". Group "lake": one campaign with an organization of the same name,
/// domain and contact address as one of river's.
const OLD_SCHEMA_SEED: &str = r#"
INSERT INTO tenants (id, slug, name) VALUES
  (md5('river')::uuid, 'river', 'River Coalition'),
  (md5('lake')::uuid, 'lake', 'Lake Coalition');
INSERT INTO users (id, email, name, password_hash) VALUES
  (md5('organizer')::uuid, 'organizer@river.example', 'Olive Organizer', 'x');
INSERT INTO campaigns (id, tenant_id, slug, title, points, target, time_zone, soft_deadline, hard_deadline, created_at) VALUES
  (md5('water')::uuid, md5('river')::uuid, 'water', 'Clean Water', '{a}', 100, 'UTC', '2026-03-01', '2026-03-10', '2026-01-01'),
  (md5('air')::uuid, md5('river')::uuid, 'air', 'Clean Air', '{a}', 100, 'UTC', '2026-06-01', '2026-06-10', '2026-04-01'),
  (md5('lake-letter')::uuid, md5('lake')::uuid, 'letter', 'Lake Letter', '{a}', 100, 'UTC', '2026-06-01', '2026-06-10', '2026-04-01');

-- Campaign "water" (created first: its prospects become the organizations).
INSERT INTO prospects (id, tenant_id, campaign_id, name, name_key, sort_key, website, domain, size, tags, owner_id, notes, created_at) VALUES
  (md5('w-river')::uuid, md5('river')::uuid, md5('water')::uuid, 'River Alliance', 'river alliance', 'river alliance',
   'https://riveralliance.org', 'riveralliance.org', 'regional', '{rivers}', md5('organizer')::uuid, 'Met at the fair.', '2026-01-02'),
  (md5('w-green')::uuid, md5('river')::uuid, md5('water')::uuid, 'Green Corps', 'green corps', 'green corps',
   'https://greencorps.org', 'greencorps.org', '', '{}', NULL, '', '2026-01-03'),
  (md5('w-creek')::uuid, md5('river')::uuid, md5('water')::uuid, 'Friends of the Creek', 'friends of the creek', 'friends of the creek',
   '', '', 'local', '{}', NULL, '', '2026-01-04'),
  (md5('w-watch1')::uuid, md5('river')::uuid, md5('water')::uuid, 'Water Watch', 'water watch', 'water watch',
   '', '', 'local', '{}', NULL, 'The one in the north.', '2026-01-05');
INSERT INTO prospects (id, tenant_id, campaign_id, name, name_key, sort_key, size, possible_duplicate_of, notes, created_at) VALUES
  (md5('w-watch2')::uuid, md5('river')::uuid, md5('water')::uuid, 'Water Watch', 'water watch', 'water watch',
   'local', md5('w-watch1')::uuid, 'The one in the south: not the same group.', '2026-01-06');

INSERT INTO prospect_contacts (id, tenant_id, campaign_id, prospect_id, name, first_name, role, email, phone, created_at) VALUES
  (md5('w-ann')::uuid, md5('river')::uuid, md5('water')::uuid, md5('w-river')::uuid, 'Ann Lee', 'Ann', 'Director', 'ann@riveralliance.org', '', '2026-01-02'),
  (md5('w-bob')::uuid, md5('river')::uuid, md5('water')::uuid, md5('w-river')::uuid, 'Bob Stone', '', '', NULL, '555-0100', '2026-01-02 00:01'),
  (md5('w-gc')::uuid, md5('river')::uuid, md5('water')::uuid, md5('w-green')::uuid, 'Gail Cruz', '', '', 'gail@greencorps.org', '', '2026-01-03'),
  (md5('w-cara')::uuid, md5('river')::uuid, md5('water')::uuid, md5('w-creek')::uuid, 'Cara Fields', '', '', 'cara@creekfriends.org', '', '2026-01-04'),
  (md5('w-dave')::uuid, md5('river')::uuid, md5('water')::uuid, md5('w-watch1')::uuid, 'Dave North', '', '', 'dave@northwatch.org', '', '2026-01-05'),
  (md5('w-erin')::uuid, md5('river')::uuid, md5('water')::uuid, md5('w-watch2')::uuid, 'Erin South', '', '', 'erin@southwatch.org', '', '2026-01-06');

-- Campaign "air": the same organizations under other names, and the same people.
INSERT INTO prospects (id, tenant_id, campaign_id, name, name_key, sort_key, website, domain, size, tags, notes, created_at) VALUES
  (md5('a-river')::uuid, md5('river')::uuid, md5('air')::uuid, 'The River Alliance', 'river alliance', 'river alliance',
   '', '', 'national', '{air,rivers}', 'Their board meets in May.', '2026-04-02'),
  (md5('a-green')::uuid, md5('river')::uuid, md5('air')::uuid, 'Green Corps International', 'green corps international', 'green corps international',
   'https://www.greencorps.org', 'greencorps.org', '', '{}', '', '2026-04-03'),
  (md5('a-creek')::uuid, md5('river')::uuid, md5('air')::uuid, 'Creek Friends Network', 'creek friends network', 'creek friends network',
   '', '', '', '{}', '', '2026-04-04');
INSERT INTO prospect_contacts (id, tenant_id, campaign_id, prospect_id, name, first_name, role, email, phone, created_at) VALUES
  (md5('a-ann')::uuid, md5('river')::uuid, md5('air')::uuid, md5('a-river')::uuid, 'Ann Lee', '', 'Executive Director', 'ann@riveralliance.org', '555-0199', '2026-04-02'),
  -- Entered twice in this campaign, with another spelling of her address.
  (md5('a-ann2')::uuid, md5('river')::uuid, md5('air')::uuid, md5('a-river')::uuid, 'A. Lee', '', '', 'ANN@riveralliance.org', '', '2026-04-02 00:01'),
  (md5('a-bob')::uuid, md5('river')::uuid, md5('air')::uuid, md5('a-river')::uuid, 'bob stone', '', 'Treasurer', NULL, '', '2026-04-02 00:02'),
  (md5('a-zed')::uuid, md5('river')::uuid, md5('air')::uuid, md5('a-river')::uuid, 'Zed Park', '', '', 'zed@riveralliance.org', '', '2026-04-02 00:03'),
  (md5('a-gc')::uuid, md5('river')::uuid, md5('air')::uuid, md5('a-green')::uuid, 'Gail Cruz', '', '', 'gail@greencorps.org', '', '2026-04-03'),
  (md5('a-cara')::uuid, md5('river')::uuid, md5('air')::uuid, md5('a-creek')::uuid, 'Cara Fields', '', '', 'cara@creekfriends.org', '', '2026-04-04');

-- Activities: asks to contacts, a call with the organization as a whole, notes.
INSERT INTO outreach_activities (tenant_id, campaign_id, prospect_id, contact_id, kind, body, author_name, at) VALUES
  (md5('river')::uuid, md5('water')::uuid, md5('w-river')::uuid, md5('w-ann')::uuid, 'ask', 'Will you sign?', 'Olive', '2026-01-10'),
  (md5('river')::uuid, md5('water')::uuid, md5('w-river')::uuid, NULL, 'call', 'Called the office', 'Olive', '2026-01-12'),
  (md5('river')::uuid, md5('water')::uuid, md5('w-river')::uuid, NULL, 'note', 'They like it', 'Olive', '2026-01-13'),
  (md5('river')::uuid, md5('water')::uuid, md5('w-green')::uuid, md5('w-gc')::uuid, 'ask', 'Will you sign?', 'Olive', '2026-01-10'),
  (md5('river')::uuid, md5('water')::uuid, md5('w-watch2')::uuid, md5('w-erin')::uuid, 'ask', 'Will you sign?', 'Olive', '2026-01-11'),
  (md5('river')::uuid, md5('air')::uuid, md5('a-river')::uuid, md5('a-ann2')::uuid, 'ask', 'Will you sign this one too?', 'Olive', '2026-04-10'),
  (md5('river')::uuid, md5('air')::uuid, md5('a-river')::uuid, md5('a-zed')::uuid, 'follow_up', 'Following up', 'Olive', '2026-04-14'),
  (md5('river')::uuid, md5('air')::uuid, md5('a-river')::uuid, NULL, 'note', 'Board in May', 'Olive', '2026-04-15'),
  (md5('river')::uuid, md5('air')::uuid, md5('a-green')::uuid, md5('a-gc')::uuid, 'ask', 'Will you sign?', 'Olive', '2026-04-10'),
  (md5('river')::uuid, md5('air')::uuid, md5('a-creek')::uuid, md5('a-cara')::uuid, 'meeting', 'Coffee', 'Olive', '2026-04-11');

-- The scheduler's send log: Ann's two entries in "air" were one reminder stage.
INSERT INTO outreach_send_log (campaign_id, contact_id, stage, deadline, outcome, reason, at) VALUES
  (md5('water')::uuid, md5('w-ann')::uuid, 'reminder', '2026-03-01', 'sent', '', '2026-02-25'),
  (md5('air')::uuid, md5('a-ann')::uuid, 'reminder', '2026-06-01', 'skipped', 'touched recently', '2026-05-25'),
  (md5('air')::uuid, md5('a-ann2')::uuid, 'reminder', '2026-06-01', 'sent', '', '2026-05-26'),
  (md5('air')::uuid, md5('a-zed')::uuid, 'reminder', '2026-06-01', 'sent', '', '2026-05-26');

-- A signature from Ann's personal link in "air" (her second entry's).
INSERT INTO signatures (id, tenant_id, campaign_id, kind, name, name_key, sort_key, email, state, created_at, personal_ask_contact_id) VALUES
  (md5('sig-ann')::uuid, md5('river')::uuid, md5('air')::uuid, 'organization', 'River Alliance', 'river alliance', 'river alliance',
   'ann@riveralliance.org', 'pending', '2026-04-20', md5('a-ann2')::uuid);

-- Group "lake": the same organization and address, which must stay lake's own.
INSERT INTO prospects (id, tenant_id, campaign_id, name, name_key, sort_key, website, domain, created_at) VALUES
  (md5('l-river')::uuid, md5('lake')::uuid, md5('lake-letter')::uuid, 'River Alliance', 'river alliance', 'river alliance',
   'https://riveralliance.org', 'riveralliance.org', '2026-04-05');
INSERT INTO prospect_contacts (id, tenant_id, campaign_id, prospect_id, name, email, created_at) VALUES
  (md5('l-ann')::uuid, md5('lake')::uuid, md5('lake-letter')::uuid, md5('l-river')::uuid, 'Ann Lee', 'ann@riveralliance.org', '2026-04-05');
INSERT INTO outreach_activities (tenant_id, campaign_id, prospect_id, contact_id, kind, body, author_name, at) VALUES
  (md5('lake')::uuid, md5('lake-letter')::uuid, md5('l-river')::uuid, md5('l-ann')::uuid, 'ask', 'Will you sign?', 'Lou', '2026-04-12');
"#;

async fn count(db: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(db).await.unwrap()
}

async fn organization_of(db: &PgPool, prospect: &str) -> Uuid {
    sqlx::query_scalar("SELECT organization_id FROM prospects WHERE id = $1")
        .bind(id(prospect))
        .fetch_one(db)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_move_into_the_book_keeps_everything_and_lists_each_merge() {
    let database =
        support::TestDatabase::named(&format!("undersigned_test_{}", Uuid::new_v4().simple()));
    let admin = PgPool::connect(support::ADMIN_URL).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {}", database.name))
        .execute(&admin)
        .await
        .unwrap();
    admin.close().await;
    let db = PgPool::connect(&database.url).await.unwrap();
    migrations_until(BEFORE_BOOK).run(&db).await.unwrap();
    sqlx::raw_sql(&seed_sql()).execute(&db).await.unwrap();

    let river = "'".to_owned() + &id("river").to_string() + "'";
    let prospects_before = count(
        &db,
        &format!("SELECT count(*) FROM prospects WHERE tenant_id = {river}"),
    )
    .await;
    let contacts_before = count(
        &db,
        &format!("SELECT count(*) FROM prospect_contacts WHERE tenant_id = {river}"),
    )
    .await;
    let activities_before: Vec<(i64, Uuid)> = sqlx::query_as(
        "SELECT id, prospect_id FROM outreach_activities WHERE tenant_id = $1 ORDER BY id",
    )
    .bind(id("river"))
    .fetch_all(&db)
    .await
    .unwrap();
    // The touch activities: each with the contacts it touched (a call with the
    // organization: every contact of the prospect).
    let touches_before: Vec<(i64, Uuid, Option<Uuid>)> = sqlx::query_as(
        "SELECT a.id, c.id, a.campaign_id FROM outreach_activities a
           JOIN prospect_contacts c ON c.prospect_id = a.prospect_id
                                   AND (c.id = a.contact_id OR (a.contact_id IS NULL AND a.kind IN ('call', 'meeting')))
          WHERE a.tenant_id = $1 AND a.kind IN ('ask', 'follow_up', 'reminder', 'last_call', 'call', 'meeting')
          ORDER BY 1, 2",
    )
    .bind(id("river"))
    .fetch_all(&db)
    .await
    .unwrap();
    let send_log_before = count(&db, "SELECT count(*) FROM outreach_send_log").await;
    assert_eq!((prospects_before, contacts_before), (8, 12));
    assert_eq!(activities_before.len(), 10);
    assert_eq!(send_log_before, 4);

    migrations_until(BOOK).run(&db).await.unwrap();

    // Every prospect kept, each pointing at an organization of its own group.
    let prospects_after = count(
        &db,
        &format!("SELECT count(*) FROM prospects WHERE tenant_id = {river}"),
    )
    .await;
    assert_eq!(prospects_after, prospects_before);
    let foreign = count(
        &db,
        "SELECT count(*) FROM prospects p JOIN organizations o ON o.id = p.organization_id WHERE o.tenant_id <> p.tenant_id",
    )
    .await;
    assert_eq!(foreign, 0);

    // Organizations: the same folded name, the same website domain, a shared contact
    // address each made one; the two "Water Watch" of one campaign stay two.
    let alliance = organization_of(&db, "w-river").await;
    assert_eq!(
        organization_of(&db, "a-river").await,
        alliance,
        "same folded name"
    );
    let green = organization_of(&db, "w-green").await;
    assert_eq!(organization_of(&db, "a-green").await, green, "same domain");
    let creek = organization_of(&db, "w-creek").await;
    assert_eq!(
        organization_of(&db, "a-creek").await,
        creek,
        "shared contact address"
    );
    let watch1 = organization_of(&db, "w-watch1").await;
    let watch2 = organization_of(&db, "w-watch2").await;
    assert_ne!(
        watch1, watch2,
        "two prospects of one campaign stay two organizations"
    );
    let duplicate_of: Option<Uuid> =
        sqlx::query_scalar("SELECT possible_duplicate_of FROM organizations WHERE id = $1")
            .bind(watch2)
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(
        duplicate_of,
        Some(watch1),
        "still flagged as a possible duplicate"
    );
    let river_organizations = count(
        &db,
        &format!("SELECT count(*) FROM organizations WHERE tenant_id = {river}"),
    )
    .await;
    assert_eq!(river_organizations, 5);

    // The merged organization keeps what either campaign knew.
    let row =
        sqlx::query("SELECT name, website, size, tags, notes FROM organizations WHERE id = $1")
            .bind(alliance)
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(row.get::<String, _>("name"), "River Alliance");
    assert_eq!(row.get::<String, _>("website"), "https://riveralliance.org");
    assert_eq!(row.get::<String, _>("size"), "regional");
    assert_eq!(row.get::<Vec<String>, _>("tags"), vec!["air", "rivers"]);
    let notes = row.get::<String, _>("notes");
    assert!(
        notes.contains("Met at the fair.") && notes.contains("Their board meets in May."),
        "{notes}"
    );

    // People: each contact became a person or joined one, and each merge is listed.
    let people_after = count(
        &db,
        &format!("SELECT count(*) FROM people WHERE tenant_id = {river}"),
    )
    .await;
    let person_merges: Vec<(Uuid, String, Option<Uuid>)> = sqlx::query_as(
        "SELECT person_id, matched_by, campaign_id FROM book_migration_merges
          WHERE tenant_id = $1 AND kind = 'person' ORDER BY id",
    )
    .bind(id("river"))
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(people_after + person_merges.len() as i64, contacts_before);
    assert_eq!(people_after, 7);
    let merged: Vec<(Uuid, &str)> = person_merges
        .iter()
        .map(|(p, m, _)| (*p, m.as_str()))
        .collect();
    assert_eq!(
        merged,
        vec![
            (id("w-ann"), "email"),
            (id("w-ann"), "email"),
            (id("w-bob"), "name without email"),
            (id("w-gc"), "email"),
            (id("w-cara"), "email"),
        ]
    );
    assert!(person_merges.iter().all(|(_, _, c)| *c == Some(id("air"))));
    let ann = sqlx::query(
        "SELECT name, role, phone, first_name, organization_id FROM people WHERE id = $1",
    )
    .bind(id("w-ann"))
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(ann.get::<Uuid, _>("organization_id"), alliance);
    assert_eq!(
        ann.get::<String, _>("role"),
        "Director",
        "the earlier value is kept"
    );
    assert_eq!(
        ann.get::<String, _>("phone"),
        "555-0199",
        "an empty field is filled"
    );
    let bob_role: String = sqlx::query_scalar("SELECT role FROM people WHERE id = $1")
        .bind(id("w-bob"))
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(bob_role, "Treasurer");

    let org_merges: Vec<(Uuid, String)> = sqlx::query_as(
        "SELECT organization_id, matched_by FROM book_migration_merges
          WHERE tenant_id = $1 AND kind = 'organization' ORDER BY id",
    )
    .bind(id("river"))
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(
        org_merges,
        vec![
            (alliance, "name".to_owned()),
            (green, "domain".to_owned()),
            (creek, "email".to_owned()),
        ]
    );

    // Every activity kept, each with its prospect's organization; the asks to merged
    // contacts now name the person.
    let activities_after: Vec<(i64, Option<Uuid>, Uuid, Uuid)> = sqlx::query_as(
        "SELECT a.id, a.prospect_id, a.organization_id, p.organization_id
           FROM outreach_activities a JOIN prospects p ON p.id = a.prospect_id
          WHERE a.tenant_id = $1 ORDER BY a.id",
    )
    .bind(id("river"))
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(activities_after.len(), activities_before.len());
    for ((before_id, before_prospect), (after_id, after_prospect, org, prospect_org)) in
        activities_before.iter().zip(&activities_after)
    {
        assert_eq!(
            (before_id, Some(*before_prospect)),
            (after_id, *after_prospect)
        );
        assert_eq!(
            org, prospect_org,
            "activity {after_id} belongs to its prospect's organization"
        );
    }
    let stale_contacts = count(
        &db,
        "SELECT count(*) FROM outreach_activities a WHERE a.contact_id IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM people pe WHERE pe.id = a.contact_id AND pe.organization_id = a.organization_id)",
    )
    .await;
    assert_eq!(
        stale_contacts, 0,
        "every activity's contact is a person of its organization"
    );

    // The touches: one per person touched by each touch activity, with its campaign.
    let contact_to_person = |c: Uuid| -> Uuid {
        let merged_into = [
            ("a-ann", "w-ann"),
            ("a-ann2", "w-ann"),
            ("a-bob", "w-bob"),
            ("a-gc", "w-gc"),
            ("a-cara", "w-cara"),
        ];
        merged_into
            .iter()
            .find(|(from, _)| id(from) == c)
            .map_or(c, |(_, to)| id(to))
    };
    let mut expected: Vec<(i64, Uuid, Option<Uuid>)> = touches_before
        .iter()
        .map(|(a, c, campaign)| (*a, contact_to_person(*c), *campaign))
        .collect();
    expected.sort();
    expected.dedup();
    let touches: Vec<(i64, Uuid, Option<Uuid>)> = sqlx::query_as(
        "SELECT activity_id, person_id, campaign_id FROM person_touches WHERE tenant_id = $1 ORDER BY 1, 2",
    )
    .bind(id("river"))
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(touches, expected);
    // Ann: asked for "water", called with her organization, asked for "air".
    let ann_touches: Vec<(String, Option<Uuid>)> = sqlx::query_as(
        "SELECT kind, campaign_id FROM person_touches WHERE person_id = $1 ORDER BY at",
    )
    .bind(id("w-ann"))
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(
        ann_touches,
        vec![
            ("ask".to_owned(), Some(id("water"))),
            ("call".to_owned(), Some(id("water"))),
            ("ask".to_owned(), Some(id("air"))),
        ]
    );

    // The send log: Ann's two entries for one stage in "air" are one (the one sent);
    // nothing else is lost.
    let send_log: Vec<(Uuid, Uuid, String)> = sqlx::query_as(
        "SELECT campaign_id, contact_id, outcome FROM outreach_send_log ORDER BY at, contact_id",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(send_log.len(), 3);
    assert!(send_log.contains(&(id("water"), id("w-ann"), "sent".to_owned())));
    assert!(send_log.contains(&(id("air"), id("w-ann"), "sent".to_owned())));
    assert!(send_log.contains(&(id("air"), id("a-zed"), "sent".to_owned())));

    // The signature from Ann's second entry's link names the person she is now.
    let personal: Option<Uuid> =
        sqlx::query_scalar("SELECT personal_ask_contact_id FROM signatures WHERE id = $1")
            .bind(id("sig-ann"))
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(personal, Some(id("w-ann")));

    // The report's counts.
    let counts = sqlx::query(
        "SELECT prospects_before, prospects_after, contacts_before, people_after, contacts_merged,
                activities_before, activities_after, organizations_created, prospects_merged
           FROM book_migration_counts WHERE tenant_id = $1",
    )
    .bind(id("river"))
    .fetch_one(&db)
    .await
    .unwrap();
    let figures: Vec<i32> = (0..9).map(|i| counts.get::<i32, _>(i)).collect();
    assert_eq!(figures, vec![8, 8, 12, 7, 5, 10, 10, 5, 3]);

    // The other group: its own organization and person, nothing merged with river's.
    let lake_org = organization_of(&db, "l-river").await;
    assert_ne!(lake_org, alliance);
    let lake_orgs: Vec<Uuid> =
        sqlx::query_scalar("SELECT id FROM organizations WHERE tenant_id = $1")
            .bind(id("lake"))
            .fetch_all(&db)
            .await
            .unwrap();
    assert_eq!(lake_orgs, vec![lake_org]);
    let lake_sees_river = count(
        &db,
        &format!(
            "SELECT count(*) FROM organizations WHERE tenant_id = '{}' AND id IN (SELECT organization_id FROM prospects WHERE tenant_id = {river})",
            id("lake")
        ),
    )
    .await;
    assert_eq!(lake_sees_river, 0);
    let lake_people: Vec<(Uuid, Uuid)> =
        sqlx::query_as("SELECT id, organization_id FROM people WHERE tenant_id = $1")
            .bind(id("lake"))
            .fetch_all(&db)
            .await
            .unwrap();
    assert_eq!(lake_people, vec![(id("l-ann"), lake_org)]);
    let lake_merges = count(
        &db,
        &format!(
            "SELECT count(*) FROM book_migration_merges WHERE tenant_id = '{}'",
            id("lake")
        ),
    )
    .await;
    assert_eq!(lake_merges, 0);
    let lake_touch_people = count(
        &db,
        &format!(
            "SELECT count(*) FROM person_touches t JOIN people pe ON pe.id = t.person_id
              WHERE t.tenant_id = '{}' AND pe.tenant_id = '{}'",
            id("lake"),
            id("lake")
        ),
    )
    .await;
    assert_eq!(lake_touch_people, 1);

    db.close().await;
}
