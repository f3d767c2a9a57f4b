//! Joining the list, always by the person's own click: the box on the signature's
//! confirmation page (through `signing::ListJoin`), the join link of member updates, an
//! organizer's invitation (its button), and the list's public join page (its emailed
//! link's button). Every way in finds or adds the person in the group's address book
//! (outreach's rules), then `coalition::store::join`, then the welcome email. Every GET
//! here shows a page and changes nothing (mail scanners follow links).

use std::sync::Arc;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use sqlx::{PgConnection, PgPool};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::emails::{ListJoinConfirm, ListWelcome};
use crate::coalition::model::JoinedHow;
use crate::coalition::store::{self, Joined, Joining, ListMember, ListSettings};
use crate::coalition::{links, member_auth};
use crate::error::{AppError, AppResult};
use crate::mail::{self, EmailAddress, Outgoing};
use crate::signing::{ListJoin, SignerForList};
use crate::state::AppState;
use crate::tenancy::{self, PublicGroup, PublicTenantId, TenantScope};
use crate::web::{
    render_markdown, render_with, unprocessable, Form, FormErrors, Layout, Path, RateLimit, Visitor,
};

/// Who joins, as the own-click path found them.
pub struct Joiner<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub organization: &'a str,
    pub how: JoinedHow,
    pub campaign_id: Option<Uuid>,
    /// The person of the book, when the path already knows them (an invitation).
    pub person_id: Option<Uuid>,
}

/// Makes the joiner a member, in the caller's transaction: `None` when the group has no
/// list open. A new member gets the welcome; someone already a member changes nothing.
pub async fn join_by_own_click(
    conn: &mut PgConnection,
    state: &AppState,
    tenant: impl TenantScope,
    tenant_slug: &str,
    joiner: &Joiner<'_>,
    now: OffsetDateTime,
) -> anyhow::Result<Option<(ListMember, bool)>> {
    if !tenancy::store::coalition_list_open(conn, tenant.uuid()).await? {
        return Ok(None);
    }
    let Some(list) = store::list_for_share(conn, tenant).await? else {
        return Ok(None);
    };
    let name = if joiner.name.trim().is_empty() {
        joiner.organization.trim()
    } else {
        joiner.name.trim()
    };
    let person_id = match joiner.person_id {
        Some(id) => id,
        None => {
            crate::outreach::store::person_for_list_member(
                conn,
                tenant,
                name,
                joiner.email,
                joiner.organization,
                now,
            )
            .await?
        }
    };
    let joined = store::join(
        conn,
        tenant,
        &Joining {
            person_id,
            email: joiner.email,
            name,
            organization: joiner.organization.trim(),
            how: joiner.how,
            campaign_id: joiner.campaign_id,
        },
        now,
    )
    .await?;
    let member = store::member_in(conn, tenant, joined.id())
        .await?
        .ok_or_else(|| anyhow::anyhow!("a member just joined is gone"))?;
    let new = matches!(joined, Joined::New(_));
    if new {
        crate::outreach::store::set_on_coalition_list(conn, tenant, member.person_id, true).await?;
        welcome(conn, state, tenant_slug, &list, &member, now).await?;
    }
    Ok(Some((member, new)))
}

async fn welcome(
    conn: &mut PgConnection,
    state: &AppState,
    tenant_slug: &str,
    list: &ListSettings,
    member: &ListMember,
    now: OffsetDateTime,
) -> anyhow::Result<()> {
    let link = |rest: &str| state.config.link(&format!("/{tenant_slug}/list{rest}"));
    mail::enqueue(
        conn,
        Outgoing {
            tenant: Some(member.tenant_id),
            idempotency_key: format!("list-welcome:{}", member.id),
            recipient: &member.email,
            message: ListWelcome {
                list_name: list.name.clone(),
                name: member.name.clone(),
                purpose: list.purpose.clone(),
                rules: list.rules.clone(),
                post_address: post_address(state, member),
                post_link: link("/post"),
                member_page: link("/me"),
                signin_link: link("/signin"),
                leave_link: state.config.link(&links::leave_path(
                    tenant_slug,
                    &state.secret,
                    member.id,
                )),
            },
            send_at: now,
            bulk: false,
        },
    )
    .await?;
    Ok(())
}

/// The member's own address for starting a thread by email.
pub fn post_address(state: &AppState, member: &ListMember) -> String {
    format!("list+{}@{}", member.post_key, state.config.mail_domain)
}

/// The coalition's side of the confirmation page's box.
struct CoalitionListJoin {
    state: AppState,
}

#[async_trait::async_trait]
impl ListJoin for CoalitionListJoin {
    async fn offer(&self, db: &PgPool, tenant: PublicTenantId) -> anyhow::Result<Option<String>> {
        let mut conn = db.acquire().await?;
        if !tenancy::store::coalition_list_open(&mut conn, tenant.uuid()).await? {
            return Ok(None);
        }
        Ok(store::list(db, tenant).await?.map(|list| list.name))
    }

    async fn join(
        &self,
        conn: &mut PgConnection,
        tenant: PublicTenantId,
        signer: SignerForList,
    ) -> anyhow::Result<()> {
        join_by_own_click(
            conn,
            &self.state,
            tenant,
            &signer.tenant_slug,
            &Joiner {
                name: &signer.name,
                email: &signer.email,
                organization: &signer.organization,
                how: JoinedHow::Confirmation,
                campaign_id: Some(signer.campaign_id),
                person_id: None,
            },
            self.state.clock.now(),
        )
        .await?;
        Ok(())
    }
}

/// What the assembly hands the public signing pages.
pub fn list_join(state: &AppState) -> Arc<dyn ListJoin> {
    Arc::new(CoalitionListJoin {
        state: state.clone(),
    })
}

// ---- Pages shared by every way in ---------------------------------------------------------

/// The group of the URL and its list, while open to joining.
pub async fn open_list(
    state: &AppState,
    slug: &str,
) -> AppResult<(PublicGroup, Option<ListSettings>)> {
    let group = tenancy::public_group(&state.db, slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut conn = state.db.acquire().await?;
    let open = tenancy::store::coalition_list_open(&mut conn, group.id.uuid()).await?;
    drop(conn);
    let list = if open {
        store::list(&state.db, group.id).await?
    } else {
        None
    };
    Ok((group, list))
}

#[derive(Template)]
#[template(path = "coalition/members/gone.html")]
pub struct GonePage {
    pub layout: Layout,
    pub heading: &'static str,
    pub text: &'static str,
    pub list_path: String,
}

/// A clear page for a link that opens nothing (forged, spent, expired, or a closed list).
pub fn gone(
    visitor: &Visitor,
    status: StatusCode,
    slug: &str,
    heading: &'static str,
    text: &'static str,
) -> AppResult<Response> {
    render_with(
        status,
        GonePage {
            layout: visitor.layout(heading).for_signers(),
            heading,
            text,
            list_path: format!("/{slug}/list"),
        },
    )
}

const NO_LIST: &str = "This group has no list open to join at the moment.";

#[derive(Template)]
#[template(path = "coalition/members/join_button.html")]
struct JoinButtonPage {
    layout: Layout,
    list_name: String,
    purpose_html: String,
    rules_html: String,
    intro: String,
    name: String,
    organization: String,
    email: String,
    action: String,
}

fn join_button_page(
    visitor: &Visitor,
    list: &ListSettings,
    intro: String,
    who: (&str, &str, &str),
    action: String,
) -> AppResult<Response> {
    render_with(
        StatusCode::OK,
        JoinButtonPage {
            layout: visitor.layout(format!("Join {}", list.name)).for_signers(),
            list_name: list.name.clone(),
            purpose_html: render_markdown(&list.purpose),
            rules_html: render_markdown(&list.rules),
            intro,
            name: who.0.to_owned(),
            organization: who.1.to_owned(),
            email: who.2.to_owned(),
            action,
        },
    )
}

/// After a join by a link mailed to the person: they are signed in on this browser (the
/// link proved the address) and land on their page.
async fn joined_response(
    state: &AppState,
    visitor: &Visitor,
    jar: CookieJar,
    mut tx: sqlx::Transaction<'static, sqlx::Postgres>,
    group: &PublicGroup,
    joined: Option<(ListMember, bool)>,
) -> AppResult<Response> {
    let Some((member, new)) = joined else {
        tx.rollback().await?;
        return gone(
            visitor,
            StatusCode::NOT_FOUND,
            &group.slug,
            "No list to join",
            NO_LIST,
        );
    };
    if !new {
        // Join links are not sign-in links: one that is replayed (a forwarded member
        // update, an invitation used twice) opens no session; the member signs in by a
        // magic link like anyone else.
        tx.commit().await?;
        return Ok(Redirect::to(&format!(
            "/{}/list/signin?notice=members-already",
            group.slug
        ))
        .into_response());
    }
    let cookie = member_auth::start_session(
        &mut tx,
        visitor,
        group.id,
        &group.slug,
        &member,
        state.clock.now(),
    )
    .await?;
    tx.commit().await?;
    Ok((
        jar.add(cookie),
        Redirect::to(&format!("/{}/list/me?notice=members-joined", group.slug)),
    )
        .into_response())
}

// ---- The public join page ---------------------------------------------------------------

/// Join requests per client address: a person sends one or two; an office behind one
/// address still fits.
pub const JOIN_LIMIT: RateLimit = RateLimit {
    scope: "list-join",
    max: 10,
    window: Duration::hours(1),
};

/// How long the join page's emailed link works.
const JOIN_REQUEST_VALID_FOR: Duration = Duration::days(7);

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct JoinForm {
    pub name: String,
    pub organization: String,
    pub email: String,
}

#[derive(Serialize, Deserialize)]
struct JoinRequest {
    t: Uuid,
    n: String,
    o: String,
    e: String,
    x: i64,
}

fn request_mac(secret: &[u8], payload: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(b"list-join-request:");
    mac.update(payload.as_bytes());
    crate::tokens::hex(&mac.finalize().into_bytes()[..16])
}

/// The join page's emailed link carries what was typed, signed: no row waits for a
/// confirmation that may never come.
fn request_token(secret: &[u8], request: &JoinRequest) -> String {
    let json = serde_json::to_vec(request).expect("a join request serializes");
    let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json);
    let mac = request_mac(secret, &payload);
    format!("{payload}.{mac}")
}

fn request_of_token(
    secret: &[u8],
    token: &str,
    tenant: PublicTenantId,
    now: OffsetDateTime,
) -> Option<JoinRequest> {
    let (payload, given) = token.split_once('.')?;
    let expected = request_mac(secret, payload);
    if !crate::tokens::constant_time_eq(given.as_bytes(), expected.as_bytes()) {
        return None;
    }
    let json = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    let request: JoinRequest = serde_json::from_slice(&json).ok()?;
    (request.t == tenant.uuid() && request.x > now.unix_timestamp()).then_some(request)
}

#[derive(Template)]
#[template(path = "coalition/members/front.html")]
struct FrontPage {
    layout: Layout,
    slug: String,
    group_name: String,
    list: Option<ListSettings>,
    purpose_html: String,
    rules_html: String,
    last_post: Option<String>,
    member_name: Option<String>,
    form: JoinForm,
    errors: FormErrors,
    problem: Option<String>,
}

async fn front_page(
    state: &AppState,
    visitor: &Visitor,
    jar: &CookieJar,
    slug: &str,
    form: JoinForm,
    errors: FormErrors,
    problem: Option<String>,
) -> AppResult<(bool, FrontPage)> {
    let (group, list) = open_list(state, slug).await?;
    let now = state.clock.now();
    let member = member_auth::signed_in(state, jar, group.id, now).await?;
    let last_post = store::last_posts(&state.db, group.id, now)
        .await?
        .last_at
        .map(|at| crate::web::format_date(&at));
    let title = list
        .as_ref()
        .map(|l| l.name.clone())
        .unwrap_or_else(|| format!("{}: the coalition's list", group.name));
    Ok((
        list.is_some(),
        FrontPage {
            layout: visitor.layout(title).for_signers(),
            slug: group.slug.clone(),
            group_name: group.name.clone(),
            purpose_html: list
                .as_ref()
                .map(|l| render_markdown(&l.purpose))
                .unwrap_or_default(),
            rules_html: list
                .as_ref()
                .map(|l| render_markdown(&l.rules))
                .unwrap_or_default(),
            list,
            last_post,
            member_name: member.map(|m| m.name),
            form,
            errors,
            problem,
        },
    ))
}

/// `/{tenant}/list`: the list's front page, with the join form.
pub async fn front(
    State(state): State<AppState>,
    visitor: Visitor,
    jar: CookieJar,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    let (open, page) = front_page(
        &state,
        &visitor,
        &jar,
        &slug,
        JoinForm::default(),
        FormErrors::new(),
        None,
    )
    .await?;
    let status = if open {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    render_with(status, page)
}

fn limit(value: &str, max: usize, field: &'static str, errors: &mut FormErrors) -> String {
    let value = value.trim();
    if value.chars().count() > max {
        errors.add(field, format!("Keep this under {max} characters."));
    }
    value.to_owned()
}

/// The join form: a confirmation email whose link's button joins. The answer is the same
/// whether or not the address is a member already.
pub async fn request(
    State(state): State<AppState>,
    visitor: Visitor,
    jar: CookieJar,
    Path(slug): Path<String>,
    Form(form): Form<JoinForm>,
) -> AppResult<Response> {
    let (group, list) = open_list(&state, &slug).await?;
    let Some(list) = list else {
        return gone(
            &visitor,
            StatusCode::NOT_FOUND,
            &slug,
            "No list to join",
            NO_LIST,
        );
    };
    let mut errors = FormErrors::new();
    let name = limit(&form.name, 200, "name", &mut errors);
    let organization = limit(&form.organization, 200, "organization", &mut errors);
    if name.is_empty() {
        errors.add("name", "Enter your name.");
    }
    let email = match EmailAddress::parse(&form.email) {
        Ok(email) => Some(email),
        Err(message) => {
            errors.add("email", message);
            None
        }
    };
    let (Some(email), true) = (email, errors.is_empty()) else {
        let (_, page) = front_page(&state, &visitor, &jar, &slug, form, errors, None).await?;
        return unprocessable(page);
    };
    let now = state.clock.now();
    if !visitor.context.rate_limit_exempt
        && !JOIN_LIMIT
            .allow(&state.db, visitor.context.rate_key(), now)
            .await?
    {
        let problem = "Many requests to join came from your network in the last hour. Please wait a while and send the form again: what you typed is kept below.".to_owned();
        let (_, page) = front_page(
            &state,
            &visitor,
            &jar,
            &slug,
            form,
            FormErrors::new(),
            Some(problem),
        )
        .await?;
        return render_with(StatusCode::TOO_MANY_REQUESTS, page);
    }
    let token = request_token(
        &state.secret,
        &JoinRequest {
            t: group.id.uuid(),
            n: name.clone(),
            o: organization,
            e: email.as_str().to_owned(),
            x: (now + JOIN_REQUEST_VALID_FOR).unix_timestamp(),
        },
    );
    // One confirmation per address and hour, however often the form is sent.
    let mut conn = state.db.acquire().await?;
    mail::enqueue(
        &mut conn,
        Outgoing {
            tenant: Some(group.id.uuid()),
            idempotency_key: format!(
                "list-join:{}:{}:{}",
                group.id.uuid(),
                email.as_str().to_lowercase(),
                now.unix_timestamp() / 3600
            ),
            recipient: email.as_str(),
            message: ListJoinConfirm {
                list_name: list.name.clone(),
                name,
                link: state
                    .config
                    .link(&format!("/{slug}/list/join/confirm/{token}")),
            },
            send_at: now,
            bulk: false,
        },
    )
    .await?;
    Ok(Redirect::to(&format!("/{slug}/list?notice=members-join-sent")).into_response())
}

const LINK_GONE: &str = "This link does not work: it may be mistyped, or more than 7 days old. You can ask to join again from the list's page.";

/// `/{tenant}/list/join/confirm/{token}`: the rules and a Join button.
pub async fn confirm_page(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, token)): Path<(String, String)>,
) -> AppResult<Response> {
    let (group, list) = open_list(&state, &slug).await?;
    let Some(list) = list else {
        return gone(
            &visitor,
            StatusCode::NOT_FOUND,
            &slug,
            "No list to join",
            NO_LIST,
        );
    };
    let Some(request) = request_of_token(&state.secret, &token, group.id, state.clock.now()) else {
        return gone(
            &visitor,
            StatusCode::NOT_FOUND,
            &slug,
            "This link does not work",
            LINK_GONE,
        );
    };
    join_button_page(
        &visitor,
        &list,
        "You asked to join the list. Read its rules, then press the button.".into(),
        (&request.n, &request.o, &request.e),
        format!("/{slug}/list/join/confirm/{token}"),
    )
}

pub async fn confirm(
    State(state): State<AppState>,
    visitor: Visitor,
    jar: CookieJar,
    Path((slug, token)): Path<(String, String)>,
) -> AppResult<Response> {
    let (group, _) = open_list(&state, &slug).await?;
    let now = state.clock.now();
    let Some(request) = request_of_token(&state.secret, &token, group.id, now) else {
        return gone(
            &visitor,
            StatusCode::NOT_FOUND,
            &slug,
            "This link does not work",
            LINK_GONE,
        );
    };
    let mut tx = state.db.begin().await?;
    let joined = join_by_own_click(
        &mut tx,
        &state,
        group.id,
        &slug,
        &Joiner {
            name: &request.n,
            email: &request.e,
            organization: &request.o,
            how: JoinedHow::JoinPage,
            campaign_id: None,
            person_id: None,
        },
        now,
    )
    .await?;
    joined_response(&state, &visitor, jar, tx, &group, joined).await
}

// ---- The join link of member updates ------------------------------------------------------

const JOIN_LINK_GONE: &str = "This join link does not work: it may be mistyped, or the signature it was made for is gone. You can ask to join from the list's page.";

/// `/{tenant}/list/join/s/{signed}`: the signer's personal link from a member update.
pub async fn link_page(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, signed)): Path<(String, String)>,
) -> AppResult<Response> {
    let (group, list) = open_list(&state, &slug).await?;
    let Some(list) = list else {
        return gone(
            &visitor,
            StatusCode::NOT_FOUND,
            &slug,
            "No list to join",
            NO_LIST,
        );
    };
    let signer = match crate::signatures::list_join::signature_of_join_token(&state.secret, &signed)
    {
        Some(id) => {
            crate::signatures::store::list_join::signer_for_join(&state.db, group.id, id).await?
        }
        None => None,
    };
    let Some(signer) = signer else {
        return gone(
            &visitor,
            StatusCode::NOT_FOUND,
            &slug,
            "This link does not work",
            JOIN_LINK_GONE,
        );
    };
    join_button_page(
        &visitor,
        &list,
        "You signed a letter of this coalition. Its organizers keep a list for the signers: read its rules, and join if you wish.".into(),
        (&signer.name, &signer.organization, &signer.email),
        format!("/{slug}/list/join/s/{signed}"),
    )
}

pub async fn link_join(
    State(state): State<AppState>,
    visitor: Visitor,
    jar: CookieJar,
    Path((slug, signed)): Path<(String, String)>,
) -> AppResult<Response> {
    let (group, _) = open_list(&state, &slug).await?;
    let signer = match crate::signatures::list_join::signature_of_join_token(&state.secret, &signed)
    {
        Some(id) => {
            crate::signatures::store::list_join::signer_for_join(&state.db, group.id, id).await?
        }
        None => None,
    };
    let Some(signer) = signer else {
        return gone(
            &visitor,
            StatusCode::NOT_FOUND,
            &slug,
            "This link does not work",
            JOIN_LINK_GONE,
        );
    };
    let mut tx = state.db.begin().await?;
    let joined = join_by_own_click(
        &mut tx,
        &state,
        group.id,
        &slug,
        &Joiner {
            name: &signer.name,
            email: &signer.email,
            organization: &signer.organization,
            how: JoinedHow::JoinLink,
            campaign_id: Some(signer.campaign_id),
            person_id: None,
        },
        state.clock.now(),
    )
    .await?;
    joined_response(&state, &visitor, jar, tx, &group, joined).await
}

// ---- Invitations --------------------------------------------------------------------------

const INVITATION_GONE: &str = "This invitation does not work: it may be mistyped, expired, or replaced by a newer one. Ask the organizers for a new one, or ask to join from the list's page.";

async fn invitation_of(
    state: &AppState,
    group: &PublicGroup,
    token: &str,
) -> AppResult<
    Option<(
        store::InvitationRow,
        crate::outreach::store::BookPersonForList,
    )>,
> {
    if !crate::tokens::looks_like_token(token) {
        return Ok(None);
    }
    let Some(invitation) =
        store::invitation_by_token(&state.db, group.id, &crate::tokens::hash_token(token)).await?
    else {
        return Ok(None);
    };
    // An accepted invitation has done its work: it opens nothing more.
    if invitation.expires_at <= state.clock.now() || invitation.accepted_at.is_some() {
        return Ok(None);
    }
    let mut conn = state.db.acquire().await?;
    let person =
        crate::outreach::store::book_person_for_list(&mut conn, group.id, invitation.person_id)
            .await?;
    Ok(person.map(|p| (invitation, p)))
}

/// `/{tenant}/list/invitation/{token}`: the rules and a Join button.
pub async fn invitation_page(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, token)): Path<(String, String)>,
) -> AppResult<Response> {
    let (group, list) = open_list(&state, &slug).await?;
    let Some(list) = list else {
        return gone(
            &visitor,
            StatusCode::NOT_FOUND,
            &slug,
            "No list to join",
            NO_LIST,
        );
    };
    let Some((invitation, person)) = invitation_of(&state, &group, &token).await? else {
        return gone(
            &visitor,
            StatusCode::NOT_FOUND,
            &slug,
            "This invitation does not work",
            INVITATION_GONE,
        );
    };
    join_button_page(
        &visitor,
        &list,
        "The coalition's organizers invite you to their list. Read its rules, and join if you wish: the invitation alone does not put you on it.".into(),
        (&person.name, &person.organization, &invitation.email),
        format!("/{slug}/list/invitation/{token}"),
    )
}

pub async fn invitation_join(
    State(state): State<AppState>,
    visitor: Visitor,
    jar: CookieJar,
    Path((slug, token)): Path<(String, String)>,
) -> AppResult<Response> {
    let (group, _) = open_list(&state, &slug).await?;
    let Some((invitation, person)) = invitation_of(&state, &group, &token).await? else {
        return gone(
            &visitor,
            StatusCode::NOT_FOUND,
            &slug,
            "This invitation does not work",
            INVITATION_GONE,
        );
    };
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let joined = join_by_own_click(
        &mut tx,
        &state,
        group.id,
        &slug,
        &Joiner {
            name: &person.name,
            email: &invitation.email,
            organization: &person.organization,
            how: JoinedHow::Invitation,
            campaign_id: None,
            person_id: Some(invitation.person_id),
        },
        now,
    )
    .await?;
    if joined.is_some() {
        store::accept_invitation(&mut tx, group.id, invitation.id, now).await?;
    }
    joined_response(&state, &visitor, jar, tx, &group, joined).await
}
