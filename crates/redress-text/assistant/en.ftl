# The self-service assistant's words (redress_text::assistant::say). Values arrive formatted
# for the language: amounts, dates, addresses. Keep one message per line group; every language
# has every message (a test checks).

assistant-greeting = Hello! I am the assistant of { $shop }. I can tell you where your parcel is, change the delivery address or cancel an order before it ships, start a return, report a damaged, wrong or missing item, tell you where your refund is and answer questions about our policies. What can I do for you?
assistant-ask-again = Sorry, I did not understand that. Could you say it in other words? For example: "where is my parcel", "change my address" or "I want to return an item".
assistant-ask-verify = To look at your order I need its number and the email address you ordered with, for example: 10482, ana@example.com.
assistant-ask-verify-email = Thank you. Now the email address you ordered with, please.
assistant-ask-verify-number = Thank you. Now the order number, please: it is in your order confirmation.
assistant-verified = Thank you, I found order { $number }.
assistant-verify-failed = I could not find an order with that number and email address. Please check both and write them again.
assistant-verify-too-many = There were too many attempts to find this order. Please try again in 15 minutes.
assistant-status-not-shipped = Order { $number } has not left our warehouse yet.
assistant-status-packed = Order { $number } is packed and waiting for the carrier.
assistant-status-with-carrier = Order { $number } is on its way with { $carrier } since { $date }.
assistant-status-delivered = { $carrier } delivered order { $number } on { $date }.
assistant-status-lost = { $carrier } reports the parcel of order { $number } as lost.
assistant-status-returned = The parcel of order { $number } was sent back to us by { $carrier }.
assistant-status-cancelled = Order { $number } is cancelled.
assistant-tracking = Tracking number: { $tracking }.
assistant-tracking-link = Follow it here: { $link }
assistant-ask-address = Please write the new delivery address on one line: street and number, postal code and city, and the two-letter country code. For example: Calle Mayor 5, 28013 Madrid, ES.
assistant-address-unreadable = I could not read that as an address. Please write street and number, postal code and city, and country code, separated by commas.
assistant-address-postal = The postal code is missing. Please write the address again with it.
assistant-address-country = Please end the address with the two-letter country code, such as ES, PT, PL, ID or US.
assistant-confirm-address = Shall I change the delivery address of order { $number } to: { $address }? Please answer yes or no.
assistant-address-changed = Done: order { $number } will be delivered to { $address }.
assistant-confirm-cancel = Shall I cancel order { $number }? Please answer yes or no.
assistant-cancelled = Done: order { $number } is cancelled.
assistant-money-back = { $amount } is on its way back to you.
assistant-declined = All right, I have not changed anything.
assistant-anything-else = Is there anything else I can do for you?
assistant-choose = Our policy offers you:
assistant-choose-answer = Please answer with the number of your choice.
assistant-remedy-reship = a new one sent to you at no cost
assistant-remedy-return_refund = a refund once you send it back
assistant-remedy-refund_keep_item = a refund, and you keep the item
assistant-remedy-partial_refund = a partial refund, and you keep the item
assistant-remedy-store_credit = store credit
assistant-remedy-carrier_trace = we ask the carrier to trace the parcel
assistant-remedy-compensation = a compensation for the trouble
assistant-remedy-done = Done: { $remedy }.
assistant-photos-needed = I am sorry about that. I have opened request { $case } for it. Please add photos of the item and its packaging on your order page in our help centre; with them we can offer you a solution.
assistant-return-started = Your return { $rma } is open.
assistant-return-send-to = Please send the items to: { $address }, by { $date }.
assistant-return-send-by = Please send the items by { $date }; we will write to you with the address.
assistant-return-label-free = The return label is free; we will send it to you.
assistant-return-label-paid = The return label costs { $amount }, taken from your refund.
assistant-return-waits = A person from our team approves the return first and writes to you.
assistant-refund-none = I see no refund on order { $number } yet.
assistant-refund-sent = Your refund of { $amount } was sent. It should reach you between { $from } and { $to }.
assistant-refund-issued = Your refund of { $amount } was issued and can be used now.
assistant-refund-waiting = Your refund of { $amount } waits for a team member's approval; we will write to you once it is decided.
assistant-refund-preparing = Your refund of { $amount } is being prepared. Once sent it usually arrives between { $from } and { $to }.
assistant-refund-failed = Your refund of { $amount } could not be sent; our team is looking into it and will write to you.
assistant-refund-rejected = The refund of { $amount } was not approved; a person from our team will explain why.
assistant-policy-answer = From our help centre, "{ $title }": { $text }
assistant-phishing = Thank you for telling us. { $shop } never asks for card numbers, passwords or codes by message, email or phone, and never asks you to pay through a link sent in a message. Please do not open the link or share any data. I have recorded your report for our team.
assistant-handoff = I am passing our conversation to a person from our team (request { $case }). They will answer you here; everything you told me goes with it, so you do not have to repeat it.
assistant-with-person = A person from our team has your conversation (request { $case }) and will answer you here.
assistant-instead = What we can do instead:
assistant-remedy-exchange = an exchange for another size or colour
assistant-remedy-cancel_order = cancel the order
assistant-remedy-amend_order = change the order
assistant-remedy-refund_duplicate_charge = refund a charge taken twice
assistant-remedy-reissue_invoice = a corrected invoice
assistant-remedy-inform = an answer from our team
assistant-remedy-escalate = a person from our team looks at it
assistant-answer-within = { $count ->
    [one] We answer within one business hour.
   *[other] We answer within { $count } business hours.
}
