//! The values a spreadsheet writes its own way: owners by name, first name or email, and
//! sizes such as "Statewide". What the import cannot place by itself is asked once per
//! distinct value on the value-mapping step, and travels in the page from then on.

use uuid::Uuid;

use super::mapping::Target;
use super::parse::Table;
use crate::outreach::Size;

/// An owner or organizer of the group, as the owner column may name them.
#[derive(Clone, Debug)]
pub struct Organizer {
    pub id: Uuid,
    pub name: String,
    pub email: String,
}

/// What an organizer chose for a value on the mapping step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Choice<T> {
    /// Leave the field empty on these rows.
    Empty,
    Value(T),
}

/// The organizers' choices for the values the import could not place by itself, keyed
/// by the value folded to lower case.
#[derive(Clone, Debug, Default)]
pub struct ValueMap {
    pub owners: Vec<(String, Choice<Uuid>)>,
    pub sizes: Vec<(String, Choice<Size>)>,
}

fn fold(raw: &str) -> String {
    raw.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

impl ValueMap {
    /// From the page's parallel fields: `value_kind` ("owner"/"size"), `value_raw` and
    /// `value_to` ("" not chosen, "none" left empty, else an organizer's id or a size).
    pub fn from_fields(kinds: &[String], raws: &[String], tos: &[String]) -> ValueMap {
        let mut map = ValueMap::default();
        for ((kind, raw), to) in kinds.iter().zip(raws).zip(tos) {
            let key = fold(raw);
            match (kind.as_str(), to.as_str()) {
                (_, "") => {}
                ("owner", "none") => map.owners.push((key, Choice::Empty)),
                ("size", "none") => map.sizes.push((key, Choice::Empty)),
                ("owner", id) => {
                    if let Ok(id) = Uuid::parse_str(id) {
                        map.owners.push((key, Choice::Value(id)));
                    }
                }
                ("size", size) => {
                    if let Some(size) = Size::parse(size) {
                        map.sizes.push((key, Choice::Value(size)));
                    }
                }
                _ => {}
            }
        }
        map
    }

    fn owner(&self, raw: &str) -> Option<Choice<Uuid>> {
        let key = fold(raw);
        self.owners.iter().find(|(k, _)| *k == key).map(|(_, c)| *c)
    }

    fn size(&self, raw: &str) -> Option<Choice<Size>> {
        let key = fold(raw);
        self.sizes.iter().find(|(k, _)| *k == key).map(|(_, c)| *c)
    }
}

/// The organizer an owner cell names by itself: their email, full name, or first name
/// when only one organizer has it (case and spacing aside).
pub fn owner_named(raw: &str, organizers: &[Organizer]) -> Option<Uuid> {
    let wanted = fold(raw);
    if wanted.is_empty() {
        return None;
    }
    if let Some(o) = organizers
        .iter()
        .find(|o| o.email.to_lowercase() == wanted || fold(&o.name) == wanted)
    {
        return Some(o.id);
    }
    let mut by_first_name = organizers.iter().filter(|o| {
        fold(&o.name)
            .split(' ')
            .next()
            .is_some_and(|first| first == wanted)
    });
    match (by_first_name.next(), by_first_name.next()) {
        (Some(o), None) => Some(o.id),
        _ => None,
    }
}

/// An owner cell: the organizer it names, what was chosen for it, or `Err` when nobody
/// decided yet.
pub fn resolve_owner(
    raw: &str,
    organizers: &[Organizer],
    values: &ValueMap,
) -> Result<Option<Uuid>, ()> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    if let Some(choice) = values.owner(raw) {
        return Ok(match choice {
            Choice::Empty => None,
            Choice::Value(id) => organizers.iter().find(|o| o.id == id).map(|o| o.id),
        });
    }
    owner_named(raw, organizers).map(Some).ok_or(())
}

/// A size cell: the size it names, what was chosen for it, or `Err` when nobody decided.
pub fn resolve_size(raw: &str, values: &ValueMap) -> Result<Option<Size>, ()> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    if let Some(size) = Size::parse(&fold(raw)) {
        return Ok(Some(size));
    }
    match values.size(raw) {
        Some(Choice::Empty) => Ok(None),
        Some(Choice::Value(size)) => Ok(Some(size)),
        None => Err(()),
    }
}

/// A size a word suggests, offered first on the mapping step (the organizer still sees
/// and confirms it): "Statewide" reaches a region, "Local chapter" a place.
pub fn suggested_size(raw: &str) -> Option<Size> {
    let folded = fold(raw);
    let has = |w: &str| folded.split(|c: char| !c.is_alphanumeric()).any(|x| x == w);
    if has("international") || has("global") || has("worldwide") {
        Some(Size::International)
    } else if has("national") || has("nationwide") || has("federal") || has("country") {
        Some(Size::National)
    } else if has("state")
        || has("statewide")
        || has("regional")
        || has("region")
        || has("province")
        || has("provincial")
        || has("multi")
    {
        Some(Size::Regional)
    } else if has("local")
        || has("chapter")
        || has("city")
        || has("county")
        || has("town")
        || has("neighborhood")
        || has("neighbourhood")
        || has("community")
    {
        Some(Size::Local)
    } else {
        None
    }
}

/// A value of the file the import cannot place by itself, with the rows that hold it.
pub struct Unplaced {
    /// "owner" or "size"
    pub kind: &'static str,
    pub raw: String,
    pub rows: usize,
    /// What the page offers first: the organizer's earlier choice, else a suggestion.
    pub chosen: String,
}

/// Every distinct owner and size of the file that needs a decision, in order of first
/// appearance; each carries the choice already made, if any.
pub fn unplaced(
    table: &Table,
    targets: &[Target],
    organizers: &[Organizer],
    values: &ValueMap,
) -> Vec<Unplaced> {
    let mut out: Vec<Unplaced> = Vec::new();
    // (kind, folded value) → its place in `out`: a file may hold thousands of values.
    let mut seen: std::collections::HashMap<(&'static str, String), usize> =
        std::collections::HashMap::new();
    let column = |t: Target| targets.iter().position(|x| *x == t);
    for (target, kind) in [(Target::Owner, "owner"), (Target::Size, "size")] {
        let Some(i) = column(target) else { continue };
        for (_, cells) in &table.rows {
            let raw = cells.get(i).map(|c| c.trim()).unwrap_or_default();
            if raw.is_empty() {
                continue;
            }
            let key = (kind, fold(raw));
            if let Some(&at) = seen.get(&key) {
                out[at].rows += 1;
                continue;
            }
            let placed_by_itself = match kind {
                "owner" => owner_named(raw, organizers).is_some(),
                _ => Size::parse(&key.1).is_some(),
            };
            if placed_by_itself {
                continue;
            }
            seen.insert(key, out.len());
            let chosen = match kind {
                "owner" => match values.owner(raw) {
                    Some(Choice::Empty) => "none".to_owned(),
                    Some(Choice::Value(id)) => id.to_string(),
                    None => String::new(),
                },
                _ => match values.size(raw) {
                    Some(Choice::Empty) => "none".to_owned(),
                    Some(Choice::Value(s)) => s.as_str().to_owned(),
                    None => suggested_size(raw)
                        .map(|s| s.as_str().to_owned())
                        .unwrap_or_default(),
                },
            };
            out.push(Unplaced {
                kind,
                raw: raw.to_owned(),
                rows: 1,
                chosen,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn team() -> Vec<Organizer> {
        vec![
            Organizer {
                id: Uuid::from_u128(1),
                name: "Maya Okafor".into(),
                email: "maya@ovcwa.example".into(),
            },
            Organizer {
                id: Uuid::from_u128(2),
                name: "Sam Reyes".into(),
                email: "sam@ovcwa.example".into(),
            },
            Organizer {
                id: Uuid::from_u128(3),
                name: "Sam Ortiz".into(),
                email: "ortiz@ovcwa.example".into(),
            },
        ]
    }

    #[test]
    fn owners_are_found_by_email_full_name_or_a_first_name_only_one_has() {
        let team = team();
        assert_eq!(
            owner_named("MAYA@ovcwa.example", &team),
            Some(Uuid::from_u128(1))
        );
        assert_eq!(
            owner_named(" maya  okafor ", &team),
            Some(Uuid::from_u128(1))
        );
        assert_eq!(owner_named("Maya", &team), Some(Uuid::from_u128(1)));
        assert_eq!(owner_named("Sam", &team), None, "two organizers are Sam");
        assert_eq!(owner_named("Sam Ortiz", &team), Some(Uuid::from_u128(3)));
        let chosen = ValueMap::from_fields(
            &["owner".into()],
            &["sam".into()],
            &[Uuid::from_u128(2).to_string()],
        );
        assert_eq!(
            resolve_owner("Sam", &team, &chosen),
            Ok(Some(Uuid::from_u128(2)))
        );
        assert_eq!(resolve_owner("Jo", &team, &chosen), Err(()));
    }

    #[test]
    fn unknown_sizes_get_a_suggestion_to_confirm() {
        assert_eq!(suggested_size("Statewide"), Some(Size::Regional));
        assert_eq!(suggested_size("State"), Some(Size::Regional));
        assert_eq!(suggested_size("Local chapter"), Some(Size::Local));
        assert_eq!(suggested_size("Big"), None);
        assert_eq!(resolve_size("Statewide", &ValueMap::default()), Err(()));
        let chosen = ValueMap::from_fields(
            &["size".into()],
            &["statewide".into()],
            &["regional".into()],
        );
        assert_eq!(resolve_size("Statewide", &chosen), Ok(Some(Size::Regional)));
    }
}
