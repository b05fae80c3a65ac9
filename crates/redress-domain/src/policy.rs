//! A shop's written policy: return window, exceptions, who pays shipping, remedies per issue
//! kind, thresholds and limits, as a versioned TOML document.
//!
//! Documents are checked on load: a syntax error, an unknown key, a value of the wrong type
//! or a rule that makes no sense is refused with the line and the field at fault, so a shop
//! owner can fix the file without reading Rust. Two documents ship with Redress: the default
//! policy ([`Policy::standard`]) and the EU 14-day right of withdrawal ([`Policy::eu_withdrawal`]).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::money::{Currency, Money};
use crate::order::{Address, OrderLine};
use crate::store::ValidationError;
use crate::taxonomy::{Fault, IssueKind, Remedy};

/// The default policy's source, shipped with Redress.
pub const STANDARD_POLICY_TOML: &str = include_str!("../policies/default.toml");
/// The EU 14-day right of withdrawal preset's source.
pub const EU_WITHDRAWAL_TOML: &str = include_str!("../policies/eu_withdrawal.toml");

/// What the return window is counted from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum WindowStart {
    /// The day the last parcel was delivered (the usual, and the EU rule).
    Delivery,
    /// The day the order was placed.
    Order,
    /// The day the first parcel was handed to the carrier.
    Shipment,
}

/// A condition a returned item must meet for a change-of-mind return.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ItemCondition {
    /// Not used beyond trying it on.
    Unused,
    /// Labels still attached.
    TagsOn,
    /// In its original box or bag.
    OriginalPackaging,
}

impl ItemCondition {
    /// The snake_case id.
    pub const fn as_str(&self) -> &'static str {
        match self {
            ItemCondition::Unused => "unused",
            ItemCondition::TagsOn => "tags_on",
            ItemCondition::OriginalPackaging => "original_packaging",
        }
    }
}

/// Who pays for something.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Payer {
    /// The shop.
    Shop,
    /// The customer.
    Customer,
}

/// Until when an order can be changed in place.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AmendableUntil {
    /// Only before anything is packed.
    NotPacked,
    /// Until the carrier collects the parcel.
    Packed,
}

/// Why a line cannot be returned for a change of mind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ExceptionRule {
    /// Sold as final: no change-of-mind returns.
    FinalSale,
    /// Hygiene item (underwear, earrings, cosmetics): no returns once opened.
    Hygiene,
    /// Made to the customer's order: no change-of-mind returns.
    MadeToOrder,
}

/// A per-category or per-SKU exception to the return rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReturnException {
    /// Lines of this catalogue category.
    #[serde(default)]
    pub category: Option<String>,
    /// Or this one SKU.
    #[serde(default)]
    pub sku: Option<String>,
    /// What applies to them.
    pub rule: ExceptionRule,
}

impl ReturnException {
    /// True when the exception covers `line`.
    pub fn covers(&self, line: &OrderLine) -> bool {
        self.sku.as_deref().is_some_and(|sku| sku == line.sku)
            || (self.category.is_some() && self.category == line.category)
    }
}

/// Amounts per currency, in minor units, as policies write them (`EUR = 1000`).
pub type AmountsByCurrency = BTreeMap<Currency, i64>;

/// Looks up the amount for `currency`; a currency the policy does not list has no amount.
pub fn amount_in(amounts: &AmountsByCurrency, currency: Currency) -> Option<Money> {
    amounts.get(&currency).map(|minor| Money::new(*minor, currency))
}

/// The return rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReturnRules {
    /// Days the customer has to ask for a return.
    pub window_days: u32,
    /// What the window is counted from.
    pub window_starts: WindowStart,
    /// What a change-of-mind return must be like.
    #[serde(default)]
    pub condition: BTreeSet<ItemCondition>,
    /// Percent of the goods' value kept from a change-of-mind refund.
    #[serde(default)]
    pub restocking_fee_percent: u32,
    /// Returns in the last 90 days above which a person decides.
    pub max_per_90_days: u32,
    /// Who pays the return label, by fault.
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, Payer>))]
    pub shipping_paid_by: BTreeMap<Fault, Payer>,
    /// What a return label costs, per currency.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, i64>))]
    pub label_cost: AmountsByCurrency,
    /// Where customers send returns; shown with every return authorisation.
    #[serde(default)]
    pub address: Option<Address>,
}

/// When orders can be amended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AmendmentRules {
    /// Until when.
    pub allowed_until: AmendableUntil,
}

/// Store credit terms.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StoreCreditRules {
    /// Extra credit in percent for choosing credit over money back.
    pub bonus_percent: u32,
}

/// When the customer keeps the item and is refunded anyway.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct KeepItemRules {
    /// When the return label would cost more than the goods.
    pub when_label_costs_more: bool,
    /// When the goods are worth less than this, per currency.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, i64>))]
    pub below: AmountsByCurrency,
}

/// Evidence needed before money moves.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EvidenceRules {
    /// Issue kinds that need photos.
    #[serde(default)]
    pub photos_required_for: BTreeSet<IssueKind>,
}

/// When a person must approve.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ApprovalRules {
    /// Refunds up to this are approved automatically, per currency; a currency not listed always needs a person.
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, i64>))]
    pub auto_up_to: AmountsByCurrency,
    /// Cases in the last 90 days above which a person decides.
    pub max_cases_per_90_days: u32,
}

/// Goodwill where the shop or its carrier is at fault.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CompensationRules {
    /// Faults that earn compensation.
    pub for_faults: BTreeSet<Fault>,
    /// Its size, in percent of the affected goods.
    pub percent: u32,
    /// Its cap, per currency.
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, i64>))]
    pub max: AmountsByCurrency,
    /// Whether a case may get compensation more than once (off unless the policy says so).
    #[serde(default)]
    pub repeat: bool,
}

/// Limits per customer, to curb abuse.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CustomerLimits {
    /// Refunds without a return in the last 365 days above which a person decides.
    pub refunds_without_return_per_year: u32,
    /// The window, in days, over which a customer's refunds are counted for the abuse rules.
    #[serde(default = "CustomerLimits::default_window_days")]
    pub refund_window_days: u32,
    /// Refunds in the window (rejected and failed ones left out) from which every further refund
    /// for the customer waits for a second person. Absent: no limit on the count.
    #[serde(default)]
    pub max_refunds_per_window: Option<u32>,
    /// Money refunded in the window, per currency, above which a further refund waits for a
    /// second person (what was refunded plus what is asked for). A currency not listed has no
    /// limit.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, i64>))]
    pub max_refunded_per_window: AmountsByCurrency,
}

impl CustomerLimits {
    fn default_window_days() -> u32 {
        90
    }
}

/// How the self-service assistant may phrase its replies: with its templates, unless the shop
/// names an OpenAI-compatible language model (a local llama.cpp or Ollama server, say) to
/// phrase them more naturally. The model only rewords what the templates say; it never
/// decides or acts, and a reply it loses a fact from (a number, a link, an email) or is late
/// with is sent as the template wrote it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AssistantRules {
    /// The chat completions URL (`http://127.0.0.1:11434/v1/chat/completions`); absent: off.
    #[serde(default)]
    pub phrasing_endpoint: Option<String>,
    /// The model to ask for (`llama3.1`).
    #[serde(default)]
    pub phrasing_model: Option<String>,
    /// The longest wait for one reply's phrasing, in milliseconds (100 to 10,000; 1,500 when
    /// absent).
    #[serde(default)]
    pub phrasing_timeout_ms: Option<u32>,
    /// The shop's own sites whose pages may hold Redress's chat box (`https://shop.example`,
    /// at most 20): browsers let only these origins talk to the assistant.
    #[serde(default)]
    pub chat_origins: Vec<String>,
    /// The assistant answers customers writing on the store's messaging apps (WhatsApp,
    /// Messenger, Instagram, Telegram) first, handing over to a person as on the web chat; off:
    /// every message goes to a person's case.
    #[serde(default)]
    pub on_messaging_apps: bool,
}

impl AssistantRules {
    /// The wait for one phrasing when the policy names none.
    pub const DEFAULT_TIMEOUT_MS: u32 = 1_500;

    /// Checks the endpoint is a web address, the model named, the wait within bounds.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if let Some(endpoint) = &self.phrasing_endpoint {
            let web = endpoint.starts_with("http://") || endpoint.starts_with("https://");
            if !web || endpoint.len() > 500 || endpoint.chars().any(char::is_whitespace) {
                return Err(ValidationError::new(
                    "assistant.phrasing_endpoint",
                    "an http:// or https:// address of at most 500 characters",
                ));
            }
            if self.phrasing_model.as_deref().is_none_or(|m| m.trim().is_empty() || m.len() > 100) {
                return Err(ValidationError::new("assistant.phrasing_model", "name the model, 1 to 100 characters"));
            }
        }
        if self.phrasing_timeout_ms.is_some_and(|ms| !(100..=10_000).contains(&ms)) {
            return Err(ValidationError::new("assistant.phrasing_timeout_ms", "from 100 to 10000 milliseconds"));
        }
        if self.chat_origins.len() > 20 || !self.chat_origins.iter().all(|o| is_origin(o)) {
            return Err(ValidationError::new(
                "assistant.chat_origins",
                "at most 20 sites, each as https://host or https://host:port (no path)",
            ));
        }
        Ok(())
    }

    /// True when a page from `origin` (a browser's `Origin` header) may hold the chat box.
    pub fn allows_origin(&self, origin: &str) -> bool {
        self.chat_origins.iter().any(|o| o.eq_ignore_ascii_case(origin))
    }
}

/// True for a web origin as browsers send it: `http(s)://host[:port]`, nothing after.
fn is_origin(text: &str) -> bool {
    let Some(rest) = text.strip_prefix("https://").or_else(|| text.strip_prefix("http://")) else { return false };
    let (host, port) = rest.rsplit_once(':').map_or((rest, None), |(h, p)| (h, Some(p)));
    text.len() <= 200
        && !host.is_empty()
        && host.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        && port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.chars().all(|c| c.is_ascii_digit()))
}

/// Which new cases get an automatic first answer, written from the reply templates in the
/// customer's language. None do unless the shop lists the kinds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AutoReplyRules {
    /// Issue kinds answered automatically.
    #[serde(default)]
    pub kinds: Vec<IssueKind>,
    /// How sure message understanding must be of the kind, in percent.
    #[serde(default = "AutoReplyRules::default_confidence")]
    pub min_confidence_pct: u8,
}

impl AutoReplyRules {
    fn default_confidence() -> u8 {
        80
    }

    /// True when a case of `kind`, read with this confidence, gets an automatic answer.
    pub fn answers(&self, kind: IssueKind, confidence_pct: u8, low_confidence: bool) -> bool {
        !low_confidence && confidence_pct >= self.min_confidence_pct && self.kinds.contains(&kind)
    }
}

impl Default for AutoReplyRules {
    fn default() -> Self {
        Self { kinds: Vec::new(), min_confidence_pct: Self::default_confidence() }
    }
}

/// Targets in business minutes, one per priority.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MinutesByPriority {
    /// For low-priority cases.
    pub low: u32,
    /// For normal ones.
    pub normal: u32,
    /// For high ones.
    pub high: u32,
    /// For urgent ones.
    pub urgent: u32,
}

impl MinutesByPriority {
    /// The target for `priority`.
    pub const fn of(&self, priority: crate::case::Priority) -> u32 {
        match priority {
            crate::case::Priority::Low => self.low,
            crate::case::Priority::Normal => self.normal,
            crate::case::Priority::High => self.high,
            crate::case::Priority::Urgent => self.urgent,
        }
    }
}

/// Targets for one issue kind that differ from the store's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct KindTargets {
    /// First answer, in business minutes per priority.
    #[serde(default)]
    pub first_response_minutes: Option<MinutesByPriority>,
    /// Resolution, in business minutes per priority.
    #[serde(default)]
    pub resolution_minutes: Option<MinutesByPriority>,
}

/// The shop's service hours and targets: when the clock runs (time zone, hours per weekday,
/// holidays) and how many business minutes a first answer and a resolution may take.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ServiceRules {
    /// The IANA time zone hours are in, e.g. `Europe/Madrid`.
    #[serde(default = "ServiceRules::default_zone")]
    pub time_zone: String,
    /// Opening hours per weekday (`mon` … `sun`) as `09:00-17:00`; a day not listed is closed.
    #[serde(default = "ServiceRules::default_hours")]
    pub hours: BTreeMap<String, String>,
    /// Days closed, as `2026-12-25`.
    #[serde(default)]
    pub holidays: Vec<String>,
    /// First answer, in business minutes per priority.
    #[serde(default = "ServiceRules::default_first_response")]
    pub first_response_minutes: MinutesByPriority,
    /// Resolution, in business minutes per priority; the clock stops while the case waits on
    /// the customer or a third party.
    #[serde(default = "ServiceRules::default_resolution")]
    pub resolution_minutes: MinutesByPriority,
    /// A warning this many business minutes before a deadline.
    #[serde(default = "ServiceRules::default_warning")]
    pub warn_before_minutes: u32,
    /// Targets that differ for some issue kinds.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, KindTargets>))]
    pub by_kind: BTreeMap<IssueKind, KindTargets>,
}

/// The weekday keys of [`ServiceRules::hours`], Monday first.
pub const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

impl ServiceRules {
    fn default_zone() -> String {
        "UTC".to_owned()
    }

    fn default_hours() -> BTreeMap<String, String> {
        WEEKDAYS[..5].iter().map(|d| ((*d).to_owned(), "09:00-17:00".to_owned())).collect()
    }

    fn default_first_response() -> MinutesByPriority {
        MinutesByPriority { low: 1440, normal: 480, high: 240, urgent: 60 }
    }

    fn default_resolution() -> MinutesByPriority {
        MinutesByPriority { low: 4800, normal: 2400, high: 960, urgent: 480 }
    }

    fn default_warning() -> u32 {
        60
    }

    /// The first-answer target for a case of `kind` at `priority`, in business minutes.
    pub fn first_response_target(&self, kind: IssueKind, priority: crate::case::Priority) -> u32 {
        self.by_kind
            .get(&kind)
            .and_then(|k| k.first_response_minutes)
            .unwrap_or(self.first_response_minutes)
            .of(priority)
    }

    /// The resolution target for a case of `kind` at `priority`, in business minutes.
    pub fn resolution_target(&self, kind: IssueKind, priority: crate::case::Priority) -> u32 {
        self.by_kind.get(&kind).and_then(|k| k.resolution_minutes).unwrap_or(self.resolution_minutes).of(priority)
    }

    /// The calendar the rules describe; refused with the field at fault.
    pub fn calendar(&self) -> Result<crate::business_hours::BusinessCalendar, ValidationError> {
        let mut week = [None; 7];
        for (day, hours) in &self.hours {
            let Some(i) = WEEKDAYS.iter().position(|d| d == day) else {
                return Err(ValidationError::new(
                    format!("service.hours.{day}"),
                    "name weekdays as mon, tue, wed, thu, fri, sat, sun",
                ));
            };
            week[i] = crate::business_hours::Window::parse(hours)
                .map_err(|problem| ValidationError::new(format!("service.hours.{day}"), problem))?;
        }
        let mut holidays = BTreeSet::new();
        for (i, text) in self.holidays.iter().enumerate() {
            let format = time::macros::format_description!("[year]-[month]-[day]");
            let day = time::Date::parse(text, format).map_err(|_| {
                ValidationError::new(format!("service.holidays[{i}]"), format!("`{text}`: write dates as 2026-12-25"))
            })?;
            holidays.insert(day);
        }
        crate::business_hours::BusinessCalendar::new(&self.time_zone, week, holidays).map_err(|e| e.within("service"))
    }
}

impl Default for ServiceRules {
    fn default() -> Self {
        Self {
            time_zone: Self::default_zone(),
            hours: Self::default_hours(),
            holidays: Vec::new(),
            first_response_minutes: Self::default_first_response(),
            resolution_minutes: Self::default_resolution(),
            warn_before_minutes: Self::default_warning(),
            by_kind: BTreeMap::new(),
        }
    }
}

/// Following a case up on its own: reminders, closing a case the customer left, returns not
/// sent, refunds not arrived, and the satisfaction survey. Days are business days.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FollowUpRules {
    /// A case waiting on the customer gets a reminder after this many days.
    #[serde(default = "FollowUpRules::default_remind")]
    pub remind_after_days: u32,
    /// … and closes itself after this many (more than `remind_after_days`).
    #[serde(default = "FollowUpRules::default_close")]
    pub close_after_days: u32,
    /// A return approved and not sent after this many days gets a reminder.
    #[serde(default = "FollowUpRules::default_send_by")]
    pub return_send_within_days: u32,
    /// A refund still not arrived this many days after its expected date reopens the case.
    #[serde(default = "FollowUpRules::default_refund_grace")]
    pub refund_grace_days: u32,
    /// Whether resolved cases get a satisfaction survey.
    #[serde(default = "FollowUpRules::default_survey")]
    pub survey: bool,
    /// Whether the customer is told on their channel, with a link to the portal, when a refund
    /// is sent, a return label is ready or the shop resolves the case.
    #[serde(default = "FollowUpRules::default_tell")]
    pub tell_customers: bool,
}

impl FollowUpRules {
    fn default_remind() -> u32 {
        3
    }
    fn default_close() -> u32 {
        7
    }
    fn default_send_by() -> u32 {
        10
    }
    fn default_refund_grace() -> u32 {
        3
    }
    fn default_survey() -> bool {
        true
    }
    fn default_tell() -> bool {
        true
    }
}

impl Default for FollowUpRules {
    fn default() -> Self {
        Self {
            remind_after_days: Self::default_remind(),
            close_after_days: Self::default_close(),
            return_send_within_days: Self::default_send_by(),
            refund_grace_days: Self::default_refund_grace(),
            survey: Self::default_survey(),
            tell_customers: Self::default_tell(),
        }
    }
}

/// A shop's resolution policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// The policy's id, e.g. `default`.
    pub id: String,
    /// Its version; raise it on every change so decisions can name the version that made them.
    pub version: u32,
    /// A name for people.
    pub name: String,
    /// Return rules.
    pub returns: ReturnRules,
    /// Amendment rules.
    pub amendments: AmendmentRules,
    /// Exceptions per category or SKU.
    #[serde(default)]
    pub exceptions: Vec<ReturnException>,
    /// Remedies each issue kind allows, most preferred first.
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, Vec<Remedy>>))]
    pub remedies: BTreeMap<IssueKind, Vec<Remedy>>,
    /// Store credit terms.
    pub store_credit: StoreCreditRules,
    /// Keep-the-item thresholds.
    pub keep_item: KeepItemRules,
    /// Evidence rules.
    pub evidence: EvidenceRules,
    /// Approval rules.
    pub approval: ApprovalRules,
    /// Compensation rules.
    pub compensation: CompensationRules,
    /// Per-customer limits.
    pub limits: CustomerLimits,
    /// Automatic first answers.
    #[serde(default)]
    pub auto_reply: AutoReplyRules,
    /// How the self-service assistant phrases its replies.
    #[serde(default)]
    pub assistant: AssistantRules,
    /// Service hours and targets.
    #[serde(default)]
    pub service: ServiceRules,
    /// Reminders, closing on silence, the survey.
    #[serde(default)]
    pub follow_up: FollowUpRules,
    /// How long personal data of closed cases is kept.
    #[serde(default)]
    pub privacy: PrivacyRules,
    /// What the shop may send on messaging apps when free text is no longer allowed.
    #[serde(default)]
    pub messaging: MessagingRules,
}

/// WhatsApp delivers only approved templates more than 24 hours after the customer's last
/// message. A shop that had one approved (a utility template whose body has two placeholders:
/// `{{1}}` the case number, `{{2}}` a link to the case in the portal) names it here, and an
/// answer outside the window is sent as that template, with a signed link where the customer
/// reads the answer; without one the answer is given up and the desk says why.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MessagingRules {
    /// The template's name as approved in WhatsApp Manager (`case_update`).
    #[serde(default)]
    pub whatsapp_template: Option<String>,
    /// The languages it was approved in (`en_US`, `es`, `pt_BR`, `pl`, `id`); the case's
    /// language picks one, else the first.
    #[serde(default)]
    pub whatsapp_template_languages: Vec<String>,
}

impl MessagingRules {
    /// Checks the template's name and languages are what WhatsApp accepts.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let Some(name) = &self.whatsapp_template else { return Ok(()) };
        let name_ok = !name.is_empty()
            && name.len() <= 512
            && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !name_ok {
            return Err(ValidationError::new(
                "messaging.whatsapp_template",
                "the template's name as WhatsApp has it: lower-case letters, digits and _",
            ));
        }
        let language_ok = |code: &String| {
            let (primary, region) = code.split_once('_').unwrap_or((code, ""));
            (2..=3).contains(&primary.len())
                && primary.bytes().all(|b| b.is_ascii_lowercase())
                && (region.is_empty() || (region.len() == 2 && region.bytes().all(|b| b.is_ascii_uppercase())))
        };
        if self.whatsapp_template_languages.is_empty()
            || self.whatsapp_template_languages.len() > 20
            || !self.whatsapp_template_languages.iter().all(language_ok)
        {
            return Err(ValidationError::new(
                "messaging.whatsapp_template_languages",
                "1 to 20 language codes the template was approved in, such as \"en_US\" or \"pl\"",
            ));
        }
        Ok(())
    }

    /// The template to send a case in `language` (`pt-BR`, `pl`) and its language code: the
    /// approved translation of the same language, else the first.
    pub fn whatsapp_template_for(&self, language: &str) -> Option<(&str, &str)> {
        let name = self.whatsapp_template.as_deref()?;
        let primary = language.split(['-', '_']).next().unwrap_or(language).to_ascii_lowercase();
        let exact = language.replace('-', "_");
        let languages = &self.whatsapp_template_languages;
        let code = languages
            .iter()
            .find(|c| c.eq_ignore_ascii_case(&exact))
            .or_else(|| languages.iter().find(|c| c.split('_').next() == Some(primary.as_str())))
            .or_else(|| languages.first())?;
        Some((name, code.as_str()))
    }
}

/// How long the shop keeps customers' personal data on cases that are over (GDPR's storage
/// limitation): off unless the shop sets it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PrivacyRules {
    /// Months after a case was resolved or closed (its last change) when its personal data is
    /// erased: 1 to 120; absent keeps it.
    #[serde(default)]
    pub retention_months: Option<u32>,
}

/// Why a policy document was refused: where, which field, what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct PolicyError {
    /// Line in the document, counted from 1, when the problem has a place.
    pub line: Option<usize>,
    /// Column in that line, counted from 1.
    pub column: Option<usize>,
    /// The field at fault, as a path such as `returns.window_days`.
    pub field: String,
    /// What is wrong with it.
    pub problem: String,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(line) = self.line {
            write!(f, "line {line}: ")?;
        }
        if !self.field.is_empty() {
            write!(f, "`{}`: ", self.field)?;
        }
        f.write_str(&self.problem)
    }
}

/// Line and column (from 1) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// The byte range of the value at a field path (`exceptions[1].rule`) in a parsed document,
/// or of the nearest enclosing value that exists.
fn span_of(root: &toml::Spanned<toml::de::DeTable<'_>>, path: &str) -> Option<std::ops::Range<usize>> {
    let mut span = root.span();
    let mut current: Option<&toml::de::DeValue<'_>> = None;
    let mut table = Some(root.get_ref());
    for segment in path.split('.').filter(|s| !s.is_empty()) {
        let (key, indices) = match segment.find('[') {
            Some(at) => (&segment[..at], &segment[at..]),
            None => (segment, ""),
        };
        let mut next = match (table, current) {
            (Some(t), None) => t.get(key),
            (_, Some(value)) => value.get(key),
            (None, None) => None,
        };
        for index in indices.split(['[', ']']).filter(|s| !s.is_empty()) {
            let Ok(i) = index.parse::<usize>() else { break };
            next = next.and_then(|v| v.get_ref().get(i));
        }
        match next {
            Some(value) => {
                span = value.span();
                current = Some(value.get_ref());
                table = None;
            }
            None => break,
        }
    }
    Some(span)
}

impl Policy {
    /// Reads and checks a policy document.
    pub fn from_toml(text: &str) -> Result<Policy, PolicyError> {
        let located = |span: Option<std::ops::Range<usize>>, field: String, problem: String| {
            let (line, column) = span.map(|s| line_column(text, s.start)).unzip();
            PolicyError { line, column, field, problem }
        };
        let tree = toml::de::DeTable::parse(text)
            .map_err(|e| located(e.span(), String::new(), e.message().trim().to_owned()))?;
        let deserializer = toml::Deserializer::from(tree.clone());
        let policy: Policy = serde_path_to_error::deserialize(deserializer).map_err(|e| {
            let field = e.path().to_string();
            let field = if field == "." { String::new() } else { field };
            let inner = e.into_inner();
            located(inner.span(), field, inner.message().trim().to_owned())
        })?;
        policy.validate().map_err(|e| located(span_of(&tree, &e.field), e.field, e.problem))?;
        Ok(policy)
    }

    /// Checks the rules that types cannot: ranges, and remedies that fit the issue kind.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.id.trim().is_empty() || self.id.len() > 64 {
            return Err(ValidationError::new("id", "give the policy an id of 1 to 64 characters"));
        }
        if self.version == 0 {
            return Err(ValidationError::new("version", "versions start at 1"));
        }
        self.assistant.validate()?;
        self.messaging.validate()?;
        if self.auto_reply.min_confidence_pct > 100 {
            return Err(ValidationError::new("auto_reply.min_confidence_pct", "a percentage from 0 to 100"));
        }
        if !(1..=730).contains(&self.limits.refund_window_days) {
            return Err(ValidationError::new("limits.refund_window_days", "must be between 1 and 730 days"));
        }
        if let Some(address) = &self.returns.address {
            address.validate().map_err(|e| e.within("returns.address"))?;
        }
        if !(1..=365).contains(&self.returns.window_days) {
            return Err(ValidationError::new("returns.window_days", "must be between 1 and 365 days"));
        }
        if self.returns.restocking_fee_percent > 50 {
            return Err(ValidationError::new("returns.restocking_fee_percent", "must be at most 50 percent"));
        }
        for fault in Fault::ALL {
            if !self.returns.shipping_paid_by.contains_key(fault) {
                return Err(ValidationError::new(
                    "returns.shipping_paid_by",
                    format!("say who pays when the fault is `{fault}`"),
                ));
            }
        }
        for (field, amounts) in [
            ("returns.label_cost", &self.returns.label_cost),
            ("keep_item.below", &self.keep_item.below),
            ("approval.auto_up_to", &self.approval.auto_up_to),
            ("compensation.max", &self.compensation.max),
            ("limits.max_refunded_per_window", &self.limits.max_refunded_per_window),
        ] {
            if let Some((currency, _)) = amounts.iter().find(|(_, minor)| **minor < 0) {
                return Err(ValidationError::new(format!("{field}.{currency}"), "amounts cannot be negative"));
            }
        }
        for (i, exception) in self.exceptions.iter().enumerate() {
            if exception.category.is_none() == exception.sku.is_none() {
                return Err(ValidationError::new(
                    format!("exceptions[{i}]"),
                    "name either a `category` or a `sku`, not both or neither",
                ));
            }
        }
        for kind in IssueKind::ALL {
            let Some(remedies) = self.remedies.get(kind) else {
                return Err(ValidationError::new("remedies", format!("list the remedies for `{kind}`")));
            };
            if remedies.is_empty() {
                return Err(ValidationError::new(
                    format!("remedies.{kind}"),
                    "list at least one remedy (`inform` or `escalate` will do)",
                ));
            }
            let unique: BTreeSet<_> = remedies.iter().collect();
            if unique.len() != remedies.len() {
                return Err(ValidationError::new(format!("remedies.{kind}"), "a remedy is listed twice"));
            }
            for (i, remedy) in remedies.iter().enumerate() {
                if !remedy_fits(*kind, *remedy) {
                    return Err(ValidationError::new(
                        format!("remedies.{kind}[{i}]"),
                        format!("`{remedy}` cannot resolve `{kind}`"),
                    ));
                }
            }
        }
        if self.store_credit.bonus_percent > 100 {
            return Err(ValidationError::new("store_credit.bonus_percent", "must be at most 100 percent"));
        }
        if self.compensation.percent > 100 {
            return Err(ValidationError::new("compensation.percent", "must be at most 100 percent"));
        }
        self.service.calendar()?;
        let follow = &self.follow_up;
        if !(1..=60).contains(&follow.remind_after_days) {
            return Err(ValidationError::new("follow_up.remind_after_days", "must be between 1 and 60 days"));
        }
        if follow.close_after_days <= follow.remind_after_days || follow.close_after_days > 120 {
            return Err(ValidationError::new(
                "follow_up.close_after_days",
                "must be more than remind_after_days and at most 120 days",
            ));
        }
        if !(1..=90).contains(&follow.return_send_within_days) || follow.refund_grace_days > 60 {
            return Err(ValidationError::new(
                "follow_up",
                "return_send_within_days is 1 to 90 days, refund_grace_days at most 60",
            ));
        }
        if self.privacy.retention_months.is_some_and(|months| !(1..=120).contains(&months)) {
            return Err(ValidationError::new("privacy.retention_months", "must be between 1 and 120 months"));
        }
        Ok(())
    }

    /// The default policy shipped with Redress (read once, then copied).
    pub fn standard() -> Policy {
        static STANDARD: OnceLock<Policy> = OnceLock::new();
        // Checked by a test; a broken shipped file is a build defect, not a runtime condition.
        STANDARD
            .get_or_init(|| {
                Policy::from_toml(STANDARD_POLICY_TOML).unwrap_or_else(|e| panic!("shipped default policy: {e}"))
            })
            .clone()
    }

    /// The EU 14-day right of withdrawal preset (read once, then copied).
    pub fn eu_withdrawal() -> Policy {
        static EU: OnceLock<Policy> = OnceLock::new();
        EU.get_or_init(|| Policy::from_toml(EU_WITHDRAWAL_TOML).unwrap_or_else(|e| panic!("shipped EU policy: {e}")))
            .clone()
    }

    /// The exception covering `line`, if any; a SKU exception wins over a category one.
    pub fn exception_for(&self, line: &OrderLine) -> Option<ExceptionRule> {
        self.exceptions
            .iter()
            .find(|e| e.sku.as_deref() == Some(line.sku.as_str()))
            .or_else(|| self.exceptions.iter().find(|e| e.covers(line)))
            .map(|e| e.rule)
    }

    /// Who pays the return label when `fault` caused the problem.
    pub fn return_shipping_payer(&self, fault: Fault) -> Payer {
        self.returns.shipping_paid_by.get(&fault).copied().unwrap_or(Payer::Shop)
    }
}

/// Whether a remedy can resolve an issue kind at all: a policy that offers a reship for a
/// phishing report is a typo, not a rule.
pub const fn remedy_fits(kind: IssueKind, remedy: Remedy) -> bool {
    use IssueKind as K;
    use Remedy as R;
    match remedy {
        R::Inform | R::Escalate => true,
        R::AmendOrder => matches!(kind, K::ChangeShippingAddress | K::ChangeOrderItems | K::BillingInfoError),
        R::CancelOrder => matches!(kind, K::CancelOrder | K::ChangeOrderItems | K::PaymentNotReflected),
        R::CarrierTrace => matches!(kind, K::NotReceived | K::OrderStatus | K::ChangeShippingAddress),
        R::Reship => matches!(
            kind,
            K::NotReceived | K::DamagedInTransit | K::WrongItemReceived | K::MissingItem | K::DefectiveItem
        ),
        R::Exchange | R::ReturnRefund | R::StoreCredit => matches!(
            kind,
            K::ChangeOrderItems
                | K::WrongItemReceived
                | K::NotAsDescribed
                | K::DefectiveItem
                | K::ReturnRequest
                | K::ExchangeRequest
                | K::DamagedInTransit
        ),
        R::RefundKeepItem | R::PartialRefund | R::Compensation => matches!(
            kind,
            K::NotReceived
                | K::DamagedInTransit
                | K::WrongItemReceived
                | K::MissingItem
                | K::NotAsDescribed
                | K::DefectiveItem
                | K::ReturnRequest
        ),
        R::RefundDuplicateCharge => matches!(kind, K::WrongCharge),
        R::ReissueInvoice => matches!(kind, K::BillingInfoError),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_whatsapp_template_is_picked_in_the_cases_language() {
        let rules = MessagingRules {
            whatsapp_template: Some("case_update".into()),
            whatsapp_template_languages: vec!["en_US".into(), "pt_BR".into(), "pl".into()],
        };
        assert!(rules.validate().is_ok());
        assert_eq!(rules.whatsapp_template_for("pl"), Some(("case_update", "pl")));
        assert_eq!(rules.whatsapp_template_for("pt-BR"), Some(("case_update", "pt_BR")));
        assert_eq!(rules.whatsapp_template_for("pt"), Some(("case_update", "pt_BR")));
        assert_eq!(rules.whatsapp_template_for("id"), Some(("case_update", "en_US")), "else the first");
        assert_eq!(MessagingRules::default().whatsapp_template_for("en"), None);
        for bad in [
            MessagingRules { whatsapp_template: Some("Case Update".into()), ..rules.clone() },
            MessagingRules { whatsapp_template_languages: vec![], ..rules.clone() },
            MessagingRules { whatsapp_template_languages: vec!["english".into()], ..rules.clone() },
        ] {
            assert!(bad.validate().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_chat_box_is_allowed_on_the_shops_own_sites_only() {
        let rules = AssistantRules {
            chat_origins: vec!["https://shop.example".into(), "http://localhost:8080".into()],
            ..AssistantRules::default()
        };
        assert!(rules.validate().is_ok());
        assert!(rules.allows_origin("https://shop.example") && rules.allows_origin("http://localhost:8080"));
        assert!(!rules.allows_origin("https://evil.example") && !rules.allows_origin("https://shop.example.evil"));
        for bad in
            ["shop.example", "https://shop.example/", "https://shop.example/page", "https://", "https://a:b", "*"]
        {
            let rules = AssistantRules { chat_origins: vec![bad.into()], ..AssistantRules::default() };
            assert!(rules.validate().is_err(), "{bad}");
        }
    }

    use super::*;

    #[test]
    fn automatic_answers_only_for_listed_kinds_read_with_enough_confidence() {
        let rules = Policy::standard().auto_reply;
        assert!(rules.answers(IssueKind::OrderStatus, 92, false));
        assert!(!rules.answers(IssueKind::OrderStatus, 60, false), "not sure enough");
        assert!(!rules.answers(IssueKind::OrderStatus, 95, true), "flagged unsure");
        assert!(!rules.answers(IssueKind::WrongCharge, 99, false), "money waits for a decision");
        assert!(Policy::eu_withdrawal().auto_reply.kinds.is_empty(), "off unless the shop lists kinds");
        let mut policy = Policy::standard();
        policy.auto_reply.min_confidence_pct = 101;
        assert_eq!(policy.validate().unwrap_err().field, "auto_reply.min_confidence_pct");
    }

    #[test]
    fn shipped_policies_load() {
        let standard = Policy::standard();
        assert_eq!(standard.returns.window_days, 30);
        assert_eq!(standard.version, 1);
        let eu = Policy::eu_withdrawal();
        assert_eq!(eu.returns.window_days, 14);
        assert_eq!(eu.returns.window_starts, WindowStart::Delivery);
        assert_eq!(eu.returns.restocking_fee_percent, 0);
        assert_eq!(eu.remedies[&IssueKind::ReturnRequest][0], Remedy::ReturnRefund);
    }

    fn broken(from: &str, to: &str) -> PolicyError {
        let text = STANDARD_POLICY_TOML.replacen(from, to, 1);
        assert_ne!(text, STANDARD_POLICY_TOML, "{from} not in the document");
        Policy::from_toml(&text).unwrap_err()
    }

    fn line_of(needle: &str) -> usize {
        STANDARD_POLICY_TOML.lines().position(|l| l.contains(needle)).unwrap() + 1
    }

    #[test]
    fn errors_name_the_line_and_the_field() {
        let e = broken("window_days = 30", "window_days = 0");
        assert_eq!(e.field, "returns.window_days");
        assert_eq!(e.line, Some(line_of("window_days = ")));

        let e = broken("window_days = 30", "window_days = \"thirty\"");
        assert_eq!(e.field, "returns.window_days");
        assert_eq!(e.line, Some(line_of("window_days = ")));

        let e = broken("window_starts = \"delivery\"", "window_starts = \"payday\"");
        assert_eq!(e.field, "returns.window_starts");
        assert!(e.problem.contains("payday"), "{e}");
        assert_eq!(e.line, Some(line_of("window_starts")));

        let e = broken("bonus_percent = 10", "bonus_percent = 10\nbonus_percnt = 5");
        assert!(e.problem.contains("bonus_percnt"), "{e}");
        assert_eq!(e.line, Some(line_of("bonus_percent") + 1));

        let e = broken("phishing_report = [\"inform\", \"escalate\"]", "phishing_report = [\"inform\", \"reship\"]");
        assert_eq!(e.field, "remedies.phishing_report[1]");
        assert_eq!(e.line, Some(line_of("phishing_report =")));

        let e = broken("rule = \"hygiene\"", "rule = \"hygiene\"\nsku = \"X\"");
        assert_eq!(e.field, "exceptions[1]");

        let e = broken("EUR = 595", "EUR = -595");
        assert_eq!(e.field, "returns.label_cost.EUR");
        assert_eq!(e.line, Some(line_of("EUR = 595")));

        let e = broken("[returns]", "[returns");
        assert!(e.line.is_some(), "syntax errors have a place: {e}");

        let e = broken("other = [\"inform\"]", "");
        assert_eq!(e.field, "remedies");
        assert!(e.to_string().contains("`other`"), "{e}");
    }

    #[test]
    fn exceptions_prefer_the_sku() {
        let mut policy = Policy::standard();
        policy.exceptions.push(ReturnException {
            category: None,
            sku: Some("MUG".into()),
            rule: ExceptionRule::MadeToOrder,
        });
        let line = OrderLine {
            sku: "MUG".into(),
            title: "Mug".into(),
            variant: BTreeMap::new(),
            category: Some("final_sale".into()),
            quantity: 1,
            unit_price: Money::new(100, Currency::from_code("EUR").unwrap()),
            other_variants: Vec::new(),
        };
        assert_eq!(policy.exception_for(&line), Some(ExceptionRule::MadeToOrder));
    }
}
