use std::process::ExitCode;
use std::sync::Arc;

use undersigned::app::{self, Application};
use undersigned::clock::SystemClock;
use undersigned::config::{Config, SettingError};
use undersigned::mail::{Transport, Worker};
use undersigned::{auth, db, demo};

const USAGE: &str =
    "usage: undersigned [serve | migrate | demo | receive-mail [--recipient ADDRESS]]

  serve         (default) run the web app, the mail worker and the outreach scheduler
  migrate       create the database if missing and run the migrations
  demo          load a demo group with an organizer you can log in as
  receive-mail  take one email for a coalition list on standard input (for a Postfix or
                Exim pipe transport; --recipient is the envelope recipient, ${recipient})

Settings come from environment variables; see README.md.";

#[tokio::main]
async fn main() -> ExitCode {
    let command = std::env::args().nth(1).unwrap_or_else(|| "serve".into());
    if matches!(command.as_str(), "-h" | "--help" | "help") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    if command == "receive-mail" {
        return receive_mail::run().await;
    }
    if !matches!(command.as_str(), "serve" | "migrate" | "demo") {
        eprintln!("undersigned: unknown command {command:?}\n\n{USAGE}");
        return ExitCode::from(2);
    }
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => return setting_failed(e),
    };
    // Colour codes only for a person at a terminal, never in a file or a pipe.
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(&config.log_filter))
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .init();

    match run(&command, config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Setting(e)) => setting_failed(e),
        Err(Failure::Other(e)) => {
            eprintln!("undersigned: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// `undersigned receive-mail`: one RFC 5322 message on standard input, decided like any
/// inbound list mail (`coalition::inbound::receive`). Exit 0 once it is decided, refusals
/// included (the answer, if any, goes through the outbox: no bounce storm); 75
/// (EX_TEMPFAIL) when the database or a setting is not there, so the mail server keeps the
/// message and tries again; 64 (EX_USAGE) for bad arguments. One line on standard error.
mod receive_mail {
    use std::io::Read;
    use std::process::ExitCode;
    use std::str::FromStr;
    use std::sync::Arc;
    use std::time::Duration;

    use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
    use undersigned::clock::SystemClock;
    use undersigned::coalition::inbound::{self, MAX_MESSAGE_BYTES};
    use undersigned::config::Config;
    use undersigned::{app, db};

    const EX_USAGE: u8 = 64;
    const EX_TEMPFAIL: u8 = 75;

    fn tempfail(what: impl std::fmt::Display) -> ExitCode {
        eprintln!("undersigned receive-mail: {what}; try again later");
        ExitCode::from(EX_TEMPFAIL)
    }

    pub async fn run() -> ExitCode {
        let mut args = std::env::args().skip(2);
        let mut recipient = None;
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--recipient" => recipient = args.next(),
                other => match other.strip_prefix("--recipient=") {
                    Some(value) => recipient = Some(value.to_owned()),
                    None => {
                        eprintln!("undersigned receive-mail: unknown argument {other:?} (usage: undersigned receive-mail [--recipient ADDRESS])");
                        return ExitCode::from(EX_USAGE);
                    }
                },
            }
        }

        // One byte more than the limit tells a message is too large; the rest is read and
        // thrown away so the mail server sees the message taken, not a broken pipe.
        let mut raw = Vec::with_capacity(64 * 1024);
        let stdin = std::io::stdin();
        let mut input = stdin.lock();
        if let Err(e) = (&mut input)
            .take(MAX_MESSAGE_BYTES as u64 + 1)
            .read_to_end(&mut raw)
        {
            return tempfail(format!("cannot read the message ({e})"));
        }
        let _ = std::io::copy(&mut input, &mut std::io::sink());

        let config = match Config::from_env() {
            Ok(config) => config,
            Err(e) => return tempfail(format!("bad setting {e}")),
        };
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(&config.log_filter))
            .with_writer(std::io::stderr)
            .with_ansi(false)
            .init();
        let url = match db::resolve_url(&config).await {
            Ok(url) => url,
            Err(e) => return tempfail(format!("bad setting {e}")),
        };
        // One short-lived connection (a second only if posting needs it): no migrations,
        // no maintenance database, so a message costs a connection and a few statements.
        let options = match PgConnectOptions::from_str(&url) {
            Ok(options) => options,
            Err(e) => return tempfail(format!("bad setting DATABASE_URL ({e})")),
        };
        let pool = match PgPoolOptions::new()
            .max_connections(2)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(options)
            .await
        {
            Ok(pool) => pool,
            Err(e) => return tempfail(format!("the database is unreachable ({e})")),
        };
        let state = match app::state(pool.clone(), Arc::new(config), Arc::new(SystemClock)) {
            Ok(state) => state,
            Err(e) => return tempfail(format!("bad setting {e}")),
        };
        let outcome = inbound::receive(&state, &raw, recipient.as_deref()).await;
        pool.close().await;
        match outcome {
            Ok(_) => ExitCode::SUCCESS,
            Err(e) => tempfail(format!("the message was not decided ({e:#})")),
        }
    }
}

fn setting_failed(e: SettingError) -> ExitCode {
    eprintln!("undersigned: bad setting {e}");
    ExitCode::from(2)
}

enum Failure {
    Setting(SettingError),
    Other(anyhow::Error),
}

impl From<SettingError> for Failure {
    fn from(e: SettingError) -> Self {
        Failure::Setting(e)
    }
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Other(e)
    }
}

async fn run(command: &str, config: Config) -> Result<(), Failure> {
    let url = db::resolve_url(&config).await?;
    let pool = db::connect(&url).await?;
    db::migrate(&pool).await?;

    match command {
        "migrate" => {
            println!("Migrations are up to date.");
            Ok(())
        }
        "demo" => {
            let loaded = demo::load(&pool).await?;
            println!(
                "{}\n  Log in at {} as {} with password {}\n  Then open {}: its letter changed substantively two days ago, \
                 so only the signers who confirmed the new text are listed; the others are awaiting reconfirmation.",
                if loaded.created {
                    "Demo group loaded."
                } else {
                    "The demo group was already loaded; nothing changed."
                },
                config.link("/login"),
                demo::EMAIL,
                demo::PASSWORD,
                config.link(&format!("/app/{}/campaigns/{}", demo::SLUG, demo::CAMPAIGN)),
            );
            if let Some(link) = loaded.signer_link {
                println!(
                    "  What a signer awaiting reconfirmation sees (their own link): {}",
                    config.link(&link)
                );
            }
            Ok(())
        }
        _ => serve(config, pool, &url).await,
    }
}

async fn serve(config: Config, pool: sqlx::PgPool, url: &str) -> Result<(), Failure> {
    let transport = Transport::from_config(&config)?;
    auth::passwords::warm_up();
    let config = Arc::new(config);
    let state = app::state(pool.clone(), config.clone(), Arc::new(SystemClock))?;

    let application = Application::build(state.clone(), transport.clone(), config.app_addr)
        .await
        .map_err(|e| {
            SettingError::new(
                "APP_ADDR",
                format!("cannot listen on {} ({e})", config.app_addr),
            )
        })?;

    let (stop_worker, worker_stopped) = tokio::sync::watch::channel(false);
    let worker_pool = db::connect_for_worker(url, config.mail_concurrency).await?;
    let worker = tokio::spawn(
        Worker::new(
            worker_pool,
            transport,
            state.clock.clone(),
            config.clone(),
            Arc::new(app::mail_kinds()),
        )
        .with_refusal_hook(undersigned::coalition::mailing::refusal_hook())
        .run(worker_stopped.clone()),
    );
    // Every area's due work (outreach's reminders and digests, releases, member updates,
    // reissue dates, retention), through the outbox.
    let scheduler = tokio::spawn(undersigned::jobs::Jobs::new(state.clone()).run(worker_stopped));

    match &config.smtp_url {
        Some(_) => println!("Mail goes out through SMTP_URL."),
        None if config.dev_mailbox => println!(
            "Mail is written to {} (no SMTP_URL); read it at {}",
            config.mail_dir().display(),
            config.link("/dev/mail")
        ),
        None => println!(
            "Mail is written to {} (no SMTP_URL); start with DEV_MAILBOX=on to read it in the browser",
            config.mail_dir().display()
        ),
    }
    println!("Undersigned is running at {}", config.base_url);
    application
        .serve(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| Failure::Other(e.into()))?;
    let _ = stop_worker.send(true);
    let _ = worker.await;
    let _ = scheduler.await;
    Ok(())
}
