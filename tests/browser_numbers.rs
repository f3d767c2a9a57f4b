//! In headless Chromium: the campaign page after a substantive change counts who is
//! listed under the current text and who awaits reconfirmation, and the follow-up queue
//! opens a form to log a call; both at desktop width and on a phone (390 px).

use crate::support;

use std::panic::AssertUnwindSafe;

use futures::FutureExt;
use support::browser::Browser;
use support::campaigns::{confirm, confirm_from, open_campaign, organization, sign};
use support::{TestApp, PASSWORD};

async fn in_browser(scenario: impl AsyncFnOnce(&Browser)) {
    let browser = Browser::start().await;
    let outcome = AssertUnwindSafe(scenario(&browser)).catch_unwind().await;
    browser.close().await;
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

async fn log_in(app: &TestApp, b: &Browser, email: &str) {
    b.goto(&app.url("/login")).await;
    b.fill("#email", email).await;
    b.fill("#password", PASSWORD).await;
    b.click("main button[type=submit]").await;
}

#[tokio::test]
async fn the_dashboard_after_a_substantive_change_and_the_follow_up_queue() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let (path, public) = open_campaign(&owner, "river", "water", &[]).await;
    let owner_id: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM users WHERE email = 'ana@river.example'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    for (name, email, phone, size) in [
        (
            "Heron Watch",
            "amira@heronwatch.example",
            "+1 (304) 555-0100",
            "national",
        ),
        ("Otter Trust", "olu@ottertrust.example", "", "local"),
        (
            "Kanawha Forest Coalition",
            "keisha@kanawha.example",
            "304-555-0199",
            "regional",
        ),
    ] {
        let r = owner
            .post_form(
                &format!("{path}/outreach/prospects/new"),
                &[
                    ("name", name),
                    ("size", size),
                    ("contact_name", "Keisha Grant"),
                    ("contact_role", "Executive Director"),
                    ("contact_email", email),
                    ("contact_phone", phone),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    sqlx::query("UPDATE prospects SET owner_id = $1, next_follow_up = '2026-11-25'")
        .bind(owner_id)
        .execute(&app.db)
        .await
        .unwrap();
    let mut links = Vec::new();
    for (name, email) in [
        ("Heron Watch", "amira@heronwatch.example"),
        ("Otter Trust", "olu@ottertrust.example"),
    ] {
        let mut fields = organization(name, email);
        fields.push((
            "comment",
            "Glad to sign. Could the letter name the estuary?",
        ));
        let r = sign(&app, &public, &fields).await;
        assert_eq!(r.status, 303, "{}", r.body);
        links.push(confirm(&app, email).await);
    }
    let r = owner
        .post_form(
            &format!("{path}/letter"),
            &[
                (
                    "body",
                    "# Dear Mayor\n\nKeep the river and the estuary clean.",
                ),
                ("action", "confirm_change"),
                ("change_kind", "substantive"),
                ("days", "14"),
                ("note", "We added the estuary."),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = confirm_from(&app.client(), &links[0]).await;
    assert_eq!(r.status, 303, "{}", r.body);

    let kanawha: String = sqlx::query_scalar(
        "SELECT p.id::text FROM prospects p JOIN organizations o ON o.id = p.organization_id
         WHERE o.name = 'Kanawha Forest Coalition'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    let r = owner
        .post_form(
            &format!("{path}/outreach/prospects/{kanawha}/activities"),
            &[
                ("kind", "note"),
                ("outcome", "Board meets Thursday"),
                ("next_follow_up", "2026-11-25"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);

    let r = owner
        .post_form(
            &format!("{path}/outreach/prospects/new"),
            &[
                ("name", "Estuary Alliance"),
                ("size", "regional"),
                ("hold_reason", "Asking them now may make the Otters wary"),
                ("hold_until", "2026-12-12"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let held = r.location().unwrap().split('?').next().unwrap().to_owned();
    let heron: String = sqlx::query_scalar(
        "SELECT p.id::text FROM prospects p JOIN organizations o ON o.id = p.organization_id
         WHERE o.name = 'Heron Watch'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();

    in_browser(async |b| {
        let app = &app;
        log_in(app, b, "ana@river.example").await;
        for (width, suffix) in [(1200, "desktop"), (390, "390")] {
            b.width(width).await;
            b.goto(&app.url(&path)).await;
            b.screenshot(&format!("campaign-dashboard-{suffix}")).await;
            b.goto(&app.url(&format!("{path}#awaiting"))).await;
            b.screenshot(&format!("campaign-awaiting-{suffix}")).await;
            b.goto(&app.url(&format!("{path}/outreach"))).await;
            b.screenshot(&format!("outreach-dashboard-{suffix}")).await;
            b.goto(&app.url(&format!("{path}/outreach#comments-title")))
                .await;
            b.screenshot(&format!("outreach-comments-{suffix}")).await;
            b.goto(&app.url(&format!("{path}/outreach/follow-ups?when=week")))
                .await;
            b.screenshot(&format!("follow-ups-week-{suffix}")).await;
            b.goto(&app.url(&format!("{path}/outreach/follow-ups")))
                .await;
            b.screenshot(&format!("follow-ups-{suffix}")).await;
        }
        for (width, suffix) in [(1200, "desktop"), (390, "390")] {
            b.width(width).await;
            b.goto(&app.url(&held)).await;
            b.screenshot(&format!("hold-warning-{suffix}")).await;
            b.goto(&app.url(&format!("{path}/outreach/prospects/{heron}")))
                .await;
            b.screenshot(&format!("prospect-comment-{suffix}")).await;
        }
        b.width(1200).await;
        b.goto(&app.url(&held)).await;
        b.click(".hold-warning button").await;
        assert!(b.text(".notice").await.contains("before the soft deadline"));
        // The figure is the public page's.
        b.width(1200).await;
        b.goto(&app.url(&path)).await;
        let figure = b.text(".progress-block .figure-line").await;
        assert!(figure.starts_with("2 of 10"), "{figure}");
        assert!(figure.contains("awaiting reconfirmation: 1"), "{figure}");
        b.goto(&app.url(&format!("{path}/outreach/follow-ups")))
            .await;
        b.click("a.link-button").await;
        assert!(b.path().await.ends_with("/log-call"));
        b.screenshot("log-call-desktop").await;
        b.width(390).await;
        b.screenshot("log-call-390").await;
        b.click("main button[type=submit]").await;
        assert!(b.path().await.ends_with("/outreach/follow-ups"));
    })
    .await;
}
