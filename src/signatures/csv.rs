//! Signatures in spreadsheets: the CSV export (which spreadsheet programs cannot run as
//! formulas) and the import that reads it back, checked row by row before anything is
//! written.

use std::collections::HashSet;

use super::lifecycle::{SignatureKind, SignatureSource};
use super::names::{domain_matches, name_key, normalize_website};
use super::store::{NewSignature, Signature};
use crate::mail::EmailAddress;

pub const MAX_ROWS: usize = 20_000;

pub struct ImportRow {
    pub line: usize,
    pub signature: NewSignature,
    pub errors: Vec<String>,
}

/// Reads and checks every row; nothing is written here.
pub fn parse(
    text: &str,
    allow_individuals: bool,
    existing: &HashSet<String>,
) -> Result<Vec<ImportRow>, String> {
    let text = text.trim_start_matches('\u{feff}');
    if text.trim().is_empty() {
        return Err("The file is empty.".into());
    }
    if let Some(line) = text
        .lines()
        .position(|line| line.chars().any(crate::web::is_forbidden_control))
    {
        return Err(format!(
            "Line {} contains an invisible control character (such as a NUL byte) that cannot be stored. Remove it in your spreadsheet and try again.",
            line + 1
        ));
    }
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| format!("The first line could not be read as CSV column names ({e})."))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let column = |name: &str| headers.iter().position(|h| h == name);
    let (Some(name_at), Some(email_at)) =
        (column("name").or(column("organization")), column("email"))
    else {
        return Err("The first line must name the columns, with at least \"name\" and \"email\" (as in the export).".into());
    };

    let mut rows = Vec::new();
    let mut seen_emails = HashSet::new();
    let mut seen_names = HashSet::new();
    for (index, record) in reader.records().enumerate() {
        let line = index + 2;
        if rows.len() >= MAX_ROWS {
            return Err(format!("Import at most {MAX_ROWS} rows at a time."));
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => return Err(format!("Line {line} is not valid CSV ({e}).")),
        };
        if record.iter().all(|f| f.is_empty()) {
            continue;
        }
        let get = |at: Option<usize>| at.and_then(|i| record.get(i)).unwrap_or("").to_owned();
        let mut errors = Vec::new();
        let kind = match get(column("type")).to_ascii_lowercase().as_str() {
            "" | "organization" | "organisation" | "org" => SignatureKind::Organization,
            "individual" | "person" => {
                if !allow_individuals {
                    errors.push("this campaign accepts organizations only".into());
                }
                SignatureKind::Individual
            }
            other => {
                errors.push(format!(
                    "type {other:?} is neither organization nor individual"
                ));
                SignatureKind::Organization
            }
        };
        let name = get(Some(name_at));
        if name.is_empty() {
            errors.push("the name is missing".into());
        } else if name.chars().count() > 200 {
            errors.push("the name is longer than 200 characters".into());
        }
        let email = match EmailAddress::parse(&get(Some(email_at))) {
            Ok(e) => e.as_str().to_owned(),
            Err(_) => {
                errors.push(format!("{:?} is not an email address", get(Some(email_at))));
                String::new()
            }
        };
        let website = normalize_website(&get(column("website"))).unwrap_or_else(|_| {
            errors.push(format!(
                "{:?} is not a website address",
                get(column("website"))
            ));
            String::new()
        });
        let size = get(column("size")).to_ascii_lowercase();
        if !["", "local", "regional", "national", "international"].contains(&size.as_str()) {
            errors.push(format!(
                "size {size:?} is not local, regional, national or international"
            ));
        }
        let show_contact = match get(column("show_contact")).to_ascii_lowercase().as_str() {
            "yes" | "true" | "1" | "y" => true,
            "" | "no" | "false" | "0" | "n" => false,
            other => {
                errors.push(format!("show_contact {other:?} is not yes or no"));
                false
            }
        };
        let lower_email = email.to_lowercase();
        if !email.is_empty() {
            if existing.contains(&format!("email:{lower_email}")) {
                errors.push(format!("{email} has already signed"));
            } else if !seen_emails.insert(lower_email) {
                errors.push(format!("{email} appears twice in the file"));
            }
        }
        if kind == SignatureKind::Organization && !name.is_empty() {
            let key = name_key(&name);
            if existing.contains(&format!("name:{key}")) {
                errors.push(format!("{name} has already signed"));
            } else if !seen_names.insert(key) {
                errors.push(format!("{name} appears twice in the file"));
            }
        }
        let long = [
            ("city", 200),
            ("contact_name", 200),
            ("contact_title", 200),
            ("parent_organization", 200),
            ("phone", 40),
            ("affiliation", 200),
            ("comment", 2000),
        ];
        for (field, max) in long {
            if get(column(field)).chars().count() > max {
                errors.push(format!("{field} is longer than {max} characters"));
            }
        }
        let signature = NewSignature {
            domain_matches: kind == SignatureKind::Organization && domain_matches(&email, &website),
            name,
            website,
            city: get(column("city")),
            size,
            parent_organization: get(column("parent_organization")),
            contact_name: get(column("contact_name")),
            contact_title: get(column("contact_title")),
            email,
            phone: get(column("phone")),
            show_contact,
            affiliation: get(column("affiliation")),
            comment: get(column("comment")),
            ..NewSignature::new(kind, SignatureSource::Import)
        };
        rows.push(ImportRow {
            line,
            signature,
            errors,
        });
    }
    if rows.is_empty() {
        return Err("The file has column names but no rows.".into());
    }
    Ok(rows)
}

/// The columns of the export, which the import reads back.
pub const CSV_COLUMNS: &[&str] = &[
    "type",
    "name",
    "website",
    "city",
    "size",
    "parent_organization",
    "contact_name",
    "contact_title",
    "email",
    "phone",
    "show_contact",
    "affiliation",
    "comment",
    "state",
    "revision",
    "domain_matches",
    "signed_at",
];

/// Spreadsheets run cells that start with these as formulas; a leading apostrophe keeps
/// them text.
pub fn neutralize(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_owned(),
    }
}

pub fn export_csv(list: &[Signature]) -> anyhow::Result<Vec<u8>> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut writer = csv::Writer::from_writer(&mut out);
        writer.write_record(CSV_COLUMNS)?;
        for s in list {
            let revision = s.revision_number.map(|n| n.to_string()).unwrap_or_default();
            let signed_at = crate::web::iso8601(&s.created_at);
            let fields = [
                s.kind.as_str(),
                &s.name,
                &s.website,
                &s.city,
                &s.size,
                &s.parent_organization,
                &s.contact_name,
                &s.contact_title,
                &s.email,
                &s.phone,
                if s.show_contact { "yes" } else { "no" },
                &s.affiliation,
                &s.comment,
                s.state.as_str(),
                &revision,
                if s.domain_matches { "yes" } else { "no" },
                &signed_at,
            ];
            writer.write_record(fields.iter().map(|f| neutralize(f)))?;
        }
        writer.flush()?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::neutralize;

    #[test]
    fn formula_cells_are_neutralized() {
        assert_eq!(neutralize("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralize("+1"), "'+1");
        assert_eq!(neutralize("-2"), "'-2");
        assert_eq!(neutralize("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralize("River Keepers"), "River Keepers");
    }
}
