//! Suggested replies: a template per issue kind and per remedy decision (ids of taxonomy.md) in
//! English, Spanish, Portuguese, Polish and Indonesian, written in Fluent (`replies/<lang>.ftl`)
//! and filled with the case's facts: customer name, order number, items, dates, tracking number
//! and link, carrier, refund amount (exact [`Money`], written the way the language writes
//! numbers) and the expected refund date, and the policy's reasons.
//!
//! A reply is offered to the agent, or sent as is where the shop allows automatic answers.
//! Every template renders with any subset of the facts: an unknown fact becomes a neutral phrase
//! of the language ("your order", "within 5 to 10 business days") instead of a hole.

use std::fmt::Write as _;
use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use redress_domain::{IssueKind, Money, Remedy};
use serde::Serialize;
use time::Date;

/// The languages replies are written in; the first is the fallback.
pub const REPLY_LANGUAGES: [&str; 5] = ["en", "es", "pt", "pl", "id"];

const SOURCES: [(&str, &str); 5] = [
    ("en", include_str!("../replies/en.ftl")),
    ("es", include_str!("../replies/es.ftl")),
    ("pt", include_str!("../replies/pt.ftl")),
    ("pl", include_str!("../replies/pl.ftl")),
    ("id", include_str!("../replies/id.ftl")),
];

/// What is known about the case, to fill a reply. Everything is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReplyFacts {
    /// How to address the customer (`Ana`).
    pub customer_name: Option<String>,
    /// The shop's order number (`10482`).
    pub order_number: Option<String>,
    /// The items concerned, as the customer knows them (`Linen shirt, size M`).
    pub items: Vec<String>,
    /// When the order was placed.
    pub order_date: Option<Date>,
    /// When the parcel arrives (expected, or promised for a replacement).
    pub delivery_date: Option<Date>,
    /// The carrier's tracking number.
    pub tracking_number: Option<String>,
    /// A link to follow the parcel.
    pub tracking_url: Option<String>,
    /// The carrier's name (`DHL`).
    pub carrier: Option<String>,
    /// The amount refunded, credited or offered.
    pub refund_amount: Option<Money>,
    /// When the refund should be on the customer's statement.
    pub expected_refund_date: Option<Date>,
    /// The policy's reasons for the decision, already in the reply's language.
    pub policy_reasons: Vec<String>,
    /// The shop's name, for the signature.
    pub shop_name: Option<String>,
    /// A refund is asked for but waits for approval (or, approved, is not sent yet): a reply
    /// about the refund says so instead of saying the money is on its way.
    pub refund_awaiting_approval: bool,
}

/// A reply ready to be reviewed or sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SuggestedReply {
    /// The language it is written in: the asked one, or `en` when that has no templates.
    pub language: &'static str,
    /// Email subject line.
    pub subject: String,
    /// Body, plain text with blank lines between paragraphs.
    pub body: String,
    /// The template used (`kind-order_status`, `remedy-reship`).
    pub template: String,
}

/// One Fluent bundle per language.
pub(crate) struct Bundles(Vec<(&'static str, FluentBundle<FluentResource>)>);

/// Parses every language's templates; a language whose file does not parse is left out (and
/// the tests say which), so replies fall back to English rather than fail.
fn bundles() -> &'static Bundles {
    static CELL: OnceLock<Bundles> = OnceLock::new();
    CELL.get_or_init(|| Bundles::parse(&SOURCES))
}

/// Builds the bundle of one language, reporting parse and resource errors.
pub(crate) fn build_bundle(lang: &str, src: &str) -> Result<FluentBundle<FluentResource>, String> {
    let resource = FluentResource::try_new(src.to_owned()).map_err(|(_, errors)| format!("{lang}.ftl: {errors:?}"))?;
    let id: unic_langid::LanguageIdentifier = lang.parse().map_err(|e| format!("{lang}: {e}"))?;
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    bundle.set_use_isolating(false);
    bundle.add_resource(resource).map_err(|errors| format!("{lang}.ftl: {errors:?}"))?;
    Ok(bundle)
}

/// The last lines of an answer sent by email, in `language` (English when Redress does not
/// write it): how to add to the case by answering, and the shop's name.
pub fn email_footer(language: &str, case: &str, shop: &str) -> String {
    let mut args = FluentArgs::new();
    args.set("case", case.to_owned());
    args.set("shop", shop.to_owned());
    bundles().format(reply_language(language), "email-footer", None, &args).0
}

/// A message Redress writes on its own to follow a case up, in `language` (English when
/// Redress does not write it): `follow-reminder`, `follow-closed`, `follow-return-reminder`,
/// `follow-survey` (which takes the survey's `link`).
pub fn follow_up(language: &str, id: &str, case: &str, shop: &str, link: Option<&str>) -> String {
    follow_up_with(language, id, &[("case", case), ("shop", shop), ("link", link.unwrap_or_default())])
}

/// A message Redress sends on its own (a follow-up or a notice such as `follow-refund-sent`),
/// in `language` (English when not shipped), with its values by name.
pub fn follow_up_with(language: &str, id: &str, values: &[(&str, &str)]) -> String {
    let mut args = FluentArgs::new();
    for (name, value) in values {
        args.set(*name, (*value).to_owned());
    }
    bundles().format(reply_language(language), id, None, &args).0
}

/// Checks that every language's template file parses; the error names the file and problem.
pub fn check_templates() -> Result<(), String> {
    for (lang, src) in SOURCES {
        build_bundle(lang, src)?;
    }
    Ok(())
}

impl Bundles {
    /// The bundles of `sources` (language, Fluent text) that parse.
    pub(crate) fn parse(sources: &[(&'static str, &str)]) -> Bundles {
        Bundles(sources.iter().filter_map(|(lang, src)| build_bundle(lang, src).ok().map(|b| (*lang, b))).collect())
    }

    fn get(&self, lang: &str) -> Option<&FluentBundle<FluentResource>> {
        self.0.iter().find(|(l, _)| *l == lang).map(|(_, b)| b)
    }

    /// Formats message `id` (or its attribute) in `lang`, falling back to English when the
    /// language lacks it. Fluent errors (a missing variable) are returned with the text.
    pub(crate) fn format(
        &self,
        lang: &str,
        id: &str,
        attribute: Option<&str>,
        args: &FluentArgs,
    ) -> (String, Vec<String>) {
        for l in [lang, "en"] {
            let Some(bundle) = self.get(l) else { continue };
            let Some(msg) = bundle.get_message(id) else { continue };
            let pattern = match attribute {
                Some(a) => msg.get_attribute(a).map(|a| a.value()),
                None => msg.value(),
            };
            let Some(pattern) = pattern else { continue };
            let mut errors = Vec::new();
            let text = bundle.format_pattern(pattern, Some(args), &mut errors).into_owned();
            return (text, errors.iter().map(ToString::to_string).collect());
        }
        (String::new(), vec![format!("no template `{id}` in {lang} or en")])
    }
}

/// The reply language for a BCP 47 tag: its primary subtag when replies exist in it, else `en`.
pub fn reply_language(tag: &str) -> &'static str {
    let primary = tag.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
    let primary = if primary == "in" { "id".to_owned() } else { primary };
    REPLY_LANGUAGES.iter().copied().find(|l| *l == primary && bundles().get(l).is_some()).unwrap_or("en")
}

/// The template id for a kind and an optional remedy decision: the decision's template when
/// there is one, otherwise the kind's.
pub fn template_id(kind: IssueKind, remedy: Option<Remedy>) -> String {
    match remedy {
        Some(r) => format!("remedy-{}", r.as_str()),
        None => format!("kind-{}", kind.as_str()),
    }
}

/// Suggests a reply for a case of `kind`, with the resolution engine's decision `remedy` when
/// it has made one, in `language` (BCP 47; English when the language has no templates).
pub fn suggest_reply(kind: IssueKind, remedy: Option<Remedy>, language: &str, facts: &ReplyFacts) -> SuggestedReply {
    render(kind, remedy, language, facts).0
}

/// Like [`suggest_reply`], also returning the template problems met (a variable the template
/// uses but the code does not fill, a missing message); empty when all went well.
pub fn render(
    kind: IssueKind,
    remedy: Option<Remedy>,
    language: &str,
    facts: &ReplyFacts,
) -> (SuggestedReply, Vec<String>) {
    let lang = reply_language(language);
    let b = bundles();
    let mut problems = Vec::new();
    let mut fmt = |id: &str, attribute: Option<&str>, args: &FluentArgs| {
        let (text, errors) = b.format(lang, id, attribute, args);
        problems.extend(errors.into_iter().map(|e| format!("{lang} {id}: {e}")));
        text
    };
    let mut args = FluentArgs::new();
    let name = facts.customer_name.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let shop = facts.shop_name.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let order = facts.order_number.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let carrier = facts.carrier.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let tracking = facts.tracking_number.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let url = facts.tracking_url.as_deref().map(str::trim).filter(|s| !s.is_empty());
    args.set("name", name.unwrap_or("").to_owned());
    args.set("shop", shop.unwrap_or("").to_owned());
    args.set("order", order.unwrap_or("").to_owned());
    args.set("tracking", tracking.unwrap_or("").to_owned());
    args.set("tracking_url", url.unwrap_or("").to_owned());
    args.set("order_date", facts.order_date.map(|d| format_date(d, lang)).unwrap_or_default());
    args.set("delivery_date", facts.delivery_date.map(|d| format_date(d, lang)).unwrap_or_default());
    args.set("refund_date", facts.expected_refund_date.map(|d| format_date(d, lang)).unwrap_or_default());
    // Carrier first: the tracking line names it.
    let carrier_text = match carrier {
        Some(c) => c.to_owned(),
        None => fmt("carrier-unknown", None, &args),
    };
    args.set("carrier", carrier_text);
    let derived: [(&str, String); 8] = [
        ("order_ref", fmt(if order.is_some() { "order-known" } else { "order-unknown" }, None, &args)),
        (
            "items",
            if facts.items.is_empty() { fmt("items-unknown", None, &args) } else { join_list(&facts.items, lang) },
        ),
        (
            "amount",
            match facts.refund_amount {
                Some(m) => format_money(&m, lang),
                None => fmt("amount-unknown", None, &args),
            },
        ),
        (
            "refund_when",
            fmt(
                if facts.expected_refund_date.is_some() { "refund-when-known" } else { "refund-when-unknown" },
                None,
                &args,
            ),
        ),
        (
            "delivery_when",
            fmt(
                if facts.delivery_date.is_some() { "delivery-when-known" } else { "delivery-when-unknown" },
                None,
                &args,
            ),
        ),
        (
            "tracking_line",
            fmt(
                match (tracking, url) {
                    (Some(_), Some(_)) => "tracking-known",
                    (Some(_), None) => "tracking-known-no-link",
                    (None, _) => "tracking-unknown",
                },
                None,
                &args,
            ),
        ),
        ("ordered", fmt(if facts.order_date.is_some() { "ordered-known" } else { "ordered-unknown" }, None, &args)),
        ("greeting", fmt(if name.is_some() { "greeting-known" } else { "greeting-unknown" }, None, &args)),
    ];
    for (k, v) in derived {
        args.set(k, v);
    }
    let template = if kind == IssueKind::RefundStatus && remedy.is_none() && facts.refund_awaiting_approval {
        "refund-awaiting".to_owned()
    } else {
        template_id(kind, remedy)
    };
    let main = tidy(&fmt(&template, None, &args));
    let subject = capitalise(&tidy(&fmt(&template, Some("subject"), &args)));
    let greeting = fmt(if name.is_some() { "greeting-known" } else { "greeting-unknown" }, None, &args);
    let signoff = fmt(if shop.is_some() { "signoff-known" } else { "signoff-unknown" }, None, &args);
    let mut body = String::new();
    let _ = write!(body, "{greeting}\n\n{}\n\n", capitalise(&main));
    let reasons: Vec<&str> = facts.policy_reasons.iter().map(|r| r.trim()).filter(|r| !r.is_empty()).collect();
    if !reasons.is_empty() {
        body.push_str(&fmt(if remedy.is_some() { "reasons-intro" } else { "policy-intro" }, None, &args));
        body.push('\n');
        for r in reasons {
            let _ = writeln!(body, "- {r}");
        }
        body.push('\n');
    }
    body.push_str(&signoff);
    (SuggestedReply { language: lang, subject, body, template }, problems)
}

/// Removes the gaps an empty optional phrase leaves (`order 12 .` → `order 12.`).
fn tidy(s: &str) -> String {
    // ASCII whitespace only: amounts keep their no-break spaces.
    let mut out = s.split(|c: char| c.is_ascii_whitespace()).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ");
    for p in [" .", " ,", " ;", " :"] {
        while let Some(i) = out.find(p) {
            out.replace_range(i..i + 1, "");
        }
    }
    out
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `a, b and c` in the language's words.
pub fn join_list(items: &[String], lang: &str) -> String {
    let and = match lang {
        "es" => "y",
        "pt" => "e",
        "pl" => "i",
        "id" => "dan",
        _ => "and",
    };
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} {and} {last}", rest.join(", ")),
    }
}

const MONTHS: [(&str, [&str; 12]); 5] = [
    (
        "en",
        [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ],
    ),
    (
        "es",
        [
            "enero",
            "febrero",
            "marzo",
            "abril",
            "mayo",
            "junio",
            "julio",
            "agosto",
            "septiembre",
            "octubre",
            "noviembre",
            "diciembre",
        ],
    ),
    (
        "pt",
        [
            "janeiro",
            "fevereiro",
            "março",
            "abril",
            "maio",
            "junho",
            "julho",
            "agosto",
            "setembro",
            "outubro",
            "novembro",
            "dezembro",
        ],
    ),
    (
        // Genitive, as Polish writes dates.
        "pl",
        [
            "stycznia",
            "lutego",
            "marca",
            "kwietnia",
            "maja",
            "czerwca",
            "lipca",
            "sierpnia",
            "września",
            "października",
            "listopada",
            "grudnia",
        ],
    ),
    (
        "id",
        [
            "Januari",
            "Februari",
            "Maret",
            "April",
            "Mei",
            "Juni",
            "Juli",
            "Agustus",
            "September",
            "Oktober",
            "November",
            "Desember",
        ],
    ),
];

/// A date as the language writes it: `23 November 2026`, `23 de noviembre de 2026`,
/// `23 de novembro de 2026`, `23 listopada 2026`, `23 November 2026` (id).
pub fn format_date(date: Date, lang: &str) -> String {
    let months = MONTHS.iter().find(|(l, _)| *l == lang).map(|(_, m)| m).unwrap_or(&MONTHS[0].1);
    let month = months[usize::from(u8::from(date.month())) - 1];
    let (d, y) = (date.day(), date.year());
    match lang {
        "es" | "pt" => format!("{d} de {month} de {y}"),
        _ => format!("{d} {month} {y}"),
    }
}

/// An amount as the language writes it, exact to the currency's minor unit: `€1,234.50` (en),
/// `1.234,50 €` (es), `1.234,50 €` (pt; `R$ 1.234,50` for reais), `1 234,50 zł` (pl, with a
/// no-break space), `Rp 1.234,50` (id). Currencies without a common symbol use their code.
pub fn format_money(money: &Money, lang: &str) -> String {
    let exponent = u32::from(money.currency.exponent());
    let scale = 10u64.pow(exponent);
    let magnitude = money.amount_minor.unsigned_abs();
    let (whole, fraction) = (magnitude / scale, magnitude % scale);
    let (group, decimal) = match lang {
        "en" => (",", "."),
        "pl" => ("\u{a0}", ","),
        _ => (".", ","),
    };
    let digits = whole.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push_str(group);
        }
        grouped.push(c);
    }
    let number = if exponent == 0 {
        grouped
    } else {
        format!("{grouped}{decimal}{fraction:0width$}", width = exponent as usize)
    };
    let sign = if money.amount_minor < 0 { "-" } else { "" };
    let code = money.currency.code();
    let symbol = match code {
        "EUR" => Some("€"),
        "USD" => Some("US$"),
        "GBP" => Some("£"),
        "PLN" => Some("zł"),
        "BRL" => Some("R$"),
        "IDR" => Some("Rp"),
        _ => None,
    };
    let symbol = match (lang, code) {
        ("en", "USD") => "$",
        _ => symbol.unwrap_or(code),
    };
    let prefix = match lang {
        "en" | "id" => true,
        "pt" => code == "BRL",
        _ => false,
    };
    match (prefix, symbol.chars().count()) {
        (true, 1) => format!("{sign}{symbol}{number}"),
        (true, _) => format!("{sign}{symbol} {number}"),
        (false, _) => format!("{sign}{number} {symbol}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use redress_domain::Currency;
    use time::Month;

    #[test]
    fn the_email_footer_speaks_the_customers_language() {
        assert_eq!(
            email_footer("pl", "#58", "Sklep"),
            "Odpowiedz na tę wiadomość, aby dopisać coś do sprawy #58.\nSklep"
        );
        assert!(email_footer("pt-BR", "#58", "Loja").starts_with("Responda a este e-mail"));
        assert!(email_footer("de", "#58", "Shop").starts_with("Reply to this email"));
    }

    fn date(y: i32, m: Month, d: u8) -> Date {
        Date::from_calendar_date(y, m, d).unwrap()
    }

    fn full_facts() -> ReplyFacts {
        ReplyFacts {
            customer_name: Some("Ana".into()),
            order_number: Some("10482".into()),
            items: vec!["Linen shirt M".into(), "Vase Ikebana".into()],
            order_date: Some(date(2026, Month::November, 2)),
            delivery_date: Some(date(2026, Month::November, 27)),
            tracking_number: Some("JJD0099123456".into()),
            tracking_url: Some("https://track.example/JJD0099123456".into()),
            carrier: Some("DHL".into()),
            refund_amount: Some(Money::new(123_450, Currency::from_code("EUR").unwrap())),
            expected_refund_date: Some(date(2026, Month::December, 4)),
            policy_reasons: vec!["Returned within 30 days (rule return_window)".into()],
            shop_name: Some("Casa Lumen".into()),
            refund_awaiting_approval: false,
        }
    }

    #[test]
    fn a_refund_waiting_for_approval_is_not_said_to_be_on_its_way() {
        let facts = ReplyFacts { refund_awaiting_approval: true, ..full_facts() };
        for lang in ["en", "es", "pt", "pl", "id"] {
            let (reply, problems) = render(IssueKind::RefundStatus, None, lang, &facts);
            assert!(problems.is_empty(), "{lang}: {problems:?}");
            assert_eq!(reply.template, "refund-awaiting", "{lang}");
            assert!(!reply.subject.is_empty(), "{lang}");
        }
        let (reply, _) = render(IssueKind::RefundStatus, None, "en", &facts);
        assert!(reply.body.contains("waiting for approval") && !reply.body.contains("on its way"), "{}", reply.body);
        let (sent, _) = render(IssueKind::RefundStatus, None, "en", &full_facts());
        assert!(sent.body.contains("on its way"), "{}", sent.body);
    }

    /// The source text of message `id` in `lang` (value and attributes).
    fn source_of(lang: &str, id: &str) -> String {
        let src = SOURCES.iter().find(|(l, _)| *l == lang).unwrap().1;
        let mut lines = src.lines().skip_while(|l| !l.starts_with(&format!("{id} =")));
        let first = lines.next().unwrap_or_else(|| panic!("{lang}: no {id}"));
        let mut out = first.to_owned();
        for l in lines.take_while(|l| l.starts_with(' ')) {
            out.push('\n');
            out.push_str(l);
        }
        out
    }

    fn all_templates() -> Vec<(IssueKind, Option<Remedy>)> {
        let mut out: Vec<(IssueKind, Option<Remedy>)> = IssueKind::ALL.iter().map(|k| (*k, None)).collect();
        out.extend(Remedy::ALL.iter().map(|r| (IssueKind::Other, Some(*r))));
        out
    }

    #[test]
    fn every_template_file_parses() {
        check_templates().unwrap();
        assert_eq!(bundles().0.len(), REPLY_LANGUAGES.len());
    }

    #[test]
    fn every_kind_and_remedy_has_a_template_and_subject_in_every_language() {
        for lang in REPLY_LANGUAGES {
            let bundle = bundles().get(lang).unwrap();
            for (kind, remedy) in all_templates() {
                let id = template_id(kind, remedy);
                let msg = bundle.get_message(&id).unwrap_or_else(|| panic!("{lang}: no {id}"));
                assert!(msg.value().is_some(), "{lang} {id}: no text");
                assert!(msg.get_attribute("subject").is_some(), "{lang} {id}: no subject");
            }
        }
    }

    #[test]
    fn every_template_renders_and_fills_the_facts() {
        let facts = full_facts();
        for lang in REPLY_LANGUAGES {
            for (kind, remedy) in all_templates() {
                let (reply, problems) = render(kind, remedy, lang, &facts);
                let id = &reply.template;
                assert!(problems.is_empty(), "{lang} {id}: {problems:?}");
                assert_eq!(reply.language, lang);
                let text = format!("{}\n{}", reply.subject, reply.body);
                assert!(!text.contains('{') && !text.contains('}'), "{lang} {id}: {text}");
                assert!(!reply.subject.trim().is_empty(), "{lang} {id}");
                assert!(reply.body.contains("Ana"), "{lang} {id}: name");
                assert!(reply.body.contains("Casa Lumen"), "{lang} {id}: shop");
                assert!(reply.body.contains("Returned within 30 days"), "{lang} {id}: reasons");
                let src = source_of(lang, id);
                let expect: &[(&str, String)] = &[
                    ("$order_ref", "10482".into()),
                    ("$items", "Vase Ikebana".into()),
                    ("$amount", format_money(&facts.refund_amount.unwrap(), lang)),
                    ("$refund_when", format_date(facts.expected_refund_date.unwrap(), lang)),
                    ("$delivery_when", format_date(facts.delivery_date.unwrap(), lang)),
                    ("$tracking_line", "https://track.example/JJD0099123456".into()),
                    ("$carrier", "DHL".into()),
                    ("$ordered", format_date(facts.order_date.unwrap(), lang)),
                ];
                for (var, filled) in expect {
                    if src.contains(var) {
                        assert!(text.contains(filled.as_str()), "{lang} {id}: {var} not filled with {filled}: {text}");
                    }
                }
            }
        }
    }

    #[test]
    fn decisions_state_their_key_facts_in_every_language() {
        let refunds = [
            Remedy::CancelOrder,
            Remedy::ReturnRefund,
            Remedy::RefundKeepItem,
            Remedy::PartialRefund,
            Remedy::RefundDuplicateCharge,
        ];
        for lang in REPLY_LANGUAGES {
            for r in refunds {
                let src = source_of(lang, &template_id(IssueKind::Other, Some(r)));
                assert!(src.contains("$amount") && src.contains("$refund_when"), "{lang} {r}");
            }
            for r in [Remedy::CarrierTrace, Remedy::Reship] {
                let src = source_of(lang, &template_id(IssueKind::Other, Some(r)));
                assert!(src.contains("$tracking_line"), "{lang} {r}");
            }
            for r in [Remedy::StoreCredit, Remedy::Compensation] {
                let src = source_of(lang, &template_id(IssueKind::Other, Some(r)));
                assert!(src.contains("$amount"), "{lang} {r}");
            }
            for k in [IssueKind::OrderStatus, IssueKind::NotReceived] {
                let src = source_of(lang, &template_id(k, None));
                assert!(src.contains("$tracking_line"), "{lang} {k}");
            }
        }
    }

    #[test]
    fn every_template_renders_without_any_facts() {
        let facts = ReplyFacts::default();
        for lang in REPLY_LANGUAGES {
            for (kind, remedy) in all_templates() {
                let (reply, problems) = render(kind, remedy, lang, &facts);
                let id = &reply.template;
                assert!(problems.is_empty(), "{lang} {id}: {problems:?}");
                let text = format!("{}\n{}", reply.subject, reply.body);
                assert!(!text.contains('{') && !text.contains("  ") && !text.contains(" ."), "{lang} {id}: {text:?}");
                assert!(!text.contains("()"), "{lang} {id}: {text:?}");
            }
        }
    }

    #[test]
    fn unknown_languages_fall_back_to_english_and_regions_are_dropped() {
        let f = full_facts();
        assert_eq!(suggest_reply(IssueKind::OrderStatus, None, "de", &f).language, "en");
        assert_eq!(suggest_reply(IssueKind::OrderStatus, None, "", &f).language, "en");
        assert_eq!(suggest_reply(IssueKind::OrderStatus, None, "pt-BR", &f).language, "pt");
        assert_eq!(suggest_reply(IssueKind::OrderStatus, None, "PL", &f).language, "pl");
        assert_eq!(suggest_reply(IssueKind::OrderStatus, None, "in", &f).language, "id");
    }

    #[test]
    fn a_full_reply_reads_well() {
        let r = suggest_reply(IssueKind::DamagedInTransit, Some(Remedy::Reship), "en", &full_facts());
        assert_eq!(r.subject, "A replacement for your order 10482");
        assert!(r.body.starts_with("Hi Ana,\n\nWe are sending Linen shirt M and Vase Ikebana again"));
        assert!(r.body.contains("tracking number JJD0099123456 (https://track.example/JJD0099123456)."));
        assert!(r.body.contains("by 27 November 2026"));
        assert!(r.body.ends_with("Kind regards,\nCasa Lumen customer service"));
        let r = suggest_reply(IssueKind::ReturnRequest, Some(Remedy::ReturnRefund), "es", &full_facts());
        assert!(r.body.contains("1.234,50 €"), "{}", r.body);
        assert!(r.body.contains("antes del 4 de diciembre de 2026"), "{}", r.body);
    }

    #[test]
    fn money_is_written_the_local_way_and_exactly() {
        let eur = Currency::from_code("EUR").unwrap();
        let m = Money::new(123_456_789, eur);
        assert_eq!(format_money(&m, "en"), "€1,234,567.89");
        assert_eq!(format_money(&m, "es"), "1.234.567,89 €");
        assert_eq!(format_money(&m, "pl"), "1\u{a0}234\u{a0}567,89 €");
        let pln = Money::new(5, Currency::from_code("PLN").unwrap());
        assert_eq!(format_money(&pln, "pl"), "0,05 zł");
        let brl = Money::new(-19_990, Currency::from_code("BRL").unwrap());
        assert_eq!(format_money(&brl, "pt"), "-R$ 199,90");
        let jpy = Money::new(1500, Currency::from_code("JPY").unwrap());
        assert_eq!(format_money(&jpy, "en"), "JPY 1,500");
        let idr = Money::new(15_000_000, Currency::from_code("IDR").unwrap());
        assert_eq!(format_money(&idr, "id"), "Rp 150.000,00");
        let usd = Money::new(999, Currency::from_code("USD").unwrap());
        assert_eq!(format_money(&usd, "en"), "$9.99");
        assert_eq!(format_money(&usd, "es"), "9,99 US$");
    }

    #[test]
    fn dates_are_written_the_local_way() {
        let d = date(2026, Month::March, 5);
        assert_eq!(format_date(d, "en"), "5 March 2026");
        assert_eq!(format_date(d, "es"), "5 de marzo de 2026");
        assert_eq!(format_date(d, "pt"), "5 de março de 2026");
        assert_eq!(format_date(d, "pl"), "5 marca 2026");
        assert_eq!(format_date(d, "id"), "5 Maret 2026");
    }

    #[test]
    fn lists_join_with_the_language_s_and() {
        let items = ["a".to_owned(), "b".to_owned(), "c".to_owned()];
        assert_eq!(join_list(&items, "en"), "a, b and c");
        assert_eq!(join_list(&items, "id"), "a, b dan c");
        assert_eq!(join_list(&items[..1], "pl"), "a");
    }
}
