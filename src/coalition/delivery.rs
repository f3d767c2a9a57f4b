//! placeholder
use crate::mail::MailKinds;
pub fn emails(kinds: MailKinds) -> MailKinds {
    kinds
}
