//! Release and member updates: a campaign publishes itself at its release time, once
//! across instances, and every listed signer is told; until then its page is hidden
//! (organizers preview it). Listed signers get the letter and the list every N days.

use crate::support;

use support::campaigns::{confirm, open_campaign, organization, sign, sign_and_confirm};
use support::{Client, TestApp};
use time::macros::datetime;

async fn setup(app: &TestApp) -> (Client, String, String) {
    let owner = app.signup("river", "ana@river.example").await;
    let (path, public) = open_campaign(&owner, "river", "water", &[]).await;
    sign_and_confirm(app, &public, "Alder Network", "lee@alder.example").await;
    sign_and_confirm(app, &public, "Birch Collective", "kim@birch.example").await;
    (owner, path, public)
}

async fn updates(app: &TestApp) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT recipient, message::text FROM outbox WHERE message ->> 'kind' = 'member_update' ORDER BY recipient, id",
    )
    .fetch_all(&app.db)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_campaign_publishes_itself_once_at_its_release_time_and_every_signer_is_told() {
    let app = TestApp::spawn().await;
    let (owner, path, public) = setup(&app).await;
    let r = owner
        .post_form(
            &format!("{path}/release"),
            &[
                ("release_at", "2026-11-27T09:00"),
                ("press_release", "# For immediate release\n\nForty groups ask the mayor to keep the river clean."),
                ("update_every_days", "0"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);

    // Hidden until then, to everyone but the organizers (the public is told when); the
    // form still works.
    let hidden = app.client().get(&public).await;
    assert!(hidden.body.contains("will be published on"));
    assert!(!hidden.body.contains("Alder Network"));
    let press = app.client().get(&format!("{public}/press")).await;
    assert!(press
        .body
        .contains("The press release will be published on"));
    assert!(!press.body.contains("Forty groups ask the mayor"));
    assert_eq!(
        app.client().get(&format!("{public}/sign")).await.status,
        200
    );
    let preview = owner.get(&format!("{path}/preview")).await;
    assert_eq!(preview.status, 200);
    assert!(preview.body.contains("Preview for the organizers"));
    assert!(preview.body.contains("Alder Network"));
    let stranger = app.signup("lake", "lou@lake.example").await;
    assert_eq!(stranger.get(&format!("{path}/preview")).await.status, 404);
    assert_eq!(stranger.get(&format!("{path}/release")).await.status, 404);
    assert_eq!(
        stranger
            .post_form(
                &format!("{path}/release"),
                &[
                    ("release_at", ""),
                    ("press_release", "x"),
                    ("update_every_days", "1")
                ]
            )
            .await
            .status,
        404
    );
    assert_eq!(app.run_scheduler().await.released, 0, "not before its time");

    // At the release time two schedulers race: one release, one announcement each.
    app.clock.set(datetime!(2026-11-27 09:00:30 UTC));
    let other = app.another_scheduler().await;
    let (a, b) = tokio::join!(app.jobs.tick(), other.tick());
    assert_eq!(a.unwrap().released + b.unwrap().released, 1);
    assert_eq!(app.run_scheduler().await.released, 0);
    let told = updates(&app).await;
    let recipients: Vec<&str> = told.iter().map(|(to, _)| to.as_str()).collect();
    assert_eq!(
        recipients,
        [
            "ana@river.example",
            "kim@birch.example",
            "lee@alder.example"
        ]
    );
    assert!(told[1].1.contains("\"released\": true"));
    assert!(
        told[1].1.contains("Alder Network") && told[1].1.contains("Birch Collective"),
        "the list"
    );
    assert!(told[1].1.contains("keep the river clean"), "the letter");
    assert_eq!(
        app.count(
            "SELECT count(*) FROM campaigns WHERE status = 'published' AND released_at IS NOT NULL"
        )
        .await,
        1
    );
    let page = app.client().get(&public).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Read the press release"));
    let press = app.client().get(&format!("{public}/press")).await;
    assert_eq!(press.status, 200);
    assert!(press.body.contains("og:title"));
    assert!(press.body.contains("Forty groups ask the mayor"));
    let owner = app.log_in("ana@river.example").await;
    let history = owner.get(&format!("{path}/release")).await;
    assert!(history.body.contains("Release announcement"));
    assert!(history.body.contains("3 signers"));
}

#[tokio::test]
async fn listed_signers_get_the_letter_and_the_list_every_n_days_and_unsubscribing_stops_it() {
    let app = TestApp::spawn().await;
    let (owner, path, public) = setup(&app).await;
    // A signer who never confirmed gets nothing.
    assert_eq!(
        sign(
            &app,
            &public,
            &organization("Cedar Circle", "cy@cedar.example")
        )
        .await
        .status,
        303
    );
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
    assert_eq!(
        app.run_scheduler().await.member_updates,
        0,
        "not before 7 days"
    );
    app.clock.set(datetime!(2026-12-02 13:00 UTC));
    assert_eq!(app.run_scheduler().await.member_updates, 1);
    assert_eq!(
        app.run_scheduler().await.member_updates,
        0,
        "once per period"
    );
    let recipients: Vec<String> = updates(&app).await.into_iter().map(|(to, _)| to).collect();
    assert_eq!(
        recipients,
        [
            "ana@river.example",
            "kim@birch.example",
            "lee@alder.example"
        ]
    );

    // Kim unsubscribes from the group's bulk mail through the update's own link.
    app.dispatch_mail().await;
    let link = app
        .link_mailed_to("kim@birch.example", "/mail/unsubscribe/")
        .await;
    let r = app.client().post_form(&link, &[]).await;
    assert!(r.status == 303 || r.status == 200, "{}", r.body);
    app.clock.set(datetime!(2026-12-09 14:00 UTC));
    assert_eq!(app.run_scheduler().await.member_updates, 1);
    app.dispatch_mail().await;
    let kim_second: String = sqlx::query_scalar(
        "SELECT status FROM outbox WHERE recipient = 'kim@birch.example' AND message ->> 'kind' = 'member_update' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(kim_second, "suppressed");
    let owner = app.log_in("ana@river.example").await;
    let history = owner.get(&format!("{path}/release")).await;
    assert_eq!(history.body.matches("Periodic update").count(), 2);

    // A viewer reads the page but cannot change it; a release time in the past is refused.
    let r = owner
        .post_form(
            &format!("{path}/release"),
            &[
                ("release_at", "2026-12-01T09:00"),
                ("press_release", "Kept text"),
                ("update_every_days", "7"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Kept text"));
}

/// Before the release every link a signer follows (the form, the page after signing, the
/// public page and press release those lead to) says when the list will be published,
/// instead of a 404, and shows no name; organizers of any role preview the page and the
/// press release, and other groups' members cannot.
#[tokio::test]
async fn before_the_release_every_link_a_signer_sees_says_when_the_list_is_published() {
    let app = TestApp::spawn().await;
    let (owner, path, public) = setup(&app).await;
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
    let when = "Friday 4 December at 10:00 UTC";

    // The form says when, instead of linking to a page that is not there yet.
    let form = app.client().get(&format!("{public}/sign")).await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains(&format!(
        "The letter and everyone who signed it will be published on {when}."
    )));
    assert!(!form.body.contains("See who has signed"));

    // A signer signs and confirms: their page says when too.
    assert_eq!(
        sign(
            &app,
            &public,
            &organization("Cedar Circle", "cy@cedar.example")
        )
        .await
        .status,
        303
    );
    let sent = app.client().get(&format!("{public}/sign/sent")).await;
    assert_eq!(sent.status, 200);
    // The statement form links to the letter's page, which says when (below).
    let statement = app.client().get(&format!("{public}/statement")).await;
    assert_eq!(statement.status, 200);
    assert!(statement.body.contains(&format!("href=\"{public}\"")));
    let link = confirm(&app, "cy@cedar.example").await;
    let thanks = app.client().get(&link).await;
    assert!(thanks.body.contains("Thank you for signing"));
    assert!(
        thanks.body.contains(&format!(
            "The letter and everyone who signed it will be published on {when}."
        )),
        "{}",
        thanks.body
    );

    // The public page and the press release, followed from anywhere: when, not 404, and
    // no name before its time.
    for (address, what) in [
        (public.clone(), "The letter and everyone who signed it"),
        (format!("{public}/press"), "The press release"),
    ] {
        let page = app.client().get(&address).await;
        assert_eq!(page.status, 200, "{address}");
        assert!(
            page.body.contains(&format!(
                "{what} will be published on <strong>{when}</strong>"
            )),
            "{}",
            page.body
        );
        assert_eq!(page.header("x-robots-tag"), Some("noindex"));
        assert!(
            page.body.contains(&format!("{public}/sign")),
            "where to sign meanwhile"
        );
        for name in [
            "Alder Network",
            "Birch Collective",
            "Cedar Circle",
            "Forty groups",
        ] {
            assert!(!page.body.contains(name), "{name} on {address}");
        }
        assert!(!page.body.contains("see the preview"), "not for the public");
    }

    // Organizers, a viewer too, preview both; the page tells them where.
    let viewer = app
        .join(&owner, "river", "vic@river.example", "viewer", "Vic")
        .await;
    for organizer in [&owner, &viewer] {
        assert!(organizer
            .get(&public)
            .await
            .body
            .contains("see the preview"));
        let preview = organizer.get(&format!("{path}/preview")).await;
        assert_eq!(preview.status, 200);
        assert!(preview.body.contains("Alder Network"));
        assert!(preview.body.contains("Preview the press release"));
        let press = organizer.get(&format!("{path}/preview/press")).await;
        assert_eq!(press.status, 200);
        assert!(press.body.contains("Forty groups ask the mayor."));
        assert!(press.body.contains(&format!(
            "the public cannot see this press release until its release, {when}"
        )));
    }
    let stranger = app.signup("lake", "lou@lake.example").await;
    assert_eq!(
        stranger.get(&format!("{path}/preview/press")).await.status,
        404
    );
    assert!(!stranger.get(&public).await.body.contains("see the preview"));

    // Released: the page lists them, and the links lead there again.
    app.clock.set(datetime!(2026-12-04 10:00:30 UTC));
    app.run_scheduler().await;
    let page =
        support::campaigns::public_page_once(&app, &public, |p| p.body.contains("Cedar Circle"))
            .await;
    assert!(page.body.contains("Cedar Circle"));
    assert!(!page.body.contains("will be published on"));
    let form = app.client().get(&format!("{public}/sign")).await;
    assert!(form.body.contains("See who has signed"));
}
