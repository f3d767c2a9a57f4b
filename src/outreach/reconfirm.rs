//! The organizers' reminder to signers awaiting reconfirmation: after a substantive
//! change, those who confirmed an earlier text are not listed until they confirm the
//! current one. The reminder emails each their own link to it, within the same touch
//! limits as every other email, call and meeting (`rules::touch_problem`): the change's
//! own email counts as a touch, and so does a contact's outreach with the same address;
//! a signer who is a person of the book is also held to the group's limits (every
//! campaign and channel counted).

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use time::{Duration, OffsetDateTime};

use super::rules::{group_touch_problem, touch_problem};
use super::store::{self};
use super::ActivityKind;
use crate::campaigns::lookup::CampaignPage;
use crate::campaigns::store as campaigns;
use crate::error::AppResult;
use crate::mail::outbox;
use crate::signatures::store::{self as signatures, AwaitingReconfirmation};
use crate::signatures::ReconfirmReminder;
use crate::state::AppState;
use crate::tokens;

/// Why this signer gets no reminder now, if anything stops it.
fn held_back(
    signer: &AwaitingReconfirmation,
    contact: Option<&store::PersonByEmail>,
    told_at: OffsetDateTime,
    may_still_confirm: bool,
    settings: &store::Settings,
    now: OffsetDateTime,
) -> Option<String> {
    if signer.unreachable {
        return Some("no address is left to write to".into());
    }
    if !may_still_confirm {
        return Some("the date to confirm has passed and the form is closed".into());
    }
    // The change's own email is one touch; a contact's touches already include the
    // reminders logged on its prospect, a signer without one counts them here.
    let (touches, last) = match contact {
        Some(c) => (c.touches + 1, c.last_touch_at.max(Some(told_at))),
        None => (
            i32::try_from(signer.reminders).unwrap_or(i32::MAX) + 1,
            signer.last_reminded_at.max(Some(told_at)),
        ),
    };
    touch_problem(touches, last, settings, now)
}

/// `POST …/outreach/reconfirm-reminders`: reminds every signer awaiting reconfirmation
/// whom the touch limits allow, then shows the campaign page again.
pub async fn remind(
    State(state): State<AppState>,
    CampaignPage { member, campaign }: CampaignPage,
) -> AppResult<Response> {
    member.require_editor()?;
    let back = member.path(&format!("/campaigns/{}", campaign.slug));
    let Some(current) =
        campaigns::current_revision(&state.db, member.tenant_id, campaign.id).await?
    else {
        return Ok(Redirect::to(&back).into_response());
    };
    let settings = store::settings(&state.db, campaign.id).await?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let awaiting =
        signatures::awaiting_reconfirmation(&mut tx, member.tenant_id, campaign.id).await?;
    let emails: Vec<String> = awaiting.iter().map(|a| a.email.clone()).collect();
    let contacts = store::people_by_email(&mut tx, member.tenant_id, campaign.id, &emails).await?;
    let limits = store::book_settings(&mut tx, member.tenant_id.uuid()).await?;
    let people: Vec<uuid::Uuid> = contacts.iter().map(|c| c.contact_id).collect();
    let in_group = store::group_touches(&mut tx, member.tenant_id.uuid(), &people, now).await?;
    let mut reminded = 0;
    for signer in &awaiting {
        let contact = contacts
            .iter()
            .find(|c| c.email == signer.email.to_lowercase());
        let may_still_confirm =
            signer.respond_by.is_some_and(|by| now < by) || campaign.accepting_signatures(now);
        if held_back(
            signer,
            contact,
            current.created_at,
            may_still_confirm,
            &settings,
            now,
        )
        .is_some()
            || contact
                .and_then(|c| in_group.iter().find(|g| g.person_id == c.contact_id))
                .and_then(|g| group_touch_problem(g, &limits, now))
                .is_some()
        {
            continue;
        }
        let nth = signer.reminders + 1;
        // A second click finds the first one's row and sends nothing.
        if !signatures::record_reconfirm_reminder(&mut tx, signer.id, current.id, nth, now).await? {
            continue;
        }
        let token = tokens::new_token();
        let expires = campaign.hard_deadline.max(now + Duration::days(30));
        signatures::add_links(
            &mut tx,
            member.tenant_id,
            &[(signer.id, token.hash)],
            now,
            expires,
        )
        .await?;
        let message = ReconfirmReminder {
            campaign_title: campaign.title.clone(),
            group_name: member.tenant.name.clone(),
            signer_name: signer.name.clone(),
            revision: current.number,
            respond_by: signer
                .respond_by
                .filter(|by| now < *by)
                .map(|by| {
                    format!(
                        "by {}",
                        crate::campaigns::time_zones::display(by, &campaign.time_zone)
                    )
                })
                .unwrap_or_default(),
            link: state.config.link(&format!(
                "/{}/{}/signature/{}",
                member.tenant.slug, campaign.slug, token.token
            )),
        };
        outbox::enqueue_many(
            &mut tx,
            Some(member.tenant_id.uuid()),
            vec![(
                format!("reconfirm-reminder:{}:{}:{nth}", current.id, signer.id),
                signer.email.clone(),
                message,
            )],
            now,
            false,
        )
        .await?;
        if let Some(contact) = contact {
            store::record_by(
                &mut tx,
                &member,
                campaign.id,
                &store::MemberActivity {
                    prospect_id: contact.prospect_id,
                    contact_id: Some(contact.contact_id),
                    kind: ActivityKind::Reminder,
                    outcome: "",
                    body: &format!(
                        "Reminded to confirm the changed letter (revision {})",
                        current.number
                    ),
                },
                now,
            )
            .await?;
        }
        reminded += 1;
    }
    tx.commit().await?;
    let notice = if reminded > 0 {
        "reconfirm-reminded"
    } else {
        "reconfirm-none"
    };
    Ok(Redirect::to(&format!("{back}?notice={notice}#awaiting")).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;
    use uuid::Uuid;

    fn signer(reminders: i64, last: Option<OffsetDateTime>) -> AwaitingReconfirmation {
        AwaitingReconfirmation {
            id: Uuid::nil(),
            name: "Heron Watch".into(),
            contact_name: "Amira".into(),
            email: "amira@heron.example".into(),
            consent_revision: 1,
            respond_by: None,
            reminders,
            last_reminded_at: last,
            unreachable: false,
        }
    }

    #[test]
    fn the_change_email_and_each_reminder_count_as_touches() {
        let settings = store::Settings::default();
        let told = datetime!(2026-12-01 12:00 UTC);
        let now = datetime!(2026-12-02 12:00 UTC);
        // One day after the change's email: too soon.
        assert!(held_back(&signer(0, None), None, told, true, &settings, now).is_some());
        let later = datetime!(2026-12-05 12:00 UTC);
        assert_eq!(
            held_back(&signer(0, None), None, told, true, &settings, later),
            None
        );
        // Three reminders and the change's email: the limit of four is reached.
        let long_after = datetime!(2026-12-30 12:00 UTC);
        assert!(held_back(
            &signer(3, Some(later)),
            None,
            told,
            true,
            &settings,
            long_after
        )
        .unwrap()
        .contains("limit is 4"));
        assert!(held_back(&signer(0, None), None, told, false, &settings, later).is_some());
    }
}
