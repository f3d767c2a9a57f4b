//! Prospects from a spreadsheet and back: CSV import (column mapping, preview, per-row
//! errors, all rows or none) and export.
//!
//! The import has three steps, and the file travels between them in the page itself (a
//! hidden field), so nothing is kept on the server until the last one:
//! 1. `POST …/import` with the file (multipart): the columns, each with a guessed target;
//! 2. `POST …/import` with the chosen targets (a form): every row checked, with its
//!    errors and possible duplicates;
//! 3. `POST …/import/confirm`: everything checked again, then every row in one
//!    transaction, or nothing.
//!
//! Rows naming the same organization (by folded name) are one prospect with several
//! contacts: a spreadsheet with one row per decision-maker is the common case.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::Row;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::store::{self, ContactInput, Origin, ProspectInput};
use super::{PipelineStatus, Size, Stage};
use crate::campaigns::lookup::campaign_of;
use crate::campaigns::store::Campaign;
use crate::campaigns::time_zones;
use crate::error::{AppError, AppResult};
use crate::mail::EmailAddress;
use crate::signatures::csv::neutralize;
use crate::signatures::names::{name_key, normalize_website};
use crate::state::AppState;
use crate::tenancy::Member;
use crate::web::{is_forbidden_control, render, render_with, unprocessable, Form, Layout, Path};

/// At most this many rows in one file.
pub const MAX_ROWS: usize = 5_000;
/// At most this many bytes in one file.
pub const MAX_BYTES: usize = 2 * 1024 * 1024;

const MAX_NAME: usize = 200;
const MAX_WEBSITE: usize = 500;
const MAX_NOTE: usize = 2_000;
const MAX_PHONE: usize = 40;
const MAX_TAG: usize = 50;
const MAX_TAGS: usize = 20;

/// What a column of the file becomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Ignore,
    Name,
    Website,
    Size,
    Parent,
    Tags,
    Owner,
    Sensitivity,
    ContactName,
    ContactRole,
    ContactEmail,
    ContactPhone,
}

impl Target {
    pub const ALL: [Target; 12] = [
        Target::Ignore,
        Target::Name,
        Target::Website,
        Target::Size,
        Target::Parent,
        Target::Tags,
        Target::Owner,
        Target::Sensitivity,
        Target::ContactName,
        Target::ContactRole,
        Target::ContactEmail,
        Target::ContactPhone,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Target::Ignore => "ignore",
            Target::Name => "name",
            Target::Website => "website",
            Target::Size => "size",
            Target::Parent => "parent",
            Target::Tags => "tags",
            Target::Owner => "owner",
            Target::Sensitivity => "sensitivity",
            Target::ContactName => "contact_name",
            Target::ContactRole => "contact_role",
            Target::ContactEmail => "contact_email",
            Target::ContactPhone => "contact_phone",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Target::Ignore => "Ignore this column",
            Target::Name => "Organization name (required)",
            Target::Website => "Website",
            Target::Size => "Size (local, regional, national, international)",
            Target::Parent => "Parent organization (its name)",
            Target::Tags => "Tags (separated by commas)",
            Target::Owner => "Owner (an organizer's email)",
            Target::Sensitivity => "Sensitivity note",
            Target::ContactName => "Contact: name",
            Target::ContactRole => "Contact: role",
            Target::ContactEmail => "Contact: email",
            Target::ContactPhone => "Contact: phone",
        }
    }

    /// How errors name the cell.
    fn noun(self) -> &'static str {
        match self {
            Target::Ignore => "ignored column",
            Target::Name => "organization name",
            Target::Website => "website",
            Target::Size => "size",
            Target::Parent => "parent organization",
            Target::Tags => "tags",
            Target::Owner => "owner",
            Target::Sensitivity => "sensitivity note",
            Target::ContactName => "contact name",
            Target::ContactRole => "contact role",
            Target::ContactEmail => "contact email",
            Target::ContactPhone => "contact phone",
        }
    }

    pub fn parse(key: &str) -> Option<Target> {
        Self::ALL.into_iter().find(|t| t.key() == key)
    }

    /// Cells that hold one line of text (only the sensitivity note may have several).
    fn single_line(self) -> bool {
        !matches!(self, Target::Sensitivity | Target::Ignore)
    }
}

/// The target a column name suggests, if any ("name" alone is decided by `guess`).
fn guess_one(header: &str) -> Option<Target> {
    let folded: String = header
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    let words: Vec<&str> = folded.split_whitespace().collect();
    let normalized = words.join(" ");
    let exact = match normalized.as_str() {
        "organization" | "organisation" | "organization name" | "organisation name" | "org"
        | "org name" | "organizations" | "organisations" | "group" | "group name" | "company"
        | "company name" | "prospect" | "prospect name" => Some(Target::Name),
        "website" | "web site" | "web" | "url" | "site" | "homepage" | "home page" | "www"
        | "web address" | "website url" => Some(Target::Website),
        "size" | "reach" | "scope" | "organization size" | "organisation size" => {
            Some(Target::Size)
        }
        "parent"
        | "parent organization"
        | "parent organisation"
        | "parent org"
        | "parent name"
        | "chapter of"
        | "network"
        | "federation"
        | "umbrella" => Some(Target::Parent),
        "tags" | "tag" | "labels" | "label" | "categories" | "category" | "keywords" => {
            Some(Target::Tags)
        }
        "owner" | "owner email" | "organizer" | "organiser" | "organizer email"
        | "organiser email" | "assigned to" | "assignee" | "responsible" => Some(Target::Owner),
        "sensitivity" | "sensitivity note" | "sensitivities" | "sensitive" => {
            Some(Target::Sensitivity)
        }
        "contact" | "contact name" | "contact person" | "person" | "decision maker"
        | "full name" => Some(Target::ContactName),
        "role" | "title" | "position" | "job title" | "contact role" | "contact title"
        | "function" => Some(Target::ContactRole),
        "email" | "e mail" | "email address" | "e mail address" | "mail" | "contact email"
        | "contact e mail" => Some(Target::ContactEmail),
        "phone" | "telephone" | "tel" | "mobile" | "phone number" | "contact phone" | "cell" => {
            Some(Target::ContactPhone)
        }
        _ => None,
    };
    if exact.is_some() {
        return exact;
    }
    let has = |w: &str| words.contains(&w);
    if has("parent") {
        Some(Target::Parent)
    } else if has("email") || has("mail") {
        if has("owner") || has("organizer") || has("organiser") {
            Some(Target::Owner)
        } else {
            Some(Target::ContactEmail)
        }
    } else if has("phone") || has("telephone") || has("mobile") {
        Some(Target::ContactPhone)
    } else if has("website") || has("url") {
        Some(Target::Website)
    } else if has("tags") || has("tag") {
        Some(Target::Tags)
    } else if has("role") || has("position") || has("title") {
        Some(Target::ContactRole)
    } else if has("contact") {
        Some(Target::ContactName)
    } else if has("organization") || has("organisation") {
        Some(Target::Name)
    } else {
        None
    }
}

/// A target for each column from its name; each target goes to the first column that
/// suggests it. "Name" is the organization's unless another column names it.
pub fn guess(headers: &[String]) -> Vec<Target> {
    let suggested: Vec<Option<Target>> = headers.iter().map(|h| guess_one(h)).collect();
    let org_elsewhere = suggested.contains(&Some(Target::Name));
    let mut taken = Vec::new();
    headers
        .iter()
        .zip(suggested)
        .map(|(header, suggestion)| {
            let target = match suggestion {
                Some(t) => t,
                None if header.trim().eq_ignore_ascii_case("name") => {
                    if org_elsewhere {
                        Target::ContactName
                    } else {
                        Target::Name
                    }
                }
                None => Target::Ignore,
            };
            if target == Target::Ignore || taken.contains(&target) {
                Target::Ignore
            } else {
                taken.push(target);
                target
            }
        })
        .collect()
}

/// The file, read as CSV: the column names and each row's cells.
pub struct Table {
    pub headers: Vec<String>,
    /// (spreadsheet row number, cells); the first line is row 1, empty rows are skipped.
    pub rows: Vec<(usize, Vec<String>)>,
}

/// A cell with a problem found before any column is chosen.
pub struct CellError {
    pub row: usize,
    pub message: String,
}

/// Why a file cannot be read at all, or the cells that make it unusable.
pub enum Unreadable {
    File(String),
    Cells(Vec<CellError>),
}

/// A cell as written by the export: a leading apostrophe only kept a formula from running.
fn unneutralize(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => cell,
    }
}

pub fn parse_table(text: &str) -> Result<Table, Unreadable> {
    let text = text.trim_start_matches('\u{feff}');
    if text.trim().is_empty() {
        return Err(Unreadable::File("The file is empty.".into()));
    }
    // Browsers send a textarea's line breaks as CR LF: the file's own size counts.
    if text.bytes().filter(|b| *b != b'\r').count() > MAX_BYTES {
        return Err(Unreadable::File(too_large()));
    }
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| {
            Unreadable::File(format!(
                "The first line could not be read as CSV column names ({e})."
            ))
        })?
        .iter()
        .map(str::to_owned)
        .collect();
    if headers.iter().all(|h| h.is_empty()) {
        return Err(Unreadable::File(
            "The first line must name the columns (such as \"organization\", \"email\").".into(),
        ));
    }
    let mut cell_errors = Vec::new();
    let column_name = |i: usize| column_label(&headers, i);
    for (i, h) in headers.iter().enumerate() {
        if h.chars().any(is_forbidden_control) {
            cell_errors.push(CellError {
                row: 1,
                message: format!(
                    "the name of {} contains an invisible control character (such as a NUL byte)",
                    column_name(i)
                ),
            });
        }
    }
    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let row = index + 2;
        let record = record.map_err(|e| {
            Unreadable::File(format!(
                "Row {row} is not valid CSV ({e}). Save the spreadsheet as CSV and try again."
            ))
        })?;
        if record.iter().all(str::is_empty) {
            continue;
        }
        if rows.len() >= MAX_ROWS {
            return Err(Unreadable::File(format!(
                "The file has more than {} rows. Import at most {} at a time: split the file and import each part.",
                thousands(MAX_ROWS),
                thousands(MAX_ROWS)
            )));
        }
        let cells: Vec<String> = record
            .iter()
            .map(|cell| unneutralize(cell).to_owned())
            .collect();
        for (i, cell) in cells.iter().enumerate() {
            if cell.chars().any(is_forbidden_control) {
                cell_errors.push(CellError {
                    row,
                    message: format!(
                        "the cell under {} contains an invisible control character (such as a NUL byte) that cannot be stored",
                        column_name(i)
                    ),
                });
            }
        }
        rows.push((row, cells));
    }
    if !cell_errors.is_empty() {
        return Err(Unreadable::Cells(cell_errors));
    }
    if rows.is_empty() {
        return Err(Unreadable::File(
            "The file has column names but no rows.".into(),
        ));
    }
    Ok(Table { headers, rows })
}

fn column_label(headers: &[String], i: usize) -> String {
    match headers.get(i).map(String::as_str) {
        Some(h) if !h.is_empty() => format!("\"{h}\""),
        _ => format!("column {}", i + 1),
    }
}

pub(super) fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn too_large() -> String {
    format!(
        "The file is larger than 2 MB. Import at most {} rows at a time: split the file and import each part.",
        thousands(MAX_ROWS)
    )
}

/// The chosen targets, checked: the organization's name once, every target at most once.
pub fn check_mapping(headers: &[String], keys: &[String]) -> Result<Vec<Target>, String> {
    if keys.len() != headers.len() {
        return Err(
            "The choices did not match the file's columns. Choose a field for each column again."
                .into(),
        );
    }
    let mut targets = Vec::with_capacity(keys.len());
    for key in keys {
        targets.push(
            Target::parse(key)
                .ok_or_else(|| "Choose a field from the list for each column.".to_owned())?,
        );
    }
    for target in Target::ALL.into_iter().skip(1) {
        let columns: Vec<String> = targets
            .iter()
            .enumerate()
            .filter(|(_, t)| **t == target)
            .map(|(i, _)| column_label(headers, i))
            .collect();
        if columns.len() > 1 {
            return Err(format!(
                "\"{}\" is chosen for {} columns ({}): choose it for one column only.",
                target.label(),
                columns.len(),
                columns.join(", ")
            ));
        }
    }
    if !targets.contains(&Target::Name) {
        return Err("Choose the column that holds the organization's name.".into());
    }
    Ok(targets)
}

/// A prospect already in the campaign, as the checks need it.
pub struct Existing {
    pub id: Uuid,
    pub name: String,
    pub name_key: String,
    pub domain: String,
}

/// What the checks compare rows with.
pub struct Context {
    pub existing: Vec<Existing>,
    /// Owners and organizers of the group: (user id, lowercased email).
    pub organizers: Vec<(Uuid, String)>,
}

/// One row as the preview shows it.
pub struct RowView {
    pub row: usize,
    pub organization: String,
    pub website: String,
    pub contact: String,
    pub errors: Vec<String>,
    pub duplicate: Option<String>,
    /// Another contact of the organization first named on that row.
    pub same_as: Option<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ParentRef {
    Existing(Uuid),
    /// Another organization of the file (its index among the groups).
    InFile(usize),
}

/// One organization of the file: one prospect, with the contacts of all its rows.
struct Group {
    key: String,
    first_row: usize,
    name: String,
    website: Option<(String, usize)>,
    size: Option<(Size, usize)>,
    owner: Option<(Uuid, String, usize)>,
    sensitivity: Option<(String, usize)>,
    /// (as written, folded, row)
    parent: Option<(String, String, usize)>,
    tags: Vec<String>,
    contacts: Vec<(ContactInput, usize)>,
    resolved_parent: Option<ParentRef>,
}

/// The checked file: every row with its problems, and what would be written.
pub struct Plan {
    pub rows: Vec<RowView>,
    groups: Vec<Group>,
}

impl Plan {
    pub fn error_rows(&self) -> usize {
        self.rows.iter().filter(|r| !r.errors.is_empty()).count()
    }

    /// Each error with its row, in row order.
    pub fn errors(&self) -> Vec<(usize, &str)> {
        self.rows
            .iter()
            .flat_map(|r| r.errors.iter().map(move |e| (r.row, e.as_str())))
            .collect()
    }

    pub fn prospects(&self) -> usize {
        self.groups.len()
    }

    pub fn contacts(&self) -> usize {
        self.groups.iter().map(|g| g.contacts.len()).sum()
    }

    pub fn duplicates(&self) -> usize {
        self.rows.iter().filter(|r| r.duplicate.is_some()).count()
    }

    /// Parents before their chapters, so each chapter can name its parent's id.
    fn insert_order(&self) -> Vec<usize> {
        let depth = |mut g: usize| {
            let mut depth = 0;
            while let Some(ParentRef::InFile(parent)) = self.groups[g].resolved_parent {
                depth += 1;
                g = parent;
                if depth > self.groups.len() {
                    break;
                }
            }
            depth
        };
        let mut order: Vec<usize> = (0..self.groups.len()).collect();
        order.sort_by_key(|g| (depth(*g), *g));
        order
    }
}

fn group_key(name: &str) -> String {
    let key = name_key(name);
    if key.is_empty() {
        name.trim().to_lowercase()
    } else {
        key
    }
}

/// Keeps the first value a field is given for an organization; a different one on a later
/// row of the same organization is an error (which one would be right?).
fn merge_value<T: PartialEq + Clone>(
    slot: &mut Option<(T, usize)>,
    value: Option<T>,
    row: usize,
    what: &str,
    shown: impl Fn(&T) -> String,
    errors: &mut Vec<String>,
) {
    let Some(value) = value else { return };
    match slot {
        None => *slot = Some((value, row)),
        Some((kept, kept_row)) if *kept != value => errors.push(format!(
            "the {what} \"{}\" differs from row {kept_row} (\"{}\") for the same organization: use one",
            shown(&value),
            shown(kept)
        )),
        Some(_) => {}
    }
}

/// Checks every row against the mapping, the campaign's prospects and the group's
/// organizers. Pure: nothing is read or written here.
pub fn plan(table: &Table, targets: &[Target], context: &Context) -> Plan {
    let column_of = |target: Target| targets.iter().position(|t| *t == target);
    let mut rows: Vec<RowView> = Vec::with_capacity(table.rows.len());
    let mut groups: Vec<Group> = Vec::new();
    let mut group_of_key: HashMap<String, usize> = HashMap::new();
    // Row index → group index, for the duplicate and parent checks.
    let mut row_group: Vec<Option<usize>> = Vec::with_capacity(table.rows.len());

    for (row, cells) in &table.rows {
        let row = *row;
        let mut errors = Vec::new();
        let cell = |target: Target| -> String {
            column_of(target)
                .and_then(|i| cells.get(i))
                .map(|c| c.trim().to_owned())
                .unwrap_or_default()
        };
        if cells.len() > table.headers.len()
            && cells[table.headers.len()..]
                .iter()
                .any(|c| !c.trim().is_empty())
        {
            errors.push(format!(
                "the row has {} cells but the first line names {} columns (a comma inside a cell needs quotes around the cell)",
                cells.len(),
                table.headers.len()
            ));
        }
        for target in Target::ALL.into_iter().skip(1) {
            let value = cell(target);
            if value.chars().any(is_forbidden_control) {
                errors.push(format!(
                    "the {} contains an invisible control character (such as a NUL byte)",
                    target.noun()
                ));
            } else if target.single_line() && value.contains(['\n', '\r', '\t']) {
                errors.push(format!(
                    "the {} contains a line break or a tab",
                    target.noun()
                ));
            }
        }

        let name = cell(Target::Name);
        if name.is_empty() {
            errors.push("the organization name is missing".into());
        } else if name.chars().count() > MAX_NAME {
            errors.push(format!(
                "the organization name is longer than {MAX_NAME} characters"
            ));
        }

        let raw_website = cell(Target::Website);
        let website = if raw_website.is_empty() {
            None
        } else if raw_website.chars().count() > MAX_WEBSITE {
            errors.push(format!(
                "the website is longer than {MAX_WEBSITE} characters"
            ));
            None
        } else {
            match normalize_website(&raw_website) {
                Ok(w) => Some(w),
                Err(_) => {
                    errors.push(format!(
                        "\"{raw_website}\" is not a website address (write it like river.org)"
                    ));
                    None
                }
            }
        };

        let raw_size = cell(Target::Size);
        let size = if raw_size.is_empty() {
            None
        } else {
            let size = Size::parse(&raw_size.to_lowercase());
            if size.is_none() {
                errors.push(format!(
                    "the size \"{raw_size}\" is not local, regional, national or international"
                ));
            }
            size
        };

        let raw_owner = cell(Target::Owner);
        let owner = if raw_owner.is_empty() {
            None
        } else {
            let wanted = raw_owner.to_lowercase();
            match context
                .organizers
                .iter()
                .find(|(_, email)| *email == wanted)
            {
                Some((id, email)) => Some((*id, email.clone())),
                None => {
                    errors.push(format!(
                        "the owner \"{raw_owner}\" is not the email of an owner or organizer of this group"
                    ));
                    None
                }
            }
        };

        let sensitivity = cell(Target::Sensitivity);
        if sensitivity.chars().count() > MAX_NOTE {
            errors.push(format!(
                "the sensitivity note is longer than {} characters",
                thousands(MAX_NOTE)
            ));
        }

        let parent = cell(Target::Parent);
        if parent.chars().count() > MAX_NAME {
            errors.push(format!(
                "the parent organization is longer than {MAX_NAME} characters"
            ));
        }

        let mut tags: Vec<String> = Vec::new();
        for tag in cell(Target::Tags)
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            if tag.chars().count() > MAX_TAG {
                errors.push(format!(
                    "the tag \"{tag}\" is longer than {MAX_TAG} characters"
                ));
            } else if !tags.iter().any(|t| t.eq_ignore_ascii_case(tag)) {
                tags.push(tag.to_owned());
            }
        }
        if tags.len() > MAX_TAGS {
            errors.push(format!("more than {MAX_TAGS} tags"));
        }

        let contact_name = cell(Target::ContactName);
        let contact_role = cell(Target::ContactRole);
        let raw_email = cell(Target::ContactEmail);
        let contact_phone = cell(Target::ContactPhone);
        if contact_name.chars().count() > MAX_NAME {
            errors.push(format!(
                "the contact name is longer than {MAX_NAME} characters"
            ));
        }
        if contact_role.chars().count() > MAX_NAME {
            errors.push(format!(
                "the contact role is longer than {MAX_NAME} characters"
            ));
        }
        let email = if raw_email.is_empty() {
            None
        } else {
            match EmailAddress::parse(&raw_email) {
                Ok(e) => Some(e.as_str().to_owned()),
                Err(_) => {
                    errors.push(format!("\"{raw_email}\" is not an email address"));
                    None
                }
            }
        };
        if contact_phone.chars().count() > MAX_PHONE {
            errors.push(format!(
                "the contact phone is longer than {MAX_PHONE} characters"
            ));
        } else if !contact_phone
            .chars()
            .all(|c| c.is_ascii_digit() || " +-()./".contains(c))
        {
            errors.push(format!(
                "the phone \"{contact_phone}\" may hold only digits, spaces and + - ( ) . /"
            ));
        }
        let has_contact = [&contact_name, &contact_role, &raw_email, &contact_phone]
            .iter()
            .any(|v| !v.is_empty());
        let contact_shown = {
            let mut shown = contact_name.clone();
            if !contact_role.is_empty() {
                shown = if shown.is_empty() {
                    contact_role.clone()
                } else {
                    format!("{shown}, {contact_role}")
                };
            }
            if !raw_email.is_empty() {
                shown = if shown.is_empty() {
                    raw_email.clone()
                } else {
                    format!("{shown} <{raw_email}>")
                };
            }
            if shown.is_empty() {
                contact_phone.clone()
            } else {
                shown
            }
        };

        let mut same_as = None;
        let group_index = if name.is_empty() {
            None
        } else {
            let key = group_key(&name);
            let index = match group_of_key.get(&key) {
                Some(&index) => {
                    same_as = Some(groups[index].first_row);
                    index
                }
                None => {
                    groups.push(Group {
                        key: key.clone(),
                        first_row: row,
                        name: name.clone(),
                        website: None,
                        size: None,
                        owner: None,
                        sensitivity: None,
                        parent: None,
                        tags: Vec::new(),
                        contacts: Vec::new(),
                        resolved_parent: None,
                    });
                    group_of_key.insert(key, groups.len() - 1);
                    groups.len() - 1
                }
            };
            let group = &mut groups[index];
            merge_value(
                &mut group.website,
                website.clone(),
                row,
                "website",
                String::clone,
                &mut errors,
            );
            merge_value(
                &mut group.size,
                size,
                row,
                "size",
                |s: &Size| s.label().to_owned(),
                &mut errors,
            );
            let mut owner_slot = group
                .owner
                .as_ref()
                .map(|(id, email, r)| ((*id, email.clone()), *r));
            merge_value(
                &mut owner_slot,
                owner,
                row,
                "owner",
                |(_, email): &(Uuid, String)| email.clone(),
                &mut errors,
            );
            group.owner = owner_slot.map(|((id, email), r)| (id, email, r));
            merge_value(
                &mut group.sensitivity,
                (!sensitivity.is_empty()).then(|| sensitivity.clone()),
                row,
                "sensitivity note",
                String::clone,
                &mut errors,
            );
            if !parent.is_empty() {
                let folded = group_key(&parent);
                match &group.parent {
                    None => group.parent = Some((parent.clone(), folded, row)),
                    Some((kept, kept_key, kept_row)) if *kept_key != folded => errors.push(format!(
                        "the parent organization \"{parent}\" differs from row {kept_row} (\"{kept}\") for the same organization: use one"
                    )),
                    Some(_) => {}
                }
            }
            for tag in tags {
                if !group.tags.iter().any(|t| t.eq_ignore_ascii_case(&tag)) {
                    group.tags.push(tag);
                }
            }
            if group.tags.len() > MAX_TAGS && !errors.iter().any(|e| e.contains("tags")) {
                errors.push(format!(
                    "with this row the organization has more than {MAX_TAGS} tags"
                ));
            }
            if has_contact {
                if let Some(email) = &email {
                    if let Some((_, other)) = group.contacts.iter().find(|(c, _)| {
                        c.email
                            .as_deref()
                            .is_some_and(|e| e.eq_ignore_ascii_case(email))
                    }) {
                        errors.push(format!(
                            "{email} is already a contact of this organization on row {other}"
                        ));
                    }
                }
                group.contacts.push((
                    ContactInput {
                        name: contact_name.clone(),
                        role: contact_role.clone(),
                        email: email.clone(),
                        phone: contact_phone.clone(),
                    },
                    row,
                ));
            }
            Some(index)
        };
        row_group.push(group_index);
        rows.push(RowView {
            row,
            organization: name,
            website: raw_website,
            contact: contact_shown,
            errors,
            duplicate: None,
            same_as,
        });
    }

    // Possible duplicates: the same folded name or website domain as a prospect already
    // on the list (as `store::find_duplicate` decides on insert) or as an earlier
    // organization of the file (rows with the same name are one organization already).
    let mut seen_domains: HashMap<String, usize> = HashMap::new();
    for (index, group) in groups.iter().enumerate() {
        let domain = group
            .website
            .as_ref()
            .map(|(w, _)| store::domain_of(w))
            .unwrap_or_default();
        let existing = context
            .existing
            .iter()
            .find(|e| e.name_key == group.key || (!domain.is_empty() && e.domain == domain));
        let note = match existing {
            Some(e) => Some(format!(
                "possible duplicate of {}, already on the list",
                e.name
            )),
            None if !domain.is_empty() => seen_domains.get(&domain).map(|&earlier| {
                format!(
                    "possible duplicate of row {} ({}): same website",
                    groups[earlier].first_row, groups[earlier].name
                )
            }),
            None => None,
        };
        if !domain.is_empty() {
            seen_domains.entry(domain).or_insert(index);
        }
        if let Some(note) = note {
            if let Some(view) = rows.iter_mut().find(|r| r.row == group.first_row) {
                view.duplicate = Some(note);
            }
        }
    }

    // Parents: another organization of the file, else a prospect already on the list.
    let mut parent_errors: Vec<(usize, String)> = Vec::new();
    for group in groups.iter_mut() {
        let Some((parent, folded, row)) = group.parent.clone() else {
            continue;
        };
        let resolved = if folded == group.key {
            parent_errors.push((
                row,
                "an organization cannot be its own parent organization".into(),
            ));
            None
        } else if let Some(&other) = group_of_key.get(&folded) {
            Some(ParentRef::InFile(other))
        } else if let Some(e) = context.existing.iter().find(|e| e.name_key == folded) {
            Some(ParentRef::Existing(e.id))
        } else {
            parent_errors.push((
                row,
                format!(
                    "the parent organization \"{parent}\" is neither on the prospect list nor in this file"
                ),
            ));
            None
        };
        group.resolved_parent = resolved;
    }
    // A loop of parents in the file (A's parent is B, B's is A) cannot be stored.
    for index in 0..groups.len() {
        let mut at = index;
        let mut steps = 0;
        while let Some(ParentRef::InFile(parent)) = groups[at].resolved_parent {
            at = parent;
            steps += 1;
            if at == index {
                let row = groups[index]
                    .parent
                    .as_ref()
                    .map_or(groups[index].first_row, |p| p.2);
                parent_errors.push((
                    row,
                    format!(
                        "the parent organizations loop: {} would be a chapter of its own chapter",
                        groups[index].name
                    ),
                ));
                break;
            }
            if steps > groups.len() {
                break;
            }
        }
    }
    for (row, error) in parent_errors {
        if let Some(view) = rows.iter_mut().find(|r| r.row == row) {
            view.errors.push(error);
        }
    }
    Plan { rows, groups }
}

/// Page title and organizer path of the campaign.
fn frame(member: &Member, campaign: &Campaign, title: &str) -> (Layout, String) {
    (
        member.layout(format!("{title} — {}", campaign.title)),
        member.path(&format!("/campaigns/{}", campaign.slug)),
    )
}

#[derive(Template)]
#[template(path = "outreach/import.html")]
struct UploadPage {
    layout: Layout,
    base: String,
    campaign: Campaign,
    can_edit: bool,
    problem: Option<String>,
    cell_errors: Vec<CellError>,
    pasted: String,
}

fn upload_page(
    member: &Member,
    campaign: Campaign,
    problem: Option<String>,
    cell_errors: Vec<CellError>,
    pasted: String,
) -> UploadPage {
    let (layout, base) = frame(member, &campaign, "Import prospects");
    UploadPage {
        layout,
        base,
        campaign,
        can_edit: member.role.can_edit(),
        problem,
        cell_errors,
        pasted,
    }
}

pub struct Column {
    pub header: String,
    pub samples: String,
    pub chosen: Target,
}

#[derive(Template)]
#[template(path = "outreach/import_mapping.html")]
struct MappingPage {
    layout: Layout,
    base: String,
    campaign: Campaign,
    columns: Vec<Column>,
    targets: [Target; 12],
    rows: usize,
    csv: String,
    problem: Option<String>,
}

fn mapping_page(
    member: &Member,
    campaign: Campaign,
    table: &Table,
    chosen: &[Target],
    csv: String,
    problem: Option<String>,
) -> MappingPage {
    let (layout, base) = frame(member, &campaign, "Import prospects: columns");
    let columns = table
        .headers
        .iter()
        .enumerate()
        .map(|(i, header)| {
            let samples: Vec<&str> = table
                .rows
                .iter()
                .filter_map(|(_, cells)| cells.get(i).map(String::as_str))
                .filter(|c| !c.is_empty())
                .take(3)
                .collect();
            let mut samples = samples.join(" · ");
            if samples.chars().count() > 120 {
                samples = samples.chars().take(119).collect::<String>() + "…";
            }
            Column {
                header: if header.is_empty() {
                    format!("(column {})", i + 1)
                } else {
                    header.clone()
                },
                samples,
                chosen: chosen.get(i).copied().unwrap_or(Target::Ignore),
            }
        })
        .collect();
    MappingPage {
        layout,
        base,
        campaign,
        columns,
        targets: Target::ALL,
        rows: table.rows.len(),
        csv,
        problem,
    }
}

#[derive(Template)]
#[template(path = "outreach/import_preview.html")]
struct PreviewPage {
    layout: Layout,
    base: String,
    campaign: Campaign,
    plan: Plan,
    errors: Vec<(usize, String)>,
    error_rows: usize,
    csv: String,
    map: Vec<&'static str>,
    /// Shown after a confirmation that found errors: nothing was written.
    refused: bool,
}

fn preview_page(
    member: &Member,
    campaign: Campaign,
    plan: Plan,
    targets: &[Target],
    csv: String,
    refused: bool,
) -> PreviewPage {
    let (layout, base) = frame(member, &campaign, "Import prospects: preview");
    let errors = plan
        .errors()
        .into_iter()
        .map(|(row, e)| (row, e.to_owned()))
        .collect();
    PreviewPage {
        layout,
        base,
        campaign,
        error_rows: plan.error_rows(),
        errors,
        plan,
        csv,
        map: targets.iter().map(|t| t.key()).collect(),
        refused,
    }
}

/// `GET …/outreach/import`: the upload form (viewers see what the import does, no form).
pub async fn page(
    State(state): State<AppState>,
    member: Member,
    Path((_, campaign_slug)): Path<(String, String)>,
) -> AppResult<Html<String>> {
    let campaign = campaign_of(&state, &member, &campaign_slug).await?;
    render(upload_page(
        &member,
        campaign,
        None,
        Vec::new(),
        String::new(),
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MappingForm {
    csv: String,
    map: Vec<String>,
    /// "mapping" goes back to the column choices; anything else previews.
    step: String,
}

/// `POST …/outreach/import`: the uploaded file (multipart) shows its columns; the chosen
/// columns (a form) show the preview.
pub async fn upload(
    State(state): State<AppState>,
    member: Member,
    Path((_, campaign_slug)): Path<(String, String)>,
    request: Request,
) -> AppResult<Response> {
    let campaign = campaign_of(&state, &member, &campaign_slug).await?;
    member.require_editor()?;
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if multipart {
        let multipart = Multipart::from_request(request, &state)
            .await
            .map_err(|e| AppError::BadRequest(format!("The upload could not be read ({e}).")))?;
        read_upload(&member, campaign, multipart).await
    } else {
        let Form(form) = Form::<MappingForm>::from_request(request, &state).await?;
        choose_columns(&state, &member, campaign, form).await
    }
}

async fn read_upload(
    member: &Member,
    campaign: Campaign,
    mut multipart: Multipart,
) -> AppResult<Response> {
    let mut file: Option<Vec<u8>> = None;
    let mut pasted = String::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| AppError::BadRequest(format!("The upload could not be read ({e}).")))?
    {
        match field.name() {
            Some("file") => {
                let bytes = field.bytes().await.map_err(|_| AppError::PayloadTooLarge)?;
                if !bytes.is_empty() {
                    file = Some(bytes.to_vec());
                }
            }
            Some("pasted") => {
                pasted = field.text().await.map_err(|e| {
                    AppError::BadRequest(format!("The pasted text could not be read ({e})."))
                })?
            }
            _ => {}
        }
    }
    let text = match file {
        Some(bytes) if bytes.len() > MAX_BYTES => {
            return unprocessable(upload_page(
                member,
                campaign,
                Some(too_large()),
                Vec::new(),
                String::new(),
            ));
        }
        Some(bytes) => match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(_) => {
                let problem = "The file is not UTF-8 text. In your spreadsheet, save it as \"CSV UTF-8\" and upload it again.";
                return unprocessable(upload_page(
                    member,
                    campaign,
                    Some(problem.into()),
                    Vec::new(),
                    String::new(),
                ));
            }
        },
        None if pasted.trim().is_empty() => {
            let problem = "Choose a CSV file, or paste the rows.";
            return unprocessable(upload_page(
                member,
                campaign,
                Some(problem.into()),
                Vec::new(),
                String::new(),
            ));
        }
        None => pasted,
    };
    // What travels in the page: no byte order mark, no blank lines a textarea would eat.
    let text = text
        .trim_start_matches('\u{feff}')
        .trim_start_matches(['\r', '\n'])
        .to_owned();
    let (text, parsed) = off_runtime(text, parse_table).await?;
    match parsed {
        Ok(table) => {
            let chosen = guess(&table.headers);
            render_with(
                StatusCode::OK,
                mapping_page(member, campaign, &table, &chosen, text, None),
            )
        }
        Err(unreadable) => {
            let shown = if text.len() > MAX_BYTES {
                String::new()
            } else {
                text
            };
            let (problem, cells) = match unreadable {
                Unreadable::File(problem) => (problem, Vec::new()),
                Unreadable::Cells(cells) => (
                    "Some cells hold invisible control characters, which cannot be stored. Remove them in your spreadsheet (or below) and try again: nothing was imported.".to_owned(),
                    cells,
                ),
            };
            unprocessable(upload_page(member, campaign, Some(problem), cells, shown))
        }
    }
}

/// Runs CSV work off the async runtime: 5,000 rows are real work, and the threads that
/// answer everyone else must not wait for it.
async fn off_runtime<T: Send + 'static>(
    text: String,
    work: impl FnOnce(&str) -> T + Send + 'static,
) -> AppResult<(String, T)> {
    tokio::task::spawn_blocking(move || {
        let out = work(&text);
        (text, out)
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))
}

/// The campaign's prospects and the group's organizers, for the checks.
async fn context(state: &AppState, member: &Member, campaign: &Campaign) -> AppResult<Context> {
    let existing = sqlx::query(
        "SELECT id, name, name_key, domain FROM prospects WHERE tenant_id = $1 AND campaign_id = $2
         ORDER BY created_at, id",
    )
    .bind(member.tenant_id.uuid())
    .bind(campaign.id)
    .fetch_all(&state.db)
    .await?
    .iter()
    .map(|r| {
        Ok(Existing {
            id: r.try_get("id")?,
            name: r.try_get("name")?,
            name_key: r.try_get("name_key")?,
            domain: r.try_get("domain")?,
        })
    })
    .collect::<sqlx::Result<Vec<_>>>()?;
    let organizers: Vec<(Uuid, String)> = sqlx::query_as(
        "SELECT u.id, lower(u.email::text) FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.tenant_id = $1 AND m.role IN ('owner', 'organizer')",
    )
    .bind(member.tenant_id.uuid())
    .fetch_all(&state.db)
    .await?;
    Ok(Context {
        existing,
        organizers,
    })
}

/// What the file and the chosen columns come to: the table and the checked plan, or the
/// page that says what stops them.
enum Checked {
    Ready(Vec<Target>, Plan),
    Unreadable(String),
    Mapping(Table, Vec<Target>, String),
}

async fn check(
    state: &AppState,
    member: &Member,
    campaign: &Campaign,
    csv: String,
    map: Vec<String>,
) -> AppResult<(String, Checked)> {
    let context = context(state, member, campaign).await?;
    off_runtime(csv, move |text| {
        let table = match parse_table(text) {
            Ok(table) => table,
            Err(Unreadable::File(problem)) => return Checked::Unreadable(problem),
            Err(Unreadable::Cells(cells)) => {
                return Checked::Unreadable(format!(
                    "Row {}: {}. Remove it in your spreadsheet and upload the file again.",
                    cells[0].row, cells[0].message
                ))
            }
        };
        match check_mapping(&table.headers, &map) {
            Ok(targets) => {
                let plan = plan(&table, &targets, &context);
                Checked::Ready(targets, plan)
            }
            Err(problem) => {
                let chosen: Vec<Target> = if map.len() == table.headers.len() {
                    map.iter()
                        .map(|k| Target::parse(k).unwrap_or(Target::Ignore))
                        .collect()
                } else {
                    guess(&table.headers)
                };
                Checked::Mapping(table, chosen, problem)
            }
        }
    })
    .await
}

async fn choose_columns(
    state: &AppState,
    member: &Member,
    campaign: Campaign,
    form: MappingForm,
) -> AppResult<Response> {
    if form.step == "mapping" {
        // Back from the preview to the column choices, as they were.
        let (csv, parsed) = off_runtime(form.csv, parse_table).await?;
        return match parsed {
            Ok(table) => {
                let chosen: Vec<Target> = if form.map.len() == table.headers.len() {
                    form.map
                        .iter()
                        .map(|k| Target::parse(k).unwrap_or(Target::Ignore))
                        .collect()
                } else {
                    guess(&table.headers)
                };
                render_with(
                    StatusCode::OK,
                    mapping_page(member, campaign, &table, &chosen, csv, None),
                )
            }
            Err(Unreadable::File(problem)) => unprocessable(upload_page(
                member,
                campaign,
                Some(problem),
                Vec::new(),
                csv,
            )),
            Err(Unreadable::Cells(cells)) => {
                unprocessable(upload_page(member, campaign, None, cells, csv))
            }
        };
    }
    let (csv, checked) = check(state, member, &campaign, form.csv, form.map).await?;
    match checked {
        Checked::Ready(targets, plan) => {
            let status = if plan.error_rows() > 0 {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::OK
            };
            render_with(
                status,
                preview_page(member, campaign, plan, &targets, csv, false),
            )
        }
        Checked::Unreadable(problem) => unprocessable(upload_page(
            member,
            campaign,
            Some(problem),
            Vec::new(),
            csv,
        )),
        Checked::Mapping(table, chosen, problem) => unprocessable(mapping_page(
            member,
            campaign,
            &table,
            &chosen,
            csv,
            Some(problem),
        )),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ConfirmForm {
    csv: String,
    map: Vec<String>,
}

/// `POST …/outreach/import/confirm`: checks everything again (the list may have changed
/// since the preview), then imports every row in one transaction, or none.
pub async fn confirm(
    State(state): State<AppState>,
    member: Member,
    Path((_, campaign_slug)): Path<(String, String)>,
    Form(form): Form<ConfirmForm>,
) -> AppResult<Response> {
    let campaign = campaign_of(&state, &member, &campaign_slug).await?;
    member.require_editor()?;
    let (csv, checked) = check(&state, &member, &campaign, form.csv, form.map).await?;
    let plan = match checked {
        Checked::Ready(_, plan) if plan.error_rows() == 0 => plan,
        Checked::Ready(targets, plan) => {
            return unprocessable(preview_page(&member, campaign, plan, &targets, csv, true))
        }
        Checked::Unreadable(problem) => {
            return unprocessable(upload_page(
                &member,
                campaign,
                Some(problem),
                Vec::new(),
                csv,
            ))
        }
        Checked::Mapping(table, chosen, problem) => {
            return unprocessable(mapping_page(
                &member,
                campaign,
                &table,
                &chosen,
                csv,
                Some(problem),
            ))
        }
    };
    let now = state.clock.now();
    let tenant = member.tenant_id.uuid();
    let mut ids: Vec<Option<Uuid>> = vec![None; plan.groups.len()];
    let mut tx = state.db.begin().await?;
    for index in plan.insert_order() {
        let group = &plan.groups[index];
        let input = ProspectInput {
            name: group.name.clone(),
            website: group
                .website
                .as_ref()
                .map(|(w, _)| w.clone())
                .unwrap_or_default(),
            size: group.size.map(|(s, _)| s),
            parent_id: match group.resolved_parent {
                Some(ParentRef::Existing(id)) => Some(id),
                Some(ParentRef::InFile(other)) => ids[other],
                None => None,
            },
            tags: group.tags.clone(),
            owner_id: group.owner.as_ref().map(|(id, _, _)| *id),
            sensitivity: group
                .sensitivity
                .as_ref()
                .map(|(s, _)| s.clone())
                .unwrap_or_default(),
            hold_reason: String::new(),
            hold_until: None,
        };
        let id = store::insert(
            &mut tx,
            tenant,
            campaign.id,
            &input,
            &Origin::default(),
            now,
        )
        .await?;
        ids[index] = Some(id);
        for (contact, _) in &group.contacts {
            store::add_contact(&mut tx, tenant, campaign.id, id, contact, now).await?;
        }
    }
    // Contacts whose email already confirmed a signature make their prospect signed.
    store::match_confirmed_signatures(&mut tx, campaign.id, None, now).await?;
    tx.commit().await?;
    Ok(Redirect::to(&member.path(&format!(
        "/campaigns/{}/outreach/prospects?notice=prospects-imported",
        campaign.slug
    )))
    .into_response())
}

/// The columns of the export; the import guesses each of them back.
pub const EXPORT_COLUMNS: [&str; 18] = [
    "organization",
    "website",
    "size",
    "parent",
    "tags",
    "owner",
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

/// The stage the list shows, as `store::Prospect::stage` works it out.
fn stage_of(
    status: PipelineStatus,
    signed: bool,
    hold_reason: &str,
    hold_until: Option<Date>,
    today: Date,
) -> Stage {
    Stage::of(
        status,
        signed,
        super::hold_lasts(hold_reason, hold_until, today),
    )
}

/// `GET …/outreach/export.csv`: every prospect with its contacts (one row per contact,
/// one row for a prospect without any), in one query.
pub async fn export(
    State(state): State<AppState>,
    member: Member,
    Path((_, campaign_slug)): Path<(String, String)>,
) -> AppResult<Response> {
    let campaign = campaign_of(&state, &member, &campaign_slug).await?;
    let today = time_zones::local_date(state.clock.now(), &campaign.time_zone);
    let rows = sqlx::query(
        "SELECT p.name, p.website, p.size, parent.name AS parent_name, p.tags, owner.email::text AS owner_email,
                p.status, p.signed_signature_id IS NOT NULL AS signed, p.hold_reason, p.hold_until,
                p.next_follow_up, p.last_touch_at, p.referred_by,
                c.id AS contact_id, c.name AS contact_name, c.role, c.email::text AS email, c.phone,
                c.bounced_at, c.touches
         FROM prospects p
         LEFT JOIN prospects parent ON parent.id = p.parent_id
         LEFT JOIN users owner ON owner.id = p.owner_id
         LEFT JOIN prospect_contacts c ON c.prospect_id = p.id
         WHERE p.tenant_id = $1 AND p.campaign_id = $2
         ORDER BY p.sort_key COLLATE signer_order, p.id, c.created_at, c.id",
    )
    .bind(member.tenant_id.uuid())
    .bind(campaign.id)
    .fetch_all(&state.db)
    .await?;
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut writer = csv::Writer::from_writer(&mut out);
        writer
            .write_record(EXPORT_COLUMNS)
            .map_err(|e| AppError::Internal(e.into()))?;
        for r in &rows {
            let size: String = r.try_get("size")?;
            let tags: Vec<String> = r.try_get("tags")?;
            let status: PipelineStatus = r.try_get("status")?;
            let hold_reason: String = r.try_get("hold_reason")?;
            let hold_until: Option<Date> = r.try_get("hold_until")?;
            let next_follow_up: Option<Date> = r.try_get("next_follow_up")?;
            let last_touch: Option<OffsetDateTime> = r.try_get("last_touch_at")?;
            let stage = stage_of(
                status,
                r.try_get("signed")?,
                &hold_reason,
                hold_until,
                today,
            );
            let has_contact = r.try_get::<Option<Uuid>, _>("contact_id")?.is_some();
            let bounced: Option<OffsetDateTime> = r.try_get("bounced_at")?;
            let touches: Option<i32> = r.try_get("touches")?;
            let fields: [String; 18] = [
                r.try_get("name")?,
                r.try_get("website")?,
                Size::parse(&size)
                    .map(|s| s.label().to_owned())
                    .unwrap_or_default(),
                r.try_get::<Option<String>, _>("parent_name")?
                    .unwrap_or_default(),
                tags.join(", "),
                r.try_get::<Option<String>, _>("owner_email")?
                    .unwrap_or_default(),
                stage.label().to_owned(),
                hold_reason,
                hold_until.map(|d| d.to_string()).unwrap_or_default(),
                next_follow_up.map(|d| d.to_string()).unwrap_or_default(),
                last_touch
                    .map(|t| crate::web::iso8601(&t))
                    .unwrap_or_default(),
                r.try_get("referred_by")?,
                r.try_get::<Option<String>, _>("contact_name")?
                    .unwrap_or_default(),
                r.try_get::<Option<String>, _>("role")?.unwrap_or_default(),
                r.try_get::<Option<String>, _>("email")?.unwrap_or_default(),
                r.try_get::<Option<String>, _>("phone")?.unwrap_or_default(),
                match (has_contact, bounced) {
                    (false, _) => String::new(),
                    (true, Some(_)) => "yes".into(),
                    (true, None) => "no".into(),
                },
                touches.map(|n| n.to_string()).unwrap_or_default(),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn columns_are_guessed_from_their_names() {
        let guessed = guess(&headers(&[
            "Organisation",
            "Name",
            "E-mail",
            "Website URL",
            "Job title",
            "Notes",
            "Parent org",
        ]));
        assert_eq!(
            guessed,
            [
                Target::Name,
                Target::ContactName,
                Target::ContactEmail,
                Target::Website,
                Target::ContactRole,
                Target::Ignore,
                Target::Parent
            ]
        );
        assert_eq!(
            guess(&headers(&["name", "email"])),
            [Target::Name, Target::ContactEmail]
        );
        // The export's own columns come back to what they were.
        let export = guess(&headers(&EXPORT_COLUMNS));
        assert_eq!(export[0], Target::Name);
        assert_eq!(export[5], Target::Owner);
        assert_eq!(export[6], Target::Ignore, "status");
        assert_eq!(export[7], Target::Ignore, "on hold reason");
        assert_eq!(export[12], Target::ContactName);
        assert_eq!(export[13], Target::ContactRole);
        assert_eq!(export[14], Target::ContactEmail);
        assert_eq!(export[15], Target::ContactPhone);
        assert_eq!(export[17], Target::Ignore, "touches");
    }

    #[test]
    fn a_target_is_chosen_once_and_the_name_always() {
        let h = headers(&["a", "b"]);
        let keys = |k: &[&str]| k.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(check_mapping(&h, &keys(&["name", "website"])).is_ok());
        assert!(check_mapping(&h, &keys(&["website", "ignore"]))
            .unwrap_err()
            .contains("organization's name"));
        assert!(check_mapping(&h, &keys(&["name", "name"]))
            .unwrap_err()
            .contains("one column only"));
        assert!(check_mapping(&h, &keys(&["name"])).is_err());
    }

    #[test]
    fn exported_cells_read_back_without_their_apostrophe() {
        assert_eq!(unneutralize("'=SUM(A1)"), "=SUM(A1)");
        assert_eq!(unneutralize("'+44 20"), "+44 20");
        assert_eq!(unneutralize("'t Hooft"), "'t Hooft");
    }

    #[test]
    fn rows_of_one_organization_make_one_prospect_and_loops_are_refused() {
        let table = parse_table(
            "org,parent,email\nRiver Trust,,a@river.example\nriver trust,,b@river.example\nA,B,\nB,A,\n",
        )
        .ok()
        .unwrap();
        let targets = [Target::Name, Target::Parent, Target::ContactEmail];
        let context = Context {
            existing: Vec::new(),
            organizers: Vec::new(),
        };
        let plan = plan(&table, &targets, &context);
        assert_eq!(plan.prospects(), 3);
        assert_eq!(plan.contacts(), 2);
        assert_eq!(plan.rows[1].same_as, Some(2));
        assert!(plan.rows[2].errors.iter().any(|e| e.contains("loop")));
    }
}
