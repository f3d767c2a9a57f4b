//! Signers' privacy: from their own link a signer downloads what the group holds about
//! them and erases it (after a page that says what will happen); an erasure leaves no
//! trace of their address or name in any column of any table, nor in written mail; and
//! each campaign's retention setting anonymizes contact details months after it closes,
//! once, telling organizers what it did.

use crate::support;

use std::collections::{BTreeMap, BTreeSet};

use support::campaigns::{
    confirm, input_textarea, input_value, listed_names, open_campaign, organization, set_status,
    sign, sign_and_confirm,
};
use support::{Client, TestApp};
use time::macros::datetime;
use undersigned::clock::Clock;

const AMIRA: &str = "amira@heron.example";
const HERON: &str = "Heron Watch";
const AMIRA_NAME: &str = "Amira Haddad";

/// A group "river" with an open campaign "water" (the host organization has signed).
async fn setup(app: &TestApp) -> (Client, String, String) {
    let owner = app.signup("river", "ana@river.example").await;
    let (path, public) = open_campaign(&owner, "river", "water", &[]).await;
    (owner, path, public)
}

/// Heron Watch signs with its own contact person and phone, and confirms; returns the
/// signer's link.
async fn heron_signs(app: &TestApp, public: &str) -> String {
    let r = sign(
        app,
        public,
        &[
            ("kind", "organization"),
            ("organization", HERON),
            ("website", "heron.example"),
            ("city", "Springfield"),
            ("size", "local"),
            ("contact_name", AMIRA_NAME),
            ("contact_title", "Coordinator"),
            ("email", AMIRA),
            ("phone", "+44 20 7946 0321"),
            ("comment", "Happy to help with the press."),
            ("authorized", "on"),
        ],
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    confirm(app, AMIRA).await
}

async fn suggest(app: &TestApp, link: &str) {
    suggest_person(app, link, "Kim Park", "Otter Club", "kim@otter.example").await;
}

/// The signer of `link` answers "who else should we contact?".
async fn suggest_person(app: &TestApp, link: &str, name: &str, organization: &str, email: &str) {
    let r = app
        .client()
        .post_form(
            &format!("{link}/referrals"),
            &[
                ("referral_name", name),
                ("referral_organization", organization),
                ("referral_email", email),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
}

/// Every place in the database where `needle` appears (case folded): every column of
/// every table in schema public, cast to text (bytea read as escaped text).
async fn traces(app: &TestApp, needle: &str) -> Vec<String> {
    let columns: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT c.table_name::text, c.column_name::text, c.data_type::text
         FROM information_schema.columns c
         JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
         WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
         ORDER BY 1, 2",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert!(
        columns.len() > 100,
        "the scan sees the whole schema: {}",
        columns.len()
    );
    let mut found = Vec::new();
    for (table, column, data_type) in columns {
        let expr = if data_type == "bytea" {
            format!("encode(\"{column}\", 'escape')")
        } else {
            format!("\"{column}\"::text")
        };
        let n: i64 = sqlx::query_scalar(&format!(
            "SELECT count(*) FROM \"{table}\" WHERE strpos(lower({expr}), lower($1)) > 0"
        ))
        .bind(needle)
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|e| panic!("scanning {table}.{column}: {e}"));
        if n > 0 {
            found.push(format!("{table}.{column} ({n} rows)"));
        }
    }
    found
}

/// An organizer imports prospects from a file (organization, email, owner); the rows
/// naming an owner who is not in the group are kept aside on the import's page to fix.
/// Returns the import's page.
async fn import_keeping_rows_aside(owner: &Client, path: &str, csv: &str) -> String {
    let r = owner
        .post_form(
            &format!("{path}/outreach/import/confirm"),
            &[
                ("csv", csv),
                ("map", "name"),
                ("map", "contact_email"),
                ("map", "owner"),
                ("mode", "good"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let location = r.location().unwrap();
    assert!(location.contains("/outreach/imports/"), "{location}");
    location.split('?').next().unwrap().to_owned()
}

/// Written mail (file transport) that mentions `needle`, read as a person would.
fn mail_mentioning(app: &TestApp, needle: &str) -> Vec<String> {
    let needle = needle.to_lowercase();
    app.sent_mail()
        .into_iter()
        .filter(|m| {
            [&m.to, &m.subject, &m.text, &m.html]
                .iter()
                .any(|part| part.to_lowercase().contains(&needle))
        })
        .map(|m| format!("to {}: {}", m.to, m.subject))
        .collect()
}

async fn signature_count(app: &TestApp, email: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM signatures WHERE email = $1::citext")
        .bind(email)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

async fn erased_signers(app: &TestApp, slug: &str) -> i32 {
    sqlx::query_scalar("SELECT erased_signers FROM campaigns WHERE slug = $1")
        .bind(slug)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

// Outreach helpers, as tests/outreach.rs does it through the organizer's pages.

async fn add_prospect(
    owner: &Client,
    path: &str,
    name: &str,
    contact: &str,
    email: &str,
) -> String {
    let r = owner
        .post_form(
            &format!("{path}/outreach/prospects/new"),
            &[
                ("name", name),
                ("contact_name", contact),
                ("contact_email", email),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "prospect not added: {}", r.body);
    let location = r.location().unwrap();
    location
        .split("/prospects/")
        .nth(1)
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned()
}

fn field_value(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\"");
    let start = html.find(&marker)?;
    let tag_end = html[start..].find('>')? + start;
    let tag = &html[start..tag_end];
    let value = tag.find("value=\"")? + "value=\"".len();
    let end = tag[value..].find('"')?;
    Some(support::unescape(&tag[value..value + end]))
}

async fn ask(owner: &Client, path: &str, prospect: &str) {
    ask_saying(owner, path, prospect, None).await
}

/// An ask with the preview's template, or with `subject` in place of its subject.
async fn ask_saying(owner: &Client, path: &str, prospect: &str, subject: Option<&str>) {
    let preview = owner
        .post_form(
            &format!("{path}/outreach/ask"),
            &[("prospect", prospect), ("kind", "ask")],
        )
        .await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    let batch = input_value(&preview.body, "batch").unwrap();
    let subject = subject
        .map(str::to_owned)
        .unwrap_or_else(|| field_value(&preview.body, "subject").unwrap());
    let body = input_textarea(&preview.body, "body");
    let contacts: Vec<String> = preview
        .body
        .split("name=\"contact\" value=\"")
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].to_owned())
        .collect();
    let mut fields: Vec<(&str, &str)> = vec![
        ("batch", &batch),
        ("kind", "ask"),
        ("subject", &subject),
        ("body", &body),
    ];
    for id in &contacts {
        fields.push(("contact", id));
    }
    let sent = owner
        .post_form(&format!("{path}/outreach/ask/send"), &fields)
        .await;
    assert_eq!(sent.status, 303, "{}", sent.body);
}

#[tokio::test]
async fn the_download_holds_the_signers_data_and_nobody_elses() {
    let app = TestApp::spawn().await;
    let (_owner, _path, public) = setup(&app).await;
    let link = heron_signs(&app, &public).await;
    sign_and_confirm(&app, &public, "Marsh Keepers", "rosa@marsh.example").await;
    suggest(&app, &link).await;

    let signer = app.client();
    let r = signer.get(&format!("{link}/data")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r
        .header("content-type")
        .unwrap()
        .starts_with("application/json"));
    assert!(r
        .header("content-disposition")
        .unwrap()
        .starts_with("attachment; filename=\"water-your-data.json\""));
    assert_eq!(r.header("cache-control"), Some("no-store"));

    let data: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(data["email"], AMIRA);
    assert_eq!(data["group"], "Group river");
    let signatures = data["signatures"].as_array().unwrap();
    assert_eq!(signatures.len(), 1);
    let heron = &signatures[0];
    assert_eq!(heron["name"], HERON);
    assert_eq!(heron["contact_name"], AMIRA_NAME);
    assert_eq!(heron["phone"], "+44 20 7946 0321");
    assert_eq!(heron["comment"], "Happy to help with the press.");
    assert_eq!(heron["state"], "confirmed");
    assert_eq!(heron["campaign_address"], "/river/water");
    let history = heron["history"].as_array().unwrap();
    assert_eq!(history.len(), 2, "signed, then confirmed: {history:?}");
    assert_eq!(history[1]["to"], "confirmed");
    assert_eq!(history[1]["by"], "you");
    assert_eq!(heron["consent_trail"].as_array().unwrap().len(), 1);
    assert_eq!(heron["consent_trail"][0]["how"], "confirmed");
    assert_eq!(heron["referrals"][0]["organization"], "Otter Club");
    assert_eq!(heron["referrals"][0]["email"], "kim@otter.example");
    let emails = data["emails"].as_array().unwrap();
    assert!(!emails.is_empty());
    assert!(emails.iter().any(|e| e["subject"]
        .as_str()
        .is_some_and(|s| s.starts_with("Confirm your signature"))
        && e["sent_at"].is_string()));

    // Nobody else's data, no secret, no organizer named.
    for absent in [
        "Marsh Keepers",
        "rosa@marsh.example",
        "ana@river.example",
        "Owner of river",
        "token",
        "hash",
    ] {
        assert!(
            !r.body.contains(absent),
            "{absent} is in the download: {}",
            r.body
        );
    }
    let token = link.rsplit('/').next().unwrap();
    assert!(!r.body.contains(token));

    // A link that names no signature gives nothing.
    let made_up = format!("{public}/signature/{}", "a".repeat(43));
    assert_eq!(signer.get(&format!("{made_up}/data")).await.status, 410);
}

#[tokio::test]
async fn erasure_asks_first_then_leaves_no_trace_of_the_address_or_name_in_any_table() {
    let app = TestApp::spawn().await;
    let (owner, path, public) = setup(&app).await;
    // Organizers know the address as a contact and ask it, before it signs.
    let kingfisher = add_prospect(&owner, &path, "Kingfisher Trust", AMIRA_NAME, AMIRA).await;
    ask(&owner, &path, &kingfisher).await;
    app.dispatch_mail().await;
    let link = heron_signs(&app, &public).await;
    sign_and_confirm(&app, &public, "Marsh Keepers", "rosa@marsh.example").await;
    suggest(&app, &link).await;
    // The suggestion becomes a prospect "referred by Heron Watch"; the organizers' daily
    // digest names the new signers.
    let report = app.run_scheduler().await;
    assert_eq!(report.referrals, 1);
    assert_eq!(report.digests, 1);
    app.dispatch_mail().await;
    assert!(!traces(&app, AMIRA).await.is_empty());
    assert!(
        traces(&app, HERON).await.len() >= 4,
        "{:?}",
        traces(&app, HERON).await
    );
    assert!(!mail_mentioning(&app, HERON).is_empty());
    assert!(listed_names(&app.client().get(&public).await.body).contains(&HERON.to_owned()));
    // Others write about them too: Marsh Keepers suggests Amira by her address (a
    // prospect and a contact are made from it), and the release announcement lists
    // Heron Watch to every listed signer.
    let marsh_link = app
        .link_mailed_to("rosa@marsh.example", "/signature/")
        .await;
    suggest_person(&app, &marsh_link, AMIRA_NAME, "Kite Society", AMIRA).await;
    let r = owner
        .post_form(
            &format!("{path}/release"),
            &[
                ("release_at", "2026-11-25T14:00"),
                ("press_release", ""),
                ("update_every_days", "0"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    app.clock.set(datetime!(2026-11-25 14:01 UTC));
    let report = app.run_scheduler().await;
    assert_eq!((report.referrals, report.released), (1, 1));
    app.dispatch_mail().await;
    assert!(mail_mentioning(&app, HERON)
        .iter()
        .any(|m| m.starts_with("to rosa@marsh.example")));
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM people WHERE email = '{AMIRA}'"
        ))
        .await,
        2,
        "Kingfisher Trust's contact, and the one made from the suggestion"
    );
    // An import keeps aside, to fix, a row with her address (typed in capitals) and one
    // with somebody else's.
    let import = import_keeping_rows_aside(
        &owner,
        &path,
        "organization,email,owner\nOsprey Trust,os@osprey.example,\nKite Friends,AMIRA@HERON.EXAMPLE,Nobody Here\nOtter Pals,otter@otter.example,Nobody Here\n",
    )
    .await;
    assert!(
        traces(&app, AMIRA)
            .await
            .iter()
            .any(|t| t.starts_with("prospect_import_kept_rows.cells")),
        "{:?}",
        traces(&app, AMIRA).await
    );

    let events_before: i64 = app
        .count(&format!(
            "SELECT count(*) FROM signature_events e JOIN signatures s ON s.id = e.signature_id WHERE s.email = '{AMIRA}'"
        ))
        .await;
    let heron_id: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM signatures WHERE email = $1::citext")
            .bind(AMIRA)
            .fetch_one(&app.db)
            .await
            .unwrap();

    // The page says what will happen; opening it changes nothing.
    let signer = app.client();
    let own = signer.get(&link).await;
    assert!(own.body.contains(&format!("{link}/erase")));
    assert!(own.body.contains(&format!("{link}/data")));
    let page = signer.get(&format!("{link}/erase")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains(HERON));
    assert!(page.body.contains("leaves the letter"));
    assert!(page.body.contains("Erase my details"));
    assert!(page
        .body
        .contains("a suggestion other signers made with your address"));
    assert!(page.body.contains(
        "a row with your address that the organizers imported from a spreadsheet and set aside"
    ));
    assert_eq!(signature_count(&app, AMIRA).await, 1);
    assert_eq!(erased_signers(&app, "water").await, 0);

    let done = signer.post_form(&format!("{link}/erase"), &[]).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("Your details are erased"));

    // Off the public page at once; the other signer stays.
    let listed = listed_names(&app.client().get(&public).await.body);
    assert!(!listed.contains(&HERON.to_owned()), "{listed:?}");
    assert!(listed.contains(&"Marsh Keepers".to_owned()));

    // No trace of the address, the name or the contact person anywhere.
    for needle in [AMIRA, HERON, AMIRA_NAME, "+44 20 7946 0321"] {
        assert_eq!(
            traces(&app, needle).await,
            Vec::<String>::new(),
            "{needle} remains"
        );
        assert_eq!(
            mail_mentioning(&app, needle),
            Vec::<String>::new(),
            "{needle} remains in written mail"
        );
    }

    // What stays: the history's shape (one more event: the withdrawal), an anonymous
    // count, and the row itself, named as erased.
    let events_after: i64 =
        sqlx::query_scalar("SELECT count(*) FROM signature_events WHERE signature_id = $1")
            .bind(heron_id)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(events_after, events_before + 1);
    let (name, email, state): (String, String, String) =
        sqlx::query_as("SELECT name, email::text, state FROM signatures WHERE id = $1")
            .bind(heron_id)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(name, "Erased signer");
    assert!(
        email.starts_with("erased+") && email.ends_with("@invalid"),
        "{email}"
    );
    assert_eq!(state, "withdrawn");
    assert_eq!(erased_signers(&app, "water").await, 1);
    // The other signer, the suggested organization and its contact are untouched.
    assert_eq!(signature_count(&app, "rosa@marsh.example").await, 1);
    assert_eq!(
        app.count("SELECT count(*) FROM people WHERE email = 'kim@otter.example'")
            .await,
        1
    );
    assert_eq!(
        app.count("SELECT count(*) FROM prospects p JOIN organizations o ON o.id = p.organization_id WHERE o.name = 'Kingfisher Trust'")
            .await,
        1
    );
    assert_eq!(
        app.count("SELECT count(*) FROM prospects WHERE referred_by <> ''")
            .await,
        0
    );

    // Her kept row is gone; the other one waits as it was.
    let kept = owner.get(&import).await;
    assert_eq!(kept.status, 200);
    assert!(
        kept.body.contains("1 row kept aside to fix"),
        "{}",
        kept.body
    );
    assert!(kept.body.contains(
        "One row kept aside from this import was erased: the person it was about asked for their details to be erased."
    ));
    assert!(kept
        .body
        .contains("Otter Pals,otter@otter.example,Nobody Here"));
    assert!(!kept.body.contains("Kite Friends"));

    // The link stops working.
    assert_eq!(signer.get(&link).await.status, 410);
    assert_eq!(signer.get(&format!("{link}/data")).await.status, 410);
    assert_eq!(
        signer.post_form(&format!("{link}/erase"), &[]).await.status,
        410
    );
}

#[tokio::test]
async fn only_the_signers_own_link_erases_them() {
    let app = TestApp::spawn().await;
    let (owner, path, public) = setup(&app).await;
    let heron_link = heron_signs(&app, &public).await;
    sign_and_confirm(&app, &public, "Marsh Keepers", "rosa@marsh.example").await;
    let marsh_link = app
        .link_mailed_to("rosa@marsh.example", "/signature/")
        .await;
    let (_, lake) = open_campaign(&owner, "river", "lake", &[]).await;
    let heron_token = heron_link.rsplit('/').next().unwrap().to_owned();
    let client = app.client();

    // A made-up token, a token of this campaign under another campaign's address, and a
    // group that does not exist: nothing opens, nothing changes.
    let made_up = format!("{public}/signature/{}", "Zx".repeat(21) + "Q");
    let elsewhere = format!("{lake}/signature/{heron_token}");
    for link in [&made_up, &elsewhere] {
        assert_eq!(client.get(&format!("{link}/erase")).await.status, 410);
        assert_eq!(
            client.post_form(&format!("{link}/erase"), &[]).await.status,
            410
        );
        assert_eq!(client.get(&format!("{link}/data")).await.status, 410);
    }
    let nowhere = format!("/no-such-group/water/signature/{heron_token}/erase");
    assert_eq!(client.post_form(&nowhere, &[]).await.status, 404);
    assert_eq!(signature_count(&app, AMIRA).await, 1);
    assert_eq!(signature_count(&app, "rosa@marsh.example").await, 1);
    assert_eq!(erased_signers(&app, "water").await, 0);

    // Organizers decline Marsh Keepers, saying why.
    let marsh_id: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM signatures WHERE email = 'rosa@marsh.example'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    let decide = format!("{path}/signatures/{marsh_id}/decide");
    let r = owner
        .post_form(
            &decide,
            &[
                ("decision", "reject"),
                ("reason", "Marsh Keepers is not a real group"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);

    // Another signer's link erases that signer only.
    let r = client.post_form(&format!("{marsh_link}/erase"), &[]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(signature_count(&app, "rosa@marsh.example").await, 0);
    assert_eq!(traces(&app, "Marsh Keepers").await, Vec::<String>::new());
    let reason: String = sqlx::query_scalar(
        "SELECT reason FROM signature_events WHERE signature_id = $1 AND to_state = 'rejected'",
    )
    .bind(marsh_id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(
        reason, "Erased signer is not a real group",
        "the history keeps its shape"
    );
    // Undoing the rejection cannot list an erased signature: its state never changes again.
    let r = owner
        .post_form(&decide, &[("decision", "restore"), ("reason", "")])
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    let state: String = sqlx::query_scalar("SELECT state FROM signatures WHERE id = $1")
        .bind(marsh_id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(state, "rejected");
    assert_eq!(signature_count(&app, AMIRA).await, 1);
    let listed = listed_names(&app.client().get(&public).await.body);
    assert!(listed.contains(&HERON.to_owned()), "{listed:?}");
    assert!(!listed.contains(&"Marsh Keepers".to_owned()));
    assert_eq!(client.get(&heron_link).await.status, 200);
    assert_eq!(erased_signers(&app, "water").await, 1);
}

#[tokio::test]
async fn retention_anonymizes_contact_details_six_months_after_closing_once() {
    let app = TestApp::spawn().await;
    let (owner, path, public) = setup(&app).await;
    heron_signs(&app, &public).await;
    // A second campaign is never closed by hand: its hard deadline (16 December 2026,
    // 17:00 UTC) closes it.
    let (lake_path, lake) = open_campaign(&owner, "river", "lake", &[]).await;
    sign_and_confirm(&app, &lake, "Marsh Keepers", "rosa@marsh.example").await;
    let settings = owner.get(&format!("{path}/settings")).await;
    assert_eq!(
        field_value(&settings.body, "retention_months").as_deref(),
        Some("6")
    );
    let r = set_status(&owner, &path, "close").await;
    assert_eq!(r.status, 303, "{}", r.body);
    let closed_at: time::OffsetDateTime =
        sqlx::query_scalar("SELECT closed_at FROM campaigns WHERE slug = 'water'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(closed_at, app.clock.now());

    // Five months on: nothing yet.
    app.clock.set(datetime!(2027-04-25 12:00 UTC));
    assert_eq!(app.run_scheduler().await.retention, 0);
    assert_eq!(signature_count(&app, AMIRA).await, 1);

    // Six months after closing: the water campaign's signers (Heron Watch and the host
    // organization), not the lake's (its deadline passed later).
    app.clock.set(datetime!(2027-05-25 13:00 UTC));
    assert_eq!(app.run_scheduler().await.retention, 2);
    assert_eq!(signature_count(&app, AMIRA).await, 0);
    assert_eq!(traces(&app, AMIRA).await, Vec::<String>::new());
    assert_eq!(traces(&app, "+44 20 7946 0321").await, Vec::<String>::new());
    assert_eq!(traces(&app, "Happy to help").await, Vec::<String>::new());
    let (name, city, contact, email): (String, String, String, String) = sqlx::query_as(
        "SELECT name, city, contact_name, email::text FROM signatures WHERE name = $1",
    )
    .bind(HERON)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(
        (name.as_str(), city.as_str(), contact.as_str()),
        (HERON, "Springfield", "")
    );
    assert!(email.starts_with("anonymized+") && email.ends_with("@invalid"));
    // The public record stays.
    assert!(listed_names(&app.client().get(&public).await.body).contains(&HERON.to_owned()));
    assert_eq!(signature_count(&app, "rosa@marsh.example").await, 1);

    // Once.
    assert_eq!(app.run_scheduler().await.retention, 0);
    assert_eq!(app.count("SELECT count(*) FROM retention_runs").await, 1);

    // Organizers see what it did.
    let owner = app.log_in("ana@river.example").await;
    let settings = owner.get(&format!("{path}/settings")).await;
    assert!(
        settings
            .body
            .contains("Contact details of 2 signers were anonymized on 25 May 2027, as the campaign&#39;s retention setting says."),
        "{}",
        settings.body
    );

    // The lake's hard deadline closed it: six months after that, its turn.
    app.clock.set(datetime!(2027-06-16 16:00 UTC));
    assert_eq!(app.run_scheduler().await.retention, 0);
    app.clock.set(datetime!(2027-06-16 17:01 UTC));
    assert_eq!(app.run_scheduler().await.retention, 2);
    assert_eq!(signature_count(&app, "rosa@marsh.example").await, 0);
    let owner = app.log_in("ana@river.example").await;
    let settings = owner.get(&format!("{lake_path}/settings")).await;
    assert!(
        settings.body.contains("anonymized on 16 June 2027"),
        "{}",
        settings.body
    );
}

#[tokio::test]
async fn retention_zero_keeps_contact_details_and_the_setting_is_bounded() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let (path, public) =
        open_campaign(&owner, "river", "water", &[("retention_months", "0")]).await;
    heron_signs(&app, &public).await;
    let settings = owner.get(&format!("{path}/settings")).await;
    assert_eq!(
        field_value(&settings.body, "retention_months").as_deref(),
        Some("0")
    );

    // Out of bounds is refused with the reason, and nothing is saved.
    let mut fields = support::campaigns::campaign_fields("Keep the water clean", "water");
    fields.retain(|(k, _)| *k != "letter" && *k != "host_signs");
    let mut too_long = fields.clone();
    too_long.push(("retention_months", "121"));
    let r = owner
        .post_form(&format!("{path}/settings"), &too_long)
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("from 1 to 120, or 0 to keep"));
    let months: i32 =
        sqlx::query_scalar("SELECT retention_months FROM campaigns WHERE slug = 'water'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(months, 0);

    assert_eq!(set_status(&owner, &path, "close").await.status, 303);
    app.clock.set(datetime!(2028-01-01 12:00 UTC));
    assert_eq!(app.run_scheduler().await.retention, 0);
    assert_eq!(signature_count(&app, AMIRA).await, 1);
    assert_eq!(app.count("SELECT count(*) FROM retention_runs").await, 0);

    // Reopened, closed again and set to 12 months: counted from the new closing.
    let owner = app.log_in("ana@river.example").await;
    assert_eq!(set_status(&owner, &path, "reopen").await.status, 303);
    let closed: Option<time::OffsetDateTime> =
        sqlx::query_scalar("SELECT closed_at FROM campaigns WHERE slug = 'water'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(closed, None, "reopening clears closed_at");
    let mut year = fields.clone();
    year.push(("retention_months", "12"));
    assert_eq!(
        owner
            .post_form(&format!("{path}/settings"), &year)
            .await
            .status,
        303
    );
    assert_eq!(set_status(&owner, &path, "close").await.status, 303);
    app.clock.set(datetime!(2028-12-31 12:00 UTC));
    assert_eq!(app.run_scheduler().await.retention, 0);
    app.clock.set(datetime!(2029-01-01 12:01 UTC));
    assert_eq!(app.run_scheduler().await.retention, 2);
    assert_eq!(signature_count(&app, AMIRA).await, 0);
}

#[tokio::test]
async fn one_erasure_covers_the_address_in_every_campaign_of_the_group_and_no_other_group() {
    let app = TestApp::spawn().await;
    let (owner, _path, public) = setup(&app).await;
    let (_, lake) = open_campaign(&owner, "river", "lake", &[]).await;
    let hill_owner = app.signup("hill", "hal@hill.example").await;
    let (_, peak) = open_campaign(&hill_owner, "hill", "peak", &[]).await;
    let water_link = heron_signs(&app, &public).await;
    heron_signs(&app, &lake).await;
    heron_signs(&app, &peak).await;
    assert_eq!(signature_count(&app, AMIRA).await, 3);

    // The download and the erasure page name both of this group's signatures, and
    // nothing of the other group.
    let signer = app.client();
    let data: serde_json::Value =
        serde_json::from_str(&signer.get(&format!("{water_link}/data")).await.body).unwrap();
    let campaigns: Vec<&str> = data["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["campaign_address"].as_str().unwrap())
        .collect();
    assert_eq!(campaigns, ["/river/water", "/river/lake"]);
    let page = signer.get(&format!("{water_link}/erase")).await;
    assert!(
        page.body.contains("Keep the water clean") && page.body.contains("Keep the lake clean")
    );
    assert!(!page.body.contains("Keep the peak clean"));

    let r = signer.post_form(&format!("{water_link}/erase"), &[]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("Your 2 signatures"));
    assert_eq!(erased_signers(&app, "water").await, 1);
    assert_eq!(erased_signers(&app, "lake").await, 1);
    assert!(!listed_names(&app.client().get(&lake).await.body).contains(&HERON.to_owned()));

    // The other group still holds what it holds, and only there is the address found.
    assert!(listed_names(&app.client().get(&peak).await.body).contains(&HERON.to_owned()));
    let hill_rows: i64 = app
        .count(&format!(
            "SELECT count(*) FROM signatures s JOIN tenants t ON t.id = s.tenant_id WHERE t.slug = 'hill' AND s.email = '{AMIRA}'"
        ))
        .await;
    assert_eq!(hill_rows, 1);
    assert_eq!(signature_count(&app, AMIRA).await, 1);
    let outside_hill: i64 = app
        .count(&format!(
            "SELECT count(*) FROM outbox o JOIN tenants t ON t.id = o.tenant_id WHERE t.slug <> 'hill' AND o.recipient = '{AMIRA}'"
        ))
        .await;
    assert_eq!(outside_hill, 0);
    assert!(
        app.count(&format!(
            "SELECT count(*) FROM outbox WHERE recipient = '{AMIRA}'"
        ))
        .await
            > 0
    );
}

/// A reissue copies a signer into the new statement and emails them: erasing from the
/// new statement's link leaves no trace of them in either campaign, the ledger or mail.
#[tokio::test]
async fn erasure_reaches_a_reissued_signature_and_its_invitation() {
    let app = TestApp::spawn().await;
    let (owner, path, public) = setup(&app).await;
    heron_signs(&app, &public).await;
    assert_eq!(set_status(&owner, &path, "close").await.status, 303);
    let fields = [
        ("title", "Keep the basin clean"),
        ("slug", "basin"),
        ("soft_deadline", "2026-12-20T17:00"),
        ("hard_deadline", "2026-12-31T17:00"),
        ("mode", "opt_in"),
        ("opt_out_by", ""),
        ("letter", "# Dear Governor\n\nThe whole basin, please."),
    ];
    let mut preview: Vec<(&str, &str)> = fields.to_vec();
    preview.push(("step", "preview"));
    let checked = owner.post_form(&format!("{path}/reissue"), &preview).await;
    assert_eq!(checked.status, 200, "{}", checked.body);
    let previewed = input_value(&checked.body, "previewed").unwrap();
    let mut send: Vec<(&str, &str)> = fields.to_vec();
    send.push(("step", "send"));
    send.push(("previewed", &previewed));
    let r = owner.post_form(&format!("{path}/reissue"), &send).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let link = app.link_mailed_to(AMIRA, "/river/basin/signature/").await;
    // The invitation names them (the confirmation email names nobody).
    assert!(!mail_mentioning(&app, HERON).is_empty());
    assert_eq!(signature_count(&app, AMIRA).await, 2);

    let signer = app.client();
    let page = signer.get(&format!("{link}/erase")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let done = signer.post_form(&format!("{link}/erase"), &[]).await;
    assert_eq!(done.status, 200, "{}", done.body);
    for needle in [AMIRA, HERON, AMIRA_NAME, "+44 20 7946 0321"] {
        assert_eq!(traces(&app, needle).await, Vec::<String>::new(), "{needle}");
        assert_eq!(
            mail_mentioning(&app, needle),
            Vec::<String>::new(),
            "{needle}"
        );
    }
    // The ledger keeps its shape, without the name.
    assert_eq!(
        app.count("SELECT count(*) FROM reissue_decisions").await,
        2,
        "asked, then withdrew by erasing"
    );
    let ledger = owner.get("/app/river/campaigns/basin/reissue").await;
    assert!(
        ledger.body.contains("erased at their request"),
        "{}",
        ledger.body
    );
}

// ---------------------------------------------------------------------------------
// Erasure touches one person: rows found by id or by the exact address, never by text.

/// Every row of every table in schema public, as JSON, by table.
async fn snapshot(app: &TestApp) -> BTreeMap<String, Vec<serde_json::Value>> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert!(tables.len() > 30, "every table: {tables:?}");
    let mut all = BTreeMap::new();
    for table in tables {
        let rows: Vec<serde_json::Value> =
            sqlx::query_scalar(&format!("SELECT to_jsonb(t) FROM \"{table}\" t"))
                .fetch_all(&app.db)
                .await
                .unwrap();
        all.insert(table, rows);
    }
    all
}

/// A row that differs between two snapshots: before (None: added) and after (None: gone).
type Change = (String, Option<serde_json::Value>, Option<serde_json::Value>);

/// The rows that differ, paired by `id` where a table has one, else whole rows.
fn changes(
    before: &BTreeMap<String, Vec<serde_json::Value>>,
    after: &BTreeMap<String, Vec<serde_json::Value>>,
) -> Vec<Change> {
    let mut found = Vec::new();
    for (table, old_rows) in before {
        let new_rows = &after[table];
        let key = |row: &serde_json::Value| match row.get("id") {
            Some(id) => id.to_string(),
            None => row.to_string(),
        };
        let old: BTreeMap<String, &serde_json::Value> =
            old_rows.iter().map(|r| (key(r), r)).collect();
        let new: BTreeMap<String, &serde_json::Value> =
            new_rows.iter().map(|r| (key(r), r)).collect();
        for (k, row) in &old {
            match new.get(k) {
                Some(now) if now == row => {}
                now => found.push((
                    table.clone(),
                    Some((*row).clone()),
                    now.map(|r| (*r).clone()),
                )),
            }
        }
        for (k, row) in &new {
            if !old.contains_key(k) {
                found.push((table.clone(), None, Some((*row).clone())));
            }
        }
    }
    found
}

fn text<'a>(row: &'a serde_json::Value, field: &str) -> &'a str {
    row.get(field).and_then(|v| v.as_str()).unwrap_or("")
}

/// The fields of two versions of a row that differ.
fn differing(before: &serde_json::Value, after: &serde_json::Value) -> Vec<String> {
    let (Some(b), Some(a)) = (before.as_object(), after.as_object()) else {
        return vec!["(not objects)".into()];
    };
    b.keys()
        .chain(a.keys())
        .filter(|k| b.get(*k) != a.get(*k))
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// A message to someone else in which exactly one entry of one list (the erased
/// person's name there) became `replacement`, and nothing else changed but the
/// forgotten written copy.
fn only_one_entry_replaced(
    before: &serde_json::Value,
    after: &serde_json::Value,
    was: &str,
    replacement: &str,
) -> bool {
    if !differing(before, after)
        .iter()
        .all(|f| f == "message" || f == "transport_id")
    {
        return false;
    }
    let (old, new) = (&before["message"], &after["message"]);
    if differing(old, new).len() != 1 {
        return false;
    }
    let list = &differing(old, new)[0];
    let (Some(old_list), Some(new_list)) = (old[list].as_array(), new[list].as_array()) else {
        return false;
    };
    let changed: Vec<usize> = (0..old_list.len())
        .filter(|&i| old_list.get(i) != new_list.get(i))
        .collect();
    old_list.len() == new_list.len()
        && changed.len() == 1
        && old_list[changed[0]]
            .as_str()
            .is_some_and(|s| s.starts_with(was))
        && new_list[changed[0]] == replacement
}

const CLEAN: &str = "clean@water.example";

fn common_words_fields(contact: &str) -> Vec<(&str, &str)> {
    vec![
        ("kind", "organization"),
        ("organization", "Water"),
        ("website", ""),
        ("city", "Springfield"),
        ("size", "local"),
        ("contact_name", contact),
        ("contact_title", "Director"),
        ("email", CLEAN),
        ("authorized", "on"),
    ]
}

#[tokio::test]
async fn erasing_a_signer_named_with_common_words_changes_no_other_row() {
    let app = TestApp::spawn().await;
    // The campaign "Keep the water clean"; its points say "Clean water is a right".
    let (owner, path, public) = setup(&app).await;
    let (_, lake) = open_campaign(&owner, "river", "lake", &[]).await;
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
    // The person: the organization "Water", contact "Clean", confirmed on the water
    // campaign; and on the lake's, pending, with the contact name of an email kind.
    let r = sign(&app, &public, &common_words_fields("Clean")).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let link = confirm(&app, CLEAN).await;
    let r = sign(&app, &lake, &common_words_fields("outreach_ask")).await;
    assert_eq!(r.status, 303, "{}", r.body);
    // Everybody else, with the same words in their names and mail.
    sign_and_confirm(&app, &public, "Clean Rivers Trust", "lee@rivers.example").await;
    sign_and_confirm(&app, &public, "Marsh Keepers", "rosa@marsh.example").await;
    let energy = add_prospect(
        &owner,
        &path,
        "Clean Energy Co",
        "Sam Clean",
        "sam@energy.example",
    )
    .await;
    let works = add_prospect(&owner, &path, "Water Works", "Jo Water", "jo@works.example").await;
    // Kept aside by an import: a row with their address, and rows with their words, a
    // near address or none.
    import_keeping_rows_aside(
        &owner,
        &path,
        &format!(
            "organization,email,owner\nReed Beds,reed@beds.example,\nWater,{},Nobody Here\nClean Water Fund,fund@clean.example,Nobody Here\nWater Clean,clean@waters.example,Nobody Here\nClean,,Nobody Here\n",
            CLEAN.to_uppercase()
        ),
    )
    .await;
    assert_eq!(
        app.count("SELECT count(*) FROM prospect_import_kept_rows")
            .await,
        4
    );
    ask_saying(
        &owner,
        &path,
        &energy,
        Some("Join Clean Water: outreach_ask"),
    )
    .await;
    // The organizers' digest names the new signers, Water among them; then it all goes.
    assert_eq!(app.run_scheduler().await.digests, 1);
    app.dispatch_mail().await;
    // A week on, the member update lists Water to every listed signer (sent)...
    app.clock.set(datetime!(2026-12-02 13:00 UTC));
    assert_eq!(app.run_scheduler().await.member_updates, 1);
    app.dispatch_mail().await;
    // ...and a week later another one waits to go out, with an ask, deadline reminders
    // and a confirmation email to other people.
    let owner = app.log_in("ana@river.example").await;
    ask_saying(
        &owner,
        &path,
        &works,
        Some("Join Clean Water: outreach_ask"),
    )
    .await;
    let r = sign(
        &app,
        &public,
        &organization("Water Watch", "wat@watch.example"),
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    app.clock.set(datetime!(2026-12-09 14:00 UTC));
    assert_eq!(app.run_scheduler().await.member_updates, 1);
    let pending_to_others = app
        .count(&format!(
            "SELECT count(*) FROM outbox WHERE status = 'pending' AND recipient <> '{CLEAN}'"
        ))
        .await;
    let sent_to_others = app
        .count(&format!(
            "SELECT count(*) FROM outbox WHERE status = 'sent' AND recipient <> '{CLEAN}'"
        ))
        .await;
    assert!(pending_to_others >= 6, "{pending_to_others}");
    assert!(sent_to_others >= 7, "{sent_to_others}");
    let kinds: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT message->>'kind' FROM outbox WHERE status = 'pending' ORDER BY 1",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    for kind in ["confirm_signature", "member_update", "outreach_ask"] {
        assert!(kinds.contains(&kind.to_owned()), "{kind} waits: {kinds:?}");
    }
    let their_signatures: Vec<String> =
        sqlx::query_scalar("SELECT id::text FROM signatures WHERE email = $1::citext")
            .bind(CLEAN)
            .fetch_all(&app.db)
            .await
            .unwrap();
    assert_eq!(their_signatures.len(), 2);
    let their_campaigns: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT campaign_id::text FROM signatures WHERE email = $1::citext",
    )
    .bind(CLEAN)
    .fetch_all(&app.db)
    .await
    .unwrap();

    let before = snapshot(&app).await;
    let r = app.client().post_form(&format!("{link}/erase"), &[]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("Your 2 signatures"), "{}", r.body);
    let after = snapshot(&app).await;

    // Each changed row is provably about them; every other row of every table is as it was.
    let mine = |id: &str| their_signatures.iter().any(|s| s == id);
    let mut replaced_entries = 0;
    let mut unexplained = Vec::new();
    for (table, old, new) in changes(&before, &after) {
        let row = old.as_ref().or(new.as_ref()).unwrap();
        let about_them = match table.as_str() {
            "signatures" => mine(text(row, "id")),
            "signature_events"
            | "signature_links"
            | "signature_consents"
            | "referrals"
            | "member_update_names"
            | "outreach_digest_lines"
            | "consent_notices" => mine(text(row, "signature_id")),
            "campaigns" => {
                their_campaigns.iter().any(|c| c == text(row, "id"))
                    && differing(old.as_ref().unwrap(), new.as_ref().unwrap())
                        .iter()
                        .all(|f| {
                            [
                                "erased_signers",
                                "public_removals",
                                "public_version",
                                "updated_at",
                            ]
                            .contains(&f.as_str())
                        })
            }
            "outbox" => match (&old, &new) {
                (Some(old), _) if text(old, "recipient").eq_ignore_ascii_case(CLEAN) => true,
                (Some(old), Some(new)) => {
                    let listed = only_one_entry_replaced(old, new, "Water", "Erased signer");
                    replaced_entries += usize::from(listed);
                    listed
                }
                _ => false,
            },
            // A row kept aside whose email cell was their address, deleted whole.
            "prospect_import_kept_rows" => {
                new.is_none()
                    && row["emails"].as_array().is_some_and(|e| {
                        e.iter()
                            .any(|e| e.as_str().is_some_and(|e| e.eq_ignore_ascii_case(CLEAN)))
                    })
            }
            // The import that kept that row counts one more erased.
            "prospect_imports" => match (&old, &new) {
                (Some(old), Some(new)) => {
                    differing(old, new) == ["kept_rows_erased"]
                        && old["kept_rows_erased"] == 0
                        && new["kept_rows_erased"] == 1
                }
                _ => false,
            },
            // The erasure request's own count for the rate limit.
            "rate_limit_hits" => old.is_none(),
            _ => false,
        };
        if !about_them {
            unexplained.push(format!("{table}: {old:?} -> {new:?}"));
        }
    }
    assert_eq!(
        unexplained,
        Vec::<String>::new(),
        "rows not about the erased signer changed"
    );
    // The digest and both updates to the two other listed signers and the host: one
    // entry each, and it is theirs.
    assert_eq!(replaced_entries, 1 + 2 * 3);
    assert_eq!(
        app.count("SELECT count(*) FROM prospect_import_kept_rows")
            .await,
        3,
        "only the row with their address went"
    );
    assert_eq!(traces(&app, CLEAN).await, Vec::<String>::new());
    assert_eq!(mail_mentioning(&app, CLEAN), Vec::<String>::new());
    let names: Vec<String> =
        sqlx::query_scalar("SELECT name FROM signatures WHERE id::text = ANY ($1) ORDER BY name")
            .bind(&their_signatures)
            .fetch_all(&app.db)
            .await
            .unwrap();
    assert_eq!(names, ["Erased signer", "Erased signer"]);

    // The mail waiting for others goes out as it was written, and works.
    app.dispatch_mail().await;
    let to_jo = app.mail_to("jo@works.example");
    let ask = to_jo
        .iter()
        .find(|m| m.subject == "Join Clean Water: outreach_ask")
        .expect("the ask to Jo went out");
    let personal = support::links_in(&ask.text)
        .into_iter()
        .find(|l| l.contains("/river/water"))
        .expect("the ask carries its link");
    let path_of = personal.split_once("://").unwrap().1;
    let path_of = &path_of[path_of.find('/').unwrap()..];
    assert_eq!(app.client().get(path_of).await.status, 200, "{personal}");
    assert_eq!(
        app.count("SELECT count(*) FROM outbox WHERE status <> 'sent'")
            .await,
        0,
        "nothing failed"
    );
}

#[tokio::test]
async fn a_suggestion_naming_the_signers_address_and_the_prospect_made_from_it_are_erased() {
    let app = TestApp::spawn().await;
    let (_owner, _path, public) = setup(&app).await;
    let heron_link = heron_signs(&app, &public).await;
    sign_and_confirm(&app, &public, "Marsh Keepers", "rosa@marsh.example").await;
    let marsh_link = app
        .link_mailed_to("rosa@marsh.example", "/signature/")
        .await;
    // Marsh Keepers names Amira (with other words than hers) and someone else.
    suggest_person(
        &app,
        &marsh_link,
        "A. Haddad",
        "Kite Society",
        " Amira@Heron.example ",
    )
    .await;
    suggest(&app, &marsh_link).await;
    assert_eq!(app.run_scheduler().await.referrals, 2);
    assert_eq!(
        app.count("SELECT count(*) FROM prospects p JOIN organizations o ON o.id = p.organization_id WHERE o.name IN ('Kite Society', 'Otter Club')")
            .await,
        2
    );

    let page = app.client().get(&format!("{heron_link}/erase")).await;
    assert!(
        page.body
            .contains("a suggestion other signers made with your address"),
        "{}",
        page.body
    );
    let r = app
        .client()
        .post_form(&format!("{heron_link}/erase"), &[])
        .await;
    assert_eq!(r.status, 200, "{}", r.body);

    // The suggestion naming her, its prospect, contact and log are gone.
    for needle in [AMIRA, "A. Haddad", "Kite Society"] {
        assert_eq!(traces(&app, needle).await, Vec::<String>::new(), "{needle}");
    }
    assert_eq!(
        app.count("SELECT count(*) FROM organizations WHERE name = 'Kite Society'")
            .await,
        0
    );
    // Marsh Keepers' other suggestion, its prospect and contact stay as they were.
    assert_eq!(
        app.count(
            "SELECT count(*) FROM referrals f JOIN prospects p ON p.referral_id = f.id
             JOIN organizations o ON o.id = p.organization_id
             JOIN people c ON c.organization_id = p.organization_id
             WHERE f.email = 'kim@otter.example' AND o.name = 'Otter Club' AND p.referred_by = 'Marsh Keepers'
               AND c.name = 'Kim Park' AND c.email = 'kim@otter.example'"
        )
        .await,
        1
    );
    assert_eq!(signature_count(&app, "rosa@marsh.example").await, 1);
}

#[tokio::test]
async fn an_individual_signing_with_an_organizations_name_erases_nothing_of_it() {
    let app = TestApp::spawn().await;
    let (_owner, _path, public) = setup(&app).await;
    // Heron Watch suggests Otter Club: its prospect is "referred by Heron Watch".
    let heron_link = heron_signs(&app, &public).await;
    suggest(&app, &heron_link).await;
    assert_eq!(app.run_scheduler().await.referrals, 1);
    // Someone signs as an individual under Heron Watch's name, then erases themselves.
    let r = sign(
        &app,
        &public,
        &[
            ("kind", "individual"),
            ("name", HERON),
            ("email", "someone@else.example"),
            ("city", "Springfield"),
            ("affiliation", ""),
        ],
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let link = confirm(&app, "someone@else.example").await;
    let r = app.client().post_form(&format!("{link}/erase"), &[]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(signature_count(&app, "someone@else.example").await, 0);

    // Heron Watch's suggestion keeps its "referred by", and Heron Watch stays listed.
    let referred_by: String =
        sqlx::query_scalar("SELECT p.referred_by FROM prospects p JOIN organizations o ON o.id = p.organization_id WHERE o.name = 'Otter Club'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(referred_by, HERON);
    assert!(listed_names(&app.client().get(&public).await.body).contains(&HERON.to_owned()));
    // Heron Watch's own erasure does clear it.
    let r = app
        .client()
        .post_form(&format!("{heron_link}/erase"), &[])
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        app.count("SELECT count(*) FROM prospects p JOIN organizations o ON o.id = p.organization_id WHERE o.name = 'Otter Club' AND p.referred_by = ''")
            .await,
        1
    );
}

/// A kept row goes only when its email cell is the address whole: an address that merely
/// contains it, or the address in another column, is somebody else's row and stays.
#[tokio::test]
async fn only_kept_rows_whose_email_cell_is_the_address_are_erased() {
    let app = TestApp::spawn().await;
    let (owner, path, public) = setup(&app).await;
    let link = heron_signs(&app, &public).await;
    let import = import_keeping_rows_aside(
        &owner,
        &path,
        "organization,email,owner
Osprey Trust,os@osprey.example,
Kite Friends,Amira@Heron.Example,Nobody Here
Longer Address,amira@heron.example.org,Nobody Here
Prefixed Address,xamira@heron.example,Nobody Here
Owner Column,ben@kite.example,amira@heron.example
",
    )
    .await;
    assert_eq!(
        app.count("SELECT count(*) FROM prospect_import_kept_rows")
            .await,
        4
    );
    let r = app.client().post_form(&format!("{link}/erase"), &[]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let left: Vec<Vec<String>> = sqlx::query_scalar(
        "SELECT emails::text[] FROM prospect_import_kept_rows ORDER BY position",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(
        left,
        [
            vec!["amira@heron.example.org".to_owned()],
            vec!["xamira@heron.example".to_owned()],
            vec!["ben@kite.example".to_owned()],
        ]
    );
    let page = owner.get(&import).await;
    assert!(
        page.body.contains("3 rows kept aside to fix"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("Kite Friends"));
}
