//! Asks people can answer: personal asks, follow-ups and last calls come from the
//! organizer who sent them (From name, Reply-To) and read like a personal email; merge
//! fields people use; the follow-up's own template; a preview that steps through every
//! recipient; one chapter warning per pair with a way to leave the chapter out; and a
//! signature made from a personal link that says so.

use crate::support;

use support::campaigns::{
    add_prospect_with as add_prospect, input_textarea, input_value, open_campaign,
};
use support::{Client, TestApp};

const MAYA: &str = "maya@ohiovalley.example";

/// The group "ohio" (named "Ohio Valley Clean Water Alliance") whose owner is Maya Okafor,
/// with an open campaign "water"; returns her client and the campaign's organizer and
/// public paths.
async fn setup(app: &TestApp) -> (Client, String, String) {
    let owner = app.signup("ohio", MAYA).await;
    sqlx::query("UPDATE users SET name = 'Maya Okafor' WHERE email = $1")
        .bind(MAYA)
        .execute(&app.db)
        .await
        .unwrap();
    sqlx::query("UPDATE tenants SET name = 'Ohio Valley Clean Water Alliance' WHERE slug = 'ohio'")
        .execute(&app.db)
        .await
        .unwrap();
    let (path, public) = open_campaign(&owner, "ohio", "water", &[]).await;
    (owner, path, public)
}

async fn keisha(owner: &Client, path: &str) -> String {
    add_prospect(
        owner,
        path,
        &[
            ("name", "Appalachian Voices"),
            ("contact_name", "Keisha Grant"),
            ("contact_role", "Policy Director"),
            ("contact_email", "keisha@appvoices.example"),
        ],
    )
    .await
}

/// Every `name="contact" value="…"` in a page.
fn contact_ids(html: &str) -> Vec<String> {
    html.split("name=\"contact\" value=\"")
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].to_owned())
        .collect()
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

async fn preview(
    owner: &Client,
    path: &str,
    kind: &str,
    prospects: &[&str],
    extra: &[(&str, &str)],
) -> support::Response {
    let mut fields: Vec<(&str, &str)> = prospects.iter().map(|p| ("prospect", *p)).collect();
    fields.push(("kind", kind));
    fields.extend_from_slice(extra);
    let r = owner
        .post_form(&format!("{path}/outreach/ask"), &fields)
        .await;
    assert_eq!(r.status, 200, "{:?} {}", r.location(), r.body);
    r
}

/// Sends a preview as it shows.
async fn send(owner: &Client, path: &str, kind: &str, preview: &str) {
    let batch = input_value(preview, "batch").unwrap();
    let subject = field_value(preview, "subject").unwrap();
    let body = input_textarea(preview, "body");
    let ids = contact_ids(preview);
    let mut fields: Vec<(&str, &str)> = vec![
        ("batch", &batch),
        ("kind", kind),
        ("subject", &subject),
        ("body", &body),
        ("include_warned", "on"),
    ];
    for id in &ids {
        fields.push(("contact", id));
    }
    let r = owner
        .post_form(&format!("{path}/outreach/ask/send"), &fields)
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
}

/// The newest written message to `email`, as raw bytes.
async fn raw_mail_to(app: &TestApp, email: &str) -> Vec<u8> {
    app.dispatch_mail().await;
    let file: String = sqlx::query_scalar(
        "SELECT transport_id FROM outbox WHERE lower(recipient) = lower($1) AND status = 'sent' ORDER BY id DESC LIMIT 1",
    )
    .bind(email)
    .fetch_one(&app.db)
    .await
    .unwrap();
    std::fs::read(app.mail_dir().join(format!("{file}.eml"))).unwrap()
}

/// Keeps a written message to look at, when `SCREENSHOTS_DIR` is set.
fn keep(raw: &[u8], name: &str) {
    if let Ok(dir) = std::env::var("SCREENSHOTS_DIR") {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(std::path::Path::new(&dir).join(format!("{name}.eml")), raw).unwrap();
    }
}

#[tokio::test]
async fn an_ask_comes_from_its_organizer_and_a_reply_reaches_her() {
    let app = TestApp::spawn().await;
    let (owner, path, _) = setup(&app).await;
    let prospect = keisha(&owner, &path).await;
    let shown = preview(&owner, &path, "ask", &[&prospect], &[]).await;
    send(&owner, &path, "ask", &shown.body).await;
    let raw = raw_mail_to(&app, "keisha@appvoices.example").await;
    keep(&raw, "ask-email");
    let message = mail_parser::MessageParser::default().parse(&raw).unwrap();
    let from = message.from().unwrap().first().unwrap();
    assert_eq!(
        from.name(),
        Some("Maya Okafor (Ohio Valley Clean Water Alliance)")
    );
    assert_eq!(
        from.address(),
        Some(app.config.mail_from.email.to_string().as_str()),
        "the configured sender's address, never the organizer's"
    );
    let reply_to = message.reply_to().unwrap().first().unwrap();
    assert_eq!(reply_to.address(), Some(MAYA));
    assert_eq!(reply_to.name(), Some("Maya Okafor"));
    // A personal email: plain text, the link written out, no button, no bulk footer
    // beyond the one-click unsubscribe line.
    let headers = String::from_utf8_lossy(&raw);
    assert!(
        headers.contains("Content-Type: text/plain") && !headers.contains("text/html"),
        "plain text only, so no button: {headers}"
    );
    let text = message.body_text(0).unwrap();
    assert!(text.contains("/ohio/water/ask/"), "{text}");
    assert!(!text.contains("You receive this because"), "{text}");
    assert!(text.contains("/mail/unsubscribe/"), "{text}");
    assert!(message.header_raw("List-Unsubscribe").is_some());
    // The copy kept once it went out has no personal link left, in the text either.
    let kept: String = sqlx::query_scalar(
        "SELECT message::text FROM outbox WHERE message->>'kind' = 'outreach_ask' AND status = 'sent'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert!(!kept.contains("/ask/"), "{kept}");
    assert!(kept.contains("(link removed after sending)"), "{kept}");
}

/// The From display name and Reply-To address of the newest message to `email`.
async fn sender_of_mail_to(app: &TestApp, email: &str) -> (Option<String>, Option<String>) {
    let raw = raw_mail_to(app, email).await;
    let message = mail_parser::MessageParser::default().parse(&raw).unwrap();
    (
        message
            .from()
            .and_then(|a| a.first())
            .and_then(|a| a.name())
            .map(str::to_owned),
        message
            .reply_to()
            .and_then(|a| a.first())
            .and_then(|a| a.address())
            .map(str::to_owned),
    )
}

/// The plain text of a written message, with its lines ended as in Rust strings.
fn text_of(raw: &[u8]) -> String {
    mail_parser::MessageParser::default()
        .parse(raw)
        .and_then(|m| m.body_text(0).map(|t| t.replace("\r\n", "\n")))
        .unwrap_or_default()
}

#[tokio::test]
async fn reminders_and_last_calls_come_from_an_organizer_and_other_mail_keeps_its_sender() {
    let app = TestApp::spawn().await;
    let (owner, path, public) = setup(&app).await;
    let prospect = keisha(&owner, &path).await;
    let shown = preview(&owner, &path, "ask", &[&prospect], &[]).await;
    send(&owner, &path, "ask", &shown.body).await;
    app.dispatch_mail().await;

    // The scheduler's reminder goes out from the organizer who asked.
    app.clock.set(time::macros::datetime!(2026-12-06 18:00 UTC));
    assert_eq!(app.run_scheduler().await.reminders, 1);
    assert_eq!(
        sender_of_mail_to(&app, "keisha@appvoices.example").await,
        (
            Some("Maya Okafor (Ohio Valley Clean Water Alliance)".into()),
            Some(MAYA.into())
        )
    );
    let raw = raw_mail_to(&app, "keisha@appvoices.example").await;
    let text = text_of(&raw);
    assert!(text.contains("/ohio/water/ask/"), "{text}");
    assert!(
        text.trim_end().contains("\nMaya Okafor\n"),
        "signed by her: {text}"
    );

    // A last call an organizer clicks goes out from them.
    app.clock.set(time::macros::datetime!(2026-12-10 18:00 UTC));
    let owner = app.log_in(MAYA).await;
    let devon = app
        .join(
            &owner,
            "ohio",
            "dev@ohiovalley.example",
            "organizer",
            "Devon Marsh",
        )
        .await;
    let r = devon
        .post_form(&format!("{path}/outreach/last-call"), &[])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        sender_of_mail_to(&app, "keisha@appvoices.example").await,
        (
            Some("Devon Marsh (Ohio Valley Clean Water Alliance)".into()),
            Some("dev@ohiovalley.example".into())
        )
    );

    // Mail that is not an ask keeps the configured sender, without Reply-To.
    let r = support::campaigns::sign(
        &app,
        &public,
        &support::campaigns::organization("River Folk", "pat@riverfolk.example"),
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let (name, reply_to) = sender_of_mail_to(&app, "pat@riverfolk.example").await;
    assert_eq!(name.as_deref(), app.config.mail_from.name.as_deref());
    assert_eq!(reply_to, None);
}

/// The contact ids of a prospect (the people of its organization), in the order its
/// page lists them.
async fn contacts_of(app: &TestApp, prospect: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT c.id::text FROM people c JOIN prospects p ON p.organization_id = c.organization_id
         WHERE p.id = $1::uuid ORDER BY c.created_at, c.id",
    )
    .bind(prospect)
    .fetch_all(&app.db)
    .await
    .unwrap()
}

#[tokio::test]
async fn every_merge_field_is_filled_for_each_contact() {
    let app = TestApp::spawn().await;
    let (owner, path, _) = setup(&app).await;
    let voices = keisha(&owner, &path).await;
    let trust = add_prospect(
        &owner,
        &path,
        &[
            ("name", "Kanawha Land Trust"),
            ("contact_name", "William Okafor"),
            ("contact_role", "Board Chair"),
            ("contact_email", "bill@kanawha.example"),
        ],
    )
    .await;
    // Organizers set the name an ask greets him by on the contact form.
    let bill = contacts_of(&app, &trust).await.remove(0);
    let r = owner
        .post_form(
            &format!("{path}/outreach/contacts/{bill}"),
            &[
                ("name", "William Okafor"),
                ("first_name", "Bill"),
                ("role", "Board Chair"),
                ("email", "bill@kanawha.example"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = owner
        .get(&format!("{path}/outreach/prospects/{trust}"))
        .await;
    assert!(page.body.contains("value=\"Bill\""), "{}", page.body);

    let template = "Dear {first_name} ({contact_name}, {role} at {organization}),\n\n{organizer_first_name} of the group here, about {campaign}:\n\n{points}\n\nBy {soft_deadline}: {link}\n\n{organizer_name}";
    let shown = preview(
        &owner,
        &path,
        "ask",
        &[&voices, &trust],
        &[("subject", "For {first_name}"), ("body", template)],
    )
    .await;
    send(&owner, &path, "ask", &shown.body).await;
    app.dispatch_mail().await;
    let keisha = text_of(&raw_mail_to(&app, "keisha@appvoices.example").await);
    assert!(
        keisha.starts_with("Dear Keisha (Keisha Grant, Policy Director at Appalachian Voices),"),
        "the first word of the name: {keisha}"
    );
    let bill = text_of(&raw_mail_to(&app, "bill@kanawha.example").await);
    assert!(
        bill.starts_with("Dear Bill (William Okafor, Board Chair at Kanawha Land Trust),"),
        "the first name set on the contact: {bill}"
    );
    for text in [&keisha, &bill] {
        assert!(
            text.contains("Maya of the group here, about Keep the water clean:"),
            "{text}"
        );
        assert!(
            text.contains("- Clean water is a right\n- Polluters pay"),
            "the points of unity: {text}"
        );
        assert!(text.contains("By 9 December 2026"), "{text}");
        assert!(
            text.contains("/ohio/water/ask/"),
            "the link in place: {text}"
        );
        assert!(text.contains("\nMaya Okafor"), "{text}");
    }
    let subjects: Vec<String> = sqlx::query_scalar(
        "SELECT subject FROM outbox WHERE message->>'kind' = 'outreach_ask' ORDER BY subject",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(subjects, ["For Bill", "For Keisha"]);
}

#[tokio::test]
async fn a_follow_up_starts_from_its_own_template() {
    let app = TestApp::spawn().await;
    let (owner, path, _) = setup(&app).await;
    let prospect = keisha(&owner, &path).await;
    let first = preview(&owner, &path, "ask", &[&prospect], &[]).await;
    send(&owner, &path, "ask", &first.body).await;
    let ask_text = text_of(&raw_mail_to(&app, "keisha@appvoices.example").await);

    app.clock.advance(time::Duration::days(5));
    let owner = app.log_in(MAYA).await;
    let follow_up = preview(&owner, &path, "follow_up", &[&prospect], &[]).await;
    assert!(follow_up.body.contains("Preview the follow-up"));
    assert_eq!(
        field_value(&follow_up.body, "subject").as_deref(),
        Some("Following up: will {organization} sign on? {campaign}")
    );
    send(&owner, &path, "follow_up", &follow_up.body).await;
    let follow_up_text = text_of(&raw_mail_to(&app, "keisha@appvoices.example").await);
    assert_ne!(ask_text, follow_up_text);
    assert!(
        follow_up_text.contains("I am following up on my note"),
        "{follow_up_text}"
    );
    assert!(follow_up_text.contains("/ohio/water/ask/"));

    // A follow-up template saved in the settings is the one used.
    let r = owner
        .post_form(
            &format!("{path}/outreach/settings"),
            &[
                ("min_days_between", "3"),
                ("max_touches", "4"),
                ("reminder_lead_days", "3, 1"),
                ("ask_subject", "Will {organization} sign?"),
                ("ask_body", "Dear {first_name},\n\nPlease sign: {link}"),
                ("follow_up_subject", "Still hoping, {first_name}"),
                ("follow_up_body", "Hi {first_name}, a second note: {link}"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let settings = owner.get(&format!("{path}/outreach/settings")).await;
    assert!(settings.body.contains("Still hoping, {first_name}"));
    let follow_up = preview(&owner, &path, "follow_up", &[&prospect], &[]).await;
    assert!(
        follow_up.body.contains("Subject: Still hoping, Keisha"),
        "{}",
        follow_up.body
    );
    let ask = preview(&owner, &path, "ask", &[&prospect], &[]).await;
    assert!(ask.body.contains("Subject: Will Appalachian Voices sign?"));
    // A broken follow-up template is refused with what was typed kept.
    let r = owner
        .post_form(
            &format!("{path}/outreach/settings"),
            &[
                ("min_days_between", "3"),
                ("max_touches", "4"),
                ("reminder_lead_days", "3, 1"),
                ("ask_subject", "Will {organization} sign?"),
                ("ask_body", "Dear {first_name}"),
                ("follow_up_subject", "Again"),
                ("follow_up_body", "Hi {firstname}"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("{firstname} is not a merge field"));
    assert!(r.body.contains("Hi {firstname}</textarea>"));
}

#[tokio::test]
async fn the_preview_steps_through_every_recipient() {
    let app = TestApp::spawn().await;
    let (owner, path, _) = setup(&app).await;
    let mut prospects = Vec::new();
    for (org, name, email) in [
        ("Alder Network", "Ana Alder", "ana@alder.example"),
        ("Birch Coalition", "Ben Birch", "ben@birch.example"),
        ("Cedar Union", "Cy Cedar", "cy@cedar.example"),
    ] {
        prospects.push(
            add_prospect(
                &owner,
                &path,
                &[
                    ("name", org),
                    ("contact_name", name),
                    ("contact_email", email),
                ],
            )
            .await,
        );
    }
    let ids: Vec<&str> = prospects.iter().map(String::as_str).collect();
    let first = preview(&owner, &path, "ask", &ids, &[]).await;
    assert!(first.body.contains("1 of 3"), "{}", first.body);
    assert!(first.body.contains("As ana@alder.example"));
    assert!(first.body.contains("Dear Ana,"));
    assert!(!first.body.contains("← Previous"));

    // "Next" posts the same selection and text with the next step.
    let step = |n: &'static str| {
        let body = first.body.clone();
        let owner = &owner;
        let path = &path;
        async move {
            let subject = field_value(&body, "subject").unwrap();
            let text = input_textarea(&body, "body");
            let batch = input_value(&body, "batch").unwrap();
            let contacts = contact_ids(&body);
            let mut fields: Vec<(&str, &str)> = vec![
                ("kind", "ask"),
                ("batch", &batch),
                ("subject", &subject),
                ("body", &text),
                ("step", n),
            ];
            for c in &contacts {
                fields.push(("contact", c));
            }
            let r = owner
                .post_form(&format!("{path}/outreach/ask"), &fields)
                .await;
            assert_eq!(r.status, 200, "{}", r.body);
            r
        }
    };
    let second = step("1").await;
    assert!(second.body.contains("2 of 3"));
    assert!(second.body.contains("As ben@birch.example"));
    assert!(second.body.contains("Dear Ben,"));
    assert!(second.body.contains("← Previous") && second.body.contains("Next →"));
    let third = step("2").await;
    assert!(third.body.contains("3 of 3"));
    assert!(third.body.contains("Dear Cy,"));
    assert!(!third.body.contains("Next →"));
    assert_eq!(contact_ids(&third.body).len(), 3, "the selection is kept");
    // A step past the end shows the last one.
    assert!(step("99").await.body.contains("3 of 3"));
    // Nobody typed their roles: a text using {role} says so before it goes.
    let with_role = preview(
        &owner,
        &path,
        "ask",
        &ids,
        &[
            ("subject", "Hello"),
            ("body", "Dear {first_name}, as {role}: {link}"),
        ],
    )
    .await;
    assert!(
        with_role
            .body
            .contains("{role} is empty for 3 of the 3 contacts who get this"),
        "{}",
        with_role.body
    );
    assert!(!first.body.contains("is empty for"));
}

#[tokio::test]
async fn the_chapter_warning_comes_once_per_pair_and_the_chapter_can_be_left_out() {
    let app = TestApp::spawn().await;
    let (owner, path, _) = setup(&app).await;
    let parent = add_prospect(
        &owner,
        &path,
        &[
            ("name", "Sierra Club"),
            ("contact_name", "Hal Hq"),
            ("contact_email", "hal@sierra.example"),
        ],
    )
    .await;
    let chapter = add_prospect(
        &owner,
        &path,
        &[
            ("name", "Sierra Club West Virginia"),
            ("parent", "Sierra Club"),
            ("contact_name", "Wes Vee"),
            ("contact_email", "wes@wv.sierra.example"),
        ],
    )
    .await;
    // A second contact at each, so a warning per contact would show four times.
    for (prospect, name, email) in [
        (&parent, "Pia Hq", "pia@sierra.example"),
        (&chapter, "Vic Vee", "vic@wv.sierra.example"),
    ] {
        let r = owner
            .post_form(
                &format!("{path}/outreach/prospects/{prospect}/contacts"),
                &[("name", name), ("email", email)],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    let other = keisha(&owner, &path).await;

    let shown = preview(&owner, &path, "ask", &[&parent, &chapter, &other], &[]).await;
    assert_eq!(
        shown
            .body
            .matches("class=\"notice warn-notice chapter-warning\"")
            .count(),
        1,
        "{}",
        shown.body
    );
    assert!(shown
        .body
        .contains("Leave Sierra Club West Virginia out of this send"));
    assert_eq!(contact_ids(&shown.body).len(), 5);

    // One click: the same preview without the chapter's contacts.
    let subject = field_value(&shown.body, "subject").unwrap();
    let text = input_textarea(&shown.body, "body");
    let batch = input_value(&shown.body, "batch").unwrap();
    let contacts = contact_ids(&shown.body);
    let mut fields: Vec<(&str, &str)> = vec![
        ("kind", "ask"),
        ("batch", &batch),
        ("subject", &subject),
        ("body", &text),
        ("leave_out", &chapter),
    ];
    for c in &contacts {
        fields.push(("contact", c));
    }
    let without = owner
        .post_form(&format!("{path}/outreach/ask"), &fields)
        .await;
    assert_eq!(without.status, 200, "{}", without.body);
    assert!(!without.body.contains("chapter-warning"));
    assert!(without
        .body
        .contains("Left out of this send: <strong>Sierra Club West Virginia</strong>"));
    let kept: Vec<String> = contact_ids(&without.body);
    let mut expected = contacts_of(&app, &parent).await;
    expected.extend(contacts_of(&app, &other).await);
    let mut kept_sorted = kept.clone();
    kept_sorted.sort();
    expected.sort();
    assert_eq!(kept_sorted, expected, "the rest of the selection is kept");
    send(&owner, &path, "ask", &without.body).await;
    let asked: Vec<String> = sqlx::query_scalar(
        "SELECT recipient FROM outbox WHERE message->>'kind' = 'outreach_ask' ORDER BY recipient",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(
        asked,
        [
            "hal@sierra.example",
            "keisha@appvoices.example",
            "pia@sierra.example"
        ]
    );
}

/// Opens a personal link and sends its form with `fields` (and the form's own hidden
/// fields), as the contact would.
async fn sign_from_link(app: &TestApp, link: &str, fields: &[(&str, &str)]) -> support::Response {
    let signer = app.client();
    let form = signer.get(link).await;
    assert_eq!(form.status, 200, "{}", form.body);
    let started = input_value(&form.body, "started").unwrap();
    let revision = input_value(&form.body, "revision").unwrap();
    let personal_ask = input_value(&form.body, "personal_ask").expect("the form remembers the ask");
    app.clock.advance(time::Duration::seconds(5));
    let mut all: Vec<(&str, &str)> = vec![
        ("started", &started),
        ("revision", &revision),
        ("personal_ask", &personal_ask),
    ];
    all.extend_from_slice(fields);
    signer.post_form("/ohio/water/sign", &all).await
}

fn voices_signs_as(email: &str) -> Vec<(&str, &str)> {
    vec![
        ("kind", "organization"),
        ("organization", "Appalachian Voices"),
        ("website", "https://appvoices.org"),
        ("city", "Boone"),
        ("size", "regional"),
        ("contact_name", "Keisha Grant"),
        ("contact_title", "Policy Director"),
        ("email", email),
        ("authorized", "on"),
    ]
}

#[tokio::test]
async fn a_signature_from_a_personal_link_says_whose_ask_it_answers() {
    let app = TestApp::spawn().await;
    let (owner, path, public) = setup(&app).await;
    let prospect = keisha(&owner, &path).await;
    let shown = preview(&owner, &path, "ask", &[&prospect], &[]).await;
    send(&owner, &path, "ask", &shown.body).await;
    let link = app
        .link_mailed_to("keisha@appvoices.example", "/ask/")
        .await;

    // At the address the ask went to (whose domain is not the website's).
    let r = sign_from_link(&app, &link, &voices_signs_as("keisha@appvoices.example")).await;
    assert_eq!(r.status, 303, "{}", r.body);
    support::campaigns::confirm(&app, "keisha@appvoices.example").await;
    // Someone else signing from a plain form with the same mismatch, for comparison.
    support::campaigns::sign_and_confirm(&app, &public, "River Folk", "pat@gmail.example").await;

    let dashboard = support::unescape(&owner.get(&path).await.body);
    assert!(
        dashboard.contains("from Maya's ask to Keisha Grant"),
        "{dashboard}"
    );
    assert_eq!(
        dashboard.matches("look closer").count(),
        1,
        "only the plain form's signature: {dashboard}"
    );
    let id: String = sqlx::query_scalar(
        "SELECT id::text FROM signatures WHERE email = 'keisha@appvoices.example'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    let page = owner.get(&format!("{path}/signatures/{id}")).await;
    let text = support::unescape(&page.body);
    assert!(
        text.contains("public form, from Maya's ask to Keisha Grant"),
        "{text}"
    );
    assert!(!text.contains("look closer"), "{text}");
    assert!(text.contains("signed at the address your ask went to"));
}

#[tokio::test]
async fn a_personal_link_signed_from_another_address_is_an_ordinary_signature() {
    let app = TestApp::spawn().await;
    let (owner, path, _) = setup(&app).await;
    let prospect = keisha(&owner, &path).await;
    let shown = preview(&owner, &path, "ask", &[&prospect], &[]).await;
    send(&owner, &path, "ask", &shown.body).await;
    let link = app
        .link_mailed_to("keisha@appvoices.example", "/ask/")
        .await;
    let r = sign_from_link(&app, &link, &voices_signs_as("someone@gmail.example")).await;
    assert_eq!(r.status, 303, "{}", r.body);
    support::campaigns::confirm(&app, "someone@gmail.example").await;
    let dashboard = owner.get(&path).await;
    assert!(!dashboard.body.contains("ask to Keisha Grant"));
    assert!(dashboard.body.contains("look closer"));
    assert_eq!(
        app.count("SELECT count(*) FROM signatures WHERE personal_ask_contact_id IS NOT NULL")
            .await,
        0
    );
}

#[tokio::test]
async fn a_personal_link_opens_only_in_a_campaign_that_asks_the_persons_organization() {
    let app = TestApp::spawn().await;
    let (owner, path, _) = setup(&app).await;
    let prospect = keisha(&owner, &path).await;
    let shown = preview(&owner, &path, "ask", &[&prospect], &[]).await;
    send(&owner, &path, "ask", &shown.body).await;
    let link = app
        .link_mailed_to("keisha@appvoices.example", "/ask/")
        .await;
    assert_eq!(app.client().get(&link).await.status, 200);
    // Another campaign of the group, which does not ask Appalachian Voices: nothing.
    open_campaign(&owner, "ohio", "air", &[]).await;
    let elsewhere = link.replace("/ohio/water/ask/", "/ohio/air/ask/");
    assert_ne!(elsewhere, link);
    let r = app.client().get(&elsewhere).await;
    assert_eq!(r.status, 404, "{}", r.body);
    assert!(!r.body.contains("Keisha"));

    // The air letter adds the organization from the book: the water letter's link still
    // opens nothing there, since air never wrote to her (the link names the person, not
    // the campaign, and must not pass for air's personal ask).
    let r = owner
        .post_form(
            "/app/ohio/campaigns/air/outreach/from-book",
            &[("q", "Appalachian Voices")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = app.client().get(&elsewhere).await;
    assert_eq!(r.status, 404, "{}", r.body);
    assert!(!r.body.contains("Keisha"));

    // Once air asks her (past the group's gap between touches), the same link opens there.
    app.clock.advance(time::Duration::days(4));
    let owner = app.log_in(MAYA).await;
    let air_prospect: String = sqlx::query_scalar(
        "SELECT p.id::text FROM prospects p JOIN campaigns c ON c.id = p.campaign_id
         WHERE c.slug = 'air'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    let air = "/app/ohio/campaigns/air";
    let shown = preview(&owner, air, "ask", &[&air_prospect], &[]).await;
    send(&owner, air, "ask", &shown.body).await;
    let r = app.client().get(&elsewhere).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("Keisha"));
}
