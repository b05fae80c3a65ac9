//! The self-service assistant: a conversation in the customer's words, on the web chat, the
//! API and any channel that calls it. Understanding reads each message; the domain's rules
//! ([`redress_domain::assistant::next_step`]) pick the step; this module carries the step out
//! through the same use cases as the portal, as the customer who proved they hold the order
//! (named "assistant" on the timeline), and answers in the conversation's language.
//!
//! Nothing about an order is said or changed before the customer proved they hold it (order
//! number and email, counted against the portal's guess limits; a portal grant; a verified
//! channel identity). The conversation lives in storage, so any server continues it.

use redress_domain::amendment::Amendment;
use redress_domain::assistant::{
    self as rules, Conversation, HandOff, Intent, MAX_TEXT_CHARS, Pending, Reading, Step, address_step, next_step,
};
use redress_domain::refund::{RefundMethod, RefundStatus};
use redress_domain::remedy::RemedyRequest;
use redress_domain::returns::ReturnAuthorisation;
use redress_domain::{
    Case, CaseId, Channel, Direction, IssueKind, LanguageTag, Money, Order, OrderId, Remedy, ShipmentStatus, Store,
};
use redress_storage::{Conflict, StorageError};
use redress_text::assistant::{answer_of, asks_for_person, choice_of, say, small_talk};
use redress_text::replies::{format_date, format_money, reply_language};
use serde::{Deserialize, Serialize};

use crate::caller::SystemRule;
use crate::cases::{self, FirstMessage, NewMessage, OpenCase};
use crate::error::{AppError, AppResult};
use crate::idempotency::RequestKey;
use crate::orders::LookUp;
use crate::resolution::{self, AmendmentRequest, OptionsRequest};
use crate::{App, Caller};

/// One message from the customer.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Turn {
    /// The conversation to continue; absent to start one.
    #[serde(default)]
    pub conversation: Option<String>,
    /// What the customer wrote, 1 to 2,000 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 2000))]
    pub text: String,
    /// The language to answer in (BCP 47); detected from the words when absent.
    #[serde(default)]
    pub language: Option<String>,
}

/// One thing the assistant says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssistantReply {
    /// The words, in the conversation's language.
    pub text: String,
    /// A person from the shop's team wrote them (after a hand-off), not the assistant.
    #[serde(default)]
    pub by_person: bool,
}

/// The assistant's answer to one message.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssistantAnswer {
    /// The conversation, to send with the next message.
    pub conversation: String,
    /// What the assistant says, in order.
    pub replies: Vec<AssistantReply>,
    /// A person has the conversation now.
    pub handed_off: bool,
    /// The case the conversation opened or was handed to.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Uuid))]
    pub case: Option<CaseId>,
    /// The language the assistant answers in.
    pub language: String,
    /// Lines said in the conversation so far, both ways: ask the live updates for what comes
    /// after (`?after=`).
    pub lines: u64,
}

/// A line of a conversation, numbered from its start.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChatLine {
    /// Its number: lines are numbered from 0 since the conversation started.
    pub number: u64,
    /// True for the customer's words, false for the shop's.
    pub by_customer: bool,
    /// The shop's words were a person's from the team, not the assistant's.
    pub by_person: bool,
    /// The words.
    pub text: String,
}

/// What came in a conversation after a line the client has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewLines {
    /// The lines, oldest first.
    pub lines: Vec<ChatLine>,
    /// A person has the conversation now.
    pub handed_off: bool,
}

/// Who is writing, as the adapter knows them before reading the words.
#[derive(Clone, Copy, Debug, Default)]
pub struct Visitor<'a> {
    /// Where the request comes from (the client's address), for the guess limits.
    pub source: &'a str,
    /// The order they already proved they hold: a portal grant, a signed link, or a channel
    /// identity verified on the order.
    pub holds: Option<OrderId>,
}

/// The remedies a customer may choose in the conversation (others need a form or a person:
/// an exchange needs the variant chosen in the portal).
const CHOOSABLE: [Remedy; 7] = [
    Remedy::Reship,
    Remedy::ReturnRefund,
    Remedy::RefundKeepItem,
    Remedy::PartialRefund,
    Remedy::StoreCredit,
    Remedy::CarrierTrace,
    Remedy::Compensation,
];

/// Answers one message of a conversation with `store`'s assistant.
pub async fn converse(app: &App, store: &Store, visitor: Visitor<'_>, turn: Turn) -> AppResult<AssistantAnswer> {
    let (text, asked_language) = read_turn(&turn.text, turn.language.as_deref())?;
    let stored = match turn.conversation.as_deref() {
        Some(id) => {
            let id = conversation_id(id)?;
            let stored = app.storage().assistant().conversation(store.id, id).await?;
            Some(stored.ok_or_else(|| AppError::not_found("conversation"))?)
        }
        None => None,
    };
    let answered = answer(app, store, visitor, stored, None, text, asked_language).await?;
    // Two turns of one conversation at once: the later save is refused (`changed_meanwhile`).
    let writes = redress_storage::channels::ChannelWrites::default();
    app.storage().assistant().save_conversation(&answered.conversation, answered.version, &writes).await?;
    let Answered { conversation, replies, from_person, .. } = answered;
    Ok(AssistantAnswer {
        conversation: conversation.id.to_string(),
        replies: replies
            .into_iter()
            .enumerate()
            .map(|(i, text)| AssistantReply { text, by_person: i < from_person })
            .collect(),
        handed_off: conversation.handed_off,
        case: conversation.case_id,
        language: conversation.language.to_string(),
        lines: conversation.said,
    })
}

/// The customer's words and the language asked for, checked.
pub(crate) fn read_turn(text: &str, language: Option<&str>) -> AppResult<(String, Option<LanguageTag>)> {
    let text = text.trim().to_owned();
    if text.is_empty() {
        return Err(AppError::invalid("text", "write a message"));
    }
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(AppError::invalid("text", format!("at most {MAX_TEXT_CHARS} characters")));
    }
    let language =
        language.map(LanguageTag::parse).transpose().map_err(|e| AppError::invalid("language", e.problem))?;
    Ok((text, language))
}

/// A turn answered and not yet saved: the caller saves the conversation over `version` with
/// whatever its channel writes in the same transaction.
pub(crate) struct Answered {
    /// The conversation after the turn.
    pub conversation: Conversation,
    /// The version it was loaded at (0: new).
    pub version: i64,
    /// What is said back, in order: first a person's answers written since the last look,
    /// then the assistant's.
    pub replies: Vec<String>,
    /// How many of `replies` are a person's.
    pub from_person: usize,
}

/// The newest conversation of a messaging app identity (`channel:sender`), unless the
/// customer was away so long that it starts over.
pub(crate) async fn conversation_of_sender(
    app: &App,
    store: &Store,
    chat_sender: &str,
) -> AppResult<Option<redress_storage::assistant::StoredConversation>> {
    let stored = app.storage().assistant().conversation_of_sender(store.id, chat_sender).await?;
    Ok(stored.filter(|s| !s.conversation.idle(app.now())))
}

/// Answers `text` in the conversation `stored` (a new one when absent or idle; on a messaging
/// app when `chat_sender` names the identity writing).
pub(crate) async fn answer(
    app: &App,
    store: &Store,
    visitor: Visitor<'_>,
    stored: Option<redress_storage::assistant::StoredConversation>,
    chat_sender: Option<&str>,
    text: String,
    asked_language: Option<LanguageTag>,
) -> AppResult<Answered> {
    let now = app.now();
    let (mut conversation, version) = match stored {
        Some(stored) if !stored.conversation.idle(now) => (stored.conversation, stored.version),
        _ => {
            let mut new = start(app, store, &text, asked_language.clone());
            new.chat_sender = chat_sender.map(str::to_owned);
            (new, 0)
        }
    };
    if let Some(language) = asked_language {
        conversation.language = language;
    }
    if conversation.verified.is_none() {
        conversation.verified = visitor.holds;
    }
    conversation.say(true, &text, now);
    let mut talk = Talk { app, store, visitor, conversation, replies: Vec::new(), text };
    talk.agent_replies().await?;
    let from_person = talk.replies.len();
    talk.answer().await?;
    let Talk { mut conversation, mut replies, .. } = talk;
    let own = replies.split_off(from_person);
    replies.extend(phrase(app, store, conversation.language.as_str(), own).await?);
    for (i, reply) in replies.iter().enumerate() {
        if i < from_person {
            conversation.say_for_person(reply, now);
        } else {
            conversation.say(false, reply, now);
        }
    }
    Ok(Answered { conversation, version, replies, from_person })
}

/// The lines of a conversation from number `after` on, with a person's answers written on its
/// case since the last look: what a client showing the conversation live adds.
pub async fn lines_after(app: &App, store: &Store, id: &str, after: u64) -> AppResult<NewLines> {
    let conversation = conversation(app, store, id).await?;
    let lines = conversation
        .lines_from(after)
        .map(|(number, said)| ChatLine {
            number,
            by_customer: said.by_customer,
            by_person: said.by_person,
            text: said.text.clone(),
        })
        .collect();
    Ok(NewLines { lines, handed_off: conversation.handed_off })
}

/// True when a page from `origin` (a browser's `Origin` header) may hold the store's chat box
/// (the policy's `assistant.chat_origins`).
pub async fn chat_origin_allowed(app: &App, store: &Store, origin: &str) -> AppResult<bool> {
    Ok(resolution::policy_in_force(app, store.id).await?.assistant.allows_origin(origin))
}

/// The assistant's replies as the store's language model words them, where the policy names
/// one; each keeps the template's words when the model is slow, down, or loses a fact. A
/// person's answers are never reworded.
async fn phrase(app: &App, store: &Store, language: &str, replies: Vec<String>) -> AppResult<Vec<String>> {
    let rules = resolution::policy_in_force(app, store.id).await?.assistant;
    let (Some(endpoint), Some(model)) = (rules.phrasing_endpoint.as_deref(), rules.phrasing_model.as_deref()) else {
        return Ok(replies);
    };
    let wait = rules.phrasing_timeout_ms.unwrap_or(redress_domain::policy::AssistantRules::DEFAULT_TIMEOUT_MS);
    let wait = std::time::Duration::from_millis(u64::from(wait));
    let mut phrased = Vec::with_capacity(replies.len());
    let mut reachable = true;
    for reply in replies {
        if reachable {
            match app.phraser().rephrase((endpoint, model), language, &reply, wait).await {
                Ok(words) => {
                    phrased.push(words);
                    continue;
                }
                Err(e) => {
                    tracing::info!(error = %e, "a reply keeps its template's words");
                    // A model that is down or slow is not asked again in this turn.
                    reachable = !matches!(e, redress_connect::phrasing::PhrasingError::Unreachable(_));
                }
            }
        }
        phrased.push(reply);
    }
    Ok(phrased)
}

/// A conversation as its transcript shows it, with the answers a person wrote on its case
/// since the last look (the web chat shows them on reload).
pub async fn conversation(app: &App, store: &Store, id: &str) -> AppResult<Conversation> {
    let id = conversation_id(id)?;
    let stored = app
        .storage()
        .assistant()
        .conversation(store.id, id)
        .await?
        .ok_or_else(|| AppError::not_found("conversation"))?;
    let mut talk = Talk {
        app,
        store,
        visitor: Visitor::default(),
        conversation: stored.conversation,
        replies: Vec::new(),
        text: String::new(),
    };
    let before = talk.conversation.agent_seen_until;
    talk.agent_replies().await?;
    let Talk { mut conversation, replies, .. } = talk;
    if conversation.agent_seen_until != before {
        let now = app.now();
        for reply in &replies {
            conversation.say_for_person(reply, now);
        }
        // A turn saved meanwhile has shown them too; its state wins.
        let writes = redress_storage::channels::ChannelWrites::default();
        match app.storage().assistant().save_conversation(&conversation, stored.version, &writes).await {
            Err(StorageError::Conflict(Conflict::ChangedMeanwhile(_))) | Ok(()) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(conversation)
}

/// A new conversation, in the language asked for, else the one the words are in when
/// detection is sure, else the store's.
fn start(app: &App, store: &Store, text: &str, asked: Option<LanguageTag>) -> Conversation {
    let detected = app
        .understanding()
        .identify_language(text)
        .filter(|g| g.supported && g.confidence >= 0.5 && text.split_whitespace().count() >= 3)
        .and_then(|g| LanguageTag::parse(g.tag).ok());
    let language = asked.or(detected).unwrap_or_else(|| store.default_language.clone());
    // Random, not time-ordered: the id is all a client holds to continue a verified conversation.
    Conversation::start(uuid::Uuid::new_v4(), store.id, language, app.now())
}

/// One turn being answered.
struct Talk<'a> {
    app: &'a App,
    store: &'a Store,
    visitor: Visitor<'a>,
    conversation: Conversation,
    replies: Vec<String>,
    text: String,
}

impl Talk<'_> {
    fn lang(&self) -> &'static str {
        reply_language(self.conversation.language.as_str())
    }

    fn say(&mut self, id: &str, values: &[(&str, &str)]) {
        let text = say(self.lang(), id, values);
        self.replies.push(text);
    }

    /// The customer, as the use cases know them, once verified: acting through the assistant.
    async fn customer(&self) -> AppResult<Option<(Caller, Order)>> {
        let Some(order_id) = self.conversation.verified else { return Ok(None) };
        let order = self.app.storage().order(self.store.id, order_id).await?;
        let customer = self.app.storage().customer(self.store.id, order.customer_id).await?;
        let caller = Caller::Customer {
            store_id: self.store.id,
            order_id,
            handle: customer.email.to_string(),
            through_assistant: true,
        };
        Ok(Some((caller, order)))
    }

    async fn verified(&self) -> AppResult<(Caller, Order)> {
        self.customer().await?.ok_or_else(|| AppError::internal("the assistant acted before verification"))
    }

    /// The channel of the cases the conversation opens: a messaging app's, where answers on
    /// the case go back to the app, or the web chat's.
    fn channel(&self) -> Channel {
        if self.conversation.chat_sender.is_some() { Channel::Social } else { Channel::Chat }
    }

    fn system(&self) -> Caller {
        Caller::System { store_id: self.store.id, rule: SystemRule::Assistant }
    }

    /// What understanding and the small readings make of the customer's words.
    fn reading(&self) -> Reading {
        let context =
            redress_text::Context { lang_hint: Some(self.conversation.language.as_str()), ..Default::default() };
        let analysis = self.app.understanding().understand_with(&self.text, &context);
        let entity =
            |kind: redress_text::EntityKind| analysis.entities.iter().find(|e| e.kind == kind).map(|e| e.value.clone());
        Reading {
            kind: Some(analysis.kind),
            confident: !analysis.low_confidence && analysis.kind != IssueKind::Other,
            escalation: analysis.escalation.iter().map(|e| e.signal).collect(),
            asks_for_person: asks_for_person(&self.text),
            order_number: order_number(&self.text, &analysis.entities),
            email: entity(redress_text::EntityKind::Email),
            amounts: analysis.entities.iter().filter_map(|e| e.money).collect(),
            answer: answer_of(&self.text),
            choice: choice_of(&self.text),
            small_talk: small_talk(&self.text),
        }
    }

    /// The most a customer settles alone: the approval limit in the verified order's currency.
    async fn self_service_limit(&self) -> AppResult<Option<Money>> {
        let Some(order_id) = self.conversation.verified else { return Ok(None) };
        let order = self.app.storage().order(self.store.id, order_id).await?;
        Ok(Some(crate::money::approval_policy(self.app, self.store.id).await?.limit(order.currency)))
    }

    async fn answer(&mut self) -> AppResult<()> {
        let reading = self.reading();
        let step = match &self.conversation.pending {
            // An address is not a request: read it as one unless a person is wanted.
            Some(Pending::NewAddress) if !reading.asks_for_person && reading.escalation.is_empty() => {
                let (_, order) = self.verified().await?;
                address_step(&self.text, &order.shipping_address.name)
            }
            _ => next_step(&self.conversation, &reading, self.self_service_limit().await?),
        };
        if step != Step::AskAgain {
            self.conversation.unsure = 0;
        }
        Box::pin(self.take(step, &reading)).await
    }

    async fn take(&mut self, step: Step, reading: &Reading) -> AppResult<()> {
        match step {
            Step::HandOff(reason) => self.hand_off(reason, reading).await?,
            Step::AlreadyWithPerson => self.pass_to_person().await?,
            Step::AskToVerify { wanted, number, email } => {
                let id = match (&number, &email) {
                    (Some(_), None) => "assistant-ask-verify-email",
                    (None, Some(_)) => "assistant-ask-verify-number",
                    _ => "assistant-ask-verify",
                };
                self.conversation.pending = Some(Pending::Verification { wanted, number, email });
                self.say(id, &[]);
            }
            Step::Verify { number, email, then } => self.verify(&number, &email, then, reading).await?,
            Step::Do(intent) => {
                self.conversation.pending = None;
                self.carry_out(intent, reading).await?;
            }
            Step::AskAddress(problem) => {
                let id = match problem.as_ref().map(|p| p.field.as_str()) {
                    Some("postal_code") => "assistant-address-postal",
                    Some("country") => "assistant-address-country",
                    Some(_) => "assistant-address-unreadable",
                    None => "assistant-ask-address",
                };
                self.conversation.pending = Some(Pending::NewAddress);
                self.say(id, &[]);
            }
            Step::ConfirmAddress(address) => {
                let (_, order) = self.verified().await?;
                let line = address.label_lines().join(", ");
                self.say("assistant-confirm-address", &[("number", &order.number), ("address", &line)]);
                self.conversation.pending = Some(Pending::ConfirmAddress { address });
            }
            Step::ChangeAddress(address) => {
                self.conversation.pending = None;
                self.change_address(address).await?;
            }
            Step::Cancel => {
                self.conversation.pending = None;
                self.cancel().await?;
            }
            Step::ChooseRemedy(case_id, remedy) => {
                self.conversation.pending = None;
                self.choose(case_id, remedy).await?;
            }
            Step::AskRemedy => {
                if let Some(Pending::ChooseRemedy { remedies, .. }) = self.conversation.pending.clone() {
                    self.offer(&remedies);
                }
            }
            Step::Declined => {
                self.conversation.pending = None;
                self.say("assistant-declined", &[]);
                self.say("assistant-anything-else", &[]);
            }
            Step::Greet => {
                let shop = self.store.name.clone();
                self.say("assistant-greeting", &[("shop", &shop)]);
            }
            Step::AskAgain => {
                self.conversation.unsure += 1;
                self.say("assistant-ask-again", &[]);
            }
        }
        Ok(())
    }

    async fn verify(&mut self, number: &str, email: &str, then: Intent, reading: &Reading) -> AppResult<()> {
        let number = number.trim().trim_start_matches('#');
        match crate::orders::look_up(self.app, self.store, (number, email), self.visitor.source).await? {
            LookUp::Found(order_id) => {
                self.conversation.verified = Some(order_id);
                self.conversation.pending = None;
                let (_, order) = self.verified().await?;
                self.say("assistant-verified", &[("number", &order.number)]);
                self.carry_out(then, reading).await
            }
            LookUp::NotFound => {
                self.conversation.failed_checks += 1;
                self.conversation.pending = Some(Pending::Verification { wanted: then, number: None, email: None });
                if self.conversation.failed_checks >= rules::MAX_FAILED_CHECKS {
                    return self.hand_off(HandOff::NotVerified, reading).await;
                }
                self.say("assistant-verify-failed", &[]);
                Ok(())
            }
            LookUp::TooMany => {
                self.say("assistant-verify-too-many", &[]);
                Ok(())
            }
        }
    }

    async fn carry_out(&mut self, intent: Intent, reading: &Reading) -> AppResult<()> {
        match intent {
            Intent::OrderStatus => self.order_status(reading).await,
            Intent::ChangeAddress => {
                let (caller, order) = self.verified().await?;
                let same = Amendment::ShippingAddress { address: order.shipping_address.clone() };
                if self.refused(&caller, &order, &same).await? {
                    return Ok(());
                }
                self.conversation.pending = Some(Pending::NewAddress);
                self.say("assistant-ask-address", &[]);
                Ok(())
            }
            Intent::CancelOrder => {
                let (caller, order) = self.verified().await?;
                if self.refused(&caller, &order, &Amendment::CancelOrder).await? {
                    return Ok(());
                }
                self.conversation.pending = Some(Pending::ConfirmCancel);
                self.say("assistant-confirm-cancel", &[("number", &order.number)]);
                Ok(())
            }
            Intent::StartReturn | Intent::Claim { .. } => self.claim(intent.kind(), reading).await,
            Intent::RefundStatus => self.refund_status().await,
            Intent::PolicyQuestion => self.policy_answer(reading).await,
            Intent::Phishing => {
                let caller = match self.customer().await? {
                    Some((caller, _)) => caller,
                    None => self.system(),
                };
                self.open_case(&caller, IssueKind::PhishingReport, reading).await?;
                let shop = self.store.name.clone();
                self.say("assistant-phishing", &[("shop", &shop)]);
                self.conversation.resolved = true;
                Ok(())
            }
        }
    }

    /// Says why an amendment would be refused now (the parcel left), with what can be done
    /// instead; true when it was.
    async fn refused(&mut self, caller: &Caller, order: &Order, amendment: &Amendment) -> AppResult<bool> {
        let language = self.conversation.language.clone();
        match resolution::amendment_refusal(self.app, caller, order, amendment, &language).await? {
            None => Ok(false),
            Some(refusal) if refusal.code == crate::ErrorCode::NoChange => Ok(false),
            Some(refusal) => {
                self.replies.push(refusal.message);
                if !refusal.alternatives.is_empty() {
                    let text = remedy_list(self.lang(), "assistant-instead", &refusal.alternatives, false);
                    self.replies.push(text);
                }
                self.status_lines(order);
                self.say("assistant-anything-else", &[]);
                Ok(true)
            }
        }
    }

    async fn order_status(&mut self, reading: &Reading) -> AppResult<()> {
        let (_, order) = self.verified().await?;
        let lost = order.shipments.iter().any(|s| s.status == ShipmentStatus::Lost);
        self.status_lines(&order);
        if lost {
            return self.claim(IssueKind::NotReceived, reading).await;
        }
        self.conversation.resolved = true;
        self.say("assistant-anything-else", &[]);
        Ok(())
    }

    /// Where the order and each parcel are, with the tracking number and link.
    fn status_lines(&mut self, order: &Order) {
        let lang = self.lang();
        let number = order.number.as_str();
        if order.cancelled_at.is_some() {
            self.say("assistant-status-cancelled", &[("number", number)]);
            return;
        }
        if order.shipments.is_empty() {
            self.say("assistant-status-not-shipped", &[("number", number)]);
            return;
        }
        for parcel in &order.shipments {
            let since = |status: ShipmentStatus| {
                parcel.status_times.get(&status).map(|t| format_date(t.0.date(), lang)).unwrap_or_default()
            };
            let carrier = parcel.carrier.as_str();
            let (id, date) = match parcel.status {
                ShipmentStatus::Pending => ("assistant-status-not-shipped", String::new()),
                ShipmentStatus::Packed => ("assistant-status-packed", String::new()),
                ShipmentStatus::HandedToCarrier | ShipmentStatus::InTransit => {
                    ("assistant-status-with-carrier", since(ShipmentStatus::HandedToCarrier))
                }
                ShipmentStatus::Delivered => ("assistant-status-delivered", since(ShipmentStatus::Delivered)),
                ShipmentStatus::Lost => ("assistant-status-lost", String::new()),
                ShipmentStatus::ReturnedToSender => ("assistant-status-returned", String::new()),
            };
            self.say(id, &[("number", number), ("carrier", carrier), ("date", &date)]);
            if let Some(tracking) = &parcel.tracking_number {
                self.say("assistant-tracking", &[("tracking", tracking)]);
                if let Some(link) = tracking_link(carrier, tracking) {
                    self.say("assistant-tracking-link", &[("link", &link)]);
                }
            }
        }
    }

    /// Opens the case for a return or a claim and offers what the policy lets the customer
    /// choose alone; photos or approval first go to a person.
    async fn claim(&mut self, kind: IssueKind, reading: &Reading) -> AppResult<()> {
        let (caller, _) = self.verified().await?;
        let case = self.open_case(&caller, kind, reading).await?;
        let request =
            OptionsRequest { language: Some(self.conversation.language.clone()), ..OptionsRequest::default() };
        let decision = resolution::options(self.app, &caller, case.id, request).await?;
        let offers: Vec<Remedy> = decision
            .offers
            .iter()
            .filter(|o| !o.needs_approval && !o.needs_photos && CHOOSABLE.contains(&o.remedy))
            .map(|o| o.remedy)
            .collect();
        if !offers.is_empty() {
            self.offer(&offers);
            self.conversation.pending = Some(Pending::ChooseRemedy { case_id: case.id, remedies: offers });
            return Ok(());
        }
        if decision.offers.iter().any(|o| o.needs_photos && !o.needs_approval) {
            self.say("assistant-photos-needed", &[("case", &case.number.to_string())]);
            return Ok(());
        }
        let reason =
            if decision.offers.iter().any(|o| o.needs_approval) { HandOff::MoneyBeyondLimit } else { HandOff::Outside };
        self.hand_off(reason, reading).await
    }

    /// Lists `remedies`, numbered from 1, and asks for the choice.
    fn offer(&mut self, remedies: &[Remedy]) {
        let lang = self.lang();
        let mut text = remedy_list(lang, "assistant-choose", remedies, true);
        text.push('\n');
        text.push_str(&say(lang, "assistant-choose-answer", &[]));
        self.replies.push(text);
    }

    async fn choose(&mut self, case_id: CaseId, remedy: Remedy) -> AppResult<()> {
        let (caller, order) = self.verified().await?;
        let request = customer_remedy(remedy);
        let key = self.key("remedy")?;
        let outcome = match resolution::carry_out_remedy(self.app, &caller, case_id, (request, Vec::new()), &key).await
        {
            Ok(outcome) => outcome.value,
            Err(e) => {
                tracing::info!(code = ?e.code, message = %e.message, "an assistant remedy was refused");
                return self.hand_off(HandOff::Outside, &Reading::default()).await;
            }
        };
        let lang = self.lang();
        let remedy_words = remedy_words(lang, remedy);
        self.say("assistant-remedy-done", &[("remedy", &remedy_words)]);
        for rma in &outcome.returns {
            self.return_instructions(rma, &order).await?;
        }
        self.money_back(&outcome.refunds.iter().map(|r| r.refund.amount).collect::<Vec<_>>());
        self.conversation.resolved = true;
        self.say("assistant-anything-else", &[]);
        Ok(())
    }

    /// Where to send a return, by when, and who pays the label.
    async fn return_instructions(&mut self, rma: &ReturnAuthorisation, order: &Order) -> AppResult<()> {
        let lang = self.lang();
        let policy = resolution::policy_in_force(self.app, self.store.id).await?;
        let deadline =
            format_date((rma.created_at + time::Duration::days(i64::from(policy.returns.window_days))).date(), lang);
        self.say("assistant-return-started", &[("rma", &rma.number())]);
        match &policy.returns.address {
            Some(address) => {
                let line = address.label_lines().join(", ");
                self.say("assistant-return-send-to", &[("address", &line), ("date", &deadline)]);
            }
            None => self.say("assistant-return-send-by", &[("date", &deadline)]),
        }
        let cost = redress_domain::policy::amount_in(&policy.returns.label_cost, order.currency);
        match (policy.return_shipping_payer(rma.fault), cost) {
            (redress_domain::policy::Payer::Customer, Some(cost)) if cost.amount_minor > 0 => {
                self.say("assistant-return-label-paid", &[("amount", &format_money(&cost, lang))]);
            }
            _ => self.say("assistant-return-label-free", &[]),
        }
        if rma.approval.is_some() {
            self.say("assistant-return-waits", &[]);
        }
        Ok(())
    }

    fn money_back(&mut self, amounts: &[Money]) {
        let lang = self.lang();
        for amount in amounts {
            self.say("assistant-money-back", &[("amount", &format_money(amount, lang))]);
        }
    }

    async fn change_address(&mut self, address: redress_domain::Address) -> AppResult<()> {
        let (caller, order) = self.verified().await?;
        let amendment = Amendment::ShippingAddress { address: address.clone() };
        if self.refused(&caller, &order, &amendment).await? {
            return Ok(());
        }
        let case = self.open_case(&caller, IssueKind::ChangeShippingAddress, &Reading::default()).await?;
        let input = AmendmentRequest { amendment, stock: Default::default(), carrier_allows_intercept: false };
        let key = self.key("address")?;
        match resolution::amend_order(self.app, &caller, case.id, input, &key).await {
            Ok(_) => {
                let line = address.label_lines().join(", ");
                self.say("assistant-address-changed", &[("number", &order.number), ("address", &line)]);
                self.conversation.resolved = true;
                self.say("assistant-anything-else", &[]);
                Ok(())
            }
            // The parcel left between the check and the write: the case stays for the team.
            Err(e) if e.code == crate::ErrorCode::TooLateToAmend => {
                self.replies.push(e.message);
                self.say("assistant-anything-else", &[]);
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    async fn cancel(&mut self) -> AppResult<()> {
        let (caller, order) = self.verified().await?;
        if self.refused(&caller, &order, &Amendment::CancelOrder).await? {
            return Ok(());
        }
        let case = self.open_case(&caller, IssueKind::CancelOrder, &Reading::default()).await?;
        let request =
            OptionsRequest { language: Some(self.conversation.language.clone()), ..OptionsRequest::default() };
        let decision = resolution::options(self.app, &caller, case.id, request).await?;
        match decision.offer(Remedy::CancelOrder) {
            Some(offer) if !offer.needs_approval => {}
            _ => return self.hand_off(HandOff::Outside, &Reading::default()).await,
        }
        let request = customer_remedy(Remedy::CancelOrder);
        let key = self.key("cancel")?;
        let outcome =
            resolution::carry_out_remedy(self.app, &caller, case.id, (request, Vec::new()), &key).await?.value;
        self.say("assistant-cancelled", &[("number", &order.number)]);
        self.money_back(&outcome.refunds.iter().map(|r| r.refund.amount).collect::<Vec<_>>());
        self.conversation.resolved = true;
        self.say("assistant-anything-else", &[]);
        Ok(())
    }

    async fn refund_status(&mut self) -> AppResult<()> {
        let (_, order) = self.verified().await?;
        let refunds = self.app.storage().money().refunds_of_order(self.store.id, order.id).await?;
        let lang = self.lang();
        if refunds.is_empty() {
            self.say("assistant-refund-none", &[("number", &order.number)]);
        }
        for refund in refunds {
            let view = crate::money::refund_view(&order, refund, self.app.now());
            let (refund, expected) = (&view.refund, &view.expected_arrival);
            let amount = format_money(&refund.amount, lang);
            let (from, to) = (format_date(expected.earliest, lang), format_date(expected.latest, lang));
            let id = match refund.status {
                RefundStatus::Succeeded if refund.method != RefundMethod::OriginalPayment => "assistant-refund-issued",
                RefundStatus::Succeeded | RefundStatus::PendingSettlement | RefundStatus::Sent => {
                    "assistant-refund-sent"
                }
                RefundStatus::Failed => "assistant-refund-failed",
                RefundStatus::Rejected => "assistant-refund-rejected",
                RefundStatus::AwaitingApproval => "assistant-refund-waiting",
                RefundStatus::Requested | RefundStatus::Approved => "assistant-refund-preparing",
            };
            self.say(id, &[("amount", &amount), ("from", &from), ("to", &to)]);
        }
        self.conversation.resolved = true;
        self.say("assistant-anything-else", &[]);
        Ok(())
    }

    async fn policy_answer(&mut self, reading: &Reading) -> AppResult<()> {
        let lang = self.lang();
        let found = crate::help::search_public(self.app, self.store, &self.text, lang, 1).await?;
        let Some(article) = found.into_iter().next() else {
            return self.hand_off(HandOff::Outside, reading).await;
        };
        let excerpt = excerpt(&article.body, 400);
        self.say("assistant-policy-answer", &[("title", &article.title), ("text", &excerpt)]);
        self.conversation.resolved = true;
        self.say("assistant-anything-else", &[]);
        Ok(())
    }

    /// Opens a case on the chat for what the customer asked, their words as its first message;
    /// the conversation remembers it.
    async fn open_case(&mut self, caller: &Caller, kind: IssueKind, reading: &Reading) -> AppResult<Case> {
        let subject: String = self.text.lines().next().unwrap_or_default().chars().take(120).collect();
        let subject = if subject.trim().is_empty() { kind.as_str().replace('_', " ") } else { subject };
        let input = OpenCase {
            order_id: self.conversation.verified.map(|id| id.to_string()),
            order_number: None,
            customer_email: None,
            subject,
            channel: self.channel(),
            kind: Some(kind),
            language: Some(self.conversation.language.to_string()),
            sentiment: None,
            escalation: reading.escalation.clone(),
            message: FirstMessage { body: self.text.clone(), attachments: Vec::new() },
            lines: Vec::new(),
        };
        let view = cases::open(self.app, caller, input).await?;
        self.conversation.case_id = Some(view.case.id);
        Ok(view.case)
    }

    /// Gives the conversation to a person: a case with the transcript (the one already open,
    /// or a new one), a note saying why and what was checked, and the customer told so.
    async fn hand_off(&mut self, reason: HandOff, reading: &Reading) -> AppResult<()> {
        let customer = self.customer().await?;
        let caller = customer.as_ref().map_or_else(|| self.system(), |(caller, _)| caller.clone());
        let transcript = self.transcript();
        let case = match self.conversation.case_id {
            Some(case_id) => {
                let message = NewMessage {
                    direction: Direction::Inbound,
                    body: transcript,
                    channel: Some(self.channel()),
                    author: None,
                    attachments: Vec::new(),
                };
                cases::add_message(self.app, &caller, case_id, message).await?.case
            }
            None => {
                let subject: String = self.text.chars().take(120).collect();
                let email = reading.email.clone().filter(|_| customer.is_none());
                let input = OpenCase {
                    order_id: self.conversation.verified.map(|id| id.to_string()),
                    order_number: None,
                    customer_email: email.filter(|e| redress_domain::EmailAddress::parse(e).is_ok()),
                    subject,
                    channel: self.channel(),
                    kind: reading.kind.filter(|_| reading.confident),
                    language: Some(self.conversation.language.to_string()),
                    sentiment: None,
                    escalation: reading.escalation.clone(),
                    message: FirstMessage { body: transcript, attachments: Vec::new() },
                    lines: Vec::new(),
                };
                cases::open(self.app, &caller, input).await?.case
            }
        };
        let note = self.hand_off_note(reason, reading, customer.as_ref().map(|(_, o)| o));
        cases::add_note(self.app, &self.system(), case.id, note).await?;
        self.conversation.case_id = Some(case.id);
        self.conversation.handed_off = true;
        self.conversation.pending = None;
        self.say("assistant-handoff", &[("case", &case.number.to_string())]);
        // By when, from the store's first-answer target for this case (business hours).
        let service = resolution::policy_in_force(self.app, self.store.id).await?.service;
        let minutes = service.first_response_target(case.kind, case.priority);
        let hours = minutes.div_ceil(60).max(1).to_string();
        self.say("assistant-answer-within", &[("count", &hours)]);
        Ok(())
    }

    /// The note a person reads first: why the assistant handed over, what it understood and
    /// what it checked.
    fn hand_off_note(&self, reason: HandOff, reading: &Reading, order: Option<&Order>) -> String {
        let why = match reason {
            HandOff::CustomerAsked => "the customer asked for a person".to_owned(),
            HandOff::Escalation(signal) => format!("escalation signal: {}", signal.as_str().replace('_', " ")),
            HandOff::UnsureTwice => "the assistant did not understand twice in a row".to_owned(),
            HandOff::MoneyBeyondLimit => "money beyond what the policy lets a customer settle alone".to_owned(),
            HandOff::Outside => "something the assistant does not do".to_owned(),
            HandOff::NotVerified => "the customer could not prove they hold the order".to_owned(),
        };
        let understood = match reading.kind.filter(|_| reading.confident) {
            Some(kind) => kind.as_str().replace('_', " "),
            None => "unsure".to_owned(),
        };
        let verified = match order {
            Some(order) => format!("verified as the holder of order {}", order.number),
            None => format!("not verified ({} wrong order number and email pairs)", self.conversation.failed_checks),
        };
        format!(
            "Handed over by the assistant: {why}.\nUnderstood: {understood}.\nCustomer: {verified}.\nTurns: {}; the transcript is the latest customer message.",
            self.conversation.turns
        )
    }

    /// The conversation as a person reads it.
    fn transcript(&self) -> String {
        let mut text = String::new();
        for said in &self.conversation.transcript {
            let who = if said.by_customer { "Customer" } else { "Assistant" };
            text.push_str(&format!("{who}: {}\n", said.text));
        }
        // Within a message's size: the latest lines matter most, so the oldest go first.
        let limit = redress_domain::message::MAX_BODY_BYTES / 2;
        let mut start = text.len().saturating_sub(limit);
        while !text.is_char_boundary(start) {
            start += 1;
        }
        text[start..].to_owned()
    }

    /// A person has the conversation: the words go to their case.
    async fn pass_to_person(&mut self) -> AppResult<()> {
        let Some(case_id) = self.conversation.case_id else { return Ok(()) };
        let caller = match self.customer().await? {
            Some((caller, _)) => caller,
            None => self.system(),
        };
        let message = NewMessage {
            direction: Direction::Inbound,
            body: self.text.clone(),
            channel: Some(self.channel()),
            author: None,
            attachments: Vec::new(),
        };
        let case = cases::add_message(self.app, &caller, case_id, message).await?.case;
        if self.replies.is_empty() {
            self.say("assistant-with-person", &[("case", &case.number.to_string())]);
        }
        Ok(())
    }

    /// The answers a person wrote on the conversation's case since the last look.
    async fn agent_replies(&mut self) -> AppResult<()> {
        let Some(case_id) = self.conversation.case_id.filter(|_| self.conversation.handed_off) else { return Ok(()) };
        let messages = self.app.storage().messages(self.store.id, case_id).await?;
        let seen = self.conversation.agent_seen_until;
        for message in messages {
            // A person's words (an agent, or the shop's system for them), not Redress's own
            // automatic answers, which the assistant's replies already cover.
            let by_person = matches!(
                message.author,
                redress_domain::Actor::Agent { .. } | redress_domain::Actor::Integration { .. }
            );
            if message.direction == Direction::Outbound && by_person && seen.is_none_or(|s| message.created_at > s) {
                self.conversation.agent_seen_until = Some(message.created_at);
                self.replies.push(message.body);
            }
        }
        Ok(())
    }

    /// The idempotency key of this conversation's turn: a retried turn carries its action
    /// out once.
    fn key(&self, what: &str) -> AppResult<RequestKey> {
        RequestKey::parse(&format!("assistant-{what}-{}-{}", self.conversation.id, self.conversation.turns))
    }
}

/// A remedy in the customer's words.
fn remedy_words(lang: &str, remedy: Remedy) -> String {
    say(lang, &format!("assistant-remedy-{remedy}"), &[])
}

/// `heading`, then one line per remedy: numbered from 1 to choose by, or as a plain list.
fn remedy_list(lang: &str, heading: &str, remedies: &[Remedy], numbered: bool) -> String {
    let mut text = say(lang, heading, &[]);
    for (i, remedy) in remedies.iter().enumerate() {
        let mark = if numbered { format!("{}.", i + 1) } else { "-".to_owned() };
        text.push_str(&format!("\n{mark} {}", remedy_words(lang, *remedy)));
    }
    text
}

/// The id of a stored conversation, as a client sends it.
fn conversation_id(text: &str) -> AppResult<uuid::Uuid> {
    text.parse().map_err(|_| AppError::invalid("conversation", "not a conversation id"))
}

/// A remedy as a customer asks for it: on the case's own lines, no amount of their own (the
/// policy's), no photos, nothing flagged.
fn customer_remedy(remedy: Remedy) -> RemedyRequest {
    RemedyRequest {
        remedy,
        lines: Vec::new(),
        photos_provided: false,
        carrier_allows_intercept: false,
        carrier_reference: None,
        amount: None,
        refund_shipping: None,
        customer_flagged: false,
    }
}

/// The order number a message gives: the word holding what understanding read as one (so
/// `NW-11007` stays whole), else the first word with a digit that is no amount, date, email or
/// tracking number (`NW-100, ana@example.com` when the question asked for it).
fn order_number(text: &str, entities: &[redress_text::Entity]) -> Option<String> {
    let named = entities.iter().find(|e| e.kind == redress_text::EntityKind::OrderNumber);
    let other: Vec<(usize, usize)> =
        entities.iter().filter(|e| e.kind != redress_text::EntityKind::OrderNumber).map(|e| (e.start, e.end)).collect();
    let mut at = 0;
    for word in text.split_inclusive(|c: char| c.is_whitespace() || ",;:()".contains(c)) {
        let (start, end) = (at, at + word.len());
        at = end;
        let word = word.trim_matches(|c: char| c.is_whitespace() || ",;:()#.?!\"'".contains(c));
        let ok = word.len() >= 3
            && word.len() <= 32
            && word.chars().any(|c| c.is_ascii_digit())
            && word.chars().all(|c| c.is_alphanumeric() || "-_/".contains(c));
        let holds_named = named.is_some_and(|n| n.start >= start && n.end <= end);
        let overlaps_other = other.iter().any(|(s, e)| *s < end && *e > start);
        if ok && (holds_named || (named.is_none() && !overlaps_other)) {
            return Some(word.to_owned());
        }
    }
    named.map(|n| n.value.clone())
}

/// The start of an article, cut at a sentence end where one comes early enough.
fn excerpt(body: &str, max: usize) -> String {
    let body = body.trim();
    if body.chars().count() <= max {
        return body.to_owned();
    }
    let cut: String = body.chars().take(max).collect();
    match cut.rfind(". ") {
        Some(end) if end > max / 3 => cut[..=end].to_owned(),
        _ => format!("{}…", cut.trim_end()),
    }
}

/// The carrier's public tracking page for a parcel, for the carriers whose address is known.
fn tracking_link(carrier: &str, tracking: &str) -> Option<String> {
    let code: String = tracking.chars().filter(char::is_ascii_alphanumeric).collect();
    let base = match carrier.trim().to_ascii_lowercase().as_str() {
        "dhl" => "https://www.dhl.com/global-en/home/tracking.html?tracking-id=",
        "ups" => "https://www.ups.com/track?tracknum=",
        "fedex" => "https://www.fedex.com/fedextrack/?trknbr=",
        "usps" => "https://tools.usps.com/go/TrackConfirmAction?tLabels=",
        "inpost" => "https://inpost.pl/sledzenie-przesylek?number=",
        "correos" => "https://www.correos.es/es/es/herramientas/localizador/envios/detalle?tracking-number=",
        "ctt" => "https://www.ctt.pt/feapl_2/app/open/objectSearch/objectSearch.jspx?objects=",
        "jne" => "https://www.jne.co.id/tracking-package?resi=",
        _ => return None,
    };
    (!code.is_empty()).then(|| format!("{base}{code}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_built_only_for_known_carriers() {
        assert_eq!(
            tracking_link("DHL", "JD 0001").as_deref(),
            Some("https://www.dhl.com/global-en/home/tracking.html?tracking-id=JD0001")
        );
        assert_eq!(tracking_link("Local courier", "X1"), None);
        assert_eq!(tracking_link("dhl", "--"), None);
    }

    #[test]
    fn order_numbers_are_read_whole() {
        let read = |text: &str| order_number(text, &redress_text::entities::extract(text, Some("en")));
        assert_eq!(read("NW-100, ana@example.com").as_deref(), Some("NW-100"));
        assert_eq!(read("my order #10482").as_deref(), Some("10482"));
        assert_eq!(read("refund me 1000 EUR"), None);
        assert_eq!(read("1"), None);
    }

    #[test]
    fn excerpts_end_at_a_sentence() {
        let body = "Returns are free within 30 days. Items must be unused. ".repeat(20);
        let short = excerpt(&body, 100);
        assert!(short.ends_with('.') && short.chars().count() <= 100, "{short}");
        assert_eq!(excerpt("Short.", 100), "Short.");
    }
}
