//! Where mail goes: SMTP when `SMTP_URL` is set, otherwise `.eml` files under `DATA_DIR/mail`.

use std::path::{Path, PathBuf};

use lettre::transport::smtp::AsyncSmtpTransport;
use lettre::{AsyncFileTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::{Config, SettingError};

/// Why a message did not go out: for good, or for now.
#[derive(Debug)]
pub enum SendError {
    Permanent(String),
    Temporary(String),
}

#[derive(Clone)]
pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files {
        transport: AsyncFileTransport<Tokio1Executor>,
        dir: PathBuf,
    },
}

impl Transport {
    pub fn from_config(config: &Config) -> Result<Self, SettingError> {
        match &config.smtp_url {
            Some(url) => {
                let builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| SettingError::new("SMTP_URL", format!("cannot be used ({e})")))?;
                // One pooled connection per message the worker may send at once.
                let pool = lettre::transport::smtp::PoolConfig::new()
                    .max_size(config.mail_concurrency as u32);
                Ok(Transport::Smtp(
                    builder
                        .timeout(Some(std::time::Duration::from_secs(20)))
                        .pool_config(pool)
                        .build(),
                ))
            }
            None => Self::files(&config.mail_dir()),
        }
    }

    pub fn files(dir: &Path) -> Result<Self, SettingError> {
        std::fs::create_dir_all(dir).map_err(|e| {
            SettingError::new("DATA_DIR", format!("cannot create {} ({e})", dir.display()))
        })?;
        Ok(Transport::Files {
            transport: AsyncFileTransport::new(dir),
            dir: dir.to_owned(),
        })
    }

    /// Sends one message; returns an id to find it again (the file's name, or the
    /// SMTP server's answer).
    pub async fn send(&self, message: Message) -> Result<String, SendError> {
        match self {
            Transport::Smtp(smtp) => smtp
                .send(message)
                .await
                .map(|response| response.message().collect::<Vec<_>>().join(" "))
                .map_err(|e| {
                    // 5xx: the server refuses this message for good (no such mailbox, say);
                    // 4xx, timeouts and broken connections may pass later.
                    if e.is_permanent() {
                        SendError::Permanent(format!("SMTP: {e}"))
                    } else {
                        SendError::Temporary(format!("SMTP: {e}"))
                    }
                }),
            Transport::Files { transport, .. } => transport
                .send(message)
                .await
                .map_err(|e| SendError::Temporary(format!("writing the file: {e}"))),
        }
    }

    /// The written `.eml` file of a message sent through the file transport.
    pub fn file_of(&self, transport_id: &str) -> Option<PathBuf> {
        match self {
            Transport::Files { dir, .. } if uuid::Uuid::parse_str(transport_id).is_ok() => {
                Some(dir.join(format!("{transport_id}.eml")))
            }
            _ => None,
        }
    }
}
