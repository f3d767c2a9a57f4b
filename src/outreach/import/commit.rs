//! The import's last step: the import recorded (with the rows kept aside), its good
//! prospects and their contacts written in the file's order (a parent before its
//! chapters), and prospects whose contact already signed matched, in the caller's
//! transaction.

use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use super::mapping::Target;
use super::parse::Table;
use super::plan::{self, Plan};
use crate::campaigns::store::Campaign;
use crate::outreach::store::{self, KeptRow, NewImport, Origin, ProspectInput};
use crate::tenancy::Member;

/// Writes the import; returns its id.
#[allow(clippy::too_many_arguments)]
pub(super) async fn commit(
    conn: &mut PgConnection,
    member: &Member,
    campaign: &Campaign,
    table: &Table,
    targets: &[Target],
    plan: &Plan,
    kept: &[KeptRow],
    now: OffsetDateTime,
) -> sqlx::Result<Uuid> {
    let mapping: Vec<&str> = targets.iter().map(|t| t.key()).collect();
    let tenant = member.tenant_id.uuid();
    let import_id = store::record_import(
        &mut *conn,
        member.tenant_id,
        campaign.id,
        &NewImport {
            by: member.user.user_id,
            by_name: &member.user.name,
            at: now,
            prospects: i32::try_from(plan.importable_prospects()).unwrap_or(i32::MAX),
            contacts: i32::try_from(plan.importable_contacts()).unwrap_or(i32::MAX),
            kept_headers: &table.headers,
            kept_has_header: table.has_header,
            mapping: &mapping,
            kept,
        },
    )
    .await?;
    let origin = Origin {
        import_id: Some(import_id),
        ..Origin::default()
    };
    let mut ids: Vec<Option<Uuid>> = vec![None; plan.groups.len()];
    for index in plan.insert_order() {
        let group = &plan.groups[index];
        if !group.importable {
            continue;
        }
        let text =
            |v: &Option<(String, usize)>| v.as_ref().map(|(s, _)| s.clone()).unwrap_or_default();
        let input = ProspectInput {
            name: group.name.clone(),
            website: text(&group.website),
            size: group.size.map(|(s, _)| s),
            parent_id: match group.resolved_parent {
                Some(plan::ParentRef::Existing(id)) => Some(id),
                Some(plan::ParentRef::InFile(other)) => ids[other],
                None => None,
            },
            tags: group.tags.clone(),
            owner_id: group.owner.map(|(id, _)| id),
            sensitivity: text(&group.sensitivity),
            notes: text(&group.notes),
            hold_reason: text(&group.hold_reason),
            hold_until: group.hold_until.map(|(d, _)| d),
        };
        let id = store::insert(&mut *conn, tenant, campaign.id, &input, &origin, now).await?;
        ids[index] = Some(id);
        for (contact, _) in &group.contacts {
            store::add_contact(&mut *conn, tenant, campaign.id, id, contact, now).await?;
        }
    }
    // Contacts whose email already confirmed a signature make their prospect signed.
    store::match_confirmed_signatures(&mut *conn, campaign.id, None, now).await?;
    Ok(import_id)
}
