//! Tests of the coalition list (issue 20): coalition_mailing. List mail on the wire (the
//! list's headers as received), the daily digest with a moved clock, and bounces (a
//! permanent SMTP refusal of list mail stops delivery to that member).

use crate::support;

use support::smtp::{SinkOptions, SmtpSink};
use support::{Options, TestApp};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use undersigned::clock::Clock;
use undersigned::coalition::mailing::digest::{DigestPostMail, DigestThreadMail};
use undersigned::coalition::mailing::ListDigest;
use undersigned::coalition::model::{JoinedHow, ListMemberId, ThreadId};
use undersigned::coalition::store::{self, Joining};
use undersigned::mail::{enqueue, enqueue_many_list, ListHeaders, Outgoing};
use undersigned::signatures::Bulletin;
use uuid::Uuid;

/// A group with a list, as organizers set it up (the settings form is the list part's).
struct Group {
    id: Uuid,
    slug: String,
}

async fn group_with_list(app: &TestApp, slug: &str) -> Group {
    app.signup(slug, &format!("owner@{slug}.example.org")).await;
    let id: Uuid = sqlx::query_scalar("SELECT id FROM tenants WHERE slug = $1")
        .bind(slug)
        .fetch_one(&app.db)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO coalition_lists (tenant_id, name, created_at, updated_at)
         VALUES ($1, 'Clean Water Coalition', $2, $2)",
    )
    .bind(id)
    .bind(app.clock.now())
    .execute(&app.db)
    .await
    .unwrap();
    Group {
        id,
        slug: slug.to_owned(),
    }
}

/// A person of the book who joined by their own click (`store::join`), taking `delivery`.
async fn member(app: &TestApp, group: &Group, email: &str, delivery: &str) -> ListMemberId {
    let organization = Uuid::new_v4();
    let person = Uuid::new_v4();
    let name = email.split('@').next().unwrap().to_owned();
    sqlx::query(
        "INSERT INTO organizations (id, tenant_id, name, name_key, sort_key, created_at)
         VALUES ($1, $2, $3, $3, $3, $4)",
    )
    .bind(organization)
    .bind(group.id)
    .bind(format!("{name} org"))
    .bind(app.clock.now())
    .execute(&app.db)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO people (id, tenant_id, organization_id, name, email, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(person)
    .bind(group.id)
    .bind(organization)
    .bind(&name)
    .bind(email)
    .bind(app.clock.now())
    .execute(&app.db)
    .await
    .unwrap();
    let public = undersigned::tenancy::public_group(&app.db, &group.slug)
        .await
        .unwrap()
        .unwrap();
    let mut conn = app.db.acquire().await.unwrap();
    let joined = store::join(
        &mut conn,
        public.id,
        &Joining {
            person_id: person,
            email,
            name: &name,
            organization: "",
            how: JoinedHow::JoinPage,
            campaign_id: None,
        },
        app.clock.now(),
    )
    .await
    .unwrap()
    .id();
    sqlx::query("UPDATE list_members SET delivery = $2, moderation = 'accept' WHERE id = $1")
        .bind(joined)
        .bind(delivery)
        .execute(&app.db)
        .await
        .unwrap();
    joined
}

/// A post as the archive keeps it, in `state` (setup: posting itself is the lead's part).
async fn post(
    app: &TestApp,
    group: &Group,
    thread: Option<ThreadId>,
    author: Option<ListMemberId>,
    subject: &str,
    body: &str,
    state: &str,
) -> ThreadId {
    let now = app.clock.now();
    let thread = match thread {
        Some(thread) => thread,
        None => {
            let id = ThreadId(Uuid::new_v4());
            sqlx::query(
                "INSERT INTO list_threads (id, tenant_id, subject, started_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(group.id)
            .bind(subject)
            .bind(now)
            .execute(&app.db)
            .await
            .unwrap();
            id
        }
    };
    let published = (state == "published").then_some(now);
    sqlx::query(
        "INSERT INTO list_posts (id, tenant_id, thread_id, author_member_id, author_name, subject,
             body, source, state, created_at, published_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'web', $8, $9, $10)",
    )
    .bind(Uuid::new_v4())
    .bind(group.id)
    .bind(thread)
    .bind(author)
    .bind(if author.is_some() {
        "A member"
    } else {
        "Owner"
    })
    .bind(subject)
    .bind(body)
    .bind(state)
    .bind(now)
    .bind(published)
    .execute(&app.db)
    .await
    .unwrap();
    thread
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
    member(&app, &group, "ana@example.org", "each").await;
    let domain = app.config.mail_domain.clone();
    let leave_url = app
        .config
        .link(&format!("/{}/list/leave/abc.def", group.slug));
    let headers = ListHeaders {
        list_id: format!("Clean Water Coalition <list.{}.{domain}>", group.slug),
        archive_url: format!("/{}/list/archive", group.slug),
        unsubscribe_url: leave_url.clone(),
        reply_to: format!("list+replykey1@{domain}"),
        message_id: format!("post-3@{domain}"),
        references: vec![format!("post-1@{domain}"), format!("<post-2@{domain}>")],
    };
    let mut tx = app.db.begin().await.unwrap();
    let new = enqueue_many_list(
        &mut tx,
        Some(group.id),
        vec![(
            "list-test:1".into(),
            "ana@example.org".into(),
            digest_message("Water testing on Saturday"),
            headers,
        )],
        app.clock.now(),
    )
    .await
    .unwrap();
    // The same group's bulk mail without list headers (a member update, say).
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
    assert_eq!(new, vec!["list-test:1".to_string()]);
    assert_eq!(app.dispatch_mail().await, 2);

    let raw = raw_mail_to(&app, &transport_id_of(&app, "list-test:1").await);
    let head = headers_of(&raw);
    println!(
        "--- one list email as sent (headers) ---\n{}\n---",
        raw.split("\r\n\r\n").next().unwrap()
    );
    assert_eq!(
        header(&head, "List-Id"),
        Some(format!("Clean Water Coalition <list.ohio-valley.{domain}>").as_str())
    );
    assert_eq!(
        header(&head, "List-Archive"),
        Some(format!("<{}>", app.config.link("/ohio-valley/list/archive")).as_str()),
        "a stored path is made absolute"
    );
    assert_eq!(
        header(&head, "List-Unsubscribe"),
        Some(format!("<{leave_url}>").as_str()),
        "the list's own leave link, not mail's generic token"
    );
    assert_eq!(
        header(&head, "List-Unsubscribe-Post"),
        Some("List-Unsubscribe=One-Click")
    );
    assert_eq!(
        header(&head, "List-Post"),
        Some(format!("<mailto:list+replykey1@{domain}>").as_str())
    );
    assert_eq!(header(&head, "Precedence"), Some("list"));
    assert_eq!(
        header(&head, "Reply-To"),
        Some(format!("list+replykey1@{domain}").as_str())
    );
    assert_eq!(
        header(&head, "Message-ID"),
        Some(format!("<post-3@{domain}>").as_str())
    );
    assert_eq!(
        header(&head, "In-Reply-To"),
        Some(format!("<post-2@{domain}>").as_str())
    );
    assert_eq!(
        header(&head, "References"),
        Some(format!("<post-1@{domain}> <post-2@{domain}>").as_str())
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
        .count("SELECT count(*) FROM outbox WHERE idempotency_key = 'list-test:1' AND unsubscribe_hash IS NOT NULL")
        .await;
    assert_eq!(
        tokens, 0,
        "no generic unsubscribe token is made for list mail"
    );

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
    let _each = member(&app, &group, "eve@example.org", "each").await;
    let _none = member(&app, &group, "nora@example.org", "none").await;
    let writer = member(&app, &group, "walt@example.org", "each").await;

    // Nothing published yet: nothing.
    assert_eq!(app.run_scheduler().await.list_digests, 0);

    app.clock.advance(Duration::hours(1));
    let thread = post(
        &app,
        &group,
        None,
        Some(writer),
        "Water testing on Saturday",
        "Who can bring **kits**?",
        "published",
    )
    .await;
    app.clock.advance(Duration::minutes(5));
    post(
        &app,
        &group,
        Some(thread),
        Some(dana),
        "Re: Water testing on Saturday",
        "Dana's own reply",
        "published",
    )
    .await;
    post(
        &app,
        &group,
        None,
        Some(writer),
        "A held post",
        "HELD TEXT",
        "held",
    )
    .await;
    let other = post(
        &app,
        &group,
        None,
        None,
        "Hearing on the 12th",
        "The county hearing moved.",
        "published",
    )
    .await;
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
    post(
        &app,
        &group,
        Some(thread),
        Some(writer),
        "Re: Water testing on Saturday",
        "I have six kits.",
        "published",
    )
    .await;
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
    post(
        &app,
        &other_group,
        None,
        None,
        "Elsewhere",
        "Not for Dana",
        "published",
    )
    .await;
    app.clock.set(datetime!(2026-11-28 08:00 UTC));
    assert_eq!(app.run_scheduler().await.list_digests, 0);
}

/// A permanent SMTP refusal of list mail marks the member bouncing: no more list mail
/// until they act. A refusal of another kind of mail to the same address marks nothing.
#[tokio::test]
async fn a_permanent_refusal_of_list_mail_stops_delivery_to_that_member() {
    let sink = SmtpSink::start_with(SinkOptions {
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
    app.clock.set(datetime!(2026-11-25 09:00 UTC));
    let group = group_with_list(&app, "ohio-valley").await;
    let gone = member(&app, &group, "gone@example.org", "digest").await;
    let busy = member(&app, &group, "busy@example.org", "digest").await;
    let fine = member(&app, &group, "fine@example.org", "digest").await;
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

    app.clock.advance(Duration::hours(1));
    post(
        &app,
        &group,
        None,
        None,
        "Water testing on Saturday",
        "Who can bring kits?",
        "published",
    )
    .await;
    app.clock.advance(Duration::minutes(1));
    assert_eq!(app.run_scheduler().await.list_digests, 3);
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
    let received: Vec<String> = sink.messages().into_iter().flat_map(|m| m.to).collect();
    assert!(received.iter().any(|to| to.contains("fine@example.org")));

    // The next day's post: a digest to the member who receives mail, none to the one
    // who bounces.
    app.clock.set(datetime!(2026-11-26 09:00 UTC));
    post(
        &app,
        &group,
        None,
        None,
        "Hearing on the 12th",
        "The county hearing moved.",
        "published",
    )
    .await;
    app.clock.advance(Duration::minutes(1));
    let sent = app.run_scheduler().await.list_digests;
    assert_eq!(sent, 2, "fine and busy, not gone");
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM outbox WHERE idempotency_key LIKE 'list-digest:{gone}:%'"
        ))
        .await,
        1,
        "only the refused one"
    );
}
