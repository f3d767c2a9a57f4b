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
    /// The number of the revision the page shows (0: no letter yet).
    revision: i32,
}

/// Where a link to an older revision gets its notice; an HTML comment in every page.
const NOTICE_MARKER: &str = "<!--older-revision-notice-->";

/// A page from the cache, and what it shows.
#[derive(Clone)]
struct Rendered {
    body: Bytes,
    revision: i32,
}

impl Rendered {
    /// The page with a notice that the link named an earlier draft: spliced into the
    /// cached page, so such links cost no render (and any number works, without a query).
    fn with_older_revision_notice(&self, number: i32) -> Bytes {
        let notice = format!(
            "<p class=\"notice\" role=\"status\">You followed a link to an earlier draft (revision {number}). The letter has changed since: this is its current text.</p>"
        );
        let body = &self.body[..];
        match body
            .windows(NOTICE_MARKER.len())
            .position(|w| w == NOTICE_MARKER.as_bytes())
        {
            Some(at) => {
                let mut out = Vec::with_capacity(body.len() + notice.len());
                out.extend_from_slice(&body[..at]);
                out.extend_from_slice(notice.as_bytes());
                out.extend_from_slice(&body[at + NOTICE_MARKER.len()..]);
                Bytes::from(out)
            }
            None => self.body.clone(),
        }
    }
}

#[derive(Default)]
pub struct PublicPageCache {
    pages: Mutex<HashMap<Uuid, Arc<CachedPage>>>,
}

impl PublicPageCache {
    fn get(&self, id: Uuid, version: i64, accepting: bool) -> Option<Rendered> {
        let pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        pages
            .get(&id)
            .filter(|p| p.version == version && p.accepting == accepting)
            .map(|p| Rendered {
                body: p.body.clone(),
                revision: p.revision,
            })
    }

    fn put(&self, id: Uuid, version: i64, accepting: bool, page: Rendered) {
        let mut pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        if pages.len() >= 512 && !pages.contains_key(&id) {
            pages.clear();
        }
        pages.insert(
            id,
            Arc::new(CachedPage {
                version,
                accepting,
                body: page.body,
                revision: page.revision,
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
) -> AppResult<Rendered> {
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
        letter_html: revision
            .as_ref()
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
    Ok(Rendered {
        body: Bytes::from(page.render()?),
        revision: revision.map_or(0, |r| r.number),
    })
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

    // A link to an older revision shows the current text with a short notice.
    let older_revision = query.revision.and_then(|r| r.trim().parse::<i32>().ok());

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

    let page = match signing
        .pages
        .get(campaign.id, campaign.public_version, accepting)
    {
        Some(page) => page,
        None => {
            let page = render_page(state, &campaign, tenant, &group_name, &path, accepting).await?;
            signing.pages.put(
                campaign.id,
                campaign.public_version,
                accepting,
                page.clone(),
            );
            page
        }
    };
    match older_revision {
        Some(number) if (1..page.revision).contains(&number) => Ok(respond(
            page.with_older_revision_notice(number),
            None,
            noindex,
        )),
        _ => Ok(respond(page.body, Some(etag_header), noindex)),
    }
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
