# Suggested replies, English. One message per issue kind (`kind-<id>`) and per remedy decision
# (`remedy-<id>`), ids from taxonomy.md; `.subject` is the email subject. Variables are filled
# by `replies.rs` from the case's facts, with the fallbacks below when a fact is unknown.

greeting-known = Hi { $name },
greeting-unknown = Hello,
signoff-known = Kind regards,
    { $shop } customer service
signoff-unknown = Kind regards,
    Customer service
reasons-intro = Why we decided this:
policy-intro = What our policy says:
order-known = your order { $order }
order-unknown = your order
items-unknown = your items
carrier-unknown = the carrier
amount-unknown = the amount
refund-when-known = by { $refund_date }
refund-when-unknown = within 5 to 10 business days
delivery-when-known = by { $delivery_date }
delivery-when-unknown = within a few business days
tracking-known = You can follow the parcel with { $carrier }, tracking number { $tracking } ({ $tracking_url }).
tracking-known-no-link = You can follow the parcel with { $carrier }, tracking number { $tracking }.
tracking-unknown = We will send you the tracking number as soon as the parcel is with the carrier.
ordered-known = (ordered on { $order_date })
ordered-unknown = {""}

kind-cancel_order = We have received your request to cancel { $order_ref } { $ordered }. If it has not left our warehouse yet, we cancel it right away and release your payment; we will confirm shortly.
    .subject = Cancelling { $order_ref }
kind-change_shipping_address = Thanks for letting us know about the delivery address of { $order_ref }. Please reply with the full new address: as long as the parcel is not with the carrier yet, we will update it.
    .subject = Delivery address of { $order_ref }
kind-change_order_items = We have your request to change { $items } in { $order_ref }. If the order has not been packed yet we can change it before it ships, and we will confirm the new items and any price difference.
    .subject = Changing { $order_ref }
kind-billing_info_error = We will correct the billing details of { $order_ref }. Please send us the correct name, address and tax number, and we will issue a corrected invoice.
    .subject = Billing details of { $order_ref }
kind-order_status = Here is the latest on { $order_ref }. { $tracking_line } It should arrive { $delivery_when }.
    .subject = Where { $order_ref } is
kind-not_received = We are sorry that { $order_ref } has not reached you. { $tracking_line } We are checking with { $carrier } and will get back to you within 2 business days.
    .subject = { $order_ref } has not arrived
kind-damaged_in_transit = We are sorry that { $items } arrived damaged. Could you send us a photo of the item and of the box? We will put it right as soon as we see them.
    .subject = Damaged item in { $order_ref }
kind-wrong_item_received = We are sorry, we sent you the wrong item in { $order_ref }. Could you send us a photo of what you received? We will send { $items } straight away.
    .subject = Wrong item in { $order_ref }
kind-missing_item = We are sorry that { $items } did not come with { $order_ref }. We are checking with our warehouse and will send what is missing.
    .subject = Missing item in { $order_ref }
kind-not_as_described = We are sorry that { $items } is not what the description led you to expect. Could you tell us what differs, with a photo if possible?
    .subject = About { $items }
kind-defective_item = We are sorry that { $items } does not work as it should. Could you describe the fault and send a photo or a short video? It is covered by our guarantee.
    .subject = Faulty item in { $order_ref }
kind-return_request = Thanks for your message. You can return { $items } from { $order_ref }: we will send you a return label and refund you once the parcel reaches us.
    .subject = Returning { $items }
kind-exchange_request = Happy to help you exchange { $items }. Tell us the size or colour you would like and we will send you a free return label.
    .subject = Exchanging { $items }
kind-return_policy_question = Thanks for asking. You can start a return or an exchange from your order page at any time; the main rules are below.
    .subject = Our return policy
kind-refund_status = Your refund of { $amount } for { $order_ref } is on its way. You should see it on your statement { $refund_when }.
    .subject = Your refund for { $order_ref }
kind-wrong_charge = We are sorry about the charge for { $order_ref }. We are checking the payment with our provider; if you were charged twice or too much, the difference will be refunded in full.
    .subject = The charge for { $order_ref }
kind-payment_not_reflected = Thanks for letting us know. We are matching your payment to { $order_ref }; bank transfers can take 1 to 3 business days to reach us. Please do not pay again.
    .subject = Payment for { $order_ref }
kind-store_unavailable = We are sorry that our shop gave you trouble. Please try again in a few minutes; if it still fails, reply with a screenshot and we will help you place the order.
    .subject = Trouble with our shop
kind-phishing_report = Thank you for warning us. That message did not come from us: we never ask for passwords or card numbers by email or text message. Please do not click its links, and if you entered card details, call your bank.
    .subject = Suspicious message in our name
kind-other = Thanks for getting in touch. We have your message and will answer as soon as possible.
    .subject = Your message to us

remedy-amend_order = We have updated { $order_ref } as you asked: it now contains { $items } and will ship as usual.
    .subject = { $order_ref } has been updated
remedy-cancel_order = We have cancelled { $order_ref }. { $amount } will be back on your account { $refund_when }.
    .subject = { $order_ref } is cancelled
remedy-carrier_trace = We have opened an investigation with { $carrier } for { $order_ref }. { $tracking_line } We will update you within 2 business days; if the parcel is lost, we will send a replacement or refund you.
    .subject = We are tracing { $order_ref }
remedy-reship = We are sending { $items } again, at no cost to you. { $tracking_line } It should arrive { $delivery_when }.
    .subject = A replacement for { $order_ref }
remedy-exchange = Your exchange is approved: we will send { $items } as soon as your return is on its way. { $tracking_line }
    .subject = Your exchange for { $order_ref }
remedy-return_refund = Your return is approved. Please send { $items } back with the attached label; once it reaches us we refund { $amount }, which you should see { $refund_when }.
    .subject = Your return for { $order_ref }
remedy-refund_keep_item = We have refunded { $amount } for { $items }, and you can keep the item. You should see the money { $refund_when }.
    .subject = Refund for { $order_ref }
remedy-partial_refund = We have made a partial refund of { $amount } for { $order_ref }. You should see it { $refund_when }.
    .subject = Partial refund for { $order_ref }
remedy-store_credit = We have added { $amount } of store credit to your account. You can use it on any order, whenever you like.
    .subject = Store credit for { $order_ref }
remedy-compensation = We are sorry for the trouble. As an apology, we have added a voucher of { $amount } to your account for your next order.
    .subject = Our apologies for { $order_ref }
remedy-refund_duplicate_charge = You were right: { $order_ref } was charged twice. We have refunded the duplicate charge of { $amount }; you should see it { $refund_when }.
    .subject = Duplicate charge refunded
remedy-reissue_invoice = We have issued a corrected invoice for { $order_ref }. It is attached and also on your order page.
    .subject = Corrected invoice for { $order_ref }
remedy-inform = Thanks for your question about { $order_ref }. Here is what you need to know.
    .subject = About { $order_ref }
remedy-escalate = We have passed your case about { $order_ref } to a specialist in our team, who will get back to you within 1 business day.
    .subject = Your case about { $order_ref }

# The last lines of an answer sent by email: how to answer, and who writes.
email-footer = Reply to this email to add to your case { $case }.
    { $shop }

## Follow-ups Redress writes on its own ($case: the case number, $shop: the shop, $link: a survey link).
follow-reminder = We are still waiting for your answer on case { $case }. Reply to this message when you can, so { $shop } can put things right.
follow-closed = We did not hear back from you, so case { $case } is now closed. If you still need help, just reply and we will open it again.
follow-return-reminder = Your return for case { $case } has not been sent yet. Please send it soon so { $shop } can complete your refund or exchange.
follow-survey = How did we do with case { $case }? Rate us from 1 to 5, it takes one click: { $link }
# A refund asked for that waits for approval: never said to be on its way.
refund-awaiting = Your refund of { $amount } for { $order_ref } has been requested and is waiting for approval by our team. We will write to you as soon as it is approved and sent.
    .subject = Your refund for { $order_ref }
# Notices: what the customer hears on their own channel when something happens on the case.
follow-refund-sent = { $shop } has sent your refund of { $amount } for case { $case }. Depending on your bank it can take a few business days to show.
follow-refund-sent-by = { $shop } has sent your refund of { $amount } for case { $case }. It should show on your statement by { $date }.
follow-label-issued = Your return label for case { $case } is ready. Print it, stick it on the parcel and hand it to the carrier.
follow-resolved = Case { $case } is resolved. If anything is still not right, just reply and we will open it again.
follow-portal-link = See your order and this case at any time: { $link }
