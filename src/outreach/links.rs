//! Each contact's personal link: `/{group}/{campaign}/ask/{token}`, an HMAC of the
//! contact and the address it was sent to (asks and the scheduler's emails carry it).

use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

use crate::state::AppState;
use crate::tokens;

/// Binds the link to the contact and the address it was sent to: when organizers give
/// the contact another address (another person, often), links sent before stop working.
pub(super) fn link_mac(secret: &[u8], contact_id: Uuid, email: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(
        format!(
            "outreach-personal-link:{contact_id}:{}",
            email.to_lowercase()
        )
        .as_bytes(),
    );
    tokens::hex(&mac.finalize().into_bytes()[..16])
}

/// The contact's personal link: the same in every email to that address (so an old ask
/// still works), and nobody can make one for another contact without the secret key.
pub fn personal_link(
    state: &AppState,
    tenant_slug: &str,
    campaign_slug: &str,
    contact_id: Uuid,
    email: &str,
) -> String {
    let token = format!(
        "{}{}",
        contact_id.simple(),
        link_mac(&state.secret, contact_id, email)
    );
    state
        .config
        .link(&format!("/{tenant_slug}/{campaign_slug}/ask/{token}"))
}

/// The contact a token names, before its MAC is checked against the stored address.
pub(super) fn parse_token(token: &str) -> Option<(Uuid, &str)> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    Some((Uuid::parse_str(&token[..32]).ok()?, &token[32..]))
}

pub(super) fn mac_matches(secret: &[u8], contact_id: Uuid, email: &str, given: &str) -> bool {
    tokens::constant_time_eq(
        link_mac(secret, contact_id, email).as_bytes(),
        given.to_ascii_lowercase().as_bytes(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_links_cannot_be_made_without_the_key() {
        let id = Uuid::new_v4();
        let token = format!("{}{}", id.simple(), link_mac(b"secret", id, "a@x.example"));
        let (parsed, mac) = parse_token(&token).unwrap();
        assert_eq!(parsed, id);
        assert!(mac_matches(b"secret", id, "A@x.example", mac));
        assert!(!mac_matches(b"other", id, "a@x.example", mac));
        assert!(
            !mac_matches(b"secret", id, "b@x.example", mac),
            "another address"
        );
        assert!(
            !mac_matches(b"secret", Uuid::new_v4(), "a@x.example", mac),
            "another contact"
        );
        assert!(parse_token("short").is_none());
        assert!(parse_token(&"é".repeat(32)).is_none());
    }
}
