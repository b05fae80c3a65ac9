//! Orders from a CSV file, for shops on platforms Redress does not connect to.
//!
//! # Format
//!
//! UTF-8, comma-separated, a header row naming the columns (any order, case-insensitive), then
//! **one row per order line**. Rows with the same `order_number` are one order; the order's
//! columns (everything but the line's) are read from its first row and may be repeated or left
//! empty on its other rows, but not changed.
//!
//! | column | required | meaning |
//! | --- | --- | --- |
//! | `order_number` | yes | the shop's order number (1–64 characters) |
//! | `placed_at` | yes | RFC 3339, e.g. `2026-11-01T10:00:00Z` |
//! | `customer_email` | yes | the customer's email |
//! | `customer_name` | yes | the customer's name |
//! | `currency` | yes | ISO 4217, e.g. `EUR`; every amount of the order is in it |
//! | `sku` | yes | the line's SKU |
//! | `title` | yes | the product's title |
//! | `variant` | no | attributes as `size=M;colour=red` |
//! | `quantity` | yes | units, at least 1 |
//! | `unit_price` | yes | one unit's price, a decimal with at most the currency's decimals (`19.99`; `1500` for JPY) |
//! | `ship_name`, `ship_line1`, `ship_city`, `ship_postal_code`, `ship_country` | yes | the shipping address (`ship_country`: two letters, e.g. `PL`) |
//! | `ship_line2`, `ship_region` | no | more of the address |
//! | `payment_provider`, `payment_reference`, `payment_method`, `payment_captured` | no, all or none | the payment: provider (`stripe`), its reference (`ch_…`), the method (`card`), the amount captured |
//! | `payment_refunded` | no | refunded so far (0 if empty) |
//! | `shipment_carrier` | no | a parcel with every line of the order, sent with this carrier |
//! | `shipment_tracking` | no | its tracking number |
//! | `shipment_status` | no | `pending`, `packed`, `handed_to_carrier` (the default), `in_transit`, `delivered`, `lost`, `returned_to_sender` |
//!
//! An example is in `src/shop/fixtures/orders.csv`.
//!
//! # All or nothing
//!
//! [`import_orders`] reads every row and returns the orders **only if every row is good**;
//! otherwise it returns [`CsvError::Rejected`] with **every** rejected row, its line in the
//! file (the header is line 1) and the reason, and no order at all: the caller has nothing it
//! could half-import. A problem with a whole order (say, its lines' total overflows) is
//! reported at the order's first line.
//!
//! # Bounds
//!
//! [`CsvLimits`]: the file's size, the rows, a field's length and an order's lines are bounded
//! before they are used.

use std::collections::{BTreeMap, HashMap};

use redress_domain::{Address, Currency, Money, ShipmentLine, ShipmentStatus, StoreId};
use time::OffsetDateTime;
use uuid::Uuid;

use super::amount::parse_amount;
use super::draft::{MAX_LINES, currency_of, rfc3339};
use super::{ImportedOrder, LineDraft, OrderDraft, PaymentDraft, Platform, RemoteLine, ShipmentDraft};

/// How much a file may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CsvLimits {
    /// Bytes in the file.
    pub max_bytes: usize,
    /// Rows after the header.
    pub max_rows: usize,
    /// Characters in one field.
    pub max_field: usize,
}

impl Default for CsvLimits {
    /// 50 MiB, 200,000 rows, 1,000 characters a field.
    fn default() -> Self {
        Self { max_bytes: 50 * 1024 * 1024, max_rows: 200_000, max_field: 1000 }
    }
}

/// How far the import is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Rows read.
    pub done: usize,
    /// Rows in the file.
    pub total: usize,
}

/// A row refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RejectedRow {
    /// Its line in the file (the header is line 1).
    pub line: u64,
    /// Why, in words a person can act on.
    pub reason: String,
}

/// Why nothing was imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CsvError {
    /// The file is larger than the limit.
    #[error("the file is larger than {max} bytes")]
    TooLarge {
        /// The limit.
        max: usize,
    },
    /// More rows than the limit.
    #[error("the file has more than {max} rows")]
    TooManyRows {
        /// The limit.
        max: usize,
    },
    /// The header row is missing, lacks a required column or names an unknown one.
    #[error("line 1: {0}")]
    Header(String),
    /// Rows were refused; nothing is imported.
    #[error("{} rows refused, nothing imported", .0.len())]
    Rejected(Vec<RejectedRow>),
}

const REQUIRED: &[&str] = &[
    "order_number",
    "placed_at",
    "customer_email",
    "customer_name",
    "currency",
    "sku",
    "title",
    "quantity",
    "unit_price",
    "ship_name",
    "ship_line1",
    "ship_city",
    "ship_postal_code",
    "ship_country",
];

const OPTIONAL: &[&str] = &[
    "variant",
    "ship_line2",
    "ship_region",
    "payment_provider",
    "payment_reference",
    "payment_method",
    "payment_captured",
    "payment_refunded",
    "shipment_carrier",
    "shipment_tracking",
    "shipment_status",
];

/// The columns of the order itself (not of a line), checked for agreement across its rows.
const ORDER_COLUMNS: &[&str] = &[
    "placed_at",
    "customer_email",
    "customer_name",
    "currency",
    "ship_name",
    "ship_line1",
    "ship_line2",
    "ship_city",
    "ship_postal_code",
    "ship_region",
    "ship_country",
    "payment_provider",
    "payment_reference",
    "payment_method",
    "payment_captured",
    "payment_refunded",
    "shipment_carrier",
    "shipment_tracking",
    "shipment_status",
];

/// Column name → position.
struct Columns(HashMap<&'static str, usize>);

impl Columns {
    fn read(header: &csv::StringRecord) -> Result<Self, CsvError> {
        let mut map = HashMap::new();
        for (i, name) in header.iter().enumerate() {
            let name = name.trim().trim_start_matches('\u{feff}').to_ascii_lowercase();
            let Some(known) = REQUIRED.iter().chain(OPTIONAL).find(|c| **c == name) else {
                return Err(CsvError::Header(format!(
                    "unknown column `{}`; the columns are {}",
                    name.chars().take(40).collect::<String>(),
                    REQUIRED.iter().chain(OPTIONAL).copied().collect::<Vec<_>>().join(", ")
                )));
            };
            if map.insert(*known, i).is_some() {
                return Err(CsvError::Header(format!("the column `{known}` appears twice")));
            }
        }
        let missing: Vec<&str> = REQUIRED.iter().copied().filter(|c| !map.contains_key(c)).collect();
        if !missing.is_empty() {
            return Err(CsvError::Header(format!("missing columns: {}", missing.join(", "))));
        }
        Ok(Self(map))
    }

    fn get<'r>(&self, row: &'r csv::StringRecord, column: &str) -> &'r str {
        self.0.get(column).and_then(|i| row.get(*i)).unwrap_or("").trim()
    }
}

/// One good line row, and the order columns of its row.
struct Row {
    line: u64,
    fields: BTreeMap<&'static str, String>,
    sku: String,
    title: String,
    variant: BTreeMap<String, String>,
    quantity: u32,
    unit_price: String,
}

fn variant_of(text: &str) -> Result<BTreeMap<String, String>, String> {
    let mut variant = BTreeMap::new();
    for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()).take(20) {
        let (name, value) = part
            .split_once('=')
            .ok_or_else(|| format!("variant: `{part}` is not name=value (e.g. size=M;colour=red)"))?;
        let (name, value) = (super::draft::attribute_name(name), value.trim().to_owned());
        if name.is_empty() || value.is_empty() {
            return Err(format!("variant: `{part}` needs a name and a value"));
        }
        variant.insert(name, value);
    }
    Ok(variant)
}

fn read_row(columns: &Columns, record: &csv::StringRecord, line: u64, limits: &CsvLimits) -> Result<Row, String> {
    if let Some(long) = record.iter().position(|f| f.chars().count() > limits.max_field) {
        return Err(format!("field {} is longer than {} characters", long + 1, limits.max_field));
    }
    // The order's own columns may be empty on its later rows; they are checked on its first.
    for required in REQUIRED.iter().filter(|c| !ORDER_COLUMNS.contains(c)) {
        if columns.get(record, required).is_empty() {
            return Err(format!("`{required}` is empty"));
        }
    }
    let quantity = columns.get(record, "quantity");
    let quantity = quantity
        .parse::<u32>()
        .ok()
        .filter(|q| *q > 0)
        .ok_or_else(|| format!("quantity: `{quantity}` is not a whole number of at least 1"))?;
    let fields =
        ORDER_COLUMNS.iter().copied().chain(["order_number"]).map(|c| (c, columns.get(record, c).to_owned())).collect();
    Ok(Row {
        line,
        fields,
        sku: columns.get(record, "sku").to_owned(),
        title: columns.get(record, "title").to_owned(),
        variant: variant_of(columns.get(record, "variant"))?,
        quantity,
        unit_price: columns.get(record, "unit_price").to_owned(),
    })
}

fn status_of(text: &str) -> Result<ShipmentStatus, String> {
    if text.is_empty() {
        return Ok(ShipmentStatus::HandedToCarrier);
    }
    ShipmentStatus::ALL.iter().copied().find(|s| s.as_str() == text).ok_or_else(|| {
        let names: Vec<&str> = ShipmentStatus::ALL.iter().map(ShipmentStatus::as_str).collect();
        format!("shipment_status: `{text}` is not one of {}", names.join(", "))
    })
}

fn money(field: &str, text: &str, currency: Currency) -> Result<Money, String> {
    let amount = parse_amount(text, currency).map_err(|e| format!("{field}: {e}"))?;
    if amount.is_negative() {
        return Err(format!("{field}: cannot be negative"));
    }
    Ok(amount)
}

/// The order of a group of rows (the first row's order columns).
fn draft_of(number: &str, rows: &[Row]) -> Result<OrderDraft, Vec<RejectedRow>> {
    let first = rows.first().ok_or_else(|| vec![RejectedRow { line: 0, reason: "an order without rows".into() }])?;
    let at = |reason: String| vec![RejectedRow { line: first.line, reason }];
    let get = |c: &str| first.fields.get(c).map(String::as_str).unwrap_or("");
    let currency = currency_of(get("currency")).map_err(|e| at(format!("currency: {e}")))?;
    let mut lines = Vec::new();
    let mut bad = Vec::new();
    for row in rows {
        match money("unit_price", &row.unit_price, currency) {
            Err(reason) => bad.push(RejectedRow { line: row.line, reason }),
            Ok(unit_price) => lines.push(LineDraft {
                sku: row.sku.clone(),
                title: row.title.clone(),
                variant: row.variant.clone(),
                quantity: row.quantity,
                unit_price,
                remote: RemoteLine { line_id: None, variant_id: None },
            }),
        }
    }
    if !bad.is_empty() {
        return Err(bad);
    }
    let payment_columns = ["payment_provider", "payment_reference", "payment_method", "payment_captured"];
    let given = payment_columns.iter().filter(|c| !get(c).is_empty()).count();
    let payments = match given {
        0 => Vec::new(),
        4 => {
            let captured = money("payment_captured", get("payment_captured"), currency).map_err(at)?;
            let refunded = match get("payment_refunded") {
                "" => Money::zero(currency),
                text => money("payment_refunded", text, currency).map_err(at)?,
            };
            vec![PaymentDraft {
                provider: get("payment_provider").to_owned(),
                reference: get("payment_reference").to_owned(),
                method: get("payment_method").to_owned(),
                authorized: captured,
                captured,
                refunded,
                voided: false,
                created_at: None,
            }]
        }
        _ => return Err(at(format!("give all of {} or none", payment_columns.join(", ")))),
    };
    let shipments = match get("shipment_carrier") {
        "" => Vec::new(),
        carrier => vec![ShipmentDraft {
            remote_id: None,
            carrier: carrier.to_owned(),
            tracking_number: Some(get("shipment_tracking").to_owned()).filter(|t| !t.is_empty()),
            lines: lines.iter().map(|l| ShipmentLine { sku: l.sku.clone(), quantity: l.quantity }).collect(),
            status: status_of(get("shipment_status")).map_err(at)?,
            at: None,
        }],
    };
    let placed_at: OffsetDateTime =
        rfc3339("placed_at", get("placed_at")).map_err(|e| at(format!("{e}; write it like 2026-11-01T10:00:00Z")))?;
    let address = Address {
        name: get("ship_name").to_owned(),
        lines: [get("ship_line1"), get("ship_line2")]
            .into_iter()
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect(),
        city: get("ship_city").to_owned(),
        postal_code: get("ship_postal_code").to_owned(),
        region: Some(get("ship_region").to_owned()).filter(|r| !r.is_empty()),
        country: get("ship_country").to_ascii_uppercase(),
    };
    Ok(OrderDraft {
        platform: Platform::Csv,
        remote_id: number.to_owned(),
        number: number.to_owned(),
        email: get("customer_email").to_owned(),
        customer_name: get("customer_name").to_owned(),
        currency,
        lines,
        shipping_address: Some(address),
        billing_address: None,
        payments,
        shipments,
        placed_at,
        cancelled_at: None,
    })
}

fn reader(input: &[u8]) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(input)
}

/// Reads orders from `input` (see the module's format), calling `progress` after every row.
/// Returns every order, or — if any row is bad — every bad row and no order.
pub fn import_orders(
    input: &[u8],
    store_id: StoreId,
    ids: &mut dyn FnMut() -> Uuid,
    limits: &CsvLimits,
    progress: &mut dyn FnMut(Progress),
) -> Result<Vec<ImportedOrder>, CsvError> {
    if input.len() > limits.max_bytes {
        return Err(CsvError::TooLarge { max: limits.max_bytes });
    }
    // First pass: how many rows, for the progress bar and the row limit.
    let mut total = 0usize;
    let mut counting = reader(input);
    let mut record = csv::ByteRecord::new();
    while counting.read_byte_record(&mut record).unwrap_or(true) {
        total += 1;
        if total > limits.max_rows {
            return Err(CsvError::TooManyRows { max: limits.max_rows });
        }
    }
    let mut csv = reader(input);
    let header = csv.headers().map_err(|e| CsvError::Header(format!("the header row cannot be read: {e}")))?.clone();
    let columns = Columns::read(&header)?;
    let mut rejected = Vec::new();
    // Orders in the order of their first row; rows grouped under their number.
    let mut order_numbers: Vec<String> = Vec::new();
    let mut groups: HashMap<String, Vec<Row>> = HashMap::new();
    for (row, result) in csv.records().enumerate() {
        let done = row + 1;
        let record = match result {
            Ok(record) => record,
            Err(e) => {
                let line = e.position().map_or(0, csv::Position::line);
                let reason = match e.kind() {
                    csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
                        format!("{len} fields where the header has {expected_len}")
                    }
                    csv::ErrorKind::Utf8 { .. } => "not UTF-8 text".to_owned(),
                    _ => e.to_string(),
                };
                rejected.push(RejectedRow { line, reason });
                progress(Progress { done, total });
                continue;
            }
        };
        let line = record.position().map_or(0, csv::Position::line);
        match read_row(&columns, &record, line, limits) {
            Err(reason) => rejected.push(RejectedRow { line, reason }),
            Ok(row) => {
                let number = row.fields.get("order_number").cloned().unwrap_or_default();
                let group = groups.entry(number.clone()).or_default();
                let checked = match group.first() {
                    None => first_row_complete(&row),
                    Some(first) => check_agrees(first, &row),
                };
                match checked {
                    Err(reason) => rejected.push(RejectedRow { line, reason }),
                    Ok(()) if group.len() >= MAX_LINES => rejected
                        .push(RejectedRow { line, reason: format!("an order may have at most {MAX_LINES} lines") }),
                    Ok(()) => {
                        if group.is_empty() {
                            order_numbers.push(number);
                        }
                        group.push(row);
                    }
                }
            }
        }
        progress(Progress { done, total });
    }
    let mut orders = Vec::new();
    for number in order_numbers {
        let rows = groups.remove(&number).unwrap_or_default();
        let first_line = rows.first().map_or(0, |r| r.line);
        match draft_of(&number, &rows) {
            Err(rows) => rejected.extend(rows),
            Ok(draft) => match draft.build(store_id, ids) {
                Ok(order) => orders.push(order),
                Err(e) => rejected.push(RejectedRow { line: first_line, reason: format!("order {number}: {e}") }),
            },
        }
    }
    if rejected.is_empty() {
        Ok(orders)
    } else {
        rejected.sort_by_key(|r| r.line);
        Err(CsvError::Rejected(rejected))
    }
}

/// An order's first row carries every required column of the order.
fn first_row_complete(row: &Row) -> Result<(), String> {
    for required in REQUIRED.iter().filter(|c| ORDER_COLUMNS.contains(c)) {
        if row.fields.get(required).is_none_or(String::is_empty) {
            return Err(format!("`{required}` is empty on the order's first row"));
        }
    }
    Ok(())
}

/// A later row of an order may repeat its order columns or leave them empty, not change them.
fn check_agrees(first: &Row, row: &Row) -> Result<(), String> {
    for column in ORDER_COLUMNS {
        let (was, is) = (first.fields.get(column), row.fields.get(column));
        if let (Some(was), Some(is)) = (was, is)
            && !is.is_empty()
            && is != was
        {
            return Err(format!("{column} is `{is}` here but `{was}` on line {} of the same order", first.line));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const GOOD: &[u8] = include_bytes!("fixtures/orders.csv");

    fn ids() -> impl FnMut() -> Uuid {
        let mut n = 0u128;
        move || {
            n += 1;
            Uuid::from_u128(n)
        }
    }

    fn store() -> StoreId {
        StoreId::from_uuid(Uuid::from_u128(1000))
    }

    fn import(input: &[u8]) -> Result<Vec<ImportedOrder>, CsvError> {
        import_orders(input, store(), &mut ids(), &CsvLimits::default(), &mut |_| {})
    }

    #[test]
    fn the_example_file_imports_with_progress() {
        let mut seen = Vec::new();
        let orders = import_orders(GOOD, store(), &mut ids(), &CsvLimits::default(), &mut |p| seen.push(p)).unwrap();
        assert_eq!(orders.len(), 3);
        let first = &orders[0].order;
        assert_eq!(first.number, "NW-1001");
        assert_eq!(first.lines.len(), 2);
        assert_eq!(first.lines[0].variant.get("colour").map(String::as_str), Some("navy"));
        assert_eq!(first.payments[0].captured.amount_minor, 5998);
        assert_eq!(first.shipments[0].status, ShipmentStatus::InTransit);
        let yen = &orders[2].order;
        assert_eq!(yen.currency.code(), "JPY");
        assert_eq!(yen.lines[0].unit_price.amount_minor, 4500);
        assert_eq!(seen.last(), Some(&Progress { done: 4, total: 4 }));
        assert_eq!(seen.len(), 4);
    }

    #[test]
    fn every_bad_row_is_reported_with_its_line_and_nothing_is_imported() {
        let input = include_bytes!("fixtures/orders_bad.csv");
        let Err(CsvError::Rejected(rows)) = import(input) else { panic!("bad rows must refuse the file") };
        let lines: Vec<u64> = rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![3, 4, 5, 6, 7, 8, 9], "{rows:#?}");
        assert!(rows[0].reason.contains("quantity"), "{}", rows[0].reason);
        assert!(rows[1].reason.contains("unit_price"), "{}", rows[1].reason);
        assert!(rows[2].reason.contains("currency is `USD` here but `EUR`"), "{}", rows[2].reason);
        assert!(rows[3].reason.contains("fields where the header has"), "{}", rows[3].reason);
        assert!(rows[4].reason.contains("email"), "{}", rows[4].reason);
        assert!(rows[5].reason.contains("shipment_status"), "{}", rows[5].reason);
        assert!(rows[6].reason.contains("variant"), "{}", rows[6].reason);
    }

    #[test]
    fn headers_are_checked_first() {
        assert!(
            matches!(import(b"order_number,sku\n1,A\n"), Err(CsvError::Header(e)) if e.contains("missing columns"))
        );
        assert!(matches!(import(b"order_numbr\n"), Err(CsvError::Header(e)) if e.contains("unknown column")));
        assert!(matches!(import(b""), Err(CsvError::Header(_))));
    }

    #[test]
    fn limits_are_enforced_before_reading() {
        let tight = CsvLimits { max_bytes: 10, ..CsvLimits::default() };
        assert_eq!(import_orders(GOOD, store(), &mut ids(), &tight, &mut |_| {}), Err(CsvError::TooLarge { max: 10 }));
        let few = CsvLimits { max_rows: 2, ..CsvLimits::default() };
        assert_eq!(import_orders(GOOD, store(), &mut ids(), &few, &mut |_| {}), Err(CsvError::TooManyRows { max: 2 }));
        let short = CsvLimits { max_field: 5, ..CsvLimits::default() };
        assert!(
            matches!(import_orders(GOOD, store(), &mut ids(), &short, &mut |_| {}), Err(CsvError::Rejected(rows)) if rows.len() == 4)
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        /// Any bytes: an answer, never a panic.
        #[test]
        fn never_panics_on_bytes(input in proptest::collection::vec(any::<u8>(), 0..2000)) {
            let _ = import(&input);
        }

        /// The good file with one field replaced by anything: never a panic, and either every
        /// order or a list of rejected rows that are all real lines of the file.
        #[test]
        fn never_panics_on_a_damaged_file(row in 1usize..5, column in 0usize..25, value in "\\PC{0,30}") {
            let text = String::from_utf8(GOOD.to_vec()).unwrap();
            let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
            let mut fields: Vec<String> = lines[row].split(',').map(str::to_owned).collect();
            if column < fields.len() {
                fields[column] = value;
            }
            lines[row] = fields.join(",");
            match import(lines.join("\n").as_bytes()) {
                Ok(orders) => prop_assert!(!orders.is_empty()),
                Err(CsvError::Rejected(rows)) => {
                    prop_assert!(!rows.is_empty());
                    prop_assert!(rows.iter().all(|r| r.line >= 2 && r.line <= 5), "{:?}", rows);
                }
                Err(other) => prop_assert!(matches!(other, CsvError::Header(_)), "{other}"),
            }
        }
    }
}
