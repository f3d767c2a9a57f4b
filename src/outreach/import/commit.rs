//! The import's last step: the import recorded (with the rows kept aside), then each good
//! organization of the file in the file's order (a parent before its chapters): the
//! book's own when the duplicate rule found it there, else added to the book; its
//! contacts become its people (an address it has already is that person); and, for an
//! import into a campaign, the campaign's prospect for it, then prospects whose person
//! already signed matched; all in the caller's transaction.

use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use super::mapping::Target;
use super::parse::Table;
use super::plan::{self, Plan};
use super::Scope;
use crate::outreach::store::{self, KeptRow, NewImport, NewOrganization};
use crate::tenancy::Member;

fn text(v: &Option<(String, usize)>) -> &str {
    v.as_ref().map_or("", |(s, _)| s.as_str())
}

/// Writes the import; returns its id.
#[allow(clippy::too_many_arguments)]
pub(super) async fn commit(
    conn: &mut PgConnection,
    member: &Member,
    scope: &Scope,
    table: &Table,
    targets: &[Target],
    plan: &Plan,
    kept: &[KeptRow],
    now: OffsetDateTime,
) -> sqlx::Result<Uuid> {
    let mapping: Vec<&str> = targets.iter().map(|t| t.key()).collect();
    let tenant = member.tenant_id;
    let campaign_id = scope.campaign_id();
    let import_id = store::record_import(
        &mut *conn,
        tenant,
        campaign_id,
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
    let mut ids: Vec<Option<Uuid>> = vec![None; plan.groups.len()];
    let mut organizations: Vec<Uuid> = Vec::new();
    for index in plan.insert_order() {
        let group = &plan.groups[index];
        if !group.importable {
            continue;
        }
        let hold = (text(&group.hold_reason), group.hold_until.map(|(d, _)| d));
        let owner = group.owner.map(|(id, _)| id);
        let organization = match group.existing {
            Some(id) => id,
            None => {
                store::import_organization(
                    &mut *conn,
                    tenant,
                    import_id,
                    &NewOrganization {
                        name: &group.name,
                        website: text(&group.website),
                        size: group.size.map(|(s, _)| s),
                        parent_id: match group.resolved_parent {
                            Some(plan::ParentRef::Existing(id)) => Some(id),
                            Some(plan::ParentRef::InFile(other)) => ids[other],
                            None => None,
                        },
                        tags: &group.tags,
                        owner_id: owner,
                        sensitivity: text(&group.sensitivity),
                        notes: text(&group.notes),
                        // A campaign's import holds its own prospect; the book's, every campaign.
                        hold_reason: if campaign_id.is_some() { "" } else { hold.0 },
                        hold_until: if campaign_id.is_some() { None } else { hold.1 },
                        possible_duplicate_of: group.duplicate_of.and_then(|other| ids[other]),
                    },
                    now,
                )
                .await?
            }
        };
        ids[index] = Some(organization);
        organizations.push(organization);
        if let Some(campaign_id) = campaign_id {
            store::import_prospect(
                &mut *conn,
                tenant,
                campaign_id,
                organization,
                import_id,
                owner,
                hold,
                now,
            )
            .await?;
        }
        for (contact, _) in &group.contacts {
            store::import_person(&mut *conn, tenant, organization, import_id, contact, now).await?;
        }
    }
    store::set_import_organizations(&mut *conn, import_id, &organizations).await?;
    if let Some(campaign_id) = campaign_id {
        // People whose email already confirmed a signature make their prospect signed.
        store::match_confirmed_signatures(&mut *conn, campaign_id, None, now).await?;
    }
    Ok(import_id)
}
