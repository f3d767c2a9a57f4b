//! Organizers' side of campaigns: creation rules, revisions and diffs, status, the
//! dashboard with moderation, export and import — and tenant isolation.

use crate::support;

use support::campaigns::*;
use support::PASSWORD;
use support::{unescape, TestApp};

#[tokio::test]
async fn a_new_campaign_is_a_draft_with_the_host_organization_signed_on() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let path = create_campaign(&owner, "river", "water", &[]).await;

    let dashboard = owner.get(&path).await;
    assert_eq!(dashboard.status, 200);
    assert!(dashboard.body.contains("Keep the water clean"));
    assert!(dashboard.body.contains("Draft"));
    assert!(
        dashboard.body.contains("Group river"),
        "the host organization is listed among signatures"
    );
    assert!(dashboard.body.contains("<progress max=\"10\" value=\"1\">"));
    assert!(
        dashboard.body.contains("15 days left"),
        "soft deadline: {}",
        dashboard.body
    );
    assert!(dashboard.body.contains("22 days left"));

    let (state, source, revision): (String, String, i32) = sqlx::query_as(
        "SELECT s.state, s.source, r.number FROM signatures s JOIN letter_revisions r ON r.id = s.revision_id",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(
        (state.as_str(), source.as_str(), revision),
        ("confirmed", "host", 1)
    );
    assert_eq!(
        app.count("SELECT count(*) FROM signature_events").await,
        1,
        "the host's signing is recorded"
    );

    assert_eq!(
        app.client().get("/river/water").await.status,
        404,
        "drafts are not public"
    );
    assert_eq!(app.client().get("/river/water/sign").await.status, 404);
}

#[tokio::test]
async fn a_fourth_point_of_unity_is_refused_with_a_clear_message() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let mut fields = campaign_fields("Four points", "four");
    fields.push(("point", "Third"));
    fields.push(("point", "Fourth"));
    let r = owner.post_form("/app/river/campaigns/new", &fields).await;
    assert_eq!(r.status, 422);
    assert!(
        r.body
            .contains("at most three points of unity (you wrote 4)"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("value=\"Fourth\""),
        "what was typed is kept"
    );
    assert_eq!(app.count("SELECT count(*) FROM campaigns").await, 0);

    let mut none = campaign_fields("No points", "none");
    none.retain(|(k, _)| *k != "point");
    let r = owner.post_form("/app/river/campaigns/new", &none).await;
    assert!(r.body.contains("at least one point of unity"));
}

#[tokio::test]
async fn campaign_form_errors_sit_beside_fields_and_keep_input() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let mut fields = campaign_fields("Backwards", "backwards");
    fields.retain(|(k, _)| !["hard_deadline", "target", "time_zone"].contains(k));
    fields.push(("hard_deadline", "2026-12-01T09:00"));
    fields.push(("target", "99999999999999999999"));
    fields.push(("time_zone", "Mars/Olympus"));
    let r = owner.post_form("/app/river/campaigns/new", &fields).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("id=\"target-error\""));
    assert!(r.body.contains("Choose a time zone"));
    assert!(r.body.contains("value=\"Backwards\""));

    let mut fields = campaign_fields("Backwards", "backwards");
    fields.retain(|(k, _)| *k != "hard_deadline");
    fields.push(("hard_deadline", "2026-12-01T09:00"));
    let r = owner.post_form("/app/river/campaigns/new", &fields).await;
    assert!(r
        .body
        .contains("hard deadline cannot come before the soft deadline"));

    create_campaign(&owner, "river", "taken", &[]).await;
    let r = owner
        .post_form(
            "/app/river/campaigns/new",
            &campaign_fields("Again", "taken"),
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r
        .body
        .contains("Another campaign of this group uses this address"));
    assert_eq!(app.count("SELECT count(*) FROM campaigns").await, 1);
}

#[tokio::test]
async fn deadlines_are_shown_in_the_campaigns_time_zone() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let path = create_campaign(&owner, "river", "paris", &[("time_zone", "Europe/Paris")]).await;
    let stored: time::OffsetDateTime = sqlx::query_scalar("SELECT hard_deadline FROM campaigns")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(stored, time::macros::datetime!(2026-12-16 16:00 UTC));
    let page = owner.get(&path).await;
    assert!(
        page.body.contains("16 December 2026, 17:00 CET"),
        "{}",
        page.body
    );
    let settings = owner.get(&format!("{path}/settings")).await;
    assert!(settings.body.contains("value=\"2026-12-16T17:00\""));
}

#[tokio::test]
async fn every_save_is_an_immutable_revision_with_history_and_diff() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let path = create_campaign(&owner, "river", "water", &[]).await;
    let second = "# Dear Mayor\n\nWe, the undersigned, ask you to keep the river and the lake clean.\n\nSincerely,";
    let saved = owner
        .post_form(
            &format!("{path}/letter"),
            &[("body", second), ("action", "save")],
        )
        .await;
    assert_eq!(
        saved.location(),
        Some(format!("{path}/revisions?notice=letter-saved").as_str())
    );
    let unchanged = owner
        .post_form(
            &format!("{path}/letter"),
            &[("body", second), ("action", "save")],
        )
        .await;
    assert!(unchanged.location().unwrap().contains("letter-unchanged"));
    assert_eq!(app.count("SELECT count(*) FROM letter_revisions").await, 2);

    let history = owner.get(&format!("{path}/revisions")).await;
    assert!(history.body.contains("Revision 2") && history.body.contains("Revision 1"));
    assert!(
        history.body.contains("Owner of river"),
        "the author is shown"
    );

    let diff = owner.get(&format!("{path}/diff?from=1&to=2")).await;
    assert_eq!(diff.status, 200);
    assert!(diff.body.contains("class=\"line removed\""));
    assert!(diff.body.contains("the river and the lake clean"));
    assert!(owner.get(&format!("{path}/diff?from=1&to=99")).await.status == 404);

    let old = owner.get(&format!("{path}/revisions/1")).await;
    assert!(old.body.contains("This is not the current text"));

    let refused = sqlx::query("UPDATE letter_revisions SET body = 'changed'")
        .execute(&app.db)
        .await;
    assert!(refused.is_err(), "revisions cannot be changed, even in SQL");

    let preview = owner
        .post_form(
            &format!("{path}/letter"),
            &[
                ("body", "**Bold** <script>alert(1)</script>"),
                ("action", "preview"),
            ],
        )
        .await;
    assert!(preview.body.contains("<strong>Bold</strong>"));
    assert!(!preview.body.contains("<script>alert"));
    assert_eq!(
        app.count("SELECT count(*) FROM letter_revisions").await,
        2,
        "a preview saves nothing"
    );
}

#[tokio::test]
async fn status_moves_from_draft_to_open_published_closed_and_back() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let path = create_campaign(&owner, "river", "water", &[]).await;

    assert_eq!(
        set_status(&owner, &path, "reopen").await.status,
        422,
        "not from a draft"
    );
    assert_eq!(set_status(&owner, &path, "open").await.status, 303);
    let page = app.client().get("/river/water").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains("<meta name=\"robots\" content=\"noindex\">"),
        "open pages are unlisted"
    );
    assert_eq!(page.header("x-robots-tag"), Some("noindex"));
    assert!(page.body.contains("Add your organization"));

    assert_eq!(set_status(&owner, &path, "publish").await.status, 303);
    let page = public_page_once(&app, "/river/water", |p| !p.body.contains("noindex")).await;
    assert!(!page.body.contains("noindex"));

    assert_eq!(set_status(&owner, &path, "close").await.status, 303);
    let closed = app.client().get("/river/water/sign").await;
    assert_eq!(closed.status, 410);
    assert!(closed.body.contains("Signing has closed"));
    let page = app.client().get("/river/water").await;
    assert_eq!(page.status, 200, "the page stays");
    assert!(!page.body.contains("Add your organization"));

    assert_eq!(set_status(&owner, &path, "reopen").await.status, 303);
    let status: String = sqlx::query_scalar("SELECT status FROM campaigns")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(
        status, "published",
        "reopening a published letter publishes it again"
    );
    assert_eq!(app.client().get("/river/water/sign").await.status, 200);
}

#[tokio::test]
async fn a_campaign_without_a_letter_cannot_open() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let path = create_campaign(&owner, "river", "water", &[("letter", "")]).await;
    let r = set_status(&owner, &path, "open").await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Write the letter before opening"));
    let status: String = sqlx::query_scalar("SELECT status FROM campaigns")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(status, "draft");
}

#[tokio::test]
async fn moderation_approves_and_rejects_with_recorded_reasons() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let (path, public) = open_campaign(&owner, "river", "water", &[("moderation", "on")]).await;
    sign_and_confirm(&app, &public, "Lake Friends", "lee@lakefriends.example").await;
    sign_and_confirm(&app, &public, "Spam Inc", "spam@gmail.com").await;
    let page = app.client().get(&public).await;
    assert!(
        !listed_names(&page.body).contains(&"Lake Friends".to_string()),
        "awaiting approval is not public"
    );

    let dashboard = owner.get(&path).await;
    assert!(dashboard.body.contains("awaiting approval"));
    let lake: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM signatures WHERE name = 'Lake Friends'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    let spam: uuid::Uuid = sqlx::query_scalar("SELECT id FROM signatures WHERE name = 'Spam Inc'")
        .fetch_one(&app.db)
        .await
        .unwrap();

    let approve = owner
        .post_form(
            &format!("{path}/signatures/{lake}/decide"),
            &[("decision", "approve"), ("reason", "")],
        )
        .await;
    assert_eq!(approve.status, 303);
    let no_reason = owner
        .post_form(
            &format!("{path}/signatures/{spam}/decide"),
            &[("decision", "reject"), ("reason", "")],
        )
        .await;
    assert_eq!(no_reason.status, 422);
    assert_eq!(
        owner
            .post_form(
                &format!("{path}/signatures/{spam}/decide"),
                &[
                    ("decision", "reject"),
                    ("reason", "not a real organization"),
                ],
            )
            .await
            .status,
        303
    );

    let page = public_page_once(&app, &public, |p| {
        listed_names(&p.body).contains(&"Lake Friends".to_string())
    })
    .await;
    let names = listed_names(&page.body);
    assert!(names.contains(&"Lake Friends".to_string()));
    assert!(!names.contains(&"Spam Inc".to_string()));

    let detail = owner.get(&format!("{path}/signatures/{spam}")).await;
    assert!(detail.body.contains("not a real organization"));
    assert!(detail.body.contains("organizer Owner of river"));
    assert!(
        detail.body.contains("signer"),
        "the whole history: signed, confirmed, rejected"
    );
    let events: i64 =
        sqlx::query_scalar("SELECT count(*) FROM signature_events WHERE signature_id = $1")
            .bind(spam)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(events, 3);
}

#[tokio::test]
async fn export_is_utf8_with_bom_and_neutralizes_formulas() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let (path, public) = open_campaign(&owner, "river", "water", &[]).await;
    sign_and_confirm(
        &app,
        &public,
        "=HYPERLINK(\"http://evil.example\")",
        "a@evil.example",
    )
    .await;
    let mut fields = organization("Émile Zola Society", "emile@zola.example");
    fields.retain(|(k, _)| *k != "city");
    fields.push(("city", "@SUM(A1)"));
    assert_eq!(sign(&app, &public, &fields).await.status, 303);

    let response = owner.http_get_bytes(&format!("{path}/export.csv")).await;
    assert_eq!(response.0, 200);
    assert!(
        response.1.starts_with("\u{feff}".as_bytes()),
        "a byte order mark so spreadsheets read UTF-8"
    );
    let text = String::from_utf8(response.1).unwrap();
    assert!(text.contains("Émile Zola Society"));
    assert!(text.contains("'=HYPERLINK"));
    assert!(text.contains("'@SUM(A1)"));
    assert!(!text.contains(",=HYPERLINK") && !text.contains("\n=HYPERLINK"));
}

#[tokio::test]
async fn import_previews_per_row_errors_and_imports_all_or_none() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let (path, public) = open_campaign(&owner, "river", "water", &[]).await;

    let bad = "name,email,city,size\nRiver Keepers,keep@river.example,Springfield,local\n,missing@example.org,X,local\nSecond,not-an-email,Y,huge\nGroup river,dup@example.org,Z,local\n";
    let preview = owner.upload(&format!("{path}/import"), "pasted", bad).await;
    assert_eq!(preview.status, 422);
    assert!(
        preview.body.contains("3 of 4 rows need fixing"),
        "{}",
        preview.body
    );
    assert!(preview.body.contains("the name is missing"));
    assert!(preview.body.contains("is not an email address"));
    assert!(preview.body.contains("size &#34;huge&#34;") || preview.body.contains("size \"huge\""));
    assert!(preview.body.contains("Group river has already signed"));
    assert!(!preview.body.contains("Import all"));
    assert_eq!(
        app.count("SELECT count(*) FROM signatures").await,
        1,
        "nothing imported"
    );

    let good = "name,email,city,size,type\nRiver Keepers,keep@river.example,Springfield,local,organization\nAda Lovelace,ada@example.org,London,,individual\n";
    let preview = owner.upload(&format!("{path}/import"), "file", good).await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    assert!(preview.body.contains("2 rows are ready"));
    assert_eq!(
        app.count("SELECT count(*) FROM signatures").await,
        1,
        "a preview saves nothing"
    );
    let csv = support::campaigns::input_textarea(&preview.body, "csv");
    let done = owner
        .post_form(&format!("{path}/import/confirm"), &[("csv", &csv)])
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    // Imported signatures wait for their signers, like the form's: nobody is listed on
    // an organizer's word.
    assert_eq!(
        app.count("SELECT count(*) FROM signatures WHERE source = 'import' AND state = 'pending'")
            .await,
        2
    );
    assert_eq!(
        app.count("SELECT count(*) FROM signature_events WHERE reason LIKE 'imported%'")
            .await,
        2
    );
    let page = app.client().get(&public).await;
    assert!(!listed_names(&page.body).contains(&"River Keepers".to_string()));
    let link = app
        .link_mailed_to("keep@river.example", "/signature/")
        .await;
    let mail = app.mail_to("keep@river.example").pop().unwrap();
    assert!(mail.subject.contains("Confirm your signature"));
    let signer = app.client();
    assert_eq!(confirm_from(&signer, &link).await.status, 303);
    let page = public_page_once(&app, &public, |p| {
        listed_names(&p.body).contains(&"River Keepers".to_string())
    })
    .await;
    assert!(listed_names(&page.body).contains(&"River Keepers".to_string()));
    assert!(
        !listed_names(&page.body).contains(&"Ada Lovelace".to_string()),
        "not yet confirmed"
    );

    // Importing the same rows again would duplicate them: refused, nothing changes.
    let again = owner
        .post_form(&format!("{path}/import/confirm"), &[("csv", &csv)])
        .await;
    assert_eq!(again.status, 422);
    assert_eq!(app.count("SELECT count(*) FROM signatures").await, 3);

    let not_utf8 = owner
        .upload_bytes(
            &format!("{path}/import"),
            "file",
            vec![0xff, 0xfe, b'n', b'a'],
        )
        .await;
    assert_eq!(not_utf8.status, 422);
    assert!(not_utf8.body.contains("not UTF-8"));
}

/// A viewer reads a campaign but every write an editor makes is refused with 403 and
/// changes nothing: status, letter, settings, release, a signature's decision, import
/// (upload and confirm). Each of the same requests is then shown to work for an
/// organizer of the group, so the 403s are about the role, not the request.
#[tokio::test]
async fn viewers_read_campaigns_but_cannot_change_them() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let (path, public) = open_campaign(&owner, "river", "water", &[]).await;
    sign_and_confirm(&app, &public, "Lake Friends", "lee@lake.example").await;
    let signature: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM signatures WHERE name = 'Lake Friends'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    let viewer = app
        .join(&owner, "river", "vic@river.example", "viewer", "Vic")
        .await;
    let editor = app
        .join(&owner, "river", "bo@river.example", "organizer", "Bo")
        .await;

    assert_eq!(viewer.get(&path).await.status, 200);
    assert_eq!(viewer.get(&format!("{path}/revisions")).await.status, 200);
    assert_eq!(viewer.get(&format!("{path}/release")).await.status, 200);
    assert_eq!(viewer.get("/app/river/campaigns/new").await.status, 403);

    let snapshot = || async {
        sqlx::query_scalar::<_, String>(
            "SELECT (SELECT string_agg(status || title || target || coalesce(release_at::text, '-') || press_release, ',') FROM campaigns) || '/' ||
                    (SELECT count(*) FROM letter_revisions) || '/' || (SELECT string_agg(state, ',' ORDER BY name) FROM signatures)",
        )
        .fetch_one(&app.db)
        .await
        .unwrap()
    };
    let before = snapshot().await;
    let csv = "name,email\nImported Org,imported@example.org\n";
    let writes: Vec<(String, Vec<(&str, &str)>)> = vec![
        (format!("{path}/settings"), {
            let mut fields = campaign_fields("Keep the water clean", "water");
            fields.retain(|(k, _)| *k != "target");
            fields.push(("target", "999"));
            fields
        }),
        (
            format!("{path}/letter"),
            vec![
                ("body", "# Dear Mayor\n\nA second draft."),
                ("action", "confirm_change"),
                ("change_kind", "minor"),
            ],
        ),
        (
            format!("{path}/release"),
            vec![
                ("release_at", "2026-12-20T09:00"),
                ("press_release", "# For immediate release"),
                ("update_every_days", "0"),
            ],
        ),
        (
            format!("{path}/signatures/{signature}/decide"),
            vec![
                ("decision", "reject"),
                ("reason", "not a real organization"),
            ],
        ),
        (format!("{path}/import/confirm"), vec![("csv", csv)]),
        // Last: the others are made on an open campaign.
        (format!("{path}/status"), vec![("action", "close")]),
    ];
    for (url, fields) in &writes {
        let r = viewer.post_form(url, fields).await;
        assert_eq!(r.status, 403, "a viewer cannot POST {url}");
    }
    let upload = viewer
        .upload(&format!("{path}/import"), "pasted", csv)
        .await;
    assert_eq!(upload.status, 403, "a viewer cannot upload an import");
    assert_eq!(snapshot().await, before, "the viewer changed nothing");

    // The same requests by an organizer of the group go through.
    let upload = editor
        .upload(&format!("{path}/import"), "pasted", csv)
        .await;
    assert_eq!(upload.status, 200, "the organizer's import preview");
    for (url, fields) in &writes {
        let r = editor.post_form(url, fields).await;
        assert_eq!(r.status, 303, "the organizer's POST {url}: {}", r.body);
    }
    let after = snapshot().await;
    assert_ne!(after, before, "the organizer's writes changed the campaign");
    assert!(
        after.starts_with("closedKeep the water clean9992026-12-20"),
        "{after}"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM signatures WHERE source = 'import'")
            .await,
        1
    );
}

/// Every campaign URL of tenant A, read and write, answers 404 to an organizer of
/// tenant B and changes nothing; each URL is first shown to work for A's owner, so the
/// 404 means "not yours", not "no such page". B's own campaign does not open A's
/// signatures either, while B's own signature there works for B.
#[tokio::test]
async fn a_second_tenants_organizer_gets_404_on_every_campaign_url() {
    let app = TestApp::spawn().await;
    let owner = app.signup("tenant-a", "ana@a.example").await;
    let (path, public) = open_campaign(&owner, "tenant-a", "water", &[]).await;
    sign_and_confirm(&app, &public, "Lake Friends", "lee@lake.example").await;
    let signature_of = |name: &'static str| {
        let db = app.db.clone();
        async move {
            sqlx::query_scalar::<_, uuid::Uuid>("SELECT id FROM signatures WHERE name = $1")
                .bind(name)
                .fetch_one(&db)
                .await
                .unwrap()
        }
    };
    let signature = signature_of("Lake Friends").await;
    let intruder = app.signup("tenant-b", "eve@b.example").await;
    let (own_path, own_public) = open_campaign(&intruder, "tenant-b", "other", &[]).await;
    sign_and_confirm(&app, &own_public, "Hill Friends", "hal@hill.example").await;
    let own_signature = signature_of("Hill Friends").await;

    let snapshot = || async {
        sqlx::query_scalar::<_, String>(
            "SELECT (SELECT string_agg(status || title || target || array_to_string(points, '|'), ',' ORDER BY slug) FROM campaigns) || '/' ||
                    (SELECT count(*) FROM letter_revisions) || '/' || (SELECT string_agg(state, ',' ORDER BY name) FROM signatures)",
        )
        .fetch_one(&app.db)
        .await
        .unwrap()
    };
    let before = snapshot().await;

    for suffix in [
        "",
        "/settings",
        "/letter",
        "/revisions",
        "/revisions/1",
        "/diff?from=1&to=1",
        "/referrals",
        "/export.csv",
        "/import",
        &format!("/signatures/{signature}"),
    ] {
        let url = format!("{path}{suffix}");
        assert_eq!(owner.get(&url).await.status, 200, "the owner's GET {url}");
        let r = intruder.get(&url).await;
        assert_eq!(r.status, 404, "GET {url}");
        assert!(!r.body.contains("Lake Friends"), "GET {url} leaks");
    }
    let writes: Vec<(String, Vec<(&str, &str)>)> = vec![
        (format!("{path}/settings"), {
            // The title stays (signers are listed under it); the target is the change.
            let mut fields = campaign_fields("Keep the water clean", "water");
            fields.retain(|(k, _)| *k != "target");
            fields.push(("target", "999"));
            fields
        }),
        (format!("{path}/status"), vec![("action", "close")]),
        (
            format!("{path}/letter"),
            vec![
                ("body", "Hijacked"),
                ("action", "confirm_change"),
                ("change_kind", "minor"),
            ],
        ),
        (
            format!("{path}/signatures/{signature}/decide"),
            vec![("decision", "reject"), ("reason", "x")],
        ),
        (
            format!("{path}/import/confirm"),
            vec![("csv", "name,email\nX,x@example.org\n")],
        ),
    ];
    for (url, fields) in &writes {
        assert_eq!(
            intruder.post_form(url, fields).await.status,
            404,
            "POST {url}"
        );
    }
    assert_eq!(
        intruder
            .upload(
                &format!("{path}/import"),
                "pasted",
                "name,email\nX,x@example.org\n"
            )
            .await
            .status,
        404
    );

    // B's own campaign path with A's signature: 404; with B's own signature: 200.
    let mine = format!("{own_path}/signatures/{own_signature}");
    assert_eq!(
        intruder.get(&mine).await.status,
        200,
        "B reads its own signature"
    );
    let theirs = format!("{own_path}/signatures/{signature}");
    assert_eq!(intruder.get(&theirs).await.status, 404);
    assert_eq!(
        intruder
            .post_form(
                &format!("{theirs}/decide"),
                &[("decision", "reject"), ("reason", "x")]
            )
            .await
            .status,
        404
    );
    assert_eq!(snapshot().await, before, "nothing changed");
    let list = intruder.get("/app/tenant-b/campaigns").await;
    assert!(!unescape(&list.body).contains("Keep the water clean"));

    // The same writes by the rightful owner go through (so the 404s above were refusals).
    assert_eq!(
        owner
            .upload(
                &format!("{path}/import"),
                "pasted",
                "name,email\nX,x@example.org\n"
            )
            .await
            .status,
        200,
        "the owner's import preview"
    );
    for (url, fields) in &writes {
        let status = owner.post_form(url, fields).await.status;
        assert_eq!(status, 303, "the owner's POST {url}");
    }
    assert_ne!(
        snapshot().await,
        before,
        "the owner's writes changed the campaign"
    );
}

/// A status, role or signature state the code does not know is an error when read,
/// never a silent default (a stray value once read as "Draft" and "Viewer").
#[tokio::test]
async fn unknown_values_in_the_database_are_errors_not_defaults() {
    use undersigned::campaigns::Status;
    use undersigned::signatures::SignatureState;
    use undersigned::tenancy::Role;

    let app = TestApp::spawn().await;
    let read = |sql: &'static str| {
        let db = app.db.clone();
        async move { sqlx::query(sql).fetch_one(&db).await.unwrap() }
    };
    use sqlx::Row;
    let row = read("SELECT 'published' AS s, 'owner' AS r, 'awaiting_approval' AS g").await;
    assert_eq!(row.try_get::<Status, _>("s").unwrap(), Status::Published);
    assert_eq!(row.try_get::<Role, _>("r").unwrap(), Role::Owner);
    assert_eq!(
        row.try_get::<SignatureState, _>("g").unwrap(),
        SignatureState::AwaitingApproval
    );
    let row = read("SELECT 'archived' AS s, 'admin' AS r, 'approved' AS g").await;
    assert!(row.try_get::<Status, _>("s").is_err());
    assert!(row.try_get::<Role, _>("r").is_err());
    assert!(row.try_get::<SignatureState, _>("g").is_err());

    // Through a page: a campaign whose stored status is unknown is not shown as a draft.
    let owner = app.signup("river", "ana@river.example").await;
    let path = create_campaign(&owner, "river", "water", &[]).await;
    assert_eq!(owner.get(&path).await.status, 200);
    sqlx::query("ALTER TABLE campaigns DROP CONSTRAINT campaigns_status_check")
        .execute(&app.db)
        .await
        .unwrap();
    sqlx::query("UPDATE campaigns SET status = 'archived'")
        .execute(&app.db)
        .await
        .unwrap();
    let page = owner.get(&path).await;
    assert_eq!(page.status, 500);
    assert!(!page.body.contains("Draft"));
}

/// The consent repair: rejecting a signature its signer never confirmed and then
/// approving it must not make it public. Approval is refused; undoing the rejection
/// returns it to "pending confirmation"; a click on the old confirmation link after the
/// rejection is told the truth; only the signer's own confirmation (and then approval,
/// under moderation) lists the name, with `confirmed_at` the signer's time.
#[tokio::test]
async fn organizers_cannot_approve_what_the_signer_never_confirmed() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let (path, public) = open_campaign(&owner, "river", "water", &[("moderation", "on")]).await;
    let r = sign(
        &app,
        &public,
        &organization("Lake Friends", "lee@lake.example"),
    )
    .await;
    assert_eq!(r.status, 303);
    let lake: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM signatures WHERE name = 'Lake Friends'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    let state = || async {
        sqlx::query_as::<_, (String, Option<time::OffsetDateTime>)>(
            "SELECT state, confirmed_at FROM signatures WHERE name = 'Lake Friends'",
        )
        .fetch_one(&app.db)
        .await
        .unwrap()
    };
    let decide = |decision: &'static str, reason: &'static str| {
        let url = format!("{path}/signatures/{lake}/decide");
        let owner = &owner;
        async move {
            owner
                .post_form(&url, &[("decision", decision), ("reason", reason)])
                .await
        }
    };

    // Pending: the organizer can neither approve it nor restore it.
    assert_eq!(decide("approve", "").await.status, 422);
    assert_eq!(state().await.0, "pending");
    let detail = owner.get(&format!("{path}/signatures/{lake}")).await;
    assert!(
        !detail.body.contains("value=\"approve\""),
        "no Approve button while pending"
    );

    assert_eq!(decide("reject", "looks like spam").await.status, 303);
    assert_eq!(state().await.0, "rejected");
    let approve = decide("approve", "").await;
    assert_eq!(
        approve.status, 422,
        "approval needs the signer's confirmation"
    );
    assert!(approve.body.contains("cannot change that way"));
    assert_eq!(state().await, ("rejected".to_string(), None));
    assert!(!listed_names(&app.client().get(&public).await.body).contains(&"Lake Friends".into()));

    // The signer clicks the old link now: told the organizers declined, not thanked.
    let link = app.link_mailed_to("lee@lake.example", "/signature/").await;
    let signer = app.client();
    let confirm = confirm_from(&signer, &link).await;
    assert_eq!(confirm.status, 303);
    assert!(!confirm
        .location()
        .unwrap_or_default()
        .contains("notice=confirmed"));
    let text = unescape(&signer.get(&link).await.body);
    assert!(
        text.contains("organizers declined this signature"),
        "{text}"
    );
    assert!(!text.contains("your signature is confirmed"));
    assert_eq!(state().await.0, "rejected");

    // Undoing the rejection goes back to where it was: pending, never further.
    assert_eq!(decide("restore", "").await.status, 303);
    assert_eq!(state().await, ("pending".to_string(), None));
    assert_eq!(decide("approve", "").await.status, 422);

    // The signer confirms; now (and only now) the organizer can approve.
    let confirmed = confirm_from(&signer, &link).await;
    assert!(confirmed
        .location()
        .unwrap_or_default()
        .contains("notice=confirmed"));
    let (now_state, confirmed_at) = state().await;
    assert_eq!(now_state, "awaiting_approval");
    let confirmed_at = confirmed_at.expect("the signer's confirmation time is kept");
    app.clock.advance(time::Duration::hours(2));
    assert_eq!(decide("approve", "").await.status, 303);
    assert_eq!(
        state().await,
        ("confirmed".to_string(), Some(confirmed_at)),
        "approval does not restamp the signer's confirmation time"
    );
    let listed = |p: &support::Response| listed_names(&p.body).contains(&"Lake Friends".into());
    assert!(listed(&public_page_once(&app, &public, listed).await));

    // A rejection of a confirmed signature is undone back to confirmed.
    assert_eq!(decide("reject", "wrong org").await.status, 303);
    assert_eq!(decide("restore", "").await.status, 303);
    assert_eq!(state().await.0, "confirmed");
}

/// Two organizers acting at once: one closes the campaign while the other (on a page
/// that still shows it published) keeps it open after the deadline. Each change applies
/// only to the state its page showed, so the outcome is always one of the two serial
/// orders, and the one that lost is told to choose again: a stale "keep open" never
/// brings the campaign back from closed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_status_changes_cannot_resurrect_a_stale_setting() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let (path, _) = open_campaign(&owner, "river", "water", &[]).await;
    // A second session of the same organizer; a failed login would make every "keep
    // open" a redirect to the login page, and the race no race.
    let second = app.client();
    let login = second
        .post_form(
            "/login",
            &[("email", "ana@river.example"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(login.status, 303, "the second login: {}", login.body);
    assert_eq!(
        second.get(&path).await.status,
        200,
        "the second session is in"
    );
    let mut outcomes = std::collections::BTreeMap::new();
    for round in 0..15 {
        sqlx::query("UPDATE campaigns SET status = 'open', open_after_deadline = false")
            .execute(&app.db)
            .await
            .unwrap();
        let (close, keep) = tokio::join!(
            set_status(&owner, &path, "close"),
            set_status(&second, &path, "keep_open"),
        );
        let (status, kept_open): (String, bool) =
            sqlx::query_as("SELECT status, open_after_deadline FROM campaigns")
                .fetch_one(&app.db)
                .await
                .unwrap();
        let seen = (close.status, keep.status, status.clone(), kept_open);
        match (close.status, keep.status) {
            // Closed last (or alone): closed, and not kept open.
            (303, _) => assert_eq!(
                (status.as_str(), kept_open),
                ("closed", false),
                "round {round}: {seen:?}"
            ),
            // Only "keep open" went through: still open, kept open.
            (422, 303) => assert_eq!(
                (status.as_str(), kept_open),
                ("open", true),
                "round {round}: {seen:?}"
            ),
            _ => panic!("round {round}: {seen:?}"),
        }
        if close.status == 422 {
            assert!(unescape(&close.body)
                .contains("changed this campaign's status while you were looking"));
        }
        *outcomes.entry((close.status, keep.status)).or_insert(0) += 1;
    }
    println!("outcomes (close, keep open): {outcomes:?}");
}

/// A campaign cannot take a web address an organizer route already uses: "new" would
/// have shadowed its own dashboard with the new-campaign form.
#[tokio::test]
async fn a_campaign_cannot_be_named_like_an_organizer_route() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let refused = owner
        .post_form(
            "/app/river/campaigns/new",
            &campaign_fields("New things", "new"),
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("reserved"));
    assert!(
        refused.body.contains("New things"),
        "what was typed is kept"
    );
    assert_eq!(app.count("SELECT count(*) FROM campaigns").await, 0);
    let path = create_campaign(&owner, "river", "water", &[]).await;
    let rename = owner
        .post_form(
            &format!("{path}/settings"),
            &campaign_fields("Water", "new"),
        )
        .await;
    assert_eq!(rename.status, 422);
    assert_eq!(owner.get(&path).await.status, 200, "still at its address");
}

/// The diff of two long letters used to take 15 s on the async threads (and /healthz
/// waited for it). Two letters under the size cutoff (9,000 lines each, 18,000 of the
/// 20,000 together) whose every line differs are a line diff's worst case, far longer
/// than its time limit: the app gives up at the limit and summarizes, off the runtime, so
/// /healthz, asked while two such diffs run, answers before either of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huge_diff_is_summarized_and_does_not_stall_the_app() {
    use undersigned::campaigns::letter::MAX_DIFF_LINES;
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let path = create_campaign(&owner, "river", "water", &[]).await;
    let lines = 9_000;
    assert!(
        2 * lines < MAX_DIFF_LINES,
        "under the cutoff: really compared"
    );
    let letter = |prefix: &str| {
        (0..lines)
            .map(|n| format!("{prefix}{n}\n"))
            .collect::<String>()
    };
    for letter in [letter("a"), letter("b")] {
        let r = owner
            .post_form(
                &format!("{path}/letter"),
                &[("body", &letter), ("action", "save")],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.status);
    }
    let health = app.client();
    let started = std::time::Instant::now();
    let (forward, backward) = (
        format!("{path}/diff?from=2&to=3"),
        format!("{path}/diff?from=3&to=2"),
    );
    // The order in which the three answers came.
    let answered = std::sync::Mutex::new(Vec::new());
    let (diff_a, diff_b, healthz) = tokio::join!(
        async {
            let r = owner.get(&forward).await;
            answered.lock().unwrap().push("diff");
            r
        },
        async {
            let r = owner.get(&backward).await;
            answered.lock().unwrap().push("diff");
            r
        },
        async {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            let r = health.get("/healthz").await;
            answered.lock().unwrap().push("healthz");
            r.status
        },
    );
    assert_eq!(healthz, 200);
    let answered = answered.into_inner().unwrap();
    assert_eq!(
        answered,
        ["healthz", "diff", "diff"],
        "/healthz answered while the diffs ran"
    );
    for diff in [diff_a, diff_b] {
        assert_eq!(diff.status, 200);
        assert!(
            diff.body
                .contains("These revisions differ too much to compare line by line quickly."),
            "the time limit, not the size cutoff, summarized them"
        );
        assert!(diff.body.contains("9000 lines before, 9000 lines after"));
        assert!(
            !diff.body.contains("a8999") && !diff.body.contains("b8999"),
            "a summary, not 18,000 lines"
        );
    }
    println!("two huge diffs answered in {:?}", started.elapsed());
}

/// A large import moves the public page's version once, not once per row (20,000 rows
/// once held one transaction for 17 s); each imported signer is emailed to confirm.
#[tokio::test]
async fn a_large_import_moves_the_page_version_once() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let (path, public) = open_campaign(&owner, "river", "water", &[]).await;
    let mut csv = String::from("name,email,city\n");
    for n in 0..2_000 {
        csv.push_str(&format!(
            "Imported Org {n},org{n}@example.org,Springfield\n"
        ));
    }
    let version = || async {
        sqlx::query_scalar::<_, i64>("SELECT public_version FROM campaigns")
            .fetch_one(&app.db)
            .await
            .unwrap()
    };
    assert!(app.client().get(&public).await.body.contains("Group river"));
    let before = version().await;
    let started = std::time::Instant::now();
    let done = owner
        .post_form(&format!("{path}/import/confirm"), &[("csv", &csv)])
        .await;
    assert_eq!(done.status, 303, "{}", done.status);
    println!("2,000 rows imported in {:?}", started.elapsed());
    assert_eq!(version().await, before + 1, "one move for the whole import");
    assert_eq!(
        app.count("SELECT count(*) FROM signatures WHERE source = 'import'")
            .await,
        2_000
    );
    assert_eq!(
        app.count("SELECT count(*) FROM outbox WHERE idempotency_key LIKE 'confirm-signature:%'")
            .await,
        2_000,
        "each imported signer is asked to confirm"
    );
    let page = app.client().get(&public).await;
    assert!(
        !page.body.contains("Imported Org 1999"),
        "listed only once confirmed"
    );
    // Single changes still move it one by one.
    sign_and_confirm(&app, &public, "Lake Friends", "lee@lake.example").await;
    assert_eq!(version().await, before + 2);

    // Every imported signer is emailed, so imports are bounded: 2,000 a group a day.
    let more = "name,email\nOne More,one.more@example.org\n";
    let refused = owner
        .post_form(&format!("{path}/import/confirm"), &[("csv", more)])
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("at most 2000 signers a day"));
    assert_eq!(
        app.count("SELECT count(*) FROM signatures WHERE name = 'One More'")
            .await,
        0
    );
    // A day later (and a new login: the session has ended, and the form the old one
    // showed with it; that login was once refused unnoticed, and the 303 to the login
    // page passed for the import's).
    app.clock.advance(time::Duration::hours(25));
    let owner = app.log_in("ana@river.example").await;
    let later = owner
        .post_form(&format!("{path}/import/confirm"), &[("csv", more)])
        .await;
    assert_eq!(later.status, 303, "a day later it goes");
    assert!(!later.location().unwrap_or_default().starts_with("/login"));
    assert_eq!(
        app.count("SELECT count(*) FROM signatures WHERE name = 'One More'")
            .await,
        1,
        "a day later it goes"
    );
}

/// Renaming a campaign's web address keeps every link already emailed working: the
/// public page moves to the new address (308), a signer's link still confirms, and an
/// address another campaign takes later is that campaign's.
#[tokio::test]
async fn emailed_links_survive_a_new_web_address() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let (path, public) = support::campaigns::open_campaign(&owner, "river", "water", &[]).await;
    let r = support::campaigns::sign(
        &app,
        &public,
        &support::campaigns::organization("Alder Network", "lee@alder.example"),
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let link = app.link_mailed_to("lee@alder.example", "/signature/").await;
    assert!(link.starts_with("/river/water/signature/"));

    let mut fields = support::campaigns::campaign_fields("Keep the water clean", "rivers");
    fields.retain(|(k, _)| *k != "letter" && *k != "host_signs");
    let r = owner.post_form(&format!("{path}/settings"), &fields).await;
    assert_eq!(r.status, 303, "{}", r.body);

    let old_page = app.client().get("/river/water").await;
    assert_eq!(old_page.status, 308, "moved for good");
    assert_eq!(old_page.location(), Some("/river/rivers"));
    assert_eq!(app.client().get("/river/rivers").await.status, 200);
    // The emailed link still opens and confirms.
    let r = support::campaigns::confirm_from(&app.client(), &link).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(r
        .location()
        .unwrap()
        .starts_with("/river/rivers/signature/"));
    let page = support::campaigns::public_page_once(&app, "/river/rivers", |p| {
        p.body.contains("Alder Network")
    })
    .await;
    assert!(support::campaigns::listed_names(&page.body).contains(&"Alder Network".to_owned()));

    // A new campaign may take the old address; then it is that campaign's.
    support::campaigns::open_campaign(&owner, "river", "water", &[]).await;
    let page = app.client().get("/river/water").await;
    assert_eq!(page.status, 200);
    assert!(!support::campaigns::listed_names(&page.body).contains(&"Alder Network".to_owned()));
    // Another group's address of the same name finds nothing of this one.
    app.signup("lake", "lou@lake.example").await;
    assert_eq!(app.client().get("/lake/rivers").await.status, 404);
}
