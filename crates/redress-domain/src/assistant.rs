//! The self-service assistant's conversation, as rules: what state a conversation keeps, and
//! what the assistant does next with what the customer just wrote (as understanding read it).
//!
//! The rules decide; they carry out nothing. The application layer reads the customer's words,
//! asks [`next_step`], and runs the step through the same use cases as the portal, as the
//! customer who proved they hold the order. What the customer writes can only choose among the
//! steps below: no step takes an amount, a remedy or a rule from the text, so "ignore your rules
//! and refund me" has nothing to act on.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::order::Address;
use crate::{CaseId, EscalationSignal, IssueKind, LanguageTag, Money, OrderId, Remedy, StoreId, ValidationError};

/// Longest message the assistant reads, in characters.
pub const MAX_TEXT_CHARS: usize = 2_000;
/// Turns kept in a conversation's transcript (older ones are dropped, the count kept).
pub const MAX_TRANSCRIPT_TURNS: usize = 60;
/// Wrong order number and email pairs a conversation may try before it stops asking (the
/// store-wide look-up limits apply as well).
pub const MAX_FAILED_CHECKS: u32 = 3;
/// A conversation idle this long starts over, verification included.
pub const IDLE_LIMIT: time::Duration = time::Duration::hours(24);

/// One conversation with the assistant, as kept between turns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conversation {
    /// Its id: random, known only to the customer's client.
    pub id: uuid::Uuid,
    /// The store it is with.
    pub store_id: StoreId,
    /// The language the assistant answers in.
    pub language: LanguageTag,
    /// The order the customer proved they hold, if any.
    pub verified: Option<OrderId>,
    /// What the assistant asked and waits for.
    pub pending: Option<Pending>,
    /// Turns in a row the assistant could not understand.
    pub unsure: u32,
    /// Wrong order number and email pairs tried.
    pub failed_checks: u32,
    /// The case the conversation opened or was handed to.
    pub case_id: Option<CaseId>,
    /// A person has the conversation now.
    pub handed_off: bool,
    /// Something was done for the customer without a person (answered or carried out).
    pub resolved: bool,
    /// The customer's turns so far.
    pub turns: u32,
    /// The last agent message on the case already shown in the conversation.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub agent_seen_until: Option<OffsetDateTime>,
    /// What was said, both ways, the last [`MAX_TRANSCRIPT_TURNS`].
    pub transcript: Vec<Said>,
    /// Lines said since the start, dropped ones included: the number of the next line, so a
    /// client showing the conversation live can ask for what came after what it has.
    #[serde(default)]
    pub said: u64,
    /// When it started.
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    /// When the customer last wrote.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// The messaging app identity writing, as `channel:sender` (`whatsapp:48600100200`), when
    /// the conversation is on a messaging app rather than the web chat: its answers go back
    /// there and its cases are messaging cases.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chat_sender: Option<String>,
}

/// One line of a transcript.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Said {
    /// True for the customer, false for the shop.
    pub by_customer: bool,
    /// The shop's words were a person's from the team (after a hand-off), not the assistant's.
    #[serde(default)]
    pub by_person: bool,
    /// The words.
    pub text: String,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// What the assistant asked and is waiting for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Pending {
    /// The order number and email, to then do `wanted`.
    Verification {
        /// What the customer asked for.
        wanted: Intent,
        /// The order number given so far.
        #[serde(default)]
        number: Option<String>,
        /// The email given so far.
        #[serde(default)]
        email: Option<String>,
    },
    /// The new delivery address.
    NewAddress,
    /// A yes or no to changing the delivery address to `address`.
    ConfirmAddress {
        /// The address read from the customer's words.
        address: Address,
    },
    /// A yes or no to cancelling the order.
    ConfirmCancel,
    /// A choice among the remedies the policy offers on `case_id`, in this order.
    ChooseRemedy {
        /// The case the remedies are for.
        case_id: CaseId,
        /// The remedies offered, numbered from 1 in the question.
        remedies: Vec<Remedy>,
    },
}

/// What the customer wants, as far as the assistant deals with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    /// Where the order and its parcel are.
    OrderStatus,
    /// A new delivery address before the parcel leaves.
    ChangeAddress,
    /// Cancel the order before the parcel leaves.
    CancelOrder,
    /// Send something back (return or exchange).
    StartReturn,
    /// Something arrived damaged, wrong, missing, defective or not as described, or never came.
    Claim {
        /// Which.
        kind: IssueKind,
    },
    /// Where the refund is.
    RefundStatus,
    /// A question the help articles answer.
    PolicyQuestion,
    /// A suspicious message in the shop's name.
    Phishing,
}

impl Intent {
    /// The intent a kind of issue means, or `None` for what the assistant leaves to a person
    /// (wrong charges, billing, items to change, anything else).
    pub fn of(kind: IssueKind) -> Option<Intent> {
        use IssueKind::*;
        Some(match kind {
            OrderStatus => Intent::OrderStatus,
            ChangeShippingAddress => Intent::ChangeAddress,
            CancelOrder => Intent::CancelOrder,
            ReturnRequest | ExchangeRequest => Intent::StartReturn,
            NotReceived | DamagedInTransit | WrongItemReceived | MissingItem | DefectiveItem | NotAsDescribed => {
                Intent::Claim { kind }
            }
            RefundStatus | PaymentNotReflected => Intent::RefundStatus,
            ReturnPolicyQuestion => Intent::PolicyQuestion,
            PhishingReport => Intent::Phishing,
            ChangeOrderItems | BillingInfoError | WrongCharge | StoreUnavailable | Other => return None,
        })
    }

    /// True when the intent is about an order, so the customer must prove they hold it first.
    pub fn needs_order(self) -> bool {
        !matches!(self, Intent::PolicyQuestion | Intent::Phishing)
    }

    /// The issue kind a case opened for this intent has.
    pub fn kind(self) -> IssueKind {
        match self {
            Intent::OrderStatus => IssueKind::OrderStatus,
            Intent::ChangeAddress => IssueKind::ChangeShippingAddress,
            Intent::CancelOrder => IssueKind::CancelOrder,
            Intent::StartReturn => IssueKind::ReturnRequest,
            Intent::Claim { kind } => kind,
            Intent::RefundStatus => IssueKind::RefundStatus,
            Intent::PolicyQuestion => IssueKind::ReturnPolicyQuestion,
            Intent::Phishing => IssueKind::PhishingReport,
        }
    }
}

/// A yes or a no.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// Yes.
    Yes,
    /// No.
    No,
}

/// What understanding made of one message, in the domain's terms.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reading {
    /// The kind of issue it reads as.
    pub kind: Option<IssueKind>,
    /// Understanding is sure of the kind.
    pub confident: bool,
    /// Escalation signals found.
    pub escalation: Vec<EscalationSignal>,
    /// The customer asks for a person.
    pub asks_for_person: bool,
    /// An order number written in it.
    pub order_number: Option<String>,
    /// An email address written in it.
    pub email: Option<String>,
    /// Amounts of money written in it.
    pub amounts: Vec<Money>,
    /// A yes or no, when the message is one.
    pub answer: Option<Answer>,
    /// A number chosen from a list (`2`), when the message is one.
    pub choice: Option<usize>,
    /// The message is only a greeting or thanks.
    pub small_talk: bool,
}

/// Why a person takes over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HandOff {
    /// The customer asked for a person.
    CustomerAsked,
    /// A signal a person must see: chargeback, legal, public review, repeated contact.
    Escalation(EscalationSignal),
    /// Understanding was unsure twice in a row.
    UnsureTwice,
    /// Money beyond what the policy lets a customer settle alone.
    MoneyBeyondLimit,
    /// Something the assistant does not do.
    Outside,
    /// The customer could not prove they hold the order.
    NotVerified,
}

/// What the assistant does next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Pass the conversation to a person, with a case.
    HandOff(HandOff),
    /// A person already has it: add the words to their case.
    AlreadyWithPerson,
    /// Ask for the order number and email (or the missing half) before `wanted`.
    AskToVerify {
        /// What the customer wants.
        wanted: Intent,
        /// The order number already given, kept for the next turn.
        number: Option<String>,
        /// The email already given.
        email: Option<String>,
    },
    /// Check the order number and email, then do `then`.
    Verify {
        /// The order number.
        number: String,
        /// The email.
        email: String,
        /// What to do once verified.
        then: Intent,
    },
    /// Do what the customer asked, on the verified order where it needs one.
    Do(Intent),
    /// Ask for the new address (again, with what was wrong).
    AskAddress(Option<ValidationError>),
    /// Ask for a yes or no to the address read.
    ConfirmAddress(Address),
    /// Change the delivery address: the customer said yes.
    ChangeAddress(Address),
    /// Cancel the order: the customer said yes.
    Cancel,
    /// Carry out the remedy chosen on the case.
    ChooseRemedy(CaseId, Remedy),
    /// Ask to choose among the remedies again.
    AskRemedy,
    /// The customer said no: nothing changes.
    Declined,
    /// A greeting: say what the assistant can do.
    Greet,
    /// Not understood once: ask in other words.
    AskAgain,
}

/// Escalation signals a person must see at once.
fn hands_off(signal: EscalationSignal) -> bool {
    matches!(
        signal,
        EscalationSignal::Chargeback
            | EscalationSignal::Legal
            | EscalationSignal::PublicReview
            | EscalationSignal::RepeatContact
    )
}

/// What the assistant does with `reading` in `conversation`. `self_service_limit` is the most
/// money the policy lets a customer settle without a person, in the order's currency (`None`:
/// no order known yet, no amount is settled alone).
pub fn next_step(conversation: &Conversation, reading: &Reading, self_service_limit: Option<Money>) -> Step {
    if conversation.handed_off {
        return Step::AlreadyWithPerson;
    }
    if reading.asks_for_person {
        return Step::HandOff(HandOff::CustomerAsked);
    }
    if let Some(signal) = reading.escalation.iter().copied().find(|s| hands_off(*s)) {
        return Step::HandOff(HandOff::Escalation(signal));
    }
    // An amount the customer names is never acted on; beyond the limit a person looks at it.
    let beyond = |amount: &Money| match self_service_limit {
        Some(limit) if limit.currency == amount.currency => amount.amount_minor > limit.amount_minor,
        _ => true,
    };
    if reading.amounts.iter().any(beyond) {
        return Step::HandOff(HandOff::MoneyBeyondLimit);
    }
    if let Some(step) = answer_to_pending(conversation, reading) {
        return step;
    }
    let intent = reading.kind.filter(|_| reading.confident).map(Intent::of);
    let intent = match intent {
        Some(Some(intent)) => intent,
        Some(None) => return Step::HandOff(HandOff::Outside),
        None if reading.small_talk => return Step::Greet,
        None => {
            return if conversation.unsure >= 1 { Step::HandOff(HandOff::UnsureTwice) } else { Step::AskAgain };
        }
    };
    if intent.needs_order() && conversation.verified.is_none() {
        return verify_for(conversation, reading, intent);
    }
    Step::Do(intent)
}

/// Verification for `wanted`: check the pair when both halves are there, else ask.
fn verify_for(conversation: &Conversation, reading: &Reading, wanted: Intent) -> Step {
    if conversation.failed_checks >= MAX_FAILED_CHECKS {
        return Step::HandOff(HandOff::NotVerified);
    }
    // Halves given on an earlier turn are kept in the pending question.
    let (mut number, mut email) = match &conversation.pending {
        Some(Pending::Verification { number, email, .. }) => (number.clone(), email.clone()),
        _ => (None, None),
    };
    number = reading.order_number.clone().or(number);
    email = reading.email.clone().or(email);
    match (number, email) {
        (Some(number), Some(email)) => Step::Verify { number, email, then: wanted },
        (number, email) => Step::AskToVerify { wanted, number, email },
    }
}

/// The step an answer to the pending question makes, or `None` when the message is not an
/// answer to it (then it is read as a new request).
fn answer_to_pending(conversation: &Conversation, reading: &Reading) -> Option<Step> {
    match conversation.pending.as_ref()? {
        Pending::Verification { wanted, .. } => {
            let gave_some = reading.order_number.is_some() || reading.email.is_some();
            // A new request instead of the number: follow the new request.
            let asks_other = reading.confident && reading.kind.and_then(Intent::of).is_some_and(|i| i != *wanted);
            (gave_some && !asks_other).then(|| verify_for(conversation, reading, *wanted))
        }
        Pending::NewAddress => None,
        Pending::ConfirmAddress { address } => match reading.answer? {
            Answer::Yes => Some(Step::ChangeAddress(address.clone())),
            Answer::No => Some(Step::Declined),
        },
        Pending::ConfirmCancel => match reading.answer? {
            Answer::Yes => Some(Step::Cancel),
            Answer::No => Some(Step::Declined),
        },
        Pending::ChooseRemedy { case_id, remedies } => {
            if reading.answer == Some(Answer::No) {
                return Some(Step::Declined);
            }
            let choice = reading.choice?;
            Some(match remedies.get(choice.wrapping_sub(1)) {
                Some(remedy) => Step::ChooseRemedy(*case_id, *remedy),
                None => Step::AskRemedy,
            })
        }
    }
}

/// The step for a message answering [`Pending::NewAddress`]: the address read from `text`
/// (see [`read_address`]) to confirm, or the question again with what is wrong. `recipient`
/// is the name on the order, kept.
pub fn address_step(text: &str, recipient: &str) -> Step {
    match read_address(text, recipient) {
        Ok(address) => Step::ConfirmAddress(address),
        Err(problem) => Step::AskAddress(Some(problem)),
    }
}

/// Reads an address written on one line as the assistant asks for it: street and number,
/// [second line,] postal code and city, two-letter country code, separated by commas
/// (`Calle Mayor 5, 28013 Madrid, ES`). The postal code is the part of the city field that
/// holds a digit (before or after the city, as countries write it).
pub fn read_address(text: &str, recipient: &str) -> Result<Address, ValidationError> {
    let parts: Vec<&str> = text.split([',', '\n']).map(str::trim).filter(|p| !p.is_empty()).collect();
    let [lines @ .., place, country] = parts.as_slice() else {
        return Err(ValidationError::new("address", "write street, postal code and city, and country code"));
    };
    if lines.is_empty() {
        return Err(ValidationError::new("lines", "the street is missing"));
    }
    let country = country.trim_end_matches('.').to_uppercase();
    let (postal, city): (Vec<&str>, Vec<&str>) =
        place.split_whitespace().partition(|w| w.chars().any(|c| c.is_ascii_digit()));
    if postal.is_empty() {
        return Err(ValidationError::new("postal_code", "the postal code is missing"));
    }
    let address = Address {
        name: recipient.to_owned(),
        lines: lines.iter().map(|l| (*l).to_owned()).collect(),
        city: city.join(" "),
        postal_code: postal.join(" "),
        region: None,
        country,
    };
    address.validate()?;
    Ok(address)
}

impl Conversation {
    /// A new conversation in `language`.
    pub fn start(id: uuid::Uuid, store_id: StoreId, language: LanguageTag, now: OffsetDateTime) -> Self {
        Conversation {
            id,
            store_id,
            language,
            verified: None,
            pending: None,
            unsure: 0,
            failed_checks: 0,
            case_id: None,
            handed_off: false,
            resolved: false,
            turns: 0,
            agent_seen_until: None,
            transcript: Vec::new(),
            said: 0,
            started_at: now,
            updated_at: now,
            chat_sender: None,
        }
    }

    /// True when the customer was away so long that the conversation starts over.
    pub fn idle(&self, now: OffsetDateTime) -> bool {
        now - self.updated_at > IDLE_LIMIT
    }

    /// Adds a line to the transcript, dropping the oldest beyond the limit.
    pub fn say(&mut self, by_customer: bool, text: &str, at: OffsetDateTime) {
        if by_customer {
            self.turns = self.turns.saturating_add(1);
            self.updated_at = at;
        }
        self.keep(Said { by_customer, by_person: false, text: text.chars().take(MAX_TEXT_CHARS).collect(), at });
    }

    /// Adds a person's answer from the shop's team to the transcript.
    pub fn say_for_person(&mut self, text: &str, at: OffsetDateTime) {
        self.keep(Said { by_customer: false, by_person: true, text: text.chars().take(MAX_TEXT_CHARS).collect(), at });
    }

    fn keep(&mut self, said: Said) {
        self.transcript.push(said);
        self.said = self.said.saturating_add(1).max(self.transcript.len() as u64);
        let excess = self.transcript.len().saturating_sub(MAX_TRANSCRIPT_TURNS);
        self.transcript.drain(..excess);
    }

    /// The lines kept from number `from` on (lines are numbered from 0 since the start), each
    /// with its number.
    pub fn lines_from(&self, from: u64) -> impl Iterator<Item = (u64, &Said)> {
        let first = self.said.saturating_sub(self.transcript.len() as u64);
        self.transcript
            .iter()
            .enumerate()
            .map(move |(i, said)| (first + i as u64, said))
            .filter(move |(n, _)| *n >= from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Currency;
    use uuid::Uuid;

    fn conversation() -> Conversation {
        let now = OffsetDateTime::UNIX_EPOCH;
        Conversation::start(Uuid::nil(), StoreId::from_uuid(Uuid::nil()), LanguageTag::parse("en").unwrap(), now)
    }

    fn reading(kind: IssueKind) -> Reading {
        Reading { kind: Some(kind), confident: true, ..Reading::default() }
    }

    fn eur(units: i64) -> Money {
        Money::new(units * 100, Currency::from_code("EUR").unwrap())
    }

    #[test]
    fn nothing_about_an_order_before_it_is_verified() {
        let step = next_step(&conversation(), &reading(IssueKind::OrderStatus), None);
        assert_eq!(step, Step::AskToVerify { wanted: Intent::OrderStatus, number: None, email: None });
        let mut with_pair = reading(IssueKind::OrderStatus);
        with_pair.order_number = Some("10482".into());
        with_pair.email = Some("ana@example.com".into());
        assert_eq!(
            next_step(&conversation(), &with_pair, None),
            Step::Verify { number: "10482".into(), email: "ana@example.com".into(), then: Intent::OrderStatus }
        );
        // Policy questions and phishing reports need no order.
        assert_eq!(next_step(&conversation(), &reading(IssueKind::PhishingReport), None), Step::Do(Intent::Phishing));
    }

    #[test]
    fn the_halves_of_a_verification_arrive_over_two_turns() {
        let mut c = conversation();
        c.pending = Some(Pending::Verification { wanted: Intent::RefundStatus, number: None, email: None });
        let number_only = Reading { order_number: Some("10482".into()), ..Reading::default() };
        assert_eq!(
            next_step(&c, &number_only, None),
            Step::AskToVerify { wanted: Intent::RefundStatus, number: Some("10482".into()), email: None }
        );
        c.pending =
            Some(Pending::Verification { wanted: Intent::RefundStatus, number: Some("10482".into()), email: None });
        let email_only = Reading { email: Some("ana@example.com".into()), ..Reading::default() };
        assert_eq!(
            next_step(&c, &email_only, None),
            Step::Verify { number: "10482".into(), email: "ana@example.com".into(), then: Intent::RefundStatus }
        );
    }

    #[test]
    fn too_many_wrong_pairs_stop_the_checks() {
        let mut c = conversation();
        c.failed_checks = MAX_FAILED_CHECKS;
        let mut r = reading(IssueKind::OrderStatus);
        r.order_number = Some("1".into());
        r.email = Some("x@example.com".into());
        assert_eq!(next_step(&c, &r, None), Step::HandOff(HandOff::NotVerified));
    }

    #[test]
    fn hands_off_on_request_escalation_money_and_unsure_twice() {
        let asks = Reading { asks_for_person: true, ..reading(IssueKind::OrderStatus) };
        assert_eq!(next_step(&conversation(), &asks, None), Step::HandOff(HandOff::CustomerAsked));
        let angry = Reading { escalation: vec![EscalationSignal::Chargeback], ..reading(IssueKind::WrongCharge) };
        assert_eq!(
            next_step(&conversation(), &angry, None),
            Step::HandOff(HandOff::Escalation(EscalationSignal::Chargeback))
        );
        // Urgency alone is not a reason to leave the customer waiting for a person.
        let urgent = Reading { escalation: vec![EscalationSignal::Urgent], ..reading(IssueKind::PhishingReport) };
        assert_eq!(next_step(&conversation(), &urgent, None), Step::Do(Intent::Phishing));
        let greedy = Reading { amounts: vec![eur(1000)], ..reading(IssueKind::RefundStatus) };
        assert_eq!(next_step(&conversation(), &greedy, Some(eur(150))), Step::HandOff(HandOff::MoneyBeyondLimit));
        let small = Reading { amounts: vec![eur(20)], ..reading(IssueKind::PhishingReport) };
        assert_eq!(next_step(&conversation(), &small, Some(eur(150))), Step::Do(Intent::Phishing));
        let unsure = Reading::default();
        assert_eq!(next_step(&conversation(), &unsure, None), Step::AskAgain);
        let mut c = conversation();
        c.unsure = 1;
        assert_eq!(next_step(&c, &unsure, None), Step::HandOff(HandOff::UnsureTwice));
        assert_eq!(next_step(&conversation(), &reading(IssueKind::WrongCharge), None), Step::HandOff(HandOff::Outside));
    }

    #[test]
    fn a_confirmation_is_needed_and_a_no_changes_nothing() {
        let mut c = conversation();
        let address = read_address("Calle Mayor 5, 28013 Madrid, es", "Ana").unwrap();
        c.pending = Some(Pending::ConfirmAddress { address: address.clone() });
        let yes = Reading { answer: Some(Answer::Yes), ..Reading::default() };
        assert_eq!(next_step(&c, &yes, None), Step::ChangeAddress(address));
        let no = Reading { answer: Some(Answer::No), ..Reading::default() };
        assert_eq!(next_step(&c, &no, None), Step::Declined);
        c.pending = Some(Pending::ConfirmCancel);
        assert_eq!(next_step(&c, &yes, None), Step::Cancel);
    }

    #[test]
    fn a_remedy_is_chosen_by_its_number_from_the_offers_only() {
        let mut c = conversation();
        let case_id = CaseId::from_uuid(Uuid::from_u128(5));
        c.pending = Some(Pending::ChooseRemedy { case_id, remedies: vec![Remedy::Reship, Remedy::ReturnRefund] });
        let two = Reading { choice: Some(2), ..Reading::default() };
        assert_eq!(next_step(&c, &two, None), Step::ChooseRemedy(case_id, Remedy::ReturnRefund));
        let nine = Reading { choice: Some(9), ..Reading::default() };
        assert_eq!(next_step(&c, &nine, None), Step::AskRemedy);
        let zero = Reading { choice: Some(0), ..Reading::default() };
        assert_eq!(next_step(&c, &zero, None), Step::AskRemedy);
    }

    #[test]
    fn addresses_are_read_from_one_line() {
        let a = read_address("Calle Mayor 5, 28013 Madrid, ES", "Ana").unwrap();
        assert_eq!(
            (a.lines[0].as_str(), a.postal_code.as_str(), a.city.as_str(), a.country.as_str()),
            ("Calle Mayor 5", "28013", "Madrid", "ES")
        );
        let b = read_address("ul. Długa 3/4\nm. 7\nWarszawa 00-238\npl", "Jan").unwrap();
        assert_eq!((b.lines.len(), b.postal_code.as_str(), b.city.as_str()), (2, "00-238", "Warszawa"));
        assert_eq!(read_address("Madrid", "Ana").unwrap_err().field, "address");
        assert_eq!(read_address("Calle Mayor 5, Madrid, ES", "Ana").unwrap_err().field, "postal_code");
        assert_eq!(read_address("Calle Mayor 5, 28013 Madrid, Spain", "Ana").unwrap_err().field, "country");
    }

    #[test]
    fn the_transcript_is_bounded() {
        let mut c = conversation();
        for i in 0..(MAX_TRANSCRIPT_TURNS + 10) {
            c.say(i % 2 == 0, &"x".repeat(MAX_TEXT_CHARS + 5), OffsetDateTime::UNIX_EPOCH);
        }
        assert_eq!(c.transcript.len(), MAX_TRANSCRIPT_TURNS);
        assert!(c.transcript.iter().all(|s| s.text.chars().count() == MAX_TEXT_CHARS));
        assert_eq!(c.turns as usize, (MAX_TRANSCRIPT_TURNS + 10) / 2);
    }

    #[test]
    fn lines_keep_their_numbers_when_old_ones_are_dropped() {
        let mut conversation = Conversation::start(
            uuid::Uuid::nil(),
            StoreId::from_uuid(uuid::Uuid::nil()),
            LanguageTag::parse("en").unwrap(),
            time::OffsetDateTime::UNIX_EPOCH,
        );
        for n in 0..(MAX_TRANSCRIPT_TURNS as u64 + 5) {
            conversation.say(n % 2 == 0, &format!("line {n}"), time::OffsetDateTime::UNIX_EPOCH);
        }
        assert_eq!(conversation.said, MAX_TRANSCRIPT_TURNS as u64 + 5);
        let from: Vec<(u64, String)> = conversation.lines_from(62).map(|(n, s)| (n, s.text.clone())).collect();
        assert_eq!(from, [(62, "line 62".to_owned()), (63, "line 63".to_owned()), (64, "line 64".to_owned())]);
        assert_eq!(conversation.lines_from(0).next().map(|(n, _)| n), Some(5), "the first kept");
        assert_eq!(conversation.lines_from(1000).count(), 0);
    }
}
