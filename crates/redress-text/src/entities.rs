//! Entity extraction: order numbers, amounts with currency, tracking numbers, email addresses,
//! sizes, colours and dates, in English, Spanish, Portuguese, Polish and Indonesian.
//!
//! Rule-based and linear in the input: hand-written scanners, no regular expressions.

use redress_domain::{Currency, Money};
use serde::Serialize;

use crate::text::{Token, WordPatterns, fold, tokenize};

/// What an entity is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    /// An order number such as `#10482` or `pedido 558211`.
    OrderNumber,
    /// An amount of money with its currency.
    Amount,
    /// A carrier tracking number.
    TrackingNumber,
    /// An email address.
    Email,
    /// A clothing or shoe size.
    Size,
    /// A colour, normalised to its English name.
    Colour,
    /// A calendar date.
    Date,
}

/// Something specific found in a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entity {
    /// What it is.
    pub kind: EntityKind,
    /// The text as written.
    pub text: String,
    /// Normalised value: the order number as written (upper case, no leading `#`), the bare
    /// tracking number (upper case, no dashes), the lower-cased email, `XL` or
    /// `42` for sizes, the English colour name, an ISO 8601 date (`--MM-DD` without a year),
    /// or the decimal amount followed by the currency code.
    pub value: String,
    /// Byte offset of the start in the message.
    pub start: usize,
    /// Byte offset of the end in the message.
    pub end: usize,
    /// For amounts: the money in integer minor units.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub money: Option<Money>,
}

/// A run of characters that may form a code, number or date: letters, digits and the
/// separators `# - / . , :`.
#[derive(Debug, Clone, Copy)]
struct Chunk<'a> {
    text: &'a str,
    start: usize,
    end: usize,
}

fn chunks(text: &str) -> Vec<Chunk<'_>> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let is_part = |c: char| c.is_alphanumeric() || matches!(c, '#' | '-' | '/' | '.' | ',' | ':' | '_');
    for (i, c) in text.char_indices() {
        match (is_part(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                push_chunk(text, s, i, &mut out);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        push_chunk(text, s, text.len(), &mut out);
    }
    out
}

fn push_chunk<'a>(text: &'a str, mut s: usize, mut e: usize, out: &mut Vec<Chunk<'a>>) {
    let trim = |c: char| matches!(c, '-' | '/' | '.' | ',' | ':' | '_');
    while let Some(c) = text[s..e].chars().next_back() {
        if trim(c) {
            e -= c.len_utf8();
        } else {
            break;
        }
    }
    while let Some(c) = text[s..e].chars().next() {
        if trim(c) {
            s += c.len_utf8();
        } else {
            break;
        }
    }
    if s < e {
        out.push(Chunk { text: &text[s..e], start: s, end: e });
    }
}

const ORDER_WORDS: &[&str] = &[
    "order",
    "orders",
    "purchase",
    "pedido",
    "pedidos",
    "compra",
    "encomenda",
    "zamowienie",
    "zamowienia",
    "zamowieniu",
    "zamowieniem",
    "pesanan",
    "ref",
    "reference",
    "referencia",
    "transaksi",
    "invoice",
    "orden",
    "ordernya",
    "pesananku",
    "pesanan saya",
];

/// Words that say "number" without saying of what: an order number unless a tracking word is near.
const NUMBER_WORDS: &[&str] = &["number", "numer", "nr", "no", "num", "numero", "nº", "n", "id", "codigo", "kode"];

const TRACKING_WORDS: &[&str] = &[
    "tracking",
    "track",
    "trackingu",
    "rastreio",
    "rastreamento",
    "rastreo",
    "seguimiento",
    "guia",
    "resi",
    "awb",
    "przesylki",
    "paczki",
    "przesylka",
    "sledzenia",
    "waybill",
    "shipment",
    "tracker",
    "rastreamento:",
];

const SIZE_WORDS: &[&str] = &[
    "size",
    "sized",
    "talla",
    "talle",
    "tamanho",
    "tam",
    "numeracao",
    "rozmiar",
    "rozmiaru",
    "rozmiarze",
    "rozm",
    "ukuran",
    "size nya",
    "nomor",
    "numer",
    "numero",
];

const LETTER_SIZES: &[&str] =
    &["xxs", "xs", "s", "m", "l", "xl", "xxl", "xxxl", "2xl", "3xl", "4xl", "5xl", "p", "g", "gg", "pp", "eg"];

/// Colour words (folded) and their English names. `*` marks a prefix (for Polish endings).
const COLOURS: &[(&str, &str)] = &[
    ("red", "red"),
    ("blue", "blue"),
    ("black", "black"),
    ("white", "white"),
    ("green", "green"),
    ("yellow", "yellow"),
    ("grey", "grey"),
    ("gray", "grey"),
    ("brown", "brown"),
    ("pink", "pink"),
    ("purple", "purple"),
    ("orange", "orange"),
    ("beige", "beige"),
    ("navy", "navy"),
    ("silver", "silver"),
    ("gold", "gold"),
    ("rojo", "red"),
    ("roja", "red"),
    ("rojos", "red"),
    ("rojas", "red"),
    ("azul", "blue"),
    ("azules", "blue"),
    ("negro", "black"),
    ("negra", "black"),
    ("negros", "black"),
    ("negras", "black"),
    ("blanco", "white"),
    ("blanca", "white"),
    ("blancos", "white"),
    ("blancas", "white"),
    ("verde", "green"),
    ("verdes", "green"),
    ("amarillo", "yellow"),
    ("amarilla", "yellow"),
    ("gris", "grey"),
    ("marron", "brown"),
    ("cafe", "brown"),
    ("rosa", "pink"),
    ("rosado", "pink"),
    ("rosada", "pink"),
    ("morado", "purple"),
    ("morada", "purple"),
    ("naranja", "orange"),
    ("vermelho", "red"),
    ("vermelha", "red"),
    ("preto", "black"),
    ("preta", "black"),
    ("branco", "white"),
    ("branca", "white"),
    ("amarelo", "yellow"),
    ("amarela", "yellow"),
    ("cinza", "grey"),
    ("cinzento", "grey"),
    ("marrom", "brown"),
    ("roxo", "purple"),
    ("roxa", "purple"),
    ("laranja", "orange"),
    ("bege", "beige"),
    ("dourado", "gold"),
    ("prateado", "silver"),
    ("czerwon*", "red"),
    ("niebiesk*", "blue"),
    ("czarn*", "black"),
    ("bial*", "white"),
    ("zielon*", "green"),
    ("zolt*", "yellow"),
    ("szar*", "grey"),
    ("brazow*", "brown"),
    ("rozow*", "pink"),
    ("fioletow*", "purple"),
    ("pomaranczow*", "orange"),
    ("bezow*", "beige"),
    ("granatow*", "navy"),
    ("srebrn*", "silver"),
    ("merah", "red"),
    ("biru", "blue"),
    ("hitam", "black"),
    ("putih", "white"),
    ("hijau", "green"),
    ("kuning", "yellow"),
    ("abu", "grey"),
    ("coklat", "brown"),
    ("cokelat", "brown"),
    ("ungu", "purple"),
    ("oranye", "orange"),
    ("oren", "orange"),
    ("krem", "beige"),
    ("emas", "gold"),
    ("perak", "silver"),
    ("dongker", "navy"),
];

/// Month names (folded) in the five languages, with their number.
const MONTHS: &[(&str, u32)] = &[
    ("january", 1),
    ("jan", 1),
    ("february", 2),
    ("feb", 2),
    ("march", 3),
    ("april", 4),
    ("apr", 4),
    ("may", 5),
    ("june", 6),
    ("jun", 6),
    ("july", 7),
    ("jul", 7),
    ("august", 8),
    ("aug", 8),
    ("september", 9),
    ("sep", 9),
    ("sept", 9),
    ("october", 10),
    ("oct", 10),
    ("november", 11),
    ("nov", 11),
    ("december", 12),
    ("dec", 12),
    ("enero", 1),
    ("febrero", 2),
    ("marzo", 3),
    ("abril", 4),
    ("mayo", 5),
    ("junio", 6),
    ("julio", 7),
    ("agosto", 8),
    ("septiembre", 9),
    ("setiembre", 9),
    ("octubre", 10),
    ("noviembre", 11),
    ("diciembre", 12),
    ("janeiro", 1),
    ("fevereiro", 2),
    ("marco", 3),
    ("maio", 5),
    ("junho", 6),
    ("julho", 7),
    ("setembro", 9),
    ("outubro", 10),
    ("novembro", 11),
    ("dezembro", 12),
    ("styczen", 1),
    ("stycznia", 1),
    ("luty", 2),
    ("lutego", 2),
    ("marzec", 3),
    ("marca", 3),
    ("kwiecien", 4),
    ("kwietnia", 4),
    ("maj", 5),
    ("maja", 5),
    ("czerwiec", 6),
    ("czerwca", 6),
    ("lipiec", 7),
    ("lipca", 7),
    ("sierpien", 8),
    ("sierpnia", 8),
    ("wrzesien", 9),
    ("wrzesnia", 9),
    ("pazdziernik", 10),
    ("pazdziernika", 10),
    ("listopad", 11),
    ("listopada", 11),
    ("grudzien", 12),
    ("grudnia", 12),
    ("januari", 1),
    ("februari", 2),
    ("maret", 3),
    ("mei", 5),
    ("juni", 6),
    ("juli", 7),
    ("agustus", 8),
    ("oktober", 10),
    ("desember", 12),
    ("agu", 8),
    ("okt", 10),
    ("des", 12),
];

/// [`SIZE_WORDS`] and [`LETTER_SIZES`], looked up by hash (they are checked for every word).
fn word_lists() -> &'static (WordPatterns<()>, WordPatterns<()>) {
    static LISTS: std::sync::OnceLock<(WordPatterns<()>, WordPatterns<()>)> = std::sync::OnceLock::new();
    let compile = |list: &[&'static str]| WordPatterns::new(list.iter().map(|w| (*w, ())));
    LISTS.get_or_init(|| (compile(SIZE_WORDS), compile(LETTER_SIZES)))
}

fn month_of(word: &str) -> Option<u32> {
    static MAP: std::sync::OnceLock<WordPatterns<u32>> = std::sync::OnceLock::new();
    MAP.get_or_init(|| WordPatterns::new(MONTHS.iter().copied())).get(word)
}

fn colour_of(word: &str) -> Option<&'static str> {
    static MAP: std::sync::OnceLock<WordPatterns<&'static str>> = std::sync::OnceLock::new();
    MAP.get_or_init(|| WordPatterns::new(COLOURS.iter().copied())).get(word)
}

/// Finds entities in `text`. `lang` (a BCP 47 primary tag) breaks ties such as `03/04/2025`.
pub fn extract(text: &str, lang: Option<&str>) -> Vec<Entity> {
    let tokens = tokenize(text);
    extract_with_tokens(text, &tokens, lang)
}

/// As [`extract`], reusing tokens already made.
pub fn extract_with_tokens(text: &str, tokens: &[Token], lang: Option<&str>) -> Vec<Entity> {
    let mut found: Vec<Entity> = Vec::new();
    emails(text, &mut found);
    let chunks = chunks(text);
    for (i, ch) in chunks.iter().enumerate() {
        if overlaps(&found, ch.start, ch.end) {
            continue;
        }
        if let Some(e) = numeric_date(ch, lang) {
            found.push(e);
            continue;
        }
        if let Some(e) = amount(text, &chunks, i) {
            found.push(e);
            continue;
        }
        if let Some(e) = code(&chunks, i) {
            found.push(e);
        }
    }
    words(text, tokens, &mut found);
    found.sort_by_key(|e| e.start);
    found
}

fn overlaps(found: &[Entity], start: usize, end: usize) -> bool {
    found.iter().any(|e| start < e.end && e.start < end)
}

fn emails(text: &str, found: &mut Vec<Entity>) {
    let bytes = text.as_bytes();
    let local = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-');
    let domain = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-');
    for (at, _) in text.match_indices('@') {
        let mut s = at;
        while s > 0 && local(bytes[s - 1]) {
            s -= 1;
        }
        let mut e = at + 1;
        while e < bytes.len() && domain(bytes[e]) {
            e += 1;
        }
        while e > at + 1 && matches!(bytes[e - 1], b'.' | b'-') {
            e -= 1;
        }
        while s < at && bytes[s] == b'.' {
            s += 1;
        }
        if s == at || e <= at + 1 || overlaps(found, s, e) {
            continue;
        }
        let dom = &text[at + 1..e];
        let Some((_, tld)) = dom.rsplit_once('.') else { continue };
        if tld.len() < 2 || !tld.bytes().all(|b| b.is_ascii_alphabetic()) || dom.starts_with('.') {
            continue;
        }
        found.push(Entity {
            kind: EntityKind::Email,
            text: text[s..e].to_owned(),
            value: text[s..e].to_ascii_lowercase(),
            start: s,
            end: e,
            money: None,
        });
    }
}

fn numeric_date(ch: &Chunk<'_>, lang: Option<&str>) -> Option<Entity> {
    let t = ch.text;
    let sep = if t.contains('/') {
        '/'
    } else if t.contains('-') {
        '-'
    } else if t.contains('.') {
        '.'
    } else {
        return None;
    };
    let parts: Vec<&str> = t.split(sep).collect();
    if parts.len() != 3 || !parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    let n: Vec<u32> = parts.iter().filter_map(|p| p.parse().ok()).collect();
    if n.len() != 3 {
        return None;
    }
    let (y, m, d) = if parts[0].len() == 4 {
        (n[0], n[1], n[2])
    } else if parts[2].len() == 4 || parts[2].len() == 2 {
        let y = if parts[2].len() == 2 { 2000 + n[2] } else { n[2] };
        if parts[0].len() > 2 || parts[1].len() > 2 {
            return None;
        }
        let month_first = n[1] > 12 || (n[0] <= 12 && lang == Some("en") && sep == '/');
        if month_first { (y, n[0], n[1]) } else { (y, n[1], n[0]) }
    } else {
        return None;
    };
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || !(1900..=2199).contains(&y) {
        return None;
    }
    Some(Entity {
        kind: EntityKind::Date,
        text: t.to_owned(),
        value: format!("{y:04}-{m:02}-{d:02}"),
        start: ch.start,
        end: ch.end,
        money: None,
    })
}

/// Currency markers: folded symbol or word, currency code, and whether it multiplies (Indonesian
/// `rb`/`ribu` = thousand, `jt`/`juta` = million).
const CURRENCY_BEFORE: &[(&str, &str)] = &[
    ("r$", "BRL"),
    ("us$", "USD"),
    ("mx$", "MXN"),
    ("$", "USD"),
    ("€", "EUR"),
    ("£", "GBP"),
    ("zł", "PLN"),
    ("rp", "IDR"),
    ("rp.", "IDR"),
    ("usd", "USD"),
    ("eur", "EUR"),
    ("pln", "PLN"),
    ("brl", "BRL"),
    ("idr", "IDR"),
    ("mxn", "MXN"),
    ("gbp", "GBP"),
    ("ars", "ARS"),
    ("cop", "COP"),
    ("clp", "CLP"),
    ("pen", "PEN"),
    ("s/", "PEN"),
];

const CURRENCY_AFTER: &[(&str, &str)] = &[
    ("€", "EUR"),
    ("eur", "EUR"),
    ("euro", "EUR"),
    ("euros", "EUR"),
    ("euro.", "EUR"),
    ("zł", "PLN"),
    ("zl", "PLN"),
    ("pln", "PLN"),
    ("zlotych", "PLN"),
    ("zlote", "PLN"),
    ("zloty", "PLN"),
    ("zlotys", "PLN"),
    ("usd", "USD"),
    ("dollars", "USD"),
    ("dollar", "USD"),
    ("dolares", "USD"),
    ("dolar", "USD"),
    ("dolarow", "USD"),
    ("reais", "BRL"),
    ("real", "BRL"),
    ("brl", "BRL"),
    ("rupiah", "IDR"),
    ("idr", "IDR"),
    ("pesos", "MXN"),
    ("mxn", "MXN"),
    ("gbp", "GBP"),
    ("pounds", "GBP"),
    ("libras", "GBP"),
    ("ars", "ARS"),
    ("cop", "COP"),
    ("clp", "CLP"),
    ("soles", "PEN"),
    ("$", "USD"),
    ("£", "GBP"),
];

fn is_number_text(t: &str) -> bool {
    !t.is_empty()
        && t.bytes().next().is_some_and(|b| b.is_ascii_digit())
        && t.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b',')
}

/// Reads `1.234,56`, `1,234.56`, `150.000`, `12,5` as (whole digits, fraction digits).
fn split_number(t: &str) -> Option<(String, String)> {
    let last_dot = t.rfind('.');
    let last_comma = t.rfind(',');
    let dec_pos = match (last_dot, last_comma) {
        (Some(d), Some(c)) => Some(d.max(c)),
        (Some(p), None) | (None, Some(p)) => {
            let sep = t.as_bytes()[p];
            let count = t.bytes().filter(|b| *b == sep).count();
            let after = t.len() - p - 1;
            if count == 1 && (1..=2).contains(&after) { Some(p) } else { None }
        }
        (None, None) => None,
    };
    let (whole, frac) = match dec_pos {
        Some(p) => (&t[..p], &t[p + 1..]),
        None => (t, ""),
    };
    let whole: String = whole.chars().filter(|c| c.is_ascii_digit()).collect();
    if whole.is_empty() || whole.len() > 15 || frac.contains(['.', ',']) {
        return None;
    }
    Some((whole, frac.to_owned()))
}

fn money_of(t: &str, code: &str, multiplier: u64) -> Option<Money> {
    let currency = Currency::from_code(code).ok()?;
    let (whole, mut frac) = split_number(t)?;
    let exp = usize::from(currency.exponent());
    if multiplier > 1 {
        // 1,5 juta = 1 500 000: fold the fraction into the whole.
        let w: u64 = whole.parse().ok()?;
        let f: u64 = if frac.is_empty() { 0 } else { frac.parse().ok()? };
        let scale = 10u64.checked_pow(frac.len() as u32)?;
        let total = w.checked_mul(multiplier)?.checked_add(f.checked_mul(multiplier)? / scale)?;
        return Money::parse_decimal(&total.to_string(), currency).ok();
    }
    frac.truncate(exp);
    let decimal = if frac.is_empty() { whole } else { format!("{whole}.{frac}") };
    Money::parse_decimal(&decimal, currency).ok()
}

fn amount(text: &str, chunks: &[Chunk<'_>], i: usize) -> Option<Entity> {
    let ch = chunks[i];
    // An amount's number is in this chunk, so it has a digit; most words have none, and the
    // checks below allocate.
    if !ch.text.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut start = ch.start;
    let mut end = ch.end;
    let mut num = ch.text;
    let mut code: Option<&str> = None;
    let mut multiplier = 1u64;
    // Glued suffixes: 150rb, 20zł (zł is letters, so it is in the chunk), 30eur.
    let folded = fold(num);
    for (suffix, mult, cur) in [
        ("rb", 1_000u64, Some("IDR")),
        ("ribu", 1_000, Some("IDR")),
        ("k", 1_000, None),
        ("jt", 1_000_000, Some("IDR")),
        ("juta", 1_000_000, Some("IDR")),
        ("zl", 1, Some("PLN")),
        ("eur", 1, Some("EUR")),
        ("usd", 1, Some("USD")),
        ("pln", 1, Some("PLN")),
    ] {
        if let Some(stripped) = folded.strip_suffix(suffix)
            && is_number_text(stripped)
        {
            num = &ch.text[..stripped.len()];
            multiplier = mult;
            code = cur;
            break;
        }
    }
    if !is_number_text(num) {
        return None;
    }
    let before = text[..ch.start].trim_end();
    let mut before_code = None;
    for (sym, c) in CURRENCY_BEFORE {
        let Some(sym_start) = before.len().checked_sub(sym.len()) else {
            continue;
        };
        if !before.is_char_boundary(sym_start) || before[sym_start..].to_lowercase() != *sym {
            continue;
        }
        {
            // A code word must stand alone ("rp 50", not "grp 50").
            let prev = before[..sym_start].chars().next_back();
            if sym.chars().all(|c| c.is_alphabetic()) && prev.is_some_and(|p| p.is_alphanumeric()) {
                continue;
            }
            before_code = Some((*c, sym_start));
            break;
        }
    }
    let after_word = chunks.get(i + 1).filter(|n| text[ch.end..n.start].trim().is_empty() && n.start - ch.end <= 2);
    let after_sym = text[ch.end..].trim_start().chars().next();
    if let Some((c, s)) = before_code
        && ch.start - before.len() <= 2
    {
        code = code.or(Some(c));
        start = s;
    } else if code.is_none() {
        if let Some(sym @ ('€' | '$' | '£')) = after_sym {
            code = CURRENCY_AFTER.iter().find(|(s, _)| s.starts_with(sym)).map(|(_, c)| *c);
            end = ch.end + text[ch.end..].find(sym).unwrap_or(0) + sym.len_utf8();
        } else if let Some(n) = after_word {
            let w = fold(n.text);
            let (w, mult) = match w.as_str() {
                "rb" | "ribu" => ("idr", 1_000),
                "jt" | "juta" => ("idr", 1_000_000),
                _ => (w.as_str(), 1),
            };
            if let Some((_, c)) = CURRENCY_AFTER.iter().find(|(s, _)| *s == w) {
                code = Some(c);
                multiplier = mult;
                end = n.end;
            }
        }
    }
    let code = code?;
    if multiplier == 1
        && let Some(n) = chunks.get(i + 1)
        && code == "IDR"
        && n.start - end <= 1
    {
        let w = fold(n.text);
        if w == "rb" || w == "ribu" {
            multiplier = 1_000;
            end = n.end;
        } else if w == "jt" || w == "juta" {
            multiplier = 1_000_000;
            end = n.end;
        }
    }
    let money = money_of(num, code, multiplier)?;
    let value = format!("{} {}", format_minor(&money), code);
    Some(Entity { kind: EntityKind::Amount, text: text[start..end].to_owned(), value, start, end, money: Some(money) })
}

fn format_minor(m: &Money) -> String {
    let exp = u32::from(m.currency.exponent());
    if exp == 0 {
        return m.amount_minor.to_string();
    }
    let scale = 10i64.pow(exp);
    let sign = if m.amount_minor < 0 { "-" } else { "" };
    let a = m.amount_minor.unsigned_abs();
    format!("{sign}{}.{:0width$}", a / scale as u64, a % scale as u64, width = exp as usize)
}

/// Words before chunk `i` (up to 3), folded, nearest first.
fn words_before(chunks: &[Chunk<'_>], i: usize) -> Vec<String> {
    let from = i.saturating_sub(3);
    chunks[from..i].iter().rev().map(|c| fold(c.text)).collect()
}

fn code(chunks: &[Chunk<'_>], i: usize) -> Option<Entity> {
    let ch = chunks[i];
    let raw = ch.text;
    // Every code below has a digit (most words have none, and the checks allocate).
    if !raw.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    let hashed = raw.starts_with('#');
    let bare: String = raw.trim_start_matches('#').chars().filter(|c| *c != '-' && *c != '_').collect();
    if bare.is_empty() || !bare.chars().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let digits = bare.bytes().filter(|b| b.is_ascii_digit()).count();
    let letters = bare.len() - digits;
    let upper = bare.to_ascii_uppercase();
    // Order numbers keep their dashes (shops look them up as written), minus a leading `#`.
    let as_written = raw.trim_start_matches('#').to_ascii_uppercase();
    let ub = upper.as_bytes();
    let entity = |kind: EntityKind, value: String| Entity {
        kind,
        text: raw.to_owned(),
        value,
        start: ch.start,
        end: ch.end,
        money: None,
    };
    // Universal postal (S10) and UPS formats.
    let s10 = ub.len() == 13
        && ub[..2].iter().all(u8::is_ascii_alphabetic)
        && ub[2..11].iter().all(u8::is_ascii_digit)
        && ub[11..].iter().all(u8::is_ascii_alphabetic);
    let ups = ub.len() == 18 && upper.starts_with("1Z");
    if s10 || ups {
        return Some(entity(EntityKind::TrackingNumber, upper));
    }
    if digits < 3 {
        return None;
    }
    let before = words_before(chunks, i);
    let (mut tracking_ctx, mut order_ctx, mut number_word) = (false, false, false);
    for w in &before {
        let w = w.trim_end_matches(['.', ':', '#']);
        if TRACKING_WORDS.contains(&w) {
            tracking_ctx = true;
            break;
        }
        if ORDER_WORDS.contains(&w) {
            order_ctx = true;
            break;
        }
        number_word |= NUMBER_WORDS.contains(&w);
    }
    order_ctx |= number_word && !tracking_ctx;
    if tracking_ctx && bare.len() >= 8 {
        return Some(entity(EntityKind::TrackingNumber, upper));
    }
    if hashed || order_ctx {
        if bare.len() <= 20 {
            return Some(entity(EntityKind::OrderNumber, as_written));
        }
        return None;
    }
    // Shop-style order codes: ORD-12345, PED-2024-0001.
    let prefix: String = raw.chars().take_while(|c| c.is_ascii_alphabetic()).collect::<String>().to_ascii_lowercase();
    if matches!(prefix.as_str(), "ord" | "order" | "ped" | "zam" | "inv" | "so" | "po") && digits >= 4 {
        return Some(entity(EntityKind::OrderNumber, as_written.clone()));
    }
    // A long bare number with no context: tracking numbers are long, order numbers shorter.
    if letters == 0 && (12..=22).contains(&digits) {
        return Some(entity(EntityKind::TrackingNumber, upper));
    }
    if letters == 0 && (5..=10).contains(&digits) {
        return Some(entity(EntityKind::OrderNumber, as_written.clone()));
    }
    None
}

fn words(text: &str, tokens: &[Token], found: &mut Vec<Entity>) {
    let make = |kind, a: &Token, b: &Token, value: String| Entity {
        kind,
        text: text[a.start..b.end].to_owned(),
        value,
        start: a.start,
        end: b.end,
        money: None,
    };
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        let w = t.folded.as_str();
        if overlaps(found, t.start, t.end) {
            i += 1;
            continue;
        }
        // Sizes: after a size word, a letter size or a number; on their own, unambiguous letters.
        if word_lists().0.get(w).is_some()
            && let Some(n) = tokens.get(i + 1)
            && !overlaps(found, n.start, n.end)
        {
            let v = n.folded.as_str();
            let numeric = v.parse::<u32>().is_ok_and(|x| (1..=60).contains(&x));
            let half = text[n.end..].starts_with(['.', ',']) && text.as_bytes().get(n.end + 1) == Some(&b'5');
            if word_lists().1.get(v).is_some() || numeric {
                let (end, value) =
                    if numeric && half { (n.end + 2, format!("{v}.5")) } else { (n.end, v.to_ascii_uppercase()) };
                found.push(Entity {
                    kind: EntityKind::Size,
                    text: text[n.start..end].to_owned(),
                    value,
                    start: n.start,
                    end,
                    money: None,
                });
                i += 2;
                continue;
            }
        }
        if matches!(w, "xxs" | "xs" | "xl" | "xxl" | "xxxl" | "2xl" | "3xl" | "4xl" | "5xl") {
            found.push(make(EntityKind::Size, t, t, w.to_ascii_uppercase()));
            i += 1;
            continue;
        }
        if let Some(c) = colour_of(w) {
            // "abu-abu" and "merah muda" (pink) in Indonesian.
            if w == "merah" && tokens.get(i + 1).is_some_and(|n| n.folded == "muda") {
                found.push(make(EntityKind::Colour, t, &tokens[i + 1], "pink".into()));
                i += 2;
                continue;
            }
            if w == "abu" && tokens.get(i + 1).is_some_and(|n| n.folded == "abu") {
                found.push(make(EntityKind::Colour, t, &tokens[i + 1], "grey".into()));
                i += 2;
                continue;
            }
            found.push(make(EntityKind::Colour, t, t, c.into()));
            i += 1;
            continue;
        }
        if let Some(e) = month_date(tokens, i, text, found) {
            let skip = tokens[i..].iter().take_while(|x| x.start < e.end).count().max(1);
            found.push(e);
            i += skip;
            continue;
        }
        i += 1;
    }
}

fn day_of(tok: &Token) -> Option<u32> {
    let w = tok.folded.as_str();
    let digits = w.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &w[digits.len()..];
    if !matches!(suffix, "" | "st" | "nd" | "rd" | "th" | "o" | "a" | "er") {
        return None;
    }
    let d: u32 = digits.parse().ok()?;
    (1..=31).contains(&d).then_some(d)
}

fn year_of(tok: Option<&Token>) -> Option<u32> {
    let t = tok?;
    let y: u32 = t.folded.parse().ok()?;
    (t.folded.len() == 4 && (1900..=2199).contains(&y)).then_some(y)
}

fn month_date(tokens: &[Token], i: usize, text: &str, found: &[Entity]) -> Option<Entity> {
    let date = |d: u32, m: u32, y: Option<u32>, a: &Token, b: &Token| {
        let value = match y {
            Some(y) => format!("{y:04}-{m:02}-{d:02}"),
            None => format!("--{m:02}-{d:02}"),
        };
        (!overlaps(found, a.start, b.end)).then(|| Entity {
            kind: EntityKind::Date,
            text: text[a.start..b.end].to_owned(),
            value,
            start: a.start,
            end: b.end,
            money: None,
        })
    };
    // 12 March [2025] / 12 de marzo [de 2025] / 12 marca 2025 / 12 Maret 2025
    if let Some(d) = day_of(&tokens[i]) {
        let mut j = i + 1;
        if tokens.get(j).is_some_and(|t| t.folded == "de" || t.folded == "of") {
            j += 1;
        }
        let m = tokens.get(j).and_then(|t| month_of(&t.folded))?;
        let mut k = j + 1;
        if tokens.get(k).is_some_and(|t| t.folded == "de") {
            k += 1;
        }
        return match year_of(tokens.get(k)) {
            Some(y) => date(d, m, Some(y), &tokens[i], &tokens[k]),
            None => date(d, m, None, &tokens[i], &tokens[j]),
        };
    }
    // March 12[, 2025]
    let m = month_of(&tokens[i].folded)?;
    let d = tokens.get(i + 1).and_then(day_of)?;
    match year_of(tokens.get(i + 2)) {
        Some(y) => date(d, m, Some(y), &tokens[i], &tokens[i + 2]),
        None => date(d, m, None, &tokens[i], &tokens[i + 1]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(text: &str, lang: &str, kind: EntityKind) -> Vec<String> {
        extract(text, Some(lang)).into_iter().filter(|e| e.kind == kind).map(|e| e.value).collect()
    }

    fn money(text: &str, lang: &str) -> Vec<(i64, String)> {
        extract(text, Some(lang))
            .into_iter()
            .filter_map(|e| e.money)
            .map(|m| (m.amount_minor, m.currency.code().to_owned()))
            .collect()
    }

    #[test]
    fn english() {
        let t = "Order #A10482 was charged $59.98 twice, tracking 1Z999AA10123456784. Size XL in navy, \
                 email me at Jane.Doe@example.com. Ordered on March 3rd, 2025.";
        assert_eq!(find(t, "en", EntityKind::OrderNumber), ["A10482"]);
        assert_eq!(money(t, "en"), [(5998, "USD".to_owned())]);
        assert_eq!(find(t, "en", EntityKind::TrackingNumber), ["1Z999AA10123456784"]);
        assert_eq!(find(t, "en", EntityKind::Size), ["XL"]);
        assert_eq!(find(t, "en", EntityKind::Colour), ["navy"]);
        assert_eq!(find(t, "en", EntityKind::Email), ["jane.doe@example.com"]);
        assert_eq!(find(t, "en", EntityKind::Date), ["2025-03-03"]);
        assert_eq!(money("refund of 1,250.00 USD please", "en"), [(125000, "USD".to_owned())]);
        assert_eq!(find("delivered 04/05/2025", "en", EntityKind::Date), ["2025-04-05"]);
    }

    #[test]
    fn spanish() {
        let t = "Mi pedido 558211 me cobraron 1.299,50 € dos veces; pedí talla M en color rojo el 12 de marzo. \
                 Número de seguimiento: RR123456785ES";
        assert_eq!(find(t, "es", EntityKind::OrderNumber), ["558211"]);
        assert_eq!(money(t, "es"), [(129950, "EUR".to_owned())]);
        assert_eq!(find(t, "es", EntityKind::Size), ["M"]);
        assert_eq!(find(t, "es", EntityKind::Colour), ["red"]);
        assert_eq!(find(t, "es", EntityKind::Date), ["--03-12"]);
        assert_eq!(find(t, "es", EntityKind::TrackingNumber), ["RR123456785ES"]);
        assert_eq!(find("llegó el 05/04/2025", "es", EntityKind::Date), ["2025-04-05"]);
    }

    #[test]
    fn portuguese() {
        let t = "Encomenda nº 77812, paguei R$ 149,90 e veio o tênis tamanho 42 preto. Código de rastreio \
                 OJ123456789BR, entregue 3 de maio de 2025. meu email: ana.silva@uol.com.br";
        assert_eq!(find(t, "pt", EntityKind::OrderNumber), ["77812"]);
        assert_eq!(money(t, "pt"), [(14990, "BRL".to_owned())]);
        assert_eq!(find(t, "pt", EntityKind::Size), ["42"]);
        assert_eq!(find(t, "pt", EntityKind::Colour), ["black"]);
        assert_eq!(find(t, "pt", EntityKind::TrackingNumber), ["OJ123456789BR"]);
        assert_eq!(find(t, "pt", EntityKind::Date), ["2025-05-03"]);
        assert_eq!(find(t, "pt", EntityKind::Email), ["ana.silva@uol.com.br"]);
    }

    #[test]
    fn polish() {
        let t = "Zamówienie nr 2024-55821: pobrano 249,99 zł dwa razy. Rozmiar L, kolor czerwona. \
                 Numer przesyłki 00340434161094012345, zamówiłam 14 lutego 2025 r.";
        assert_eq!(find(t, "pl", EntityKind::OrderNumber), ["2024-55821"]);
        assert_eq!(money(t, "pl"), [(24999, "PLN".to_owned())]);
        assert_eq!(find(t, "pl", EntityKind::Size), ["L"]);
        assert_eq!(find(t, "pl", EntityKind::Colour), ["red"]);
        assert_eq!(find(t, "pl", EntityKind::TrackingNumber), ["00340434161094012345"]);
        assert_eq!(find(t, "pl", EntityKind::Date), ["2025-02-14"]);
        assert_eq!(money("zapłaciłem 120zł", "pl"), [(12000, "PLN".to_owned())]);
    }

    #[test]
    fn indonesian() {
        let t = "Pesanan #INV20250611 sudah bayar Rp 150.000 tapi belum masuk. Resi JP1234567890, ukuran XL \
                 warna hitam, dikirim 11 Juni 2025.";
        assert_eq!(find(t, "id", EntityKind::OrderNumber), ["INV20250611"]);
        assert_eq!(money(t, "id"), [(15_000_000, "IDR".to_owned())]);
        assert_eq!(find(t, "id", EntityKind::TrackingNumber), ["JP1234567890"]);
        assert_eq!(find(t, "id", EntityKind::Size), ["XL"]);
        assert_eq!(find(t, "id", EntityKind::Colour), ["black"]);
        assert_eq!(find(t, "id", EntityKind::Date), ["2025-06-11"]);
        assert_eq!(money("kena potong 150rb dua kali", "id"), [(15_000_000, "IDR".to_owned())]);
        assert_eq!(money("total 1,5 juta rupiah", "id"), [(150_000_000, "IDR".to_owned())]);
    }

    #[test]
    fn nothing_in_plain_text() {
        assert!(extract("hello there, how are you", Some("en")).is_empty());
        assert!(extract("", None).is_empty());
        assert!(extract("@@@ @. a@b .@x.y", None).is_empty());
    }
}
