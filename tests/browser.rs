//! End to end in real headless Chromium (Debian's chromium + chromedriver).

use crate::support;

use std::panic::AssertUnwindSafe;

use futures::FutureExt;
use support::browser::Browser;
use support::campaigns::add_prospect_with as add_prospect;
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

async fn log_in(app: &TestApp, b: &Browser, email: &str) {
    b.goto(&app.url("/login")).await;
    b.fill("#email", email).await;
    b.fill("#password", PASSWORD).await;
    b.click("main button[type=submit]").await;
}

/// The text at `css` on the page at `path` once a change can be on it, which must show
/// `wanted`: a committed change reaches every reader of the public page within
/// `STALE_LIMIT` on the app's clock (`signing::page_cache`), so the clock moves by that
/// much and the page is read once.
async fn text_once(app: &TestApp, b: &Browser, path: &str, css: &str, wanted: &str) -> String {
    app.clock.advance(
        time::Duration::try_from(undersigned::signing::page_cache::STALE_LIMIT)
            .expect("a second is a duration"),
    );
    b.goto(&app.url(path)).await;
    let text = b.text(css).await;
    assert!(
        text.contains(wanted),
        "{path} does not show {wanted:?} one STALE_LIMIT later: {text}"
    );
    text
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

            // A new confirmation reaches the cached public page within STALE_LIMIT on the
            // app's clock (the form's seconds have passed on it already): a reader
            // reloads, as a person would.
            app.clock.advance(
                time::Duration::try_from(undersigned::signing::page_cache::STALE_LIMIT)
                    .expect("a second is a duration"),
            );
            signer
                .goto(&app.url("/water-justice/clean-rivers-now"))
                .await;
            let mut listed = Vec::new();
            for name in signer
                .client
                .find_all(fantoccini::Locator::Css(".signer-list .name"))
                .await
                .unwrap()
            {
                listed.push(name.text().await.unwrap());
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

/// Outreach from a spreadsheet to a signature: the organizer imports three prospects
/// (upload, columns, confirm), asks two of them; one contact opens the personal link from
/// the email, finds the form filled in for them, signs and confirms; the outreach
/// dashboard then counts the organization as signed.
#[tokio::test]
async fn prospects_imported_from_a_spreadsheet_are_asked_and_one_signs() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let (path, _) = support::campaigns::open_campaign(&owner, "river", "water", &[]).await;
    let mut file = tempfile::Builder::new().suffix(".csv").tempfile().unwrap();
    std::io::Write::write_all(
        &mut file,
        "Organization,Website,Size,Contact name,Role,Email
River Trust,river.example,regional,Amira Haddad,Director,amira@river.example
Lake Friends,lake.example,local,Lee Lake,Chair,lee@lake.example
Marsh Collective,marsh.example,national,Mo Marsh,Coordinator,mo@marsh.example
"
        .as_bytes(),
    )
    .unwrap();
    in_browser(async |organizer| {
        let app = &app;
        organizer.goto(&app.url("/login")).await;
        organizer.fill("#email", "ana@river.example").await;
        organizer.fill("#password", PASSWORD).await;
        organizer.click("main button[type=submit]").await;

        // Import: upload, check the guessed columns, see the rows, confirm.
        organizer
            .goto(&app.url(&format!("{path}/outreach/import")))
            .await;
        organizer
            .client
            .find(fantoccini::Locator::Css("#file"))
            .await
            .unwrap()
            .send_keys(&file.path().display().to_string())
            .await
            .unwrap();
        organizer.click("main form button[type=submit]").await;
        assert!(organizer
            .text("h1")
            .await
            .contains("what each column holds"));
        let first_choice = organizer
            .client
            .find(fantoccini::Locator::Css("select[name=map]"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap();
        assert_eq!(first_choice.as_deref(), Some("name"));
        organizer.click("main form button[type=submit]").await;
        assert!(organizer.text("h1").await.contains("preview"));
        assert!(organizer
            .text("main")
            .await
            .contains("3 prospects with 3 contacts"));
        organizer
            .click("form[action$='/outreach/import/confirm'] button[type=submit]")
            .await;
        assert_eq!(
            organizer.path().await,
            "/app/river/campaigns/water/outreach/prospects"
        );
        assert!(organizer
            .text(".notice")
            .await
            .contains("Prospects imported"));
        let list = organizer.text("table.prospects").await;
        assert!(
            list.contains("River Trust")
                && list.contains("Lake Friends")
                && list.contains("Marsh Collective"),
            "{list}"
        );

        // Ask two of them: preview, then send.
        organizer
            .check("input[name=prospect][aria-label='Select River Trust']")
            .await;
        organizer
            .check("input[name=prospect][aria-label='Select Lake Friends']")
            .await;
        organizer
            .click("form[action$='/outreach/ask'] .actions button[type=submit]")
            .await;
        assert!(organizer.text("h1").await.contains("Preview the ask"));
        let recipients = organizer.text("main table.list").await;
        assert!(
            recipients.contains("amira@river.example")
                && recipients.contains("lee@lake.example")
                && !recipients.contains("mo@marsh.example"),
            "{recipients}"
        );
        organizer.click("main .actions button[type=submit]").await;
        assert!(organizer
            .text(".notice")
            .await
            .contains("queued in the outbox"));
        app.dispatch_mail().await;
        assert_eq!(app.mail_to("lee@lake.example").len(), 1);

        // The contact opens the personal link from the email: the form is filled in.
        let link = app.link_mailed_to("amira@river.example", "/ask/").await;
        in_browser(async |contact| {
            contact.goto(&app.url(&link)).await;
            let value = |css: &'static str| async move {
                contact
                    .client
                    .find(fantoccini::Locator::Css(css))
                    .await
                    .unwrap_or_else(|_| panic!("no field {css}"))
                    .prop("value")
                    .await
                    .unwrap()
                    .unwrap_or_default()
            };
            assert_eq!(value("#organization").await, "River Trust");
            assert_eq!(value("#contact_name").await, "Amira Haddad");
            assert_eq!(value("#contact_title").await, "Director");
            assert_eq!(value("#email").await, "amira@river.example");
            contact.fill("#city", "Riverside").await;
            contact.check("input[name=authorized]").await;
            app.clock.advance(time::Duration::seconds(10));
            contact.click(".sign-form button[type=submit]").await;
            assert_eq!(contact.path().await, "/river/water/sign/sent");

            let confirm = app
                .link_mailed_to("amira@river.example", "/signature/")
                .await;
            contact.goto(&app.url(&confirm)).await;
            contact.click("main form button[type=submit]").await;
            assert_eq!(contact.text("h1").await, "Thank you for signing");
        })
        .await;

        // The dashboard: one signed organization in the funnel, and the chart.
        organizer.goto(&app.url(&format!("{path}/outreach"))).await;
        assert_eq!(
            organizer.text(".funnel .stage-signed .figure").await.trim(),
            "1"
        );
        assert_eq!(
            organizer.text(".funnel .stage-asked .figure").await.trim(),
            "1",
            "Lake Friends is still asked"
        );
        let title = organizer
            .client
            .find(fantoccini::Locator::Css("svg.chart title"))
            .await
            .expect("the chart is drawn")
            .html(true)
            .await
            .unwrap();
        assert!(
            title.contains("Signers listed under the current text"),
            "{title}"
        );
        let totals = organizer
            .client
            .find_all(fantoccini::Locator::Css(
                "table.chart-data tbody tr td:last-child",
            ))
            .await
            .unwrap();
        let last = totals.last().expect("a day in the table");
        let total: i64 = last.text().await.unwrap().trim().parse().unwrap();
        assert!(total >= 1, "{total}");
    })
    .await;
}

#[tokio::test]
async fn a_substantive_change_lists_only_the_signer_who_confirms_the_new_text() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let (_, public) = support::campaigns::open_campaign(&owner, "river", "water", &[]).await;
    support::campaigns::sign_and_confirm(&app, &public, "Alder Network", "lee@alder.example").await;
    support::campaigns::sign_and_confirm(&app, &public, "Birch Collective", "kim@birch.example")
        .await;
    in_browser(async |b| {
        let app = &app;
        log_in(app, b, "ana@river.example").await;
        b.goto(&app.url("/app/river/campaigns/water/letter")).await;
        b.fill(
            "#body",
            "# Dear Mayor\n\nWe ask you to keep the river and the estuary clean, and to publish the water tests.",
        )
        .await;
        b.click("button[value=save]").await;
        // The diff is in front of the organizer before anything is saved.
        assert!(b.text("h1").await.contains("Change a letter people have signed"));
        assert!(b.text(".diff").await.contains("publish the water tests"));
        b.check("input[name=change_kind][value=substantive]").await;
        b.fill("#note", "We now also ask for the water tests to be published.").await;
        b.click("button[value=confirm_change]").await;
        assert!(b.text(".notice").await.contains("Saved as a substantive change"));

        // Alder Network confirms the new text from the email; Birch Collective does not.
        let link = app.link_mailed_to("lee@alder.example", "/signature/").await;
        b.goto(&app.url(&link)).await;
        assert!(b.text("h1").await.contains("confirm the new text"));
        assert!(b.text(".diff").await.contains("publish the water tests"));
        b.click("form[action$='/confirm'] button").await;
        assert!(b.text(".notice").await.contains("listed under the letter as it stands now"));

        let names = text_once(app, b, &public, ".signer-list", "Alder Network").await;
        assert!(b.text(".letter").await.contains("publish the water tests"));
        assert!(names.contains("Alder Network"), "{names}");
        assert!(!names.contains("Birch Collective"), "{names}");
    })
    .await;
}

/// An organizer rejects a signer, rewrites the letter and undoes the rejection: the
/// signer is not listed under the new text but asked, and confirms it on a phone.
#[tokio::test]
async fn undoing_a_rejection_after_a_rewrite_asks_the_signer_who_confirms_on_a_phone() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let (path, public) = support::campaigns::open_campaign(&owner, "river", "water", &[]).await;
    support::campaigns::sign_and_confirm(&app, &public, "Alder Network", "lee@alder.example").await;
    let alder: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM signatures WHERE email = 'lee@alder.example'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    let rejected = owner
        .post_form(
            &format!("{path}/signatures/{alder}/decide"),
            &[
                ("decision", "reject"),
                ("reason", "We could not reach them"),
            ],
        )
        .await;
    assert_eq!(rejected.status, 303);
    in_browser(async |b| {
        let app = &app;
        log_in(app, b, "ana@river.example").await;
        b.goto(&app.url(&format!("{path}/letter"))).await;
        b.fill(
            "#body",
            "# Dear Mayor\n\nWe ask you to keep the river and the estuary clean.",
        )
        .await;
        b.click("button[value=save]").await;
        // Nobody is listed, but Alder confirmed a text: the organizer is asked first.
        assert!(b
            .text("h1")
            .await
            .contains("Change a letter people have signed"));
        assert!(b
            .text("main")
            .await
            .contains("1 other signer confirmed an earlier text"));
        b.screenshot("consent-1-change-step").await;
        b.check("input[name=change_kind][value=minor]").await;
        b.click("button[value=confirm_change]").await;
        assert!(b.text(".notice").await.contains("Saved as a minor change"));

        b.goto(&app.url(&format!("{path}/signatures/{alder}")))
            .await;
        b.click("button[value=restore]").await;
        let notice = b.text(".notice").await;
        assert!(notice.contains("not listed yet"), "{notice}");
        b.screenshot("consent-2-restored-and-asked").await;
        b.goto(&app.url(&public)).await;
        assert!(b.text(".letter").await.contains("and the estuary"));
        assert!(!b.text("main").await.contains("Alder Network"));

        // The signer, on a phone, reads the changed text from the email and confirms it.
        b.width(390).await;
        let link = app.link_mailed_to("lee@alder.example", "/signature/").await;
        b.goto(&app.url(&link)).await;
        assert!(b.text("h1").await.contains("confirm the new text"));
        b.screenshot("consent-3-signer-asked-390").await;
        b.click("form[action$='/confirm'] button").await;
        b.screenshot("consent-4-signer-confirmed-390").await;
        let names = text_once(app, b, &public, ".signer-list", "Alder Network").await;
        assert!(names.contains("Alder Network"), "{names}");
        b.screenshot("consent-5-public-page-390").await;
    })
    .await;
}

/// A statement from an organization that could not sign, on a phone: sent, confirmed from
/// the emailed link, approved by the organizers, then on the public page.
#[tokio::test]
async fn a_statement_is_confirmed_by_its_sender_before_organizers_can_publish_it() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let (path, public) = support::campaigns::open_campaign(&owner, "river", "water", &[]).await;
    in_browser(async |b| {
        let app = &app;
        b.width(390).await;
        b.goto(&app.url(&format!("{public}/statement"))).await;
        b.fill("#organization", "Hill County Water Board").await;
        b.fill("#contact_name", "Robin Vale").await;
        b.fill("#email", "robin@hill.example").await;
        b.fill(
            "#body",
            "We cannot sign as a public body, but we share the aim.",
        )
        .await;
        app.clock.advance(time::Duration::seconds(5));
        b.click("main button[type=submit]").await;
        assert!(b.text("h1").await.contains("Check your email"));
        b.screenshot("statement-1-sent-390").await;

        // Until the sender confirms, organizers cannot approve it.
        let id: uuid::Uuid = sqlx::query_scalar("SELECT id FROM statements")
            .fetch_one(&app.db)
            .await
            .unwrap();
        let early = owner
            .post_form(
                &format!("{path}/statements/{id}/decide"),
                &[("decision", "approve"), ("reason", "")],
            )
            .await;
        assert_eq!(early.status, 422, "{}", early.body);

        let link = app
            .link_mailed_to("robin@hill.example", "/statement/")
            .await;
        b.goto(&app.url(&link)).await;
        assert!(b.text("h1").await.contains("Confirm your statement"));
        assert!(b.text(".statement").await.contains("we share the aim"));
        b.screenshot("statement-2-confirm-390").await;
        b.click("main form button[type=submit]").await;
        assert!(b.text("h1").await.contains("Statement confirmed"));
        b.screenshot("statement-3-confirmed-390").await;

        let approved = owner
            .post_form(
                &format!("{path}/statements/{id}/decide"),
                &[("decision", "approve"), ("reason", "")],
            )
            .await;
        assert_eq!(approved.status, 303, "{}", approved.body);
        let shown = text_once(app, b, &public, "main", "Hill County Water Board").await;
        assert!(shown.contains("we share the aim"), "{shown}");
        b.screenshot("statement-4-public-390").await;
    })
    .await;
}

/// A letter as long as a real one: on a phone it fills several screens above the form.
fn long_letter() -> String {
    let mut letter = String::from("# Dear Mayor Alvarez\n\n");
    for n in 1..=8 {
        letter.push_str(&format!(
            "Paragraph {n}. The river feeds the towns along its banks, and the families who drink from it have asked for years that the outflows upstream be measured, published and stopped where they break the permits the county issued.\n\n"
        ));
    }
    letter.push_str("Sincerely,");
    letter
}

/// Runs `script` in the page and returns its value.
async fn script(b: &Browser, script: &str) -> serde_json::Value {
    b.client.execute(script, vec![]).await.unwrap()
}

/// On a phone, a sign form sent back with a mistake puts the list of what to fix in view
/// and in focus, without script, though the letter above it is long (the summary used to
/// sit 1,500 px down, out of sight); each item links to its field.
#[tokio::test]
async fn a_sign_form_error_takes_the_focus_to_the_summary_on_a_phone() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let letter = long_letter();
    let (_, public) =
        support::campaigns::open_campaign(&owner, "river", "water", &[("letter", &letter)]).await;
    in_browser(async |b| {
        let app = &app;
        b.width(390).await;
        b.goto(&app.url(&format!("{public}/sign"))).await;
        assert!(b.text(".sign-by").await.contains("Sign by Wednesday 9 December"));
        b.screenshot("sign-form-top-390-after").await;
        b.fill("#organization", "Hill County Water Board").await;
        b.fill("#city", "Hill County").await;
        b.check("input[name=size][value=regional]").await;
        b.fill("#contact_name", "Robin Vale").await;
        b.fill("#contact_title", "Director").await;
        b.fill("#email", "robin at hill").await;
        app.clock.advance(time::Duration::seconds(5));
        b.click("form[action$='/sign'] button[type=submit]").await;

        let summary = b.text("#form-problems").await;
        assert!(summary.contains("2 things to fix"), "{summary}");
        assert!(summary.contains("Tick this box to confirm you may sign for this organization."));
        assert_eq!(
            script(b, "return document.activeElement.id").await,
            "form-problems",
            "the summary has the focus"
        );
        let in_view = script(
            b,
            "const r = document.getElementById('form-problems').getBoundingClientRect(); \
             return r.top >= 0 && r.top < window.innerHeight;",
        )
        .await;
        assert_eq!(in_view, true, "the summary is on screen");
        let scrolled = script(b, "return window.scrollY").await.as_f64().unwrap();
        assert!(scrolled > 1000.0, "scrolled past the letter: {scrolled}");
        assert_eq!(
            script(b, "return document.querySelector('#form-problems a[href=\"#email\"]') !== null && document.querySelector('#form-problems a[href=\"#authorized\"]') !== null").await,
            true,
            "each item links to its field"
        );
        assert_eq!(
            script(b, "return document.getElementById('organization').value").await,
            "Hill County Water Board",
            "what was typed is kept"
        );
        b.screenshot("sign-form-error-390-after").await;
    })
    .await;
}

/// Before the release, on a phone: the signer's page after confirming, and the public
/// page it links to, say when the list will be published (no 404).
#[tokio::test]
async fn before_the_release_a_signer_is_told_when_the_list_is_published() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let (path, public) = support::campaigns::open_campaign(&owner, "river", "water", &[]).await;
    let r = owner
        .post_form(
            &format!("{path}/release"),
            &[
                ("release_at", "2026-12-04T10:00"),
                (
                    "press_release",
                    "# For immediate release\n\nForty groups ask the mayor.",
                ),
                ("update_every_days", "0"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let signed = support::campaigns::sign(
        &app,
        &public,
        &support::campaigns::organization("Cedar Circle", "cy@cedar.example"),
    )
    .await;
    assert_eq!(signed.status, 303);
    let link = app.link_mailed_to("cy@cedar.example", "/signature/").await;
    in_browser(async |b| {
        let app = &app;
        b.width(390).await;
        b.goto(&app.url(&link)).await;
        b.click("form[action$='/confirm'] button").await;
        assert!(b.text("h1").await.contains("Thank you for signing"));
        let said = b.text("main").await;
        assert!(
            said.contains("will be published on Friday 4 December at 10:00 UTC"),
            "{said}"
        );
        assert!(
            said.contains("you signed the letter as it stands"),
            "{said}"
        );
        b.screenshot("pre-release-thank-you-390-after").await;
        b.goto(&app.url(&public)).await;
        assert!(b
            .text("main")
            .await
            .contains("will be published on Friday 4 December at 10:00 UTC"));
        b.screenshot("pre-release-public-page-390-after").await;
    })
    .await;
}

/// An organizer fixes typos in a signed letter: the save page shows the diff and the
/// words fixed, and offers to save it without notifying anyone.
#[tokio::test]
async fn a_typo_fix_is_saved_without_notifying_after_the_diff_is_shown() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let letter = "# Dear Mayor\n\nWe, the undersinged, ask you to keep the river clean and the goverment accountable.\n\nSincerely,";
    let (path, public) =
        support::campaigns::open_campaign(&owner, "river", "water", &[("letter", letter)]).await;
    support::campaigns::sign_and_confirm(&app, &public, "Alder Network", "lee@alder.example").await;
    in_browser(async |b| {
        let app = &app;
        log_in(app, b, "ana@river.example").await;
        b.goto(&app.url(&format!("{path}/letter"))).await;
        b.fill(
            "#body",
            "# Dear Mayor,\n\nWe, the undersigned, ask you to keep the river clean and the government accountable.\n\nSincerely,",
        )
        .await;
        b.click("button[value=save]").await;
        let verdict = b.text("#correction-verdict").await;
        assert!(verdict.contains("No word changed beyond 2 typos"), "{verdict}");
        assert!(verdict.contains("undersinged → undersigned"), "{verdict}");
        b.screenshot("silent-correction-diff-after").await;
        script(b, "document.querySelector('fieldset').scrollIntoView(); return null").await;
        b.screenshot("silent-correction-choice-after").await;
        b.check("input[name=change_kind][value=correction]").await;
        b.click("button[value=confirm_change]").await;
        assert!(b.text(".notice").await.contains("nobody was emailed"));
    })
    .await;
    assert_eq!(
        app.count("SELECT count(*) FROM outbox WHERE message ->> 'kind' = 'letter_changed'")
            .await,
        0
    );
}

#[tokio::test]
async fn an_ask_is_previewed_recipient_by_recipient_and_a_chapter_left_out() {
    let app = TestApp::spawn().await;
    let owner = app.signup("ohio", "maya@ohiovalley.example").await;
    sqlx::query("UPDATE users SET name = 'Maya Okafor' WHERE email = 'maya@ohiovalley.example'")
        .execute(&app.db)
        .await
        .unwrap();
    sqlx::query("UPDATE tenants SET name = 'Ohio Valley Clean Water Alliance' WHERE slug = 'ohio'")
        .execute(&app.db)
        .await
        .unwrap();
    let (path, _) = support::campaigns::open_campaign(&owner, "ohio", "water", &[]).await;
    let mut ids = Vec::new();
    for fields in [
        &[
            ("name", "Appalachian Voices"),
            ("contact_name", "Keisha Grant"),
            ("contact_role", "Policy Director"),
            ("contact_email", "keisha@appvoices.example"),
        ][..],
        &[
            ("name", "Sierra Club"),
            ("contact_name", "Hal Brooks"),
            ("contact_email", "hal@sierra.example"),
        ],
        &[
            ("name", "Sierra Club West Virginia"),
            ("parent", "Sierra Club"),
            ("contact_name", "Wes Carter"),
            ("contact_email", "wes@wv.sierra.example"),
        ],
    ] {
        ids.push(add_prospect(&owner, &path, fields).await);
    }
    in_browser(async |b| {
        let app = &app;
        log_in(app, b, "maya@ohiovalley.example").await;
        b.goto(&app.url(&format!("{path}/outreach/prospects")))
            .await;
        for id in &ids {
            b.check(&format!("input[name=prospect][value='{id}']"))
                .await;
        }
        b.click("form[action$='/outreach/ask'] button.button").await;
        assert!(b.text("h1").await.contains("Preview the ask"));
        assert_eq!(b.text(".stepper-position").await, "1 of 3");
        let email = b.text(".email-body").await;
        assert!(
            email.contains("Maya Okafor (Ohio Valley Clean Water Alliance)"),
            "{email}"
        );
        assert!(email.contains("Dear Keisha,"), "{email}");
        let warning = b.text(".chapter-warning").await;
        assert!(warning.contains("are parent and chapter"), "{warning}");
        b.screenshot("ask-preview-warning").await;
        let scroll_to_preview = "document.querySelector('.preview-stepper').scrollIntoView()";
        b.client.execute(scroll_to_preview, vec![]).await.unwrap();
        b.screenshot("ask-preview-1-of-3").await;

        b.click("button[name=step][value='1']").await;
        assert_eq!(b.text(".stepper-position").await, "2 of 3");
        assert!(b.text(".email-body").await.contains("Dear Hal,"));
        b.client.execute(scroll_to_preview, vec![]).await.unwrap();
        b.screenshot("ask-preview-2-of-3").await;

        b.click("button[name=leave_out]").await;
        assert!(b
            .text(".notice")
            .await
            .contains("Left out of this send: Sierra Club West Virginia"));
        assert_eq!(b.text(".stepper-position").await, "1 of 2");
        b.width(390).await;
        b.screenshot("ask-preview-phone-top").await;
        b.client.execute(scroll_to_preview, vec![]).await.unwrap();
        b.screenshot("ask-preview-phone").await;

        // The contact form takes the first name an ask greets them by.
        b.goto(&app.url(&format!("{path}/outreach/prospects/{}", ids[0])))
            .await;
        b.check("td.row-actions details.confirm summary").await;
        b.fill("input[name=first_name]", "Kay").await;
        b.click("td.row-actions details.confirm[open] button[type=submit]")
            .await;
        assert!(b.text("main table.list").await.contains("“Kay” in emails"));
        b.screenshot("contact-first-name-phone").await;
    })
    .await;
}

fn realistic_sheet_for_shots(sep: &str) -> String {
    let mut sheet = [
        "Organization",
        "Website",
        "Size",
        "Owner",
        "Tags",
        "Contact",
        "Role",
        "Email",
        "Notes",
    ]
    .join(sep);
    sheet.push('\n');
    let sizes = [
        "Statewide",
        "National",
        "local",
        "State",
        "Local chapter",
        "Regional",
    ];
    let owners = ["Maya", "Sam", "maya okafor", "SAM@river.example", "Jo", ""];
    let orgs = [
        "Ohio Valley Clean Water Alliance",
        "Sierra Club - West Virginia",
        "Appalachian Voices",
        "Mothers Out Front Cincinnati",
        "Kentucky Resources Council",
        "Marietta Riverkeepers",
        "Friends of the Muskingum",
        "Buckeye Environmental Network",
        "Ohio Farmers Union",
        "Pittsburgh Water Collaborative",
        "Wheeling Faith Coalition",
        "Lower Ohio Anglers",
    ];
    for i in 1..=32 {
        let org = format!("{} {}", orgs[i % orgs.len()], i);
        let row = [
            org.clone(),
            format!("org{i}.example"),
            sizes[i % sizes.len()].to_owned(),
            owners[i % owners.len()].to_owned(),
            "water; farms|youth".to_owned(),
            format!("Keisha Grant {i}"),
            "Director".to_owned(),
            format!("contact{i}@org{i}.example"),
            format!("Met at the spring summit ({i})"),
        ];
        sheet.push_str(&row.join(sep));
        sheet.push('\n');
    }
    sheet
}

/// An organizer pastes 32 rows copied from a spreadsheet (tabs, first names as owners,
/// "Statewide" sizes), maps the values once, sees every column in the preview, imports,
/// and finds the list readable on a phone with a select-all box.
#[tokio::test]
async fn a_pasted_sheet_with_first_names_is_mapped_once_and_imported() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    app.join(
        &owner,
        "river",
        "maya@river.example",
        "organizer",
        "Maya Okafor",
    )
    .await;
    app.join(
        &owner,
        "river",
        "sam@river.example",
        "organizer",
        "Sam Reyes",
    )
    .await;
    let (path, _) = support::campaigns::open_campaign(&owner, "river", "water", &[]).await;
    in_browser(async |b| {
        log_in(&app, b, "ana@river.example").await;
        b.goto(&app.url(&format!("{path}/outreach/import"))).await;
        // What a paste does: the cells land in the box as tab-separated lines.
        b.client
            .execute(
                "document.getElementById('pasted').value = arguments[0]",
                vec![serde_json::json!(realistic_sheet_for_shots("\t"))],
            )
            .await
            .unwrap();
        b.click("main form button[type=submit]").await;
        assert!(b.text("main").await.contains("cells pasted from a spreadsheet (tabs)"));
        b.screenshot("after-columns").await;
        b.click("main form.mapping-form button[type=submit]").await;
        assert!(b.text("h1").await.contains("owners and sizes"));
        let values = b.text("table.import-values").await;
        assert!(values.contains("Owner “Jo”") && values.contains("Size “Statewide”"), "{values}");
        assert!(!values.contains("Owner “Maya”"), "first names are found by themselves");
        b.screenshot("after-values-step").await;
        b.width(390).await;
        b.screenshot("after-values-step-390").await;
        b.width(1200).await;
        // Left unchosen, "Jo" holds its rows aside: listed once, the others can go in.
        b.click("main form button[value=check]").await;
        let summary = b.text(".error-summary").await;
        assert!(summary.contains("Rows 5, 11, 17, 23, 29: the owner \"Jo\""), "{summary}");
        assert!(summary.contains("import the 27 good rows now"), "{summary}");
        b.screenshot("after-preview-with-problems").await;
        b.click("form[action$='/outreach/import/confirm'] button[value=values]")
            .await;
        let jo = b
            .client
            .find(fantoccini::Locator::XPath(
                "//tr[contains(., 'Owner “Jo”')]//select",
            ))
            .await
            .unwrap();
        let maya: String = sqlx::query_scalar(
            "SELECT id::text FROM users WHERE email = 'maya@river.example'",
        )
        .fetch_one(&app.db)
        .await
        .unwrap();
        jo.select_by_value(&maya).await.unwrap();
        b.screenshot("after-values-chosen").await;
        b.click("main form button[value=check]").await;
        assert!(b.text("h1").await.contains("preview"));
        let main = b.text("main").await;
        assert!(main.contains("32 rows are ready: 32 prospects with 32 contacts"), "{main}");
        let headings = b.text("table.import-preview thead").await.to_lowercase();
        for heading in ["website", "size", "owner", "tags", "contact", "role", "email", "notes"] {
            assert!(headings.contains(heading), "{heading} in {headings}");
        }
        b.screenshot("after-preview").await;
        b.click("form[action$='/outreach/import/confirm'] button[type=submit]")
            .await;
        assert_eq!(b.path().await, "/app/river/campaigns/water/outreach/prospects");
        assert!(b.text("main").await.contains("See this import"));
        b.check("#select-all").await;
        let ticked = b
            .client
            .execute(
                "return document.querySelectorAll('table.prospects input[name=prospect]:checked').length",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(ticked.as_u64(), Some(32), "select all ticks every row shown");
        b.screenshot("after-list-select-all").await;
        b.client
            .find(fantoccini::Locator::Css("details.bulk summary"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        b.client
            .execute("document.querySelector('details.bulk').scrollIntoView()", vec![])
            .await
            .unwrap();
        b.screenshot("after-list-bulk-panel").await;
        b.width(390).await;
        let owner_cell = b
            .client
            .execute(
                "return getComputedStyle(document.querySelector('table.prospects td[data-label=Owner]'), '::before').content",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(owner_cell.as_str(), Some("\"Owner: \""), "labelled on a phone");
        b.client
            .execute("document.querySelector('table.prospects').scrollIntoView()", vec![])
            .await
            .unwrap();
        b.screenshot("after-list-390").await;

        // A sheet with a bad row: the good ones go in, the bad one waits on the import's page.
        b.width(1200).await;
        b.goto(&app.url(&format!("{path}/outreach/import"))).await;
        b.fill(
            "#pasted",
            "organization,email\nNew River Network,nr@newriver.example\nBad Row Org,not-an-address\n",
        )
        .await;
        b.click("main form button[type=submit]").await;
        b.click("main form.mapping-form button[type=submit]").await;
        b.click("form[action$='/outreach/import/confirm'] button[type=submit]")
            .await;
        assert!(b.path().await.contains("/outreach/imports/"));
        let main = b.text("main").await;
        assert!(main.contains("1 row kept aside to fix"), "{main}");
        b.screenshot("after-import-record-kept-rows").await;
        b.width(390).await;
        b.screenshot("after-import-record-kept-rows-390").await;
    })
    .await;
    assert_eq!(app.count("SELECT count(*) FROM prospects").await, 33);
}

/// An organizer's first week in one walk: a sheet pasted with first names as owners, two
/// contacts asked (the ask comes from Maya and a reply reaches her), one signs from her
/// personal link, the letter changes substantively, and the campaign page counts what the
/// public page lists (the host organization) with the signer awaiting reconfirmation.
#[tokio::test]
async fn an_organizers_first_week_from_a_pasted_sheet_to_honest_numbers() {
    let app = TestApp::spawn().await;
    let owner = app.signup("ohio", "ana@ohiovalley.example").await;
    sqlx::query("UPDATE tenants SET name = 'Ohio Valley Clean Water Alliance' WHERE slug = 'ohio'")
        .execute(&app.db)
        .await
        .unwrap();
    app.join(
        &owner,
        "ohio",
        "maya@ohiovalley.example",
        "organizer",
        "Maya Okafor",
    )
    .await;
    app.join(
        &owner,
        "ohio",
        "sam@ohiovalley.example",
        "organizer",
        "Sam Ortiz",
    )
    .await;
    let (path, public) = support::campaigns::open_campaign(&owner, "ohio", "water", &[]).await;
    let sheet = [
        "Organization\tWebsite\tSize\tOwner\tTags\tContact\tRole\tEmail",
        "Appalachian Voices\tappvoices.example\tStatewide\tMaya\twater; farms\tKeisha Grant\tPolicy Director\tkeisha@appvoices.example",
        "Marietta Riverkeepers\triverkeepers.example\tlocal\tSam\twater|youth\tDon Price\tChair\tdon@riverkeepers.example",
        "Ohio Farmers Union\tohfarmers.example\tregional\tmaya\tfarms\tLuz Ortega\tOrganizer\tluz@ohfarmers.example",
    ]
    .join("\r\n");
    in_browser(async |b| {
        let app = &app;
        log_in(app, b, "maya@ohiovalley.example").await;

        // Monday: the sheet, pasted as cells (tabs), owners by first name, a "Statewide" size.
        b.goto(&app.url(&format!("{path}/outreach/import"))).await;
        // What a paste does (typing a tab would move the focus instead).
        b.client
            .execute(
                "document.getElementById('pasted').value = arguments[0]",
                vec![serde_json::json!(sheet)],
            )
            .await
            .unwrap();
        b.click("main form button[type=submit]").await;
        assert!(b
            .text("main")
            .await
            .contains("cells pasted from a spreadsheet (tabs)"));
        b.click("main form.mapping-form button[type=submit]").await;
        assert!(b.text("h1").await.contains("owners and sizes"));
        let values = b.text("table.import-values").await;
        assert!(values.contains("Size “Statewide”"), "{values}");
        assert!(
            !values.contains("Owner “Maya”"),
            "a first name finds its organizer: {values}"
        );
        b.click("main form button[value=check]").await;
        assert!(b.text("h1").await.contains("preview"));
        let main = b.text("main").await;
        assert!(
            main.contains("3 rows are ready: 3 prospects with 3 contacts"),
            "{main}"
        );
        b.screenshot("walk-import-preview").await;
        b.click("form[action$='/outreach/import/confirm'] button[type=submit]")
            .await;
        assert_eq!(
            b.path().await,
            "/app/ohio/campaigns/water/outreach/prospects"
        );
        let list = b.text("table.prospects").await;
        assert!(
            list.contains("Maya Okafor") && list.contains("Sam Ortiz"),
            "{list}"
        );

        // Tuesday: Maya asks two of them, one recipient at a time in the preview.
        b.check("input[name=prospect][aria-label='Select Appalachian Voices']")
            .await;
        b.check("input[name=prospect][aria-label='Select Marietta Riverkeepers']")
            .await;
        b.click("form[action$='/outreach/ask'] button.button").await;
        assert!(b.text("h1").await.contains("Preview the ask"));
        assert_eq!(b.text(".stepper-position").await, "1 of 2");
        b.click("main .actions button[type=submit]").await;
        assert!(b.text(".notice").await.contains("queued in the outbox"));
    })
    .await;
    app.dispatch_mail().await;

    // Don replies: the ask came from Maya (over the app's sender) and a reply reaches her.
    let asked = app.mail_to("don@riverkeepers.example");
    assert_eq!(asked.len(), 1);
    let ask = &asked[0];
    assert_eq!(
        ask.from_name,
        "Maya Okafor (Ohio Valley Clean Water Alliance)"
    );
    assert!(
        ask.reply_to
            .as_deref()
            .is_some_and(|to| to.contains("maya@ohiovalley.example")),
        "{:?}",
        ask.reply_to
    );
    assert!(
        !ask.from.contains("ohiovalley.example"),
        "never the organizer's domain: {}",
        ask.from
    );
    assert!(
        ask.text.contains("Dear Don") || ask.text.contains("Don,"),
        "{}",
        ask.text
    );
    assert!(
        ask.text.contains("/ohio/water/ask/"),
        "the link is written out: {}",
        ask.text
    );

    // Keisha signs from her personal link, on a phone.
    let link = app
        .link_mailed_to("keisha@appvoices.example", "/ask/")
        .await;
    in_browser(async |contact| {
        contact.width(390).await;
        contact.goto(&app.url(&link)).await;
        contact.fill("#city", "Boone").await;
        contact.check("input[name=authorized]").await;
        app.clock.advance(time::Duration::seconds(10));
        contact.click(".sign-form button[type=submit]").await;
        let confirm = app
            .link_mailed_to("keisha@appvoices.example", "/signature/")
            .await;
        contact.goto(&app.url(&confirm)).await;
        contact.click("main form button[type=submit]").await;
        assert_eq!(contact.text("h1").await, "Thank you for signing");
    })
    .await;

    in_browser(async |b| {
        let app = &app;
        log_in(app, b, "maya@ohiovalley.example").await;
        b.goto(&app.url(&path)).await;
        let signers = b.text("main").await;
        assert!(signers.contains("from Maya's ask to Keisha Grant"), "{signers}");

        // Thursday: the letter changes substantively.
        b.goto(&app.url(&format!("{path}/letter"))).await;
        b.fill(
            "#body",
            "# Dear Governor\n\nWe ask you to keep the Ohio River clean, and to publish every discharge permit.",
        )
        .await;
        b.click("button[value=save]").await;
        b.check("input[name=change_kind][value=substantive]").await;
        b.fill("#note", "We now also ask for the permits to be published.").await;
        b.click("button[value=confirm_change]").await;
        assert!(b.text(".notice").await.contains("Saved as a substantive change"));

        // The campaign page counts what the public page lists: the host organization.
        b.goto(&app.url(&path)).await;
        let figure = b.text(".progress-block .figure-line").await;
        assert!(figure.starts_with("1 of"), "{figure}");
        assert!(figure.contains("awaiting reconfirmation: 1"), "{figure}");
        let awaiting = b.text("#awaiting").await;
        assert!(awaiting.contains("Appalachian Voices"), "{awaiting}");
        b.screenshot("walk-dashboard-after-substantive-change").await;
        let names = text_once(app, b, &public, ".signer-list", "Ohio Valley").await;
        assert_eq!(
            support::campaigns::listed_names(&b.client.source().await.unwrap()).len(),
            1,
            "{names}"
        );
        assert!(!names.contains("Appalachian Voices"), "{names}");
    })
    .await;
}

/// A signer whose address waits in an import's kept rows: their erasure page says so, and
/// after the erasure the organizers' import page shows only the other kept row.
#[tokio::test]
async fn an_erasure_takes_the_signers_row_off_an_imports_kept_rows() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let (path, public) = support::campaigns::open_campaign(&owner, "river", "water", &[]).await;
    let r = support::campaigns::sign(
        &app,
        &public,
        &support::campaigns::organization("Heron Watch", "amira@heron.example"),
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let link = support::campaigns::confirm(&app, "amira@heron.example").await;
    let done = owner
        .post_form(
            &format!("{path}/outreach/import/confirm"),
            &[
                (
                    "csv",
                    "organization,email,owner\nOsprey Trust,os@osprey.example,\nKite Friends,Amira@Heron.example,Nobody Here\nOtter Pals,otter@otter.example,Nobody Here\n",
                ),
                ("map", "name"),
                ("map", "contact_email"),
                ("map", "owner"),
                ("mode", "good"),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let record = done
        .location()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    in_browser(async |b| {
        log_in(&app, b, "ana@river.example").await;
        b.goto(&app.url(&record)).await;
        assert!(b.text("main").await.contains("2 rows kept aside to fix"));
        b.screenshot("erase-kept-rows-before").await;

        b.goto(&app.url(&format!("{link}/erase"))).await;
        let main = b.text("main").await;
        assert!(
            main.contains("a row with your address that the organizers imported from a spreadsheet and set aside to correct"),
            "{main}"
        );
        b.screenshot("erase-page-with-kept-row").await;
        b.width(390).await;
        b.screenshot("erase-page-with-kept-row-390").await;
        b.width(1200).await;
        b.click("main form button[type=submit]").await;
        assert!(b.text("main").await.contains("Your details are erased"));

        b.goto(&app.url(&record)).await;
        let main = b.text("main").await;
        assert!(main.contains("1 row kept aside to fix"), "{main}");
        assert!(main.contains("Otter Pals") && !main.contains("Kite Friends"), "{main}");
        assert!(main.contains("One row kept aside from this import was erased"), "{main}");
        b.screenshot("erase-kept-rows-after").await;
        b.width(390).await;
        b.screenshot("erase-kept-rows-after-390").await;
    })
    .await;
}

#[tokio::test]
async fn the_book_carries_two_signers_of_one_letter_into_the_next() {
    let app = TestApp::spawn().await;
    let owner = app.signup("delta", "ana@delta.example").await;
    let (water, water_public) =
        support::campaigns::open_campaign(&owner, "delta", "water", &[]).await;
    let mut file = tempfile::Builder::new().suffix(".csv").tempfile().unwrap();
    std::io::Write::write_all(
        &mut file,
        "Organization,Website,Size,Contact name,Role,Email
River Trust,river.example,regional,Amira Haddad,Director,amira@river.example
Lake Friends,lake.example,local,Lee Lake,Chair,lee@lake.example
Marsh Collective,marsh.example,national,Mo Marsh,Coordinator,mo@marsh.example
"
        .as_bytes(),
    )
    .unwrap();
    in_browser(async |organizer| {
        let app = &app;
        log_in(app, organizer, "ana@delta.example").await;

        // Import into the book: upload, the guessed columns, the preview, confirm.
        organizer.goto(&app.url("/app/delta/book")).await;
        organizer.click("a[href$='/book/import']").await;
        organizer
            .client
            .find(fantoccini::Locator::Css("#file"))
            .await
            .unwrap()
            .send_keys(&file.path().display().to_string())
            .await
            .unwrap();
        organizer.click("main form button[type=submit]").await;
        assert!(organizer
            .text("h1")
            .await
            .contains("what each column holds"));
        organizer.click("main form button[type=submit]").await;
        assert!(organizer.text("h1").await.contains("preview"));
        organizer
            .click("form[action$='/book/import/confirm'] button[type=submit]")
            .await;
        organizer.screenshot("book-import-done").await;

        // "Add these to a campaign": the water letter.
        organizer.goto(&app.url("/app/delta/book/import")).await;
        let record = organizer
            .client
            .find(fantoccini::Locator::Css("a[href*='/book/imports/']"))
            .await
            .expect("the import's record is linked")
            .attr("href")
            .await
            .unwrap()
            .unwrap();
        organizer.goto(&app.url(&record)).await;
        organizer
            .click("form[action$='/add-to-campaign'] button[type=submit]")
            .await;
        organizer
            .goto(&app.url(&format!("{water}/outreach/prospects")))
            .await;
        let list = organizer.text("table.prospects").await;
        assert!(
            list.contains("River Trust")
                && list.contains("Lake Friends")
                && list.contains("Marsh Collective"),
            "{list}"
        );

        // Two of them sign the water letter, one on a phone.
        in_browser(async |signer| {
            signer.width(390).await;
            signer.goto(&app.url(&format!("{water_public}/sign"))).await;
            signer.fill("#organization", "River Trust").await;
            signer.fill("#website", "river.example").await;
            signer.fill("#city", "Riverside").await;
            signer.check("input[name=size][value=regional]").await;
            signer.fill("#contact_name", "Amira Haddad").await;
            signer.fill("#contact_title", "Director").await;
            signer.fill("#email", "amira@river.example").await;
            signer.check("input[name=authorized]").await;
            app.clock.advance(time::Duration::seconds(10));
            signer.click(".sign-form button[type=submit]").await;
            signer.screenshot("book-phone-sign-sent").await;
            assert_eq!(signer.path().await, format!("{water_public}/sign/sent"));
            let confirm = app
                .link_mailed_to("amira@river.example", "/signature/")
                .await;
            signer.goto(&app.url(&confirm)).await;
            signer.click("main form button[type=submit]").await;
            assert_eq!(signer.text("h1").await, "Thank you for signing");
        })
        .await;
        support::campaigns::sign_and_confirm(
            app,
            &water_public,
            "Lake Friends",
            "lee@lake.example",
        )
        .await;

        // The air letter starts from "signed the water letter".
        let (air, _) = support::campaigns::open_campaign(&owner, "delta", "air", &[]).await;
        organizer
            .goto(&app.url(&format!("{air}/outreach/from-book")))
            .await;
        organizer.click("#signed option[value=water]").await;
        organizer.click("form.filters button[type=submit]").await;
        organizer.screenshot("book-from-book-count").await;
        organizer
            .click("form[method=post][action$='/outreach/from-book'] button[type=submit]")
            .await;
        assert!(organizer.text(".notice").await.contains("Added 2"));
        organizer
            .goto(&app.url(&format!("{air}/outreach/prospects")))
            .await;
        let list = organizer.text("table.prospects").await;
        assert!(
            list.contains("River Trust")
                && list.contains("Lake Friends")
                && !list.contains("Marsh Collective"),
            "{list}"
        );

        // River Trust's page shows both campaigns: signed the water letter, not yet asked for air.
        organizer.goto(&app.url("/app/delta/book?q=River")).await;
        organizer
            .click("table.book a[href*='/book/organizations/']")
            .await;
        let campaigns = organizer.text("#campaigns").await;
        assert!(
            campaigns.contains("water") || campaigns.contains("Water"),
            "{campaigns}"
        );
        assert!(
            campaigns.contains("air") || campaigns.contains("Air"),
            "{campaigns}"
        );
        assert!(campaigns.to_lowercase().contains("signed"), "{campaigns}");
        organizer.screenshot("book-organization-page").await;
        organizer.width(390).await;
        organizer.screenshot("book-organization-page-phone").await;
    })
    .await;
}

/// The coalition's list end to end (issue 20): a signer ticks the box on their
/// confirmation page on a phone, gets the welcome with the rules, signs in from the
/// emailed link and posts; the organizer approves and clears them; a second member
/// receives the post and replies by email (the raw message, with quoted text, through
/// `POST /inbound/email`); the thread shows both, the reply without the quote.
#[tokio::test]
async fn a_signer_joins_the_list_posts_and_a_member_replies_by_email() {
    let secret = "inbound-secret-for-the-browser-test";
    let app = TestApp::spawn_with(support::Options {
        env: vec![("INBOUND_SECRET", secret.into())],
        ..Default::default()
    })
    .await;
    let owner = app.signup("delta", "ana@delta.example").await;
    let (_water, water_public) =
        support::campaigns::open_campaign(&owner, "delta", "water", &[]).await;
    let saved = owner
        .post_form(
            "/app/delta/list/settings",
            &[
                ("name", "Delta Water Coalition"),
                (
                    "purpose",
                    "Where the coalition plans what comes after the letter.",
                ),
                ("rules", "1. Be kind.\n2. Stay on the coalition's work."),
                ("default_action", "accept"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let second =
        support::coalition::member(&app, "delta", "Bo Second", "bo@lake.example", true).await;

    in_browser(async |signer| {
        let app = &app;
        signer.width(390).await;
        signer.goto(&app.url(&format!("{water_public}/sign"))).await;
        signer.fill("#organization", "River Trust").await;
        signer.fill("#website", "river.example").await;
        signer.fill("#city", "Riverside").await;
        signer.check("input[name=size][value=regional]").await;
        signer.fill("#contact_name", "Amira Haddad").await;
        signer.fill("#contact_title", "Director").await;
        signer.fill("#email", "amira@river.example").await;
        signer.check("input[name=authorized]").await;
        app.clock.advance(time::Duration::seconds(10));
        signer.click(".sign-form button[type=submit]").await;
        let confirm = app
            .link_mailed_to("amira@river.example", "/signature/")
            .await;
        signer.goto(&app.url(&confirm)).await;
        signer.check("input[name=join_list]").await;
        signer.screenshot("list-confirm-box-phone").await;
        signer.click("main form button[type=submit]").await;
        assert_eq!(signer.text("h1").await, "Thank you for signing");

        // The welcome, with the rules.
        app.dispatch_mail().await;
        let welcome = app
            .mail_to("amira@river.example")
            .into_iter()
            .find(|m| m.text.contains("Stay on the coalition's work"))
            .expect("a welcome with the list's rules");
        assert!(welcome.text.contains("Be kind"), "{}", welcome.text);

        // Signing in without a password, then a first post (held: new members' are).
        signer.goto(&app.url("/delta/list/signin")).await;
        signer.fill("#email", "amira@river.example").await;
        signer.click("main form button[type=submit]").await;
        let link = app
            .link_mailed_to("amira@river.example", "/list/signin/")
            .await;
        signer.goto(&app.url(&link)).await;
        signer.click("main form button[type=submit]").await;
        signer.screenshot("list-member-page-phone").await;
        signer.goto(&app.url("/delta/list/post")).await;
        signer.fill("#subject", "Testimony on Thursday").await;
        signer
            .fill(
                "#body",
                "Who can come to the hearing on Thursday? We have a van.",
            )
            .await;
        signer.click("main form button[type=submit]").await;
        let outcome = signer.text("main").await;
        assert!(outcome.to_lowercase().contains("held"), "{outcome}");
        signer.screenshot("list-post-held-phone").await;

        // The organizer approves it and clears the sender, half an hour later.
        app.clock.advance(time::Duration::minutes(30));
        in_browser(async |organizer| {
            log_in(app, organizer, "ana@delta.example").await;
            organizer.goto(&app.url("/app/delta/list/moderation")).await;
            organizer.screenshot("list-moderation").await;
            organizer
                .click("button[name=action][value=approve_and_clear]")
                .await;
            organizer.screenshot("list-moderation-approved").await;
        })
        .await;

        // The second member receives it, and replies from their mail program.
        app.dispatch_mail().await;
        app.clock.advance(time::Duration::minutes(45));
        let received = app
            .mail_to("bo@lake.example")
            .into_iter()
            .find(|m| m.subject.contains("Testimony on Thursday"))
            .expect("the approved post reaches the second member");
        let reply_to = received.reply_to.clone().expect("list mail has a Reply-To");
        assert!(reply_to.contains("list+"), "{reply_to}");
        let raw = format!(
            "From: Bo Second <bo@lake.example>\r\nTo: {reply_to}\r\nSubject: Re: {}\r\n\
             Message-ID: <reply-1@lake.example>\r\nDate: Mon, 7 Dec 2026 10:00:00 +0000\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\r\n\
             We can bring four people and the banner.\r\n\r\n\
             On Monday, Amira Haddad wrote:\r\n> Who can come to the hearing on Thursday?\r\n",
            received.subject
        );
        let answered = reqwest::Client::new()
            .post(app.url("/inbound/email"))
            .bearer_auth(secret)
            .header("Content-Type", "message/rfc822")
            .body(raw)
            .send()
            .await
            .unwrap();
        assert!(answered.status().is_success(), "{}", answered.status());
        let _ = second;

        // The thread shows both; the reply without the quoted text.
        signer.goto(&app.url("/delta/list/archive")).await;
        signer.click("main a[href*='/list/archive/']").await;
        let thread = signer.text("main").await;
        let (first, reply) = (
            thread
                .find("We have a van")
                .expect("the first post is in the thread"),
            thread
                .find("four people and the banner")
                .expect("the emailed reply is in the thread"),
        );
        assert!(first < reply, "the thread reads in order: {thread}");
        assert_eq!(
            thread.matches("Who can come to the hearing").count(),
            1,
            "the quote is trimmed: {thread}"
        );
        signer.screenshot("list-thread-phone").await;
        // A member reading their list is not offered the organizers' login or a group.
        let header = signer.text("header.site").await;
        assert!(
            !header.contains("Log in") && !header.contains("Start a group"),
            "{header}"
        );
    })
    .await;
}
