//! The bad-input and safety checklist: CSRF, XSS, SQL metacharacters, oversized and
//! malformed bodies, unknown ids, security headers, health.

use crate::support;

use support::{unescape, TestApp, PASSWORD};

#[tokio::test]
async fn posts_without_a_valid_csrf_token_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let ana: uuid::Uuid = sqlx::query_scalar("SELECT id FROM users")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let form = "application/x-www-form-urlencoded";

    let cases: Vec<(String, String)> = vec![
        (
            "/app/river/members/invite".into(),
            "email=x%40river.example&role=owner".into(),
        ),
        (
            format!("/app/river/members/{ana}/role"),
            "role=viewer".into(),
        ),
        (format!("/app/river/members/{ana}/remove"), String::new()),
        ("/logout".into(), String::new()),
        ("/signup".into(), "group_name=Second&slug=second".into()),
        (
            "/password/forgot".into(),
            "email=ana%40river.example".into(),
        ),
    ];
    for (path, body) in &cases {
        let missing = owner.post_raw(path, form, body.clone()).await;
        assert_eq!(missing.status, 403, "no token: {path}");
        assert!(missing.body.contains("This form has expired"));
        let wrong = owner
            .post_raw(
                path,
                form,
                format!("{body}&csrf_token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
            )
            .await;
        assert_eq!(wrong.status, 403, "wrong token: {path}");
    }
    // Another visitor's token does not work for this session.
    let other = app.client();
    let foreign = other.csrf_token().await;
    let r = owner
        .post_raw("/logout", form, format!("csrf_token={foreign}"))
        .await;
    assert_eq!(r.status, 403);

    let anonymous = app.client();
    let r = anonymous
        .post_raw(
            "/login",
            form,
            format!(
                "email=ana%40river.example&password={}",
                PASSWORD.replace(' ', "+")
            ),
        )
        .await;
    assert_eq!(r.status, 403, "login needs a token too");

    assert_eq!(app.count("SELECT count(*) FROM invitations").await, 0);
    assert_eq!(app.count("SELECT count(*) FROM tenants").await, 1);
    assert_eq!(app.count("SELECT count(*) FROM sessions").await, 1);
    assert_eq!(app.count("SELECT count(*) FROM outbox").await, 0);
    assert_eq!(
        app.count("SELECT count(*) FROM memberships WHERE role = 'owner'")
            .await,
        1
    );
    assert_eq!(owner.get("/app/river").await.status, 200, "still logged in");
}

const XSS: &str = "<script>alert(1)</script><img src=x onerror=alert(2)>";

#[tokio::test]
async fn script_in_every_text_field_renders_inert() {
    let app = TestApp::spawn().await;
    let owner = app.client();
    let r = owner
        .post_form(
            "/signup",
            &[
                ("group_name", XSS),
                ("slug", "river"),
                ("name", XSS),
                ("email", "ana@river.example"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    let confirm_link = app.signup_link("ana@river.example").await;
    let confirm_page = owner.get(&confirm_link).await;
    assert_eq!(
        owner
            .post_form(&confirm_link, &[("password", PASSWORD)])
            .await
            .status,
        303
    );
    assert_eq!(
        owner
            .post_form(
                "/app/river/members/invite",
                &[("email", "bo@river.example"), ("role", "organizer")],
            )
            .await
            .status,
        303
    );
    let link = app.link_mailed_to("bo@river.example", "/invite/").await;
    let bo = app.client();
    assert_eq!(
        bo.post_form(
            &format!("{link}/signup"),
            &[("name", XSS), ("password", PASSWORD)],
        )
        .await
        .status,
        303
    );
    let bo_id: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM users WHERE email = 'bo@river.example'")
            .fetch_one(&app.db)
            .await
            .unwrap();

    let pages = [
        confirm_page,
        owner.get("/app/river").await,
        owner.get("/app/river/members").await,
        owner.get(&format!("/app/river/members/{bo_id}")).await,
        owner
            .get(&format!("/app/river/members/{bo_id}/remove"))
            .await,
        owner.get("/app").await,
        owner.get("/app/river/mail").await,
        owner
            .post_form(
                "/app/river/members/invite",
                &[("email", XSS), ("role", XSS)],
            )
            .await,
        app.client()
            .post_form(
                "/signup",
                &[
                    ("group_name", XSS),
                    ("slug", XSS),
                    ("name", XSS),
                    ("email", XSS),
                    ("password", XSS),
                ],
            )
            .await,
        app.client()
            .post_form(
                "/login",
                &[("email", XSS), ("password", XSS), ("next", XSS)],
            )
            .await,
    ];
    for page in &pages {
        assert!(!page.body.contains("<script>alert"), "{}", page.body);
        assert!(!page.body.contains("<img src=x"), "{}", page.body);
    }
    assert!(unescape(&pages[2].body).contains(XSS), "shown as text");

    // The invitation email's HTML part escapes the group's name too.
    let invitation = &app.mail_to("bo@river.example")[0];
    assert!(
        invitation.html.contains("<strong>"),
        "the HTML part was read"
    );
    assert!(!invitation.html.contains("<script>alert"));
    assert!(unescape(&invitation.html).contains(XSS));
}

#[tokio::test]
async fn sql_metacharacters_are_stored_and_shown_verbatim() {
    let app = TestApp::spawn().await;
    let nasty = "Robert'); DROP TABLE users;-- \"quoted\" \\ 100% _under_";
    let owner = app.client();
    let r = owner
        .post_form(
            "/signup",
            &[
                ("group_name", nasty),
                ("slug", "bobby"),
                ("name", nasty),
                ("email", "o'brien@example.org"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let confirm_link = app.signup_link("o'brien@example.org").await;
    assert_eq!(
        owner
            .post_form(&confirm_link, &[("password", PASSWORD)])
            .await
            .status,
        303
    );
    let stored: (String, String, String) =
        sqlx::query_as("SELECT t.name, u.name, u.email::text FROM tenants t, users u")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(
        stored,
        (
            nasty.to_owned(),
            nasty.to_owned(),
            "o'brien@example.org".to_owned()
        )
    );
    let page = owner.get("/app/bobby/members").await;
    assert!(unescape(&page.body).contains(nasty));
    let login = app
        .client()
        .post_form(
            "/login",
            &[("email", "o'brien@example.org"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(login.status, 303);
    let miss = app
        .client()
        .post_form(
            "/login",
            &[("email", "' OR '1'='1"), ("password", "' OR '1'='1")],
        )
        .await;
    assert_eq!(miss.status, 422);
}

#[tokio::test]
async fn oversized_bodies_get_413() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let token = client.csrf_token().await;
    let big = format!("csrf_token={token}&email={}", "a".repeat(1024 * 1024 + 10));
    let r = client
        .post_raw("/login", "application/x-www-form-urlencoded", big)
        .await;
    assert_eq!(r.status, 413);
    assert!(r.body.contains("larger than we accept"));
}

#[tokio::test]
async fn malformed_bodies_get_a_clear_400() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let token = client.csrf_token().await;
    let invalid_utf8 = format!("csrf_token={token}&email=%FF%FE%FD&password=x");
    let r = client
        .post_raw("/login", "application/x-www-form-urlencoded", invalid_utf8)
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("not UTF-8"));

    let mut raw_bytes = format!("csrf_token={token}&email=").into_bytes();
    raw_bytes.extend_from_slice(&[0xff, 0xfe, b'&']);
    let r = client
        .post_raw("/login", "application/x-www-form-urlencoded", raw_bytes)
        .await;
    assert_eq!(r.status, 400);

    let r = client
        .post_raw(
            &format!("/login?csrf_token={token}"),
            "application/json",
            "{\"email\": 1}",
        )
        .await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn unknown_ids_and_huge_numbers_are_404_not_500() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    for path in [
        "/app/river/members/00000000-0000-0000-0000-000000000000".to_string(),
        "/app/river/members/not-a-uuid".into(),
        "/app/river/mail/99999999999999999999999999".into(),
        "/app/river/mail/-1".into(),
        "/app/nonexistent".into(),
        "/app/nonexistent/members".into(),
        "/dev/mail/123456789012".into(),
        "/no/such/page".into(),
        "/static/nothing-here.css".into(),
    ] {
        let r = owner.get(&path).await;
        assert_eq!(r.status, 404, "{path}");
    }
    let r = owner.get("/no/such/page").await;
    assert!(r.body.contains("Page not found"));
    assert_eq!(
        owner
            .post_form("/app/river/mail/99999999999999999999/retry", &[])
            .await
            .status,
        404
    );
    for path in [
        "/login?next=%FF%FE",
        "/login?next=%ZZ&next=x",
        "/app/river?notice=%FF",
        "/?notice=<script>",
    ] {
        let r = owner.get(path).await;
        assert!(r.status < 500, "{path}: {}", r.status);
        assert!(!r.body.contains("<script>"), "{path}");
    }
    assert_eq!(app.client().get("/invite/garbage").await.status, 410);
    assert_eq!(
        app.client().get("/password/reset/garbage").await.status,
        410
    );
}

#[tokio::test]
async fn responses_carry_security_headers() {
    let app = TestApp::spawn().await;
    for path in ["/", "/login", "/no/such/page", "/static/style.css"] {
        let r = app.client().get(path).await;
        let csp = r.header("content-security-policy").unwrap_or_default();
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"));
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(r.header("referrer-policy"), Some("same-origin"));
        assert!(r.header("x-request-id").is_some());
        assert!(
            r.header("strict-transport-security").is_none(),
            "no HSTS over plain http"
        );
    }
}

#[tokio::test]
async fn health_reports_the_database() {
    let app = TestApp::spawn().await;
    let ok = app.client().get("/healthz").await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.body, "{\"status\":\"ok\"}");
    app.db.close().await;
    let down = app.client().get("/healthz").await;
    assert_eq!(down.status, 503);
}

#[tokio::test]
async fn pages_work_without_javascript_and_load_only_local_assets() {
    let app = TestApp::spawn().await;
    let page = app.client().get("/signup").await;
    assert!(!page.body.contains("<script"));
    assert!(page
        .body
        .contains("<link rel=\"stylesheet\" href=\"/static/style.css\">"));
    assert!(
        !page.body.contains("http://") && !page.body.contains("https://"),
        "nothing fetched from elsewhere"
    );
    for field in ["group_name", "slug", "name", "email"] {
        assert!(
            page.body.contains(&format!("<label for=\"{field}\">")),
            "{field} has a label"
        );
    }
    // The password is chosen on the page the emailed link opens; labelled there too.
    app.client()
        .post_form(
            "/signup",
            &[
                ("group_name", "G"),
                ("slug", "gg"),
                ("name", "N"),
                ("email", "n@example.org"),
            ],
        )
        .await;
    let link = app.signup_link("n@example.org").await;
    let confirm = app.client().get(&link).await;
    assert!(confirm.body.contains("<label for=\"password\">"));
    assert!(!confirm.body.contains("<script"));
    let css = app.client().get("/static/style.css").await;
    assert_eq!(css.status, 200);
    assert!(
        css.body.contains("@media"),
        "the stylesheet adapts to phones"
    );
}

/// A NUL byte (which PostgreSQL refuses in text) or another control character in any
/// form, query string, path or CSV import answers a clear 4xx and stores nothing; the
/// letter form answered 500. One check in the request layer covers every form, so the
/// test posts to every form the app has.
#[tokio::test]
async fn control_characters_anywhere_get_a_clear_answer_not_a_500() {
    use support::campaigns::{open_campaign, sign_and_confirm};
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let (path, public) = open_campaign(&owner, "river", "water", &[]).await;
    sign_and_confirm(&app, &public, "Lake Friends", "lee@lake.example").await;
    let signature: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM signatures WHERE name = 'Lake Friends'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    let me: uuid::Uuid = sqlx::query_scalar("SELECT id FROM users")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let token = "A".repeat(43);
    let before = || async {
        app.count(
            "SELECT (SELECT count(*) FROM letter_revisions) + (SELECT count(*) FROM signatures)
                  + (SELECT count(*) FROM invitations) + (SELECT count(*) FROM campaigns)
                  + (SELECT count(*) FROM referrals) + (SELECT count(*) FROM users)",
        )
        .await
    };
    let stored = before().await;
    let nul = "before\u{0}after";
    let forms: Vec<(String, Vec<(&str, &str)>)> = vec![
        (
            "/signup".into(),
            vec![
                ("group_name", nul),
                ("slug", "x1"),
                ("name", "N"),
                ("email", "n@example.org"),
                ("password", PASSWORD),
            ],
        ),
        (
            "/login".into(),
            vec![("email", nul), ("password", PASSWORD)],
        ),
        ("/password/forgot".into(), vec![("email", nul)]),
        (format!("/password/reset/{token}"), vec![("password", nul)]),
        (format!("/signup/confirm/{token}"), vec![("x", nul)]),
        (
            "/app/river/members/invite".into(),
            vec![("email", nul), ("role", "viewer")],
        ),
        (format!("/app/river/members/{me}/role"), vec![("role", nul)]),
        (format!("/app/river/members/{me}/remove"), vec![("x", nul)]),
        (format!("/invite/{token}"), vec![("x", nul)]),
        (
            format!("/invite/{token}/signup"),
            vec![("name", nul), ("password", PASSWORD)],
        ),
        (
            "/app/river/campaigns/new".into(),
            vec![("title", nul), ("letter", nul)],
        ),
        (format!("{path}/settings"), vec![("title", nul)]),
        (format!("{path}/status"), vec![("action", nul)]),
        (
            format!("{path}/letter"),
            vec![("body", nul), ("action", "save")],
        ),
        (
            format!("{path}/signatures/{signature}/decide"),
            vec![("decision", "reject"), ("reason", nul)],
        ),
        (
            format!("{path}/import/confirm"),
            vec![("csv", "name,email\nA\u{0}B,a@example.org\n")],
        ),
        (
            format!("{public}/sign"),
            vec![("organization", nul), ("email", "x@example.org")],
        ),
        (
            format!("{public}/signature/{token}/confirm"),
            vec![("x", nul)],
        ),
        (
            format!("{public}/signature/{token}/referrals"),
            vec![("referral_name", nul)],
        ),
        (
            format!("{public}/signature/{token}/withdraw"),
            vec![("x", nul)],
        ),
        ("/app/river/mail/1/retry".into(), vec![("x", nul)]),
        (format!("/mail/unsubscribe/{token}"), vec![("x", nul)]),
        ("/logout".into(), vec![("x", nul)]),
    ];
    for (url, fields) in &forms {
        let r = owner.post_form(url, fields).await;
        assert_eq!(r.status, 400, "POST {url}: {}", r.status);
        assert!(r.body.contains("invisible control character"), "POST {url}");
    }
    let escape = app
        .client()
        .post_form(
            "/login",
            &[("email", "a\u{1b}[31m@x.org"), ("password", "x")],
        )
        .await;
    assert_eq!(escape.status, 400);

    // The CSV upload (multipart) and query strings and paths.
    let upload = owner
        .upload(
            &format!("{path}/import"),
            "pasted",
            "name,email\nNul\u{0}Org,nul@example.org\n",
        )
        .await;
    assert_eq!(upload.status, 422);
    assert!(upload
        .body
        .contains("Line 2 contains an invisible control character"));
    assert_eq!(
        owner.get(&format!("{path}?state=pen%00ding")).await.status,
        400
    );
    assert_eq!(
        app.client()
            .get(&format!("{public}?revision=1%00"))
            .await
            .status,
        400
    );
    assert_eq!(app.client().get("/river/wa%00ter").await.status, 404);
    assert_eq!(app.client().get("/password/reset/%00").await.status, 404);
    assert_eq!(owner.get("/app/river/campaigns/wa%00ter").await.status, 404);

    assert_eq!(before().await, stored, "nothing was stored");
    // Line breaks and tabs are ordinary text.
    let letter = owner
        .post_form(
            &format!("{path}/letter"),
            &[
                ("body", "Dear Mayor,\r\n\tWe ask."),
                ("action", "confirm_change"),
                ("change_kind", "minor"),
            ],
        )
        .await;
    assert_eq!(letter.status, 303);
}

/// While the database refuses connections (restarting, failing over), pages answer 503
/// with Retry-After and a friendly page instead of 500, /healthz says so, and the app
/// recovers by itself when the database is back. Simulated on this test's own database
/// (connections cut and refused), so other tests running beside it are not touched.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_outage_answers_503_and_recovers_by_itself() {
    use support::campaigns::{open_campaign, organization, sign};
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let (path, public) = open_campaign(&owner, "river", "water", &[]).await;
    assert_eq!(owner.get(&path).await.status, 200);
    let name = app.database_url.rsplit('/').next().unwrap().to_owned();
    let admin = sqlx::PgPool::connect(support::ADMIN_URL).await.unwrap();
    let cut = |allow: bool| {
        let admin = admin.clone();
        let name = name.clone();
        async move {
            sqlx::query(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS {allow}"))
                .execute(&admin)
                .await
                .unwrap();
            if !allow {
                sqlx::query(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
                )
                .bind(&name)
                .execute(&admin)
                .await
                .unwrap();
            }
        }
    };
    // A form already loaded before the outage.
    let form = app.client();
    let loaded = form.get(&format!("{public}/sign")).await;
    assert_eq!(loaded.status, 200);

    cut(false).await;
    for page in [
        owner.get(&path).await,
        app.client().get(&public).await,
        owner.get("/app").await,
    ] {
        assert_eq!(page.status, 503, "{}", page.body);
        assert_eq!(page.header("retry-after"), Some("5"));
        assert!(page.body.contains("Back in a moment"));
    }
    assert_eq!(app.client().get("/healthz").await.status, 503);
    let started = support::campaigns::input_value(&loaded.body, "started").unwrap();
    let revision = support::campaigns::input_value(&loaded.body, "revision").unwrap();
    app.clock.advance(time::Duration::seconds(5));
    let mut fields = vec![
        ("started", started.as_str()),
        ("revision", revision.as_str()),
    ];
    fields.extend(organization("Outage Org", "out@example.org"));
    let signed = form.post_form(&format!("{public}/sign"), &fields).await;
    assert_eq!(
        signed.status, 503,
        "a form sent meanwhile is refused cleanly"
    );
    assert!(signed.body.contains("what you typed is still there"));

    cut(true).await;
    let mut back = false;
    for _ in 0..50 {
        if app.client().get("/healthz").await.status == 200 {
            back = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(back, "the app recovered by itself");
    assert_eq!(owner.get(&path).await.status, 200, "the session survived");
    let again = sign(
        &app,
        &public,
        &organization("Outage Org", "out@example.org"),
    )
    .await;
    assert_eq!(again.status, 303, "the same form goes through now");
    assert_eq!(
        app.count("SELECT count(*) FROM signatures WHERE name = 'Outage Org'")
            .await,
        1
    );
}

/// A token: the shape of every emailed secret, never issued.
fn unissued_token() -> String {
    undersigned::tokens::new_token().token
}

/// Pages whose address carries a secret (a signer's page and its sub-pages, a password
/// reset, an invitation, a sign-up to complete, an unsubscribe or a personal link, live,
/// used or unknown) name no referrer, so the secret never leaves in a `Referer`, not even
/// to our own stylesheet (a proxy's log would keep it); other pages keep `same-origin`.
#[tokio::test]
async fn pages_whose_address_carries_a_secret_send_no_referrer() {
    use support::campaigns::{confirm_from, open_campaign, organization, sign};
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let (_, public) = open_campaign(&owner, "river", "water", &[]).await;
    let r = sign(
        &app,
        &public,
        &organization("Lake Friends", "lee@lake.example"),
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let signature = app.link_mailed_to("lee@lake.example", "/signature/").await;
    let forgot = app
        .client()
        .post_form("/password/forgot", &[("email", "ana@river.example")])
        .await;
    assert_eq!(forgot.status, 303);
    let reset = app
        .link_mailed_to("ana@river.example", "/password/reset/")
        .await;
    let invited = owner
        .post_form(
            "/app/river/members/invite",
            &[("email", "bo@river.example"), ("role", "organizer")],
        )
        .await;
    assert_eq!(invited.status, 303, "{}", invited.body);
    let invite = app.link_mailed_to("bo@river.example", "/invite/").await;
    let asked = app
        .client()
        .post_form(
            "/signup",
            &[
                ("group_name", "Air Watch"),
                ("slug", "air"),
                ("name", "Cy"),
                ("email", "cy@air.example"),
            ],
        )
        .await;
    assert_eq!(asked.status, 303, "{}", asked.body);
    let signup = app.signup_link("cy@air.example").await;
    let unknown = unissued_token();
    let personal = "0b0c8e3e1d7f4a2b9c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b";

    let signer = app.client();
    let secret_pages: Vec<(String, u16)> = vec![
        (signature.clone(), 200),
        (format!("{signature}/withdraw"), 200),
        (format!("{signature}/erase"), 200),
        (format!("{signature}/data"), 200),
        (reset.clone(), 200),
        (invite.clone(), 200),
        (signup.clone(), 200),
        (format!("/mail/unsubscribe/{unknown}"), 404),
        (format!("/river/water/ask/{personal}"), 404),
        (format!("/river/water/signature/{unknown}"), 410),
        (format!("/password/reset/{unknown}"), 410),
        (
            format!("/login?next={}", url_escape(&format!("{invite}/signup"))),
            200,
        ),
    ];
    let mut answers = Vec::new();
    for (path, status) in &secret_pages {
        let r = signer.get(path).await;
        answers.push((path.clone(), *status, r));
    }
    let confirmed = confirm_from(&signer, &signature).await;
    assert_eq!(confirmed.status, 303, "{}", confirmed.body);
    answers.push((format!("POST {signature}/confirm"), 303, confirmed));
    let erased = signer.post_form(&format!("{signature}/erase"), &[]).await;
    answers.push((format!("POST {signature}/erase"), 200, erased));
    let gone = signer.get(&signature).await;
    answers.push((format!("{signature} after the erasure"), 410, gone));
    for (path, status, r) in &answers {
        assert_eq!(r.status, *status, "{path}: {}", r.body);
        assert_eq!(r.header("referrer-policy"), Some("no-referrer"), "{path}");
    }

    for path in [
        "/",
        "/login",
        "/signup",
        &public,
        "/river/water/sign",
        "/static/style.css",
    ] {
        let r = app.client().get(path).await;
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.header("referrer-policy"), Some("same-origin"), "{path}");
    }
    let dashboard = owner.get("/app/river").await;
    assert_eq!(dashboard.status, 200);
    assert_eq!(dashboard.header("referrer-policy"), Some("same-origin"));
}

fn url_escape(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
