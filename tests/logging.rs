//! What the app writes to its log: never a secret from a link.

use crate::support;

use support::TestApp;

/// What the app logs, kept for the test to read.
#[derive(Clone, Default)]
struct CapturedLog(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for CapturedLog {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl CapturedLog {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// Secret links never reach the log: the request's span (which every line logged inside
/// a request carries: errors, sqlx's statements and slow-statement warnings, tower-http's
/// lines) shows their path redacted, on a page that works, one that answers 404 or 410,
/// and one that fails inside.
#[tokio::test]
async fn secret_links_never_reach_the_log() {
    use support::campaigns::{open_campaign, organization, sign};
    // The app's lines come here, as they would to its standard output, at every level the
    // app and its libraries log (the test's own HTTP client aside). The one subscriber of
    // this process: a scoped one misses lines whose call sites another thread saw first.
    let log = CapturedLog::default();
    let writer = log.clone();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(
            "debug,reqwest=off,hyper_util=off",
        ))
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();

    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    let (_, public) = open_campaign(&owner, "river", "water", &[]).await;
    let r = sign(
        &app,
        &public,
        &organization("Lake Friends", "lee@lake.example"),
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let signature = app.link_mailed_to("lee@lake.example", "/signature/").await;
    app.client()
        .post_form("/password/forgot", &[("email", "ana@river.example")])
        .await;
    let reset = app
        .link_mailed_to("ana@river.example", "/password/reset/")
        .await;
    let unknown = undersigned::tokens::new_token().token;

    let signer = app.client();
    assert_eq!(signer.get(&signature).await.status, 200);
    assert_eq!(
        signer.get(&format!("{signature}/withdraw")).await.status,
        200
    );
    let unknown_signature = format!("/river/water/signature/{unknown}");
    assert_eq!(signer.get(&unknown_signature).await.status, 410);
    let unknown_unsubscribe = format!("/mail/unsubscribe/{unknown}");
    assert_eq!(signer.get(&unknown_unsubscribe).await.status, 404);
    assert_eq!(
        signer
            .post_form(&format!("{signature}/erase"), &[])
            .await
            .status,
        200
    );
    assert_eq!(signer.get(&signature).await.status, 410);
    assert_eq!(signer.get(&reset).await.status, 200);
    // The reset page fails inside: its error is logged, in the request's span.
    sqlx::query("ALTER TABLE password_resets RENAME TO password_resets_away")
        .execute(&app.db)
        .await
        .unwrap();
    assert_eq!(signer.get(&reset).await.status, 500);

    let logged = log.text();
    let secrets = [
        signature.rsplit('/').next().unwrap(),
        reset.rsplit('/').next().unwrap(),
        &unknown,
    ];
    for secret in secrets {
        assert_eq!(secret.len(), 43);
        assert!(!logged.contains(secret), "a secret in the log:\n{logged}");
    }
    // The lines are there, with the paths redacted.
    for line in [
        "path=/river/water/signature/[redacted] ",
        "path=/river/water/signature/[redacted]/withdraw ",
        "path=/river/water/signature/[redacted]/erase ",
        "path=/password/reset/[redacted] ",
        "path=/mail/unsubscribe/[redacted] ",
        "status=404",
        "status=410",
        "internal error",
        "password_resets",
        "SELECT",
    ] {
        assert!(logged.contains(line), "{line} is logged:\n{logged}");
    }
}
