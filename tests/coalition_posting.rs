//! The one way a post enters the list (`coalition::posting::submit`): what each member's
//! setting makes of a post, the fan-out to the outbox with reply keys, duplicates, other
//! groups' threads, and the moderation lock taken by "hold everything" and a post at once.

use std::time::Duration;

use undersigned::coalition::model::{HELD_EVERYTHING, HELD_FIRST_POST};
use undersigned::coalition::posting::{self, Author, NewPost, PostSource, Posted};

use crate::support::coalition::{group, member, open_list, state};
use crate::support::TestApp;

fn web_post<'a>(subject: &'a str, body: &'a str) -> NewPost<'a> {
    NewPost {
        thread: None,
        subject,
        body,
        news_link: None,
        source: PostSource::Web,
    }
}

#[tokio::test]
async fn a_post_meets_its_members_setting_and_reaches_everyone_else_with_a_reply_key() {
    let app = TestApp::spawn().await;
    app.signup("water", "owner@water.example").await;
    open_list(&app, "water", "accept").await;
    let state = state(&app);
    let tenant = group(&app, "water").await;
    let newcomer = member(&app, "water", "Nia Newcomer", "nia@river.example", false).await;
    let cleared = member(&app, "water", "Cal Cleared", "cal@lake.example", true).await;
    let _third = member(&app, "water", "Tess Third", "tess@bay.example", true).await;

    // A new member's first post is held, and nobody gets mail.
    let held = posting::submit(
        &state,
        tenant,
        Author::Member(newcomer),
        web_post("Hello", "First post"),
    )
    .await
    .unwrap();
    assert!(
        matches!(
            held,
            Posted::Held {
                reason: HELD_FIRST_POST,
                ..
            }
        ),
        "{held:?}"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM outbox WHERE message->>'kind' = 'list_post'")
            .await,
        0
    );

    // A cleared member's post is published to the two others, never back to its author.
    let Posted::Published { thread, .. } = posting::submit(
        &state,
        tenant,
        Author::Member(cleared),
        web_post("Call on Friday", "Who can join?"),
    )
    .await
    .unwrap() else {
        panic!("a cleared member's post is published");
    };
    let recipients: Vec<String> = sqlx::query_scalar(
        "SELECT recipient FROM outbox WHERE message->>'kind' = 'list_post' ORDER BY recipient",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(recipients, ["nia@river.example", "tess@bay.example"]);
    let reply_to: String = sqlx::query_scalar(
        "SELECT list_headers->>'reply_to' FROM outbox WHERE recipient = 'tess@bay.example'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    let key: String = sqlx::query_scalar(
        "SELECT k.key FROM list_reply_keys k JOIN list_members m ON m.id = k.member_id
         WHERE m.email = 'tess@bay.example' AND k.thread_id = $1",
    )
    .bind(thread)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(reply_to, format!("list+{key}@{}", app.config.mail_domain));

    // A reply in the thread reuses each member's key for it and threads by References.
    let reply = NewPost {
        thread: Some(thread),
        subject: "",
        body: "I can.",
        news_link: None,
        source: PostSource::Web,
    };
    let owner: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM users WHERE email = 'owner@water.example'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    let organizer = Author::Organizer {
        user_id: owner,
        name: "Owner of water".into(),
    };
    let posted = posting::submit(&state, tenant, organizer, reply)
        .await
        .unwrap();
    assert!(matches!(posted, Posted::Published { .. }), "{posted:?}");
    let references: serde_json::Value = sqlx::query_scalar(
        "SELECT list_headers->'references' FROM outbox
         WHERE recipient = 'cal@lake.example' AND message->>'subject' = 'Re: Call on Friday'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(
        references.as_array().map(Vec::len),
        Some(1),
        "the reply refers to the first post"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM list_reply_keys").await,
        3,
        "one key per member and thread, made once: the reply's three recipients"
    );
}

#[tokio::test]
async fn the_same_message_twice_is_one_post_and_another_groups_thread_is_not_found() {
    let app = TestApp::spawn().await;
    app.signup("water", "owner@water.example").await;
    app.signup("air", "owner@air.example").await;
    open_list(&app, "water", "accept").await;
    open_list(&app, "air", "accept").await;
    let state = state(&app);
    let water = group(&app, "water").await;
    let air = group(&app, "air").await;
    let cal = member(&app, "water", "Cal Cleared", "cal@lake.example", true).await;
    let ada = member(&app, "air", "Ada Air", "ada@sky.example", true).await;
    let emailed = |message_id| NewPost {
        thread: None,
        subject: "From my mail client",
        body: "Hello all",
        news_link: None,
        source: PostSource::Email { message_id },
    };
    let first = posting::submit(
        &state,
        water,
        Author::Member(cal),
        emailed("<m1@lake.example>"),
    )
    .await
    .unwrap();
    let Posted::Published { post, thread } = first else {
        panic!("{first:?}")
    };
    let again = posting::submit(
        &state,
        water,
        Author::Member(cal),
        emailed("<m1@lake.example>"),
    )
    .await
    .unwrap();
    assert_eq!(again, Posted::Duplicate { post });
    assert_eq!(app.count("SELECT count(*) FROM list_posts").await, 1);

    // Air's member cannot reply into water's thread, nor water's member post in air.
    let into_other = NewPost {
        thread: Some(thread),
        subject: "",
        body: "Sneaking in",
        news_link: None,
        source: PostSource::Web,
    };
    assert_eq!(
        posting::submit(&state, air, Author::Member(ada), into_other)
            .await
            .unwrap(),
        Posted::NoSuchThread
    );
    assert_eq!(
        posting::submit(&state, air, Author::Member(cal), web_post("Hi", "x"))
            .await
            .unwrap(),
        Posted::NotAMember
    );
    assert_eq!(app.count("SELECT count(*) FROM list_posts").await, 1);
}

/// "Hold everything" and a post at the same moment: the post waits for the switch's
/// transaction (it reads the list's row under a share lock) and is held, never
/// published on the setting as it was before.
#[tokio::test]
async fn hold_everything_and_a_post_at_once_the_post_is_held() {
    let app = TestApp::spawn().await;
    app.signup("water", "owner@water.example").await;
    open_list(&app, "water", "accept").await;
    let state = state(&app);
    let tenant = group(&app, "water").await;
    let cal = member(&app, "water", "Cal Cleared", "cal@lake.example", true).await;

    let mut switch = app.db.begin().await.unwrap();
    sqlx::query("UPDATE coalition_lists SET hold_everything = true")
        .execute(&mut *switch)
        .await
        .unwrap();
    let posting = tokio::spawn({
        let state = state.clone();
        async move {
            posting::submit(
                &state,
                tenant,
                Author::Member(cal),
                web_post("Urgent", "Read this"),
            )
            .await
            .unwrap()
        }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!posting.is_finished(), "the post waits for the switch");
    switch.commit().await.unwrap();
    let posted = posting.await.unwrap();
    assert!(
        matches!(
            posted,
            Posted::Held {
                reason: HELD_EVERYTHING,
                ..
            }
        ),
        "{posted:?}"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM outbox WHERE message->>'kind' = 'list_post'")
            .await,
        0
    );
}

#[tokio::test]
async fn a_post_that_cannot_be_taken_says_why_and_changes_nothing() {
    let app = TestApp::spawn().await;
    app.signup("water", "owner@water.example").await;
    let state = state(&app);
    let tenant = group(&app, "water").await;
    // No list yet.
    let cal = undersigned::coalition::model::ListMemberId(uuid::Uuid::new_v4());
    assert_eq!(
        posting::submit(&state, tenant, Author::Member(cal), web_post("Hi", "there"))
            .await
            .unwrap(),
        Posted::NoList
    );
    open_list(&app, "water", "accept").await;
    let cal = member(&app, "water", "Cal Cleared", "cal@lake.example", true).await;
    for (subject, body) in [("", "body"), ("Hi", " "), ("Hi", "nul\u{0}byte")] {
        let posted = posting::submit(&state, tenant, Author::Member(cal), web_post(subject, body))
            .await
            .unwrap();
        assert!(matches!(posted, Posted::Refused(_)), "{posted:?}");
    }
    assert_eq!(app.count("SELECT count(*) FROM list_posts").await, 0);
    assert_eq!(app.count("SELECT count(*) FROM list_threads").await, 0);
}
