//! Helpers for campaign and signing tests: create and open campaigns as an organizer,
//! sign through the public form as a person would, confirm from the email.

use time::Duration;

use super::{Client, Response, TestApp};

pub const LETTER: &str =
    "# Dear Mayor\n\nWe, the undersigned, ask you to keep the river clean.\n\nSincerely,";

/// The value of a hidden or text input named `name` in a page.
pub fn input_value(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_owned())
}

pub fn campaign_fields<'a>(title: &'a str, slug: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("title", title),
        ("slug", slug),
        ("point", "Clean water is a right"),
        ("point", "Polluters pay"),
        ("target", "10"),
        ("who", "organizations_and_individuals"),
        ("time_zone", "UTC"),
        ("soft_deadline", "2026-12-09T17:00"),
        ("hard_deadline", "2026-12-16T17:00"),
        ("letter", LETTER),
        ("host_signs", "on"),
    ]
}

/// Creates a campaign in `tenant` (owner logged in) and returns its organizer path.
pub async fn create_campaign(
    owner: &Client,
    tenant: &str,
    slug: &str,
    extra: &[(&str, &str)],
) -> String {
    let title = format!("Keep the {slug} clean");
    let mut fields = campaign_fields(&title, slug);
    for (k, v) in extra {
        fields.retain(|(key, _)| key != k || *k == "point");
        fields.push((k, v));
    }
    let response = owner
        .post_form(&format!("/app/{tenant}/campaigns/new"), &fields)
        .await;
    assert_eq!(
        response.status, 303,
        "campaign not created: {}",
        response.body
    );
    format!("/app/{tenant}/campaigns/{slug}")
}

pub async fn set_status(owner: &Client, campaign_path: &str, action: &str) -> Response {
    owner
        .post_form(&format!("{campaign_path}/status"), &[("action", action)])
        .await
}

/// Creates and opens a campaign; returns (organizer path, public path).
pub async fn open_campaign(
    owner: &Client,
    tenant: &str,
    slug: &str,
    extra: &[(&str, &str)],
) -> (String, String) {
    let path = create_campaign(owner, tenant, slug, extra).await;
    let r = set_status(owner, &path, "open").await;
    assert_eq!(r.status, 303, "{}", r.body);
    (path, format!("/{tenant}/{slug}"))
}

/// Fills the public form the way a person does: loads it, takes a few seconds, sends it.
pub async fn sign(app: &TestApp, public_path: &str, fields: &[(&str, &str)]) -> Response {
    let signer = app.client();
    sign_with(app, &signer, public_path, fields).await
}

pub async fn sign_with(
    app: &TestApp,
    signer: &Client,
    public_path: &str,
    fields: &[(&str, &str)],
) -> Response {
    let individual = fields
        .iter()
        .any(|(k, v)| *k == "kind" && *v == "individual");
    let form = signer
        .get(&format!(
            "{public_path}/sign{}",
            if individual { "?as=individual" } else { "" }
        ))
        .await;
    assert_eq!(form.status, 200, "the form is open: {}", form.body);
    let started = input_value(&form.body, "started").expect("the form carries its start time");
    let revision = input_value(&form.body, "revision").unwrap_or_default();
    app.clock.advance(Duration::seconds(5));
    let mut all: Vec<(&str, &str)> = vec![("started", &started), ("revision", &revision)];
    all.extend_from_slice(fields);
    signer.post_form(&format!("{public_path}/sign"), &all).await
}

pub fn organization<'a>(name: &'a str, email: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("kind", "organization"),
        ("organization", name),
        ("website", ""),
        ("city", "Springfield"),
        ("size", "local"),
        ("contact_name", "Pat Doe"),
        ("contact_title", "Director"),
        ("email", email),
        ("authorized", "on"),
    ]
}

/// Signs as an organization and confirms from the emailed link.
pub async fn sign_and_confirm(app: &TestApp, public_path: &str, name: &str, email: &str) {
    let r = sign(app, public_path, &organization(name, email)).await;
    assert_eq!(r.status, 303, "signing failed: {}", r.body);
    confirm(app, email).await;
}

pub async fn confirm(app: &TestApp, email: &str) -> String {
    let link = app.link_mailed_to(email, "/signature/").await;
    let signer = app.client();
    let page = signer.get(&link).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let r = confirm_from(&signer, &link).await;
    assert_eq!(r.status, 303, "{}", r.body);
    link
}

/// Opens the signer's page and confirms the text it shows, as the button does.
pub async fn confirm_from(signer: &Client, link: &str) -> Response {
    let page = signer.get(link).await;
    let revision = input_value(&page.body, "revision").unwrap_or_default();
    let wording = input_value(&page.body, "wording").unwrap_or_default();
    signer
        .post_form(
            &format!("{link}/confirm"),
            &[("revision", &revision), ("wording", &wording)],
        )
        .await
}

/// The organization names on the public page, in the order shown.
pub fn listed_names(html: &str) -> Vec<String> {
    let Some(start) = html.find("class=\"signer-list\"") else {
        return Vec::new();
    };
    let list = &html[start..];
    let end = list.find("</ul>").unwrap_or(list.len());
    list[..end]
        .split("<span class=\"name\">")
        .skip(1)
        .map(|chunk| super::unescape(&chunk[..chunk.find("</span>").unwrap()]))
        .collect()
}

/// The text of a `<textarea name="…">` in a page.
pub fn input_textarea(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\"");
    let start = html.find(&marker).expect("the textarea is there");
    let open_end = html[start..].find('>').unwrap() + start + 1;
    let close = html[open_end..].find("</textarea>").unwrap() + open_end;
    super::unescape(&html[open_end..close])
}

/// The public page once a change can be on it, which must show what `ready` looks for.
/// New confirmations reach the cached page within `STALE_LIMIT` (the page is rendered
/// at most once per `RENDER_INTERVAL` while readers get the previous one; see
/// `signing::page_cache`), counted on the app's clock: the test moves the clock by the
/// limit and reads the page once. Removals are never served late: tests of those read
/// the page without this.
pub async fn public_page_once(
    app: &TestApp,
    public_path: &str,
    ready: impl Fn(&Response) -> bool,
) -> Response {
    app.clock.advance(
        Duration::try_from(undersigned::signing::page_cache::STALE_LIMIT)
            .expect("a second is a duration"),
    );
    let page = app.client().get(public_path).await;
    assert!(
        ready(&page),
        "{public_path} does not show the change one STALE_LIMIT later ({}): {}",
        page.status,
        page.body
    );
    page
}

/// Adds a prospect through the organizer's form (`fields` as the form names them);
/// returns the prospect's id.
pub async fn add_prospect_with(owner: &Client, path: &str, fields: &[(&str, &str)]) -> String {
    let r = owner
        .post_form(&format!("{path}/outreach/prospects/new"), fields)
        .await;
    assert_eq!(r.status, 303, "prospect not added: {}", r.body);
    let location = r.location().unwrap();
    let id = location.split("/prospects/").nth(1).unwrap();
    id.split('?').next().unwrap().to_owned()
}

/// Adds a prospect named `name` with one contact, Sam Lee at `email`; returns its id.
pub async fn add_prospect(owner: &Client, path: &str, name: &str, email: &str) -> String {
    add_prospect_with(
        owner,
        path,
        &[
            ("name", name),
            ("contact_name", "Sam Lee"),
            ("contact_email", email),
        ],
    )
    .await
}
