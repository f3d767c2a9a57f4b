//! Tests of the coalition list (issue 20): coalition_members. Joining only by the
//! person's own click (the confirmation box, a member update's join link, an
//! invitation's button, the join page), the magic-link sign-in, the member's page,
//! one-click leaving (RFC 8058), the organizers' members pages, and erasure.

use crate::support;

use support::campaigns::{
    confirm_from, input_value, open_campaign, organization, sign, sign_and_confirm,
};
use support::{Client, TestApp};
use time::macros::datetime;
use undersigned::coalition::model::ListMemberId;
use undersigned::coalition::posting;

const RULES: &str = "Be kind. Stay on the river.";

/// The group's list, set up and open to joining (the settings page is the list part's).
async fn open_list(app: &TestApp, slug: &str) {
    sqlx::query(
        "INSERT INTO coalition_lists (tenant_id, name, purpose, rules, created_at, updated_at)
         SELECT id, 'River Coalition', 'Where the signers talk.', $2, now(), now()
           FROM tenants WHERE slug = $1",
    )
    .bind(slug)
    .bind(RULES)
    .execute(&app.db)
    .await
    .unwrap();
    set_open(app, slug, true).await;
}

async fn set_open(app: &TestApp, slug: &str, open: bool) {
    sqlx::query("UPDATE tenants SET coalition_list_open = $2 WHERE slug = $1")
        .bind(slug)
        .bind(open)
        .execute(&app.db)
        .await
        .unwrap();
}

async fn members(app: &TestApp) -> i64 {
    app.count("SELECT count(*) FROM list_members").await
}

async fn member_field(app: &TestApp, email: &str, field: &str) -> Option<String> {
    sqlx::query_scalar(&format!(
        "SELECT {field}::text FROM list_members WHERE email = $1"
    ))
    .bind(email)
    .fetch_optional(&app.db)
    .await
    .unwrap()
    .flatten()
}

/// Joins from the list's page as a person does: the form, the emailed link, its button.
/// Returns the client, signed in on the list.
async fn join_by_page(app: &TestApp, slug: &str, name: &str, email: &str) -> Client {
    let client = app.client();
    let front = client.get(&format!("/{slug}/list")).await;
    assert_eq!(front.status, 200, "{}", front.body);
    let r = client
        .post_form(
            &format!("/{slug}/list"),
            &[
                ("name", name),
                ("organization", "Alder Network"),
                ("email", email),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let link = app.link_mailed_to(email, "/list/join/confirm/").await;
    let page = client.get(&link).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains(RULES),
        "the rules are shown before joining"
    );
    let r = client.post_form(&link, &[]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        r.location(),
        Some(format!("/{slug}/list/me?notice=members-joined").as_str())
    );
    client
}

#[tokio::test]
async fn a_confirmation_joins_the_list_only_with_the_box_ticked() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let (_, public) = open_campaign(&owner, "river", "water", &[]).await;

    // No list open: no box, and a hand-made "yes" joins nobody.
    let r = sign(&app, &public, &organization("Oak Trust", "oz@oak.example")).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let link = app.link_mailed_to("oz@oak.example", "/signature/").await;
    let signer = app.client();
    let page = signer.get(&link).await;
    assert!(!page.body.contains("Keep me on the coalition"));
    let revision = input_value(&page.body, "revision").unwrap();
    let wording = input_value(&page.body, "wording").unwrap();
    let r = signer
        .post_form(
            &format!("{link}/confirm"),
            &[
                ("revision", &revision),
                ("wording", &wording),
                ("join_list", "yes"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(members(&app).await, 0);

    open_list(&app, "river").await;

    // The box is offered, unticked; confirming without it subscribes nobody.
    let r = sign(
        &app,
        &public,
        &organization("Alder Network", "lee@alder.example"),
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let link = app.link_mailed_to("lee@alder.example", "/signature/").await;
    let signer = app.client();
    let page = signer.get(&link).await;
    assert!(
        page.body.contains("Keep me on the coalition&#39;s list")
            || page.body.contains("Keep me on the coalition's list"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("name=\"join_list\" value=\"yes\">"),
        "unticked by default"
    );
    let r = confirm_from(&signer, &link).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        app.count("SELECT count(*) FROM signatures WHERE email = 'lee@alder.example' AND state = 'confirmed'").await,
        1,
        "the confirmation happened"
    );
    assert_eq!(members(&app).await, 0, "no box, no member");

    // With the box ticked: a member, by confirmation, from this campaign.
    let r = sign(
        &app,
        &public,
        &organization("Birch Collective", "kim@birch.example"),
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let link = app.link_mailed_to("kim@birch.example", "/signature/").await;
    let signer = app.client();
    let page = signer.get(&link).await;
    let revision = input_value(&page.body, "revision").unwrap();
    let wording = input_value(&page.body, "wording").unwrap();
    // A confirmation refused (the page did not say which text it showed): the page again,
    // the box still ticked as they left it, and nobody joined.
    let refused = signer
        .post_form(
            &format!("{link}/confirm"),
            &[
                ("revision", ""),
                ("wording", &wording),
                ("join_list", "yes"),
            ],
        )
        .await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert!(
        refused
            .body
            .contains("name=\"join_list\" value=\"yes\" checked>"),
        "the box keeps the signer's choice"
    );
    assert_eq!(members(&app).await, 0);
    let r = signer
        .post_form(
            &format!("{link}/confirm"),
            &[
                ("revision", &revision),
                ("wording", &wording),
                ("join_list", "yes"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(members(&app).await, 1);
    assert_eq!(
        member_field(&app, "kim@birch.example", "joined_how")
            .await
            .as_deref(),
        Some("confirmation")
    );
    assert_eq!(
        member_field(&app, "kim@birch.example", "name")
            .await
            .as_deref(),
        Some("Pat Doe")
    );
    assert_eq!(
        member_field(&app, "kim@birch.example", "organization")
            .await
            .as_deref(),
        Some("Birch Collective")
    );
    assert_eq!(
        app.count("SELECT count(*) FROM list_members m JOIN campaigns c ON c.id = m.joined_campaign_id WHERE c.slug = 'water'").await,
        1
    );
    // The person is in the group's book, kept by its retention while a member.
    assert_eq!(
        app.count(
            "SELECT count(*) FROM people WHERE email = 'kim@birch.example' AND on_coalition_list"
        )
        .await,
        1
    );
    // The welcome: the rules, how to post, the member page.
    app.dispatch_mail().await;
    let welcome = app
        .mail_to("kim@birch.example")
        .into_iter()
        .find(|m| m.subject.contains("Welcome to River Coalition"))
        .expect("a welcome");
    assert!(welcome.text.contains(RULES));
    assert!(welcome.text.contains("list+"));
    assert!(welcome.text.contains("/river/list/me"));
    assert!(welcome.text.contains("/river/list/leave/"));

    // Confirming again changes nothing (already confirmed): still one member.
    let again = signer
        .post_form(
            &format!("{link}/confirm"),
            &[
                ("revision", &revision),
                ("wording", &wording),
                ("join_list", "yes"),
            ],
        )
        .await;
    assert!(again.status < 500, "{}", again.body);
    assert_eq!(members(&app).await, 1);
}

/// A person of the address book, added for the test (the book's own pages are tested
/// elsewhere).
async fn book_person(app: &TestApp, slug: &str, name: &str, email: &str) -> String {
    let org = uuid::Uuid::new_v4();
    let person = uuid::Uuid::new_v4();
    sqlx::query(
        "INSERT INTO organizations (id, tenant_id, name, name_key, sort_key, created_at)
         SELECT $2, id, 'Elm Union', 'elm union', 'elm union', now() FROM tenants WHERE slug = $1",
    )
    .bind(slug)
    .bind(org)
    .execute(&app.db)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO people (id, tenant_id, organization_id, name, email, created_at)
         SELECT $2, id, $3, $4, $5, now() FROM tenants WHERE slug = $1",
    )
    .bind(slug)
    .bind(person)
    .bind(org)
    .bind(name)
    .bind(email)
    .execute(&app.db)
    .await
    .unwrap();
    person.to_string()
}

#[tokio::test]
async fn an_invitation_alone_subscribes_nobody_and_its_button_does() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let viewer = app
        .join(&owner, "river", "vic@river.example", "viewer", "Vic")
        .await;
    let other = app.signup("lake", "al@lake.example").await;
    let eve = book_person(&app, "river", "Eve Elm", "eve@elm.example").await;

    // No list yet: nothing goes out.
    let r = owner
        .post_form("/app/river/list/invite", &[("person", &eve)])
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    open_list(&app, "river").await;

    let page = owner.get("/app/river/list/invite").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Eve Elm"));
    assert_eq!(other.get("/app/river/list/invite").await.status, 404);
    assert_eq!(viewer.get("/app/river/list/invite").await.status, 200);
    let r = viewer
        .post_form("/app/river/list/invite", &[("person", &eve)])
        .await;
    assert_eq!(r.status, 403);
    let r = other
        .post_form("/app/river/list/invite", &[("person", &eve)])
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(app.count("SELECT count(*) FROM list_invitations").await, 0);

    let r = owner
        .post_form("/app/river/list/invite", &[("person", &eve)])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(app.count("SELECT count(*) FROM list_invitations").await, 1);
    // Sent again at once: not twice.
    let r = owner
        .post_form("/app/river/list/invite", &[("person", &eve)])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(app.count("SELECT count(*) FROM list_invitations").await, 1);
    assert_eq!(members(&app).await, 0, "an invitation subscribes nobody");

    let link = app
        .link_mailed_to("eve@elm.example", "/list/invitation/")
        .await;
    let invited = app.client();
    let page = invited.get(&link).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains(RULES));
    assert!(page.body.contains("Join the list"));
    assert_eq!(members(&app).await, 0, "opening the page subscribes nobody");
    // Another group's URL with this token opens nothing.
    let foreign = link.replacen("/river/", "/lake/", 1);
    assert_eq!(invited.get(&foreign).await.status, 404);

    let r = invited.post_form(&link, &[]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(members(&app).await, 1);
    assert_eq!(
        member_field(&app, "eve@elm.example", "joined_how")
            .await
            .as_deref(),
        Some("invitation")
    );
    assert_eq!(
        app.count("SELECT count(*) FROM list_invitations WHERE accepted_at IS NOT NULL")
            .await,
        1
    );
    // The person of the book is the member: no second person was made.
    assert_eq!(
        app.count("SELECT count(*) FROM people WHERE email = 'eve@elm.example'")
            .await,
        1
    );

    // A member is not invited again, even a week later.
    app.clock.set(datetime!(2026-12-05 12:00 UTC));
    let owner = app.log_in("ana@river.example").await;
    let page = owner.get("/app/river/list/invite?q=Eve").await;
    assert!(page.body.contains("member"));
    let r = owner
        .post_form("/app/river/list/invite", &[("person", &eve)])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(app.count("SELECT count(*) FROM list_invitations").await, 1);
}

#[tokio::test]
async fn a_member_update_carries_a_join_link_whose_button_joins() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let (path, public) = open_campaign(&owner, "river", "water", &[]).await;
    sign_and_confirm(&app, &public, "Alder Network", "lee@alder.example").await;
    open_list(&app, "river").await;
    let r = owner
        .post_form(
            &format!("{path}/release"),
            &[
                ("release_at", ""),
                ("press_release", ""),
                ("update_every_days", "7"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    app.clock.set(datetime!(2026-12-02 13:00 UTC));
    assert_eq!(app.run_scheduler().await.member_updates, 1);

    let link = app
        .link_mailed_to("lee@alder.example", "/list/join/s/")
        .await;
    assert_eq!(members(&app).await, 0, "the link alone subscribes nobody");
    let signer = app.client();
    let page = signer.get(&link).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains(RULES));
    assert!(page.body.contains("Pat Doe"));
    assert_eq!(members(&app).await, 0, "opening the page subscribes nobody");

    // A forged link opens nothing.
    let mut forged = link.clone();
    let last = forged.pop().unwrap();
    forged.push(if last == '0' { '1' } else { '0' });
    assert_eq!(signer.get(&forged).await.status, 404);
    assert_eq!(signer.post_form(&forged, &[]).await.status, 404);
    assert_eq!(members(&app).await, 0);

    let r = signer.post_form(&link, &[]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        member_field(&app, "lee@alder.example", "joined_how")
            .await
            .as_deref(),
        Some("join_link")
    );
    assert_eq!(
        member_field(&app, "lee@alder.example", "organization")
            .await
            .as_deref(),
        Some("Alder Network")
    );
    // Signed in by the link: the member's page opens.
    let me = signer.get("/river/list/me").await;
    assert_eq!(me.status, 200, "{}", me.body);
    // The kept copy of the update lost the signer's personal link.
    assert_eq!(
        app.count("SELECT count(*) FROM outbox WHERE message ->> 'kind' = 'member_update' AND status = 'sent' AND message ->> 'join_link' LIKE '%/list/join/s/%'").await,
        0
    );
}

#[tokio::test]
async fn the_magic_link_works_once_is_rate_limited_and_opens_only_its_group() {
    let app = TestApp::spawn().await;
    app.signup("river", "ana@river.example").await;
    app.signup("lake", "al@lake.example").await;
    open_list(&app, "river").await;
    open_list(&app, "lake").await;
    join_by_page(&app, "river", "Lee", "lee@alder.example").await;
    sqlx::query(
        "UPDATE list_members SET bouncing_since = now(), bounce_reason = '550 no such user'",
    )
    .execute(&app.db)
    .await
    .unwrap();

    let browser = app.client();
    assert_eq!(browser.get("/river/list/me").await.status, 303);
    let page = browser.get("/river/list/signin").await;
    assert_eq!(page.status, 200);
    let r = browser
        .post_form("/river/list/signin", &[("email", "lee@alder.example")])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let answer = r.location().unwrap().to_owned();
    // The same answer for an address that is not a member; nothing is sent to it.
    let r = browser
        .post_form("/river/list/signin", &[("email", "nobody@else.example")])
        .await;
    assert_eq!(r.location(), Some(answer.as_str()));
    assert_eq!(
        app.count("SELECT count(*) FROM outbox WHERE recipient = 'nobody@else.example'")
            .await,
        0
    );

    let link = app
        .link_mailed_to("lee@alder.example", "/list/signin/")
        .await;
    // The page spends nothing; another group's URL with the token opens nothing.
    assert_eq!(browser.get(&link).await.status, 200);
    assert_eq!(browser.get("/river/list/me").await.status, 303);
    let foreign = link.replacen("/river/", "/lake/", 1);
    assert_eq!(browser.get(&foreign).await.status, 410);
    assert_eq!(browser.post_form(&foreign, &[]).await.status, 410);

    let r = browser.post_form(&link, &[]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let me = browser.get("/river/list/me").await;
    assert_eq!(me.status, 200, "{}", me.body);
    assert!(me.body.contains("list+"));
    assert!(
        !me.body.contains("Resume delivery"),
        "the link proved the address"
    );
    assert_eq!(
        member_field(&app, "lee@alder.example", "bouncing_since").await,
        None
    );
    // The river session opens nothing of the lake's list.
    assert_eq!(browser.get("/lake/list/me").await.status, 303);

    // Single use.
    let again = app.client();
    again.get("/river/list/signin").await;
    assert_eq!(again.post_form(&link, &[]).await.status, 410);

    // At most three links an hour for one member, whatever is asked.
    for _ in 0..4 {
        let r = again
            .post_form("/river/list/signin", &[("email", "lee@alder.example")])
            .await;
        assert_eq!(r.location(), Some(answer.as_str()));
    }
    assert_eq!(app.count("SELECT count(*) FROM list_signin_links").await, 3);
    // Expired after 30 minutes.
    let link = app
        .link_mailed_to("lee@alder.example", "/list/signin/")
        .await;
    app.clock.advance(time::Duration::minutes(31));
    assert_eq!(again.get(&link).await.status, 410);
    assert_eq!(again.post_form(&link, &[]).await.status, 410);
}

#[tokio::test]
async fn a_member_chooses_delivery_resumes_after_a_bounce_and_signs_out() {
    let app = TestApp::spawn().await;
    app.signup("river", "ana@river.example").await;
    open_list(&app, "river").await;
    let member = join_by_page(&app, "river", "Lee", "lee@alder.example").await;
    let me = member.get("/river/list/me").await;
    assert_eq!(me.status, 200, "{}", me.body);
    assert!(me.body.contains(RULES));
    assert!(me.body.contains("/river/list/archive"));
    assert_eq!(
        member_field(&app, "lee@alder.example", "delivery")
            .await
            .as_deref(),
        Some("each")
    );
    let r = member
        .post_form("/river/list/me/delivery", &[("delivery", "digest")])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        member_field(&app, "lee@alder.example", "delivery")
            .await
            .as_deref(),
        Some("digest")
    );
    member.get("/river/list/me").await;
    let r = member
        .post_form("/river/list/me/delivery", &[("delivery", "sometimes")])
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        member_field(&app, "lee@alder.example", "delivery")
            .await
            .as_deref(),
        Some("digest")
    );

    sqlx::query(
        "UPDATE list_members SET bouncing_since = now(), bounce_reason = '550 mailbox full'",
    )
    .execute(&app.db)
    .await
    .unwrap();
    let me = member.get("/river/list/me").await;
    assert!(me.body.contains("Resume delivery"));
    let r = member.post_form("/river/list/me/resume", &[]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        member_field(&app, "lee@alder.example", "bouncing_since").await,
        None
    );

    // Someone else's browser changes nothing.
    let stranger = app.client();
    stranger.get("/river/list").await;
    let r = stranger
        .post_form("/river/list/me/delivery", &[("delivery", "none")])
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(r.location(), Some("/river/list/signin"));
    assert_eq!(
        member_field(&app, "lee@alder.example", "delivery")
            .await
            .as_deref(),
        Some("digest")
    );

    member.get("/river/list/me").await;
    let r = member.post_form("/river/list/signout", &[]).await;
    assert_eq!(r.status, 303);
    assert_eq!(member.get("/river/list/me").await.status, 303);
    assert_eq!(members(&app).await, 1, "signing out is not leaving");
}

#[tokio::test]
async fn leaving_is_one_click_by_post_and_a_get_changes_nothing() {
    let app = TestApp::spawn().await;
    app.signup("river", "ana@river.example").await;
    open_list(&app, "river").await;
    join_by_page(&app, "river", "Lee", "lee@alder.example").await;
    let link = app
        .link_mailed_to("lee@alder.example", "/list/leave/")
        .await;

    let scanner = app.client();
    let page = scanner.get(&link).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Leave the list"));
    assert_eq!(members(&app).await, 1, "a GET changes nothing");

    // A forged token: a clear page, 404, for GET and POST.
    let forged = format!("{}0", &link[..link.len() - 1]);
    let forged = if forged == link {
        format!("{}1", &link[..link.len() - 1])
    } else {
        forged
    };
    assert_eq!(scanner.get(&forged).await.status, 404);
    let r = support::Client::new(&app.address)
        .post_raw(
            &forged,
            "application/x-www-form-urlencoded",
            "List-Unsubscribe=One-Click",
        )
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(members(&app).await, 1);

    // RFC 8058: a mail program posts the body, with no cookie and no CSRF token.
    let mail_program = support::Client::new(&app.address);
    let r = mail_program
        .post_raw(
            &link,
            "application/x-www-form-urlencoded",
            "List-Unsubscribe=One-Click",
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(members(&app).await, 0);
    assert_eq!(
        app.count(
            "SELECT count(*) FROM people WHERE email = 'lee@alder.example' AND on_coalition_list"
        )
        .await,
        0
    );
    // Again: still a page, nothing to do.
    let r = mail_program
        .post_raw(
            &link,
            "application/x-www-form-urlencoded",
            "List-Unsubscribe=One-Click",
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(scanner
        .get(&link)
        .await
        .body
        .contains("You are not on the list"));
}

#[tokio::test]
async fn organizers_see_and_moderate_members_with_every_change_logged() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let viewer = app
        .join(&owner, "river", "vic@river.example", "viewer", "Vic")
        .await;
    let other = app.signup("lake", "al@lake.example").await;
    open_list(&app, "river").await;
    join_by_page(&app, "river", "Lee Alder", "lee@alder.example").await;
    let id: String = sqlx::query_scalar("SELECT id::text FROM list_members")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let page_path = format!("/app/river/list/members/{id}");

    let list = owner.get("/app/river/list/members").await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(list.body.contains("Lee Alder"));
    assert!(list.body.contains("Alder Network"));
    assert!(
        list.body.contains("The list&#39;s join page")
            || list.body.contains("The list's join page")
    );
    assert_eq!(other.get("/app/river/list/members").await.status, 404);
    assert_eq!(other.get(&page_path).await.status, 404);
    assert_eq!(viewer.get(&page_path).await.status, 200);
    assert_eq!(
        owner.get("/app/river/list/members/not-an-id").await.status,
        404
    );

    // Writes: a viewer 403, another group 404, the rightful request succeeds.
    let r = viewer
        .post_form(&format!("{page_path}/mute"), &[("note", "off-topic")])
        .await;
    assert_eq!(r.status, 403);
    let r = other
        .post_form(&format!("{page_path}/mute"), &[("note", "off-topic")])
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(
        member_field(&app, "lee@alder.example", "muted_at").await,
        None
    );

    owner.get(&page_path).await;
    let r = owner
        .post_form(&format!("{page_path}/mute"), &[("note", "  ")])
        .await;
    assert_eq!(r.status, 422, "a mute needs its note");
    let r = owner
        .post_form(
            &format!("{page_path}/mute"),
            &[("note", "Keeps posting about the stadium")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(member_field(&app, "lee@alder.example", "muted_at")
        .await
        .is_some());
    assert_eq!(
        app.count("SELECT count(*) FROM list_moderation_log WHERE action = 'mute' AND reason = 'Keeps posting about the stadium' AND by_name = 'Owner of river'").await,
        1
    );
    let page = owner.get(&page_path).await;
    assert!(page.body.contains("Keeps posting about the stadium"));
    let r = owner.post_form(&format!("{page_path}/unmute"), &[]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        member_field(&app, "lee@alder.example", "muted_at").await,
        None
    );
    assert_eq!(
        app.count("SELECT count(*) FROM list_moderation_log WHERE action = 'unmute'")
            .await,
        1
    );

    let r = viewer
        .post_form(&format!("{page_path}/action"), &[("action", "accept")])
        .await;
    assert_eq!(r.status, 403);
    owner.get(&page_path).await;
    let r = owner
        .post_form(&format!("{page_path}/action"), &[("action", "whatever")])
        .await;
    assert_eq!(r.status, 422);
    let r = owner
        .post_form(&format!("{page_path}/action"), &[("action", "accept")])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        member_field(&app, "lee@alder.example", "moderation")
            .await
            .as_deref(),
        Some("accept")
    );
    assert_eq!(
        app.count("SELECT count(*) FROM list_moderation_log WHERE action = 'set_action' AND by_user_id IS NOT NULL").await,
        1
    );

    // Removing needs the box; a viewer cannot.
    let r = viewer
        .post_form(&format!("{page_path}/remove"), &[("confirm", "yes")])
        .await;
    assert_eq!(r.status, 403);
    owner.get(&page_path).await;
    let r = owner.post_form(&format!("{page_path}/remove"), &[]).await;
    assert_eq!(r.status, 422);
    assert_eq!(members(&app).await, 1);
    let r = owner
        .post_form(&format!("{page_path}/remove"), &[("confirm", "yes")])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(members(&app).await, 0);
    assert_eq!(
        app.count("SELECT count(*) FROM list_moderation_log WHERE action = 'remove'")
            .await,
        1
    );
    assert_eq!(owner.get(&page_path).await.status, 404);
}

#[tokio::test]
async fn members_are_carried_into_a_campaign_as_prospects_never_signers() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let viewer = app
        .join(&owner, "river", "vic@river.example", "viewer", "Vic")
        .await;
    let (_, _) = open_campaign(&owner, "river", "water", &[]).await;
    open_list(&app, "river").await;
    join_by_page(&app, "river", "Lee Alder", "lee@alder.example").await;
    let campaign: String =
        sqlx::query_scalar("SELECT id::text FROM campaigns WHERE slug = 'water'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    viewer.get("/app/river/list/members").await;
    let r = viewer
        .post_form("/app/river/list/members/carry", &[("campaign", &campaign)])
        .await;
    assert_eq!(r.status, 403);
    owner.get("/app/river/list/members").await;
    let r = owner
        .post_form("/app/river/list/members/carry", &[("campaign", &campaign)])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        app.count("SELECT count(*) FROM prospects p JOIN organizations o ON o.id = p.organization_id WHERE o.name = 'Alder Network'").await,
        1
    );
    assert_eq!(
        app.count("SELECT count(*) FROM signatures WHERE email = 'lee@alder.example'")
            .await,
        0
    );
}

#[tokio::test]
async fn erasure_removes_the_membership_and_anonymizes_the_posts() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let (_, public) = open_campaign(&owner, "river", "water", &[]).await;
    open_list(&app, "river").await;
    let r = sign(
        &app,
        &public,
        &organization("Birch Collective", "kim@birch.example"),
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let link = app.link_mailed_to("kim@birch.example", "/signature/").await;
    let signer = app.client();
    let page = signer.get(&link).await;
    let revision = input_value(&page.body, "revision").unwrap();
    let wording = input_value(&page.body, "wording").unwrap();
    let r = signer
        .post_form(
            &format!("{link}/confirm"),
            &[
                ("revision", &revision),
                ("wording", &wording),
                ("join_list", "yes"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(members(&app).await, 1);
    // A post of theirs, through the posting API as the list's pages post.
    let member: String = sqlx::query_scalar("SELECT id::text FROM list_members")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let posted = posting::submit(
        &support::coalition::state(&app),
        support::coalition::group(&app, "river").await,
        posting::Author::Member(ListMemberId(member.parse().unwrap())),
        posting::NewPost {
            thread: None,
            subject: "Hello",
            body: "Hi all, Pat from Birch here.",
            news_link: None,
            source: posting::PostSource::Web,
        },
    )
    .await
    .unwrap();
    assert!(
        matches!(posted, posting::Posted::Held { .. }),
        "a new member's first post is held: {posted:?}"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM list_posts WHERE author_member_id IS NOT NULL AND author_name LIKE '%Pat Doe%'")
            .await,
        1
    );

    let r = signer.post_form(&format!("{link}/erase"), &[]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(members(&app).await, 0);
    assert_eq!(
        app.count("SELECT count(*) FROM list_posts WHERE author_member_id IS NULL AND author_name = 'A former member'").await,
        1
    );
    assert_eq!(
        app.count("SELECT count(*) FROM list_posts WHERE author_name LIKE '%Pat%' OR author_name LIKE '%Birch%'")
            .await,
        0
    );
}

#[tokio::test]
async fn the_join_page_confirms_by_email_and_is_throttled() {
    let app = TestApp::spawn().await;
    app.signup("river", "ana@river.example").await;
    // No list: the page says so.
    let closed = app.client().get("/river/list").await;
    assert_eq!(closed.status, 404);
    assert!(closed.body.contains("no list open"));
    open_list(&app, "river").await;

    let browser = app.client();
    let page = browser.get("/river/list").await;
    assert!(page.body.contains("River Coalition"));
    assert!(page.body.contains(RULES));
    // Bad input: a clear message, what was typed kept.
    let r = browser
        .post_form(
            "/river/list",
            &[
                ("name", "Lee"),
                ("organization", "Alder"),
                ("email", "not an address"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("value=\"Lee\""));
    let r = browser
        .post_form(
            "/river/list",
            &[
                ("name", "Lee"),
                ("organization", "Alder"),
                ("email", "lee@alder.example"),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    // Sent twice in the hour: one confirmation; and nobody is a member yet.
    let r = browser
        .post_form(
            "/river/list",
            &[
                ("name", "Lee"),
                ("organization", "Alder"),
                ("email", "lee@alder.example"),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(
        app.count("SELECT count(*) FROM outbox WHERE message ->> 'kind' = 'list_join_confirm'")
            .await,
        1
    );
    assert_eq!(members(&app).await, 0);
    let link = app
        .link_mailed_to("lee@alder.example", "/list/join/confirm/")
        .await;
    assert_eq!(browser.get(&link).await.status, 200);
    assert_eq!(members(&app).await, 0);
    // A tampered link opens nothing.
    let tampered = link.replacen("/confirm/", "/confirm/x", 1);
    assert_eq!(browser.get(&tampered).await.status, 404);
    assert_eq!(browser.post_form(&link, &[]).await.status, 303);
    assert_eq!(
        member_field(&app, "lee@alder.example", "joined_how")
            .await
            .as_deref(),
        Some("join_page")
    );
    // The same link again: already a member, nothing changes, and a replayed join link
    // signs nobody in (another browser holding the link gets no session).
    let r = browser.post_form(&link, &[]).await;
    assert_eq!(
        r.location(),
        Some("/river/list/signin?notice=members-already")
    );
    assert_eq!(members(&app).await, 1);
    let stranger = app.client();
    let r = stranger.post_form(&link, &[]).await;
    assert_eq!(
        r.location(),
        Some("/river/list/signin?notice=members-already")
    );
    assert!(
        !r.set_cookies()
            .iter()
            .any(|c| c.starts_with("us_list_member=")),
        "a replayed join link starts no session"
    );
    assert_eq!(
        stranger.get("/river/list/me").await.status,
        303,
        "not signed in"
    );

    // Per network: ten requests an hour.
    for i in 0..8 {
        let r = browser
            .post_form(
                "/river/list",
                &[
                    ("name", "X"),
                    ("organization", ""),
                    ("email", &format!("x{i}@x.example")),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "request {i}: {}", r.body);
    }
    // (A visitor not signed in sees the form again, with what they typed.)
    let late = app.client();
    late.get("/river/list").await;
    let r = late
        .post_form(
            "/river/list",
            &[
                ("name", "X"),
                ("organization", ""),
                ("email", "late@x.example"),
            ],
        )
        .await;
    assert_eq!(r.status, 429);
    assert!(r.body.contains("late@x.example"), "what was typed is kept");
}

#[tokio::test]
async fn the_books_retention_keeps_a_current_member_and_not_a_former_one() {
    let app = TestApp::spawn().await;
    app.signup("river", "ana@river.example").await;
    open_list(&app, "river").await;
    join_by_page(&app, "river", "Lee", "lee@alder.example").await;
    book_person(&app, "river", "Eve Elm", "eve@elm.example").await;
    sqlx::query("UPDATE people SET created_at = '2025-01-01T00:00:00Z'")
        .execute(&app.db)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO book_settings (tenant_id, retention_months) SELECT id, 6 FROM tenants WHERE slug = 'river'",
    )
    .execute(&app.db)
    .await
    .unwrap();
    let report = app.run_scheduler().await;
    assert_eq!(report.book_retention, 1, "{report:?}");
    assert_eq!(
        app.count("SELECT count(*) FROM people WHERE email = 'eve@elm.example'")
            .await,
        0
    );
    assert_eq!(
        app.count("SELECT count(*) FROM people WHERE email = 'lee@alder.example'")
            .await,
        1,
        "a member chose to stay"
    );
    assert_eq!(members(&app).await, 1);

    // Once they leave, the book's retention treats them as anyone else.
    let link = app
        .link_mailed_to("lee@alder.example", "/list/leave/")
        .await;
    let r = support::Client::new(&app.address)
        .post_raw(
            &link,
            "application/x-www-form-urlencoded",
            "List-Unsubscribe=One-Click",
        )
        .await;
    assert_eq!(r.status, 200);
    app.run_scheduler().await;
    assert_eq!(
        app.count("SELECT count(*) FROM people WHERE email = 'lee@alder.example'")
            .await,
        0
    );
}
