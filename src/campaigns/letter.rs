//! The letter: Markdown rendered safely, saved as immutable revisions, with history and
//! a readable diff between any two revisions.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::correction::{self, Verdict};
pub use super::diff::{compare, diff_lines, Comparison, DiffLine, DIFF_TIMEOUT, MAX_DIFF_LINES};
use super::letter_changes;
use super::lookup::CampaignPage;
use super::store::{self, Campaign, ChangeKind, Revision};
use crate::error::{AppError, AppResult};
use crate::signatures::consent;
use crate::signatures::store as signatures;
use crate::state::AppState;
use crate::tenancy::Member;
use crate::web::{render, render_with, Form, FormErrors, Layout, Path, Query};

pub const MAX_LETTER_LENGTH: usize = 100_000;

/// Markdown as pages and emails show it (one renderer, in `web`).
pub use crate::web::render_markdown;

#[derive(Template)]
#[template(path = "campaigns/letter.html")]
struct LetterPage {
    layout: Layout,
    campaign: Campaign,
    base: String,
    body: String,
    current: Option<Revision>,
    errors: FormErrors,
    preview: Option<String>,
    /// The form was opened on an older text: the text as it stands now.
    conflict: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LetterForm {
    body: String,
    action: String,
    /// For a letter people signed: "minor" or "substantive", chosen with the diff shown.
    change_kind: String,
    /// Days signers have to withdraw (minor) or to confirm the new text (substantive).
    days: String,
    /// What changed, in the organizers' words, as signers are told.
    note: String,
    /// The revision number the editor showed (see `base_number`).
    base_revision: String,
}

/// Days to respond to a change, when organizers do not say.
pub const MINOR_DAYS: i64 = 7;
pub const SUBSTANTIVE_DAYS: i64 = 14;

#[derive(Template)]
#[template(path = "campaigns/letter_change.html")]
struct ChangePage {
    layout: Layout,
    campaign: Campaign,
    base: String,
    body: String,
    current_number: i32,
    /// Signers whose consent covers the current text (listed, or awaiting approval).
    listed: i64,
    /// Signers who confirmed an earlier text or were rejected: not told, and listed
    /// again only once they confirm the text as it stands.
    others: i64,
    comparison: Comparison,
    /// Whether the new text changes any word: only if none may it be saved as a
    /// correction, without telling anyone.
    verdict: Verdict,
    change_kind: String,
    days: String,
    note: String,
    errors: FormErrors,
}

pub async fn edit_page(
    State(state): State<AppState>,
    CampaignPage { member, campaign }: CampaignPage,
) -> AppResult<Html<String>> {
    member.require_editor()?;
    let current = store::current_revision(&state.db, member.tenant_id, campaign.id).await?;
    render(LetterPage {
        layout: member.layout(format!("Letter — {}", campaign.title)),
        base: member.path(&format!("/campaigns/{}", campaign.slug)),
        body: current.as_ref().map(|r| r.body.clone()).unwrap_or_default(),
        current,
        campaign,
        errors: FormErrors::new(),
        preview: None,
        conflict: None,
    })
}

/// What the editor was opened on: the revision number in its hidden field ("0": no
/// letter yet). A form that names none is taken as made on the text as it stands.
fn base_number(form: &LetterForm) -> Option<i32> {
    form.base_revision.trim().parse().ok()
}

pub async fn save(
    State(state): State<AppState>,
    CampaignPage { member, campaign }: CampaignPage,
    Form(form): Form<LetterForm>,
) -> AppResult<Response> {
    member.require_editor()?;
    let current = store::current_revision(&state.db, member.tenant_id, campaign.id).await?;
    let mut errors = FormErrors::new();
    let body = form.body.replace("\r\n", "\n");
    if body.trim().is_empty() {
        errors.add("body", "Write the letter before saving it.");
    } else if body.chars().count() > MAX_LETTER_LENGTH {
        errors.add(
            "body",
            "Keep the letter under 100,000 characters: short letters are read.",
        );
    }
    let base = member.path(&format!("/campaigns/{}", campaign.slug));
    let current_number = current.as_ref().map_or(0, |r| r.number);
    let stale = base_number(&form).is_some_and(|n| n != current_number);
    // "edit": back from the change page to the editor, with the text typed there.
    if form.action == "preview" || form.action == "edit" || !errors.is_empty() || stale {
        let preview = (form.action == "preview" && errors.is_empty() && !stale)
            .then(|| render_markdown(&body));
        let status = if stale {
            StatusCode::CONFLICT
        } else if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        let page = LetterPage {
            layout: member.layout(format!("Letter — {}", campaign.title)),
            base,
            body,
            conflict: stale
                .then(|| current.as_ref().map(|r| render_markdown(&r.body)))
                .flatten(),
            current,
            campaign,
            errors,
            preview,
        };
        return render_with(status, page);
    }
    if current.as_ref().is_some_and(|r| r.body == body) {
        return Ok(
            Redirect::to(&format!("{base}/revisions?notice=letter-unchanged")).into_response(),
        );
    }
    // Once anyone has confirmed a text, a new one is a change to what they agreed to:
    // organizers say, with the diff in front of them, whether signers keep their consent
    // (minor) or must confirm it (substantive). Decided again under the consent lock.
    let change = match &current {
        Some(current) => change_step(&state, &member, &campaign, current, &form, &body).await?,
        None => Step::NoneNeeded,
    };
    let change = match change {
        Step::Ask(page) => return render_with(page.status, *page.page),
        Step::NoneNeeded => None,
        Step::Chosen(change) => Some(change),
    };
    // The changes signers are emailed, worked out before the lock is taken.
    let diff = match (&change, &current) {
        (Some(change), Some(current)) if change.kind != ChangeKind::Correction => {
            letter_changes::email_diff(current.body.clone(), body.clone()).await?
        }
        _ => Vec::new(),
    };
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    consent::lock_exclusive(&mut tx, campaign.id).await?;
    let (now_number, ever_confirmed) = (
        store::current_number_in(&mut tx, campaign.id).await?,
        signatures::ever_confirmed_count(&mut tx, member.tenant_id, campaign.id).await?,
    );
    if now_number != current_number {
        // Someone saved while this form was being sent: the text they saved is shown,
        // and what this organizer typed is kept.
        tx.rollback().await?;
        return conflict_page(&state, &member, campaign, base, body).await;
    }
    if change.is_none() && ever_confirmed > 0 {
        // Someone confirmed while this form was being sent: the change now concerns them.
        tx.rollback().await?;
        if let Some(current) = &current {
            if let Step::Ask(page) =
                change_step(&state, &member, &campaign, current, &form, &body).await?
            {
                return render_with(page.status, *page.page);
            }
        }
        return conflict_page(&state, &member, campaign, base, body).await;
    }
    if let (Some(change), Some(_)) = (change, current.as_ref()) {
        let told = letter_changes::save(&state, &mut tx, &member, &campaign, &body, &change, &diff)
            .await?;
        tx.commit().await?;
        let notice = match change.kind {
            ChangeKind::Substantive => "letter-saved-substantive",
            ChangeKind::Correction => "letter-saved-correction",
            _ => "letter-saved-minor",
        };
        return Ok(
            Redirect::to(&format!("{base}/revisions?notice={notice}&told={told}")).into_response(),
        );
    }
    let (revision_id, _) = store::add_revision(
        &mut tx,
        member.tenant_id,
        campaign.id,
        &body,
        (member.user.user_id, &member.user.name),
        now,
    )
    .await?;
    letter_changes::host_follows(&mut tx, member.tenant_id, campaign.id, revision_id, now).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("{base}/revisions?notice=letter-saved")).into_response())
}

/// The editor again, keeping what was typed, with the text as it stands now (someone
/// saved or confirmed since the form was opened): 409, nothing saved.
async fn conflict_page(
    state: &AppState,
    member: &Member,
    campaign: Campaign,
    base: String,
    body: String,
) -> AppResult<Response> {
    let current = store::current_revision(&state.db, member.tenant_id, campaign.id).await?;
    render_with(
        StatusCode::CONFLICT,
        LetterPage {
            layout: member.layout(format!("Letter — {}", campaign.title)),
            base,
            body,
            conflict: current.as_ref().map(|r| render_markdown(&r.body)),
            current,
            campaign,
            errors: FormErrors::new(),
            preview: None,
        },
    )
}

/// A page to answer before anything is saved, with its status.
struct AskPage {
    status: StatusCode,
    page: Box<ChangePage>,
}

/// Whether a new text needs the minor/substantive step, and what the form chose.
enum Step {
    NoneNeeded,
    Ask(AskPage),
    Chosen(letter_changes::Change),
}

/// Anyone who confirmed some text counts (awaiting approval and rejected too: approving
/// or restoring them later must not list them under words they were never shown).
async fn change_step(
    state: &AppState,
    member: &Member,
    campaign: &Campaign,
    current: &Revision,
    form: &LetterForm,
    body: &str,
) -> AppResult<Step> {
    let mut conn = state.db.acquire().await?;
    let ever_confirmed =
        signatures::ever_confirmed_count(&mut conn, member.tenant_id, campaign.id).await?;
    let holding = signatures::to_tell_count(
        &mut *conn,
        member.tenant_id,
        campaign.id,
        campaign.consent_from_revision,
    )
    .await?;
    drop(conn);
    if ever_confirmed == 0 {
        return Ok(Step::NoneNeeded);
    }
    let kind = match form.change_kind.as_str() {
        "minor" => Some(ChangeKind::Minor),
        "substantive" => Some(ChangeKind::Substantive),
        "correction" => Some(ChangeKind::Correction),
        _ => None,
    };
    // Judged against the text the form was opened on; the save checks under the lock
    // that it is still the current one, so the verdict holds for what is replaced.
    let verdict = correction::judge(&current.body, body);
    let mut errors = FormErrors::new();
    if let (Some(ChangeKind::Correction), Verdict::ChangesWords { reason }) = (kind, &verdict) {
        errors.add(
            "change_kind",
            format!(
                "This change cannot be saved without telling the signers, because words changed: {reason} Choose minor or substantive: signers are then emailed the changes."
            ),
        );
    }
    let days: Option<i64> = match form.days.trim().parse::<i64>() {
        // A correction asks nothing of anyone: no days to respond.
        _ if kind == Some(ChangeKind::Correction) => Some(0),
        Ok(d) if (1..=60).contains(&d) => Some(d),
        _ if kind.is_none() => None,
        _ if form.days.trim().is_empty() => Some(match kind {
            Some(ChangeKind::Substantive) => SUBSTANTIVE_DAYS,
            _ => MINOR_DAYS,
        }),
        _ => {
            errors.add("days", "Give signers 1 to 60 days.");
            None
        }
    };
    if form.note.chars().count() > 2000 {
        errors.add("note", "Keep the note under 2,000 characters.");
    }
    if let (Some(kind), Some(days), true) = (kind, days, errors.is_empty()) {
        return Ok(Step::Chosen(letter_changes::Change {
            kind,
            note: form.note.trim().to_owned(),
            respond_by: (kind != ChangeKind::Correction)
                .then(|| state.clock.now() + time::Duration::days(days)),
        }));
    }
    if kind.is_none() && form.action == "confirm_change" {
        errors.add(
            "change_kind",
            "Choose whether this change is minor or substantive.",
        );
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let comparison = compare(current.body.clone(), body.to_owned()).await?;
    Ok(Step::Ask(AskPage {
        status,
        page: Box::new(ChangePage {
            layout: member.layout(format!("Change the letter — {}", campaign.title)),
            base: member.path(&format!("/campaigns/{}", campaign.slug)),
            body: body.to_owned(),
            current_number: current.number,
            listed: holding,
            others: ever_confirmed - holding,
            comparison,
            verdict,
            change_kind: form.change_kind.clone(),
            days: form.days.clone(),
            note: form.note.clone(),
            errors,
            campaign: campaign.clone(),
        }),
    }))
}

#[derive(Template)]
#[template(path = "campaigns/history.html")]
struct HistoryPage {
    layout: Layout,
    campaign: Campaign,
    base: String,
    revisions: Vec<Revision>,
}

pub async fn history(
    State(state): State<AppState>,
    CampaignPage { member, campaign }: CampaignPage,
) -> AppResult<Html<String>> {
    let revisions = store::revisions(&state.db, member.tenant_id, campaign.id).await?;
    render(HistoryPage {
        layout: member.layout(format!("History — {}", campaign.title)),
        base: member.path(&format!("/campaigns/{}", campaign.slug)),
        campaign,
        revisions,
    })
}

#[derive(Template)]
#[template(path = "campaigns/revision.html")]
struct RevisionPage {
    layout: Layout,
    campaign: Campaign,
    base: String,
    revision: Revision,
    html: String,
    latest: i32,
}

/// The `{number}` of a revision in an organizer URL.
#[derive(Deserialize)]
pub struct RevisionInUrl {
    number: i32,
}

pub async fn show_revision(
    State(state): State<AppState>,
    CampaignPage { member, campaign }: CampaignPage,
    Path(RevisionInUrl { number }): Path<RevisionInUrl>,
) -> AppResult<Html<String>> {
    let revision = store::revision_by_number(&state.db, member.tenant_id, campaign.id, number)
        .await?
        .ok_or(AppError::NotFound)?;
    let latest = store::current_revision(&state.db, member.tenant_id, campaign.id)
        .await?
        .map(|r| r.number)
        .unwrap_or(0);
    render(RevisionPage {
        layout: member.layout(format!("Revision {} — {}", revision.number, campaign.title)),
        base: member.path(&format!("/campaigns/{}", campaign.slug)),
        html: render_markdown(&revision.body),
        campaign,
        revision,
        latest,
    })
}

#[derive(Deserialize)]
pub struct DiffQuery {
    from: Option<String>,
    to: Option<String>,
}

#[derive(Template)]
#[template(path = "campaigns/diff.html")]
struct DiffPage {
    layout: Layout,
    campaign: Campaign,
    base: String,
    from: Revision,
    to: Revision,
    comparison: Comparison,
    numbers: Vec<i32>,
}

pub async fn diff(
    State(state): State<AppState>,
    CampaignPage { member, campaign }: CampaignPage,
    Query(query): Query<DiffQuery>,
) -> AppResult<Html<String>> {
    let revisions = store::revisions(&state.db, member.tenant_id, campaign.id).await?;
    let pick = |raw: Option<&String>, default: Option<&Revision>| -> AppResult<Revision> {
        match raw.map(|r| r.trim()).filter(|r| !r.is_empty()) {
            Some(raw) => {
                let number: i32 = raw.parse().map_err(|_| AppError::NotFound)?;
                revisions
                    .iter()
                    .find(|r| r.number == number)
                    .cloned()
                    .ok_or(AppError::NotFound)
            }
            None => default.cloned().ok_or(AppError::NotFound),
        }
    };
    let to = pick(query.to.as_ref(), revisions.first())?;
    let from = pick(
        query.from.as_ref(),
        revisions
            .iter()
            .find(|r| r.number < to.number)
            .or(revisions.last()),
    )?;
    let comparison = compare(from.body.clone(), to.body.clone()).await?;
    render(DiffPage {
        layout: member.layout(format!("Changes — {}", campaign.title)),
        base: member.path(&format!("/campaigns/{}", campaign.slug)),
        comparison,
        numbers: revisions.iter().map(|r| r.number).collect(),
        campaign,
        from,
        to,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_renders_without_script() {
        let html = render_markdown("# Dear Mayor\n\n**We** ask.<script>alert(1)</script> [x](javascript:alert(2)) <img src=x onerror=alert(3)>");
        assert!(html.contains("<h1>Dear Mayor</h1>"));
        assert!(html.contains("<strong>We</strong>"));
        assert!(!html.contains("<script"));
        assert!(!html.contains("javascript:"));
        assert!(!html.contains("onerror"));
    }
}
