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

use super::lookup::campaign_of;
use super::store::Campaign;
use super::time_zones;
use crate::error::AppResult;
use crate::mail::outbox;
use crate::signatures::MemberUpdate;
use crate::state::AppState;
use crate::tenancy::Member;
use crate::web::{render, unprocessable, Form, FormErrors, Layout, Path};

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

pub struct SentUpdate {
    pub at: OffsetDateTime,
    pub reason: String,
    pub recipients: i32,
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
    let rows: Vec<(OffsetDateTime, String, i32)> = sqlx::query_as(
        "SELECT at, reason, recipients FROM member_updates WHERE tenant_id = $1 AND campaign_id = $2
         ORDER BY at DESC LIMIT 100",
    )
    .bind(member.tenant_id.uuid())
    .bind(campaign.id)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(at, reason, recipients)| SentUpdate {
            at,
            reason,
            recipients,
        })
        .collect())
}

pub async fn page(
    State(state): State<AppState>,
    member: Member,
    Path((_, slug)): Path<(String, String)>,
) -> AppResult<Html<String>> {
    let campaign = campaign_of(&state, &member, &slug).await?;
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
    member: Member,
    Path((_, slug)): Path<(String, String)>,
    Form(form): Form<ReleaseForm>,
) -> AppResult<Response> {
    member.require_editor()?;
    let campaign = campaign_of(&state, &member, &slug).await?;
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
    sqlx::query(
        "UPDATE campaigns SET release_at = CASE WHEN released_at IS NULL THEN $3 ELSE release_at END,
                press_release = $4,
                updates_from = CASE WHEN update_every_days = $5 THEN updates_from ELSE $6 END,
                update_every_days = $5
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(member.tenant_id.uuid())
    .bind(campaign.id)
    .bind(release_at)
    .bind(&press_release)
    .bind(every)
    .bind(now)
    .execute(&state.db)
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

/// A campaign as the scheduler reads it for a release or an update.
struct Due {
    id: Uuid,
    tenant_id: Uuid,
    tenant_slug: String,
    group_name: String,
    slug: String,
    title: String,
    points: Vec<String>,
    consent_from: i32,
    accepting: bool,
}

/// Publishes every campaign whose release time has come, once across instances (the
/// update that sets `released_at` is the claim), and sends each listed signer the
/// announcement with the letter and the list. Returns how many campaigns were released.
pub async fn publish_due(state: &AppState) -> anyhow::Result<usize> {
    let now = state.clock.now();
    let mut released = 0;
    loop {
        let mut tx = state.db.begin().await?;
        let id: Option<Uuid> = sqlx::query_scalar(
            "UPDATE campaigns SET released_at = $1,
                    status = CASE WHEN status = 'open' THEN 'published' ELSE status END,
                    published_at = coalesce(published_at, $1)
             WHERE id = (SELECT id FROM campaigns WHERE release_at <= $1 AND released_at IS NULL AND status <> 'draft'
                         ORDER BY release_at LIMIT 1 FOR UPDATE SKIP LOCKED)
             RETURNING id",
        )
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(id) = id else {
            return Ok(released);
        };
        if let Some(due) = due_campaign(&mut tx, id, now).await? {
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
    let candidates: Vec<Uuid> = sqlx::query_scalar(
        "SELECT c.id FROM campaigns c
         WHERE c.update_every_days > 0 AND c.status IN ('open', 'published')
           AND (c.release_at IS NULL OR c.released_at IS NOT NULL)
           AND (c.hard_deadline > $1 OR c.open_after_deadline)
           AND coalesce((SELECT max(u.at) FROM member_updates u WHERE u.campaign_id = c.id), c.updates_from)
               <= $1 - make_interval(days => c.update_every_days)",
    )
    .bind(now)
    .fetch_all(&state.db)
    .await?;
    let mut sent = 0;
    for id in candidates {
        let mut tx = state.db.begin().await?;
        // Claimed under the row lock, and checked again: another instance may have sent it.
        let still_due: Option<Uuid> = sqlx::query_scalar(
            "SELECT c.id FROM campaigns c WHERE c.id = $1
               AND coalesce((SELECT max(u.at) FROM member_updates u WHERE u.campaign_id = c.id), c.updates_from)
                   <= $2 - make_interval(days => c.update_every_days)
             FOR NO KEY UPDATE SKIP LOCKED",
        )
        .bind(id)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        if still_due.is_none() {
            continue;
        }
        if let Some(due) = due_campaign(&mut tx, id, now).await? {
            send_update(state, &mut tx, &due, Reason::Periodic, now).await?;
            sent += 1;
        }
        tx.commit().await?;
    }
    Ok(sent)
}

async fn due_campaign(
    conn: &mut PgConnection,
    id: Uuid,
    now: OffsetDateTime,
) -> sqlx::Result<Option<Due>> {
    // A typed row (`FromRow`) replaces this tuple when the SQL moves into the store (#18).
    #[allow(clippy::type_complexity)]
    let row: Option<(Uuid, String, String, String, String, Vec<String>, i32, String, OffsetDateTime, bool)> =
        sqlx::query_as(
            "SELECT c.tenant_id, t.slug, t.name, c.slug, c.title, c.points, c.consent_from_revision, c.status,
                    c.hard_deadline, c.open_after_deadline
             FROM campaigns c JOIN tenants t ON t.id = c.tenant_id WHERE c.id = $1",
        )
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(
        |(
            tenant_id,
            tenant_slug,
            group_name,
            slug,
            title,
            points,
            consent_from,
            status,
            hard,
            open_after,
        )| Due {
            id,
            tenant_id,
            tenant_slug,
            group_name,
            slug,
            title,
            points,
            consent_from,
            accepting: matches!(status.as_str(), "open" | "published")
                && (now < hard || open_after),
        },
    ))
}

/// One email per listed signer: the letter as it stands, the list (organizations, then
/// individuals, in the page's order), and how to join while it is open.
async fn send_update(
    state: &AppState,
    conn: &mut PgConnection,
    due: &Due,
    reason: Reason,
    now: OffsetDateTime,
) -> anyhow::Result<()> {
    let letter: String = sqlx::query_scalar(
        "SELECT body FROM letter_revisions WHERE campaign_id = $1 ORDER BY number DESC LIMIT 1",
    )
    .bind(due.id)
    .fetch_optional(&mut *conn)
    .await?
    .unwrap_or_default();
    let listed: Vec<(Uuid, String, String, String)> = sqlx::query_as(
        "SELECT id, name, email::text, kind FROM signatures
         WHERE campaign_id = $1 AND state = 'confirmed' AND confirmed_revision >= $2
         ORDER BY kind = 'individual', sort_key COLLATE signer_order, id",
    )
    .bind(due.id)
    .bind(due.consent_from)
    .fetch_all(&mut *conn)
    .await?;
    let names: Vec<String> = listed
        .iter()
        .take(NAMES_IN_UPDATE)
        .map(|(_, name, _, kind)| {
            if kind == "individual" {
                format!("{name} (individual)")
            } else {
                name.clone()
            }
        })
        .collect();
    let more = listed.len().saturating_sub(NAMES_IN_UPDATE);
    let page = state
        .config
        .link(&format!("/{}/{}", due.tenant_slug, due.slug));
    let update_id: i64 = sqlx::query_scalar(
        "INSERT INTO member_updates (tenant_id, campaign_id, reason, at, recipients) VALUES ($1, $2, $3, $4, $5)
         RETURNING id",
    )
    .bind(due.tenant_id)
    .bind(due.id)
    .bind(if reason == Reason::Release { "release" } else { "periodic" })
    .bind(now)
    .bind(listed.len() as i32)
    .fetch_one(&mut *conn)
    .await?;
    // Which signature each listed name is: an erasure finds its entry by id, not by text.
    let listed_ids: Vec<Uuid> = listed
        .iter()
        .take(NAMES_IN_UPDATE)
        .map(|(id, ..)| *id)
        .collect();
    sqlx::query(
        "INSERT INTO member_update_names (update_id, position, signature_id)
         SELECT $1, n.position - 1, n.id FROM unnest($2::uuid[]) WITH ORDINALITY AS n(id, position)",
    )
    .bind(update_id)
    .bind(&listed_ids)
    .execute(&mut *conn)
    .await?;
    for chunk in listed.chunks(1000) {
        let messages: Vec<(String, String, MemberUpdate)> = chunk
            .iter()
            .map(|(id, name, email, _)| {
                (
                    format!("member-update:{update_id}:{id}"),
                    email.clone(),
                    MemberUpdate {
                        campaign_title: due.title.clone(),
                        group_name: due.group_name.clone(),
                        signer_name: name.clone(),
                        released: reason == Reason::Release,
                        points: due.points.clone(),
                        letter: letter.clone(),
                        signers: names.clone(),
                        more,
                        total: listed.len(),
                        open: due.accepting,
                        link: page.clone(),
                    },
                )
            })
            .collect();
        outbox::enqueue_many(conn, Some(due.tenant_id), messages, now, true).await?;
    }
    Ok(())
}
