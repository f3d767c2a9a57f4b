//! Copy and look: words that say what they do and mean one thing, dates in one format in
//! the campaign's zone, the change email as a signer reads it, locked fields shown as
//! locked, a favicon, the right header for the right person, and a demo a newcomer
//! understands in a minute.

use crate::support;

use support::campaigns::{
    listed_names, open_campaign, organization, public_page_once, set_status, sign, sign_and_confirm,
};
use support::TestApp;
use time::Duration;

#[tokio::test]
async fn tab_bars_give_each_word_one_meaning_and_reissue_only_once_finished() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let (path, _) = open_campaign(&owner, "river", "water", &[]).await;

    let dashboard = owner.get(&path).await;
    assert_eq!(dashboard.status, 200);
    for tab in [
        ">Campaign settings</a>",
        ">Import signatures</a>",
        ">Export signatures (CSV)</a>",
    ] {
        assert!(dashboard.body.contains(tab), "{tab} in {}", dashboard.body);
    }
    assert!(!dashboard.body.contains(">Settings</a>"));
    assert!(!dashboard.body.contains(">Import</a>"));
    assert!(
        !dashboard.body.contains("/reissue\">"),
        "an open campaign cannot be reissued: no Reissue tab"
    );
    // "Publish the list" says what it does before anyone clicks it.
    assert!(dashboard.body.contains("Publish the list"));
    assert!(
        dashboard.body.contains("search engines may index it"),
        "{}",
        dashboard.body
    );

    // The settings page has the campaign's tab bar too, so the way back is there.
    let settings = owner.get(&format!("{path}/settings")).await;
    assert!(
        settings
            .body
            .contains("<nav class=\"subnav\" aria-label=\"Campaign\">"),
        "{}",
        settings.body
    );

    let outreach = owner.get(&format!("{path}/outreach")).await;
    assert_eq!(outreach.status, 200);
    for tab in [
        ">Outreach settings</a>",
        ">Import prospects</a>",
        ">Export prospects (CSV)</a>",
    ] {
        assert!(outreach.body.contains(tab), "{tab} in {}", outreach.body);
    }

    // Past the hard deadline the form closes by itself: the campaign is finished.
    app.clock.advance(Duration::days(30));
    let owner = app.log_in("ana@river.example").await;
    let finished = owner.get(&path).await;
    assert!(
        finished.body.contains("/reissue\">Reissue</a>"),
        "{}",
        finished.body
    );
}

#[tokio::test]
async fn a_closed_campaign_offers_reissue_and_the_notice_stays_reachable_before() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let (path, _) = open_campaign(&owner, "river", "water", &[]).await;
    let settings = owner.get(&format!("{path}/settings")).await;
    assert!(
        settings.body.contains(&format!("{path}/reissue\"")),
        "the reissue notice is linked from the settings: {}",
        settings.body
    );
    let notice = owner.get(&format!("{path}/reissue")).await;
    assert!(
        notice.body.contains("<h1>Reissue notice</h1>"),
        "{}",
        notice.body
    );
    let r = set_status(&owner, &path, "close").await;
    assert_eq!(r.status, 303, "{}", r.body);
    let closed = owner.get(&path).await;
    assert!(closed.body.contains("/reissue\">Reissue</a>"));
    let reissue = owner.get(&format!("{path}/reissue")).await;
    assert!(reissue.body.contains("<h1>Reissue</h1>"));
}

#[tokio::test]
async fn dates_read_in_the_campaigns_zone_and_csv_writes_iso_8601() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    // The test clock starts at 25 November 2026, 12:00 UTC: 07:00 in New York.
    let (path, public) = open_campaign(
        &owner,
        "river",
        "water",
        &[("time_zone", "America/New_York")],
    )
    .await;
    let history = owner.get(&format!("{path}/revisions")).await;
    assert!(
        history.body.contains("25 November 2026, 07:00 EST"),
        "{}",
        history.body
    );
    assert!(!history.body.contains("12:00 UTC"));

    sign_and_confirm(&app, &public, "Alder Network", "lee@alder.example").await;
    let id: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM signatures WHERE email = 'lee@alder.example'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    let detail = owner.get(&format!("{path}/signatures/{id}")).await;
    assert!(
        detail.body.contains("25 November 2026, 07:0") && detail.body.contains(" EST"),
        "the signature's history in the campaign's zone: {}",
        detail.body
    );

    // The group's Email page: in the zone its campaigns use.
    let mail = owner.get("/app/river/mail").await;
    assert!(
        mail.body.contains("25 November 2026, 07:0") && !mail.body.contains(" UTC<"),
        "{}",
        mail.body
    );

    let csv = owner.get(&format!("{path}/export.csv")).await;
    assert_eq!(csv.status, 200);
    let mut reader = csv::Reader::from_reader(csv.body.trim_start_matches('\u{feff}').as_bytes());
    let headers = reader.headers().unwrap().clone();
    let column = headers.iter().position(|h| h == "signed_at").unwrap();
    let mut seen = 0;
    for record in reader.records() {
        let cell = record.unwrap()[column].to_owned();
        assert!(
            time::OffsetDateTime::parse(&cell, &time::format_description::well_known::Rfc3339)
                .is_ok()
                && cell.ends_with('Z')
                && cell.starts_with("2026-11-25T12:0"),
            "ISO 8601 in UTC: {cell}"
        );
        seen += 1;
    }
    assert_eq!(seen, 2, "the host and the signer");
}

#[tokio::test]
async fn the_search_box_is_styled_like_the_other_inputs() {
    let app = TestApp::spawn().await;
    let css = app.client().get("/static/style.css").await;
    let rule = css
        .body
        .lines()
        .find(|l| l.starts_with("input[type=text]"))
        .expect("the inputs' rule");
    assert!(rule.contains("input[type=search]"), "{rule}");
}

const REVISED: &str = "# Dear Mayor\n\nWe, the undersigned, ask you to keep the river **and the estuary** clean.\n\nSincerely,";

#[tokio::test]
async fn the_change_email_renders_the_letter_and_colours_its_diff() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let (path, public) = open_campaign(&owner, "river", "water", &[]).await;
    sign_and_confirm(&app, &public, "Alder Network", "lee@alder.example").await;
    let r = owner
        .post_form(
            &format!("{path}/letter"),
            &[
                ("body", REVISED),
                ("action", "confirm_change"),
                ("change_kind", "substantive"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    app.dispatch_mail().await;
    let mail = app
        .mail_to("lee@alder.example")
        .into_iter()
        .find(|m| m.subject.contains("confirm the changed letter"))
        .expect("the change email arrived");

    // HTML: the letter as the public page shows it, and the diff in colour.
    assert!(
        mail.html.contains("<h1>Dear Mayor</h1>")
            && mail.html.contains("<strong>and the estuary</strong>"),
        "{}",
        mail.html
    );
    assert!(
        !mail.html.contains("**and the estuary**"),
        "no raw Markdown"
    );
    let changes = &mail.html[mail.html.find("<h3>The changes</h3>").unwrap()
        ..mail.html.find("<h3>The whole new text</h3>").unwrap()];
    let taken_out = &changes[changes.find("Taken out:").expect("a line taken out")..];
    assert!(
        taken_out.contains("<p>We, the undersigned, ask you to keep the river clean.</p>"),
        "{taken_out}"
    );
    let put_in = &changes[changes.find("Put in:").expect("a line put in")..];
    assert!(
        put_in.contains(
            "keep the river <ins style=\"background:#a7dcb9;color:#0b3d20;text-decoration:none;font-weight:bold;\"><strong>and the estuary</strong></ins> clean."
        ),
        "the words put in, marked in green, as the letter shows them: {put_in}"
    );
    assert!(
        changes.contains("border-left:4px solid #a02c2c"),
        "taken out in red"
    );
    assert!(
        changes.contains("border-left:4px solid #1f7a4d"),
        "put in in green"
    );

    // Plain text: readable words, not diff symbols.
    assert!(
        mail.text
            .contains("Taken out: We, the undersigned, ask you to keep the river clean."),
        "{}",
        mail.text
    );
    assert!(mail.text.contains(
        "Put in:    We, the undersigned, ask you to keep the river **and the estuary** clean."
    ));
    assert!(!mail.text.contains("<del>"));
}

#[tokio::test]
async fn a_locked_title_and_points_are_shown_read_only_with_the_reason() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let (path, public) = open_campaign(&owner, "river", "water", &[]).await;
    let settings = format!("{path}/settings");

    // Only the host has signed: everything can still change.
    let page = owner.get(&settings).await;
    assert!(!page.body.contains("readonly"), "{}", page.body);

    sign_and_confirm(&app, &public, "Alder Network", "lee@alder.example").await;
    let page = owner.get(&settings).await;
    assert!(
        page.body
            .contains("name=\"title\" type=\"text\" value=\"Keep the water clean\" readonly"),
        "{}",
        page.body
    );
    assert!(page
        .body
        .contains("name=\"point\" type=\"text\" value=\"Polluters pay\" class=\"point\" readonly"));
    assert!(
        page.body.contains("Locked: 1 signer holds consent"),
        "the reason, with who holds it: {}",
        page.body
    );
    // The rest of the settings still save, the locked fields going back as they stand.
    let mut fields: Vec<(String, String)> = vec![
        ("title".into(), "Keep the water clean".into()),
        ("slug".into(), "water".into()),
        ("point".into(), "Clean water is a right".into()),
        ("point".into(), "Polluters pay".into()),
        ("target".into(), "25".into()),
        ("who".into(), "organizations_and_individuals".into()),
        ("time_zone".into(), "UTC".into()),
        ("soft_deadline".into(), "2026-12-09T17:00".into()),
        ("hard_deadline".into(), "2026-12-16T17:00".into()),
    ];
    fields.push(("retention_months".into(), "6".into()));
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    // Another field refused: the page comes back with the title and points still locked.
    let mut wrong = borrowed.clone();
    wrong.retain(|(k, _)| *k != "target");
    wrong.push(("target", "many"));
    let refused = owner.post_form(&settings, &wrong).await;
    assert_eq!(refused.status, 422);
    assert!(
        refused
            .body
            .contains("value=\"Keep the water clean\" readonly"),
        "{}",
        refused.body
    );
    let r = owner.post_form(&settings, &borrowed).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(app.count("SELECT target::bigint FROM campaigns").await, 25);
}

#[tokio::test]
async fn a_favicon_is_served_and_linked() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let (status, bytes) = client.http_get_bytes("/favicon.ico").await;
    assert_eq!(status, 200);
    assert_eq!(&bytes[..4], &[0, 0, 1, 0], "an ICO file");
    let svg = client.get("/static/favicon.svg").await;
    assert_eq!(svg.status, 200);
    assert!(svg.body.contains("<svg"));
    let home = client.get("/").await;
    assert!(home.body.contains("rel=\"icon\" href=\"/favicon.ico\""));
    assert!(home.body.contains("href=\"/static/favicon.svg\""));
}

#[tokio::test]
async fn the_organizers_preview_shows_their_own_header() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let (path, _) = open_campaign(&owner, "river", "water", &[]).await;
    let r = owner
        .post_form(
            &format!("{path}/release"),
            &[
                ("release_at", "2026-11-27T09:00"),
                ("press_release", ""),
                ("update_every_days", "0"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let preview = owner.get(&format!("{path}/preview")).await;
    assert_eq!(preview.status, 200);
    assert!(preview.body.contains("Preview for the organizers"));
    assert!(
        preview.body.contains("Owner of river") && preview.body.contains("Log out"),
        "the organizer's own header: {}",
        preview.body
    );
    assert!(preview.body.contains("href=\"/app/river/campaigns\""));
    assert!(!preview.body.contains("Start a group"));
    assert!(preview.body.contains("name=\"robots\" content=\"noindex\""));
}

#[tokio::test]
async fn signers_pages_do_not_advertise_starting_a_group() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let (_, public) = open_campaign(&owner, "river", "water", &[]).await;
    let visitor = app.client();
    let home = visitor.get("/").await;
    assert!(
        home.body.contains("Start a group"),
        "the home page still does"
    );

    let page = public_page_once(&app, &public, |p| p.status == 200).await;
    let form = visitor.get(&format!("{public}/sign")).await;
    let sent = sign(
        &app,
        &public,
        &organization("Alder Network", "lee@alder.example"),
    )
    .await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let sent_page = visitor.get(sent.location().unwrap()).await;
    let link = app.link_mailed_to("lee@alder.example", "/signature/").await;
    let own = visitor.get(&link).await;
    let statement = visitor.get(&format!("{public}/statement")).await;
    for (what, body) in [
        ("public page", &page.body),
        ("sign-on form", &form.body),
        ("check your email", &sent_page.body),
        ("signer's own page", &own.body),
        ("statement form", &statement.body),
    ] {
        assert!(
            !body.contains("Start a group") && !body.contains("href=\"/signup\""),
            "{what}: {body}"
        );
    }
    assert_eq!(own.status, 200);
}

#[tokio::test]
async fn the_demo_shows_real_looking_signers_a_flag_and_a_change_awaiting_reconfirmation() {
    let app = TestApp::spawn().await;
    let loaded = undersigned::demo::load(&app.db).await.unwrap();
    assert!(loaded.created);

    let campaign: (uuid::Uuid, i32) =
        sqlx::query_as("SELECT id, consent_from_revision FROM campaigns WHERE slug = $1")
            .bind(undersigned::demo::CAMPAIGN)
            .fetch_one(&app.db)
            .await
            .unwrap();
    let (id, floor) = campaign;
    let kind: String = sqlx::query_scalar(
        "SELECT change_kind FROM letter_revisions WHERE campaign_id = $1 AND number = $2",
    )
    .bind(id)
    .bind(floor)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(
        kind, "substantive",
        "the newest text is a substantive change"
    );
    let respond_by_ahead: bool = sqlx::query_scalar(
        "SELECT respond_by > now() FROM letter_revisions WHERE campaign_id = $1 AND number = $2",
    )
    .bind(id)
    .bind(floor)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert!(respond_by_ahead, "signers still have time to confirm it");

    let (listed, awaiting, flagged): (i64, i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE confirmed_revision >= $2),
                count(*) FILTER (WHERE confirmed_revision < $2),
                count(*) FILTER (WHERE kind = 'organization' AND source = 'form' AND NOT domain_matches)
         FROM signatures WHERE campaign_id = $1 AND state = 'confirmed'",
    )
    .bind(id)
    .bind(floor)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(
        (listed, awaiting, flagged),
        (5, 4, 1),
        "listed, awaiting reconfirmation, flagged for a closer look"
    );

    let flagged_in_the_demo: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM signatures WHERE kind = 'organization' AND source = 'form' AND NOT domain_matches",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(flagged_in_the_demo, 1, "one flag in the whole demo");

    // Every listed name was confirmed by its signer for the text it stands under.
    let unconsented: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM signatures s WHERE s.campaign_id = $1 AND s.state = 'confirmed'
           AND s.confirmed_revision >= $2
           AND NOT EXISTS (SELECT 1 FROM signature_consents c JOIN letter_revisions r ON r.id = c.revision_id
                           WHERE c.signature_id = s.id AND r.number >= $2 AND c.how IN ('confirmed', 'reconfirmed'))",
    )
    .bind(id)
    .bind(floor)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(unconsented, 0);

    // People and organizations, not placeholders.
    let placeholders: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM signatures WHERE contact_name ~ '^Contact [0-9]+$'
            OR email LIKE 'signer%@demo.undersigned.example' OR contact_name = ''",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(placeholders, 0);
    let titles: i64 = sqlx::query_scalar(
        "SELECT count(DISTINCT contact_title) FROM signatures WHERE campaign_id = $1",
    )
    .bind(id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert!(titles >= 5, "varied roles, got {titles}");

    // What a newcomer sees: five names on the public page, one flag on the dashboard.
    let page = public_page_once(
        &app,
        &format!(
            "/{}/{}",
            undersigned::demo::SLUG,
            undersigned::demo::CAMPAIGN
        ),
        |p| p.status == 200,
    )
    .await;
    let names = listed_names(&page.body);
    assert_eq!(names.len(), 5, "{names:?}");
    assert!(names.contains(&"Riverkeepers United".to_owned()));
    assert!(
        !names.contains(&"Zeta Youth Climate".to_owned()),
        "awaiting"
    );
    let organizer = support::Client::new(&app.address);
    let r = organizer
        .post_form(
            "/login",
            &[
                ("email", undersigned::demo::EMAIL),
                ("password", undersigned::demo::PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let dashboard = organizer
        .get(&format!(
            "/app/{}/campaigns/{}",
            undersigned::demo::SLUG,
            undersigned::demo::CAMPAIGN
        ))
        .await;
    assert_eq!(dashboard.body.matches(">look closer<").count(), 1);
    assert!(!dashboard.body.contains("Contact 9"));

    // The link the demo hands out: an awaiting signer's own page asks them to confirm the
    // new text, and only their own confirmation lists them again.
    let link = loaded.signer_link.expect("a signer's link");
    let signer = app.client();
    let own = signer.get(&link).await;
    assert_eq!(own.status, 200, "{}", own.body);
    assert!(
        own.body.to_lowercase().contains("confirm the new text"),
        "{}",
        own.body
    );
    let r = support::campaigns::confirm_from(&signer, &link).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = public_page_once(
        &app,
        &format!(
            "/{}/{}",
            undersigned::demo::SLUG,
            undersigned::demo::CAMPAIGN
        ),
        |p| listed_names(&p.body).len() == 6,
    )
    .await;
    assert!(listed_names(&page.body).contains(&"Zeta Youth Climate".to_owned()));
}

/// Runs a browser scenario and always ends the WebDriver session, even when a check fails.
async fn in_browser(scenario: impl AsyncFnOnce(&support::browser::Browser)) {
    use futures::FutureExt;
    let browser = support::browser::Browser::start().await;
    let outcome = std::panic::AssertUnwindSafe(scenario(&browser))
        .catch_unwind()
        .await;
    browser.close().await;
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

/// A newcomer's first minute with the demo, in headless Chromium: the campaign with its
/// change awaiting reconfirmation and its flag, the history in New York time, the locked
/// settings (also on a phone), the public page and the form without our sign-up, and the
/// change email as a signer receives it. Screenshots go to `$SCREENSHOTS_DIR`.
#[tokio::test]
async fn browser_a_newcomer_walks_the_demo() {
    let app = TestApp::spawn().await;
    let loaded = undersigned::demo::load(&app.db).await.unwrap();
    let signer_link = loaded.signer_link.unwrap();
    let group = undersigned::demo::SLUG;
    let campaign = undersigned::demo::CAMPAIGN;
    let base = format!("/app/{group}/campaigns/{campaign}");
    in_browser(async |b| {
        b.client.set_window_size(1200, 1700).await.unwrap();
        b.goto(&app.url("/login")).await;
        b.fill("#email", undersigned::demo::EMAIL).await;
        b.fill("#password", undersigned::demo::PASSWORD).await;
        b.click("main button[type=submit]").await;

        b.goto(&app.url(&base)).await;
        b.screenshot("demo-campaign").await;
        let tabs = b.text("nav.subnav").await;
        assert!(
            tabs.contains("Import signatures") && tabs.contains("Campaign settings"),
            "{tabs}"
        );
        assert!(
            !tabs.contains("Reissue"),
            "the demo letter is still open: {tabs}"
        );
        assert!(b.text("main").await.contains("look closer"));

        b.goto(&app.url(&format!("{base}/revisions"))).await;
        b.screenshot("demo-history").await;
        assert!(b.text("main").await.contains(" EST") || b.text("main").await.contains(" EDT"));

        b.goto(&app.url(&format!("{base}/settings"))).await;
        b.screenshot("demo-settings-locked").await;
        assert!(b.text("main").await.contains("Locked:"));
        b.width(390).await;
        b.screenshot("demo-settings-locked-390").await;
        b.client.set_window_size(1200, 1700).await.unwrap();

        b.goto(&app.url(&format!("{base}/outreach/prospects")))
            .await;
        b.screenshot("demo-prospects-search").await;

        b.goto(&app.url(&format!("/{group}/{campaign}"))).await;
        b.screenshot("demo-public-page-logged-in").await;
        b.goto(&app.url(&format!(
            "/app/{group}/campaigns/{}",
            undersigned::demo::RELEASED_CAMPAIGN
        )))
        .await;
        b.screenshot("demo-finished-campaign").await;
        assert!(b.text("nav.subnav").await.contains("Reissue"));
    })
    .await;

    // A visitor who never logged in: the public page and the form advertise nothing.
    in_browser(async |b| {
        b.client.set_window_size(1200, 1700).await.unwrap();
        b.goto(&app.url(&format!("/{group}/{campaign}"))).await;
        b.screenshot("demo-public-page").await;
        assert!(!b.text("header.site").await.contains("Start a group"));
        b.goto(&app.url(&format!("/{group}/{campaign}/sign"))).await;
        b.screenshot("demo-sign-form").await;
        assert!(!b.text("header.site").await.contains("Start a group"));
        b.goto(&app.url(&signer_link)).await;
        b.screenshot("demo-signer-awaiting-reconfirmation").await;
        assert!(!b.text("header.site").await.contains("Start a group"));
    })
    .await;

    // The change email as a signer receives it, opened in the browser.
    let owner = app.signup("river", "ana@river.example").await;
    let (path, public) = open_campaign(&owner, "river", "water", &[]).await;
    sign_and_confirm(&app, &public, "Alder Network", "lee@alder.example").await;
    let r = owner
        .post_form(
            &format!("{path}/letter"),
            &[
                ("body", REVISED),
                ("action", "confirm_change"),
                ("change_kind", "substantive"),
                ("note", "The letter now names the estuary too."),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    app.dispatch_mail().await;
    let mail = app
        .mail_to("lee@alder.example")
        .into_iter()
        .find(|m| m.subject.contains("changed letter"))
        .expect("the change email");
    let file = app.data_dir.path().join("change-email.html");
    std::fs::write(&file, &mail.html).unwrap();
    if let Ok(dir) = std::env::var("SCREENSHOTS_DIR") {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            std::path::Path::new(&dir).join("change-email.txt"),
            &mail.text,
        )
        .unwrap();
    }
    in_browser(async |b| {
        b.client.set_window_size(800, 1400).await.unwrap();
        b.goto(&format!("file://{}", file.display())).await;
        b.screenshot("change-email").await;
        b.width(390).await;
        b.screenshot("change-email-390").await;
    })
    .await;

    // The organizer previews the page before its release date, under their own header,
    // and reads what "Publish the list" does.
    let r = owner
        .post_form(
            &format!("{path}/release"),
            &[
                ("release_at", "2026-11-27T09:00"),
                ("press_release", ""),
                ("update_every_days", "0"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    in_browser(async |b| {
        b.client.set_window_size(1200, 1200).await.unwrap();
        b.goto(&app.url("/login")).await;
        b.fill("#email", "ana@river.example").await;
        b.fill("#password", support::PASSWORD).await;
        b.click("main button[type=submit]").await;
        b.goto(&app.url(&format!("{path}/preview"))).await;
        b.screenshot("organizer-preview").await;
        assert!(b.text("header.site").await.contains("Log out"));
        b.goto(&app.url(&path)).await;
        b.screenshot("open-campaign-dashboard").await;
        assert!(b.text("main").await.contains("search engines may index it"));
        b.width(390).await;
        b.screenshot("open-campaign-dashboard-390").await;
    })
    .await;
}
