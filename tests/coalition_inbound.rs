//! Tests of the coalition list (issue 20): mail into the list, through both doors
//! (`undersigned receive-mail` and `POST /inbound/email`).

use std::io::Write;
use std::process::{Command, Stdio};

use sqlx::PgPool;
use time::OffsetDateTime;
use undersigned::coalition::model::{ListMemberId, ThreadId};
use undersigned::coalition::store;
use undersigned::tenancy::PublicTenantId;
use uuid::Uuid;

use crate::support::{Options, TestApp};

const SECRET: &str = "inbound-secret-for-the-tests-0123456789";
const DOMAIN: &str = "lists.example.org";

async fn spawn(secret: bool) -> TestApp {
    let mut env = vec![("MAIL_DOMAIN", DOMAIN.to_owned())];
    if secret {
        env.push(("INBOUND_SECRET", SECRET.to_owned()));
    }
    TestApp::spawn_with(Options {
        env,
        ..Options::default()
    })
    .await
}

async fn tenant_id(db: &PgPool, slug: &str) -> Uuid {
    sqlx::query_scalar("SELECT id FROM tenants WHERE slug = $1")
        .bind(slug)
        .fetch_one(db)
        .await
        .unwrap()
}

/// The group's list, as organizers would have set it up.
async fn open_list(db: &PgPool, tenant: Uuid, name: &str) {
    sqlx::query(
        "INSERT INTO coalition_lists (tenant_id, name, created_at, updated_at)
         VALUES ($1, $2, now(), now())",
    )
    .bind(tenant)
    .bind(name)
    .execute(db)
    .await
    .unwrap();
}

/// A person of the book who joined by their own click (`store::join`), posting without
/// moderation unless `held`.
async fn member(db: &PgPool, tenant: Uuid, email: &str, name: &str, held: bool) -> ListMemberId {
    let org = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO organizations (id, tenant_id, name, name_key, sort_key, created_at)
         VALUES ($1, $2, $3, $3, $3, now())",
    )
    .bind(org)
    .bind(tenant)
    .bind(format!("Org of {name}"))
    .execute(db)
    .await
    .unwrap();
    let person = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO people (id, tenant_id, organization_id, name, email, created_at)
         VALUES ($1, $2, $3, $4, $5, now())",
    )
    .bind(person)
    .bind(tenant)
    .bind(org)
    .bind(name)
    .bind(email)
    .execute(db)
    .await
    .unwrap();
    let mut conn = db.acquire().await.unwrap();
    let joined = store::join(
        &mut conn,
        PublicTenantId::found_by_public_url(tenant),
        &store::Joining {
            person_id: person,
            email,
            name,
            organization: "",
            how: undersigned::coalition::model::JoinedHow::JoinPage,
            campaign_id: None,
        },
        OffsetDateTime::now_utc(),
    )
    .await
    .unwrap();
    if !held {
        sqlx::query("UPDATE list_members SET moderation = 'accept' WHERE id = $1")
            .bind(joined.id())
            .execute(db)
            .await
            .unwrap();
    }
    joined.id()
}

/// A published thread started by an organizer.
async fn thread(db: &PgPool, tenant: Uuid, subject: &str) -> ThreadId {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO list_threads (id, tenant_id, subject, started_at, last_post_at, published_posts)
         VALUES ($1, $2, $3, now(), now(), 1)",
    )
    .bind(id)
    .bind(tenant)
    .bind(subject)
    .execute(db)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO list_posts (id, tenant_id, thread_id, author_name, subject, body, source,
             state, created_at, published_at)
         VALUES ($1, $2, $3, 'An organizer', $4, 'Who can come to the hearing?', 'web',
             'published', now(), now())",
    )
    .bind(Uuid::new_v4())
    .bind(tenant)
    .bind(id)
    .bind(subject)
    .execute(db)
    .await
    .unwrap();
    ThreadId(id)
}

async fn reply_key(db: &PgPool, tenant: Uuid, member: ListMemberId, thread: ThreadId) -> String {
    let mut conn = db.acquire().await.unwrap();
    store::reply_key(
        &mut conn,
        PublicTenantId::found_by_public_url(tenant),
        member,
        thread,
        OffsetDateTime::now_utc(),
    )
    .await
    .unwrap()
}

async fn post_key(db: &PgPool, member: ListMemberId) -> String {
    sqlx::query_scalar("SELECT post_key FROM list_members WHERE id = $1")
        .bind(member)
        .fetch_one(db)
        .await
        .unwrap()
}

fn raw(from: &str, to: &str, message_id: &str, extra: &str, body: &str) -> String {
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: Re: [River Coalition] Hearing on Tuesday\r\nMessage-ID: <{message_id}>\r\nDate: Mon, 7 Dec 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n{extra}Content-Type: text/plain; charset=utf-8\r\n\r\n{body}"
    )
}

fn list_address(key: &str) -> String {
    format!("list+{key}@{DOMAIN}")
}

/// Posts a raw message to `POST /inbound/email` with `secret`.
async fn post_mail(
    app: &TestApp,
    secret: Option<&str>,
    message: impl Into<Vec<u8>>,
) -> (u16, String) {
    let mut request = reqwest::Client::new()
        .post(app.url("/inbound/email"))
        .header("content-type", "message/rfc822")
        .body(message.into());
    if let Some(secret) = secret {
        request = request.bearer_auth(secret);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

async fn outcome(app: &TestApp, message: impl Into<Vec<u8>>) -> String {
    let (status, body) = post_mail(app, Some(SECRET), message).await;
    assert_eq!(status, 202, "{body}");
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    json["outcome"].as_str().unwrap().to_owned()
}

async fn answers_to(app: &TestApp, address: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM outbox WHERE message->>'kind' = 'list_inbound_answer'
         AND lower(recipient) = lower($1)",
    )
    .bind(address)
    .fetch_one(&app.db)
    .await
    .unwrap()
}

/// Runs `undersigned receive-mail` against the app's database with `message` on stdin.
fn receive_mail(database_url: &str, args: &[&str], message: Vec<u8>) -> std::process::Output {
    let data = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_undersigned"))
        .arg("receive-mail")
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATA_DIR", data.path())
        .env("DATABASE_URL", database_url)
        .env("MAIL_DOMAIN", DOMAIN)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&message);
    });
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    output
}

struct Group {
    app: TestApp,
    tenant: Uuid,
    thread: ThreadId,
    sam: ListMemberId,
    ana: ListMemberId,
}

async fn group(secret: bool) -> Group {
    let app = spawn(secret).await;
    app.signup("river", "owner@river.org").await;
    let tenant = tenant_id(&app.db, "river").await;
    open_list(&app.db, tenant, "River Coalition").await;
    let sam = member(&app.db, tenant, "sam@friends.org", "Sam Reyes", false).await;
    let ana = member(&app.db, tenant, "ana@valley.org", "Ana Ruiz", false).await;
    let thread = thread(&app.db, tenant, "Hearing on Tuesday").await;
    Group {
        app,
        tenant,
        thread,
        sam,
        ana,
    }
}

const QUOTED_REPLY: &str = "Count us in: we will bring the banner.\r\n\r\nOn Mon, Dec 7, 2026 at 9:00 AM River Coalition <list+x@lists.example.org>\r\nwrote:\r\n\r\n> Who can come to the hearing?\r\n> -- the organizers\r\n\r\n-- \r\nSam Reyes, Friends of the River\r\nSent from my iPhone\r\n";

#[tokio::test]
async fn a_reply_piped_through_receive_mail_lands_trimmed_in_its_thread() {
    let g = group(false).await;
    let key = reply_key(&g.app.db, g.tenant, g.sam, g.thread).await;
    let message = raw(
        "Sam Reyes <Sam@Friends.org>",
        "River Coalition <list+x@lists.example.org>",
        "reply-1@friends.org",
        "",
        QUOTED_REPLY,
    );
    let output = receive_mail(
        &g.app.database_url,
        &["--recipient", &list_address(&key)],
        message.into_bytes(),
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let (thread, author, name, body, source): (Uuid, Option<Uuid>, String, String, String) =
        sqlx::query_as(
            "SELECT thread_id, author_member_id, author_name, body, source FROM list_posts
             WHERE message_id = 'reply-1@friends.org'",
        )
        .fetch_one(&g.app.db)
        .await
        .expect("the reply became a post");
    assert_eq!(thread, g.thread.0, "in the thread of the key");
    assert_eq!(author, Some(g.sam.0));
    assert_eq!(name, "Sam Reyes");
    assert_eq!(body, "Count us in: we will bring the banner.");
    assert_eq!(source, "email");
    assert_eq!(
        g.app
            .count("SELECT count(*) FROM list_inbound_log WHERE outcome = 'posted'")
            .await,
        1
    );

    // The envelope recipient is optional: the To header carries the key too.
    let key = reply_key(&g.app.db, g.tenant, g.ana, g.thread).await;
    let message = raw(
        "ana@valley.org",
        &list_address(&key),
        "reply-2@valley.org",
        "",
        "Me too.\r\n",
    );
    let output = receive_mail(&g.app.database_url, &[], message.into_bytes());
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        g.app
            .count("SELECT count(*) FROM list_posts WHERE message_id = 'reply-2@valley.org'")
            .await,
        1
    );
}

#[tokio::test]
async fn receive_mail_asks_for_a_retry_when_the_database_is_away_and_refuses_25_mb() {
    let g = group(false).await;
    let key = reply_key(&g.app.db, g.tenant, g.sam, g.thread).await;
    let message = raw(
        "sam@friends.org",
        &list_address(&key),
        "away@friends.org",
        "",
        "Hi",
    );
    let output = receive_mail(
        "postgres://postgres@127.0.0.1:1/undersigned",
        &[],
        message.clone().into_bytes(),
    );
    assert_eq!(
        output.status.code(),
        Some(75),
        "EX_TEMPFAIL: Postfix keeps it"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");

    let mut big = raw(
        "sam@friends.org",
        &list_address(&key),
        "big@friends.org",
        "",
        "",
    )
    .into_bytes();
    big.resize(25 * 1024 * 1024, b'a');
    let output = receive_mail(&g.app.database_url, &[], big);
    assert_eq!(
        output.status.code(),
        Some(0),
        "refused, not bounced: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        g.app
            .count("SELECT count(*) FROM list_inbound_log WHERE outcome = 'too_large'")
            .await,
        1
    );
    assert_eq!(
        g.app
            .count("SELECT count(*) FROM list_posts WHERE source = 'email'")
            .await,
        0
    );
    assert_eq!(
        answers_to(&g.app, "sam@friends.org").await,
        1,
        "the key's member is told"
    );
}

#[tokio::test]
async fn the_http_door_needs_its_secret() {
    // No secret configured: the door does not exist.
    let app = spawn(false).await;
    let (status, _) = post_mail(&app, Some(SECRET), "From: a@b.org\r\n\r\nhi").await;
    assert_eq!(status, 404);
    drop(app);

    let g = group(true).await;
    let key = reply_key(&g.app.db, g.tenant, g.sam, g.thread).await;
    let message = raw(
        "sam@friends.org",
        &list_address(&key),
        "http-1@friends.org",
        "",
        QUOTED_REPLY,
    );
    let (status, _) = post_mail(&g.app, None, message.clone()).await;
    assert_eq!(status, 401);
    let (status, _) = post_mail(
        &g.app,
        Some("inbound-secret-for-the-tests-0123456788"),
        message.clone(),
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(
        g.app.count("SELECT count(*) FROM list_inbound_log").await,
        0
    );

    assert_eq!(outcome(&g.app, message).await, "posted");

    // Over the size limit: 413 before the body is read, and logged.
    let mut big = raw(
        "sam@friends.org",
        &list_address(&key),
        "http-big@friends.org",
        "",
        "",
    )
    .into_bytes();
    big.resize(undersigned::coalition::inbound::MAX_MESSAGE_BYTES + 1, b'a');
    let (status, _) = post_mail(&g.app, Some(SECRET), big).await;
    assert_eq!(status, 413);
    assert_eq!(
        g.app
            .count("SELECT count(*) FROM list_inbound_log WHERE outcome = 'too_large'")
            .await,
        1
    );
    let body: String =
        sqlx::query_scalar("SELECT body FROM list_posts WHERE message_id = 'http-1@friends.org'")
            .fetch_one(&g.app.db)
            .await
            .unwrap();
    assert_eq!(body, "Count us in: we will bring the banner.");
}

#[tokio::test]
async fn a_forged_from_with_another_members_key_is_refused_and_its_owner_told() {
    let g = group(true).await;
    let sams_key = reply_key(&g.app.db, g.tenant, g.sam, g.thread).await;
    // Ana (a member too) forges Sam's key, or Sam's mail was forwarded: never attributed.
    let forged = raw(
        "Ana Ruiz <ana@valley.org>",
        &list_address(&sams_key),
        "forged-1@valley.org",
        "",
        "Posting in Sam's thread as me.",
    );
    assert_eq!(outcome(&g.app, forged).await, "foreign_from");
    assert_eq!(
        g.app
            .count("SELECT count(*) FROM list_posts WHERE source = 'email'")
            .await,
        0
    );
    assert_eq!(
        g.app
            .count("SELECT count(*) FROM list_posts WHERE author_name = 'Ana Ruiz' OR author_member_id IS NOT NULL")
            .await,
        0,
        "nothing in anyone's name"
    );
    assert_eq!(
        answers_to(&g.app, "sam@friends.org").await,
        1,
        "the key's owner is told"
    );
    assert_eq!(
        answers_to(&g.app, "ana@valley.org").await,
        0,
        "never the From"
    );

    // The rightful owner's own message with the same key goes through.
    let own = raw(
        "sam@friends.org",
        &list_address(&sams_key),
        "own-1@friends.org",
        "",
        "Mine.",
    );
    assert_eq!(outcome(&g.app, own).await, "posted");
}

#[tokio::test]
async fn unknown_and_foreign_keys_open_nothing_and_unknown_senders_hear_once_an_hour() {
    let g = group(true).await;
    // Another group, with a member of the same address and a thread of its own.
    g.app.signup("delta", "owner@delta.org").await;
    let delta = tenant_id(&g.app.db, "delta").await;
    open_list(&g.app.db, delta, "Delta Coalition").await;
    let sam_in_delta = member(&g.app.db, delta, "sam@friends.org", "Sam Reyes", false).await;
    let delta_thread = thread(&g.app.db, delta, "Delta news").await;
    let delta_key = reply_key(&g.app.db, delta, sam_in_delta, delta_thread).await;

    // A key of group Delta posts into Delta's thread, never into River's.
    let message = raw(
        "sam@friends.org",
        &list_address(&delta_key),
        "delta-1@friends.org",
        "",
        "For Delta.",
    );
    assert_eq!(outcome(&g.app, message).await, "posted");
    let (tenant, thread): (Uuid, Uuid) = sqlx::query_as(
        "SELECT tenant_id, thread_id FROM list_posts WHERE message_id = 'delta-1@friends.org'",
    )
    .fetch_one(&g.app.db)
    .await
    .unwrap();
    assert_eq!((tenant, thread), (delta, delta_thread.0));
    assert_eq!(
        g.app
            .count(&format!(
                "SELECT count(*) FROM list_posts WHERE tenant_id = '{}' AND source = 'email'",
                g.tenant
            ))
            .await,
        0
    );

    // An unknown key: an explanation to the sender, once an hour.
    let stranger = "stranger@nowhere.org";
    for n in 0..2 {
        let message = raw(
            stranger,
            &list_address("deadbeefdeadbeef"),
            &format!("s-{n}@nowhere.org"),
            "",
            "Hello?",
        );
        assert_eq!(outcome(&g.app, message).await, "unknown_key");
    }
    let message = raw(
        stranger,
        "someone@elsewhere.org",
        "s-2@nowhere.org",
        "",
        "No key at all",
    );
    assert_eq!(outcome(&g.app, message).await, "unknown_key");
    assert_eq!(
        answers_to(&g.app, stranger).await,
        1,
        "one explanation within the hour"
    );
    // Its From is unproven: the explanation repeats none of the message's words (not its
    // subject), so it cannot carry a stranger's text to whoever the From names.
    let answer: String = sqlx::query_scalar(
        "SELECT message::text FROM outbox WHERE message->>'kind' = 'list_inbound_answer'
         AND lower(recipient) = lower($1)",
    )
    .bind(stranger)
    .fetch_one(&g.app.db)
    .await
    .unwrap();
    assert!(!answer.contains("Hearing on Tuesday"), "{answer}");
    g.app.clock.advance(time::Duration::minutes(61));
    let message = raw(
        stranger,
        &list_address("deadbeefdeadbeef"),
        "s-3@nowhere.org",
        "",
        "Hello?",
    );
    assert_eq!(outcome(&g.app, message).await, "unknown_key");
    assert_eq!(
        answers_to(&g.app, stranger).await,
        2,
        "a new hour, a new explanation"
    );
    assert_eq!(
        g.app
            .count("SELECT count(*) FROM list_posts WHERE source = 'email'")
            .await,
        1
    );
}

#[tokio::test]
async fn mass_mail_loops_and_duplicates_are_dropped() {
    let g = group(true).await;
    let key = reply_key(&g.app.db, g.tenant, g.sam, g.thread).await;
    let to = list_address(&key);

    // 500 recipients: refused, the member told.
    let many: Vec<String> = (0..499).map(|n| format!("p{n}@example.com")).collect();
    let message = raw(
        "sam@friends.org",
        &format!("{to}, {}", many.join(", ")),
        "many@friends.org",
        "",
        "Hi all",
    );
    assert_eq!(outcome(&g.app, message).await, "too_many_recipients");
    assert_eq!(answers_to(&g.app, "sam@friends.org").await, 1);

    // Automatic mail and our own mail coming back: dropped, nobody answered.
    sqlx::query("DELETE FROM list_inbound_replies")
        .execute(&g.app.db)
        .await
        .unwrap();
    for (n, header) in [
        "Auto-Submitted: auto-replied\r\n",
        "Precedence: bulk\r\n",
        "List-Id: River Coalition <list.river.lists.example.org>\r\n",
        "X-Loop: list@lists.example.org\r\n",
        "Return-Path: <>\r\n",
    ]
    .iter()
    .enumerate()
    {
        let message = raw(
            "sam@friends.org",
            &to,
            &format!("loop-{n}@friends.org"),
            header,
            "I am away",
        );
        assert_eq!(outcome(&g.app, message).await, "loop", "{header}");
    }
    assert_eq!(
        answers_to(&g.app, "sam@friends.org").await,
        1,
        "no answer to a loop"
    );
    assert_eq!(
        g.app
            .count("SELECT count(*) FROM list_posts WHERE source = 'email'")
            .await,
        0
    );

    // The same message twice is one post.
    let message = raw(
        "sam@friends.org",
        &to,
        "twice@friends.org",
        "",
        "Only once, please.",
    );
    assert_eq!(outcome(&g.app, message.clone()).await, "posted");
    assert_eq!(outcome(&g.app, message).await, "duplicate");
    assert_eq!(
        g.app
            .count("SELECT count(*) FROM list_posts WHERE message_id = 'twice@friends.org'")
            .await,
        1
    );

    // A refused message arriving twice is answered once.
    sqlx::query("DELETE FROM list_inbound_replies")
        .execute(&g.app.db)
        .await
        .unwrap();
    let before = answers_to(&g.app, "sam@friends.org").await;
    let refused = raw(
        "sam@friends.org",
        &format!("{to}, {}", many.join(", ")),
        "many-2@friends.org",
        "",
        "Hi all",
    );
    assert_eq!(
        outcome(&g.app, refused.clone()).await,
        "too_many_recipients"
    );
    sqlx::query("DELETE FROM list_inbound_replies")
        .execute(&g.app.db)
        .await
        .unwrap();
    assert_eq!(outcome(&g.app, refused).await, "duplicate");
    assert_eq!(answers_to(&g.app, "sam@friends.org").await, before + 1);
}

#[tokio::test]
async fn attachments_are_refused_politely_and_html_is_sanitized() {
    let g = group(true).await;
    let key = reply_key(&g.app.db, g.tenant, g.sam, g.thread).await;
    let to = list_address(&key);
    let with_pdf = format!(
        "From: sam@friends.org\r\nTo: {to}\r\nSubject: Re: Hearing\r\nMessage-ID: <pdf@friends.org>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee the flyer.\r\n--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=flyer.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n"
    );
    assert_eq!(outcome(&g.app, with_pdf).await, "attachment");
    let text: String = sqlx::query_scalar(
        "SELECT message->>'explanation' FROM outbox WHERE message->>'kind' = 'list_inbound_answer'
         AND recipient = 'sam@friends.org'",
    )
    .fetch_one(&g.app.db)
    .await
    .unwrap();
    assert!(
        text.contains("Attachments are not accepted") && text.contains("link"),
        "{text}"
    );
    assert_eq!(
        g.app
            .count("SELECT count(*) FROM list_posts WHERE source = 'email'")
            .await,
        0
    );

    let html = format!(
        "From: sam@friends.org\r\nTo: {to}\r\nSubject: Re: Hearing\r\nMessage-ID: <html@friends.org>\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body><p>We <b>will</b> come.</p><script>alert('x')</script><img src=x onerror=alert(1)><p>&lt;script&gt;alert(2)&lt;/script&gt;</p><div class=gmail_quote>On Mon, Maya wrote:<blockquote>old text</blockquote></div></body></html>"
    );
    assert_eq!(outcome(&g.app, html).await, "posted");
    let body: String =
        sqlx::query_scalar("SELECT body FROM list_posts WHERE message_id = 'html@friends.org'")
            .fetch_one(&g.app.db)
            .await
            .unwrap();
    assert!(body.starts_with("We will come."), "{body}");
    assert!(!body.to_lowercase().contains("<script"), "{body}");
    assert!(
        !body.contains("onerror") && !body.contains("alert('x')") && !body.contains("old text"),
        "{body}"
    );
}

#[tokio::test]
async fn organizers_read_their_groups_inbound_log() {
    let g = group(true).await;
    let owner = g.app.log_in("owner@river.org").await;
    let key = reply_key(&g.app.db, g.tenant, g.sam, g.thread).await;
    let message = raw(
        "sam@friends.org",
        &list_address(&key),
        "log-1@friends.org",
        "",
        "Hello.",
    );
    assert_eq!(outcome(&g.app, message).await, "posted");
    let message = raw(
        "mallory@evil.org",
        &list_address(&key),
        "log-2@evil.org",
        "",
        "Hello.",
    );
    assert_eq!(outcome(&g.app, message).await, "foreign_from");

    let page = owner.get("/app/river/list/inbound").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("sam@friends.org") && page.body.contains("mallory@evil.org"));
    let newest = page.body.find("mallory@evil.org").unwrap();
    assert!(
        newest < page.body.find("sam@friends.org").unwrap(),
        "newest first"
    );
    assert!(page.body.contains("From does not match"));

    let viewer = g
        .app
        .join(&owner, "river", "viewer@river.org", "viewer", "Vic Viewer")
        .await;
    assert_eq!(viewer.get("/app/river/list/inbound").await.status, 200);

    let other = g.app.signup("delta", "owner@delta.org").await;
    assert_eq!(other.get("/app/delta/list/inbound").await.status, 200);
    assert_eq!(other.get("/app/river/list/inbound").await.status, 404);
    let delta_page = other.get("/app/delta/list/inbound").await;
    assert!(
        !delta_page.body.contains("sam@friends.org"),
        "another group sees nothing"
    );
}

#[tokio::test]
async fn a_posting_key_starts_a_thread_and_a_held_post_is_told_so() {
    let g = group(true).await;
    let newcomer = member(&g.app.db, g.tenant, "new@member.org", "Nia New", true).await;
    let key = post_key(&g.app.db, newcomer).await;
    let message = raw(
        "new@member.org",
        &list_address(&key),
        "first@member.org",
        "",
        "Hello everyone, glad to join.",
    );
    assert_eq!(outcome(&g.app, message).await, "held");
    let (subject, state, thread): (String, String, Uuid) = sqlx::query_as(
        "SELECT subject, state, thread_id FROM list_posts WHERE message_id = 'first@member.org'",
    )
    .fetch_one(&g.app.db)
    .await
    .unwrap();
    assert_eq!(
        subject, "Hearing on Tuesday",
        "the subject without Re: and the list's tag"
    );
    assert_eq!(state, "held");
    assert_ne!(thread, g.thread.0, "a new thread");
    let headline: String = sqlx::query_scalar(
        "SELECT message->>'headline' FROM outbox WHERE message->>'kind' = 'list_inbound_answer'
         AND recipient = 'new@member.org'",
    )
    .fetch_one(&g.app.db)
    .await
    .unwrap();
    assert!(headline.contains("waiting for a moderator"), "{headline}");
}
