//! Groups, members, roles and invitations — and that no tenant ever reaches another.

use crate::support;

use support::{unescape, Client, TestApp, PASSWORD};
use time::Duration;

async fn invite(owner: &Client, slug: &str, email: &str, role: &str) -> support::Response {
    owner
        .post_form(
            &format!("/app/{slug}/members/invite"),
            &[("email", email), ("role", role)],
        )
        .await
}

async fn user_id(app: &TestApp, email: &str) -> uuid::Uuid {
    sqlx::query_scalar("SELECT id FROM users WHERE email = $1::citext")
        .bind(email)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn an_invited_teammate_accepts_from_the_emailed_link_with_a_new_account() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let sent = invite(&owner, "river", "bo@river.example", "organizer").await;
    assert_eq!(
        sent.location(),
        Some("/app/river/members?notice=invite-sent")
    );
    let members = owner.get("/app/river/members").await;
    assert!(
        members.body.contains("bo@river.example"),
        "pending invitations are listed"
    );

    let link = app.link_mailed_to("bo@river.example", "/invite/").await;
    let mail = &app.mail_to("bo@river.example")[0];
    assert!(mail.subject.contains("invited you to Group river"));
    let stored: Vec<u8> = sqlx::query_scalar("SELECT token_hash FROM invitations")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_ne!(stored, link.rsplit('/').next().unwrap().as_bytes());

    let bo = app.client();
    let page = bo.get(&link).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Join Group river"));
    let joined = bo
        .post_form(
            &format!("{link}/signup"),
            &[("name", "Bo Chen"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(joined.location(), Some("/app/river?notice=joined"));
    let dashboard = bo.get("/app/river").await;
    assert_eq!(dashboard.status, 200);
    assert!(dashboard.body.contains("organizer"));

    let used = app.client().get(&link).await;
    assert_eq!(used.status, 410, "single use");
    assert!(used
        .body
        .contains("expired, was withdrawn or was already used"));
}

#[tokio::test]
async fn an_existing_account_accepts_after_logging_in_and_can_switch_tenants() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let bo = app.signup("air", "bo@air.example").await;
    assert_eq!(
        invite(&owner, "river", "bo@air.example", "viewer")
            .await
            .status,
        303
    );
    let link = app.link_mailed_to("bo@air.example", "/invite/").await;

    let anonymous = app.client().get(&link).await;
    assert!(anonymous.body.contains("Log in to accept"));

    let accepted = bo.post_form(&link, &[]).await;
    assert_eq!(accepted.location(), Some("/app/river?notice=joined"));
    let chooser = bo.get("/app").await;
    assert!(chooser.body.contains("/app/river") && chooser.body.contains("/app/air"));
}

#[tokio::test]
async fn invitations_expire_after_seven_days_and_changing_nothing() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    assert_eq!(
        invite(&owner, "river", "bo@river.example", "organizer")
            .await
            .status,
        303
    );
    let link = app.link_mailed_to("bo@river.example", "/invite/").await;
    app.clock.advance(Duration::days(7) + Duration::minutes(1));
    let bo = app.client();
    assert_eq!(bo.get(&link).await.status, 410);
    let attempt = bo
        .post_form(
            &format!("{link}/signup"),
            &[("name", "Bo"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(attempt.status, 410);
    assert_eq!(app.count("SELECT count(*) FROM users").await, 1);
    assert_eq!(app.count("SELECT count(*) FROM memberships").await, 1);
}

/// Inviting an address again within the hour sends nothing more (the live invitation
/// takes the newest role); after an hour it goes out again with a fresh link, and the
/// older link stops working. A withdrawn invitation no longer works.
#[tokio::test]
async fn a_withdrawn_or_replaced_invitation_no_longer_works() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    assert_eq!(
        invite(&owner, "river", "bo@river.example", "organizer")
            .await
            .status,
        303
    );
    let first = app.link_mailed_to("bo@river.example", "/invite/").await;
    let again = invite(&owner, "river", "bo@river.example", "viewer").await;
    assert_eq!(
        again.location(),
        Some("/app/river/members?notice=invite-recently-sent")
    );
    app.dispatch_mail().await;
    assert_eq!(
        app.mail_to("bo@river.example").len(),
        1,
        "no second email within the hour"
    );
    let page = app.client().get(&first).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("<strong>Viewer</strong>"),
        "the newest role"
    );

    app.clock.advance(Duration::minutes(61));
    assert_eq!(
        invite(&owner, "river", "bo@river.example", "viewer")
            .await
            .status,
        303
    );
    let second = app.link_mailed_to("bo@river.example", "/invite/").await;
    assert_ne!(first, second);
    assert_eq!(
        app.client().get(&first).await.status,
        410,
        "the newer link replaces the older"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM invitations").await,
        1,
        "one invitation, sent twice"
    );

    let id: uuid::Uuid = sqlx::query_scalar("SELECT id FROM invitations WHERE revoked_at IS NULL")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let revoked = owner
        .post_form(&format!("/app/river/invitations/{id}/revoke"), &[])
        .await;
    assert_eq!(revoked.status, 303);
    assert_eq!(app.client().get(&second).await.status, 410);
}

/// An unverified, hostile or careless owner cannot flood addresses: ten invitations to
/// one address send one email; a group sends at most 20 invitations an hour; two owners
/// inviting the same address at once make one invitation.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn invitations_are_limited_and_never_duplicated() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    for _ in 0..10 {
        assert_eq!(
            invite(&owner, "river", "target@example.org", "organizer")
                .await
                .status,
            303
        );
    }
    app.dispatch_mail().await;
    assert_eq!(app.mail_to("target@example.org").len(), 1);

    let second_owner = join(&app, &owner, "river", "cy@river.example", "owner").await;
    let (a, b) = tokio::join!(
        invite(&owner, "river", "dee@example.org", "viewer"),
        invite(&second_owner, "river", "dee@example.org", "organizer"),
    );
    assert_eq!((a.status, b.status), (303, 303));
    assert_eq!(
        app.count("SELECT count(*) FROM invitations WHERE email = 'dee@example.org'")
            .await,
        1,
        "one live invitation per address"
    );

    // 3 sent so far this hour (target, cy, dee); 17 more are fine, the next is refused.
    for n in 0..17 {
        let r = invite(&owner, "river", &format!("p{n}@example.org"), "viewer").await;
        assert_eq!(r.status, 303, "invitation {n}");
    }
    let refused = invite(&owner, "river", "one-too-many@example.org", "viewer").await;
    assert_eq!(refused.status, 429);
    assert!(unescape(&refused.body).contains("sent 20 invitations in the last hour"));
    assert!(
        refused.body.contains("one-too-many@example.org"),
        "what was typed is kept"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM invitations WHERE email = 'one-too-many@example.org'")
            .await,
        0
    );
    app.clock.advance(Duration::minutes(61));
    assert_eq!(
        invite(&owner, "river", "one-too-many@example.org", "viewer")
            .await
            .status,
        303,
        "an hour later it goes"
    );
}

#[tokio::test]
async fn invitation_form_errors_keep_input() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let bad = invite(&owner, "river", "not-an-email", "organizer").await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("value=\"not-an-email\""));
    let already = invite(&owner, "river", "ana@river.example", "organizer").await;
    assert!(already.body.contains("already a member"));
    let no_role = invite(&owner, "river", "bo@river.example", "emperor").await;
    assert!(no_role.body.contains("Choose a role."));
    assert_eq!(app.count("SELECT count(*) FROM invitations").await, 0);
    assert_eq!(app.count("SELECT count(*) FROM outbox").await, 0);
}

async fn join(app: &TestApp, owner: &Client, slug: &str, email: &str, role: &str) -> Client {
    assert_eq!(invite(owner, slug, email, role).await.status, 303);
    let link = app.link_mailed_to(email, "/invite/").await;
    let client = app.client();
    let r = client
        .post_form(
            &format!("{link}/signup"),
            &[("name", &format!("Member {email}")), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    client
}

#[tokio::test]
async fn viewers_read_but_cannot_change() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let viewer = join(&app, &owner, "river", "vic@river.example", "viewer").await;
    assert_eq!(viewer.get("/app/river").await.status, 200);
    assert_eq!(viewer.get("/app/river/members").await.status, 200);
    assert!(!viewer
        .get("/app/river/members")
        .await
        .body
        .contains("Send the invitation"));
    let refused = invite(&viewer, "river", "x@river.example", "owner").await;
    assert_eq!(refused.status, 403);
    let ana = user_id(&app, "ana@river.example").await;
    assert_eq!(
        viewer
            .post_form(
                &format!("/app/river/members/{ana}/role"),
                &[("role", "viewer")]
            )
            .await
            .status,
        403
    );
    assert_eq!(
        viewer
            .post_form(&format!("/app/river/members/{ana}/remove"), &[])
            .await
            .status,
        403
    );
    assert_eq!(app.count("SELECT count(*) FROM invitations").await, 1);
    assert_eq!(
        app.count("SELECT count(*) FROM memberships WHERE role = 'owner'")
            .await,
        1
    );
    // The owner's same invitation goes through: the viewer's 403 was about the role.
    let invited = invite(&owner, "river", "x@river.example", "owner").await;
    assert_eq!(invited.status, 303, "{}", invited.body);
    assert_eq!(app.count("SELECT count(*) FROM invitations").await, 2);
}

#[tokio::test]
async fn owners_change_roles_and_remove_members_after_confirming() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let bo = join(&app, &owner, "river", "bo@river.example", "viewer").await;
    let bo_id = user_id(&app, "bo@river.example").await;

    let changed = owner
        .post_form(
            &format!("/app/river/members/{bo_id}/role"),
            &[("role", "organizer")],
        )
        .await;
    assert_eq!(
        changed.location(),
        Some("/app/river/members?notice=role-changed")
    );
    assert!(bo
        .get("/app/river")
        .await
        .body
        .contains("You are organizer here"));

    let confirm = owner
        .get(&format!("/app/river/members/{bo_id}/remove"))
        .await;
    assert_eq!(confirm.status, 200);
    assert!(confirm.body.contains("Remove Member bo@river.example?"));
    assert_eq!(
        app.count("SELECT count(*) FROM memberships").await,
        2,
        "asking changes nothing"
    );
    let removed = owner
        .post_form(&format!("/app/river/members/{bo_id}/remove"), &[])
        .await;
    assert_eq!(
        removed.location(),
        Some("/app/river/members?notice=member-removed")
    );
    assert_eq!(bo.get("/app/river").await.status, 404);
}

#[tokio::test]
async fn the_last_owner_cannot_be_demoted_or_removed() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let ana = user_id(&app, "ana@river.example").await;
    let demote = owner
        .post_form(
            &format!("/app/river/members/{ana}/role"),
            &[("role", "viewer")],
        )
        .await;
    assert_eq!(demote.status, 422);
    assert!(demote.body.contains("at least one owner"));
    let leave = owner
        .post_form(&format!("/app/river/members/{ana}/remove"), &[])
        .await;
    assert_eq!(leave.status, 422);
    assert_eq!(
        app.count("SELECT count(*) FROM memberships WHERE role = 'owner'")
            .await,
        1
    );
}

/// Every organizer URL of tenant A, read and write, answers 404 to a member of tenant B
/// and changes nothing.
#[tokio::test]
async fn a_member_of_another_tenant_gets_404_everywhere_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let owner_a = app.signup("tenant-a", "ana@a.example").await;
    join(&app, &owner_a, "tenant-a", "bo@a.example", "organizer").await;
    assert_eq!(
        invite(&owner_a, "tenant-a", "cy@a.example", "viewer")
            .await
            .status,
        303
    );
    app.dispatch_mail().await;
    let bo_id = user_id(&app, "bo@a.example").await;
    let invitation: uuid::Uuid = sqlx::query_scalar(
        "SELECT id FROM invitations WHERE revoked_at IS NULL AND accepted_at IS NULL",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    let mail_id: i64 = sqlx::query_scalar("SELECT id FROM outbox ORDER BY id LIMIT 1")
        .fetch_one(&app.db)
        .await
        .unwrap();
    sqlx::query("UPDATE outbox SET status = 'failed' WHERE id = $1")
        .bind(mail_id)
        .execute(&app.db)
        .await
        .unwrap();

    let intruder = app.signup("tenant-b", "eve@b.example").await;
    let snapshot = |app: &TestApp| {
        let db = app.db.clone();
        async move {
            let q = "SELECT (SELECT count(*) FROM memberships)::text || '/' || (SELECT string_agg(role, ',' ORDER BY role) FROM memberships)
                     || '/' || (SELECT count(*) FROM invitations WHERE revoked_at IS NULL) || '/' || (SELECT string_agg(status, ',' ORDER BY id) FROM outbox)";
            sqlx::query_scalar::<_, String>(q)
                .fetch_one(&db)
                .await
                .unwrap()
        }
    };
    let before = snapshot(&app).await;

    let reads = [
        "/app/tenant-a".to_string(),
        "/app/tenant-a/members".into(),
        format!("/app/tenant-a/members/{bo_id}"),
        format!("/app/tenant-a/members/{bo_id}/remove"),
        "/app/tenant-a/mail".into(),
        format!("/app/tenant-a/mail/{mail_id}"),
    ];
    for path in &reads {
        let r = intruder.get(path).await;
        assert_eq!(r.status, 404, "GET {path}");
        assert!(
            !r.body.contains("Group tenant-a"),
            "GET {path} leaks the tenant's name"
        );
    }
    let writes: Vec<(String, Vec<(&str, &str)>)> = vec![
        (
            "/app/tenant-a/members/invite".into(),
            vec![("email", "eve2@b.example"), ("role", "owner")],
        ),
        (
            format!("/app/tenant-a/members/{bo_id}/role"),
            vec![("role", "viewer")],
        ),
        (format!("/app/tenant-a/members/{bo_id}/remove"), vec![]),
        (
            format!("/app/tenant-a/invitations/{invitation}/revoke"),
            vec![],
        ),
        (format!("/app/tenant-a/mail/{mail_id}/retry"), vec![]),
    ];
    for (path, fields) in &writes {
        let r = intruder.post_form(path, fields).await;
        assert_eq!(r.status, 404, "POST {path}");
    }
    // Tenant B's own URLs with tenant A's ids find nothing either.
    assert_eq!(
        intruder
            .get(&format!("/app/tenant-b/members/{bo_id}"))
            .await
            .status,
        404
    );
    assert_eq!(
        intruder
            .post_form(&format!("/app/tenant-b/members/{bo_id}/remove"), &[])
            .await
            .status,
        404
    );
    assert_eq!(
        intruder
            .post_form(
                &format!("/app/tenant-b/invitations/{invitation}/revoke"),
                &[]
            )
            .await
            .status,
        404
    );
    assert_eq!(
        intruder
            .get(&format!("/app/tenant-b/mail/{mail_id}"))
            .await
            .status,
        404
    );
    assert_eq!(
        intruder
            .post_form(&format!("/app/tenant-b/mail/{mail_id}/retry"), &[])
            .await
            .status,
        404
    );

    assert_eq!(snapshot(&app).await, before, "nothing changed");
    assert_eq!(owner_a.get("/app/tenant-a/members").await.status, 200);
}

#[tokio::test]
async fn organizer_pages_need_a_login() {
    let app = TestApp::spawn().await;
    app.signup("river", "ana@river.example").await;
    let anonymous = app.client();
    let r = anonymous.get("/app/river/members").await;
    assert_eq!(r.status, 303);
    assert_eq!(r.location(), Some("/login?next=%2Fapp%2Friver%2Fmembers"));
    let login = anonymous
        .post_form(
            "/login",
            &[
                ("email", "ana@river.example"),
                ("password", PASSWORD),
                ("next", "/app/river/members"),
            ],
        )
        .await;
    assert_eq!(login.location(), Some("/app/river/members"));
}

/// An invitation is accepted only by the invited address: a viewer of the group (or
/// anyone else) who opens an owner invitation is told it was sent to someone else, and
/// nothing changes; the invited person can still accept it afterwards.
#[tokio::test]
async fn an_invitation_is_accepted_only_by_the_invited_address() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let viewer = join(&app, &owner, "river", "vic@river.example", "viewer").await;
    assert_eq!(
        invite(&owner, "river", "bo@river.example", "owner")
            .await
            .status,
        303
    );
    let link = app.link_mailed_to("bo@river.example", "/invite/").await;
    let role = || async {
        sqlx::query_scalar::<_, String>(
            "SELECT m.role FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email = 'vic@river.example'",
        )
        .fetch_one(&app.db)
        .await
        .unwrap()
    };

    let page = viewer.get(&link).await;
    assert_eq!(page.status, 200);
    let text = unescape(&page.body);
    assert!(text.contains("sent to bo@river.example"), "{text}");
    assert!(
        !text.contains("Join as"),
        "no button to accept as the wrong account"
    );
    let refused = viewer.post_form(&link, &[]).await;
    assert_eq!(refused.status, 403);
    assert!(unescape(&refused.body).contains("nothing was changed"));
    assert_eq!(
        role().await,
        "viewer",
        "a viewer never becomes owner this way"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM invitations WHERE accepted_at IS NULL")
            .await,
        1,
        "the invitation is still there for bo"
    );

    // The invited address accepts it (creating an account), as the owner meant.
    let bo = app.client();
    let joined = bo
        .post_form(
            &format!("{link}/signup"),
            &[("name", "Bo"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(joined.status, 303, "{}", joined.body);
    assert_eq!(
        app.count(
            "SELECT count(*) FROM memberships m JOIN users u ON u.id = m.user_id
             WHERE u.email = 'bo@river.example' AND m.role = 'owner'"
        )
        .await,
        1
    );
}
