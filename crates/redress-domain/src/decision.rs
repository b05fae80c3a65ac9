//! The decision: given a case's facts, the order's real state, the shop's policy and the
//! customer's history, what can be done, what is recommended, what it costs, and why.
//!
//! [`decide`] is a pure function: the clock is an argument, and so is everything it reads.
//! Every rule that shaped the answer is listed in [`Decision::reasons`] with its id and a
//! sentence in the customer's language, so a customer sees why and an owner can audit which
//! rule made which decision.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::explain::{RuleId, condition_words, explain};
use crate::fault::{FaultAttribution, attribute};
use crate::given::Given;
use crate::ids::CaseId;
use crate::money::{Money, MoneyError};
use crate::order::{FulfilmentStage, Order, OrderLine, Shipment, ShipmentStatus};
use crate::policy::{ExceptionRule, Payer, Policy, WindowStart, amount_in};
use crate::store::{LanguageTag, ValidationError};
use crate::taxonomy::{Fault, IssueKind, Remedy};

/// A quantity of one order line that a case is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LineQuantity {
    /// The line's SKU.
    pub sku: String,
    /// How many units.
    pub quantity: u32,
}

/// What is known about a case, apart from the order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseFacts {
    /// What went wrong.
    pub kind: IssueKind,
    /// The lines concerned; empty means the whole order.
    #[serde(default)]
    pub lines: Vec<LineQuantity>,
    /// Whether the customer has sent photos.
    #[serde(default)]
    pub photos_provided: bool,
    /// Whether the carrier offers to stop a parcel in transit.
    #[serde(default)]
    pub carrier_allows_intercept: bool,
    /// The customer's language, for the reasons.
    pub language: LanguageTag,
}

/// What the customer has asked for before, counted by the caller from stored cases.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerHistory {
    /// Cases opened in the last 90 days, this one excluded.
    pub cases_last_90_days: u32,
    /// Returns started in the last 90 days.
    pub returns_last_90_days: u32,
    /// Refunds without a return in the last 365 days.
    pub refunds_without_return_last_365_days: u32,
}

/// One remedy the customer or agent may choose.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Offer {
    /// The remedy.
    pub remedy: Remedy,
    /// The money it moves to the customer (refund, credit, voucher), if any and if known.
    pub amount: Option<Money>,
    /// The item has to come back first.
    pub requires_return: bool,
    /// A person must approve before it is carried out.
    pub needs_approval: bool,
    /// Photos are needed before it is carried out.
    pub needs_photos: bool,
}

/// The amounts a decision works with, all in the order's currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DecisionAmounts {
    /// Value of the lines concerned.
    pub goods: Money,
    /// Value of the lines that may be returned for a change of mind (final sale and the like left out).
    pub returnable: Money,
    /// Refund after a return: returnable value less label and restocking fee.
    pub refund_after_return: Money,
    /// What the customer pays for the return label.
    pub return_shipping: Money,
    /// Restocking fee kept.
    pub restocking_fee: Money,
    /// Store credit offered, bonus included.
    pub store_credit: Money,
    /// Goodwill voucher offered.
    pub compensation: Money,
}

/// A rule that shaped the decision, in words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reason {
    /// The rule's id.
    pub rule: RuleId,
    /// The values the sentence was written with.
    pub params: BTreeMap<String, String>,
    /// The sentence, in the customer's language.
    pub text: String,
}

/// What can be done about a case, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Decision {
    /// The policy applied.
    pub policy_id: String,
    /// Its version.
    pub policy_version: u32,
    /// The issue kind decided on.
    pub kind: IssueKind,
    /// How far the order had gone, if there is one.
    pub stage: Option<FulfilmentStage>,
    /// Who caused the problem, as judged from the facts.
    pub fault: FaultAttribution,
    /// The remedies on offer, in the shop's order of preference.
    pub offers: Vec<Offer>,
    /// The one recommended.
    pub recommended: Remedy,
    /// The recommended remedy needs a person's approval.
    pub needs_approval: bool,
    /// The amounts.
    pub amounts: Option<DecisionAmounts>,
    /// The rules that produced it, in the order they applied.
    pub reasons: Vec<Reason>,
    /// The language of the reasons.
    pub language: LanguageTag,
}

impl Decision {
    /// True when `rule` is among the reasons.
    pub fn applied(&self, rule: RuleId) -> bool {
        self.reasons.iter().any(|r| r.rule == rule)
    }

    /// The offer of `remedy`, if it is on offer.
    pub fn offer(&self, remedy: Remedy) -> Option<&Offer> {
        self.offers.iter().find(|o| o.remedy == remedy)
    }
}

/// Why no decision could be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecisionError {
    /// The facts do not fit the order.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// An amount could not be computed.
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// `percent` % of `amount`, rounded down to the minor unit.
pub fn percent_of(amount: Money, percent: u32) -> Result<Money, MoneyError> {
    let scaled = amount.amount_minor.checked_mul(i64::from(percent)).ok_or(MoneyError::Overflow)?;
    Ok(Money::new(scaled / 100, amount.currency))
}

fn min(a: Money, b: Money) -> Money {
    if a.amount_minor <= b.amount_minor { a } else { b }
}

fn at_least_zero(m: Money) -> Money {
    if m.is_negative() { Money::zero(m.currency) } else { m }
}

/// Collects reasons in one language.
struct Reasons<'a> {
    language: &'a str,
    list: Vec<Reason>,
}

impl Reasons<'_> {
    fn add(&mut self, rule: RuleId, params: &[(&str, String)]) {
        if self.list.iter().any(|r| r.rule == rule && params.is_empty()) {
            return;
        }
        let params: BTreeMap<String, String> = params.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect();
        let text = explain(rule, self.language, &params);
        self.list.push(Reason { rule, params, text });
    }
}

/// The order's lines a case is about, checked against the order.
pub fn affected_lines<'o>(
    order: &'o Order,
    lines: &[LineQuantity],
) -> Result<Vec<(&'o OrderLine, u32)>, ValidationError> {
    if lines.is_empty() {
        return Ok(order.lines.iter().map(|l| (l, l.quantity)).collect());
    }
    lines
        .iter()
        .enumerate()
        .map(|(i, wanted)| {
            let at = format!("lines[{i}]");
            let line = order.lines.iter().find(|l| l.sku == wanted.sku).ok_or_else(|| {
                ValidationError::new("sku", format!("`{}` is not on the order", wanted.sku)).within(&at)
            })?;
            if wanted.quantity == 0 || wanted.quantity > line.quantity {
                return Err(
                    ValidationError::new("quantity", format!("must be from 1 to {}", line.quantity)).within(&at)
                );
            }
            Ok((line, wanted.quantity))
        })
        .collect()
}

/// When the return window opens for `order` under `policy`, if it has opened.
pub fn window_start(order: &Order, start: WindowStart) -> Option<OffsetDateTime> {
    match start {
        WindowStart::Order => Some(order.placed_at),
        WindowStart::Shipment => order
            .shipments
            .iter()
            .filter_map(|s| s.status_times.get(&ShipmentStatus::HandedToCarrier).map(|t| t.0))
            .min()
            .or_else(|| order.fulfilment_stage().ge(&FulfilmentStage::WithCarrier).then_some(order.placed_at)),
        WindowStart::Delivery => {
            if order.fulfilment_stage() != FulfilmentStage::Delivered {
                return None;
            }
            let delivered = order
                .shipments
                .iter()
                .filter_map(|s| s.status_times.get(&ShipmentStatus::Delivered).map(|t| t.0))
                .max();
            // A delivery without a recorded time is counted from the order: never longer than the truth.
            Some(delivered.unwrap_or(order.placed_at))
        }
    }
}

fn date(t: OffsetDateTime) -> String {
    let d = t.date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Kinds where the customer simply changed their mind: the return window and exceptions apply.
const fn is_change_of_mind(kind: IssueKind) -> bool {
    matches!(kind, IssueKind::ReturnRequest | IssueKind::ExchangeRequest | IssueKind::ChangeOrderItems)
}

/// Kinds asking to change an order before it ships.
const fn is_amendment_kind(kind: IssueKind) -> bool {
    matches!(kind, IssueKind::CancelOrder | IssueKind::ChangeShippingAddress | IssueKind::ChangeOrderItems)
}

/// Remedies that move money or goods, which approvals and evidence rules hold back.
const fn moves_money(remedy: Remedy) -> bool {
    matches!(
        remedy,
        Remedy::Reship
            | Remedy::Exchange
            | Remedy::ReturnRefund
            | Remedy::RefundKeepItem
            | Remedy::PartialRefund
            | Remedy::StoreCredit
            | Remedy::Compensation
            | Remedy::RefundDuplicateCharge
    )
}

/// True for remedies that give something for particular units of the order, which each unit
/// gets once.
pub const fn gives_for_units(remedy: Remedy) -> bool {
    matches!(
        remedy,
        Remedy::Reship
            | Remedy::RefundKeepItem
            | Remedy::PartialRefund
            | Remedy::ReturnRefund
            | Remedy::Exchange
            | Remedy::StoreCredit
    )
}

/// Decides what can be done about a case.
///
/// `given` is what the order's units already had (refunds, replacements, returns) and whether
/// the case had goodwill compensation: units that had a remedy are left out, and a remedy for
/// units is not offered when none are left.
///
/// It runs in phases, each a function below: what the goods are worth, which remedies are in
/// play, whether returns are open, who pays what, what the order's state rules out, the offers,
/// their explanations, the holds, and the recommendation.
pub fn decide(
    facts: &CaseFacts,
    order: Option<&Order>,
    policy: &Policy,
    history: &CustomerHistory,
    given: &Given,
    now: OffsetDateTime,
) -> Result<Decision, DecisionError> {
    let mut reasons = Reasons { language: facts.language.as_str(), list: Vec::with_capacity(8) };
    let preferred: &[Remedy] = policy.remedies.get(&facts.kind).map_or(&[], Vec::as_slice);
    let Some(order) = order else { return Ok(without_order(facts, policy, preferred, reasons)) };
    if let Some(cancelled) = order.cancelled_at {
        reasons.add(RuleId::OrderCancelled, &[("date", date(cancelled.0))]);
        let offers = informing(preferred);
        return Ok(informational(facts, policy, Some(order), offers, reasons));
    }
    let goods = Goods::assess(facts, order, policy, given, &mut reasons)?;
    let candidates = candidates(facts, preferred, &goods, &mut reasons);
    let returns_open = returns_open(facts, order, policy, &goods, now, &mut reasons);
    let amounts = Amounts::compute(policy, &goods)?;
    let (blocked, overcharge) = what_the_order_rules_out(facts.kind, order, &goods, &mut reasons)?;
    let photos_needed = policy.evidence.photos_required_for.contains(&facts.kind) && !facts.photos_provided;
    if photos_needed {
        reasons.add(RuleId::PhotosRequired, &[]);
    }
    let compensated = given.compensated_here && !policy.compensation.repeat;
    if compensated && candidates.contains(&Remedy::Compensation) {
        reasons.add(RuleId::CompensationGiven, &[]);
    }
    let mut offers: Vec<Offer> = candidates
        .into_iter()
        .filter(|remedy| {
            !(blocked.contains(remedy)
                || (goods.all_given && gives_for_units(*remedy))
                || (compensated && *remedy == Remedy::Compensation))
        })
        .filter_map(|remedy| offer_for(remedy, facts.kind, &goods, &amounts, returns_open, overcharge))
        .collect();
    keep_item_instead_of_return(&mut offers, &goods, &amounts, returns_open)?;
    explain_offers(&offers, policy, &goods, &amounts, &mut reasons);
    hold(&mut offers, policy, history, &goods, photos_needed, &mut reasons);
    let recommended = recommend(&mut offers, &mut reasons);
    let needs_approval = offers.iter().any(|o| o.remedy == recommended && o.needs_approval);
    Ok(Decision {
        policy_id: policy.id.clone(),
        policy_version: policy.version,
        kind: facts.kind,
        stage: Some(goods.stage),
        fault: goods.fault,
        offers,
        recommended,
        needs_approval,
        amounts: Some(DecisionAmounts {
            goods: goods.value,
            returnable: goods.returnable,
            refund_after_return: amounts.refund_after_return,
            return_shipping: amounts.return_shipping,
            restocking_fee: amounts.restocking_fee,
            store_credit: amounts.store_credit,
            compensation: amounts.compensation,
        }),
        reasons: reasons.list,
        language: facts.language.clone(),
    })
}

/// The policy's informing remedies (inform, escalate), or inform alone.
fn informing(preferred: &[Remedy]) -> Vec<Offer> {
    let mut offers: Vec<Offer> =
        preferred.iter().filter(|r| matches!(r, Remedy::Inform | Remedy::Escalate)).map(|r| plain_offer(*r)).collect();
    if offers.is_empty() {
        offers.push(plain_offer(Remedy::Inform));
    }
    offers
}

/// A decision that moves nothing: the first offer is recommended, nothing needs approval.
fn informational(
    facts: &CaseFacts,
    policy: &Policy,
    order: Option<&Order>,
    offers: Vec<Offer>,
    reasons: Reasons<'_>,
) -> Decision {
    Decision {
        policy_id: policy.id.clone(),
        policy_version: policy.version,
        kind: facts.kind,
        stage: order.map(Order::fulfilment_stage),
        fault: attribute(facts.kind, order, &[]),
        recommended: offers.first().map_or(Remedy::Inform, |o| o.remedy),
        offers,
        needs_approval: false,
        amounts: None,
        reasons: reasons.list,
        language: facts.language.clone(),
    }
}

/// Without an order, a question can be answered; anything else goes to a person first.
fn without_order(facts: &CaseFacts, policy: &Policy, preferred: &[Remedy], mut reasons: Reasons<'_>) -> Decision {
    let needs_order = !matches!(
        facts.kind,
        IssueKind::ReturnPolicyQuestion
            | IssueKind::StoreUnavailable
            | IssueKind::PhishingReport
            | IssueKind::Other
            | IssueKind::OrderStatus
    );
    let mut offers = informing(preferred);
    if needs_order {
        reasons.add(RuleId::NoOrder, &[]);
        offers.retain(|o| o.remedy == Remedy::Escalate);
        offers.insert(0, plain_offer(Remedy::Escalate));
        offers.dedup_by_key(|o| o.remedy);
    } else {
        reasons.add(RuleId::Information, &[]);
    }
    informational(facts, policy, None, offers, reasons)
}

/// The goods a case is about, as the order stands (leaving out units that already had a
/// remedy): their value, what of it may be returned, whose fault it is, and where the order is.
struct Goods {
    kind: IssueKind,
    /// Every unit asked about already had a remedy.
    all_given: bool,
    fault: FaultAttribution,
    stage: FulfilmentStage,
    /// The carrier that has (or will have) the parcel, for the reasons.
    carrier: String,
    value: Money,
    /// The value not excluded from change-of-mind returns (final sale, hygiene, made to order).
    returnable: Money,
    change_of_mind: bool,
    amendable: bool,
    delivered: bool,
}

impl Goods {
    fn assess(
        facts: &CaseFacts,
        order: &Order,
        policy: &Policy,
        given: &Given,
        reasons: &mut Reasons<'_>,
    ) -> Result<Self, DecisionError> {
        let kind = facts.kind;
        let lines = affected_lines(order, &facts.lines)?;
        // Units that already had a remedy are left out: a unit gets one remedy, whatever the path.
        let asked: Vec<LineQuantity> =
            lines.iter().map(|(l, q)| LineQuantity { sku: l.sku.clone(), quantity: *q }).collect();
        let open = given.available(order, &asked);
        let all_given = open.is_empty() && !asked.is_empty();
        if open != asked {
            reasons.add(RuleId::AlreadyGiven, &[]);
        }
        let lines = if open.is_empty() { lines } else { affected_lines(order, &open)? };
        let skus: Vec<String> = lines.iter().map(|(l, _)| l.sku.clone()).collect();
        let stage = order.fulfilment_stage();
        let carrier = order
            .shipments
            .iter()
            .find(|s| s.status.has_left_warehouse())
            .or(order.shipments.first())
            .map_or_else(|| "-".to_owned(), Shipment::carrier_name);
        let change_of_mind =
            is_change_of_mind(kind) && !(kind == IssueKind::ChangeOrderItems && stage < FulfilmentStage::WithCarrier);
        let mut value = Money::zero(order.currency);
        let mut returnable = value;
        for (line, quantity) in &lines {
            let line_value = line.unit_price.checked_mul(*quantity)?;
            value = value.checked_add(&line_value)?;
            match if change_of_mind { policy.exception_for(line) } else { None } {
                Some(rule) => {
                    let id = match rule {
                        ExceptionRule::FinalSale => RuleId::FinalSale,
                        ExceptionRule::Hygiene => RuleId::HygieneItem,
                        ExceptionRule::MadeToOrder => RuleId::MadeToOrder,
                    };
                    reasons.add(id, &[("title", line.title.clone())]);
                }
                None => returnable = returnable.checked_add(&line_value)?,
            }
        }
        Ok(Self {
            kind,
            fault: attribute(kind, Some(order), &skus),
            all_given,
            stage,
            carrier,
            value,
            returnable,
            change_of_mind,
            amendable: crate::amendment::amendable_at(stage, policy),
            // Goods that never reached the customer cannot be sent back.
            delivered: matches!(stage, FulfilmentStage::Delivered)
                || order.shipments.iter().any(|s| s.status == ShipmentStatus::Delivered),
        })
    }

    /// What a return would give back: the returnable value for a change of mind, all of it
    /// otherwise.
    fn return_value(&self) -> Money {
        if self.change_of_mind { self.returnable } else { self.value }
    }
}

/// Which remedies are in play: the policy's list, plus the alternatives a refused amendment
/// opens.
fn candidates(facts: &CaseFacts, preferred: &[Remedy], goods: &Goods, reasons: &mut Reasons<'_>) -> Vec<Remedy> {
    let mut candidates: Vec<Remedy> = preferred.to_vec();
    if !is_amendment_kind(goods.kind) {
        return candidates;
    }
    if goods.amendable {
        reasons.add(RuleId::AmendBeforeShipping, &[]);
        return candidates;
    }
    let carrier = || goods.carrier.clone();
    match goods.stage {
        FulfilmentStage::Packed => reasons.add(RuleId::PackedNoAmendment, &[]),
        FulfilmentStage::Delivered => reasons.add(RuleId::DeliveredNoAmendment, &[]),
        _ => reasons.add(RuleId::WithCarrierNoAmendment, &[("carrier", carrier())]),
    }
    let mut alternatives = Vec::new();
    if goods.stage == FulfilmentStage::WithCarrier && facts.carrier_allows_intercept {
        reasons.add(RuleId::CarrierIntercept, &[("carrier", carrier())]);
        alternatives.push(Remedy::CarrierTrace);
    }
    // A packed parcel may still be caught by a person before the carrier collects it.
    if goods.stage == FulfilmentStage::Packed {
        alternatives.push(Remedy::Escalate);
    }
    if goods.kind == IssueKind::ChangeOrderItems {
        alternatives.push(Remedy::Exchange);
    }
    alternatives.push(Remedy::ReturnRefund);
    candidates.retain(|r| !matches!(r, Remedy::AmendOrder | Remedy::CancelOrder | Remedy::CarrierTrace));
    for (i, remedy) in alternatives.into_iter().enumerate() {
        if !candidates.contains(&remedy) {
            candidates.insert(i.min(candidates.len()), remedy);
        }
    }
    candidates
}

/// Whether a change-of-mind return is open: delivered, within the window, and something in it
/// may be returned. Other kinds are not bound by the window.
fn returns_open(
    facts: &CaseFacts,
    order: &Order,
    policy: &Policy,
    goods: &Goods,
    now: OffsetDateTime,
    reasons: &mut Reasons<'_>,
) -> bool {
    if !goods.change_of_mind {
        return true;
    }
    let mut open = true;
    match window_start(order, policy.returns.window_starts) {
        _ if goods.stage != FulfilmentStage::Delivered => {
            if !is_amendment_kind(goods.kind) {
                reasons.add(RuleId::NotDeliveredYet, &[]);
                open = false;
            }
        }
        Some(start) => {
            let deadline = start + Duration::days(i64::from(policy.returns.window_days));
            let params = [("days", policy.returns.window_days.to_string()), ("deadline", date(deadline))];
            if now <= deadline {
                reasons.add(RuleId::WithinWindow, &params);
            } else {
                reasons.add(RuleId::OutsideWindow, &params);
                open = false;
            }
        }
        None => {
            reasons.add(RuleId::NotDeliveredYet, &[]);
            open = false;
        }
    }
    if goods.returnable.amount_minor == 0 {
        open = false;
    }
    if open && !policy.returns.condition.is_empty() {
        let words: Vec<&str> =
            policy.returns.condition.iter().map(|c| condition_words(*c, facts.language.as_str())).collect();
        reasons.add(RuleId::ConditionRequired, &[("conditions", words.join(", "))]);
    }
    open
}

/// Who pays what, by the policy and the fault.
struct Amounts {
    label: Money,
    return_shipping: Money,
    restocking_fee: Money,
    refund_after_return: Money,
    bonus: Money,
    store_credit: Money,
    compensation: Money,
    /// The item is worth less than the policy's keep-it limit, or than the label.
    keep_item: bool,
    keep_because_label_costs_more: bool,
}

impl Amounts {
    fn compute(policy: &Policy, goods: &Goods) -> Result<Self, DecisionError> {
        let currency = goods.value.currency;
        let zero = Money::zero(currency);
        let return_value = goods.return_value();
        let label = amount_in(&policy.returns.label_cost, currency).unwrap_or(zero);
        let return_shipping =
            if policy.return_shipping_payer(goods.fault.case) == Payer::Customer { label } else { zero };
        let restocking_fee = if goods.fault.case == Fault::Customer && policy.returns.restocking_fee_percent > 0 {
            percent_of(return_value, policy.returns.restocking_fee_percent)?
        } else {
            zero
        };
        let refund_after_return =
            at_least_zero(return_value.checked_sub(&return_shipping)?.checked_sub(&restocking_fee)?);
        let bonus = percent_of(return_value, policy.store_credit.bonus_percent)?;
        let compensation = match amount_in(&policy.compensation.max, currency) {
            Some(cap) if policy.compensation.for_faults.contains(&goods.fault.case) => {
                min(percent_of(goods.value, policy.compensation.percent)?, cap)
            }
            _ => zero,
        };
        let keep_low_value = amount_in(&policy.keep_item.below, currency)
            .is_some_and(|limit| goods.value.amount_minor < limit.amount_minor);
        let keep_because_label_costs_more =
            policy.keep_item.when_label_costs_more && label.amount_minor > goods.value.amount_minor;
        Ok(Self {
            label,
            return_shipping,
            restocking_fee,
            refund_after_return,
            bonus,
            store_credit: return_value.checked_add(&bonus)?,
            compensation,
            keep_item: keep_low_value || keep_because_label_costs_more,
            keep_because_label_costs_more,
        })
    }
}

/// What the order's state rules out, by kind (a parcel still moving is not lost yet), and the
/// amount charged twice, if any.
fn what_the_order_rules_out(
    kind: IssueKind,
    order: &Order,
    goods: &Goods,
    reasons: &mut Reasons<'_>,
) -> Result<(Vec<Remedy>, Money), DecisionError> {
    let currency = order.currency;
    let mut blocked: Vec<Remedy> = Vec::new();
    let mut overcharge = Money::zero(currency);
    match kind {
        IssueKind::NotReceived | IssueKind::OrderStatus => {
            let lost = order
                .shipments
                .iter()
                .find(|s| matches!(s.status, ShipmentStatus::Lost | ShipmentStatus::ReturnedToSender));
            let moving = order
                .shipments
                .iter()
                .find(|s| matches!(s.status, ShipmentStatus::HandedToCarrier | ShipmentStatus::InTransit));
            if let Some(parcel) = lost {
                reasons.add(RuleId::ParcelLost, &[("carrier", parcel.carrier_name())]);
                // Nothing left to trace: the carrier has said it is gone.
                blocked.push(Remedy::CarrierTrace);
            } else if let Some(parcel) = moving {
                reasons.add(
                    RuleId::ParcelInTransit,
                    &[
                        ("carrier", parcel.carrier_name()),
                        ("tracking", parcel.tracking_number.clone().unwrap_or_else(|| "-".into())),
                    ],
                );
                blocked.extend([Remedy::Reship, Remedy::RefundKeepItem, Remedy::Compensation]);
            } else if kind == IssueKind::NotReceived && goods.stage == FulfilmentStage::Delivered {
                reasons.add(RuleId::DeliveredNotReceived, &[("carrier", goods.carrier.clone())]);
            } else {
                reasons.add(RuleId::Information, &[]);
                blocked.extend([Remedy::Reship, Remedy::RefundKeepItem, Remedy::Compensation, Remedy::CarrierTrace]);
            }
        }
        IssueKind::WrongCharge => {
            let captured = Money::sum(currency, order.payments.iter().map(|p| &p.captured))?;
            let refunded = Money::sum(currency, order.payments.iter().map(|p| &p.refunded))?;
            let kept = captured.checked_sub(&refunded)?;
            let total = order.total()?;
            overcharge = at_least_zero(kept.checked_sub(&total)?);
            if overcharge.amount_minor > 0 {
                reasons.add(
                    RuleId::DuplicateCharge,
                    &[("captured", kept.to_string()), ("total", total.to_string()), ("amount", overcharge.to_string())],
                );
            } else {
                reasons.add(RuleId::NoOvercharge, &[("captured", kept.to_string())]);
                blocked.push(Remedy::RefundDuplicateCharge);
            }
        }
        IssueKind::BillingInfoError => reasons.add(RuleId::BillingCorrection, &[]),
        IssueKind::ReturnPolicyQuestion | IssueKind::Other | IssueKind::RefundStatus => {
            reasons.add(RuleId::Information, &[]);
        }
        _ => {}
    }
    Ok((blocked, overcharge))
}

/// The offer of one remedy, if the order's state allows it, with its amount.
fn offer_for(
    remedy: Remedy,
    kind: IssueKind,
    goods: &Goods,
    amounts: &Amounts,
    returns_open: bool,
    overcharge: Money,
) -> Option<Offer> {
    let stage = goods.stage;
    match remedy {
        Remedy::AmendOrder if kind == IssueKind::BillingInfoError => Some(plain_offer(remedy)),
        Remedy::AmendOrder | Remedy::CancelOrder => goods
            .amendable
            .then(|| Offer { amount: (remedy == Remedy::CancelOrder).then_some(goods.value), ..plain_offer(remedy) }),
        Remedy::ReturnRefund | Remedy::Exchange | Remedy::StoreCredit => {
            // Before shipping an amendment does it; a return is the way only once that is too late.
            let open = if goods.change_of_mind {
                returns_open
            } else if is_amendment_kind(kind) {
                !goods.amendable
            } else {
                goods.delivered
            };
            open.then(|| {
                let amount = match remedy {
                    Remedy::ReturnRefund => Some(amounts.refund_after_return),
                    Remedy::StoreCredit => Some(amounts.store_credit),
                    _ => None,
                };
                let requires_return = !(amounts.keep_item && !goods.change_of_mind && remedy == Remedy::Exchange);
                Offer { amount, requires_return, ..plain_offer(remedy) }
            })
        }
        Remedy::Reship => (!matches!(stage, FulfilmentStage::NotPacked | FulfilmentStage::Packed)).then(|| Offer {
            requires_return: matches!(kind, IssueKind::WrongItemReceived | IssueKind::DefectiveItem)
                && !amounts.keep_item,
            ..plain_offer(remedy)
        }),
        Remedy::RefundKeepItem => {
            let allowed = if goods.change_of_mind {
                returns_open && amounts.keep_item
            } else {
                kind != IssueKind::NotReceived || stage != FulfilmentStage::NotPacked
            };
            allowed.then(|| Offer { amount: Some(goods.value), ..plain_offer(remedy) })
        }
        Remedy::PartialRefund => goods.delivered.then(|| Offer { needs_approval: true, ..plain_offer(remedy) }),
        Remedy::Compensation => (amounts.compensation.amount_minor > 0)
            .then(|| Offer { amount: Some(amounts.compensation), ..plain_offer(remedy) }),
        Remedy::RefundDuplicateCharge => Some(Offer { amount: Some(overcharge), ..plain_offer(remedy) }),
        Remedy::CarrierTrace => (stage >= FulfilmentStage::WithCarrier).then(|| plain_offer(remedy)),
        Remedy::ReissueInvoice | Remedy::Inform | Remedy::Escalate => Some(plain_offer(remedy)),
    }
}

/// A return that costs more than it recovers becomes a refund without one.
fn keep_item_instead_of_return(
    offers: &mut Vec<Offer>,
    goods: &Goods,
    amounts: &Amounts,
    returns_open: bool,
) -> Result<(), DecisionError> {
    if amounts.keep_item
        && offers.iter().any(|o| o.remedy == Remedy::ReturnRefund)
        && !offers.iter().any(|o| o.remedy == Remedy::RefundKeepItem)
        && (!goods.change_of_mind || returns_open)
    {
        let at = offers.iter().position(|o| o.remedy == Remedy::ReturnRefund).unwrap_or(offers.len());
        let amount = if goods.change_of_mind {
            at_least_zero(goods.return_value().checked_sub(&amounts.restocking_fee)?)
        } else {
            goods.value
        };
        offers.insert(at, Offer { amount: Some(amount), ..plain_offer(Remedy::RefundKeepItem) });
    }
    Ok(())
}

/// The reasons that explain the offers' amounts: keeping the item, return costs, fees, bonus,
/// compensation.
fn explain_offers(offers: &[Offer], policy: &Policy, goods: &Goods, amounts: &Amounts, reasons: &mut Reasons<'_>) {
    let offered = |remedy: Remedy| offers.iter().any(|o| o.remedy == remedy);
    if offered(Remedy::RefundKeepItem) && amounts.keep_item {
        if amounts.keep_because_label_costs_more {
            reasons.add(RuleId::KeepItemLabelCostsMore, &[("amount", amounts.label.to_string())]);
        } else {
            reasons.add(RuleId::KeepItemLowValue, &[]);
        }
    }
    if offers.iter().any(|o| o.requires_return) {
        if amounts.return_shipping.amount_minor > 0 {
            reasons.add(RuleId::ReturnShippingCharged, &[("amount", amounts.return_shipping.to_string())]);
        } else {
            reasons.add(RuleId::ReturnShippingFree, &[]);
        }
        if amounts.restocking_fee.amount_minor > 0 {
            reasons.add(
                RuleId::RestockingFee,
                &[
                    ("percent", policy.returns.restocking_fee_percent.to_string()),
                    ("amount", amounts.restocking_fee.to_string()),
                ],
            );
        }
    }
    if matches!(goods.fault.case, Fault::Retailer | Fault::Carrier) && offers.iter().any(|o| moves_money(o.remedy)) {
        reasons.add(RuleId::NotCustomersFault, &[]);
    }
    if offered(Remedy::StoreCredit) && amounts.bonus.amount_minor > 0 {
        reasons.add(
            RuleId::StoreCreditBonus,
            &[("percent", policy.store_credit.bonus_percent.to_string()), ("amount", amounts.store_credit.to_string())],
        );
    }
    if offered(Remedy::Compensation) {
        reasons.add(RuleId::Compensation, &[("amount", amounts.compensation.to_string())]);
    }
}

/// Holds: evidence, approval limits, the customer's history.
fn hold(
    offers: &mut [Offer],
    policy: &Policy,
    history: &CustomerHistory,
    goods: &Goods,
    photos_needed: bool,
    reasons: &mut Reasons<'_>,
) {
    let currency = goods.value.currency;
    let auto_limit = amount_in(&policy.approval.auto_up_to, currency);
    let busy_customer = history.cases_last_90_days > policy.approval.max_cases_per_90_days;
    let many_returns = history.returns_last_90_days >= policy.returns.max_per_90_days;
    let many_keeps = history.refunds_without_return_last_365_days >= policy.limits.refunds_without_return_per_year;
    let mut over_limit: Option<Money> = None;
    for offer in offers.iter_mut() {
        if !moves_money(offer.remedy) {
            continue;
        }
        offer.needs_photos = photos_needed;
        let refund_like = matches!(
            offer.remedy,
            Remedy::ReturnRefund
                | Remedy::RefundKeepItem
                | Remedy::PartialRefund
                | Remedy::RefundDuplicateCharge
                | Remedy::StoreCredit
        );
        if refund_like && let Some(amount) = offer.amount {
            let above = auto_limit.is_none_or(|limit| amount.amount_minor > limit.amount_minor);
            if above {
                offer.needs_approval = true;
                if over_limit.is_none_or(|m| amount.amount_minor > m.amount_minor) {
                    over_limit = Some(amount);
                }
            }
        }
        if busy_customer {
            offer.needs_approval = true;
        }
        if many_returns && offer.requires_return && goods.change_of_mind {
            offer.needs_approval = true;
        }
        if many_keeps && offer.remedy == Remedy::RefundKeepItem {
            offer.needs_approval = true;
        }
    }
    if let Some(amount) = over_limit {
        let limit = auto_limit.map_or_else(|| Money::zero(currency).to_string(), |l| l.to_string());
        reasons.add(RuleId::ApprovalAmount, &[("amount", amount.to_string()), ("limit", limit)]);
    }
    if busy_customer && offers.iter().any(|o| moves_money(o.remedy)) {
        reasons.add(RuleId::ApprovalHistory, &[]);
    }
    if many_returns && goods.change_of_mind && offers.iter().any(|o| o.requires_return) {
        reasons.add(RuleId::CustomerLimit, &[("limit", policy.returns.max_per_90_days.to_string())]);
    }
    if many_keeps && offers.iter().any(|o| o.remedy == Remedy::RefundKeepItem) {
        reasons.add(RuleId::CustomerLimit, &[("limit", policy.limits.refunds_without_return_per_year.to_string())]);
    }
}

/// The first offer that needs nothing more (else the first offer); with no offer at all, a
/// person decides.
fn recommend(offers: &mut Vec<Offer>, reasons: &mut Reasons<'_>) -> Remedy {
    let recommended = offers.iter().find(|o| !o.needs_approval && !o.needs_photos).or(offers.first()).map(|o| o.remedy);
    match recommended {
        Some(remedy) => {
            if offers.len() > 1 && offers.first().is_some_and(|o| o.remedy == remedy) {
                reasons.add(RuleId::PreferredOption, &[]);
            }
            remedy
        }
        None => {
            reasons.add(RuleId::PersonDecides, &[]);
            offers.push(plain_offer(Remedy::Escalate));
            Remedy::Escalate
        }
    }
}

fn plain_offer(remedy: Remedy) -> Offer {
    Offer { remedy, amount: None, requires_return: false, needs_approval: false, needs_photos: false }
}

/// A past case to replay a policy against.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PastCase {
    /// The case.
    pub case_id: CaseId,
    /// Its facts.
    pub facts: CaseFacts,
    /// Its order as it was, if any.
    pub order: Option<Order>,
    /// The customer's history as it was.
    pub history: CustomerHistory,
    /// When it was decided.
    pub decided_at: OffsetDateTime,
}

/// How a case's decision would change under another policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReplayChange {
    /// The case.
    pub case_id: CaseId,
    /// Recommended now.
    pub recommended_before: Remedy,
    /// Recommended under the proposed policy.
    pub recommended_after: Remedy,
    /// Remedies on offer now.
    pub offers_before: Vec<Remedy>,
    /// Remedies on offer under the proposed policy.
    pub offers_after: Vec<Remedy>,
    /// Rules that apply under the proposed policy and did not before.
    pub rules_added: Vec<RuleId>,
    /// Rules that applied before and no longer do.
    pub rules_removed: Vec<RuleId>,
}

/// Dry run: decides every past case under both policies and reports the cases whose decision
/// would change. Nothing is carried out.
pub fn replay(current: &Policy, proposed: &Policy, cases: &[PastCase]) -> Result<Vec<ReplayChange>, DecisionError> {
    let mut changes = Vec::new();
    for past in cases {
        let before =
            decide(&past.facts, past.order.as_ref(), current, &past.history, &Given::default(), past.decided_at)?;
        let after =
            decide(&past.facts, past.order.as_ref(), proposed, &past.history, &Given::default(), past.decided_at)?;
        let remedies = |d: &Decision| d.offers.iter().map(|o| o.remedy).collect::<Vec<_>>();
        let rules = |d: &Decision| d.reasons.iter().map(|r| r.rule).collect::<std::collections::BTreeSet<_>>();
        let (offers_before, offers_after) = (remedies(&before), remedies(&after));
        let (rules_before, rules_after) = (rules(&before), rules(&after));
        if before.recommended != after.recommended || offers_before != offers_after || rules_before != rules_after {
            changes.push(ReplayChange {
                case_id: past.case_id,
                recommended_before: before.recommended,
                recommended_after: after.recommended,
                offers_before,
                offers_after,
                rules_added: rules_after.difference(&rules_before).copied().collect(),
                rules_removed: rules_before.difference(&rules_after).copied().collect(),
            });
        }
    }
    Ok(changes)
}
