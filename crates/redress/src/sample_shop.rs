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
//! The tables are data, not code: markets, catalogue and case scripts are TOML files under
//! `crates/redress/data/sample_shop/`, and what agents and customers write afterwards is Fluent
//! (`data/sample_shop/locales/*/replies.ftl`), all compiled into the binary. This file reads
//! them and holds the small generators that combine them, then the tests.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::LazyLock;

use anyhow::{Context, anyhow};
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use redress_domain::approval::Role;
use redress_domain::{
    Actor, Address, Attachment, Case, CaseChange, CaseError, CaseId, CaseStatus, Channel, Currency, Customer,
    CustomerId, Direction, EmailAddress, EscalationSignal, IssueKind, LanguageTag, Message, MessageId, Money, NewCase,
    Order, OrderId, OrderLine, Payment, PaymentId, PaymentStatus, Sentiment, Shipment, ShipmentId, ShipmentLine,
    ShipmentStatus, StockedVariant, Store, StoreId, StoreSlug, TimeStamp,
};
use serde::Deserialize;
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

/// One country the shop sells to (a `[[market]]` of `data/sample_shop/markets.toml`).
#[derive(Deserialize)]
struct Market {
    country: String,
    language: String,
    currency: String,
    /// How many customers live there.
    customers: usize,
    first_names: Vec<String>,
    /// `Kowalski/Kowalska` gives the male and female form.
    last_names: Vec<String>,
    /// Spanish-speaking countries write both surnames.
    two_surnames: bool,
    /// City, postal code, region, district (colonia, bairro, kelurahan), "" when not used.
    places: Vec<(String, String, String, String)>,
    streets: Vec<String>,
    email_domains: Vec<String>,
    carriers: Vec<String>,
    /// Payment methods, repeated to weight them.
    methods: Vec<String>,
    /// Hours from "in transit" to "delivered".
    delivery_hours: (i64, i64),
}

/// The sample's tables, kept as data files beside the crate and compiled into the binary: the
/// markets, the catalogue and the case scripts. Replies are Fluent messages ([`REPLIES`]).
#[derive(Deserialize)]
struct Tables {
    #[serde(rename = "market")]
    markets: Vec<Market>,
    #[serde(rename = "product")]
    catalogue: Vec<Product>,
    #[serde(rename = "case")]
    cases: Vec<CaseSpec>,
}

/// The three tables of [`Tables`], each a TOML file.
const TABLE_FILES: [(&str, &str); 3] = [
    ("markets.toml", include_str!("../data/sample_shop/markets.toml")),
    ("catalogue.toml", include_str!("../data/sample_shop/catalogue.toml")),
    ("cases.toml", include_str!("../data/sample_shop/cases.toml")),
];

static TABLES: LazyLock<Result<Tables, String>> = LazyLock::new(|| {
    let mut merged = toml::Table::new();
    for (name, text) in TABLE_FILES {
        let table: toml::Table = toml::from_str(text).map_err(|e| format!("data/sample_shop/{name}: {e}"))?;
        merged.extend(table);
    }
    let tables = Tables::deserialize(merged).map_err(|e| format!("data/sample_shop: {e}"))?;
    for market in &tables.markets {
        let lists = [
            &market.first_names,
            &market.last_names,
            &market.streets,
            &market.email_domains,
            &market.carriers,
            &market.methods,
        ];
        if market.places.is_empty() || lists.iter().any(|list| list.is_empty()) {
            return Err(format!("markets.toml: every list of market {} needs at least one entry", market.country));
        }
    }
    if tables.catalogue.is_empty() || tables.cases.is_empty() {
        return Err("catalogue.toml and cases.toml need at least one product and one case".to_owned());
    }
    Ok(tables)
});

/// The sample's tables, read once: [`build`] starts here, so the accessors below only run
/// once the tables are known to be good.
fn tables() -> anyhow::Result<&'static Tables> {
    TABLES.as_ref().map_err(|e| anyhow!("the sample shop's tables are broken: {e}"))
}

fn markets() -> &'static [Market] {
    TABLES.as_ref().map_or(&[], |t| t.markets.as_slice())
}

fn catalogue() -> &'static [Product] {
    TABLES.as_ref().map_or(&[], |t| t.catalogue.as_slice())
}

fn case_specs() -> &'static [CaseSpec] {
    TABLES.as_ref().map_or(&[], |t| t.cases.as_slice())
}

/// The size runs that make a product a garment (see [`is_garment`]).
const GARMENT_SIZES: [&[&str]; 3] =
    [&["XS", "S", "M", "L", "XL", "XXL"], &["XS", "S", "M", "L", "XL"], &["28", "30", "32", "34", "36"]];

// What agents and customers write after the first message, per language
// (`data/sample_shop/locales/*/replies.ftl`), with the case's facts as arguments.
fluent_templates::static_loader! {
    static REPLIES = {
        locales: "./data/sample_shop/locales",
        fallback_language: "en",
        // Plain text in messages: no bidi isolation marks around the arguments.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

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
#[derive(Deserialize)]
struct Product {
    code: String,
    title: String,
    category: String,
    /// Price in EUR cents; other currencies follow a price list derived from it.
    eur_cents: i64,
    #[serde(default)]
    sizes: Vec<String>,
    #[serde(default)]
    colours: Vec<String>,
}

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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
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
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Item {
    /// Whatever was ordered.
    Any,
    /// A garment with letter or waist sizes and more than one colour.
    Apparel,
    /// This product.
    Product(String),
    /// The order has at least two lines; the customer writes about the last one.
    Several,
}

/// One case in the sample, as a `[[case]]` of `data/sample_shop/cases.toml`. Bodies and
/// subjects use placeholders such as `{order}`, `{item}`, `{size}`, `{amount}` and
/// `{tracking}`, filled from the order the case is attached to.
#[derive(Deserialize)]
struct CaseSpec {
    language: String,
    country: Option<String>,
    kind: IssueKind,
    need: Need,
    item: Item,
    channel: Channel,
    sentiment: Sentiment,
    #[serde(default)]
    escalation: Vec<EscalationSignal>,
    outcome: CaseStatus,
    carrier: Option<String>,
    method: Option<String>,
    #[serde(default)]
    attachments: Vec<String>,
    /// An answer written for this case instead of the kind's usual reply.
    reply: Option<String>,
    subject: String,
    body: String,
}

use CaseStatus::{Closed, Open, Resolved, WaitingOnCustomer, WaitingOnThirdParty};
use EscalationSignal::{Chargeback, Legal};

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

    /// The family's part of the message ids in `replies.ftl`.
    fn key(self) -> &'static str {
        match self {
            Family::Photos => "photos",
            Family::Trace => "trace",
            Family::Amend => "amend",
            Family::Invoice => "invoice",
            Family::Returns => "returns",
            Family::Warehouse => "warehouse",
            Family::Money => "money",
            Family::Security => "security",
            Family::Outage => "outage",
            Family::General => "general",
        }
    }

    /// True when the agent's reply asks the customer for something.
    fn asks_customer(self) -> bool {
        matches!(self, Family::Photos | Family::Amend | Family::Invoice | Family::Returns)
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
    /// The row of [`case_specs`] about this order.
    spec: Option<usize>,
}

type Vars = Vec<(&'static str, String)>;

fn build(seed: u64, now: OffsetDateTime) -> anyhow::Result<SampleShop> {
    tables()?;
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
    for (index, spec) in case_specs().iter().enumerate() {
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

    let mut cases = Vec::with_capacity(case_specs().len());
    for (plan, order) in plans.iter().zip(&orders) {
        if let Some(index) = plan.spec {
            let about = Some((order, plan.focus));
            cases.push(make_case(&mut rng, &case_specs()[index], about, &buyers[plan.buyer], store.id, now)?);
        }
    }
    for (index, buyer) in without_order {
        cases.push(make_case(&mut rng, &case_specs()[index], None, &buyers[buyer], store.id, now)?);
    }
    cases.sort_by_key(|case| case.opened_at);

    Ok(SampleShop { store, customers: buyers.into_iter().map(|buyer| buyer.customer).collect(), orders, cases })
}

// ----- customers -----

fn make_buyers(rng: &mut StdRng, store_id: StoreId, now: OffsetDateTime) -> anyhow::Result<Vec<Buyer>> {
    let mut taken = HashSet::new();
    let mut buyers = Vec::new();
    for market in markets() {
        for _ in 0..market.customers {
            let first = pick(rng, &market.first_names).as_str();
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
                language: Some(LanguageTag::parse(&market.language)?),
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
        let name = pick(rng, &market.last_names).as_str();
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
    let domain = pick(rng, &market.email_domains).as_str();
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
    let (city, postal_code, region, district) = pick(rng, &market.places);
    let street = pick(rng, &market.streets).as_str();
    let mut lines = street_lines(rng, &market.country, street);
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
                method: pick(rng, &market.methods).as_str(),
                carrier: pick(rng, &market.carriers).as_str(),
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
        let product =
            if rng.random_bool(0.6) { rng.random_range(0..18) } else { rng.random_range(0..catalogue().len()) };
        if lines.iter().all(|line| line.product != product) {
            lines.push(planned_line(rng, product));
        }
    }
    lines
}

fn planned_line(rng: &mut StdRng, product: usize) -> PlannedLine {
    let p = &catalogue()[product];
    let colour = (!p.colours.is_empty()).then(|| rng.random_range(0..p.colours.len()));
    let size = (!p.sizes.is_empty()).then(|| {
        // Middle sizes sell most.
        let a = rng.random_range(0..p.sizes.len());
        let b = rng.random_range(0..p.sizes.len());
        (a + b).div_ceil(2)
    });
    let quantity = if matches!(p.code.as_str(), "NW-TEE-ORG" | "NW-SOCK-HIK" | "NW-BOXER-3PK") && rng.random_bool(0.25)
    {
        2
    } else {
        1
    };
    PlannedLine { product, colour, size: size.map(|s| s.min(p.sizes.len().saturating_sub(1))), quantity }
}

/// A garment with letter or waist sizes in more than one colour.
fn is_garment(product: &Product) -> bool {
    product.category == "apparel"
        && product.colours.len() > 1
        && GARMENT_SIZES.iter().any(|run| run.iter().copied().eq(product.sizes.iter().map(String::as_str)))
}

fn product_index(code: &str) -> Option<usize> {
    catalogue().iter().position(|p| p.code == code)
}

fn buyer_fits(buyer: &Buyer, spec: &CaseSpec) -> bool {
    buyer.market.language == spec.language && spec.country.as_ref().is_none_or(|c| *c == buyer.market.country)
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
                && spec.method.as_ref().is_none_or(|m| buyers[plan.buyer].market.methods.contains(m))
        })
    })
}

/// Puts an order into the state its case needs: the right age, parcel status, payments and item.
fn shape_plan(rng: &mut StdRng, plan: &mut Plan, index: usize, now: OffsetDateTime) {
    let spec = &case_specs()[index];
    plan.spec = Some(index);
    if let Some(method) = &spec.method {
        plan.method = method;
    }
    if let Some(carrier) = &spec.carrier {
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

    match &spec.item {
        Item::Any => plan.focus = 0,
        Item::Product(code) => put_first(rng, plan, product_index(code).unwrap_or(0)),
        Item::Apparel => match plan.lines.iter().position(|l| is_garment(&catalogue()[l.product])) {
            Some(i) => plan.focus = i,
            None => {
                let garments: Vec<usize> = (0..catalogue().len()).filter(|&i| is_garment(&catalogue()[i])).collect();
                let product = garments.get(rng.random_range(0..garments.len().max(1))).copied().unwrap_or(0);
                put_first(rng, plan, product);
            }
        },
        Item::Several => {
            while plan.lines.len() < 2 {
                let product = rng.random_range(0..catalogue().len());
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
        let sizes = catalogue()[line.product].sizes.len();
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
    let currency = Currency::from_code(&buyer.market.currency)?;
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
    let product = &catalogue()[line.product];
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
    (0..len).map(|_| char::from(*pick(rng, alphabet))).collect()
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
    let agent = agent_for(&spec.language);
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
        body: fill(&spec.body, &vars),
        attachments: attachments(rng, &spec.attachments),
        created_at: opened_at,
    };
    let new_case = NewCase {
        id,
        store_id,
        order_id: about.map(|(order, _)| order.id),
        customer_id: Some(buyer.customer.id),
        customer_email: Some(email),
        subject: fill(&spec.subject, &vars),
        kind: spec.kind,
        language: LanguageTag::parse(&spec.language)?,
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
    let country = buyer.market.country.as_str();
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
    let sizes = catalogue().iter().find(|p| p.title == line.title).map_or(&[][..], |p| p.sizes.as_slice());
    let other_size = match sizes.iter().position(|s| *s == size) {
        Some(i) if i + 1 < sizes.len() => sizes[i + 1].as_str(),
        Some(i) if i > 0 => sizes[i - 1].as_str(),
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
    if let Some((_, name)) = FULL_NAMES.iter().find(|(l, _)| *l == login) {
        return (*name).to_owned();
    }
    let mut chars = login.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// The full names of the members who sign in to the demo's desk: the team list, the cases
/// assigned to them and the timeline all name them so.
pub(crate) const FULL_NAMES: [(&str, &str); 3] =
    [("ana", "Ana Souza"), ("leo", "Leo Kowalski"), ("olga", "Olga Nowak")];

/// What is written on a case after its first message, from [`REPLIES`]: `what` is
/// `agent-reply`, `customer-answer` or `internal-note` (notes are in English, the team's working
/// language), for the family of the case, with the case's facts as arguments.
fn written(what: &str, family: Family, language: &str, vars: &Vars) -> String {
    let id: LanguageIdentifier = language.parse().unwrap_or_default();
    let args: HashMap<Cow<'static, str>, FluentValue<'_>> =
        vars.iter().map(|(name, value)| (Cow::Borrowed(*name), FluentValue::from(value.clone()))).collect();
    REPLIES.lookup_with_args(&id, &format!("{what}-{}", family.key()), &args)
}

/// Replaces every `{name}` in `template` by its value.
fn fill(template: &str, vars: &Vars) -> String {
    vars.iter().fold(template.to_owned(), |text, (name, value)| text.replace(&format!("{{{name}}}"), value))
}

fn attachments(rng: &mut StdRng, files: &[impl AsRef<str>]) -> Vec<Attachment> {
    files
        .iter()
        .map(|file| {
            let file = file.as_ref();
            let (content_type, size) = match file.rsplit('.').next() {
                Some("pdf") => ("application/pdf", rng.random_range(60_000..400_000)),
                Some("png") => ("image/png", rng.random_range(150_000..900_000)),
                _ => ("image/jpeg", rng.random_range(400_000..3_500_000)),
            };
            Attachment { filename: file.to_owned(), content_type: content_type.to_owned(), size_bytes: size }
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
    let agent = agent_for(&spec.language);
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
    let agent_login = agent_for(&spec.language);
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
                let body = match &spec.reply {
                    Some(template) => fill(template, vars),
                    None => written("agent-reply", family, &spec.language, vars),
                };
                message(rng, Direction::Outbound, &agent, body, &[])
            }
            Step::Answer => {
                let files: &[&str] =
                    if family == Family::Photos { &["IMG_4417.jpg", "IMG_4418.jpg", "IMG_4420.jpg"] } else { &[] };
                let body = written("customer-answer", family, &spec.language, vars);
                message(rng, Direction::Inbound, &customer, body, files)
            }
            Step::Note => {
                FollowUp::Note { body: written("internal-note", family, "en", vars), actor: agent.clone(), at }
            }
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

/// One of `items`, at random (the tables' lists are checked to be non-empty when read).
fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
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
    fn every_reply_is_written_in_every_language() {
        let families = [
            Family::Photos,
            Family::Trace,
            Family::Amend,
            Family::Invoice,
            Family::Returns,
            Family::Warehouse,
            Family::Money,
            Family::Security,
            Family::Outage,
            Family::General,
        ];
        // Every argument any message names, so a lookup fails only for a missing message.
        let files = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample_shop/locales");
        let mut names = BTreeSet::new();
        for language in std::fs::read_dir(&files).unwrap() {
            let text = std::fs::read_to_string(language.unwrap().path().join("replies.ftl")).unwrap();
            for piece in text.split("{ $").skip(1) {
                names.insert(piece.split(' ').next().unwrap().to_owned());
            }
        }
        assert!(names.contains("order"), "{names:?}");
        let args: HashMap<Cow<'static, str>, FluentValue<'_>> =
            names.into_iter().map(|name| (Cow::Owned(name), FluentValue::from("x"))).collect();
        for language in ["en", "es", "pt", "pl", "id"] {
            let id: LanguageIdentifier = language.parse().unwrap();
            for family in families {
                let mut keys =
                    vec![format!("agent-reply-{}", family.key()), format!("customer-answer-{}", family.key())];
                if language == "en" {
                    keys.push(format!("internal-note-{}", family.key()));
                }
                for key in keys {
                    let text = REPLIES.try_lookup_with_args(&id, &key, &args);
                    assert!(text.is_some_and(|text| !text.trim().is_empty()), "{language}: {key}");
                }
            }
        }
        // Arguments are filled in, in the customer's language.
        let vars: Vars =
            vec![("first", "Ana".to_owned()), ("order", "NW-10101".to_owned()), ("agent", "Maria".to_owned())];
        let text = written("agent-reply", Family::Photos, "es", &vars);
        assert!(text.starts_with("Hola, Ana:") && text.contains("NW-10101") && text.contains("Maria"), "{text}");
    }

    #[test]
    fn catalogue_is_realistic() {
        assert!(catalogue().len() >= 30);
        let categories: BTreeSet<&str> = catalogue().iter().map(|p| p.category.as_str()).collect();
        for category in ["apparel", "footwear", "home", "electronics", "hygiene", "final_sale"] {
            assert!(categories.contains(category), "{category}");
        }
        let mut skus = BTreeSet::new();
        for (i, p) in catalogue().iter().enumerate() {
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
        for spec in case_specs() {
            if let Item::Product(code) = &spec.item {
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
            let keys: BTreeSet<(&str, IssueKind)> =
                case_specs().iter().map(|s| (s.language.as_str(), s.kind)).collect();
            assert_eq!(keys.len(), case_specs().len());
            for (sample, case) in shop.cases.iter().zip(&cases) {
                let spec =
                    case_specs().iter().find(|s| s.kind == case.kind && s.language == case.language.as_str()).unwrap();
                assert_eq!(case.status, spec.outcome, "{}", case.subject);
                assert_eq!(sample.follow_ups.is_empty(), spec.outcome == CaseStatus::New);
                assert!(case.assignee.is_some() || case.status == CaseStatus::New);
                // Assigned to a member of the team as the team list names them.
                if let Some(assignee) = &case.assignee {
                    assert!(
                        TEAM.iter().any(|(login, _)| team_member(case.store_id, login) == *assignee),
                        "{assignee:?}"
                    );
                }
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
