//! Changing a letter people have signed: organizers choose minor or substantive with the
//! diff in front of them; a minor change tells signers and keeps them listed, a
//! substantive one lists a name under the new text only once its signer confirms it.

mod support;

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
    assert!(page.body.contains("2 signers are listed"), "{}", page.body);
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
