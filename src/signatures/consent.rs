//! The one lock protocol for consent (written out in `docs/signatures.md`).
//!
//! Whatever decides "what did this signer confirm, and may they be listed" runs inside
//! the transaction, and under the lock, that the change it guards also takes: each
//! campaign has one consent lock (a transaction-scoped advisory lock on its id).
//! - Changes to what signers confirm (a new revision of the letter, a new title or new
//!   points of unity) take it **exclusively**, then lock the campaign's row, then count
//!   who holds consent and decide inside.
//! - Decisions that may list a name (a confirmation, a re-confirmation, an approval, the
//!   undoing of a rejection, the lapse of a reissue notice) take it **shared**, then
//!   re-read the current revision, title and points inside (`campaigns::store::consent_text`).
//!
//! So a save and a decision never cross: whichever comes second sees the other. Shared
//! holders do not wait for each other (confirmations stream at hundreds a second; a row
//! lock on the campaign would serialize them). The lock is always taken first, before any
//! row lock, so it adds no lock-order cycle. (The SQL of the advisory locks is in
//! `store/consent_lock.rs`; this module is the one place that says how to use them.)

use sqlx::PgConnection;
use uuid::Uuid;

use super::store::consent_lock;

/// The lock's key: the campaign's id folded to 64 bits (a collision only makes one
/// campaign's save wait for another campaign's confirmations).
fn key(campaign_id: Uuid) -> i64 {
    let (high, low) = campaign_id.as_u64_pair();
    (high ^ low) as i64
}

/// For a decision that may list a name: saves of the campaign's text wait for it, and it
/// waits for a save under way. Held until the transaction ends.
///
/// It waits at most `WAIT` (a long save holds decisions back; connections must not pile
/// up behind it): then the request fails as "the database is busy, try again" (503).
pub async fn lock_shared(conn: &mut PgConnection, campaign_id: Uuid) -> sqlx::Result<()> {
    consent_lock::advisory_lock_shared(conn, key(campaign_id)).await
}

/// For a change to what signers confirm: decisions under way finish first, and new ones
/// wait until the transaction ends.
pub async fn lock_exclusive(conn: &mut PgConnection, campaign_id: Uuid) -> sqlx::Result<()> {
    consent_lock::advisory_lock_exclusive(conn, key(campaign_id)).await
}
