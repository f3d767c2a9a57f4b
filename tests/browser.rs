//! End to end in real headless Chromium (Debian's chromium + chromedriver).

mod support;

use std::panic::AssertUnwindSafe;

use futures::FutureExt;
use support::browser::Browser;
use support::{TestApp, PASSWORD};

/// Runs a scenario and always ends the WebDriver session, even when a check fails.
async fn in_browser(scenario: impl AsyncFnOnce(&Browser)) {
    let browser = Browser::start().await;
    let outcome = AssertUnwindSafe(scenario(&browser)).catch_unwind().await;
    browser.close().await;
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

async fn sign_up(app: &TestApp, b: &Browser, group: &str, name: &str, email: &str) {
    b.goto(&app.url("/signup")).await;
    b.fill("#group_name", group).await;
    b.fill("#name", name).await;
    b.fill("#email", email).await;
    b.fill("#password", PASSWORD).await;
    b.click("main button[type=submit]").await;
}

#[tokio::test]
async fn signing_up_lands_on_the_dashboard() {
    let app = TestApp::spawn().await;
    in_browser(async |b| {
        let app = &app;
        sign_up(
            app,
            b,
            "Friends of the River",
            "Ana Ruiz",
            "ana@river.example",
        )
        .await;
        assert_eq!(b.path().await, "/app/friends-of-the-river");
        assert_eq!(b.text("h1").await, "Friends of the River");
        assert!(b
            .text(".notice")
            .await
            .contains("Your organizing group is ready"));
        assert!(b.text("nav.account").await.contains("Ana Ruiz"));
    })
    .await;
}

#[tokio::test]
async fn logging_out_then_in_again() {
    let app = TestApp::spawn().await;
    in_browser(async |b| {
        let app = &app;
        sign_up(app, b, "Clean Air Now", "Bo Chen", "bo@air.example").await;
        b.click("nav.account button").await;
        assert_eq!(b.path().await, "/login");
        assert!(b.text(".notice").await.contains("You are logged out"));

        b.goto(&app.url("/app/clean-air-now")).await;
        assert_eq!(b.path().await, "/login", "organizer pages need a login");
        b.fill("#email", "bo@air.example").await;
        b.fill("#password", "wrong password!").await;
        b.click("main button[type=submit]").await;
        assert!(b
            .text(".error-summary")
            .await
            .contains("Email or password is wrong"));
        b.fill("#password", PASSWORD).await;
        b.click("main button[type=submit]").await;
        assert_eq!(
            b.path().await,
            "/app/clean-air-now",
            "back where the person wanted to go"
        );
    })
    .await;
}

#[tokio::test]
async fn inviting_a_teammate_who_accepts_from_the_emailed_link() {
    let app = TestApp::spawn().await;
    in_browser(async |b| {
        let app = &app;
        sign_up(app, b, "Water Justice", "Ana Ruiz", "ana@water.example").await;
        b.click("nav.tenant a[href$='/members']").await;
        b.fill("#email", "cy@water.example").await;
        b.click("input[name=role][value=organizer]").await;
        b.click("section.panel button[type=submit]").await;
        assert!(b.text(".notice").await.contains("Invitation sent"));
        b.click("nav.account button").await;

        let link = app.link_mailed_to("cy@water.example", "/invite/").await;
        b.goto(&app.url(&link)).await;
        assert!(b.text("h1").await.contains("Join Water Justice"));
        b.fill("#name", "Cy Teammate").await;
        b.fill("#password", PASSWORD).await;
        b.click("main button[type=submit]").await;
        assert_eq!(b.path().await, "/app/water-justice");
        assert!(b.text(".notice").await.contains("You have joined"));
        b.click("nav.tenant a[href$='/members']").await;
        let members = b.text("table.list").await;
        assert!(
            members.contains("Cy Teammate") && members.contains("Ana Ruiz"),
            "{members}"
        );
    })
    .await;
}
