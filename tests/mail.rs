//! The outbox: enqueued with the change that causes it, sent once by the worker (over
//! SMTP or to files), retried with backoff, scheduled by the clock, unsubscribable.

use crate::support;

use std::collections::HashSet;
use std::sync::Arc;

use support::smtp::SmtpSink;
use support::{Options, TestApp};
use time::Duration;
use undersigned::auth::PasswordReset;
use undersigned::mail::outbox::{self, LEASE};
use undersigned::mail::worker::{backoff, MAX_ATTEMPTS};
use undersigned::mail::{enqueue, Email, Outgoing, Transport, Worker};
use undersigned::signatures::Bulletin;

fn bulletin(n: usize) -> Bulletin {
    Bulletin {
        sender: "Clean Water Coalition".into(),
        subject: format!("Update {n}"),
        body: "We delivered the letter.\n\nThank you!".into(),
    }
}

async fn enqueue_one<E: Email>(
    app: &TestApp,
    key: &str,
    to: &str,
    message: E,
    bulk: bool,
    after: Duration,
) -> bool {
    let mut tx = app.db.begin().await.unwrap();
    let fresh = enqueue(
        &mut tx,
        Outgoing {
            tenant: None,
            idempotency_key: key.into(),
            recipient: to,
            message,
            send_at: app.clock.now_utc() + after,
            bulk,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    fresh
}

trait Now {
    fn now_utc(&self) -> time::OffsetDateTime;
}

impl Now for undersigned::clock::ManualClock {
    fn now_utc(&self) -> time::OffsetDateTime {
        use undersigned::clock::Clock;
        self.now()
    }
}

#[tokio::test]
async fn enqueueing_the_same_logical_email_twice_is_a_no_op_and_rollback_keeps_none() {
    let app = TestApp::spawn().await;
    assert!(
        enqueue_one(
            &app,
            "update:1:ana",
            "ana@example.org",
            bulletin(1),
            true,
            Duration::ZERO
        )
        .await
    );
    assert!(
        !enqueue_one(
            &app,
            "update:1:ana",
            "ana@example.org",
            bulletin(1),
            true,
            Duration::ZERO
        )
        .await
    );
    assert_eq!(app.count("SELECT count(*) FROM outbox").await, 1);

    let mut tx = app.db.begin().await.unwrap();
    enqueue(
        &mut tx,
        Outgoing {
            tenant: None,
            idempotency_key: "rolled-back".into(),
            recipient: "x@example.org",
            message: bulletin(2),
            send_at: app.clock.now_utc(),
            bulk: true,
        },
    )
    .await
    .unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(
        app.count("SELECT count(*) FROM outbox").await,
        1,
        "no change, no email"
    );

    assert_eq!(app.dispatch_mail().await, 1);
    assert_eq!(app.dispatch_mail().await, 0, "sent once");
    assert_eq!(app.sent_mail().len(), 1);
}

#[tokio::test]
async fn invitations_go_out_over_real_smtp() {
    let sink = SmtpSink::start().await;
    let app = TestApp::spawn_with(Options {
        smtp_url: Some(sink.url()),
        ..Default::default()
    })
    .await;
    let owner = app.signup("river", "ana@river.example").await;
    assert_eq!(
        owner
            .post_form(
                "/app/river/members/invite",
                &[("email", "bo@river.example"), ("role", "organizer")],
            )
            .await
            .status,
        303
    );
    assert_eq!(app.dispatch_mail().await, 1);

    let received = sink.messages();
    assert_eq!(received.len(), 1);
    assert!(received[0].to[0].contains("bo@river.example"));
    let message = undersigned::mail::read_eml(&received[0].data).unwrap();
    assert_eq!(
        message.subject,
        "Owner of river invited you to Group river on Undersigned"
    );
    let link = support::links_in(&message.text)
        .into_iter()
        .find(|l| l.contains("/invite/"))
        .unwrap();
    assert!(link.starts_with(&app.address));
    assert_eq!(
        app.client()
            .get(link.strip_prefix(&app.address).unwrap())
            .await
            .status,
        200,
        "the mailed link works"
    );
    let html = String::from_utf8_lossy(&received[0].data).to_string();
    assert!(html.contains("text/html"), "an HTML part too");
    assert_eq!(
        app.count("SELECT count(*) FROM outbox WHERE status = 'sent'")
            .await,
        1
    );
}

#[tokio::test]
async fn failures_are_retried_with_backoff_then_shown_to_organizers() {
    // Port 1 refuses every connection here and is never handed out as an ephemeral
    // port: a port found free and let go could be given to another test's SMTP sink
    // running beside this one, which then received this test's mail.
    let app = TestApp::spawn_with(Options {
        smtp_url: Some("smtp://127.0.0.1:1".to_owned()),
        ..Default::default()
    })
    .await;
    let owner = app.signup("river", "ana@river.example").await;
    assert_eq!(
        owner
            .post_form(
                "/app/river/members/invite",
                &[("email", "bo@river.example"), ("role", "organizer")],
            )
            .await
            .status,
        303
    );

    for attempt in 1..=MAX_ATTEMPTS {
        assert_eq!(app.dispatch_mail().await, 1, "attempt {attempt}");
        let (status, attempts): (String, i32) =
            sqlx::query_as("SELECT status, attempts FROM outbox")
                .fetch_one(&app.db)
                .await
                .unwrap();
        assert_eq!(attempts, attempt);
        if attempt < MAX_ATTEMPTS {
            assert_eq!(status, "pending");
            assert_eq!(app.dispatch_mail().await, 0, "not again before the backoff");
            app.clock.advance(backoff(attempt) - Duration::seconds(1));
            assert_eq!(app.dispatch_mail().await, 0, "still waiting");
            app.clock.advance(Duration::seconds(1));
        } else {
            assert_eq!(status, "failed");
        }
    }
    app.clock.advance(Duration::hours(6));
    assert_eq!(app.dispatch_mail().await, 0, "given up");

    let dashboard = owner.get("/app/river").await;
    assert!(dashboard.body.contains("failed email"));
    let page = owner.get("/app/river/mail").await;
    assert!(page.body.contains("Failed"));
    assert!(page.body.contains("bo@river.example"));
    assert!(
        page.body.contains("SMTP"),
        "the error is shown: {}",
        page.body
    );

    let id: i64 = sqlx::query_scalar("SELECT id FROM outbox")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let retried = owner
        .post_form(&format!("/app/river/mail/{id}/retry"), &[])
        .await;
    assert_eq!(retried.status, 303);
    assert_eq!(app.dispatch_mail().await, 1, "a fresh round of attempts");
}

#[tokio::test]
async fn scheduled_mail_waits_for_its_time() {
    let app = TestApp::spawn().await;
    enqueue_one(
        &app,
        "reminder:1",
        "ana@example.org",
        bulletin(1),
        false,
        Duration::days(3),
    )
    .await;
    assert_eq!(app.dispatch_mail().await, 0);
    app.clock.advance(Duration::days(3) - Duration::minutes(1));
    assert_eq!(app.dispatch_mail().await, 0);
    app.clock.advance(Duration::minutes(1));
    assert_eq!(app.dispatch_mail().await, 1);
    assert_eq!(app.sent_mail()[0].subject, "Update 1");

    // A scheduled email that is no longer wanted can be withdrawn before it goes.
    enqueue_one(
        &app,
        "reminder:2",
        "ana@example.org",
        bulletin(2),
        false,
        Duration::days(1),
    )
    .await;
    let mut conn = app.db.acquire().await.unwrap();
    assert!(outbox::cancel(&mut conn, "reminder:2").await.unwrap());
    app.clock.advance(Duration::days(2));
    assert_eq!(app.dispatch_mail().await, 0);
}

fn worker_for(app: &TestApp, pool: sqlx::PgPool, dir: &std::path::Path) -> Worker {
    Worker::new(
        pool,
        Transport::files(dir).unwrap(),
        Arc::new(app.clock.clone()),
        app.config.clone(),
        Arc::new(undersigned::app::mail_kinds()),
    )
}

fn recipients_in(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter_map(|e| undersigned::mail::read_eml(&std::fs::read(e.path()).ok()?))
        .map(|m| m.to)
        .collect()
}

/// Two app processes (two pools, two workers) on one database never send a row twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_on_one_database_never_send_the_same_row_twice() {
    let app = TestApp::spawn().await;
    for n in 0..300 {
        enqueue_one(
            &app,
            &format!("k{n}"),
            &format!("member{n}@example.org"),
            bulletin(n),
            false,
            Duration::ZERO,
        )
        .await;
    }
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let pool_a = undersigned::db::connect(&app.database_url).await.unwrap();
    let pool_b = undersigned::db::connect(&app.database_url).await.unwrap();
    let (a, b) = (
        worker_for(&app, pool_a, dir_a.path()),
        worker_for(&app, pool_b, dir_b.path()),
    );
    let (sent_a, sent_b) = tokio::join!(
        tokio::spawn(async move { a.process_due().await.unwrap() }),
        tokio::spawn(async move { b.process_due().await.unwrap() })
    );
    let (sent_a, sent_b) = (sent_a.unwrap(), sent_b.unwrap());
    assert_eq!(sent_a + sent_b, 300);
    assert!(
        sent_a > 0 && sent_b > 0,
        "both workers took part ({sent_a}/{sent_b})"
    );

    let mut all = recipients_in(dir_a.path());
    all.extend(recipients_in(dir_b.path()));
    assert_eq!(all.len(), 300, "300 messages written in all");
    assert_eq!(
        all.iter().collect::<HashSet<_>>().len(),
        300,
        "no recipient got a second copy"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM outbox WHERE status = 'sent'")
            .await,
        300
    );
}

#[tokio::test]
async fn a_worker_killed_mid_batch_loses_no_message() {
    let app = TestApp::spawn().await;
    for n in 0..5 {
        enqueue_one(
            &app,
            &format!("k{n}"),
            &format!("member{n}@example.org"),
            bulletin(n),
            false,
            Duration::ZERO,
        )
        .await;
    }
    // A worker claims the batch and dies before sending anything.
    let claimed = outbox::claim_due(
        &app.db,
        app.clock.now_utc(),
        25,
        LEASE,
        uuid::Uuid::new_v4(),
    )
    .await
    .unwrap();
    assert_eq!(claimed.len(), 5);
    drop(claimed);
    assert_eq!(
        app.dispatch_mail().await,
        0,
        "the dead worker's lease still holds"
    );
    app.clock.advance(LEASE);
    assert_eq!(
        app.dispatch_mail().await,
        5,
        "then another worker sends them"
    );
    assert_eq!(app.sent_mail().len(), 5);
}

#[tokio::test]
async fn bulk_mail_carries_a_working_one_click_unsubscribe() {
    let app = TestApp::spawn().await;
    enqueue_one(
        &app,
        "update:1",
        "ana@example.org",
        bulletin(1),
        true,
        Duration::ZERO,
    )
    .await;
    app.dispatch_mail().await;
    let message = app.mail_to("ana@example.org").pop().unwrap();
    let header = message
        .list_unsubscribe
        .clone()
        .expect("List-Unsubscribe on bulk mail");
    let link = header.trim_matches(['<', '>']).to_owned();
    assert!(message.text.contains(&link), "the link is in the body too");
    let path = link.strip_prefix(&app.address).unwrap();

    let page = app.client().get(path).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("ana@example.org"));
    // Mail programs post RFC 8058's one-click body without any CSRF token.
    let done = app
        .client()
        .post_raw(
            path,
            "application/x-www-form-urlencoded",
            "List-Unsubscribe=One-Click",
        )
        .await;
    assert_eq!(done.status, 303);
    assert_eq!(app.count("SELECT count(*) FROM mail_suppressions").await, 1);

    enqueue_one(
        &app,
        "update:2",
        "ana@example.org",
        bulletin(2),
        true,
        Duration::ZERO,
    )
    .await;
    enqueue_one(
        &app,
        "reset:1",
        "ana@example.org",
        PasswordReset {
            name: "Ana".into(),
            link: "http://x/y".into(),
        },
        false,
        Duration::ZERO,
    )
    .await;
    app.dispatch_mail().await;
    let status: String =
        sqlx::query_scalar("SELECT status FROM outbox WHERE idempotency_key = 'update:2'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(status, "suppressed");
    assert_eq!(
        app.mail_to("ana@example.org").len(),
        2,
        "transactional mail still arrives; the bulletin does not"
    );
    let reset = app
        .mail_to("ana@example.org")
        .into_iter()
        .find(|m| m.subject.contains("password"))
        .unwrap();
    assert!(
        reset.list_unsubscribe.is_none(),
        "transactional mail is not a mailing list"
    );

    assert_eq!(
        app.client()
            .get("/mail/unsubscribe/not-a-real-token")
            .await
            .status,
        404
    );
}

/// The group's Email page shows what was sent, to whom and when; only owners read
/// bodies, and never a recipient's secret link (here an invitation's). Once sent, the
/// outbox's own copy no longer holds the link either. The development mailbox (an
/// explicit developer setting) shows everything.
#[tokio::test]
async fn the_email_page_never_shows_a_recipients_secret_link() {
    let app = TestApp::spawn_with(Options {
        env: vec![("DEV_MAILBOX", "on".into())],
        ..Default::default()
    })
    .await;
    let owner = app.signup("river", "ana@river.example").await;
    assert_eq!(
        owner
            .post_form(
                "/app/river/members/invite",
                &[("email", "bo@river.example"), ("role", "organizer")],
            )
            .await
            .status,
        303
    );
    let link = app.link_mailed_to("bo@river.example", "/invite/").await;
    let token = link.rsplit('/').next().unwrap().to_owned();
    let (id, stored): (i64, serde_json::Value) =
        sqlx::query_as("SELECT id, message FROM outbox WHERE recipient = 'bo@river.example'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert!(
        !stored.to_string().contains(&token),
        "the kept copy forgot the link: {stored}"
    );
    assert_eq!(stored["kind"], "invitation");

    let list = owner.get("/app/river/mail").await;
    assert!(list.body.contains("Sent") && list.body.contains("bo@river.example"));
    let read = owner.get(&format!("/app/river/mail/{id}")).await;
    assert_eq!(read.status, 200);
    assert!(
        read.body.contains("invited you to join"),
        "the owner reads the body"
    );
    assert!(!read.body.contains(&token), "but not the link");
    assert!(support::unescape(&read.body).contains("(the recipient's own link, not shown)"));

    // Bo joins as organizer: sees the list, not the bodies.
    let bo = app.client();
    let joined = bo
        .post_form(
            &format!("{link}/signup"),
            &[("name", "Bo"), ("password", support::PASSWORD)],
        )
        .await;
    assert_eq!(joined.status, 303);
    let list = bo.get("/app/river/mail").await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains("bo@river.example"));
    assert!(
        !list.body.contains(&format!("/app/river/mail/{id}\"")),
        "no Read link"
    );
    assert_eq!(bo.get(&format!("/app/river/mail/{id}")).await.status, 403);

    let dev = app.client().get("/dev/mail").await;
    assert_eq!(dev.status, 200);
    assert!(dev.body.contains("bo@river.example"));
    assert_eq!(
        app.client().get(&format!("/dev/mail/{id}")).await.status,
        200
    );
}

/// File mail on a loopback address is not enough: the operator must ask for it.
#[tokio::test]
async fn the_development_mailbox_is_off_unless_asked_for() {
    let app = TestApp::spawn().await;
    assert!(app.config.app_addr.ip().is_loopback());
    assert_eq!(app.client().get("/dev/mail").await.status, 404);
    assert_eq!(app.client().get("/dev/mail/1").await.status, 404);
    assert!(!app.client().get("/").await.body.contains("/dev/mail"));
}

#[tokio::test]
async fn the_development_mailbox_is_off_when_mail_goes_out_by_smtp() {
    let sink = SmtpSink::start().await;
    let app = TestApp::spawn_with(Options {
        smtp_url: Some(sink.url()),
        ..Default::default()
    })
    .await;
    assert_eq!(app.client().get("/dev/mail").await.status, 404);
}

/// The same guarantee with two real app processes (the release scenario), not just two
/// workers in one process. Each process sends to an SMTP server of its own that takes a
/// moment per message, two at a time, and the mail is enqueued once both are up: a claim
/// of 64 rows keeps a process busy longer than the other's one-second idle poll, so both
/// send, and the test says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_app_processes_never_send_the_same_row_twice() {
    let database = support::fresh_database().await;
    let url = database.url.clone();
    let db = sqlx::PgPool::connect(&url).await.unwrap();
    let slow = support::smtp::SinkOptions {
        delay: std::time::Duration::from_millis(80),
        ..Default::default()
    };
    let sinks = [
        SmtpSink::start_with(slow.clone()).await,
        SmtpSink::start_with(slow).await,
    ];
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let mut ports = Vec::new();
    let mut children: Vec<std::process::Child> = dirs
        .iter()
        .zip(&sinks)
        .map(|(dir, sink)| {
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            ports.push(port);
            std::process::Command::new(env!("CARGO_BIN_EXE_undersigned"))
                .env("DATABASE_URL", &url)
                .env("APP_ADDR", format!("127.0.0.1:{port}"))
                .env("DATA_DIR", dir.path())
                .env("SMTP_URL", sink.url())
                .env("MAIL_CONCURRENCY", "2")
                .env("RUST_LOG", "warn")
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for port in &ports {
        let mut up = false;
        for _ in 0..300 {
            if let Ok(r) = reqwest::get(format!("http://127.0.0.1:{port}/healthz")).await {
                if r.status() == 200 {
                    up = true;
                    break;
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        if !up {
            for child in &mut children {
                let _ = child.kill();
                let _ = child.wait();
            }
            panic!("the process on port {port} never answered");
        }
    }
    sqlx::query(
        "INSERT INTO outbox (idempotency_key, recipient, message, send_at)
         SELECT 'p' || i, 'member' || i || '@example.org',
                '{\"kind\":\"bulletin\",\"sender\":\"Coalition\",\"subject\":\"Update\",\"body\":\"Hello\"}', now()
         FROM generate_series(1, 300) AS i",
    )
    .execute(&db)
    .await
    .unwrap();

    let mut pending = 300;
    for _ in 0..300 {
        pending =
            sqlx::query_scalar::<_, i64>("SELECT count(*) FROM outbox WHERE status <> 'sent'")
                .fetch_one(&db)
                .await
                .unwrap();
        if pending == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    for child in &mut children {
        let _ = child.kill();
        let _ = child.wait();
    }
    db.close().await;
    assert_eq!(pending, 0, "both processes together sent everything");
    let per_process: Vec<Vec<String>> = sinks
        .iter()
        .map(|sink| sink.messages().into_iter().flat_map(|m| m.to).collect())
        .collect();
    let all: Vec<&String> = per_process.iter().flatten().collect();
    eprintln!(
        "sent by each process: {} and {}",
        per_process[0].len(),
        per_process[1].len()
    );
    assert!(
        per_process.iter().all(|sent| !sent.is_empty()),
        "both processes sent: {} and {}",
        per_process[0].len(),
        per_process[1].len()
    );
    assert_eq!(all.len(), 300, "300 messages sent in all");
    assert_eq!(
        all.iter().collect::<HashSet<_>>().len(),
        300,
        "no recipient got a second copy"
    );
}

/// Unsubscribing from one group's bulk mail stops that group's, not another group's.
#[tokio::test]
async fn unsubscribing_from_one_group_leaves_other_groups_mail_alone() {
    let app = TestApp::spawn().await;
    app.signup("river", "ana@river.example").await;
    app.signup("air", "bo@air.example").await;
    let tenant = |slug: &'static str| {
        let db = app.db.clone();
        async move {
            sqlx::query_scalar::<_, uuid::Uuid>("SELECT id FROM tenants WHERE slug = $1")
                .bind(slug)
                .fetch_one(&db)
                .await
                .unwrap()
        }
    };
    let (river, air) = (tenant("river").await, tenant("air").await);
    let send = |key: &'static str, group: uuid::Uuid| {
        let app = &app;
        async move {
            let mut tx = app.db.begin().await.unwrap();
            enqueue(
                &mut tx,
                Outgoing {
                    tenant: Some(group),
                    idempotency_key: key.into(),
                    recipient: "member@example.org",
                    message: bulletin(1),
                    send_at: app.clock.now_utc(),
                    bulk: true,
                },
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
            app.dispatch_mail().await;
        }
    };
    send("river:1", river).await;
    let link = app
        .mail_to("member@example.org")
        .pop()
        .unwrap()
        .list_unsubscribe
        .unwrap();
    let path = link
        .trim_matches(['<', '>'])
        .strip_prefix(&app.address)
        .unwrap()
        .to_owned();
    let page = app.client().get(&path).await;
    assert!(
        page.body.contains("Group river"),
        "the page names the group"
    );
    assert_eq!(
        app.client()
            .post_raw(
                &path,
                "application/x-www-form-urlencoded",
                "List-Unsubscribe=One-Click"
            )
            .await
            .status,
        303
    );

    send("river:2", river).await;
    send("air:1", air).await;
    let status = |key: &'static str| {
        let db = app.db.clone();
        async move {
            sqlx::query_scalar::<_, String>("SELECT status FROM outbox WHERE idempotency_key = $1")
                .bind(key)
                .fetch_one(&db)
                .await
                .unwrap()
        }
    };
    assert_eq!(status("river:2").await, "suppressed");
    assert_eq!(
        status("air:1").await,
        "sent",
        "another group's mail still arrives"
    );
    assert_eq!(app.mail_to("member@example.org").len(), 2);
}

/// Two workers, a lease much shorter than sending a batch takes, and a slow SMTP server
/// (each message takes longer than the whole lease): every message still arrives exactly
/// once. A row's lease is renewed right before and during its own send, and marks apply
/// only while the worker still holds the row; a worker that lost a row leaves it alone.
///
/// The lease really passes: the first worker claims every row (12, within one claim) and
/// sends two at a time, so the rows waiting in its batch outlive their lease; the second
/// worker starts only once the first holds every row, so whatever it sends it took over.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn slow_smtp_and_short_leases_never_send_a_message_twice() {
    let sink = SmtpSink::start_with(support::smtp::SinkOptions {
        delay: std::time::Duration::from_millis(150),
        ..Default::default()
    })
    .await;
    let app = TestApp::spawn_with(Options {
        smtp_url: Some(sink.url()),
        env: vec![("MAIL_CONCURRENCY", "2".into())],
        ..Default::default()
    })
    .await;
    for n in 0..12 {
        enqueue_one(
            &app,
            &format!("slow{n}"),
            &format!("m{n}@example.org"),
            bulletin(n),
            false,
            Duration::ZERO,
        )
        .await;
    }
    // The clock runs 20 times faster than real time: a 150 ms send lasts 3 clock seconds,
    // a 2-second lease runs out in 100 ms; renewals come every 20 ms.
    let clock = app.clock.clone();
    let ticking = tokio::spawn(async move {
        loop {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            clock.advance(Duration::milliseconds(200));
        }
    });
    let worker = |pool: sqlx::PgPool| {
        Worker::new(
            pool,
            Transport::from_config(&app.config).unwrap(),
            Arc::new(app.clock.clone()),
            app.config.clone(),
            Arc::new(undersigned::app::mail_kinds()),
        )
        .with_lease(Duration::seconds(2), std::time::Duration::from_millis(20))
    };
    let (a, b) = (
        worker(undersigned::db::connect(&app.database_url).await.unwrap()),
        worker(undersigned::db::connect(&app.database_url).await.unwrap()),
    );
    let first = tokio::spawn(async move { a.process_due().await.unwrap() });
    let mut held = 0;
    for _ in 0..500 {
        held = app
            .count("SELECT count(*) FROM outbox WHERE lease_token IS NOT NULL")
            .await;
        if held == 12 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    assert_eq!(held, 12, "the first worker claimed every row in one batch");
    // The second worker comes back until nothing is left, as its loop would.
    let db = app.db.clone();
    let second = tokio::spawn(async move {
        let mut sent = 0;
        for _ in 0..1000 {
            sent += b.process_due().await.unwrap();
            let left: i64 =
                sqlx::query_scalar("SELECT count(*) FROM outbox WHERE status = 'pending'")
                    .fetch_one(&db)
                    .await
                    .unwrap();
            if left == 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        sent
    });
    let (sent_a, sent_b) = tokio::join!(first, second);
    ticking.abort();
    let (sent_a, sent_b) = (sent_a.unwrap(), sent_b.unwrap());
    let mut recipients: Vec<String> = sink.messages().iter().flat_map(|m| m.to.clone()).collect();
    recipients.sort();
    let unique: HashSet<&String> = recipients.iter().collect();
    assert_eq!(recipients.len(), 12, "each message once: {recipients:?}");
    assert_eq!(unique.len(), 12);
    assert_eq!(sent_a + sent_b, 12, "{sent_a} + {sent_b}");
    assert!(sent_a > 0, "the first worker sent before its lease ran out");
    assert!(
        sent_b > 0,
        "rows the first worker claimed passed to the second when their lease ran out"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM outbox WHERE status = 'sent'")
            .await,
        12
    );
    println!("worker a sent {sent_a}, worker b {sent_b}");
}

/// SMTP answers are classified: a 5xx (no such mailbox) fails at once and is not
/// retried; a 4xx (try later) is retried with backoff.
#[tokio::test]
async fn permanent_smtp_refusals_are_not_retried_temporary_ones_are() {
    let sink = SmtpSink::start_with(support::smtp::SinkOptions {
        refuse: vec![
            (
                "gone@example.org".into(),
                "550 5.1.1 no such mailbox".into(),
            ),
            (
                "busy@example.org".into(),
                "451 4.3.0 try again later".into(),
            ),
        ],
        ..Default::default()
    })
    .await;
    let app = TestApp::spawn_with(Options {
        smtp_url: Some(sink.url()),
        ..Default::default()
    })
    .await;
    for (key, to) in [
        ("gone", "gone@example.org"),
        ("busy", "busy@example.org"),
        ("fine", "fine@example.org"),
    ] {
        enqueue_one(&app, key, to, bulletin(1), false, Duration::ZERO).await;
    }
    app.dispatch_mail().await;
    let state = |key: &'static str| {
        let db = app.db.clone();
        async move {
            sqlx::query_as::<_, (String, i32)>(
                "SELECT status, attempts FROM outbox WHERE idempotency_key = $1",
            )
            .bind(key)
            .fetch_one(&db)
            .await
            .unwrap()
        }
    };
    assert_eq!(
        state("gone").await,
        ("failed".to_string(), 1),
        "5xx: given up at once"
    );
    assert_eq!(
        state("busy").await,
        ("pending".to_string(), 1),
        "4xx: tried again later"
    );
    assert_eq!(state("fine").await.0, "sent");
    app.clock.advance(backoff(1));
    app.dispatch_mail().await;
    assert_eq!(state("busy").await, ("pending".to_string(), 2));
    assert_eq!(state("gone").await.1, 1, "never tried again");
}
