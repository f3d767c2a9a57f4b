//! Prospects from a spreadsheet and back: the column mapping, the preview with each bad
//! cell named by its row, all rows or none, the export (spreadsheet-safe, read back by
//! the import), and who may do which.

mod support;

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
    let mut fields = vec![("csv", csv)];
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
        app.count("SELECT count(*) FROM prospect_contacts").await,
    )
}

async fn prospect_id(app: &TestApp, name: &str) -> uuid::Uuid {
    sqlx::query_scalar("SELECT id FROM prospects WHERE name = $1")
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
            "ignore"
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
        body.contains("possible duplicate of Lake Friends, already on the list"),
        "{body}"
    );
    assert_eq!(counts(&app).await, (1, 0), "a preview writes nothing");

    let done = confirm(&owner, &path, &input_textarea(&previewed.body, "csv"), &map).await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(
        done.location(),
        Some("/app/river/campaigns/water/outreach/prospects?notice=prospects-imported")
    );
    assert_eq!(counts(&app).await, (4, 3));

    let river = prospect_id(&app, "River Trust").await;
    let contacts: Vec<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT name, role, email::text FROM prospect_contacts WHERE prospect_id = $1 ORDER BY name",
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
        "SELECT p.website, p.size, p.tags, p.sensitivity, u.email::text FROM prospects p
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

    let north_parent: Option<uuid::Uuid> =
        sqlx::query_scalar("SELECT parent_id FROM prospects WHERE name = 'River Trust North'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(
        north_parent,
        Some(river),
        "the parent found in the same file"
    );
    let duplicate_of: Option<uuid::Uuid> = sqlx::query_scalar(
        "SELECT possible_duplicate_of FROM prospects WHERE name = 'Lakeside Group'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(duplicate_of, Some(prospect_id(&app, "Lake Friends").await));

    let list = owner.get(done.location().unwrap()).await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains("Prospects imported."));
    assert!(list.body.contains("possible duplicate"));
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

    let previewed = preview(&owner, &path, &csv, &map).await;
    assert_eq!(previewed.status, 422, "{}", previewed.body);
    let body = support::unescape(&previewed.body);
    for expected in [
        "8 of 9 rows need fixing",
        "Row 3: the organization name is missing",
        "Row 4: \"sam-at-nowhere\" is not an email address",
        "Row 5: \"not a website\" is not a website address",
        "Row 6: the size \"enormous\" is not local, regional, national or international",
        "Row 7: the owner \"nobody@else.example\" is not the email of an owner or organizer of this group",
        "Row 8: the parent organization \"No Such Parent\" is neither on the prospect list nor in this file",
        "Row 9: the organization name is longer than 200 characters",
        "Row 10: the phone \"call me maybe\" may hold only digits",
    ] {
        assert!(body.contains(expected), "{expected:?} in {body}");
    }
    assert!(!body.contains("Row 2:"), "the good row has no error");
    assert!(
        !body.contains("/outreach/import/confirm"),
        "no import button while any row is wrong"
    );
    assert!(
        input_textarea(&previewed.body, "csv").contains("Bad Email Org"),
        "the file comes back to be corrected"
    );

    // Sent anyway, the confirmation imports nothing and says why, row by row.
    let refused = confirm(&owner, &path, &csv, &map).await;
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
        "organization,website,size,parent,tags,owner,status,on hold reason,hold until,next follow-up,last touch,referred by,contact name,role,email,phone,bounced,touches"
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
    assert!(text.contains("Quiet Org,,Local,,,,Not contacted"), "{text}");
    assert!(text.contains(
        "River Trust,https://river.example/,National,,\"water, north\",owner@river.example,Not contacted"
    ));

    // Read back into another campaign: the same names, contacts and phones.
    let lakes = create_campaign(&owner, "river", "lakes", &[]).await;
    let again = import_as_guessed(&owner, &lakes, &text).await;
    assert_eq!(again.status, 303, "{}", again.body);
    let names: Vec<(String, String, Vec<String>)> = sqlx::query_as(
        "SELECT p.name, p.size, p.tags FROM prospects p JOIN campaigns c ON c.id = p.campaign_id
         WHERE c.slug = 'lakes' ORDER BY p.name",
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
        "SELECT pc.phone FROM prospect_contacts pc JOIN campaigns c ON c.id = pc.campaign_id
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
    owner
        .post_form(
            "/app/river/members/invite",
            &[("email", "vic@river.example"), ("role", "viewer")],
        )
        .await;
    let link = app.link_mailed_to("vic@river.example", "/invite/").await;
    let viewer = app.client();
    viewer
        .post_form(
            &format!("{link}/signup"),
            &[("name", "Vic"), ("password", support::PASSWORD)],
        )
        .await;
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
}
