//! The connection pool: finding a database (configured, local, or a private cluster),
//! creating it if missing, and running the migrations.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgConnection, PgPool};

use crate::config::{Config, SettingError, DEFAULT_DATABASE_URL};

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

const PRIVATE_CLUSTER_PORT: u16 = 54329;

fn options(url: &str) -> Result<PgConnectOptions, SettingError> {
    PgConnectOptions::from_str(url)
        .map(|o| o.log_statements(tracing::log::LevelFilter::Debug))
        .map_err(|e| SettingError::new("DATABASE_URL", format!("cannot be used ({e})")))
}

async fn answers(options: &PgConnectOptions) -> bool {
    let maintenance = options.clone().database("postgres");
    matches!(
        tokio::time::timeout(
            Duration::from_secs(3),
            PgConnection::connect_with(&maintenance)
        )
        .await,
        Ok(Ok(_))
    )
}

/// Which database to use: `DATABASE_URL`; else the local PostgreSQL on 127.0.0.1:5432;
/// else a private cluster under `DATA_DIR/postgres` when PostgreSQL's programs are
/// installed. Says on standard output which one it chose.
pub async fn resolve_url(config: &Config) -> Result<String, SettingError> {
    if let Some(url) = &config.database_url {
        return Ok(url.clone());
    }
    if answers(&options(DEFAULT_DATABASE_URL)?).await {
        println!(
            "Using the local PostgreSQL at 127.0.0.1:5432 (set DATABASE_URL to choose another)."
        );
        return Ok(DEFAULT_DATABASE_URL.to_owned());
    }
    let Some(bin) = postgres_bin_dir() else {
        return Err(SettingError::new(
            "DATABASE_URL",
            "not set and no PostgreSQL answers on 127.0.0.1:5432. Install PostgreSQL (apt-get install postgresql) or set DATABASE_URL=postgres://user@host/undersigned",
        ));
    };
    let url = start_private_cluster(&bin, &config.data_dir.join("postgres"))?;
    Ok(url)
}

fn postgres_bin_dir() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .find(|dir| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file());
    on_path.or_else(|| {
        let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
            .filter(|bin| bin.join("initdb").is_file())
            .collect();
        versions.sort();
        versions.pop()
    })
}

/// Whether this process runs as root (initdb refuses to).
fn running_as_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// A PostgreSQL program, run as the `postgres` system user when we are root (PostgreSQL
/// refuses to run as root), else as ourselves.
fn postgres_command(bin: &Path, program: &str, as_postgres: bool) -> Command {
    if as_postgres {
        let mut command = Command::new("runuser");
        command
            .args(["-u", "postgres", "--"])
            .arg(bin.join(program));
        command
    } else {
        Command::new(bin.join(program))
    }
}

fn start_private_cluster(bin: &Path, dir: &Path) -> Result<String, SettingError> {
    let fail = |message: String| SettingError::new("DATABASE_URL", message);
    let dir = std::path::absolute(dir)
        .map_err(|e| fail(format!("cannot use {} ({e})", dir.display())))?;
    let as_postgres = running_as_root();
    if !dir.join("PG_VERSION").exists() {
        println!(
            "No PostgreSQL answers on 127.0.0.1:5432: creating a private cluster in {}",
            dir.display()
        );
        std::fs::create_dir_all(&dir)
            .map_err(|e| fail(format!("cannot create {} ({e})", dir.display())))?;
        if as_postgres {
            // Started as root: the cluster belongs to the postgres system user.
            let owned = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&dir)
                .status()
                .is_ok_and(|s| s.success());
            if !owned {
                let _ = std::fs::remove_dir_all(&dir);
                return Err(fail(
                    "not set, no PostgreSQL answers on 127.0.0.1:5432, and running as root there is no postgres system user to run a private cluster. Run ./scripts/run, start PostgreSQL or set DATABASE_URL".into(),
                ));
            }
        }
        let output = postgres_command(bin, "initdb", as_postgres)
            .args([
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C",
                "-D",
            ])
            .arg(&dir)
            .output()
            .map_err(|e| fail(format!("cannot run initdb ({e})")))?;
        if !output.status.success() {
            let _ = std::fs::remove_dir_all(&dir);
            let why = String::from_utf8_lossy(&output.stderr)
                .lines()
                .next()
                .unwrap_or("")
                .to_owned();
            return Err(fail(format!(
                "not set, no PostgreSQL answers on 127.0.0.1:5432, and initdb failed ({why}). Start PostgreSQL or set DATABASE_URL"
            )));
        }
    }
    let running = postgres_command(bin, "pg_ctl", as_postgres)
        .arg("status")
        .arg("-D")
        .arg(&dir)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !running {
        let output = postgres_command(bin, "pg_ctl", as_postgres)
            .arg("-D")
            .arg(&dir)
            .arg("-l")
            .arg(dir.join("server.log"))
            .arg("-o")
            .arg(format!(
                "-p {PRIVATE_CLUSTER_PORT} -c listen_addresses=127.0.0.1 -k {}",
                dir.display()
            ))
            .args(["-w", "start"])
            .output()
            .map_err(|e| fail(format!("cannot run pg_ctl ({e})")))?;
        if !output.status.success() {
            return Err(fail(format!(
                "the private cluster in {} did not start; see its server.log",
                dir.display()
            )));
        }
    }
    println!(
        "Started the private PostgreSQL cluster in {} on port {PRIVATE_CLUSTER_PORT}.",
        dir.display()
    );
    Ok(format!(
        "postgres://postgres@127.0.0.1:{PRIVATE_CLUSTER_PORT}/undersigned"
    ))
}

/// Connects, creating the database first if the server does not have it.
pub async fn connect(url: &str) -> Result<PgPool, SettingError> {
    let options = options(url)?;
    let name = options.get_database().unwrap_or("undersigned").to_owned();
    let mut maintenance = tokio::time::timeout(
        Duration::from_secs(5),
        PgConnection::connect_with(&options.clone().database("postgres")),
    )
    .await
    .map_err(|_| {
        SettingError::new(
            "DATABASE_URL",
            "the database server did not answer within 5 seconds",
        )
    })?
    .map_err(|e| SettingError::new("DATABASE_URL", format!("cannot connect ({e})")))?;
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(&name)
            .fetch_one(&mut maintenance)
            .await
            .map_err(|e| {
                SettingError::new("DATABASE_URL", format!("cannot query the server ({e})"))
            })?;
    if !exists {
        let quoted = format!("\"{}\"", name.replace('"', "\"\""));
        sqlx::query(&format!("CREATE DATABASE {quoted}"))
            .execute(&mut maintenance)
            .await
            .map_err(|e| {
                SettingError::new(
                    "DATABASE_URL",
                    format!("cannot create database {name} ({e})"),
                )
            })?;
        tracing::info!(database = %name, "created the database");
    }
    let _ = maintenance.close().await;
    PgPoolOptions::new()
        .max_connections(32)
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(options)
        .await
        .map_err(|e| SettingError::new("DATABASE_URL", format!("cannot connect ({e})")))
}

/// The mail worker's own pool: its bookkeeping (leases, sent marks) commits without
/// waiting for the disk. Other sessions see each commit at once, so workers never claim
/// or send a row twice; a crash of the database server can lose the last fraction of a
/// second of marks, and those messages then go out again (the at-least-once guarantee).
pub async fn connect_for_worker(url: &str, sends: usize) -> Result<PgPool, SettingError> {
    let options = options(url)?.options([("synchronous_commit", "off")]);
    // A send holds a connection only for its short lease and mark statements, so a few
    // serve many sends (and instances stay well within PostgreSQL's max_connections).
    PgPoolOptions::new()
        .max_connections((sends as u32).clamp(2, 8))
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(options)
        .await
        .map_err(|e| SettingError::new("DATABASE_URL", format!("cannot connect ({e})")))
}

pub async fn migrate(pool: &PgPool) -> Result<(), SettingError> {
    MIGRATOR
        .run(pool)
        .await
        .map_err(|e| SettingError::new("DATABASE_URL", format!("migrations failed ({e})")))
}

/// Declares an enum stored in a `text` column: `ALL`, `as_str`, `parse` and sqlx's
/// encoding. Reading a value the enum does not know is an error, never a silent default,
/// so a state added in the database without the code (or a typo in SQL) cannot pass for
/// another one. Read such columns with `try_get`, which returns that error.
macro_rules! text_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident = $text:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        $vis enum $name {
            $( $(#[$variant_meta])* $variant ),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            pub fn parse(raw: &str) -> Option<Self> {
                match raw {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl ::sqlx::Type<::sqlx::Postgres> for $name {
            fn type_info() -> ::sqlx::postgres::PgTypeInfo {
                <&str as ::sqlx::Type<::sqlx::Postgres>>::type_info()
            }

            fn compatible(ty: &::sqlx::postgres::PgTypeInfo) -> bool {
                <&str as ::sqlx::Type<::sqlx::Postgres>>::compatible(ty)
            }
        }

        impl<'q> ::sqlx::Encode<'q, ::sqlx::Postgres> for $name {
            fn encode_by_ref(
                &self,
                buf: &mut ::sqlx::postgres::PgArgumentBuffer,
            ) -> Result<::sqlx::encode::IsNull, ::sqlx::error::BoxDynError> {
                <&str as ::sqlx::Encode<'q, ::sqlx::Postgres>>::encode(self.as_str(), buf)
            }
        }

        impl<'r> ::sqlx::Decode<'r, ::sqlx::Postgres> for $name {
            fn decode(
                value: ::sqlx::postgres::PgValueRef<'r>,
            ) -> Result<Self, ::sqlx::error::BoxDynError> {
                let raw = <&str as ::sqlx::Decode<'r, ::sqlx::Postgres>>::decode(value)?;
                Self::parse(raw).ok_or_else(|| {
                    format!("unknown {} {raw:?} read from the database", stringify!($name)).into()
                })
            }
        }
    };
}
pub(crate) use text_enum;

/// Whether the database answers a query (the health check).
pub async fn ping(pool: &PgPool) -> sqlx::Result<()> {
    sqlx::query("SELECT 1").execute(pool).await?;
    Ok(())
}

/// A read-only transaction whose statements all see one snapshot (REPEATABLE READ): for a
/// page built from several reads that must agree with each other.
pub async fn begin_snapshot(
    pool: &sqlx::PgPool,
) -> sqlx::Result<sqlx::Transaction<'static, sqlx::Postgres>> {
    let mut tx = pool.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await?;
    Ok(tx)
}
