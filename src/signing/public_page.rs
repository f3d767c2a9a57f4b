//! The public campaign page, served from memory (`page_cache`): plain, gzip or brotli as
//! the client accepts, with an `ETag` (304 on `If-None-Match`). The signer list comes
//! from the database already in `signer_order`, straight off an index; organizations are
//! listed in full, individuals up to `INDIVIDUALS_ON_PAGE` (beyond that, by number with
//! a link to browse them page by page).

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::page_cache::{CachedPage, Lookup, Moment, Wanted};
use super::{public_campaign, SigningState};
use crate::campaigns::letter::render_markdown;
use crate::campaigns::store::{self as campaigns, Campaign, PublicCampaign};
use crate::campaigns::Status;
use crate::error::{AppError, AppResult};
use crate::signatures::store::{self as store, PublicSigner};
use crate::signatures::SignatureKind;
use crate::state::AppState;
use crate::statements::{store as statement_store, PublicStatement};
use crate::tenancy::PublicTenantId;
use crate::web::{Layout, Path, Query, Visitor};

/// Where a link to an older revision gets its notice; an HTML comment in every page.
const NOTICE_MARKER: &str = "<!--older-revision-notice-->";

/// Individuals listed on the page itself; beyond that, the page gives their number and
/// a link to browse them page by page.
pub const INDIVIDUALS_ON_PAGE: i64 = 500;

/// The page with a notice that the link named an earlier draft: spliced into the cached
/// page, so such links cost no render (and any number works, without a query).
fn with_older_revision_notice(plain: &Bytes) -> Bytes {
    let notice = "<p class=\"notice\" role=\"status\">You followed a link to an earlier version of the letter. It has changed since: this is its current text.</p>";
    match plain
        .windows(NOTICE_MARKER.len())
        .position(|w| w == NOTICE_MARKER.as_bytes())
    {
        Some(at) => {
            let mut out = Vec::with_capacity(plain.len() + notice.len());
            out.extend_from_slice(&plain[..at]);
            out.extend_from_slice(notice.as_bytes());
            out.extend_from_slice(&plain[at + NOTICE_MARKER.len()..]);
            Bytes::from(out)
        }
        None => plain.clone(),
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
    individual_count: i64,
    individuals_path: String,
    accepting: bool,
    closed_by_deadline: bool,
    /// "Sign by Friday 18 December", while a deadline is ahead.
    sign_by: Option<String>,
    sign_path: String,
    page_url: String,
    description: String,
    /// Approved statements of organizations that did not sign: a section of their own.
    statements: Vec<PublicStatement>,
    statement_path: String,
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

/// What one render needs, owned, so it can run apart from the request that started it.
struct RenderJob {
    state: AppState,
    campaign: Campaign,
    tenant: PublicTenantId,
    group_name: String,
    path: String,
    accepting: bool,
    /// The header: the public's (cached for everyone), or a logged-in organizer's own on
    /// their preview.
    layout: Option<Layout>,
}

/// Reads the page's data (signers straight off the partial index, in order), then
/// renders and compresses it off the async runtime.
async fn render_page(job: RenderJob) -> AppResult<CachedPage> {
    let RenderJob {
        state,
        campaign,
        tenant,
        group_name,
        path,
        accepting,
        layout,
    } = job;
    let (version, removals) = (campaign.public_version, campaign.public_removals);
    // One snapshot for the text and its lists: a save moves the revision and the consent
    // floor at once, and a name is listed only under a text its consent covers.
    let mut tx = crate::db::begin_snapshot(&state.db).await?;
    let (revision, floor) = campaigns::public_text(&mut tx, tenant, campaign.id).await?;
    let organizations = store::public_list(
        &mut *tx,
        tenant,
        campaign.id,
        floor,
        SignatureKind::Organization,
        0,
        i64::MAX,
    )
    .await?;
    let (individuals, individual_count) = if campaign.allow_individuals {
        let first = store::public_list(
            &mut *tx,
            tenant,
            campaign.id,
            floor,
            SignatureKind::Individual,
            0,
            INDIVIDUALS_ON_PAGE + 1,
        )
        .await?;
        let count = if (first.len() as i64) <= INDIVIDUALS_ON_PAGE {
            first.len() as i64
        } else {
            store::public_count(
                &mut *tx,
                tenant,
                campaign.id,
                floor,
                SignatureKind::Individual,
            )
            .await?
        };
        (first, count)
    } else {
        (Vec::new(), 0)
    };
    tx.commit().await?;
    let statements = statement_store::approved(&state.db, tenant, campaign.id).await?;
    let now = state.clock.now();
    let closed_by_deadline = campaign.closed_by_deadline(now);
    let sign_by = super::deadline::sign_by(&campaign, now);
    let page_url = state.config.link(&path);
    tokio::task::spawn_blocking(move || {
        let layout = match layout {
            // An organizer's preview is never for search engines.
            Some(organizers) => organizers,
            None => {
                let mut public = Layout::bare(&campaign.title).for_signers();
                public.noindex = unlisted(&campaign);
                public
            }
        };
        let individuals = if individual_count <= INDIVIDUALS_ON_PAGE {
            individuals
        } else {
            Vec::new()
        };
        let page = PublicPage {
            layout,
            campaign: &campaign,
            group_name: &group_name,
            letter_html: revision
                .as_ref()
                .map(|r| render_markdown(&r.body))
                .unwrap_or_default(),
            organizations,
            individuals,
            individual_count,
            individuals_path: format!("{path}/individuals"),
            accepting,
            closed_by_deadline,
            sign_by: sign_by.as_ref().map(|s| s.text.clone()),
            sign_path: format!("{path}/sign"),
            page_url,
            description: description(&campaign),
            statements,
            statement_path: format!("{path}/statement"),
        };
        let plain = Bytes::from(page.render()?);
        Ok(CachedPage::new(
            version,
            removals,
            accepting,
            revision.map_or(0, |r| r.number),
            plain,
        )
        .true_until(sign_by.map(|s| s.until)))
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))?
}

#[derive(Deserialize)]
pub struct PageQuery {
    revision: Option<String>,
}

/// Which bytes of a page a client takes.
#[derive(Clone, Copy, PartialEq)]
enum Encoding {
    Brotli,
    Gzip,
    Plain,
}

fn encoding(headers: &HeaderMap) -> Encoding {
    let accepted = headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|part| {
            let mut pieces = part.split(';');
            let name = pieces.next()?.trim().to_ascii_lowercase();
            let refused = pieces.any(|q| q.trim().replace(' ', "") == "q=0");
            (!refused).then_some(name)
        })
        .collect::<Vec<_>>();
    if accepted.iter().any(|e| e == "br") {
        Encoding::Brotli
    } else if accepted.iter().any(|e| e == "gzip") {
        Encoding::Gzip
    } else {
        Encoding::Plain
    }
}

/// `true_until`: the deadline the page names, so a copy naming a passed one is not
/// revalidated as current.
fn etag(
    version: i64,
    accepting: bool,
    true_until: Option<time::OffsetDateTime>,
    encoding: Encoding,
) -> String {
    let suffix = match encoding {
        Encoding::Brotli => "-br",
        Encoding::Gzip => "-gz",
        Encoding::Plain => "",
    };
    format!(
        "\"v{version}-{}-{}-{}{suffix}\"",
        u8::from(accepting),
        true_until.map_or(0, |at| at.unix_timestamp()),
        env!("CARGO_PKG_VERSION")
    )
}

/// How long a reader with no page to serve waits for the one render, at most.
const RENDER_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

pub async fn page(
    State(signing): State<SigningState>,
    Path((tenant_slug, campaign_slug)): Path<(String, String)>,
    Query(query): Query<PageQuery>,
    visitor: Visitor,
    headers: HeaderMap,
) -> AppResult<Response> {
    let state = &signing.app;
    // Before the campaign row is read: a page rendered for this reader shows at least
    // what was committed by now.
    let arrived = Moment::now(&*state.clock);
    let PublicCampaign {
        campaign,
        tenant,
        group_name,
    } = public_campaign(state, &tenant_slug, &campaign_slug).await?;
    // Before its release the page is nobody's to read but the organizers' (their preview);
    // everyone else is told when it will be.
    if campaign.release_pending() {
        return super::not_yet::not_yet(
            state,
            &visitor,
            &campaign,
            &group_name,
            &tenant_slug,
            super::not_yet::Unreleased::Letter,
        )
        .await;
    }
    let path = format!("/{tenant_slug}/{}", campaign.slug);
    // An earlier address of the campaign: the page lives at the current one.
    if campaign.slug != campaign_slug {
        return Ok(axum::response::Redirect::permanent(&path).into_response());
    }
    let accepting = campaign.accepting_signatures(state.clock.now());
    let noindex = unlisted(&campaign);
    // A link to an older revision shows the current text with a short notice.
    let older_revision = query.revision.and_then(|r| r.trim().parse::<i32>().ok());
    let encoding = encoding(&headers);

    let job = || RenderJob {
        state: state.clone(),
        campaign: campaign.clone(),
        tenant,
        group_name: group_name.clone(),
        path: path.clone(),
        accepting,
        layout: None,
    };
    let deadline = tokio::time::Instant::now() + RENDER_WAIT;
    let wanted = Wanted {
        version: campaign.public_version,
        removals: campaign.public_removals,
        accepting,
        arrived,
    };
    let page = loop {
        let waiting = match signing.pages.lookup(campaign.id, &wanted) {
            Lookup::Serve(page) => break page,
            Lookup::RenderAndWait(ticket) => {
                // The render runs apart from this request (and owns the ticket), so a
                // reader who leaves does not waste it for the others.
                let job = job();
                let render = tokio::spawn(async move {
                    let page = render_page(job).await?;
                    ticket.finish(page);
                    Ok::<(), AppError>(())
                });
                match render.await {
                    Ok(Ok(())) => continue,
                    Ok(Err(e)) => return Err(e),
                    Err(e) => return Err(AppError::Internal(e.into())),
                }
            }
            Lookup::Wait(rendered) => rendered,
        };
        if tokio::time::timeout_at(deadline, async {
            let _ = tokio::time::timeout(std::time::Duration::from_millis(50), waiting.notified())
                .await;
        })
        .await
        .is_err()
        {
            return Err(AppError::Unavailable(
                "the public page took too long to render".into(),
            ));
        }
    };

    if older_revision.is_some_and(|n| (1..page.revision).contains(&n)) {
        return Ok(respond(
            with_older_revision_notice(&page.plain),
            Encoding::Plain,
            None,
            noindex,
        ));
    }
    let served = etag(page.version, page.accepting, page.true_until, encoding);
    let current = etag(
        campaign.public_version,
        accepting,
        super::deadline::sign_by(&campaign, state.clock.now()).map(|s| s.until),
        encoding,
    );
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',').any(|tag| {
                let tag = tag.trim().trim_start_matches("W/");
                tag == served || tag == current
            })
        });
    let etag_header = HeaderValue::from_str(&served).map_err(|e| AppError::Internal(e.into()))?;
    if matches {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        response.headers_mut().insert(header::ETAG, etag_header);
        response
            .headers_mut()
            .insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
        return Ok(response);
    }
    let body = match encoding {
        Encoding::Brotli => page.brotli.clone(),
        Encoding::Gzip => page.gzip.clone(),
        Encoding::Plain => page.plain.clone(),
    };
    Ok(respond(body, encoding, Some(etag_header), noindex))
}

fn respond(body: Bytes, encoding: Encoding, etag: Option<HeaderValue>, noindex: bool) -> Response {
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
    headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    match encoding {
        Encoding::Brotli => {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("br"));
        }
        Encoding::Gzip => {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        }
        Encoding::Plain => {}
    }
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

/// The page as it will read once released, for the group's organizers (never cached,
/// never shown to anyone else), with a banner saying so.
pub async fn preview(
    state: &AppState,
    campaign: Campaign,
    tenant: PublicTenantId,
    group_name: String,
    tenant_slug: &str,
    layout: Layout,
) -> AppResult<Bytes> {
    let path = format!("/{tenant_slug}/{}", campaign.slug);
    let accepting = campaign.accepting_signatures(state.clock.now());
    let release = campaign
        .release_at
        .map(|at| crate::campaigns::time_zones::display(at, &campaign.time_zone));
    let press_preview = (!campaign.press_release.trim().is_empty()).then(|| {
        format!(
            " <a href=\"/app/{tenant_slug}/campaigns/{}/preview/press\">Preview the press release</a>.",
            campaign.slug
        )
    });
    let page = render_page(RenderJob {
        state: state.clone(),
        campaign,
        tenant,
        group_name,
        path,
        accepting,
        layout: Some(layout),
    })
    .await?;
    let banner = format!(
        "<p class=\"notice\" role=\"status\">Preview for the organizers: the public cannot see this page{}.{}</p>",
        release.map(|at| format!(" until its release, {at}")).unwrap_or_default(),
        press_preview.unwrap_or_default()
    );
    let plain = &page.plain;
    Ok(
        match plain
            .windows(NOTICE_MARKER.len())
            .position(|w| w == NOTICE_MARKER.as_bytes())
        {
            Some(at) => {
                let mut out = Vec::with_capacity(plain.len() + banner.len());
                out.extend_from_slice(&plain[..at]);
                out.extend_from_slice(banner.as_bytes());
                out.extend_from_slice(&plain[at + NOTICE_MARKER.len()..]);
                Bytes::from(out)
            }
            None => plain.clone(),
        },
    )
}
