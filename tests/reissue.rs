//! Reissuing a finished campaign as a new statement: previous signers are listed under
//! it only if they opt in, or, where the original told them in advance as they
//! confirmed, unless they opt out by the date; every decision is in the ledger.

use crate::support;

use support::campaigns::{confirm_from, organization, sign};
use support::campaigns::{input_value, listed_names, open_campaign, public_page_once, set_status};
use support::{Client, TestApp};
use time::macros::datetime;

const NEW_TEXT: &str =
    "# Dear Governor\n\nWe ask you, again and for the whole basin, to keep the river clean.";

/// Signs as an organization and confirms the text the page shows, as the button does,
/// with whatever else the page asks to send (the reissue notice it showed).
async fn sign_and_confirm_as_shown(app: &TestApp, public: &str, name: &str, email: &str) {
    let r = sign(app, public, &organization(name, email)).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let link = app.link_mailed_to(email, "/signature/").await;
    let signer = app.client();
    let page = signer.get(&link).await;
    let revision = input_value(&page.body, "revision").unwrap();
    let mut fields = vec![
        ("revision", revision.clone()),
        ("wording", input_value(&page.body, "wording").unwrap()),
    ];
    if let Some(shown) = input_value(&page.body, "reissue_notice") {
        fields.push(("reissue_notice", shown));
    }
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = signer.post_form(&format!("{link}/confirm"), &fields).await;
    assert_eq!(r.status, 303, "{}", r.body);
}

fn reissue_fields<'a>(mode: &'a str, step: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("title", "Keep the basin clean"),
        ("slug", "basin"),
        ("soft_deadline", "2026-12-20T17:00"),
        ("hard_deadline", "2026-12-31T17:00"),
        ("mode", mode),
        ("opt_out_by", "2026-12-05T12:00"),
        ("letter", NEW_TEXT),
        ("step", step),
    ]
}

/// Checks who will be asked, then sends what that check showed, as the two buttons do.
async fn preview_and_send(owner: &Client, path: &str, mode: &str) -> support::Response {
    let preview = owner
        .post_form(&format!("{path}/reissue"), &reissue_fields(mode, "preview"))
        .await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    let previewed = input_value(&preview.body, "previewed").expect("the preview is named");
    let mut fields = reissue_fields(mode, "send");
    fields.push(("previewed", &previewed));
    owner.post_form(&format!("{path}/reissue"), &fields).await
}

async fn ledger_rows(app: &TestApp) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT coalesce(o.name, ''), d.decision FROM reissue_decisions d
         LEFT JOIN signatures o ON o.id = d.original_signature_id
         ORDER BY min(d.id) OVER (PARTITION BY o.id), d.id",
    )
    .fetch_all(&app.db)
    .await
    .unwrap()
}

async fn viewer(app: &TestApp, owner: &Client) -> Client {
    app.join(owner, "river", "vic@river.example", "viewer", "Vic")
        .await
}

#[tokio::test]
async fn a_reissue_lists_only_those_who_opt_in() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let (path, public) = open_campaign(&owner, "river", "water", &[]).await;
    sign_and_confirm_as_shown(&app, &public, "Alder Network", "lee@alder.example").await;
    sign_and_confirm_as_shown(&app, &public, "Birch Collective", "kim@birch.example").await;
    sign_and_confirm_as_shown(&app, &public, "Cedar Friends", "jo@cedar.example").await;

    // Not before it has finished.
    let early = owner
        .post_form(
            &format!("{path}/reissue"),
            &reissue_fields("opt_in", "preview"),
        )
        .await;
    assert_eq!(early.status, 422);
    assert!(
        early.body.contains("Only a finished campaign"),
        "{}",
        early.body
    );
    assert_eq!(set_status(&owner, &path, "close").await.status, 303);

    // Nobody was told in advance, so nobody can be listed unless they opt out.
    let refused = owner
        .post_form(
            &format!("{path}/reissue"),
            &reissue_fields("opt_out", "send"),
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.body.contains("none of this campaign"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("whole basin"), "the new text is kept");

    // The preview says who will be asked; nothing is made or sent yet.
    let preview = owner
        .post_form(
            &format!("{path}/reissue"),
            &reissue_fields("opt_in", "preview"),
        )
        .await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    assert!(preview
        .body
        .contains("<strong>3</strong> will be asked to opt in"));
    assert!(preview.body.contains("Reissue and email them"));
    assert_eq!(
        app.count("SELECT count(*) FROM campaigns WHERE slug = 'basin'")
            .await,
        0
    );

    // A second group and a viewer cannot reissue; the viewer reads the page.
    let other = app.signup("lake", "lou@lake.example").await;
    assert_eq!(other.get(&format!("{path}/reissue")).await.status, 404);
    let r = other
        .post_form(
            &format!("{path}/reissue"),
            &reissue_fields("opt_in", "send"),
        )
        .await;
    assert_eq!(r.status, 404);
    let r = other
        .post_form(&format!("{path}/reissue/notice"), &[("notice", "on")])
        .await;
    assert_eq!(r.status, 404);
    let vic = viewer(&app, &owner).await;
    assert_eq!(vic.get(&format!("{path}/reissue")).await.status, 200);
    let r = vic
        .post_form(
            &format!("{path}/reissue"),
            &reissue_fields("opt_in", "send"),
        )
        .await;
    assert_eq!(r.status, 403);
    let r = vic
        .post_form(&format!("{path}/reissue/notice"), &[("notice", "on")])
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(
        app.count("SELECT count(*) FROM campaigns WHERE reissue_notice")
            .await,
        0
    );
    assert_eq!(
        app.count("SELECT count(*) FROM campaigns WHERE slug = 'basin'")
            .await,
        0
    );

    // Sending what was not previewed shows the check again.
    let unchecked = owner
        .post_form(
            &format!("{path}/reissue"),
            &reissue_fields("opt_in", "send"),
        )
        .await;
    assert_eq!(unchecked.status, 422);
    assert!(unchecked
        .body
        .contains("Something changed since you checked"));
    assert_eq!(
        app.count("SELECT count(*) FROM campaigns WHERE slug = 'basin'")
            .await,
        0
    );

    let sent = preview_and_send(&owner, &path, "opt_in").await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    // Once is enough: a second reissue of the same letter is refused.
    let mut again = reissue_fields("opt_in", "preview");
    again.retain(|(k, _)| *k != "slug");
    again.push(("slug", "basin-again"));
    let r = owner.post_form(&format!("{path}/reissue"), &again).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("already been reissued"));
    assert_eq!(app.count("SELECT count(*) FROM campaigns").await, 2);
    assert_eq!(
        sent.location(),
        Some("/app/river/campaigns/basin/reissue?notice=reissued")
    );

    // Under the new text: only the host organization, until someone opts in.
    let page = app.client().get("/river/basin").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("whole basin"));
    let names = listed_names(&page.body);
    assert_eq!(names.len(), 1, "only the host: {names:?}");
    assert!(!names.iter().any(|n| n.contains("Alder")));

    // Each got the new text and their own link.
    let alder = app.link_mailed_to("lee@alder.example", "/signature/").await;
    let birch = app.link_mailed_to("kim@birch.example", "/signature/").await;
    let _cedar = app.link_mailed_to("jo@cedar.example", "/signature/").await;
    let mail = app.mail_to("lee@alder.example");
    let invitation = mail.last().unwrap();
    assert!(
        invitation.text.contains("only if you opt in"),
        "{}",
        invitation.text
    );
    assert!(invitation.text.contains("whole basin"));
    assert!(alder.starts_with("/river/basin/signature/"));

    // Alder opts in from their link; Birch says no; Cedar does nothing.
    let signer = app.client();
    let page = signer.get(&alder).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Will you sign the reissued statement?"));
    assert!(
        page.body.contains("Keep the water clean"),
        "names the letter they signed"
    );
    let r = confirm_from(&signer, &alder).await;
    assert_eq!(r.status, 303);
    let r = app
        .client()
        .post_form(&format!("{birch}/withdraw"), &[])
        .await;
    assert_eq!(r.status, 303);
    assert!(
        r.location().unwrap().ends_with("?notice=declined"),
        "nothing was withdrawn: they were never listed"
    );
    // Another campaign's link opens nothing here.
    let foreign = alder.replace("/river/basin/", "/river/water/");
    assert_eq!(app.client().get(&foreign).await.status, 410);

    // Long after every date: still only those who opted in.
    app.clock.set(datetime!(2027-01-10 12:00 UTC));
    let report = app.run_scheduler().await;
    assert_eq!(report.listed_after_notice, 0);
    let page = public_page_once(&app, "/river/basin", |p| p.body.contains("Alder")).await;
    let names = listed_names(&page.body);
    assert!(names.contains(&"Alder Network".to_owned()), "{names:?}");
    assert!(!names
        .iter()
        .any(|n| n.contains("Birch") || n.contains("Cedar")));
    assert_eq!(names.len(), 2, "{names:?}");

    // The ledger: each decision, in order, per signer.
    assert_eq!(
        ledger_rows(&app).await,
        vec![
            ("Alder Network".into(), "asked_to_opt_in".into()),
            ("Alder Network".into(), "opted_in".into()),
            ("Birch Collective".into(), "asked_to_opt_in".into()),
            ("Birch Collective".into(), "declined".into()),
            ("Cedar Friends".into(), "asked_to_opt_in".into()),
        ]
    );
    let owner = app.log_in("ana@river.example").await;
    let ledger = owner.get("/app/river/campaigns/basin/reissue").await;
    assert_eq!(ledger.status, 200);
    assert!(ledger.body.contains("Consent ledger"));
    assert!(ledger.body.contains("opted in (confirmed the new text)"));
    assert!(ledger.body.contains("declined"));
    let other = app.log_in("lou@lake.example").await;
    assert_eq!(
        other.get("/app/river/campaigns/basin/reissue").await.status,
        404
    );
}

#[tokio::test]
async fn signers_told_in_advance_are_listed_unless_they_opt_out_by_the_date() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let (path, public) = open_campaign(&owner, "river", "water", &[]).await;
    // Alder confirms before the notice exists: they were never told.
    sign_and_confirm_as_shown(&app, &public, "Alder Network", "lee@alder.example").await;
    let r = owner
        .post_form(&format!("{path}/reissue/notice"), &[("notice", "on")])
        .await;
    assert_eq!(r.status, 303);
    let form = app.client().get(&format!("{public}/sign")).await;
    assert!(form.body.contains("If this letter is reissued later"));
    sign_and_confirm_as_shown(&app, &public, "Birch Collective", "kim@birch.example").await;
    sign_and_confirm_as_shown(&app, &public, "Cedar Friends", "jo@cedar.example").await;
    assert_eq!(
        app.count("SELECT count(*) FROM signatures WHERE reissue_notice_at IS NOT NULL")
            .await,
        2
    );
    assert_eq!(set_status(&owner, &path, "close").await.status, 303);

    // The date must leave signers time to answer.
    let mut fields = reissue_fields("opt_out", "send");
    fields.retain(|(k, _)| *k != "opt_out_by");
    fields.push(("opt_out_by", "2026-11-27T12:00"));
    let r = owner.post_form(&format!("{path}/reissue"), &fields).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("at least 7 days"));

    let preview = owner
        .post_form(
            &format!("{path}/reissue"),
            &reissue_fields("opt_out", "preview"),
        )
        .await;
    assert!(
        preview
            .body
            .contains("<strong>1</strong> will be asked to opt in"),
        "{}",
        preview.body
    );
    assert!(preview
        .body
        .contains("<strong>2</strong> will be listed on the opt-out date unless they opt out"));
    let sent = preview_and_send(&owner, &path, "opt_out").await;
    assert_eq!(sent.status, 303, "{}", sent.body);

    let birch = app.link_mailed_to("kim@birch.example", "/signature/").await;
    let told = app.mail_to("jo@cedar.example");
    assert!(told.last().unwrap().text.contains("unless you opt out"));
    let asked = app.mail_to("lee@alder.example");
    assert!(asked.last().unwrap().text.contains("only if you opt in"));

    // Birch opts out from their page.
    let page = app.client().get(&birch).await;
    assert!(page.body.contains("unless you opt out"), "{}", page.body);
    let r = app
        .client()
        .post_form(&format!("{birch}/withdraw"), &[])
        .await;
    assert_eq!(r.status, 303);

    // Before the date nobody is listed; two schedulers at the date list Cedar once.
    app.clock.set(datetime!(2026-12-05 11:59 UTC));
    assert_eq!(app.run_scheduler().await.listed_after_notice, 0);
    assert_eq!(
        listed_names(&app.client().get("/river/basin").await.body).len(),
        1
    );
    app.clock.set(datetime!(2026-12-05 12:00 UTC));
    let second = app.another_scheduler().await;
    let (a, b) = tokio::join!(app.run_scheduler(), second.tick());
    let b = b.unwrap();
    assert_eq!(a.listed_after_notice + b.listed_after_notice, 1);
    let page = public_page_once(&app, "/river/basin", |p| p.body.contains("Cedar")).await;
    let names = listed_names(&page.body);
    assert!(names.contains(&"Cedar Friends".to_owned()), "{names:?}");
    assert!(!names
        .iter()
        .any(|n| n.contains("Birch") || n.contains("Alder")));

    assert_eq!(
        ledger_rows(&app).await,
        vec![
            ("Alder Network".into(), "asked_to_opt_in".into()),
            (
                "Birch Collective".into(),
                "told_listed_unless_opt_out".into()
            ),
            ("Birch Collective".into(), "opted_out".into()),
            ("Cedar Friends".into(), "told_listed_unless_opt_out".into()),
            ("Cedar Friends".into(), "listed_after_notice".into()),
        ]
    );
    let trail: Vec<String> = sqlx::query_scalar(
        "SELECT c.how FROM signature_consents c JOIN signatures s ON s.id = c.signature_id
         JOIN campaigns k ON k.id = s.campaign_id WHERE k.slug = 'basin' AND s.name = 'Cedar Friends' ORDER BY c.id",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(trail, vec!["listed_after_notice"]);
}

#[tokio::test]
async fn a_text_changed_after_the_notice_is_not_listed_without_confirmation() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let (path, public) = open_campaign(&owner, "river", "water", &[]).await;
    assert_eq!(
        owner
            .post_form(&format!("{path}/reissue/notice"), &[("notice", "on")])
            .await
            .status,
        303
    );
    sign_and_confirm_as_shown(&app, &public, "Cedar Friends", "jo@cedar.example").await;
    assert_eq!(set_status(&owner, &path, "close").await.status, 303);
    let r = preview_and_send(&owner, &path, "opt_out").await;
    assert_eq!(r.status, 303, "{}", r.body);
    // The organizers change the new text after Cedar was told of it.
    let r = owner
        .post_form(
            "/app/river/campaigns/basin/letter",
            &[
                ("body", "# Dear Governor\n\nA different ask."),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    app.clock.set(datetime!(2026-12-06 12:00 UTC));
    assert_eq!(app.run_scheduler().await.listed_after_notice, 0);
    assert_eq!(app.run_scheduler().await.listed_after_notice, 0);
    let names = listed_names(&app.client().get("/river/basin").await.body);
    assert!(!names.iter().any(|n| n.contains("Cedar")), "{names:?}");
    let decisions: Vec<String> =
        sqlx::query_scalar("SELECT decision FROM reissue_decisions ORDER BY id")
            .fetch_all(&app.db)
            .await
            .unwrap();
    assert_eq!(
        decisions,
        vec!["told_listed_unless_opt_out", "notice_voided"],
        "written once"
    );
    let state: String = sqlx::query_scalar(
        "SELECT state FROM signatures WHERE name = 'Cedar Friends' AND source = 'reissue_notice'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(state, "pending", "waits for Cedar's own confirmation");
    // Cedar is told, once, that what they were told no longer holds.
    let told: Vec<String> = sqlx::query_scalar(
        "SELECT recipient FROM outbox WHERE message ->> 'kind' = 'reissue_notice_voided'",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(told, vec!["jo@cedar.example"]);
    // Cedar can still confirm the text as it stands, from that email's link.
    let link = app.link_mailed_to("jo@cedar.example", "/signature/").await;
    let newest: String = sqlx::query_scalar(
        "SELECT message ->> 'kind' FROM outbox WHERE recipient = 'jo@cedar.example' AND status = 'sent' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(newest, "reissue_notice_voided", "the link is that email's");
    let signer = app.client();
    let page = signer.get(&link).await;
    assert!(page.body.contains("A different ask"));
    assert!(
        page.body.contains("Will you sign the reissued statement?"),
        "asked to opt in, no longer told they will be listed"
    );
    let r = confirm_from(&signer, &link).await;
    assert_eq!(r.status, 303);
    let page = public_page_once(&app, "/river/basin", |p| p.body.contains("Cedar")).await;
    assert!(listed_names(&page.body).contains(&"Cedar Friends".to_owned()));
}

/// A letter is reissued once, however many organizers send at once: three sessions
/// preview a reissue of the same finished letter (each under its own address) and send
/// together, released by a barrier, over several rounds. Exactly one goes through; the
/// others are told it has already been reissued, and its signers are asked once.
///
/// It failed when the check for an earlier reissue shared the locking statement (its
/// subquery read the snapshot taken before the lock was granted): three sends, three new
/// statements.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_letter_is_reissued_once_however_many_send_at_once() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let senders = [
        app.log_in("ana@river.example").await,
        app.log_in("ana@river.example").await,
        app.join(&owner, "river", "bo@river.example", "organizer", "Bo")
            .await,
    ];
    let mut outcomes = std::collections::BTreeMap::new();
    for round in 0..5 {
        // Past the sign-on form's limit per network from the last round.
        app.clock.advance(time::Duration::minutes(6));
        let (path, public) = open_campaign(&owner, "river", &format!("water{round}"), &[]).await;
        for n in 0..2 {
            sign_and_confirm_as_shown(
                &app,
                &public,
                &format!("Signer {round}-{n}"),
                &format!("s{n}@round{round}.example"),
            )
            .await;
        }
        assert_eq!(set_status(&owner, &path, "close").await.status, 303);
        let slugs: Vec<String> = (0..senders.len())
            .map(|n| format!("basin{round}-{n}"))
            .collect();
        let fields = |slug: &str, step: &'static str| {
            let mut fields: Vec<(&str, String)> = reissue_fields("opt_in", step)
                .into_iter()
                .filter(|(k, _)| *k != "slug")
                .map(|(k, v)| (k, v.to_owned()))
                .collect();
            fields.push(("slug", slug.to_owned()));
            fields
        };
        let mut sends = Vec::new();
        for (sender, slug) in senders.iter().zip(&slugs) {
            let form: Vec<(&str, String)> = fields(slug, "preview");
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let preview = sender.post_form(&format!("{path}/reissue"), &form).await;
            assert_eq!(preview.status, 200, "round {round}: {}", preview.body);
            let mut send = fields(slug, "send");
            send.push((
                "previewed",
                input_value(&preview.body, "previewed").expect("the preview is named"),
            ));
            sends.push(send);
        }
        let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(senders.len()));
        let statuses =
            futures::future::join_all(senders.iter().zip(&sends).map(|(sender, send)| {
                let barrier = barrier.clone();
                let path = path.clone();
                async move {
                    let form: Vec<(&str, &str)> =
                        send.iter().map(|(k, v)| (*k, v.as_str())).collect();
                    // The token first, so the barrier releases the sends themselves.
                    sender.csrf_token().await;
                    barrier.wait().await;
                    let r = sender.post_form(&format!("{path}/reissue"), &form).await;
                    if r.status != 303 {
                        assert!(
                            r.body.contains("already been reissued"),
                            "round {round}: {} {}",
                            r.status,
                            r.body
                        );
                    }
                    r.status
                }
            }))
            .await;
        let made = app
            .count(&format!(
                "SELECT count(*) FROM campaigns WHERE slug LIKE 'basin{round}-%'"
            ))
            .await;
        assert_eq!(made, 1, "round {round}: one new statement: {statuses:?}");
        assert_eq!(
            statuses.iter().filter(|s| **s == 303).count(),
            1,
            "round {round}: {statuses:?}"
        );
        assert!(
            statuses.iter().all(|s| [303, 422].contains(s)),
            "round {round}: {statuses:?}"
        );
        assert_eq!(
            app.count(&format!(
                "SELECT count(*) FROM reissue_decisions d JOIN signatures o ON o.id = d.original_signature_id
                  WHERE o.name LIKE 'Signer {round}-%' AND d.decision = 'asked_to_opt_in'"
            ))
            .await,
            2,
            "round {round}: each signer asked once"
        );
        for status in statuses {
            *outcomes.entry(status).or_insert(0) += 1;
        }
    }
    println!("outcomes (status: count): {outcomes:?}");
}
