//! The sample shop `redress demo` seeds into a fresh database.
//!
//! Northwind Outfitters sells clothes, shoes, homeware and a few gadgets from a warehouse in the
//! EU to customers who write in English, Spanish, Portuguese, Polish and Indonesian. The data is
//! meant to look like a real shop two months into its season: recent orders still in the
//! warehouse, older ones delivered, a handful lost or sent back, a few money accidents (a double
//! charge, a payment authorised but never captured, refunds), and the cases customers opened
//! about them, written in their own words and answered by the shop's agents.
//!
//! Everything is plain domain values, generated deterministically from a seed and a point in
//! time: the same seed and `now` give the same shop, so tests and screenshots are stable. Ids
//! are UUIDv7 stamped with the time the thing was created, with random bits from the seeded
//! generator.
//!
//! The file is organised as tables first (markets, catalogue, case scripts, reply texts), then
//! the small generators that combine them, then the tests.

use std::collections::{BTreeMap, HashSet};

use anyhow::{Context, anyhow};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use redress_domain::approval::Role;
use redress_domain::{
    Actor, Address, Attachment, Case, CaseChange, CaseError, CaseId, CaseStatus, Channel, Currency, Customer,
    CustomerId, Direction, EmailAddress, EscalationSignal, IssueKind, LanguageTag, Message, MessageId, Money, NewCase,
    Order, OrderId, OrderLine, Payment, PaymentId, PaymentStatus, Sentiment, Shipment, ShipmentId, ShipmentLine,
    ShipmentStatus, StockedVariant, Store, StoreId, StoreSlug, TimeStamp,
};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

/// Everything `redress demo` puts into a fresh database: one store, its customers, their
/// orders and the cases they opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SampleShop {
    /// The one store, Northwind Outfitters.
    pub store: Store,
    /// Its customers, in the five languages of the portal.
    pub customers: Vec<Customer>,
    /// Their orders, oldest first; every one passes [`Order::validate`].
    pub orders: Vec<Order>,
    /// The cases they opened, oldest first, so case numbers can be given in this order.
    pub cases: Vec<SampleCase>,
}

/// A case to open with its first message, and what happened on it afterwards.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SampleCase {
    /// The case as the customer opened it, first message included.
    pub new_case: NewCase,
    /// When it was opened: the time to pass to [`Case::open`].
    pub opened_at: OffsetDateTime,
    /// Later events, in time order; each is legal for the case state machine when applied in
    /// order (see [`SampleCase::replay`]).
    pub follow_ups: Vec<FollowUp>,
}

/// One thing that happened on a case after it was opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FollowUp {
    /// A reply from an agent or an answer from the customer; applied with
    /// [`Case::add_message`] at the message's `created_at`.
    Message {
        /// The message, on this case and store.
        message: Message,
    },
    /// A status change, applied with [`Case::change_status`].
    Status {
        /// The new status.
        to: CaseStatus,
        /// Who changed it.
        actor: Actor,
        /// When.
        at: OffsetDateTime,
    },
    /// The case was given to a member of the team, applied with [`Case::assign`].
    Assign {
        /// The team member.
        to: redress_domain::Assignee,
        /// Who assigned it.
        actor: Actor,
        /// When.
        at: OffsetDateTime,
    },
    /// An internal note, applied with [`Case::add_note`].
    Note {
        /// The note, for agents only.
        body: String,
        /// Who wrote it.
        actor: Actor,
        /// When.
        at: OffsetDateTime,
    },
}

impl FollowUp {
    /// Applies this follow-up to `case` through the domain's state machine.
    pub fn apply(&self, case: &Case) -> Result<CaseChange, CaseError> {
        match self {
            FollowUp::Message { message } => case.add_message(message, message.created_at),
            FollowUp::Status { to, actor, at } => case.change_status(*to, actor, *at),
            FollowUp::Assign { to, actor, at } => case.assign(Some(to.clone()), actor, *at),
            FollowUp::Note { body, actor, at } => case.add_note(body, actor, *at),
        }
    }

    /// The message this follow-up adds, if it adds one.
    pub fn message(&self) -> Option<&Message> {
        match self {
            FollowUp::Message { message } => Some(message),
            _ => None,
        }
    }
}

#[cfg(test)]
impl SampleCase {
    /// Opens the case as number `number` and applies every follow-up in order through the
    /// domain's state machine, returning the case as it ends up and its whole timeline.
    pub fn replay(&self, number: redress_domain::CaseNumber) -> Result<CaseChange, CaseError> {
        let opened = Case::open(self.new_case.clone(), number, self.opened_at)?;
        let mut case = opened.case;
        let mut entries = opened.entries;
        for follow_up in &self.follow_ups {
            let change = follow_up.apply(&case)?;
            case = change.case;
            entries.extend(change.entries);
        }
        Ok(CaseChange { case, entries })
    }
}

/// Builds the sample shop for `seed`, with every order and case in the ~60 days before `now`.
/// The same seed and `now` always give the same shop.
///
/// # Panics
///
/// Only if the fixed tables in this file are broken (an invalid email or currency code), which
/// the tests rule out for a range of seeds.
pub fn sample_shop(seed: u64, now: OffsetDateTime) -> SampleShop {
    build(seed, now).expect("the sample shop's tables are valid")
}

// ---------------------------------------------------------------------------------------------
// Markets: who buys, where they live, how they pay, who delivers
// ---------------------------------------------------------------------------------------------

/// One country the shop sells to.
struct Market {
    country: &'static str,
    language: &'static str,
    currency: &'static str,
    /// How many customers live there.
    customers: usize,
    first_names: &'static [&'static str],
    /// `Kowalski/Kowalska` gives the male and female form.
    last_names: &'static [&'static str],
    /// Spanish-speaking countries write both surnames.
    two_surnames: bool,
    /// City, postal code, region, district (colonia, bairro, kelurahan), "" when not used.
    places: &'static [(&'static str, &'static str, &'static str, &'static str)],
    streets: &'static [&'static str],
    email_domains: &'static [&'static str],
    carriers: &'static [&'static str],
    /// Payment methods, repeated to weight them.
    methods: &'static [&'static str],
    /// Hours from "in transit" to "delivered".
    delivery_hours: (i64, i64),
}

const MARKETS: &[Market] = &[
    Market {
        country: "US",
        language: "en",
        currency: "USD",
        customers: 20,
        first_names: &[
            "Emily", "Jacob", "Olivia", "Michael", "Ashley", "Tyler", "Madison", "Brandon", "Hannah", "Kevin",
            "Rachel", "Daniel",
        ],
        last_names: &[
            "Johnson", "Miller", "Davis", "Anderson", "Thompson", "Martinez", "Clark", "Walker", "Young", "Harris",
        ],
        two_surnames: false,
        places: &[
            ("Austin", "78701", "TX", ""),
            ("Portland", "97205", "OR", ""),
            ("Brooklyn", "11215", "NY", ""),
            ("Chicago", "60614", "IL", ""),
            ("Denver", "80206", "CO", ""),
            ("Seattle", "98103", "WA", ""),
            ("Boston", "02116", "MA", ""),
            ("San Diego", "92104", "CA", ""),
        ],
        streets: &[
            "Maple Avenue",
            "Oak Street",
            "Cedar Lane",
            "Elm Street",
            "Lakeview Drive",
            "Washington Street",
            "Pine Ridge Road",
        ],
        email_domains: &["gmail.com", "yahoo.com", "outlook.com", "icloud.com"],
        carriers: &["ups", "usps", "fedex"],
        methods: &["card", "card", "paypal"],
        delivery_hours: (72, 168),
    },
    Market {
        country: "GB",
        language: "en",
        currency: "GBP",
        customers: 16,
        first_names: &["Oliver", "Amelia", "Harry", "Isla", "George", "Sophie", "Jack", "Charlotte", "Thomas", "Lucy"],
        last_names: &["Smith", "Jones", "Taylor", "Brown", "Wilson", "Evans", "Hughes", "Roberts", "Walsh", "Patel"],
        two_surnames: false,
        places: &[
            ("London", "SE15 4QN", "", ""),
            ("Manchester", "M20 2RN", "", ""),
            ("Bristol", "BS6 5QA", "", ""),
            ("Edinburgh", "EH9 1PR", "", ""),
            ("Leeds", "LS6 3HN", "", ""),
            ("Brighton", "BN1 4GH", "", ""),
        ],
        streets: &["Church Lane", "Victoria Road", "Albert Street", "Queens Road", "Mill Lane", "Station Road"],
        email_domains: &["gmail.com", "hotmail.co.uk", "btinternet.com", "outlook.com"],
        carriers: &["royal_mail", "royal_mail", "dpd", "evri"],
        methods: &["card", "card", "paypal"],
        delivery_hours: (48, 120),
    },
    Market {
        country: "ES",
        language: "es",
        currency: "EUR",
        customers: 16,
        first_names: &[
            "Lucía",
            "Javier",
            "Carmen",
            "Alejandro",
            "Marta",
            "Pablo",
            "Elena",
            "Sergio",
            "Laura",
            "David",
            "Nuria",
            "Álvaro",
        ],
        last_names: &[
            "García",
            "Fernández",
            "López",
            "Martínez",
            "Sánchez",
            "Romero",
            "Navarro",
            "Torres",
            "Gil",
            "Ruiz",
            "Moreno",
        ],
        two_surnames: true,
        places: &[
            ("Madrid", "28014", "Madrid", ""),
            ("Barcelona", "08012", "Barcelona", ""),
            ("Valencia", "46004", "Valencia", ""),
            ("Sevilla", "41003", "Sevilla", ""),
            ("Bilbao", "48009", "Bizkaia", ""),
            ("Zaragoza", "50001", "Zaragoza", ""),
            ("Málaga", "29015", "Málaga", ""),
        ],
        streets: &[
            "Calle Mayor",
            "Calle de Alcalá",
            "Avenida de la Constitución",
            "Calle San Vicente",
            "Calle del Carmen",
            "Calle de la Paz",
        ],
        email_domains: &["gmail.com", "hotmail.es", "yahoo.es", "outlook.es"],
        carriers: &["correos", "correos", "seur"],
        methods: &["card", "card", "paypal"],
        delivery_hours: (24, 72),
    },
    Market {
        country: "MX",
        language: "es",
        currency: "MXN",
        customers: 12,
        first_names: &[
            "Valeria",
            "Diego",
            "Ximena",
            "José Luis",
            "Fernanda",
            "Luis",
            "Daniela",
            "Carlos",
            "Andrea",
            "Jorge",
            "Mariana",
        ],
        last_names: &[
            "Hernández",
            "González",
            "Ramírez",
            "Flores",
            "Cruz",
            "Morales",
            "Reyes",
            "Gutiérrez",
            "Mendoza",
            "Ortiz",
            "Castillo",
        ],
        two_surnames: true,
        places: &[
            ("Ciudad de México", "06700", "CDMX", "Col. Roma Norte"),
            ("Ciudad de México", "03100", "CDMX", "Col. Del Valle Centro"),
            ("Guadalajara", "44160", "Jal.", "Col. Americana"),
            ("Monterrey", "64000", "N.L.", "Centro"),
            ("Puebla", "72000", "Pue.", "Centro Histórico"),
            ("Querétaro", "76000", "Qro.", "Centro"),
        ],
        streets: &[
            "Av. Insurgentes Sur",
            "Calle Durango",
            "Av. Juárez",
            "Calle Morelos",
            "Av. Hidalgo",
            "Calle 5 de Mayo",
        ],
        email_domains: &["gmail.com", "hotmail.com", "outlook.com", "prodigy.net.mx"],
        carriers: &["dhl", "estafeta"],
        methods: &["card", "card", "paypal"],
        delivery_hours: (96, 216),
    },
    Market {
        country: "PT",
        language: "pt",
        currency: "EUR",
        customers: 10,
        first_names: &["Inês", "João", "Beatriz", "Tiago", "Mariana", "Rui", "Catarina", "Miguel", "Ana", "Duarte"],
        last_names: &[
            "Silva",
            "Santos",
            "Ferreira",
            "Pereira",
            "Oliveira",
            "Costa",
            "Rodrigues",
            "Martins",
            "Sousa",
            "Gonçalves",
        ],
        two_surnames: false,
        places: &[
            ("Lisboa", "1200-195", "", ""),
            ("Porto", "4000-322", "", ""),
            ("Braga", "4700-435", "", ""),
            ("Coimbra", "3000-143", "", ""),
            ("Faro", "8000-138", "", ""),
            ("Aveiro", "3810-064", "", ""),
        ],
        streets: &[
            "Rua Augusta",
            "Rua de Santa Catarina",
            "Avenida da Liberdade",
            "Rua do Carmo",
            "Rua Direita",
            "Rua 25 de Abril",
        ],
        email_domains: &["gmail.com", "sapo.pt", "hotmail.com", "outlook.pt"],
        carriers: &["ctt"],
        methods: &["card", "card", "paypal"],
        delivery_hours: (24, 60),
    },
    Market {
        country: "BR",
        language: "pt",
        currency: "BRL",
        customers: 16,
        first_names: &[
            "Ana Clara",
            "Lucas",
            "Juliana",
            "Gabriel",
            "Camila",
            "Rafael",
            "Larissa",
            "Thiago",
            "Fernanda",
            "Pedro",
            "Bruna",
            "Matheus",
        ],
        last_names: &[
            "Souza",
            "Oliveira",
            "Lima",
            "Carvalho",
            "Almeida",
            "Ribeiro",
            "Barbosa",
            "Rocha",
            "Araújo",
            "Nascimento",
        ],
        two_surnames: false,
        places: &[
            ("São Paulo", "01310-100", "SP", "Bela Vista"),
            ("São Paulo", "05422-010", "SP", "Pinheiros"),
            ("Rio de Janeiro", "22071-900", "RJ", "Copacabana"),
            ("Belo Horizonte", "30130-010", "MG", "Centro"),
            ("Curitiba", "80010-010", "PR", "Centro"),
            ("Porto Alegre", "90010-150", "RS", "Centro Histórico"),
            ("Recife", "50030-230", "PE", "Boa Vista"),
        ],
        streets: &[
            "Rua Augusta",
            "Av. Paulista",
            "Rua das Flores",
            "Rua XV de Novembro",
            "Av. Brasil",
            "Rua Sete de Setembro",
        ],
        email_domains: &["gmail.com", "uol.com.br", "bol.com.br", "hotmail.com"],
        carriers: &["correios", "correios", "jadlog"],
        methods: &["pix", "pix", "card"],
        delivery_hours: (120, 216),
    },
    Market {
        country: "PL",
        language: "pl",
        currency: "PLN",
        customers: 17,
        first_names: &[
            "Anna",
            "Piotr",
            "Katarzyna",
            "Tomasz",
            "Magdalena",
            "Krzysztof",
            "Agnieszka",
            "Michał",
            "Joanna",
            "Paweł",
            "Zofia",
            "Jakub",
        ],
        last_names: &[
            "Kowalski/Kowalska",
            "Nowak",
            "Wiśniewski/Wiśniewska",
            "Wójcik",
            "Kamiński/Kamińska",
            "Lewandowski/Lewandowska",
            "Zieliński/Zielińska",
            "Szymański/Szymańska",
            "Dąbrowski/Dąbrowska",
            "Mazur",
        ],
        two_surnames: false,
        places: &[
            ("Warszawa", "00-682", "", ""),
            ("Kraków", "31-042", "", ""),
            ("Wrocław", "50-077", "", ""),
            ("Gdańsk", "80-831", "", ""),
            ("Poznań", "61-772", "", ""),
            ("Łódź", "90-419", "", ""),
            ("Lublin", "20-002", "", ""),
        ],
        streets: &[
            "ul. Długa",
            "ul. Marszałkowska",
            "ul. Piotrkowska",
            "ul. Mickiewicza",
            "ul. Kościuszki",
            "ul. Słowackiego",
            "al. Jana Pawła II",
        ],
        email_domains: &["gmail.com", "wp.pl", "onet.pl", "o2.pl", "interia.pl"],
        carriers: &["inpost", "inpost", "dpd"],
        methods: &["blik", "blik", "card"],
        delivery_hours: (30, 96),
    },
    Market {
        country: "ID",
        language: "id",
        currency: "IDR",
        customers: 15,
        first_names: &["Putri", "Budi", "Siti", "Agus", "Dewi", "Rizky", "Ayu", "Andi", "Nur", "Eko", "Intan", "Fajar"],
        last_names: &[
            "Santoso",
            "Wijaya",
            "Pratama",
            "Saputra",
            "Hidayat",
            "Lestari",
            "Kusuma",
            "Nugroho",
            "Rahmawati",
            "Susanto",
        ],
        two_surnames: false,
        places: &[
            ("Jakarta Selatan", "12190", "DKI Jakarta", "Kel. Senayan, Kec. Kebayoran Baru"),
            ("Jakarta Pusat", "10310", "DKI Jakarta", "Kel. Menteng, Kec. Menteng"),
            ("Bandung", "40115", "Jawa Barat", "Kel. Citarum, Kec. Bandung Wetan"),
            ("Surabaya", "60271", "Jawa Timur", "Kel. Genteng, Kec. Genteng"),
            ("Yogyakarta", "55223", "DI Yogyakarta", "Kel. Terban, Kec. Gondokusuman"),
            ("Denpasar", "80234", "Bali", "Kel. Dauh Puri, Kec. Denpasar Barat"),
            ("Medan", "20112", "Sumatera Utara", "Kel. Petisah Tengah, Kec. Medan Petisah"),
        ],
        streets: &["Jl. Sudirman", "Jl. Diponegoro", "Jl. Gajah Mada", "Jl. Merdeka", "Jl. Ahmad Yani", "Jl. Pahlawan"],
        email_domains: &["gmail.com", "yahoo.co.id", "gmail.com", "outlook.co.id"],
        carriers: &["jne", "sicepat", "jnt"],
        methods: &["bank_transfer", "bank_transfer", "card"],
        delivery_hours: (96, 192),
    },
];

/// The support agent who answers each language, and the team lead escalations go to.
fn agent_for(language: &str) -> &'static str {
    match language {
        "es" => "maria",
        "pt" => "joana",
        "pl" => "tomasz",
        "id" => "sari",
        _ => "james",
    }
}

const TEAM_LEAD: &str = "ines";

/// The shop's support team: login, role. The first three sign in to the demo's desk; the others
/// answer cases in their languages.
pub const TEAM: &[(&str, Role)] = &[
    ("ana", Role::Agent),
    ("leo", Role::TeamLead),
    ("olga", Role::Owner),
    ("maria", Role::Agent),
    ("joana", Role::Agent),
    ("tomasz", Role::Agent),
    ("sari", Role::Agent),
    ("james", Role::Agent),
    (TEAM_LEAD, Role::TeamLead),
];

/// The team member with `login`, as cases are assigned to them: the same id every time for the
/// same store, so the sample's assignments name the members the demo seeds.
pub fn team_member(store_id: redress_domain::StoreId, login: &str) -> redress_domain::Assignee {
    use std::hash::{Hash, Hasher};
    let mut halves = [0u64; 2];
    for (i, half) in halves.iter_mut().enumerate() {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        (i, store_id.to_string(), login).hash(&mut hasher);
        *half = hasher.finish();
    }
    let id = Uuid::from_u128((u128::from(halves[0]) << 64) | u128::from(halves[1]));
    redress_domain::Assignee { agent_id: redress_domain::AgentId::from_uuid(id), name: display_name(login) }
}

// ---------------------------------------------------------------------------------------------
// Catalogue
// ---------------------------------------------------------------------------------------------

/// A product; every size and colour of it is its own SKU.
struct Product {
    code: &'static str,
    title: &'static str,
    category: &'static str,
    /// Price in EUR cents; other currencies follow a price list derived from it.
    eur_cents: i64,
    sizes: &'static [&'static str],
    colours: &'static [&'static str],
}

const LETTER_SIZES: &[&str] = &["XS", "S", "M", "L", "XL", "XXL"];
const DRESS_SIZES: &[&str] = &["XS", "S", "M", "L", "XL"];
const WAIST_SIZES: &[&str] = &["28", "30", "32", "34", "36"];
const SHOE_SIZES: &[&str] = &["37", "38", "39", "40", "41", "42", "43", "44", "45"];
const NO_SIZE: &[&str] = &[];

const fn product(
    code: &'static str,
    title: &'static str,
    category: &'static str,
    eur_cents: i64,
    sizes: &'static [&'static str],
    colours: &'static [&'static str],
) -> Product {
    Product { code, title, category, eur_cents, sizes, colours }
}

const CATALOGUE: &[Product] = &[
    product(
        "NW-TEE-ORG",
        "Organic Cotton Crew Tee",
        "apparel",
        2499,
        LETTER_SIZES,
        &["White", "Black", "Navy", "Sage"],
    ),
    product("NW-TEE-HNL", "Long-Sleeve Henley", "apparel", 3499, LETTER_SIZES, &["Oatmeal", "Charcoal", "Rust"]),
    product(
        "NW-HOOD-FLC",
        "Recycled Fleece Zip Hoodie",
        "apparel",
        6900,
        LETTER_SIZES,
        &["Charcoal", "Forest Green", "Sand"],
    ),
    product("NW-JKT-RAIN", "Packable Rain Jacket", "apparel", 11900, LETTER_SIZES, &["Mustard", "Navy", "Black"]),
    product("NW-JKT-DOWN", "Lightweight Down Jacket", "apparel", 18900, LETTER_SIZES, &["Black", "Olive", "Burgundy"]),
    product("NW-JEAN-SLM", "Slim Selvedge Jeans", "apparel", 8900, WAIST_SIZES, &["Indigo", "Washed Black"]),
    product("NW-CHINO-STR", "Stretch Chinos", "apparel", 6490, WAIST_SIZES, &["Khaki", "Navy", "Stone"]),
    product("NW-DRS-LIN", "Linen Wrap Dress", "apparel", 7900, DRESS_SIZES, &["Terracotta", "Olive", "Ivory"]),
    product("NW-SWT-MRN", "Merino Crewneck Sweater", "apparel", 9900, LETTER_SIZES, &["Heather Grey", "Navy", "Camel"]),
    product("NW-SHRT-FLN", "Flannel Overshirt", "apparel", 5900, LETTER_SIZES, &["Red Check", "Green Check"]),
    product("NW-LEG-RUN", "High-Rise Running Leggings", "apparel", 4900, DRESS_SIZES, &["Black", "Plum"]),
    product(
        "NW-SOCK-HIK",
        "Merino Hiking Socks (2-pack)",
        "apparel",
        1900,
        &["36-38", "39-42", "43-46"],
        &["Grey", "Navy"],
    ),
    product(
        "NW-BOXER-3PK",
        "Bamboo Boxer Briefs (3-pack)",
        "hygiene",
        2900,
        &["S", "M", "L", "XL"],
        &["Black", "Mixed"],
    ),
    product("NW-SWIM-BKN", "Recycled Bikini Set", "hygiene", 5500, &["XS", "S", "M", "L"], &["Coral", "Black"]),
    product("NW-SHOE-TRL", "Trail Running Shoes", "footwear", 12900, SHOE_SIZES, &["Slate/Orange", "Black"]),
    product("NW-SHOE-CNV", "Canvas Low-Top Sneakers", "footwear", 5900, SHOE_SIZES, &["Off White", "Navy"]),
    product("NW-BOOT-CHL", "Leather Chelsea Boots", "footwear", 15900, SHOE_SIZES, &["Dark Brown", "Black"]),
    product("NW-SAND-CRK", "Cork Footbed Sandals", "footwear", 4500, SHOE_SIZES, &["Tan", "Black"]),
    product("NW-VASE-CER", "Handmade Ceramic Vase, 30 cm", "home", 5400, NO_SIZE, &["Speckled White", "Ocean Blue"]),
    product("NW-MUG-SET", "Stoneware Mug Set (4 pieces)", "home", 3800, NO_SIZE, &["Sand", "Charcoal"]),
    product("NW-BLKT-WOL", "Wool Throw Blanket", "home", 8900, NO_SIZE, &["Grey Herringbone", "Mustard"]),
    product("NW-CNDL-SOY", "Soy Wax Candle, Cedar & Fig", "home", 2200, NO_SIZE, &[]),
    product("NW-HP-ANC", "Wireless Noise-Cancelling Headphones", "electronics", 17900, NO_SIZE, &["Black", "Silver"]),
    product("NW-SPK-BT", "Portable Bluetooth Speaker", "electronics", 7900, NO_SIZE, &["Black", "Teal"]),
    product("NW-PWR-10K", "10,000 mAh Power Bank", "electronics", 3500, NO_SIZE, &[]),
    product("NW-WATCH-FIT", "Fitness Tracker Watch", "electronics", 9900, NO_SIZE, &["Black", "Rose"]),
    product("NW-BPK-RLL", "Roll-Top Backpack 20 L", "accessories", 9500, NO_SIZE, &["Black", "Olive", "Rust"]),
    product("NW-CAP-WOL", "Wool Baseball Cap", "accessories", 2900, NO_SIZE, &["Navy", "Charcoal"]),
    product("NW-SCARF-ALP", "Alpaca Scarf (Sample Sale)", "final_sale", 3900, NO_SIZE, &["Camel", "Charcoal"]),
    product(
        "NW-BOTTLE-750",
        "Insulated Steel Bottle 750 ml",
        "accessories",
        2800,
        NO_SIZE,
        &["Moss", "White", "Black"],
    ),
    product("NW-SUN-POL", "Polarised Sunglasses", "accessories", 7500, NO_SIZE, &["Tortoise", "Black"]),
];

/// The shop's price in `currency` for a product costing `eur_cents` in EUR: converted at a
/// fixed rate and rounded up to a price point shoppers in that currency are used to.
fn local_price(eur_cents: i64, currency: &str) -> i64 {
    // (rate × 100, rounding step in minor units, amount taken off the rounded price)
    let (rate, step, less) = match currency {
        "USD" => (108, 100, 1),
        "GBP" => (86, 100, 1),
        "PLN" => (430, 500, 1),
        "BRL" => (580, 1000, 10),
        "MXN" => (1900, 5000, 100),
        "IDR" => (1_750_000, 100_000, 0),
        _ => return eur_cents,
    };
    let raw = eur_cents * rate / 100;
    let rounded = (raw + step - 1) / step * step;
    rounded - less
}

/// A short code for a colour in a SKU: the first three letters of its first word.
fn colour_code(colour: &str) -> String {
    colour.chars().take_while(|c| c.is_alphanumeric()).take(3).collect::<String>().to_uppercase()
}

// ---------------------------------------------------------------------------------------------
// Case scripts: the problems customers write about, in their words
// ---------------------------------------------------------------------------------------------

/// What state the order behind a case has to be in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Need {
    /// No order: a question before buying, a phishing report.
    NoOrder,
    /// Placed in the last hours, still waiting in the warehouse.
    Pending,
    /// Packed, not yet collected.
    Packed,
    /// Just collected by the carrier.
    HandedToCarrier,
    /// Moving through the carrier's network.
    InTransit,
    /// Delivered a week or more ago.
    Delivered,
    /// Declared lost by the carrier.
    Lost,
    /// Came back to the warehouse undelivered.
    ReturnedToSender,
    /// Captured twice, minutes apart.
    DoubleCharge,
    /// Captured twice, the duplicate already refunded.
    DoubleChargeRefunded,
    /// Authorised at checkout, never captured.
    AuthorizedOnly,
    /// Paid by transfer that never arrived: no payment on the order.
    Unpaid,
    /// Returned and refunded in full.
    Refunded,
    /// Part of the price refunded.
    PartiallyRefunded,
}

/// Which line of the order the customer writes about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Item {
    /// Whatever was ordered.
    Any,
    /// A garment with letter or waist sizes and more than one colour.
    Apparel,
    /// This product.
    Product(&'static str),
    /// The order has at least two lines; the customer writes about the last one.
    Several,
}

/// One case in the sample, as a row of the script table.
struct CaseSpec {
    language: &'static str,
    country: Option<&'static str>,
    kind: IssueKind,
    need: Need,
    item: Item,
    channel: Channel,
    sentiment: Sentiment,
    escalation: &'static [EscalationSignal],
    outcome: CaseStatus,
    carrier: Option<&'static str>,
    method: Option<&'static str>,
    attachments: &'static [&'static str],
    /// An answer written for this case instead of the kind's usual reply.
    reply: Option<&'static str>,
    subject: &'static str,
    body: &'static str,
}

#[allow(clippy::too_many_arguments)]
const fn case(
    language: &'static str,
    kind: IssueKind,
    need: Need,
    item: Item,
    channel: Channel,
    sentiment: Sentiment,
    outcome: CaseStatus,
    subject: &'static str,
    body: &'static str,
) -> CaseSpec {
    CaseSpec {
        language,
        country: None,
        kind,
        need,
        item,
        channel,
        sentiment,
        escalation: &[],
        outcome,
        carrier: None,
        method: None,
        attachments: &[],
        reply: None,
        subject,
        body,
    }
}

impl CaseSpec {
    const fn escalation(mut self, signals: &'static [EscalationSignal]) -> Self {
        self.escalation = signals;
        self
    }
    const fn country(mut self, country: &'static str) -> Self {
        self.country = Some(country);
        self
    }
    const fn carrier(mut self, carrier: &'static str) -> Self {
        self.carrier = Some(carrier);
        self
    }
    const fn method(mut self, method: &'static str) -> Self {
        self.method = Some(method);
        self
    }
    const fn attach(mut self, files: &'static [&'static str]) -> Self {
        self.attachments = files;
        self
    }
    const fn reply(mut self, reply: &'static str) -> Self {
        self.reply = Some(reply);
        self
    }
}

use CaseStatus::{Closed, Open, Resolved, WaitingOnCustomer, WaitingOnThirdParty};
use EscalationSignal::{Chargeback, Legal, PublicReview, RepeatContact, Urgent};

/// The cases in the sample. Bodies and subjects use placeholders such as `{order}`, `{item}`,
/// `{size}`, `{amount}` and `{tracking}`, filled from the order the case is attached to.
const CASES: &[CaseSpec] = &[
    // ----- English -----
    case(
        "en",
        IssueKind::DamagedInTransit,
        Need::Delivered,
        Item::Product("NW-VASE-CER"),
        Channel::Email,
        Sentiment::Negative,
        WaitingOnCustomer,
        "Vase arrived smashed – order {order}",
        "Hi,\n\nMy order {order} arrived and the ceramic vase ({colour}) was in pieces when I opened the box. There \
         was hardly any padding, just one sheet of paper wrapped around it. I paid {line_amount} for it and it was \
         meant to be a birthday present this weekend.\n\nCan you send a replacement, or refund me? I've kept the \
         box and the pieces.\n\n{first}",
    ),
    case(
        "en",
        IssueKind::NotReceived,
        Need::Lost,
        Item::Any,
        Channel::Email,
        Sentiment::Negative,
        WaitingOnThirdParty,
        "Third email about order {order} – still nothing",
        "This is the third time I'm writing about order {order}. Tracking {tracking} hasn't moved in over a week \
         and {carrier} just tell me to contact the sender. I paid {amount} {days} days ago and have nothing to show \
         for it.\n\nIf I don't get the parcel or my money back by Friday I will file a chargeback with my bank.\n\n\
         {name}",
    )
    .escalation(&[RepeatContact, Chargeback]),
    case(
        "en",
        IssueKind::WrongCharge,
        Need::DoubleCharge,
        Item::Any,
        Channel::Email,
        Sentiment::Negative,
        Open,
        "Charged twice for order {order}",
        "Hello, I just checked my credit card statement and you have charged me {amount} TWICE for order {order}, \
         a few minutes apart. I only placed one order. Please refund the duplicate charge right away, otherwise \
         I'll dispute it with my card issuer.\n\nThanks,\n{first}",
    )
    .escalation(&[Chargeback])
    .method("card"),
    case(
        "en",
        IssueKind::OrderStatus,
        Need::InTransit,
        Item::Any,
        Channel::Chat,
        Sentiment::Neutral,
        Resolved,
        "Where is order {order}?",
        "hi! just wondering when order {order} will arrive? tracking has said in transit for a few days now but \
         there's no delivery date. need the {item} for a trip next week",
    )
    .reply(
        "Hi {first},\n\nYour parcel is on its way with {carrier} (tracking {tracking}). It's in their network now \
         and deliveries to your area usually take another 2–4 working days, so it should reach you before your \
         trip. I'll keep an eye on it and let you know if anything changes.\n\nBest,\n{agent}",
    ),
    case(
        "en",
        IssueKind::ReturnRequest,
        Need::Delivered,
        Item::Apparel,
        Channel::Portal,
        Sentiment::Neutral,
        WaitingOnCustomer,
        "Return request for order {order}",
        "I'd like to return the {item} (size {size}, {colour}) from order {order}. The fit just isn't right \
         for me and I don't want a different size. It's unworn with the tags still on. How do I get a return \
         label?",
    ),
    case(
        "en",
        IssueKind::PhishingReport,
        Need::NoOrder,
        Item::Any,
        Channel::Email,
        Sentiment::Neutral,
        Closed,
        "Is this text message really from you?",
        "Hi, I got a text this morning saying \"Northwind: your parcel is held at the depot, pay the £1.99 \
         redelivery fee here: northwind-parcel-help.com\". The link looks dodgy and I haven't ordered anything \
         recently. I haven't clicked it, but thought you'd want to know.",
    )
    .country("GB"),
    case(
        "en",
        IssueKind::StoreUnavailable,
        Need::NoOrder,
        Item::Any,
        Channel::Chat,
        Sentiment::Negative,
        CaseStatus::New,
        "Checkout keeps failing",
        "Your checkout has been broken for the last hour. Every time I click Pay it spins and then says \
         \"Something went wrong, please try again\". Tried two cards and PayPal. I need the rain jacket before \
         Saturday, please fix this urgently or tell me another way to order.",
    )
    .escalation(&[Urgent]),
    case(
        "en",
        IssueKind::DefectiveItem,
        Need::Delivered,
        Item::Product("NW-HP-ANC"),
        Channel::Email,
        Sentiment::Negative,
        Open,
        "Headphones from {order} – left side dead",
        "Hi,\n\nThe noise-cancelling headphones from order {order} stopped working on the left side after barely a \
         week. Fully charged, tried with two phones and a laptop, reset them as the manual says, still nothing from \
         the left ear cup. For {line_amount} this is really poor.\n\nI want a replacement that works, not a \
         runaround. If this isn't sorted I'll be leaving an honest review on Trustpilot.\n\n{name}",
    )
    .escalation(&[PublicReview]),
    case(
        "en",
        IssueKind::ChangeShippingAddress,
        Need::Pending,
        Item::Any,
        Channel::Email,
        Sentiment::Neutral,
        CaseStatus::New,
        "URGENT: wrong address on order {order}",
        "Hi, I just placed order {order} and realised it's going to my old address. Please change the delivery \
         address to:\n\n{new_address}\n\nMy account says it hasn't shipped yet. Please confirm asap, thank you!\n\
         {first}",
    )
    .escalation(&[Urgent]),
    case(
        "en",
        IssueKind::RefundStatus,
        Need::Refunded,
        Item::Any,
        Channel::Email,
        Sentiment::Negative,
        WaitingOnThirdParty,
        "Refund for {order} still not received",
        "Hello again,\n\nI already wrote about this last week. You emailed me over a week ago to say the refund of \
         {amount} for order {order} had been processed, but nothing has shown up on my account and my bank says \
         there is no incoming refund. Can you send me the refund reference so I can chase it?\n\n{first}",
    )
    .escalation(&[RepeatContact]),
    case(
        "en",
        IssueKind::Other,
        Need::Delivered,
        Item::Any,
        Channel::Social,
        Sentiment::Positive,
        Closed,
        "Thank you!",
        "Just wanted to say I love what I got in order {order} ({item}), and thank you for the handwritten note \
         in the box 😊 Will definitely order again.",
    ),
    case(
        "en",
        IssueKind::MissingItem,
        Need::Delivered,
        Item::Several,
        Channel::Phone,
        Sentiment::Negative,
        Open,
        "Phone call: item missing from order {order}",
        "Customer called about order {order}. The parcel arrived but the {item} was not in it, only the other \
         items. The packing slip lists it and they checked the box twice. Wants the missing item sent as soon as \
         possible, not a refund. Quite annoyed: it was meant as a gift.",
    ),
    // ----- Spanish -----
    case(
        "es",
        IssueKind::DamagedInTransit,
        Need::Delivered,
        Item::Product("NW-MUG-SET"),
        Channel::Social,
        Sentiment::Negative,
        Open,
        "Tazas rotas – pedido {order}",
        "Hola. Me ha llegado el pedido {order} y de las 4 tazas del juego, 2 vienen rotas. La caja estaba \
         aplastada por un lado. Os mando fotos por aquí. Me parece una vergüenza para un producto de {line_amount}; \
         si no me dais una solución lo voy a contar en las reseñas de Google.",
    )
    .escalation(&[PublicReview])
    .country("ES")
    .attach(&["tazas_rotas_1.jpg", "tazas_rotas_2.jpg"]),
    case(
        "es",
        IssueKind::CancelOrder,
        Need::Pending,
        Item::Any,
        Channel::Chat,
        Sentiment::Neutral,
        CaseStatus::New,
        "Cancelar pedido {order}",
        "Hola, acabo de hacer el pedido {order} y me he equivocado, quiero cancelarlo entero por favor. Todavía no \
         se ha enviado. ¿Me podéis confirmar la cancelación y la devolución de los {amount}? Es urgente, gracias.",
    )
    .escalation(&[Urgent])
    .country("ES"),
    case(
        "es",
        IssueKind::WrongItemReceived,
        Need::Delivered,
        Item::Apparel,
        Channel::Email,
        Sentiment::Negative,
        WaitingOnCustomer,
        "Me habéis enviado la talla equivocada ({order})",
        "Buenas tardes:\n\nEn el pedido {order} pedí el artículo «{item}» en talla {size} y color {colour}, y lo \
         que me ha llegado es una talla {other_size}. La bolsa pone {size} pero la etiqueta de la prenda dice \
         {other_size}. Necesito que me enviéis la talla correcta, y no quiero pagar yo el envío de vuelta porque el \
         error es vuestro.\n\nUn saludo,\n{name}",
    )
    .country("ES"),
    case(
        "es",
        IssueKind::NotReceived,
        Need::Delivered,
        Item::Any,
        Channel::Email,
        Sentiment::Negative,
        WaitingOnThirdParty,
        "Pedido {order} marcado como entregado pero no lo he recibido",
        "Hola,\n\nEl seguimiento {tracking} de {carrier} dice que el pedido {order} se entregó, pero yo no he \
         recibido nada. Nadie firmó, no hay aviso en el buzón y los vecinos tampoco lo tienen. He pagado {amount} \
         y quiero mi pedido o el reembolso. Si no lo solucionáis en unos días presentaré una reclamación en \
         consumo y lo consultaré con un abogado.\n\n{name}",
    )
    .escalation(&[Legal])
    .country("ES"),
    case(
        "es",
        IssueKind::ExchangeRequest,
        Need::Delivered,
        Item::Product("NW-SHOE-TRL"),
        Channel::Portal,
        Sentiment::Neutral,
        Open,
        "Cambio de talla zapatillas {order}",
        "¡Hola! Las zapatillas de trail del pedido {order} me quedan pequeñas, pedí la {size}. ¿Puedo cambiarlas \
         por la {other_size} en el mismo color ({colour})? No las he usado, solo me las probé en casa.",
    ),
    case(
        "es",
        IssueKind::ReturnPolicyQuestion,
        Need::Delivered,
        Item::Product("NW-SCARF-ALP"),
        Channel::Email,
        Sentiment::Neutral,
        Resolved,
        "¿Se puede devolver la bufanda?",
        "Buenos días, compré la bufanda de alpaca en el pedido {order} (estaba en las rebajas finales). El color \
         en persona es más oscuro de lo que esperaba. ¿Se puede devolver o cambiar aunque fuera de oferta? ¿Y \
         quién paga el envío? Gracias.",
    )
    .reply(
        "Hola, {first}:\n\nGracias por escribirnos. La bufanda se compró en la venta final de muestras, y esos \
         artículos no admiten devolución ni cambio salvo defecto, como se indicaba en la ficha del producto. \
         Sentimos que el color no te convenza. Si tuviera cualquier defecto, mándanos una foto y lo solucionamos \
         enseguida.\n\nUn saludo,\n{agent}",
    ),
    case(
        "es",
        IssueKind::BillingInfoError,
        Need::HandedToCarrier,
        Item::Any,
        Channel::Email,
        Sentiment::Neutral,
        WaitingOnCustomer,
        "Factura a nombre de empresa – pedido {order}",
        "Hola, necesito la factura del pedido {order} a nombre de mi empresa, no a mi nombre. Los datos son: \
         Estudio Gráfico Levante S.L., CIF B12345674, Calle Colón 22, 46004 Valencia. ¿Podéis emitir una factura \
         nueva? Gracias, {first}.",
    )
    .country("ES"),
    case(
        "es",
        IssueKind::OrderStatus,
        Need::InTransit,
        Item::Any,
        Channel::Social,
        Sentiment::Negative,
        CaseStatus::New,
        "¿Dónde está mi pedido {order}?",
        "Buenas, ya les escribí el martes y nadie me contestó. Mi pedido {order} lleva {days} días y el rastreo \
         {tracking} de {carrier} no se actualiza. ¿Me pueden decir cuándo llega? Es para un regalo.",
    )
    .escalation(&[RepeatContact])
    .country("MX"),
    case(
        "es",
        IssueKind::PaymentNotReflected,
        Need::AuthorizedOnly,
        Item::Any,
        Channel::Email,
        Sentiment::Negative,
        WaitingOnThirdParty,
        "He pagado pero el pedido {order} sale pendiente de pago",
        "Hola,\n\nHice el pedido {order} hace un par de días y el cargo de {amount} aparece en mi tarjeta, pero en mi \
         cuenta el pedido sigue \"pendiente de pago\" y no se ha enviado. Necesito las cosas para el viernes, \
         ¿podéis revisarlo urgentemente?\n\nGracias,\n{name}",
    )
    .escalation(&[Urgent])
    .country("ES")
    .method("card")
    .reply(
        "Hola, {first}:\n\nPerdona las molestias. Hemos comprobado que el pago del pedido {order} quedó autorizado \
         en tu tarjeta, pero la pasarela de pago no nos lo confirmó y por eso el pedido aparece pendiente. Ya lo \
         hemos escalado a la pasarela; en cuanto lo confirmen, el pedido sale del almacén el mismo día. No se te \
         cobrará dos veces: la retención de {amount} que ves es la del propio pedido.\n\nUn saludo,\n{agent}",
    ),
    case(
        "es",
        IssueKind::NotAsDescribed,
        Need::Delivered,
        Item::Product("NW-DRS-LIN"),
        Channel::Email,
        Sentiment::Negative,
        CaseStatus::New,
        "El vestido no se parece a las fotos",
        "Hola, he recibido el vestido de lino del pedido {order} y no tiene nada que ver con las fotos de la web. \
         El color {colour} es mucho más apagado y la tela es finísima, se transparenta. En la descripción ponía \
         100 % lino y la etiqueta dice 55 % lino, 45 % viscosa. Quiero devolverlo y que me devolváis el dinero.",
    ),
    case(
        "es",
        IssueKind::Other,
        Need::NoOrder,
        Item::Any,
        Channel::Chat,
        Sentiment::Neutral,
        Resolved,
        "¿Enviáis a Canarias?",
        "Hola, una pregunta rápida: ¿hacéis envíos a Tenerife? Al poner el código postal 38001 no me deja \
         seleccionar ningún método de envío. Gracias.",
    )
    .country("ES")
    .reply(
        "Hola, {first}:\n\n¡Sí, enviamos a Canarias! El checkout no ofrecía ningún método por un error de \
         configuración que ya hemos corregido; ahora verás Correos Canarias (4-6 días laborables). Ten en cuenta \
         que al ser envío fuera del territorio IVA peninsular pueden aplicarse el IGIC y gastos de despacho a la \
         entrega.\n\nUn saludo,\n{agent}",
    ),
    // ----- Portuguese -----
    case(
        "pt",
        IssueKind::NotReceived,
        Need::InTransit,
        Item::Any,
        Channel::Email,
        Sentiment::Negative,
        WaitingOnThirdParty,
        "Pedido {order} – terceira vez que escrevo",
        "Oi,\n\njá é a terceira vez que escrevo sobre o pedido {order} e ninguém me responde. Paguei {amount} e o \
         rastreio {tracking} dos {carrier} continua parado em \"Objeto em trânsito - por favor aguarde\", sem \
         nenhuma atualização. Quero saber onde está meu pedido ou o dinheiro de volta.\n\n{name}",
    )
    .escalation(&[RepeatContact])
    .country("BR"),
    case(
        "pt",
        IssueKind::WrongCharge,
        Need::DoubleCharge,
        Item::Any,
        Channel::Email,
        Sentiment::Negative,
        Open,
        "Cobrança em dobro no Pix – pedido {order}",
        "Boa tarde. Fiz o pagamento do pedido {order} via Pix e o valor de {amount} foi debitado duas vezes da \
         minha conta, com poucos minutos de diferença. Segue o comprovante. Quero o estorno do valor duplicado. \
         Se não resolverem vou abrir reclamação no Procon.",
    )
    .escalation(&[Legal])
    .country("BR")
    .method("pix")
    .attach(&["comprovante_pix.pdf"]),
    case(
        "pt",
        IssueKind::ChangeOrderItems,
        Need::Pending,
        Item::Apparel,
        Channel::Chat,
        Sentiment::Neutral,
        WaitingOnCustomer,
        "Trocar o tamanho antes do envio – {order}",
        "Olá! Acabei de fazer o pedido {order} e escolhi o tamanho {size} no {item}, mas queria o {other_size}. \
         Ainda dá para trocar antes de enviarem? Agradeço desde já!",
    ),
    case(
        "pt",
        IssueKind::DefectiveItem,
        Need::Delivered,
        Item::Product("NW-SPK-BT"),
        Channel::Portal,
        Sentiment::Negative,
        WaitingOnCustomer,
        "Coluna Bluetooth não carrega",
        "A coluna Bluetooth da encomenda {order} deixou de carregar ao fim de duas semanas. A luz pisca a vermelho \
         e não liga; já experimentei outro cabo e outro carregador. Quero uma coluna nova ou o reembolso dos \
         {line_amount}.",
    )
    .country("PT"),
    case(
        "pt",
        IssueKind::ReturnRequest,
        Need::Delivered,
        Item::Product("NW-BOXER-3PK"),
        Channel::Email,
        Sentiment::Neutral,
        Open,
        "Devolução – boxers da encomenda {order}",
        "Bom dia,\n\nGostaria de devolver o pack de boxers de bambu da encomenda {order}. O tamanho {size} ficou \
         grande. A embalagem foi aberta mas não foram usados. Como faço a devolução?\n\nCumprimentos,\n{name}",
    )
    .country("PT")
    .reply(
        "Olá {first},\n\nAgradecemos o contacto. Por razões de higiene, roupa interior só pode ser devolvida com a \
         embalagem selada, e a do seu pack foi aberta. Como não foi usado, podemos abrir uma exceção e trocá-lo \
         por um tamanho abaixo, sem custos de envio. Quer que avancemos com a troca?\n\nAtenciosamente,\n\
         {agent}",
    ),
    case(
        "pt",
        IssueKind::RefundStatus,
        Need::Refunded,
        Item::Any,
        Channel::Email,
        Sentiment::Neutral,
        CaseStatus::New,
        "Reembolso da encomenda {order}",
        "Olá, devolvi a encomenda {order} e recebi o email a dizer que o reembolso de {amount} foi feito, mas ainda \
         não vi o dinheiro na conta. Quanto tempo demora normalmente? Agradeço a ajuda.",
    )
    .country("PT"),
    case(
        "pt",
        IssueKind::ExchangeRequest,
        Need::Delivered,
        Item::Product("NW-BOOT-CHL"),
        Channel::Social,
        Sentiment::Neutral,
        WaitingOnCustomer,
        "Troca de numeração – botas {order}",
        "Oi! As botas Chelsea do pedido {order} ficaram apertadas, comprei o {size}. Tem como trocar pelo \
         {other_size}? Ainda estão na caixa.",
    )
    .country("BR"),
    case(
        "pt",
        IssueKind::DamagedInTransit,
        Need::Delivered,
        Item::Product("NW-VASE-CER"),
        Channel::Email,
        Sentiment::Negative,
        Open,
        "Vaso chegou quebrado – pedido {order}",
        "Boa noite. O vaso de cerâmica do pedido {order} chegou quebrado em três pedaços, a caixa veio amassada e \
         sem nenhuma proteção por dentro. Paguei {line_amount}. Que decepção. Se não tiver solução vou registrar \
         no Reclame Aqui.",
    )
    .escalation(&[PublicReview])
    .country("BR")
    .attach(&["vaso_quebrado.jpg"]),
    case(
        "pt",
        IssueKind::OrderStatus,
        Need::Packed,
        Item::Any,
        Channel::Chat,
        Sentiment::Neutral,
        Resolved,
        "Quando é enviada a encomenda {order}?",
        "Olá, a encomenda {order} aparece como \"embalada\" mas ainda não foi enviada. Quando é que sai do \
         armazém? Vou estar fora a partir de sexta.",
    )
    .country("PT")
    .reply(
        "Olá {first},\n\nA encomenda {order} já está embalada e será recolhida pela {carrier} ainda hoje. O código \
         de rastreio {tracking} fica ativo assim que a transportadora a registar, e a entrega em Portugal \
         continental demora normalmente 1 a 2 dias úteis, por isso deverá recebê-la antes de sexta.\n\n\
         Atenciosamente,\n{agent}",
    ),
    case(
        "pt",
        IssueKind::PhishingReport,
        Need::NoOrder,
        Item::Any,
        Channel::Social,
        Sentiment::Neutral,
        CaseStatus::New,
        "Mensagem suspeita no WhatsApp",
        "Oi, recebi uma mensagem no WhatsApp de um número dizendo ser da Northwind Outfitters, falando que ganhei \
         um cupom de R$ 500 e pedindo meu CPF e os dados do cartão para \"validar\". Isso é de vocês? Achei muito \
         estranho.",
    )
    .country("BR")
    .attach(&["print_whatsapp.png"]),
    case(
        "pt",
        IssueKind::BillingInfoError,
        Need::Delivered,
        Item::Any,
        Channel::Email,
        Sentiment::Neutral,
        Open,
        "CPF errado na nota fiscal – pedido {order}",
        "Olá, a nota fiscal do pedido {order} saiu com o CPF errado (troquei dois números no checkout). O correto \
         é 123.456.789-09. Vocês conseguem emitir uma nota corrigida? Preciso dela para o reembolso da empresa.",
    )
    .country("BR"),
    // ----- Polish -----
    case(
        "pl",
        IssueKind::NotReceived,
        Need::Lost,
        Item::Any,
        Channel::Email,
        Sentiment::Negative,
        WaitingOnThirdParty,
        "Paczka {order} zaginęła?",
        "Dzień dobry,\n\nzamówienie {order} miało dotrzeć ponad tydzień temu. Przesyłka {tracking} ({carrier}) od \
         tygodnia stoi w miejscu, a dziś na infolinii powiedziano mi, że paczka zaginęła i mam się kontaktować z \
         nadawcą. Proszę o pilną informację, co dalej – wysyłka nowej paczki albo zwrot {amount}.\n\nPozdrawiam,\n\
         {name}",
    )
    .escalation(&[Urgent]),
    case(
        "pl",
        IssueKind::WrongCharge,
        Need::DoubleChargeRefunded,
        Item::Any,
        Channel::Email,
        Sentiment::Negative,
        Resolved,
        "Podwójna płatność BLIK – {order}",
        "Dzień dobry, piszę drugi raz w tej sprawie. Za zamówienie {order} BLIK pobrał ode mnie dwa razy {amount}, \
         w odstępie kilku minut. W załączniku wyciąg z banku. Proszę o zwrot drugiej płatności.",
    )
    .escalation(&[RepeatContact])
    .method("blik")
    .attach(&["wyciag_mbank.pdf"])
    .reply(
        "Dzień dobry,\n\nbardzo przepraszamy za podwójne obciążenie. Druga płatność BLIK za zamówienie {order} \
         ({amount}) została już zwrócona przez operatora płatności; środki wracają na konto zwykle w ciągu 1–3 dni \
         roboczych. Przepraszamy, że musieli Państwo pisać dwa razy.\n\nPozdrawiamy,\n{agent}",
    ),
    case(
        "pl",
        IssueKind::ChangeShippingAddress,
        Need::Packed,
        Item::Any,
        Channel::Chat,
        Sentiment::Neutral,
        Open,
        "Zmiana paczkomatu dla {order}",
        "Cześć, czy da się jeszcze zmienić paczkomat w zamówieniu {order}? Przez pomyłkę jest wybrany {locker}, a \
         powinien być {locker2}. Widzę, że paczka jest już spakowana.",
    )
    .carrier("inpost"),
    case(
        "pl",
        IssueKind::CancelOrder,
        Need::Packed,
        Item::Any,
        Channel::Email,
        Sentiment::Neutral,
        CaseStatus::New,
        "Anulowanie zamówienia {order}",
        "Dzień dobry, proszę o anulowanie zamówienia {order}, niestety nie jest już aktualne. Widzę w panelu, że \
         jest spakowane, ale jeszcze nie wysłane – czy da się je zatrzymać? Proszę o zwrot {amount} na konto.\n\n\
         Z góry dziękuję,\n{name}",
    ),
    case(
        "pl",
        IssueKind::DamagedInTransit,
        Need::Delivered,
        Item::Product("NW-BOTTLE-750"),
        Channel::Portal,
        Sentiment::Negative,
        WaitingOnCustomer,
        "Uszkodzona butelka w paczce {order}",
        "Butelka termiczna z zamówienia {order} przyszła mocno wgnieciona, a nakrętka jest pęknięta i przecieka. \
         Karton był rozerwany na rogu. Zdjęcia w załączniku. Proszę o wymianę na nową.",
    )
    .attach(&["butelka_1.jpg", "karton.jpg"]),
    case(
        "pl",
        IssueKind::ReturnRequest,
        Need::Delivered,
        Item::Product("NW-JKT-RAIN"),
        Channel::Portal,
        Sentiment::Neutral,
        Open,
        "Zwrot kurtki – {order}",
        "Dzień dobry, chcę zwrócić kurtkę przeciwdeszczową (rozmiar {size}, kolor {colour}) z zamówienia {order} w \
         ramach 14 dni na odstąpienie od umowy. Kurtka nie była noszona, metki są na miejscu. Proszę o etykietę \
         zwrotną i zwrot pieniędzy na konto.",
    ),
    case(
        "pl",
        IssueKind::NotAsDescribed,
        Need::Delivered,
        Item::Product("NW-SWT-MRN"),
        Channel::Email,
        Sentiment::Negative,
        Open,
        "Sweter nie jest z merynosa?",
        "Dzień dobry,\n\nsweter z zamówienia {order} miał być w 100% z wełny merino, a na metce jest 30% wełny i \
         70% akrylu. Do tego gryzie, a kolor {colour} jest zupełnie inny niż na zdjęciu. To wprowadzanie klientów \
         w błąd. Jeśli nie dostanę zwrotu pieniędzy, wystawię negatywną opinię na Ceneo i w Google.",
    )
    .escalation(&[PublicReview]),
    case(
        "pl",
        IssueKind::ReturnPolicyQuestion,
        Need::Delivered,
        Item::Product("NW-SHOE-CNV"),
        Channel::Email,
        Sentiment::Neutral,
        Closed,
        "Pytanie o zwrot butów",
        "Dzień dobry, mam pytanie: ile mam czasu na zwrot butów z zamówienia {order} i czy zwrot jest darmowy? \
         Czy mogę je odesłać przez paczkomat? Dziękuję.",
    ),
    case(
        "pl",
        IssueKind::MissingItem,
        Need::Delivered,
        Item::Several,
        Channel::Email,
        Sentiment::Negative,
        Open,
        "Brak produktu w paczce {order}",
        "Dzień dobry, w paczce z zamówieniem {order} brakuje produktu „{item}”. Reszta dotarła. Na liście \
         pakowej ten produkt jest, ale w kartonie go nie ma. Proszę o dosłanie brakującej rzeczy.",
    ),
    case(
        "pl",
        IssueKind::BillingInfoError,
        Need::Pending,
        Item::Any,
        Channel::Email,
        Sentiment::Neutral,
        WaitingOnCustomer,
        "Faktura VAT na firmę – {order}",
        "Dzień dobry, przy składaniu zamówienia {order} nie zaznaczyło się pole faktury na firmę. Proszę o \
         wystawienie faktury VAT na: Pracownia Mazur Sp. z o.o., NIP 5252248481, ul. Puławska 12, 02-566 \
         Warszawa. Dziękuję!",
    ),
    case(
        "pl",
        IssueKind::StoreUnavailable,
        Need::NoOrder,
        Item::Any,
        Channel::Chat,
        Sentiment::Negative,
        Open,
        "Nie działa płatność BLIK w sklepie",
        "Od rana próbuję zapłacić BLIK-iem i po wpisaniu kodu wyskakuje błąd \"Transakcja odrzucona\", a w \
         aplikacji banku nic się nie pojawia. Próby były trzy, z dwóch różnych banków. Czy sklep ma jakąś awarię?",
    ),
    case(
        "pl",
        IssueKind::WrongItemReceived,
        Need::Delivered,
        Item::Apparel,
        Channel::Email,
        Sentiment::Negative,
        CaseStatus::New,
        "Zły kolor w zamówieniu {order}",
        "Dzień dobry, w zamówieniu {order} zamówiony był produkt „{item}” w kolorze {colour}, rozmiar {size}, a w \
         paczce jest zupełnie inny kolor. Na metce też jest inny kod. Proszę o wymianę na właściwy kolor i odbiór \
         tego od kuriera na Państwa koszt.",
    ),
    // ----- Indonesian -----
    case(
        "id",
        IssueKind::OrderStatus,
        Need::InTransit,
        Item::Any,
        Channel::Chat,
        Sentiment::Neutral,
        CaseStatus::New,
        "Status pesanan {order}",
        "Halo kak, mau tanya pesanan saya {order} kok belum sampai ya? Resi {tracking} dari {carrier} statusnya \
         masih \"dalam perjalanan\" dari {days} hari lalu. Kemarin saya sudah chat tapi belum dibalas. Terima \
         kasih.",
    )
    .escalation(&[RepeatContact]),
    case(
        "id",
        IssueKind::NotReceived,
        Need::ReturnedToSender,
        Item::Any,
        Channel::Email,
        Sentiment::Negative,
        WaitingOnCustomer,
        "Paket {order} tidak pernah sampai",
        "Selamat siang,\n\nPesanan saya {order} tidak pernah sampai, tapi di tracking {carrier} ({tracking}) \
         tertulis paketnya dikembalikan ke pengirim. Kurir tidak pernah menghubungi saya dan alamat saya sudah \
         benar. Tolong dikirim ulang atau uangnya dikembalikan.\n\nSalam,\n{name}",
    )
    .reply(
        "Halo Kak {first},\n\nMohon maaf atas ketidaknyamanannya. Paket {order} ({carrier}, resi {tracking}) memang \
         sudah kembali ke gudang kami karena kurir mencatat alamat tidak ditemukan. Boleh dikonfirmasi alamat \
         lengkap beserta patokan dan nomor HP yang aktif? Setelah itu paketnya langsung kami kirim ulang tanpa \
         biaya.\n\nSalam,\n{agent}",
    ),
    case(
        "id",
        IssueKind::PaymentNotReflected,
        Need::Unpaid,
        Item::Any,
        Channel::Email,
        Sentiment::Negative,
        WaitingOnThirdParty,
        "Sudah transfer tapi status belum dibayar – {order}",
        "Halo, saya sudah transfer {amount} untuk pesanan {order} kemarin lewat virtual account BCA, tapi status \
         pesanan masih \"menunggu pembayaran\". Bukti transfer saya lampirkan. Mohon segera dicek ya, saya takut \
         pesanannya dibatalkan otomatis.",
    )
    .escalation(&[Urgent])
    .method("bank_transfer")
    .attach(&["bukti_transfer_bca.jpg"])
    .reply(
        "Halo Kak {first},\n\nTerima kasih, bukti transfernya sudah kami terima. Dana {amount} belum tercatat di \
         virtual account kami, jadi sudah kami teruskan ke penyedia pembayaran untuk dicek. Pesanan {order} tidak \
         akan dibatalkan selama pengecekan berlangsung; kami kabari paling lambat 1x24 jam.\n\nSalam,\n{agent}",
    ),
    case(
        "id",
        IssueKind::CancelOrder,
        Need::Pending,
        Item::Any,
        Channel::Social,
        Sentiment::Neutral,
        Open,
        "Batalkan pesanan {order}",
        "Kak, saya mau batalin pesanan {order} ya, salah pilih barang. Belum dikirim kan? Dananya tolong \
         dikembalikan ke rekening saya. Makasih kak 🙏",
    ),
    case(
        "id",
        IssueKind::DamagedInTransit,
        Need::Delivered,
        Item::Product("NW-VASE-CER"),
        Channel::Social,
        Sentiment::Negative,
        CaseStatus::New,
        "Vas pecah – pesanan {order}",
        "Vas keramik dari pesanan {order} datang dalam keadaan pecah!! Kardusnya penyok dan cuma dibungkus \
         plastik tipis. Harganya {line_amount} lho. Kalau tidak ada solusi saya kasih review bintang 1.",
    )
    .escalation(&[PublicReview])
    .attach(&["vas_pecah.jpg"]),
    case(
        "id",
        IssueKind::ExchangeRequest,
        Need::Delivered,
        Item::Apparel,
        Channel::Chat,
        Sentiment::Positive,
        WaitingOnCustomer,
        "Tukar ukuran {order}",
        "Halo, bajunya bagus banget 😊 tapi ukuran {size} agak kekecilan. Boleh tukar ke ukuran {other_size} untuk \
         {item} dari pesanan {order}? Warnanya tetap {colour}.",
    ),
    case(
        "id",
        IssueKind::DefectiveItem,
        Need::Delivered,
        Item::Product("NW-WATCH-FIT"),
        Channel::Email,
        Sentiment::Negative,
        Open,
        "Jam fitness rusak – {order}",
        "Selamat pagi, jam fitness dari pesanan {order} tidak bisa dinyalakan sejak hari ketiga. Sudah dicas \
         semalaman tapi layarnya tetap mati. Mohon segera diganti, saya butuh untuk lomba lari minggu depan.",
    )
    .escalation(&[Urgent]),
    case(
        "id",
        IssueKind::RefundStatus,
        Need::PartiallyRefunded,
        Item::Any,
        Channel::Email,
        Sentiment::Neutral,
        WaitingOnThirdParty,
        "Pengembalian dana sebagian {order}",
        "Halo, saya dapat email bahwa sebagian dana untuk pesanan {order} sudah dikembalikan, tapi sampai sekarang \
         belum masuk ke rekening saya. Berapa lama biasanya prosesnya? Terima kasih.",
    ),
    case(
        "id",
        IssueKind::ChangeOrderItems,
        Need::Pending,
        Item::Apparel,
        Channel::Chat,
        Sentiment::Neutral,
        CaseStatus::New,
        "Ganti warna pesanan {order}",
        "Halo kak, pesanan {order} belum dikirim kan? Saya mau ganti warna {item} dari {colour} ke warna lain, \
         ukurannya tetap {size}. Bisa?",
    ),
    case(
        "id",
        IssueKind::ReturnPolicyQuestion,
        Need::Delivered,
        Item::Any,
        Channel::Portal,
        Sentiment::Neutral,
        WaitingOnCustomer,
        "Kebijakan pengembalian",
        "Halo, kalau mau retur {item} dari pesanan {order}, ongkos kirim baliknya siapa yang tanggung? Dan berapa \
         lama batas waktunya? Terima kasih.",
    ),
    case(
        "id",
        IssueKind::Other,
        Need::Delivered,
        Item::Any,
        Channel::Social,
        Sentiment::Positive,
        Closed,
        "Terima kasih!",
        "Paket pesanan {order} sudah sampai, cepat banget dan rapi. {item} bagus sekali, terima kasih Northwind! 👍",
    ),
];

// ---------------------------------------------------------------------------------------------
// What agents and customers write after the first message
// ---------------------------------------------------------------------------------------------

/// Kinds that get the same kind of answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Family {
    /// Something arrived broken, faulty or wrong: ask for photos.
    Photos,
    /// Where is the parcel: trace it with the carrier.
    Trace,
    /// Change or cancel before shipping.
    Amend,
    /// Correct the invoice.
    Invoice,
    /// Return, exchange, policy questions.
    Returns,
    /// Part of the parcel missing: check with the warehouse.
    Warehouse,
    /// Charges and refunds.
    Money,
    /// A phishing report.
    Security,
    /// The shop was down.
    Outage,
    /// Thanks and anything else.
    General,
}

impl Family {
    fn of(kind: IssueKind) -> Family {
        use IssueKind::*;
        match kind {
            DamagedInTransit | DefectiveItem | NotAsDescribed | WrongItemReceived => Family::Photos,
            NotReceived | OrderStatus => Family::Trace,
            CancelOrder | ChangeShippingAddress | ChangeOrderItems => Family::Amend,
            BillingInfoError => Family::Invoice,
            ReturnRequest | ExchangeRequest | ReturnPolicyQuestion => Family::Returns,
            MissingItem => Family::Warehouse,
            RefundStatus | WrongCharge | PaymentNotReflected => Family::Money,
            PhishingReport => Family::Security,
            StoreUnavailable => Family::Outage,
            Other => Family::General,
        }
    }

    /// True when the agent's reply asks the customer for something.
    fn asks_customer(self) -> bool {
        matches!(self, Family::Photos | Family::Amend | Family::Invoice | Family::Returns)
    }
}

/// The agent's reply, in the customer's language.
fn agent_reply(family: Family, language: &str) -> &'static str {
    use Family::*;
    match (family, language) {
        (Photos, "es") => {
            "Hola, {first}:\n\nSentimos muchísimo lo ocurrido con el pedido {order}. Para solucionarlo cuanto antes, \
             ¿podrías enviarnos dos o tres fotos del artículo, de su etiqueta y de la caja en la que llegó? En cuanto \
             las tengamos te enviamos uno nuevo o te devolvemos el importe, lo que prefieras, sin ningún coste de \
             devolución para ti.\n\nUn saludo,\n{agent}\nNorthwind Outfitters"
        }
        (Photos, "pt") => {
            "Olá {first},\n\nLamentamos muito o que aconteceu com o pedido {order}. Para resolvermos rapidamente, \
             poderia enviar duas ou três fotos do artigo, da etiqueta e da caixa em que chegou? Assim que as \
             recebermos, enviamos um novo ou fazemos o reembolso, como preferir, sem qualquer custo de devolução.\n\n\
             Atenciosamente,\n{agent}\nNorthwind Outfitters"
        }
        (Photos, "pl") => {
            "Dzień dobry,\n\nbardzo przepraszamy – zamówienie {order} nie powinno tak do Państwa dotrzeć. Żeby szybko \
             to załatwić, prosimy o dwa–trzy zdjęcia: produktu, jego metki i kartonu, w którym przyszedł. Gdy je \
             dostaniemy, wyślemy nowy egzemplarz albo zwrócimy pieniądze – jak Państwo wolą – bez żadnych kosztów \
             odesłania.\n\nPozdrawiamy,\n{agent}\nNorthwind Outfitters"
        }
        (Photos, "id") => {
            "Halo Kak {first},\n\nMohon maaf atas kejadian pada pesanan {order}. Supaya bisa segera kami bantu, boleh \
             kirimkan dua atau tiga foto: barangnya, labelnya, dan kardus pengirimannya? Setelah fotonya kami terima, \
             kami kirim pengganti atau kembalikan dananya, sesuai pilihan Kakak, tanpa biaya retur.\n\nSalam,\n\
             {agent}\nNorthwind Outfitters"
        }
        (Photos, _) => {
            "Hi {first},\n\nI'm so sorry, that is not how order {order} should have reached you. To sort it out \
             quickly, could you reply with two or three photos: the item, the label on it, and the box it came in? \
             As soon as I have them I'll send a replacement or refund you, whichever you prefer, and you won't pay \
             anything for a return.\n\nBest wishes,\n{agent}\nNorthwind Outfitters"
        }
        (Trace, "es") => {
            "Hola, {first}:\n\nGracias por tu paciencia. He revisado el pedido {order}: el paquete está con {carrier} \
             con el número de seguimiento {tracking}. Ya les hemos pedido una investigación completa y te daremos \
             noticias en un máximo de dos días laborables. Si el paquete no aparece, te enviamos otro o te devolvemos \
             el importe íntegro, como prefieras.\n\nUn saludo,\n{agent}"
        }
        (Trace, "pt") => {
            "Olá {first},\n\nAgradecemos a paciência. Verificámos o pedido {order}: a encomenda está com a {carrier}, \
             com o código de rastreio {tracking}. Já abrimos um pedido de investigação e daremos notícias em até dois \
             dias úteis. Se a encomenda não aparecer, enviamos outra ou devolvemos o valor total, como preferir.\n\n\
             Atenciosamente,\n{agent}"
        }
        (Trace, "pl") => {
            "Dzień dobry,\n\ndziękujemy za cierpliwość. Sprawdziliśmy zamówienie {order}: przesyłka {tracking} jest \
             u przewoźnika {carrier}. Zleciliśmy jej poszukiwanie i odezwiemy się w ciągu dwóch dni roboczych. Jeśli \
             paczka się nie odnajdzie, wyślemy nową albo zwrócimy całą kwotę – do wyboru.\n\nPozdrawiamy,\n{agent}"
        }
        (Trace, "id") => {
            "Halo Kak {first},\n\nTerima kasih sudah menunggu. Pesanan {order} saat ini ada di {carrier} dengan nomor \
             resi {tracking}. Kami sudah minta pelacakan lengkap ke pihak kurir dan akan mengabari Kakak dalam dua \
             hari kerja. Kalau paketnya tidak ditemukan, kami kirim ulang atau kembalikan dana penuh, sesuai pilihan \
             Kakak.\n\nSalam,\n{agent}"
        }
        (Trace, _) => {
            "Hi {first},\n\nThanks for bearing with us. I've checked order {order}: the parcel is with {carrier} \
             under tracking number {tracking}. I've asked {carrier} for a full trace and will update you within two \
             working days. If the parcel can't be found, we'll send a replacement or refund you in full, your \
             choice.\n\nBest,\n{agent}"
        }
        (Amend, "es") => {
            "Hola, {first}:\n\nBuenas noticias: el pedido {order} todavía no ha salido del almacén, así que aún \
             podemos modificarlo. Lo he dejado en espera. ¿Nos confirmas exactamente el cambio que quieres y lo \
             actualizamos enseguida?\n\nUn saludo,\n{agent}"
        }
        (Amend, "pt") => {
            "Olá {first},\n\nBoa notícia: o pedido {order} ainda não saiu do nosso armazém, por isso ainda conseguimos \
             alterá-lo. Já o colocámos em espera. Pode confirmar exatamente a alteração que deseja? Atualizamos o \
             pedido logo a seguir.\n\nAtenciosamente,\n{agent}"
        }
        (Amend, "pl") => {
            "Dzień dobry,\n\ndobra wiadomość: zamówienie {order} jeszcze nie opuściło magazynu, więc możemy je \
             zmienić. Wstrzymaliśmy wysyłkę. Prosimy o potwierdzenie, jaką dokładnie zmianę wprowadzić – \
             zaktualizujemy zamówienie od razu.\n\nPozdrawiamy,\n{agent}"
        }
        (Amend, "id") => {
            "Halo Kak {first},\n\nKabar baik: pesanan {order} belum keluar dari gudang kami, jadi masih bisa diubah. \
             Pesanannya sudah kami tahan dulu. Boleh dikonfirmasi perubahan yang Kakak inginkan? Setelah itu langsung \
             kami perbarui.\n\nSalam,\n{agent}"
        }
        (Amend, _) => {
            "Hi {first},\n\nGood news: order {order} hasn't left our warehouse yet, so we can still change it. I've \
             put it on hold for now. Could you reply to confirm exactly what you'd like us to do, and I'll update the \
             order straight away?\n\nThanks,\n{agent}"
        }
        (Invoice, "es") => {
            "Hola, {first}:\n\nGracias por los datos. He pedido a administración que emita una factura rectificativa \
             del pedido {order}. ¿Nos confirmas la razón social, la dirección y el NIF/CIF tal y como deben aparecer? \
             Recibirás la nueva factura por email en dos días laborables.\n\nUn saludo,\n{agent}"
        }
        (Invoice, "pt") => {
            "Olá {first},\n\nAgradecemos os dados. Pedimos à equipa financeira a emissão de um documento fiscal \
             corrigido para o pedido {order}. Pode confirmar o nome, a morada e o número fiscal exatamente como devem \
             aparecer? O novo documento segue por email em até dois dias úteis.\n\nAtenciosamente,\n{agent}"
        }
        (Invoice, "pl") => {
            "Dzień dobry,\n\ndziękujemy za dane. Poprosiliśmy księgowość o wystawienie faktury do zamówienia {order}. \
             Prosimy jeszcze o potwierdzenie nazwy firmy, adresu i NIP-u dokładnie w takiej formie, w jakiej mają \
             się znaleźć na fakturze. Faktura przyjdzie mailem w ciągu dwóch dni roboczych.\n\nPozdrawiamy,\n{agent}"
        }
        (Invoice, "id") => {
            "Halo Kak {first},\n\nTerima kasih atas datanya. Kami sudah minta tim keuangan menerbitkan invoice baru \
             untuk pesanan {order}. Mohon konfirmasi nama, alamat, dan NPWP persis seperti yang harus tercantum. \
             Invoice baru akan dikirim lewat email dalam dua hari kerja.\n\nSalam,\n{agent}"
        }
        (Invoice, _) => {
            "Hi {first},\n\nThanks for the details. I've asked our accounts team to issue a corrected invoice for \
             order {order}. Could you confirm the name, address and tax number exactly as they should appear? The new \
             invoice will reach you by email within two working days.\n\nBest,\n{agent}"
        }
        (Returns, "es") => {
            "Hola, {first}:\n\n¡Claro! Tienes 30 días desde la entrega para devolver o cambiar artículos sin usar y \
             con sus etiquetas. He preparado la devolución del pedido {order}: en breve recibirás por email una \
             etiqueta prepagada. Si es un cambio, enviamos la nueva talla en cuanto el transportista escanee tu \
             paquete. Los artículos de venta final y los de higiene abiertos (ropa interior, baño) solo se pueden \
             devolver si son defectuosos.\n\nUn saludo,\n{agent}"
        }
        (Returns, "pt") => {
            "Olá {first},\n\nClaro! Tem 30 dias a contar da entrega para devolver ou trocar artigos sem uso e com \
             etiqueta. Já preparámos a devolução do pedido {order}: vai receber por email uma etiqueta pré-paga. Numa \
             troca, o novo tamanho é enviado assim que a transportadora registar a sua encomenda. Artigos de venda \
             final e artigos de higiene abertos (roupa interior, banho) só podem ser devolvidos se tiverem defeito.\n\n\
             Atenciosamente,\n{agent}"
        }
        (Returns, "pl") => {
            "Dzień dobry,\n\noczywiście. Na zwrot lub wymianę nienoszonych produktów z metkami jest 30 dni od \
             doręczenia. Przygotowaliśmy zwrot dla zamówienia {order} – etykieta zwrotna przyjdzie wkrótce mailem, \
             paczkę można nadać także w paczkomacie. Przy wymianie nowy rozmiar wysyłamy, gdy tylko przewoźnik \
             zeskanuje Państwa paczkę. Produkty z wyprzedaży końcowej oraz otwarte produkty higieniczne (bielizna, \
             stroje kąpielowe) można zwrócić tylko w razie wady.\n\nPozdrawiamy,\n{agent}"
        }
        (Returns, "id") => {
            "Halo Kak {first},\n\nTentu bisa. Barang yang belum dipakai dan labelnya masih terpasang bisa diretur \
             atau ditukar dalam 30 hari sejak diterima. Retur untuk pesanan {order} sudah kami siapkan: label \
             pengiriman prabayar akan dikirim lewat email. Untuk penukaran, ukuran baru kami kirim begitu paket \
             Kakak dipindai kurir. Barang final sale dan produk higienis yang sudah dibuka (pakaian dalam, pakaian \
             renang) hanya bisa diretur jika cacat.\n\nSalam,\n{agent}"
        }
        (Returns, _) => {
            "Hi {first},\n\nOf course. You have 30 days from delivery to return or exchange unworn items with their \
             tags. I've set up the return for order {order}: a prepaid label will reach you by email shortly. For an \
             exchange, the new size ships as soon as the carrier scans your parcel. Final-sale items and opened \
             hygiene items (underwear, swimwear) can only be returned if faulty.\n\nBest,\n{agent}"
        }
        (Warehouse, "es") => {
            "Hola, {first}:\n\nSentimos que falte un artículo en el pedido {order}. Hemos pedido al almacén que revise \
             el registro de embalaje y el peso del paquete. En cuanto lo confirmen, te enviamos el artículo que falta \
             por envío urgente sin coste y te pasamos el nuevo número de seguimiento.\n\nUn saludo,\n{agent}"
        }
        (Warehouse, "pt") => {
            "Olá {first},\n\nLamentamos que falte um artigo no pedido {order}. Pedimos ao armazém que verifique o \
             registo de embalagem e o peso da encomenda. Assim que confirmarem, enviamos o artigo em falta por envio \
             expresso, sem custos, e partilhamos o novo código de rastreio.\n\nAtenciosamente,\n{agent}"
        }
        (Warehouse, "pl") => {
            "Dzień dobry,\n\nprzepraszamy za brakujący produkt w zamówieniu {order}. Poprosiliśmy magazyn o \
             sprawdzenie zapisu z pakowania i wagi paczki. Gdy tylko to potwierdzą, wyślemy brakujący produkt \
             ekspresowo, bez żadnych kosztów, i prześlemy nowy numer przesyłki.\n\nPozdrawiamy,\n{agent}"
        }
        (Warehouse, "id") => {
            "Halo Kak {first},\n\nMohon maaf ada barang yang kurang di pesanan {order}. Kami sudah minta tim gudang \
             mengecek catatan pengemasan dan berat paketnya. Setelah dikonfirmasi, barang yang kurang akan kami kirim \
             dengan layanan ekspres tanpa biaya, dan nomor resi barunya kami kabari.\n\nSalam,\n{agent}"
        }
        (Warehouse, _) => {
            "Hi {first},\n\nI'm sorry part of order {order} didn't arrive. I've asked our warehouse to check the \
             packing record and the weight of your parcel. As soon as they confirm, we'll send the missing item by \
             express at no cost to you, and I'll email you the new tracking number.\n\nBest,\n{agent}"
        }
        (Money, "es") => {
            "Hola, {first}:\n\nGracias por avisarnos y perdona las molestias. He revisado los pagos del pedido {order} \
             con nuestra pasarela de pago y hemos abierto una incidencia con ellos. Una vez emitido un reembolso, \
             suele tardar entre 5 y 10 días laborables en aparecer en tu cuenta; te enviaré la referencia en cuanto \
             la tenga.\n\nUn saludo,\n{agent}"
        }
        (Money, "pt") => {
            "Olá {first},\n\nAgradecemos o aviso e pedimos desculpa pelo transtorno. Verificámos os pagamentos do \
             pedido {order} junto do nosso processador de pagamentos e abrimos um pedido de análise. Depois de \
             emitido, um reembolso costuma levar 5 a 10 dias úteis a aparecer na conta; enviamos a referência assim \
             que a tivermos.\n\nAtenciosamente,\n{agent}"
        }
        (Money, "pl") => {
            "Dzień dobry,\n\ndziękujemy za zgłoszenie i przepraszamy za kłopot. Sprawdziliśmy płatności do zamówienia \
             {order} u operatora płatności i otworzyliśmy u nich zgłoszenie. Zlecony zwrot pojawia się na koncie \
             zwykle w ciągu 5–10 dni roboczych; prześlemy numer referencyjny, gdy tylko go otrzymamy.\n\n\
             Pozdrawiamy,\n{agent}"
        }
        (Money, "id") => {
            "Halo Kak {first},\n\nTerima kasih sudah menginformasikan, mohon maaf atas ketidaknyamanannya. Pembayaran \
             pesanan {order} sudah kami cek ke penyedia pembayaran dan laporannya sudah kami teruskan. Setelah \
             diproses, dana biasanya masuk dalam 5–10 hari kerja; nomor referensinya akan kami kirim begitu \
             tersedia.\n\nSalam,\n{agent}"
        }
        (Money, _) => {
            "Hi {first},\n\nThanks for flagging this, and sorry for the worry. I've checked the payments on order \
             {order} with our payment provider and opened a ticket with them. Once a refund is issued it usually \
             takes 5–10 working days to show on your statement; I'll send you the reference as soon as I have it.\n\n\
             Kind regards,\n{agent}"
        }
        (Security, "es") => {
            "Hola, {first}:\n\nMuchas gracias por avisarnos, e hiciste bien en no pulsar el enlace. Ese mensaje no es \
             nuestro: nunca pedimos pagos, datos de tarjeta ni documentos por SMS o mensajería, y nuestros emails \
             solo llegan desde @northwind-outfitters.com. Ya hemos denunciado la web.\n\nUn saludo,\n{agent}"
        }
        (Security, "pt") => {
            "Olá {first},\n\nAgradecemos muito o aviso. Essa mensagem não é nossa: nunca pedimos pagamentos, dados do \
             cartão ou documentos por SMS ou WhatsApp, e os nossos emails vêm apenas de @northwind-outfitters.com. Já \
             denunciámos o número e o site.\n\nAtenciosamente,\n{agent}"
        }
        (Security, "pl") => {
            "Dzień dobry,\n\ndziękujemy za czujność. Ta wiadomość nie pochodzi od nas: nigdy nie prosimy o dopłaty, \
             dane karty ani dokumenty przez SMS czy komunikatory, a nasze maile przychodzą wyłącznie z domeny \
             @northwind-outfitters.com. Zgłosiliśmy tę stronę.\n\nPozdrawiamy,\n{agent}"
        }
        (Security, "id") => {
            "Halo Kak {first},\n\nTerima kasih sudah memberi tahu kami. Pesan itu bukan dari kami: kami tidak pernah \
             meminta pembayaran, data kartu, atau dokumen lewat SMS atau WhatsApp, dan email kami hanya dari \
             @northwind-outfitters.com. Nomor dan situs tersebut sudah kami laporkan.\n\nSalam,\n{agent}"
        }
        (Security, _) => {
            "Hi {first},\n\nThank you for letting us know, and well done for not clicking. That message is not from \
             us: we never ask for fees, card details or ID numbers by text or messaging app, and our emails only come \
             from @northwind-outfitters.com. We've reported the site. If you did enter any card details, please \
             contact your bank.\n\nBest,\n{agent}"
        }
        (Outage, "es") => {
            "Hola, {first}:\n\nPerdona las molestias. Nuestra pasarela de pago tuvo una incidencia esta mañana; ya \
             está resuelta y el pago funciona de nuevo. Los intentos fallidos no se han cobrado.\n\nUn saludo,\n\
             {agent}"
        }
        (Outage, "pt") => {
            "Olá {first},\n\nPedimos desculpa pelo incómodo. O nosso sistema de pagamentos teve uma falha esta manhã; \
             já está resolvida e o checkout voltou a funcionar. As tentativas falhadas não foram cobradas.\n\n\
             Atenciosamente,\n{agent}"
        }
        (Outage, "pl") => {
            "Dzień dobry,\n\nprzepraszamy za kłopot. Dziś rano bramka płatności miała awarię, która jest już \
             usunięta – płatności BLIK znowu działają. Nieudane próby nie zostały pobrane z konta.\n\nPozdrawiamy,\n\
             {agent}"
        }
        (Outage, "id") => {
            "Halo Kak {first},\n\nMohon maaf atas kendalanya. Sistem pembayaran kami sempat gangguan tadi pagi dan \
             sekarang sudah normal kembali. Percobaan yang gagal tidak ditagihkan.\n\nSalam,\n{agent}"
        }
        (Outage, _) => {
            "Hi {first},\n\nSorry about that, and thanks for telling us. Our payment page had an outage this morning; \
             it has been fixed and checkout is working again. You were not charged for the failed attempts. If \
             anything still goes wrong, reply here and I'll place the order for you.\n\nBest,\n{agent}"
        }
        (General, "es") => {
            "Hola, {first}:\n\n¡Muchas gracias por tu mensaje! Se lo he pasado a todo el equipo. Si necesitas \
             cualquier cosa, aquí estamos.\n\nUn saludo,\n{agent}"
        }
        (General, "pt") => {
            "Olá {first},\n\nMuito obrigada pela mensagem! Já a partilhámos com toda a equipa. Se precisar de alguma \
             coisa, estamos por aqui.\n\nAtenciosamente,\n{agent}"
        }
        (General, "pl") => {
            "Dzień dobry,\n\nserdecznie dziękujemy za wiadomość! Przekazaliśmy ją całemu zespołowi. W razie \
             jakichkolwiek pytań jesteśmy do dyspozycji.\n\nPozdrawiamy,\n{agent}"
        }
        (General, "id") => {
            "Halo Kak {first},\n\nTerima kasih banyak atas pesannya! Sudah kami sampaikan ke seluruh tim. Kalau ada \
             yang bisa kami bantu, kabari saja ya.\n\nSalam,\n{agent}"
        }
        (General, _) => {
            "Hi {first},\n\nThank you so much for your message, it made our day! I've passed it on to the whole \
             team. If there's ever anything we can help with, just reply here.\n\nBest wishes,\n{agent}"
        }
    }
}

/// What the customer writes back after the agent's reply.
fn customer_answer(family: Family, language: &str) -> &'static str {
    match (family, language) {
        (Family::Photos, "es") => {
            "Hola {agent}, te adjunto las fotos del artículo, la etiqueta y la caja. Gracias por la rapidez."
        }
        (Family::Photos, "pt") => {
            "Olá {agent}, seguem em anexo as fotos do artigo, da etiqueta e da caixa. Agradeço a rapidez."
        }
        (Family::Photos, "pl") => {
            "Dzień dobry, w załączniku zdjęcia produktu, metki i kartonu. Dziękuję za szybką odpowiedź."
        }
        (Family::Photos, "id") => {
            "Halo kak {agent}, fotonya saya lampirkan ya: barang, label, dan kardusnya. Makasih responsnya cepat."
        }
        (Family::Photos, _) => {
            "Hi {agent}, photos attached: the item, the label and the box. Thanks for the quick reply."
        }
        (Family::Returns, "es") => "¡Perfecto, sí, adelante! Muchas gracias.",
        (Family::Returns, "pt") => "Perfeito, sim, pode avançar. Agradeço!",
        (Family::Returns, "pl") => "Tak, poproszę. Dziękuję za pomoc!",
        (Family::Returns, "id") => "Oke kak, boleh diproses ya. Terima kasih banyak!",
        (Family::Returns, _) => "Great, yes please go ahead. Thanks for your help!",
        (Family::Amend | Family::Invoice, "es") => {
            "Sí, por favor, adelante tal y como lo puse en mi primer mensaje. ¡Gracias!"
        }
        (Family::Amend | Family::Invoice, "pt") => {
            "Sim, pode avançar como indiquei na primeira mensagem, por favor. Agradeço!"
        }
        (Family::Amend | Family::Invoice, "pl") => {
            "Tak, proszę postąpić zgodnie z moją pierwszą wiadomością. Dziękuję!"
        }
        (Family::Amend | Family::Invoice, "id") => {
            "Iya kak, tolong diproses sesuai pesan saya sebelumnya ya. Terima kasih!"
        }
        (Family::Amend | Family::Invoice, _) => "Yes, please go ahead as described in my first message. Thanks!",
        (_, "es") => "Gracias. Avisadme en cuanto sepáis algo, por favor; ya ha pasado bastante tiempo.",
        (_, "pt") => "Certo. Aguardo notícias, por favor não deixem isto cair no esquecimento.",
        (_, "pl") => "Dziękuję. Proszę o informację, jak tylko coś będzie wiadomo – czekam już dość długo.",
        (_, "id") => "Baik kak, ditunggu kabarnya ya. Sudah cukup lama soalnya.",
        (_, _) => "Thanks. Please keep me posted, it's been a while already.",
    }
}

/// The internal note an agent leaves, in English, the team's working language.
fn internal_note(family: Family) -> &'static str {
    match family {
        Family::Photos => {
            "Asked for photos of item, label and box. If confirmed: replace {sku} or refund, and log a \
             quality/packaging issue against the SKU."
        }
        Family::Trace => "Opened a trace with {carrier} for {tracking} (their ref {trace_ref}). Chase again in 48 h.",
        Family::Amend => "Asked the warehouse to hold order {order} before carrier pick-up.",
        Family::Invoice => "Forwarded to accounts: corrected invoice for order {order}.",
        Family::Returns => "Return check for {sku}: category {category}, placed {days} days ago.",
        Family::Warehouse => {
            "Asked the warehouse to check pack weight and packing camera for order {order}, missing {sku}."
        }
        Family::Money => "Provider check for order {order}: {payments}. Forwarded to finance.",
        Family::Security => "Reported the phishing domain/number; added it to the scam-warning FAQ.",
        Family::Outage => {
            "Payment gateway returned errors for about 50 minutes this morning (status page incident). Fixed; no \
             charges went through."
        }
        Family::General => "No action needed; tagged as feedback.",
    }
}

// ---------------------------------------------------------------------------------------------
// Generation
// ---------------------------------------------------------------------------------------------

/// How many orders the shop has taken.
const ORDER_COUNT: usize = 232;
/// How far back the first order goes.
const HISTORY_DAYS: i64 = 60;

/// A customer with what the generators need to know about them.
struct Buyer {
    customer: Customer,
    market: &'static Market,
    first_name: String,
    address: Address,
}

/// How a parcel's journey ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fate {
    Delivered,
    Lost,
    Returned,
}

/// What happened to the money.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pay {
    Captured,
    AuthorizedOnly,
    Unpaid,
    DoubleCharge { duplicate_refunded: bool },
    Refunded,
    PartiallyRefunded,
}

/// One line of a planned order: indexes into the catalogue.
#[derive(Clone, Copy, Debug)]
struct PlannedLine {
    product: usize,
    colour: Option<usize>,
    size: Option<usize>,
    quantity: u32,
}

/// An order before it is numbered and turned into domain values.
struct Plan {
    buyer: usize,
    placed_at: OffsetDateTime,
    lines: Vec<PlannedLine>,
    /// The line a case about this order talks about.
    focus: usize,
    /// Where the parcel stops, whatever the time says.
    hold: Option<ShipmentStatus>,
    fate: Fate,
    pay: Pay,
    method: &'static str,
    carrier: &'static str,
    /// The row of [`CASES`] about this order.
    spec: Option<usize>,
}

type Vars = Vec<(&'static str, String)>;

fn build(seed: u64, now: OffsetDateTime) -> anyhow::Result<SampleShop> {
    let now = whole_seconds(now);
    let mut rng = StdRng::seed_from_u64(seed);
    let created_at = now - Duration::days(400);
    let store = Store {
        id: StoreId::from_uuid(uuid_at(&mut rng, created_at)),
        slug: StoreSlug::parse("northwind")?,
        name: "Northwind Outfitters".to_owned(),
        default_currency: Currency::from_code("EUR")?,
        default_language: LanguageTag::parse("en")?,
        created_at,
    };
    let buyers = make_buyers(&mut rng, store.id, now)?;
    let mut plans = make_plans(&mut rng, &buyers, now);

    let mut used_buyers = HashSet::new();
    let mut without_order = Vec::new();
    for (index, spec) in CASES.iter().enumerate() {
        if spec.need == Need::NoOrder {
            let buyer = pick_buyer(&mut rng, &buyers, spec, &used_buyers)
                .ok_or_else(|| anyhow!("no customer for case {index}"))?;
            used_buyers.insert(buyer);
            without_order.push((index, buyer));
        } else {
            let plan = pick_plan(&mut rng, &plans, &buyers, spec, &used_buyers)
                .ok_or_else(|| anyhow!("no order for case {index}"))?;
            used_buyers.insert(plans[plan].buyer);
            shape_plan(&mut rng, &mut plans[plan], index, now);
        }
    }

    plans.sort_by_key(|plan| plan.placed_at);
    let first_number = rng.random_range(10_100..10_900);
    let mut orders = Vec::with_capacity(plans.len());
    for (n, plan) in plans.iter().enumerate() {
        let number = format!("NW-{}", first_number + n);
        let order = make_order(&mut rng, plan, &buyers[plan.buyer], store.id, number, now)
            .with_context(|| format!("order {n}"))?;
        orders.push(order);
    }

    let mut cases = Vec::with_capacity(CASES.len());
    for (plan, order) in plans.iter().zip(&orders) {
        if let Some(index) = plan.spec {
            let about = Some((order, plan.focus));
            cases.push(make_case(&mut rng, &CASES[index], about, &buyers[plan.buyer], store.id, now)?);
        }
    }
    for (index, buyer) in without_order {
        cases.push(make_case(&mut rng, &CASES[index], None, &buyers[buyer], store.id, now)?);
    }
    cases.sort_by_key(|case| case.opened_at);

    Ok(SampleShop { store, customers: buyers.into_iter().map(|buyer| buyer.customer).collect(), orders, cases })
}

// ----- customers -----

fn make_buyers(rng: &mut StdRng, store_id: StoreId, now: OffsetDateTime) -> anyhow::Result<Vec<Buyer>> {
    let mut taken = HashSet::new();
    let mut buyers = Vec::new();
    for market in MARKETS {
        for _ in 0..market.customers {
            let first = pick(rng, market.first_names);
            let last = surname(rng, market, first);
            let name = format!("{first} {last}");
            let email = unique_email(rng, market, first, &last, &mut taken);
            let address = make_address(rng, market, &name);
            let joined = now - Duration::days(rng.random_range(HISTORY_DAYS + 1..400));
            let customer = Customer {
                id: CustomerId::from_uuid(uuid_at(rng, joined)),
                store_id,
                email: EmailAddress::parse(&email)?,
                name,
                language: Some(LanguageTag::parse(market.language)?),
            };
            buyers.push(Buyer { customer, market, first_name: first.to_owned(), address });
        }
    }
    Ok(buyers)
}

/// A surname (two in Spanish-speaking countries), in the female form where the language has one.
fn surname(rng: &mut StdRng, market: &Market, first: &str) -> String {
    let female = first.ends_with('a');
    let one = |rng: &mut StdRng| {
        let name = pick(rng, market.last_names);
        match name.split_once('/') {
            Some((male_form, female_form)) => {
                if female {
                    female_form
                } else {
                    male_form
                }
            }
            None => name,
        }
    };
    let first_surname = one(rng);
    if market.two_surnames {
        let mut second = one(rng);
        while second == first_surname {
            second = one(rng);
        }
        format!("{first_surname} {second}")
    } else {
        first_surname.to_owned()
    }
}

/// `lucia.garcia@hotmail.es` and the like, unique in the store.
fn unique_email(rng: &mut StdRng, market: &Market, first: &str, last: &str, taken: &mut HashSet<String>) -> String {
    let f = ascii_fold(first);
    let l = ascii_fold(last.split(' ').next().unwrap_or(last));
    let initial: String = f.chars().take(1).collect();
    let mut local = match rng.random_range(0..4) {
        0 => format!("{f}.{l}"),
        1 => format!("{f}{l}{}", rng.random_range(1..99)),
        2 => format!("{initial}{l}"),
        _ => format!("{f}_{l}{}", rng.random_range(70..=99)),
    };
    let domain = pick(rng, market.email_domains);
    while taken.contains(&format!("{local}@{domain}")) {
        local.push(char::from(b'0' + rng.random_range(0..10u8)));
    }
    let email = format!("{local}@{domain}");
    taken.insert(email.clone());
    email
}

/// Lower-case ASCII letters and digits of a name: `Łódź` becomes `lodz`.
fn ascii_fold(text: &str) -> String {
    text.to_lowercase()
        .chars()
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ã' | 'ą' => 'a',
            'é' | 'ê' | 'ę' => 'e',
            'í' => 'i',
            'ó' | 'ô' | 'õ' => 'o',
            'ú' | 'ü' => 'u',
            'ç' | 'ć' => 'c',
            'ñ' | 'ń' => 'n',
            'ł' => 'l',
            'ś' => 's',
            'ź' | 'ż' => 'z',
            other => other,
        })
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

fn make_address(rng: &mut StdRng, market: &Market, name: &str) -> Address {
    let (city, postal_code, region, district) = pick(rng, market.places);
    let street = pick(rng, market.streets);
    let mut lines = street_lines(rng, market.country, street);
    if !district.is_empty() {
        lines.push(district.to_owned());
    }
    Address {
        name: name.to_owned(),
        lines,
        city: city.to_owned(),
        postal_code: postal_code.to_owned(),
        region: (!region.is_empty()).then(|| region.to_owned()),
        country: market.country.to_owned(),
    }
}

/// The street line as people write it in each country.
fn street_lines(rng: &mut StdRng, country: &str, street: &str) -> Vec<String> {
    let number = rng.random_range(1..=180);
    let floor = rng.random_range(1..=8);
    match country {
        "US" => {
            let mut lines = vec![format!("{} {street}", rng.random_range(100..=4800))];
            if rng.random_bool(0.35) {
                lines.push(format!("Apt {}", rng.random_range(1..=40)));
            }
            lines
        }
        "ES" => vec![format!("{street}, {number}, {floor}º {}", pick(rng, &["A", "B", "C", "izda.", "dcha."]))],
        "MX" => vec![format!("{street} {}, Int. {floor}", rng.random_range(10..=2400))],
        "PT" => vec![format!("{street}, {number}, {floor}º {}", pick(rng, &["Esq.", "Dto.", "Frente"]))],
        "BR" => vec![format!("{street}, {}, apto {floor}{:02}", rng.random_range(10..=2500), rng.random_range(1..=4))],
        "PL" => {
            if rng.random_bool(0.7) {
                vec![format!("{street} {number}/{}", rng.random_range(1..=60))]
            } else {
                vec![format!("{street} {number}")]
            }
        }
        "ID" => {
            vec![format!("{street} No. {number}, RT {:02}/RW {:02}", rng.random_range(1..=12), rng.random_range(1..=9))]
        }
        _ => vec![format!("{number} {street}")],
    }
}

/// An address as a customer would type it into a message.
fn address_text(address: &Address) -> String {
    let mut lines = vec![address.name.clone()];
    lines.extend(address.lines.iter().cloned());
    let region = address.region.clone().unwrap_or_default();
    lines.push(match address.country.as_str() {
        "US" => format!("{}, {region} {}", address.city, address.postal_code),
        "GB" => format!("{} {}", address.city, address.postal_code),
        _ => format!("{} {}", address.postal_code, address.city),
    });
    lines.join("\n")
}

// ----- orders -----

fn make_plans(rng: &mut StdRng, buyers: &[Buyer], now: OffsetDateTime) -> Vec<Plan> {
    let history = HISTORY_DAYS * 24 * 60;
    (0..ORDER_COUNT)
        .map(|i| {
            // Everyone has ordered at least once; some come back.
            let buyer = if i < buyers.len() { i } else { rng.random_range(0..buyers.len()) };
            let market = buyers[buyer].market;
            // More orders lately than two months ago: the shop is growing.
            let age_minutes = 40 + ((history - 40) as f64 * rng.random::<f64>().powf(1.25)) as i64;
            let placed_at =
                whole_seconds(now - Duration::minutes(age_minutes) - Duration::seconds(rng.random_range(0..60)));
            let old = age_minutes > 20 * 24 * 60;
            let roll = rng.random::<f64>();
            let fate = match roll {
                r if old && r < 0.015 => Fate::Lost,
                r if old && r < 0.025 => Fate::Returned,
                _ => Fate::Delivered,
            };
            let roll = rng.random::<f64>();
            let pay = match roll {
                r if fate == Fate::Delivered && old && r < 0.07 => Pay::Refunded,
                r if fate == Fate::Delivered && old && r < 0.12 => Pay::PartiallyRefunded,
                _ => Pay::Captured,
            };
            Plan {
                buyer,
                placed_at,
                lines: random_lines(rng),
                focus: 0,
                hold: None,
                fate,
                pay,
                method: pick(rng, market.methods),
                carrier: pick(rng, market.carriers),
                spec: None,
            }
        })
        .collect()
}

fn random_lines(rng: &mut StdRng) -> Vec<PlannedLine> {
    let count = match rng.random_range(0..10) {
        0..=5 => 1,
        6..=8 => 2,
        _ => 3,
    };
    let mut lines: Vec<PlannedLine> = Vec::with_capacity(count);
    while lines.len() < count {
        // Clothes and shoes sell best.
        let product = if rng.random_bool(0.6) { rng.random_range(0..18) } else { rng.random_range(0..CATALOGUE.len()) };
        if lines.iter().all(|line| line.product != product) {
            lines.push(planned_line(rng, product));
        }
    }
    lines
}

fn planned_line(rng: &mut StdRng, product: usize) -> PlannedLine {
    let p = &CATALOGUE[product];
    let colour = (!p.colours.is_empty()).then(|| rng.random_range(0..p.colours.len()));
    let size = (!p.sizes.is_empty()).then(|| {
        // Middle sizes sell most.
        let a = rng.random_range(0..p.sizes.len());
        let b = rng.random_range(0..p.sizes.len());
        (a + b).div_ceil(2)
    });
    let quantity =
        if matches!(p.code, "NW-TEE-ORG" | "NW-SOCK-HIK" | "NW-BOXER-3PK") && rng.random_bool(0.25) { 2 } else { 1 };
    PlannedLine { product, colour, size: size.map(|s| s.min(p.sizes.len().saturating_sub(1))), quantity }
}

/// A garment with letter or waist sizes in more than one colour.
fn is_garment(product: &Product) -> bool {
    product.category == "apparel"
        && product.colours.len() > 1
        && [LETTER_SIZES, DRESS_SIZES, WAIST_SIZES].contains(&product.sizes)
}

fn product_index(code: &str) -> Option<usize> {
    CATALOGUE.iter().position(|p| p.code == code)
}

fn buyer_fits(buyer: &Buyer, spec: &CaseSpec) -> bool {
    buyer.market.language == spec.language && spec.country.is_none_or(|c| c == buyer.market.country)
}

/// A customer for a case without an order, preferring one with no other case.
fn pick_buyer(rng: &mut StdRng, buyers: &[Buyer], spec: &CaseSpec, used: &HashSet<usize>) -> Option<usize> {
    let start = rng.random_range(0..buyers.len());
    [true, false].into_iter().find_map(|fresh| {
        (0..buyers.len())
            .map(|k| (start + k) % buyers.len())
            .find(|&i| buyer_fits(&buyers[i], spec) && !(fresh && used.contains(&i)))
    })
}

/// An order for a case, from a customer who speaks the case's language, preferring customers
/// with no other case.
fn pick_plan(
    rng: &mut StdRng,
    plans: &[Plan],
    buyers: &[Buyer],
    spec: &CaseSpec,
    used: &HashSet<usize>,
) -> Option<usize> {
    let start = rng.random_range(0..plans.len());
    [true, false].into_iter().find_map(|fresh| {
        (0..plans.len()).map(|k| (start + k) % plans.len()).find(|&i| {
            let plan = &plans[i];
            plan.spec.is_none()
                && buyer_fits(&buyers[plan.buyer], spec)
                && !(fresh && used.contains(&plan.buyer))
                && spec.method.is_none_or(|m| buyers[plan.buyer].market.methods.contains(&m))
        })
    })
}

/// Puts an order into the state its case needs: the right age, parcel status, payments and item.
fn shape_plan(rng: &mut StdRng, plan: &mut Plan, index: usize, now: OffsetDateTime) {
    let spec = &CASES[index];
    plan.spec = Some(index);
    if let Some(method) = spec.method {
        plan.method = method;
    }
    if let Some(carrier) = spec.carrier {
        plan.carrier = carrier;
    }
    use ShipmentStatus as S;
    // Hours since the order was placed, where the parcel stops, how it ends, what was paid.
    let (min_hours, max_hours, hold, fate, pay) = match spec.need {
        Need::Pending => (1, 6, Some(S::Pending), Fate::Delivered, Pay::Captured),
        Need::Packed => (30, 44, Some(S::Packed), Fate::Delivered, Pay::Captured),
        Need::HandedToCarrier => (48, 60, Some(S::HandedToCarrier), Fate::Delivered, Pay::Captured),
        Need::InTransit => (4 * 24, 7 * 24, Some(S::InTransit), Fate::Delivered, Pay::Captured),
        Need::Delivered | Need::NoOrder => (12 * 24, 26 * 24, None, Fate::Delivered, Pay::Captured),
        Need::Lost => (18 * 24, 30 * 24, None, Fate::Lost, Pay::Captured),
        Need::ReturnedToSender => (22 * 24, 35 * 24, None, Fate::Returned, Pay::Captured),
        Need::DoubleCharge => (3 * 24, 9 * 24, None, Fate::Delivered, Pay::DoubleCharge { duplicate_refunded: false }),
        Need::DoubleChargeRefunded => {
            (8 * 24, 14 * 24, None, Fate::Delivered, Pay::DoubleCharge { duplicate_refunded: true })
        }
        Need::AuthorizedOnly => (48, 72, Some(S::Pending), Fate::Delivered, Pay::AuthorizedOnly),
        Need::Unpaid => (20, 30, Some(S::Pending), Fate::Delivered, Pay::Unpaid),
        Need::Refunded => (25 * 24, 40 * 24, None, Fate::Delivered, Pay::Refunded),
        Need::PartiallyRefunded => (15 * 24, 30 * 24, None, Fate::Delivered, Pay::PartiallyRefunded),
    };
    let age = Duration::minutes(rng.random_range(min_hours * 60..=max_hours * 60));
    plan.placed_at = whole_seconds(now - age - Duration::seconds(rng.random_range(0..60)));
    plan.hold = hold;
    plan.fate = fate;
    plan.pay = pay;

    match spec.item {
        Item::Any => plan.focus = 0,
        Item::Product(code) => put_first(rng, plan, product_index(code).unwrap_or(0)),
        Item::Apparel => match plan.lines.iter().position(|l| is_garment(&CATALOGUE[l.product])) {
            Some(i) => plan.focus = i,
            None => {
                let garments: Vec<usize> = (0..CATALOGUE.len()).filter(|&i| is_garment(&CATALOGUE[i])).collect();
                let product = garments.get(rng.random_range(0..garments.len().max(1))).copied().unwrap_or(0);
                put_first(rng, plan, product);
            }
        },
        Item::Several => {
            while plan.lines.len() < 2 {
                let product = rng.random_range(0..CATALOGUE.len());
                if plan.lines.iter().all(|l| l.product != product) {
                    plan.lines.push(planned_line(rng, product));
                }
            }
            plan.focus = plan.lines.len() - 1;
        }
    }
    // Customers who write about a size want the next one up; leave room for it.
    if let Some(line) = plan.lines.get_mut(plan.focus)
        && let Some(size) = line.size.as_mut()
    {
        let sizes = CATALOGUE[line.product].sizes.len();
        if sizes > 1 && *size + 1 >= sizes {
            *size = sizes - 2;
        }
    }
}

/// Makes `product` the first line of the order, and the one the case is about.
fn put_first(rng: &mut StdRng, plan: &mut Plan, product: usize) {
    plan.lines.retain(|line| line.product != product);
    let mut line = planned_line(rng, product);
    line.quantity = 1;
    plan.lines.insert(0, line);
    plan.lines.truncate(3);
    plan.focus = 0;
}

fn make_order(
    rng: &mut StdRng,
    plan: &Plan,
    buyer: &Buyer,
    store_id: StoreId,
    number: String,
    now: OffsetDateTime,
) -> anyhow::Result<Order> {
    let currency = Currency::from_code(buyer.market.currency)?;
    let lines: Vec<OrderLine> = plan.lines.iter().map(|line| order_line(line, currency)).collect();
    let total = lines.iter().try_fold(Money::zero(currency), |sum, line| sum.checked_add(&line.total()?))?;
    let payments = make_payments(rng, plan, total, &lines)?;
    let shipment = make_shipment(rng, plan, buyer.market, &lines, now);
    Ok(Order {
        id: OrderId::from_uuid(uuid_at(rng, plan.placed_at)),
        store_id,
        number,
        customer_id: buyer.customer.id,
        currency,
        lines,
        shipping_address: buyer.address.clone(),
        billing_address: buyer.address.clone(),
        payments,
        shipments: vec![shipment],
        placed_at: plan.placed_at,
        cancelled_at: None,
    })
}

fn order_line(line: &PlannedLine, currency: Currency) -> OrderLine {
    let product = &CATALOGUE[line.product];
    let (sku, variant) = variant_of(product, line.colour, line.size);
    let unit_price = Money::new(local_price(product.eur_cents, currency.code()), currency);
    // The sizes of the same colour and the colours of the same size, as the shop's stock
    // system would report them with the order, so an exchange can offer what is really there.
    let mut other_variants = Vec::new();
    let sizes = (0..product.sizes.len()).filter(|i| Some(*i) != line.size).map(|i| (line.colour, Some(i)));
    let colours = (0..product.colours.len()).filter(|i| Some(*i) != line.colour).map(|i| (Some(i), line.size));
    for (colour, size) in sizes.chain(colours) {
        let (sku, variant) = variant_of(product, colour, size);
        let in_stock = stock_level(&sku);
        other_variants.push(StockedVariant { sku, variant, unit_price, in_stock });
    }
    OrderLine {
        sku,
        title: product.title.to_owned(),
        variant,
        category: Some(product.category.to_owned()),
        quantity: line.quantity,
        unit_price,
        other_variants,
    }
}

/// A product's SKU and attributes in one colour and size.
fn variant_of(product: &Product, colour: Option<usize>, size: Option<usize>) -> (String, BTreeMap<String, String>) {
    let mut sku = product.code.to_owned();
    let mut variant = BTreeMap::new();
    if let Some(colour) = colour.and_then(|i| product.colours.get(i)) {
        sku.push('-');
        sku.push_str(&colour_code(colour));
        variant.insert("colour".to_owned(), (*colour).to_owned());
    }
    if let Some(size) = size.and_then(|i| product.sizes.get(i)) {
        sku.push('-');
        sku.push_str(size);
        variant.insert("size".to_owned(), (*size).to_owned());
    }
    (sku, variant)
}

/// Units in stock of a SKU: fixed per SKU (a hash, not the order's random draws, so adding stock
/// changed none of the shop's other data), about one variant in six sold out.
fn stock_level(sku: &str) -> u32 {
    let hash = sku.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    match hash % 6 {
        0 => 0,
        n => u32::try_from(n * 3 + hash % 4).unwrap_or(1),
    }
}

fn make_payments(rng: &mut StdRng, plan: &Plan, total: Money, lines: &[OrderLine]) -> anyhow::Result<Vec<Payment>> {
    let zero = Money::zero(total.currency);
    let at = plan.placed_at + Duration::seconds(rng.random_range(20..120));
    let payment =
        |rng: &mut StdRng, at: OffsetDateTime, captured: Money, refunded: Money, status: PaymentStatus| Payment {
            id: PaymentId::from_uuid(uuid_at(rng, at)),
            provider: provider(plan.method).to_owned(),
            provider_reference: payment_reference(rng, plan.method),
            method: plan.method.to_owned(),
            authorized: total,
            captured,
            refunded,
            status,
            created_at: at,
        };
    Ok(match plan.pay {
        Pay::Captured => vec![payment(rng, at, total, zero, PaymentStatus::Captured)],
        Pay::AuthorizedOnly => vec![payment(rng, at, zero, zero, PaymentStatus::Authorized)],
        Pay::Unpaid => Vec::new(),
        Pay::DoubleCharge { duplicate_refunded } => {
            let again = at + Duration::seconds(rng.random_range(90..420));
            let duplicate = if duplicate_refunded {
                payment(rng, again, total, total, PaymentStatus::Refunded)
            } else {
                payment(rng, again, total, zero, PaymentStatus::Captured)
            };
            vec![payment(rng, at, total, zero, PaymentStatus::Captured), duplicate]
        }
        Pay::Refunded => vec![payment(rng, at, total, total, PaymentStatus::Refunded)],
        Pay::PartiallyRefunded => {
            // One line refunded (out of stock, goodwill), or a fifth of a single-line order.
            let part = match lines {
                [_, .., last] => last.total()?,
                _ => Money::new((total.amount_minor / 5).max(1), total.currency),
            };
            vec![payment(rng, at, total, part, PaymentStatus::PartiallyRefunded)]
        }
    })
}

/// The parcel, moved along its journey as far as `now` (and the plan's hold) allows.
fn make_shipment(rng: &mut StdRng, plan: &Plan, market: &Market, lines: &[OrderLine], now: OffsetDateTime) -> Shipment {
    use ShipmentStatus as S;
    let minutes = |rng: &mut StdRng, from_hours: i64, to_hours: i64| {
        Duration::minutes(rng.random_range(from_hours * 60..=to_hours * 60))
    };
    let pending = plan.placed_at + Duration::minutes(rng.random_range(2..=15));
    let packed = pending + minutes(rng, 3, 28);
    let handed = packed + minutes(rng, 2, 18);
    let in_transit = handed + minutes(rng, 3, 12);
    let last = match plan.fate {
        Fate::Delivered => (S::Delivered, in_transit + minutes(rng, market.delivery_hours.0, market.delivery_hours.1)),
        Fate::Lost => (S::Lost, in_transit + minutes(rng, 6 * 24, 10 * 24)),
        Fate::Returned => (S::ReturnedToSender, in_transit + minutes(rng, 9 * 24, 14 * 24)),
    };
    let journey =
        [(S::Pending, pending), (S::Packed, packed), (S::HandedToCarrier, handed), (S::InTransit, in_transit), last];
    let mut status = S::Pending;
    let mut status_times = BTreeMap::new();
    for (step, at) in journey {
        let at = whole_seconds(at);
        if at > now {
            break;
        }
        status = step;
        status_times.insert(step, TimeStamp(at));
        if plan.hold == Some(step) {
            break;
        }
    }
    let tracking = tracking_number(rng, plan.carrier);
    Shipment {
        id: ShipmentId::from_uuid(uuid_at(rng, pending)),
        carrier: plan.carrier.to_owned(),
        // The label, and with it the tracking number, is printed when the parcel is packed.
        tracking_number: (status != S::Pending).then_some(tracking),
        lines: lines.iter().map(|line| ShipmentLine { sku: line.sku.clone(), quantity: line.quantity }).collect(),
        status,
        status_times,
    }
}

fn provider(method: &str) -> &'static str {
    match method {
        "paypal" => "paypal",
        "blik" => "przelewy24",
        "pix" => "mercadopago",
        "bank_transfer" => "xendit",
        _ => "stripe",
    }
}

/// A reference in the shape each provider uses.
fn payment_reference(rng: &mut StdRng, method: &str) -> String {
    match method {
        "paypal" => random_chars(rng, 17, UPPER_DIGITS),
        "blik" => format!(
            "P24-{}-{}-{}",
            random_chars(rng, 3, UPPER_DIGITS),
            random_chars(rng, 3, UPPER_DIGITS),
            random_chars(rng, 3, UPPER_DIGITS)
        ),
        "pix" => format!("E18236120{}", random_chars(rng, 23, UPPER_DIGITS)),
        "bank_transfer" => random_chars(rng, 24, HEX),
        _ => format!("pi_3{}", random_chars(rng, 23, MIXED)),
    }
}

/// A tracking number in the carrier's format.
fn tracking_number(rng: &mut StdRng, carrier: &str) -> String {
    match carrier {
        "ups" => format!("1Z{}03{}", random_chars(rng, 6, UPPER_DIGITS), random_chars(rng, 8, DIGITS)),
        "usps" => format!("9400{}", random_chars(rng, 18, DIGITS)),
        "fedex" => random_chars(rng, 12, DIGITS),
        "royal_mail" => s10(rng, "TT", "GB"),
        "correos" => s10(rng, "PQ", "ES"),
        "ctt" => s10(rng, "DA", "PT"),
        "correios" => s10(rng, "NL", "BR"),
        "evri" => format!("H0{}{}", random_chars(rng, 3, UPPER), random_chars(rng, 11, DIGITS)),
        "dhl" => random_chars(rng, 10, DIGITS),
        "estafeta" => random_chars(rng, 22, DIGITS),
        "inpost" => format!("6{}", random_chars(rng, 23, DIGITS)),
        "jne" => format!("CGK{}", random_chars(rng, 12, DIGITS)),
        "sicepat" => format!("00{}", random_chars(rng, 10, DIGITS)),
        "jnt" => format!("JP{}", random_chars(rng, 10, DIGITS)),
        // dpd, jadlog, seur
        _ => random_chars(rng, 14, DIGITS),
    }
}

/// A UPU S10 item number (`TT123456785GB`), with its real check digit.
fn s10(rng: &mut StdRng, prefix: &str, country: &str) -> String {
    let digits: [u32; 8] = std::array::from_fn(|_| rng.random_range(0..10));
    let serial: String = digits.iter().map(u32::to_string).collect();
    format!("{prefix}{serial}{}{country}", s10_check_digit(&digits))
}

/// The S10 check digit of an 8-digit serial number.
fn s10_check_digit(digits: &[u32; 8]) -> u32 {
    let sum: u32 = digits.iter().zip([8, 6, 4, 2, 3, 5, 9, 7]).map(|(d, w)| d * w).sum();
    match 11 - sum % 11 {
        10 => 0,
        11 => 5,
        c => c,
    }
}

const DIGITS: &[u8] = b"0123456789";
const UPPER: &[u8] = b"ABCDEFGHJKLMNPRSTUVWXYZ";
const UPPER_DIGITS: &[u8] = b"0123456789ABCDEFGHJKLMNPRSTUVWXYZ";
const HEX: &[u8] = b"0123456789abcdef";
const MIXED: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

fn random_chars(rng: &mut StdRng, len: usize, alphabet: &[u8]) -> String {
    (0..len).map(|_| char::from(pick(rng, alphabet))).collect()
}

fn carrier_name(carrier: &str) -> &str {
    match carrier {
        "ups" => "UPS",
        "usps" => "USPS",
        "fedex" => "FedEx",
        "royal_mail" => "Royal Mail",
        "dpd" => "DPD",
        "evri" => "Evri",
        "correos" => "Correos",
        "seur" => "SEUR",
        "dhl" => "DHL",
        "estafeta" => "Estafeta",
        "ctt" => "CTT",
        "correios" => "Correios",
        "jadlog" => "Jadlog",
        "inpost" => "InPost",
        "jne" => "JNE",
        "sicepat" => "SiCepat",
        "jnt" => "J&T Express",
        other => other,
    }
}

/// An amount as a customer in `country` writes it: `$129.99`, `54,99 €`, `R$ 289,90`, `Rp945.000`.
fn local_amount(money: Money, country: &str) -> String {
    if money.currency.exponent() != 2 {
        return money.to_string();
    }
    let major = money.amount_minor / 100;
    let minor = money.amount_minor % 100;
    match country {
        "US" => format!("${}.{minor:02}", group(major, ',')),
        "GB" => format!("£{}.{minor:02}", group(major, ',')),
        "ES" | "PT" => format!("{},{minor:02} €", group(major, '.')),
        "MX" => format!("${}.{minor:02} MXN", group(major, ',')),
        "BR" => format!("R$ {},{minor:02}", group(major, '.')),
        "PL" => format!("{},{minor:02} zł", group(major, ' ')),
        "ID" => format!("Rp{}", group(major, '.')),
        _ => money.to_string(),
    }
}

/// `1234567` with `.` gives `1.234.567`.
fn group(number: i64, separator: char) -> String {
    let digits = number.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(c);
    }
    out
}

// ----- cases -----

fn make_case(
    rng: &mut StdRng,
    spec: &CaseSpec,
    about: Option<(&Order, usize)>,
    buyer: &Buyer,
    store_id: StoreId,
    now: OffsetDateTime,
) -> anyhow::Result<SampleCase> {
    let agent = agent_for(spec.language);
    let base = match about {
        Some((order, _)) => last_event(order),
        None => now - Duration::minutes(rng.random_range(2 * 24 * 60..=9 * 24 * 60)),
    };
    let opened_at = opening_time(rng, base, now, spec.outcome);
    let vars = case_vars(rng, about, buyer, agent, opened_at)?;
    let id = CaseId::from_uuid(uuid_at(rng, opened_at));
    let email = buyer.customer.email.clone();
    let customer = Actor::Customer {
        handle: match spec.channel {
            Channel::Social => format!("@{}", email.as_str().split('@').next().unwrap_or_default()),
            _ => email.as_str().to_owned(),
        },
    };
    // A phone call is written down by the agent who took it.
    let author = match spec.channel {
        Channel::Phone => Actor::Agent { name: display_name(agent) },
        _ => customer.clone(),
    };
    let first_message = Message {
        id: MessageId::from_uuid(uuid_at(rng, opened_at)),
        store_id,
        case_id: id,
        direction: Direction::Inbound,
        channel: spec.channel,
        author: author.clone(),
        body: fill(spec.body, &vars),
        attachments: attachments(rng, spec.attachments),
        created_at: opened_at,
    };
    let new_case = NewCase {
        id,
        store_id,
        order_id: about.map(|(order, _)| order.id),
        customer_id: Some(buyer.customer.id),
        customer_email: Some(email),
        subject: fill(spec.subject, &vars),
        kind: spec.kind,
        language: LanguageTag::parse(spec.language)?,
        sentiment: spec.sentiment,
        escalation: spec.escalation.iter().copied().collect(),
        first_message,
        opened_by: author,
        understood: None,
        lines: Vec::new(),
    };
    let follow_ups = follow_ups(rng, spec, &new_case, &vars, customer, opened_at, now);
    Ok(SampleCase { new_case, opened_at, follow_ups })
}

/// The last thing that happened to an order: a case about it comes after.
fn last_event(order: &Order) -> OffsetDateTime {
    let parcels = order.shipments.iter().flat_map(|s| s.status_times.values().map(|t| t.0));
    let payments = order.payments.iter().map(|p| p.created_at);
    parcels.chain(payments).fold(order.placed_at, OffsetDateTime::max)
}

/// When the customer wrote: after `base`, recently for cases nobody has touched yet, and within
/// the last ten days for the rest.
fn opening_time(rng: &mut StdRng, base: OffsetDateTime, now: OffsetDateTime, outcome: CaseStatus) -> OffsetDateTime {
    let window = now - base;
    let at = if outcome == CaseStatus::New {
        now - Duration::minutes(rng.random_range(25..=9 * 60)).min(window * 0.6)
    } else {
        let at = base + window * rng.random_range(0.3..0.75);
        if now - at > Duration::days(10) {
            now - Duration::minutes(rng.random_range(3 * 24 * 60..=10 * 24 * 60))
        } else {
            at
        }
    };
    whole_seconds(at)
}

/// The facts a case's texts refer to.
fn case_vars(
    rng: &mut StdRng,
    about: Option<(&Order, usize)>,
    buyer: &Buyer,
    agent: &str,
    opened_at: OffsetDateTime,
) -> anyhow::Result<Vars> {
    let country = buyer.market.country;
    let new_address = make_address(rng, buyer.market, &buyer.customer.name);
    let mut vars: Vars = vec![
        ("first", buyer.first_name.clone()),
        ("name", buyer.customer.name.clone()),
        ("agent", display_name(agent)),
        ("new_address", address_text(&new_address)),
        ("locker", locker_code(rng, &buyer.address.city)),
        ("locker2", locker_code(rng, &buyer.address.city)),
        ("trace_ref", format!("TR-{}", random_chars(rng, 8, DIGITS))),
    ];
    let Some((order, focus)) = about else {
        return Ok(vars);
    };
    let Some(line) = order.lines.get(focus).or(order.lines.first()) else {
        return Ok(vars);
    };
    let size = line.variant.get("size").cloned().unwrap_or_default();
    let sizes = CATALOGUE.iter().find(|p| p.title == line.title).map_or(NO_SIZE, |p| p.sizes);
    let other_size = match sizes.iter().position(|s| *s == size) {
        Some(i) if i + 1 < sizes.len() => sizes[i + 1],
        Some(i) if i > 0 => sizes[i - 1],
        _ => "",
    };
    let shipment = order.shipments.first();
    vars.extend([
        ("order", order.number.clone()),
        ("item", line.title.clone()),
        ("sku", line.sku.clone()),
        ("category", line.category.clone().unwrap_or_default()),
        ("size", size),
        ("other_size", other_size.to_owned()),
        ("colour", line.variant.get("colour").cloned().unwrap_or_default()),
        ("amount", local_amount(order.total()?, country)),
        ("line_amount", local_amount(line.total()?, country)),
        ("tracking", shipment.and_then(|s| s.tracking_number.clone()).unwrap_or_default()),
        ("carrier", shipment.map(|s| carrier_name(&s.carrier).to_owned()).unwrap_or_default()),
        ("days", (opened_at - order.placed_at).whole_days().max(1).to_string()),
        ("payments", payments_summary(order)),
    ]);
    Ok(vars)
}

/// An InPost parcel locker code near the customer, such as `KRA07M`.
fn locker_code(rng: &mut StdRng, city: &str) -> String {
    let prefix = match city {
        "Kraków" => "KRA",
        "Wrocław" => "WRO",
        "Gdańsk" => "GDA",
        "Poznań" => "POZ",
        "Łódź" => "LOD",
        "Lublin" => "LUB",
        _ => "WAW",
    };
    format!("{prefix}{:02}{}", rng.random_range(1..=240), pick(rng, &["M", "A", "N"]))
}

/// What the payment provider shows for an order, for an agent's note.
fn payments_summary(order: &Order) -> String {
    if order.payments.is_empty() {
        return "no payment received yet".to_owned();
    }
    order
        .payments
        .iter()
        .map(|p| {
            let state = match p.status {
                PaymentStatus::Authorized => format!("authorised {}, never captured", p.authorized),
                PaymentStatus::Captured => format!("captured {}", p.captured),
                _ => format!("captured {}, refunded {}", p.captured, p.refunded),
            };
            let at = p.created_at.time();
            format!(
                "{state} by {} at {:02}:{:02} ({} {})",
                p.method,
                at.hour(),
                at.minute(),
                p.provider,
                p.provider_reference
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

pub fn display_name(login: &str) -> String {
    let mut chars = login.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// Replaces every `{name}` in `template` by its value.
fn fill(template: &str, vars: &Vars) -> String {
    vars.iter().fold(template.to_owned(), |text, (name, value)| text.replace(&format!("{{{name}}}"), value))
}

fn attachments(rng: &mut StdRng, files: &[&str]) -> Vec<Attachment> {
    files
        .iter()
        .map(|file| {
            let (content_type, size) = match file.rsplit('.').next() {
                Some("pdf") => ("application/pdf", rng.random_range(60_000..400_000)),
                Some("png") => ("image/png", rng.random_range(150_000..900_000)),
                _ => ("image/jpeg", rng.random_range(400_000..3_500_000)),
            };
            Attachment { filename: (*file).to_owned(), content_type: content_type.to_owned(), size_bytes: size }
        })
        .collect()
}

/// One step of what happens on a case after it is opened.
#[derive(Clone, Copy, Debug)]
enum Step {
    Assign(&'static str),
    Reply,
    Answer,
    Note,
    EscalationNote,
    Status(CaseStatus),
    AutoClose,
}

/// The steps that take a new case to the spec's outcome, each legal after the one before.
fn script(spec: &CaseSpec) -> Vec<Step> {
    let family = Family::of(spec.kind);
    let agent = agent_for(spec.language);
    let mut steps = match spec.outcome {
        CaseStatus::New => return Vec::new(),
        Open if family.asks_customer() => {
            vec![Step::Assign(agent), Step::Reply, Step::Status(WaitingOnCustomer), Step::Answer, Step::Note]
        }
        Open if matches!(family, Family::Trace | Family::Money | Family::Warehouse) => {
            vec![Step::Assign(agent), Step::Note, Step::Reply, Step::Answer]
        }
        Open => vec![Step::Assign(agent), Step::Note, Step::Reply],
        WaitingOnCustomer => vec![Step::Assign(agent), Step::Reply, Step::Status(WaitingOnCustomer)],
        WaitingOnThirdParty => vec![Step::Assign(agent), Step::Note, Step::Reply, Step::Status(WaitingOnThirdParty)],
        Resolved => vec![Step::Assign(agent), Step::Reply, Step::Status(Resolved)],
        Closed => vec![Step::Assign(agent), Step::Reply, Step::Status(Resolved), Step::AutoClose],
    };
    if spec.escalation.iter().any(|s| matches!(s, Chargeback | Legal)) {
        steps.splice(1..1, [Step::EscalationNote, Step::Assign(TEAM_LEAD)]);
    }
    steps
}

fn follow_ups(
    rng: &mut StdRng,
    spec: &CaseSpec,
    new_case: &NewCase,
    vars: &Vars,
    customer: Actor,
    opened_at: OffsetDateTime,
    now: OffsetDateTime,
) -> Vec<FollowUp> {
    let steps = script(spec);
    let family = Family::of(spec.kind);
    let agent_login = agent_for(spec.language);
    let agent = Actor::Agent { name: display_name(agent_login) };
    // Replies to a phone call go out by email.
    let channel = match spec.channel {
        Channel::Phone => Channel::Email,
        other => other,
    };
    let customer = match (spec.channel, &new_case.customer_email) {
        (Channel::Phone, Some(email)) => Actor::Customer { handle: email.as_str().to_owned() },
        _ => customer,
    };

    // Gaps between steps, squeezed to fit between the opening and now.
    let gaps: Vec<Duration> = steps
        .iter()
        .map(|step| {
            let (from, to) = match step {
                Step::Assign(_) | Step::Status(_) | Step::EscalationNote => (2, 40),
                Step::Answer => (60, 20 * 60),
                Step::AutoClose => (5 * 24 * 60, 7 * 24 * 60),
                Step::Reply | Step::Note => (15, 6 * 60),
            };
            Duration::minutes(rng.random_range(from..=to))
        })
        .collect();
    let needed: Duration = gaps.iter().copied().sum();
    let room = (now - opened_at) * 0.9;
    let scale: f64 = if needed > room { room / needed } else { 1.0 };

    let mut at = opened_at;
    let mut out = Vec::with_capacity(steps.len());
    for (step, gap) in steps.into_iter().zip(gaps) {
        at = whole_seconds((at + (gap * scale).max(Duration::seconds(30))).min(now));
        let message = |rng: &mut StdRng, direction, author: &Actor, body: String, files: &[&str]| FollowUp::Message {
            message: Message {
                id: MessageId::from_uuid(uuid_at(rng, at)),
                store_id: new_case.store_id,
                case_id: new_case.id,
                direction,
                channel,
                author: author.clone(),
                body,
                attachments: attachments(rng, files),
                created_at: at,
            },
        };
        out.push(match step {
            Step::Assign(to) => FollowUp::Assign { to: team_member(new_case.store_id, to), actor: agent.clone(), at },
            Step::Reply => {
                let template = spec.reply.unwrap_or_else(|| agent_reply(family, spec.language));
                message(rng, Direction::Outbound, &agent, fill(template, vars), &[])
            }
            Step::Answer => {
                let files: &[&str] =
                    if family == Family::Photos { &["IMG_4417.jpg", "IMG_4418.jpg", "IMG_4420.jpg"] } else { &[] };
                let body = fill(customer_answer(family, spec.language), vars);
                message(rng, Direction::Inbound, &customer, body, files)
            }
            Step::Note => FollowUp::Note { body: fill(internal_note(family), vars), actor: agent.clone(), at },
            Step::EscalationNote => {
                let signals: Vec<&str> = spec.escalation.iter().map(EscalationSignal::as_str).collect();
                FollowUp::Note {
                    body: format!(
                        "Customer mentions {}. Escalating to {} (team lead) as per policy; keep the evidence on \
                         this case.",
                        signals.join(" and "),
                        display_name(TEAM_LEAD)
                    ),
                    actor: agent.clone(),
                    at,
                }
            }
            Step::Status(to) => FollowUp::Status { to, actor: agent.clone(), at },
            Step::AutoClose => FollowUp::Status { to: Closed, actor: Actor::System, at },
        });
    }
    out
}

// ----- small helpers -----

fn pick<T: Copy>(rng: &mut StdRng, items: &[T]) -> T {
    items[rng.random_range(0..items.len())]
}

/// Drops the fraction of a second, so times survive storage at any precision unchanged.
fn whole_seconds(at: OffsetDateTime) -> OffsetDateTime {
    at.replace_nanosecond(0).unwrap_or(at)
}

/// A UUIDv7 for something created at `at`, its random bits from the seeded generator.
fn uuid_at(rng: &mut StdRng, at: OffsetDateTime) -> Uuid {
    let millis = u64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(0);
    let random: [u8; 10] = rng.random();
    uuid::Builder::from_unix_timestamp_millis(millis, &random).into_uuid()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use redress_domain::{CaseNumber, FulfilmentStage, Priority};
    use time::macros::datetime;

    use super::*;

    const NOW: OffsetDateTime = datetime!(2026-11-23 15:00:00 UTC);

    /// The demo's own seed, and a few others at other times, so the checks do not hold by luck.
    fn shops() -> Vec<(SampleShop, OffsetDateTime)> {
        [(42, NOW), (7, NOW + Duration::days(31)), (2026, NOW - Duration::hours(13))]
            .into_iter()
            .map(|(seed, now)| (sample_shop(seed, now), now))
            .collect()
    }

    fn follow_up_at(follow_up: &FollowUp) -> OffsetDateTime {
        match follow_up {
            FollowUp::Message { message } => message.created_at,
            FollowUp::Status { at, .. } | FollowUp::Assign { at, .. } | FollowUp::Note { at, .. } => *at,
        }
    }

    fn replayed(shop: &SampleShop) -> Vec<Case> {
        (1..)
            .zip(&shop.cases)
            .map(|(n, sample)| {
                sample
                    .replay(CaseNumber(n))
                    .unwrap_or_else(|e| panic!("case {n} ({}): {e}", sample.new_case.subject))
                    .case
            })
            .collect()
    }

    #[test]
    fn every_order_and_payment_validates() {
        for (shop, now) in shops() {
            assert!(shop.orders.len() >= 220, "{} orders", shop.orders.len());
            let customers: BTreeSet<CustomerId> = shop.customers.iter().map(|c| c.id).collect();
            for order in &shop.orders {
                order.validate().unwrap_or_else(|e| panic!("{}: {e}", order.number));
                for payment in &order.payments {
                    payment.validate().unwrap();
                    assert_eq!(payment.authorized.currency, order.currency);
                }
                assert_eq!(order.store_id, shop.store.id);
                assert!(customers.contains(&order.customer_id));
                assert!((1..=3).contains(&order.lines.len()));
                assert!(order.placed_at < now && order.placed_at > now - Duration::days(HISTORY_DAYS + 1));
            }
            let numbers: BTreeSet<&str> = shop.orders.iter().map(|o| o.number.as_str()).collect();
            assert_eq!(numbers.len(), shop.orders.len(), "order numbers are unique");
            assert!(shop.orders.windows(2).all(|w| w[0].placed_at <= w[1].placed_at));
        }
    }

    #[test]
    fn customers_are_plausible_and_unique() {
        for (shop, _) in shops() {
            assert!((110..=130).contains(&shop.customers.len()));
            let emails: BTreeSet<&str> = shop.customers.iter().map(|c| c.email.as_str()).collect();
            assert_eq!(emails.len(), shop.customers.len());
            let languages: BTreeSet<&str> =
                shop.customers.iter().filter_map(|c| c.language.as_ref().map(LanguageTag::primary)).collect();
            assert_eq!(languages, BTreeSet::from(["en", "es", "id", "pl", "pt"]));
            assert!(shop.customers.iter().all(|c| c.store_id == shop.store.id));
            // Every customer has ordered, and an order's currency fits its country.
            for customer in &shop.customers {
                assert!(shop.orders.iter().any(|o| o.customer_id == customer.id), "{}", customer.name);
            }
            for order in &shop.orders {
                let expected = match order.shipping_address.country.as_str() {
                    "US" => "USD",
                    "GB" => "GBP",
                    "ES" | "PT" => "EUR",
                    "MX" => "MXN",
                    "BR" => "BRL",
                    "PL" => "PLN",
                    "ID" => "IDR",
                    other => panic!("unexpected country {other}"),
                };
                assert_eq!(order.currency.code(), expected, "{}", order.number);
            }
        }
    }

    #[test]
    fn covers_every_shipment_status_with_consistent_journeys() {
        for (shop, now) in shops() {
            let mut seen = BTreeSet::new();
            for order in &shop.orders {
                for shipment in &order.shipments {
                    seen.insert(shipment.status);
                    assert_eq!(
                        shipment.tracking_number.is_some(),
                        shipment.status != ShipmentStatus::Pending,
                        "{}",
                        order.number
                    );
                    // The recorded journey is a legal walk ending at the current status, in time order.
                    let mut walk =
                        Shipment { status: ShipmentStatus::Pending, status_times: BTreeMap::new(), ..shipment.clone() };
                    let mut previous = order.placed_at;
                    for (status, at) in &shipment.status_times {
                        assert!(at.0 >= previous && at.0 <= now, "{} {status:?}", order.number);
                        previous = at.0;
                        if *status != ShipmentStatus::Pending {
                            walk = walk.advance(*status, at.0).unwrap();
                        }
                    }
                    assert_eq!(walk.status, shipment.status, "{}", order.number);
                    assert!(shipment.status_times.contains_key(&shipment.status));
                }
            }
            assert_eq!(seen, ShipmentStatus::ALL.iter().copied().collect());
            // The newest orders are still in the warehouse, the oldest delivered.
            let newest = shop.orders.last().unwrap();
            assert!(!newest.shipments[0].status.has_left_warehouse());
            let oldest = &shop.orders[..20];
            assert!(oldest.iter().filter(|o| o.fulfilment_stage() == FulfilmentStage::Delivered).count() >= 15);
        }
    }

    #[test]
    fn money_covers_currencies_methods_and_accidents() {
        for (shop, _) in shops() {
            let currencies: BTreeSet<&str> = shop.orders.iter().map(|o| o.currency.code()).collect();
            assert_eq!(currencies, BTreeSet::from(["BRL", "EUR", "GBP", "IDR", "MXN", "PLN", "USD"]));
            let statuses: BTreeSet<String> =
                shop.orders.iter().flat_map(|o| &o.payments).map(|p| format!("{:?}", p.status)).collect();
            for status in ["Authorized", "Captured", "PartiallyRefunded", "Refunded"] {
                assert!(statuses.contains(status), "{status}");
            }
            let double_charged = shop
                .orders
                .iter()
                .filter(|o| {
                    matches!(o.payments.as_slice(), [a, b]
                    if a.captured == b.captured && a.captured.amount_minor > 0
                        && (b.created_at - a.created_at).abs() < Duration::minutes(10))
                })
                .count();
            assert!(double_charged >= 3, "{double_charged} double charges");
            let authorised_only =
                shop.orders.iter().flat_map(|o| &o.payments).filter(|p| p.status == PaymentStatus::Authorized).count();
            assert_eq!(authorised_only, 1);
            for order in &shop.orders {
                for payment in &order.payments {
                    let country = order.shipping_address.country.as_str();
                    match payment.method.as_str() {
                        "blik" => assert_eq!(country, "PL"),
                        "pix" => assert_eq!(country, "BR"),
                        "bank_transfer" => assert_eq!(country, "ID"),
                        "card" | "paypal" => {}
                        other => panic!("unexpected method {other}"),
                    }
                }
            }
        }
    }

    #[test]
    fn catalogue_is_realistic() {
        assert!(CATALOGUE.len() >= 30);
        let categories: BTreeSet<&str> = CATALOGUE.iter().map(|p| p.category).collect();
        for category in ["apparel", "footwear", "home", "electronics", "hygiene", "final_sale"] {
            assert!(categories.contains(category), "{category}");
        }
        let mut skus = BTreeSet::new();
        for (i, p) in CATALOGUE.iter().enumerate() {
            for colour in 0..p.colours.len().max(1) {
                for size in 0..p.sizes.len().max(1) {
                    let line = PlannedLine {
                        product: i,
                        colour: (!p.colours.is_empty()).then_some(colour),
                        size: (!p.sizes.is_empty()).then_some(size),
                        quantity: 1,
                    };
                    let sku = order_line(&line, Currency::from_code("EUR").unwrap()).sku;
                    assert!(skus.insert(sku.clone()), "duplicate SKU {sku}");
                }
            }
        }
        for spec in CASES {
            if let Item::Product(code) = spec.item {
                assert!(product_index(code).is_some(), "{code}");
            }
        }
        assert_eq!(local_price(5400, "IDR"), 94_500_000);
        assert_eq!(local_price(2499, "USD"), 2699);
        assert_eq!(local_amount(Money::new(94_500_000, Currency::from_code("IDR").unwrap()), "ID"), "Rp945.000");
        assert_eq!(local_amount(Money::new(28_990, Currency::from_code("BRL").unwrap()), "BR"), "R$ 289,90");
    }

    #[test]
    fn every_case_replays_through_the_state_machine() {
        for (shop, _) in shops() {
            let cases = replayed(&shop);
            assert!((50..=60).contains(&cases.len()), "{} cases", cases.len());
            let open = cases.iter().filter(|c| !c.status.is_done()).count();
            assert!(open >= 45, "{open} cases still open");
            assert!(cases.iter().any(|c| c.status.is_done()));
            let statuses: BTreeSet<CaseStatus> = cases.iter().map(|c| c.status).collect();
            for status in [CaseStatus::New, Open, WaitingOnCustomer, WaitingOnThirdParty, Resolved, Closed] {
                assert!(statuses.contains(&status), "{status}");
            }
            // The sample ends where its script says it ends; language and kind identify the script.
            let keys: BTreeSet<(&str, IssueKind)> = CASES.iter().map(|s| (s.language, s.kind)).collect();
            assert_eq!(keys.len(), CASES.len());
            for (sample, case) in shop.cases.iter().zip(&cases) {
                let spec = CASES.iter().find(|s| s.kind == case.kind && s.language == case.language.as_str()).unwrap();
                assert_eq!(case.status, spec.outcome, "{}", case.subject);
                assert_eq!(sample.follow_ups.is_empty(), spec.outcome == CaseStatus::New);
                assert!(case.assignee.is_some() || case.status == CaseStatus::New);
                if case.escalation.contains(&Chargeback) || case.escalation.contains(&Legal) {
                    assert_eq!(case.priority, Priority::Urgent);
                }
                assert_eq!(sample.new_case.first_message.created_at, sample.opened_at);
            }
        }
    }

    #[test]
    fn cases_cover_kinds_languages_and_channels() {
        for (shop, _) in shops() {
            let kinds: BTreeSet<IssueKind> = shop.cases.iter().map(|c| c.new_case.kind).collect();
            assert_eq!(kinds.len(), IssueKind::ALL.len());
            let languages: BTreeSet<&str> = shop.cases.iter().map(|c| c.new_case.language.as_str()).collect();
            assert_eq!(languages, BTreeSet::from(["en", "es", "id", "pl", "pt"]));
            let channels: BTreeSet<Channel> = shop.cases.iter().map(|c| c.new_case.first_message.channel).collect();
            for channel in [Channel::Email, Channel::Chat, Channel::Portal, Channel::Social, Channel::Phone] {
                assert!(channels.contains(&channel), "{channel}");
            }
            let signals: BTreeSet<EscalationSignal> =
                shop.cases.iter().flat_map(|c| c.new_case.escalation.iter().copied()).collect();
            assert_eq!(signals.len(), EscalationSignal::ALL.len());
            let sentiments: BTreeSet<Sentiment> = shop.cases.iter().map(|c| c.new_case.sentiment).collect();
            assert_eq!(sentiments.len(), 3);
        }
    }

    #[test]
    fn cases_are_consistent_with_their_orders_and_customers() {
        for (shop, _) in shops() {
            for sample in &shop.cases {
                let new_case = &sample.new_case;
                let subject = &new_case.subject;
                assert_eq!(new_case.store_id, shop.store.id);
                assert_eq!(new_case.first_message.case_id, new_case.id);
                assert_eq!(new_case.first_message.store_id, shop.store.id);
                let customer =
                    shop.customers.iter().find(|c| Some(c.id) == new_case.customer_id).expect("a known customer");
                assert_eq!(new_case.customer_email.as_ref(), Some(&customer.email));
                assert_eq!(customer.language.as_ref(), Some(&new_case.language), "{subject}");
                // Every placeholder was filled.
                let texts = std::iter::once(subject.as_str())
                    .chain(std::iter::once(new_case.first_message.body.as_str()))
                    .chain(sample.follow_ups.iter().filter_map(|f| match f {
                        FollowUp::Message { message } => Some(message.body.as_str()),
                        FollowUp::Note { body, .. } => Some(body.as_str()),
                        _ => None,
                    }));
                for text in texts {
                    assert!(!text.contains('{') && !text.contains('}'), "unfilled placeholder in {text:?}");
                    // An empty value leaves a gap, an empty bracket or a space before punctuation.
                    for gap in ["  ", "()", " ,", " .", " ?", "«»", "„”"] {
                        assert!(!text.contains(gap), "{gap:?} in {text:?}");
                    }
                }
                for follow_up in &sample.follow_ups {
                    if let FollowUp::Message { message } = follow_up {
                        assert_eq!(message.case_id, new_case.id);
                        assert_eq!(message.store_id, shop.store.id);
                    }
                }
                let Some(order_id) = new_case.order_id else {
                    assert!(
                        matches!(
                            new_case.kind,
                            IssueKind::PhishingReport | IssueKind::StoreUnavailable | IssueKind::Other
                        ),
                        "{subject}"
                    );
                    continue;
                };
                let order = shop.orders.iter().find(|o| o.id == order_id).expect("a known order");
                assert_eq!(Some(order.customer_id), new_case.customer_id);
                assert!(new_case.first_message.body.contains(&order.number) || subject.contains(&order.number));
                assert!(sample.opened_at >= last_event(order), "{subject}");
                let stage = order.fulfilment_stage();
                let status = order.shipments[0].status;
                use IssueKind::*;
                match new_case.kind {
                    CancelOrder | ChangeShippingAddress | ChangeOrderItems => {
                        assert!(stage <= FulfilmentStage::Packed, "{subject}: {stage:?}")
                    }
                    NotReceived => assert!(
                        matches!(
                            status,
                            ShipmentStatus::Lost
                                | ShipmentStatus::InTransit
                                | ShipmentStatus::Delivered
                                | ShipmentStatus::ReturnedToSender
                        ),
                        "{subject}: {status:?}"
                    ),
                    OrderStatus => assert!(status != ShipmentStatus::Delivered, "{subject}"),
                    DamagedInTransit | WrongItemReceived | MissingItem | NotAsDescribed | DefectiveItem
                    | ReturnRequest | ExchangeRequest => {
                        assert_eq!(stage, FulfilmentStage::Delivered, "{subject}")
                    }
                    RefundStatus => assert!(order.payments.iter().any(|p| p.refunded.amount_minor > 0), "{subject}"),
                    WrongCharge => assert_eq!(order.payments.len(), 2, "{subject}"),
                    PaymentNotReflected => {
                        assert!(order.payments.iter().all(|p| p.captured.amount_minor == 0), "{subject}")
                    }
                    _ => {}
                }
            }
        }
    }

    #[test]
    fn everything_happened_in_the_past_and_in_order() {
        for (shop, now) in shops() {
            assert!(shop.store.created_at < now);
            for sample in &shop.cases {
                assert!(sample.opened_at < now);
                let mut previous = sample.opened_at;
                for follow_up in &sample.follow_ups {
                    let at = follow_up_at(follow_up);
                    assert!(at > sample.opened_at && at >= previous && at <= now, "{}", sample.new_case.subject);
                    previous = at;
                }
            }
            assert!(shop.cases.windows(2).all(|w| w[0].opened_at <= w[1].opened_at));
            for order in &shop.orders {
                for payment in &order.payments {
                    assert!(payment.created_at >= order.placed_at && payment.created_at <= now);
                }
            }
        }
    }

    #[test]
    fn ids_are_unique() {
        for (shop, _) in shops() {
            let mut ids = BTreeSet::new();
            ids.insert(shop.store.id.as_uuid());
            ids.extend(shop.customers.iter().map(|c| c.id.as_uuid()));
            for order in &shop.orders {
                ids.insert(order.id.as_uuid());
                ids.extend(order.payments.iter().map(|p| p.id.as_uuid()));
                ids.extend(order.shipments.iter().map(|s| s.id.as_uuid()));
            }
            for sample in &shop.cases {
                ids.insert(sample.new_case.id.as_uuid());
                ids.insert(sample.new_case.first_message.id.as_uuid());
                for follow_up in &sample.follow_ups {
                    if let FollowUp::Message { message } = follow_up {
                        ids.insert(message.id.as_uuid());
                    }
                }
            }
            let count = 1
                + shop.customers.len()
                + shop.orders.iter().map(|o| 1 + o.payments.len() + o.shipments.len()).sum::<usize>()
                + shop
                    .cases
                    .iter()
                    .map(|c| 2 + c.follow_ups.iter().filter(|f| matches!(f, FollowUp::Message { .. })).count())
                    .sum::<usize>();
            assert_eq!(ids.len(), count);
            assert!(ids.iter().all(|id| id.get_version_num() == 7));
        }
    }

    #[test]
    fn lines_offer_their_other_variants_with_stock() {
        let shop = sample_shop(7, datetime!(2026-11-20 12:00 UTC));
        let lines: Vec<&OrderLine> = shop.orders.iter().flat_map(|o| &o.lines).collect();
        let with_variants = lines.iter().filter(|l| !l.other_variants.is_empty()).count();
        assert!(with_variants * 2 > lines.len(), "most lines have sizes or colours to exchange for");
        let sold_out = lines.iter().flat_map(|l| &l.other_variants).filter(|v| v.in_stock == 0).count();
        assert!(sold_out > 0, "some variants are sold out, as in a real shop");
        for line in lines {
            assert!(line.other_variants.iter().all(|v| v.sku != line.sku && v.unit_price == line.unit_price));
        }
    }

    #[test]
    fn deterministic_for_a_seed() {
        assert_eq!(sample_shop(42, NOW), sample_shop(42, NOW));
        assert_ne!(sample_shop(42, NOW), sample_shop(43, NOW));
    }

    #[test]
    fn other_seeds_and_times_build_valid_shops_too() {
        for seed in 0..12 {
            let now = NOW + Duration::hours(seed as i64 * 37);
            let shop = build(seed, now).unwrap();
            for order in &shop.orders {
                order.validate().unwrap();
            }
            let cases = replayed(&shop);
            assert!(cases.iter().filter(|c| !c.status.is_done()).count() >= 45);
            let statuses: BTreeSet<ShipmentStatus> =
                shop.orders.iter().flat_map(|o| &o.shipments).map(|s| s.status).collect();
            assert_eq!(statuses.len(), ShipmentStatus::ALL.len(), "seed {seed}");
        }
    }

    #[test]
    fn s10_numbers_carry_a_valid_check_digit() {
        let mut rng = StdRng::seed_from_u64(1);
        // The UPU's own example, RA 47312482 9 GB.
        assert_eq!(s10_check_digit(&[4, 7, 3, 1, 2, 4, 8, 2]), 9);
        let number = s10(&mut rng, "TT", "GB");
        assert_eq!(number.len(), 13);
        assert!(number.starts_with("TT") && number.ends_with("GB"));
    }
}
