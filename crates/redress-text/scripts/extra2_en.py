"""Second English phrasing bank: narrative, indirect and colloquial messages."""

KINDS = {
    "cancel_order": [
        "Long story short, I no longer need the {item}. Could you cancel before it's packed?",
        "I made a mistake placing {ord}, can it be cancelled instead of me returning it later?",
        "Please don't process my order, I'm cancelling.", "Is my order still cancellable? I'd like to cancel it.",
        "Cancel request for {ord}. Reason: ordered wrong item, I'll buy again later.", "nvm, cancel my order",
        "I want to terminate this order, not received anything yet and don't want it.",
        "Halt my order please, I'm not going ahead with the purchase.",
    ],
    "change_shipping_address": [
        "Small problem: I put my old flat on the order. New address is 3 Mill Lane. Can you change it?",
        "I'll be travelling, could you ship the parcel to my sister's place instead?",
        "Can you amend the delivery address on {ord} to my work address?", "The address on my order is incomplete, please add the unit number.",
        "Change of address for delivery: 88 Park Ave, Apt 2.", "please change the shipping address, the one on the order is wrong",
        "Can I pick a different delivery address now that the order is placed?", "wrong city on my delivery address, please correct",
    ],
    "change_order_items": [
        "Just realised I chose the wrong size when ordering, please make it {size} before you ship.",
        "Could you change the variant on my order? I want the {colour} one.", "Hold on, I want to add a second {item} to my order.",
        "Can I modify my order? I need two instead of three.", "Please amend {ord}: swap the {item} for the bigger version.",
        "I'd like to change what's in my order before it is dispatched.", "wrong size selected on checkout, can you change it",
        "Order not shipped yet right? Can you change the colour to {colour2}?",
    ],
    "billing_info_error": [
        "For my expense report I need the invoice with my company's details, the current one is wrong.",
        "Can you correct the billing address on the invoice? It shows my old one.", "The invoice is missing our tax number.",
        "Please regenerate the invoice with the correct legal name.", "The invoice lists the wrong country for billing.",
        "billing info on the receipt is incorrect", "I need an amended invoice, the VAT ID is wrong.",
        "My invoice has a spelling mistake in the company name.",
    ],
    "order_status": [
        "Just wondering where my parcel is, the tracking hasn't moved.", "Is there any update on the delivery of {ord}?",
        "Tracking just says label created, has it actually shipped?", "When is my order going to be delivered?",
        "I'm waiting for {ord}, could you check where it is?", "Could you give me a delivery estimate?",
        "has {carrier} picked up my parcel yet?", "Is my order still on its way? No news for {days} days.",
        "What time will the courier come?",
    ],
    "not_received": [
        "!The app says my parcel was delivered yesterday but it's nowhere to be found.",
        "!My neighbour and I checked everywhere, the parcel marked delivered isn't here.",
        "!I've been waiting ages and the parcel never turned up, tracking is stuck and the courier says it's lost.",
        "!Parcel was apparently delivered to a safe place, there's nothing there.", "!I didn't receive my package at all.",
        "!The delivery never happened but the status says complete.", "!didnt get my parcel, says delivered",
        "!Lost parcel: {ord} never reached me.",
    ],
    "damaged_in_transit": [
        "!When I opened the box the {item} was broken, and the box itself was crushed.",
        "!The parcel looked like it had been thrown, the {item} inside is cracked.",
        "!Arrived damaged: dent on the side and the glass is cracked.", "!My delivery came broken.",
        "!The corner of the box was smashed in and so is the {item}.", "!Everything inside was broken when it arrived.",
        "!it came broken, the packaging was crushed", "!The item was damaged in shipping.",
    ],
    "wrong_item_received": [
        "!The item I received isn't the one I ordered.", "!I was sent a {item} but my order was for something else.",
        "!Opened the box and it's not my order.", "!Received the wrong size again.",
        "!It's the wrong model, not what I bought.", "!You delivered someone else's parcel to me.",
        "!you sent the wrong product", "!The colour I received is not the colour I picked.",
    ],
    "missing_item": [
        "!My parcel arrived but something is missing.", "!I only received some of the items I ordered.",
        "!The {item} is missing from my delivery.", "!Not everything was in the box.",
        "!There should have been two items and there was only one.", "!My order is incomplete.",
        "!an item is missing", "!The package was missing part of the order.",
    ],
    "not_as_described": [
        "!What I got is not what the website showed.", "!The {item} doesn't match the description at all.",
        "!The quality is far worse than advertised.", "!The photos are misleading, it's a different colour.",
        "!The specs on the listing are wrong.", "!It is not as described.", "!This looks nothing like the product page.",
        "!not the same as the picture",
    ],
    "defective_item": [
        "!The {item} arrived fine but doesn't work.", "!It broke after a couple of uses.",
        "!The {item} has a fault, it won't charge.", "!It's defective.", "!The device keeps turning itself off.",
        "!It doesn't work properly.", "!stopped working already", "!Faulty product, please help.",
    ],
    "return_request": [
        "I'd like to return an item from {ord}.", "How do I start a return?", "I want to return it, please refund.",
        "I'm returning the {item}, what do I do?", "I'd like to send my order back.", "return please, doesn't fit",
        "Can I get a refund if I send it back?", "I want to return this and get my money back.",
    ],
    "exchange_request": [
        "I'd like to exchange it for a different size.", "Can I get a different colour instead?",
        "Please exchange my {item} for the {size}.", "Can I do an exchange?", "I want to swap it for another one.",
        "exchange for bigger size pls", "Can you exchange it for a {colour} one?", "I need to exchange, wrong fit.",
    ],
    "return_policy_question": [
        "Can I return something after 30 days?", "Are returns possible for personalised items?", "Do you refund shipping costs?",
        "How do I know if an item is returnable?", "What is the process for exchanges?", "do you accept returns",
        "Is there a time limit on returns?", "Can I return a gift?",
    ],
    "refund_status": [
        "Still waiting for my refund.", "Has the refund been sent?", "When will you refund me?",
        "The refund hasn't arrived.", "I returned my order and haven't been refunded.", "where's my money",
        "Any update on my refund?", "Refund pending for weeks now.",
    ],
    "wrong_charge": [
        "!I was charged more than I should have been.", "!Why was my card charged twice?",
        "!You took the money twice.", "!I have been charged an incorrect amount.", "!There's a double payment on my account.",
        "!charged wrong amount", "!The charge on my card doesn't match my order.", "!Refund the duplicate charge please.",
    ],
    "payment_not_reflected": [
        "I paid but it still says awaiting payment.", "My payment is not showing.", "The order is unpaid but I paid.",
        "Money taken, order not confirmed.", "payment not updated on my order", "Is my payment received?",
        "I've paid, why is the order on hold?", "My transfer went through, please confirm.",
    ],
    "store_unavailable": [
        "!I can't buy anything, the site is broken.", "!Checkout doesn't work.", "!The website isn't working.",
        "!Payment keeps failing on your site.", "!Site down", "!Can't complete checkout.",
        "!Your online store is not loading.", "!The order button is broken.",
    ],
    "phishing_report": [
        "Is this a scam message?", "I received a fake email from your brand.", "Someone is pretending to be you.",
        "This looks like phishing, is it from you?", "Suspicious text about my parcel.", "fake site using your name",
        "I got a message asking for my card details in your name.", "Is this link legit?",
    ],
    "other": [
        "+Thank you, the replacement arrived and it's perfect.", "+You've been super helpful, much appreciated!", '+Wow, that was quick, thanks a million.', '+The dress fits beautifully, thank you!', '+Happy with my order, will buy again.', '+Great job on the fast delivery!', "+Problem solved, you're the best.", '+Lovely packaging and a nice note, thank you.',
        "+Thanks for your help!", "+Appreciate the great service.", "Hello, I have a question.", "Are you open on holidays?",
        "Do you have this in stock?", "How do I contact you by phone?", "Can I order by phone?", "Do you sell online only?",
        "what's the time", "+Cheers, all sorted.", "Where are you located?", "Do you have a catalogue?",
    ],
}
