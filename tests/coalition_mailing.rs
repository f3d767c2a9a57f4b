//! Tests of the coalition list (issue 20): coalition_mailing. List mail on the wire (the
//! list's headers as received), the daily digest with a moved clock, and bounces (a
//! permanent SMTP refusal of list mail stops delivery to that member).

use crate::support;

use support::coalition::{member as join, open_list, state};
use support::smtp::{SinkOptions, SmtpSink};
use support::{Options, TestApp};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use undersigned::clock::Clock;
use undersigned::coalition::delivery;
use undersigned::coalition::mailing::digest::{DigestPostMail, DigestThreadMail};
use undersigned::coalition::mailing::ListDigest;
use undersigned::coalition::model::{ListMemberId, PostId, ThreadId};
use undersigned::coalition::posting::{self, Author, NewPost, PostSource, Posted};
use undersigned::coalition::store;
use undersigned::mail::{enqueue, enqueue_many_list, ListHeaders, Outgoing};
use undersigned::signatures::Bulletin;
use undersigned::state::AppState;
use uuid::Uuid;

/// A group with a list whose members' posts go straight through (`accept`).
struct Group {
    id: Uuid,
    slug: String,
    state: AppState,
}

async fn group_with_list(app: &TestApp, slug: &str) -> Group {
    app.signup(slug, &format!("owner@{slug}.example.org")).await;
    open_list(app, slug, "accept").await;
    let id: Uuid = sqlx::query_scalar("SELECT id FROM tenants WHERE slug = $1")
        .bind(slug)
        .fetch_one(&app.db)
        .await
        .unwrap();
    Group {
        id,
        slug: slug.to_owned(),
        state: state(app),
    }
}

/// A cleared member (their posts are published) who takes `delivery`.
async fn member(app: &TestApp, group: &Group, email: &str, delivery: &str) -> ListMemberId {
    let name = email.split('@').next().unwrap().to_owned();
    let id = join(app, &group.slug, &name, email, true).await;
    sqlx::query("UPDATE list_members SET delivery = $2 WHERE id = $1")
        .bind(id)
        .bind(delivery)
        .execute(&app.db)
        .await
        .unwrap();
    id
}

/// The group's owner, posting as an organizer.
async fn organizer(app: &TestApp, group: &Group) -> Author {
    let user_id: Uuid = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(format!("owner@{}.example.org", group.slug))
        .fetch_one(&app.db)
        .await
        .unwrap();
    Author::Organizer {
        user_id,
        name: "Maya Okafor".into(),
    }
}

/// A post through the one way in (`posting::submit`), as the web form makes it.
async fn post(
    app: &TestApp,
    group: &Group,
    author: Author,
    thread: Option<ThreadId>,
    subject: &str,
    body: &str,
) -> Posted {
    let tenant = support::coalition::group(app, &group.slug).await;
    posting::submit(
        &group.state,
        tenant,
        author,
        NewPost {
            thread,
            subject,
            body,
            news_link: None,
            source: PostSource::Web,
        },
    )
    .await
    .unwrap()
}

fn published(posted: Posted) -> (ThreadId, PostId) {
    match posted {
        Posted::Published { thread, post } => (thread, post),
        other => panic!("not published: {other:?}"),
    }
}

/// The raw message last sent to `email` through the file transport.
fn raw_mail_to(app: &TestApp, transport_id: &str) -> String {
    String::from_utf8(std::fs::read(app.mail_dir().join(format!("{transport_id}.eml"))).unwrap())
        .unwrap()
}

async fn transport_id_of(app: &TestApp, key: &str) -> String {
    sqlx::query_scalar("SELECT transport_id FROM outbox WHERE idempotency_key = $1")
        .bind(key)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

/// The message's header section, unfolded: one entry per header.
fn headers_of(raw: &str) -> Vec<(String, String)> {
    let head = raw
        .split("\r\n\r\n")
        .next()
        .unwrap()
        .replace("\r\n ", " ")
        .replace("\r\n\t", " ");
    head.split("\r\n")
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
        .collect()
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn digest_message(subject: &str) -> ListDigest {
    ListDigest {
        list_name: "Clean Water Coalition".into(),
        day: "25 November 2026".into(),
        threads: vec![DigestThreadMail {
            subject: subject.into(),
            url: "https://example.org/t".into(),
            posts: vec![DigestPostMail {
                author: "Maya".into(),
                when: "25 November 2026, 12:00 UTC".into(),
                subject: subject.into(),
                body: "Hello".into(),
            }],
        }],
        archive_url: "https://example.org/a".into(),
        me_url: "https://example.org/me".into(),
        post_address: "list+k@example.org".into(),
    }
}

/// One list email as received carries the list's headers (RFC 2369, 2919, 8058): its
/// List-Id, the archive, the member's own one-click leave link, `Precedence: list`, the
/// reply address that traces a reply to its member, a Message-ID, and the thread's
/// In-Reply-To/References. Mail without list headers is as it was, with a stable id.
#[tokio::test]
async fn list_mail_goes_out_with_the_lists_headers() {
    let app = TestApp::spawn().await;
    let group = group_with_list(&app, "ohio-valley").await;
    let ana = member(&app, &group, "ana@example.org", "each").await;
    let ben = member(&app, &group, "ben@example.org", "each").await;
    let domain = app.config.mail_domain.clone();

    let (thread, first) = published(
        post(
            &app,
            &group,
            organizer(&app, &group).await,
            None,
            "Water testing on Saturday",
            "Who can bring **kits**? We meet at the boat ramp at 9.",
        )
        .await,
    );
    let (_, reply) = published(
        post(
            &app,
            &group,
            Author::Member(ben),
            Some(thread),
            "",
            "I can bring six kits.",
        )
        .await,
    );
    // The same group's bulk mail without list headers (a member update, say).
    let mut tx = app.db.begin().await.unwrap();
    enqueue(
        &mut tx,
        Outgoing {
            tenant: Some(group.id),
            idempotency_key: "bulletin:1".into(),
            recipient: "ana@example.org",
            message: Bulletin {
                sender: "Maya".into(),
                subject: "Update".into(),
                body: "News".into(),
            },
            send_at: app.clock.now(),
            bulk: true,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    app.dispatch_mail().await;

    let raw = raw_mail_to(
        &app,
        &transport_id_of(&app, &format!("list-post:{reply}:{ana}")).await,
    );
    let head = headers_of(&raw);
    println!(
        "--- one list email as sent (a reply, to a member who takes each message) ---\n{}\n---",
        raw.split("\r\n\r\n").next().unwrap()
    );
    assert_eq!(
        header(&head, "List-Id"),
        Some(delivery::list_id("Clean Water Coalition", "ohio-valley", &domain).as_str())
    );
    let read = undersigned::mail::read_eml(raw.as_bytes()).expect("the message reads back");
    assert_eq!(
        (read.from_name.as_str(), read.from.as_str()),
        (
            "ben (ben's organization) via Clean Water Coalition",
            "no-reply@undersigned.localhost"
        ),
        "the poster's name over the list's own address"
    );
    let archive_url = app.config.link("/ohio-valley/list/archive");
    assert_eq!(
        header(&head, "List-Archive"),
        Some(format!("<{archive_url}>").as_str())
    );
    assert_eq!(
        header(&head, "X-Loop"),
        Some(format!("list@{domain}").as_str())
    );
    let unsubscribe = header(&head, "List-Unsubscribe").unwrap().to_owned();
    let leave_url = unsubscribe
        .trim_matches(|c| c == '<' || c == '>')
        .to_owned();
    assert!(
        leave_url.starts_with(&app.config.link("/ohio-valley/list/leave/")),
        "the list's own leave link, not mail's generic token: {leave_url}"
    );
    assert_eq!(
        header(&head, "List-Unsubscribe-Post"),
        Some("List-Unsubscribe=One-Click")
    );
    assert_eq!(header(&head, "Precedence"), Some("list"));
    let reply_to = header(&head, "Reply-To").unwrap().to_owned();
    let key = reply_to
        .strip_prefix("list+")
        .and_then(|rest| rest.strip_suffix(&format!("@{domain}")))
        .unwrap_or_else(|| panic!("Reply-To is list+<key>@MAIL_DOMAIN: {reply_to}"));
    let owner: Uuid = sqlx::query_scalar(
        "SELECT member_id FROM list_reply_keys WHERE key = $1 AND thread_id = $2",
    )
    .bind(key)
    .bind(thread)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(owner, ana.0, "the reply key is ana's, for this thread");
    assert_eq!(
        header(&head, "List-Post"),
        Some(format!("<mailto:{reply_to}>").as_str())
    );
    assert_eq!(
        header(&head, "Message-ID"),
        Some(format!("<post-{}@{domain}>", reply.0).as_str())
    );
    assert_eq!(
        header(&head, "In-Reply-To"),
        Some(format!("<post-{}@{domain}>", first.0).as_str())
    );
    assert_eq!(
        header(&head, "References"),
        Some(format!("<post-{}@{domain}>", first.0).as_str())
    );
    let read = undersigned::mail::read_eml(raw.as_bytes()).unwrap();
    assert!(
        read.text
            .contains(&format!("To stop these emails: {leave_url}")),
        "the footer's link is the leave link: {}",
        read.text
    );
    assert!(!read.text.contains("/mail/unsubscribe/"));
    let tokens: i64 = app
        .count("SELECT count(*) FROM outbox WHERE message->>'kind' = 'list_post' AND unsubscribe_hash IS NOT NULL")
        .await;
    assert_eq!(
        tokens, 0,
        "no generic unsubscribe token is made for list mail"
    );
    // The header works as a mail program uses it (RFC 8058): one POST, no cookie, no
    // token, and ana is off the list.
    let path = leave_url
        .strip_prefix(app.config.base_url.as_str().trim_end_matches('/'))
        .unwrap()
        .to_owned();
    let r = support::Client::new(&app.address)
        .post_raw(
            &path,
            "application/x-www-form-urlencoded",
            "List-Unsubscribe=One-Click",
        )
        .await;
    assert!(r.status < 400, "one-click leave: {} {}", r.status, r.body);
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM list_members WHERE id = '{ana}'"
        ))
        .await,
        0
    );
    // The thread's first post starts the thread: no In-Reply-To.
    let raw = raw_mail_to(
        &app,
        &transport_id_of(&app, &format!("list-post:{first}:{ana}")).await,
    );
    let head = headers_of(&raw);
    assert_eq!(
        header(&head, "Message-ID"),
        Some(format!("<post-{}@{domain}>", first.0).as_str())
    );
    assert_eq!(header(&head, "In-Reply-To"), None);
    assert_eq!(header(&head, "References"), None);

    // Mail without list headers: as before (mail's own unsubscribe link, no list headers),
    // with a Message-ID made from its row, so a resend is the same message.
    let row: i64 = sqlx::query_scalar("SELECT id FROM outbox WHERE idempotency_key = 'bulletin:1'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let raw = raw_mail_to(&app, &transport_id_of(&app, "bulletin:1").await);
    let head = headers_of(&raw);
    assert!(header(&head, "List-Unsubscribe")
        .unwrap()
        .contains("/mail/unsubscribe/"));
    assert_eq!(
        header(&head, "List-Unsubscribe-Post"),
        Some("List-Unsubscribe=One-Click")
    );
    for absent in [
        "List-Id",
        "List-Archive",
        "List-Post",
        "Precedence",
        "In-Reply-To",
        "References",
        "Reply-To",
    ] {
        assert_eq!(
            header(&head, absent),
            None,
            "{absent} on mail that is not list mail"
        );
    }
    assert_eq!(
        header(&head, "Message-ID"),
        Some(format!("<outbox-{row}@{domain}>").as_str())
    );

    // Bulk semantics hold for list mail: never to a suppressed address.
    undersigned::mail::outbox::suppress(
        &app.db,
        Some(group.id),
        "ana@example.org",
        app.clock.now(),
    )
    .await
    .unwrap();
    let mut tx = app.db.begin().await.unwrap();
    enqueue_many_list(
        &mut tx,
        Some(group.id),
        vec![(
            "list-test:2".into(),
            "ana@example.org".into(),
            digest_message("Another"),
            ListHeaders::default(),
        )],
        app.clock.now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    app.dispatch_mail().await;
    let status: String =
        sqlx::query_scalar("SELECT status FROM outbox WHERE idempotency_key = 'list-test:2'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(status, "suppressed");

    // List headers without a leave link or an archive still give a way out: mail's own.
    let mut tx = app.db.begin().await.unwrap();
    enqueue_many_list(
        &mut tx,
        Some(group.id),
        vec![(
            "list-test:3".into(),
            "zoe@example.org".into(),
            digest_message("Partial"),
            ListHeaders {
                list_id: format!("<x.list.{domain}>"),
                ..ListHeaders::default()
            },
        )],
        app.clock.now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    app.dispatch_mail().await;
    let head = headers_of(&raw_mail_to(
        &app,
        &transport_id_of(&app, "list-test:3").await,
    ));
    assert!(header(&head, "List-Unsubscribe")
        .unwrap()
        .contains("/mail/unsubscribe/"));
    assert_eq!(header(&head, "List-Archive"), None);
    assert_eq!(header(&head, "Precedence"), Some("list"));
}

async fn digests_to(app: &TestApp, email: &str) -> Vec<undersigned::mail::ReadMessage> {
    app.dispatch_mail().await;
    app.mail_to(email)
        .into_iter()
        .filter(|m| m.subject.contains("Digest"))
        .collect()
}

/// A digest member gets at most one email a day with what was published since their last
/// digest, thread by thread with links; nothing when nothing is new; never held posts or
/// their own; archive-only and each-message members get no digest.
#[tokio::test]
async fn the_digest_goes_out_once_a_day_with_what_is_new() {
    let app = TestApp::spawn().await;
    app.clock.set(datetime!(2026-11-25 09:00 UTC));
    let group = group_with_list(&app, "ohio-valley").await;
    let dana = member(&app, &group, "dana@example.org", "digest").await;
    let eve = member(&app, &group, "eve@example.org", "each").await;
    let _none = member(&app, &group, "nora@example.org", "none").await;
    let writer = member(&app, &group, "walt@example.org", "each").await;
    let newcomer = join(&app, "ohio-valley", "Nia", "nia@example.org", false).await;

    // Nothing published yet: nothing.
    assert_eq!(app.run_scheduler().await.list_digests, 0);

    app.clock.advance(Duration::hours(1));
    let (thread, _) = published(
        post(
            &app,
            &group,
            Author::Member(writer),
            None,
            "Water testing on Saturday",
            "Who can bring **kits**?",
        )
        .await,
    );
    app.clock.advance(Duration::minutes(5));
    published(
        post(
            &app,
            &group,
            Author::Member(dana),
            Some(thread),
            "",
            "Dana's own reply",
        )
        .await,
    );
    let held = post(
        &app,
        &group,
        Author::Member(newcomer),
        None,
        "A held post",
        "HELD TEXT",
    )
    .await;
    assert!(matches!(held, Posted::Held { .. }), "{held:?}");
    let (_, removed) = published(
        post(
            &app,
            &group,
            organizer(&app, &group).await,
            None,
            "Removed soon",
            "REMOVED TEXT",
        )
        .await,
    );
    // An organizer removes it (moderation is the list part's page).
    sqlx::query("UPDATE list_posts SET state = 'removed' WHERE id = $1")
        .bind(removed)
        .execute(&app.db)
        .await
        .unwrap();
    let (other, _) = published(
        post(
            &app,
            &group,
            organizer(&app, &group).await,
            None,
            "Hearing on the 12th",
            "The county hearing moved.",
        )
        .await,
    );
    app.clock.advance(Duration::minutes(5));

    assert_eq!(app.run_scheduler().await.list_digests, 1);
    let digests = digests_to(&app, "dana@example.org").await;
    assert_eq!(digests.len(), 1);
    let first = &digests[0];
    assert!(
        first.subject.contains("Clean Water Coalition"),
        "{}",
        first.subject
    );
    assert!(first.subject.contains("2 new posts"), "{}", first.subject);
    assert!(
        first.text.contains("Who can bring **kits**?"),
        "{}",
        first.text
    );
    assert!(first.text.contains("The county hearing moved."));
    assert!(
        !first.text.contains("HELD TEXT"),
        "a held post is never in a digest"
    );
    assert!(!first.text.contains("REMOVED TEXT"), "nor a removed one");
    assert!(
        !first.text.contains("Dana's own reply"),
        "nor the member's own post"
    );
    assert!(first.text.contains(
        &app.config
            .link(&format!("/ohio-valley/list/archive/{thread}"))
    ));
    assert!(first.text.contains(
        &app.config
            .link(&format!("/ohio-valley/list/archive/{other}"))
    ));
    assert!(
        first.html.contains("<strong>kits</strong>"),
        "Markdown rendered in HTML"
    );
    assert!(
        first.text.find("Water testing").unwrap() < first.text.find("Hearing on the 12th").unwrap(),
        "threads in the order of their posts"
    );
    assert_eq!(
        first.reply_to.as_deref(),
        Some(
            format!(
                "list+{}@{}",
                store::member(
                    &app.db,
                    undersigned::tenancy::public_group(&app.db, "ohio-valley")
                        .await
                        .unwrap()
                        .unwrap()
                        .id,
                    dana
                )
                .await
                .unwrap()
                .unwrap()
                .post_key,
                app.config.mail_domain
            )
            .as_str()
        ),
        "a reply to a digest starts a thread from the member's own address"
    );
    assert!(first
        .list_unsubscribe
        .as_deref()
        .unwrap()
        .contains("/ohio-valley/list/leave/"));
    for nobody in ["eve@example.org", "nora@example.org", "walt@example.org"] {
        assert!(
            digests_to(&app, nobody).await.is_empty(),
            "{nobody} got a digest"
        );
    }
    let key = format!("list-digest:{dana}:2026-11-25");
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM outbox WHERE idempotency_key = '{key}'"
        ))
        .await,
        1
    );

    // A second tick the same day, with a new post: nothing until tomorrow.
    app.clock.advance(Duration::hours(2));
    published(
        post(
            &app,
            &group,
            Author::Member(writer),
            Some(thread),
            "",
            "I have six kits.",
        )
        .await,
    );
    app.clock.advance(Duration::minutes(1));
    assert_eq!(app.run_scheduler().await.list_digests, 0);
    assert_eq!(digests_to(&app, "dana@example.org").await.len(), 1);

    // The next day: a second digest, with only what is new.
    // Two processes ticking at once send it once.
    app.clock.set(datetime!(2026-11-26 08:00 UTC));
    let other_process = app.another_scheduler().await;
    let (here, there) = tokio::join!(app.run_scheduler(), other_process.tick());
    assert_eq!(here.list_digests + there.unwrap().list_digests, 1);
    assert_eq!(
        app.run_scheduler().await.list_digests,
        0,
        "two ticks, one digest"
    );
    let digests = digests_to(&app, "dana@example.org").await;
    assert_eq!(digests.len(), 2);
    let second = digests
        .iter()
        .find(|m| m.text.contains("I have six kits."))
        .expect("the second digest");
    assert!(
        !second.text.contains("The county hearing moved."),
        "already sent yesterday"
    );
    assert!(second.subject.contains("1 new post"), "{}", second.subject);

    // A day with nothing new: nothing.
    app.clock.set(datetime!(2026-11-27 08:00 UTC));
    assert_eq!(app.run_scheduler().await.list_digests, 0);
    assert_eq!(digests_to(&app, "dana@example.org").await.len(), 2);

    // Another group's posts never reach this group's members.
    let other_group = group_with_list(&app, "lake-erie").await;
    published(
        post(
            &app,
            &other_group,
            organizer(&app, &other_group).await,
            None,
            "Elsewhere",
            "Not for Dana",
        )
        .await,
    );
    app.clock.set(datetime!(2026-11-28 08:00 UTC));
    assert_eq!(app.run_scheduler().await.list_digests, 0);

    // A member who switches from each message to the digest gets what is published from
    // then on, not everything since they joined (they had each post already).
    let tenant = support::coalition::group(&app, "ohio-valley").await;
    let mut conn = app.db.acquire().await.unwrap();
    assert!(store::choose_delivery(
        &mut conn,
        tenant,
        eve,
        undersigned::coalition::model::Delivery::Digest,
        app.clock.now()
    )
    .await
    .unwrap());
    drop(conn);
    app.clock.advance(Duration::hours(1));
    published(
        post(
            &app,
            &group,
            Author::Member(writer),
            None,
            "After the switch",
            "Only this one for Eve.",
        )
        .await,
    );
    app.clock.advance(Duration::hours(1));
    assert_eq!(
        app.run_scheduler().await.list_digests,
        1,
        "Dana's; Eve's first comes tomorrow (she switched today)"
    );
    assert!(digests_to(&app, "eve@example.org").await.is_empty());
    app.clock.set(datetime!(2026-11-29 08:00 UTC));
    assert_eq!(app.run_scheduler().await.list_digests, 1);
    let eves = digests_to(&app, "eve@example.org").await;
    assert_eq!(eves.len(), 1);
    assert!(eves[0].text.contains("Only this one for Eve."));
    assert!(!eves[0].text.contains("kits"), "{}", eves[0].text);
}

/// A permanent SMTP refusal of list mail (a post, a digest) marks the member bouncing: no
/// more list mail until they act. A 4xx is retried, not a bounce; a refusal of another
/// kind of mail to the same address marks nothing.
#[tokio::test]
async fn a_permanent_refusal_of_list_mail_stops_delivery_to_that_member() {
    let sink = SmtpSink::start_with(SinkOptions {
        refuse: vec![
            (
                "gone@example.org".into(),
                "550 5.1.1 no such mailbox".into(),
            ),
            (
                "gone-digest@example.org".into(),
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
    app.clock.set(datetime!(2026-11-25 09:00 UTC));
    let group = group_with_list(&app, "ohio-valley").await;
    let gone = member(&app, &group, "gone@example.org", "each").await;
    let busy = member(&app, &group, "busy@example.org", "each").await;
    let fine = member(&app, &group, "fine@example.org", "each").await;
    let gone_digest = member(&app, &group, "gone-digest@example.org", "digest").await;
    let bouncing = |id: ListMemberId| {
        let db = app.db.clone();
        async move {
            sqlx::query_as::<_, (Option<OffsetDateTime>, String)>(
                "SELECT bouncing_since, bounce_reason FROM list_members WHERE id = $1",
            )
            .bind(id)
            .fetch_one(&db)
            .await
            .unwrap()
        }
    };
    let list_posts_to = |id: ListMemberId| {
        let app = &app;
        async move {
            app.count(&format!(
                "SELECT count(*) FROM outbox WHERE message->>'kind' = 'list_post'
                 AND idempotency_key LIKE 'list-post:%:{id}'"
            ))
            .await
        }
    };

    // A refusal of mail that is not list mail (a bulletin) marks no member.
    let mut tx = app.db.begin().await.unwrap();
    enqueue(
        &mut tx,
        Outgoing {
            tenant: Some(group.id),
            idempotency_key: "bulletin:gone".into(),
            recipient: "gone@example.org",
            message: Bulletin {
                sender: "Maya".into(),
                subject: "Update".into(),
                body: "News".into(),
            },
            send_at: app.clock.now(),
            bulk: true,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    app.dispatch_mail().await;
    assert_eq!(
        bouncing(gone).await.0,
        None,
        "not list mail: the member is not marked"
    );

    // A post goes to the three who take each message; the server refuses one for good.
    app.clock.advance(Duration::hours(1));
    published(
        post(
            &app,
            &group,
            organizer(&app, &group).await,
            None,
            "Water testing on Saturday",
            "Who can bring kits?",
        )
        .await,
    );
    app.dispatch_mail().await;
    let (since, reason) = bouncing(gone).await;
    assert_eq!(
        since,
        Some(app.clock.now()),
        "a 5xx marks the member bouncing"
    );
    assert!(
        reason.contains("550"),
        "the server's answer is kept: {reason}"
    );
    assert_eq!(
        bouncing(busy).await.0,
        None,
        "a 4xx is tried again, not a bounce"
    );
    assert_eq!(bouncing(fine).await.0, None);
    let received = |who: &str| {
        sink.messages()
            .into_iter()
            .filter(|m| m.to.iter().any(|to| to.contains(who)))
            .count()
    };
    assert_eq!(received("fine@example.org"), 1);

    // The next post reaches the member whose mail arrives, not the one who bounced.
    app.clock.advance(Duration::minutes(10));
    published(
        post(
            &app,
            &group,
            Author::Member(fine),
            None,
            "Hearing on the 12th",
            "The county hearing moved.",
        )
        .await,
    );
    assert_eq!(list_posts_to(gone).await, 1, "only the refused one");
    assert_eq!(list_posts_to(busy).await, 2);
    app.dispatch_mail().await;

    // Once the member acts (the resume button on their page), posts reach them again.
    let tenant = support::coalition::group(&app, "ohio-valley").await;
    let mut conn = app.db.acquire().await.unwrap();
    assert!(store::clear_bounce(&mut conn, tenant, gone).await.unwrap());
    drop(conn);
    published(
        post(
            &app,
            &group,
            Author::Member(fine),
            None,
            "Back again",
            "Welcome back.",
        )
        .await,
    );
    assert_eq!(
        list_posts_to(gone).await,
        2,
        "delivered again after resuming"
    );

    // A refused digest marks its member too: no digest the next day.
    app.clock.advance(Duration::minutes(10));
    assert_eq!(app.run_scheduler().await.list_digests, 1);
    app.dispatch_mail().await;
    assert!(
        bouncing(gone_digest).await.1.contains("550"),
        "a refused digest is a bounce"
    );
    app.clock.set(datetime!(2026-11-26 09:00 UTC));
    published(
        post(
            &app,
            &group,
            Author::Member(fine),
            None,
            "Tomorrow",
            "Another day.",
        )
        .await,
    );
    app.clock.advance(Duration::minutes(1));
    assert_eq!(app.run_scheduler().await.list_digests, 0);
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM outbox WHERE idempotency_key LIKE 'list-digest:{gone_digest}:%'"
        ))
        .await,
        1,
        "only the refused one"
    );
}
