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
    b.click("main button[type=submit]").await;
    assert_eq!(b.path().await, "/signup/sent");
    assert!(b.text("h1").await.contains("Check your email"));
    let link = app.link_mailed_to(email, "/signup/confirm/").await;
    b.goto(&app.url(&link)).await;
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
        b.check("input[name=role][value=organizer]").await;
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

#[tokio::test]
async fn an_organizer_opens_a_campaign_and_a_second_browser_signs_and_appears_in_order() {
    let app = TestApp::spawn().await;
    app.signup("water-justice", "ana@water.example").await;
    in_browser(async |organizer| {
        let app = &app;
        organizer.goto(&app.url("/login")).await;
        organizer.fill("#email", "ana@water.example").await;
        organizer.fill("#password", PASSWORD).await;
        organizer.click("main button[type=submit]").await;
        organizer
            .goto(&app.url("/app/water-justice/campaigns/new"))
            .await;
        organizer.fill("#title", "Clean Rivers Now").await;
        organizer.fill("#point-1", "Clean water is a right").await;
        organizer.fill("#point-2", "Polluters pay").await;
        organizer.fill("#target", "25").await;
        organizer
            .fill(
                "#letter",
                "# Dear Governor\n\nWe ask you to protect our rivers.",
            )
            .await;
        organizer.click("main button[type=submit]").await;
        assert_eq!(
            organizer.path().await,
            "/app/water-justice/campaigns/clean-rivers-now"
        );
        assert!(organizer.text(".notice").await.contains("Campaign created"));

        // Write a second draft of the letter, then open the campaign.
        organizer.click("nav.subnav a[href$='/letter']").await;
        organizer
            .fill(
                "#body",
                "# Dear Governor\n\nWe ask you to protect our rivers and lakes.",
            )
            .await;
        organizer.click("button[value=save]").await;
        assert!(organizer.text(".notice").await.contains("new revision"));
        organizer
            .click("nav.subnav a[href$='/clean-rivers-now']")
            .await;
        organizer.click("button[value=open]").await;
        assert!(organizer
            .text(".notice")
            .await
            .contains("The campaign is open"));

        for (name, email) in [
            ("Alder Network", "a@alder.example"),
            ("Zeta Org", "z@zeta.example"),
        ] {
            let r = support::campaigns::sign(
                app,
                "/water-justice/clean-rivers-now",
                &support::campaigns::organization(name, email),
            )
            .await;
            assert_eq!(r.status, 303);
            support::campaigns::confirm(app, email).await;
        }

        in_browser(async |signer| {
            signer
                .goto(&app.url("/water-justice/clean-rivers-now"))
                .await;
            assert!(
                signer.text(".letter").await.contains("rivers and lakes"),
                "the current revision is shown"
            );
            signer.click(".join a.button").await;
            assert_eq!(signer.path().await, "/water-justice/clean-rivers-now/sign");
            signer.fill("#organization", "The Marsh Collective").await;
            signer.fill("#website", "marsh.example").await;
            signer.fill("#city", "Baton Rouge").await;
            signer.check("input[name=size][value=regional]").await;
            signer.fill("#contact_name", "Mo Marsh").await;
            signer.fill("#contact_title", "Coordinator").await;
            signer.fill("#email", "mo@marsh.example").await;
            signer.check("input[name=authorized]").await;
            app.clock.advance(time::Duration::seconds(10));
            signer.click(".sign-form button[type=submit]").await;
            assert_eq!(
                signer.path().await,
                "/water-justice/clean-rivers-now/sign/sent"
            );
            assert_eq!(signer.text("h1").await, "Check your email");

            let link = app.link_mailed_to("mo@marsh.example", "/signature/").await;
            signer.goto(&app.url(&link)).await;
            signer.click("main form button[type=submit]").await;
            assert_eq!(signer.text("h1").await, "Thank you for signing");

            // A new confirmation reaches the cached public page within a moment: a
            // reader reloads, as a person would.
            let mut listed = Vec::new();
            for _ in 0..30 {
                signer
                    .goto(&app.url("/water-justice/clean-rivers-now"))
                    .await;
                let names = signer
                    .client
                    .find_all(fantoccini::Locator::Css(".signer-list .name"))
                    .await
                    .unwrap();
                listed.clear();
                for name in names {
                    listed.push(name.text().await.unwrap());
                }
                if listed.len() == 4 {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            assert_eq!(
                listed,
                [
                    "Alder Network",
                    "Group water-justice",
                    "The Marsh Collective",
                    "Zeta Org"
                ]
            );
        })
        .await;
    })
    .await;
}
