//! Statements in their own words: the public form and its protections, the sender's
//! confirmation from the emailed link, organizers' moderation, the separate section of
//! the public page, and tenant isolation.

use crate::support;

use support::campaigns::*;
use support::{unescape, Client, Response, TestApp};
use time::Duration;

const HEADING: &str = "Statements from organizations that did not sign";

async fn setup(app: &TestApp) -> (Client, String, String) {
    let owner = app.signup("river", "ana@river.example").await;
    let (path, public) = open_campaign(&owner, "river", "water", &[]).await;
    (owner, path, public)
}

fn statement<'a>(organization: &'a str, email: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("organization", organization),
        ("contact_name", "Robin Vale"),
        ("email", email),
        (
            "body",
            "We cannot sign as a public body.\nBut we share the aim.\n\nClean water <script>matters</script>.",
        ),
        ("link", "https://hill.example/why?a=1&b=2"),
    ]
}

/// Fills the statement form the way a person does: loads it, takes a few seconds, sends it.
async fn send_with(
    app: &TestApp,
    client: &Client,
    public: &str,
    fields: &[(&str, &str)],
) -> Response {
    let form = client.get(&format!("{public}/statement")).await;
    assert_eq!(form.status, 200, "the form is there: {}", form.body);
    let started = input_value(&form.body, "started").expect("the form carries its start time");
    app.clock.advance(Duration::seconds(5));
    let mut all: Vec<(&str, &str)> = vec![("started", &started)];
    all.extend_from_slice(fields);
    client.post_form(&format!("{public}/statement"), &all).await
}

async fn send(app: &TestApp, public: &str, fields: &[(&str, &str)]) -> Response {
    send_with(app, &app.client(), public, fields).await
}

/// The confirmation link last emailed to `email` (a path).
async fn confirmation_link(app: &TestApp, email: &str) -> String {
    app.link_mailed_to(email, "/statement/").await
}

/// Opens the confirmation page and presses "Confirm", as the sender does.
async fn confirm_from(client: &Client, link: &str) -> Response {
    let page = client.get(link).await;
    assert_eq!(page.status, 200, "the confirmation page: {}", page.body);
    let wording = input_value(&page.body, "wording").expect("the page carries its wording");
    client.post_form(link, &[("wording", &wording)]).await
}

/// The sender confirms the statement from the link emailed to them.
async fn confirm_statement(app: &TestApp, email: &str) {
    let link = confirmation_link(app, email).await;
    let r = confirm_from(&app.client(), &link).await;
    assert_eq!(r.status, 303, "{}", r.body);
}

async fn confirmed(app: &TestApp, organization: &str) -> bool {
    sqlx::query_scalar("SELECT confirmed_at IS NOT NULL FROM statements WHERE organization = $1")
        .bind(organization)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

async fn statement_id(app: &TestApp, organization: &str) -> uuid::Uuid {
    sqlx::query_scalar("SELECT id FROM statements WHERE organization = $1")
        .bind(organization)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

async fn state_of(app: &TestApp, organization: &str) -> String {
    sqlx::query_scalar("SELECT state FROM statements WHERE organization = $1")
        .bind(organization)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

/// The statements section of a public page ("" when there is none).
fn statements_section(html: &str) -> String {
    let Some(start) = html.find(HEADING) else {
        return String::new();
    };
    let rest = &html[start..];
    rest[..rest.find("</section>").unwrap_or(rest.len())].to_owned()
}

async fn decide(
    client: &Client,
    path: &str,
    id: uuid::Uuid,
    decision: &str,
    reason: &str,
) -> Response {
    client
        .post_form(
            &format!("{path}/statements/{id}/decide"),
            &[("decision", decision), ("reason", reason)],
        )
        .await
}

#[tokio::test]
async fn a_statement_is_public_only_while_approved_and_apart_from_the_signers() {
    let app = TestApp::spawn().await;
    let (owner, path, public) = setup(&app).await;
    sign_and_confirm(&app, &public, "Lake Friends", "lee@lake.example").await;

    let page = app.client().get(&public).await;
    assert!(
        page.body.contains(&format!("href=\"{public}/statement\"")),
        "the page links the form"
    );

    let r = send(
        &app,
        &public,
        &statement("Hill Alliance", "robin@hill.example"),
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), Some("/river/water/statement/sent"));
    let sent = app.client().get("/river/water/statement/sent").await;
    assert_eq!(sent.status, 200);
    assert!(unescape(&sent.body).contains("Check your email"));
    assert_eq!(state_of(&app, "Hill Alliance").await, "pending");
    assert_eq!(
        app.count("SELECT count(*) FROM outbox WHERE recipient = 'robin@hill.example'")
            .await,
        1,
        "an email to confirm"
    );
    confirm_statement(&app, "robin@hill.example").await;

    // Pending: not on the public page, even once the page shows the newest signer.
    let page = public_page_once(&app, &public, |p| {
        listed_names(&p.body).contains(&"Lake Friends".to_string())
    })
    .await;
    assert!(listed_names(&page.body).contains(&"Lake Friends".to_string()));
    assert!(!page.body.contains("Hill Alliance") && !page.body.contains(HEADING));

    // Organizers see it, with the address confirmed and the domain check.
    let list = owner.get(&format!("{path}/statements")).await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains("Hill Alliance") && list.body.contains("robin@hill.example"));
    assert!(list.body.contains("confirmed by its sender"));
    assert!(list.body.contains("domain matches"));
    let dashboard = owner.get(&path).await;
    assert!(
        dashboard
            .body
            .contains(&format!("href=\"{path}/statements\"")),
        "linked from the campaign nav"
    );

    let id = statement_id(&app, "Hill Alliance").await;
    let r = decide(&owner, &path, id, "approve", "").await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(state_of(&app, "Hill Alliance").await, "approved");

    // Approved: in its own section after the signers, never among them.
    let page = public_page_once(&app, &public, |p| p.body.contains(HEADING)).await;
    let section = statements_section(&page.body);
    assert!(section.contains("<h3>Hill Alliance</h3>"), "{section}");
    assert!(!listed_names(&page.body).contains(&"Hill Alliance".to_string()));
    assert!(
        page.body.find(HEADING) > page.body.find("class=\"signer-list\""),
        "after the signer list"
    );
    assert!(
        section.contains("<p>We cannot sign as a public body.<br>But we share the aim.</p>"),
        "paragraphs: {section}"
    );
    assert!(
        section.contains("Clean water &#60;script&#62;matters&#60;/script&#62;."),
        "escaped: {section}"
    );
    assert!(!section.contains("<script>"));
    assert!(section.contains("rel=\"nofollow noopener\""));
    assert!(
        section.contains("href=\"https://hill.example/why?a=1&#38;b=2\""),
        "{section}"
    );
    assert!(
        !section.contains("Robin Vale") && !section.contains("robin@hill.example"),
        "contact never public"
    );

    // Withdrawing the approval takes it off at once.
    let r = decide(&owner, &path, id, "withdraw", "").await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(state_of(&app, "Hill Alliance").await, "pending");
    let page = app.client().get(&public).await;
    assert!(!page.body.contains("Hill Alliance"), "removed at once");

    // Approved again, then rejected: a reason is required, and it goes at once.
    assert_eq!(decide(&owner, &path, id, "approve", "").await.status, 303);
    public_page_once(&app, &public, |p| p.body.contains("Hill Alliance")).await;
    let refused = decide(&owner, &path, id, "reject", "  ").await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("Say why you reject"));
    assert_eq!(state_of(&app, "Hill Alliance").await, "approved");
    let r = decide(&owner, &path, id, "reject", "Not an organization").await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = app.client().get(&public).await;
    assert!(!page.body.contains("Hill Alliance") && !page.body.contains(HEADING));
    let list = owner.get(&format!("{path}/statements")).await;
    assert!(list.body.contains("Not an organization"));
    // A rejected statement cannot be "withdrawn"; an unknown decision changes nothing.
    assert_eq!(decide(&owner, &path, id, "withdraw", "").await.status, 422);
    assert_eq!(decide(&owner, &path, id, "publish", "").await.status, 422);
    assert_eq!(state_of(&app, "Hill Alliance").await, "rejected");
    // Statements never touch the signers.
    assert_eq!(
        app.count("SELECT count(*) FROM signatures WHERE name = 'Hill Alliance'")
            .await,
        0
    );
}

#[tokio::test]
async fn the_form_keeps_what_was_typed_and_refuses_javascript_links() {
    let app = TestApp::spawn().await;
    let (_, _, public) = setup(&app).await;
    let fields = vec![
        ("organization", ""),
        ("contact_name", "Robin Vale"),
        ("email", "not an address"),
        ("body", "Our words & reasons"),
        ("link", "javascript:alert(1)"),
    ];
    let r = send(&app, &public, &fields).await;
    assert_eq!(r.status, 422);
    for id in ["organization-error", "email-error", "link-error"] {
        assert!(r.body.contains(&format!("id=\"{id}\"")), "{id}");
    }
    assert!(r.body.contains("value=\"Robin Vale\""));
    assert!(unescape(&r.body).contains("Our words & reasons</textarea>"));
    assert!(
        r.body.contains("value=\"javascript:alert(1)\""),
        "the link is kept to fix"
    );

    // Other schemes and bare names are refused too; an over-long text is named.
    let long = "x".repeat(5001);
    for (field, value) in [
        ("link", "data:text/html,hi"),
        ("link", "hill.example"),
        ("body", long.as_str()),
    ] {
        let mut fields = statement("Hill Alliance", "robin@hill.example");
        fields.retain(|(k, _)| *k != field);
        fields.push((field, value));
        let r = send(&app, &public, &fields).await;
        assert_eq!(r.status, 422, "{field}={value}");
        assert!(r.body.contains(&format!("id=\"{field}-error\"")), "{field}");
    }
    assert_eq!(app.count("SELECT count(*) FROM statements").await, 0);

    // Without a link, and with one, it goes through.
    let mut fields = statement("Hill Alliance", "robin@hill.example");
    fields.retain(|(k, _)| *k != "link");
    assert_eq!(send(&app, &public, &fields).await.status, 303);
    assert_eq!(
        app.count("SELECT count(*) FROM statements WHERE link = ''")
            .await,
        1
    );
}

#[tokio::test]
async fn the_per_address_rate_limit_answers_429_with_the_input_kept() {
    let app = TestApp::spawn().await;
    let (_, _, public) = setup(&app).await;
    for n in 0..5 {
        let r = send(
            &app,
            &public,
            &statement(&format!("Org {n}"), &format!("o{n}@example.org")),
        )
        .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    let r = send(&app, &public, &statement("Org 6", "o6@example.org")).await;
    assert_eq!(r.status, 429);
    assert!(r.body.contains("Please wait five minutes"));
    assert!(r.body.contains("value=\"Org 6\""), "what was typed is kept");
    assert!(r.body.contains("We cannot sign as a public body."));
    assert_eq!(app.count("SELECT count(*) FROM statements").await, 5);
    // Its own limit: signing is not counted with it.
    assert_eq!(
        sign(
            &app,
            &public,
            &organization("Lake Friends", "lee@lake.example")
        )
        .await
        .status,
        303
    );

    app.clock.advance(Duration::minutes(5));
    assert_eq!(
        send(&app, &public, &statement("Org 6", "o6@example.org"))
            .await
            .status,
        303
    );
}

#[tokio::test]
async fn the_form_stops_bots_without_bothering_people() {
    let app = TestApp::spawn().await;
    let (_, _, public) = setup(&app).await;
    // A filled honeypot looks like success and stores nothing.
    let mut bot = statement("Bot Org", "bot@example.org");
    bot.push(("nickname", "gotcha"));
    let r = send(&app, &public, &bot).await;
    assert_eq!(r.status, 303);
    assert_eq!(r.location(), Some("/river/water/statement/sent"));

    // Too fast: asked to send again, input kept, nothing stored.
    let client = app.client();
    let form = client.get(&format!("{public}/statement")).await;
    let started = input_value(&form.body, "started").unwrap();
    let mut fields = statement("Quick Org", "quick@example.org");
    fields.push(("started", &started));
    let r = client
        .post_form(&format!("{public}/statement"), &fields)
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("faster than we expected"));
    assert!(r.body.contains("value=\"Quick Org\""));
    // A forged start time, or the sign-on form's, is no better.
    app.clock.advance(Duration::seconds(5));
    let sign_form = client.get(&format!("{public}/sign")).await;
    let sign_started = input_value(&sign_form.body, "started").unwrap();
    app.clock.advance(Duration::seconds(5));
    for token in ["1000.abcdef", sign_started.as_str(), ""] {
        let mut forged = statement("Quick Org", "quick@example.org");
        forged.push(("started", token));
        let r = client
            .post_form(&format!("{public}/statement"), &forged)
            .await;
        assert_eq!(r.status, 422, "started={token}");
    }
    assert_eq!(app.count("SELECT count(*) FROM statements").await, 0);

    // Without a CSRF token: refused.
    let raw = app
        .client()
        .post_raw(
            &format!("{public}/statement"),
            "application/x-www-form-urlencoded",
            "organization=X",
        )
        .await;
    assert_eq!(raw.status, 403);
    assert_eq!(app.count("SELECT count(*) FROM statements").await, 0);
}

#[tokio::test]
async fn a_draft_campaign_takes_no_statement() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let path = create_campaign(&owner, "river", "water", &[]).await;
    let visitor = app.client();
    assert_eq!(visitor.get("/river/water/statement").await.status, 404);
    assert_eq!(visitor.get("/river/water/statement/sent").await.status, 404);
    let r = visitor
        .post_form(
            "/river/water/statement",
            &statement("Hill Alliance", "robin@hill.example"),
        )
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(app.count("SELECT count(*) FROM statements").await, 0);
    // The organizers' page works for a draft all the same.
    assert_eq!(owner.get(&format!("{path}/statements")).await.status, 200);
    // Once open, the form is there.
    assert_eq!(set_status(&owner, &path, "open").await.status, 303);
    assert_eq!(visitor.get("/river/water/statement").await.status, 200);
}

#[tokio::test]
async fn another_groups_organizer_gets_404_on_every_statements_url() {
    let app = TestApp::spawn().await;
    let owner = app.signup("tenant-a", "ana@a.example").await;
    let (path, public) = open_campaign(&owner, "tenant-a", "water", &[]).await;
    assert_eq!(
        send(
            &app,
            &public,
            &statement("Hill Alliance", "robin@hill.example")
        )
        .await
        .status,
        303
    );
    confirm_statement(&app, "robin@hill.example").await;
    let id = statement_id(&app, "Hill Alliance").await;
    let intruder = app.signup("tenant-b", "eve@b.example").await;
    let (own_path, own_public) = open_campaign(&intruder, "tenant-b", "other", &[]).await;
    assert_eq!(
        send(
            &app,
            &own_public,
            &statement("Own Alliance", "own@b.example")
        )
        .await
        .status,
        303
    );
    confirm_statement(&app, "own@b.example").await;
    let own_id = statement_id(&app, "Own Alliance").await;

    let list = format!("{path}/statements");
    assert_eq!(owner.get(&list).await.status, 200, "the owner reads it");
    let r = intruder.get(&list).await;
    assert_eq!(r.status, 404);
    assert!(!r.body.contains("Hill Alliance"));
    // B's own campaign with A's statement is no better.
    assert_eq!(
        intruder.get(&format!("{own_path}/statements")).await.status,
        200
    );
    for decision in ["approve", "reject", "withdraw"] {
        for base in [&path, &own_path] {
            let r = decide(&intruder, base, id, decision, "x").await;
            assert_eq!(r.status, 404, "{decision} through {base}");
        }
    }
    assert_eq!(
        state_of(&app, "Hill Alliance").await,
        "pending",
        "nothing changed"
    );
    // A's owner cannot reach B's statement through A's campaign either.
    assert_eq!(
        decide(&owner, &path, own_id, "approve", "").await.status,
        404
    );
    assert_eq!(state_of(&app, "Own Alliance").await, "pending");

    // The rightful owner's decisions go through (so the 404s above were refusals).
    assert_eq!(decide(&owner, &path, id, "approve", "").await.status, 303);
    assert_eq!(decide(&owner, &path, id, "withdraw", "").await.status, 303);
    assert_eq!(decide(&owner, &path, id, "reject", "x").await.status, 303);
    assert_eq!(
        decide(&intruder, &own_path, own_id, "approve", "")
            .await
            .status,
        303
    );
    assert_eq!(state_of(&app, "Own Alliance").await, "approved");
}

#[tokio::test]
async fn viewers_read_statements_but_cannot_decide() {
    let app = TestApp::spawn().await;
    let (owner, path, public) = setup(&app).await;
    assert_eq!(
        send(
            &app,
            &public,
            &statement("Hill Alliance", "robin@hill.example")
        )
        .await
        .status,
        303
    );
    confirm_statement(&app, "robin@hill.example").await;
    let id = statement_id(&app, "Hill Alliance").await;
    let viewer = app
        .join(&owner, "river", "vic@river.example", "viewer", "Vic")
        .await;

    let list = viewer.get(&format!("{path}/statements")).await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains("Hill Alliance"));
    assert!(
        !list.body.contains("value=\"approve\""),
        "no buttons for viewers"
    );
    for decision in ["approve", "reject"] {
        assert_eq!(
            decide(&viewer, &path, id, decision, "x").await.status,
            403,
            "{decision}"
        );
    }
    assert_eq!(decide(&owner, &path, id, "approve", "").await.status, 303);
    assert_eq!(decide(&viewer, &path, id, "withdraw", "").await.status, 403);
    assert_eq!(state_of(&app, "Hill Alliance").await, "approved");
    // The owner's same withdrawal goes through: the 403 was about the role.
    assert_eq!(decide(&owner, &path, id, "withdraw", "").await.status, 303);
    assert_ne!(state_of(&app, "Hill Alliance").await, "approved");
}

/// Organizers learn that a statement waits once its sender confirmed it: the owners and
/// organizers (not viewers) are emailed a link to the Statements page, at most once an
/// hour per campaign, however many statements are confirmed.
#[tokio::test]
async fn owners_and_organizers_are_told_a_statement_waits_once_an_hour() {
    let app = TestApp::spawn().await;
    let (owner, path, public) = setup(&app).await;
    app.join(&owner, "river", "oli@river.example", "organizer", "Oli")
        .await;
    app.join(&owner, "river", "vic@river.example", "viewer", "Vic")
        .await;
    let told = || async {
        sqlx::query_scalar::<_, String>(
            "SELECT recipient FROM outbox WHERE message ->> 'kind' = 'statement_waiting' ORDER BY id",
        )
        .fetch_all(&app.db)
        .await
        .unwrap()
    };
    assert!(told().await.is_empty());

    let r = send(
        &app,
        &public,
        &statement("Hill Alliance", "robin@hill.example"),
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(told().await.is_empty(), "not before its sender confirms it");
    confirm_statement(&app, "robin@hill.example").await;
    let mut first = told().await;
    first.sort();
    assert_eq!(
        first,
        ["ana@river.example", "oli@river.example"],
        "not the viewer"
    );
    let link = app.link_mailed_to("oli@river.example", "/statements").await;
    assert_eq!(link, format!("{path}/statements"));
    let stored: Vec<String> = sqlx::query_scalar(
        "SELECT message::text FROM outbox WHERE message ->> 'kind' = 'statement_waiting'",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert!(
        stored.iter().all(|m| !m.contains("Hill Alliance")),
        "nothing the public typed goes into the organizers' mail"
    );
    let page = owner.get(&link).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Hill Alliance"));

    // A second statement within the hour adds nothing to their inboxes.
    let r = send(&app, &public, &statement("Dale Trust", "sam@dale.example")).await;
    assert_eq!(r.status, 303);
    confirm_statement(&app, "sam@dale.example").await;
    assert_eq!(told().await.len(), 2);
    // The next hour's first confirmed statement is told again.
    app.clock.advance(Duration::hours(1));
    let r = send(&app, &public, &statement("Moor Union", "kit@moor.example")).await;
    assert_eq!(r.status, 303);
    confirm_statement(&app, "kit@moor.example").await;
    assert_eq!(told().await.len(), 4);
}

/// A stranger sends a statement in a listed signer's name: until the address they typed
/// confirms it, organizers cannot approve it (refused, not just hidden) and the public page
/// never shows it. Once confirmed from the emailed link, approving publishes it.
#[tokio::test]
async fn an_unconfirmed_statement_cannot_be_approved_or_published() {
    let app = TestApp::spawn().await;
    let (owner, path, public) = setup(&app).await;
    sign_and_confirm(
        &app,
        &public,
        "Riverkeepers United",
        "ria@riverkeepers.example",
    )
    .await;
    let r = send(
        &app,
        &public,
        &statement("Riverkeepers United", "ria@riverkeepers.example"),
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let id = statement_id(&app, "Riverkeepers United").await;

    let refused = decide(&owner, &path, id, "approve", "").await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(unescape(&refused.body).contains("has not confirmed this statement"));
    assert_eq!(state_of(&app, "Riverkeepers United").await, "pending");
    assert!(!confirmed(&app, "Riverkeepers United").await);
    let list = owner.get(&format!("{path}/statements")).await;
    assert_eq!(list.status, 200);
    assert!(unescape(&list.body).contains("Awaiting the sender's confirmation"));
    assert!(list.body.contains("not confirmed by its sender"));
    assert!(
        !list.body.contains("value=\"approve\""),
        "no Approve button"
    );
    let page = public_page_once(&app, &public, |p| {
        listed_names(&p.body).contains(&"Riverkeepers United".to_string())
    })
    .await;
    assert!(!page.body.contains(HEADING), "nothing public");
    assert_eq!(
        app.count("SELECT count(*) FROM outbox WHERE message ->> 'kind' = 'statement_waiting'")
            .await,
        0,
        "organizers are not told of an unconfirmed statement"
    );

    // The positive control: its sender confirms, then the same click approves it.
    confirm_statement(&app, "ria@riverkeepers.example").await;
    assert!(confirmed(&app, "Riverkeepers United").await);
    assert!(
        app.count("SELECT count(*) FROM outbox WHERE message ->> 'kind' = 'statement_waiting'")
            .await
            > 0,
        "now the organizers are told"
    );
    let r = decide(&owner, &path, id, "approve", "").await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = public_page_once(&app, &public, |p| p.body.contains(HEADING)).await;
    assert!(statements_section(&page.body).contains("<h3>Riverkeepers United</h3>"));
}

/// The link confirms only its own statement, only by the POST of its page, and once; a
/// link that finds nothing answers one clear page.
#[tokio::test]
async fn a_confirmation_link_confirms_its_own_statement_only_by_post_and_once() {
    let app = TestApp::spawn().await;
    let (_, _, public) = setup(&app).await;
    for (organization, email) in [
        ("Hill Alliance", "robin@hill.example"),
        ("Dale Trust", "sam@dale.example"),
    ] {
        let r = send(&app, &public, &statement(organization, email)).await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    let hill_link = confirmation_link(&app, "robin@hill.example").await;
    let hill = statement_id(&app, "Hill Alliance").await;
    let dale = statement_id(&app, "Dale Trust").await;
    assert!(
        hill_link.starts_with(&format!("{public}/statement/{hill}/")),
        "{hill_link}"
    );
    let token = hill_link.rsplit('/').next().unwrap().to_owned();

    // GET shows the statement as it would be published, and confirms nothing.
    let visitor = app.client();
    for _ in 0..2 {
        let page = visitor.get(&hill_link).await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.body.contains("<h2>Hill Alliance</h2>"));
        assert!(page
            .body
            .contains("<p>We cannot sign as a public body.<br>But we share the aim.</p>"));
        assert!(page
            .body
            .contains("Clean water &#60;script&#62;matters&#60;/script&#62;."));
        assert!(
            !page.body.contains("Robin Vale"),
            "only what would be public"
        );
    }
    assert!(
        !confirmed(&app, "Hill Alliance").await,
        "GET never confirms"
    );

    // Hill's token on Dale's address finds nothing, by GET or POST.
    let crossed = format!("{public}/statement/{dale}/{token}");
    let page = visitor.get(&crossed).await;
    assert_eq!(page.status, 410);
    assert!(page.body.contains("This link no longer works"));
    let r = visitor.post_form(&crossed, &[("wording", "1")]).await;
    assert_eq!(r.status, 410);
    assert!(!confirmed(&app, "Dale Trust").await && !confirmed(&app, "Hill Alliance").await);

    // Garbled links: a clear page, never a 500.
    let garbled = [
        format!("{public}/statement/{hill}/short"),
        format!("{public}/statement/{hill}/{}", "A".repeat(43)),
        format!("{public}/statement/{hill}/{token}x"),
        format!("{public}/statement/{hill}/%00%ff"),
        format!("{public}/statement/not-a-uuid/{token}"),
    ];
    for link in &garbled {
        let page = visitor.get(link).await;
        assert!(matches!(page.status, 404 | 410), "{link}: {}", page.status);
        let r = visitor.post_form(link, &[("wording", "1")]).await;
        assert!(matches!(r.status, 404 | 410), "{link}: {}", r.status);
    }
    let page = visitor.get(&garbled[1]).await;
    assert!(page.body.contains("send your statement again"));
    // A confirmation without the page's wording, or without a CSRF token, does nothing.
    let r = visitor.post_form(&hill_link, &[("wording", "x")]).await;
    assert_eq!(r.status, 409);
    let raw = app
        .client()
        .post_raw(&hill_link, "application/x-www-form-urlencoded", "wording=1")
        .await;
    assert_eq!(raw.status, 403);
    assert!(!confirmed(&app, "Hill Alliance").await);

    // The rightful POST confirms, once; the spent link then says so.
    let r = confirm_from(&visitor, &hill_link).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), Some("/river/water/statement/confirmed"));
    let done = visitor.get("/river/water/statement/confirmed").await;
    assert_eq!(done.status, 200);
    assert!(done.body.contains("Statement confirmed"));
    assert!(confirmed(&app, "Hill Alliance").await);
    assert!(!confirmed(&app, "Dale Trust").await);
    assert_eq!(visitor.get(&hill_link).await.status, 410);
    assert_eq!(
        visitor
            .post_form(&hill_link, &[("wording", "1")])
            .await
            .status,
        410
    );

    // An expired link: the same clear page.
    app.clock.advance(Duration::days(8));
    let dale_link = confirmation_link(&app, "sam@dale.example").await;
    let page = visitor.get(&dale_link).await;
    assert_eq!(page.status, 410);
    assert_eq!(
        visitor
            .post_form(&dale_link, &[("wording", "1")])
            .await
            .status,
        410
    );
    assert!(!confirmed(&app, "Dale Trust").await);
}

/// Mail from our address carries nothing a stranger typed: not the organization, not the
/// contact's name, not a word of the statement or its link.
#[tokio::test]
async fn the_confirmation_email_carries_nothing_the_public_typed() {
    let app = TestApp::spawn().await;
    let (_, _, public) = setup(&app).await;
    let fields = vec![
        (
            "organization",
            "Riverkeepers United: your account is locked, call +1 555 0100",
        ),
        ("contact_name", "Security Desk"),
        ("email", "ria@riverkeepers.example"),
        ("body", "Verify your password at evil.example today."),
        ("link", "https://evil.example/login"),
    ];
    let r = send(&app, &public, &fields).await;
    assert_eq!(r.status, 303, "{}", r.body);
    app.dispatch_mail().await;
    let mail = app.mail_to("ria@riverkeepers.example");
    assert_eq!(mail.len(), 1, "one email to confirm");
    let message = &mail[0];
    assert!(
        message.subject.contains("Confirm your statement"),
        "{}",
        message.subject
    );
    for typed in [
        "Riverkeepers",
        "account is locked",
        "555",
        "Security Desk",
        "Verify your password",
        "evil.example",
    ] {
        for (part, text) in [
            ("subject", &message.subject),
            ("text", &message.text),
            ("html", &message.html),
        ] {
            assert!(!text.contains(typed), "{part} carries {typed:?}: {text}");
        }
    }
    let stored: String = sqlx::query_scalar(
        "SELECT message::text FROM outbox WHERE message ->> 'kind' = 'confirm_statement'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert!(!stored.contains("Riverkeepers") && !stored.contains("evil.example"));
    assert!(
        message.text.contains("/statement/"),
        "it carries the link: {}",
        message.text
    );
}

/// Sent again from the same address while unconfirmed, the newest text replaces the
/// waiting one; a new link (and email) goes at most once an hour, and a confirmation
/// counts only for the text its page showed.
#[tokio::test]
async fn a_resubmission_replaces_the_text_and_mails_at_most_once_an_hour() {
    let app = TestApp::spawn().await;
    let (_, _, public) = setup(&app).await;
    let confirmations = || async {
        app.count("SELECT count(*) FROM outbox WHERE message ->> 'kind' = 'confirm_statement'")
            .await
    };
    let r = send(
        &app,
        &public,
        &statement("Hill Alliance", "robin@hill.example"),
    )
    .await;
    assert_eq!(r.status, 303);
    let first_link = confirmation_link(&app, "robin@hill.example").await;
    let visitor = app.client();
    let first_page = visitor.get(&first_link).await;
    let shown = input_value(&first_page.body, "wording").unwrap();

    let mut fixed = statement("Hill Alliance", "ROBIN@hill.example");
    fixed.retain(|(k, _)| *k != "body");
    fixed.push(("body", "Our corrected words."));
    let r = send(&app, &public, &fixed).await;
    assert_eq!(r.status, 303);
    assert_eq!(confirmations().await, 1, "no second email within the hour");
    assert_eq!(
        app.count("SELECT count(*) FROM statements").await,
        1,
        "replaced, not added"
    );

    // The page opened before the change cannot confirm the old text: 409 with the new one.
    let r = visitor.post_form(&first_link, &[("wording", &shown)]).await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("Our corrected words."));
    assert!(!confirmed(&app, "Hill Alliance").await);

    // An hour on, sending again mails a new link; the old one is spent.
    app.clock.advance(Duration::minutes(61));
    let r = send(&app, &public, &fixed).await;
    assert_eq!(r.status, 303);
    assert_eq!(confirmations().await, 2);
    let second_link = confirmation_link(&app, "robin@hill.example").await;
    assert_ne!(second_link, first_link);
    assert_eq!(visitor.get(&first_link).await.status, 410);
    let r = confirm_from(&visitor, &second_link).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let body: String = sqlx::query_scalar("SELECT body FROM statements")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(body, "Our corrected words.");

    // Once confirmed, a new statement from the address is a statement of its own.
    let r = send(
        &app,
        &public,
        &statement("Hill Alliance", "robin@hill.example"),
    )
    .await;
    assert_eq!(r.status, 303);
    assert_eq!(app.count("SELECT count(*) FROM statements").await, 2);
}

/// Organizers get the check signatures get: is the address at the organization's site
/// (the linked one, and a listed signer's of the same name)?
#[tokio::test]
async fn organizers_see_whether_the_address_matches_the_linked_site() {
    let app = TestApp::spawn().await;
    let (owner, path, public) = setup(&app).await;
    let mut signer = organization("Riverkeepers United", "ria@riverkeepers.example");
    signer.retain(|(k, _)| *k != "website");
    signer.push(("website", "riverkeepers.example"));
    assert_eq!(sign(&app, &public, &signer).await.status, 303);
    confirm(&app, "ria@riverkeepers.example").await;
    for (organization, email) in [
        ("Hill Alliance", "robin@hill.example"),
        ("Gmail Hill", "robin.hill@gmail.com"),
        ("riverkeepers united", "press@riverkeepers-united.example"),
    ] {
        assert_eq!(
            send(&app, &public, &statement(organization, email))
                .await
                .status,
            303
        );
        confirm_statement(&app, email).await;
    }
    let list = owner.get(&format!("{path}/statements")).await;
    let hill = statement_id(&app, "Hill Alliance").await;
    let gmail = statement_id(&app, "Gmail Hill").await;
    let article = |id: uuid::Uuid| {
        let start = list.body.find(&format!("id=\"statement-{id}\"")).unwrap();
        let rest = &list.body[start..];
        rest[..rest.find("</article>").unwrap()].to_owned()
    };
    assert!(article(hill).contains("domain matches"));
    assert!(!article(gmail).contains("domain matches"));
    assert!(article(gmail).contains("look closer before approving"));
    assert!(!article(hill).contains("signed this letter"));
    // A statement in a listed signer's name is checked against that signer's website.
    let impostor = article(statement_id(&app, "riverkeepers united").await);
    assert!(impostor.contains("An organization of this name signed this letter (website https://riverkeepers.example/)"), "{impostor}");
    assert!(
        unescape(&impostor).contains("not at its website's domain"),
        "{impostor}"
    );
}

/// A statement approved before confirmation existed stays published, marked so to
/// readers; withdrawn, it cannot be approved again until its sender confirms it.
#[tokio::test]
async fn a_statement_approved_before_confirmation_stays_but_cannot_come_back_unconfirmed() {
    let app = TestApp::spawn().await;
    let (owner, path, public) = setup(&app).await;
    assert_eq!(
        send(
            &app,
            &public,
            &statement("Hill Alliance", "robin@hill.example")
        )
        .await
        .status,
        303
    );
    // As the migration leaves one: approved, never confirmed, no live link.
    sqlx::query(
        "UPDATE statements SET state = 'approved', approved_before_confirmation = true,
                token_hash = NULL, token_expires_at = NULL",
    )
    .execute(&app.db)
    .await
    .unwrap();
    let id = statement_id(&app, "Hill Alliance").await;
    let page = public_page_once(&app, &public, |p| p.body.contains(HEADING)).await;
    let section = statements_section(&page.body);
    assert!(section.contains("<h3>Hill Alliance</h3>"));
    assert!(section.contains("before senders confirmed their statements"));

    assert_eq!(decide(&owner, &path, id, "withdraw", "").await.status, 303);
    let refused = decide(&owner, &path, id, "approve", "").await;
    assert_eq!(refused.status, 422);
    assert_eq!(state_of(&app, "Hill Alliance").await, "pending");
    let page = app.client().get(&public).await;
    assert!(!page.body.contains("Hill Alliance"));
    // The schema refuses it too.
    let forced = sqlx::query("UPDATE statements SET state = 'approved' WHERE id = $1")
        .bind(id)
        .execute(&app.db)
        .await;
    assert!(
        forced.is_err(),
        "an unconfirmed statement cannot be approved"
    );
}
