//! The public campaign page. It is rendered once per (campaign, public version, form
//! open or not) and served from memory; the signer list comes from the database already
//! in `signer_order`, straight off an index. `If-None-Match` gets 304.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::{public_campaign, SigningState};
use crate::campaigns::letter::render_markdown;
use crate::campaigns::store::{self as campaigns, Campaign, PublicCampaign};
use crate::campaigns::Status;
use crate::error::{AppError, AppResult};
use crate::signatures::store::{self as store, PublicSigner};
use crate::signatures::SignatureKind;
use crate::state::AppState;
use crate::tenancy::PublicTenantId;
use crate::web::{Layout, Path, Query};

struct CachedPage {
    version: i64,
    accepting: bool,
    body: Bytes,
}

#[derive(Default)]
pub struct PublicPageCache {
    pages: Mutex<HashMap<Uuid, Arc<CachedPage>>>,
}

impl PublicPageCache {
    fn get(&self, id: Uuid, version: i64, accepting: bool) -> Option<Bytes> {
        let pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        pages
            .get(&id)
            .filter(|p| p.version == version && p.accepting == accepting)
            .map(|p| p.body.clone())
    }

    fn put(&self, id: Uuid, version: i64, accepting: bool, body: Bytes) {
        let mut pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        if pages.len() >= 512 && !pages.contains_key(&id) {
            pages.clear();
        }
        pages.insert(
            id,
            Arc::new(CachedPage {
                version,
                accepting,
                body,
            }),
        );
    }
}

#[derive(Template)]
#[template(path = "signing/page.html")]
struct PublicPage<'a> {
    layout: Layout,
    campaign: &'a Campaign,
    group_name: &'a str,
    letter_html: String,
    organizations: Vec<PublicSigner>,
    individuals: Vec<PublicSigner>,
    accepting: bool,
    closed_by_deadline: bool,
    sign_path: String,
    page_url: String,
    description: String,
    older_revision: Option<i32>,
}

fn description(campaign: &Campaign) -> String {
    let text = campaign.points.join(" · ");
    let mut short: String = text.chars().take(200).collect();
    if text.chars().count() > 200 {
        short.push('…');
    }
    short
}

/// An open campaign's page works for anyone with the link but stays out of search
/// engines until the coalition is announced.
fn unlisted(campaign: &Campaign) -> bool {
    campaign.status == Status::Open
}

async fn render_page(
    state: &AppState,
    campaign: &Campaign,
    tenant: PublicTenantId,
    group_name: &str,
    path: &str,
    accepting: bool,
    older_revision: Option<i32>,
) -> AppResult<String> {
    let revision = campaigns::current_revision(&state.db, tenant, campaign.id).await?;
    let organizations =
        store::public_list(&state.db, tenant, campaign.id, SignatureKind::Organization).await?;
    let individuals = if campaign.allow_individuals {
        store::public_list(&state.db, tenant, campaign.id, SignatureKind::Individual).await?
    } else {
        Vec::new()
    };
    let mut layout = Layout::bare(&campaign.title);
    layout.noindex = unlisted(campaign);
    let page = PublicPage {
        layout,
        campaign,
        group_name,
        older_revision: older_revision.filter(|n| revision.as_ref().is_some_and(|r| *n < r.number)),
        letter_html: revision
            .map(|r| render_markdown(&r.body))
            .unwrap_or_default(),
        organizations,
        individuals,
        accepting,
        closed_by_deadline: campaign.closed_by_deadline(state.clock.now()),
        sign_path: format!("{path}/sign"),
        page_url: state.config.link(path),
        description: description(campaign),
    };
    Ok(page.render()?)
}

#[derive(Deserialize)]
pub struct PageQuery {
    revision: Option<String>,
}

pub async fn page(
    State(signing): State<SigningState>,
    Path((tenant_slug, campaign_slug)): Path<(String, String)>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let state = &signing.app;
    let PublicCampaign {
        campaign,
        tenant,
        group_name,
    } = public_campaign(state, &tenant_slug, &campaign_slug).await?;
    let path = format!("/{tenant_slug}/{}", campaign.slug);
    let accepting = campaign.accepting_signatures(state.clock.now());
    let noindex = unlisted(&campaign);

    // A link to an older revision shows the current text with a short notice; rare, so
    // not cached.
    let older_revision = query.revision.and_then(|r| r.parse::<i32>().ok());
    if older_revision.is_some() {
        let body = render_page(
            state,
            &campaign,
            tenant,
            &group_name,
            &path,
            accepting,
            older_revision,
        )
        .await?;
        return Ok(respond(body.into(), None, noindex));
    }

    let etag = format!(
        "\"v{}-{}-{}\"",
        campaign.public_version,
        u8::from(accepting),
        env!("CARGO_PKG_VERSION")
    );
    let etag_header = HeaderValue::from_str(&etag).map_err(|e| AppError::Internal(e.into()))?;
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|tag| tag.trim().trim_start_matches("W/") == etag)
        });
    if matches {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        response.headers_mut().insert(header::ETAG, etag_header);
        return Ok(response);
    }

    let body = match signing
        .pages
        .get(campaign.id, campaign.public_version, accepting)
    {
        Some(body) => body,
        None => {
            let body = Bytes::from(
                render_page(
                    state,
                    &campaign,
                    tenant,
                    &group_name,
                    &path,
                    accepting,
                    None,
                )
                .await?,
            );
            signing.pages.put(
                campaign.id,
                campaign.public_version,
                accepting,
                body.clone(),
            );
            body
        }
    };
    Ok(respond(body, Some(etag_header), noindex))
}

fn respond(body: Bytes, etag: Option<HeaderValue>, noindex: bool) -> Response {
    let mut response = (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        body,
    )
        .into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=0, must-revalidate"),
    );
    if let Some(etag) = etag {
        headers.insert(header::ETAG, etag);
    }
    if noindex {
        headers.insert("x-robots-tag", HeaderValue::from_static("noindex"));
    }
    response
}

/// Old links to a draft lead to the current text, with a notice.
pub async fn old_revision(
    State(state): State<AppState>,
    Path((tenant_slug, campaign_slug, number)): Path<(String, String, i32)>,
) -> AppResult<Response> {
    let PublicCampaign { campaign, .. } =
        public_campaign(&state, &tenant_slug, &campaign_slug).await?;
    Ok(Redirect::to(&format!(
        "/{tenant_slug}/{}?revision={number}",
        campaign.slug
    ))
    .into_response())
}
