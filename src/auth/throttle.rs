//! Throttling of failed logins, per account and per client address.
//!
//! The per-account limit cannot be used to lock the real person out: a browser that has
//! logged in to the account before carries a trusted-device cookie and is exempt from it
//! (only the per-address limit applies there), every limit is a sliding 15-minute window,
//! and a password reset clears the account's failures.

use std::net::IpAddr;

use sqlx::{PgConnection, PgPool};
use time::{Duration, OffsetDateTime};

use super::store;

pub const WINDOW: Duration = Duration::minutes(15);
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
pub const MAX_FAILURES_PER_ADDRESS: i64 = 20;

pub enum Verdict {
    /// Go on and verify the password; the attempt is counted until `succeeded` removes it.
    Allowed(Attempt),
    Throttled(&'static str),
}

/// A login attempt, counted as a failure from before the password is checked.
pub struct Attempt {
    id: i64,
}

/// Counts this attempt as a failure first, then checks the limits with it included: of
/// any number of guesses sent at once, no more than the limit get to a password check,
/// since each one's count includes every attempt recorded before it.
pub async fn attempt(
    db: &PgPool,
    email: &str,
    ip: IpAddr,
    trusted_device: bool,
    now: OffsetDateTime,
) -> sqlx::Result<Verdict> {
    let id = store::record_login_failure(db, email, ip, now).await?;
    let (by_account, by_address) = store::login_failures_since(db, email, ip, now - WINDOW).await?;
    if by_address > MAX_FAILURES_PER_ADDRESS {
        return Ok(Verdict::Throttled(
            "Too many failed logins from your network. Wait 15 minutes, or reset your password by email.",
        ));
    }
    if by_account > MAX_FAILURES_PER_ACCOUNT && !trusted_device {
        return Ok(Verdict::Throttled(
            "Too many failed logins for this account. Wait 15 minutes, or reset your password by email.",
        ));
    }
    Ok(Verdict::Allowed(Attempt { id }))
}

/// The password was right: this attempt was no failure after all.
pub async fn succeeded(db: &PgPool, attempt: Attempt) -> sqlx::Result<()> {
    store::delete_login_failure(db, attempt.id).await
}

/// Old failures fall out of every window; forgotten after a wrong password.
pub async fn forget_old(db: &PgPool, now: OffsetDateTime) -> sqlx::Result<()> {
    store::delete_login_failures_before(db, now - WINDOW).await
}

pub async fn clear_account(conn: &mut PgConnection, email: &str) -> sqlx::Result<()> {
    store::clear_login_failures(conn, email).await
}
