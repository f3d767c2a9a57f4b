//! A member's own side: signing in without a password (an emailed magic link, single use,
//! 30 minutes, at most three an hour per member like password resets, and the same answer
//! whether or not the address is a member), their page (rules, archive, delivery, resume
//! after a bounce, posting address, leave, sign out), and leaving from a list email's
//! link: a GET shows a page with a button, a POST leaves at once (RFC 8058's one click,
//! which carries no CSRF token: `web::context` exempts the path).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;
use time::Duration;

use super::emails::ListSigninLink;
use super::joining::{gone, open_list, post_address};
use crate::coalition::model::Delivery;
use crate::coalition::store::{self, ListMember, ListSettings};
use crate::coalition::{links, member_auth};
use crate::error::AppResult;
use crate::mail::{self, EmailAddress, Outgoing};
use crate::state::AppState;
use crate::tenancy::PublicGroup;
use crate::tokens;
use crate::web::{
    render, render_markdown, render_with, unprocessable, Form, FormErrors, Layout, Path, RateLimit,
    Visitor,
};

/// How long a sign-in link works.
pub const SIGNIN_VALID_FOR: Duration = Duration::minutes(30);
/// Sign-in links one member may be sent per hour (as password resets).
pub const MAX_SIGNIN_LINKS_PER_HOUR: i64 = 3;
/// Sign-in requests per client address.
pub const SIGNIN_LIMIT: RateLimit = RateLimit {
    scope: "list-signin",
    max: 20,
    window: Duration::minutes(15),
};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SigninForm {
    pub email: String,
}

#[derive(Template)]
#[template(path = "coalition/members/signin.html")]
struct SigninPage {
    layout: Layout,
    slug: String,
    list_name: String,
    form: SigninForm,
    errors: FormErrors,
    problem: Option<&'static str>,
}

fn signin_view(
    visitor: &Visitor,
    group: &PublicGroup,
    list: Option<&ListSettings>,
    form: SigninForm,
    errors: FormErrors,
    problem: Option<&'static str>,
) -> SigninPage {
    let list_name = list
        .map(|l| l.name.clone())
        .unwrap_or_else(|| format!("{}'s list", group.name));
    SigninPage {
        layout: visitor
            .layout(format!("Sign in to {list_name}"))
            .for_signers(),
        slug: group.slug.clone(),
        list_name,
        form,
        errors,
        problem,
    }
}

pub async fn signin_page(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> AppResult<Html<String>> {
    let (group, list) = open_list(&state, &slug).await?;
    render(signin_view(
        &visitor,
        &group,
        list.as_ref(),
        SigninForm::default(),
        FormErrors::new(),
        None,
    ))
}

pub async fn signin(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
    Form(form): Form<SigninForm>,
) -> AppResult<Response> {
    let (group, list) = open_list(&state, &slug).await?;
    let email = match EmailAddress::parse(&form.email) {
        Ok(email) => email,
        Err(message) => {
            let mut errors = FormErrors::new();
            errors.add("email", message);
            return unprocessable(signin_view(
                &visitor,
                &group,
                list.as_ref(),
                form,
                errors,
                None,
            ));
        }
    };
    let now = state.clock.now();
    if !visitor.context.rate_limit_exempt
        && !SIGNIN_LIMIT
            .allow(&state.db, visitor.context.rate_key(), now)
            .await?
    {
        let page = signin_view(
            &visitor,
            &group,
            list.as_ref(),
            form,
            FormErrors::new(),
            Some("Many sign-in requests came from your network in the last few minutes. Please wait a quarter of an hour, then ask again."),
        );
        return render_with(StatusCode::TOO_MANY_REQUESTS, page);
    }
    // The answer is the same whether or not the address is a member.
    let mut tx = state.db.begin().await?;
    if let Some(member) =
        store::member_by_email_for_update(&mut tx, group.id, email.as_str()).await?
    {
        let recent =
            store::signin_links_since(&mut tx, member.id, now - Duration::hours(1)).await?;
        if recent < MAX_SIGNIN_LINKS_PER_HOUR {
            let token = tokens::new_token();
            store::create_signin_link(
                &mut tx,
                group.id,
                member.id,
                &token.hash,
                now,
                now + SIGNIN_VALID_FOR,
            )
            .await?;
            mail::enqueue(
                &mut tx,
                Outgoing {
                    tenant: Some(member.tenant_id),
                    idempotency_key: format!("list-signin:{}", tokens::hex(&token.hash)),
                    recipient: &member.email,
                    message: ListSigninLink {
                        list_name: list
                            .as_ref()
                            .map(|l| l.name.clone())
                            .unwrap_or_else(|| group.name.clone()),
                        name: member.name.clone(),
                        link: state
                            .config
                            .link(&format!("/{slug}/list/signin/{}", token.token)),
                    },
                    send_at: now,
                    bulk: false,
                },
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(Redirect::to(&format!("/{slug}/list/signin?notice=members-signin-sent")).into_response())
}

#[derive(Template)]
#[template(path = "coalition/members/signin_link.html")]
struct SigninLinkPage {
    layout: Layout,
    action: String,
}

const SIGNIN_GONE: &str =
    "This sign-in link does not work: each link works once, for 30 minutes. Ask for a new one.";

/// `/{tenant}/list/signin/{token}`: a page with a "Sign in" button; the GET spends nothing.
pub async fn signin_link_page(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, token)): Path<(String, String)>,
) -> AppResult<Response> {
    let (group, _) = open_list(&state, &slug).await?;
    let usable = tokens::looks_like_token(&token)
        && store::signin_link_usable(
            &state.db,
            group.id,
            &tokens::hash_token(&token),
            state.clock.now(),
        )
        .await?;
    if !usable {
        return gone(
            &visitor,
            StatusCode::GONE,
            &slug,
            "This sign-in link does not work",
            SIGNIN_GONE,
        );
    }
    render_with(
        StatusCode::OK,
        SigninLinkPage {
            layout: visitor.layout("Sign in to the list").for_signers(),
            action: format!("/{slug}/list/signin/{token}"),
        },
    )
}

/// Spends the link and starts the member's session; a bounce is cleared (the member just
/// proved the address receives mail).
pub async fn signin_with_link(
    State(state): State<AppState>,
    visitor: Visitor,
    jar: CookieJar,
    Path((slug, token)): Path<(String, String)>,
) -> AppResult<Response> {
    let (group, _) = open_list(&state, &slug).await?;
    if !tokens::looks_like_token(&token) {
        return gone(
            &visitor,
            StatusCode::GONE,
            &slug,
            "This sign-in link does not work",
            SIGNIN_GONE,
        );
    }
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let member = match store::spend_signin_link(&mut tx, group.id, &tokens::hash_token(&token), now)
        .await?
    {
        Some(id) => store::member_in(&mut tx, group.id, id).await?,
        None => None,
    };
    let Some(member) = member else {
        tx.rollback().await?;
        return gone(
            &visitor,
            StatusCode::GONE,
            &slug,
            "This sign-in link does not work",
            SIGNIN_GONE,
        );
    };
    store::clear_bounce(&mut tx, group.id, member.id).await?;
    let cookie =
        member_auth::start_session(&mut tx, &visitor, group.id, &slug, &member, now).await?;
    tx.commit().await?;
    Ok((jar.add(cookie), Redirect::to(&format!("/{slug}/list/me"))).into_response())
}

// ---- The member's page ----------------------------------------------------------------------

#[derive(Template)]
#[template(path = "coalition/members/me.html")]
struct MePage {
    layout: Layout,
    slug: String,
    list_name: String,
    rules_html: String,
    member: ListMember,
    post_address: String,
    deliveries: Vec<(&'static str, &'static str)>,
    bouncing_since: Option<String>,
}

/// The member signed in here for the group of the URL, or the sign-in page to go to.
async fn signed_in_member(
    state: &AppState,
    jar: &CookieJar,
    slug: &str,
) -> AppResult<Result<(PublicGroup, Option<ListSettings>, ListMember), Response>> {
    let (group, list) = open_list(state, slug).await?;
    match member_auth::signed_in(state, jar, group.id, state.clock.now()).await? {
        Some(member) => Ok(Ok((group, list, member))),
        None => Ok(Err(
            Redirect::to(&format!("/{slug}/list/signin")).into_response()
        )),
    }
}

/// `/{tenant}/list/me`.
pub async fn me(
    State(state): State<AppState>,
    visitor: Visitor,
    jar: CookieJar,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    let (group, list, member) = match signed_in_member(&state, &jar, &slug).await? {
        Ok(found) => found,
        Err(to_signin) => return Ok(to_signin),
    };
    let list_name = list
        .as_ref()
        .map(|l| l.name.clone())
        .unwrap_or_else(|| format!("{}'s list", group.name));
    render_with(
        StatusCode::OK,
        MePage {
            layout: visitor.layout(list_name.clone()).for_signers(),
            slug,
            rules_html: list
                .as_ref()
                .map(|l| render_markdown(&l.rules))
                .unwrap_or_default(),
            list_name,
            post_address: post_address(&state, &member),
            deliveries: [Delivery::Each, Delivery::Digest, Delivery::ArchiveOnly]
                .into_iter()
                .map(|d| (d.as_str(), d.label()))
                .collect(),
            bouncing_since: member.bouncing_since.map(|at| crate::web::format_date(&at)),
            member,
        },
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeliveryForm {
    pub delivery: String,
}

pub async fn delivery(
    State(state): State<AppState>,
    jar: CookieJar,
    Path(slug): Path<String>,
    Form(form): Form<DeliveryForm>,
) -> AppResult<Response> {
    let (group, _, member) = match signed_in_member(&state, &jar, &slug).await? {
        Ok(found) => found,
        Err(to_signin) => return Ok(to_signin),
    };
    let Some(choice) = Delivery::parse(form.delivery.trim()) else {
        return Err(crate::error::AppError::BadRequest(
            "Choose each message, a daily digest, or no mail.".into(),
        ));
    };
    store::set_delivery(&state.db, group.id, member.id, choice).await?;
    Ok(Redirect::to(&format!("/{slug}/list/me?notice=members-delivery-saved")).into_response())
}

pub async fn resume(
    State(state): State<AppState>,
    jar: CookieJar,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    let (group, _, member) = match signed_in_member(&state, &jar, &slug).await? {
        Ok(found) => found,
        Err(to_signin) => return Ok(to_signin),
    };
    let mut conn = state.db.acquire().await?;
    store::clear_bounce(&mut conn, group.id, member.id).await?;
    Ok(Redirect::to(&format!("/{slug}/list/me?notice=members-resumed")).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LeaveForm {
    pub confirm: String,
}

/// Leaving from the member's page (with a confirmation box).
pub async fn leave_from_page(
    State(state): State<AppState>,
    visitor: Visitor,
    jar: CookieJar,
    Path(slug): Path<String>,
    Form(form): Form<LeaveForm>,
) -> AppResult<Response> {
    let (group, _, member) = match signed_in_member(&state, &jar, &slug).await? {
        Ok(found) => found,
        Err(to_signin) => return Ok(to_signin),
    };
    if form.confirm != "yes" {
        return Ok(
            Redirect::to(&format!("/{slug}/list/me?notice=members-leave-unconfirmed"))
                .into_response(),
        );
    }
    leave_now(&state, &group, &member).await?;
    let gone_cookie = member_auth::end_session(&state, &jar, &visitor, &slug).await?;
    Ok((
        jar.add(gone_cookie),
        Redirect::to(&format!("/{slug}/list?notice=members-left")),
    )
        .into_response())
}

async fn leave_now(state: &AppState, group: &PublicGroup, member: &ListMember) -> AppResult<()> {
    let mut tx = state.db.begin().await?;
    if let Some(person) = store::leave(&mut tx, group.id, member.id).await? {
        crate::outreach::store::set_on_coalition_list(&mut tx, group.id, person, false).await?;
    }
    tx.commit().await?;
    Ok(())
}

pub async fn signout(
    State(state): State<AppState>,
    visitor: Visitor,
    jar: CookieJar,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    let gone_cookie = member_auth::end_session(&state, &jar, &visitor, &slug).await?;
    Ok((
        jar.add(gone_cookie),
        Redirect::to(&format!("/{slug}/list?notice=members-signed-out")),
    )
        .into_response())
}

// ---- Leaving from a list email ------------------------------------------------------------

#[derive(Template)]
#[template(path = "coalition/members/leave.html")]
struct LeavePage {
    layout: Layout,
    slug: String,
    list_name: String,
    email: Option<String>,
    action: String,
    left: bool,
}

const LEAVE_GONE: &str = "This leave link is not right: it may have been cut or mistyped. Use the link in a recent list email, or sign in to your page to leave.";

/// `/{tenant}/list/leave/{token}` GET: a page with a button (mail scanners follow links).
pub async fn leave_page(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, token)): Path<(String, String)>,
) -> AppResult<Response> {
    let group = crate::tenancy::public_group(&state.db, &slug)
        .await?
        .ok_or(crate::error::AppError::NotFound)?;
    let Some(id) = links::member_of_leave_token(&state.secret, &token) else {
        return gone(
            &visitor,
            StatusCode::NOT_FOUND,
            &slug,
            "This link does not work",
            LEAVE_GONE,
        );
    };
    let member = store::member(&state.db, group.id, id).await?;
    let list_name = store::list(&state.db, group.id)
        .await?
        .map(|l| l.name)
        .unwrap_or_else(|| format!("{}'s list", group.name));
    render_with(
        StatusCode::OK,
        LeavePage {
            layout: visitor.layout(format!("Leave {list_name}")).for_signers(),
            slug: slug.clone(),
            list_name,
            left: member.is_none(),
            email: member.map(|m| m.email),
            action: format!("/{slug}/list/leave/{token}"),
        },
    )
}

/// The POST leaves at once, whatever its body: a person's button, or a mail program's
/// `List-Unsubscribe=One-Click` (RFC 8058) with no cookie and no CSRF token.
pub async fn leave(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, token)): Path<(String, String)>,
) -> AppResult<Response> {
    let group = crate::tenancy::public_group(&state.db, &slug)
        .await?
        .ok_or(crate::error::AppError::NotFound)?;
    let Some(id) = links::member_of_leave_token(&state.secret, &token) else {
        return gone(
            &visitor,
            StatusCode::NOT_FOUND,
            &slug,
            "This link does not work",
            LEAVE_GONE,
        );
    };
    if let Some(member) = store::member(&state.db, group.id, id).await? {
        leave_now(&state, &group, &member).await?;
    }
    let list_name = store::list(&state.db, group.id)
        .await?
        .map(|l| l.name)
        .unwrap_or_else(|| format!("{}'s list", group.name));
    render_with(
        StatusCode::OK,
        LeavePage {
            layout: visitor
                .layout(format!("You left {list_name}"))
                .for_signers(),
            slug: slug.clone(),
            list_name,
            email: None,
            action: format!("/{slug}/list/leave/{token}"),
            left: true,
        },
    )
}
