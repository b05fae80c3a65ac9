//! Redress's application layer: one function per use case, the single door every caller
//! goes through: the JSON API, the customer portal, the agent desk, and the channels and
//! workers to come.
//!
//! A use case takes an authenticated [`Caller`] and a typed command, decides whether that
//! caller may do it ([`Caller::require`]: who may do what, four eyes, store isolation, all
//! here), loads what the domain's pure rules need through [`redress_storage::Storage`], lets
//! the domain decide, has storage commit the result, and answers with a typed outcome or a
//! typed refusal ([`AppError`] with its [`ErrorCode`]). Adapters only parse, call and render.
//!
//! Time comes from the [`Clock`] the [`App`] is given, never from the system directly.
//!
//! Start reading at [`App`], then [`resolution`] (options and remedies) and [`money`].

use std::sync::Arc;
use std::time::Duration;

use redress_connect::executor::RefundExecutor;
use redress_storage::Storage;
use time::OffsetDateTime;

pub mod analytics;
pub mod assistant;
pub mod attachments;
pub mod caller;
pub mod cases;
pub mod channels;
pub mod clock;
pub mod desk;
pub mod error;
pub mod follow_through;
pub mod help;
pub mod idempotency;
pub mod inbox;
pub mod incidents;
pub mod keys;
pub mod mailboxes;
pub mod messaging;
pub mod messaging_out;
pub mod money;
pub mod orders;
pub mod outbox;
pub mod outgoing;
mod paging;
pub mod platforms;
pub mod portal_links;
pub mod privacy;
pub mod resolution;
pub mod stores;
pub mod team;
pub mod understanding;
pub mod webhooks;
pub mod workers;

pub use caller::{Action, Caller, SystemRule};
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{AppError, AppResult, ErrorCode};

/// How long a request that carries out a refund waits for the payment provider before it
/// answers with the refund pending, leaving the executor to finish.
pub const REFUND_ANSWER_DEADLINE: Duration = Duration::from_secs(5);

/// The application: what every use case shares.
pub struct App {
    storage: Arc<dyn Storage>,
    clock: Arc<dyn Clock>,
    understanding: &'static redress_text::Understanding,
    refunds: Arc<RefundExecutor>,
    refund_answer_deadline: Duration,
    stripe_webhook_secret: Option<String>,
    secrets_key: Option<platforms::SecretsKey>,
    push_retry: redress_connect::shop::webhooks_out::RetryPolicy,
    help: help::StoreHelpIndexes,
    outbox_workers: Vec<outbox::OutboxWorker>,
    chat_apis: messaging_out::ChatApis,
    meta_app: Option<messaging::MetaApp>,
    phraser: redress_connect::phrasing::Phraser,
    link_key: [u8; 32],
    public_url: String,
    workers: workers::Workers,
}

impl App {
    /// Derives the key signing customers' links (surveys) from the deployment's secret, so
    /// every server signs and checks them alike.
    pub fn with_link_secret(mut self, secret: &str) -> Self {
        use sha2::Digest as _;
        self.link_key = sha2::Sha256::new()
            .chain_update(b"redress customer links v1\0")
            .chain_update(secret.as_bytes())
            .finalize()
            .into();
        self
    }

    /// The key signing customers' links.
    pub(crate) fn link_key(&self) -> &[u8; 32] {
        &self.link_key
    }

    /// The application over `storage`, on the system clock, with refunds sent to the built-in
    /// sandbox provider (see [`App::with_payment_provider`]).
    pub fn new(storage: Arc<dyn Storage>) -> Self {
        // Built now rather than on the first search, so no customer waits for it.
        redress_text::help::HelpIndex::shipped();
        let refunds = Arc::new(RefundExecutor::new(
            storage.clone(),
            Arc::new(redress_connect::sandbox::Sandbox::new()),
            redress_connect::executor::RetryPolicy::default(),
        ));
        Self {
            storage,
            clock: Arc::new(SystemClock),
            // Loaded here, not on the first message, so no request pays for it.
            understanding: redress_text::Understanding::shipped(),
            refunds,
            refund_answer_deadline: REFUND_ANSWER_DEADLINE,
            stripe_webhook_secret: None,
            secrets_key: None,
            push_retry: redress_connect::shop::webhooks_out::RetryPolicy::default(),
            help: help::StoreHelpIndexes::default(),
            outbox_workers: Vec::new(),
            chat_apis: messaging_out::ChatApis::default(),
            meta_app: None,
            phraser: redress_connect::phrasing::Phraser::default(),
            // Random until the server derives it from its secret (`with_link_secret`): links
            // signed here then hold on every server of the deployment.
            link_key: rand::random(),
            public_url: String::new(),
            workers: workers::Workers::default(),
        }
    }

    /// The same application sending customers links under `url` (`https://help.example`, no
    /// trailing slash), the address the portal is reached at; links are bare paths without it.
    pub fn with_public_url(mut self, url: &str) -> Self {
        self.public_url = url.trim_end_matches('/').to_owned();
        self
    }

    /// The address the portal is reached at, empty when not configured.
    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    /// The client of the language models stores may name to phrase the assistant's replies.
    pub fn phraser(&self) -> &redress_connect::phrasing::Phraser {
        &self.phraser
    }

    /// The same application taking Meta's webhooks (WhatsApp, Messenger, Instagram) signed with
    /// `app_secret`, answering the subscription check that carries `verify_token`.
    pub fn with_meta_app(mut self, app_secret: &str, verify_token: &str) -> Self {
        self.meta_app = (!app_secret.is_empty()).then(|| messaging::MetaApp::new(app_secret, verify_token));
        self
    }

    /// The Meta app webhooks are checked against, when configured.
    pub fn meta_app(&self) -> Option<&messaging::MetaApp> {
        self.meta_app.as_ref()
    }

    /// The same application sending the outbox's mail through `relay`: starts the outbox worker
    /// ([`outbox::OutboxWorker`]) on the current tokio runtime, reading the time from the clock
    /// given before. It stops when the application is dropped; an entry it was sending is then
    /// claimed again once its claim lapses, with the same Message-ID.
    pub fn with_mail_relay(mut self, relay: redress_connect::email::SmtpRelay, policy: outbox::OutboxPolicy) -> Self {
        let carrier = outbox::Carrier::Mail(relay);
        let worker = outbox::OutboxWorker::start(self.storage.clone(), self.clock.clone(), carrier, policy);
        self.workers.watch("outbox_mail", worker.abort_handle());
        self.outbox_workers.push(worker);
        self
    }

    /// The same application answering on messaging apps through `apis` (the providers' own by
    /// default): starts the outbox's chat worker, which opens the accounts' tokens with the
    /// secrets key given before. Without a secrets key no token can be kept, and nothing starts.
    pub fn with_chat_answers(mut self, apis: messaging_out::ChatApis, policy: outbox::OutboxPolicy) -> Self {
        self.chat_apis = apis.clone();
        let Some(key) = self.secrets_key.clone() else { return self };
        let carrier = outbox::Carrier::Chat(messaging_out::ChatLane::new(apis, key));
        let worker = outbox::OutboxWorker::start(self.storage.clone(), self.clock.clone(), carrier, policy);
        self.workers.watch("outbox_chat", worker.abort_handle());
        self.outbox_workers.push(worker);
        self
    }

    /// Where the messaging providers' APIs are.
    pub(crate) fn chat_apis(&self) -> &messaging_out::ChatApis {
        &self.chat_apis
    }

    /// Tells the outbox workers there is something to send now.
    pub fn wake_outbox(&self) {
        for worker in &self.outbox_workers {
            worker.wake();
        }
    }

    /// The same application reading the time from `clock`.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The same application with refunds carried out by `refunds`.
    pub fn with_refunds(mut self, refunds: Arc<RefundExecutor>) -> Self {
        self.refunds = refunds;
        self
    }

    /// The same application with refunds sent to `provider`, with the default retry policy.
    pub fn with_payment_provider(self, provider: Arc<dyn redress_connect::PaymentProvider>) -> Self {
        let refunds = Arc::new(RefundExecutor::new(
            self.storage.clone(),
            provider,
            redress_connect::executor::RetryPolicy::default(),
        ));
        self.with_refunds(refunds)
    }

    /// The same application waiting at most `deadline` for the payment provider before
    /// answering a refund with it pending (see [`REFUND_ANSWER_DEADLINE`]).
    pub fn with_refund_answer_deadline(mut self, deadline: Duration) -> Self {
        self.refund_answer_deadline = deadline;
        self
    }

    /// The same application accepting Stripe webhooks signed with `secret` (`whsec_…`).
    pub fn with_stripe_webhook_secret(mut self, secret: &str) -> Self {
        self.stripe_webhook_secret = (!secret.is_empty()).then(|| secret.to_owned());
        self
    }

    /// The same application keeping shop platforms' credentials sealed under `key`.
    pub fn with_secrets_key(mut self, key: platforms::SecretsKey) -> Self {
        self.secrets_key = Some(key);
        self
    }

    /// The same application retrying shops' changes and webhook deliveries on `policy` (the
    /// default: 30 s doubling to 6 h, 12 attempts).
    pub fn with_push_retry(mut self, policy: redress_connect::shop::webhooks_out::RetryPolicy) -> Self {
        self.push_retry = policy;
        self
    }

    /// The same application sending refunds of Shopify orders to their shop and the rest to
    /// the provider it has now, with the default retry policy ([`platforms::PlatformPayments`];
    /// the server builds its executor with it directly). Without a secrets key, unchanged.
    pub fn with_platform_refunds(self) -> Self {
        let Some(key) = self.secrets_key.clone() else { return self };
        let provider = platforms::PlatformPayments::new(self.storage.clone(), key, self.refunds.provider().clone());
        self.with_payment_provider(Arc::new(provider))
    }

    /// The storage. Only the application and its tests reach it: adapters call use cases.
    pub fn storage(&self) -> &dyn Storage {
        self.storage.as_ref()
    }

    /// The time now, from the application's clock.
    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// The clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Message understanding.
    pub fn understanding(&self) -> &'static redress_text::Understanding {
        self.understanding
    }

    /// The background workers this process runs, for its readiness.
    pub fn workers(&self) -> &workers::Workers {
        &self.workers
    }

    /// The refund executor (the refund worker runs it too).
    pub fn refunds(&self) -> &Arc<RefundExecutor> {
        &self.refunds
    }
}

/// A fresh time-ordered id.
pub(crate) fn new_id<T>(wrap: fn(uuid::Uuid) -> T) -> T {
    wrap(uuid::Uuid::now_v7())
}

/// Reads an id given as text; a malformed id names nothing, so it is "not found" like an
/// unknown one.
pub fn parse_id<T: std::str::FromStr>(text: &str, what: &str) -> AppResult<T> {
    text.parse().map_err(|_| AppError::not_found(what))
}
