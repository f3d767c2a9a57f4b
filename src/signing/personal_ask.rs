//! A sign-on form opened from a contact's personal link (outreach) carries who was asked,
//! bound by a MAC to the campaign and to the address the ask was sent to. A signature
//! sent with that same address is known to come from the ask: organizers see so, and the
//! address needs no closer look (they chose it themselves). Any other address, or a
//! field not made with the secret key, makes an ordinary signature of the form.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

use crate::signatures::store::PersonalAsk;
use crate::tokens;

fn mac(secret: &[u8], campaign_id: Uuid, contact_id: Uuid, asked_by: Uuid, email: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(
        format!(
            "sign-form-personal-ask:{campaign_id}:{contact_id}:{asked_by}:{}",
            email.trim().to_lowercase()
        )
        .as_bytes(),
    );
    tokens::hex(&mac.finalize().into_bytes()[..16])
}

/// The form's hidden `personal_ask` value for a contact asked (by `asked_by`, when an
/// organizer is known) at `email`.
pub fn field(
    secret: &[u8],
    campaign_id: Uuid,
    contact_id: Uuid,
    asked_by: Option<Uuid>,
    email: &str,
) -> String {
    let asked_by = asked_by.unwrap_or(Uuid::nil());
    format!(
        "{}{}{}",
        contact_id.simple(),
        asked_by.simple(),
        mac(secret, campaign_id, contact_id, asked_by, email)
    )
}

/// The ask a returned form came from, if its field is genuine for this campaign and the
/// address the signer typed is the one the ask went to.
pub fn verify(secret: &[u8], campaign_id: Uuid, field: &str, email: &str) -> Option<PersonalAsk> {
    let field = field.trim();
    if field.len() != 96 || !field.is_ascii() {
        return None;
    }
    let contact_id = Uuid::parse_str(&field[..32]).ok()?;
    let asked_by = Uuid::parse_str(&field[32..64]).ok()?;
    let expected = mac(secret, campaign_id, contact_id, asked_by, email);
    tokens::constant_time_eq(
        expected.as_bytes(),
        field[64..].to_ascii_lowercase().as_bytes(),
    )
    .then_some(PersonalAsk {
        contact_id,
        asked_by: (!asked_by.is_nil()).then_some(asked_by),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_address_asked_in_this_campaign_counts() {
        let secret = b"0123456789abcdef0123456789abcdef";
        let (campaign, contact, maya) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        let value = field(secret, campaign, contact, Some(maya), "Keisha@App.example");
        assert_eq!(
            verify(secret, campaign, &value, "keisha@app.example"),
            Some(PersonalAsk {
                contact_id: contact,
                asked_by: Some(maya)
            })
        );
        assert_eq!(
            verify(secret, campaign, &value, "someone@else.example"),
            None
        );
        assert_eq!(
            verify(secret, Uuid::new_v4(), &value, "keisha@app.example"),
            None
        );
        assert_eq!(
            verify(b"another key", campaign, &value, "keisha@app.example"),
            None
        );
        assert_eq!(verify(secret, campaign, "", "keisha@app.example"), None);
        assert_eq!(
            verify(secret, campaign, &"é".repeat(48), "x@y.example"),
            None
        );
        let nobody = field(secret, campaign, contact, None, "k@app.example");
        assert_eq!(
            verify(secret, campaign, &nobody, "k@app.example").map(|a| a.asked_by),
            Some(None)
        );
    }
}
