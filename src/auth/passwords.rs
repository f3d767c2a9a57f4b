//! Password hashing with argon2id at OWASP's parameters (19 MiB, 2 iterations, 1 lane),
//! always off the async runtime, and at most one hash per core at a time: each takes
//! 19 MiB, so sixty wrong-password logins at once once took the app from 80 MB to 1.2 GB.
//! The others wait their turn.

use std::sync::OnceLock;

use tokio::sync::Semaphore;

/// At most this many hashes run at once: one per core.
fn hashing_slots() -> &'static Semaphore {
    static SLOTS: OnceLock<Semaphore> = OnceLock::new();
    SLOTS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Semaphore::new(cores)
    })
}

static RUNNING: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
static MOST_AT_ONCE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Runs one argon2 computation when a slot is free, off the async runtime.
async fn with_slot<T: Send + 'static>(
    work: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
) -> anyhow::Result<T> {
    use std::sync::atomic::Ordering::SeqCst;
    let _slot = hashing_slots().acquire().await?;
    tokio::task::spawn_blocking(move || {
        let now = RUNNING.fetch_add(1, SeqCst) + 1;
        MOST_AT_ONCE.fetch_max(now, SeqCst);
        let result = work();
        RUNNING.fetch_sub(1, SeqCst);
        result
    })
    .await?
}

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub const MIN_LENGTH: usize = 10;
pub const MAX_LENGTH: usize = 256;

/// Checks a new password; the message is shown beside the field.
pub fn check_new(password: &str, email: &str) -> Result<(), &'static str> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err("Use at least 10 characters. A few unrelated words make a strong password.");
    }
    if length > MAX_LENGTH {
        return Err("Use at most 256 characters.");
    }
    if !email.is_empty() && password.trim().eq_ignore_ascii_case(email.trim()) {
        return Err("Your password cannot be your email address.");
    }
    Ok(())
}

pub async fn hash(password: String) -> anyhow::Result<String> {
    with_slot(move || {
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        argon2()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
    })
    .await
}

/// A hash to verify against when the email is unknown, so the answer takes as long as
/// for a real account and timing reveals nothing.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        argon2()
            .hash_password(b"no account has this password", &salt)
            .expect("hash")
            .to_string()
    })
}

/// Verifies `password` against `stored`, or against a dummy hash when there is no account.
pub async fn verify(password: String, stored: Option<String>) -> anyhow::Result<bool> {
    with_slot(move || {
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| dummy_hash().to_owned());
        let parsed = PasswordHash::new(&stored)
            .map_err(|e| anyhow::anyhow!("stored hash unreadable: {e}"))?;
        let matches = argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok(known && matches)
    })
    .await
}

/// Computes the dummy hash once at start-up rather than during someone's first login.
pub fn warm_up() {
    let _ = dummy_hash();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_use_argon2id_owasp_parameters() {
        let stored = hash("correct horse battery".into()).await.unwrap();
        assert!(
            stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{stored}"
        );
        assert!(verify("correct horse battery".into(), Some(stored.clone()))
            .await
            .unwrap());
        assert!(!verify("wrong".into(), Some(stored)).await.unwrap());
        assert!(!verify("anything".into(), None).await.unwrap());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn no_more_hashes_run_at_once_than_there_are_cores() {
        let stored = hash("correct horse battery".into()).await.unwrap();
        let attempts: Vec<_> = (0..24)
            .map(|_| tokio::spawn(verify("wrong guess".into(), Some(stored.clone()))))
            .collect();
        for attempt in attempts {
            assert!(!attempt.await.unwrap().unwrap());
        }
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let most = MOST_AT_ONCE.load(std::sync::atomic::Ordering::SeqCst);
        assert!(
            (1..=cores).contains(&most),
            "{most} at once with {cores} cores"
        );
    }

    #[test]
    fn new_passwords_are_checked() {
        assert!(check_new("short", "").is_err());
        assert!(check_new("ana@example.org", "ana@example.org").is_err());
        assert!(check_new("long enough password", "ana@example.org").is_ok());
    }
}
