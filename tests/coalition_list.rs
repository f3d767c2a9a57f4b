//! Tests of the coalition list (issue 20): coalition_list — the list's own pages: the
//! organizers' overview and settings, posting from the web, the archive and its search,
//! moderation (approve and clear, reject, discard, hold everything, mute, remove) and the
//! log; who may read and write each of them.

use std::sync::{Arc, Mutex};

use time::Duration;
use undersigned::clock::Clock;
use undersigned::coalition::model::{JoinedHow, ListMemberId, HELD_FIRST_POST};
use undersigned::coalition::store::{self, Joining};
use undersigned::tenancy::PublicTenantId;
use uuid::Uuid;

use crate::support::{csrf_in, unescape, Client, Response, TestApp};

const RULES: &str = "**Be kind.** Stay on the letter's topic.\n\n<script>alert('rules')</script>\n\n[a trap](javascript:alert(1))";

/// A group whose owner started its list (members-only archive, cleared members' posts
/// accepted).
async fn group_with_list(app: &TestApp, slug: &str) -> Client {
    let owner = app.signup(slug, &format!("owner@{slug}.example")).await;
    let r = owner
        .post_form(
            &format!("/app/{slug}/list/settings"),
            &[
                ("name", &format!("{slug} coalition")),
                ("purpose", "Where the *coalition* talks."),
                ("rules", RULES),
                ("default_action", "accept"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    owner
}

/// A member's browser: their list session's cookie for `/{slug}/list`, and the anonymous
/// CSRF cookie the pages give it.
struct MemberClient {
    http: reqwest::Client,
    base: String,
    slug: String,
    csrf: Mutex<Option<String>>,
}

impl MemberClient {
    async fn finish(&self, response: reqwest::Response) -> Response {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.text().await.unwrap_or_default();
        if let Some(token) = csrf_in(&body) {
            *self.csrf.lock().unwrap() = Some(token);
        }
        Response {
            status,
            body,
            headers,
        }
    }

    async fn get(&self, path: &str) -> Response {
        let response = self
            .http
            .get(format!("{}{}", self.base, path))
            .send()
            .await
            .unwrap();
        self.finish(response).await
    }

    async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        let token = self.csrf.lock().unwrap().clone();
        let token = match token {
            Some(t) => t,
            None => {
                let page = self.get(&format!("/{}/list/post", self.slug)).await;
                csrf_in(&page.body).expect("the new-thread page has a form")
            }
        };
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("csrf_token", &token));
        let response = self
            .http
            .post(format!("{}{}", self.base, path))
            .form(&all)
            .send()
            .await
            .unwrap();
        self.finish(response).await
    }
}

async fn tenant_id(app: &TestApp, slug: &str) -> Uuid {
    sqlx::query_scalar("SELECT id FROM tenants WHERE slug = $1")
        .bind(slug)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

/// A person of the group's book who joined the list (as their own click would, through
/// `store::join`) and is signed in on a browser of their own.
async fn member(app: &TestApp, slug: &str, name: &str) -> (ListMemberId, String, MemberClient) {
    let tenant = tenant_id(app, slug).await;
    let email = format!("{}@members.example", name.to_lowercase().replace(' ', "."));
    let org = Uuid::new_v4();
    let org_name = format!("{name}'s organization");
    sqlx::query(
        "INSERT INTO organizations (id, tenant_id, name, name_key, sort_key, created_at)
         VALUES ($1, $2, $3, lower($3), lower($3), now())",
    )
    .bind(org)
    .bind(tenant)
    .bind(&org_name)
    .execute(&app.db)
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
    .bind(&email)
    .execute(&app.db)
    .await
    .unwrap();
    let scope = PublicTenantId::found_by_public_url(tenant);
    let now = app.clock.now();
    let mut conn = app.db.acquire().await.unwrap();
    let id = store::join(
        &mut conn,
        scope,
        &Joining {
            person_id: person,
            email: &email,
            name,
            organization: &org_name,
            how: JoinedHow::JoinPage,
            campaign_id: None,
        },
        now,
    )
    .await
    .unwrap()
    .id();
    let token = undersigned::tokens::new_token();
    store::create_member_session(
        &mut conn,
        scope,
        id,
        &token.hash,
        now,
        now + Duration::days(30),
    )
    .await
    .unwrap();
    let jar = Arc::new(reqwest::cookie::Jar::default());
    let url: reqwest::Url = app.address.parse().unwrap();
    jar.add_cookie_str(
        &format!("us_list_member={}; Path=/{slug}/list", token.token),
        &url,
    );
    let http = reqwest::Client::builder()
        .cookie_provider(jar)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let client = MemberClient {
        http,
        base: app.address.clone(),
        slug: slug.to_owned(),
        csrf: Mutex::new(None),
    };
    (id, email, client)
}

/// The id in `/{slug}/list/archive/<id>` of a redirect after a published post.
fn thread_of(location: &str) -> String {
    location
        .split("/list/archive/")
        .nth(1)
        .unwrap()
        .split(['?', '#'])
        .next()
        .unwrap()
        .to_owned()
}

async fn held_post(app: &TestApp, subject: &str) -> Uuid {
    sqlx::query_scalar("SELECT id FROM list_posts WHERE subject = $1 AND state = 'held'")
        .bind(subject)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

async fn post_state(app: &TestApp, subject: &str) -> String {
    sqlx::query_scalar("SELECT state FROM list_posts WHERE subject = $1")
        .bind(subject)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

async fn member_posts(m: &MemberClient, slug: &str, subject: &str, body: &str) -> Response {
    m.post_form(
        &format!("/{slug}/list/post"),
        &[("subject", subject), ("body", body)],
    )
    .await
}

/// The organizer's own post, published at once: its thread's id.
async fn organizer_posts(owner: &Client, slug: &str, subject: &str, body: &str) -> String {
    let r = owner
        .post_form(
            &format!("/app/{slug}/list/posts/new"),
            &[("kind", "post"), ("subject", subject), ("body", body)],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    thread_of(r.location().unwrap())
}

/// A member's first post, held, approved with "approve and clear": they are cleared.
async fn cleared_member(
    app: &TestApp,
    owner: &Client,
    slug: &str,
    name: &str,
) -> (ListMemberId, String, MemberClient) {
    let (id, email, m) = member(app, slug, name).await;
    let subject = format!("Hello from {name}");
    let r = member_posts(&m, slug, &subject, "My first words.").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let post = held_post(app, &subject).await;
    let r = owner
        .post_form(
            &format!("/app/{slug}/list/moderation/{post}"),
            &[("action", "approve_and_clear"), ("reason", "")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    (id, email, m)
}

#[tokio::test]
async fn settings_are_saved_shown_and_sanitized() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "owner@river.example").await;
    let page = owner.get("/app/river/list").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Start the coalition list"));
    assert!(
        page.body.contains("href=\"/app/river/list\""),
        "the group's navigation links the list"
    );

    // A name is needed; what was typed stays.
    let r = owner
        .post_form(
            "/app/river/list/settings",
            &[
                ("name", "  "),
                ("rules", "Keep this text"),
                ("default_action", "accept"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Give the list a name"));
    assert!(r.body.contains("Keep this text"));
    assert_eq!(app.count("SELECT count(*) FROM coalition_lists").await, 0);

    let r = owner
        .post_form(
            "/app/river/list/settings",
            &[
                ("name", "River coalition"),
                ("purpose", "Where the *coalition* talks."),
                ("rules", RULES),
                ("archive_public", "on"),
                ("default_action", "hold"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), Some("/app/river/list?notice=list-started"));
    let page = owner.get("/app/river/list").await;
    assert!(page.body.contains("River coalition"));
    assert!(page.body.contains("<strong>Be kind.</strong>"));
    assert!(page.body.contains("<em>coalition</em>"));
    assert!(
        !page.body.contains("<script>alert"),
        "a script in the rules never runs"
    );
    assert!(!page.body.contains("href=\"javascript:"));
    assert!(page.body.contains("No post has gone out yet."));
    assert!(page.body.contains("value=\"hold\" selected"));
    assert!(page
        .body
        .contains("name=\"archive_public\" value=\"on\" checked"));
    assert_eq!(
        app.count("SELECT count(*) FROM tenants WHERE slug = 'river' AND coalition_list_open")
            .await,
        1
    );

    // Saved again: the settings change, the list stays one.
    let r = owner
        .post_form(
            "/app/river/list/settings",
            &[
                ("name", "River coalition list"),
                ("rules", RULES),
                ("off_topic_ok", "on"),
                ("default_action", "accept"),
            ],
        )
        .await;
    assert_eq!(r.location(), Some("/app/river/list?notice=list-saved"));
    let page = owner.get("/app/river/list").await;
    assert!(page.body.contains("River coalition list"));
    assert!(page
        .body
        .contains("name=\"off_topic_ok\" value=\"on\" checked"));
    assert!(!page
        .body
        .contains("name=\"archive_public\" value=\"on\" checked"));

    // The archive shows the rules sanitized too.
    let archive = owner.get("/river/list/archive").await;
    assert_eq!(archive.status, 200);
    assert!(archive.body.contains("<strong>Be kind.</strong>"));
    assert!(!archive.body.contains("<script>alert"));

    // "Regularly" made visible once posts go out.
    organizer_posts(&owner, "river", "First update", "News of the week.").await;
    app.clock.advance(Duration::days(3));
    let owner = app.log_in("owner@river.example").await;
    let page = owner.get("/app/river/list").await;
    assert!(
        page.body
            .contains("Last post: 3 days ago — 1 post in the last 30 days"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn a_first_post_is_held_then_approve_and_clear_lets_the_next_through() {
    let app = TestApp::spawn().await;
    let owner = group_with_list(&app, "river").await;
    let (id, _, m) = member(&app, "river", "Ada Lovelace").await;
    let (_, reader_email, _) = member(&app, "river", "Grace Reader").await;

    // Required fields keep what was typed.
    let r = member_posts(&m, "river", "", "Kept body text").await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Write a subject"));
    assert!(r.body.contains("Kept body text"));

    // A NUL byte pasted in: a clear refusal, nothing stored.
    let r = member_posts(&m, "river", "Pasted", "a\u{0}b").await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("control character"));
    assert_eq!(app.count("SELECT count(*) FROM list_posts").await, 0);

    let r = member_posts(
        &m,
        "river",
        "Our first meeting",
        "Shall we meet on **Tuesday**?",
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        unescape(&r.body).contains(&format!("Held for moderation: {HELD_FIRST_POST}")),
        "{}",
        r.body
    );
    assert_eq!(post_state(&app, "Our first meeting").await, "held");

    // Members never see a held post.
    let archive = m.get("/river/list/archive").await;
    assert_eq!(archive.status, 200);
    assert!(!archive.body.contains("Our first meeting"));

    // The queue shows the sender, the reason and the post.
    let queue = owner.get("/app/river/list/moderation").await;
    assert!(queue.body.contains("Ada Lovelace"));
    assert!(queue.body.contains("ada.lovelace@members.example"));
    assert!(queue.body.contains("<strong>Tuesday</strong>"));
    let post = held_post(&app, "Our first meeting").await;
    let r = owner
        .post_form(
            &format!("/app/river/list/moderation/{post}"),
            &[("action", "approve_and_clear")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(post_state(&app, "Our first meeting").await, "published");
    // Approving sends it to the members, once.
    app.dispatch_mail().await;
    let got = app.mail_to(&reader_email);
    assert_eq!(got.len(), 1);
    assert!(got[0].subject.contains("Our first meeting"));
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM list_members WHERE id = '{id}' AND moderation = 'default'"
        ))
        .await,
        1
    );
    let archive = m.get("/river/list/archive").await;
    assert!(archive.body.contains("Our first meeting"));

    // The next post goes straight through.
    let r = member_posts(&m, "river", "Agenda", "Here is the agenda.").await;
    assert_eq!(r.status, 303, "{}", r.body);
    let thread = thread_of(r.location().unwrap());
    let page = m.get(&format!("/river/list/archive/{thread}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Here is the agenda."));

    // A reply from the thread page, published too; a reply needs its words.
    let r = m
        .post_form(
            &format!("/river/list/archive/{thread}/reply"),
            &[("subject", ""), ("body", "")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Write the post"));
    let r = m
        .post_form(
            &format!("/river/list/archive/{thread}/reply"),
            &[("subject", ""), ("body", "I agree with the agenda.")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = m.get(&format!("/river/list/archive/{thread}")).await;
    assert!(page.body.contains("I agree with the agenda."));

    // The log says who did what.
    let log = owner.get("/app/river/list/moderation/log").await;
    assert!(log.body.contains("approved and cleared the sender of"));
    assert!(log.body.contains("Owner of river"));
}

#[tokio::test]
async fn reject_tells_the_sender_discard_drops_and_one_organizer_wins() {
    let app = TestApp::spawn().await;
    let owner = group_with_list(&app, "river").await;
    let (_, email, m) = member(&app, "river", "Ben Okri").await;
    member_posts(&m, "river", "Buy my product", "Great deals!").await;
    let post = held_post(&app, "Buy my product").await;

    // A rejection needs its reason; what was typed stays.
    let r = owner
        .post_form(
            &format!("/app/river/list/moderation/{post}"),
            &[("action", "reject"), ("reason", "  ")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Write the reason"));
    assert_eq!(post_state(&app, "Buy my product").await, "held");

    let r = owner
        .post_form(
            &format!("/app/river/list/moderation/{post}"),
            &[
                ("action", "reject"),
                ("reason", "Advertising is off-topic here."),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(post_state(&app, "Buy my product").await, "rejected");
    app.dispatch_mail().await;
    let mail = app.mail_to(&email);
    assert_eq!(mail.len(), 1);
    assert!(mail[0].subject.contains("Buy my product"));
    assert!(mail[0].text.contains("Advertising is off-topic here."));
    assert!(mail[0].text.contains("Great deals!"));

    // Deciding again: the post is no longer held, nothing is sent twice.
    let r = owner
        .post_form(
            &format!("/app/river/list/moderation/{post}"),
            &[("action", "approve")],
        )
        .await;
    assert_eq!(r.status, 409);
    assert!(r.body.contains("Another organizer decided first"));
    assert_eq!(post_state(&app, "Buy my product").await, "rejected");
    app.dispatch_mail().await;
    assert_eq!(app.mail_to(&email).len(), 1);

    // Discard: gone without a word.
    member_posts(&m, "river", "Again", "More deals").await;
    let post = held_post(&app, "Again").await;
    let r = owner
        .post_form(
            &format!("/app/river/list/moderation/{post}"),
            &[("action", "discard")],
        )
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(post_state(&app, "Again").await, "discarded");
    app.dispatch_mail().await;
    assert_eq!(app.mail_to(&email).len(), 1);
    let archive = owner.get("/river/list/archive").await;
    assert!(!archive.body.contains("Buy my product"));
    assert!(!archive.body.contains("Again"));
    let log = owner.get("/app/river/list/moderation/log").await;
    assert!(log.body.contains("Advertising is off-topic here."));
    assert!(log.body.contains("discarded"));

    // Two organizers at the same moment: exactly one decision is made and logged.
    let second = app
        .join(
            &owner,
            "river",
            "second@river.example",
            "organizer",
            "Second Organizer",
        )
        .await;
    member_posts(&m, "river", "Race", "Who wins?").await;
    let post = held_post(&app, "Race").await;
    let path = format!("/app/river/list/moderation/{post}");
    let (a, b) = tokio::join!(
        owner.post_form(&path, &[("action", "approve")]),
        second.post_form(&path, &[("action", "approve")])
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [303, 409]);
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM list_moderation_log WHERE post_id = '{post}'"
        ))
        .await,
        1
    );
}

#[tokio::test]
async fn hold_everything_and_mute_hold_a_cleared_members_posts() {
    let app = TestApp::spawn().await;
    let owner = group_with_list(&app, "river").await;
    let (id, _, m) = cleared_member(&app, &owner, "river", "Cleo Wu").await;

    let r = owner
        .post_form(
            "/app/river/list/moderation/hold-everything",
            &[("hold", "on")],
        )
        .await;
    assert_eq!(r.status, 303);
    let page = owner.get("/app/river/list/moderation").await;
    assert!(page.body.contains("Turn hold everything off"));
    let r = member_posts(&m, "river", "During the storm", "Words").await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(unescape(&r.body).contains("Every post is held (hold everything is on)"));
    assert_eq!(post_state(&app, "During the storm").await, "held");
    // Organizers' own posts still go out.
    organizer_posts(&owner, "river", "Calm words", "From the organizers.").await;
    assert_eq!(post_state(&app, "Calm words").await, "published");

    let r = owner
        .post_form(
            "/app/river/list/moderation/hold-everything",
            &[("hold", "off")],
        )
        .await;
    assert_eq!(r.status, 303);
    let r = member_posts(&m, "river", "After the storm", "Words").await;
    assert_eq!(r.status, 303, "{}", r.body);
    let log = owner.get("/app/river/list/moderation/log").await;
    assert!(log.body.contains("turned hold everything on"));
    assert!(log.body.contains("turned hold everything off"));

    // Muted from the members page, with a private note: held whatever the action.
    let r = owner
        .post_form(
            &format!("/app/river/list/members/{id}/mute"),
            &[("note", "keeps going off-topic")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = member_posts(&m, "river", "Muted words", "Words").await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("The sender is muted"));
    let queue = owner.get("/app/river/list/moderation").await;
    assert!(queue.body.contains("muted"));
    assert!(queue.body.contains("keeps going off-topic"));
}

#[tokio::test]
async fn the_archive_orders_searches_pages_and_says_what_was_removed() {
    let app = TestApp::spawn().await;
    let owner = group_with_list(&app, "river").await;
    let oldest = organizer_posts(&owner, "river", "Oldest thread", "About riverbanks.").await;
    app.clock.advance(Duration::hours(1));
    organizer_posts(&owner, "river", "Middle thread", "About kingfishers.").await;
    app.clock.advance(Duration::hours(1));
    organizer_posts(&owner, "river", "Newest thread", "About otters.").await;
    let r = owner
        .post_form(
            "/app/river/list/posts/new",
            &[
                ("kind", "news"),
                ("subject", "In the paper"),
                ("body", "The paper wrote about us."),
                ("news_link", "not a link"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("full web address"));
    assert!(r.body.contains("The paper wrote about us."));
    app.clock.advance(Duration::hours(1));
    let r = owner
        .post_form(
            "/app/river/list/posts/new",
            &[
                ("kind", "news"),
                ("subject", "In the paper"),
                ("body", "The paper wrote about us."),
                ("news_link", "https://news.example/river"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let news = thread_of(r.location().unwrap());
    let page = owner.get(&format!("/river/list/archive/{news}")).await;
    assert!(page.body.contains("href=\"https://news.example/river\""));
    assert!(page.body.contains("The paper wrote about us."));
    assert!(owner
        .get("/river/list/archive")
        .await
        .body
        .contains("<span class=\"badge\">news</span>"));

    // A reply brings the oldest thread to the top.
    app.clock.advance(Duration::hours(1));
    let (_, _, m) = cleared_member(&app, &owner, "river", "Dana Reyes").await;
    let r = m
        .post_form(
            &format!("/river/list/archive/{oldest}/reply"),
            &[("body", "Riverbanks need *us*. <script>alert('x')</script>")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let archive = m.get("/river/list/archive").await;
    let at = |s: &str| {
        archive
            .body
            .find(s)
            .unwrap_or_else(|| panic!("{s} in the archive"))
    };
    assert!(at("Oldest thread") < at("In the paper"));
    assert!(at("In the paper") < at("Newest thread"));
    assert!(at("Newest thread") < at("Middle thread"));
    let thread = m.get(&format!("/river/list/archive/{oldest}")).await;
    assert!(thread.body.contains("<em>us</em>"));
    assert!(!thread.body.contains("<script>alert('x')"));
    assert!(thread.body.contains("Re: Oldest thread") || thread.body.contains("Dana Reyes"));

    // Search by words.
    let found = m.get("/river/list/archive?q=kingfishers").await;
    assert!(found.body.contains("Middle thread"));
    assert!(!found.body.contains("Newest thread"));
    let none = m.get("/river/list/archive?q=zebras").await;
    assert!(none.body.contains("No post matches"));
    let odd = m
        .get("/river/list/archive?q=%22unclosed%20-%20%26%7C")
        .await;
    assert_eq!(odd.status, 200);

    // Paging: 30 more threads; the second page holds the rest, in order.
    for i in 0..30 {
        app.clock.advance(Duration::minutes(1));
        organizer_posts(&owner, "river", &format!("Bulk thread {i:02}"), "bulk").await;
    }
    let first = m.get("/river/list/archive").await;
    assert!(first.body.contains("Bulk thread 29"));
    assert!(!first.body.contains("Oldest thread"));
    let next = first
        .body
        .split("/river/list/archive?after=")
        .nth(1)
        .expect("a link to older threads")
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let second = m.get(&format!("/river/list/archive?after={next}")).await;
    assert!(second.body.contains("Oldest thread"));
    assert!(second.body.contains("Middle thread"));
    assert!(!second.body.contains("Bulk thread 29"));

    // Removed: its place says so, its words are gone.
    let reply: Uuid =
        sqlx::query_scalar("SELECT id FROM list_posts WHERE body LIKE 'Riverbanks need%'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    let r = owner
        .post_form(
            &format!("/app/river/list/posts/{reply}/remove"),
            &[("reason", "Personal attack")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let thread = m.get(&format!("/river/list/archive/{oldest}")).await;
    assert!(thread
        .body
        .contains("This post was removed by the organizers"));
    assert!(!thread.body.contains("Riverbanks need"));
    assert!(thread.body.contains("About riverbanks."));
    let found = m.get("/river/list/archive?q=Riverbanks").await;
    assert!(
        found.body.contains("Oldest thread"),
        "the first post still matches"
    );
    let log = owner.get("/app/river/list/moderation/log").await;
    assert!(log.body.contains("removed from the archive"));
    assert!(log.body.contains("Personal attack"));
}

#[tokio::test]
async fn the_archive_is_for_members_and_organizers_of_the_group_unless_public() {
    let app = TestApp::spawn().await;
    let owner = group_with_list(&app, "river").await;
    let thread = organizer_posts(&owner, "river", "Secret strategy", "Between us.").await;
    let (_, _, m) = member(&app, "river", "Eve Member").await;

    // The rightful readers first.
    for page in [
        m.get("/river/list/archive").await,
        owner.get("/river/list/archive").await,
    ] {
        assert_eq!(page.status, 200);
        assert!(page.body.contains("Secret strategy"));
    }
    assert!(m
        .get(&format!("/river/list/archive/{thread}"))
        .await
        .body
        .contains("Between us."));

    // Anonymous, and an organizer of another group: a page that explains, naming nothing.
    let other = group_with_list(&app, "lake").await;
    let other_thread = organizer_posts(&other, "lake", "Lake matters", "Lake words").await;
    let anonymous = app.client();
    for client in [&anonymous, &other] {
        for path in [
            "/river/list/archive".to_owned(),
            format!("/river/list/archive/{thread}"),
        ] {
            let page = client.get(&path).await;
            assert_eq!(page.status, 403, "{path}");
            assert!(!page.body.contains("Secret strategy"));
            assert!(!page.body.contains("Between us."));
            assert!(page.body.contains("/river/list/signin"));
        }
    }
    // Nor may they post; anonymous is asked to sign in.
    let r = anonymous.get("/river/list/post").await;
    assert_eq!(r.status, 403);
    assert!(r.body.contains("Sign in to post"));

    // Another group's thread through this group's URL: nothing.
    assert_eq!(
        owner
            .get(&format!("/river/list/archive/{other_thread}"))
            .await
            .status,
        404
    );
    assert_eq!(
        m.get(&format!("/river/list/archive/{other_thread}"))
            .await
            .status,
        404
    );
    assert_eq!(m.get("/river/list/archive/not-a-uuid").await.status, 404);
    // A member of river is nobody to lake.
    assert_eq!(m.get("/lake/list/archive").await.status, 403);

    // Public: anyone reads, nobody anonymous posts.
    let r = owner
        .post_form(
            "/app/river/list/settings",
            &[
                ("name", "river coalition"),
                ("rules", RULES),
                ("archive_public", "on"),
                ("default_action", "accept"),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    let page = anonymous.get("/river/list/archive").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Secret strategy"));
    assert!(anonymous
        .get(&format!("/river/list/archive/{thread}"))
        .await
        .body
        .contains("Between us."));
    assert!(!page.body.contains("Start a new thread"));
}

#[tokio::test]
async fn viewers_read_but_do_not_write_and_other_groups_find_nothing() {
    let app = TestApp::spawn().await;
    let owner = group_with_list(&app, "river").await;
    let viewer = app
        .join(
            &owner,
            "river",
            "viewer@river.example",
            "viewer",
            "Vera Viewer",
        )
        .await;
    let outsider = group_with_list(&app, "lake").await;
    let (_, _, m) = member(&app, "river", "Finn Member").await;
    member_posts(&m, "river", "Held one", "Words").await;
    let held = held_post(&app, "Held one").await;
    let published = organizer_posts(&owner, "river", "Published one", "Words").await;
    let published_post: Uuid =
        sqlx::query_scalar("SELECT id FROM list_posts WHERE subject = 'Published one'")
            .fetch_one(&app.db)
            .await
            .unwrap();

    let reads = [
        "/app/river/list".to_owned(),
        "/app/river/list/posts/new".to_owned(),
        "/app/river/list/moderation".to_owned(),
        "/app/river/list/moderation/log".to_owned(),
    ];
    for path in &reads {
        assert_eq!(owner.get(path).await.status, 200, "{path}");
        assert_eq!(viewer.get(path).await.status, 200, "{path}");
        assert_eq!(outsider.get(path).await.status, 404, "{path}");
    }
    assert!(viewer
        .get("/river/list/archive")
        .await
        .body
        .contains("Published one"));
    let settings: &[(&str, &str)] = &[("name", "river coalition"), ("default_action", "accept")];
    let writes: Vec<(String, Vec<(&str, &str)>)> = vec![
        ("/app/river/list/settings".into(), settings.to_vec()),
        (
            "/app/river/list/posts/new".into(),
            vec![
                ("kind", "post"),
                ("subject", "From a viewer"),
                ("body", "x"),
            ],
        ),
        (
            "/app/river/list/moderation/hold-everything".into(),
            vec![("hold", "on")],
        ),
        (
            format!("/app/river/list/moderation/{held}"),
            vec![("action", "approve")],
        ),
        (
            format!("/app/river/list/posts/{published_post}/remove"),
            vec![("reason", "")],
        ),
    ];
    for (path, fields) in &writes {
        assert_eq!(viewer.post_form(path, fields).await.status, 403, "{path}");
        assert_eq!(outsider.post_form(path, fields).await.status, 404, "{path}");
    }
    assert_eq!(post_state(&app, "Held one").await, "held");
    assert_eq!(post_state(&app, "Published one").await, "published");
    assert_eq!(
        app.count("SELECT count(*) FROM list_moderation_log").await,
        0
    );
    // A viewer may not post from the public pages either.
    let r = viewer
        .post_form(
            &format!("/river/list/archive/{published}/reply"),
            &[("body", "viewer words")],
        )
        .await;
    assert_eq!(r.status, 403);

    // The rightful requests succeed, each one.
    for (path, fields) in &writes {
        let r = owner.post_form(path, fields).await;
        assert_eq!(r.status, 303, "{path}: {}", r.body);
    }
    assert_eq!(post_state(&app, "Held one").await, "published");
    assert_eq!(post_state(&app, "Published one").await, "removed");
    assert_eq!(post_state(&app, "From a viewer").await, "published");
}
