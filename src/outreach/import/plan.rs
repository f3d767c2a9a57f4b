//! Every row checked against the chosen columns, the campaign's prospects and the group's
//! organizers: what would be written, and each problem with its row. Pure: nothing is
//! read or written here.

use std::collections::HashMap;

use time::Date;
use uuid::Uuid;

use super::checks::{check_row, shown, Context, MAX_TAGS};
use super::mapping::Target;
use super::parse::Table;
use super::values::ValueMap;
use crate::outreach::store::{domain_of, ContactInput};
use crate::outreach::Size;
use crate::signatures::names::name_key;

/// One row as the preview shows it.
pub struct RowView {
    pub row: usize,
    /// The value of each mapped column (`Plan::columns`), as it will be stored.
    pub cells: Vec<String>,
    pub errors: Vec<String>,
    pub duplicate: Option<String>,
    /// Another contact of the organization first named on that row.
    pub same_as: Option<usize>,
    /// Kept aside with the import's bad rows, though right itself: the first bad row of
    /// its organization (or of its parent organization).
    pub kept_with: Option<usize>,
}

impl RowView {
    /// Whether a partial import leaves this row out.
    pub fn kept_aside(&self) -> bool {
        !self.errors.is_empty() || self.kept_with.is_some()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParentRef {
    Existing(Uuid),
    /// Another organization of the file (its index among the groups).
    InFile(usize),
}

/// One organization of the file: one prospect, with the contacts of all its rows.
pub struct Group {
    pub key: String,
    pub first_row: usize,
    pub rows: Vec<usize>,
    pub name: String,
    pub website: Option<(String, usize)>,
    pub size: Option<(Size, usize)>,
    pub owner: Option<(Uuid, usize)>,
    pub sensitivity: Option<(String, usize)>,
    pub notes: Option<(String, usize)>,
    pub hold_reason: Option<(String, usize)>,
    pub hold_until: Option<(Date, usize)>,
    /// (as written, folded, row)
    pub parent: Option<(String, String, usize)>,
    pub tags: Vec<String>,
    pub contacts: Vec<(ContactInput, usize)>,
    pub resolved_parent: Option<ParentRef>,
    /// Whether a partial import writes it (no bad row, nor a parent kept aside).
    pub importable: bool,
    /// The organization of the book it is (same folded name or website domain): used,
    /// not added again.
    pub existing: Option<Uuid>,
    /// An earlier organization of the file with the same website: flagged as a possible
    /// duplicate of it.
    pub duplicate_of: Option<usize>,
}

/// The checked file: every row with its problems, and what would be written.
pub struct Plan {
    /// The mapped columns, in the file's order, as the preview shows them.
    pub columns: Vec<Target>,
    pub rows: Vec<RowView>,
    pub groups: Vec<Group>,
}

/// Rows written as a spreadsheet reader would say them: "rows 2–4, 7".
pub fn row_ranges(rows: &[usize]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < rows.len() {
        let start = rows[i];
        let mut end = start;
        while i + 1 < rows.len() && rows[i + 1] == end + 1 {
            end += 1;
            i += 1;
        }
        parts.push(if end == start {
            start.to_string()
        } else if end == start + 1 {
            format!("{start}, {end}")
        } else {
            format!("{start}–{end}")
        });
        i += 1;
    }
    let word = if rows.len() == 1 { "Row" } else { "Rows" };
    format!("{word} {}", parts.join(", "))
}

impl Plan {
    pub fn error_rows(&self) -> usize {
        self.rows.iter().filter(|r| !r.errors.is_empty()).count()
    }

    /// Each distinct problem once, with the rows that have it, in order of first row.
    pub fn errors(&self) -> Vec<(String, String)> {
        let mut seen: Vec<(String, Vec<usize>)> = Vec::new();
        let mut at: HashMap<&str, usize> = HashMap::new();
        for row in &self.rows {
            for e in &row.errors {
                match at.get(e.as_str()) {
                    Some(&i) => {
                        let rows = &mut seen[i].1;
                        if rows.last() != Some(&row.row) {
                            rows.push(row.row);
                        }
                    }
                    None => {
                        at.insert(e, seen.len());
                        seen.push((e.clone(), vec![row.row]));
                    }
                }
            }
        }
        seen.into_iter()
            .map(|(message, rows)| (row_ranges(&rows), message))
            .collect()
    }

    pub fn prospects(&self) -> usize {
        self.groups.len()
    }

    pub fn contacts(&self) -> usize {
        self.groups.iter().map(|g| g.contacts.len()).sum()
    }

    pub fn importable_prospects(&self) -> usize {
        self.groups.iter().filter(|g| g.importable).count()
    }

    pub fn importable_contacts(&self) -> usize {
        self.groups
            .iter()
            .filter(|g| g.importable)
            .map(|g| g.contacts.len())
            .sum()
    }

    /// Rows a partial import leaves out (their own errors, or their organization's).
    pub fn kept_rows(&self) -> Vec<usize> {
        self.rows
            .iter()
            .filter(|r| r.kept_aside())
            .map(|r| r.row)
            .collect()
    }

    /// Whether any row has a problem or a note to show (else the preview leaves out
    /// that column).
    pub fn has_notes(&self) -> bool {
        self.rows
            .iter()
            .any(|r| !r.errors.is_empty() || r.duplicate.is_some() || r.kept_with.is_some())
    }

    pub fn duplicates(&self) -> usize {
        self.rows.iter().filter(|r| r.duplicate.is_some()).count()
    }

    /// Parents before their chapters, so each chapter can name its parent's id.
    pub fn insert_order(&self) -> Vec<usize> {
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
/// organizers.
pub fn plan(table: &Table, targets: &[Target], context: &Context, values: &ValueMap) -> Plan {
    let columns: Vec<(usize, Target)> = targets
        .iter()
        .enumerate()
        .filter(|(_, t)| **t != Target::Ignore)
        .map(|(i, t)| (i, *t))
        .collect();
    let mut rows: Vec<RowView> = Vec::with_capacity(table.rows.len());
    let mut groups: Vec<Group> = Vec::new();
    let mut group_of_key: HashMap<String, usize> = HashMap::new();

    for (row, cells) in &table.rows {
        let row = *row;
        let checked = check_row(cells, table.headers.len(), targets, context, values);
        let mut errors = checked.errors.clone();
        let shown_cells = columns
            .iter()
            .map(|(i, t)| {
                let raw = cells.get(*i).map(|c| c.trim()).unwrap_or_default();
                shown(*t, raw, &checked, context)
            })
            .collect();
        let mut same_as = None;
        if !checked.name.is_empty() {
            let key = group_key(&checked.name);
            let index = match group_of_key.get(&key) {
                Some(&index) => {
                    same_as = Some(groups[index].first_row);
                    index
                }
                None => {
                    groups.push(Group {
                        key: key.clone(),
                        first_row: row,
                        rows: Vec::new(),
                        name: checked.name.clone(),
                        website: None,
                        size: None,
                        owner: None,
                        sensitivity: None,
                        notes: None,
                        hold_reason: None,
                        hold_until: None,
                        parent: None,
                        tags: Vec::new(),
                        contacts: Vec::new(),
                        resolved_parent: None,
                        importable: true,
                        existing: None,
                        duplicate_of: None,
                    });
                    group_of_key.insert(key, groups.len() - 1);
                    groups.len() - 1
                }
            };
            let group = &mut groups[index];
            group.rows.push(row);
            let e = &mut errors;
            merge_value(
                &mut group.website,
                checked.website.clone(),
                row,
                "website",
                String::clone,
                e,
            );
            merge_value(
                &mut group.size,
                checked.size,
                row,
                "size",
                |s: &Size| s.label().to_owned(),
                e,
            );
            let owner_name = |id: &Uuid| {
                context
                    .organizers
                    .iter()
                    .find(|o| o.id == *id)
                    .map_or_else(String::new, |o| o.name.clone())
            };
            merge_value(&mut group.owner, checked.owner, row, "owner", owner_name, e);
            let text = |s: &String| (!s.is_empty()).then(|| s.clone());
            merge_value(
                &mut group.sensitivity,
                text(&checked.sensitivity),
                row,
                "sensitivity note",
                String::clone,
                e,
            );
            merge_value(
                &mut group.notes,
                text(&checked.notes),
                row,
                "notes",
                String::clone,
                e,
            );
            merge_value(
                &mut group.hold_reason,
                text(&checked.hold_reason),
                row,
                "hold reason",
                String::clone,
                e,
            );
            merge_value(
                &mut group.hold_until,
                checked.hold_until,
                row,
                "hold date",
                Date::to_string,
                e,
            );
            if !checked.parent.is_empty() {
                let folded = group_key(&checked.parent);
                match &group.parent {
                    None => group.parent = Some((checked.parent.clone(), folded, row)),
                    Some((kept, kept_key, kept_row)) if *kept_key != folded => errors.push(format!(
                        "the parent organization \"{}\" differs from row {kept_row} (\"{kept}\") for the same organization: use one",
                        checked.parent
                    )),
                    Some(_) => {}
                }
            }
            for tag in &checked.tags {
                if !group.tags.iter().any(|t| t.eq_ignore_ascii_case(tag)) {
                    group.tags.push(tag.clone());
                }
            }
            if group.tags.len() > MAX_TAGS && !errors.iter().any(|e| e.contains("tags")) {
                errors.push(format!(
                    "with this row the organization has more than {MAX_TAGS} tags"
                ));
            }
            if let Some(contact) = checked.contact {
                if let Some(email) = &contact.email {
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
                group.contacts.push((contact, row));
            }
        }
        rows.push(RowView {
            row,
            cells: shown_cells,
            errors,
            duplicate: None,
            same_as,
            kept_with: None,
        });
    }

    flag_duplicates(&mut groups, &mut rows, context);
    resolve_parents(&mut groups, &mut rows, &group_of_key, context);
    keep_aside(&mut groups, &mut rows);
    Plan {
        columns: columns.into_iter().map(|(_, t)| t).collect(),
        rows,
        groups,
    }
}

/// The book's rule: an organization with the same folded name or website domain as one
/// of the group's book is that organization (used, not added twice; the first by name,
/// else the oldest by domain); one with the website of an earlier organization of the
/// file is flagged as its possible duplicate (rows with the same name are one
/// organization already).
fn flag_duplicates(groups: &mut [Group], rows: &mut [RowView], context: &Context) {
    let at_row: HashMap<usize, usize> = rows.iter().enumerate().map(|(i, v)| (v.row, i)).collect();
    let mut seen_domains: HashMap<String, usize> = HashMap::new();
    for index in 0..groups.len() {
        let group = &groups[index];
        let domain = group
            .website
            .as_ref()
            .map(|(w, _)| domain_of(w))
            .unwrap_or_default();
        let existing = context
            .existing
            .iter()
            .find(|e| e.name_key == group.key)
            .or_else(|| {
                context
                    .existing
                    .iter()
                    .find(|e| !domain.is_empty() && e.domain == domain)
            });
        let mut duplicate_of = None;
        let note = match existing {
            Some(e) if context.into_campaign && e.in_campaign => Some(format!(
                "already on the list as {}: its new contacts are added to it",
                e.name
            )),
            Some(e) if context.into_campaign => Some(format!(
                "already in the address book as {}: added to this campaign from there",
                e.name
            )),
            Some(e) => Some(format!(
                "already in the address book as {}: its new contacts are added to it",
                e.name
            )),
            None if !domain.is_empty() => seen_domains.get(&domain).map(|&earlier| {
                duplicate_of = Some(earlier);
                format!(
                    "possible duplicate of row {} ({}): same website",
                    groups[earlier].first_row, groups[earlier].name
                )
            }),
            None => None,
        };
        if !domain.is_empty() && existing.is_none() {
            seen_domains.entry(domain).or_insert(index);
        }
        let existing = existing.map(|e| e.id);
        let first_row = group.first_row;
        groups[index].existing = existing;
        groups[index].duplicate_of = duplicate_of;
        if let Some(note) = note {
            if let Some(&i) = at_row.get(&first_row) {
                rows[i].duplicate = Some(note);
            }
        }
    }
}

/// Parents: another organization of the file, else a prospect already on the list; a
/// loop of parents in the file (A's parent is B, B's is A) cannot be stored.
fn resolve_parents(
    groups: &mut [Group],
    rows: &mut [RowView],
    group_of_key: &HashMap<String, usize>,
    context: &Context,
) {
    let mut parent_errors: Vec<(usize, String)> = Vec::new();
    for group in groups.iter_mut() {
        let Some((parent, folded, row)) = group.parent.clone() else {
            continue;
        };
        group.resolved_parent = if folded == group.key {
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
                    "the parent organization \"{parent}\" is neither in the address book nor in this file"
                ),
            ));
            None
        };
    }
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
}

/// Which organizations a partial import writes: those without a bad row whose parent in
/// the file is written too. The other rows of an organization kept aside go with it, so
/// the fixed rows come back together as one prospect.
fn keep_aside(groups: &mut [Group], rows: &mut [RowView]) {
    let bad_rows: std::collections::HashSet<usize> = rows
        .iter()
        .filter(|v| !v.errors.is_empty())
        .map(|v| v.row)
        .collect();
    let mut blocked: Vec<Option<usize>> = groups
        .iter()
        .map(|g| g.rows.iter().copied().find(|r| bad_rows.contains(r)))
        .collect();
    // A chapter waits for its parent: repeat until nothing changes (chains are short).
    loop {
        let mut changed = false;
        for i in 0..groups.len() {
            if blocked[i].is_some() {
                continue;
            }
            if let Some(ParentRef::InFile(p)) = groups[i].resolved_parent {
                if let Some(r) = blocked[p] {
                    blocked[i] = Some(r);
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    // Row number → its place among the rows.
    let index: HashMap<usize, usize> = rows.iter().enumerate().map(|(i, v)| (v.row, i)).collect();
    for (group, blocked) in groups.iter_mut().zip(blocked) {
        let Some(first_bad) = blocked else { continue };
        group.importable = false;
        for row in &group.rows {
            if let Some(&i) = index.get(row) {
                if rows[i].errors.is_empty() {
                    rows[i].kept_with = Some(first_bad);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse::parse_table;
    use super::*;

    #[test]
    fn rows_of_one_organization_make_one_prospect_and_loops_are_refused() {
        let table = parse_table(
            "org,parent,email\nRiver Trust,,a@river.example\nriver trust,,b@river.example\nA,B,\nB,A,\n",
            None,
        )
        .ok()
        .unwrap();
        let targets = [Target::Name, Target::Parent, Target::ContactEmail];
        let context = Context {
            existing: Vec::new(),
            into_campaign: true,
            organizers: Vec::new(),
        };
        let plan = plan(&table, &targets, &context, &ValueMap::default());
        assert_eq!(plan.prospects(), 3);
        assert_eq!(plan.contacts(), 2);
        assert_eq!(plan.rows[1].same_as, Some(2));
        assert!(plan.rows[2].errors.iter().any(|e| e.contains("loop")));
        assert_eq!(plan.importable_prospects(), 1, "only River Trust");
    }

    #[test]
    fn the_same_problem_on_many_rows_is_listed_once() {
        assert_eq!(row_ranges(&[2, 3, 4, 7, 9, 10]), "Rows 2–4, 7, 9, 10");
        assert_eq!(row_ranges(&[5]), "Row 5");
        let table = parse_table("org,size\nA,huge\nB,huge\nC,local\nD,HUGE\n", None)
            .ok()
            .unwrap();
        let context = Context {
            existing: Vec::new(),
            into_campaign: true,
            organizers: Vec::new(),
        };
        let plan = plan(
            &table,
            &[Target::Name, Target::Size],
            &context,
            &ValueMap::default(),
        );
        let errors = plan.errors();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!(errors[0].0, "Rows 2, 3");
        assert_eq!(plan.kept_rows(), [2, 3, 5]);
    }
}
