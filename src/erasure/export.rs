//! The download: everything the group holds about the address, each area reading its
//! own rows, written out as the signer reads them.

use serde::Serialize;
use sqlx::{PgConnection, PgPool};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::tenancy::TenantScope;
use crate::{mail, outreach, signatures, tenants};

fn stamp(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_else(|_| at.to_string())
}

/// Everything the group holds about the address, as the signer downloads it.
#[derive(Debug, Serialize)]
pub struct Export {
    pub about: &'static str,
    pub group: String,
    pub email: String,
    pub exported_at: String,
    pub signatures: Vec<ExportedSignature>,
    /// Mail this group sent (or is about to send) to the address.
    pub emails: Vec<ExportedEmail>,
    /// The address as organizers recorded it among the people they ask to sign.
    pub outreach_contacts: Vec<ExportedContact>,
}

#[derive(Debug, Serialize)]
pub struct ExportedSignature {
    pub campaign: String,
    pub campaign_address: String,
    pub kind: String,
    pub name: String,
    pub website: String,
    pub city: String,
    pub size: String,
    pub parent_organization: String,
    pub contact_name: String,
    pub contact_title: String,
    pub email: String,
    pub phone: String,
    pub contact_shown_publicly: bool,
    pub affiliation: String,
    pub comment: String,
    pub source: String,
    pub state: String,
    pub signed_at: String,
    pub confirmed_at: Option<String>,
    pub revision_confirmed: Option<i32>,
    pub history: Vec<ExportedEvent>,
    pub consent_trail: Vec<ExportedConsent>,
    pub referrals: Vec<ExportedReferral>,
}

#[derive(Debug, Serialize)]
pub struct ExportedEvent {
    pub at: String,
    pub from: Option<String>,
    pub to: String,
    pub by: String,
    pub reason: String,
}

#[derive(Debug, Serialize)]
pub struct ExportedConsent {
    pub at: String,
    pub revision: i32,
    pub how: String,
}

#[derive(Debug, Serialize)]
pub struct ExportedReferral {
    pub at: String,
    pub name: String,
    pub organization: String,
    pub email: String,
}

#[derive(Debug, Serialize)]
pub struct ExportedEmail {
    pub kind: String,
    pub subject: Option<String>,
    pub status: String,
    pub queued_at: String,
    pub sent_at: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ExportedContact {
    pub organization: String,
    pub name: String,
    pub role: String,
    pub email: String,
    pub phone: String,
    pub added_at: String,
}

/// Who did something, as the signer reads it: organizers are not named to them.
fn actor_for_signer(actor: &str) -> String {
    if actor == "signer" {
        "you".into()
    } else if actor.starts_with("organizer") {
        "the organizers".into()
    } else {
        actor.into()
    }
}

/// What the group holds about the address of `signature_id`: its signatures (every field,
/// the history, the consent trail, the suggestions made), the mail sent to it and the
/// outreach contacts with it. Never a token, and nothing of anybody else.
pub async fn export(
    db: &PgPool,
    tenant: impl TenantScope,
    signature_id: Uuid,
    now: OffsetDateTime,
) -> sqlx::Result<Option<Export>> {
    use signatures::store::forget as own;
    let mut conn = db.acquire().await?;
    let conn: &mut PgConnection = &mut conn;
    let Some((email, ids)) = own::same_address(conn, tenant, signature_id, false).await? else {
        return Ok(None);
    };
    let group = tenants::store::forget::group_name(conn, tenant).await?;
    let rows = own::own_signatures(conn, tenant, &ids).await?;
    let mut exported = Vec::with_capacity(rows.len());
    for r in rows {
        let history = own::own_history(conn, tenant, r.id)
            .await?
            .into_iter()
            .map(|e| ExportedEvent {
                at: stamp(e.at),
                from: e.from_state,
                to: e.to_state,
                by: actor_for_signer(&e.actor),
                reason: e.reason,
            })
            .collect();
        let consent_trail = own::own_consents(conn, tenant, r.id)
            .await?
            .into_iter()
            .map(|c| ExportedConsent {
                at: stamp(c.at),
                revision: c.number,
                how: c.how,
            })
            .collect();
        let referrals = own::own_referrals(conn, tenant, r.id)
            .await?
            .into_iter()
            .map(|f| ExportedReferral {
                at: stamp(f.created_at),
                name: f.name,
                organization: f.organization,
                email: f.email,
            })
            .collect();
        exported.push(ExportedSignature {
            campaign: r.title,
            campaign_address: format!("/{}/{}", r.tenant_slug, r.slug),
            kind: r.kind,
            name: r.name,
            website: r.website,
            city: r.city,
            size: r.size,
            parent_organization: r.parent_organization,
            contact_name: r.contact_name,
            contact_title: r.contact_title,
            email: r.email,
            phone: r.phone,
            contact_shown_publicly: r.show_contact,
            affiliation: r.affiliation,
            comment: r.comment,
            source: r.source,
            state: r.state,
            signed_at: stamp(r.created_at),
            confirmed_at: r.confirmed_at.map(stamp),
            revision_confirmed: r.revision_number,
            history,
            consent_trail,
            referrals,
        });
    }
    let emails = mail::forget::mail_to(conn, tenant, &email)
        .await?
        .into_iter()
        .map(|m| ExportedEmail {
            kind: m.kind,
            subject: m.subject,
            status: m.status,
            queued_at: stamp(m.created_at),
            sent_at: m.sent_at.map(stamp),
        })
        .collect();
    let outreach_contacts = outreach::store::forget::contacts_with(conn, tenant, &email)
        .await?
        .into_iter()
        .map(|c| ExportedContact {
            organization: c.organization,
            name: c.name,
            role: c.role,
            email: c.email,
            phone: c.phone,
            added_at: stamp(c.created_at),
        })
        .collect();
    Ok(Some(Export {
        about: "What this group holds about your email address: your signatures with their history, \
                the suggestions you made, the emails it sent you, and the address as its organizers \
                recorded it for outreach.",
        group,
        email,
        exported_at: stamp(now),
        signatures: exported,
        emails,
        outreach_contacts,
    }))
}
