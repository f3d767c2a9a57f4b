//! `undersigned demo`: a demo tenant with an organizer a newcomer can log in as, a
//! published letter whose signers (people at organizations, signing on the public form)
//! confirmed over the past two weeks, and an outreach pipeline around it: prospects in
//! every stage, their contacts, two weeks of asks, calls, meetings and notes, and
//! follow-ups due today. The letter's best feature shows in the first minute: two days
//! ago it changed substantively, so only the signers who have confirmed the new text
//! since are listed under it, and the others are awaiting reconfirmation (with time left
//! to confirm). One signature, sent from a personal address for an organization whose
//! website is elsewhere, is flagged for a closer look. Beside it, a short campaign that
//! is over: its letter changed substantively while it was open (some signers confirmed
//! the new text, the others are not listed under it), it was released on its date with a
//! press release, an organization that could not sign sent a statement in its own words,
//! and anyone may download its PDF. Running it again changes nothing.
//!
//! The past is history only: asks, letter changes and the release recorded here queue no
//! email. A prospect counts as signed only through a confirmed signature whose email is
//! one of its contacts'. Every listed name was confirmed by its signer (played here through
//! the same store functions the signer's own link uses) for the text it is listed under,
//! and every confirmation is in the consent ledger.
//!
//! Everything goes through the areas' stores except the history no store function
//! offers (backdated statuses and dates, a past bounce, referrals with known ids, a
//! claimed consent notice, a recorded release): that SQL is written here, and each table
//! it writes is named in `FOREIGN_WRITES` of tests/architecture.rs.

use std::collections::HashMap;

use sqlx::PgPool;

use sqlx::PgConnection;
use time::{Date, Duration, OffsetDateTime};
use uuid::Uuid;

use crate::auth::{passwords, store as auth_store};
use crate::campaigns::store::{self as campaigns, CampaignInput, ChangeKind};
use crate::campaigns::{letter_changes, time_zones, Status};
use crate::outreach::store::{self as outreach, ContactInput, NewActivity, Origin, ProspectInput};
use crate::outreach::{ActivityKind, PipelineStatus, Size};
use crate::signatures::names::domain_matches;
use crate::signatures::store::{self as signatures, Actor, Consent, NewSignature};
use crate::signatures::{Action, SignatureKind, SignatureSource};
use crate::statements::store as statements;
use crate::tenancy::{self, CreateTenantError, Role, TenantId, TenantSlug};

pub const CAMPAIGN: &str = "clean-rivers";
const ZONE: &str = "America/New_York";
const ORGANIZER: &str = "Dana Whitaker";

/// The letter as first drafted, and as revised before anyone signed, after a coalition
/// partner who reviewed the draft asked for downstream communities to be named (see
/// `CHANGE_ANSWERED`).
const FIRST_LETTER: &str = "# Dear Governor\n\nWe, the undersigned organizations, ask you to protect the rivers our communities drink from.\n\n\
Three things would make the difference this year:\n\n- publish every discharge permit online;\n- fine polluters what the clean-up costs;\n\
- let affected communities take part in every decision.\n\nWe look forward to your answer.";
const LETTER: &str = "# Dear Governor\n\nWe, the undersigned organizations, ask you to protect the rivers our communities drink from, \
and the communities downstream that live with what flows past them.\n\n\
Three things would make the difference this year:\n\n- publish every discharge permit online;\n- fine polluters what the clean-up costs;\n\
- let affected communities, upstream and downstream, take part in every decision.\n\nWe look forward to your answer.";

/// One organization that signed the letter, as it filled in the public form.
struct Signer {
    name: &'static str,
    city: &'static str,
    website: &'static str,
    size: &'static str,
    contact: &'static str,
    title: &'static str,
    email: &'static str,
    /// Days ago they confirmed from the emailed link.
    days_ago: i64,
    /// When they confirmed the substantively changed text (days ago, hour), if they have:
    /// the others are awaiting reconfirmation and not listed under it.
    reconfirmed: Option<(i64, u8)>,
}

/// The signers (the first is the host, signed on once the letter was final). They
/// signed on the public form from their organization's address, except Nora Feldman, who
/// signed for the ACLU chapter from a personal address: the organizers' list flags that
/// signature for a closer look.
const SIGNERS: &[Signer] = &[
    Signer {
        name: "Clean Water Coalition",
        city: "Springfield",
        website: "",
        size: "regional",
        contact: ORGANIZER,
        title: "Campaign Coordinator",
        email: EMAIL,
        days_ago: 13,
        reconfirmed: None,
    },
    Signer {
        name: "The Alder Network",
        city: "Portland",
        website: "https://aldernetwork.example",
        size: "regional",
        contact: "Maya Chen",
        title: "Policy Director",
        email: "maya.chen@aldernetwork.example",
        days_ago: 9,
        reconfirmed: Some((1, 10)),
    },
    Signer {
        name: "2 Rivers Collective",
        city: "Minneapolis",
        website: "https://2rivers.example",
        size: "local",
        contact: "Luis Ortega",
        title: "Organizer",
        email: "luis@2rivers.example",
        days_ago: 10,
        reconfirmed: None,
    },
    Signer {
        name: "10 Acres Farm Alliance",
        city: "Fresno",
        website: "https://10acres.example",
        size: "regional",
        contact: "Ruth Miller",
        title: "Board Chair",
        email: "ruth.miller@10acres.example",
        days_ago: 5,
        reconfirmed: Some((1, 15)),
    },
    Signer {
        name: "Émile Zola Society",
        city: "New Orleans",
        website: "https://zolasociety.example",
        size: "local",
        contact: "Claire Dubois",
        title: "President",
        email: "cdubois@zolasociety.example",
        days_ago: 12,
        reconfirmed: None,
    },
    Signer {
        name: "ACLU of the Valley",
        city: "Sacramento",
        website: "https://acluvalley.example",
        size: "regional",
        contact: "Nora Feldman",
        title: "Legal Director",
        email: "nora.feldman.law@fastmail.example",
        days_ago: 11,
        reconfirmed: Some((0, 9)),
    },
    Signer {
        name: "apple growers union",
        city: "Wenatchee",
        website: "https://applegrowersunion.example",
        size: "local",
        contact: "Héctor Ruiz",
        title: "Secretary",
        email: "hector.ruiz@applegrowersunion.example",
        days_ago: 13,
        reconfirmed: None,
    },
    Signer {
        name: "Riverkeepers United",
        city: "Pittsburgh",
        website: "https://riverkeepers-united.example",
        size: "national",
        contact: "Jordan Reyes",
        title: "Executive Director",
        email: "jordan.reyes@riverkeepers-united.example",
        days_ago: 8,
        reconfirmed: Some((1, 11)),
    },
    Signer {
        name: "Zeta Youth Climate",
        city: "Denver",
        website: "https://zetayouth.example",
        size: "local",
        contact: "Sam Okafor",
        title: "Coordinator",
        email: "sam@zetayouth.example",
        days_ago: 3,
        reconfirmed: None,
    },
];

/// The email the `n`th signer (0-based) signed with.
fn signer_email(n: usize) -> String {
    SIGNERS[n].email.to_owned()
}

/// When the letter was drafted and when it was revised, in days ago.
const FIRST_REVISION_DAYS_AGO: i64 = 15;
const SECOND_REVISION_DAYS_AGO: i64 = 13;

/// The substantive change in flight: made two days ago, signers have until 12 days from
/// now (17:00) to confirm the new text; until they do, their names are not listed.
const CHANGED_DAYS_AGO: i64 = 2;
const RESPOND_BY_DAYS: i64 = 12;
/// The letter as it stands: the third point now asks for something new (a plant that
/// fails two inspections in a row stops discharging), more than the text people signed.
const LETTER_NOW: &str = "# Dear Governor\n\nWe, the undersigned organizations, ask you to protect the rivers our communities drink from, \
and the communities downstream that live with what flows past them.\n\n\
Three things would make the difference this year:\n\n- publish every discharge permit online;\n\
- fine polluters what the clean-up costs, and stop the discharges of any plant that fails two inspections in a row;\n\
- let affected communities, upstream and downstream, take part in every decision.\n\nWe look forward to your answer.";
const CHANGE_NOTE: &str = "After the hearing, partners asked us to be specific about enforcement: the letter now also asks that a plant \
failing two inspections in a row stop discharging until it is fixed. That asks for more than the text you signed, so your name is \
listed under it only once you confirm it.";

// ---------------------------------------------------------------------------------------
// The outreach pipeline

enum Email {
    None,
    Address(&'static str),
    /// The same address as this signer (index into `SIGNERS`): the prospect counts as
    /// signed through that signer's confirmed signature.
    Signer(usize),
}

struct Contact {
    name: &'static str,
    role: &'static str,
    email: Email,
    phone: &'static str,
    /// Days ago an email to it bounced, and the mail server's answer.
    bounced: Option<(i64, &'static str)>,
}

const fn contact(name: &'static str, role: &'static str, email: &'static str) -> Contact {
    Contact {
        name,
        role,
        email: if email.is_empty() {
            Email::None
        } else {
            Email::Address(email)
        },
        phone: "",
        bounced: None,
    }
}

/// One line of a prospect's history: days ago, hour (campaign time), kind, which contact
/// (index into the prospect's contacts; `None` for the organization as a whole),
/// outcome, text. Asks and follow-ups without text get the ask's subject.
type Log = (
    i64,
    u8,
    ActivityKind,
    Option<usize>,
    &'static str,
    &'static str,
);

struct Prospect {
    name: &'static str,
    website: &'static str,
    size: Size,
    tags: &'static [&'static str],
    status: PipelineStatus,
    /// Owned by the demo organizer (else by nobody).
    owned: bool,
    /// A prospect listed before this one.
    parent: Option<&'static str>,
    sensitivity: &'static str,
    /// Why it is on hold, and until how many days from today.
    hold: Option<(&'static str, i64)>,
    /// Days from today (0 or less: due in the follow-up queue).
    follow_up: Option<i64>,
    /// Suggested by this signer (index into `SIGNERS`) after signing.
    referred_by: Option<usize>,
    contacts: &'static [Contact],
    log: &'static [Log],
}

const P: Prospect = Prospect {
    name: "",
    website: "",
    size: Size::Local,
    tags: &[],
    status: PipelineStatus::NotContacted,
    owned: true,
    parent: None,
    sensitivity: "",
    hold: None,
    follow_up: None,
    referred_by: None,
    contacts: &[],
    log: &[],
};

use ActivityKind::{Ask, Bounced, Call, ChangeRequest, FollowUp, Meeting, Note, Opened};
use PipelineStatus::{Asked, Declined, InConversation, NotContacted, OwnStatement};

/// The requested change that the second revision of the letter answered.
const CHANGE_ANSWERED: &str =
    "Name the communities downstream of the plants in the first paragraph: our congregations in Hartwell and Millbrook \
     live with what the upstream permits allow.";

const PROSPECTS: &[Prospect] = &[
    // Signed: each has a contact whose email confirmed a signature.
    Prospect {
        name: "Riverkeepers United",
        website: "https://riverkeepers-united.example",
        size: Size::National,
        tags: &["environmental"],
        status: InConversation,
        contacts: &[
            Contact { email: Email::Signer(7), ..contact("Jordan Reyes", "Executive Director", "") },
            contact("Priya Natarajan", "Campaigns Lead", "priya@riverkeepers-united.example"),
        ],
        log: &[
            (13, 10, Ask, Some(0), "", ""),
            (12, 15, Opened, Some(0), "", "Opened the personal link"),
            (10, 14, Meeting, None, "Agreed to take it to their board", "Video call with Jordan and Priya. They like point 2 and want to see who else signed."),
            (8, 9, Note, None, "", "Board approved at Monday's meeting; Jordan signs today."),
        ],
        ..P
    },
    Prospect {
        name: "The Alder Network",
        website: "https://aldernetwork.example",
        size: Size::Regional,
        tags: &["environmental"],
        status: InConversation,
        contacts: &[Contact { email: Email::Signer(1), ..contact("Maya Chen", "Policy Director", "") }],
        log: &[
            (12, 11, Ask, Some(0), "", ""),
            (10, 16, Call, Some(0), "Will sign", "Maya confirmed they will sign and suggested the canoe collective."),
        ],
        ..P
    },
    Prospect {
        name: "2 Rivers Collective",
        website: "https://2rivers.example",
        tags: &["environmental", "justice"],
        status: Asked,
        contacts: &[Contact { email: Email::Signer(2), ..contact("Luis Ortega", "Organizer", "") }],
        log: &[(11, 10, Ask, Some(0), "", "")],
        ..P
    },
    Prospect {
        name: "10 Acres Farm Alliance",
        website: "https://10acres.example",
        size: Size::Regional,
        tags: &["farm"],
        status: InConversation,
        contacts: &[
            Contact { email: Email::Signer(3), ..contact("Ruth Miller", "Board Chair", "") },
            Contact { phone: "(559) 555-0182", ..contact("Ben Alvarez", "Field Organizer", "ben@10acres.example") },
        ],
        log: &[
            (10, 9, Ask, Some(0), "", ""),
            (7, 13, Call, Some(1), "Board votes Tuesday", "Ben says the farmers worry about point 2 costs landing on them; explained it targets permit holders."),
        ],
        ..P
    },
    Prospect {
        name: "Zeta Youth Climate",
        website: "https://zetayouth.example",
        tags: &["youth", "environmental"],
        status: Asked,
        owned: false,
        contacts: &[Contact { email: Email::Signer(8), ..contact("Sam Okafor", "Coordinator", "") }],
        log: &[(6, 17, Ask, Some(0), "", "")],
        ..P
    },
    // Chapters of a signed national: now free to sign.
    Prospect {
        name: "Riverkeepers United, Lower Valley Chapter",
        website: "https://lowervalley.riverkeepers-united.example",
        tags: &["environmental"],
        status: Asked,
        parent: Some("Riverkeepers United"),
        follow_up: Some(0),
        contacts: &[contact("Grace Whitfield", "Chapter Lead", "grace@lowervalley.riverkeepers-united.example")],
        log: &[
            (4, 11, Ask, Some(0), "", ""),
            (3, 10, Note, None, "", "Grace says the chapter waits for the national office; the national has signed since."),
        ],
        ..P
    },
    // Not contacted yet, national and international ones first ("approach early").
    Prospect {
        name: "Global Rivers Network",
        website: "https://globalrivers.example",
        size: Size::International,
        tags: &["environmental"],
        contacts: &[contact("Ingrid Solberg", "Partnerships Manager", "ingrid.solberg@globalrivers.example")],
        log: &[(14, 10, Note, None, "", "Their sign-on decisions go through a committee that meets monthly: ask early.")],
        ..P
    },
    Prospect {
        name: "Faith Alliance for Creation Care",
        website: "https://faithcreationcare.example",
        size: Size::National,
        tags: &["faith"],
        contacts: &[
            contact("Rev. Thomas Greene", "Executive Director", "tgreene@faithcreationcare.example"),
            contact("Hannah Weiss", "Program Associate", "hweiss@faithcreationcare.example"),
        ],
        ..P
    },
    Prospect {
        name: "National Nurses for Healthy Communities",
        website: "https://nurseshealthy.example",
        size: Size::National,
        tags: &["health"],
        owned: false,
        contacts: &[
            contact("Angela Brooks", "Advocacy Director", "abrooks@nurseshealthy.example"),
            Contact { phone: "(202) 555-0143", ..contact("Front desk", "", "") },
        ],
        ..P
    },
    Prospect {
        name: "Labor Council for Climate Jobs",
        website: "https://laborclimatejobs.example",
        size: Size::National,
        tags: &["labor"],
        owned: false,
        contacts: &[contact("Denise Walker", "Policy Director", "dwalker@laborclimatejobs.example")],
        ..P
    },
    Prospect {
        name: "Tenants Together Springfield",
        website: "https://tenantstogether.example",
        tags: &["tenant"],
        owned: false,
        contacts: &[contact("Keisha Johnson", "Lead Organizer", "keisha@tenantstogether.example")],
        ..P
    },
    Prospect {
        name: "Springfield Audubon Society",
        website: "https://springfieldaudubon.example",
        tags: &["environmental"],
        contacts: &[contact("Martin Holloway", "President", "president@springfieldaudubon.example")],
        ..P
    },
    Prospect {
        name: "Harbor Kayak Club",
        tags: &["recreation"],
        owned: false,
        contacts: &[Contact { phone: "(413) 555-0110", ..contact("Nate Burke", "Club Secretary", "") }],
        ..P
    },
    Prospect {
        name: "Eastside Mutual Aid",
        tags: &["justice"],
        owned: false,
        contacts: &[contact("Rosa Jimenez", "Volunteer Coordinator", "eastsidemutualaid@demo-mail.example")],
        ..P
    },
    Prospect {
        name: "Public Health Students for Water Justice",
        tags: &["health", "youth"],
        contacts: &[contact("Aisha Rahman", "Chair", "aisha.rahman@phswj.example")],
        ..P
    },
    Prospect {
        name: "Cross-River Fishing Cooperative",
        size: Size::Regional,
        tags: &["recreation", "labor"],
        contacts: &[Contact { phone: "(413) 555-0177", ..contact("Pete Sorensen", "Manager", "pete@crossriverfish.example") }],
        ..P
    },
    // Asked, some of them due for a follow-up today or overdue.
    Prospect {
        name: "Springfield Building Trades Council",
        website: "https://sbtc.example",
        size: Size::Regional,
        tags: &["labor"],
        status: Asked,
        follow_up: Some(-1),
        contacts: &[
            contact("Frank DeLuca", "President", "fdeluca@sbtc.example"),
            contact("Donna Park", "Political Director", "dpark@sbtc.example"),
        ],
        log: &[(8, 10, Ask, Some(0), "", ""), (8, 10, Ask, Some(1), "", "")],
        ..P
    },
    Prospect {
        name: "United Service Workers Local 32",
        website: "https://usw32.example",
        tags: &["labor"],
        status: Asked,
        follow_up: Some(0),
        sensitivity: "Their members staff the Hartwell treatment plant: talk about the permits, never about plant staffing.",
        contacts: &[contact("Marcus Bell", "Secretary-Treasurer", "mbell@usw32.example")],
        log: &[(7, 14, Ask, Some(0), "", ""), (6, 9, Opened, Some(0), "", "Opened the personal link")],
        ..P
    },
    Prospect {
        name: "Parents for Clean Air & Water",
        tags: &["health", "environmental"],
        status: Asked,
        follow_up: Some(-2),
        contacts: &[contact("Emily Novak", "Co-founder", "emily@parentscleanair.example")],
        log: &[(5, 20, Ask, Some(0), "", "")],
        ..P
    },
    Prospect {
        name: "Northside Tenants Union",
        tags: &["tenant"],
        status: Asked,
        follow_up: Some(-3),
        contacts: &[
            Contact {
                bounced: Some((9, "550 5.1.1 <carlos@northsidetenants.example>: Recipient address rejected: mailbox unavailable")),
                ..contact("Carlos Vega", "Chair", "carlos@northsidetenants.example")
            },
            contact("Alicia Romero", "Secretary", "alicia.romero@northsidetenants.example"),
        ],
        log: &[
            (9, 10, Ask, Some(0), "", ""),
            (6, 12, Ask, Some(1), "", ""),
            (6, 12, Note, None, "", "Carlos left the union in the summer; Alicia handles letters now."),
        ],
        ..P
    },
    Prospect {
        name: "ACLU of the Valley",
        website: "https://acluvalley.example",
        size: Size::Regional,
        tags: &["justice"],
        status: Asked,
        contacts: &[contact("Nora Feldman", "Legal Director", "legal@acluvalley.example")],
        log: &[(13, 11, Ask, Some(0), "", "")],
        ..P
    },
    Prospect {
        name: "Watershed Science Institute",
        website: "https://watershedscience.example",
        size: Size::National,
        tags: &["science", "environmental"],
        status: Asked,
        follow_up: Some(4),
        contacts: &[contact("Dr. Helen Park", "Director", "hpark@watershedscience.example")],
        log: &[(3, 9, Ask, Some(0), "", "")],
        ..P
    },
    Prospect {
        name: "Interfaith Council of Springfield",
        tags: &["faith"],
        status: Asked,
        owned: false,
        contacts: &[contact("Imam Yusuf Ali", "Convener", "convener@interfaithspringfield.example")],
        log: &[(2, 15, Ask, Some(0), "", "")],
        ..P
    },
    Prospect {
        name: "Bayview Community Health Center",
        website: "https://bayviewhealth.example",
        tags: &["health"],
        status: Asked,
        follow_up: Some(-1),
        contacts: &[
            contact("Dr. Olivia Grant", "Medical Director", "ogrant@bayviewhealth.example"),
            Contact { phone: "(413) 555-0199", ..contact("Tom Reilly", "Community Liaison", "treilly@bayviewhealth.example") },
        ],
        log: &[
            (10, 11, Ask, Some(0), "", ""),
            (5, 11, FollowUp, Some(0), "", ""),
        ],
        ..P
    },
    Prospect {
        name: "Immigrant Workers Center",
        tags: &["labor", "justice"],
        status: Asked,
        contacts: &[contact("Lucía Morales", "Director", "lucia@iwcenter.example")],
        log: &[(4, 16, Ask, Some(0), "", "")],
        ..P
    },
    Prospect {
        name: "Friends of the Millrace",
        tags: &["environmental"],
        status: Asked,
        owned: false,
        contacts: &[contact("George Abbott", "Treasurer", "gabbott@millrace.example")],
        log: &[(1, 10, Ask, Some(0), "", "")],
        ..P
    },
    // In conversation.
    Prospect {
        name: "Valley Congregations United",
        website: "https://valleycongregations.example",
        size: Size::Regional,
        tags: &["faith"],
        status: InConversation,
        follow_up: Some(0),
        contacts: &[
            contact("Rev. Alice Monroe", "Chair", "amonroe@valleycongregations.example"),
            contact("David Kim", "Organizer", "dkim@valleycongregations.example"),
        ],
        log: &[
            (14, 18, Meeting, None, "Supportive, with one change", "Reviewed the draft at First Church with Rev. Monroe and David."),
            (14, 19, ChangeRequest, Some(0), "", CHANGE_ANSWERED),
            (13, 10, Note, None, "", "Sent them revision 2, which names the downstream communities."),
            (12, 10, Ask, Some(0), "", ""),
        ],
        ..P
    },
    Prospect {
        name: "Valley Congregations United, Millbrook",
        tags: &["faith"],
        status: InConversation,
        parent: Some("Valley Congregations United"),
        contacts: &[contact("Pastor Ken Adeyemi", "Pastor", "pastor@millbrookcongregation.example")],
        log: &[(5, 12, Call, Some(0), "Waiting for the regional body", "Supports it personally; will sign once Valley Congregations United decides.")],
        ..P
    },
    Prospect {
        name: "Green Jobs Labor Network",
        website: "https://greenjobslabor.example",
        size: Size::National,
        tags: &["labor"],
        status: InConversation,
        follow_up: Some(-1),
        sensitivity: "Their national office asks that local affiliates not sign before it decides. Go through Rita only.",
        contacts: &[contact("Rita Gomez", "Coalitions Director", "rgomez@greenjobslabor.example")],
        log: &[
            (11, 9, Ask, Some(0), "", ""),
            (8, 15, Call, Some(0), "Interested; needs the national office's sign-off", ""),
        ],
        ..P
    },
    Prospect {
        name: "Valley Tenants' Rights Coalition",
        size: Size::Regional,
        tags: &["tenant", "justice"],
        status: InConversation,
        follow_up: Some(2),
        contacts: &[
            contact("Jamal Carter", "Director", "jamal@valleytenantsrights.example"),
            contact("Sofia Rossi", "Organizer", "sofia@valleytenantsrights.example"),
        ],
        log: &[
            (8, 10, Ask, Some(0), "", ""),
            (4, 17, Call, Some(0), "Left a voicemail", ""),
            (2, 11, Call, Some(1), "Will discuss at Thursday's meeting", ""),
            (2, 11, ChangeRequest, Some(1), "", "Could point 3 say \"residents\" rather than \"communities\"? Renters often aren't counted as community members."),
        ],
        ..P
    },
    Prospect {
        name: "Springfield Medical Society",
        website: "https://springfieldmed.example",
        size: Size::Regional,
        tags: &["health"],
        status: InConversation,
        follow_up: Some(0),
        contacts: &[contact("Dr. Raj Patel", "President", "rpatel@springfieldmed.example")],
        log: &[
            (7, 9, Ask, Some(0), "", ""),
            (3, 13, Meeting, Some(0), "Positive; checking with their counsel", ""),
        ],
        ..P
    },
    Prospect {
        name: "Valley Youth Climate Strike",
        tags: &["youth", "environmental"],
        status: InConversation,
        owned: false,
        contacts: &[contact("Lily Tran", "Organizer", "lily@valleyclimatestrike.example")],
        log: &[
            (6, 16, Ask, Some(0), "", ""),
            (4, 16, Call, Some(0), "Wants to bring it to their general meeting", ""),
        ],
        ..P
    },
    Prospect {
        name: "Environmental Justice Alliance of the Valley",
        size: Size::Regional,
        tags: &["justice", "environmental"],
        status: InConversation,
        contacts: &[contact("Andre Thompson", "Co-director", "andre@ejav.example")],
        log: &[
            (9, 14, Ask, Some(0), "", ""),
            (7, 10, Meeting, Some(0), "Likes the letter; asking their members", ""),
        ],
        ..P
    },
    // Declined.
    Prospect {
        name: "Valley Anglers Association",
        size: Size::Regional,
        tags: &["recreation"],
        status: Declined,
        contacts: &[contact("Roy Hendricks", "President", "roy@valleyanglers.example")],
        log: &[
            (12, 9, Ask, Some(0), "", ""),
            (6, 11, Call, Some(0), "Declined: their board stays out of political letters", ""),
        ],
        ..P
    },
    Prospect {
        name: "Hartwell Homeowners Association",
        tags: &["neighborhood"],
        status: Declined,
        owned: false,
        contacts: &[contact("Linda Carr", "Board Secretary", "board@hartwellhoa.example")],
        log: &[(10, 15, Ask, Some(0), "", ""), (9, 8, Note, None, "", "Replied by email: not this year.")],
        ..P
    },
    // Will issue their own statement.
    Prospect {
        name: "State Conservation Voters",
        website: "https://conservationvoters.example",
        size: Size::National,
        tags: &["environmental"],
        status: OwnStatement,
        contacts: &[contact("Kevin O'Brien", "Government Relations", "kobrien@conservationvoters.example")],
        log: &[
            (11, 10, Ask, Some(0), "", ""),
            (5, 14, Call, Some(0), "Will publish its own statement and link to ours", ""),
        ],
        ..P
    },
    Prospect {
        name: "Physicians for a Safe Climate",
        size: Size::National,
        tags: &["health"],
        status: OwnStatement,
        owned: false,
        contacts: &[contact("Dr. Amara Osei", "Executive Director", "aosei@safeclimatedocs.example")],
        log: &[(9, 9, Ask, Some(0), "", ""), (7, 12, Note, None, "", "They issue their own statements only; will share ours.")],
        ..P
    },
    // On hold.
    Prospect {
        name: "Diocese Office of Social Justice",
        size: Size::Regional,
        tags: &["faith"],
        status: Asked,
        hold: Some(("Waiting for the diocesan council, which meets next week", 9)),
        contacts: &[contact("Sr. Mary Collins", "Director", "socialjustice@dioceseoffice.example")],
        log: &[
            (10, 10, Ask, Some(0), "", ""),
            (8, 14, Call, Some(0), "Needs the council's approval", "Sister Mary will put it on the council's agenda."),
        ],
        ..P
    },
    Prospect {
        name: "Springfield Teachers Association",
        tags: &["labor"],
        hold: Some(("Union elections this month: approach the new president", 20)),
        contacts: &[contact("Office", "", "office@springfieldteachers.example")],
        ..P
    },
    // Suggested by signers after they signed.
    Prospect {
        name: "Clearwater Canoe Collective",
        tags: &["recreation"],
        follow_up: Some(0),
        referred_by: Some(1),
        contacts: &[contact("Bea Larsen", "", "bea@clearwatercanoe.example")],
        ..P
    },
    Prospect {
        name: "Alder Creek Garden Club",
        tags: &["environmental"],
        status: Asked,
        owned: false,
        referred_by: Some(7),
        contacts: &[contact("Walt Jensen", "President", "walt@aldercreekgardens.example")],
        log: &[(6, 10, Ask, Some(0), "", "")],
        ..P
    },
];

/// `days` from today (negative: in the past) at `hour`:`minute` in the campaign's zone,
/// never later than now.
fn local_at(
    now: OffsetDateTime,
    days: i64,
    hour: u8,
    minute: u8,
) -> anyhow::Result<OffsetDateTime> {
    let day = time_zones::to_local_input(now + Duration::days(days), ZONE);
    let day = day.split('T').next().unwrap_or_default();
    let at = time_zones::parse_local(&format!("{day}T{hour:02}:{minute:02}"), ZONE)
        .map_err(|e| anyhow::anyhow!(e))?;
    Ok(at.min(now - Duration::minutes(20)))
}

/// Adds the prospects and their contacts (before the signers confirm, so the signature
/// trigger marks the signed ones). Returns each prospect's id and its contacts' ids.
async fn demo_prospects(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
    owner_id: Uuid,
    now: OffsetDateTime,
    today: Date,
    referrals: Option<&HashMap<usize, Uuid>>,
) -> anyhow::Result<HashMap<&'static str, (Uuid, Vec<Uuid>)>> {
    let mut ids: HashMap<&'static str, (Uuid, Vec<Uuid>)> = HashMap::new();
    for (n, p) in PROSPECTS.iter().enumerate() {
        // The first pass adds the prospects organizers listed, the second (once the
        // signers' referrals exist) those the signers suggested.
        let (origin, created) = match (p.referred_by, referrals) {
            (None, None) => (
                Origin::default(),
                local_at(
                    now,
                    -FIRST_REVISION_DAYS_AGO,
                    10 + (n / 10) as u8,
                    (n % 6 * 10) as u8,
                )?,
            ),
            (Some(signer), Some(referrals)) => (
                Origin {
                    referral_id: Some(referrals[&signer]),
                    referred_by: SIGNERS[signer].name.into(),
                    referral_note: String::new(),
                    import_id: None,
                },
                local_at(now, -SIGNERS[signer].days_ago, 18, 0)?,
            ),
            _ => continue,
        };
        let input = ProspectInput {
            name: p.name.into(),
            website: p.website.into(),
            size: Some(p.size),
            parent_id: p.parent.map(|parent| ids[parent].0),
            tags: p.tags.iter().map(|t| (*t).to_owned()).collect(),
            owner_id: p.owned.then_some(owner_id),
            sensitivity: p.sensitivity.into(),
            notes: String::new(),
            hold_reason: p
                .hold
                .map(|(reason, _)| reason.to_owned())
                .unwrap_or_default(),
            hold_until: p.hold.map(|(_, days)| today + Duration::days(days)),
        };
        let id =
            outreach::insert(conn, tenant.uuid(), campaign_id, &input, &origin, created).await?;
        let mut contact_ids = Vec::new();
        for c in p.contacts {
            let email = match c.email {
                Email::None => None,
                Email::Address(address) => Some(address.to_owned()),
                Email::Signer(signer) => Some(signer_email(signer)),
            };
            let contact_input = ContactInput {
                name: c.name.into(),
                role: c.role.into(),
                email,
                phone: c.phone.into(),
                ..ContactInput::default()
            };
            let contact_id = outreach::add_contact(
                conn,
                tenant.uuid(),
                campaign_id,
                id,
                &contact_input,
                created,
            )
            .await?;
            contact_ids.push(contact_id);
        }
        if let Some(days) = p.follow_up {
            outreach::set_follow_up(conn, tenant, id, Some(today + Duration::days(days))).await?;
        }
        if p.status != NotContacted {
            outreach::set_status(conn, tenant, campaign_id, id, NotContacted, p.status).await?;
        }
        ids.insert(p.name, (id, contact_ids));
    }
    Ok(ids)
}

/// Each prospect's history, and the bounce that marks a contact.
async fn demo_activities(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
    owner_id: Uuid,
    now: OffsetDateTime,
    ids: &HashMap<&'static str, (Uuid, Vec<Uuid>)>,
    second_revision: Uuid,
) -> anyhow::Result<()> {
    for (n, p) in PROSPECTS.iter().enumerate() {
        let (prospect_id, contact_ids) = &ids[p.name];
        if let Some(signer) = p.referred_by {
            let body = format!("Suggested by {}, who signed.", SIGNERS[signer].name);
            let activity = NewActivity {
                prospect_id: *prospect_id,
                contact_id: None,
                kind: Note,
                outcome: "",
                body: &body,
                author_id: None,
                author_name: "Referral",
            };
            let at = local_at(now, -SIGNERS[signer].days_ago, 18, 0)?;
            outreach::record(conn, tenant.uuid(), campaign_id, &activity, at).await?;
        }
        for (line, &(days, hour, kind, contact, outcome, body)) in p.log.iter().enumerate() {
            let subject;
            let body = if body.is_empty() && matches!(kind, Ask | FollowUp) {
                subject = format!(
                    "Subject: Will {} sign on? Clean Rivers for Everyone",
                    p.name
                );
                subject.as_str()
            } else {
                body
            };
            let contact_id = contact.map(|c| contact_ids[c]);
            let author = match kind {
                Opened => p.contacts[contact.unwrap_or(0)].name,
                _ => ORGANIZER,
            };
            let activity = NewActivity {
                prospect_id: *prospect_id,
                contact_id,
                kind,
                outcome,
                body,
                author_id: (kind != Opened).then_some(owner_id),
                author_name: author,
            };
            let minute = ((n * 7 + line * 13) % 50) as u8;
            let at = local_at(now, -days, hour, minute)?;
            let id = outreach::record(conn, tenant.uuid(), campaign_id, &activity, at).await?;
            if kind == ChangeRequest && body == CHANGE_ANSWERED {
                outreach::answer_change(conn, tenant, campaign_id, id, second_revision).await?;
            }
        }
        for (c, contact) in p.contacts.iter().enumerate() {
            let (Some((days, reason)), Email::Address(address)) = (contact.bounced, &contact.email)
            else {
                continue;
            };
            let at = local_at(now, -days, 11, 15)?;
            sqlx::query(
                "UPDATE people SET bounced_at = $3, bounce_reason = $4 WHERE tenant_id = $1 AND id = $2",
            )
            .bind(tenant.uuid())
            .bind(contact_ids[c])
            .bind(at)
            .bind(reason)
            .execute(&mut *conn)
            .await?;
            let body = format!("Email to {address} bounced: {reason}");
            let activity = NewActivity {
                prospect_id: *prospect_id,
                contact_id: Some(contact_ids[c]),
                kind: Bounced,
                outcome: "",
                body: &body,
                author_id: None,
                author_name: "Mail server",
            };
            outreach::record(conn, tenant.uuid(), campaign_id, &activity, at).await?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------

/// A published campaign with two revisions of its letter, signers who confirmed over
/// the past two weeks, and its outreach pipeline.
/// Returns the path of one awaiting signer's own link, to see the change as they do.
async fn demo_campaign(
    conn: &mut PgConnection,
    tenant: TenantId,
    owner_id: Uuid,
) -> anyhow::Result<(String, Uuid)> {
    let now = OffsetDateTime::now_utc();
    let today = time_zones::local_date(now, ZONE);
    // 17:00 in New York on the day `days` from now, whatever the season's offset.
    let at_five = |days: i64| -> anyhow::Result<OffsetDateTime> {
        let day = time_zones::to_local_input(now + Duration::days(days), ZONE);
        let day = day.split('T').next().unwrap_or_default();
        time_zones::parse_local(&format!("{day}T17:00"), ZONE).map_err(|e| anyhow::anyhow!(e))
    };
    let input = CampaignInput {
        slug: CAMPAIGN.into(),
        title: "Clean Rivers for Everyone".into(),
        points: vec![
            "Clean water is a right".into(),
            "Polluters pay for the clean-up".into(),
            "Communities have a say".into(),
        ],
        target: 25,
        allow_individuals: true,
        moderation: false,
        time_zone: ZONE.into(),
        soft_deadline: at_five(10)?,
        hard_deadline: at_five(17)?,
    };
    let id = campaigns::create(conn, tenant, &input)
        .await
        .map_err(|e| anyhow::anyhow!("demo campaign: {e}"))?;
    let written = local_at(now, -FIRST_REVISION_DAYS_AGO, 9, 30)?;
    let revised = local_at(now, -SECOND_REVISION_DAYS_AGO, 9, 45)?;
    let (first, _) = campaigns::add_revision(
        conn,
        tenant,
        id,
        FIRST_LETTER,
        (owner_id, ORGANIZER),
        written,
    )
    .await?;
    // A minor change, as the letter page saves it once people have signed: those who
    // signed the first text were told (the emails are history) and their consent was
    // carried over, below, as they were inserted.
    let (second, second_number) = campaigns::add_changed_revision(
        conn,
        tenant,
        id,
        LETTER,
        (owner_id, ORGANIZER),
        revised,
        ChangeKind::Minor,
        "Tightened the wording and added the date of the hearing.",
        Some(revised + Duration::days(7)),
    )
    .await?;
    let mut carried_over = Vec::new();

    let mut prospects = demo_prospects(conn, tenant, id, owner_id, now, today, None).await?;

    let organizer = format!("organizer {ORGANIZER}");
    let mut signature_ids = Vec::new();
    for (n, signer) in SIGNERS.iter().enumerate() {
        let host = n == 0;
        let confirmed = local_at(
            now,
            -signer.days_ago,
            11 + (n % 6) as u8,
            (n * 7 % 60) as u8,
        )?;
        let revision = if signer.days_ago > SECOND_REVISION_DAYS_AGO {
            first
        } else {
            second
        };
        let signature = NewSignature {
            name: signer.name.into(),
            website: signer.website.into(),
            city: signer.city.into(),
            size: signer.size.into(),
            contact_name: signer.contact.into(),
            contact_title: signer.title.into(),
            email: signer.email.into(),
            domain_matches: !host && domain_matches(signer.email, signer.website),
            revision_id: Some(revision),
            ..NewSignature::new(
                SignatureKind::Organization,
                if host {
                    SignatureSource::Host
                } else {
                    SignatureSource::Form
                },
            )
        };
        // Fictional signers: the demo plays their confirmation from the emailed link too,
        // through the store functions that link uses (a prospect whose contact has the
        // signer's email becomes signed through the signature trigger).
        let (submitted, inserted_by) = if host {
            (
                confirmed,
                Actor {
                    name: &organizer,
                    user_id: Some(owner_id),
                    reason: "the host organization signed on once the letter was final",
                },
            )
        } else {
            (
                confirmed - Duration::hours(2),
                Actor::signer("signed on the public form"),
            )
        };
        match signatures::insert(conn, tenant, id, &signature, &inserted_by, submitted).await? {
            signatures::Inserted::Created(signature_id) => {
                let by = Actor::signer("confirmed through the emailed link");
                let changed = signatures::change_state(
                    conn,
                    tenant,
                    signature_id,
                    Action::Confirm,
                    &by,
                    confirmed,
                )
                .await?;
                // As the real confirmation does: the revision confirmed goes into the
                // consent ledger (the host's own signature was written there as it was
                // inserted, already confirmed).
                if changed.is_some() {
                    signatures::set_confirmed_revision(
                        conn,
                        tenant,
                        signature_id,
                        signature.revision_id,
                        Consent::Confirmed,
                        confirmed,
                    )
                    .await?;
                }
                if signature.revision_id == Some(first) {
                    carried_over.push(signature_id);
                }
                signature_ids.push(signature_id);
            }
            signatures::Inserted::Duplicate(_) => {
                anyhow::bail!("demo signer {} twice", signer.name)
            }
        }
    }
    signatures::carry_over(
        conn,
        tenant,
        &carried_over,
        (second, second_number),
        revised,
    )
    .await?;
    // The substantive change in flight, as the letter page saves it: the consent floor
    // moves to the new text and the host follows its own organizer (the emails asking
    // the others are history). Those who have confirmed it since, from their link, are
    // listed again; the others are awaiting reconfirmation and not listed under it.
    let changed = local_at(now, -CHANGED_DAYS_AGO, 10, 0)?;
    let (current, _) = campaigns::add_changed_revision(
        conn,
        tenant,
        id,
        LETTER_NOW,
        (owner_id, ORGANIZER),
        changed,
        ChangeKind::Substantive,
        CHANGE_NOTE,
        Some(at_five(RESPOND_BY_DAYS)?),
    )
    .await?;
    letter_changes::host_follows(conn, tenant, id, current, changed).await?;
    // Each signer told got their own link with the change (as the letter page writes
    // them; the emails are history). One awaiting signer's link is handed to whoever
    // loaded the demo, to see the change as a signer does.
    let respond_by = at_five(RESPOND_BY_DAYS)?;
    let mut links = Vec::new();
    let mut awaiting_link = String::new();
    for (signer, signature_id) in SIGNERS.iter().zip(&signature_ids).skip(1) {
        let token = crate::tokens::new_token();
        if signer.reconfirmed.is_none() {
            awaiting_link = format!("/{SLUG}/{CAMPAIGN}/signature/{}", token.token);
        }
        links.push((*signature_id, token.hash));
    }
    signatures::add_links(conn, tenant, &links, changed, respond_by).await?;
    for (signer, signature_id) in SIGNERS.iter().zip(&signature_ids) {
        if let Some((days, hour)) = signer.reconfirmed {
            signatures::set_confirmed_revision(
                conn,
                tenant,
                *signature_id,
                Some(current),
                Consent::Reconfirmed,
                local_at(now, -days, hour, 20)?,
            )
            .await?;
        }
    }
    sqlx::query(
        "UPDATE campaigns SET status = $2, published_at = $3, created_at = $4 WHERE id = $1",
    )
    .bind(id)
    .bind(Status::Published)
    .bind(local_at(now, -12, 12, 0)?)
    .bind(written)
    .execute(&mut *conn)
    .await?;

    // Signers' suggestions of whom else to ask, each already a prospect.
    let mut referrals = HashMap::new();
    for p in PROSPECTS {
        let Some(signer) = p.referred_by else {
            continue;
        };
        let referral_id = Uuid::new_v4();
        let first_contact = p.contacts.first();
        sqlx::query(
            "INSERT INTO referrals (id, tenant_id, campaign_id, signature_id, name, organization, email, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(referral_id)
        .bind(tenant.uuid())
        .bind(id)
        .bind(signature_ids[signer])
        .bind(first_contact.map_or("", |c| c.name))
        .bind(p.name)
        .bind(match first_contact.map(|c| &c.email) {
            Some(Email::Address(address)) => *address,
            _ => "",
        })
        .bind(local_at(now, -SIGNERS[signer].days_ago, 18, 0)?)
        .execute(&mut *conn)
        .await?;
        referrals.insert(signer, referral_id);
    }
    prospects
        .extend(demo_prospects(conn, tenant, id, owner_id, now, today, Some(&referrals)).await?);

    demo_activities(conn, tenant, id, owner_id, now, &prospects, second).await?;
    // Any prospect whose contact had signed before it was added counts as signed too.
    outreach::match_confirmed_signatures(conn, id, None, now).await?;
    Ok((awaiting_link, id))
}

// ---------------------------------------------------------------------------------------
// A finished campaign: changed substantively while open, released on its date

/// The short campaign that is over: released with a press release, listing only the
/// signers who confirmed its final text.
pub const RELEASED_CAMPAIGN: &str = "lead-free-schools";

const SCHOOLS_FIRST_LETTER: &str = "# Dear Superintendent and members of the School Board\n\n\
We, the undersigned organizations, ask you to make sure that every child in Springfield's public schools drinks water free of lead.\n\n\
We ask the district to:\n\n- test every drinking fountain and kitchen tap in every school;\n- publish the results online, school by school;\n\
- install certified filters wherever a test finds lead.\n\nWe look forward to your answer.";
/// The substantive change: a stricter limit, yearly tests and replacing what fails, not
/// only filtering it. Signers of the first text had to confirm this one to stay listed.
const SCHOOLS_LETTER: &str = "# Dear Superintendent and members of the School Board\n\n\
We, the undersigned organizations, ask you to make sure that every child in Springfield's public schools drinks water free of lead.\n\n\
We ask the district to:\n\n- test every drinking fountain and kitchen tap in every school every year, starting before the next school year begins;\n\
- publish every result online within 30 days, school by school;\n\
- replace every fountain, tap and service line that tests above 1 part per billion of lead, and filter it with a certified filter until it is replaced.\n\n\
We look forward to your answer.";
const SCHOOLS_CHANGE_NOTE: &str = "The letter now asks for yearly tests, sets a limit of 1 part per billion (the level pediatricians recommend) \
and asks the district to replace fixtures and service lines that fail rather than only filter them. It asks for more than the text you \
signed, so your name is listed under it only if you confirm it.";

/// When things happened, in days ago (campaign time).
const SCHOOLS_DRAFTED: i64 = 45;
const SCHOOLS_CHANGED: i64 = 37;
const SCHOOLS_RESPOND_BY: i64 = 31;
const SCHOOLS_SOFT_DEADLINE: i64 = 30;
const SCHOOLS_HARD_DEADLINE: i64 = 28;
const SCHOOLS_RELEASED: i64 = 27;
const SCHOOLS_CLOSED: i64 = 21;

struct SchoolSigner {
    name: &'static str,
    city: &'static str,
    contact: &'static str,
    title: &'static str,
    email: &'static str,
    /// Days ago and hour they sent the public form; they confirmed from the emailed link
    /// 40 minutes later.
    signed: (i64, u8),
    /// Signed the first text: when they confirmed the changed one, if they did.
    reconfirmed: Option<(i64, u8)>,
}

/// Besides the host organization. The first five signed the first text: three confirmed
/// the changed one, two did not (they are not listed under it). The last three signed the
/// changed text.
const SCHOOL_SIGNERS: &[SchoolSigner] = &[
    SchoolSigner {
        name: "Springfield Parent-Teacher Council",
        city: "Springfield",
        contact: "Maria Alvarez",
        title: "President",
        email: "maria.alvarez@springfieldptc.example",
        signed: (44, 20),
        reconfirmed: Some((36, 21)),
    },
    SchoolSigner {
        name: "Ελληνοαμερικανικός Σύλλογος Γονέων",
        city: "Springfield",
        contact: "Eleni Papadopoulou",
        title: "Secretary",
        email: "eleni@hellenicparents.example",
        signed: (43, 19),
        reconfirmed: Some((35, 10)),
    },
    SchoolSigner {
        name: "Hartwell Tenants Association",
        city: "Hartwell",
        contact: "Gloria Mendes",
        title: "Chair",
        email: "gloria@hartwelltenants.example",
        signed: (42, 12),
        reconfirmed: None,
    },
    SchoolSigner {
        name: "Springfield Pediatric Associates",
        city: "Springfield",
        contact: "Dr. Samuel Osei",
        title: "Medical Director",
        email: "sosei@springfieldpediatrics.example",
        signed: (40, 13),
        reconfirmed: Some((36, 8)),
    },
    SchoolSigner {
        name: "Millbrook Youth Soccer League",
        city: "Millbrook",
        contact: "Tom Becker",
        title: "Board Member",
        email: "tbecker@millbrooksoccer.example",
        signed: (39, 18),
        reconfirmed: None,
    },
    SchoolSigner {
        name: "مركز الجالية العربية",
        city: "Springfield",
        contact: "Youssef Haddad",
        title: "Director",
        email: "youssef@arabcommunitycenter.example",
        signed: (35, 11),
        reconfirmed: None,
    },
    SchoolSigner {
        name: "华人家长联合会",
        city: "Springfield",
        contact: "Li Wei",
        title: "Coordinator",
        email: "liwei@chineseparents.example",
        signed: (33, 20),
        reconfirmed: None,
    },
    SchoolSigner {
        name: "Springfield Education Association",
        city: "Springfield",
        contact: "Janet Moore",
        title: "President",
        email: "jmoore@springfieldea.example",
        signed: (32, 16),
        reconfirmed: None,
    },
];

/// The statement of an organization that could not sign, approved by the organizer.
const SCHOOLS_STATEMENT_ORGANIZATION: &str = "Springfield School Nurses Association";
const SCHOOLS_STATEMENT: &str = "Our members work for the school district, and our bylaws do not let the association sign letters \
addressed to our members' employer. We can still say this in our own words.\n\n\
School nurses see what lead does to children long before anyone tests a fountain: trouble concentrating, trouble learning, \
and damage that does not go away. There is no safe level of lead for a child.\n\n\
We support yearly testing of every tap our students drink from, publishing every result, and replacing what fails. \
We will keep helping families understand the results.";

/// The press release, published with the campaign on its release date.
fn schools_press_release(day: &str, listed: usize) -> String {
    format!(
        "# {listed} Springfield organizations ask the School Board for lead-free water in every school\n\n\
**SPRINGFIELD, {day}** — Parents, pediatricians, teachers and community groups delivered a letter to Springfield's \
Superintendent and School Board today asking the district to test every drinking fountain and kitchen tap in every \
school every year, to publish every result within 30 days, and to replace every fountain, tap and service line that \
tests above 1 part per billion of lead.\n\n\
The letter, coordinated by the Clean Water Coalition, is signed by {listed} organizations, from the Springfield \
Parent-Teacher Council and Springfield Pediatric Associates to the Arab Community Center and the Chinese Parents \
Association. Every name on it was confirmed by its signer for the final text: when the coalition strengthened the \
letter halfway through, organizations that had signed the earlier draft were asked to confirm the new text, and only \
those who did are listed.\n\n\
“Parents should never have to wonder whether the water fountain down the hall is safe,” said Maria Alvarez, president \
of the Springfield Parent-Teacher Council. “Testing once and filing the results away is not enough. We want every \
result public and every bad pipe gone before our kids go back to school.”\n\n\
The Springfield School Nurses Association, whose members work for the district and cannot sign letters to their \
employer, published a statement of its own in support, shown with the letter.\n\n\
The letter, its signers and a PDF to download are on the campaign's page.\n\n\
### About the Clean Water Coalition\n\n\
The Clean Water Coalition brings Springfield's neighborhood, faith, health and environmental groups together for \
safe, affordable water for everyone.\n\n\
**Media contact:** {ORGANIZER}, Clean Water Coalition, press@demo.undersigned.example"
    )
}

/// One school signer sends the form with `revision` shown, then confirms it from the
/// emailed link: their own act, through the store functions the signer's link uses.
async fn school_signer(
    conn: &mut PgConnection,
    tenant: TenantId,
    campaign_id: Uuid,
    signer: &SchoolSigner,
    revision: Uuid,
    now: OffsetDateTime,
) -> anyhow::Result<Uuid> {
    let (days, hour) = signer.signed;
    let submitted = local_at(now, -days, hour, 5)?;
    let confirmed = submitted + Duration::minutes(40);
    // Each signed from their organization's own address, so none asks for a closer look.
    let website = signer
        .email
        .split_once('@')
        .map(|(_, domain)| format!("https://{domain}"))
        .unwrap_or_default();
    let signature = NewSignature {
        name: signer.name.into(),
        domain_matches: domain_matches(signer.email, &website),
        website,
        city: signer.city.into(),
        size: "local".into(),
        contact_name: signer.contact.into(),
        contact_title: signer.title.into(),
        email: signer.email.into(),
        revision_id: Some(revision),
        ..NewSignature::new(SignatureKind::Organization, SignatureSource::Form)
    };
    let by = Actor::signer("signed on the public form");
    let signatures::Inserted::Created(signature_id) =
        signatures::insert(conn, tenant, campaign_id, &signature, &by, submitted).await?
    else {
        anyhow::bail!("demo signer {} twice", signer.name);
    };
    let by = Actor::signer("confirmed through the emailed link");
    signatures::change_state(conn, tenant, signature_id, Action::Confirm, &by, confirmed)
        .await?
        .ok_or_else(|| anyhow::anyhow!("demo signer {} could not confirm", signer.name))?;
    signatures::set_confirmed_revision(
        conn,
        tenant,
        signature_id,
        Some(revision),
        Consent::Confirmed,
        confirmed,
    )
    .await?;
    Ok(signature_id)
}

/// The finished campaign. Opened with a release date (its page hidden until then); the
/// host and five organizations signed the first text; a substantive change asked them to
/// confirm the new one by a date, and three did (the host follows its own organizer's
/// change); three more signed the new text; the two who did not confirm were told, once
/// the date passed, that their names were not carried over; a school nurses' association
/// sent a statement, approved; the scheduler released it with its press release on its
/// date; the organizers turned the public PDF on and closed it a week later.
async fn released_campaign(
    conn: &mut PgConnection,
    tenant: TenantId,
    owner_id: Uuid,
) -> anyhow::Result<Uuid> {
    let now = OffsetDateTime::now_utc();
    let at = |days: i64, hour: u8, minute: u8| local_at(now, -days, hour, minute);
    let input = CampaignInput {
        slug: RELEASED_CAMPAIGN.into(),
        title: "Lead-Free Water in Every School".into(),
        points: vec![
            "Every tap tested".into(),
            "Every result public".into(),
            "Lead out of our schools".into(),
        ],
        target: 10,
        allow_individuals: false,
        moderation: false,
        time_zone: ZONE.into(),
        soft_deadline: at(SCHOOLS_SOFT_DEADLINE, 17, 0)?,
        hard_deadline: at(SCHOOLS_HARD_DEADLINE, 17, 0)?,
    };
    let id = campaigns::create(conn, tenant, &input)
        .await
        .map_err(|e| anyhow::anyhow!("demo released campaign: {e}"))?;
    let drafted = at(SCHOOLS_DRAFTED, 9, 30)?;
    let (first, _) = campaigns::add_revision(
        conn,
        tenant,
        id,
        SCHOOLS_FIRST_LETTER,
        (owner_id, ORGANIZER),
        drafted,
    )
    .await?;
    let release_at = at(SCHOOLS_RELEASED, 10, 0)?;
    sqlx::query("UPDATE campaigns SET status = $2, created_at = $3, release_at = $4 WHERE id = $1")
        .bind(id)
        .bind(Status::Open)
        .bind(drafted)
        .bind(release_at)
        .execute(&mut *conn)
        .await?;

    // The host organization signs on as its organizer opens the campaign.
    let organizer = format!("organizer {ORGANIZER}");
    let by = Actor {
        name: &organizer,
        user_id: Some(owner_id),
        reason: "the host organization signed on when the campaign was created",
    };
    let host = NewSignature {
        name: GROUP.into(),
        contact_name: ORGANIZER.into(),
        email: EMAIL.into(),
        revision_id: Some(first),
        ..NewSignature::new(SignatureKind::Organization, SignatureSource::Host)
    };
    signatures::insert(conn, tenant, id, &host, &by, drafted + Duration::minutes(5)).await?;

    let mut first_signers = Vec::new();
    for signer in SCHOOL_SIGNERS
        .iter()
        .filter(|s| s.signed.0 > SCHOOLS_CHANGED)
    {
        let signature_id = school_signer(conn, tenant, id, signer, first, now).await?;
        first_signers.push((signer, signature_id));
    }

    // The substantive change, as the letter page saves it: the consent floor moves to the
    // new text and the host follows its own organizer. (The emails to signers are history.)
    let changed = at(SCHOOLS_CHANGED, 10, 0)?;
    let respond_by = at(SCHOOLS_RESPOND_BY, 17, 0)?;
    let (second, number) = campaigns::add_changed_revision(
        conn,
        tenant,
        id,
        SCHOOLS_LETTER,
        (owner_id, ORGANIZER),
        changed,
        ChangeKind::Substantive,
        SCHOOLS_CHANGE_NOTE,
        Some(respond_by),
    )
    .await?;
    letter_changes::host_follows(conn, tenant, id, second, changed).await?;
    // Those who confirmed the new text from their link, as `signing::signer` records it.
    for (signer, signature_id) in &first_signers {
        if let Some((days, hour)) = signer.reconfirmed {
            signatures::set_confirmed_revision(
                conn,
                tenant,
                *signature_id,
                Some(second),
                Consent::Reconfirmed,
                at(days, hour, 20)?,
            )
            .await?;
        }
    }
    for signer in SCHOOL_SIGNERS
        .iter()
        .filter(|s| s.signed.0 <= SCHOOLS_CHANGED)
    {
        school_signer(conn, tenant, id, signer, second, now).await?;
    }
    // The date passed: the others' names were not carried over, as the scheduler writes
    // it (the notice claimed, so the scheduler never sends it now).
    let not_carried_over: Vec<Uuid> = first_signers
        .iter()
        .filter(|(signer, _)| signer.reconfirmed.is_none())
        .map(|(_, id)| *id)
        .collect();
    let told = respond_by + Duration::minutes(1);
    sqlx::query(
        "INSERT INTO consent_notices (signature_id, revision_id, stage, at)
         SELECT id, $2, 'not_carried_over', $3 FROM unnest($1::uuid[]) AS id",
    )
    .bind(&not_carried_over)
    .bind(second)
    .bind(told)
    .execute(&mut *conn)
    .await?;
    signatures::record_consents(
        conn,
        tenant,
        &not_carried_over,
        second,
        Consent::NotCarriedOver,
        told,
    )
    .await?;

    // A statement in its own words from an organization that could not sign, sent through
    // the public form, confirmed by its sender from the emailed link a few minutes later
    // and approved by the organizer the next morning: the store's own steps, in the demo's
    // one transaction. (Demo data: no email went and nobody clicked, as the reason says.)
    let sent = at(SCHOOLS_RESPOND_BY, 15, 10)?;
    let confirmed = sent + Duration::minutes(12);
    let approved = at(SCHOOLS_SOFT_DEADLINE, 9, 40)?;
    let link = crate::tokens::new_token();
    let submitted = statements::submit(
        conn,
        tenant,
        id,
        &statements::NewStatement {
            organization: SCHOOLS_STATEMENT_ORGANIZATION.into(),
            contact_name: "Karen Liu".into(),
            email: "kliu@springfieldschoolnurses.example".into(),
            body: SCHOOLS_STATEMENT.into(),
            link: "https://springfieldschoolnurses.example/statements/lead-free-schools".into(),
        },
        &link.hash,
        sent + crate::statements::CONFIRMATION_VALID_FOR,
        sent,
    )
    .await?;
    anyhow::ensure!(
        statements::confirm(conn, tenant, id, submitted.id, &link.hash, 1, confirmed).await?,
        "the demo statement is confirmed"
    );
    let decision = statements::Decision {
        to: crate::statements::StatementState::Approved,
        by: &organizer,
        user_id: owner_id,
        reason: "demo data: a statement made up for the demo, confirmed and approved by the loader",
        at: approved,
    };
    anyhow::ensure!(
        statements::decide(
            &mut *conn,
            tenant,
            id,
            submitted.id,
            &[crate::statements::StatementState::Pending],
            &decision,
        )
        .await?,
        "the demo statement is approved"
    );

    // The release, as `campaigns::release::publish_due` leaves it: published at its time,
    // with the announcement to every listed signer recorded (not queued: it is history).
    let listed = signatures::listed(conn, tenant, id, number).await?;
    let release_day = time_zones::local_date(release_at, ZONE).format(
        time::macros::format_description!("[month repr:long] [day padding:none], [year]"),
    )?;
    let released_at = release_at + Duration::seconds(37);
    sqlx::query(
        "UPDATE campaigns SET released_at = $2, status = $3, published_at = coalesce(published_at, $2),
                press_release = $4
         WHERE id = $1",
    )
    .bind(id)
    .bind(released_at)
    .bind(Status::Published)
    .bind(schools_press_release(&release_day, listed.len()))
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO member_updates (tenant_id, campaign_id, reason, at, recipients) VALUES ($1, $2, 'release', $3, $4)",
    )
    .bind(tenant.uuid())
    .bind(id)
    .bind(released_at)
    .bind(listed.len() as i32)
    .execute(&mut *conn)
    .await?;
    campaigns::set_public_pdf(conn, tenant, id, true).await?;
    sqlx::query("UPDATE campaigns SET status = $2, closed_at = $3 WHERE id = $1")
        .bind(id)
        .bind(Status::Closed)
        .bind(at(SCHOOLS_CLOSED, 9, 15)?)
        .execute(&mut *conn)
        .await?;
    Ok(id)
}

// ---------------------------------------------------------------------------------------
// One address book for both campaigns

/// Organizations of the rivers campaign the schools campaign asked too (one book entry
/// each, shared), with how that ask ended.
const SHARED_WITH_SCHOOLS: &[(&str, PipelineStatus)] = &[
    ("Springfield Teachers Association", PipelineStatus::Declined),
    ("Parents for Clean Air & Water", PipelineStatus::Asked),
    (
        "Bayview Community Health Center",
        PipelineStatus::InConversation,
    ),
    ("Tenants Together Springfield", PipelineStatus::Asked),
    ("Springfield Medical Society", PipelineStatus::Declined),
];

/// Schools signers the rivers campaign started from the book ("signed the schools
/// letter"): prospects of both campaigns, not contacted yet for the rivers.
const FROM_SCHOOLS_TO_RIVERS: &[&str] = &[
    "Springfield Parent-Teacher Council",
    "Hartwell Tenants Association",
    "Springfield Education Association",
];

/// The schools campaign's outreach, from the same book as the rivers campaign: its
/// signers' organizations (their contacts are the people who signed, so each counts as
/// signed), and organizations the rivers campaign has too; then the rivers campaign adds
/// three schools signers from the book. All through the outreach stores, which find an
/// organization the book has by the duplicate rule instead of adding it twice.
async fn shared_book(
    conn: &mut PgConnection,
    tenant: TenantId,
    rivers: Uuid,
    schools: Uuid,
    owner_id: Uuid,
) -> anyhow::Result<()> {
    let now = OffsetDateTime::now_utc();
    let asked_at = local_at(now, -SCHOOLS_DRAFTED, 11, 0)?;
    let input = |name: &str, website: String| ProspectInput {
        name: name.into(),
        website,
        size: Some(Size::Local),
        parent_id: None,
        tags: vec!["schools".into()],
        owner_id: Some(owner_id),
        sensitivity: String::new(),
        notes: String::new(),
        hold_reason: String::new(),
        hold_until: None,
    };
    for signer in SCHOOL_SIGNERS {
        let website = signer
            .email
            .split_once('@')
            .map(|(_, domain)| format!("https://{domain}/"))
            .unwrap_or_default();
        let id = outreach::insert(
            conn,
            tenant.uuid(),
            schools,
            &input(signer.name, website),
            &Origin::default(),
            asked_at,
        )
        .await?;
        let contact = ContactInput {
            name: signer.contact.into(),
            role: signer.title.into(),
            email: Some(signer.email.into()),
            ..ContactInput::default()
        };
        outreach::add_contact(conn, tenant.uuid(), schools, id, &contact, asked_at).await?;
        outreach::set_status(
            conn,
            tenant,
            schools,
            id,
            NotContacted,
            PipelineStatus::Asked,
        )
        .await?;
    }
    for (name, status) in SHARED_WITH_SCHOOLS {
        let id = outreach::insert(
            conn,
            tenant.uuid(),
            schools,
            &input(name, String::new()),
            &Origin::default(),
            asked_at,
        )
        .await?;
        outreach::set_status(conn, tenant, schools, id, NotContacted, *status).await?;
    }
    outreach::match_confirmed_signatures(conn, schools, None, now).await?;
    for name in FROM_SCHOOLS_TO_RIVERS {
        outreach::insert(
            conn,
            tenant.uuid(),
            rivers,
            &input(name, String::new()),
            &Origin::default(),
            now - Duration::hours(2),
        )
        .await?;
    }
    Ok(())
}

/// A demo thread: subject, news link, days ago, and its posts (who wrote each: an index
/// of the members, or `usize::MAX` for the organizer).
type DemoThread = (
    &'static str,
    Option<&'static str>,
    i64,
    &'static [(usize, &'static str)],
);

/// The coalition's list after the schools letter: four of its signers joined by their own
/// click (the confirmation box), a month of posts, and a newcomer's first post held.
async fn coalition_list(
    conn: &mut PgConnection,
    tenant: TenantId,
    owner_id: Uuid,
) -> anyhow::Result<()> {
    use crate::coalition::model::{JoinedHow, MemberAction, PostState};
    use crate::coalition::store::{self as list, Joining, ListInput, PostInsert};

    let now = OffsetDateTime::now_utc();
    let opened = now - Duration::days(33);
    list::save_list(
        conn,
        tenant,
        &ListInput {
            name: "Clean Water Coalition members".into(),
            purpose: "Where the organizations that signed our letters plan what comes next: \
                      hearings, testimony, the next letter."
                .into(),
            rules: "1. **Be kind.** Disagree with ideas, not people.\n\
                    2. Stay on the coalition's work: water, schools, and the campaigns we run together.\n\
                    3. No attachments: link to a document instead.\n\
                    4. Organizers moderate; a new member's first post waits for them."
                .into(),
            off_topic_ok: false,
            archive_public: false,
            default_action: crate::coalition::model::ListDefault::Accept,
        },
        opened,
    )
    .await?;
    let mut members = Vec::new();
    for (i, signer) in SCHOOL_SIGNERS.iter().take(5).enumerate() {
        let joined_at = opened + Duration::days(i as i64);
        let person = outreach::person_for_list_member(
            conn,
            tenant,
            signer.contact,
            signer.email,
            signer.name,
            joined_at,
        )
        .await?;
        let member = list::join(
            conn,
            tenant,
            &Joining {
                person_id: person,
                email: signer.email,
                name: signer.contact,
                organization: signer.name,
                how: JoinedHow::Confirmation,
                campaign_id: None,
            },
            joined_at,
        )
        .await?
        .id();
        outreach::set_on_coalition_list(conn, tenant, person, true).await?;
        members.push((member, format!("{} ({})", signer.contact, signer.name)));
    }
    // All but the newest have had a post approved: they are cleared.
    for (member, _) in &members[..4] {
        list::set_action(conn, tenant, *member, MemberAction::Default).await?;
    }
    let threads: [DemoThread; 3] = [
        (
            "Thank you, and what comes after the letter",
            None,
            30,
            &[
                (usize::MAX, "The schools letter went to the board with every one of your names. \
                              Thank you.\n\nThis list is where we plan what comes next. \
                              Read the rules at the top of the archive, and say hello."),
                (0, "Glad to be here. Our council can host the next meeting in Springfield."),
                (2, "Count us in. We can bring translated flyers for the hearing."),
            ],
        ),
        (
            "News: the board puts water testing on its agenda",
            Some("https://news.example.org/board-water-testing"),
            12,
            &[(usize::MAX, "The board will vote on yearly water testing in every school on \
                            the 15th. This is what the letter asked for: it is on the agenda \
                            because you signed.")],
        ),
        (
            "Testimony sign-up for the 15th",
            None,
            3,
            &[
                (1, "Who can give two minutes of testimony on the 15th? Reply with your name and \
                     which school you speak for."),
                (3, "I can speak for the Northside families. Two minutes is tight; I will practice."),
            ],
        ),
    ];
    for (subject, news_link, days_ago, posts) in threads {
        let started = now - Duration::days(days_ago);
        let thread = list::insert_thread(conn, tenant, subject, news_link, started).await?;
        for (n, (author, body)) in posts.iter().enumerate() {
            let at = started + Duration::hours(3 * n as i64);
            let (member, name, user) = match members.get(*author) {
                Some((id, name)) => (Some(*id), name.clone(), None),
                None => (None, ORGANIZER.to_owned(), Some(owner_id)),
            };
            let reply_subject = format!("Re: {subject}");
            list::insert_post(
                conn,
                tenant,
                &PostInsert {
                    thread,
                    author_member: member,
                    author_user: user,
                    author_name: &name,
                    subject: if n == 0 { subject } else { &reply_subject },
                    body,
                    source: if n % 2 == 1 { "email" } else { "web" },
                    message_id: None,
                    state: PostState::Published,
                    held_reason: "",
                },
                at,
            )
            .await?;
        }
    }
    // The newest member's first post waits for an organizer.
    let (newcomer, name) = &members[4];
    let thread = list::insert_thread(conn, tenant, "Bus for the hearing?", None, now).await?;
    list::insert_post(
        conn,
        tenant,
        &PostInsert {
            thread,
            author_member: Some(*newcomer),
            author_user: None,
            author_name: name,
            subject: "Bus for the hearing?",
            body: "Could we share a bus to the hearing on the 15th? We have twelve parents coming.",
            source: "web",
            message_id: None,
            state: PostState::Held,
            held_reason: crate::coalition::model::HELD_BY_ACTION,
        },
        now,
    )
    .await?;
    Ok(())
}

pub const EMAIL: &str = "organizer@demo.undersigned.example";
pub const PASSWORD: &str = "demo-organizer-2026";
pub const SLUG: &str = "clean-water-coalition";
const GROUP: &str = "Clean Water Coalition";
const TEAMMATE_EMAIL: &str = "viewer@demo.undersigned.example";

pub struct Loaded {
    pub created: bool,
    /// Path of the own link of a signer awaiting reconfirmation (first load only): their
    /// page shows the change and asks them to confirm the new text.
    pub signer_link: Option<String>,
}

pub async fn load(db: &PgPool) -> anyhow::Result<Loaded> {
    if tenancy::slug_taken(db, SLUG).await? {
        return Ok(Loaded {
            created: false,
            signer_link: None,
        });
    }
    let slug = TenantSlug::parse(SLUG).map_err(|e| anyhow::anyhow!(e))?;
    let password_hash = passwords::hash(PASSWORD.into()).await?;
    let teammate_hash = passwords::hash("demo-viewer-2026".into()).await?;
    let created_at = OffsetDateTime::now_utc();
    let mut tx = db.begin().await?;
    let tenant = match tenancy::create_tenant(&mut tx, &slug, GROUP, created_at).await {
        Ok(tenant) => tenant,
        // Another run got there first.
        Err(CreateTenantError::SlugTaken) => {
            return Ok(Loaded {
                created: false,
                signer_link: None,
            })
        }
        Err(CreateTenantError::Database(e)) => return Err(e.into()),
    };
    let mut owner_id = None;
    for (email, name, hash, role) in [
        (EMAIL, ORGANIZER, &password_hash, Role::Owner),
        (TEAMMATE_EMAIL, "Vic Viewer", &teammate_hash, Role::Viewer),
    ] {
        let user_id = match auth_store::create_user(&mut tx, email, name, hash).await {
            Ok(id) => id,
            Err(auth_store::CreateUserError::EmailTaken) => {
                auth_store::user_by_email(&mut *tx, email)
                    .await?
                    .ok_or(sqlx::Error::RowNotFound)?
                    .id
            }
            Err(auth_store::CreateUserError::Database(e)) => return Err(e.into()),
        };
        tenancy::add_member(&mut tx, tenant, user_id, role).await?;
        owner_id.get_or_insert(user_id);
    }
    let owner_id = owner_id.expect("the demo has an owner");
    let (signer_link, rivers) = demo_campaign(&mut tx, tenant, owner_id).await?;
    let schools = released_campaign(&mut tx, tenant, owner_id).await?;
    shared_book(&mut tx, tenant, rivers, schools, owner_id).await?;
    coalition_list(&mut tx, tenant, owner_id).await?;
    tx.commit().await?;
    Ok(Loaded {
        created: true,
        signer_link: Some(signer_link),
    })
}
