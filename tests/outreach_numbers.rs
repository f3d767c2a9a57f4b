//! Numbers that tell the truth and a queue organizers can work from: counts of signers
//! listed under the current text after a substantive change (the same ones the public
//! page lists), who awaits reconfirmation and a reminder within the touch limits, calls
//! that move a prospect into conversation, signers' comments where organizers look, the
//! log-a-call form and the week's queue, holds that outlast a deadline, and the digest.

use crate::support;

use support::campaigns::{
    add_prospect, add_prospect_with, confirm, confirm_from, listed_names, open_campaign,
    organization, public_page_once, sign,
};
use support::{Client, TestApp};
use time::macros::datetime;

/// A group "river" with an open campaign "water" (zone UTC unless `extra` says otherwise):
/// soft deadline 9 December 17:00, hard deadline 16 December 17:00, target 10; the host
/// organization has signed. The clock starts at 25 November 12:00 UTC.
async fn setup_with(app: &TestApp, extra: &[(&str, &str)]) -> (Client, String, String) {
    let owner = app.signup("river", "ana@river.example").await;
    let (path, public) = open_campaign(&owner, "river", "water", extra).await;
    (owner, path, public)
}

async fn setup(app: &TestApp) -> (Client, String, String) {
    setup_with(app, &[]).await
}

/// Moves the clock and logs the organizer in again (sessions end after 12 idle hours).
async fn at(app: &TestApp, when: time::OffsetDateTime) -> Client {
    app.clock.set(when);
    app.log_in("ana@river.example").await
}

async fn sign_and_confirm_link(app: &TestApp, public: &str, name: &str, email: &str) -> String {
    let r = sign(app, public, &organization(name, email)).await;
    assert_eq!(r.status, 303, "{}", r.body);
    confirm(app, email).await
}

async fn substantive_change(owner: &Client, path: &str) {
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
}

async fn outbox_texts(app: &TestApp, kind: &str) -> Vec<String> {
    sqlx::query_scalar("SELECT message::text FROM outbox WHERE message ->> 'kind' = $1 ORDER BY id")
        .bind(kind)
        .fetch_all(&app.db)
        .await
        .unwrap()
}

async fn outbox_to(app: &TestApp, kind: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT recipient FROM outbox WHERE message ->> 'kind' = $1 ORDER BY recipient, id",
    )
    .bind(kind)
    .fetch_all(&app.db)
    .await
    .unwrap()
}

/// Two organizations signed; a substantive change; one of them confirmed the new text.
/// Returns the link of the one who has not.
async fn one_reconfirmed_one_awaiting(
    app: &TestApp,
    owner: &Client,
    path: &str,
    public: &str,
) -> String {
    add_prospect(owner, path, "Heron Watch", "amira@heronwatch.example").await;
    add_prospect(owner, path, "Otter Trust", "olu@ottertrust.example").await;
    let heron = sign_and_confirm_link(app, public, "Heron Watch", "amira@heronwatch.example").await;
    let otter = sign_and_confirm_link(app, public, "Otter Trust", "olu@ottertrust.example").await;
    substantive_change(owner, path).await;
    let r = confirm_from(&app.client(), &heron).await;
    assert_eq!(r.status, 303, "{}", r.body);
    otter
}

#[tokio::test]
async fn after_a_substantive_change_every_count_is_of_those_listed_as_the_public_page_lists_them() {
    let app = TestApp::spawn().await;
    let (owner, path, public) = setup(&app).await;
    one_reconfirmed_one_awaiting(&app, &owner, &path, &public).await;

    let page = public_page_once(&app, &public, |p| p.body.contains("Heron Watch")).await;
    let listed = listed_names(&page.body);
    assert!(listed.contains(&"Heron Watch".to_owned()), "{listed:?}");
    assert!(!listed.contains(&"Otter Trust".to_owned()), "{listed:?}");
    let n = listed.len();

    // The campaign page: the figure, the bar, the awaiting count with its date and who.
    let dashboard = support::unescape(&owner.get(&path).await.body);
    assert!(
        dashboard.contains(&format!(
            "{n}</strong> of 10 signers listed under the current text"
        )),
        "{dashboard}"
    );
    assert!(dashboard.contains(&format!("<progress max=\"10\" value=\"{n}\">")));
    assert!(
        dashboard.contains("awaiting reconfirmation: 1 (by 9 December 2026, 12:00 UTC)"),
        "{dashboard}"
    );
    let awaiting = &dashboard[dashboard.find("id=\"awaiting\"").unwrap()..];
    let awaiting = &awaiting[..awaiting.find("</section>").unwrap()];
    assert!(awaiting.contains("Otter Trust"), "{awaiting}");
    assert!(!awaiting.contains("Heron Watch"), "{awaiting}");
    assert!(awaiting.contains("Remind them to confirm the new text"));

    // The campaigns list and the group's home say the same.
    let list = support::unescape(&owner.get("/app/river/campaigns").await.body);
    assert!(list.contains(&format!("{n} of 10")), "{list}");
    assert!(list.contains("1 awaiting reconfirmation"), "{list}");
    let home = support::unescape(&owner.get("/app/river").await.body);
    assert!(home.contains(&format!("{n} of 10 listed")), "{home}");

    // The outreach funnel: one signed prospect listed, one awaiting.
    let outreach = support::unescape(&owner.get(&format!("{path}/outreach")).await.body);
    assert!(
        outreach.contains("1</strong> of 2 asked organizations listed under the current text"),
        "{outreach}"
    );
    assert!(outreach.contains("1 awaiting reconfirmation"), "{outreach}");
    assert!(outreach.contains("Signed and listed <small>(+1 awaiting reconfirmation)"));
}

#[tokio::test]
async fn the_reminder_to_reconfirm_respects_the_touch_limits_and_goes_once_on_a_double_click() {
    let app = TestApp::spawn().await;
    let (owner, path, public) = setup(&app).await;
    one_reconfirmed_one_awaiting(&app, &owner, &path, &public).await;
    let remind = format!("{path}/outreach/reconfirm-reminders");

    // The change's own email went out a moment ago: a reminder now would nag.
    let r = owner.post_form(&remind, &[]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(r.location().unwrap().contains("notice=reconfirm-none"));
    assert!(outbox_to(&app, "reconfirm_reminder").await.is_empty());

    // Three days on it may go, once, however many clicks arrive together.
    let owner = at(&app, datetime!(2026-11-28 12:30 UTC)).await;
    let (a, b) = tokio::join!(owner.post_form(&remind, &[]), owner.post_form(&remind, &[]));
    assert_eq!((a.status, b.status), (303, 303));
    assert_eq!(
        outbox_to(&app, "reconfirm_reminder").await,
        vec!["olu@ottertrust.example".to_owned()],
        "only the signer awaiting reconfirmation, once"
    );
    let page = support::unescape(&owner.get(&path).await.body);
    assert!(
        page.contains("1 time, last 28 November 2026, 12:30 UTC"),
        "{page}"
    );
    // The reminder is a touch of the prospect's contact, in its log.
    assert_eq!(
        app.count("SELECT count(*) FROM outreach_activities WHERE kind = 'reminder'")
            .await,
        1
    );

    // A day later it would nag again.
    let owner = at(&app, datetime!(2026-11-29 13:00 UTC)).await;
    let r = owner.post_form(&remind, &[]).await;
    assert!(r.location().unwrap().contains("notice=reconfirm-none"));
    assert_eq!(outbox_to(&app, "reconfirm_reminder").await.len(), 1);

    // The reminder's link opens the signer's page with the new text to confirm.
    app.dispatch_mail().await;
    let link = app
        .link_mailed_to("olu@ottertrust.example", "/signature/")
        .await;
    let signer = app.client();
    let signer_page = signer.get(&link).await;
    assert!(
        signer_page.body.contains("Confirm the new text"),
        "{}",
        signer_page.body
    );
}

#[tokio::test]
async fn the_reminder_stops_at_the_touch_limit_counting_the_contacts_other_touches() {
    let app = TestApp::spawn().await;
    let (owner, path, public) = setup(&app).await;
    one_reconfirmed_one_awaiting(&app, &owner, &path, &public).await;
    // Olu's contact was called twice before: with the change's email that is three of
    // a limit of four, so one reminder may go and no second.
    let otter: String = sqlx::query_scalar(
        "SELECT p.id::text FROM people c JOIN prospects p ON p.organization_id = c.organization_id WHERE c.email = 'olu@ottertrust.example'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    for _ in 0..2 {
        let r = owner
            .post_form(
                &format!("{path}/outreach/prospects/{otter}/activities"),
                &[("kind", "call"), ("outcome", "Voicemail")],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    let remind = format!("{path}/outreach/reconfirm-reminders");
    let owner = at(&app, datetime!(2026-11-29 12:00 UTC)).await;
    assert_eq!(owner.post_form(&remind, &[]).await.status, 303);
    assert_eq!(outbox_to(&app, "reconfirm_reminder").await.len(), 1);
    let owner = at(&app, datetime!(2026-12-05 12:00 UTC)).await;
    let r = owner.post_form(&remind, &[]).await;
    assert!(r.location().unwrap().contains("notice=reconfirm-none"));
    assert_eq!(outbox_to(&app, "reconfirm_reminder").await.len(), 1);
}

#[tokio::test]
async fn a_logged_call_starts_a_conversation_and_untouched_means_no_channel_touched_it() {
    let app = TestApp::spawn().await;
    let (owner, path, _) = setup(&app).await;
    let called = add_prospect_with(
        &owner,
        &path,
        &[
            ("name", "Called Council"),
            ("size", "national"),
            ("contact_name", "Cy"),
        ],
    )
    .await;
    let marked = add_prospect_with(
        &owner,
        &path,
        &[("name", "Marked Mutual"), ("size", "national")],
    )
    .await;
    add_prospect_with(
        &owner,
        &path,
        &[("name", "Quiet Quorum"), ("size", "international")],
    )
    .await;

    let r = owner
        .post_form(
            &format!("{path}/outreach/prospects/{called}/activities"),
            &[("kind", "call"), ("outcome", "Interested")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = owner
        .get(&format!("{path}/outreach/prospects/{called}"))
        .await;
    assert!(
        page.body.contains("badge stage-in_conversation"),
        "a call with a prospect not contacted starts a conversation: {}",
        page.body
    );
    // Marked "asked" by hand, never touched: still not contacted by any channel.
    let r = owner
        .post_form(
            &format!("{path}/outreach/prospects/{marked}/status"),
            &[("status", "asked"), ("from", "not_contacted")],
        )
        .await;
    assert_eq!(r.status, 303);

    let dashboard = owner.get(&format!("{path}/outreach")).await.body;
    let panel = &dashboard[dashboard
        .find("Large organizations not yet contacted")
        .unwrap()..];
    let panel = &panel[..panel.find("</section>").unwrap()];
    assert!(panel.contains("Quiet Quorum"), "{panel}");
    assert!(panel.contains("Marked Mutual"), "{panel}");
    assert!(!panel.contains("Called Council"), "{panel}");
}

#[tokio::test]
async fn log_a_call_opens_a_form_that_keeps_a_follow_up_three_days_on_in_the_campaigns_zone() {
    let app = TestApp::spawn().await;
    let (owner, path, _) = setup_with(&app, &[("time_zone", "Pacific/Auckland")]).await;
    let id = add_prospect_with(
        &owner,
        &path,
        &[
            ("name", "Heron Watch"),
            ("contact_name", "Amira Haddad"),
            ("contact_role", "Director"),
            ("contact_email", "amira@heronwatch.example"),
            ("contact_phone", "+64 (9) 555-0100"),
        ],
    )
    .await;
    // 20:00 UTC on 1 December is the morning of 2 December in Auckland.
    let owner = at(&app, datetime!(2026-12-01 20:00 UTC)).await;
    let r = owner
        .post_form(
            &format!("{path}/outreach/prospects/{id}/snooze"),
            &[("days", "1")],
        )
        .await;
    assert_eq!(r.status, 303);
    let owner = at(&app, datetime!(2026-12-02 20:00 UTC)).await;
    let queue = owner
        .get(&format!("{path}/outreach/follow-ups?who=everyone"))
        .await;
    let log_call = format!("{path}/outreach/prospects/{id}/log-call?back=follow-ups");
    assert!(queue.body.contains(&log_call.replace('&', "&amp;")) || queue.body.contains(&log_call));
    assert!(
        !queue.body.contains("name=\"kind\" value=\"call\""),
        "no one-click call: {}",
        queue.body
    );

    let form = owner.get(&log_call).await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(
        form.body.contains("value=\"2026-12-06\""),
        "3 December in Auckland, three days on: {}",
        form.body
    );

    // A mistyped date comes back with the message and what was typed.
    let fields = |date: &'static str| {
        vec![
            ("kind", "call"),
            ("form", "log-call"),
            ("back", "follow-ups"),
            ("contact", ""),
            ("outcome", "Left a voicemail"),
            ("body", "Call back after the board meets"),
            ("next_follow_up", date),
        ]
    };
    let r = owner
        .post_form(
            &format!("{path}/outreach/prospects/{id}/activities"),
            &fields("6/12/2026"),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("Enter a date like"));
    assert!(r.body.contains("Call back after the board meets"));
    assert!(r.body.contains("value=\"6/12/2026\""));

    let r = owner
        .post_form(
            &format!("{path}/outreach/prospects/{id}/activities"),
            &fields("2026-12-06"),
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(r.location().unwrap().contains("/outreach/follow-ups"));
    let next: Option<time::Date> = sqlx::query_scalar("SELECT next_follow_up FROM prospects")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(
        next,
        Some(time::macros::date!(2026 - 12 - 06)),
        "kept, not cleared"
    );
}

#[tokio::test]
async fn the_queue_shows_who_to_call_and_the_last_outcome_today_and_this_week() {
    let app = TestApp::spawn().await;
    let (owner, path, _) = setup(&app).await;
    let today = add_prospect_with(
        &owner,
        &path,
        &[
            ("name", "Heron Watch"),
            ("contact_name", "Amira Haddad"),
            ("contact_role", "Executive Director"),
            ("contact_email", "amira@heronwatch.example"),
            ("contact_phone", "+1 (304) 555-0100"),
        ],
    )
    .await;
    let later = add_prospect(&owner, &path, "Otter Trust", "olu@ottertrust.example").await;
    for (id, date, outcome) in [
        (&today, "2026-11-25", "Left a voicemail"),
        (&later, "2026-11-29", "Asked for the text"),
    ] {
        let r = owner
            .post_form(
                &format!("{path}/outreach/prospects/{id}/activities"),
                &[
                    ("kind", "note"),
                    ("outcome", outcome),
                    ("next_follow_up", date),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    let queue = support::unescape(
        &owner
            .get(&format!("{path}/outreach/follow-ups?who=everyone"))
            .await
            .body,
    );
    assert!(queue.contains("Heron Watch"));
    assert!(!queue.contains("Otter Trust"), "due in four days: {queue}");
    assert!(queue.contains("Amira Haddad"));
    assert!(queue.contains("Executive Director"));
    assert!(queue.contains("href=\"tel:+13045550100\""), "{queue}");
    assert!(queue.contains("Left a voicemail"));
    // Every value keeps its label when the table stacks on a phone.
    for label in [
        "Organization",
        "Contact",
        "Due",
        "Last outcome",
        "Do it now",
    ] {
        assert!(
            queue.contains(&format!("data-label=\"{label}\"")),
            "{label}"
        );
    }

    let week = support::unescape(
        &owner
            .get(&format!(
                "{path}/outreach/follow-ups?who=everyone&when=week"
            ))
            .await
            .body,
    );
    assert!(week.contains("Heron Watch"));
    assert!(week.contains("Otter Trust"), "{week}");
    assert!(week.contains("Asked for the text"));
    assert!(week.contains("29 November 2026"), "{week}");
}

#[tokio::test]
async fn a_hold_that_outlasts_a_deadline_warns_and_one_click_sets_a_reminder_before_the_soft_one() {
    let app = TestApp::spawn().await;
    let (owner, path, _) = setup(&app).await;
    let id = add_prospect_with(
        &owner,
        &path,
        &[
            ("name", "Heron Watch"),
            ("hold_reason", "Asking them may make the Otters wary"),
            ("hold_until", "2026-12-12"),
        ],
    )
    .await;
    let prospect = format!("{path}/outreach/prospects/{id}");
    let page = support::unescape(&owner.get(&prospect).await.body);
    assert!(
        page.contains("The hold ends after the soft deadline."),
        "{page}"
    );
    assert!(
        page.contains("sets the next follow-up to 6 December 2026"),
        "{page}"
    );

    let r = owner
        .post_form(&format!("{prospect}/remind-before-soft-deadline"), &[])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let next: Option<time::Date> = sqlx::query_scalar("SELECT next_follow_up FROM prospects")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(next, Some(time::macros::date!(2026 - 12 - 06)));
    // On that day it is in the queue, held or not.
    let owner = at(&app, datetime!(2026-12-06 09:00 UTC)).await;
    let queue = owner
        .get(&format!("{path}/outreach/follow-ups?who=everyone"))
        .await;
    assert!(queue.body.contains("Heron Watch"), "{}", queue.body);
    assert!(
        queue.body.contains("on hold until 12 December 2026"),
        "{}",
        queue.body
    );

    // A hold past the hard deadline says so.
    let r = owner
        .post_form(
            &prospect,
            &[
                ("name", "Heron Watch"),
                ("hold_reason", "Asking them may make the Otters wary"),
                ("hold_until", "2026-12-20"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = support::unescape(&owner.get(&prospect).await.body);
    assert!(
        page.contains("The hold ends after the hard deadline."),
        "{page}"
    );
    // A hold ending in time says nothing.
    assert_eq!(
        owner
            .post_form(
                &prospect,
                &[
                    ("name", "Heron Watch"),
                    ("hold_reason", "Asking them may make the Otters wary"),
                    ("hold_until", "2026-12-08"),
                ],
            )
            .await
            .status,
        303
    );
    assert!(!owner
        .get(&prospect)
        .await
        .body
        .contains("The hold ends after"));
}

#[tokio::test]
async fn a_signers_comment_shows_on_the_outreach_dashboard_the_prospect_and_the_digest() {
    let app = TestApp::spawn().await;
    let (owner, path, public) = setup(&app).await;
    let id = add_prospect(&owner, &path, "Heron Watch", "amira@heronwatch.example").await;
    let mut fields = organization("Heron Watch", "amira@heronwatch.example");
    fields.push(("comment", "Please name the estuary too."));
    let r = sign(&app, &public, &fields).await;
    assert_eq!(r.status, 303, "{}", r.body);
    confirm(&app, "amira@heronwatch.example").await;

    let dashboard = support::unescape(&owner.get(&format!("{path}/outreach")).await.body);
    assert!(
        dashboard.contains("Please name the estuary too."),
        "{dashboard}"
    );
    let prospect = support::unescape(
        &owner
            .get(&format!("{path}/outreach/prospects/{id}"))
            .await
            .body,
    );
    assert!(prospect.contains("What they said when signing"));
    assert!(prospect.contains("Please name the estuary too."));

    at(&app, datetime!(2026-11-26 08:30 UTC)).await;
    assert_eq!(app.run_scheduler().await.digests, 1);
    let digest = &outbox_texts(&app, "outreach_digest").await[0];
    assert!(
        digest.contains(
            "Heron Watch signed Keep the water clean, and wrote: “Please name the estuary too.”"
        ),
        "{digest}"
    );
}

#[tokio::test]
async fn the_digest_says_good_morning_in_the_groups_morning_never_names_the_host_and_links_where_it_says(
) {
    let app = TestApp::spawn().await;
    // Everything happens within the day before the digest: the host signs the new
    // campaign, and so does Otter Trust.
    app.clock.set(datetime!(2026-11-26 06:00 UTC));
    let (owner, path, public) = setup_with(&app, &[("time_zone", "America/Los_Angeles")]).await;
    let host: String = sqlx::query_scalar("SELECT name FROM signatures WHERE source = 'host'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let id = add_prospect(&owner, &path, "Heron Watch", "amira@heronwatch.example").await;
    let owner_id: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM users WHERE email = 'ana@river.example'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    sqlx::query("UPDATE prospects SET owner_id = $1, next_follow_up = '2026-11-25'")
        .bind(owner_id)
        .execute(&app.db)
        .await
        .unwrap();
    sign_and_confirm_link(&app, &public, "Otter Trust", "olu@ottertrust.example").await;

    // 08:30 UTC is half past midnight in Los Angeles: no digest yet.
    app.clock.set(datetime!(2026-11-26 08:30 UTC));
    assert_eq!(app.run_scheduler().await.digests, 0);
    // 16:30 UTC is 08:30 there.
    let owner = at(&app, datetime!(2026-11-26 16:30 UTC)).await;
    assert_eq!(app.run_scheduler().await.digests, 1);
    assert_eq!(app.run_scheduler().await.digests, 0, "one a day");
    app.dispatch_mail().await;
    let mail = app.mail_to("ana@river.example");
    let digest = mail
        .iter()
        .find(|m| m.subject.contains("your day"))
        .expect("the digest");
    assert!(digest.text.contains("Good morning."), "{}", digest.text);
    assert!(digest.text.contains("Heron Watch"));
    assert!(digest.text.contains("Otter Trust signed"));
    assert!(
        !digest.text.contains(&format!("{host} signed")),
        "the host is not news: {}",
        digest.text
    );
    let line = digest
        .text
        .lines()
        .find(|l| l.starts_with("Open your follow-ups: "))
        .unwrap_or_else(|| panic!("{}", digest.text));
    let url = line.trim_start_matches("Open your follow-ups: ");
    let follow_ups = format!("{path}/outreach/follow-ups");
    assert!(url.ends_with(&follow_ups), "{url}");
    let page = owner.get(&follow_ups).await;
    assert!(page.body.contains("Your follow-ups"));
    assert!(page.body.contains(&id));

    // The next day's digest, sent only in the afternoon there, does not say good morning.
    app.clock.set(datetime!(2026-11-27 22:00 UTC));
    assert_eq!(app.run_scheduler().await.digests, 1);
    let texts = outbox_texts(&app, "outreach_digest").await;
    assert!(
        texts[1].contains("\"greeting\": \"Hello.\""),
        "{}",
        texts[1]
    );
}

#[tokio::test]
async fn a_signature_by_a_contacts_name_from_another_address_is_suggested_never_counted() {
    let app = TestApp::spawn().await;
    let (owner, path, public) = setup(&app).await;
    let id = add_prospect_with(
        &owner,
        &path,
        &[
            ("name", "Sierra Club West Virginia Chapter"),
            ("contact_name", "Jo  Rivera"),
            ("contact_email", "jo@sierraclub.example"),
        ],
    )
    .await;
    let fields = vec![
        ("kind", "organization"),
        ("organization", "Sierra Club - West Virginia"),
        ("website", ""),
        ("city", "Charleston"),
        ("size", "regional"),
        ("contact_name", "jo rivera"),
        ("contact_title", "Chair"),
        ("email", "jo.rivera@personal.example"),
        ("authorized", "on"),
    ];
    let r = sign(&app, &public, &fields).await;
    assert_eq!(r.status, 303, "{}", r.body);
    confirm(&app, "jo.rivera@personal.example").await;

    let prospect = format!("{path}/outreach/prospects/{id}");
    let page = support::unescape(&owner.get(&prospect).await.body);
    assert!(page.contains("Did they sign?"), "{page}");
    assert!(page.contains("the name of one of this prospect's contacts"));
    assert!(
        page.contains("badge stage-not_contacted"),
        "a suggestion only"
    );
    let signature = support::campaigns::input_value(&page, "signature").unwrap();
    let r = owner
        .post_form(&format!("{prospect}/match"), &[("signature", &signature)])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(owner
        .get(&prospect)
        .await
        .body
        .contains("badge stage-signed"));

    // One word in common is not a person: "Jo" alone suggests nothing.
    let other = add_prospect_with(
        &owner,
        &path,
        &[("name", "Kanawha Forest Coalition"), ("contact_name", "Jo")],
    )
    .await;
    let r = sign(
        &app,
        &public,
        &[
            ("kind", "organization"),
            ("organization", "Forest Friends"),
            ("website", ""),
            ("city", "Charleston"),
            ("size", "local"),
            ("contact_name", "Jo"),
            ("contact_title", "Volunteer"),
            ("email", "jo@forestfriends.example"),
            ("authorized", "on"),
        ],
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    confirm(&app, "jo@forestfriends.example").await;
    let page = owner
        .get(&format!("{path}/outreach/prospects/{other}"))
        .await;
    assert!(!page.body.contains("Did they sign?"), "{}", page.body);
}

async fn request(client: &Client, method: &str, url: &str) -> u16 {
    if method == "GET" {
        client.get(url).await.status
    } else {
        client.post_form(url, &[]).await.status
    }
}

#[tokio::test]
async fn another_group_gets_404_and_a_viewer_403_on_the_new_outreach_urls() {
    let app = TestApp::spawn().await;
    let (owner, path, _) = setup(&app).await;
    let id = add_prospect_with(
        &owner,
        &path,
        &[
            ("name", "Heron Watch"),
            ("hold_reason", "Wait for the Otters"),
            ("hold_until", "2026-12-12"),
        ],
    )
    .await;
    let urls = [
        ("GET", format!("{path}/outreach/prospects/{id}/log-call")),
        ("POST", format!("{path}/outreach/reconfirm-reminders")),
        (
            "POST",
            format!("{path}/outreach/prospects/{id}/remind-before-soft-deadline"),
        ),
    ];
    let stranger = app.signup("lake", "lou@lake.example").await;
    for (method, url) in &urls {
        assert_eq!(request(&stranger, method, url).await, 404, "{method} {url}");
    }
    assert_eq!(
        owner
            .post_form(
                "/app/river/members/invite",
                &[("email", "vic@river.example"), ("role", "viewer")],
            )
            .await
            .status,
        303
    );
    let link = app.link_mailed_to("vic@river.example", "/invite/").await;
    let viewer = app.client();
    assert_eq!(
        viewer
            .post_form(
                &format!("{link}/signup"),
                &[("name", "Vic"), ("password", support::PASSWORD)],
            )
            .await
            .status,
        303
    );
    for (method, url) in &urls {
        assert_eq!(request(&viewer, method, url).await, 403, "{method} {url}");
    }
    let next: Option<time::Date> = sqlx::query_scalar("SELECT next_follow_up FROM prospects")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(next, None, "nothing changed");
    for (method, url) in &urls {
        let got = request(&owner, method, url).await;
        assert!(
            [200, 303].contains(&got),
            "the owner's {method} {url}: {got}"
        );
    }
}
