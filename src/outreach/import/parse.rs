//! Reading the file: CSV with `,` or `;`, or cells pasted from a spreadsheet (tabs), with
//! or without a first line naming the columns.

use super::mapping::{column_label, guess_one, Target};
use super::{too_large, MAX_BYTES, MAX_ROWS};
use crate::mail::EmailAddress;
use crate::outreach::store::KeptRow;
use crate::web::format_count;
use crate::web::is_forbidden_control;

/// The file, read: the column names and each row's cells.
pub struct Table {
    /// Empty names for a file without a first line of names.
    pub headers: Vec<String>,
    /// (spreadsheet row number, cells); the first line is row 1, empty rows are skipped.
    pub rows: Vec<(usize, Vec<String>)>,
    /// Whether the first line named the columns (else it is row 1 of the data).
    pub has_header: bool,
    pub delimiter: u8,
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
pub(super) fn unneutralize(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => cell,
    }
}

/// Tabs (cells copied from Google Sheets or Excel), else `;` (a spreadsheet saved as CSV
/// where the comma is the decimal mark) when the first line has more of them than commas.
fn delimiter_of(text: &str) -> u8 {
    let first = text.lines().next().unwrap_or_default();
    if first.contains('\t') {
        b'\t'
    } else if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    }
}

/// A first line names the columns when one of its cells is a column name the import
/// knows and none is an email address (a pasted block often starts with a row of data).
fn looks_like_header(cells: &[String]) -> bool {
    let names_a_column = cells
        .iter()
        .any(|c| guess_one(c).is_some() || c.trim().eq_ignore_ascii_case("name"));
    let holds_data = cells
        .iter()
        .any(|c| c.contains('@') && EmailAddress::parse(c).is_ok());
    names_a_column && !holds_data
}

/// Reads the text; `header` says whether the first line names the columns (`None`: as it
/// looks).
pub fn parse_table(text: &str, header: Option<bool>) -> Result<Table, Unreadable> {
    let text = text.trim_start_matches('\u{feff}');
    if text.trim().is_empty() {
        return Err(Unreadable::File("The file is empty.".into()));
    }
    // Browsers send a textarea's line breaks as CR LF: the file's own size counts.
    if text.bytes().filter(|b| *b != b'\r').count() > MAX_BYTES {
        return Err(Unreadable::File(too_large()));
    }
    let delimiter = delimiter_of(text);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .delimiter(delimiter)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut records: Vec<(usize, Vec<String>)> = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let row = index + 1;
        let record = record.map_err(|e| {
            Unreadable::File(format!(
                "Row {row} could not be read ({e}). Save the spreadsheet as CSV, or copy its cells again, and try again."
            ))
        })?;
        let mut cells: Vec<String> = record
            .iter()
            // A line break inside a quoted cell is one line break, however it was sent.
            .map(|cell| unneutralize(cell).replace("\r\n", "\n"))
            .collect();
        // Spreadsheets pad a pasted block with empty cells on the right.
        while cells.last().is_some_and(String::is_empty) {
            cells.pop();
        }
        if cells.is_empty() {
            continue;
        }
        if records.len() > MAX_ROWS {
            return Err(Unreadable::File(format!(
                "The file has more than {} rows. Import at most {} at a time: split the file and import each part.",
                format_count(MAX_ROWS),
                format_count(MAX_ROWS)
            )));
        }
        records.push((row, cells));
    }
    let Some((first_row, first)) = records.first() else {
        return Err(Unreadable::File("The file is empty.".into()));
    };
    // A first line that is not row 1 (blank lines above it) is still the first line.
    let _ = first_row;
    let has_header = header.unwrap_or_else(|| looks_like_header(first));
    let (headers, rows) = if has_header {
        let mut records = records.into_iter();
        let (_, headers) = records.next().expect("a first line");
        (headers, records.collect::<Vec<_>>())
    } else {
        let width = records.iter().map(|(_, c)| c.len()).max().unwrap_or(0);
        (vec![String::new(); width], records)
    };
    if rows.len() > MAX_ROWS {
        return Err(Unreadable::File(format!(
            "The file has more than {} rows. Import at most {} at a time: split the file and import each part.",
            format_count(MAX_ROWS),
            format_count(MAX_ROWS)
        )));
    }
    let mut cell_errors = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        if h.chars().any(is_forbidden_control) {
            cell_errors.push(CellError {
                row: 1,
                message: format!(
                    "the name of {} contains an invisible control character (such as a NUL byte)",
                    column_label(&headers, i)
                ),
            });
        }
    }
    for (row, cells) in &rows {
        for (i, cell) in cells.iter().enumerate() {
            if cell.chars().any(is_forbidden_control) {
                cell_errors.push(CellError {
                    row: *row,
                    message: format!(
                        "the cell under {} contains an invisible control character (such as a NUL byte) that cannot be stored",
                        column_label(&headers, i)
                    ),
                });
            }
        }
    }
    if !cell_errors.is_empty() {
        return Err(Unreadable::Cells(cell_errors));
    }
    if rows.is_empty() {
        return Err(Unreadable::File(
            "The file has column names but no rows.".into(),
        ));
    }
    Ok(Table {
        headers,
        rows,
        has_header,
        delimiter,
    })
}

/// The table written back as CSV (with the first line when the file had one), to correct
/// and import again.
pub fn table_as_csv(table: &Table) -> String {
    let mut out = Vec::new();
    {
        let mut writer = csv::WriterBuilder::new()
            .flexible(true)
            .from_writer(&mut out);
        if table.has_header {
            let _ = writer.write_record(&table.headers);
        }
        for (_, cells) in &table.rows {
            let _ = writer.write_record(cells);
        }
        let _ = writer.flush();
    }
    String::from_utf8(out).unwrap_or_default()
}

/// The cell of the email column, when the row has one that is not empty.
fn email_cells(cells: &[String], email_column: Option<usize>) -> Vec<String> {
    email_column
        .and_then(|i| cells.get(i))
        .map(|cell| cell.trim())
        .filter(|cell| !cell.is_empty())
        .map(|cell| vec![cell.to_owned()])
        .unwrap_or_default()
}

/// Some rows of the table as they are kept aside, each with the cell of the column mapped
/// to the contact's email (when not empty): what a signer's erasure compares whole.
pub fn kept_rows_of(table: &Table, rows: &[usize], targets: &[Target]) -> Vec<KeptRow> {
    let email_column = targets.iter().position(|t| *t == Target::ContactEmail);
    table
        .rows
        .iter()
        .filter(|(row, _)| rows.contains(row))
        .map(|(_, cells)| KeptRow {
            cells: cells.clone(),
            emails: email_cells(cells, email_column),
        })
        .collect()
}

/// The kept rows as a table again, numbered as in their CSV (`table_as_csv`): the first
/// line is row 1, so with a line of column names the rows start at 2.
pub fn kept_table(headers: &[String], has_header: bool, rows: &[KeptRow]) -> Table {
    let first = if has_header { 2 } else { 1 };
    Table {
        headers: headers.to_vec(),
        rows: rows
            .iter()
            .enumerate()
            .map(|(i, row)| (first + i, row.cells.clone()))
            .collect(),
        has_header,
        delimiter: b',',
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Table {
        match parse_table(text, None) {
            Ok(t) => t,
            Err(Unreadable::File(p)) => panic!("{p}"),
            Err(Unreadable::Cells(c)) => panic!("{}", c[0].message),
        }
    }

    #[test]
    fn kept_rows_carry_their_email_cell() {
        let table = read("organization,notes,email\n\"Reed, Sedge\",\"two\nlines \"\"q\"\"\",Reed@Sedge.example\nFen,,\n");
        let targets = [Target::Name, Target::Notes, Target::ContactEmail];
        let kept = kept_rows_of(&table, &[2, 3], &targets);
        assert_eq!(kept[0].emails, ["Reed@Sedge.example"]);
        assert_eq!(kept[0].cells[1], "two\nlines \"q\"");
        assert!(kept[1].emails.is_empty(), "an empty cell is no address");
    }

    #[test]
    fn exported_cells_read_back_without_their_apostrophe() {
        assert_eq!(unneutralize("'=SUM(A1)"), "=SUM(A1)");
        assert_eq!(unneutralize("'+44 20"), "+44 20");
        assert_eq!(unneutralize("'t Hooft"), "'t Hooft");
    }

    #[test]
    fn cells_pasted_from_a_spreadsheet_are_read_with_or_without_names() {
        let pasted = read("Organization\tOwner\tNotes\t\r\nRiver Trust\tMaya\t\"Two\r\nlines\"\t\t\r\n\r\nLake Friends\tSam\t\t\r\n");
        assert_eq!(pasted.delimiter, b'\t');
        assert!(pasted.has_header);
        assert_eq!(pasted.headers, ["Organization", "Owner", "Notes"]);
        assert_eq!(pasted.rows[0].1, ["River Trust", "Maya", "Two\nlines"]);
        // The quoted line break is one row; a blank line is none.
        assert_eq!(
            pasted.rows[1],
            (3, vec!["Lake Friends".into(), "Sam".into()])
        );

        let headless = read("River Trust\tamira@river.example\nLake Friends\tlee@lake.example\n");
        assert!(!headless.has_header);
        assert_eq!(headless.headers.len(), 2);
        assert_eq!(headless.rows[0].0, 1, "the first line is row 1 of the data");

        let semicolons = read("organization;email\nRiver Trust, Inc.;a@river.example\n");
        assert_eq!(
            semicolons.rows[0].1,
            ["River Trust, Inc.", "a@river.example"]
        );
    }
}
