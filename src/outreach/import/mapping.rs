//! What each column of the file becomes: the targets, guessed from the column names and
//! checked once chosen.

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
    Notes,
    HoldReason,
    HoldUntil,
    ContactName,
    ContactRole,
    ContactEmail,
    ContactPhone,
}

impl Target {
    pub const ALL: [Target; 15] = [
        Target::Ignore,
        Target::Name,
        Target::Website,
        Target::Size,
        Target::Parent,
        Target::Tags,
        Target::Owner,
        Target::Sensitivity,
        Target::Notes,
        Target::HoldReason,
        Target::HoldUntil,
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
            Target::Notes => "notes",
            Target::HoldReason => "hold_reason",
            Target::HoldUntil => "hold_until",
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
            Target::Tags => "Tags (separated by , ; or |)",
            Target::Owner => "Owner (an organizer's name, first name or email)",
            Target::Sensitivity => "Sensitivity note",
            Target::Notes => "Notes",
            Target::HoldReason => "On hold: the reason",
            Target::HoldUntil => "On hold: until (a date)",
            Target::ContactName => "Contact: name",
            Target::ContactRole => "Contact: role",
            Target::ContactEmail => "Contact: email",
            Target::ContactPhone => "Contact: phone",
        }
    }

    /// The preview's column heading.
    pub fn heading(self) -> &'static str {
        match self {
            Target::Ignore => "",
            Target::Name => "Organization",
            Target::Website => "Website",
            Target::Size => "Size",
            Target::Parent => "Parent",
            Target::Tags => "Tags",
            Target::Owner => "Owner",
            Target::Sensitivity => "Sensitivity note",
            Target::Notes => "Notes",
            Target::HoldReason => "On hold",
            Target::HoldUntil => "Hold until",
            Target::ContactName => "Contact",
            Target::ContactRole => "Role",
            Target::ContactEmail => "Email",
            Target::ContactPhone => "Phone",
        }
    }

    /// How errors name the cell.
    pub(super) fn noun(self) -> &'static str {
        match self {
            Target::Ignore => "ignored column",
            Target::Name => "organization name",
            Target::Website => "website",
            Target::Size => "size",
            Target::Parent => "parent organization",
            Target::Tags => "tags",
            Target::Owner => "owner",
            Target::Sensitivity => "sensitivity note",
            Target::Notes => "notes",
            Target::HoldReason => "hold reason",
            Target::HoldUntil => "hold date",
            Target::ContactName => "contact name",
            Target::ContactRole => "contact role",
            Target::ContactEmail => "contact email",
            Target::ContactPhone => "contact phone",
        }
    }

    pub fn parse(key: &str) -> Option<Target> {
        Self::ALL.into_iter().find(|t| t.key() == key)
    }

    /// Cells that hold one line of text (notes may have several).
    pub(super) fn single_line(self) -> bool {
        !matches!(
            self,
            Target::Sensitivity | Target::Notes | Target::HoldReason | Target::Ignore
        )
    }
}

/// The target a column name suggests, if any ("name" alone is decided by `guess`).
pub(super) fn guess_one(header: &str) -> Option<Target> {
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
        | "organiser email" | "assigned to" | "assignee" | "responsible" | "who" | "lead" => {
            Some(Target::Owner)
        }
        "sensitivity" | "sensitivity note" | "sensitivities" | "sensitive" => {
            Some(Target::Sensitivity)
        }
        "notes" | "note" | "comments" | "comment" | "remarks" => Some(Target::Notes),
        "on hold reason" | "hold reason" | "on hold" | "hold" => Some(Target::HoldReason),
        "hold until" | "on hold until" => Some(Target::HoldUntil),
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

/// The targets as the page sent them back, for showing the choices again (unknown keys
/// read as "ignore"); guessed when they do not fit the columns.
pub fn chosen_or_guessed(headers: &[String], keys: &[String]) -> Vec<Target> {
    if keys.len() == headers.len() {
        keys.iter()
            .map(|k| Target::parse(k).unwrap_or(Target::Ignore))
            .collect()
    } else {
        guess(headers)
    }
}

pub(super) fn column_label(headers: &[String], i: usize) -> String {
    match headers.get(i).map(String::as_str) {
        Some(h) if !h.is_empty() => format!("\"{h}\""),
        _ => format!("column {}", i + 1),
    }
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
                Target::Notes,
                Target::Parent
            ]
        );
        assert_eq!(
            guess(&headers(&["name", "email"])),
            [Target::Name, Target::ContactEmail]
        );
        // The export's own columns come back to what they were.
        let export = guess(&headers(&super::super::export::EXPORT_COLUMNS));
        let at = |name: &str| {
            export[super::super::export::EXPORT_COLUMNS
                .iter()
                .position(|c| *c == name)
                .unwrap()]
        };
        assert_eq!(at("organization"), Target::Name);
        assert_eq!(at("owner"), Target::Owner);
        assert_eq!(at("sensitivity"), Target::Sensitivity);
        assert_eq!(at("notes"), Target::Notes);
        assert_eq!(at("status"), Target::Ignore);
        assert_eq!(at("on hold reason"), Target::HoldReason);
        assert_eq!(at("hold until"), Target::HoldUntil);
        assert_eq!(at("contact name"), Target::ContactName);
        assert_eq!(at("role"), Target::ContactRole);
        assert_eq!(at("email"), Target::ContactEmail);
        assert_eq!(at("phone"), Target::ContactPhone);
        assert_eq!(at("touches"), Target::Ignore);
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
}
