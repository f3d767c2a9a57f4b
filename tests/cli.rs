//! The program itself: settings errors, the demo command, and serving with no configuration
//! beyond a database.

use crate::support;

use std::io::{BufRead, BufReader};
use std::panic::AssertUnwindSafe;

use futures::FutureExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn undersigned(env: &[(&str, &str)], args: &[&str]) -> std::process::Output {
    let data = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_undersigned"));
    command
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATA_DIR", data.path());
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().unwrap()
}

#[test]
fn bad_settings_end_with_one_line_naming_the_setting_and_status_2() {
    let cases = [
        ("DATABASE_URL", "mysql://root@localhost/x"),
        (
            "DATABASE_URL",
            "postgres://postgres@127.0.0.1:1/undersigned",
        ),
        ("APP_ADDR", "everywhere"),
        ("BASE_URL", "not a url"),
        ("SMTP_URL", "http://mail.example"),
        ("MAIL_FROM", "nobody"),
        ("RUST_LOG", "[[[="),
    ];
    for (name, value) in cases {
        let output = undersigned(&[(name, value)], &["migrate"]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{name}={value}: {stderr}");
        let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(lines.len(), 1, "{name}={value}: one line, got {stderr}");
        assert!(lines[0].contains(name), "{name}={value}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn unknown_commands_show_usage_and_status_2() {
    let output = undersigned(&[], &["frobnicate"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("usage: undersigned"));
}

#[tokio::test]
async fn demo_loads_once_and_prints_how_to_log_in() {
    let database = support::fresh_database().await;
    let url = database.url.clone();
    let first = undersigned(&[("DATABASE_URL", &url)], &["demo"]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(
        stdout.contains(undersigned::demo::EMAIL) && stdout.contains(undersigned::demo::PASSWORD),
        "{stdout}"
    );
    assert!(
        stdout.contains("/app/clean-water-coalition/campaigns/clean-rivers")
            && stdout.contains("awaiting reconfirmation")
            && stdout.contains("/clean-water-coalition/clean-rivers/signature/"),
        "where to start, and a signer's own link: {stdout}"
    );
    let second = undersigned(&[("DATABASE_URL", &url)], &["demo"]);
    assert!(second.status.success());
    assert!(String::from_utf8_lossy(&second.stdout).contains("already loaded"));

    let db = sqlx::PgPool::connect(&url).await.unwrap();
    let counts: (i64, i64, i64) = sqlx::query_as("SELECT (SELECT count(*) FROM tenants), (SELECT count(*) FROM users), (SELECT count(*) FROM memberships)")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(counts, (1, 2, 2), "nothing duplicated");
    let signers: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM signatures s JOIN campaigns c ON c.id = s.campaign_id
         WHERE s.state = 'confirmed' AND c.slug = $1",
    )
    .bind(undersigned::demo::CAMPAIGN)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(signers, 9, "the demo letter has its signers, once");
    let list: (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM list_members), (SELECT count(*) FROM list_threads),
                (SELECT count(*) FROM list_posts WHERE state = 'published'),
                (SELECT count(*) FROM list_posts WHERE state = 'held')",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(
        list,
        (5, 4, 6, 1),
        "the coalition's list: five members who joined from the confirmation box, three \
         threads of published posts and a newcomer's held first post"
    );
    let mailed: i64 =
        sqlx::query_scalar("SELECT count(*) FROM outbox WHERE message->>'kind' LIKE 'list%'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(mailed, 0, "the demo's history sends nobody anything");
    let local: Vec<String> = sqlx::query_scalar(
        "SELECT to_char(d AT TIME ZONE time_zone, 'HH24:MI') FROM campaigns,
                LATERAL (VALUES (soft_deadline), (hard_deadline)) AS v(d)",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(
        local, ["17:00"; 4],
        "deadlines at 17:00 in each campaign's zone"
    );
    // Every confirmed signature's confirmation is in the consent ledger, for the revision
    // it confirmed, as the signer's own confirmation writes it.
    let unrecorded: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM signatures s WHERE s.state = 'confirmed' AND NOT EXISTS (
             SELECT 1 FROM signature_consents c WHERE c.signature_id = s.id AND c.revision_id = s.revision_id
                AND c.how IN ('confirmed', 'reconfirmed'))",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(unrecorded, 0, "every confirmation is in the consent ledger");

    // The released campaign: a substantive change, released on its date with a press
    // release, a statement and a public PDF.
    let (released_id, consent_from, released, public_pdf, press, status): (
        uuid::Uuid,
        i32,
        bool,
        bool,
        bool,
        String,
    ) = sqlx::query_as(
        "SELECT id, consent_from_revision,
                release_at < now() AND released_at IS NOT NULL AND released_at >= release_at AND released_at < now(),
                public_pdf, press_release <> '', status
         FROM campaigns WHERE slug = $1",
    )
    .bind(undersigned::demo::RELEASED_CAMPAIGN)
    .fetch_one(&db)
    .await
    .unwrap();
    assert!(released, "released on its date, in the past");
    assert!(public_pdf, "anyone may download the PDF");
    assert!(press, "a press release");
    assert_ne!(status, "draft", "public");
    let change: String = sqlx::query_scalar(
        "SELECT change_kind FROM letter_revisions WHERE campaign_id = $1 AND number = $2",
    )
    .bind(released_id)
    .bind(consent_from)
    .fetch_one(&db)
    .await
    .unwrap();
    assert!(consent_from > 1, "the consent floor moved");
    assert_eq!(change, "substantive");
    let substantive: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM letter_revisions WHERE campaign_id = $1 AND change_kind = 'substantive'",
    )
    .bind(released_id)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(substantive, 1, "one substantive change");
    // Listed: confirmed the current text (or the floor) themselves; the others confirmed
    // only the earlier text and are not listed under it.
    let (listed, behind, reconfirmed, after_change): (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE s.confirmed_revision >= $2),
                count(*) FILTER (WHERE s.confirmed_revision < $2),
                count(*) FILTER (WHERE s.source <> 'host' AND EXISTS (
                    SELECT 1 FROM signature_consents c JOIN letter_revisions r ON r.id = c.revision_id
                    WHERE c.signature_id = s.id AND c.how = 'reconfirmed' AND r.number >= $2)),
                count(*) FILTER (WHERE NOT EXISTS (
                    SELECT 1 FROM signature_consents c JOIN letter_revisions r ON r.id = c.revision_id
                    WHERE c.signature_id = s.id AND r.number < $2))
         FROM signatures s WHERE s.campaign_id = $1 AND s.state = 'confirmed'",
    )
    .bind(released_id)
    .bind(consent_from)
    .fetch_one(&db)
    .await
    .unwrap();
    assert!(
        listed >= 5 && behind >= 1 && reconfirmed >= 1 && after_change >= 1,
        "some signers re-confirmed, some did not, some signed the new text: {listed} listed, {behind} not carried over, \
         {reconfirmed} re-confirmed, {after_change} signed after the change"
    );
    let unconsented: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM signatures s WHERE s.campaign_id = $1 AND s.state = 'confirmed' AND s.confirmed_revision >= $2
           AND NOT EXISTS (SELECT 1 FROM signature_consents c JOIN letter_revisions r ON r.id = c.revision_id
                           WHERE c.signature_id = s.id AND r.number >= $2 AND c.how IN ('confirmed', 'reconfirmed'))",
    )
    .bind(released_id)
    .bind(consent_from)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(
        unconsented, 0,
        "every listed name was confirmed for the text it is listed under"
    );
    let (told, consented_late): (i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE EXISTS (SELECT 1 FROM signature_consents c JOIN letter_revisions r ON r.id = c.revision_id
                                              WHERE c.signature_id = s.id AND r.number = $2 AND c.how = 'not_carried_over')
                                   AND EXISTS (SELECT 1 FROM consent_notices n JOIN letter_revisions r ON r.id = n.revision_id
                                              WHERE n.signature_id = s.id AND r.number = $2)),
                count(*) FILTER (WHERE EXISTS (SELECT 1 FROM signature_consents c JOIN letter_revisions r ON r.id = c.revision_id
                                              WHERE c.signature_id = s.id AND r.number >= $2 AND c.how <> 'not_carried_over'))
         FROM signatures s WHERE s.campaign_id = $1 AND s.state = 'confirmed' AND s.confirmed_revision < $2",
    )
    .bind(released_id)
    .bind(consent_from)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(
        (told, consented_late),
        (behind, 0),
        "those who did not confirm the change are recorded as not carried over, nothing more"
    );
    let (statements, release_updates): (i64, Vec<i32>) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM statements WHERE campaign_id = $1 AND state = 'approved'),
                ARRAY(SELECT recipients FROM member_updates WHERE campaign_id = $1 AND reason = 'release')",
    )
    .bind(released_id)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(statements, 1, "an approved statement in its own words");
    assert_eq!(
        release_updates,
        [listed as i32],
        "the release announced to the listed signers (history only)"
    );

    // Outreach: a pipeline with prospects in every stage, loaded once.
    let stages: Vec<(String, i64)> = sqlx::query_as(
        "SELECT CASE WHEN p.signed_signature_id IS NOT NULL THEN 'signed'
                     WHEN p.hold_reason <> '' AND (p.hold_until IS NULL OR p.hold_until > (now() AT TIME ZONE c.time_zone)::date)
                         THEN 'on_hold'
                     ELSE p.status END AS stage, count(*)
         FROM prospects p JOIN campaigns c ON c.id = p.campaign_id WHERE c.slug = $1 GROUP BY 1 ORDER BY 1",
    )
    .bind(undersigned::demo::CAMPAIGN)
    .fetch_all(&db)
    .await
    .unwrap();
    let stage_names: Vec<&str> = stages.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(
        stage_names,
        [
            "asked",
            "declined",
            "in_conversation",
            "not_contacted",
            "on_hold",
            "own_statement",
            "signed"
        ],
        "prospects in every stage: {stages:?}"
    );
    let prospects: i64 = stages.iter().map(|(_, n)| n).sum();
    assert!(
        (35..=50).contains(&prospects),
        "about forty prospects, got {prospects}"
    );
    let distinct: i64 = sqlx::query_scalar(
        "SELECT count(DISTINCT o.name_key) FROM prospects p JOIN organizations o ON o.id = p.organization_id
         JOIN campaigns c ON c.id = p.campaign_id WHERE c.slug = $1",
    )
    .bind(undersigned::demo::CAMPAIGN)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(distinct, prospects, "no prospect twice");
    // One address book: both campaigns ask some of the same organizations, each once.
    let (shared, books): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM organizations o
                  WHERE (SELECT count(*) FROM prospects p WHERE p.organization_id = o.id) = 2),
                (SELECT count(*) - count(DISTINCT name_key) FROM organizations)",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert!(shared >= 8, "organizations both campaigns asked: {shared}");
    assert_eq!(books, 0, "no organization twice in the book");
    // Signed only through a confirmed signature whose email is one of the prospect's contacts'.
    let signed_through_contacts: (i64, i64) = sqlx::query_as(
        "SELECT count(*), count(*) FILTER (WHERE EXISTS (
                    SELECT 1 FROM signatures s JOIN people c ON c.email = s.email
                    WHERE s.id = p.signed_signature_id AND s.state = 'confirmed' AND c.organization_id = p.organization_id))
         FROM prospects p WHERE p.signed_signature_id IS NOT NULL",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(signed_through_contacts.0, signed_through_contacts.1);
    let due: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM prospects p JOIN campaigns c ON c.id = p.campaign_id JOIN users u ON u.id = p.owner_id
         WHERE u.email = $1 AND p.next_follow_up <= (now() AT TIME ZONE c.time_zone)::date
           AND p.signed_signature_id IS NULL AND p.status NOT IN ('declined', 'own_statement') AND p.hold_reason = ''",
    )
    .bind(undersigned::demo::EMAIL)
    .fetch_one(&db)
    .await
    .unwrap();
    assert!(due >= 5, "the organizer has follow-ups due, got {due}");
    let features: (bool, bool, bool, bool, bool, bool) = sqlx::query_as(
        "SELECT EXISTS (SELECT 1 FROM prospects p JOIN organizations o ON o.id = p.organization_id
                         WHERE o.size IN ('national', 'international') AND p.status = 'not_contacted'),
                EXISTS (SELECT 1 FROM organizations WHERE parent_id IS NOT NULL),
                EXISTS (SELECT 1 FROM prospects WHERE hold_reason <> '' AND hold_until IS NOT NULL),
                EXISTS (SELECT 1 FROM organizations WHERE sensitivity <> ''),
                EXISTS (SELECT 1 FROM people WHERE bounced_at IS NOT NULL AND bounce_reason <> ''),
                EXISTS (SELECT 1 FROM prospects p JOIN referrals f ON f.id = p.referral_id
                        JOIN signatures s ON s.id = f.signature_id AND s.name = p.referred_by)",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(
        features,
        (true, true, true, true, true, true),
        "approach early, chapters, a hold, a sensitivity note, a bounce, a referral"
    );
    let activities: (i64, bool, Vec<String>) = sqlx::query_as(
        "SELECT count(*), bool_and(at > now() - interval '15 days' AND at <= now()), array_agg(DISTINCT kind ORDER BY kind)
         FROM outreach_activities",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert!(
        activities.0 >= 40 && activities.1,
        "two weeks of history: {activities:?}"
    );
    for kind in ["ask", "call", "change_request", "meeting", "note", "signed"] {
        assert!(
            activities.2.iter().any(|k| k == kind),
            "a {kind} in the log: {activities:?}"
        );
    }
    let queued: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(queued, 0, "loading the demo sends no email");
}

/// `demo` prints the address the app really uses, and logs written to a pipe carry no
/// terminal colour codes.
#[tokio::test]
async fn demo_prints_the_real_address_and_logs_have_no_colour_codes() {
    let database = support::fresh_database().await;
    let url = database.url.clone();
    let data = tempfile::tempdir().unwrap();
    let output = undersigned(
        &[
            ("DATABASE_URL", &url),
            ("APP_ADDR", "127.0.0.1:3999"),
            ("DATA_DIR", &data.path().display().to_string()),
            ("RUST_LOG", "debug"),
        ],
        &["demo"],
    );
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("http://127.0.0.1:3999/login"), "{stdout}");
    // Not the default port (debug logs are full of digits, so only an address counts).
    assert!(!stdout.contains(":3000"), "{stdout}");
    let everything = [output.stdout.as_slice(), output.stderr.as_slice()].concat();
    assert!(
        !everything.contains(&0x1b),
        "no escape codes in piped output"
    );
    let with_base = undersigned(
        &[
            ("DATABASE_URL", &url),
            ("BASE_URL", "https://letters.example"),
            ("DATA_DIR", &data.path().display().to_string()),
        ],
        &["demo"],
    );
    assert!(String::from_utf8_lossy(&with_base.stdout).contains("https://letters.example/login"));
}

/// The demo account really logs in on a served app.
#[tokio::test]
async fn serving_creates_the_database_runs_migrations_and_answers() {
    let name = format!("undersigned_cli_{}", uuid::Uuid::new_v4().simple());
    // The app creates it; dropped when the test ends.
    let database = support::TestDatabase::named(&name);
    let url = database.url.clone();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let data = tempfile::tempdir().unwrap();
    let demo = Command::new(env!("CARGO_BIN_EXE_undersigned"))
        .arg("demo")
        .env("DATABASE_URL", &url)
        .env("DATA_DIR", data.path())
        .output()
        .unwrap();
    assert!(
        demo.status.success(),
        "the database is created if missing: {}",
        String::from_utf8_lossy(&demo.stderr)
    );

    let mut child = Command::new(env!("CARGO_BIN_EXE_undersigned"))
        .env("DATABASE_URL", &url)
        .env("APP_ADDR", &addr)
        .env("DATA_DIR", data.path())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let started = Instant::now();
    let mut announced = false;
    while started.elapsed() < Duration::from_secs(30) {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
            if line.contains(&format!("running at http://{addr}")) {
                announced = true;
                break;
            }
        }
    }
    let result = AssertUnwindSafe(async {
        assert!(announced, "prints the address it serves");
        let health = reqwest::get(format!("http://{addr}/healthz"))
            .await
            .unwrap();
        assert_eq!(health.status().as_u16(), 200);
        let client = support::Client::new(&format!("http://{addr}"));
        let login = client
            .post_form(
                "/login",
                &[
                    ("email", undersigned::demo::EMAIL),
                    ("password", undersigned::demo::PASSWORD),
                ],
            )
            .await;
        assert_eq!(login.status, 303);
        let dashboard = client.get_following(login.location().unwrap()).await;
        assert!(dashboard.body.contains("Clean Water Coalition"));
        // The outreach pipeline is there from the first minute: follow-ups due today.
        let outreach = format!(
            "/app/{}/campaigns/{}/outreach",
            undersigned::demo::SLUG,
            undersigned::demo::CAMPAIGN
        );
        let follow_ups = client.get(&format!("{outreach}/follow-ups")).await;
        assert_eq!(follow_ups.status, 200);
        assert!(
            follow_ups
                .body
                .contains("Springfield Building Trades Council"),
            "{}",
            follow_ups.body
        );
        let funnel = client.get(&outreach).await;
        assert_eq!(funnel.status, 200);
        assert!(
            funnel.body.contains("Global Rivers Network"),
            "approach early: {}",
            funnel.body
        );
        // The released campaign, for anyone: exactly the signers who confirmed the text
        // it shows, the statement, the press release and the PDF.
        let public = format!(
            "/{}/{}",
            undersigned::demo::SLUG,
            undersigned::demo::RELEASED_CAMPAIGN
        );
        let db = sqlx::PgPool::connect(&url).await.unwrap();
        let (listed, behind): (Vec<String>, Vec<String>) = sqlx::query_as(
            "SELECT ARRAY(SELECT s.name FROM signatures s WHERE s.campaign_id = c.id AND s.state = 'confirmed'
                            AND s.confirmed_revision >= c.consent_from_revision
                          ORDER BY s.sort_key COLLATE signer_order, s.id),
                    ARRAY(SELECT s.name FROM signatures s WHERE s.campaign_id = c.id AND s.state = 'confirmed'
                            AND s.confirmed_revision < c.consent_from_revision ORDER BY s.name)
             FROM campaigns c WHERE c.slug = $1",
        )
        .bind(undersigned::demo::RELEASED_CAMPAIGN)
        .fetch_one(&db)
        .await
        .unwrap();
        db.close().await;
        assert!(!listed.is_empty() && !behind.is_empty(), "{listed:?} {behind:?}");
        let anyone = support::Client::new(&format!("http://{addr}"));
        let page = anyone.get(&public).await;
        assert_eq!(page.status, 200);
        assert_eq!(support::campaigns::listed_names(&page.body), listed);
        for name in &behind {
            assert!(
                !page.body.contains(name.as_str()),
                "{name} did not confirm the changed text: {}",
                page.body
            );
        }
        assert!(page
            .body
            .contains("Statements from organizations that did not sign"));
        assert!(page.body.contains("Springfield School Nurses Association"));
        assert!(page.body.contains(&format!("{public}/press")), "{}", page.body);
        assert!(page.body.contains(&format!("{public}/letter.pdf")));
        let press = anyone.get(&format!("{public}/press")).await;
        assert_eq!(press.status, 200);
        assert!(
            press.body.contains("said Maria Alvarez")
                && listed.iter().any(|n| n == "Springfield Parent-Teacher Council"),
            "a quote from a listed signer: {}",
            press.body
        );
        let pdf = anyone.get(&format!("{public}/letter.pdf")).await;
        assert_eq!(pdf.status, 200);
        assert!(
            pdf.header("content-type")
                .is_some_and(|t| t.starts_with("application/pdf")),
            "{:?}",
            pdf.headers
        );
        assert!(pdf.body.starts_with("%PDF"));
        let organizers_pdf = client
            .get(&format!(
                "/app/{}/campaigns/{}/letter.pdf",
                undersigned::demo::SLUG,
                undersigned::demo::RELEASED_CAMPAIGN
            ))
            .await;
        assert_eq!(organizers_pdf.status, 200);
        assert!(organizers_pdf
            .header("content-type")
            .is_some_and(|t| t.starts_with("application/pdf")));
        // Mail the served app writes lands under DATA_DIR, readable in the browser.
        assert_eq!(client
            .post_form(
                &format!("/app/{}/members/invite", undersigned::demo::SLUG),
                &[("email", "new@example.org"), ("role", "viewer")],
            )
            .await.status, 303);
        let mut written = false;
        for _ in 0..50 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if std::fs::read_dir(data.path().join("mail"))
                .map(|d| d.count() > 0)
                .unwrap_or(false)
            {
                written = true;
                break;
            }
        }
        assert!(
            written,
            "the background worker wrote the invitation to a file"
        );
    })
    .catch_unwind()
    .await;
    let _ = child.kill();
    let _ = child.wait();
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}
