//! Release and keeping members informed: a campaign may be given a date and time to
//! publish itself (its public page is hidden until then; organizers preview it), with a
//! press release; on release and every N days while the letter is open, each listed
//! signer gets the complete letter and the signer list (bulk mail, one-click
//! unsubscribe). The scheduler calls `publish_due` and `send_member_updates`.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use super::lookup::{CampaignEdit, CampaignPage};
use super::store::{self, Campaign, CampaignToMail};
use super::time_zones;
use crate::error::AppResult;
use crate::mail::outbox;
use crate::signatures::store as signatures;
use crate::signatures::MemberUpdate;
use crate::state::AppState;
use crate::tenancy::Member;
use crate::web::{render, unprocessable, Form, FormErrors, Layout};

pub use super::store::SentUpdate;

pub const MAX_PRESS_RELEASE: usize = 50_000;
/// Names an update lists in full; beyond that it gives the number and links the page.
pub const NAMES_IN_UPDATE: usize = 500;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReleaseForm {
    pub release_at: String,
    pub press_release: String,
    pub update_every_days: String,
}

#[derive(Template)]
#[template(path = "campaigns/release.html")]
struct ReleasePage {
    layout: Layout,
    base: String,
    campaign: Campaign,
    form: ReleaseForm,
    errors: FormErrors,
    updates: Vec<SentUpdate>,
    can_edit: bool,
}

async fn updates_of(
    db: &sqlx::PgPool,
    member: &Member,
    campaign: &Campaign,
) -> sqlx::Result<Vec<SentUpdate>> {
    store::member_updates(db, member.tenant_id, campaign.id).await
}

pub async fn page(
    State(state): State<AppState>,
    CampaignPage { member, campaign }: CampaignPage,
) -> AppResult<Html<String>> {
    let form = ReleaseForm {
        release_at: campaign
            .release_at
            .map(|at| time_zones::to_local_input(at, &campaign.time_zone))
            .unwrap_or_default(),
        press_release: campaign.press_release.clone(),
        update_every_days: campaign.update_every_days.to_string(),
    };
    render(ReleasePage {
        layout: member.layout(format!("Release — {}", campaign.title)),
        base: member.path(&format!("/campaigns/{}", campaign.slug)),
        updates: updates_of(&state.db, &member, &campaign).await?,
        can_edit: member.role.can_edit(),
        campaign,
        form,
        errors: FormErrors::new(),
    })
}

pub async fn save(
    State(state): State<AppState>,
    CampaignEdit { member, campaign }: CampaignEdit,
    Form(form): Form<ReleaseForm>,
) -> AppResult<Response> {
    let now = state.clock.now();
    let mut errors = FormErrors::new();
    let release_at = if form.release_at.trim().is_empty() {
        None
    } else {
        match time_zones::parse_local(&form.release_at, &campaign.time_zone) {
            Ok(at) if campaign.released_at.is_none() && at <= now => {
                errors.add(
                    "release_at",
                    "Choose a time in the future (or leave it empty to publish by hand).",
                );
                None
            }
            Ok(at) => Some(at),
            Err(message) => {
                errors.add("release_at", message);
                None
            }
        }
    };
    let press_release = form.press_release.replace("\r\n", "\n").trim().to_owned();
    if press_release.chars().count() > MAX_PRESS_RELEASE {
        errors.add(
            "press_release",
            "Keep the press release under 50,000 characters.",
        );
    }
    let every = match form.update_every_days.trim().parse::<i32>() {
        Ok(n) if (0..=90).contains(&n) => n,
        _ => {
            errors.add(
                "update_every_days",
                "Enter a number of days from 0 (no updates) to 90.",
            );
            0
        }
    };
    if !errors.is_empty() {
        return unprocessable(ReleasePage {
            layout: member.layout(format!("Release — {}", campaign.title)),
            base: member.path(&format!("/campaigns/{}", campaign.slug)),
            updates: updates_of(&state.db, &member, &campaign).await?,
            can_edit: true,
            campaign,
            form,
            errors,
        });
    }
    // A released campaign keeps its release time: it happened.
    store::save_release(
        &state.db,
        member.tenant_id,
        campaign.id,
        release_at,
        &press_release,
        every,
        now,
    )
    .await?;
    Ok(Redirect::to(&member.path(&format!(
        "/campaigns/{}/release?notice=release-saved",
        campaign.slug
    )))
    .into_response())
}

/// Why a member update goes out.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reason {
    Release,
    Periodic,
}

/// Publishes every campaign whose release time has come, once across instances (the
/// update that sets `released_at` is the claim), and sends each listed signer the
/// announcement with the letter and the list. Returns how many campaigns were released.
pub async fn publish_due(state: &AppState) -> anyhow::Result<usize> {
    let now = state.clock.now();
    let mut released = 0;
    loop {
        let mut tx = state.db.begin().await?;
        let Some(id) = store::claim_next_release(&mut tx, now).await? else {
            return Ok(released);
        };
        if let Some(due) = store::campaign_to_mail(&mut tx, id).await? {
            send_update(state, &mut tx, &due, Reason::Release, now).await?;
        }
        tx.commit().await?;
        released += 1;
    }
}

/// Sends the periodic update of every open campaign whose last one (or its opening) is
/// `update_every_days` old; each campaign is claimed under its row lock. Returns how many
/// updates went out.
pub async fn send_member_updates(state: &AppState) -> anyhow::Result<usize> {
    let now = state.clock.now();
    let candidates = store::updates_due(&state.db, now).await?;
    let mut sent = 0;
    for id in candidates {
        let mut tx = state.db.begin().await?;
        // Claimed under the row lock, and checked again: another instance may have sent it.
        if !store::claim_update(&mut tx, id, now).await? {
            continue;
        }
        if let Some(due) = store::campaign_to_mail(&mut tx, id).await? {
            send_update(state, &mut tx, &due, Reason::Periodic, now).await?;
            sent += 1;
        }
        tx.commit().await?;
    }
    Ok(sent)
}

/// One email per listed signer: the letter as it stands, the list (organizations, then
/// individuals, in the page's order), and how to join while it is open.
async fn send_update(
    state: &AppState,
    conn: &mut PgConnection,
    due: &CampaignToMail,
    reason: Reason,
    now: OffsetDateTime,
) -> anyhow::Result<()> {
    let letter = store::latest_body(conn, due.id).await?;
    let listed =
        signatures::listed_for_update(&mut *conn, due.id, due.consent_from_revision).await?;
    let names: Vec<String> = listed
        .iter()
        .take(NAMES_IN_UPDATE)
        .map(|signer| {
            if signer.kind == "individual" {
                format!("{} (individual)", signer.name)
            } else {
                signer.name.clone()
            }
        })
        .collect();
    let more = listed.len().saturating_sub(NAMES_IN_UPDATE);
    let page = state
        .config
        .link(&format!("/{}/{}", due.tenant_slug, due.slug));
    // Which signature each listed name is: an erasure finds its entry by id, not by text.
    let listed_ids: Vec<Uuid> = listed
        .iter()
        .take(NAMES_IN_UPDATE)
        .map(|signer| signer.id)
        .collect();
    let update_id = store::record_member_update(
        conn,
        due.tenant_id,
        due.id,
        if reason == Reason::Release {
            "release"
        } else {
            "periodic"
        },
        now,
        listed.len() as i32,
        &listed_ids,
    )
    .await?;
    // While the group's list is open, each signer gets their own join link (a page with
    // the list's rules and a button: the link alone subscribes nobody).
    let list_open = crate::tenancy::store::coalition_list_open(conn, due.tenant_id).await?;
    for chunk in listed.chunks(1000) {
        let messages: Vec<(String, String, MemberUpdate)> = chunk
            .iter()
            .map(|signer| {
                (
                    format!("member-update:{update_id}:{}", signer.id),
                    signer.email.clone(),
                    MemberUpdate {
                        campaign_title: due.title.clone(),
                        group_name: due.group_name.clone(),
                        signer_name: signer.name.clone(),
                        released: reason == Reason::Release,
                        points: due.points.clone(),
                        letter: letter.clone(),
                        signers: names.clone(),
                        more,
                        total: listed.len(),
                        open: due.accepting(now),
                        link: page.clone(),
                        join_link: list_open.then(|| {
                            state.config.link(&crate::signatures::list_join::join_path(
                                &due.tenant_slug,
                                &state.secret,
                                signer.id,
                            ))
                        }),
                    },
                )
            })
            .collect();
        outbox::enqueue_many(conn, Some(due.tenant_id), messages, now, true).await?;
    }
    Ok(())
}
