"""English templates for gen_train.py (written for this project)."""

LANG = "en"
ACCENTED = False

ITEMS = ["jacket", "dress", "pair of shoes", "sneakers", "phone case", "lamp", "vase", "backpack", "watch",
         "headphones", "t-shirt", "coffee maker", "jeans", "blender", "cushion", "perfume", "toy car", "hoodie",
         "bluetooth speaker", "mug set", "rug", "sunglasses", "kettle", "hair dryer", "skirt", "boots"]
ORDER_REFS = ["order {n}", "my order {n}", "order number {n}", "order #{n}", "my order", "the order", "order no. {n}",
              "purchase {n}"]
SIZES = ["S", "M", "L", "XL", "XS", "XXL", "38", "40", "42", "9", "10", "small", "medium", "large"]
COLOURS = ["black", "white", "red", "blue", "green", "grey", "pink", "navy", "beige", "brown"]
AMOUNTS = [lambda r: f"${r.randrange(5, 300)}.{r.randrange(0, 99):02d}", lambda r: f"£{r.randrange(5, 200)}",
           lambda r: f"{r.randrange(5, 300)}.99 USD", lambda r: f"${r.randrange(10, 500)}",
           lambda r: f"€{r.randrange(5, 200)},{r.randrange(0, 99):02d}"]
DATES = ["March 3", "the 12th", "last Monday", "May 20th", "yesterday", "two weeks ago", "04/11", "Friday",
         "June 2", "last week"]
CARRIERS = ["UPS", "FedEx", "USPS", "DHL", "Royal Mail", "the courier", "the delivery guy"]

GREETINGS = ["Hi,", "Hello,", "Hey", "Hi there,", "Good morning,", "Dear support team,", "Hello team,", "hey guys",
             "Good afternoon.", "To whom it may concern,", "hiya", "Hi support,"]
CLOSINGS = ["Thanks.", "Thank you!", "Regards, Sam", "thx", "Thanks in advance.", "Please help.", "Cheers",
            "Kind regards.", "Appreciate it.", "Looking forward to your reply.", "ty"]
CONTEXT = ["I ordered a {item} on {date}.", "I bought a {item} from your shop.", "It was a gift for my sister.",
           "This is about {ord}.", "I placed {ord} last week.", "I'm a regular customer.",
           "My email is {email}.", "I ordered online {date}."]
ANGRY = ["This is ridiculous!", "Really disappointed.", "Terrible service.", "I'm so angry right now.",
         "Unacceptable.", "Worst shopping experience ever.", "I'm fed up with this.", "Seriously??"]
ESCALATION = {
    "chargeback": ["If this isn't fixed I will file a chargeback.", "Otherwise I'm disputing the charge with my bank.",
                   "I'll contact my bank and reverse the payment.", "I already opened a PayPal dispute."],
    "legal": ["I will contact a lawyer.", "I'm reporting this to consumer protection.",
              "I know my consumer rights and will take legal action.", "See you in small claims court."],
    "public_review": ["I'll leave a 1 star review everywhere.", "I'm going to post about this on Twitter.",
                      "Everyone on social media will hear about this.", "Expect a bad review on Trustpilot."],
    "repeat_contact": ["This is the third time I'm writing.", "I already emailed you twice with no reply.",
                       "I have contacted you several times already.", "Still no answer to my previous email."],
    "urgent": ["This is urgent!", "Please reply ASAP.", "I need this sorted immediately.",
               "It's urgent, I need it by Friday."],
}

KINDS = {
    "cancel_order": [
        "Please cancel {ord}.", "I want to cancel {ord}, I ordered by mistake.", "How do I cancel {ord}?",
        "Can you cancel my order before it ships?", "I changed my mind, please cancel the {item} I just ordered.",
        "cancel my order pls", "I need to cancel {ord} asap, found it cheaper elsewhere.",
        "Accidentally ordered twice, please cancel one of them.", "Is it too late to cancel {ord}?",
        "I no longer need the {item}, cancel the order please.", "I'd like to cancel my purchase and get my money back before it ships.",
        "Don't ship {ord}, I want to cancel it.", "stop my order i dont want it anymore",
    ],
    "change_shipping_address": [
        "I need to change the shipping address on {ord}.", "I typed the wrong address, can you update it?",
        "Please send {ord} to my work address instead.", "I moved, can I change the delivery address for my order?",
        "Wrong street number in my address, it should be 42 not 24.", "Can you update the postcode on {ord}?",
        "Ship it to 15 Oak Street instead please.", "change delivery address on my order",
        "I put my old address by mistake, how do I fix it before it ships?",
        "The apartment number is missing from my shipping address.", "Can I redirect {ord} to a different address?",
    ],
    "change_order_items": [
        "I ordered size {size} but I need {size2}, can you change it before shipping?",
        "Can I change the colour of {ord} from {colour} to {colour2}?", "I picked the wrong size, please switch to {size}.",
        "Please change the quantity from 1 to 2 on {ord}.", "I want to add another {item} to my order before it ships.",
        "Can I swap the {colour} {item} for the {colour2} one? It hasn't shipped yet.",
        "Remove one {item} from {ord} please.", "change my order to size {size} pls",
        "I chose the wrong model, can you modify {ord}?", "Need to edit my order, wrong variant selected.",
    ],
    "billing_info_error": [
        "The invoice has the wrong company name, please correct it.", "My VAT number is missing from the invoice.",
        "Can you fix the billing name on my invoice? It's misspelled.", "I need the invoice issued to my company with tax ID 123456789.",
        "Wrong billing address on the receipt for {ord}.", "Please reissue the invoice with the correct tax number.",
        "The invoice shows my old address, I need it updated for accounting.",
        "billing details on the invoice are wrong", "I entered the wrong name for billing, can you change it?",
        "Can I get a corrected invoice for {ord}? The NIP is wrong.",
    ],
    "order_status": [
        "Where is {ord}?", "When will my {item} arrive?", "Can you tell me the status of {ord}?",
        "Has {ord} shipped yet?", "What's the tracking number for my order?", "How long does delivery take to Texas?",
        "My tracking hasn't updated in {days} days, where is it?", "Any update on my delivery?",
        "I ordered {date}, when will it ship?", "wheres my order", "Is my package on its way?",
        "The estimated delivery date was {date}, is it still coming?", "track my order {ord}",
    ],
    "not_received": [
        "!Tracking says delivered but I never got my package.", "!My {item} never arrived.",
        "!{ord} shows delivered but nothing was at my door.", "!I still haven't received {ord} after {days} days.",
        "!The parcel is lost, {carrier} can't find it.", "!It says left with neighbour but none of my neighbours have it.",
        "!Package marked as delivered, not in my mailbox, not anywhere.", "!never received my order",
        "!I've been waiting a month and the order never came.", "!{carrier} says delivered, I was home all day and nobody came.",
        "!The tracking stopped updating {days} days ago and nothing arrived. I think it got lost.",
    ],
    "damaged_in_transit": [
        "!My {item} arrived broken.", "!The box was crushed and the {item} inside is damaged.",
        "!The {item} came shattered into pieces.", "!Package arrived soaked and the {item} is ruined.",
        "!The {item} is cracked, the parcel was clearly dropped.", "!It arrived with a big dent, the box was smashed.",
        "!item came damaged, glass everywhere", "!The screen was cracked when I opened the box.",
        "!Delivery was rough, the {item} is scratched and the packaging torn.",
        "!Received {ord} today but the {item} is broken, I have photos of the damaged box.",
    ],
    "wrong_item_received": [
        "!I received the wrong item, I ordered a {item} and got something else.",
        "!You sent me size {size} instead of {size2}.", "!I ordered {colour} but received {colour2}.",
        "!This isn't what I ordered, you sent a different {item}.", "!Got someone else's order in my box.",
        "!Wrong product delivered for {ord}.", "!The parcel contained a {item} I never ordered.",
        "!you shipped the wrong size", "!I got the wrong colour, I clearly picked {colour}.",
        "!The label is mine but the {item} inside is a completely different model.",
    ],
    "missing_item": [
        "!My order arrived but one {item} is missing.", "!I ordered 3 items and only got 2.",
        "!The {item} was not in the package.", "!Half my order is missing.",
        "!The box came without the charger that was supposed to be included.",
        "!{ord} was incomplete, the {item} wasn't there.", "!Parcel arrived with only part of my order.",
        "!missing an item from my order", "!The invoice lists the {item} but it wasn't in the box.",
        "!Received the {item} but the second one I paid for is missing.",
    ],
    "not_as_described": [
        "!The {item} looks nothing like the photos.", "!The colour is totally different from the website.",
        "!The description said leather but it's plastic.", "!It's much smaller than described.",
        "!The {item} is not as described, the material is cheap.", "!Photos showed {colour} but in reality it's {colour2}.",
        "!This is not what was advertised.", "!not as pictured, looks cheap",
        "!The listing said waterproof, it isn't.", "!The size chart was wrong, the dimensions don't match the description.",
    ],
    "defective_item": [
        "!My {item} doesn't work.", "!The {item} stopped working after {days} days.",
        "!The {item} won't turn on.", "!The zipper broke the first time I used it.",
        "!The {item} is faulty, it keeps shutting off.", "!It arrived fine but it's defective, the button doesn't respond.",
        "!The battery doesn't charge.", "!{item} is defective", "!One of the headphones has no sound.",
        "!The seams came apart after one wash.", "!The {item} makes a weird noise and then dies.",
    ],
    "return_request": [
        "I'd like to return the {item}.", "How do I send back {ord} for a refund?",
        "The {item} doesn't fit, I want to return it.", "I changed my mind and want a refund.",
        "Can I return the {item} and get my money back?", "I want to return my order.",
        "It's too big, I'd like to send it back.", "Please send me a return label for the {item}.",
        "I don't like it, want to return for refund", "I'd like a refund for the {item}, I'll send it back.",
        "Can I get my money back? The {item} isn't for me.",
    ],
    "exchange_request": [
        "Can I exchange the {item} for a size {size}?", "I'd like to swap it for a different colour, {colour2}.",
        "The {item} is too small, can I exchange it for a bigger size?", "I want to exchange {ord} for another model.",
        "Could I get the {colour} one instead of the {colour2}?", "exchange for size {size} please",
        "Can I trade this {item} for a different one?", "It doesn't fit, I'd like to exchange rather than refund.",
        "Do you have it in {size}? I'd like to exchange mine.", "I want the same {item} but in {colour}.",
    ],
    "return_policy_question": [
        "What is your return policy?", "How many days do I have to return an item?",
        "Do I have to pay for return shipping?", "Can I return sale items?", "Is return shipping free?",
        "How long do refunds take after you receive the return?", "Can I return something without the original box?",
        "what's the return window", "Do you accept returns on opened products?",
        "How do exchanges work in your store?", "If it doesn't fit, can I return it for free?",
    ],
    "refund_status": [
        "Where is my refund?", "I returned the {item} {days} days ago and still no refund.",
        "When will I get my money back for {ord}?", "You said the refund was processed but I don't see it.",
        "Refund still not in my account.", "How long does the refund take to show up?",
        "!It's been {days} days since you received my return, where is my refund?",
        "status of my refund pls", "I was promised a refund of {amount}, it hasn't arrived.",
        "My bank says no refund has come through.",
    ],
    "wrong_charge": [
        "!I was charged twice for {ord}.", "!You charged me {amount} but the total was less.",
        "!There's a double charge on my card.", "!I was billed the wrong amount.",
        "!My card was charged {amount} twice for the same order.", "!Why was I charged for shipping when it said free?",
        "!charged twice!!", "!I see two payments of {amount} on my statement.",
        "!The price at checkout was different from what was taken from my account.",
        "!You took {amount} extra from my card.",
    ],
    "payment_not_reflected": [
        "I paid but the order still says unpaid.", "My payment went through but the order shows pending payment.",
        "The money left my account but your site says payment failed.",
        "I transferred {amount} yesterday and the order is still awaiting payment.",
        "Paid with PayPal but order status is not paid.", "payment done but order not confirmed",
        "Why does {ord} say payment pending? I was charged.", "The bank transfer was sent, please confirm my payment.",
        "I got charged but never received an order confirmation.", "I paid {amount} but my order was cancelled for non-payment.",
    ],
    "store_unavailable": [
        "!Your website is down.", "!I can't check out, the payment page keeps failing.",
        "!The site won't load.", "!Checkout gives an error every time I try to pay.",
        "!I can't add anything to my cart.", "!Your app keeps crashing when I try to order.",
        "!Card declined at checkout even though it works everywhere else.", "!site not working",
        "!The payment button does nothing.", "!Error 500 when placing an order.",
    ],
    "phishing_report": [
        "I got an email from you asking for my card details, is it real?",
        "Someone sent me a text pretending to be your shop with a link to pay customs.",
        "Is this message from you? It asks me to confirm my password.",
        "I received a suspicious SMS about my parcel and a fee, is this a scam?",
        "A fake website is using your logo.", "Got a weird email saying my account is locked, looks like phishing.",
        "someone is pretending to be your store on whatsapp", "I think I got a scam email from your company name.",
        "Did you send me a message asking to pay {amount} for redelivery?",
        "This link claims to be your shop's refund page, it looks fake.",
    ],
    "other": [
        "+Thanks a lot, everything arrived perfectly!", "Do you ship to Canada?", "What are your opening hours?",
        "Do you have a discount code?", "Is this {item} waterproof?", "+Great service, thank you!",
        "Do you sell gift cards?", "How do I create an account?", "Can I change my password?",
        "Are you hiring?", "When will the {item} be back in stock?", "Do you have a physical store?",
        "+Just wanted to say I love the {item}.", "What payment methods do you accept?",
        "I want to unsubscribe from the newsletter.", "hello", "Can I speak to a human?",
        "What's the weather like tomorrow?", "How do I delete my account?", "ok thanks",
        "Do you offer student discounts?", "Is the {item} available in {colour}?",
    ],
}

REQUESTS = ["Please send a replacement.", "I want my money back.", "What are you going to do about it?",
            "Can you help?", "Please sort this out.", "I'd like a refund or a new one.", "How do we fix this?",
            "Let me know the next steps.", "Please advise.", "Can you resend it?", "I expect compensation."]
