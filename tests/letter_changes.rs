//! Changing a letter people have signed: organizers choose minor or substantive with the
//! diff in front of them; a minor change tells signers and keeps them listed, a
//! substantive one lists a name under the new text only once its signer confirms it.

use crate::support;

use support::campaigns::{
    campaign_fields, confirm_from, input_value, listed_names, open_campaign, organization,
    public_page_once, sign, sign_and_confirm,
};
use support::{Client, TestApp};
use time::macros::datetime;

const REVISED: &str = "# Dear Mayor\n\nWe, the undersigned, ask you to keep the river **and the estuary** clean.\n\nSincerely,";

async fn setup(app: &TestApp) -> (Client, String, String) {
    let owner = app.signup("river", "ana@river.example").await;
    let (path, public) = open_campaign(&owner, "river", "water", &[]).await;
    sign_and_confirm(app, &public, "Alder Network", "lee@alder.example").await;
    sign_and_confirm(app, &public, "Birch Collective", "kim@birch.example").await;
    (owner, path, public)
}

async fn mail_of_kind(app: &TestApp, kind: &str) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT recipient, message::text FROM outbox WHERE message ->> 'kind' = $1 ORDER BY recipient",
    )
    .bind(kind)
    .fetch_all(&app.db)
    .await
    .unwrap()
}

#[tokio::test]
async fn organizers_choose_what_a_change_is_with_the_diff_in_front_of_them() {
    let app = TestApp::spawn().await;
    let (owner, path, _) = setup(&app).await;
    let page = owner
        .post_form(
            &format!("{path}/letter"),
            &[("body", REVISED), ("action", "save")],
        )
        .await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("2 signers have agreed to revision 1"),
        "{}",
        page.body
    );
    assert!(page.body.contains("and the estuary"), "the diff is shown");
    assert_eq!(
        app.count("SELECT count(*) FROM letter_revisions").await,
        1,
        "nothing saved yet"
    );
    let refused = owner
        .post_form(
            &format!("{path}/letter"),
            &[("body", REVISED), ("action", "confirm_change")],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused
        .body
        .contains("Choose whether this change is minor or substantive"));
    assert!(
        refused.body.contains("and the estuary"),
        "the new text is kept"
    );
    assert_eq!(app.count("SELECT count(*) FROM letter_revisions").await, 1);
}

#[tokio::test]
async fn a_minor_change_tells_every_signer_and_keeps_them_listed() {
    let app = TestApp::spawn().await;
    let (owner, path, public) = setup(&app).await;
    let r = owner
        .post_form(
            &format!("{path}/letter"),
            &[
                ("body", REVISED),
                ("action", "confirm_change"),
                ("change_kind", "minor"),
                ("days", "5"),
                ("note", "We name the estuary too."),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(r.location().unwrap().contains("letter-saved-minor"));
    let told = mail_of_kind(&app, "letter_changed").await;
    let recipients: Vec<&str> = told.iter().map(|(to, _)| to.as_str()).collect();
    assert_eq!(
        recipients,
        ["kim@birch.example", "lee@alder.example"],
        "the host's own organizer is not emailed"
    );
    for (_, message) in &told {
        assert!(message.contains("\"substantive\": false"));
        assert!(
            message.contains(
                "+ We, the undersigned, ask you to keep the river **and the estuary** clean."
            ),
            "{message}"
        );
        assert!(message.contains("- We, the undersigned, ask you to keep the river clean."));
        assert!(message.contains("We name the estuary too."));
    }
    let page = public_page_once(&app, &public, |p| p.body.contains("and the estuary")).await;
    let names = listed_names(&page.body);
    assert!(
        names.contains(&"Alder Network".to_owned())
            && names.contains(&"Birch Collective".to_owned()),
        "{names:?}"
    );

    // The trail says why the name stands under revision 2; the signer's page shows the change.
    let id: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM signatures WHERE email = 'lee@alder.example'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    let detail = owner.get(&format!("{path}/signatures/{id}")).await;
    assert!(
        detail.body.contains("consent carried over (minor change)"),
        "{}",
        detail.body
    );
    let link = app.link_mailed_to("lee@alder.example", "/signature/").await;
    let signer_page = app.client().get(&link).await;
    assert!(
        signer_page.body.contains("The letter has changed slightly"),
        "{}",
        signer_page.body
    );
    assert!(signer_page.body.contains("and the estuary"));
}

#[tokio::test]
async fn after_a_substantive_change_only_those_who_confirm_the_new_text_are_listed() {
    let app = TestApp::spawn().await;
    let (owner, path, public) = setup(&app).await;
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
    // The names leave the page at once (a removal is never served late).
    let page = app.client().get(&public).await;
    let names = listed_names(&page.body);
    assert!(!names.contains(&"Alder Network".to_owned()), "{names:?}");
    assert!(!names.contains(&"Birch Collective".to_owned()));
    let told = mail_of_kind(&app, "letter_changed").await;
    assert_eq!(told.len(), 2);
    assert!(told[0].1.contains("\"substantive\": true"));

    // Alder Network confirms the new text from the email; Birch Collective does not.
    app.dispatch_mail().await;
    let link = app.link_mailed_to("lee@alder.example", "/signature/").await;
    let signer = app.client();
    let own = signer.get(&link).await;
    assert!(own.body.contains("confirm the new text"), "{}", own.body);
    assert!(own.body.contains("and the estuary"));
    // A page showing an older text confirms nothing.
    let stale = signer
        .post_form(
            &format!("{link}/confirm"),
            &[("revision", "00000000-0000-0000-0000-000000000000")],
        )
        .await;
    assert_eq!(stale.status, 409);
    let revision = input_value(&own.body, "revision").unwrap();
    let wording = input_value(&own.body, "wording").unwrap();
    let r = signer
        .post_form(
            &format!("{link}/confirm"),
            &[("revision", &revision), ("wording", &wording)],
        )
        .await;
    assert_eq!(r.status, 303);
    assert!(r.location().unwrap().contains("reconfirmed"));
    let page = public_page_once(&app, &public, |p| {
        listed_names(&p.body).contains(&"Alder Network".to_owned())
    })
    .await;
    let names = listed_names(&page.body);
    assert!(names.contains(&"Alder Network".to_owned()), "{names:?}");
    assert!(
        !names.contains(&"Birch Collective".to_owned()),
        "not listed without confirming the new text"
    );

    // Once the date passes, Birch Collective is told, once, and nothing else happens.
    app.clock.set(datetime!(2026-12-09 13:00 UTC));
    let report = app.run_scheduler().await;
    assert_eq!(report.not_carried_over, 1);
    assert_eq!(app.run_scheduler().await.not_carried_over, 0);
    let notices = mail_of_kind(&app, "name_not_carried_over").await;
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].0, "kim@birch.example");
    assert_eq!(
        app.count("SELECT count(*) FROM signatures WHERE email = 'kim@birch.example' AND state = 'confirmed'").await,
        1,
        "the signature itself is untouched"
    );
    let owner = app.log_in("ana@river.example").await;
    let id: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM signatures WHERE email = 'kim@birch.example'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    let detail = owner.get(&format!("{path}/signatures/{id}")).await;
    assert!(detail.body.contains("not listed now"), "{}", detail.body);
    assert!(detail
        .body
        .contains("did not confirm this changed text in time"));
}

/// The title and points of unity are part of what each signer confirmed: once others
/// are listed under them, the settings page keeps them (and says why), while the rest
/// still saves.
#[tokio::test]
async fn title_and_points_of_unity_stay_as_signers_confirmed_them() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let (path, public) = open_campaign(&owner, "river", "water", &[]).await;
    let changed_points = |title: &'static str| {
        let mut fields = campaign_fields(title, "water");
        fields.retain(|(k, _)| *k != "point" && *k != "letter" && *k != "host_signs");
        fields.push(("point", "Clean water is a right"));
        fields.push(("point", "Polluters pay double"));
        fields
    };
    // Before anyone else signed, the points may change.
    let r = owner
        .post_form(
            &format!("{path}/settings"),
            &changed_points("Keep the water clean"),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    sign_and_confirm(&app, &public, "Alder Network", "lee@alder.example").await;
    let mut again = changed_points("Keep the water clean");
    again.retain(|(k, v)| !(*k == "point" && *v == "Polluters pay double"));
    again.push(("point", "Polluters pay triple"));
    let r = owner.post_form(&format!("{path}/settings"), &again).await;
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("cannot change now that others are listed"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("Polluters pay triple"),
        "what was typed is kept"
    );
    let points: Vec<String> =
        sqlx::query_scalar("SELECT points FROM campaigns WHERE slug = 'water'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(points, ["Clean water is a right", "Polluters pay double"]);
    // The title is part of what they confirmed too.
    let r = owner
        .post_form(
            &format!("{path}/settings"),
            &changed_points("Let the water run dirty"),
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.body
            .contains("cannot change now that others are listed under it"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("Let the water run dirty"),
        "what was typed is kept"
    );
    let title: String = sqlx::query_scalar("SELECT title FROM campaigns WHERE slug = 'water'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(title, "Keep the water clean");
    assert!(owner
        .get(&format!("{path}/settings"))
        .await
        .body
        .contains("both stay as they confirmed them"));
    // The same title and points with another target save.
    let mut target_only = changed_points("Keep the water clean");
    target_only.retain(|(k, _)| *k != "target");
    target_only.push(("target", "250"));
    let r = owner
        .post_form(&format!("{path}/settings"), &target_only)
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let target: i32 = sqlx::query_scalar("SELECT target FROM campaigns WHERE slug = 'water'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(target, 250);
}

/// A signer confirms the title and points of unity their page showed, not ones changed
/// since (while nobody else was listed, so the change was allowed): the confirmation is
/// refused with the new wording in front of them, and confirming that lists them.
#[tokio::test]
async fn a_confirmation_counts_only_for_the_title_and_points_the_page_showed() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let (path, public) = open_campaign(&owner, "river", "water", &[]).await;
    let r = sign(
        &app,
        &public,
        &organization("Alder Network", "lee@alder.example"),
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let link = app.link_mailed_to("lee@alder.example", "/signature/").await;
    let signer = app.client();
    let opened = signer.get(&link).await;
    let shown = |name: &str| input_value(&opened.body, name).unwrap();
    let (revision, wording) = (shown("revision"), shown("wording"));

    let mut fields = campaign_fields("Let the water run dirty", "water");
    fields.retain(|(k, _)| *k != "letter" && *k != "host_signs");
    let r = owner.post_form(&format!("{path}/settings"), &fields).await;
    assert_eq!(
        r.status, 303,
        "nobody but the host is listed yet: {}",
        r.body
    );

    let stale = signer
        .post_form(
            &format!("{link}/confirm"),
            &[("revision", &revision), ("wording", &wording)],
        )
        .await;
    assert_eq!(stale.status, 409);
    assert!(stale.body.contains("title or points of unity changed"));
    assert!(
        stale.body.contains("Let the water run dirty"),
        "the page shows the title as it stands"
    );
    let state: String =
        sqlx::query_scalar("SELECT state FROM signatures WHERE name = 'Alder Network'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(state, "pending", "nothing was confirmed");
    assert!(!listed_names(&app.client().get(&public).await.body).contains(&"Alder Network".into()));

    // Confirming what the page shows now (the same request with the current wording) works.
    let r = confirm_from(&signer, &link).await;
    assert_eq!(r.status, 303);
    assert!(r.location().unwrap().contains("notice=confirmed"));
    let page = public_page_once(&app, &public, |p| {
        listed_names(&p.body).contains(&"Alder Network".to_owned())
    })
    .await;
    assert!(page.body.contains("Let the water run dirty"));
}

/// The lock between the settings and confirmations, raced: a save changing the title
/// and a signer confirming the title their page showed, released together by a barrier,
/// over several rounds. Exactly one wins: the title changes and the confirmation is
/// refused (409), or the signer is listed under the title they saw and the save is
/// refused (422). Never both: no one listed under a title their page did not show.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_settings_save_racing_a_confirmation_never_changes_a_confirmed_title() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let mut outcomes = std::collections::BTreeMap::new();
    for round in 0..8 {
        // Past the sign-on form's limit per network from the last round.
        app.clock.advance(time::Duration::minutes(6));
        let slug = format!("water{round}");
        let (path, public) = open_campaign(&owner, "river", &slug, &[]).await;
        let email = format!("lee@round{round}.example");
        let r = sign(
            &app,
            &public,
            &organization(&format!("Alder {round}"), &email),
        )
        .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let link = app.link_mailed_to(&email, "/signature/").await;
        let signer = app.client();
        let opened = signer.get(&link).await;
        let shown = |name: &str| input_value(&opened.body, name).unwrap();
        let (revision, wording) = (shown("revision"), shown("wording"));
        let title = format!("Let the water run dirty {round}");
        let mut fields = campaign_fields(&title, &slug);
        fields.retain(|(k, _)| *k != "letter" && *k != "host_signs");
        owner.csrf_token().await;
        signer.csrf_token().await;

        let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(2));
        let (saved, confirmed) = tokio::join!(
            async {
                barrier.wait().await;
                owner.post_form(&format!("{path}/settings"), &fields).await
            },
            async {
                barrier.wait().await;
                signer
                    .post_form(
                        &format!("{link}/confirm"),
                        &[("revision", &revision), ("wording", &wording)],
                    )
                    .await
            },
        );
        let (now_title, state): (String, String) = sqlx::query_as(
            "SELECT c.title, s.state FROM campaigns c JOIN signatures s ON s.campaign_id = c.id
              WHERE c.slug = $1 AND s.email = $2::citext",
        )
        .bind(&slug)
        .bind(&email)
        .fetch_one(&app.db)
        .await
        .unwrap();
        let seen = (
            saved.status,
            confirmed.status,
            now_title.clone(),
            state.clone(),
        );
        match (saved.status, confirmed.status) {
            // The save first: the title changed, the confirmation of the old one refused.
            (303, 409) => {
                assert_eq!(
                    (now_title.as_str(), state.as_str()),
                    (title.as_str(), "pending"),
                    "round {round}: {seen:?}"
                );
                assert!(confirmed.body.contains("title or points of unity changed"));
            }
            // The confirmation first: listed under the title shown, the save refused.
            (422, 303) => {
                assert_eq!(
                    (now_title.as_str(), state.as_str()),
                    (format!("Keep the {slug} clean").as_str(), "confirmed"),
                    "round {round}: {seen:?}"
                );
                assert!(saved
                    .body
                    .contains("cannot change now that others are listed"));
            }
            _ => panic!("round {round}: {seen:?}"),
        }
        *outcomes
            .entry((saved.status, confirmed.status))
            .or_insert(0) += 1;
    }
    println!("outcomes (save, confirmation): {outcomes:?}");
}

async fn signature_id(app: &TestApp, email: &str) -> uuid::Uuid {
    sqlx::query_scalar("SELECT id FROM signatures WHERE email = $1::citext")
        .bind(email)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

async fn decide(owner: &Client, path: &str, id: uuid::Uuid, decision: &str) -> support::Response {
    owner
        .post_form(
            &format!("{path}/signatures/{id}/decide"),
            &[("decision", decision), ("reason", "checking who they are")],
        )
        .await
}

/// Listed names (besides the host) whose consent does not cover the current revision:
/// no line of their trail confirms it or carries it over. Must always be 0.
async fn listed_without_consent_to_current_text(app: &TestApp) -> i64 {
    app.count(
        "SELECT count(*) FROM signatures s JOIN campaigns c ON c.id = s.campaign_id
          WHERE s.state = 'confirmed' AND s.source <> 'host' AND s.confirmed_revision >= c.consent_from_revision
            AND NOT EXISTS (
                SELECT 1 FROM signature_consents sc JOIN letter_revisions r ON r.id = sc.revision_id
                 WHERE sc.signature_id = s.id AND sc.how IN ('confirmed', 'reconfirmed', 'carried_over')
                   AND r.number = (SELECT max(number) FROM letter_revisions WHERE campaign_id = c.id))",
    )
    .await
}

/// Consent carried over to a revision its signer was never emailed. Must always be 0.
async fn carried_over_untold(app: &TestApp) -> i64 {
    app.count(
        "SELECT count(*) FROM signature_consents sc JOIN signatures s ON s.id = sc.signature_id
          WHERE sc.how = 'carried_over' AND s.source <> 'host'
            AND NOT EXISTS (SELECT 1 FROM outbox o
                             WHERE o.idempotency_key = 'letter-change:' || sc.revision_id || ':' || sc.signature_id)",
    )
    .await
}

#[tokio::test]
async fn undoing_a_rejection_after_a_rewrite_asks_the_signer_instead_of_listing_them() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let (path, public) = open_campaign(&owner, "river", "water", &[]).await;
    sign_and_confirm(&app, &public, "Alder Network", "lee@alder.example").await;
    let alder = signature_id(&app, "lee@alder.example").await;
    assert_eq!(decide(&owner, &path, alder, "reject").await.status, 303);

    // Nobody else is listed, but Alder confirmed a text: the rewrite needs the step.
    let step = owner
        .post_form(
            &format!("{path}/letter"),
            &[("body", REVISED), ("action", "save")],
        )
        .await;
    assert_eq!(step.status, 200, "{}", step.body);
    assert!(step.body.contains("Change a letter people have signed"));
    assert!(
        step.body
            .contains("1 other signer confirmed an earlier text, or was rejected"),
        "{}",
        step.body
    );
    assert_eq!(app.count("SELECT count(*) FROM letter_revisions").await, 1);
    let saved = owner
        .post_form(
            &format!("{path}/letter"),
            &[
                ("body", REVISED),
                ("action", "confirm_change"),
                ("change_kind", "minor"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert!(
        mail_of_kind(&app, "letter_changed").await.is_empty(),
        "a rejected signer is not told as a listed one"
    );

    // Undoing the rejection does not list Alder under a text they never saw: they are asked.
    let restored = decide(&owner, &path, alder, "restore").await;
    assert_eq!(restored.status, 303);
    assert!(
        restored
            .location()
            .unwrap()
            .contains("signature-asked-to-confirm"),
        "{:?}",
        restored.location()
    );
    let page = app.client().get(&public).await;
    assert!(page.body.contains("and the estuary"));
    assert!(
        !listed_names(&page.body).contains(&"Alder Network".to_owned()),
        "{:?}",
        listed_names(&page.body)
    );
    assert_eq!(listed_without_consent_to_current_text(&app).await, 0);
    let asked = mail_of_kind(&app, "letter_changed").await;
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].0, "lee@alder.example");
    assert!(
        asked[0].1.contains("\"substantive\": true"),
        "{}",
        asked[0].1
    );

    // From that email, the signer reads and confirms the text as it stands: listed.
    let link = app.link_mailed_to("lee@alder.example", "/signature/").await;
    let signer = app.client();
    let own = signer.get(&link).await;
    assert!(own.body.contains("and the estuary"), "{}", own.body);
    let r = confirm_from(&signer, &link).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = public_page_once(&app, &public, |p| {
        listed_names(&p.body).contains(&"Alder Network".to_owned())
    })
    .await;
    assert!(listed_names(&page.body).contains(&"Alder Network".to_owned()));
}

#[tokio::test]
async fn under_moderation_a_change_tells_those_awaiting_approval_and_approval_respects_it() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let (path, public) = open_campaign(&owner, "river", "water", &[("moderation", "on")]).await;
    sign_and_confirm(&app, &public, "Alder Network", "lee@alder.example").await;
    sign_and_confirm(&app, &public, "Birch Collective", "kim@birch.example").await;
    let (alder, birch) = (
        signature_id(&app, "lee@alder.example").await,
        signature_id(&app, "kim@birch.example").await,
    );

    // Nobody is listed yet, but both confirmed: a rewrite asks what it is to them.
    let step = owner
        .post_form(
            &format!("{path}/letter"),
            &[("body", REVISED), ("action", "save")],
        )
        .await;
    assert_eq!(step.status, 200);
    assert!(
        step.body.contains("2 signers have agreed to revision 1"),
        "{}",
        step.body
    );
    // A title change under them is refused too.
    let settings = owner
        .post_form(
            &format!("{path}/settings"),
            &campaign_fields("A new title", "water"),
        )
        .await;
    assert_eq!(settings.status, 422, "{}", settings.body);
    assert!(settings.body.contains("cannot change now"));

    // A minor change tells both and carries their consent: approved, they are listed.
    let minor = owner
        .post_form(
            &format!("{path}/letter"),
            &[
                ("body", REVISED),
                ("action", "confirm_change"),
                ("change_kind", "minor"),
                ("base_revision", "1"),
            ],
        )
        .await;
    assert_eq!(minor.status, 303, "{}", minor.body);
    assert_eq!(mail_of_kind(&app, "letter_changed").await.len(), 2);
    assert_eq!(decide(&owner, &path, alder, "approve").await.status, 303);

    // A substantive change next: Birch, approved afterwards, is not listed under it
    // until they confirm it (they were told with the change, and are not emailed twice).
    let substantive = owner
        .post_form(
            &format!("{path}/letter"),
            &[
                ("body", "# Dear Mayor\n\nClose the plant by June."),
                ("action", "confirm_change"),
                ("change_kind", "substantive"),
                ("base_revision", "2"),
            ],
        )
        .await;
    assert_eq!(substantive.status, 303, "{}", substantive.body);
    assert_eq!(mail_of_kind(&app, "letter_changed").await.len(), 4);
    let approved = decide(&owner, &path, birch, "approve").await;
    assert!(approved
        .location()
        .unwrap()
        .contains("signature-asked-to-confirm"));
    assert_eq!(mail_of_kind(&app, "letter_changed").await.len(), 4);
    let page = app.client().get(&public).await;
    assert!(page.body.contains("Close the plant by June"));
    let names = listed_names(&page.body);
    assert!(
        !names.contains(&"Birch Collective".to_owned())
            && !names.contains(&"Alder Network".to_owned()),
        "{names:?}"
    );
    assert_eq!(listed_without_consent_to_current_text(&app).await, 0);
    assert_eq!(carried_over_untold(&app).await, 0);

    // Birch confirms the new text from the email: listed.
    let link = app.link_mailed_to("kim@birch.example", "/signature/").await;
    let signer = app.client();
    assert_eq!(confirm_from(&signer, &link).await.status, 303);
    let page = public_page_once(&app, &public, |p| {
        listed_names(&p.body).contains(&"Birch Collective".to_owned())
    })
    .await;
    assert!(listed_names(&page.body).contains(&"Birch Collective".to_owned()));
    assert_eq!(listed_without_consent_to_current_text(&app).await, 0);
}

#[tokio::test]
async fn a_second_click_on_save_and_tell_changes_nothing_and_shows_the_new_text() {
    let app = TestApp::spawn().await;
    let (owner, path, _) = setup(&app).await;
    let form = [
        ("body", REVISED),
        ("action", "confirm_change"),
        ("change_kind", "minor"),
        ("base_revision", "1"),
    ];
    let first = owner.post_form(&format!("{path}/letter"), &form).await;
    assert_eq!(first.status, 303, "{}", first.body);
    let second = owner
        .post_form(
            &format!("{path}/letter"),
            &[
                ("body", "# Dear Mayor\n\nAnother text."),
                ("action", "confirm_change"),
                ("change_kind", "minor"),
                ("base_revision", "1"),
            ],
        )
        .await;
    assert_eq!(second.status, 409, "{}", second.body);
    assert!(second
        .body
        .contains("the letter changed while you were editing it"));
    assert!(
        second.body.contains("and the estuary"),
        "the text as it stands is shown"
    );
    assert!(
        second.body.contains("Another text."),
        "what was typed is kept"
    );
    assert_eq!(app.count("SELECT count(*) FROM letter_revisions").await, 2);
    assert_eq!(
        mail_of_kind(&app, "letter_changed").await.len(),
        2,
        "each signer is told once"
    );
}

/// A save of the letter and confirmations at the same moment, many times over: whichever
/// comes second sees the other, so no name is ever listed under a text its signer was
/// neither shown nor told of.
#[tokio::test]
async fn a_save_racing_confirmations_never_lists_a_name_under_an_unseen_text() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    for round in 0..8 {
        // Past the sign-on form's limit per network from the last round.
        app.clock.advance(time::Duration::minutes(6));
        let slug = format!("water{round}");
        let (path, public) = open_campaign(&owner, "river", &slug, &[]).await;
        let mut signers = Vec::new();
        for n in 0..3 {
            let email = format!("s{n}@round{round}.example");
            let r = sign(
                &app,
                &public,
                &organization(&format!("Signer {round}-{n}"), &email),
            )
            .await;
            assert_eq!(r.status, 303, "{}", r.body);
            let link = app.link_mailed_to(&email, "/signature/").await;
            let client = app.client();
            let page = client.get(&link).await;
            let revision = input_value(&page.body, "revision").unwrap();
            let wording = input_value(&page.body, "wording").unwrap();
            signers.push((client, link, revision, wording));
        }
        let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(signers.len() + 1));
        let body = format!("# Dear Mayor\n\nA rewrite in round {round}.");
        let save = {
            let barrier = barrier.clone();
            let owner = &owner;
            let path = path.clone();
            let body = body.clone();
            // Rounds alternate: a save without the step (as if nobody had confirmed
            // yet) and a minor change that tells those who did.
            async move {
                let kind = if round % 2 == 0 { "" } else { "minor" };
                barrier.wait().await;
                owner
                    .post_form(
                        &format!("{path}/letter"),
                        &[
                            ("body", &body),
                            ("action", "confirm_change"),
                            ("change_kind", kind),
                            ("base_revision", "1"),
                        ],
                    )
                    .await
                    .status
            }
        };
        let confirms = signers.iter().map(|(client, link, revision, wording)| {
            let barrier = barrier.clone();
            async move {
                barrier.wait().await;
                client
                    .post_form(
                        &format!("{link}/confirm"),
                        &[("revision", revision), ("wording", wording)],
                    )
                    .await
                    .status
            }
        });
        let (saved, confirmed) = tokio::join!(save, futures::future::join_all(confirms));
        assert!(
            [200, 303, 409, 422].contains(&saved),
            "round {round}: {saved}"
        );
        for status in confirmed {
            assert!([303, 409].contains(&status), "round {round}: {status}");
        }
        assert_eq!(
            listed_without_consent_to_current_text(&app).await,
            0,
            "round {round}"
        );
        assert_eq!(carried_over_untold(&app).await, 0, "round {round}");
        let page = app.client().get(&public).await;
        if page.body.contains("A rewrite in round") {
            for name in listed_names(&page.body) {
                let covered: i64 = sqlx::query_scalar(
                    "SELECT count(*) FROM signatures s JOIN signature_consents sc ON sc.signature_id = s.id
                      JOIN letter_revisions r ON r.id = sc.revision_id
                     WHERE s.name = $1 AND r.number = 2",
                )
                .bind(&name)
                .fetch_one(&app.db)
                .await
                .unwrap();
                assert!(covered > 0, "round {round}: {name} listed under revision 2");
            }
        }
    }
}

/// Signers whose contact details the retention setting anonymized cannot be told of a
/// change, so a minor change carries nobody's consent for them: their names leave the
/// new text (and stay under the old one's record).
#[tokio::test]
async fn a_minor_change_after_retention_carries_over_no_one_it_cannot_tell() {
    let app = TestApp::spawn().await;
    let (owner, path, _) = setup(&app).await;
    let closed = support::campaigns::set_status(&owner, &path, "close").await;
    assert_eq!(closed.status, 303, "{}", closed.body);
    app.clock.set(datetime!(2027-07-01 12:00 UTC));
    assert_eq!(
        app.run_scheduler().await.retention,
        3,
        "two signers and the host"
    );
    let r = owner
        .post_form(
            &format!("{path}/letter"),
            &[
                ("body", REVISED),
                ("action", "confirm_change"),
                ("change_kind", "minor"),
                ("base_revision", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(mail_of_kind(&app, "letter_changed").await.is_empty());
    assert_eq!(
        app.count("SELECT count(*) FROM signature_consents WHERE how = 'carried_over'")
            .await,
        0
    );
    assert_eq!(carried_over_untold(&app).await, 0);
    assert_eq!(listed_without_consent_to_current_text(&app).await, 0);
}

/// Saves `body` as a correction: the change page first (as the editor's Save button
/// leads there), then the choice.
async fn save_as_correction(owner: &Client, path: &str, body: &str) -> support::Response {
    let page = owner
        .post_form(
            &format!("{path}/letter"),
            &[("body", body), ("action", "save")],
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("value=\"correction\""),
        "offered: {}",
        page.body
    );
    owner
        .post_form(
            &format!("{path}/letter"),
            &[
                ("body", body),
                ("action", "confirm_change"),
                ("change_kind", "correction"),
            ],
        )
        .await
}

/// Three typo fixes email nobody: each changes no word (a comma, emphasis, a capital
/// letter inside a word), so each is saved as a correction. The consent lock protocol
/// still decides who stands under it: the signer who confirmed the current text stays
/// listed (their consent carried over, in their trail), while one whose consent covers
/// only an older text, and one who never confirmed, stay unlisted.
#[tokio::test]
async fn three_corrections_email_nobody_and_list_only_those_whose_consent_covers_the_text() {
    let app = TestApp::spawn().await;
    let (owner, path, public) = setup(&app).await;
    // A substantive change; Alder Network confirms it, Birch Collective does not.
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
    let link = app.link_mailed_to("lee@alder.example", "/signature/").await;
    let r = confirm_from(&app.client(), &link).await;
    assert_eq!(r.status, 303, "{}", r.body);
    // Dove Fund signs and never confirms.
    assert_eq!(
        sign(
            &app,
            &public,
            &organization("Dove Fund", "dee@dove.example")
        )
        .await
        .status,
        303
    );
    let letter_mail_before = mail_of_kind(&app, "letter_changed").await.len();
    assert_eq!(letter_mail_before, 2, "the substantive change told both");

    let corrections = [
        "# Dear Mayor,\n\nWe, the undersigned, ask you to keep the river **and the estuary** clean.\n\nSincerely,",
        "# Dear Mayor,\n\nWe, the undersigned, ask you to keep the river *and the estuary* clean.\n\nSincerely.",
        "# Dear Mayor,\n\nWe, the Undersigned, ask you to keep the river *and the estuary* clean.\n\nSincerely.",
    ];
    for (n, body) in corrections.iter().enumerate() {
        let r = save_as_correction(&owner, &path, body).await;
        assert_eq!(r.status, 303, "correction {n}: {}", r.body);
        assert!(r.location().unwrap().contains("letter-saved-correction"));
    }
    assert_eq!(
        mail_of_kind(&app, "letter_changed").await.len(),
        letter_mail_before,
        "no email for a correction"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM letter_revisions WHERE change_kind = 'correction'")
            .await,
        3
    );
    assert_eq!(
        app.count("SELECT consent_from_revision::bigint FROM campaigns WHERE slug = 'water'")
            .await,
        5,
        "every revision moves the floor"
    );
    let page = public_page_once(&app, &public, |p| p.body.contains("the Undersigned")).await;
    assert!(page.body.contains("the Undersigned"), "the corrected text");
    let names = listed_names(&page.body);
    assert!(names.contains(&"Alder Network".to_owned()), "{names:?}");
    assert!(!names.contains(&"Birch Collective".to_owned()), "{names:?}");
    assert!(!names.contains(&"Dove Fund".to_owned()), "{names:?}");
    assert_eq!(
        app.count(
            "SELECT count(*) FROM signature_consents c JOIN signatures s ON s.id = c.signature_id
             WHERE s.name = 'Alder Network' AND c.how = 'carried_over'"
        )
        .await,
        3,
        "one line in the trail per correction"
    );
    // Alder Network's page shows what was corrected, in words.
    let own = app.client().get(&link).await;
    assert!(
        own.body.contains("The letter was corrected"),
        "{}",
        own.body
    );
    assert!(own.body.contains("no word you agreed to changed"));
    assert!(
        !(1..=5).any(|n| own.body.contains(&format!("revision {n}"))),
        "no revision numbers for signers"
    );
}

/// A change of any word cannot be saved without telling: the page names the word and
/// why, keeps the text, offers minor or substantive, and nothing is saved or sent.
#[tokio::test]
async fn a_correction_that_changes_a_word_is_refused_with_the_reason() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let base = "# Dear Mayor\n\nWe ask you not to dredge the river before 2030.\n\nSincerely,";
    let (path, public) = open_campaign(&owner, "river", "water", &[("letter", base)]).await;
    sign_and_confirm(&app, &public, "Alder Network", "lee@alder.example").await;
    let cases = [
        (
            "We ask you now to dredge the river before 2030.",
            "“not” became “now”",
        ),
        (
            "We ask you not to dredge the river before 2031.",
            "numbers must stay exactly as they were",
        ),
        (
            "We ask you not to deepen the river before 2030.",
            "“dredge” became “deepen”: that is more than a typo",
        ),
        (
            "We ask you not to dredge the river before 2030 or ever.",
            "2 words were added",
        ),
    ];
    for (sentence, why) in cases {
        let body = base.replace("We ask you not to dredge the river before 2030.", sentence);
        let page = owner
            .post_form(
                &format!("{path}/letter"),
                &[("body", &body), ("action", "save")],
            )
            .await;
        assert_eq!(page.status, 200);
        assert!(!page.body.contains("value=\"correction\""), "not offered");
        assert!(support::unescape(&page.body).contains(why), "{}", page.body);
        let refused = owner
            .post_form(
                &format!("{path}/letter"),
                &[
                    ("body", &body),
                    ("action", "confirm_change"),
                    ("change_kind", "correction"),
                ],
            )
            .await;
        assert_eq!(refused.status, 422, "{sentence}");
        let text = support::unescape(&refused.body);
        assert!(
            text.contains("cannot be saved without telling the signers"),
            "{text}"
        );
        assert!(text.contains(why), "{text}");
        assert!(text.contains(sentence), "the new text is kept");
    }
    assert_eq!(app.count("SELECT count(*) FROM letter_revisions").await, 1);
    assert!(mail_of_kind(&app, "letter_changed").await.is_empty());
}
