//! Outreach: prospects and contacts, asks whose personal link opens the current letter,
//! a prospect signed exactly while its organization's confirmed signature stands, touch
//! limits across every channel, the scheduler's deadline emails (time moved, never slept),
//! and tenant isolation of every outreach URL.

use crate::support;

use support::campaigns::{
    add_prospect, add_prospect_with, campaign_fields, confirm, input_textarea, input_value,
    open_campaign, organization, sign, sign_and_confirm,
};
use support::smtp::{SinkOptions, SmtpSink};
use support::{Client, Options, TestApp};
use time::macros::datetime;

/// A group "river" with an open campaign "water": soft deadline 9 December 17:00 UTC,
/// hard deadline 16 December 17:00 UTC, target 10 (the host organization has signed).
async fn setup(app: &TestApp) -> (Client, String, String) {
    let owner = app.signup("river", "ana@river.example").await;
    let (path, public) = open_campaign(&owner, "river", "water", &[]).await;
    (owner, path, public)
}

/// Moves the clock and logs the organizer in again (sessions end after 12 idle hours).
async fn at(app: &TestApp, when: time::OffsetDateTime) -> Client {
    app.clock.set(when);
    app.log_in("ana@river.example").await
}

/// The value of the input named `name`, whatever the order of its attributes.
fn field_value(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\"");
    let start = html.find(&marker)?;
    let tag_end = html[start..].find('>')? + start;
    let tag = &html[start..tag_end];
    let value = tag.find("value=\"")? + "value=\"".len();
    let end = tag[value..].find('"')?;
    Some(support::unescape(&tag[value..value + end]))
}

/// Every `name="contact" value="…"` in a page.
fn contact_ids(html: &str) -> Vec<String> {
    html.split("name=\"contact\" value=\"")
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].to_owned())
        .collect()
}

/// Previews an ask to these prospects and sends it as the preview shows it.
async fn ask(
    owner: &Client,
    path: &str,
    prospects: &[&str],
    include_warned: bool,
) -> support::Response {
    let mut fields: Vec<(&str, &str)> = prospects.iter().map(|p| ("prospect", *p)).collect();
    fields.push(("kind", "ask"));
    let preview = owner
        .post_form(&format!("{path}/outreach/ask"), &fields)
        .await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    send_preview(owner, path, &preview.body, include_warned).await
}

async fn send_preview(
    owner: &Client,
    path: &str,
    preview: &str,
    include_warned: bool,
) -> support::Response {
    let batch = input_value(preview, "batch").unwrap_or_else(|| panic!("no batch in {preview}"));
    let subject = field_value(preview, "subject").unwrap();
    let body = input_textarea(preview, "body");
    let ids = contact_ids(preview);
    let mut fields: Vec<(&str, &str)> = vec![
        ("batch", &batch),
        ("kind", "ask"),
        ("subject", &subject),
        ("body", &body),
    ];
    if include_warned {
        fields.push(("include_warned", "on"));
    }
    for id in &ids {
        fields.push(("contact", id));
    }
    let sent = owner
        .post_form(&format!("{path}/outreach/ask/send"), &fields)
        .await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    sent
}

/// Sends a preview as shown and returns the status (for refusals).
async fn send_preview_status(owner: &Client, path: &str, preview: &str) -> u16 {
    let batch = input_value(preview, "batch").unwrap();
    let subject = field_value(preview, "subject").unwrap();
    let body = input_textarea(preview, "body");
    let ids = contact_ids(preview);
    let mut fields: Vec<(&str, &str)> = vec![
        ("batch", &batch),
        ("kind", "ask"),
        ("subject", &subject),
        ("body", &body),
    ];
    for id in &ids {
        fields.push(("contact", id));
    }
    owner
        .post_form(&format!("{path}/outreach/ask/send"), &fields)
        .await
        .status
}

async fn outreach_settings(
    owner: &Client,
    path: &str,
    min_days: &str,
    max: &str,
    leads: &str,
    auto: bool,
) {
    let page = owner.get(&format!("{path}/outreach/settings")).await;
    let subject = field_value(&page.body, "ask_subject").unwrap();
    let body = input_textarea(&page.body, "ask_body");
    let mut fields = vec![
        ("min_days_between", min_days),
        ("max_touches", max),
        ("reminder_lead_days", leads),
        ("ask_subject", subject.as_str()),
        ("ask_body", body.as_str()),
    ];
    if auto {
        fields.push(("auto_last_call", "on"));
    }
    let r = owner
        .post_form(&format!("{path}/outreach/settings"), &fields)
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
}

/// Recipients of the outbox's emails of one kind, sorted.
async fn outbox_to(app: &TestApp, kind: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT recipient FROM outbox WHERE message ->> 'kind' = $1 ORDER BY recipient, id",
    )
    .bind(kind)
    .fetch_all(&app.db)
    .await
    .unwrap()
}

async fn outbox_texts(app: &TestApp, kind: &str) -> Vec<String> {
    sqlx::query_scalar("SELECT message::text FROM outbox WHERE message ->> 'kind' = $1 ORDER BY id")
        .bind(kind)
        .fetch_all(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn reminders_go_once_to_asked_unsigned_contacts_at_the_lead_times() {
    let app = TestApp::spawn().await;
    let (owner, path, public) = setup(&app).await;
    outreach_settings(&owner, &path, "1", "4", "3, 1", false).await;
    // The group's limits apply too (3 days by default): one day here as well, so the
    // 1-day reminder may follow the 3-day one.
    let r = owner
        .post_form(
            "/app/river/book/settings",
            &[("min_days_between", "1"), ("max_touches_in_30_days", "6")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let asked = add_prospect(&owner, &path, "Asked Alliance", "a@asked.example").await;
    let held = add_prospect(&owner, &path, "Held Harbor", "b@held.example").await;
    let declined = add_prospect(&owner, &path, "Declined Dunes", "c@declined.example").await;
    let signed = add_prospect(&owner, &path, "Signed Springs", "d@signed.example").await;
    let bounced = add_prospect(&owner, &path, "Bounced Bay", "e@bounced.example").await;
    let _never_asked = add_prospect(&owner, &path, "Quiet Quarry", "f@quiet.example").await;
    ask(
        &owner,
        &path,
        &[&asked, &held, &declined, &signed, &bounced],
        false,
    )
    .await;
    assert_eq!(outbox_to(&app, "outreach_ask").await.len(), 5);
    app.dispatch_mail().await;

    // Hold, decline, sign, bounce.
    let r = owner
        .post_form(
            &format!("{path}/outreach/prospects/{held}"),
            &[
                ("name", "Held Harbor"),
                ("hold_reason", "Wait until their board meets"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = owner
        .post_form(
            &format!("{path}/outreach/prospects/{declined}/status"),
            &[("status", "declined"), ("from", "asked")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    sign_and_confirm(&app, &public, "Signed Springs", "d@signed.example").await;
    sqlx::query("UPDATE people SET bounced_at = now(), bounce_reason = '550 no such mailbox' WHERE email = 'e@bounced.example'")
        .execute(&app.db)
        .await
        .unwrap();

    // Nothing before the first lead time.
    assert_eq!(app.run_scheduler().await.reminders, 0);
    app.clock.set(datetime!(2026-12-06 16:00 UTC));
    assert_eq!(
        app.run_scheduler().await.reminders,
        0,
        "3 days before is 6 December 17:00"
    );

    app.clock.set(datetime!(2026-12-06 18:00 UTC));
    let report = app.run_scheduler().await;
    assert_eq!(report.reminders, 1);
    assert_eq!(
        outbox_to(&app, "outreach_reminder").await,
        ["a@asked.example"]
    );
    assert_eq!(app.run_scheduler().await.reminders, 0, "once per stage");
    let text = &outbox_texts(&app, "outreach_reminder").await[0];
    assert!(
        text.contains("9 December 2026, 17:00"),
        "names the soft deadline: {text}"
    );
    assert!(
        !text.contains("16 December"),
        "never the hard deadline: {text}"
    );

    let owner = at(&app, datetime!(2026-12-08 18:00 UTC)).await;
    assert_eq!(app.run_scheduler().await.reminders, 1, "the 1-day reminder");
    assert_eq!(app.run_scheduler().await.reminders, 0);
    assert_eq!(
        outbox_to(&app, "outreach_reminder").await,
        ["a@asked.example", "a@asked.example"]
    );
    // The reminder went out with the contact's personal link and is on the prospect's log.
    app.dispatch_mail().await;
    let page = owner
        .get(&format!("{path}/outreach/prospects/{asked}"))
        .await;
    assert!(
        page.body.contains("Deadline reminder sent"),
        "{}",
        page.body
    );
    let link = app.link_mailed_to("a@asked.example", "/ask/").await;
    assert!(link.starts_with("/river/water/ask/"));

    app.clock.set(datetime!(2026-12-09 18:00 UTC));
    assert_eq!(
        app.run_scheduler().await.reminders,
        0,
        "none after the soft deadline"
    );
}

#[tokio::test]
async fn touch_limits_count_logged_calls_and_automated_emails_alike() {
    let app = TestApp::spawn().await;
    let (owner, path, _) = setup(&app).await;
    outreach_settings(&owner, &path, "3", "3", "3", false).await;
    let called = add_prospect(&owner, &path, "Called Creek", "a@called.example").await;
    let plain = add_prospect(&owner, &path, "Plain Pond", "b@plain.example").await;
    let busy = add_prospect(&owner, &path, "Busy Brook", "c@busy.example").await;
    ask(&owner, &path, &[&called, &plain, &busy], false).await;

    // Two calls to Busy Brook's contact: with the ask, three touches, the limit.
    for day in [
        datetime!(2026-11-26 10:00 UTC),
        datetime!(2026-11-30 10:00 UTC),
    ] {
        let owner = at(&app, day).await;
        let busy_page = owner
            .get(&format!("{path}/outreach/prospects/{busy}"))
            .await;
        let busy_contact = contact_ids(&busy_page.body)[0].clone();
        let r = owner
            .post_form(
                &format!("{path}/outreach/prospects/{busy}/activities"),
                &[
                    ("kind", "call"),
                    ("contact", &busy_contact),
                    ("outcome", "Will think about it"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    // A call with the whole organization of Called Creek a day before the reminder.
    let owner = at(&app, datetime!(2026-12-05 10:00 UTC)).await;
    let r = owner
        .post_form(
            &format!("{path}/outreach/prospects/{called}/activities"),
            &[
                ("kind", "call"),
                ("contact", ""),
                ("outcome", "Board meets Monday"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);

    let owner = at(&app, datetime!(2026-12-06 18:00 UTC)).await;
    let report = app.run_scheduler().await;
    assert_eq!((report.reminders, report.skipped), (1, 2));
    assert_eq!(
        outbox_to(&app, "outreach_reminder").await,
        ["b@plain.example"]
    );
    let page = owner
        .get(&format!("{path}/outreach/prospects/{called}"))
        .await;
    assert!(
        page.body
            .contains("was not sent: last touched on 5 December 2026 (at least 3 days must pass)"),
        "{}",
        page.body
    );
    let page = owner
        .get(&format!("{path}/outreach/prospects/{busy}"))
        .await;
    assert!(page
        .body
        .contains("was not sent: already touched 3 times (the limit is 3)"));

    // A manual follow-up warns first and sends only when told to.
    let preview = owner
        .post_form(
            &format!("{path}/outreach/ask"),
            &[("prospect", &called), ("kind", "follow_up")],
        )
        .await;
    assert!(
        preview
            .body
            .contains("last touched 1 day ago (at least 3 days must pass)"),
        "{}",
        preview.body
    );
    send_preview(&owner, &path, &preview.body, false).await;
    assert_eq!(
        outbox_to(&app, "outreach_ask").await.len(),
        3,
        "not sent without the organizer's word"
    );
    let preview = owner
        .post_form(
            &format!("{path}/outreach/ask"),
            &[("prospect", &called), ("kind", "follow_up")],
        )
        .await;
    send_preview(&owner, &path, &preview.body, true).await;
    assert_eq!(outbox_to(&app, "outreach_ask").await.len(), 4);
}

#[tokio::test]
async fn a_moved_deadline_rearms_the_reminders_for_the_new_date() {
    let app = TestApp::spawn().await;
    let (owner, path, _) = setup(&app).await;
    outreach_settings(&owner, &path, "1", "4", "3", false).await;
    let asked = add_prospect(&owner, &path, "Asked Alliance", "a@asked.example").await;
    ask(&owner, &path, &[&asked], false).await;
    let owner = at(&app, datetime!(2026-12-06 18:00 UTC)).await;
    assert_eq!(app.run_scheduler().await.reminders, 1);

    let title = "Keep the water clean";
    let mut fields: Vec<(&str, &str)> = campaign_fields(title, "water")
        .into_iter()
        .filter(|(k, _)| !matches!(*k, "letter" | "host_signs" | "soft_deadline"))
        .collect();
    fields.push(("soft_deadline", "2026-12-12T17:00"));
    let r = owner.post_form(&format!("{path}/settings"), &fields).await;
    assert_eq!(r.status, 303, "{}", r.body);

    assert_eq!(
        app.run_scheduler().await.reminders,
        0,
        "the old date's reminder does nothing more"
    );
    app.clock.set(datetime!(2026-12-09 16:00 UTC));
    assert_eq!(app.run_scheduler().await.reminders, 0);
    app.clock.set(datetime!(2026-12-09 18:00 UTC));
    assert_eq!(
        app.run_scheduler().await.reminders,
        1,
        "re-armed for the new date"
    );
    let texts = outbox_texts(&app, "outreach_reminder").await;
    assert_eq!(texts.len(), 2);
    assert!(texts[1].contains("12 December 2026, 17:00"));
}

#[tokio::test]
async fn the_last_call_names_the_hard_deadline_and_goes_only_when_the_target_was_missed() {
    let app = TestApp::spawn().await;
    let (owner, path, _) = setup(&app).await;
    let a = add_prospect(&owner, &path, "Asked Alliance", "a@asked.example").await;
    let b = add_prospect(&owner, &path, "Second Stream", "b@second.example").await;
    ask(&owner, &path, &[&a, &b], false).await;

    // Before the soft deadline there is nothing to call for.
    let early = owner
        .post_form(&format!("{path}/outreach/last-call"), &[])
        .await;
    assert_eq!(early.status, 400);

    let owner = at(&app, datetime!(2026-12-09 18:00 UTC)).await;
    let report = app.run_scheduler().await;
    assert_eq!(
        (report.alerts, report.last_calls),
        (1, 0),
        "organizers are told; nothing goes by itself"
    );
    assert_eq!(
        outbox_to(&app, "outreach_organizer_alert").await,
        ["ana@river.example"]
    );
    assert_eq!(app.run_scheduler().await.alerts, 0, "told once");
    let dashboard = owner.get(&format!("{path}/outreach")).await;
    assert!(dashboard
        .body
        .contains("The soft deadline passed short of the target"));
    assert!(dashboard.body.contains("Send the last call"));

    let r = owner
        .post_form(&format!("{path}/outreach/last-call"), &[])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = owner
        .post_form(&format!("{path}/outreach/last-call"), &[])
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(
        outbox_to(&app, "outreach_last_call").await,
        ["a@asked.example", "b@second.example"],
        "once per contact, however often the button is pressed"
    );
    for text in outbox_texts(&app, "outreach_last_call").await {
        assert!(text.contains("16 December 2026, 17:00"), "{text}");
    }
    let dashboard = owner.get(&format!("{path}/outreach")).await;
    assert!(dashboard.body.contains("The last call went"));

    // At the hard deadline the organizers get a summary, once.
    app.clock.set(datetime!(2026-12-16 18:00 UTC));
    assert_eq!(app.run_scheduler().await.alerts, 1);
    assert_eq!(app.run_scheduler().await.alerts, 0);
    let alerts = outbox_texts(&app, "outreach_organizer_alert").await;
    assert!(alerts[1].contains("Signing closed"), "{}", alerts[1]);
}

#[tokio::test]
async fn no_last_call_when_the_target_was_reached_and_an_automatic_one_when_asked_for() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    // Target 1: the host organization's own signature reaches it.
    let (met, _) = open_campaign(&owner, "river", "met", &[("target", "1")]).await;
    let a = add_prospect(&owner, &met, "Asked Alliance", "a@asked.example").await;
    ask(&owner, &met, &[&a], false).await;
    let (auto, _) = open_campaign(&owner, "river", "auto", &[]).await;
    outreach_settings(&owner, &auto, "3", "4", "3, 1", true).await;
    let b = add_prospect(&owner, &auto, "Second Stream", "b@second.example").await;
    ask(&owner, &auto, &[&b], false).await;

    let owner = at(&app, datetime!(2026-12-09 18:00 UTC)).await;
    let report = app.run_scheduler().await;
    assert_eq!((report.alerts, report.last_calls), (1, 1));
    assert_eq!(
        outbox_to(&app, "outreach_last_call").await,
        ["b@second.example"]
    );
    let refused = owner
        .post_form(&format!("{met}/outreach/last-call"), &[])
        .await;
    assert_eq!(refused.status, 400, "the target was reached");
    assert_eq!(outbox_to(&app, "outreach_last_call").await.len(), 1);
}

#[tokio::test]
async fn an_ask_sent_before_a_new_revision_opens_the_new_text_prefilled() {
    let app = TestApp::spawn().await;
    let (owner, path, _) = setup(&app).await;
    let id = add_prospect_with(
        &owner,
        &path,
        &[
            ("name", "Heron Watch"),
            ("website", "heronwatch.example"),
            ("size", "regional"),
            ("contact_name", "Amira Haddad"),
            ("contact_role", "Director"),
            ("contact_email", "amira@heronwatch.example"),
        ],
    )
    .await;
    ask(&owner, &path, &[&id], false).await;
    let link = app
        .link_mailed_to("amira@heronwatch.example", "/ask/")
        .await;

    let revised = "# Dear Mayor\n\nWe ask you to keep the river **and the estuary** clean.";
    let r = owner
        .post_form(
            &format!("{path}/letter"),
            &[("body", revised), ("action", "save")],
        )
        .await;
    assert_eq!(r.status, 303);

    let page = app.client().get(&link).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("and the estuary"), "the current letter");
    let current: String =
        sqlx::query_scalar("SELECT id::text FROM letter_revisions WHERE number = 2")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(
        field_value(&page.body, "revision"),
        Some(current),
        "the form carries the current text"
    );
    assert_eq!(
        field_value(&page.body, "organization").as_deref(),
        Some("Heron Watch")
    );
    assert_eq!(
        field_value(&page.body, "contact_name").as_deref(),
        Some("Amira Haddad")
    );
    assert_eq!(
        field_value(&page.body, "email").as_deref(),
        Some("amira@heronwatch.example")
    );
    assert_eq!(page.header("cache-control"), Some("no-store"));
    let log = owner.get(&format!("{path}/outreach/prospects/{id}")).await;
    assert!(log.body.contains("Opened the personal link"));

    // The link works only as it was sent: not altered, not on another campaign.
    let mut forged = link.clone();
    let last = forged.pop().unwrap();
    forged.push(if last == '0' { '1' } else { '0' });
    assert_eq!(app.client().get(&forged).await.status, 404);
    let (_, _other_public) = open_campaign(&owner, "river", "lake", &[]).await;
    let elsewhere = link.replace("/river/water/", "/river/lake/");
    assert_eq!(app.client().get(&elsewhere).await.status, 404);
}

#[tokio::test]
async fn a_confirmed_signature_flips_its_prospect_to_signed_and_a_withdrawal_flips_it_back() {
    let app = TestApp::spawn().await;
    let (owner, path, public) = setup(&app).await;
    let id = add_prospect(&owner, &path, "Heron Watch", "amira@heronwatch.example").await;
    ask(&owner, &path, &[&id], false).await;
    let prospect = format!("{path}/outreach/prospects/{id}");
    let stage = |body: &str| -> String {
        let start = body.find("class=\"badge stage-").unwrap() + "class=\"badge stage-".len();
        body[start..start + body[start..].find('"').unwrap()].to_owned()
    };
    assert_eq!(stage(&owner.get(&prospect).await.body), "asked");

    // Signing alone is not consent: pending confirmation, the prospect is still asked.
    let r = sign(
        &app,
        &public,
        &organization("Heron Watch", "amira@heronwatch.example"),
    )
    .await;
    assert_eq!(r.status, 303);
    assert_eq!(stage(&owner.get(&prospect).await.body), "asked");
    let link = confirm(&app, "amira@heronwatch.example").await;
    let page = owner.get(&prospect).await;
    assert_eq!(stage(&page.body), "signed");
    assert!(page.body.contains("Signed as Heron Watch"));

    let signer = app.client();
    let withdraw = signer.get(&format!("{link}/withdraw")).await;
    assert_eq!(withdraw.status, 200);
    let r = signer.post_form(&format!("{link}/withdraw"), &[]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = owner.get(&prospect).await;
    assert_eq!(stage(&page.body), "asked", "back where it was");
    assert!(page.body.contains("Signature withdrawn"));

    // A signature under the organization's name from another address is only suggested,
    // and counts once an organizer confirms the match.
    let marsh = add_prospect(&owner, &path, "Marsh Keepers", "rosa@marsh.example").await;
    let prospect = format!("{path}/outreach/prospects/{marsh}");
    sign_and_confirm(&app, &public, "The Marsh Keepers", "office@marsh.example").await;
    let page = owner.get(&prospect).await;
    assert_eq!(stage(&page.body), "not_contacted");
    assert!(page.body.contains("Did they sign?"));
    let signature = input_value(&page.body, "signature").unwrap();
    let r = owner
        .post_form(&format!("{prospect}/match"), &[("signature", &signature)])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(stage(&owner.get(&prospect).await.body), "signed");
}

#[tokio::test]
async fn a_permanent_refusal_marks_the_contact_bounced_and_nothing_more_is_sent() {
    let sink = SmtpSink::start_with(SinkOptions {
        refuse: vec![(
            "gone@lost.example".into(),
            "550 5.1.1 no such mailbox".into(),
        )],
        ..Default::default()
    })
    .await;
    let app = TestApp::spawn_with(Options {
        smtp_url: Some(sink.url()),
        ..Default::default()
    })
    .await;
    let (owner, path, _) = setup(&app).await;
    outreach_settings(&owner, &path, "1", "4", "3", false).await;
    let id = add_prospect(&owner, &path, "Lost Lagoon", "gone@lost.example").await;
    ask(&owner, &path, &[&id], false).await;
    app.dispatch_mail().await;
    assert_eq!(
        app.count("SELECT count(*) FROM people WHERE bounced_at IS NOT NULL")
            .await,
        1
    );
    let page = owner.get(&format!("{path}/outreach/prospects/{id}")).await;
    assert!(page.body.contains("bounced"));
    let dashboard = owner.get(&format!("{path}/outreach")).await;
    assert!(dashboard.body.contains("gone@lost.example"));

    let owner = at(&app, datetime!(2026-12-06 18:00 UTC)).await;
    assert_eq!(
        app.run_scheduler().await.reminders,
        0,
        "no reminder to a bounced address"
    );
    let preview = owner
        .post_form(
            &format!("{path}/outreach/ask"),
            &[("prospect", &id), ("kind", "follow_up")],
        )
        .await;
    assert!(preview.body.contains("not sent: email bounced"));

    // A mistyped new address is refused with what was typed kept.
    let contact = contact_ids(&page.body)[0].clone();
    let r = owner
        .post_form(
            &format!("{path}/outreach/contacts/{contact}"),
            &[("name", "Sam Lee"), ("email", "sam@@lost")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("value=\"sam@@lost\""));

    // Cleared by an organizer, the address may be written to again.
    let r = owner
        .post_form(
            &format!("{path}/outreach/contacts/{contact}/clear-bounce"),
            &[],
        )
        .await;
    assert_eq!(r.status, 303);
    let preview = owner
        .post_form(
            &format!("{path}/outreach/ask"),
            &[("prospect", &id), ("kind", "follow_up")],
        )
        .await;
    assert!(!preview.body.contains("not sent: email bounced"));

    // A new address starts without the old one's bounce.
    sqlx::query("UPDATE people SET bounced_at = now()")
        .execute(&app.db)
        .await
        .unwrap();
    let r = owner
        .post_form(
            &format!("{path}/outreach/contacts/{contact}"),
            &[
                ("name", "Sam Lee"),
                ("role", "Chair"),
                ("email", "sam@found.example"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        app.count("SELECT count(*) FROM people WHERE bounced_at IS NULL AND email = 'sam@found.example' AND role = 'Chair'").await,
        1
    );
}

#[tokio::test]
async fn two_schedulers_never_send_the_same_reminder_twice() {
    let app = TestApp::spawn().await;
    let (owner, path, _) = setup(&app).await;
    let mut ids = Vec::new();
    for n in 0..30 {
        ids.push(
            add_prospect(
                &owner,
                &path,
                &format!("Group {n}"),
                &format!("c{n}@groups.example"),
            )
            .await,
        );
    }
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    ask(&owner, &path, &refs, false).await;
    let other = app.another_scheduler().await;
    app.clock.set(datetime!(2026-12-06 18:00 UTC));
    for _ in 0..3 {
        let (a, b) = tokio::join!(app.jobs.tick(), other.tick());
        a.unwrap();
        b.unwrap();
    }
    let sent = outbox_to(&app, "outreach_reminder").await;
    assert_eq!(sent.len(), 30);
    let mut unique = sent.clone();
    unique.dedup();
    assert_eq!(unique.len(), 30);
}

#[tokio::test]
async fn referrals_become_prospects_introduced_by_their_referrer() {
    let app = TestApp::spawn().await;
    let (owner, path, public) = setup(&app).await;
    sign_and_confirm(&app, &public, "Alder Network", "lee@alder.example").await;
    let link = app.link_mailed_to("lee@alder.example", "/signature/").await;
    let r = app
        .client()
        .post_form(
            &format!("{link}/referrals"),
            &[
                ("referral_name", "Rosa Vega"),
                ("referral_organization", "Marsh Keepers"),
                ("referral_email", "rosa@marsh.example"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let dashboard = owner.get(&format!("{path}/outreach")).await;
    assert!(dashboard.body.contains("Who brought in whom"));
    assert!(dashboard.body.contains("Marsh Keepers"));
    let list = owner.get(&format!("{path}/outreach/prospects")).await;
    assert!(list.body.contains("referred by Alder Network"));
    assert_eq!(app.run_scheduler().await.referrals, 0, "absorbed once");
    let id: uuid::Uuid =
        sqlx::query_scalar("SELECT p.id FROM prospects p JOIN organizations o ON o.id = p.organization_id WHERE o.name = 'Marsh Keepers'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    // What a signer typed is not checked: marked so, and asked nothing until edited.
    assert!(list.body.contains(UNCHECKED), "{}", list.body);
    let prospect = format!("{path}/outreach/prospects/{id}");
    assert!(owner.get(&prospect).await.body.contains(UNCHECKED));
    let ask_it = || async {
        owner
            .post_form(
                &format!("{path}/outreach/ask"),
                &[("prospect", &id.to_string()), ("kind", "ask")],
            )
            .await
    };
    let unchecked = ask_it().await;
    assert!(
        unchecked
            .body
            .contains("not sent: suggested by a signer — not yet checked"),
        "{}",
        unchecked.body
    );
    assert_eq!(
        send_preview_status(&owner, &path, &unchecked.body).await,
        303
    );
    assert!(outbox_to(&app, "outreach_ask").await.is_empty());

    let r = owner
        .post_form(
            &prospect,
            &[("name", "Marsh Keepers"), ("website", "marsh.example")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(!owner.get(&prospect).await.body.contains(UNCHECKED));
    let list = owner.get(&format!("{path}/outreach/prospects")).await;
    assert!(!list.body.contains(UNCHECKED));
    let preview = ask_it().await;
    assert!(
        preview
            .body
            .contains("Alder Network suggested we write to you."),
        "{}",
        preview.body
    );
    ask(&owner, &path, &[&id.to_string()], false).await;
    assert_eq!(
        outbox_to(&app, "outreach_ask").await,
        ["rosa@marsh.example"]
    );
}

const UNCHECKED: &str = "Suggested by a signer — not yet checked";

#[tokio::test]
async fn organizers_get_one_digest_a_day_with_their_follow_ups() {
    let app = TestApp::spawn().await;
    let (owner, path, _) = setup(&app).await;
    let id = add_prospect(&owner, &path, "Heron Watch", "amira@heronwatch.example").await;
    let r = owner
        .post_form(
            &format!("{path}/outreach/prospects/{id}/activities"),
            &[
                ("kind", "note"),
                ("body", "Call after the holiday"),
                ("next_follow_up", "2026-11-27"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    // The new prospect has no owner yet: make it the organizer's.
    let owner_id: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM users WHERE email = 'ana@river.example'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    sqlx::query("UPDATE prospects SET owner_id = $1")
        .bind(owner_id)
        .execute(&app.db)
        .await
        .unwrap();

    app.clock.set(datetime!(2026-11-27 07:00 UTC));
    assert_eq!(
        app.run_scheduler().await.digests,
        0,
        "not before the morning"
    );
    let owner = at(&app, datetime!(2026-11-27 08:30 UTC)).await;
    assert_eq!(app.run_scheduler().await.digests, 1);
    assert_eq!(app.run_scheduler().await.digests, 0, "one a day");
    let digest = &outbox_texts(&app, "outreach_digest").await[0];
    assert!(digest.contains("Heron Watch"), "{digest}");
    let queue = owner.get(&format!("{path}/outreach/follow-ups")).await;
    assert!(queue.body.contains("Heron Watch"));
    assert!(queue.body.contains("Log a call"));
}

#[tokio::test]
async fn a_possible_duplicate_is_flagged_and_added_only_when_the_organizer_says_so() {
    let app = TestApp::spawn().await;
    let (owner, path, _) = setup(&app).await;
    add_prospect_with(
        &owner,
        &path,
        &[
            ("name", "The Heron Watch"),
            ("website", "https://www.heronwatch.example"),
        ],
    )
    .await;
    let r = owner
        .post_form(
            &format!("{path}/outreach/prospects/new"),
            &[("name", "Heron Watch!"), ("contact_name", "Kim")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("looks like a prospect already on the list"));
    assert_eq!(
        field_value(&r.body, "contact_name").as_deref(),
        Some("Kim"),
        "what was typed is kept"
    );
    let r = owner
        .post_form(
            &format!("{path}/outreach/prospects/new"),
            &[
                ("name", "Herons of the Bay"),
                ("website", "heronwatch.example/bay"),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "same website domain");
    add_prospect_with(
        &owner,
        &path,
        &[("name", "Heron Watch!"), ("add_anyway", "on")],
    )
    .await;
    let list = owner.get(&format!("{path}/outreach/prospects")).await;
    assert!(list.body.contains("possible duplicate"));
    assert_eq!(app.count("SELECT count(*) FROM prospects").await, 2);
}

/// Every outreach URL of the first group, and whether it writes.
/// A route: method, path and the form it sends.
type Route = (&'static str, String, Vec<(String, String)>);

fn outreach_urls(
    path: &str,
    prospect: &str,
    contact: &str,
    activity: &str,
    revision: &str,
) -> Vec<Route> {
    let p = format!("{path}/outreach");
    let s = |v: &[(&str, &str)]| {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect::<Vec<_>>()
    };
    vec![
        ("GET", p.clone(), vec![]),
        ("GET", format!("{p}/prospects"), vec![]),
        ("GET", format!("{p}/prospects/new"), vec![]),
        ("GET", format!("{p}/prospects/{prospect}"), vec![]),
        ("GET", format!("{p}/follow-ups"), vec![]),
        ("GET", format!("{p}/settings"), vec![]),
        (
            "POST",
            format!("{p}/prospects/new"),
            s(&[("name", "Intruder Inc")]),
        ),
        (
            "POST",
            format!("{p}/prospects/{prospect}"),
            s(&[("name", "Renamed")]),
        ),
        (
            "POST",
            format!("{p}/prospects/{prospect}/contacts"),
            s(&[("name", "Mole"), ("email", "mole@x.example")]),
        ),
        (
            "POST",
            format!("{p}/prospects/{prospect}/activities"),
            s(&[("kind", "note"), ("body", "hello")]),
        ),
        (
            "POST",
            format!("{p}/prospects/{prospect}/status"),
            s(&[("status", "declined"), ("from", "asked")]),
        ),
        (
            "POST",
            format!("{p}/prospects/{prospect}/snooze"),
            s(&[("days", "3")]),
        ),
        (
            "POST",
            format!("{p}/contacts/{contact}/clear-bounce"),
            vec![],
        ),
        (
            "POST",
            format!("{p}/contacts/{contact}"),
            s(&[("name", "Mole"), ("email", "mole@x.example")]),
        ),
        (
            "POST",
            format!("{p}/activities/{activity}/answered"),
            s(&[("revision", revision)]),
        ),
        (
            "POST",
            format!("{p}/settings"),
            s(&[
                ("min_days_between", "1"),
                ("max_touches", "9"),
                ("reminder_lead_days", "1"),
                ("ask_subject", "x"),
                ("ask_body", "y"),
            ]),
        ),
        (
            "POST",
            format!("{p}/ask"),
            s(&[("prospect", prospect), ("kind", "ask")]),
        ),
        (
            "POST",
            format!("{p}/ask/send"),
            s(&[
                ("prospect", prospect),
                ("batch", "abcdefghijklmnopqrstuvwx"),
                ("subject", "x"),
                ("body", "y"),
            ]),
        ),
        ("POST", format!("{p}/last-call"), vec![]),
        ("POST", format!("{p}/contacts/{contact}/remove"), vec![]),
    ]
}

async fn request(client: &Client, method: &str, url: &str, fields: &[(String, String)]) -> u16 {
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    if method == "GET" {
        client.get(url).await.status
    } else {
        client.post_form(url, &fields).await.status
    }
}

#[tokio::test]
async fn another_group_gets_404_on_every_outreach_url_and_viewers_cannot_write() {
    let app = TestApp::spawn().await;
    let (owner, path, _) = setup(&app).await;
    let prospect = add_prospect(&owner, &path, "Heron Watch", "amira@heronwatch.example").await;
    ask(&owner, &path, &[&prospect], false).await;
    let page = owner
        .get(&format!("{path}/outreach/prospects/{prospect}"))
        .await;
    let contact = contact_ids(&page.body)[0].clone();
    let r = owner
        .post_form(
            &format!("{path}/outreach/prospects/{prospect}/activities"),
            &[("kind", "change_request"), ("body", "Mention the estuary")],
        )
        .await;
    assert_eq!(r.status, 303);
    let activity: i64 =
        sqlx::query_scalar("SELECT id FROM outreach_activities WHERE kind = 'change_request'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    let revision: uuid::Uuid = sqlx::query_scalar("SELECT id FROM letter_revisions")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let urls = outreach_urls(
        &path,
        &prospect,
        &contact,
        &activity.to_string(),
        &revision.to_string(),
    );

    let stranger = app.signup("lake", "lou@lake.example").await;
    let before = app.count("SELECT count(*) FROM outreach_activities").await
        + app.count("SELECT count(*) FROM prospects").await
        + app.count("SELECT count(*) FROM people").await
        + app.count("SELECT count(*) FROM outbox").await;
    for (method, url, fields) in &urls {
        assert_eq!(
            request(&stranger, method, url, fields).await,
            404,
            "{method} {url} answers 404 to another group"
        );
    }
    let after = app.count("SELECT count(*) FROM outreach_activities").await
        + app.count("SELECT count(*) FROM prospects").await
        + app.count("SELECT count(*) FROM people").await
        + app.count("SELECT count(*) FROM outbox").await;
    assert_eq!(before, after, "nothing changed");
    let name: String = sqlx::query_scalar(
        "SELECT o.name FROM prospects p JOIN organizations o ON o.id = p.organization_id",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(name, "Heron Watch");

    // A viewer of the group reads but cannot change.
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
    for (method, url, fields) in &urls {
        let status = request(&viewer, method, url, fields).await;
        if *method == "GET" && !url.ends_with("/new") {
            assert_eq!(status, 200, "a viewer reads {url}");
        } else {
            assert_eq!(status, 403, "a viewer cannot {method} {url}");
        }
    }

    // The rightful organizer's same writes go through (the refusals above were not
    // refusals of the requests themselves).
    for (method, url, fields) in &urls {
        let status = request(&owner, method, url, fields).await;
        let expected: &[u16] = if method == &"GET" {
            &[200]
        } else if url.ends_with("/last-call") {
            &[400]
        } else {
            &[200, 303]
        };
        assert!(
            expected.contains(&status),
            "the owner's {method} {url} answered {status}"
        );
    }
    assert_eq!(
        sqlx::query_scalar::<_, String>("SELECT o.name FROM prospects p JOIN organizations o ON o.id = p.organization_id WHERE p.id = $1::uuid")
            .bind(&prospect)
            .fetch_one(&app.db)
            .await
            .unwrap(),
        "Renamed"
    );
}

#[tokio::test]
async fn no_click_makes_a_prospect_signed_and_nobody_who_signed_or_withdrew_is_asked_again() {
    let app = TestApp::spawn().await;
    let (owner, path, public) = setup(&app).await;
    outreach_settings(&owner, &path, "1", "4", "3", false).await;
    let heron = add_prospect(&owner, &path, "Heron Watch", "amira@heronwatch.example").await;
    let marsh = add_prospect(&owner, &path, "Marsh Keepers", "rosa@marsh.example").await;
    ask(&owner, &path, &[&heron, &marsh], false).await;
    // Alder Network signs: its signature is not Heron Watch's, whatever an organizer posts.
    sign_and_confirm(&app, &public, "Alder Network", "lee@alder.example").await;
    let alder: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM signatures WHERE email = 'lee@alder.example'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    let r = owner
        .post_form(
            &format!("{path}/outreach/prospects/{heron}/match"),
            &[("signature", &alder.to_string())],
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        app.count("SELECT count(*) FROM prospects WHERE signed_signature_id IS NOT NULL")
            .await,
        0
    );

    // Marsh Keepers' contact signs, then withdraws: never asked or reminded again.
    let link = {
        sign_and_confirm(&app, &public, "Marsh Keepers", "rosa@marsh.example").await;
        app.link_mailed_to("rosa@marsh.example", "/signature/")
            .await
    };
    let signer = app.client();
    assert_eq!(signer.get(&format!("{link}/withdraw")).await.status, 200);
    assert_eq!(
        signer
            .post_form(&format!("{link}/withdraw"), &[])
            .await
            .status,
        303
    );
    let preview = owner
        .post_form(
            &format!("{path}/outreach/ask"),
            &[("prospect", &marsh), ("kind", "follow_up")],
        )
        .await;
    assert!(
        preview
            .body
            .contains("not sent: this address has signed, is confirming, withdrew or was declined"),
        "{}",
        preview.body
    );
    app.clock.set(datetime!(2026-12-06 18:00 UTC));
    app.run_scheduler().await;
    assert_eq!(
        outbox_to(&app, "outreach_reminder").await,
        ["amira@heronwatch.example"]
    );

    // An overlong ask is refused before anything is queued.
    let owner = app.log_in("ana@river.example").await;
    let long = "x".repeat(10_001);
    let preview = owner
        .post_form(
            &format!("{path}/outreach/ask"),
            &[
                ("prospect", &heron),
                ("kind", "follow_up"),
                ("subject", "Hi"),
                ("body", &long),
            ],
        )
        .await;
    assert_eq!(preview.status, 422);
    assert!(preview.body.contains("under 10,000"));
    let r = owner
        .post_form(
            &format!("{path}/outreach/ask/send"),
            &[
                ("prospect", &heron),
                ("batch", "abcdefghijklmnopqrstuvwxyz"),
                ("subject", "Hi"),
                ("body", &long),
            ],
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(outbox_to(&app, "outreach_ask").await.len(), 2);

    // Once the form has closed, no ask is sent: its link would lead nowhere.
    let owner = at(&app, datetime!(2026-12-17 09:00 UTC)).await;
    let preview = owner
        .post_form(
            &format!("{path}/outreach/ask"),
            &[("prospect", &heron), ("kind", "follow_up")],
        )
        .await;
    let r = send_preview_status(&owner, &path, &preview.body).await;
    assert_eq!(r, 400);
    assert_eq!(outbox_to(&app, "outreach_ask").await.len(), 2);
}

#[tokio::test]
async fn a_personal_link_stops_working_when_the_contact_gets_another_address() {
    let app = TestApp::spawn().await;
    let (owner, path, _) = setup(&app).await;
    let id = add_prospect(&owner, &path, "Heron Watch", "amira@heronwatch.example").await;
    ask(&owner, &path, &[&id], false).await;
    let link = app
        .link_mailed_to("amira@heronwatch.example", "/ask/")
        .await;
    assert_eq!(app.client().get(&link).await.status, 200);
    let page = owner.get(&format!("{path}/outreach/prospects/{id}")).await;
    let contact = contact_ids(&page.body)[0].clone();
    let r = owner
        .post_form(
            &format!("{path}/outreach/contacts/{contact}"),
            &[
                ("name", "Noor Haddad"),
                ("email", "noor@heronwatch.example"),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    let old = app.client().get(&link).await;
    assert_eq!(
        old.status, 404,
        "the old recipient cannot read the new contact's details"
    );
    assert!(!old.body.contains("noor@heronwatch.example"));
}

#[tokio::test]
async fn a_prospect_who_asked_for_a_change_is_told_when_a_revision_answers_it() {
    let app = TestApp::spawn().await;
    let (owner, path, _) = setup(&app).await;
    let id = add_prospect(&owner, &path, "Heron Watch", "amira@heronwatch.example").await;
    let r = owner
        .post_form(
            &format!("{path}/outreach/prospects/{id}/activities"),
            &[("kind", "change_request"), ("body", "Name the estuary")],
        )
        .await;
    assert_eq!(r.status, 303);
    let r = owner
        .post_form(
            &format!("{path}/letter"),
            &[
                (
                    "body",
                    "# Dear Mayor\n\nKeep the river and the estuary clean.",
                ),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "only the host has signed: no choice to make");
    let request: i64 =
        sqlx::query_scalar("SELECT id FROM outreach_activities WHERE kind = 'change_request'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    let revision: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM letter_revisions WHERE number = 2")
            .fetch_one(&app.db)
            .await
            .unwrap();
    for _ in 0..2 {
        let r = owner
            .post_form(
                &format!("{path}/outreach/activities/{request}/answered"),
                &[("revision", &revision.to_string())],
            )
            .await;
        assert_eq!(r.status, 303);
    }
    let texts = outbox_texts(&app, "outreach_ask").await;
    assert_eq!(texts.len(), 1, "told once");
    assert!(texts[0].contains("Your suggestion is in the letter"));
    let page = owner.get(&format!("{path}/outreach/prospects/{id}")).await;
    assert!(page.body.contains("answered by revision 2"));
}

#[tokio::test]
async fn another_campaigns_signers_are_carried_over_as_prospects_never_as_signers() {
    let app = TestApp::spawn().await;
    let (owner, old, old_public) = setup(&app).await;
    sign_and_confirm(&app, &old_public, "Alder Network", "lee@alder.example").await;
    let (new, new_public) = open_campaign(&owner, "river", "lake", &[]).await;
    // A viewer of the group cannot carry anyone over; the owner's same request can.
    let viewer = app
        .join(&owner, "river", "vic@river.example", "viewer", "Vic")
        .await;
    let refused = viewer
        .post_form(&format!("{new}/outreach/carry"), &[("from", "water")])
        .await;
    assert_eq!(refused.status, 403, "a viewer cannot carry");
    assert_eq!(
        app.count("SELECT count(*) FROM prospects p JOIN campaigns c ON c.id = p.campaign_id WHERE c.slug = 'lake'").await,
        0,
        "nothing carried by the viewer"
    );
    let r = owner
        .post_form(&format!("{new}/outreach/carry"), &[("from", "water")])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = owner
        .post_form(&format!("{new}/outreach/carry"), &[("from", "water")])
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(
        app.count("SELECT count(*) FROM prospects p JOIN campaigns c ON c.id = p.campaign_id JOIN organizations o ON o.id = p.organization_id WHERE c.slug = 'lake' AND o.name = 'Alder Network'").await,
        1,
        "carried once"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM prospects p JOIN campaigns c ON c.id = p.campaign_id WHERE c.slug = 'lake' AND p.signed_signature_id IS NOT NULL").await,
        0,
        "nobody is signed on the new campaign by being carried"
    );
    let page = app.client().get(&new_public).await;
    assert!(!support::campaigns::listed_names(&page.body).contains(&"Alder Network".to_owned()));
    let stranger = app.signup("lake", "lou@lake.example").await;
    assert_eq!(
        stranger
            .post_form(&format!("{new}/outreach/carry"), &[("from", "water")])
            .await
            .status,
        404
    );
    let _ = old;
}

#[tokio::test]
async fn a_chapter_names_its_parent_and_asking_both_warns() {
    let app = TestApp::spawn().await;
    let (owner, path, _) = setup(&app).await;
    let parent = add_prospect(&owner, &path, "River Alliance", "hq@alliance.example").await;
    let r = owner
        .post_form(
            &format!("{path}/outreach/prospects/new"),
            &[("name", "River Alliance North"), ("parent", "Rivr Aliance")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("address book has that name"));
    let chapter = add_prospect_with(
        &owner,
        &path,
        &[
            ("name", "River Alliance North"),
            ("parent", "the river alliance"),
            ("contact_name", "Jo"),
            ("contact_email", "jo@north.example"),
        ],
    )
    .await;
    let page = owner
        .get(&format!("{path}/outreach/prospects/{parent}"))
        .await;
    assert!(
        page.body.contains("River Alliance North"),
        "chapters shown on the parent"
    );
    let preview = owner
        .post_form(
            &format!("{path}/outreach/ask"),
            &[
                ("prospect", &parent),
                ("prospect", &chapter),
                ("kind", "ask"),
            ],
        )
        .await;
    assert!(
        preview.body.contains("are parent and chapter"),
        "{}",
        preview.body
    );
}

/// After a substantive change, a prospect whose organization signed the earlier text is
/// still "signed" (it did sign) but shown as not listed under the current text, until its
/// signer confirms the new one.
#[tokio::test]
async fn a_signed_prospect_awaiting_reconfirmation_says_so() {
    let app = TestApp::spawn().await;
    let (owner, path, public) = setup(&app).await;
    let id = add_prospect(&owner, &path, "Heron Watch", "amira@heronwatch.example").await;
    let prospect = format!("{path}/outreach/prospects/{id}");
    let link = sign_and_confirm_link(&app, &public).await;
    const AWAITING: &str = "not listed under the current one until they confirm it";
    assert!(!owner.get(&prospect).await.body.contains(AWAITING));

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
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = owner.get(&prospect).await;
    assert!(page.body.contains("badge stage-signed"));
    assert!(page.body.contains(AWAITING), "{}", page.body);
    let list = owner.get(&format!("{path}/outreach/prospects")).await;
    assert!(list.body.contains("not listed under the current text"));

    let r = support::campaigns::confirm_from(&app.client(), &link).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(!owner.get(&prospect).await.body.contains(AWAITING));
}

async fn sign_and_confirm_link(app: &TestApp, public: &str) -> String {
    let r = sign(
        app,
        public,
        &organization("Heron Watch", "amira@heronwatch.example"),
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    confirm(app, "amira@heronwatch.example").await
}

/// Imports `n` prospects ("Org 0000" …), each with one contact; returns their ids in
/// name order.
async fn import_prospects(app: &TestApp, owner: &Client, path: &str, n: usize) -> Vec<String> {
    let mut csv = String::from("organization,email\n");
    for i in 0..n {
        csv.push_str(&format!("Org {i:04},c{i:04}@orgs.example\n"));
    }
    let r = owner
        .post_form(
            &format!("{path}/outreach/import/confirm"),
            &[("csv", &csv), ("map", "name"), ("map", "contact_email")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    sqlx::query_scalar::<_, uuid::Uuid>(
        "SELECT p.id FROM prospects p JOIN organizations o ON o.id = p.organization_id WHERE o.name LIKE 'Org %' ORDER BY o.name",
    )
    .fetch_all(&app.db)
    .await
    .unwrap()
    .into_iter()
    .map(|id| id.to_string())
    .collect()
}

const CAP_SUBJECT: &str = "Will {organization} join the river letter?";
const CAP_BODY: &str = "Dear {contact_name},\n\nA short letter; we hope you sign.";

/// The preview of an ask with our own subject and text to these prospects.
async fn preview_ask(owner: &Client, path: &str, prospects: &[String]) -> support::Response {
    let mut fields: Vec<(&str, &str)> =
        prospects.iter().map(|p| ("prospect", p.as_str())).collect();
    fields.extend([
        ("kind", "ask"),
        ("subject", CAP_SUBJECT),
        ("body", CAP_BODY),
    ]);
    let preview = owner
        .post_form(&format!("{path}/outreach/ask"), &fields)
        .await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    preview
}

/// Sends a preview as it shows, whatever the answer.
async fn send_as_previewed(owner: &Client, path: &str, preview: &str) -> support::Response {
    let batch = input_value(preview, "batch").unwrap();
    let subject = field_value(preview, "subject").unwrap();
    let body = input_textarea(preview, "body");
    let ids = contact_ids(preview);
    let mut fields: Vec<(&str, &str)> = vec![
        ("batch", &batch),
        ("kind", "ask"),
        ("subject", &subject),
        ("body", &body),
    ];
    for id in &ids {
        fields.push(("contact", id));
    }
    owner
        .post_form(&format!("{path}/outreach/ask/send"), &fields)
        .await
}

/// A group made a minute ago writes to at most 200 contacts in 24 hours: the preview says
/// how many remain, a send beyond them is refused with what was written and chosen kept
/// and nothing queued, and the allowance comes back as the day rolls on.
#[tokio::test]
async fn a_new_group_asks_at_most_200_contacts_a_day() {
    let app = TestApp::spawn().await;
    let (owner, path, _) = setup(&app).await;
    let ids = import_prospects(&app, &owner, &path, 250).await;

    let first = preview_ask(&owner, &path, &ids[..150]).await;
    assert!(
        first.body.contains("You can send 200 more asks today"),
        "{}",
        first.body
    );
    let sent = send_as_previewed(&owner, &path, &first.body).await;
    assert_eq!(sent.status, 303, "within the cap it goes: {}", sent.body);
    assert_eq!(outbox_to(&app, "outreach_ask").await.len(), 150);

    app.clock.advance(time::Duration::hours(1));
    let second = preview_ask(&owner, &path, &ids[150..]).await;
    assert!(second.body.contains("You can send 50 more asks today"));
    assert!(second.body.contains("This ask is larger"));
    let refused = send_as_previewed(&owner, &path, &second.body).await;
    assert_eq!(refused.status, 429, "{}", refused.body);
    let page = support::unescape(&refused.body);
    assert!(
        page.contains("Nothing was sent: this ask would go to 100 contacts, but the group can send only 50 more today"),
        "{page}"
    );
    assert_eq!(field_value(&refused.body, "subject").unwrap(), CAP_SUBJECT);
    assert_eq!(input_textarea(&refused.body, "body"), CAP_BODY);
    assert_eq!(contact_ids(&refused.body), contact_ids(&second.body));
    assert_eq!(
        outbox_to(&app, "outreach_ask").await.len(),
        150,
        "nothing of the refused send is queued"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM outreach_activities WHERE kind = 'ask'")
            .await,
        150
    );

    // A day after the first send its 150 no longer count.
    let owner = at(&app, datetime!(2026-11-26 12:01 UTC)).await;
    let again = send_as_previewed(&owner, &path, &refused.body).await;
    assert_eq!(again.status, 303, "{}", again.body);
    assert_eq!(outbox_to(&app, "outreach_ask").await.len(), 250);
}

/// After its first week a group writes to up to 2,000 contacts a day: the send a new
/// group is refused goes.
#[tokio::test]
async fn a_group_older_than_a_week_has_the_larger_cap() {
    let app = TestApp::spawn().await;
    let (owner, path, _) = setup(&app).await;
    let ids = import_prospects(&app, &owner, &path, 250).await;
    let young = preview_ask(&owner, &path, &ids).await;
    assert!(young.body.contains("You can send 200 more asks today"));
    assert_eq!(
        send_as_previewed(&owner, &path, &young.body).await.status,
        429
    );

    let owner = at(&app, datetime!(2026-12-02 12:01 UTC)).await;
    let grown = preview_ask(&owner, &path, &ids).await;
    assert!(
        grown.body.contains("You can send 2,000 more asks today"),
        "{}",
        grown.body
    );
    let sent = send_as_previewed(&owner, &path, &grown.body).await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    assert_eq!(outbox_to(&app, "outreach_ask").await.len(), 250);
}

/// Two organizers sending at the same moment are counted one after the other: together
/// they never pass the cap.
#[tokio::test]
async fn two_sends_at_once_cannot_together_pass_the_cap() {
    let app = TestApp::spawn().await;
    let (owner, path, _) = setup(&app).await;
    let other = app
        .join(&owner, "river", "oli@river.example", "organizer", "Oli")
        .await;
    let ids = import_prospects(&app, &owner, &path, 300).await;
    let a = preview_ask(&owner, &path, &ids[..150]).await;
    let b = preview_ask(&other, &path, &ids[150..]).await;
    let (ra, rb) = tokio::join!(
        send_as_previewed(&owner, &path, &a.body),
        send_as_previewed(&other, &path, &b.body)
    );
    let mut statuses = [ra.status, rb.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [303, 429], "one goes, the other is refused");
    assert_eq!(outbox_to(&app, "outreach_ask").await.len(), 150);
}

/// The one-click last call counts against the same cap: beyond it nothing goes and the
/// dashboard does not say it went; a day later it goes.
#[tokio::test]
async fn a_last_call_beyond_the_cap_is_refused_until_the_day_rolls() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let (path, _) = open_campaign(
        &owner,
        "river",
        "water",
        &[("soft_deadline", "2026-11-29T17:00")],
    )
    .await;
    let ids = import_prospects(&app, &owner, &path, 250).await;
    let early = preview_ask(&owner, &path, &ids[..100]).await;
    assert_eq!(
        send_as_previewed(&owner, &path, &early.body).await.status,
        303
    );
    // Three and a half days later the first 100 no longer count; 150 more are asked.
    let owner = at(&app, datetime!(2026-11-29 00:00 UTC)).await;
    let late = preview_ask(&owner, &path, &ids[100..]).await;
    assert_eq!(
        send_as_previewed(&owner, &path, &late.body).await.status,
        303
    );

    // After the soft deadline the first 100 may be called (the others were asked too
    // recently): more than the 50 left today.
    let owner = at(&app, datetime!(2026-11-29 18:00 UTC)).await;
    let refused = owner
        .post_form(&format!("{path}/outreach/last-call"), &[])
        .await;
    assert_eq!(refused.status, 429, "{}", refused.body);
    assert!(
        support::unescape(&refused.body).contains(
            "Nothing was sent: the last call would go to 100 contacts, but the group can send only 50 more today"
        ),
        "{}",
        refused.body
    );
    assert!(outbox_to(&app, "outreach_last_call").await.is_empty());
    assert!(!owner
        .get(&format!("{path}/outreach"))
        .await
        .body
        .contains("The last call went"));

    let owner = at(&app, datetime!(2026-11-30 00:01 UTC)).await;
    let sent = owner
        .post_form(&format!("{path}/outreach/last-call"), &[])
        .await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    assert_eq!(outbox_to(&app, "outreach_last_call").await.len(), 100);
}

/// The id of a prospect's organization in the book.
async fn organization_of(app: &TestApp, prospect: &str) -> String {
    sqlx::query_scalar::<_, uuid::Uuid>("SELECT organization_id FROM prospects WHERE id = $1::uuid")
        .bind(prospect)
        .fetch_one(&app.db)
        .await
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_prospect_is_an_organization_of_the_groups_book_that_every_campaign_shares() {
    let app = TestApp::spawn().await;
    let (owner, path, _) = setup(&app).await;
    let (other, _) = open_campaign(&owner, "river", "air", &[]).await;
    let first = add_prospect(&owner, &path, "Heron Watch", "kim@heron.example").await;
    let org = organization_of(&app, &first).await;

    // Another campaign finds it in the book, and keeps what was typed.
    let r = owner
        .post_form(
            &format!("{other}/outreach/prospects/new"),
            &[("name", "The Heron Watch"), ("contact_name", "Lou")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("Add Heron Watch from the address book"),
        "{}",
        r.body
    );
    assert!(r
        .body
        .contains(&format!("/app/river/book/organizations/{org}")));
    assert_eq!(field_value(&r.body, "contact_name").as_deref(), Some("Lou"));
    let second = add_prospect_with(
        &owner,
        &other,
        &[("name", "The Heron Watch"), ("from_book", &org)],
    )
    .await;
    assert_eq!(organization_of(&app, &second).await, org);
    assert_eq!(app.count("SELECT count(*) FROM organizations").await, 1);
    let page = owner
        .get(&format!("{other}/outreach/prospects/{second}"))
        .await;
    assert!(
        page.body.contains("kim@heron.example"),
        "its people come along"
    );
    assert!(page.body.contains("shared by every campaign"));

    // Already in this campaign: said so, with a link to it.
    let r = owner
        .post_form(
            &format!("{other}/outreach/prospects/new"),
            &[("name", "Heron Watch")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("already in this campaign"));
    assert!(r.body.contains(&format!("/outreach/prospects/{second}")));

    // The organization's details are the book's: saved once, seen by both campaigns.
    let r = owner
        .post_form(
            &format!("{path}/outreach/prospects/{first}"),
            &[
                ("part", "organization"),
                ("name", "Heron Watch Society"),
                ("website", "https://heron.example"),
                ("region", "Lower valley"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = owner
        .get(&format!("{other}/outreach/prospects/{second}"))
        .await;
    assert!(page.body.contains("Heron Watch Society"));
    assert!(page.body.contains("Lower valley"));

    // A hold for one campaign is that campaign's; the owner stays as it was.
    let r = owner
        .post_form(
            &format!("{path}/outreach/prospects/{first}"),
            &[
                ("part", "campaign"),
                ("hold_reason", "Board meets in March"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = owner
        .get(&format!("{path}/outreach/prospects/{first}"))
        .await;
    assert!(page.body.contains("On hold in this campaign"));
    assert!(
        page.body.contains("Heron Watch Society"),
        "the name is kept"
    );
    let page = owner
        .get(&format!("{other}/outreach/prospects/{second}"))
        .await;
    assert!(!page.body.contains("Board meets in March"));

    // A hold of the group's holds it in every campaign.
    sqlx::query("UPDATE organizations SET hold_reason = 'Merger under way'")
        .execute(&app.db)
        .await
        .unwrap();
    let list = owner
        .get(&format!("{other}/outreach/prospects?stage=on_hold"))
        .await;
    assert!(list
        .body
        .contains("On hold for every campaign: Merger under way"));
    assert!(list.body.contains("Heron Watch Society"));

    // Removing it from a campaign keeps the organization, its people and history.
    let r = owner
        .post_form(
            &format!("{path}/outreach/prospects/{first}/activities"),
            &[("kind", "note"), ("body", "Met them at the fair")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let bulk = format!("{path}/outreach/prospects/bulk");
    let ask = owner
        .post_form(&bulk, &[("prospect", &first), ("action", "delete")])
        .await;
    assert_eq!(ask.status, 200);
    assert!(ask.body.contains("stay in the group"), "{}", ask.body);
    let r = owner
        .post_form(
            &bulk,
            &[
                ("prospect", &first),
                ("action", "delete"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(app.count("SELECT count(*) FROM prospects").await, 1);
    assert_eq!(app.count("SELECT count(*) FROM organizations").await, 1);
    assert_eq!(app.count("SELECT count(*) FROM people").await, 1);
    assert_eq!(
        app.count("SELECT count(*) FROM outreach_activities WHERE body = 'Met them at the fair' AND prospect_id IS NULL").await,
        1,
        "the log is kept with the organization"
    );
}

#[tokio::test]
async fn merging_two_prospects_merges_their_organizations_in_every_campaign() {
    let app = TestApp::spawn().await;
    let (owner, path, _) = setup(&app).await;
    let (other, _) = open_campaign(&owner, "river", "air", &[]).await;
    let keep = add_prospect(&owner, &path, "Otter Trust", "amira@otter.example").await;
    let fold = add_prospect_with(
        &owner,
        &path,
        &[
            ("name", "Otter Trust!"),
            ("add_anyway", "on"),
            ("contact_name", "Amira Otter"),
            ("contact_email", "amira@otter.example"),
            ("size", "national"),
        ],
    )
    .await;
    let (keep_org, fold_org) = (
        organization_of(&app, &keep).await,
        organization_of(&app, &fold).await,
    );
    assert_ne!(keep_org, fold_org);
    let r = owner
        .post_form(
            &format!("{path}/outreach/prospects/{fold}/contacts"),
            &[("name", "Ben"), ("email", "ben@otter.example")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    // Both are prospects of the other campaign too.
    let other_keep = add_prospect_with(
        &owner,
        &other,
        &[("name", "Otter Trust"), ("from_book", &keep_org)],
    )
    .await;
    let r = owner
        .post_form(
            &format!("{other}/outreach/prospects/new"),
            &[("name", "Otter Trust!"), ("from_book", &fold_org)],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    // A call with the folded organization's Amira counts as a touch of her.
    let amira_fold: uuid::Uuid = sqlx::query_scalar(
        "SELECT id FROM people WHERE organization_id = $1::uuid AND email = 'amira@otter.example'",
    )
    .bind(&fold_org)
    .fetch_one(&app.db)
    .await
    .unwrap();
    let r = owner
        .post_form(
            &format!("{path}/outreach/prospects/{fold}/activities"),
            &[
                ("kind", "call"),
                ("contact", &amira_fold.to_string()),
                ("outcome", "Interested"),
                ("body", "Called Amira"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);

    let bulk = format!("{path}/outreach/prospects/bulk");
    let ask = owner
        .post_form(
            &bulk,
            &[
                ("prospect", &keep),
                ("prospect", &fold),
                ("action", "merge"),
            ],
        )
        .await;
    assert_eq!(ask.status, 200);
    assert!(ask.body.contains("for every campaign"), "{}", ask.body);
    let r = owner
        .post_form(
            &bulk,
            &[
                ("prospect", &keep),
                ("prospect", &fold),
                ("action", "merge"),
                ("confirm", "yes"),
                ("keep", &keep),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);

    assert_eq!(app.count("SELECT count(*) FROM organizations").await, 1);
    let people: Vec<String> = sqlx::query_scalar("SELECT email::text FROM people ORDER BY email")
        .fetch_all(&app.db)
        .await
        .unwrap();
    assert_eq!(
        people,
        ["amira@otter.example", "ben@otter.example"],
        "one Amira"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM person_touches t JOIN people p ON p.id = t.person_id WHERE p.email = 'amira@otter.example'").await,
        1,
        "her call stays hers"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM prospects").await,
        2,
        "one prospect in each campaign"
    );
    assert_eq!(
        organization_of(&app, &other_keep).await,
        keep_org,
        "the other campaign's prospect is the kept one"
    );
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM outreach_activities WHERE organization_id <> '{keep_org}'::uuid"
        ))
        .await,
        0,
        "the whole log is the kept organization's"
    );
    let page = owner
        .get(&format!("{path}/outreach/prospects/{keep}"))
        .await;
    assert!(page.body.contains("Called Amira"));
    assert!(
        page.body.contains("National"),
        "an empty size takes the other's"
    );
}

#[tokio::test]
async fn a_merge_keeps_chapters_without_a_loop_and_unions_tags_and_notes() {
    let app = TestApp::spawn().await;
    let (owner, path, _) = setup(&app).await;
    let keep = add_prospect(&owner, &path, "Alder Network", "al@alder.example").await;
    let gone = add_prospect(&owner, &path, "Birch Network", "bo@birch.example").await;
    let chapter = add_prospect(&owner, &path, "Cedar Chapter", "cy@cedar.example").await;
    let (keep_org, gone_org, chapter_org) = (
        organization_of(&app, &keep).await,
        organization_of(&app, &gone).await,
        organization_of(&app, &chapter).await,
    );
    // Cedar is Birch's chapter, and Alder sits under Cedar: Cedar taking Alder as its
    // parent would make a loop.
    for (sql, a, b) in [
        ("UPDATE organizations SET parent_id = $2::uuid, tags = '{coast}', notes = 'Cedar notes' WHERE id = $1::uuid", &chapter_org, &gone_org),
        ("UPDATE organizations SET parent_id = $2::uuid, tags = '{river}', notes = 'Alder notes' WHERE id = $1::uuid", &keep_org, &chapter_org),
        ("UPDATE organizations SET tags = '{Coast,forest}', notes = 'Birch notes', size = 'regional' WHERE id = $1::uuid AND $2 <> ''", &gone_org, &gone_org),
    ] {
        sqlx::query(sql).bind(a).bind(b).execute(&app.db).await.unwrap();
    }
    let r = owner
        .post_form(
            &format!("{path}/outreach/prospects/bulk"),
            &[
                ("prospect", keep.as_str()),
                ("prospect", gone.as_str()),
                ("action", "merge"),
                ("confirm", "yes"),
                ("keep", keep.as_str()),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    type Row = (String, Option<uuid::Uuid>, Vec<String>, String, String);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT name, parent_id, tags, notes, size FROM organizations ORDER BY name",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(rows.len(), 2, "Birch is gone: {rows:?}");
    let (alder, cedar) = (&rows[0], &rows[1]);
    assert_eq!(alder.0, "Alder Network");
    assert_eq!(alder.1.map(|id| id.to_string()), Some(chapter_org.clone()));
    assert_eq!(cedar.1, None, "Cedar would be a chapter of its own chapter");
    assert_eq!(
        alder.2,
        ["river", "Coast", "forest"],
        "tags unioned, case aside"
    );
    assert_eq!(alder.3, "Alder notes\n\nBirch notes");
    assert_eq!(alder.4, "regional", "an empty field takes the other's");
    assert_eq!(
        app.count("SELECT count(*) FROM people").await,
        3,
        "Birch's person came over"
    );
}
