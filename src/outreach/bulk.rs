//! Changing many prospects at once from the list: owner, tags, status, hold, deleting
//! (after a confirmation) and merging two into one. The selection is the ticked rows,
//! or every row the list's filter shows ("select all").

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use time::Date;
use uuid::Uuid;

use super::prospects::ListQuery;
use super::store::{self, Chosen};
use super::PipelineStatus;
use crate::campaigns::lookup::CampaignPage;
use crate::campaigns::store::Campaign;
use crate::campaigns::time_zones;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::tenancy::Member;
use crate::web::{render_with, Form, Layout};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BulkForm {
    prospect: Vec<String>,
    /// "on": every prospect the filter below shows, on every page.
    all_filtered: String,
    filter_q: String,
    filter_stage: String,
    filter_size: String,
    filter_tag: String,
    filter_owner: String,
    action: String,
    new_owner: String,
    tag: String,
    new_status: String,
    hold_reason: String,
    hold_until: String,
    /// "yes" once the delete or merge page was confirmed.
    confirm: String,
    /// For a merge: the prospect that stays.
    keep: String,
}

impl BulkForm {
    fn list_query(&self) -> ListQuery {
        ListQuery {
            q: self.filter_q.clone(),
            stage: self.filter_stage.clone(),
            size: self.filter_size.clone(),
            tag: self.filter_tag.clone(),
            owner: self.filter_owner.clone(),
            ..ListQuery::default()
        }
    }
}

#[derive(Template)]
#[template(path = "outreach/bulk_confirm.html")]
struct ConfirmPage {
    layout: Layout,
    base: String,
    campaign: Campaign,
    /// "delete" or "merge"
    action: &'static str,
    chosen: Vec<Chosen>,
    back: String,
}

fn back_to_list(member: &Member, campaign: &Campaign, query: &ListQuery, notice: &str) -> Response {
    Redirect::to(&member.path(&format!(
        "/campaigns/{}/outreach/prospects?{}notice={notice}",
        campaign.slug,
        query.without_page()
    )))
    .into_response()
}

/// `POST …/outreach/prospects/bulk`: one change to every selected prospect.
pub async fn apply(
    State(state): State<AppState>,
    CampaignPage { member, campaign }: CampaignPage,
    Form(form): Form<BulkForm>,
) -> AppResult<Response> {
    member.require_editor()?;
    let query = form.list_query();
    let ids = if form.all_filtered == "on" {
        let today = time_zones::local_date(state.clock.now(), &campaign.time_zone);
        store::matching_ids(
            &state.db,
            member.tenant_id,
            campaign.id,
            &query.filter(&member),
            today,
        )
        .await?
    } else {
        let asked: Vec<Uuid> = form
            .prospect
            .iter()
            .filter_map(|id| Uuid::parse_str(id).ok())
            .collect();
        store::own_ids(&state.db, member.tenant_id, campaign.id, &asked).await?
    };
    if ids.is_empty() {
        return Ok(back_to_list(&member, &campaign, &query, "none-selected"));
    }
    let t = member.tenant_id;
    let c = campaign.id;
    let mut tx = state.db.begin().await?;
    match form.action.as_str() {
        "owner" => {
            let owner = match form.new_owner.as_str() {
                "" => {
                    return Err(AppError::BadRequest(
                        "Choose the owner to give the selected prospects (or \"Nobody\").".into(),
                    ))
                }
                "none" => None,
                raw => {
                    let organizers = store::organizers(&state.db, t).await?;
                    let id = Uuid::parse_str(raw)
                        .ok()
                        .filter(|id| organizers.iter().any(|(o, _)| o == id))
                        .ok_or_else(|| {
                            AppError::BadRequest(
                                "Choose an organizer of this group as the owner.".into(),
                            )
                        })?;
                    Some(id)
                }
            };
            store::bulk_set_owner(&mut tx, t, c, &ids, owner).await?;
        }
        "add_tag" | "remove_tag" => {
            let tag = form.tag.trim();
            if tag.is_empty() || tag.chars().count() > 50 || tag.contains([',', ';', '|']) {
                return Err(AppError::BadRequest(
                    "Write one tag (under 50 characters, without , ; or |), then choose to add or remove it.".into(),
                ));
            }
            if form.action == "add_tag" {
                store::bulk_add_tag(&mut tx, t, c, &ids, tag).await?;
            } else {
                store::bulk_remove_tag(&mut tx, t, c, &ids, tag).await?;
            }
        }
        "status" => {
            let status = PipelineStatus::parse(&form.new_status)
                .ok_or_else(|| AppError::BadRequest("Choose a status from the list.".into()))?;
            store::bulk_set_status(&mut tx, t, c, &ids, status, &member, state.clock.now()).await?;
        }
        "hold" => {
            let reason = form.hold_reason.trim();
            if reason.is_empty() || reason.chars().count() > 2000 {
                return Err(AppError::BadRequest(
                    "Say why the prospects are on hold (under 2,000 characters).".into(),
                ));
            }
            let until = match form.hold_until.trim() {
                "" => None,
                raw => Some(
                    Date::parse(
                        raw,
                        time::macros::format_description!("[year]-[month]-[day]"),
                    )
                    .map_err(|_| {
                        AppError::BadRequest("Enter the hold's end like 2026-12-15.".into())
                    })?,
                ),
            };
            store::bulk_set_hold(&mut tx, t, c, &ids, reason, until).await?;
        }
        "clear_hold" => {
            store::bulk_set_hold(&mut tx, t, c, &ids, "", None).await?;
        }
        "delete" if form.confirm == "yes" => {
            store::delete_prospects(&mut tx, t, c, &ids).await?;
            tx.commit().await?;
            return Ok(back_to_list(
                &member,
                &campaign,
                &query,
                "prospects-deleted",
            ));
        }
        "merge" if form.confirm == "yes" => {
            let keep = Uuid::parse_str(&form.keep)
                .ok()
                .filter(|k| ids.contains(k) && ids.len() == 2)
                .ok_or_else(|| {
                    AppError::BadRequest("Choose which of the two prospects stays.".into())
                })?;
            let fold = ids.iter().copied().find(|id| *id != keep).expect("two ids");
            let names = store::chosen(&state.db, t, c, &[fold]).await?;
            let merged = store::merge_prospects(&mut tx, t, c, keep, fold)
                .await?
                .ok_or(AppError::NotFound)?;
            let folded_name = names.first().map(|n| n.name.clone()).unwrap_or_default();
            store::record_by(
                &mut tx,
                &member,
                c,
                &store::MemberActivity {
                    prospect_id: keep,
                    contact_id: None,
                    kind: super::ActivityKind::Note,
                    outcome: "",
                    body: &format!(
                        "Merged “{folded_name}” into this organization in the address book: {} people and {} log lines came over; {} people with an address already here were folded into theirs.",
                        merged.moved_contacts, merged.moved_activities, merged.folded_contacts
                    ),
                },
                state.clock.now(),
            )
            .await?;
            tx.commit().await?;
            return Ok(Redirect::to(&member.path(&format!(
                "/campaigns/{}/outreach/prospects/{keep}?notice=prospects-merged",
                campaign.slug
            )))
            .into_response());
        }
        "delete" | "merge" => {
            drop(tx);
            if form.action == "merge" && ids.len() != 2 {
                return Err(AppError::BadRequest(format!(
                    "Select exactly two prospects to merge ({} are selected).",
                    ids.len()
                )));
            }
            let chosen = store::chosen(&state.db, t, c, &ids).await?;
            let base = member.path(&format!("/campaigns/{}", campaign.slug));
            return render_with(
                axum::http::StatusCode::OK,
                ConfirmPage {
                    layout: member.layout(format!(
                        "{} — {}",
                        if form.action == "merge" {
                            "Merge two prospects"
                        } else {
                            "Delete prospects"
                        },
                        campaign.title
                    )),
                    back: format!("{base}/outreach/prospects?{}", query.without_page()),
                    base,
                    campaign,
                    action: if form.action == "merge" {
                        "merge"
                    } else {
                        "delete"
                    },
                    chosen,
                },
            );
        }
        _ => {
            return Err(AppError::BadRequest(
                "Choose what to change for the selected prospects.".into(),
            ))
        }
    }
    tx.commit().await?;
    Ok(back_to_list(
        &member,
        &campaign,
        &query,
        "prospects-updated",
    ))
}
