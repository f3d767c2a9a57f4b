//! `GET …/outreach/export.csv`: every prospect with its organization's people, in columns the import
//! reads back (export, then import, gives the same prospects and contacts).

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::campaigns::lookup::CampaignPage;
use crate::campaigns::time_zones;
use crate::error::{AppError, AppResult};
use crate::outreach::{store, Size, Stage};
use crate::signatures::csv::neutralize;
use crate::state::AppState;
use crate::tenancy::Member;

/// The columns of the export; the import guesses each of them back (status, dates of
/// touches and counts are the log's, not the file's: they are not imported).
pub const EXPORT_COLUMNS: [&str; 20] = [
    "organization",
    "website",
    "size",
    "parent",
    "tags",
    "owner",
    "sensitivity",
    "notes",
    "status",
    "on hold reason",
    "hold until",
    "next follow-up",
    "last touch",
    "referred by",
    "contact name",
    "role",
    "email",
    "phone",
    "bounced",
    "touches",
];

/// One row per contact, one row for a prospect without any.
pub async fn export(
    State(state): State<AppState>,
    CampaignPage { member, campaign }: CampaignPage,
) -> AppResult<Response> {
    let today = time_zones::local_date(state.clock.now(), &campaign.time_zone);
    let rows = store::export_rows(&state.db, member.tenant_id, campaign.id).await?;
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut writer = csv::Writer::from_writer(&mut out);
        writer
            .write_record(EXPORT_COLUMNS)
            .map_err(|e| AppError::Internal(e.into()))?;
        for r in rows {
            let stage = Stage::of(
                r.status,
                r.signed,
                crate::outreach::hold_lasts(&r.hold_reason, r.hold_until, today),
            );
            let has_contact = r.contact_id.is_some();
            let fields: [String; 20] = [
                r.name,
                r.website,
                Size::parse(&r.size)
                    .map(|s| s.label().to_owned())
                    .unwrap_or_default(),
                r.parent_name.unwrap_or_default(),
                r.tags.join(", "),
                r.owner_email.unwrap_or_default(),
                r.sensitivity,
                r.notes,
                stage.label().to_owned(),
                r.hold_reason,
                r.hold_until.map(|d| d.to_string()).unwrap_or_default(),
                r.next_follow_up.map(|d| d.to_string()).unwrap_or_default(),
                r.last_touch_at
                    .map(|t| crate::web::iso8601(&t))
                    .unwrap_or_default(),
                r.referred_by,
                r.contact_name.unwrap_or_default(),
                r.role.unwrap_or_default(),
                r.email.unwrap_or_default(),
                r.phone.unwrap_or_default(),
                match (has_contact, r.bounced_at) {
                    (false, _) => String::new(),
                    (true, Some(_)) => "yes".into(),
                    (true, None) => "no".into(),
                },
                r.touches.map(|n| n.to_string()).unwrap_or_default(),
            ];
            writer
                .write_record(fields.iter().map(|f| neutralize(f)))
                .map_err(|e| AppError::Internal(e.into()))?;
        }
        writer.flush().map_err(|e| AppError::Internal(e.into()))?;
    }
    let disposition = format!("attachment; filename=\"{}-prospects.csv\"", campaign.slug);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        out,
    )
        .into_response())
}

/// The columns of the book's export: the organizations' own fields and their people, in
/// names the import guesses back; the campaigns that have each one are listed, not read
/// back.
pub const BOOK_EXPORT_COLUMNS: [&str; 18] = [
    "organization",
    "website",
    "size",
    "region",
    "parent",
    "tags",
    "owner",
    "sensitivity",
    "notes",
    "on hold reason",
    "hold until",
    "last touch",
    "campaigns",
    "contact name",
    "role",
    "email",
    "phone",
    "bounced",
];

/// `GET /app/{tenant}/book/export.csv`: every organization of the book with its people,
/// one row per person (one row for an organization without any); every cell made safe
/// for spreadsheets, as the campaign's export.
pub async fn book_export(State(state): State<AppState>, member: Member) -> AppResult<Response> {
    let rows = store::book_export_rows(&state.db, member.tenant_id).await?;
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut writer = csv::Writer::from_writer(&mut out);
        writer
            .write_record(BOOK_EXPORT_COLUMNS)
            .map_err(|e| AppError::Internal(e.into()))?;
        for r in rows {
            let has_contact = r.contact_id.is_some();
            let fields: [String; 18] = [
                r.name,
                r.website,
                Size::parse(&r.size)
                    .map(|s| s.label().to_owned())
                    .unwrap_or_default(),
                r.region,
                r.parent_name.unwrap_or_default(),
                r.tags.join(", "),
                r.owner_email.unwrap_or_default(),
                r.sensitivity,
                r.notes,
                r.hold_reason,
                r.hold_until.map(|d| d.to_string()).unwrap_or_default(),
                r.last_touch_at
                    .map(|t| crate::web::iso8601(&t))
                    .unwrap_or_default(),
                r.campaigns.join("; "),
                r.contact_name.unwrap_or_default(),
                r.role.unwrap_or_default(),
                r.email.unwrap_or_default(),
                r.phone.unwrap_or_default(),
                match (has_contact, r.bounced_at) {
                    (false, _) => String::new(),
                    (true, Some(_)) => "yes".into(),
                    (true, None) => "no".into(),
                },
            ];
            writer
                .write_record(fields.iter().map(|f| neutralize(f)))
                .map_err(|e| AppError::Internal(e.into()))?;
        }
        writer.flush().map_err(|e| AppError::Internal(e.into()))?;
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"address-book.csv\"".to_owned(),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        out,
    )
        .into_response())
}
