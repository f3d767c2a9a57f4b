//! What a group holds about one signer, given to them as a file, and erased at their
//! request: an orchestration at the top of the stack, because a signer's data lies in
//! six areas (signatures, campaigns, statements, outreach, mail, and the team's
//! addresses, read only). Both start from one signature (the signer's own link names
//! it) and reach every signature of the same address in that group, since whoever holds
//! a link mailed to an address speaks for that address.
//!
//! The erasure opens one transaction and calls each area's `forget` (in
//! `src/<area>/store/forget.rs`, mail's in `src/mail/forget.rs`); each area decides which
//! rows of its own tables are provably about this person: found by their signatures'
//! ids, by ids recorded when a message listed them (`member_update_names`,
//! `outreach_digest_lines`), or by their address compared whole; never by searching
//! text the public typed, which once let a contact named "Clean" rewrite everybody's
//! mail. What one area finds (the ids of suggestions, of prospects, of mail) is handed
//! here to the next. The rule in full, table by table, is in docs/signatures.md
//! ("Erasure"); `tests/privacy.rs` scans every column of every table after an erasure (a
//! new table that can hold a signer's address or name fails that test until its area's
//! `forget` handles it) and compares every other row before and after.
//!
//! The download follows the same shape: each area reads its own rows about the address,
//! and this module writes them out as the signer reads them.

mod erase;
mod export;
mod pages;

pub use erase::{erase, erasure_plan, Erased, Plan, PlannedSignature};
pub use export::{export, Export};

use axum::routing::get;
use axum::Router;

use crate::state::AppState;

/// The signer's pages, from their own link: the download and the erasure.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/{tenant}/{campaign}/signature/{token}/data",
            get(pages::download),
        )
        .route(
            "/{tenant}/{campaign}/signature/{token}/erase",
            get(pages::erase_page).post(pages::erase),
        )
}
