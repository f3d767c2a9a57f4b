//! Test harness: a fresh, migrated database per test (copied from a template database,
//! dropped when the test ends), the app on a random port, a controllable clock, mail
//! through the file transport (or SMTP), and an HTTP client that keeps cookies like a
//! browser.
//!
//! A test run holds a shared advisory lock (`RUN_LOCK`) on a session of its own while it
//! lives; `scripts/test` drops leftover databases only when it can take that lock
//! exclusively, so one run never drops the template or the databases of another run in
//! progress.
#![allow(dead_code)]

pub mod browser;
pub mod campaigns;
pub mod coalition;
pub mod smtp;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use sqlx::{Connection, PgConnection, PgPool};
use tempfile::TempDir;
use time::macros::datetime;
use tokio::net::TcpListener;
use tokio::sync::OnceCell;
use undersigned::app::{self, Application};
use undersigned::clock::ManualClock;
use undersigned::config::Config;
use undersigned::jobs::{self, Jobs};
use undersigned::mail::{read_eml, ReadMessage, Transport, Worker};

pub const ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";
pub const PASSWORD: &str = "a long enough password";

static TEMPLATE: OnceCell<String> = OnceCell::const_new();

/// The advisory lock a test run holds shared while it lives, and `scripts/test` takes
/// exclusively (with `pg_try_advisory_lock`) to drop what earlier runs left behind.
pub const RUN_LOCK: i64 = 728362;

/// Takes this run's shared `RUN_LOCK`, once per process, on a connection of its own that
/// lives as long as the process (on a thread with its own runtime: each test's runtime
/// ends with the test). Waits while a cleanup holds the lock exclusively.
pub fn hold_run_lock() {
    static HELD: std::sync::OnceLock<()> = std::sync::OnceLock::new();
    HELD.get_or_init(|| {
        let (held, wait) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let mut session = PgConnection::connect(ADMIN_URL)
                    .await
                    .expect("PostgreSQL answers on 127.0.0.1:5432");
                sqlx::query("SELECT pg_advisory_lock_shared($1)")
                    .bind(RUN_LOCK)
                    .execute(&mut session)
                    .await
                    .unwrap();
                held.send(()).unwrap();
                // Held until the process exits, which closes the session.
                std::future::pending::<()>().await;
            });
        });
        wait.recv().expect("the run lock is taken");
    });
}

/// A database migrated once per migration set, which every test database copies.
async fn template_database() -> String {
    TEMPLATE
        .get_or_init(|| async {
            hold_run_lock();
            // One name per migration set (all of them, however many): a digest of every
            // migration's checksum.
            let mut digest = <sha2::Sha256 as sha2::Digest>::new();
            for migration in undersigned::db::MIGRATOR.iter() {
                sha2::Digest::update(&mut digest, &migration.checksum);
            }
            let checksum = undersigned::tokens::hex(&sha2::Digest::finalize(digest));
            let name = format!("undersigned_tpl_{}", &checksum[..32]);
            let mut admin = PgConnection::connect(ADMIN_URL)
                .await
                .expect("PostgreSQL answers on 127.0.0.1:5432");
            // Test binaries run side by side: one builds the template, the others wait.
            sqlx::query("SELECT pg_advisory_lock(728361)")
                .execute(&mut admin)
                .await
                .unwrap();
            let exists: bool =
                sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
                    .bind(&name)
                    .fetch_one(&mut admin)
                    .await
                    .unwrap();
            if !exists {
                let building = format!("{name}_building");
                sqlx::query(&format!("DROP DATABASE IF EXISTS {building}"))
                    .execute(&mut admin)
                    .await
                    .unwrap();
                sqlx::query(&format!("CREATE DATABASE {building}"))
                    .execute(&mut admin)
                    .await
                    .unwrap();
                let url = format!("postgres://postgres@127.0.0.1:5432/{building}");
                let pool = PgPool::connect(&url).await.unwrap();
                undersigned::db::MIGRATOR.run(&pool).await.unwrap();
                pool.close().await;
                sqlx::query(&format!("ALTER DATABASE {building} RENAME TO {name}"))
                    .execute(&mut admin)
                    .await
                    .unwrap();
            }
            sqlx::query("SELECT pg_advisory_unlock(728361)")
                .execute(&mut admin)
                .await
                .unwrap();
            name
        })
        .await
        .clone()
}

/// A new database for one test, with every migration applied; dropped with the value.
pub async fn fresh_database() -> TestDatabase {
    let template = template_database().await;
    let name = format!("undersigned_test_{}", uuid::Uuid::new_v4().simple());
    let mut admin = PgConnection::connect(ADMIN_URL).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
        .execute(&mut admin)
        .await
        .unwrap();
    TestDatabase::named(&name)
}

/// A test's database, dropped when the value is (at the end of the test). A failing
/// test's database is kept for a look (its name is printed); the next `scripts/test`
/// drops it.
pub struct TestDatabase {
    pub name: String,
    pub url: String,
}

impl TestDatabase {
    /// Takes charge of the database `name` (which the test may create later).
    pub fn named(name: &str) -> Self {
        hold_run_lock();
        Self {
            name: name.to_owned(),
            url: format!("postgres://postgres@127.0.0.1:5432/{name}"),
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("the failing test's database is kept: {}", self.name);
            return;
        }
        drop_database_later(&self.name);
    }
}

/// Hands `name` to this process's dropper: one psql session, started with the first
/// database to drop, that reads DROP statements from a pipe and runs them one after
/// another. DROP DATABASE waits for a checkpoint (a second, or minutes on a loaded
/// machine), so tests do not wait for it, and one session at a time spares the server a
/// storm of checkpoints and connections. When the test process ends, the pipe closes and
/// psql finishes what it was given, then exits. FORCE ends the app's connections still
/// open. Without psql, the databases wait for the next `scripts/test`.
fn drop_database_later(name: &str) {
    use std::io::Write;
    use std::process::{Command, Stdio};
    static DROPPER: std::sync::OnceLock<Option<Mutex<std::process::ChildStdin>>> =
        std::sync::OnceLock::new();
    let dropper = DROPPER.get_or_init(|| {
        let psql = Command::new("psql")
            .args([
                "-X",
                "-q",
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-d",
                "postgres",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        match psql {
            Ok(mut psql) => psql.stdin.take().map(Mutex::new),
            Err(e) => {
                eprintln!("no psql to drop test databases with ({e}): scripts/test drops them");
                None
            }
        }
    });
    if let Some(pipe) = dropper {
        let mut pipe = pipe.lock().unwrap_or_else(|e| e.into_inner());
        let _ = writeln!(pipe, "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE);");
        let _ = pipe.flush();
    }
}

#[derive(Default)]
pub struct Options {
    pub smtp_url: Option<String>,
    pub base_url: Option<String>,
    pub env: Vec<(&'static str, String)>,
}

pub struct TestApp {
    pub address: String,
    pub db: PgPool,
    pub database_url: String,
    pub clock: ManualClock,
    pub config: Arc<Config>,
    pub worker: Worker,
    pub jobs: Jobs,
    pub data_dir: TempDir,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    /// Last: dropped after everything that uses it.
    database: TestDatabase,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(Options::default()).await
    }

    pub async fn spawn_with(options: Options) -> TestApp {
        let database = fresh_database().await;
        let database_url = database.url.clone();
        let data_dir = tempfile::tempdir().unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let address = format!("http://{addr}");

        let mut env: Vec<(String, String)> = vec![
            ("DATABASE_URL".into(), database_url.clone()),
            ("APP_ADDR".into(), addr.to_string()),
            (
                "BASE_URL".into(),
                options.base_url.clone().unwrap_or_else(|| address.clone()),
            ),
            ("DATA_DIR".into(), data_dir.path().display().to_string()),
        ];
        if let Some(smtp) = &options.smtp_url {
            env.push(("SMTP_URL".into(), smtp.clone()));
        }
        env.extend(options.env.iter().map(|(k, v)| (k.to_string(), v.clone())));
        let config = Arc::new(
            Config::from_lookup(|name| env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
                .unwrap(),
        );

        let db = undersigned::db::connect(&database_url).await.unwrap();
        let clock = ManualClock::new(datetime!(2026-11-25 12:00 UTC));
        let transport = Transport::from_config(&config).unwrap();
        let state = app::state(db.clone(), config.clone(), Arc::new(clock.clone())).unwrap();
        let worker = Worker::new(
            db.clone(),
            transport.clone(),
            Arc::new(clock.clone()),
            config.clone(),
            Arc::new(app::mail_kinds()),
        );

        let jobs = Jobs::new(state.clone());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let application = Application::with_listener(state, transport, listener);
        tokio::spawn(application.serve(async {
            let _ = stopped.await;
        }));
        TestApp {
            address,
            db,
            database_url,
            clock,
            config,
            worker,
            jobs,
            data_dir,
            stop: Some(stop),
            database,
        }
    }

    pub fn client(&self) -> Client {
        Client::new(&self.address)
    }

    /// A second app instance on the same database (its own pool and memory, the same
    /// settings and secret key), as a second process would be; returns its address.
    pub async fn another_instance(&self) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = format!("http://{}", listener.local_addr().unwrap());
        let db = undersigned::db::connect(&self.database_url).await.unwrap();
        let state = app::state(db, self.config.clone(), Arc::new(self.clock.clone())).unwrap();
        let transport = Transport::from_config(&self.config).unwrap();
        tokio::spawn(
            Application::with_listener(state, transport, listener).serve(std::future::pending()),
        );
        address
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// Runs every area's due jobs once, as the background task does every 30 s.
    pub async fn run_scheduler(&self) -> jobs::Report {
        self.jobs.tick().await.expect("the scheduled jobs run")
    }

    /// A scheduler of a second process: its own pool on the same database.
    pub async fn another_scheduler(&self) -> Jobs {
        let db = undersigned::db::connect(&self.database_url).await.unwrap();
        Jobs::new(app::state(db, self.config.clone(), Arc::new(self.clock.clone())).unwrap())
    }

    /// Runs the mail worker once, as the background task would.
    pub async fn dispatch_mail(&self) -> usize {
        self.worker.process_due().await.expect("the worker runs")
    }

    pub fn mail_dir(&self) -> PathBuf {
        self.config.mail_dir()
    }

    /// Every message the file transport wrote, read back.
    pub fn sent_mail(&self) -> Vec<ReadMessage> {
        let Ok(entries) = std::fs::read_dir(self.mail_dir()) else {
            return Vec::new();
        };
        let mut files: Vec<(std::time::SystemTime, PathBuf)> = entries
            .filter_map(|e| e.ok())
            .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
            .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
            .collect();
        // Oldest first, so the last message is the newest.
        files.sort();
        files
            .into_iter()
            .filter_map(|(_, path)| read_eml(&std::fs::read(path).ok()?))
            .collect()
    }

    pub fn mail_to(&self, email: &str) -> Vec<ReadMessage> {
        self.sent_mail()
            .into_iter()
            .filter(|m| m.to.eq_ignore_ascii_case(email))
            .collect()
    }

    /// Dispatches mail and returns the first link containing `path_part` in the newest
    /// message sent to `email` (newest by outbox order, not by file time).
    pub async fn link_mailed_to(&self, email: &str, path_part: &str) -> String {
        self.dispatch_mail().await;
        let files: Vec<String> = sqlx::query_scalar(
            "SELECT transport_id FROM outbox WHERE lower(recipient) = lower($1) AND status = 'sent' ORDER BY id DESC",
        )
        .bind(email)
        .fetch_all(&self.db)
        .await
        .unwrap();
        for file in files {
            let Ok(raw) = std::fs::read(self.mail_dir().join(format!("{file}.eml"))) else {
                continue;
            };
            let Some(message) = read_eml(&raw) else {
                continue;
            };
            if let Some(link) = links_in(&message.text)
                .into_iter()
                .find(|l| l.contains(path_part))
            {
                let base = self.config.base_url.as_str().trim_end_matches('/');
                return link
                    .strip_prefix(&self.address)
                    .or_else(|| link.strip_prefix(base))
                    .map(str::to_owned)
                    .unwrap_or(link);
            }
        }
        panic!("no mail to {email} with a link containing {path_part}");
    }

    /// Signs up a new group with its owner, confirming the address from the emailed link
    /// as a person would, and returns the owner's logged-in client.
    pub async fn signup(&self, slug: &str, email: &str) -> Client {
        let client = self.client();
        let response = client
            .post_form(
                "/signup",
                &[
                    ("group_name", &format!("Group {slug}")),
                    ("slug", slug),
                    ("name", &format!("Owner of {slug}")),
                    ("email", email),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(response.status, 303, "sign-up failed: {}", response.body);
        assert_eq!(response.location(), Some("/signup/sent"));
        let link = self.signup_link(email).await;
        let created = client.post_form(&link, &[("password", PASSWORD)]).await;
        assert_eq!(
            created.status, 303,
            "sign-up not confirmed: {}",
            created.body
        );
        client
    }

    /// The confirmation link of the newest sign-up request for `email`, taken out of the
    /// outbox before the worker sends it (so it works whichever way mail goes out, and
    /// the tests that count mail see only the mail they cause).
    pub async fn signup_link(&self, email: &str) -> String {
        let link: String = sqlx::query_scalar(
            "DELETE FROM outbox WHERE id = (
                 SELECT id FROM outbox
                 WHERE lower(recipient) = lower($1) AND message->>'kind' = 'confirm_signup' AND status = 'pending'
                 ORDER BY id DESC LIMIT 1)
             RETURNING message->>'link'",
        )
        .bind(email)
        .fetch_one(&self.db)
        .await
        .expect("a sign-up email waits in the outbox");
        let base = self.config.base_url.as_str().trim_end_matches('/');
        link.strip_prefix(base).unwrap_or(&link).to_owned()
    }

    /// A teammate invited by `owner` to the group `tenant` with `role`, who accepts from
    /// the emailed link with a new account named `name`; returns their logged-in client.
    pub async fn join(
        &self,
        owner: &Client,
        tenant: &str,
        email: &str,
        role: &str,
        name: &str,
    ) -> Client {
        let r = owner
            .post_form(
                &format!("/app/{tenant}/members/invite"),
                &[("email", email), ("role", role)],
            )
            .await;
        assert_eq!(r.status, 303, "invitation not sent: {}", r.body);
        let link = self.link_mailed_to(email, "/invite/").await;
        let client = self.client();
        let r = client
            .post_form(
                &format!("{link}/signup"),
                &[("name", name), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(r.status, 303, "invitation not accepted: {}", r.body);
        client
    }

    /// A fresh login (sessions end after 12 idle hours: tests that move the clock by days
    /// log in again, as the organizer would).
    pub async fn log_in(&self, email: &str) -> Client {
        let client = self.client();
        let r = client
            .post_form("/login", &[("email", email), ("password", PASSWORD)])
            .await;
        assert_eq!(r.status, 303, "login failed: {}", r.body);
        client
    }

    pub async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql).fetch_one(&self.db).await.unwrap()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Undoes askama's HTML escaping, to compare what a person would read.
pub fn unescape(html: &str) -> String {
    html.replace("&#60;", "<")
        .replace("&#62;", ">")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#38;", "&")
}

pub fn links_in(text: &str) -> Vec<String> {
    text.split_whitespace()
        .filter(|w| w.starts_with("http://") || w.starts_with("https://"))
        .map(|w| {
            w.trim_end_matches(['.', ',', '>', ')'])
                .trim_start_matches('<')
                .to_owned()
        })
        .collect()
}

/// What a request got back.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub body: String,
    pub headers: reqwest::header::HeaderMap,
}

impl Response {
    pub fn location(&self) -> Option<&str> {
        self.headers.get("location").and_then(|v| v.to_str().ok())
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect()
    }
}

/// A browser-like client: keeps cookies, does not follow redirects (tests look at them),
/// and remembers the last CSRF token it saw on a page.
pub struct Client {
    pub http: reqwest::Client,
    base: String,
    csrf: Mutex<Option<String>>,
}

pub fn csrf_in(html: &str) -> Option<String> {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_owned())
}

impl Client {
    pub fn new(base: &str) -> Self {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self {
            http,
            base: base.to_owned(),
            csrf: Mutex::new(None),
        }
    }

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

    pub async fn get(&self, path: &str) -> Response {
        let response = self
            .http
            .get(format!("{}{}", self.base, path))
            .send()
            .await
            .unwrap();
        self.finish(response).await
    }

    /// Follows redirects from `path` and returns the final page.
    pub async fn get_following(&self, path: &str) -> Response {
        let mut path = path.to_owned();
        for _ in 0..10 {
            let response = self.get(&path).await;
            match response.location() {
                Some(next) if (300..400).contains(&response.status) => path = next.to_owned(),
                _ => return response,
            }
        }
        panic!("too many redirects");
    }

    /// The token a form on a page would carry.
    pub async fn csrf_token(&self) -> String {
        if let Some(token) = self.csrf.lock().unwrap().clone() {
            return token;
        }
        let page = self.get("/signup").await;
        csrf_in(&page.body).expect("the sign-up page has a form")
    }

    pub fn forget_csrf(&self) {
        *self.csrf.lock().unwrap() = None;
    }

    /// Posts a form with the CSRF token, as a browser would.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        let token = self.csrf_token().await;
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("csrf_token", &token));
        let response = self
            .http
            .post(format!("{}{}", self.base, path))
            .form(&all)
            .send()
            .await
            .unwrap();
        // A login or logout changes the session, and with it the token.
        self.forget_csrf();
        self.finish(response).await
    }

    /// GETs a path and returns status and raw body bytes (downloads).
    pub async fn http_get_bytes(&self, path: &str) -> (u16, Vec<u8>) {
        let response = self
            .http
            .get(format!("{}{}", self.base, path))
            .send()
            .await
            .unwrap();
        (
            response.status().as_u16(),
            response.bytes().await.unwrap().to_vec(),
        )
    }

    /// Uploads `content` as a multipart form field `field` (a file when `field` is
    /// "file"), with the CSRF token in the query string as the upload form does.
    pub async fn upload(&self, path: &str, field: &str, content: &str) -> Response {
        self.upload_bytes(path, field, content.as_bytes().to_vec())
            .await
    }

    pub async fn upload_bytes(&self, path: &str, field: &str, content: Vec<u8>) -> Response {
        let token = self.csrf_token().await;
        let boundary = "----undersignedtestboundary";
        let filename = if field == "file" {
            "; filename=\"signers.csv\"\r\nContent-Type: text/csv"
        } else {
            ""
        };
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"{filename}\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(&content);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let response = self
            .http
            .post(format!("{}{}?csrf_token={}", self.base, path, token))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
            .send()
            .await
            .unwrap();
        self.finish(response).await
    }

    /// Posts a form exactly as given: no token is added.
    pub async fn post_raw(
        &self,
        path: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> Response {
        let response = self
            .http
            .post(format!("{}{}", self.base, path))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        self.finish(response).await
    }
}
