//! The signature lifecycle through the real store and database: every (state, action)
//! pair ends where the consent rules say, or is refused and changes nothing.

use crate::support;

use support::TestApp;
use time::macros::datetime;
use undersigned::campaigns::store::{self as campaigns, CampaignInput};
use undersigned::signatures::store::{self, Actor, Inserted, NewSignature};
use undersigned::signatures::{Action, SignatureKind, SignatureSource, SignatureState};
use undersigned::tenancy::{self, TenantId, TenantSlug};
use uuid::Uuid;

use Action::*;
use SignatureState::*;

/// What each pair must do, written out here rather than read from the code's table.
/// `None`: refused. Rejections are listed by the state they were rejected from, since
/// undoing one must go back exactly there.
fn expected(from: Start, action: Action) -> Option<SignatureState> {
    match (from, action) {
        (Start::Is(Pending), Confirm) => Some(Confirmed),
        (Start::Is(Pending), ConfirmForApproval) => Some(AwaitingApproval),
        (Start::Is(Pending), Reject) => Some(Rejected),
        (Start::Is(Pending), Withdraw) => Some(Withdrawn),
        (Start::Is(AwaitingApproval), Approve) => Some(Confirmed),
        (Start::Is(AwaitingApproval), Reject) => Some(Rejected),
        (Start::Is(AwaitingApproval), Withdraw) => Some(Withdrawn),
        (Start::Is(Confirmed), Reject) => Some(Rejected),
        (Start::Is(Confirmed), Withdraw) => Some(Withdrawn),
        (Start::RejectedFrom(before), Restore) => Some(before),
        (Start::Is(Withdrawn), SignAgain) => Some(Pending),
        // Told of a reissue in advance: they decide, or the date passes without an opt-out.
        (Start::Is(Notified), Confirm) => Some(Confirmed),
        (Start::Is(Notified), ConfirmForApproval) => Some(AwaitingApproval),
        (Start::Is(Notified), Withdraw) => Some(Withdrawn),
        (Start::Is(Notified), NoticeLapsed) => Some(Confirmed),
        (Start::Is(Notified), NoticeVoided) => Some(Pending),
        _ => None,
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Start {
    Is(SignatureState),
    RejectedFrom(SignatureState),
}

const STARTS: [Start; 8] = [
    Start::Is(Pending),
    Start::Is(Notified),
    Start::Is(AwaitingApproval),
    Start::Is(Confirmed),
    Start::Is(Withdrawn),
    Start::RejectedFrom(Pending),
    Start::RejectedFrom(AwaitingApproval),
    Start::RejectedFrom(Confirmed),
];

/// How a signature that reaches `start` comes in: `Notified` only from a reissue that
/// carried it over by advance notice; everything else from the form.
fn source_for(start: Start) -> SignatureSource {
    match start {
        Start::Is(Notified) => SignatureSource::ReissueNotice,
        _ => SignatureSource::Form,
    }
}

/// The real steps that bring a new signature (see `source_for`) to `start`.
fn path_to(start: Start) -> Vec<Action> {
    match start {
        Start::Is(Pending) | Start::Is(Notified) => vec![],
        Start::Is(AwaitingApproval) => vec![ConfirmForApproval],
        Start::Is(Confirmed) => vec![Confirm],
        Start::Is(Withdrawn) => vec![Withdraw],
        Start::Is(Rejected) => unreachable!("rejections are listed by their earlier state"),
        Start::RejectedFrom(before) => {
            let mut steps = path_to(Start::Is(before));
            steps.push(Reject);
            steps
        }
    }
}

struct Row {
    state: SignatureState,
    confirmed: bool,
    events: i64,
}

async fn row(app: &TestApp, id: Uuid) -> Row {
    let (state, confirmed, events): (String, bool, i64) = sqlx::query_as(
        "SELECT state, confirmed_at IS NOT NULL,
                (SELECT count(*) FROM signature_events e WHERE e.signature_id = s.id)
         FROM signatures s WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    Row {
        state: SignatureState::parse(&state).unwrap(),
        confirmed,
        events,
    }
}

#[tokio::test]
async fn every_state_and_action_ends_where_the_consent_rules_say() {
    let app = TestApp::spawn().await;
    let now = datetime!(2026-11-25 12:00 UTC);
    let mut conn = app.db.acquire().await.unwrap();
    let tenant: TenantId = tenancy::create_tenant(
        &mut conn,
        &TenantSlug::parse("river").unwrap(),
        "River",
        now,
    )
    .await
    .unwrap();
    let input = CampaignInput {
        slug: "water".into(),
        title: "Water".into(),
        points: vec!["Clean water".into()],
        target: 10,
        allow_individuals: false,
        moderation: false,
        time_zone: "UTC".into(),
        soft_deadline: now + time::Duration::days(7),
        hard_deadline: now + time::Duration::days(14),
    };
    let campaign = campaigns::create(&mut conn, tenant, &input).await.unwrap();
    let organizer = Actor {
        name: "organizer Test",
        user_id: None,
        reason: "test",
    };
    let signer = Actor::signer("test");
    let scheduler = Actor {
        name: "scheduler",
        user_id: None,
        reason: "test",
    };
    let by = |action: Action| match action {
        Approve | Reject | Restore => &organizer,
        NoticeLapsed | NoticeVoided => &scheduler,
        _ => &signer,
    };

    let mut checked = 0;
    for (n, start) in STARTS.into_iter().enumerate() {
        for (m, action) in Action::ALL.into_iter().enumerate() {
            let signature = NewSignature {
                name: format!("Org {n}-{m}"),
                email: format!("s{n}-{m}@example.org"),
                ..NewSignature::new(SignatureKind::Organization, source_for(start))
            };
            let Inserted::Created(id) =
                store::insert(&mut conn, tenant, campaign, &signature, &signer, now)
                    .await
                    .unwrap()
            else {
                panic!("fresh names make fresh signatures")
            };
            for step in path_to(start) {
                let done = store::change_state(&mut conn, tenant, id, step, by(step), now)
                    .await
                    .unwrap();
                assert!(done.is_some(), "setting up {start:?}: {step:?} refused");
            }
            let before = row(&app, id).await;
            let result = store::change_state(&mut conn, tenant, id, action, by(action), now)
                .await
                .unwrap();
            let after = row(&app, id).await;
            match expected(start, action) {
                Some(to) => {
                    assert_eq!(result.map(|c| c.to), Some(to), "{start:?} + {action:?}");
                    assert_eq!(after.state, to, "{start:?} + {action:?}");
                    assert_eq!(
                        after.events,
                        before.events + 1,
                        "recorded: {start:?} + {action:?}"
                    );
                }
                None => {
                    assert_eq!(result, None, "{start:?} + {action:?} must be refused");
                    assert_eq!(
                        after.state, before.state,
                        "{start:?} + {action:?} changed it"
                    );
                    assert_eq!(after.events, before.events, "{start:?} + {action:?}");
                }
            }
            // Public only with the signer's own confirmation behind it.
            if after.state == Confirmed {
                assert!(
                    after.confirmed,
                    "{start:?} + {action:?}: listed without confirmation"
                );
            }
            let signer_confirmed = path_to(start)
                .iter()
                .chain(expected(start, action).map(|_| &action))
                .any(|a| a.gives_signer_consent());
            assert_eq!(
                after.confirmed, signer_confirmed,
                "{start:?} + {action:?}: confirmed_at"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, STARTS.len() * Action::ALL.len());

    // Another group's id opens nothing.
    let mut conn2 = app.db.acquire().await.unwrap();
    let other =
        tenancy::create_tenant(&mut conn2, &TenantSlug::parse("lake").unwrap(), "Lake", now)
            .await
            .unwrap();
    let any: Uuid = sqlx::query_scalar("SELECT id FROM signatures WHERE state = 'pending' LIMIT 1")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(
        store::change_state(&mut conn2, other, any, Confirm, &signer, now)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store::change_state(&mut conn2, tenant, any, Confirm, &signer, now)
            .await
            .unwrap()
            .map(|c| c.to),
        Some(Confirmed),
        "the rightful tenant can"
    );
}

/// The schema itself refuses rows that point across campaigns, whatever the code does.
#[tokio::test]
async fn no_row_can_point_across_campaigns() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    for slug in ["water", "air"] {
        let mut fields = support::campaigns::campaign_fields("Letter", slug);
        fields.retain(|(k, _)| *k != "host_signs");
        let r = owner.post_form("/app/river/campaigns/new", &fields).await;
        assert_eq!(r.status, 303);
    }
    let id_of = |sql: &'static str| {
        let db = app.db.clone();
        async move {
            sqlx::query_scalar::<_, Uuid>(sql)
                .fetch_one(&db)
                .await
                .unwrap()
        }
    };
    let water = id_of("SELECT id FROM campaigns WHERE slug = 'water'").await;
    let air_revision = id_of(
        "SELECT r.id FROM letter_revisions r JOIN campaigns c ON c.id = r.campaign_id WHERE c.slug = 'air'",
    )
    .await;
    let water_revision = id_of(
        "SELECT r.id FROM letter_revisions r JOIN campaigns c ON c.id = r.campaign_id WHERE c.slug = 'water'",
    )
    .await;
    let insert = |revision: Uuid, email: &'static str| {
        let db = app.db.clone();
        async move {
            sqlx::query(
                "INSERT INTO signatures (id, tenant_id, campaign_id, kind, name, name_key, sort_key, email, state, revision_id, created_at)
                 SELECT $1, tenant_id, id, 'organization', $4, $4, $4, $4, 'pending', $3, now() FROM campaigns WHERE id = $2",
            )
            .bind(Uuid::new_v4())
            .bind(water)
            .bind(revision)
            .bind(email)
            .execute(&db)
            .await
        }
    };
    let across = insert(air_revision, "x@example.org").await.unwrap_err();
    assert!(
        across
            .to_string()
            .contains("signatures_campaign_revision_fk"),
        "{across}"
    );
    insert(water_revision, "y@example.org")
        .await
        .expect("its own campaign's revision");

    let signature = id_of("SELECT id FROM signatures WHERE email = 'y@example.org'").await;
    let air = id_of("SELECT id FROM campaigns WHERE slug = 'air'").await;
    let referral = |campaign: Uuid| {
        let db = app.db.clone();
        async move {
            sqlx::query(
                "INSERT INTO referrals (id, tenant_id, campaign_id, signature_id, name, organization, email, created_at)
                 SELECT $1, tenant_id, $2, $3, 'Sam', '', '', now() FROM campaigns WHERE id = $2",
            )
            .bind(Uuid::new_v4())
            .bind(campaign)
            .bind(signature)
            .execute(&db)
            .await
        }
    };
    let across = referral(air).await.unwrap_err();
    assert!(
        across
            .to_string()
            .contains("referrals_campaign_signature_fk"),
        "{across}"
    );
    referral(water).await.expect("its own signature's campaign");
}

/// The schema keeps `notified` to signatures a reissue carried over by advance notice,
/// whatever the code does.
#[tokio::test]
async fn only_a_reissue_by_advance_notice_can_be_notified() {
    let app = TestApp::spawn().await;
    let owner = app.signup("river", "ana@river.example").await;
    support::campaigns::create_campaign(&owner, "river", "water", &[]).await;
    let host: Uuid = sqlx::query_scalar("SELECT id FROM signatures WHERE source = 'host'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let refused = sqlx::query("UPDATE signatures SET state = 'notified' WHERE id = $1")
        .bind(host)
        .execute(&app.db)
        .await;
    assert!(refused.is_err(), "a host signature cannot be notified");
    let allowed = sqlx::query(
        "UPDATE signatures SET state = 'notified', source = 'reissue_notice' WHERE id = $1",
    )
    .bind(host)
    .execute(&app.db)
    .await;
    assert!(
        allowed.is_ok(),
        "the check itself lets the rightful source through"
    );
}
