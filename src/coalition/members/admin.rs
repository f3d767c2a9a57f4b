//! The organizers' members pages: who is on the list, their organization, when and how
//! they joined (and from which campaign), their delivery and moderation state; one
//! member's page (moderation action, mute with a private note, unmute, remove — each
//! logged with who and when); invitations from the address book; and carrying the
//! members' organizations into a campaign's outreach as prospects. Organizers can never
//! make a member: an invitation subscribes nobody.

use std::collections::{HashMap, HashSet};

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use time::Duration;
use uuid::Uuid;

use super::emails::ListInvitation;
use crate::coalition::model::{ListMemberId, MemberAction};
use crate::coalition::store::{self, ListMember, MemberLogLine};
use crate::error::{AppError, AppResult};
use crate::mail::{self, Outgoing};
use crate::outreach::store::{self as outreach, BookPersonForList};
use crate::state::AppState;
use crate::tenancy::{Editor, Member};
use crate::tokens;
use crate::web::{format_date, format_datetime, render, unprocessable, Form, Layout, Path, Query};

pub const PAGE_SIZE: i64 = 50;
/// How long an invitation's link works.
pub const INVITATION_VALID_FOR: Duration = Duration::days(30);
/// A person invited within this long is not invited again.
pub const REINVITE_AFTER: Duration = Duration::days(7);
/// Invitations one form sends at most.
pub const MAX_INVITATIONS_AT_ONCE: usize = 100;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PageQuery {
    pub page: Option<i64>,
}

pub struct MemberLine {
    pub member: ListMember,
    pub joined: String,
    pub campaign: Option<String>,
}

#[derive(Template)]
#[template(path = "coalition/members/admin_members.html")]
struct MembersPage {
    layout: Layout,
    base: String,
    list_name: Option<String>,
    members: Vec<MemberLine>,
    total: i64,
    page: i64,
    pages: i64,
    campaigns: Vec<outreach::book::CampaignChoice>,
    can_edit: bool,
}

/// `/app/{tenant}/list/members`.
pub async fn members(
    State(state): State<AppState>,
    member: Member,
    Query(query): Query<PageQuery>,
) -> AppResult<Html<String>> {
    let list = store::list(&state.db, member.tenant_id).await?;
    let total = store::count_members(&state.db, member.tenant_id).await?;
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let page = query.page.unwrap_or(1).clamp(1, pages);
    let rows = store::members_page(
        &state.db,
        member.tenant_id,
        (page - 1) * PAGE_SIZE,
        PAGE_SIZE,
    )
    .await?;
    let campaigns = outreach::book::campaign_choices(&state.db, member.tenant_id).await?;
    let titles: HashMap<Uuid, String> = campaigns.iter().map(|c| (c.id, c.title.clone())).collect();
    let members = rows
        .into_iter()
        .map(|m| MemberLine {
            joined: format_date(&m.joined_at),
            campaign: m.joined_campaign_id.and_then(|id| titles.get(&id).cloned()),
            member: m,
        })
        .collect();
    render(MembersPage {
        layout: member.layout("List members"),
        base: member.path("/list"),
        list_name: list.map(|l| l.name),
        members,
        total,
        page,
        pages,
        campaigns,
        can_edit: member.role.can_edit(),
    })
}

#[derive(Template)]
#[template(path = "coalition/members/admin_member.html")]
struct MemberPage {
    layout: Layout,
    base: String,
    m: ListMember,
    joined: String,
    campaign: Option<String>,
    muted_at: Option<String>,
    bouncing_since: Option<String>,
    actions: Vec<(&'static str, &'static str)>,
    log: Vec<(String, MemberLogLine)>,
    can_edit: bool,
    problem: Option<&'static str>,
}

#[derive(Debug, Deserialize)]
pub struct MemberPath {
    #[allow(dead_code)]
    tenant: String,
    id: String,
}

async fn find(state: &AppState, member: &Member, id: &str) -> AppResult<ListMember> {
    let id = Uuid::parse_str(id).map_err(|_| AppError::NotFound)?;
    store::member(&state.db, member.tenant_id, ListMemberId(id))
        .await?
        .ok_or(AppError::NotFound)
}

async fn member_view(
    state: &AppState,
    member: &Member,
    m: ListMember,
    problem: Option<&'static str>,
) -> AppResult<MemberPage> {
    let campaign = match m.joined_campaign_id {
        Some(id) => outreach::book::campaign_choices(&state.db, member.tenant_id)
            .await?
            .into_iter()
            .find(|c| c.id == id)
            .map(|c| c.title),
        None => None,
    };
    let log = store::member_log(&state.db, member.tenant_id, m.id)
        .await?
        .into_iter()
        .map(|line| (format_datetime(&line.at), line))
        .collect();
    Ok(MemberPage {
        layout: member.layout(format!("{} — List members", m.name)),
        base: member.path("/list"),
        joined: format_date(&m.joined_at),
        campaign,
        muted_at: m.muted_at.map(|at| format_date(&at)),
        bouncing_since: m.bouncing_since.map(|at| format_date(&at)),
        actions: [
            MemberAction::Default,
            MemberAction::Accept,
            MemberAction::Hold,
            MemberAction::Reject,
            MemberAction::Discard,
        ]
        .into_iter()
        .map(|a| (a.as_str(), a.label()))
        .collect(),
        log,
        can_edit: member.role.can_edit(),
        problem,
        m,
    })
}

/// `/app/{tenant}/list/members/{id}`.
pub async fn member_page(
    State(state): State<AppState>,
    member: Member,
    Path(path): Path<MemberPath>,
) -> AppResult<Html<String>> {
    let m = find(&state, &member, &path.id).await?;
    render(member_view(&state, &member, m, None).await?)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ActionForm {
    pub action: String,
}

fn saved(member: &Member, id: ListMemberId) -> Response {
    Redirect::to(&member.path(&format!("/list/members/{id}?notice=members-saved"))).into_response()
}

pub async fn set_action(
    State(state): State<AppState>,
    Editor(member): Editor,
    Path(path): Path<MemberPath>,
    Form(form): Form<ActionForm>,
) -> AppResult<Response> {
    let m = find(&state, &member, &path.id).await?;
    let Some(action) = MemberAction::parse(form.action.trim()) else {
        let page = member_view(
            &state,
            &member,
            m,
            Some("Choose one of the moderation actions."),
        )
        .await?;
        return unprocessable(page);
    };
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    if store::set_action(&mut tx, member.tenant_id, m.id, action).await? {
        store::log_member_moderation(
            &mut tx,
            member.tenant_id,
            Some(m.id),
            "set_action",
            action.label(),
            member.user.user_id,
            &member.user.name,
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(saved(&member, m.id))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MuteForm {
    pub note: String,
}

pub async fn mute(
    State(state): State<AppState>,
    Editor(member): Editor,
    Path(path): Path<MemberPath>,
    Form(form): Form<MuteForm>,
) -> AppResult<Response> {
    let m = find(&state, &member, &path.id).await?;
    let note = form.note.trim();
    if note.is_empty() || note.chars().count() > 2000 {
        let page = member_view(
            &state,
            &member,
            m,
            Some("Write a short private note of why (under 2,000 characters): organizers see it, the member never does."),
        )
        .await?;
        return unprocessable(page);
    }
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    if store::set_muted(&mut tx, member.tenant_id, m.id, true, note, now).await? {
        store::log_member_moderation(
            &mut tx,
            member.tenant_id,
            Some(m.id),
            "mute",
            note,
            member.user.user_id,
            &member.user.name,
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(saved(&member, m.id))
}

pub async fn unmute(
    State(state): State<AppState>,
    Editor(member): Editor,
    Path(path): Path<MemberPath>,
) -> AppResult<Response> {
    let m = find(&state, &member, &path.id).await?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    if store::set_muted(&mut tx, member.tenant_id, m.id, false, "", now).await? {
        store::log_member_moderation(
            &mut tx,
            member.tenant_id,
            Some(m.id),
            "unmute",
            "",
            member.user.user_id,
            &member.user.name,
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(saved(&member, m.id))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RemoveForm {
    pub confirm: String,
}

/// Removes a member (their posts stay, under the name they wrote with). Logged; the log
/// line outlives the membership without naming them.
pub async fn remove(
    State(state): State<AppState>,
    Editor(member): Editor,
    Path(path): Path<MemberPath>,
    Form(form): Form<RemoveForm>,
) -> AppResult<Response> {
    let m = find(&state, &member, &path.id).await?;
    if form.confirm != "yes" {
        let page = member_view(
            &state,
            &member,
            m,
            Some("Tick the box to confirm that this member is to be removed from the list."),
        )
        .await?;
        return unprocessable(page);
    }
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    store::log_member_moderation(
        &mut tx,
        member.tenant_id,
        Some(m.id),
        "remove",
        "",
        member.user.user_id,
        &member.user.name,
        now,
    )
    .await?;
    if let Some(person) = store::leave(&mut tx, member.tenant_id, m.id).await? {
        outreach::set_on_coalition_list(&mut tx, member.tenant_id, person, false).await?;
    }
    tx.commit().await?;
    Ok(Redirect::to(&member.path("/list/members?notice=members-removed")).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CarryForm {
    pub campaign: String,
}

/// The members' organizations become prospects of the chosen campaign (never signers).
pub async fn carry(
    State(state): State<AppState>,
    Editor(member): Editor,
    Form(form): Form<CarryForm>,
) -> AppResult<Response> {
    let campaign = Uuid::parse_str(form.campaign.trim()).ok();
    let campaigns = outreach::book::campaign_choices(&state.db, member.tenant_id).await?;
    let Some(campaign) = campaign.and_then(|id| campaigns.into_iter().find(|c| c.id == id)) else {
        return Ok(
            Redirect::to(&member.path("/list/members?notice=members-carry-choose")).into_response(),
        );
    };
    let people = store::member_people(&state.db, member.tenant_id).await?;
    let mut tx = state.db.begin().await?;
    outreach::carry_people_to_campaign(
        &mut tx,
        &member,
        &people,
        campaign.id,
        "Added from the coalition list's members",
        state.clock.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&member.path("/list/members?notice=members-carried")).into_response())
}

// ---- Invitations ----------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct InviteQuery {
    pub q: String,
}

#[derive(Template)]
#[template(path = "coalition/members/invite.html")]
struct InvitePage {
    layout: Layout,
    base: String,
    list_name: Option<String>,
    q: String,
    people: Vec<(BookPersonForList, bool)>,
    can_edit: bool,
    problem: Option<&'static str>,
}

async fn invite_view(
    state: &AppState,
    member: &Member,
    q: String,
    problem: Option<&'static str>,
) -> AppResult<InvitePage> {
    let list = store::list(&state.db, member.tenant_id).await?;
    let people = outreach::book_people_to_invite(&state.db, member.tenant_id, &q, 200).await?;
    let ids: Vec<Uuid> = people.iter().map(|p| p.id).collect();
    let members: HashSet<Uuid> = store::members_among(&state.db, member.tenant_id, &ids)
        .await?
        .into_iter()
        .collect();
    Ok(InvitePage {
        layout: member.layout("Invite to the list"),
        base: member.path("/list"),
        list_name: list.map(|l| l.name),
        q,
        people: people
            .into_iter()
            .map(|p| {
                let is_member = members.contains(&p.id);
                (p, is_member)
            })
            .collect(),
        can_edit: member.role.can_edit(),
        problem,
    })
}

/// `/app/{tenant}/list/invite`: people of the address book to pick (or a search).
pub async fn invite_page(
    State(state): State<AppState>,
    member: Member,
    Query(query): Query<InviteQuery>,
) -> AppResult<Html<String>> {
    render(invite_view(&state, &member, query.q, None).await?)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct InviteForm {
    pub person: Vec<String>,
}

/// Sends an invitation to each person picked: not to a member, nor to someone invited in
/// the last week. The invitation alone subscribes nobody.
pub async fn invite(
    State(state): State<AppState>,
    Editor(member): Editor,
    Form(form): Form<InviteForm>,
) -> AppResult<Response> {
    let list = store::list(&state.db, member.tenant_id).await?;
    let mut conn = state.db.acquire().await?;
    let open =
        crate::tenancy::store::coalition_list_open(&mut conn, member.tenant_id.uuid()).await?;
    drop(conn);
    let Some(list) = list.filter(|_| open) else {
        let page = invite_view(
            &state,
            &member,
            String::new(),
            Some("Set up the list first: invitations go out only while it is open to joining."),
        )
        .await?;
        return unprocessable(page);
    };
    let picked: Vec<Uuid> = form
        .person
        .iter()
        .filter_map(|p| Uuid::parse_str(p.trim()).ok())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    if picked.is_empty() || picked.len() > MAX_INVITATIONS_AT_ONCE {
        let page = invite_view(
            &state,
            &member,
            String::new(),
            Some("Pick between one and 100 people to invite."),
        )
        .await?;
        return unprocessable(page);
    }
    let now = state.clock.now();
    let expires_at = now + INVITATION_VALID_FOR;
    let mut tx = state.db.begin().await?;
    let people = outreach::book_people_for_list(&mut tx, member.tenant_id, &picked).await?;
    let skipped: HashSet<Uuid> = store::not_to_invite(
        &mut tx,
        member.tenant_id,
        &people.iter().map(|p| p.id).collect::<Vec<_>>(),
        &people.iter().map(|p| p.email.clone()).collect::<Vec<_>>(),
        now - REINVITE_AFTER,
    )
    .await?
    .into_iter()
    .collect();
    for person in people.into_iter().filter(|p| !skipped.contains(&p.id)) {
        let token = tokens::new_token();
        let id = store::create_invitation(
            &mut tx,
            member.tenant_id,
            person.id,
            &person.email,
            &token.hash,
            member.user.user_id,
            now,
            expires_at,
        )
        .await?;
        mail::enqueue(
            &mut tx,
            Outgoing {
                tenant: Some(member.tenant_id.uuid()),
                idempotency_key: format!("list-invitation:{id}"),
                recipient: &person.email,
                message: ListInvitation {
                    list_name: list.name.clone(),
                    name: person.name.clone(),
                    inviter: member.user.name.clone(),
                    purpose: list.purpose.clone(),
                    link: state.config.link(&format!(
                        "/{}/list/invitation/{}",
                        member.tenant.slug, token.token
                    )),
                    expires: format_date(&expires_at),
                },
                send_at: now,
                bulk: false,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Redirect::to(&member.path("/list/invite?notice=members-invited")).into_response())
}
