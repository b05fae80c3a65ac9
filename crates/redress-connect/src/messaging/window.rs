//! The customer-service window: when a shop may answer a customer, and with what.
//!
//! - WhatsApp: free-form messages within 24 hours of the customer's last message; after that
//!   only approved templates (which reopen nothing until the customer answers).
//! - Messenger and Instagram: 24 hours of standard messaging (`messaging_type: RESPONSE`); then,
//!   up to 7 days after the customer's last message, a person may still answer with the
//!   `HUMAN_AGENT` tag, if Meta granted the app that permission; after that nothing.
//! - Telegram: no window; a bot may write to anyone who started a chat with it (and has not
//!   blocked it).
//!
//! The window is half-open: a reply exactly 24 hours after the customer's message is outside it,
//! as the providers count it. A `last_inbound` later than `now` (clocks a little apart) counts as
//! just now. `now` comes from the caller; nothing here reads a clock.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use super::ChatChannel;
use super::send::MessageTag;

/// How long after a customer's message free-form replies are allowed.
pub const CUSTOMER_SERVICE_WINDOW: Duration = Duration::hours(24);

/// How long after a customer's message the `HUMAN_AGENT` tag allows a reply (Messenger,
/// Instagram).
pub const HUMAN_AGENT_WINDOW: Duration = Duration::days(7);

/// What the shop may send a customer now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "allowed")]
pub enum ReplyAllowance {
    /// Any text.
    FreeForm {
        /// When the window closes, if it ever does (never on Telegram).
        until: Option<OffsetDateTime>,
    },
    /// Text with this tag only (Messenger, Instagram).
    Tagged {
        /// The tag to send with.
        tag: MessageTag,
        /// When that closes too.
        until: OffsetDateTime,
    },
    /// An approved template only (WhatsApp).
    TemplateOnly,
    /// Nothing until the customer writes again.
    Closed,
}

/// What the shop may send on `channel` at `now`, given when the customer last wrote on it (`None`
/// if never) and whether Meta granted the app the Human Agent permission.
pub fn reply_allowance(
    channel: ChatChannel,
    last_inbound: Option<OffsetDateTime>,
    now: OffsetDateTime,
    human_agent_permitted: bool,
) -> ReplyAllowance {
    if channel == ChatChannel::Telegram {
        return ReplyAllowance::FreeForm { until: None };
    }
    let Some(last) = last_inbound else {
        return match channel {
            ChatChannel::WhatsApp => ReplyAllowance::TemplateOnly,
            _ => ReplyAllowance::Closed,
        };
    };
    // A customer's message stamped in the future by a provider's clock counts as now.
    let last = last.min(now);
    let window_ends = last + CUSTOMER_SERVICE_WINDOW;
    if now < window_ends {
        return ReplyAllowance::FreeForm { until: Some(window_ends) };
    }
    match channel {
        ChatChannel::WhatsApp => ReplyAllowance::TemplateOnly,
        ChatChannel::Messenger | ChatChannel::Instagram => {
            let tag_ends = last + HUMAN_AGENT_WINDOW;
            if human_agent_permitted && now < tag_ends {
                ReplyAllowance::Tagged { tag: MessageTag::HumanAgent, until: tag_ends }
            } else {
                ReplyAllowance::Closed
            }
        }
        ChatChannel::Telegram => ReplyAllowance::FreeForm { until: None },
    }
}
