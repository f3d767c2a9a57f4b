//! When a public form was handed out, signed with the secret key so it can be neither
//! forged nor moved to another campaign or another form (`purpose` names the form): a
//! form sent back faster than a person fills it, or much later, is asked again.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::tokens;

fn mac(secret: &[u8], purpose: &str, campaign_id: Uuid, timestamp: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(format!("{purpose}:{campaign_id}:{timestamp}").as_bytes());
    tokens::hex(&mac.finalize().into_bytes()[..16])
}

pub fn started_token(
    secret: &[u8],
    purpose: &str,
    campaign_id: Uuid,
    now: OffsetDateTime,
) -> String {
    let timestamp = now.unix_timestamp();
    format!(
        "{timestamp}.{}",
        mac(secret, purpose, campaign_id, timestamp)
    )
}

pub fn started_at(
    secret: &[u8],
    purpose: &str,
    campaign_id: Uuid,
    token: &str,
) -> Option<OffsetDateTime> {
    let (timestamp, given) = token.split_once('.')?;
    let timestamp: i64 = timestamp.parse().ok()?;
    tokens::constant_time_eq(
        mac(secret, purpose, campaign_id, timestamp).as_bytes(),
        given.as_bytes(),
    )
    .then(|| OffsetDateTime::from_unix_timestamp(timestamp).ok())?
}
