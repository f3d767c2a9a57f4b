//! The group's touch limits across campaigns: a person asked for one letter is not
//! reminded about another two days later (the reason, naming the first letter, is in the
//! second campaign's log), passes once the gap is over; six touches in 30 days across
//! campaigns hold the seventh; a manual ask warns and sends only when confirmed; a
//! group-wide hold stops asks and reminders in every campaign; and the book's settings
//! page, where organizers change the limits.

use time::macros::datetime;

use crate::support;

use support::campaigns::{
    add_prospect_with, create_campaign, input_textarea, input_value, set_status,
};
use support::{Client, TestApp};

const MAYA: &str = "maya@ohiovalley.example";
const KEISHA: &str = "keisha@appvoices.example";

/// The gap's reason, as the scheduler's log and the preview word it.
const ASKED_FOR_RIVER: &str = "asked for the letter “Keep the river clean”";

struct Group {
    owner: Client,
    /// Campaign "river" (soft deadline 20 December): where Keisha is asked first.
    river: String,
    /// Campaign "water" (soft deadline 9 December, reminders 3 and 1 days before).
    water: String,
    /// Appalachian Voices in "water" and in "river": one organization of the book.
    water_prospect: String,
    river_prospect: String,
}

/// The group "ohio" with two open campaigns asking the same organization, Appalachian
/// Voices (Keisha Grant).
async fn setup(app: &TestApp) -> Group {
    let owner = app.signup("ohio", MAYA).await;
    let water = create_campaign(&owner, "ohio", "water", &[]).await;
    let river = create_campaign(
        &owner,
        "ohio",
        "river",
        &[
            ("soft_deadline", "2026-12-20T17:00"),
            ("hard_deadline", "2026-12-27T17:00"),
        ],
    )
    .await;
    for path in [&water, &river] {
        let r = set_status(&owner, path, "open").await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    let water_prospect = add_prospect_with(
        &owner,
        &water,
        &[
            ("name", "Appalachian Voices"),
            ("contact_name", "Keisha Grant"),
            ("contact_email", KEISHA),
        ],
    )
    .await;
    // The same organization of the book joins the second campaign.
    let river_prospect: String = sqlx::query_scalar(
        "INSERT INTO prospects (id, tenant_id, campaign_id, organization_id, created_at)
         SELECT gen_random_uuid(), p.tenant_id, c.id, p.organization_id, now()
         FROM prospects p JOIN campaigns c ON c.tenant_id = p.tenant_id AND c.slug = 'river'
         WHERE p.id = $1::uuid RETURNING id::text",
    )
    .bind(&water_prospect)
    .fetch_one(&app.db)
    .await
    .unwrap();
    Group {
        owner,
        river,
        water,
        water_prospect,
        river_prospect,
    }
}

async fn preview(owner: &Client, path: &str, prospect: &str) -> support::Response {
    let r = owner
        .post_form(
            &format!("{path}/outreach/ask"),
            &[("prospect", prospect), ("kind", "ask")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r
}

/// Sends a preview as it shows; `confirm`: also to those above the touch limits.
async fn send(owner: &Client, path: &str, preview: &str, confirm: bool) {
    let batch = input_value(preview, "batch").unwrap();
    let body = input_textarea(preview, "body");
    let mut fields: Vec<(&str, &str)> = vec![
        ("batch", &batch),
        ("kind", "ask"),
        ("subject", "Will {organization} sign?"),
        ("body", &body),
    ];
    if confirm {
        fields.push(("include_warned", "on"));
    }
    let contacts: Vec<String> = preview
        .split("name=\"contact\" value=\"")
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].to_owned())
        .collect();
    for c in &contacts {
        fields.push(("contact", c));
    }
    let r = owner
        .post_form(&format!("{path}/outreach/ask/send"), &fields)
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
}

/// Asks the prospect at the clock's moment (a fresh login: the clock may have moved).
async fn ask(app: &TestApp, path: &str, prospect: &str) {
    let owner = app.log_in(MAYA).await;
    let shown = preview(&owner, path, prospect).await;
    send(&owner, path, &shown.body, true).await;
}

async fn asks_to_keisha(app: &TestApp) -> i64 {
    app.count(
        "SELECT count(*) FROM outbox WHERE message ->> 'kind' = 'outreach_ask' AND recipient = 'keisha@appvoices.example'",
    )
    .await
}

async fn reminders_to_keisha(app: &TestApp) -> i64 {
    app.count(
        "SELECT count(*) FROM outbox WHERE message ->> 'kind' = 'outreach_reminder' AND recipient = 'keisha@appvoices.example'",
    )
    .await
}

/// A prospect's page as its campaign's organizers read it, entities unescaped.
async fn prospect_page(app: &TestApp, path: &str, prospect: &str) -> String {
    let owner = app.log_in(MAYA).await;
    let page = owner
        .get(&format!("{path}/outreach/prospects/{prospect}"))
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    support::unescape(&page.body)
}

#[tokio::test]
async fn a_person_asked_in_one_campaign_is_not_reminded_in_another_two_days_later() {
    let app = TestApp::spawn().await;
    let g = setup(&app).await;
    // Asked for "water" on 25 November, for "river" on 4 December.
    ask(&app, &g.water, &g.water_prospect).await;
    app.clock.set(datetime!(2026-12-04 18:00 UTC));
    ask(&app, &g.river, &g.river_prospect).await;
    assert_eq!(asks_to_keisha(&app).await, 2);

    // "water"'s 3-day reminder is due on 6 December: two days after the river ask.
    app.clock.set(datetime!(2026-12-06 18:00 UTC));
    let report = app.run_scheduler().await;
    assert_eq!((report.reminders, report.skipped), (0, 1));
    assert_eq!(reminders_to_keisha(&app).await, 0);
    let page = prospect_page(&app, &g.water, &g.water_prospect).await;
    assert!(
        page.contains(&format!(
            "The 3-day deadline reminder to {KEISHA} was not sent: {ASKED_FOR_RIVER} 2 days ago (the group allows one touch every 3 days)."
        )),
        "{page}"
    );
    // The river campaign's own log knows nothing of it.
    let river = prospect_page(&app, &g.river, &g.river_prospect).await;
    assert!(!river.contains("was not sent"), "{river}");

    // The 1-day reminder, four days after the river ask: the gap is over.
    app.clock.set(datetime!(2026-12-08 18:00 UTC));
    let report = app.run_scheduler().await;
    assert_eq!((report.reminders, report.skipped), (1, 0));
    assert_eq!(reminders_to_keisha(&app).await, 1);
}

#[tokio::test]
async fn six_touches_in_thirty_days_across_campaigns_hold_the_seventh() {
    let app = TestApp::spawn().await;
    let g = setup(&app).await;
    // Five calls for the river letter in November, three days apart.
    sqlx::query(
        "INSERT INTO outreach_activities (tenant_id, campaign_id, prospect_id, organization_id, contact_id, kind, body, author_name, at)
         SELECT p.tenant_id, p.campaign_id, p.id, p.organization_id, pe.id, 'call', 'Talked it through', 'Maya Okafor',
                timestamptz '2026-11-09 15:00+00' + n * interval '3 days'
         FROM prospects p JOIN people pe ON pe.organization_id = p.organization_id, generate_series(0, 4) n
         WHERE p.id = $1::uuid",
    )
    .bind(&g.river_prospect)
    .execute(&app.db)
    .await
    .unwrap();
    // The sixth: the water ask on 25 November (five touches so far, the last three days ago).
    let owner = app.log_in(MAYA).await;
    let shown = preview(&owner, &g.water, &g.water_prospect).await;
    assert!(shown.body.contains("badge ok"), "{}", shown.body);
    send(&owner, &g.water, &shown.body, false).await;
    assert_eq!(asks_to_keisha(&app).await, 1);

    // The seventh, water's reminder on 6 December, would be the seventh in 30 days.
    app.clock.set(datetime!(2026-12-06 18:00 UTC));
    let report = app.run_scheduler().await;
    assert_eq!((report.reminders, report.skipped), (0, 1));
    let page = prospect_page(&app, &g.water, &g.water_prospect).await;
    assert!(
        page.contains("was not sent: touched 6 times in 30 days across the group's campaigns (the limit is 6)."),
        "{page}"
    );
    // The 1-day reminder on 8 December: all six are still within 30 days.
    app.clock.set(datetime!(2026-12-08 18:00 UTC));
    let report = app.run_scheduler().await;
    assert_eq!(
        (report.reminders, report.skipped),
        (0, 1),
        "still six in 30 days"
    );
    assert_eq!(reminders_to_keisha(&app).await, 0);
}

#[tokio::test]
async fn a_manual_ask_warns_with_the_other_campaign_and_sends_only_when_confirmed() {
    let app = TestApp::spawn().await;
    let g = setup(&app).await;
    ask(&app, &g.river, &g.river_prospect).await;
    app.clock.set(datetime!(2026-11-26 18:00 UTC));
    let owner = app.log_in(MAYA).await;
    let shown = preview(&owner, &g.water, &g.water_prospect).await;
    let text = support::unescape(&shown.body);
    assert!(
        text.contains(&format!(
            "{ASKED_FOR_RIVER} 1 day ago (the group allows one touch every 3 days)"
        )),
        "{text}"
    );
    assert!(
        text.contains("Also send to the 1 contact above the touch limits"),
        "{text}"
    );
    assert!(
        text.contains("0 contacts will get it; 1 more only if you say so"),
        "{text}"
    );

    // Sent without confirming: nothing goes to her.
    send(&owner, &g.water, &shown.body, false).await;
    assert_eq!(asks_to_keisha(&app).await, 1, "only the river ask");
    // Confirmed: it goes.
    let shown = preview(&owner, &g.water, &g.water_prospect).await;
    send(&owner, &g.water, &shown.body, true).await;
    assert_eq!(asks_to_keisha(&app).await, 2);
}

#[tokio::test]
async fn a_group_wide_hold_stops_asks_and_reminders_in_every_campaign() {
    let app = TestApp::spawn().await;
    let g = setup(&app).await;
    ask(&app, &g.water, &g.water_prospect).await;
    // "Do not approach until their board meets", for every campaign, with no end date.
    sqlx::query(
        "UPDATE organizations SET hold_reason = 'until their board meets in January'
         WHERE id = (SELECT organization_id FROM prospects WHERE id = $1::uuid)",
    )
    .bind(&g.water_prospect)
    .execute(&app.db)
    .await
    .unwrap();

    app.clock.set(datetime!(2026-12-06 18:00 UTC));
    let owner = app.log_in(MAYA).await;
    for (path, prospect) in [(&g.river, &g.river_prospect), (&g.water, &g.water_prospect)] {
        let shown = preview(&owner, path, prospect).await;
        assert!(
            shown.body.contains(
                "not sent: on hold for every campaign: until their board meets in January"
            ),
            "{}",
            shown.body
        );
        assert!(!shown.body.contains(">Send</button>"), "nothing to send");
    }
    let report = app.run_scheduler().await;
    assert_eq!((report.reminders, report.skipped), (0, 0));
    assert_eq!(reminders_to_keisha(&app).await, 0);
    assert_eq!(
        asks_to_keisha(&app).await,
        1,
        "only the ask before the hold"
    );

    // A hold that ended lets the next reminder go.
    sqlx::query("UPDATE organizations SET hold_until = '2026-12-07' WHERE hold_reason <> ''")
        .execute(&app.db)
        .await
        .unwrap();
    app.clock.set(datetime!(2026-12-08 18:00 UTC));
    let report = app.run_scheduler().await;
    assert_eq!(report.reminders, 1);
}

#[tokio::test]
async fn organizers_set_the_group_limits_and_viewers_and_other_groups_cannot() {
    let app = TestApp::spawn().await;
    let g = setup(&app).await;
    let settings = "/app/ohio/book/settings";
    let page = g.owner.get(settings).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body
            .contains("name=\"min_days_between\" type=\"number\" value=\"3\""),
        "{}",
        page.body
    );
    assert!(page
        .body
        .contains("name=\"max_touches_in_30_days\" type=\"number\" value=\"6\""));
    assert!(page
        .body
        .contains("name=\"retention_months\" type=\"number\" value=\"\""));

    // Bad values: a clear message each, what was typed kept.
    let r = g
        .owner
        .post_form(
            settings,
            &[
                ("min_days_between", "a week"),
                ("max_touches_in_30_days", "0"),
                ("retention_months", "3"),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("Enter a whole number of days from 0 to 60"));
    assert!(r
        .body
        .contains("Enter a whole number of touches from 1 to 60"));
    assert!(r.body.contains("Enter a number of months from 6 to 120"));
    assert!(r.body.contains("value=\"a week\""), "{}", r.body);
    assert_eq!(app.count("SELECT count(*) FROM book_settings").await, 0);

    // One day between touches: the river ask no longer holds back water's ask a day later.
    let r = g
        .owner
        .post_form(
            settings,
            &[
                ("min_days_between", "1"),
                ("max_touches_in_30_days", "10"),
                ("retention_months", "24"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = g.owner.get(r.location().unwrap()).await;
    assert!(page.body.contains("Saved: the group"), "{}", page.body);
    assert!(page.body.contains("type=\"number\" value=\"24\""));
    ask(&app, &g.river, &g.river_prospect).await;
    app.clock.set(datetime!(2026-11-26 18:00 UTC));
    let owner = app.log_in(MAYA).await;
    let shown = preview(&owner, &g.water, &g.water_prospect).await;
    assert!(shown.body.contains("badge ok"), "{}", shown.body);

    // A viewer reads them and cannot change them (an organizer could, above).
    let viewer = app
        .join(&owner, "ohio", "vi@ohiovalley.example", "viewer", "Vi Ewer")
        .await;
    let page = viewer.get(settings).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("type=\"number\" value=\"24\""));
    assert!(!page.body.contains(">Save</button>"));
    let r = viewer
        .post_form(
            settings,
            &[
                ("min_days_between", "0"),
                ("max_touches_in_30_days", "60"),
                ("retention_months", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.body);

    // Another group's owner finds no such page; its own has the defaults.
    let other = app.signup("elsewhere", "eve@elsewhere.example").await;
    let own = other.get("/app/elsewhere/book/settings").await;
    assert_eq!(own.status, 200, "{}", own.body);
    assert!(own.body.contains("type=\"number\" value=\"3\""));
    assert_eq!(other.get(settings).await.status, 404);
    let r = other
        .post_form(
            settings,
            &[
                ("min_days_between", "0"),
                ("max_touches_in_30_days", "60"),
                ("retention_months", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 404);
    let kept: (i32, i32, Option<i32>) = sqlx::query_as(
        "SELECT min_days_between, max_touches_in_30_days, retention_months FROM book_settings",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(kept, (1, 10, Some(24)));
}
