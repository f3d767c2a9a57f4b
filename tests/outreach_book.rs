//! The group's address book: the duplicate rule on adding, merging across campaigns,
//! a campaign started from "signed the first", the organization page across campaigns,
//! deleting with confirmation, isolation of every book URL, and 5,000 organizations
//! added to a campaign in one request.

use crate::support;

use std::time::Instant;

use support::campaigns::{create_campaign, open_campaign, sign_and_confirm};
use support::{Client, TestApp};

/// A group "river" with its owner logged in.
async fn setup(app: &TestApp) -> Client {
    app.signup("river", "ana@river.example").await
}

/// Adds an organization to the book (no duplicate expected); returns its id.
async fn add_org(owner: &Client, name: &str, fields: &[(&str, &str)]) -> String {
    let mut all = vec![("name", name)];
    all.extend_from_slice(fields);
    let r = owner.post_form("/app/river/book/new", &all).await;
    assert_eq!(r.status, 303, "organization not added: {}", r.body);
    org_id(r.location().unwrap())
}

fn org_id(location: &str) -> String {
    let rest = location.split("/organizations/").nth(1).unwrap();
    rest.split(['?', '#', '/']).next().unwrap().to_owned()
}

async fn add_person(owner: &Client, org: &str, name: &str, email: &str) {
    let r = owner
        .post_form(
            &format!("/app/river/book/organizations/{org}/people"),
            &[("name", name), ("email", email)],
        )
        .await;
    assert_eq!(r.status, 303, "person not added: {}", r.body);
}

async fn add_note(owner: &Client, org: &str, body: &str) {
    let r = owner
        .post_form(
            &format!("/app/river/book/organizations/{org}/notes"),
            &[("body", body)],
        )
        .await;
    assert_eq!(r.status, 303, "note not added: {}", r.body);
}

/// Adds the organizations the filter matches to the campaign; returns how many.
async fn from_book(owner: &Client, campaign_path: &str, fields: &[(&str, &str)]) -> i64 {
    let r = owner
        .post_form(&format!("{campaign_path}/outreach/from-book"), fields)
        .await;
    assert_eq!(r.status, 303, "from-book refused: {}", r.body);
    let location = r.location().unwrap().to_owned();
    let added = location.split("added=").nth(1).unwrap().parse().unwrap();
    let page = owner.get(&location).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains(&format!("Added {added} organization")),
        "{}",
        page.body
    );
    added
}

async fn uuid_of(app: &TestApp, sql: &str, bind: &str) -> uuid::Uuid {
    sqlx::query_scalar(sql)
        .bind(bind)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn adding_an_organization_shows_the_same_name_or_website_first() {
    let app = TestApp::spawn().await;
    let owner = setup(&app).await;
    let first = add_org(
        &owner,
        "River Keepers",
        &[
            ("website", "riverkeepers.org"),
            ("size", "regional"),
            ("tags", "water, legal"),
        ],
    )
    .await;

    // The same folded name: shown first, nothing added.
    let r = owner
        .post_form("/app/river/book/new", &[("name", "The River-Keepers")])
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("already in the book"));
    assert!(r.body.contains(&format!("/book/organizations/{first}")));
    assert!(r.body.contains("Add anyway"));
    // The same website domain under another name.
    let r = owner
        .post_form(
            "/app/river/book/new",
            &[
                ("name", "RK Alliance"),
                ("website", "https://www.riverkeepers.org/about"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("River Keepers"), "{}", r.body);
    assert!(r.body.contains("the same website"));
    assert_eq!(app.count("SELECT count(*) FROM organizations").await, 1);

    // "Add anyway": added, flagged as a possible duplicate of the first.
    let second = add_org(&owner, "The River-Keepers", &[("add_anyway", "1")]).await;
    let dup: Option<uuid::Uuid> =
        sqlx::query_scalar("SELECT possible_duplicate_of FROM organizations WHERE id = $1::uuid")
            .bind(&second)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(dup.unwrap().to_string(), first);
    let list = owner.get("/app/river/book").await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains("2 organizations"));
    assert!(list.body.contains("possible duplicate"));
    let page = owner
        .get(&format!("/app/river/book/organizations/{second}"))
        .await;
    assert!(page.body.contains("Possible duplicate of"));

    // A name alone is required; a bad website is refused with the input kept.
    let r = owner
        .post_form(
            "/app/river/book/new",
            &[("name", " "), ("website", "not a site")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("Enter the organization&#39;s name")
            || r.body.contains("Enter the organization's name")
    );
    assert!(r.body.contains("not a site"));

    // Filters of the list.
    let list = owner.get("/app/river/book?tag=legal").await;
    assert!(list.body.contains("1 organization"), "{}", list.body);
    let list = owner.get("/app/river/book?size=regional&sort=newest").await;
    assert!(list.body.contains("1 organization"));
    let list = owner.get("/app/river/book?q=keepers&sort=last_touch").await;
    assert!(list.body.contains("2 organizations"));
}

#[tokio::test]
async fn a_second_campaign_starts_from_those_that_signed_the_first() {
    let app = TestApp::spawn().await;
    let owner = setup(&app).await;
    let heron = add_org(&owner, "Heron Watch", &[("tags", "birds")]).await;
    add_person(&owner, &heron, "Amira Haddad", "amira@heronwatch.example").await;
    let otter = add_org(&owner, "Otter Trust", &[]).await;
    add_person(&owner, &otter, "Omar Lind", "omar@ottertrust.example").await;
    let pike = add_org(&owner, "Pike Society", &[("tags", "birds")]).await;
    add_person(&owner, &pike, "Pia Sand", "pia@pike.example").await;

    // Campaign A asks all three; Heron and Otter sign it, from their people's addresses.
    let (a_path, a_public) = open_campaign(&owner, "river", "water", &[]).await;
    assert_eq!(from_book(&owner, &a_path, &[("q", "")]).await, 3);
    sign_and_confirm(&app, &a_public, "Heron Watch", "amira@heronwatch.example").await;
    sign_and_confirm(&app, &a_public, "Otter Trust", "omar@ottertrust.example").await;
    let signed_in_a = app
        .count("SELECT count(*) FROM prospects WHERE signed_signature_id IS NOT NULL")
        .await;
    assert_eq!(signed_in_a, 2, "the two signatures sign their prospects");

    // The book's list shows who signed A.
    let list = owner.get("/app/river/book?signed=water").await;
    assert!(list.body.contains("2 organizations"), "{}", list.body);
    assert!(list.body.contains("Heron Watch") && list.body.contains("Otter Trust"));
    assert!(!list.body.contains("Pike Society"));

    // Campaign B starts from "signed A": exactly those two, as prospects to ask.
    let b_path = create_campaign(&owner, "river", "air", &[]).await;
    let preview = owner
        .get(&format!("{b_path}/outreach/from-book?signed=water"))
        .await;
    assert_eq!(preview.status, 200);
    assert!(preview.body.contains("2 organizations"), "{}", preview.body);
    assert!(preview.body.contains("Add 2 as prospects"));
    assert_eq!(from_book(&owner, &b_path, &[("signed", "water")]).await, 2);
    let b_id = uuid_of(&app, "SELECT id FROM campaigns WHERE slug = $1", "air").await;
    let names: Vec<(String, String, bool)> = sqlx::query_as(
        "SELECT o.name, p.status, p.signed_signature_id IS NOT NULL FROM prospects p
           JOIN organizations o ON o.id = p.organization_id WHERE p.campaign_id = $1 ORDER BY o.name",
    )
    .bind(b_id)
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(
        names,
        vec![
            ("Heron Watch".to_owned(), "not_contacted".to_owned(), false),
            ("Otter Trust".to_owned(), "not_contacted".to_owned(), false)
        ]
    );
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM signatures WHERE campaign_id = '{b_id}' AND source <> 'host'"
        ))
        .await,
        0,
        "nobody is a signer of B"
    );
    // Again: nothing added twice.
    let preview = owner
        .get(&format!("{b_path}/outreach/from-book?signed=water"))
        .await;
    assert!(
        preview.body.contains("2 already in this campaign"),
        "{}",
        preview.body
    );
    assert_eq!(from_book(&owner, &b_path, &[("signed", "water")]).await, 0);
    // Never asked: none of the three now (all were asked in A? they are prospects, not
    // contacted, and Pike never touched), so only Pike counts as never asked.
    let preview = owner
        .get(&format!("{b_path}/outreach/from-book?never_asked=1"))
        .await;
    assert!(preview.body.contains("1 organization"), "{}", preview.body);

    // The organization page shows both campaigns, with A's outcome and revision.
    let page = owner
        .get(&format!("/app/river/book/organizations/{heron}"))
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Keep the water clean"));
    assert!(page.body.contains("Keep the air clean"));
    assert!(page.body.contains("revision 1"), "{}", page.body);
    assert!(page.body.contains("Amira Haddad"));
    assert!(page.body.contains("Added from the address book (signed"));
}

#[tokio::test]
async fn merging_keeps_people_history_and_both_campaigns() {
    let app = TestApp::spawn().await;
    let owner = setup(&app).await;
    let keep = add_org(&owner, "Heron Watch", &[]).await;
    add_person(&owner, &keep, "Amira Haddad", "amira@heronwatch.example").await;
    add_note(&owner, &keep, "Met at the river fair").await;
    let gone = add_org(&owner, "Heron Watch Coalition", &[]).await;
    add_person(&owner, &gone, "Bo Finch", "bo@heronwatch.example").await;
    add_note(&owner, &gone, "Board meets in March").await;

    let a_path = create_campaign(&owner, "river", "water", &[]).await;
    let b_path = create_campaign(&owner, "river", "air", &[]).await;
    assert_eq!(
        from_book(&owner, &a_path, &[("q", "Heron Watch Coalition")]).await,
        1
    );
    let r = owner.get("/app/river/book?q=Amira").await;
    assert!(r.body.contains("1 organization"));
    assert_eq!(from_book(&owner, &b_path, &[("q", "Amira")]).await, 1);

    // Choose, see, confirm.
    let page = owner
        .get(&format!(
            "/app/river/book/organizations/{keep}/merge?q=Coalition"
        ))
        .await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains(&format!("merge?other={gone}")),
        "{}",
        page.body
    );
    let preview = owner
        .get(&format!(
            "/app/river/book/organizations/{keep}/merge?other={gone}"
        ))
        .await;
    assert_eq!(preview.status, 200);
    assert!(
        preview.body.contains("Heron Watch Coalition</strong> goes"),
        "{}",
        preview.body
    );
    assert!(preview.body.contains("Keep the water clean"));
    let r = owner
        .post_form(
            &format!("/app/river/book/organizations/{keep}/merge"),
            &[("other", &gone), ("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);

    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM organizations WHERE id = '{gone}'"
        ))
        .await,
        0
    );
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM prospects WHERE organization_id = '{keep}'"
        ))
        .await,
        2,
        "both campaigns' prospects point at the kept organization"
    );
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM people WHERE organization_id = '{keep}'"
        ))
        .await,
        2
    );
    let page = owner
        .get(&format!("/app/river/book/organizations/{keep}"))
        .await;
    for text in [
        "Keep the water clean",
        "Keep the air clean",
        "Amira Haddad",
        "Bo Finch",
        "Met at the river fair",
        "Board meets in March",
    ] {
        assert!(page.body.contains(text), "the kept page shows {text}");
    }
    let gone_page = owner
        .get(&format!("/app/river/book/organizations/{gone}"))
        .await;
    assert_eq!(gone_page.status, 404);
}

#[tokio::test]
async fn deleting_an_organization_says_what_goes_and_asks_first() {
    let app = TestApp::spawn().await;
    let owner = setup(&app).await;
    let org = add_org(&owner, "Heron Watch", &[]).await;
    add_person(&owner, &org, "Amira Haddad", "amira@heronwatch.example").await;
    add_note(&owner, &org, "Met at the river fair").await;
    let a_path = create_campaign(&owner, "river", "water", &[]).await;
    assert_eq!(from_book(&owner, &a_path, &[]).await, 1);

    let page = owner
        .get(&format!("/app/river/book/organizations/{org}/delete"))
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("1 person"), "{}", page.body);
    assert!(page.body.contains("prospects in 1 campaign"));
    assert!(page.body.contains("Keep the water clean"));
    assert!(page.body.contains("2 lines of history"));

    // Without the confirmation, nothing goes.
    let r = owner
        .post_form(&format!("/app/river/book/organizations/{org}/delete"), &[])
        .await;
    assert_eq!(r.status, 303);
    assert!(r.location().unwrap().ends_with("/delete"));
    assert_eq!(app.count("SELECT count(*) FROM organizations").await, 1);

    let r = owner
        .post_form(
            &format!("/app/river/book/organizations/{org}/delete"),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, 303);
    let list = owner.get(r.location().unwrap()).await;
    assert!(list.body.contains("Deleted Heron Watch"), "{}", list.body);
    assert_eq!(app.count("SELECT count(*) FROM organizations").await, 0);
    assert_eq!(app.count("SELECT count(*) FROM people").await, 0);
    assert_eq!(app.count("SELECT count(*) FROM prospects").await, 0);
    assert_eq!(
        owner
            .get(&format!("/app/river/book/organizations/{org}"))
            .await
            .status,
        404
    );
}

/// A request to make: (method, url, form fields).
type Request = (&'static str, String, Vec<(&'static str, String)>);

/// Every book URL with what a request sends.
fn book_urls(org: &str, other: &str, person: &str, campaign: &str) -> Vec<Request> {
    let b = "/app/river/book".to_owned();
    let o = format!("{b}/organizations/{org}");
    let f = |pairs: &[(&'static str, &str)]| -> Vec<(&'static str, String)> {
        pairs.iter().map(|(k, v)| (*k, (*v).to_owned())).collect()
    };
    vec![
        ("GET", b.clone(), vec![]),
        (
            "GET",
            format!("{b}?q=heron&signed=water&never_asked=1&sort=newest"),
            vec![],
        ),
        ("GET", format!("{b}/migration"), vec![]),
        ("GET", o.clone(), vec![]),
        ("GET", format!("{b}/new"), vec![]),
        ("GET", format!("{o}/merge"), vec![]),
        ("GET", format!("{o}/merge?other={other}"), vec![]),
        ("GET", format!("{o}/delete"), vec![]),
        (
            "GET",
            format!("/app/river/campaigns/{campaign}/outreach/from-book?tag=x"),
            vec![],
        ),
        ("POST", format!("{b}/new"), f(&[("name", "Brand New Org")])),
        ("POST", o.clone(), f(&[("name", "Renamed")])),
        (
            "POST",
            format!("{o}/hold"),
            f(&[("reason", "Board meets"), ("until", "2027-01-10")]),
        ),
        ("POST", format!("{o}/notes"), f(&[("body", "A note")])),
        (
            "POST",
            format!("{o}/people"),
            f(&[("name", "Kim Reed"), ("email", "kim@x.example")]),
        ),
        (
            "POST",
            format!("{b}/people/{person}"),
            f(&[("name", "Sam Renamed")]),
        ),
        (
            "POST",
            format!("/app/river/campaigns/{campaign}/outreach/from-book"),
            f(&[("tag", "x")]),
        ),
        (
            "POST",
            format!("{b}/people/{person}/remove"),
            f(&[("confirm", "yes")]),
        ),
        (
            "POST",
            format!("{o}/merge"),
            f(&[("other", other), ("confirm", "yes")]),
        ),
        ("POST", format!("{o}/delete"), f(&[("confirm", "yes")])),
    ]
}

async fn request(client: &Client, method: &str, url: &str, fields: &[(&str, String)]) -> u16 {
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    if method == "GET" {
        client.get(url).await.status
    } else {
        client.post_form(url, &fields).await.status
    }
}

#[tokio::test]
async fn another_group_gets_404_on_every_book_url_and_viewers_cannot_write() {
    let app = TestApp::spawn().await;
    let owner = setup(&app).await;
    let org = add_org(&owner, "Heron Watch", &[("tags", "x")]).await;
    add_person(&owner, &org, "Sam Lee", "sam@heron.example").await;
    let other = add_org(&owner, "Otter Trust", &[]).await;
    create_campaign(&owner, "river", "water", &[]).await;
    let person = uuid_of(&app, "SELECT id FROM people WHERE name = $1", "Sam Lee")
        .await
        .to_string();
    let urls = book_urls(&org, &other, &person, "water");

    let count_all = || async {
        app.count("SELECT count(*) FROM organizations").await
            + app.count("SELECT count(*) FROM people").await
            + app.count("SELECT count(*) FROM prospects").await
            + app.count("SELECT count(*) FROM outreach_activities").await
    };
    let stranger = app.signup("lake", "lou@lake.example").await;
    let before = count_all().await;
    for (method, url, fields) in &urls {
        assert_eq!(
            request(&stranger, method, url, fields).await,
            404,
            "{method} {url} answers 404 to another group"
        );
    }
    assert_eq!(before, count_all().await, "nothing changed");

    let viewer = app
        .join(&owner, "river", "vic@river.example", "viewer", "Vic")
        .await;
    for (method, url, fields) in &urls {
        let status = request(&viewer, method, url, fields).await;
        let confirm_page =
            url.ends_with("/new") || url.contains("/merge") || url.ends_with("/delete");
        if *method == "GET" && !confirm_page {
            assert_eq!(status, 200, "a viewer reads {url}");
        } else {
            assert_eq!(status, 403, "a viewer cannot {method} {url}");
        }
    }
    assert_eq!(before, count_all().await, "nothing changed");

    // The rightful organizer's same requests go through.
    for (method, url, fields) in &urls {
        let status = request(&owner, method, url, fields).await;
        let expected: &[u16] = if *method == "GET" { &[200] } else { &[303] };
        assert!(
            expected.contains(&status),
            "the owner's {method} {url} answered {status}"
        );
    }
    assert_eq!(
        app.count("SELECT count(*) FROM organizations WHERE name = 'Brand New Org'")
            .await,
        1
    );
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM organizations WHERE id = '{org}'"
        ))
        .await,
        0,
        "deleted last"
    );
}

#[tokio::test]
async fn five_thousand_organizations_join_a_campaign_in_one_request() {
    let app = TestApp::spawn().await;
    let owner = setup(&app).await;
    let path = create_campaign(&owner, "river", "water", &[]).await;
    sqlx::query(
        "INSERT INTO organizations (id, tenant_id, name, name_key, sort_key, tags, created_at)
         SELECT gen_random_uuid(), t.id, 'Org ' || n, 'org ' || n, 'org ' || lpad(n::text, 5, '0'),
                ARRAY['bulk'], now()
           FROM tenants t, generate_series(1, 5000) n WHERE t.slug = 'river'",
    )
    .execute(&app.db)
    .await
    .unwrap();
    let preview = owner
        .get(&format!("{path}/outreach/from-book?tag=bulk"))
        .await;
    assert!(
        preview.body.contains("5000 organizations"),
        "{}",
        preview.body
    );
    let started = Instant::now();
    assert_eq!(from_book(&owner, &path, &[("tag", "bulk")]).await, 5000);
    let took = started.elapsed();
    assert!(took.as_secs_f64() < 10.0, "5,000 added in {took:?}");
    assert_eq!(app.count("SELECT count(*) FROM prospects").await, 5000);
    assert_eq!(
        app.count("SELECT count(*) FROM prospects WHERE status = 'not_contacted'")
            .await,
        5000
    );
    let list = owner.get("/app/river/book?tag=bulk&page=100").await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains("page 100 of 100"), "{}", list.body);
}

#[tokio::test]
async fn the_organization_page_keeps_a_group_hold_people_and_notes() {
    let app = TestApp::spawn().await;
    let owner = setup(&app).await;
    let list = owner.get("/app/river").await;
    assert!(
        list.body.contains("/app/river/book\">Address book</a>"),
        "the group's navigation links to the book"
    );
    let org = add_org(
        &owner,
        "Heron Watch",
        &[("region", "Delta"), ("size", "national")],
    )
    .await;
    let page_url = format!("/app/river/book/organizations/{org}");

    // A group-wide hold needs a reason; it shows until lifted.
    let r = owner
        .post_form(
            &format!("{page_url}/hold"),
            &[("reason", " "), ("until", "2027-01-10")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Say why it is on hold"));
    let r = owner
        .post_form(
            &format!("{page_url}/hold"),
            &[
                ("reason", "Board meets in January"),
                ("until", "2027-01-10"),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    let page = owner.get(&page_url).await;
    assert!(page.body.contains("On hold in every campaign"));
    assert!(page.body.contains("Board meets in January"));
    let list = owner
        .get("/app/river/book?region=delta&size=national")
        .await;
    assert!(
        list.body.contains("1 organization") && list.body.contains("on hold"),
        "{}",
        list.body
    );
    let r = owner
        .post_form(&format!("{page_url}/hold"), &[("action", "lift")])
        .await;
    assert_eq!(r.status, 303);
    assert!(!owner
        .get(&page_url)
        .await
        .body
        .contains("On hold in every campaign"));

    // People: the same address twice in one organization is refused, with what was typed.
    add_person(&owner, &org, "Amira Haddad", "amira@heronwatch.example").await;
    let r = owner
        .post_form(
            &format!("{page_url}/people"),
            &[
                ("name", "Someone Else"),
                ("email", "AMIRA@heronwatch.example"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r
        .body
        .contains("Amira Haddad already has this address here"));
    assert!(r.body.contains("Someone Else"));
    let person = uuid_of(
        &app,
        "SELECT id FROM people WHERE name = $1",
        "Amira Haddad",
    )
    .await;
    let r = owner
        .post_form(
            &format!("/app/river/book/people/{person}"),
            &[
                ("name", "Amira H. Haddad"),
                ("role", "Director"),
                ("email", "amira@heronwatch.example"),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    let page = owner.get(&page_url).await;
    assert!(page.body.contains("Amira H. Haddad") && page.body.contains("Director"));
    // Removing asks first.
    let r = owner
        .post_form(&format!("/app/river/book/people/{person}/remove"), &[])
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(app.count("SELECT count(*) FROM people").await, 1);

    // A note belongs to no campaign and shows in the whole history.
    add_note(&owner, &org, "Met at the river fair").await;
    let page = owner.get(&page_url).await;
    assert!(page.body.contains("Met at the river fair"));
    assert!(
        page.body.contains("Address book</span>"),
        "the note is tagged as the book's"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM outreach_activities WHERE campaign_id IS NULL")
            .await,
        1
    );
}

#[tokio::test]
async fn the_migration_report_says_what_was_merged_in_plain_words() {
    let app = TestApp::spawn().await;
    let owner = setup(&app).await;
    let empty = owner.get("/app/river/book/migration").await;
    assert_eq!(empty.status, 200);
    assert!(empty.body.contains("its book started empty"));

    let org = add_org(&owner, "Heron Watch", &[]).await;
    add_person(&owner, &org, "Amira Haddad", "amira@heronwatch.example").await;
    let a_path = create_campaign(&owner, "river", "water", &[]).await;
    let b_path = create_campaign(&owner, "river", "air", &[]).await;
    from_book(&owner, &a_path, &[]).await;
    from_book(&owner, &b_path, &[]).await;
    // What the migration would have written for a group with two campaigns.
    sqlx::raw_sql(
        "INSERT INTO book_migration_counts
         SELECT t.id, 41, 41, 50, 44, 6, 120, 120, 31, 10, now() - interval '1 minute'
           FROM tenants t WHERE t.slug = 'river';
         INSERT INTO book_migration_merges (tenant_id, campaign_id, organization_id, person_id, kind, matched_by)
         SELECT t.id, c.id, o.id, NULL, 'organization', 'name' FROM tenants t, campaigns c, organizations o
          WHERE t.slug = 'river' AND c.slug = 'air';
         INSERT INTO book_migration_merges (tenant_id, campaign_id, organization_id, person_id, kind, matched_by)
         SELECT t.id, c.id, o.id, p.id, 'person', 'email' FROM tenants t, campaigns c, organizations o, people p
          WHERE t.slug = 'river' AND c.slug = 'air'",
    )
    .execute(&app.db)
    .await
    .unwrap();
    let page = owner.get("/app/river/book/migration").await;
    assert_eq!(page.status, 200);
    let text = support::unescape(&page.body);
    assert!(text.contains("41 prospects in 2 campaigns became 31 organizations; 10 were the same organization in another campaign"), "{text}");
    assert!(text.contains("50 contacts became 44 people; 6 were the same person twice"));
    assert!(text.contains("Heron Watch</a>: its prospect in “Keep the air clean” joined the one from “Keep the water clean”, by the same name"), "{text}");
    assert!(text.contains("Amira Haddad (Heron Watch): the contact in “Keep the air clean” is the same person, by the same email address"));
}

#[tokio::test]
async fn a_signature_joins_its_book_organization_to_the_campaign_only_under_its_own_name() {
    let app = TestApp::spawn().await;
    let owner = setup(&app).await;
    let heron = add_org(&owner, "Heron Watch", &[]).await;
    add_person(&owner, &heron, "Amira Haddad", "amira@heronwatch.example").await;
    let otter = add_org(&owner, "Otter Trust", &[]).await;
    add_person(&owner, &otter, "Omar Lind", "omar@ottertrust.example").await;
    // A campaign that asked neither.
    let (_, public) = open_campaign(&owner, "river", "water", &[]).await;
    let signed = |name: &'static str| {
        let app = &app;
        async move {
            app.count(&format!(
                "SELECT count(*) FROM prospects p JOIN organizations o ON o.id = p.organization_id
                 WHERE o.name = '{name}' AND p.signed_signature_id IS NOT NULL"
            ))
            .await
        }
    };

    // Heron Watch's person signs under Heron Watch's name: the book's organization joins
    // the campaign as signed, so its page says so across campaigns.
    sign_and_confirm(&app, &public, "Heron Watch", "amira@heronwatch.example").await;
    assert_eq!(signed("Heron Watch").await, 1);
    let page = owner
        .get(&format!("/app/river/book/organizations/{heron}"))
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Signed"), "{}", page.body);

    // Otter Trust's person signs for another organization: Otter Trust is not marked
    // signed (nor added to the campaign) on an address alone.
    sign_and_confirm(
        &app,
        &public,
        "Kingfisher League",
        "omar@ottertrust.example",
    )
    .await;
    assert_eq!(signed("Otter Trust").await, 0);
    assert_eq!(
        app.count(
            "SELECT count(*) FROM prospects p JOIN organizations o ON o.id = p.organization_id
             WHERE o.name = 'Otter Trust'"
        )
        .await,
        0
    );
}

#[tokio::test]
async fn a_refused_edit_of_a_person_keeps_what_was_typed() {
    let app = TestApp::spawn().await;
    let owner = setup(&app).await;
    let heron = add_org(&owner, "Heron Watch", &[]).await;
    add_person(&owner, &heron, "Amira Haddad", "amira@heronwatch.example").await;
    let person: String = sqlx::query_scalar("SELECT id::text FROM people")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let path = format!("/app/river/book/people/{person}");

    let r = owner
        .post_form(
            &path,
            &[
                ("name", "Amira Haddad-Lind"),
                ("role", "Board chair"),
                ("email", "amira at heronwatch"),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body.contains("Amira Haddad-Lind"),
        "the typed name is kept"
    );
    assert!(r.body.contains("Board chair"), "the typed role is kept");
    assert!(
        r.body.contains("amira at heronwatch"),
        "the typed address is kept"
    );
    assert!(r.body.contains("aria-invalid=\"true\""), "{}", r.body);
    assert!(
        r.body.contains("changes were not saved"),
        "said at the top of the page"
    );
    let email: String = sqlx::query_scalar("SELECT email::text FROM people")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(email, "amira@heronwatch.example", "nothing was saved");

    let r = owner
        .post_form(
            &path,
            &[
                ("name", "Amira Haddad-Lind"),
                ("role", "Board chair"),
                ("email", "amira@heronwatch.example"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let name: String = sqlx::query_scalar("SELECT name FROM people")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(name, "Amira Haddad-Lind");
}

#[tokio::test]
async fn saving_an_organization_with_anothers_website_flags_it_as_a_possible_duplicate() {
    let app = TestApp::spawn().await;
    let owner = setup(&app).await;
    add_org(&owner, "Heron Watch", &[("website", "heronwatch.example")]).await;
    let otter = add_org(&owner, "Otter Trust", &[("website", "otter.example")]).await;
    let page = owner
        .get(&format!("/app/river/book/organizations/{otter}"))
        .await;
    assert!(!page.body.contains("Possible duplicate of"), "not yet");

    let r = owner
        .post_form(
            &format!("/app/river/book/organizations/{otter}"),
            &[
                ("name", "Otter Trust"),
                ("website", "https://heronwatch.example/otters"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = owner
        .get(&format!("/app/river/book/organizations/{otter}"))
        .await;
    assert!(page.body.contains("Possible duplicate of"), "{}", page.body);
    assert!(page.body.contains("Heron Watch"));
}
