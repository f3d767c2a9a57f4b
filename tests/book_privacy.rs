//! The group's address book at the group level: import into the book and "add these to a
//! campaign", a campaign's import taking organizations from the book instead of
//! duplicating them, undo keeping what other campaigns use, the book's export, erasing a
//! person everywhere, and the book's retention; another group gets 404 and a viewer 403
//! on every URL here, each checked against the rightful user first.

use time::Duration;

use crate::support;

use support::campaigns::{create_campaign, input_textarea};
use support::{Client, Response, TestApp};

const OWNER: &str = "owner@river.example";

/// Upload, preview with the columns given, confirm: the whole way, at `import` (a
/// campaign's `…/outreach/import` or the book's `/app/{tenant}/book/import`).
async fn import(client: &Client, import: &str, csv: &str, map: &[&str]) -> (Response, String) {
    let mapping = client.upload(import, "file", csv).await;
    assert_eq!(mapping.status, 200, "{}", mapping.body);
    let carried = input_textarea(&mapping.body, "csv");
    let mut fields = vec![("csv", carried.as_str()), ("step", "preview")];
    fields.extend(map.iter().map(|m| ("map", *m)));
    let previewed = client.post_form(import, &fields).await;
    assert_eq!(previewed.status, 200, "{}", previewed.body);
    let preview = support::unescape(&previewed.body);
    let csv = input_textarea(&previewed.body, "csv");
    let mut fields = vec![("csv", csv.as_str())];
    fields.extend(map.iter().map(|m| ("map", *m)));
    let done = client
        .post_form(&format!("{import}/confirm"), &fields)
        .await;
    (done, preview)
}

const MAP: [&str; 3] = ["name", "contact_name", "contact_email"];

const BOOK_CSV: &str = "organization,contact name,email
River Trust,Amira Haddad,amira@river.example
Lake Friends,Lee Park,lee@lake.example
=cmd|' /C calc'!A0,Eve,eve@evil.example
";

async fn setup(app: &TestApp) -> Client {
    app.signup("river", OWNER).await
}

async fn org_count(app: &TestApp) -> i64 {
    app.count("SELECT count(*) FROM organizations").await
}

/// An import into the book writes organizations and people, no prospect; its record page
/// adds them to a campaign in one go (twice adds nothing more).
#[tokio::test]
async fn an_import_into_the_book_is_added_to_a_campaign() {
    let app = TestApp::spawn().await;
    let owner = setup(&app).await;
    let water = create_campaign(&owner, "river", "water", &[]).await;

    let page = owner.get("/app/river/book/import").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Import organizations"));

    let (done, preview) = import(&owner, "/app/river/book/import", BOOK_CSV, &MAP).await;
    assert!(
        preview.contains("3 organizations with 3 contacts"),
        "{preview}"
    );
    assert_eq!(done.status, 303, "{}", done.body);
    let location = done.location().unwrap().to_owned();
    assert!(
        location.starts_with("/app/river/book/imports/"),
        "{location}"
    );
    let record = location.split('?').next().unwrap().to_owned();
    assert_eq!(org_count(&app).await, 3);
    assert_eq!(app.count("SELECT count(*) FROM people").await, 3);
    assert_eq!(app.count("SELECT count(*) FROM prospects").await, 0);
    assert_eq!(
        app.count("SELECT count(*) FROM prospect_imports WHERE campaign_id IS NULL")
            .await,
        1
    );

    let shown = owner.get(&location).await;
    assert_eq!(shown.status, 200);
    let body = support::unescape(&shown.body);
    assert!(body.contains("Organizations imported into the address book."));
    assert!(
        body.contains("Add these 3 organizations to a campaign"),
        "{body}"
    );
    assert!(body.contains("Keep the water clean"));

    let add = format!("{record}/add-to-campaign");
    let added = owner.post_form(&add, &[("campaign", "water")]).await;
    assert_eq!(added.status, 303, "{}", added.body);
    assert!(added.location().unwrap().starts_with(&format!(
        "{water}/outreach/prospects?notice=book-organizations-added"
    )));
    let in_water = "SELECT count(*) FROM prospects p JOIN campaigns c ON c.id = p.campaign_id WHERE c.slug = 'water'";
    assert_eq!(app.count(in_water).await, 3);
    let again = owner.post_form(&add, &[("campaign", "water")]).await;
    assert_eq!(again.status, 303);
    assert_eq!(
        app.count(in_water).await,
        3,
        "those it has stay as they are"
    );

    let nowhere = owner.post_form(&add, &[("campaign", "no-such")]).await;
    assert_eq!(nowhere.status, 422);

    // Another group: 404 on every URL of the import, reads and writes; changes nothing.
    let other = app.signup("other", "owner@other.example").await;
    let foreign_record = record.replace("/app/river/", "/app/other/");
    for url in [
        "/app/river/book/import".to_owned(),
        record.clone(),
        format!("{record}/kept-aside.csv"),
    ] {
        assert_eq!(other.get(&url).await.status, 404, "{url}");
    }
    assert_eq!(
        other.get(&foreign_record).await.status,
        404,
        "their own group does not have it"
    );
    for url in [
        format!("{record}/add-to-campaign"),
        format!("{record}/undo"),
        format!("{record}/forget"),
        "/app/river/book/import/confirm".to_owned(),
    ] {
        let r = other
            .post_form(&url, &[("campaign", "water"), ("confirm", "yes")])
            .await;
        assert_eq!(r.status, 404, "{url}");
    }
    let upload = other
        .upload("/app/river/book/import", "file", BOOK_CSV)
        .await;
    assert_eq!(upload.status, 404);

    // A viewer reads, and gets 403 on every write.
    let viewer = app
        .join(&owner, "river", "vic@river.example", "viewer", "Vic")
        .await;
    let seen = viewer.get(&record).await;
    assert_eq!(seen.status, 200);
    assert!(!seen.body.contains("Add them to the campaign"));
    for url in [
        format!("{record}/add-to-campaign"),
        format!("{record}/undo"),
        format!("{record}/forget"),
        "/app/river/book/import/confirm".to_owned(),
    ] {
        let r = viewer
            .post_form(&url, &[("campaign", "water"), ("confirm", "yes")])
            .await;
        assert_eq!(r.status, 403, "{url}");
    }
    assert_eq!(
        viewer
            .upload("/app/river/book/import", "file", BOOK_CSV)
            .await
            .status,
        403
    );
    assert_eq!(org_count(&app).await, 3);
    assert_eq!(app.count(in_water).await, 3);
}

/// A campaign's import finds the book's organization by name or website and uses it
/// (its people too, by address): no second organization, and the preview says so.
#[tokio::test]
async fn a_campaign_import_takes_organizations_from_the_book() {
    let app = TestApp::spawn().await;
    let owner = setup(&app).await;
    let (done, _) = import(
        &owner,
        "/app/river/book/import",
        "organization,website,contact name,email\nThe River Trust,river.example,Amira Haddad,amira@river.example\n",
        &["name", "website", "contact_name", "contact_email"],
    )
    .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let water = create_campaign(&owner, "river", "water", &[]).await;
    let (done, preview) = import(
        &owner,
        &format!("{water}/outreach/import"),
        "organization,website,contact name,email
river trust,,Amira H.,AMIRA@river.example
River Conservancy,https://www.river.example/about,Ben Stone,ben@river.example
Lake Friends,,Lee Park,lee@lake.example
",
        &["name", "website", "contact_name", "contact_email"],
    )
    .await;
    assert!(
        preview.contains(
            "already in the address book as The River Trust: added to this campaign from there"
        ),
        "{preview}"
    );
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(
        org_count(&app).await,
        2,
        "River Trust by its folded name and by its website, plus Lake Friends"
    );
    assert_eq!(app.count("SELECT count(*) FROM prospects").await, 2);
    let people: Vec<(String, String)> = sqlx::query_as(
        "SELECT o.name, pe.email::text FROM people pe JOIN organizations o ON o.id = pe.organization_id
         ORDER BY pe.email",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(
        people,
        [
            (
                "The River Trust".to_owned(),
                "amira@river.example".to_owned()
            ),
            ("The River Trust".to_owned(), "ben@river.example".to_owned()),
            ("Lake Friends".to_owned(), "lee@lake.example".to_owned()),
        ],
        "Amira is the person the book has; Ben joins her organization"
    );
}

/// Undoing a campaign's import removes its prospects and what it added to the book, but
/// keeps an organization (and its people) another campaign has.
#[tokio::test]
async fn undo_keeps_organizations_other_campaigns_use() {
    let app = TestApp::spawn().await;
    let owner = setup(&app).await;
    let water = create_campaign(&owner, "river", "water", &[]).await;
    let lakes = create_campaign(&owner, "river", "lakes", &[]).await;
    let (done, _) = import(
        &owner,
        &format!("{water}/outreach/import"),
        "organization,contact name,email\nRiver Trust,Amira Haddad,amira@river.example\n",
        &MAP,
    )
    .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let (done, _) = import(
        &owner,
        &format!("{lakes}/outreach/import"),
        "organization,contact name,email
River Trust,Ben Stone,ben@river.example
Lake Friends,Lee Park,lee@lake.example
",
        &MAP,
    )
    .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(org_count(&app).await, 2);
    let import_id: String = sqlx::query_scalar(
        "SELECT i.id::text FROM prospect_imports i JOIN campaigns c ON c.id = i.campaign_id WHERE c.slug = 'lakes'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    let record = format!("{lakes}/outreach/imports/{import_id}");
    let other = app.signup("other", "owner@other.example").await;
    assert_eq!(
        other
            .post_form(&format!("{record}/undo"), &[("confirm", "yes")])
            .await
            .status,
        404
    );
    let undone = owner
        .post_form(&format!("{record}/undo"), &[("confirm", "yes")])
        .await;
    assert_eq!(undone.status, 303, "{}", undone.body);
    let names: Vec<String> = sqlx::query_scalar("SELECT name FROM organizations ORDER BY name")
        .fetch_all(&app.db)
        .await
        .unwrap();
    assert_eq!(
        names,
        ["River Trust"],
        "Lake Friends was the import's alone"
    );
    let emails: Vec<String> = sqlx::query_scalar("SELECT email::text FROM people ORDER BY email")
        .fetch_all(&app.db)
        .await
        .unwrap();
    assert_eq!(
        emails,
        ["amira@river.example"],
        "Ben, whom the undone import added, goes; Amira stays"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM prospects p JOIN campaigns c ON c.id = p.campaign_id WHERE c.slug = 'water'")
            .await,
        1,
        "the water campaign keeps its prospect"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM prospects p JOIN campaigns c ON c.id = p.campaign_id WHERE c.slug = 'lakes'")
            .await,
        0
    );
}

/// The book's export: one row per person, formulas neutralized; viewers may export,
/// another group gets 404.
#[tokio::test]
async fn the_book_exports_safely_to_its_group_only() {
    let app = TestApp::spawn().await;
    let owner = setup(&app).await;
    let (done, _) = import(&owner, "/app/river/book/import", BOOK_CSV, &MAP).await;
    assert_eq!(done.status, 303, "{}", done.body);
    let (status, bytes) = owner.http_get_bytes("/app/river/book/export.csv").await;
    assert_eq!(status, 200);
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.starts_with("\u{feff}organization,website"), "{text}");
    assert!(text.contains("River Trust,") && text.contains("amira@river.example"));
    assert!(text.contains("'=cmd"), "a formula is made text: {text}");
    let viewer = app
        .join(&owner, "river", "vic@river.example", "viewer", "Vic")
        .await;
    assert_eq!(
        viewer.http_get_bytes("/app/river/book/export.csv").await.0,
        200
    );
    let other = app.signup("other", "owner@other.example").await;
    let (status, bytes) = other.http_get_bytes("/app/river/book/export.csv").await;
    assert_eq!(status, 404);
    assert!(!String::from_utf8_lossy(&bytes).contains("amira"));
}

/// Erasing a person from the book: confirmation first; then the person, their touches,
/// their name and address in every campaign's log lines, and kept rows with their
/// address are gone. Another group gets 404, a viewer 403.
#[tokio::test]
async fn erasing_a_person_removes_them_everywhere() {
    let app = TestApp::spawn().await;
    let owner = setup(&app).await;
    let water = create_campaign(&owner, "river", "water", &[]).await;
    let lakes = create_campaign(&owner, "river", "lakes", &[]).await;
    let csv = "organization,contact name,email
River Trust,Amira Haddad,amira@river.example
River Trust,Ben Stone,ben@river.example
,Amira again,amira@river.example
";
    let mut fields_done = None;
    for path in [&water, &lakes] {
        let import_url = format!("{path}/outreach/import");
        let mapping = owner.upload(&import_url, "file", csv).await;
        let carried = input_textarea(&mapping.body, "csv");
        let mut fields = vec![("csv", carried.as_str()), ("mode", "good")];
        fields.extend(MAP.iter().map(|m| ("map", *m)));
        let done = owner
            .post_form(&format!("{import_url}/confirm"), &fields)
            .await;
        assert_eq!(done.status, 303, "{}", done.body);
        fields_done = Some(done);
    }
    assert!(fields_done.is_some());
    assert_eq!(app.count("SELECT count(*) FROM people").await, 2);
    assert_eq!(
        app.count("SELECT count(*) FROM prospect_import_kept_rows")
            .await,
        2,
        "each import kept the row without an organization aside"
    );
    let amira: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM people WHERE email = 'amira@river.example'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    // A call in each campaign with Amira, and a note about her on the organization.
    for (slug, body) in [
        ("water", "Called Amira Haddad"),
        ("lakes", "Amira Haddad said yes (amira@river.example)"),
    ] {
        sqlx::query(
            "INSERT INTO outreach_activities (tenant_id, campaign_id, prospect_id, organization_id, contact_id, kind, body, author_name, at)
             SELECT p.tenant_id, p.campaign_id, p.id, p.organization_id, $2, 'call', $3, 'Owner', now()
             FROM prospects p JOIN campaigns c ON c.id = p.campaign_id WHERE c.slug = $1",
        )
        .bind(slug)
        .bind(amira)
        .bind(body)
        .execute(&app.db)
        .await
        .unwrap();
    }
    sqlx::query(
        "INSERT INTO outreach_activities (tenant_id, organization_id, kind, body, author_name, at)
         SELECT tenant_id, organization_id, 'note', 'Ben and Amira Haddad run it', 'Owner', now() FROM people WHERE id = $1",
    )
    .bind(amira)
    .execute(&app.db)
    .await
    .unwrap();
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM person_touches WHERE person_id = '{amira}'"
        ))
        .await,
        2
    );

    let url = format!("/app/river/book/people/{amira}/erase");
    let page = owner.get(&url).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let body = support::unescape(&page.body);
    assert!(body.contains("Erase Amira Haddad?"), "{body}");
    assert!(body.contains("2 recorded touches"), "{body}");
    assert!(body.contains("the 2 rows imports kept aside"), "{body}");

    // Another group: 404 on the page and the erasure; a viewer reads, and gets 403.
    let other = app.signup("other", "owner@other.example").await;
    assert_eq!(other.get(&url).await.status, 404);
    assert_eq!(
        other.post_form(&url, &[("confirm", "yes")]).await.status,
        404
    );
    let viewer = app
        .join(&owner, "river", "vic@river.example", "viewer", "Vic")
        .await;
    assert_eq!(viewer.get(&url).await.status, 200);
    assert_eq!(
        viewer.post_form(&url, &[("confirm", "yes")]).await.status,
        403
    );
    let unticked = owner.post_form(&url, &[]).await;
    assert_eq!(unticked.status, 422);
    assert_eq!(app.count("SELECT count(*) FROM people").await, 2);

    let erased = owner.post_form(&url, &[("confirm", "yes")]).await;
    assert_eq!(erased.status, 303, "{}", erased.body);
    assert!(erased.location().unwrap().contains("notice=person-erased"));
    assert_eq!(
        app.count("SELECT count(*) FROM people WHERE email = 'amira@river.example'")
            .await,
        0
    );
    assert_eq!(
        app.count("SELECT count(*) FROM people").await,
        1,
        "Ben stays"
    );
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM person_touches WHERE person_id = '{amira}'"
        ))
        .await,
        0
    );
    assert_eq!(
        app.count("SELECT count(*) FROM outreach_activities WHERE body ILIKE '%amira%' OR outcome ILIKE '%amira%'")
            .await,
        0,
        "no log line of any campaign names her"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM outreach_activities WHERE body LIKE '%Erased contact%'")
            .await,
        3,
        "the lines stay, without her"
    );
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM outreach_activities WHERE contact_id = '{amira}'"
        ))
        .await,
        0
    );
    assert_eq!(
        app.count("SELECT count(*) FROM prospect_import_kept_rows")
            .await,
        0
    );
    assert_eq!(
        app.count("SELECT sum(kept_rows_erased) FROM prospect_imports")
            .await,
        2
    );
    assert_eq!(owner.get(&url).await.status, 404, "gone");
}

/// With retention set, the jobs tick erases people with no activity for that many
/// months, and only them.
#[tokio::test]
async fn retention_erases_only_the_stale_person() {
    let app = TestApp::spawn().await;
    let owner = setup(&app).await;
    let (done, _) = import(
        &owner,
        "/app/river/book/import",
        "organization,contact name,email
River Trust,Amira Haddad,amira@river.example
River Trust,Ben Stone,ben@river.example
",
        &MAP,
    )
    .await;
    assert_eq!(done.status, 303, "{}", done.body);
    app.clock.advance(Duration::days(400));
    // Ben was called recently; Amira not since she was added, 400 days ago.
    sqlx::query(
        "INSERT INTO outreach_activities (tenant_id, organization_id, contact_id, kind, body, author_name, at)
         SELECT tenant_id, organization_id, id, 'call', 'Called Ben', 'Owner', $1 FROM people WHERE email = 'ben@river.example'",
    )
    .bind(undersigned::clock::Clock::now(&app.clock))
    .execute(&app.db)
    .await
    .unwrap();

    app.run_scheduler().await;
    assert_eq!(
        app.count("SELECT count(*) FROM people").await,
        2,
        "no retention set: everyone is kept"
    );

    sqlx::query(
        "INSERT INTO book_settings (tenant_id, retention_months)
         SELECT id, 12 FROM tenants WHERE slug = 'river'",
    )
    .execute(&app.db)
    .await
    .unwrap();
    let report = app.run_scheduler().await;
    assert_eq!(report.book_retention, 1);
    let left: Vec<String> = sqlx::query_scalar("SELECT email::text FROM people")
        .fetch_all(&app.db)
        .await
        .unwrap();
    assert_eq!(left, ["ben@river.example"]);
    assert_eq!(org_count(&app).await, 1, "the organization stays");
}
