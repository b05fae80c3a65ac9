agent-reply-photos =
    Hi { $first },

    I'm so sorry, that is not how order { $order } should have reached you. To sort it out quickly, could you reply with two or three photos: the item, the label on it, and the box it came in? As soon as I have them I'll send a replacement or refund you, whichever you prefer, and you won't pay anything for a return.

    Best wishes,
    { $agent }
    Northwind Outfitters
customer-answer-photos =
    Hi { $agent }, photos attached: the item, the label and the box. Thanks for the quick reply.
internal-note-photos =
    Asked for photos of item, label and box. If confirmed: replace { $sku } or refund, and log a quality/packaging issue against the SKU.
agent-reply-trace =
    Hi { $first },

    Thanks for bearing with us. I've checked order { $order }: the parcel is with { $carrier } under tracking number { $tracking }. I've asked { $carrier } for a full trace and will update you within two working days. If the parcel can't be found, we'll send a replacement or refund you in full, your choice.

    Best,
    { $agent }
customer-answer-trace =
    Thanks. Please keep me posted, it's been a while already.
internal-note-trace =
    Opened a trace with { $carrier } for { $tracking } (their ref { $trace_ref }). Chase again in 48 h.
agent-reply-amend =
    Hi { $first },

    Good news: order { $order } hasn't left our warehouse yet, so we can still change it. I've put it on hold for now. Could you reply to confirm exactly what you'd like us to do, and I'll update the order straight away?

    Thanks,
    { $agent }
customer-answer-amend =
    Yes, please go ahead as described in my first message. Thanks!
internal-note-amend =
    Asked the warehouse to hold order { $order } before carrier pick-up.
agent-reply-invoice =
    Hi { $first },

    Thanks for the details. I've asked our accounts team to issue a corrected invoice for order { $order }. Could you confirm the name, address and tax number exactly as they should appear? The new invoice will reach you by email within two working days.

    Best,
    { $agent }
customer-answer-invoice =
    Yes, please go ahead as described in my first message. Thanks!
internal-note-invoice =
    Forwarded to accounts: corrected invoice for order { $order }.
agent-reply-returns =
    Hi { $first },

    Of course. You have 30 days from delivery to return or exchange unworn items with their tags. I've set up the return for order { $order }: a prepaid label will reach you by email shortly. For an exchange, the new size ships as soon as the carrier scans your parcel. Final-sale items and opened hygiene items (underwear, swimwear) can only be returned if faulty.

    Best,
    { $agent }
customer-answer-returns =
    Great, yes please go ahead. Thanks for your help!
internal-note-returns =
    Return check for { $sku }: category { $category }, placed { $days } days ago.
agent-reply-warehouse =
    Hi { $first },

    I'm sorry part of order { $order } didn't arrive. I've asked our warehouse to check the packing record and the weight of your parcel. As soon as they confirm, we'll send the missing item by express at no cost to you, and I'll email you the new tracking number.

    Best,
    { $agent }
customer-answer-warehouse =
    Thanks. Please keep me posted, it's been a while already.
internal-note-warehouse =
    Asked the warehouse to check pack weight and packing camera for order { $order }, missing { $sku }.
agent-reply-money =
    Hi { $first },

    Thanks for flagging this, and sorry for the worry. I've checked the payments on order { $order } with our payment provider and opened a ticket with them. Once a refund is issued it usually takes 5–10 working days to show on your statement; I'll send you the reference as soon as I have it.

    Kind regards,
    { $agent }
customer-answer-money =
    Thanks. Please keep me posted, it's been a while already.
internal-note-money =
    Provider check for order { $order }: { $payments }. Forwarded to finance.
agent-reply-security =
    Hi { $first },

    Thank you for letting us know, and well done for not clicking. That message is not from us: we never ask for fees, card details or ID numbers by text or messaging app, and our emails only come from @northwind-outfitters.com. We've reported the site. If you did enter any card details, please contact your bank.

    Best,
    { $agent }
customer-answer-security =
    Thanks. Please keep me posted, it's been a while already.
internal-note-security =
    Reported the phishing domain/number; added it to the scam-warning FAQ.
agent-reply-outage =
    Hi { $first },

    Sorry about that, and thanks for telling us. Our payment page had an outage this morning; it has been fixed and checkout is working again. You were not charged for the failed attempts. If anything still goes wrong, reply here and I'll place the order for you.

    Best,
    { $agent }
customer-answer-outage =
    Thanks. Please keep me posted, it's been a while already.
internal-note-outage =
    Payment gateway returned errors for about 50 minutes this morning (status page incident). Fixed; no charges went through.
agent-reply-general =
    Hi { $first },

    Thank you so much for your message, it made our day! I've passed it on to the whole team. If there's ever anything we can help with, just reply here.

    Best wishes,
    { $agent }
customer-answer-general =
    Thanks. Please keep me posted, it's been a while already.
internal-note-general =
    No action needed; tagged as feedback.
