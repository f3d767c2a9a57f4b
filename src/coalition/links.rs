//! The list's links that need no row: a member's one-click leave link is an HMAC of their
//! member id under the app's secret, so every list email can carry it without storing a
//! secret per email, and it opens nothing but leaving (and only that member's).

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::coalition::model::ListMemberId;

fn mac(secret: &[u8], purpose: &str, member: ListMemberId) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(purpose.as_bytes());
    mac.update(b":");
    mac.update(member.0.as_bytes());
    let bytes = mac.finalize().into_bytes();
    bytes[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// `<member id>-<mac>`: the path segment of the member's leave link.
pub fn leave_token(secret: &[u8], member: ListMemberId) -> String {
    format!(
        "{}-{}",
        member.0.simple(),
        mac(secret, "list-leave", member)
    )
}

/// The member a leave token names, if its MAC is right.
pub fn member_of_leave_token(secret: &[u8], token: &str) -> Option<ListMemberId> {
    let (id, given) = token.split_once('-')?;
    let member = ListMemberId(uuid::Uuid::try_parse(id).ok()?);
    let expected = mac(secret, "list-leave", member);
    // Constant-time enough: both are 32 hex digits, compared whole.
    (given.len() == expected.len()
        && given
            .bytes()
            .zip(expected.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0)
        .then_some(member)
}

/// The path of the member's leave page (GET: a page with a button; POST: leave at once,
/// RFC 8058's one click).
pub fn leave_path(tenant_slug: &str, secret: &[u8], member: ListMemberId) -> String {
    format!("/{tenant_slug}/list/leave/{}", leave_token(secret, member))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_leave_token_opens_only_its_member() {
        let secret = b"0123456789abcdef0123456789abcdef";
        let member = ListMemberId(uuid::Uuid::new_v4());
        let token = leave_token(secret, member);
        assert_eq!(member_of_leave_token(secret, &token), Some(member));
        // Shaped like a secret, so logs and the organizers' Email page hide it.
        assert!(crate::tokens::holds_secret(&leave_path(
            "water", secret, member
        )));
        let other = ListMemberId(uuid::Uuid::new_v4());
        let forged = format!("{}-{}", other.0.simple(), token.split_once('-').unwrap().1);
        assert_eq!(member_of_leave_token(secret, &forged), None);
        assert_eq!(
            member_of_leave_token(b"another secret, another app....", &token),
            None
        );
        assert_eq!(member_of_leave_token(secret, "nonsense"), None);
    }
}
