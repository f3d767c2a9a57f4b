//! Prospects from a spreadsheet and back: pasted cells and CSV, the column mapping, the
//! value mapping (owners by first name, sizes like "Statewide"), the preview with each
//! problem named once with its rows, partial imports with rows kept aside (or all rows or
//! none), undo, the export (spreadsheet-safe, read back by the import), the list's bulk
//! changes, delete and merge, and who may do which.

use crate::support;

use support::campaigns::{create_campaign, input_textarea};
use support::{Client, Response, TestApp};

const OWNER: &str = "owner@river.example";

/// The values chosen in the page's `map` selects, in column order.
fn chosen_columns(html: &str) -> Vec<String> {
    html.split("<select ")
        .skip(1)
        .filter(|s| s.contains("name=\"map\""))
        .map(|s| {
            let inner = &s[..s.find("</select>").expect("the select closes")];
            let at = inner.find(" selected>").expect("an option is chosen");
            let before = &inner[..at];
            let start = before.rfind("value=\"").unwrap() + "value=\"".len();
            let end = before[start..].find('"').unwrap() + start;
            before[start..end].to_owned()
        })
        .collect()
}

/// Uploads a file and returns the page with the column choices.
async fn upload(client: &Client, path: &str, csv: &str) -> Response {
    client
        .upload(&format!("{path}/outreach/import"), "file", csv)
        .await
}

/// Sends the column choices (`map`, one per column) and the file as the page carries it.
async fn preview(client: &Client, path: &str, csv: &str, map: &[&str]) -> Response {
    let mut fields = vec![("csv", csv), ("step", "preview")];
    fields.extend(map.iter().map(|m| ("map", *m)));
    client
        .post_form(&format!("{path}/outreach/import"), &fields)
        .await
}

async fn confirm(client: &Client, path: &str, csv: &str, map: &[&str]) -> Response {
    confirm_with(client, path, csv, map, &[]).await
}

async fn confirm_with(
    client: &Client,
    path: &str,
    csv: &str,
    map: &[&str],
    extra: &[(&str, &str)],
) -> Response {
    let mut fields = vec![("csv", csv)];
    fields.extend_from_slice(extra);
    fields.extend(map.iter().map(|m| ("map", *m)));
    client
        .post_form(&format!("{path}/outreach/import/confirm"), &fields)
        .await
}

/// Upload, mapping page, preview (with the guessed choices), confirm: the whole way.
async fn import_as_guessed(client: &Client, path: &str, csv: &str) -> Response {
    let mapping = upload(client, path, csv).await;
    assert_eq!(mapping.status, 200, "{}", mapping.body);
    let carried = input_textarea(&mapping.body, "csv");
    let chosen = chosen_columns(&mapping.body);
    let map: Vec<&str> = chosen.iter().map(String::as_str).collect();
    let previewed = preview(client, path, &carried, &map).await;
    assert_eq!(previewed.status, 200, "{}", previewed.body);
    confirm(client, path, &input_textarea(&previewed.body, "csv"), &map).await
}

async fn counts(app: &TestApp) -> (i64, i64) {
    (
        app.count("SELECT count(*) FROM prospects").await,
        app.count("SELECT count(*) FROM people").await,
    )
}

async fn prospect_id(app: &TestApp, name: &str) -> uuid::Uuid {
    sqlx::query_scalar(
        "SELECT p.id FROM prospects p JOIN organizations o ON o.id = p.organization_id WHERE o.name = $1",
    )
        .bind(name)
        .fetch_one(&app.db)
        .await
        .unwrap_or_else(|_| panic!("a prospect named {name}"))
}

async fn setup(app: &TestApp) -> (Client, String) {
    let owner = app.signup("river", OWNER).await;
    let path = create_campaign(&owner, "river", "water", &[]).await;
    (owner, path)
}

const GOOD: &str = "\u{feff}Organisation,Web,Person,Title,E-mail,Size,Parent org,Tags,Owner,Notes
River Trust,river.example,Amira Haddad,Director,amira@river.example,National,,\"water, north\",Owner@River.example,Board meets monthly
river trust,,Ben Stone,Chair,ben@river.example,,,,,
River Trust North,north.river-trust.example,Cy North,Coordinator,cy@north.example,local,River Trust,,,
Lakeside Group,https://www.lake.example/about,,,,regional,,,,
";

/// The columns are guessed from their names and can be changed; two rows of one
/// organization make one prospect with two contacts; a chapter finds its parent in the
/// same file; an organization with the website of one already listed is flagged.
#[tokio::test]
async fn importing_with_chosen_columns_creates_prospects_and_contacts() {
    let app = TestApp::spawn().await;
    let (owner, path) = setup(&app).await;
    let existing = owner
        .post_form(
            &format!("{path}/outreach/prospects/new"),
            &[("name", "Lake Friends"), ("website", "lake.example")],
        )
        .await;
    assert_eq!(existing.status, 303, "{}", existing.body);

    let page = owner.get(&format!("{path}/outreach/import")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("enctype=\"multipart/form-data\""));

    let mapping = upload(&owner, &path, GOOD).await;
    assert_eq!(mapping.status, 200, "{}", mapping.body);
    assert_eq!(
        chosen_columns(&mapping.body),
        [
            "name",
            "website",
            "contact_name",
            "contact_role",
            "contact_email",
            "size",
            "parent",
            "tags",
            "owner",
            "notes"
        ],
        "guessed from the column names"
    );
    assert!(
        mapping.body.contains("Board meets monthly"),
        "first values are shown"
    );
    let csv = input_textarea(&mapping.body, "csv");
    assert!(
        !csv.starts_with('\u{feff}'),
        "the byte order mark is dropped"
    );
    assert!(csv.starts_with("Organisation,Web"));

    // The organizer keeps "Notes" as the sensitivity note.
    let map = [
        "name",
        "website",
        "contact_name",
        "contact_role",
        "contact_email",
        "size",
        "parent",
        "tags",
        "owner",
        "sensitivity",
    ];
    let previewed = preview(&owner, &path, &csv, &map).await;
    assert_eq!(previewed.status, 200, "{}", previewed.body);
    let body = support::unescape(&previewed.body);
    assert!(
        body.contains("3 prospects with 3 contacts"),
        "rows of one organization are one prospect: {body}"
    );
    assert!(
        body.contains("already on the list as Lake Friends: its new contacts are added to it"),
        "the same website as an organization the campaign has: {body}"
    );
    assert_eq!(counts(&app).await, (1, 0), "a preview writes nothing");

    let done = confirm(&owner, &path, &input_textarea(&previewed.body, "csv"), &map).await;
    assert_eq!(done.status, 303, "{}", done.body);
    let location = done.location().unwrap().to_owned();
    assert!(
        location.starts_with(
            "/app/river/campaigns/water/outreach/prospects?notice=prospects-imported&import="
        ),
        "{location}"
    );
    assert_eq!(
        counts(&app).await,
        (3, 3),
        "Lakeside Group is the Lake Friends the list has, not a second prospect"
    );

    let river = prospect_id(&app, "River Trust").await;
    let contacts: Vec<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT c.name, c.role, c.email::text FROM people c JOIN prospects p ON p.organization_id = c.organization_id
         WHERE p.id = $1 ORDER BY c.name",
    )
    .bind(river)
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(
        contacts,
        [
            (
                "Amira Haddad".to_owned(),
                "Director".to_owned(),
                Some("amira@river.example".to_owned())
            ),
            (
                "Ben Stone".to_owned(),
                "Chair".to_owned(),
                Some("ben@river.example".to_owned())
            ),
        ]
    );
    let (website, size, tags, sensitivity, owner_email): (
        String,
        String,
        Vec<String>,
        String,
        Option<String>,
    ) = sqlx::query_as(
        "SELECT o.website, o.size, o.tags, o.sensitivity, u.email::text FROM prospects p
             JOIN organizations o ON o.id = p.organization_id
             LEFT JOIN users u ON u.id = p.owner_id WHERE p.id = $1",
    )
    .bind(river)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(website, "https://river.example/");
    assert_eq!(size, "national");
    assert_eq!(tags, ["water", "north"]);
    assert_eq!(sensitivity, "Board meets monthly");
    assert_eq!(owner_email.as_deref(), Some(OWNER));

    let (north_parent, river_org): (Option<uuid::Uuid>, uuid::Uuid) = sqlx::query_as(
        "SELECT o.parent_id, (SELECT organization_id FROM prospects WHERE id = $1)
         FROM organizations o WHERE o.name = 'River Trust North'",
    )
    .bind(river)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(
        north_parent,
        Some(river_org),
        "the parent found in the same file"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM organizations").await,
        3,
        "no Lakeside Group in the book"
    );

    let list = owner.get(done.location().unwrap()).await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains("Prospects imported."));
    assert!(list.body.contains("River Trust North"));
}

/// Every bad cell is named with its row; a preview or a confirmation with any bad row
/// writes nothing at all, and the file comes back to be corrected.
#[tokio::test]
async fn a_file_with_bad_rows_changes_nothing_and_lists_each_error_by_row() {
    let app = TestApp::spawn().await;
    let (owner, path) = setup(&app).await;
    let before = counts(&app).await;
    let long_name = "L".repeat(201);
    let csv = format!(
        "organization,website,size,owner,parent,contact name,email,phone
Good Org,good.example,local,,,Pat,pat@good.example,+1 555 0100
,nameless.example,,,,,,
Bad Email Org,,,,,Sam,sam-at-nowhere,
Bad Site Org,not a website,,,,,,
Huge Org,,enormous,,,,,
Stranger Org,,,nobody@else.example,,,,
Orphan Chapter,,,,No Such Parent,,,
{long_name},,,,,,,
Loud Org,,,,,,,call me maybe
"
    );
    let map = [
        "name",
        "website",
        "size",
        "owner",
        "parent",
        "contact_name",
        "contact_email",
        "contact_phone",
    ];
    let mapping = upload(&owner, &path, &csv).await;
    assert_eq!(mapping.status, 200, "{}", mapping.body);
    assert_eq!(chosen_columns(&mapping.body), map);

    // An owner and a size the import cannot place are asked once, on the values step.
    let values = preview(&owner, &path, &csv, &map).await;
    assert_eq!(values.status, 200, "{}", values.body);
    let body = support::unescape(&values.body);
    assert!(body.contains("Owner “nobody@else.example”"), "{body}");
    assert!(body.contains("Size “enormous”"), "{body}");
    let mut fields = vec![("csv", csv.as_str()), ("step", "check")];
    fields.extend(map.iter().map(|m| ("map", *m)));
    let previewed = owner
        .post_form(&format!("{path}/outreach/import"), &fields)
        .await;
    assert_eq!(previewed.status, 422, "{}", previewed.body);
    let body = support::unescape(&previewed.body);
    for expected in [
        "8 of 9 rows need fixing",
        "Row 3: the organization name is missing",
        "Row 4: \"sam-at-nowhere\" is not an email address",
        "Row 5: \"not a website\" is not a website address",
        "Row 6: the size \"enormous\" is not local, regional, national or international",
        "Row 7: the owner \"nobody@else.example\" is not the name, first name or email of one owner or organizer of this group",
        "Row 8: the parent organization \"No Such Parent\" is neither in the address book nor in this file",
        "Row 9: the organization name is longer than 200 characters",
        "Row 10: the phone \"call me maybe\" may hold only digits",
    ] {
        assert!(body.contains(expected), "{expected:?} in {body}");
    }
    assert!(!body.contains("Row 2:"), "the good row has no error");
    assert!(
        body.contains("All rows or none"),
        "all or nothing stays a choice"
    );
    assert!(
        input_textarea(&previewed.body, "csv").contains("Bad Email Org"),
        "the file comes back to be corrected"
    );

    // All rows or none: the confirmation imports nothing and says why, row by row.
    let refused = confirm_with(&owner, &path, &csv, &map, &[("mode", "all")]).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let body = support::unescape(&refused.body);
    assert!(body.contains("Nothing was imported"), "{body}");
    assert!(body.contains("Row 4: \"sam-at-nowhere\" is not an email address"));
    assert!(body.contains("Row 8: the parent organization"));
    assert_eq!(counts(&app).await, before, "not even the good row");

    // Back to the column choices, as they were, with the file as it was.
    let mut fields = vec![("csv", csv.as_str()), ("step", "mapping")];
    fields.extend(map.iter().map(|m| ("map", *m)));
    let back = owner
        .post_form(&format!("{path}/outreach/import"), &fields)
        .await;
    assert_eq!(back.status, 200, "{}", back.body);
    assert_eq!(chosen_columns(&back.body), map);
    assert_eq!(input_textarea(&back.body, "csv"), csv);

    // Corrected in the page, it goes through.
    let fixed = "organization,website,size,owner,parent,contact name,email,phone
Good Org,good.example,local,owner@river.example,,Pat,pat@good.example,+1 555 0100
Chapter Org,,,,Good Org,Sam,sam@chapter.example,
";
    let done = confirm(&owner, &path, fixed, &map).await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(counts(&app).await, (before.0 + 2, before.1 + 2));
}

/// What cannot even be read is refused at the upload, with a clear message: control
/// characters (named by row), another encoding, too many rows, a mapping without names.
#[tokio::test]
async fn unreadable_files_and_bad_column_choices_are_refused_clearly() {
    let app = TestApp::spawn().await;
    let (owner, path) = setup(&app).await;
    let before = counts(&app).await;

    let control = upload(
        &owner,
        &path,
        "organization,email\nGood Org,a@good.example\nBad\u{1}Org,b@bad.example\n",
    )
    .await;
    assert_eq!(control.status, 422, "{}", control.body);
    let body = support::unescape(&control.body);
    assert!(
        body.contains(
            "Row 3: the cell under \"organization\" contains an invisible control character"
        ),
        "{body}"
    );

    let latin1 = owner
        .upload_bytes(
            &format!("{path}/outreach/import"),
            "file",
            b"organization\nCaf\xe9 Libre\n".to_vec(),
        )
        .await;
    assert_eq!(latin1.status, 422);
    assert!(support::unescape(&latin1.body).contains("save it as \"CSV UTF-8\""));

    let mut many = String::from("organization\n");
    for i in 0..5_001 {
        many.push_str(&format!("Org {i}\n"));
    }
    let too_many = upload(&owner, &path, &many).await;
    assert_eq!(too_many.status, 422);
    assert!(
        too_many.body.contains("more than 5,000 rows"),
        "{}",
        too_many.body
    );

    let big = format!("organization\n{}\n", "x".repeat(2 * 1024 * 1024));
    let too_big = upload(&owner, &path, &big).await;
    assert_eq!(too_big.status, 422);
    assert!(too_big.body.contains("larger than 2 MB"));

    // Pasted rows are kept when the column choices need fixing.
    let csv = "organization,email\nGood Org,a@good.example\n";
    let no_name = preview(&owner, &path, csv, &["ignore", "contact_email"]).await;
    assert_eq!(no_name.status, 422);
    assert!(support::unescape(&no_name.body)
        .contains("Choose the column that holds the organization's name"));
    assert_eq!(chosen_columns(&no_name.body), ["ignore", "contact_email"]);
    assert_eq!(input_textarea(&no_name.body, "csv"), csv);
    let twice = preview(&owner, &path, csv, &["name", "name"]).await;
    assert_eq!(twice.status, 422);
    assert!(twice.body.contains("one column only"));

    assert_eq!(counts(&app).await, before);
}

/// The export has one row per contact (one for a prospect without any), is safe to open
/// in a spreadsheet, and the import reads it back as it was.
#[tokio::test]
async fn the_export_round_trips_and_neutralizes_formulas() {
    let app = TestApp::spawn().await;
    let (owner, path) = setup(&app).await;
    let csv = "organization,website,size,tags,owner,contact name,role,email,phone
River Trust,river.example,national,\"water, north\",owner@river.example,Amira Haddad,Director,amira@river.example,+44 20 7946 0000
River Trust,,,,,Ben Stone,Chair,ben@river.example,
\"=HYPERLINK(\"\"http://evil.example\"\")\",,,,,,,,
Quiet Org,,local,,,,,,
";
    let done = import_as_guessed(&owner, &path, csv).await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(counts(&app).await, (3, 2));

    let response = owner
        .http
        .get(app.url(&format!("{path}/outreach/export.csv")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    assert_eq!(
        response.headers()["content-disposition"],
        "attachment; filename=\"water-prospects.csv\""
    );
    let bytes = response.bytes().await.unwrap();
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    assert!(text.starts_with('\u{feff}'), "UTF-8 with a byte order mark");
    let lines: Vec<&str> = text.trim_end().lines().collect();
    assert_eq!(
        lines[0].trim_start_matches('\u{feff}'),
        "organization,website,size,parent,tags,owner,sensitivity,notes,status,on hold reason,hold until,next follow-up,last touch,referred by,contact name,role,email,phone,bounced,touches"
    );
    assert_eq!(
        lines.len(),
        1 + 2 + 1 + 1,
        "a row per contact, one per prospect without"
    );
    assert!(
        text.contains("\"'=HYPERLINK(\"\"http://evil.example\"\")\""),
        "a formula is kept from running: {text}"
    );
    assert!(text.contains("'+44 20 7946 0000"), "{text}");
    assert!(text.contains("Amira Haddad") && text.contains("Ben Stone"));
    assert!(
        text.contains("Quiet Org,,Local,,,,,,Not contacted"),
        "{text}"
    );
    assert!(text.contains(
        "River Trust,https://river.example/,National,,\"water, north\",owner@river.example,,,Not contacted"
    ));

    // Read back into another campaign: the same names, contacts and phones.
    let lakes = create_campaign(&owner, "river", "lakes", &[]).await;
    let again = import_as_guessed(&owner, &lakes, &text).await;
    assert_eq!(again.status, 303, "{}", again.body);
    let names: Vec<(String, String, Vec<String>)> = sqlx::query_as(
        "SELECT o.name, o.size, o.tags FROM prospects p JOIN campaigns c ON c.id = p.campaign_id
         JOIN organizations o ON o.id = p.organization_id
         WHERE c.slug = 'lakes' ORDER BY o.name",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(
        names,
        [
            (
                "=HYPERLINK(\"http://evil.example\")".to_owned(),
                String::new(),
                vec![]
            ),
            ("Quiet Org".to_owned(), "local".to_owned(), vec![]),
            (
                "River Trust".to_owned(),
                "national".to_owned(),
                vec!["water".to_owned(), "north".to_owned()]
            ),
        ]
    );
    let phones: Vec<String> = sqlx::query_scalar(
        "SELECT pc.phone FROM people pc JOIN prospects p ON p.organization_id = pc.organization_id
         JOIN campaigns c ON c.id = p.campaign_id
         WHERE c.slug = 'lakes' ORDER BY pc.name",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(phones, ["+44 20 7946 0000", ""]);
}

/// Another group's organizer gets 404 on every import and export URL of this group's
/// campaign (each first shown to work for its owner) and changes nothing.
#[tokio::test]
async fn another_groups_organizer_gets_404_on_import_and_export() {
    let app = TestApp::spawn().await;
    let (owner, path) = setup(&app).await;
    let csv = "organization,email\nRiver Trust,amira@river.example\n";
    let map = ["name", "contact_email"];

    assert_eq!(
        owner.get(&format!("{path}/outreach/import")).await.status,
        200
    );
    assert_eq!(upload(&owner, &path, csv).await.status, 200);
    assert_eq!(preview(&owner, &path, csv, &map).await.status, 200);
    assert_eq!(confirm(&owner, &path, csv, &map).await.status, 303);
    let (status, _) = owner
        .http_get_bytes(&format!("{path}/outreach/export.csv"))
        .await;
    assert_eq!(status, 200);
    let before = counts(&app).await;
    assert_eq!(before, (1, 1));

    let other = app.signup("other", "owner@other.example").await;
    assert_eq!(
        other.get(&format!("{path}/outreach/import")).await.status,
        404
    );
    assert_eq!(upload(&other, &path, csv).await.status, 404);
    assert_eq!(preview(&other, &path, csv, &map).await.status, 404);
    assert_eq!(confirm(&other, &path, csv, &map).await.status, 404);
    let (status, body) = other
        .http_get_bytes(&format!("{path}/outreach/export.csv"))
        .await;
    assert_eq!(status, 404);
    assert!(!String::from_utf8_lossy(&body).contains("River Trust"));
    assert_eq!(counts(&app).await, before);

    // Their own campaign of the same name is theirs alone.
    let theirs = create_campaign(&other, "other", "water", &[]).await;
    let (status, body) = other
        .http_get_bytes(&format!("{theirs}/outreach/export.csv"))
        .await;
    assert_eq!(status, 200);
    assert!(!String::from_utf8_lossy(&body).contains("River Trust"));
}

/// Viewers see the import page without its form and may export, but cannot import.
#[tokio::test]
async fn viewers_may_export_but_not_import() {
    let app = TestApp::spawn().await;
    let (owner, path) = setup(&app).await;
    assert_eq!(
        owner
            .post_form(
                "/app/river/members/invite",
                &[("email", "vic@river.example"), ("role", "viewer")],
            )
            .await
            .status,
        303
    );
    let link = app.link_mailed_to("vic@river.example", "/invite/").await;
    let viewer = app.client();
    assert_eq!(
        viewer
            .post_form(
                &format!("{link}/signup"),
                &[("name", "Vic"), ("password", support::PASSWORD)],
            )
            .await
            .status,
        303
    );
    let csv = "organization,email\nRiver Trust,amira@river.example\n";
    let map = ["name", "contact_email"];

    let page = viewer.get(&format!("{path}/outreach/import")).await;
    assert_eq!(page.status, 200);
    assert!(
        !page.body.contains("enctype=\"multipart/form-data\""),
        "no form for viewers"
    );
    let (status, _) = viewer
        .http_get_bytes(&format!("{path}/outreach/export.csv"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(upload(&viewer, &path, csv).await.status, 403);
    assert_eq!(preview(&viewer, &path, csv, &map).await.status, 403);
    assert_eq!(confirm(&viewer, &path, csv, &map).await.status, 403);
    assert_eq!(counts(&app).await, (0, 0));

    // The owner's same requests go through: the 403s were about the role.
    assert_eq!(upload(&owner, &path, csv).await.status, 200);
    assert_eq!(preview(&owner, &path, csv, &map).await.status, 200);
    assert_eq!(confirm(&owner, &path, csv, &map).await.status, 303);
    assert_eq!(counts(&app).await, (1, 1));
}

/// Invites Maya Okafor and Sam Reyes as organizers of the group "river".
async fn team(app: &TestApp, owner: &Client) {
    app.join(
        owner,
        "river",
        "maya@river.example",
        "organizer",
        "Maya Okafor",
    )
    .await;
    app.join(
        owner,
        "river",
        "sam@river.example",
        "organizer",
        "Sam Reyes",
    )
    .await;
}

/// 32 rows as Google Sheets copies them: tabs, CR LF, empty cells padding the right, a
/// notes cell quoted because it holds a line break; owners by first name (and one
/// nobody on the team is called), sizes such as "Statewide", tags separated by `;`/`|`.
fn realistic_sheet() -> String {
    let mut sheet = String::from(
        "Organization\tWebsite\tSize\tOwner\tTags\tContact\tRole\tEmail\tNotes\t\t\r\n",
    );
    let sizes = [
        "Statewide",
        "National",
        "local",
        "State",
        "Local chapter",
        "Regional",
    ];
    let owners = ["Maya", "Sam", "maya okafor", "SAM@river.example", "Jo", ""];
    for i in 1..=32 {
        let notes = if i == 7 {
            "\"Met at the\r\nspring summit\"".to_owned()
        } else {
            format!("Row {i} note")
        };
        sheet.push_str(&format!(
            "Org {i:02} Alliance\torg{i}.example\t{}\t{}\twater; farms|youth\tPerson {i}\tDirector\tperson{i}@org{i}.example\t{notes}\t\t\r\n",
            sizes[i % sizes.len()],
            owners[i % owners.len()],
        ));
    }
    sheet
}

/// Cells pasted from a spreadsheet: first names as owners, "Statewide" mapped by hand on
/// the values step, `;` and `|` in tags, every mapped column in the preview, all 32 in.
#[tokio::test]
async fn a_realistic_sheet_pasted_with_first_names_as_owners_imports_whole() {
    let app = TestApp::spawn().await;
    let (owner, path) = setup(&app).await;
    team(&app, &owner).await;
    let sheet = realistic_sheet();

    let mapping = owner
        .upload(&format!("{path}/outreach/import"), "pasted", &sheet)
        .await;
    assert_eq!(mapping.status, 200, "{}", mapping.body);
    let body = support::unescape(&mapping.body);
    assert!(
        body.contains("cells pasted from a spreadsheet (tabs)"),
        "{body}"
    );
    let chosen = chosen_columns(&mapping.body);
    assert_eq!(
        chosen,
        [
            "name",
            "website",
            "size",
            "owner",
            "tags",
            "contact_name",
            "contact_role",
            "contact_email",
            "notes"
        ],
        "the padding columns are dropped"
    );
    let csv = input_textarea(&mapping.body, "csv");
    let map: Vec<&str> = chosen.iter().map(String::as_str).collect();

    // The values step asks once per value it cannot place: not Maya, Sam or their emails.
    let values = preview(&owner, &path, &csv, &map).await;
    assert_eq!(values.status, 200, "{}", values.body);
    let body = support::unescape(&values.body);
    assert!(body.contains("Owner “Jo”"), "{body}");
    assert!(body.contains("Size “Statewide”") && body.contains("Size “State”"));
    assert!(body.contains("Size “Local chapter”"));
    assert!(!body.contains("Owner “Maya”") && !body.contains("Owner “Sam”"));
    assert_eq!(
        body.matches("Size “Statewide”").count(),
        1,
        "once per value"
    );
    let maya: String =
        sqlx::query_scalar("SELECT id::text FROM users WHERE email = 'maya@river.example'")
            .fetch_one(&app.db)
            .await
            .unwrap();

    // Without a choice for "Jo", those rows wait; the problem is listed once.
    let mut fields = vec![("csv", csv.as_str()), ("step", "check")];
    fields.extend(map.iter().map(|m| ("map", *m)));
    let unmapped = owner
        .post_form(&format!("{path}/outreach/import"), &fields)
        .await;
    assert_eq!(unmapped.status, 422);
    let body = support::unescape(&unmapped.body);
    assert_eq!(
        body.matches(": the owner \"Jo\" is not").count(),
        1,
        "listed once with its rows in the summary: {body}"
    );
    assert!(
        body.contains("Rows 5, 11, 17, 23, 29: the owner \"Jo\""),
        "{body}"
    );

    for (kind, raw, to) in [
        ("owner", "Jo", maya.as_str()),
        ("size", "Statewide", "regional"),
        ("size", "State", "regional"),
        ("size", "Local chapter", "local"),
    ] {
        fields.push(("value_kind", kind));
        fields.push(("value_raw", raw));
        fields.push(("value_to", to));
    }
    let previewed = owner
        .post_form(&format!("{path}/outreach/import"), &fields)
        .await;
    assert_eq!(previewed.status, 200, "{}", previewed.body);
    let body = support::unescape(&previewed.body);
    assert!(
        body.contains("32 rows are ready: 32 prospects with 32 contacts"),
        "{body}"
    );
    for heading in ["Website", "Size", "Owner", "Tags", "Role", "Email", "Notes"] {
        assert!(
            body.contains(&format!("<th scope=\"col\">{heading}</th>")),
            "{heading} is shown"
        );
    }
    assert!(body.contains("Maya Okafor") && body.contains("water, farms, youth"));
    assert_eq!(counts(&app).await, (0, 0), "a preview writes nothing");

    let extra: Vec<(&str, &str)> = fields[2 + map.len()..].to_vec();
    let done = confirm_with(&owner, &path, &csv, &map, &extra).await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(counts(&app).await, (32, 32));
    /// Name, size, tags, owner's name, notes.
    type Imported = (String, String, Vec<String>, Option<String>, String);
    let rows: Vec<Imported> = sqlx::query_as(
        "SELECT o.name, o.size, o.tags, u.name, o.notes FROM prospects p
         JOIN organizations o ON o.id = p.organization_id LEFT JOIN users u ON u.id = p.owner_id
         ORDER BY o.name",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(rows[0].0, "Org 01 Alliance");
    assert_eq!(rows[0].1, "national", "1 % 6 is National");
    assert_eq!(rows[0].2, ["water", "farms", "youth"]);
    assert_eq!(rows[0].3.as_deref(), Some("Sam Reyes"), "Sam by first name");
    assert_eq!(
        rows[3].3.as_deref(),
        Some("Maya Okafor"),
        "Jo mapped to Maya"
    );
    assert_eq!(rows[3].1, "local", "Local chapter");
    assert_eq!(rows[4].3, None, "no owner written");
    assert_eq!(rows[5].1, "regional", "Statewide, mapped by hand");
    assert_eq!(
        rows[5].3.as_deref(),
        Some("Maya Okafor"),
        "Maya by first name"
    );
    assert_eq!(
        rows[6].4, "Met at the\nspring summit",
        "the quoted line break kept"
    );
}

const MIXED: &str = "organization,parent,email,owner
River Trust,,amira@river.example,owner@river.example
River Trust,,not-an-address,
Lake Friends,,lee@lake.example,
Lake Friends North,Lake Friends,north@lake.example,
Marsh Collective,,mo@marsh.example,Nobody Here
Marsh Collective East,Marsh Collective,east@marsh.example,
Hill Union,,hill@hill.example,
";

/// The good rows go in while the bad ones (with their organization's other rows and
/// their chapters) wait aside on the import's page, shown with their problems, to fix
/// there or download; fixed and imported, they leave the page.
#[tokio::test]
async fn good_rows_are_imported_and_bad_ones_kept_aside_to_fix() {
    let app = TestApp::spawn().await;
    let (owner, path) = setup(&app).await;
    let map = ["name", "parent", "contact_email", "owner"];
    let done = confirm_with(&owner, &path, MIXED, &map, &[("mode", "good")]).await;
    assert_eq!(done.status, 303, "{}", done.body);
    let location = done.location().unwrap();
    assert!(location.contains("/outreach/imports/"), "{location}");
    let record = location.split('?').next().unwrap().to_owned();
    assert_eq!(
        counts(&app).await,
        (3, 3),
        "Lake Friends, its chapter, Hill Union"
    );
    let names: Vec<String> = sqlx::query_scalar("SELECT o.name FROM prospects p JOIN organizations o ON o.id = p.organization_id ORDER BY o.name")
        .fetch_all(&app.db)
        .await
        .unwrap();
    assert_eq!(names, ["Hill Union", "Lake Friends", "Lake Friends North"]);

    let page = owner.get(&record).await;
    assert_eq!(page.status, 200);
    let body = support::unescape(&page.body);
    assert!(body.contains("4 rows kept aside to fix"), "{body}");
    assert!(
        body.contains("\"not-an-address\" is not an email address"),
        "{body}"
    );
    assert!(body.contains("the owner \"Nobody Here\""), "{body}");
    let kept = input_textarea(&page.body, "csv");
    assert!(
        kept.starts_with("organization,parent,email,owner"),
        "{kept}"
    );
    assert!(
        kept.contains("River Trust,,amira@river.example"),
        "kept with its organization"
    );
    assert!(
        kept.contains("Marsh Collective East"),
        "a chapter waits for its parent"
    );
    assert!(!kept.contains("Hill Union"));

    let (status, bytes) = owner
        .http_get_bytes(&format!("{record}/kept-aside.csv"))
        .await;
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&bytes).contains("not-an-address"));

    // Fixed on the page and imported: the kept rows are done with.
    let fixed = kept
        .replace("not-an-address", "ben@river.example")
        .replace("Nobody Here", "owner@river.example");
    let from_import = record.rsplit('/').next().unwrap().to_owned();
    let again = confirm_with(
        &owner,
        &path,
        &fixed,
        &map,
        &[("mode", "good"), ("from_import", &from_import)],
    )
    .await;
    assert_eq!(again.status, 303, "{}", again.body);
    assert_eq!(counts(&app).await, (6, 7));
    let page = owner.get(&record).await;
    assert!(!page.body.contains("kept aside to fix"), "{}", page.body);
}

/// The kept rows as stored: (cells, addresses of the email column), in the file's order.
async fn stored_kept_rows(app: &TestApp) -> Vec<(Vec<String>, Vec<String>)> {
    sqlx::query_as(
        "SELECT cells, emails::text[] FROM prospect_import_kept_rows ORDER BY import_id, position",
    )
    .fetch_all(&app.db)
    .await
    .unwrap()
}

/// Each kept row is stored on its own with the cell of its email column, which is how a
/// signer's erasure finds it (compared whole, never searched); forgetting them takes an
/// editor of the group and leaves the imported prospects.
#[tokio::test]
async fn kept_rows_are_stored_with_their_address_and_forgotten_by_editors() {
    let app = TestApp::spawn().await;
    let (owner, path) = setup(&app).await;
    let map = ["name", "parent", "contact_email", "owner"];
    let done = confirm_with(&owner, &path, MIXED, &map, &[("mode", "good")]).await;
    assert_eq!(done.status, 303, "{}", done.body);
    let record = done
        .location()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let rows = stored_kept_rows(&app).await;
    assert_eq!(
        rows.iter().map(|(_, e)| e.clone()).collect::<Vec<_>>(),
        [
            vec!["amira@river.example".to_owned()],
            vec!["not-an-address".to_owned()],
            vec!["mo@marsh.example".to_owned()],
            vec!["east@marsh.example".to_owned()],
        ]
    );
    assert_eq!(
        rows[0].0,
        [
            "River Trust",
            "",
            "amira@river.example",
            "owner@river.example"
        ]
    );

    let other = app.signup("other", "owner@other.example").await;
    assert_eq!(
        other
            .post_form(&format!("{record}/forget"), &[])
            .await
            .status,
        404
    );
    let viewer = app
        .join(&owner, "river", "vic@river.example", "viewer", "Vic")
        .await;
    let page = viewer.get(&record).await;
    assert!(page.body.contains("4 rows kept aside to fix"));
    assert!(!page.body.contains("Forget the kept rows"));
    assert_eq!(
        viewer
            .post_form(&format!("{record}/forget"), &[])
            .await
            .status,
        403
    );
    assert_eq!(stored_kept_rows(&app).await.len(), 4);

    let owner = app.log_in(OWNER).await;
    let forgotten = owner.post_form(&format!("{record}/forget"), &[]).await;
    assert_eq!(forgotten.status, 303, "{}", forgotten.body);
    let page = owner.get(forgotten.location().unwrap()).await;
    assert!(
        page.body.contains("The kept rows are forgotten."),
        "{}",
        page.body
    );
    assert!(!page.body.contains("kept aside to fix"));
    assert_eq!(stored_kept_rows(&app).await, []);
    let (status, _) = owner
        .http_get_bytes(&format!("{record}/kept-aside.csv"))
        .await;
    assert_eq!(status, 404);
    assert_eq!(counts(&app).await, (3, 3), "the imported prospects stay");
}

/// Undoing an import takes its kept rows with it: nothing of the file stays behind.
#[tokio::test]
async fn undoing_an_import_forgets_its_kept_rows() {
    let app = TestApp::spawn().await;
    let (owner, path) = setup(&app).await;
    let map = ["name", "parent", "contact_email", "owner"];
    let done = confirm_with(&owner, &path, MIXED, &map, &[("mode", "good")]).await;
    let record = done
        .location()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(stored_kept_rows(&app).await.len(), 4);
    let undone = owner
        .post_form(&format!("{record}/undo"), &[("confirm", "yes")])
        .await;
    assert_eq!(undone.status, 303, "{}", undone.body);
    assert_eq!(counts(&app).await, (0, 0));
    assert_eq!(stored_kept_rows(&app).await, []);
    let page = owner.get(&record).await;
    assert!(page.body.contains("the import was undone"), "{}", page.body);
    assert!(!page.body.contains("kept aside to fix"));
}

/// Pasted cells without column names: the kept rows show under the columns chosen, even
/// when they are narrower than the widest row of the paste.
#[tokio::test]
async fn kept_rows_of_a_paste_without_column_names_are_shown() {
    let app = TestApp::spawn().await;
    let (owner, path) = setup(&app).await;
    let pasted =
        "River Trust\tnot-an-address\nLake Friends\tlee@lake.example\tBoard meets monthly\n";
    let map = ["name", "contact_email", "notes"];
    let done = confirm_with(
        &owner,
        &path,
        pasted,
        &map,
        &[("mode", "good"), ("header", "no")],
    )
    .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let record = done
        .location()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let page = owner.get(&record).await;
    let body = support::unescape(&page.body);
    assert!(body.contains("1 row kept aside to fix"), "{body}");
    assert!(
        body.contains("\"not-an-address\" is not an email address"),
        "{body}"
    );
    assert_eq!(
        input_textarea(&page.body, "csv"),
        "River Trust,not-an-address\n"
    );
    assert_eq!(
        stored_kept_rows(&app).await,
        [(
            vec!["River Trust".to_owned(), "not-an-address".to_owned()],
            vec!["not-an-address".to_owned()]
        )]
    );
}

/// Notes, the sensitivity note and a hold go out in the export and come back in.
#[tokio::test]
async fn notes_and_holds_round_trip_through_the_export() {
    let app = TestApp::spawn().await;
    let (owner, path) = setup(&app).await;
    let csv = "organization,notes,sensitivity,on hold reason,hold until,email
River Trust,\"Board meets monthly\nAsk Amira first\",Rivals of Lake Friends,Wait for their board,2031-01-15,amira@river.example
";
    let done = import_as_guessed(&owner, &path, csv).await;
    assert_eq!(done.status, 303, "{}", done.body);
    let river = prospect_id(&app, "River Trust").await;
    let page = owner
        .get(&format!("{path}/outreach/prospects/{river}"))
        .await;
    assert!(support::unescape(&page.body).contains("Board meets monthly\nAsk Amira first"));

    let (_, bytes) = owner
        .http_get_bytes(&format!("{path}/outreach/export.csv"))
        .await;
    let text = String::from_utf8(bytes).unwrap();
    let lakes = create_campaign(&owner, "river", "lakes", &[]).await;
    let again = import_as_guessed(&owner, &lakes, &text).await;
    assert_eq!(again.status, 303, "{}", again.body);
    let fields: Vec<(String, String, String, String, Option<time::Date>)> = sqlx::query_as(
        "SELECT c.slug, o.notes, o.sensitivity, p.hold_reason, p.hold_until FROM prospects p
         JOIN organizations o ON o.id = p.organization_id
         JOIN campaigns c ON c.id = p.campaign_id ORDER BY c.slug",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(fields.len(), 2);
    assert_eq!(
        (&fields[0].1, &fields[0].2, &fields[0].3, fields[0].4),
        (&fields[1].1, &fields[1].2, &fields[1].3, fields[1].4),
        "the same prospect in both campaigns"
    );
    assert_eq!(fields[0].1, "Board meets monthly\nAsk Amira first");
}

/// An import is undone with its confirmation, and refused once anything was sent to or
/// logged about one of its prospects.
#[tokio::test]
async fn an_import_is_undone_until_something_was_sent_from_it() {
    let app = TestApp::spawn().await;
    let (owner, path) = setup(&app).await;
    let csv =
        "organization,email\nRiver Trust,amira@river.example\nLake Friends,lee@lake.example\n";
    let done = import_as_guessed(&owner, &path, csv).await;
    let import: String = sqlx::query_scalar("SELECT id::text FROM prospect_imports")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert!(done.location().unwrap().ends_with(&import));
    let record = format!("{path}/outreach/imports/{import}");
    let page = owner.get(&record).await;
    assert!(page.body.contains("Undo the import"));

    let unconfirmed = owner.post_form(&format!("{record}/undo"), &[]).await;
    assert_eq!(unconfirmed.status, 422);
    assert_eq!(
        counts(&app).await,
        (2, 2),
        "nothing removed without the tick"
    );

    let other = app.signup("other", "owner@other.example").await;
    let foreign = other
        .post_form(&format!("{record}/undo"), &[("confirm", "yes")])
        .await;
    assert_eq!(foreign.status, 404);
    assert_eq!(other.get(&record).await.status, 404);
    let viewer = app
        .join(&owner, "river", "vic@river.example", "viewer", "Vic")
        .await;
    let page = viewer.get(&record).await;
    assert_eq!(page.status, 200);
    assert!(
        !page.body.contains("Undo the import"),
        "no undo for viewers"
    );
    let refused = viewer
        .post_form(&format!("{record}/undo"), &[("confirm", "yes")])
        .await;
    assert_eq!(refused.status, 403);
    assert_eq!(counts(&app).await, (2, 2));

    let undone = owner
        .post_form(&format!("{record}/undo"), &[("confirm", "yes")])
        .await;
    assert_eq!(undone.status, 303, "{}", undone.body);
    assert_eq!(counts(&app).await, (0, 0));

    // Imported again, then one prospect is asked: the import stays.
    import_as_guessed(&owner, &path, csv).await;
    let (import, river): (String, uuid::Uuid) = sqlx::query_as(
        "SELECT i.id::text, p.id FROM prospect_imports i JOIN prospects p ON p.import_id = i.id
         JOIN organizations o ON o.id = p.organization_id
         WHERE i.undone_at IS NULL AND o.name = 'River Trust'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    // What an ask writes to the log as it is sent.
    sqlx::query(
        "INSERT INTO outreach_activities (tenant_id, campaign_id, prospect_id, organization_id, kind, body, author_name, at)
         SELECT tenant_id, campaign_id, id, organization_id, 'ask', 'Ask sent', 'Owner', now() FROM prospects WHERE id = $1",
    )
    .bind(river)
    .execute(&app.db)
    .await
    .unwrap();
    let refused = owner
        .post_form(
            &format!("{path}/outreach/imports/{import}/undo"),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        support::unescape(&refused.body).contains("can no longer be undone: 1 of its prospects")
    );
    assert_eq!(counts(&app).await, (2, 2));
}

/// Bulk changes from the list: owner, tags, status, hold, for the ticked rows or every
/// row the filter shows; another group gets 404 and a viewer 403.
#[tokio::test]
async fn prospects_are_changed_in_bulk_by_organizers_only() {
    let app = TestApp::spawn().await;
    let (owner, path) = setup(&app).await;
    team(&app, &owner).await;
    let csv = "organization,tags\nRiver Trust,water\nLake Friends,water\nMarsh Collective,farms\n";
    import_as_guessed(&owner, &path, csv).await;
    let river = prospect_id(&app, "River Trust").await.to_string();
    let lake = prospect_id(&app, "Lake Friends").await.to_string();
    let sam: String =
        sqlx::query_scalar("SELECT id::text FROM users WHERE email = 'sam@river.example'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    let bulk = format!("{path}/outreach/prospects/bulk");

    let list = owner.get(&format!("{path}/outreach/prospects")).await;
    assert!(list.body.contains("id=\"select-all\""), "a select-all box");
    assert!(
        list.body.contains("data-label=\"Owner\""),
        "values labelled on a phone"
    );

    let other = app.signup("other", "owner@other.example").await;
    let foreign = other
        .post_form(
            &bulk,
            &[
                ("prospect", &river),
                ("action", "owner"),
                ("new_owner", &sam),
            ],
        )
        .await;
    assert_eq!(foreign.status, 404);
    let viewer = app
        .join(&owner, "river", "vic@river.example", "viewer", "Vic")
        .await;
    let refused = viewer
        .post_form(
            &bulk,
            &[
                ("prospect", &river),
                ("action", "owner"),
                ("new_owner", &sam),
            ],
        )
        .await;
    assert_eq!(refused.status, 403);
    assert_eq!(
        app.count("SELECT count(*) FROM prospects WHERE owner_id IS NOT NULL")
            .await,
        0
    );

    let r = owner
        .post_form(
            &bulk,
            &[
                ("prospect", &river),
                ("prospect", &lake),
                ("action", "owner"),
                ("new_owner", &sam),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        app.count("SELECT count(*) FROM prospects p JOIN users u ON u.id = p.owner_id WHERE u.name = 'Sam Reyes'").await,
        2
    );
    // Every row the filter "tag: water" shows, on every page.
    let r = owner
        .post_form(
            &bulk,
            &[
                ("all_filtered", "on"),
                ("filter_tag", "water"),
                ("action", "add_tag"),
                ("tag", "Ohio"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(
        r.location().unwrap().contains("tag=water"),
        "the filter stays"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM prospects p JOIN organizations o ON o.id = p.organization_id WHERE 'Ohio' = ANY (o.tags)")
            .await,
        2
    );
    assert_eq!(
        owner
            .post_form(
                &bulk,
                &[
                    ("prospect", &river),
                    ("action", "remove_tag"),
                    ("tag", "WATER"),
                ],
            )
            .await
            .status,
        303
    );
    let tags: Vec<String> =
        sqlx::query_scalar("SELECT tags FROM organizations WHERE name = 'River Trust'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(tags, ["Ohio"]);
    let r = owner
        .post_form(
            &bulk,
            &[
                ("prospect", &river),
                ("prospect", &lake),
                ("action", "status"),
                ("new_status", "declined"),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(
        app.count("SELECT count(*) FROM prospects WHERE status = 'declined'")
            .await,
        2
    );
    assert_eq!(
        app.count("SELECT count(*) FROM outreach_activities WHERE kind = 'status'")
            .await,
        2,
        "each change logged"
    );
    assert_eq!(
        owner
            .post_form(
                &bulk,
                &[
                    ("prospect", &lake),
                    ("action", "hold"),
                    ("hold_reason", "After their board"),
                    ("hold_until", "2031-01-01"),
                ],
            )
            .await
            .status,
        303
    );
    assert_eq!(
        app.count("SELECT count(*) FROM prospects WHERE hold_reason = 'After their board'")
            .await,
        1
    );
    assert_eq!(
        owner
            .post_form(&bulk, &[("prospect", &lake), ("action", "clear_hold")])
            .await
            .status,
        303
    );
    assert_eq!(
        app.count("SELECT count(*) FROM prospects WHERE hold_reason <> ''")
            .await,
        0
    );
}

/// Deleting asks first and never touches a signature; merging keeps both prospects'
/// contacts and logs, folding two contacts with one address into one.
#[tokio::test]
async fn prospects_are_deleted_after_confirmation_and_two_merge_into_one() {
    let app = TestApp::spawn().await;
    let (owner, path) = setup(&app).await;
    let csv = "organization,contact name,email
River Trust,Amira Haddad,amira@river.example
River Trust,Ben Stone,ben@river.example
Ohio River Trust,Amira H.,AMIRA@river.example
Ohio River Trust,Cy North,cy@river.example
Gone Org,Gil,gil@gone.example
";
    import_as_guessed(&owner, &path, csv).await;
    let river = prospect_id(&app, "River Trust").await;
    let the_river = prospect_id(&app, "Ohio River Trust").await;
    for (id, body) in [(river, "Called Amira"), (the_river, "Met Cy")] {
        sqlx::query(
            "INSERT INTO outreach_activities (tenant_id, campaign_id, prospect_id, organization_id, contact_id, kind, body, author_name, at)
             SELECT p.tenant_id, p.campaign_id, p.id, p.organization_id, c.id, 'call', $2, 'Owner', now()
             FROM prospects p JOIN people c ON c.organization_id = p.organization_id
             WHERE p.id = $1 ORDER BY c.created_at LIMIT 1",
        )
        .bind(id)
        .bind(body)
        .execute(&app.db)
        .await
        .unwrap();
    }
    let bulk = format!("{path}/outreach/prospects/bulk");
    let ask = owner
        .post_form(
            &bulk,
            &[
                ("prospect", &river.to_string()),
                ("prospect", &the_river.to_string()),
                ("action", "merge"),
            ],
        )
        .await;
    assert_eq!(ask.status, 200, "{}", ask.body);
    assert!(ask.body.contains("Which one stays?"));
    assert_eq!(
        app.count("SELECT count(*) FROM prospects").await,
        3,
        "not before confirming"
    );
    let merged = owner
        .post_form(
            &bulk,
            &[
                ("prospect", &river.to_string()),
                ("prospect", &the_river.to_string()),
                ("action", "merge"),
                ("confirm", "yes"),
                ("keep", &river.to_string()),
            ],
        )
        .await;
    assert_eq!(merged.status, 303, "{}", merged.body);
    let contacts: Vec<(String, i64)> = sqlx::query_as(
        "SELECT c.email::text, (SELECT count(*) FROM person_touches t WHERE t.person_id = c.id)
         FROM people c JOIN prospects p ON p.organization_id = c.organization_id
         WHERE p.id = $1 ORDER BY c.email",
    )
    .bind(river)
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(
        contacts,
        [
            ("amira@river.example".to_owned(), 2),
            ("ben@river.example".to_owned(), 0),
            ("cy@river.example".to_owned(), 0)
        ],
        "one Amira, with both calls counted"
    );
    let log: Vec<String> = sqlx::query_scalar(
        "SELECT body FROM outreach_activities WHERE prospect_id = $1 ORDER BY id",
    )
    .bind(river)
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(log[0..2], ["Called Amira".to_owned(), "Met Cy".to_owned()]);
    assert!(log[2].starts_with("Merged “Ohio River Trust”"), "{log:?}");
    assert_eq!(app.count("SELECT count(*) FROM prospects").await, 2);

    // Gone Org signed: deleting its prospect leaves the signature alone.
    let opened = support::campaigns::set_status(&owner, &path, "open").await;
    assert_eq!(opened.status, 303, "{}", opened.body);
    support::campaigns::sign_and_confirm(&app, "/river/water", "Gone Org", "gil@gone.example")
        .await;
    assert_eq!(
        app.count("SELECT count(*) FROM prospects WHERE signed_signature_id IS NOT NULL")
            .await,
        1,
        "Gone Org signed"
    );
    let gone = prospect_id(&app, "Gone Org").await.to_string();
    let signatures = app.count("SELECT count(*) FROM signatures").await;
    let ask = owner
        .post_form(&bulk, &[("prospect", &gone), ("action", "delete")])
        .await;
    assert_eq!(ask.status, 200);
    assert!(ask.body.contains("Delete 1 prospect?"));
    assert_eq!(app.count("SELECT count(*) FROM prospects").await, 2);
    let deleted = owner
        .post_form(
            &bulk,
            &[
                ("prospect", &gone),
                ("action", "delete"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(deleted.status, 303);
    assert_eq!(app.count("SELECT count(*) FROM prospects").await, 1);
    assert_eq!(
        app.count("SELECT count(*) FROM signatures").await,
        signatures
    );
}
