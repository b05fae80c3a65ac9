//! The ledger: every money movement as a balanced double-entry posting.
//!
//! A [`Posting`] has two or more [`Leg`]s, each an amount on one [`Account`]: positive amounts
//! are debits, negative amounts credits. In every currency a posting touches, its legs sum to
//! zero; [`Posting::new`] refuses anything else, so an unbalanced posting cannot exist. Postings
//! are never edited or deleted: a mistake is undone by [`Posting::correction`], a new posting
//! with every leg reversed that names the one it corrects.
//!
//! The accounts are the shop's view of post-purchase money:
//!
//! | account | kind | meaning |
//! |---|---|---|
//! | `provider_balance` | asset | money held for the shop by its payment provider |
//! | `sales` | revenue | what customers paid for orders |
//! | `refunds` | contra-revenue | money given back for orders |
//! | `store_credit` | liability | credit customers can spend in the shop |
//! | `gift_cards` | liability | gift cards and coupon codes given as compensation |
//! | `compensation` | expense | goodwill: credit bonuses, gifts, coupons |
//! | `shipping_fees` | revenue | return shipping fees kept from refunds |
//! | `restocking_fees` | revenue | restocking fees kept from refunds |
//! | `fees_charged` | revenue | fees kept from refunds, in postings made before the two above |
//! | `chargebacks` | loss | money taken back by the customer's bank in a dispute |
//!
//! A fee kept from a refund is a posting of its own (`shipping_fee`, `restocking_fee`): the
//! refund posting takes back only what the customer gets, and each fee posting moves its part
//! of the sale from `refunds` to its fee account, so the ledger shows what the shop kept and why.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::ids::{CaseId, OrderId, PaymentId, PostingId, RefundId, StoreId};
use crate::money::{Currency, Money, MoneyError};
use crate::timeline::Actor;

/// An account of the shop's post-purchase ledger.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Account {
    /// Money held for the shop by its payment provider (asset).
    ProviderBalance,
    /// What customers paid for orders (revenue).
    Sales,
    /// Money given back for orders (contra-revenue).
    Refunds,
    /// Credit customers can spend in the shop (liability).
    StoreCredit,
    /// Gift cards and coupon codes given as compensation (liability).
    GiftCards,
    /// Goodwill: credit bonuses, gifts, coupons (expense).
    Compensation,
    /// Fees kept from refunds in postings made before fees had accounts of their own (revenue).
    FeesCharged,
    /// Money taken back by the customer's bank in a dispute (loss).
    Chargebacks,
    /// Return shipping fees kept from refunds (revenue).
    ShippingFees,
    /// Restocking fees kept from refunds (revenue).
    RestockingFees,
}

impl Account {
    /// Every account.
    pub const ALL: &'static [Account] = &[
        Self::ProviderBalance,
        Self::Sales,
        Self::Refunds,
        Self::StoreCredit,
        Self::GiftCards,
        Self::Compensation,
        Self::FeesCharged,
        Self::Chargebacks,
        Self::ShippingFees,
        Self::RestockingFees,
    ];

    /// The snake_case id, as stored.
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::ProviderBalance => "provider_balance",
            Self::Sales => "sales",
            Self::Refunds => "refunds",
            Self::StoreCredit => "store_credit",
            Self::GiftCards => "gift_cards",
            Self::Compensation => "compensation",
            Self::FeesCharged => "fees_charged",
            Self::Chargebacks => "chargebacks",
            Self::ShippingFees => "shipping_fees",
            Self::RestockingFees => "restocking_fees",
        }
    }
}

/// What kind of money movement a posting records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MovementKind {
    /// The provider captured a payment.
    Capture,
    /// Money went back to the customer's original payment method.
    Refund,
    /// Store credit was issued (a refund as credit, with any bonus).
    StoreCreditIssued,
    /// Store credit was spent on an order.
    StoreCreditSpent,
    /// A gift card or coupon code was given as compensation.
    Compensation,
    /// A return shipping fee was kept from a refund.
    ShippingFee,
    /// A restocking fee was kept from a refund.
    RestockingFee,
    /// The customer's bank took the money back in a dispute.
    Chargeback,
    /// A dispute was won and the money came back.
    DisputeReversal,
    /// A correction of an earlier posting.
    Correction,
}

impl MovementKind {
    /// The snake_case id, as stored.
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::Capture => "capture",
            Self::Refund => "refund",
            Self::StoreCreditIssued => "store_credit_issued",
            Self::StoreCreditSpent => "store_credit_spent",
            Self::Compensation => "compensation",
            Self::ShippingFee => "shipping_fee",
            Self::RestockingFee => "restocking_fee",
            Self::Chargeback => "chargeback",
            Self::DisputeReversal => "dispute_reversal",
            Self::Correction => "correction",
        }
    }
}

/// One side of a posting: an amount on an account. Positive is a debit, negative a credit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Leg {
    /// The account.
    pub account: Account,
    /// Debit (positive) or credit (negative), never zero.
    pub amount: Money,
}

/// What a posting is linked to, so every amount can be traced to its cause.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PostingLinks {
    /// The store.
    pub store_id: StoreId,
    /// The order, when the movement is about one.
    pub order_id: Option<OrderId>,
    /// The case, when the movement was made on one.
    pub case_id: Option<CaseId>,
    /// The payment, when the movement went through one.
    pub payment_id: Option<PaymentId>,
    /// The refund intent, when the movement carries one out.
    pub refund_id: Option<RefundId>,
}

/// A balanced double-entry posting. Build with [`Posting::new`] or one of the movement
/// constructors; the fields are public to read, and a posting built any other way is refused
/// by [`Posting::check`], which storage runs before writing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Posting {
    /// The posting's id.
    pub id: PostingId,
    /// What kind of movement it records.
    pub kind: MovementKind,
    /// What it is linked to.
    pub links: PostingLinks,
    /// The person or system that caused it.
    pub caused_by: Actor,
    /// The rule that caused it, when a rule did (e.g. `transaction_check.duplicate_capture`).
    pub rule: Option<String>,
    /// The posting this one corrects, for corrections.
    pub corrects: Option<PostingId>,
    /// A short description a person can read.
    pub memo: String,
    /// When the money moved.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: OffsetDateTime,
    /// The legs, summing to zero in each currency.
    pub legs: Vec<Leg>,
}

/// Why a posting was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    /// The legs of a currency do not sum to zero.
    #[error("the posting does not balance in {currency}: debits minus credits is {imbalance}")]
    Unbalanced {
        /// The currency.
        currency: Currency,
        /// Debits minus credits, in minor units.
        imbalance: i64,
    },
    /// A posting needs at least two legs.
    #[error("a posting needs at least two legs")]
    TooFewLegs,
    /// A leg of zero moves nothing.
    #[error("a leg on {0:?} is zero")]
    ZeroLeg(Account),
    /// An amount that must be positive is not.
    #[error("the amount must be above zero, not {0}")]
    NotPositive(Money),
    /// The amounts do not fit in 64 bits or mix currencies.
    #[error(transparent)]
    Money(#[from] MoneyError),
}

fn positive(amount: Money) -> Result<Money, LedgerError> {
    if amount.amount_minor > 0 { Ok(amount) } else { Err(LedgerError::NotPositive(amount)) }
}

fn negated(amount: Money) -> Result<Money, LedgerError> {
    Ok(Money::new(amount.amount_minor.checked_neg().ok_or(MoneyError::Overflow)?, amount.currency))
}

fn leg(account: Account, amount: Money) -> Leg {
    Leg { account, amount }
}

/// Who and when, shared by the movement constructors.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostingContext {
    /// The new posting's id.
    pub id: PostingId,
    /// What it is linked to.
    pub links: PostingLinks,
    /// Who caused it.
    pub caused_by: Actor,
    /// The rule that caused it, if one did.
    pub rule: Option<String>,
    /// When.
    pub at: OffsetDateTime,
}

impl Posting {
    /// A posting from its legs; refused unless it balances in every currency.
    pub fn new(
        context: PostingContext,
        kind: MovementKind,
        memo: impl Into<String>,
        legs: Vec<Leg>,
    ) -> Result<Posting, LedgerError> {
        let posting = Posting {
            id: context.id,
            kind,
            links: context.links,
            caused_by: context.caused_by,
            rule: context.rule,
            corrects: None,
            memo: memo.into(),
            at: context.at,
            legs,
        };
        posting.check()?;
        Ok(posting)
    }

    /// Checks the invariants: two or more legs, none zero, balanced per currency.
    pub fn check(&self) -> Result<(), LedgerError> {
        if self.legs.len() < 2 {
            return Err(LedgerError::TooFewLegs);
        }
        let mut sums: BTreeMap<Currency, i64> = BTreeMap::new();
        for leg in &self.legs {
            if leg.amount.amount_minor == 0 {
                return Err(LedgerError::ZeroLeg(leg.account));
            }
            let sum = sums.entry(leg.amount.currency).or_default();
            *sum = sum.checked_add(leg.amount.amount_minor).ok_or(MoneyError::Overflow)?;
        }
        match sums.into_iter().find(|(_, sum)| *sum != 0) {
            Some((currency, imbalance)) => Err(LedgerError::Unbalanced { currency, imbalance }),
            None => Ok(()),
        }
    }

    /// The provider captured `amount`: the money is the shop's, held by the provider.
    pub fn capture(context: PostingContext, amount: Money) -> Result<Posting, LedgerError> {
        let amount = positive(amount)?;
        Self::new(
            context,
            MovementKind::Capture,
            format!("captured {amount}"),
            vec![leg(Account::ProviderBalance, amount), leg(Account::Sales, negated(amount)?)],
        )
    }

    /// `to_customer` went back to the original payment method. Fees kept from the refund are
    /// postings of their own ([`Posting::fee_kept`]).
    pub fn refund(context: PostingContext, to_customer: Money) -> Result<Posting, LedgerError> {
        let to_customer = positive(to_customer)?;
        Self::new(
            context,
            MovementKind::Refund,
            format!("refunded {to_customer}"),
            vec![leg(Account::Refunds, to_customer), leg(Account::ProviderBalance, negated(to_customer)?)],
        )
    }

    /// A fee kept from a refund: that part of the sale is not given back but kept as the fee's
    /// revenue (`shipping_fees` for [`MovementKind::ShippingFee`], `restocking_fees` for
    /// [`MovementKind::RestockingFee`]). Any other kind is refused as a zero-leg posting would be.
    pub fn fee_kept(context: PostingContext, kind: MovementKind, fee: Money) -> Result<Posting, LedgerError> {
        let fee = positive(fee)?;
        let (account, words) = match kind {
            MovementKind::ShippingFee => (Account::ShippingFees, "return shipping fee"),
            MovementKind::RestockingFee => (Account::RestockingFees, "restocking fee"),
            _ => return Err(LedgerError::TooFewLegs),
        };
        Self::new(
            context,
            kind,
            format!("{words} {fee} kept"),
            vec![leg(Account::Refunds, fee), leg(account, negated(fee)?)],
        )
    }

    /// Store credit issued: `amount` refunded as credit plus a goodwill `bonus` (may be zero).
    pub fn store_credit_issued(context: PostingContext, amount: Money, bonus: Money) -> Result<Posting, LedgerError> {
        let amount = positive(amount)?;
        let total = amount.checked_add(&bonus)?;
        let mut legs = vec![leg(Account::Refunds, amount)];
        if bonus.amount_minor != 0 {
            legs.push(leg(Account::Compensation, positive(bonus)?));
        }
        legs.push(leg(Account::StoreCredit, negated(total)?));
        Self::new(context, MovementKind::StoreCreditIssued, format!("store credit {total} issued"), legs)
    }

    /// Store credit spent on an order: the liability becomes a sale.
    pub fn store_credit_spent(context: PostingContext, amount: Money) -> Result<Posting, LedgerError> {
        let amount = positive(amount)?;
        Self::new(
            context,
            MovementKind::StoreCreditSpent,
            format!("store credit {amount} spent"),
            vec![leg(Account::StoreCredit, amount), leg(Account::Sales, negated(amount)?)],
        )
    }

    /// A gift card or coupon code worth `amount` given as compensation.
    pub fn compensation(context: PostingContext, amount: Money, code_hint: &str) -> Result<Posting, LedgerError> {
        let amount = positive(amount)?;
        Self::new(
            context,
            MovementKind::Compensation,
            format!("compensation {amount} as {code_hint}"),
            vec![leg(Account::Compensation, amount), leg(Account::GiftCards, negated(amount)?)],
        )
    }

    /// The customer's bank took `amount` back in a dispute.
    pub fn chargeback(context: PostingContext, amount: Money) -> Result<Posting, LedgerError> {
        let amount = positive(amount)?;
        Self::new(
            context,
            MovementKind::Chargeback,
            format!("chargeback {amount}"),
            vec![leg(Account::Chargebacks, amount), leg(Account::ProviderBalance, negated(amount)?)],
        )
    }

    /// A dispute was won: the money taken back returns.
    pub fn dispute_reversal(context: PostingContext, amount: Money) -> Result<Posting, LedgerError> {
        let amount = positive(amount)?;
        Self::new(
            context,
            MovementKind::DisputeReversal,
            format!("dispute won, {amount} returned"),
            vec![leg(Account::ProviderBalance, amount), leg(Account::Chargebacks, negated(amount)?)],
        )
    }

    /// A new posting undoing `original`: every leg reversed. The original stays as it was.
    pub fn correction(context: PostingContext, original: &Posting, reason: &str) -> Result<Posting, LedgerError> {
        let legs = original
            .legs
            .iter()
            .map(|l| Ok(leg(l.account, negated(l.amount)?)))
            .collect::<Result<Vec<_>, LedgerError>>()?;
        let mut posting = Self::new(context, MovementKind::Correction, format!("correction: {reason}"), legs)?;
        posting.corrects = Some(original.id);
        Ok(posting)
    }
}

/// Balances per account and currency, summed from postings (debits positive). Sums are kept
/// in a wide type: no number of stored legs, however large each, can overflow them, so one bad
/// row never stops the books from being shown.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Balances {
    /// Account and currency to the sum of its legs, in minor units.
    pub by_account: BTreeMap<(Account, Currency), i128>,
}

impl Balances {
    /// Sums `postings`.
    pub fn of<'a>(postings: impl IntoIterator<Item = &'a Posting>) -> Balances {
        let mut balances = Balances::default();
        for posting in postings {
            balances.add(posting);
        }
        balances
    }

    /// Adds one posting.
    pub fn add(&mut self, posting: &Posting) {
        for leg in &posting.legs {
            *self.by_account.entry((leg.account, leg.amount.currency)).or_default() +=
                i128::from(leg.amount.amount_minor);
        }
    }

    /// The balance of one account in one currency, and whether it fits in money's range (a
    /// balance beyond it is shown at the range's end).
    pub fn get(&self, account: Account, currency: Currency) -> (Money, bool) {
        wide_money(self.by_account.get(&(account, currency)).copied().unwrap_or(0), currency)
    }

    /// True when every currency's accounts sum to zero, as they must.
    pub fn is_balanced(&self) -> bool {
        let mut per_currency: BTreeMap<Currency, i128> = BTreeMap::new();
        for ((_, currency), sum) in &self.by_account {
            *per_currency.entry(*currency).or_default() += *sum;
        }
        per_currency.values().all(|sum| *sum == 0)
    }
}

/// A wide sum as money: the amount, held at the end of money's range when beyond it, and
/// whether it fitted.
pub fn wide_money(minor: i128, currency: Currency) -> (Money, bool) {
    match i64::try_from(minor) {
        Ok(minor) => (Money::new(minor, currency), true),
        Err(_) => (Money::new(if minor < 0 { i64::MIN } else { i64::MAX }, currency), false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::datetime;
    use uuid::Uuid;

    fn eur() -> Currency {
        Currency::from_code("EUR").unwrap()
    }

    fn context(n: u128) -> PostingContext {
        PostingContext {
            id: PostingId::from_uuid(Uuid::from_u128(n)),
            links: PostingLinks {
                store_id: StoreId::from_uuid(Uuid::from_u128(1)),
                order_id: None,
                case_id: None,
                payment_id: None,
                refund_id: None,
            },
            caused_by: Actor::System,
            rule: None,
            at: datetime!(2026-11-20 09:00 UTC),
        }
    }

    #[test]
    fn unbalanced_postings_are_refused() {
        let legs =
            vec![leg(Account::Refunds, Money::new(100, eur())), leg(Account::ProviderBalance, Money::new(-99, eur()))];
        assert!(matches!(
            Posting::new(context(2), MovementKind::Refund, "x", legs),
            Err(LedgerError::Unbalanced { imbalance: 1, .. })
        ));
        let usd = Currency::from_code("USD").unwrap();
        let mixed =
            vec![leg(Account::Refunds, Money::new(100, eur())), leg(Account::ProviderBalance, Money::new(-100, usd))];
        assert!(matches!(
            Posting::new(context(2), MovementKind::Refund, "x", mixed),
            Err(LedgerError::Unbalanced { imbalance: 100, .. })
        ));
        assert_eq!(
            Posting::new(context(2), MovementKind::Refund, "x", vec![leg(Account::Refunds, Money::new(0, eur()))]),
            Err(LedgerError::TooFewLegs)
        );
        assert!(matches!(Posting::capture(context(3), Money::new(-5, eur())), Err(LedgerError::NotPositive(_))));
        assert!(matches!(Posting::capture(context(3), Money::new(0, eur())), Err(LedgerError::NotPositive(_))));
    }

    #[test]
    fn movements_land_on_the_right_accounts() {
        let capture = Posting::capture(context(2), Money::new(5000, eur())).unwrap();
        let refund = Posting::refund(context(3), Money::new(3500, eur())).unwrap();
        let fee = Posting::fee_kept(context(6), MovementKind::RestockingFee, Money::new(500, eur())).unwrap();
        let credit = Posting::store_credit_issued(context(4), Money::new(1000, eur()), Money::new(100, eur())).unwrap();
        let spent = Posting::store_credit_spent(context(5), Money::new(600, eur())).unwrap();
        let balances = Balances::of([&capture, &refund, &fee, &credit, &spent]);
        assert!(balances.is_balanced());
        assert_eq!(balances.get(Account::ProviderBalance, eur()).0.amount_minor, 1500);
        assert_eq!(balances.get(Account::Refunds, eur()).0.amount_minor, 5000);
        assert_eq!(balances.get(Account::RestockingFees, eur()).0.amount_minor, -500);
        assert!(matches!(
            Posting::fee_kept(context(7), MovementKind::Refund, Money::new(1, eur())),
            Err(LedgerError::TooFewLegs)
        ));
        assert_eq!(balances.get(Account::StoreCredit, eur()).0.amount_minor, -500);
        assert_eq!(balances.get(Account::Compensation, eur()).0.amount_minor, 100);
    }

    #[test]
    fn corrections_reverse_without_touching_the_original() {
        let capture = Posting::capture(context(2), Money::new(5000, eur())).unwrap();
        let kept = capture.clone();
        let fix = Posting::correction(context(3), &capture, "captured on the wrong order").unwrap();
        assert_eq!(capture, kept);
        assert_eq!(fix.corrects, Some(capture.id));
        let balances = Balances::of([&capture, &fix]);
        assert!(balances.by_account.values().all(|v| *v == 0));
    }

    fn any_movement() -> impl Strategy<Value = (u8, i64, i64)> {
        (0u8..8, 1i64..1_000_000_000, 0i64..1_000_000)
    }

    proptest! {
        /// Whatever movements are made, in whatever currencies, every posting balances and so
        /// does the whole ledger.
        #[test]
        fn every_posting_and_the_ledger_balance(moves in proptest::collection::vec((any_movement(), 0usize..3), 1..50)) {
            let currencies = [eur(), Currency::from_code("PLN").unwrap(), Currency::from_code("JPY").unwrap()];
            let mut postings = Vec::new();
            for (i, ((kind, amount, extra), c)) in moves.into_iter().enumerate() {
                let ctx = context(i as u128 + 10);
                let (a, e) = (Money::new(amount, currencies[c]), Money::new(extra, currencies[c]));
                let posting = match kind {
                    0 => Posting::capture(ctx, a),
                    1 if extra > 0 => Posting::fee_kept(ctx, MovementKind::ShippingFee, e),
                    1 => Posting::refund(ctx, a),
                    2 => Posting::store_credit_issued(ctx, a, e),
                    3 => Posting::store_credit_spent(ctx, a),
                    4 => Posting::compensation(ctx, a, "coupon"),
                    5 => Posting::chargeback(ctx, a),
                    6 => Posting::dispute_reversal(ctx, a),
                    _ => match postings.last() {
                        Some(last) => Posting::correction(ctx, last, "mistake"),
                        None => Posting::capture(ctx, a),
                    },
                }.unwrap();
                prop_assert!(posting.check().is_ok());
                postings.push(posting);
            }
            prop_assert!(Balances::of(&postings).is_balanced());
        }
    }
}
