//! One row's cells checked on their own against the chosen columns and the group's
//! organizers: each value as it would be stored, and each problem with it. Pure: nothing
//! is read or written here. Grouping rows into prospects is `plan`'s.

use time::Date;
use uuid::Uuid;

use super::mapping::Target;
use super::values::{resolve_owner, resolve_size, Organizer, ValueMap};
use crate::mail::EmailAddress;
use crate::outreach::store::ContactInput;
use crate::outreach::Size;
use crate::signatures::names::normalize_website;
use crate::web::format_count;
use crate::web::is_forbidden_control;

/// An organization of the group's book, as the checks need it.
pub struct Existing {
    pub id: Uuid,
    pub name: String,
    pub name_key: String,
    pub domain: String,
    /// The campaign imported into has it already.
    pub in_campaign: bool,
}

/// What the checks compare rows with.
pub struct Context {
    /// The book's organizations, oldest first.
    pub existing: Vec<Existing>,
    /// Owners and organizers of the group.
    pub organizers: Vec<Organizer>,
    /// An import into a campaign (else into the book alone).
    pub into_campaign: bool,
}

const MAX_NAME: usize = 200;
const MAX_WEBSITE: usize = 500;
const MAX_NOTE: usize = 2_000;
const MAX_NOTES: usize = 10_000;
const MAX_PHONE: usize = 40;
const MAX_TAG: usize = 50;
pub(super) const MAX_TAGS: usize = 20;

/// One row's values, checked on their own.
pub(super) struct Checked {
    pub(super) name: String,
    pub(super) website: Option<String>,
    pub(super) size: Option<Size>,
    pub(super) owner: Option<Uuid>,
    pub(super) sensitivity: String,
    pub(super) notes: String,
    pub(super) hold_reason: String,
    pub(super) hold_until: Option<Date>,
    pub(super) parent: String,
    pub(super) tags: Vec<String>,
    pub(super) contact: Option<ContactInput>,
    pub(super) errors: Vec<String>,
}

pub(super) fn check_row(
    cells: &[String],
    header_count: usize,
    targets: &[Target],
    context: &Context,
    values: &ValueMap,
) -> Checked {
    let mut errors = Vec::new();
    let cell = |target: Target| -> String {
        targets
            .iter()
            .position(|t| *t == target)
            .and_then(|i| cells.get(i))
            .map(|c| c.trim().to_owned())
            .unwrap_or_default()
    };
    if cells.len() > header_count && cells[header_count..].iter().any(|c| !c.trim().is_empty()) {
        errors.push(format!(
            "the row has {} cells but the first line names {} columns (a comma inside a cell needs quotes around the cell)",
            cells.len(),
            header_count
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
    let size = resolve_size(&raw_size, values).unwrap_or_else(|()| {
        errors.push(format!(
            "the size \"{raw_size}\" is not local, regional, national or international (choose one for it on the values step)"
        ));
        None
    });

    let raw_owner = cell(Target::Owner);
    let owner = resolve_owner(&raw_owner, &context.organizers, values).unwrap_or_else(|()| {
        errors.push(format!(
            "the owner \"{raw_owner}\" is not the name, first name or email of one owner or organizer of this group (choose one for it on the values step)"
        ));
        None
    });

    let sensitivity = cell(Target::Sensitivity);
    if sensitivity.chars().count() > MAX_NOTE {
        errors.push(format!(
            "the sensitivity note is longer than {} characters",
            format_count(MAX_NOTE)
        ));
    }
    let notes = cell(Target::Notes);
    if notes.chars().count() > MAX_NOTES {
        errors.push(format!(
            "the notes are longer than {} characters",
            format_count(MAX_NOTES)
        ));
    }
    let hold_reason = cell(Target::HoldReason);
    if hold_reason.chars().count() > MAX_NOTE {
        errors.push(format!(
            "the hold reason is longer than {} characters",
            format_count(MAX_NOTE)
        ));
    }
    let raw_until = cell(Target::HoldUntil);
    let hold_until = if raw_until.is_empty() {
        None
    } else {
        match Date::parse(
            &raw_until,
            time::macros::format_description!("[year]-[month]-[day]"),
        ) {
            Ok(d) => Some(d),
            Err(_) => {
                errors.push(format!(
                    "the hold date \"{raw_until}\" is not a date like 2026-12-15"
                ));
                None
            }
        }
    };
    if hold_until.is_some() && hold_reason.is_empty() {
        errors.push("a hold date needs a reason for the hold".into());
    }

    let parent = cell(Target::Parent);
    if parent.chars().count() > MAX_NAME {
        errors.push(format!(
            "the parent organization is longer than {MAX_NAME} characters"
        ));
    }

    let mut tags: Vec<String> = Vec::new();
    for tag in cell(Target::Tags)
        .split([',', ';', '|'])
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
    Checked {
        name,
        website,
        size,
        owner,
        sensitivity,
        notes,
        hold_reason,
        hold_until,
        parent,
        tags,
        contact: has_contact.then_some(ContactInput {
            name: contact_name,
            role: contact_role,
            email,
            phone: contact_phone,
            ..ContactInput::default()
        }),
        errors,
    }
}

/// A mapped cell as the preview shows it: what will be stored.
pub(super) fn shown(target: Target, raw: &str, checked: &Checked, context: &Context) -> String {
    match target {
        Target::Size => checked
            .size
            .map_or(raw.to_owned(), |s| s.label().to_owned()),
        Target::Owner => checked
            .owner
            .and_then(|id| context.organizers.iter().find(|o| o.id == id))
            .map_or(raw.to_owned(), |o| o.name.clone()),
        Target::Tags => {
            if checked.tags.is_empty() {
                raw.to_owned()
            } else {
                checked.tags.join(", ")
            }
        }
        _ => raw.to_owned(),
    }
}
