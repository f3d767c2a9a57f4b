//! Settings from environment variables. Every setting has a default so that
//! `cargo run --release` works with no configuration on a development machine.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use url::Url;

/// A setting that could not be used: names the variable so the operator knows what to fix.
#[derive(Debug, thiserror::Error)]
#[error("{name}: {message}")]
pub struct SettingError {
    pub name: &'static str,
    pub message: String,
}

impl SettingError {
    pub fn new(name: &'static str, message: impl Into<String>) -> Self {
        Self {
            name,
            message: message.into(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Config {
    /// `None` means "not configured": use the local PostgreSQL, or start a private cluster.
    pub database_url: Option<String>,
    pub app_addr: SocketAddr,
    pub base_url: Url,
    pub data_dir: PathBuf,
    /// `None` means mail is written as `.eml` files under `DATA_DIR/mail`.
    pub smtp_url: Option<String>,
    pub mail_from: lettre::message::Mailbox,
    /// Requests from this address may name the client in `X-Forwarded-For`.
    pub trusted_proxy: Option<IpAddr>,
    /// Shows every written email at `/dev/mail` (no login): only with `DEV_MAILBOX=on`.
    pub dev_mailbox: bool,
    /// A benchmark presenting this token in `X-Rate-Limit-Bypass` is not rate limited.
    pub rate_limit_bypass_token: Option<String>,
    /// How many emails the worker sends at once (over that many SMTP connections).
    pub mail_concurrency: usize,
    pub log_filter: String,
    /// `SECRET_KEY`; when unset, a key kept in `DATA_DIR/secret_key` (made on first start).
    pub secret_key: Option<String>,
    /// The domain of the list's addresses (`list+<key>@MAIL_DOMAIN`): where replies to
    /// list mail are delivered. `MAIL_DOMAIN`; defaults to the domain of `MAIL_FROM`.
    pub mail_domain: String,
    /// `INBOUND_SECRET`: the shared secret `POST /inbound/email` requires; unset, that
    /// route answers 404 (the `receive-mail` pipe needs none).
    pub inbound_secret: Option<String>,
}

pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/undersigned";

impl Config {
    pub fn from_env() -> Result<Self, SettingError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup`, so tests can build a configuration without touching
    /// the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, SettingError> {
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };

        let database_url = match get("DATABASE_URL") {
            Some(raw) => {
                let parsed = Url::parse(&raw).map_err(|e| {
                    SettingError::new(
                        "DATABASE_URL",
                        format!("not a URL ({e}); expected postgres://user@host:port/database"),
                    )
                })?;
                if !matches!(parsed.scheme(), "postgres" | "postgresql") {
                    return Err(SettingError::new(
                        "DATABASE_URL",
                        "must start with postgres:// or postgresql://",
                    ));
                }
                if parsed.path().trim_start_matches('/').is_empty() {
                    return Err(SettingError::new(
                        "DATABASE_URL",
                        "names no database (add /undersigned to the end)",
                    ));
                }
                Some(raw)
            }
            None => None,
        };

        let app_addr: SocketAddr = match get("APP_ADDR") {
            Some(raw) => raw.parse().map_err(|_| {
                SettingError::new(
                    "APP_ADDR",
                    format!("{raw:?} is not an address like 127.0.0.1:3000"),
                )
            })?,
            None => SocketAddr::from(([127, 0, 0, 1], 3000)),
        };

        let base_url = match get("BASE_URL") {
            Some(raw) => {
                let url = Url::parse(&raw)
                    .map_err(|e| SettingError::new("BASE_URL", format!("not a URL ({e})")))?;
                if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
                    return Err(SettingError::new(
                        "BASE_URL",
                        "must be an http:// or https:// address",
                    ));
                }
                url
            }
            None => {
                Url::parse(&format!("http://{app_addr}")).expect("a socket address makes a URL")
            }
        };

        let data_dir = PathBuf::from(get("DATA_DIR").unwrap_or_else(|| "./data".into()));

        let smtp_url = match get("SMTP_URL") {
            Some(raw) => {
                let url = Url::parse(&raw)
                    .map_err(|e| SettingError::new("SMTP_URL", format!("not a URL ({e})")))?;
                if !matches!(url.scheme(), "smtp" | "smtps") || url.host_str().is_none() {
                    return Err(SettingError::new(
                        "SMTP_URL",
                        "expected smtp://host:port, smtp://host:port?tls=required or smtps://user:pass@host",
                    ));
                }
                Some(raw)
            }
            None => None,
        };

        let mail_from: lettre::message::Mailbox = get("MAIL_FROM")
            .unwrap_or_else(|| "Undersigned <no-reply@undersigned.localhost>".into())
            .parse()
            .map_err(|_| {
                SettingError::new(
                    "MAIL_FROM",
                    "expected an address like: Our Coalition <letters@example.org>",
                )
            })?;

        let trusted_proxy = match get("TRUSTED_PROXY") {
            Some(raw) => Some(raw.parse().map_err(|_| {
                SettingError::new("TRUSTED_PROXY", format!("{raw:?} is not an IP address"))
            })?),
            None => None,
        };

        // The development mailbox needs no login, so it is on only when asked for by name:
        // an app behind a proxy on a loopback address must not expose it.
        let dev_mailbox = match get("DEV_MAILBOX").as_deref().map(str::trim) {
            None | Some("") | Some("off") => false,
            Some("on") if smtp_url.is_none() => true,
            Some("on") => {
                return Err(SettingError::new(
                    "DEV_MAILBOX",
                    "is for mail written to files; unset SMTP_URL or turn DEV_MAILBOX off",
                ))
            }
            Some(other) => {
                return Err(SettingError::new(
                    "DEV_MAILBOX",
                    format!("{other:?} is neither on nor off"),
                ))
            }
        };

        let mail_concurrency = match get("MAIL_CONCURRENCY") {
            None => 32,
            Some(raw) => match raw.trim().parse::<usize>() {
                Ok(n) if (1..=64).contains(&n) => n,
                _ => {
                    return Err(SettingError::new(
                        "MAIL_CONCURRENCY",
                        format!("{raw:?} is not a number from 1 to 64"),
                    ))
                }
            },
        };

        let rate_limit_bypass_token = match get("RATE_LIMIT_BYPASS_TOKEN") {
            Some(t) if t.len() < 16 => {
                return Err(SettingError::new(
                    "RATE_LIMIT_BYPASS_TOKEN",
                    "must be at least 16 characters",
                ))
            }
            other => other,
        };

        let log_filter = get("RUST_LOG").unwrap_or_else(|| "info,sqlx=warn,tower_http=info".into());
        tracing_subscriber::EnvFilter::try_new(&log_filter)
            .map_err(|e| SettingError::new("RUST_LOG", format!("not a log filter ({e})")))?;

        let mail_domain = match get("MAIL_DOMAIN") {
            None => mail_from.email.domain().to_owned(),
            Some(raw) => {
                let domain = raw.trim().to_ascii_lowercase();
                let fine = !domain.is_empty()
                    && domain.len() <= 253
                    && domain.split('.').all(|label| {
                        !label.is_empty()
                            && label.len() <= 63
                            && label
                                .bytes()
                                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                            && !label.starts_with('-')
                            && !label.ends_with('-')
                    });
                if !fine {
                    return Err(SettingError::new(
                        "MAIL_DOMAIN",
                        format!("{raw:?} is not a domain name (such as lists.example.org)"),
                    ));
                }
                domain
            }
        };

        let inbound_secret = match get("INBOUND_SECRET") {
            Some(t) if t.len() < 24 => {
                return Err(SettingError::new(
                    "INBOUND_SECRET",
                    "must be at least 24 characters",
                ))
            }
            other => other,
        };

        let secret_key = match get("SECRET_KEY") {
            Some(key) if key.len() < 32 => {
                return Err(SettingError::new(
                    "SECRET_KEY",
                    "must be at least 32 characters",
                ))
            }
            other => other,
        };

        Ok(Self {
            secret_key,
            mail_domain,
            inbound_secret,
            database_url,
            app_addr,
            base_url,
            data_dir,
            smtp_url,
            mail_from,
            trusted_proxy,
            dev_mailbox,
            rate_limit_bypass_token,
            mail_concurrency,
            log_filter,
        })
    }

    pub fn is_https(&self) -> bool {
        self.base_url.scheme() == "https"
    }

    /// An absolute link for emails, from a path starting with `/`.
    pub fn link(&self, path: &str) -> String {
        format!("{}{}", self.base_url.as_str().trim_end_matches('/'), path)
    }

    pub fn mail_dir(&self) -> PathBuf {
        self.data_dir.join("mail")
    }
}

/// The key for values the app signs: `SECRET_KEY`, or one generated once and kept in
/// `DATA_DIR/secret_key` so it survives restarts (instances sharing a database should
/// share `SECRET_KEY`).
pub fn load_secret(config: &Config) -> Result<Vec<u8>, SettingError> {
    if let Some(key) = &config.secret_key {
        return Ok(key.as_bytes().to_vec());
    }
    let path = config.data_dir.join("secret_key");
    let fail = |e: std::io::Error| {
        SettingError::new(
            "DATA_DIR",
            format!("cannot keep the secret key in {} ({e})", path.display()),
        )
    };
    match std::fs::read(&path) {
        Ok(key) if key.len() >= 32 => Ok(key),
        _ => {
            std::fs::create_dir_all(&config.data_dir).map_err(fail)?;
            let key = crate::tokens::new_token().token.into_bytes();
            std::fs::write(&path, &key).map_err(fail)?;
            Ok(key)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(pairs: &[(&str, &str)]) -> Result<Config, SettingError> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(move |name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        })
    }

    #[test]
    fn defaults_need_no_configuration() {
        let config = with(&[]).unwrap();
        assert_eq!(config.app_addr.to_string(), "127.0.0.1:3000");
        assert_eq!(config.base_url.as_str(), "http://127.0.0.1:3000/");
        assert!(!config.dev_mailbox, "the development mailbox is opt-in");
        assert!(with(&[("DEV_MAILBOX", "on")]).unwrap().dev_mailbox);
        assert_eq!(config.link("/login"), "http://127.0.0.1:3000/login");
    }

    #[test]
    fn bad_settings_name_the_variable() {
        for (name, value) in [
            ("DATABASE_URL", "mysql://x/y"),
            ("DATABASE_URL", "not a url"),
            ("APP_ADDR", "localhost"),
            ("BASE_URL", "ftp://x"),
            ("SMTP_URL", "http://mail"),
            ("MAIL_FROM", "nobody"),
            ("TRUSTED_PROXY", "proxy.local"),
            ("DEV_MAILBOX", "yes please"),
            ("MAIL_CONCURRENCY", "0"),
            ("MAIL_CONCURRENCY", "many"),
        ] {
            let err = with(&[(name, value)]).unwrap_err();
            assert_eq!(err.name, name, "{value}");
        }
    }
}
