//! The portal's guided flow over HTTP, as a browser without JavaScript uses it: a report with
//! the lines concerned and photos, the decision at once, choosing a remedy (carried out by the
//! resolution routes' own code), the return instructions, and an address change before the
//! parcel leaves. Refused input answers 4xx and changes nothing.

use reqwest::Method;
use reqwest::StatusCode;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::browser::{Browser, form_token};
use crate::fixtures::{order, set};
use crate::support::{TestApp, on_both_backends, text};

/// A form field: name and value.
type Field<'a> = (&'a str, &'a str);
/// A file field: name, file name, content type and bytes.
type File<'a> = (&'a str, &'a str, &'a str, &'a [u8]);

/// A small photo as a phone sends it: a real PNG the server decodes (and keeps re-encoded,
/// which for a plain PNG from the same encoder gives the same bytes back).
static PNG: std::sync::LazyLock<Vec<u8>> = std::sync::LazyLock::new(|| {
    let photo = image::RgbImage::from_pixel(4, 3, image::Rgb([200, 80, 40]));
    let mut bytes = std::io::Cursor::new(Vec::new());
    photo.write_to(&mut bytes, image::ImageFormat::Png).expect("a PNG encodes");
    bytes.into_inner()
});

fn days_ago(days: i64) -> String {
    (OffsetDateTime::now_utc() - time::Duration::days(days)).format(&Rfc3339).unwrap()
}

/// The fixture order, delivered two days ago with both mugs and the tea.
fn delivered(number: &str, email: &str) -> Value {
    set(
        order(number, email),
        "/shipments",
        json!([{
            "carrier": "dhl", "tracking_number": "JD0001",
            "lines": [{"sku": "MUG-1", "quantity": 2}, {"sku": "TEA-9", "quantity": 1}],
            "status": "delivered",
            "status_times": {"handed_to_carrier": days_ago(5), "delivered": days_ago(2)}
        }]),
    )
}

/// Signs in through the look-up form; returns the order page.
async fn sign_in(browser: &mut Browser, number: &str, email: &str) -> String {
    let answer = browser.post("/s/north-wind/lookup", &[("number", number), ("email", email)]).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    browser.get(answer.location.as_deref().unwrap()).await.body
}

async fn timeline_events(app: &TestApp, key: &str, case_id: &str) -> Vec<String> {
    let view = app.case_view(key, case_id).await;
    view["timeline"].as_array().unwrap().iter().map(|e| text(&e["event"]["type"])).collect()
}

async fn damaged_item_reported_with_a_photo_and_replaced(app: &TestApp) {
    let shop = app.create_store("north-wind").await;
    let created = app.create_order(&shop.key, &delivered("A-1001", "ana@example.com")).await;
    let order_id = text(&created["id"]);
    let mut browser = Browser::new(app);
    let order_page = sign_in(&mut browser, "A-1001", "ana@example.com").await;
    assert!(order_page.contains(&format!("action=\"/s/north-wind/orders/{order_id}/report\"")));

    // The report form for the kind asks which lines, in a fieldset, with a real file input.
    let form = browser.get(&format!("/s/north-wind/orders/{order_id}/report?kind=damaged_in_transit")).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("<legend>Items concerned</legend>"), "{}", form.body);
    assert!(form.body.contains("name=\"qty:MUG-1\"") && form.body.contains("max=\"2\""));
    assert!(form.body.contains("type=\"file\"") && form.body.contains("enctype=\"multipart/form-data\""));

    let token = form_token(&form.body);
    let answer = browser
        .post_multipart(
            &format!("/s/north-wind/orders/{order_id}/cases"),
            &[
                ("form_token", &token),
                ("kind", "damaged_in_transit"),
                ("qty:MUG-1", "1"),
                ("qty:TEA-9", "0"),
                ("reason", "One mug arrived broken"),
                ("comment", "The box was crushed on one side."),
            ],
            &[("photos", "mug.png", "image/png", PNG.as_slice())],
        )
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let case_path = answer.location.unwrap();
    let cases = app.all_cases(&shop.key, "").await;
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0]["lines"], json!([{"sku": "MUG-1", "quantity": 1}]), "the case keeps the lines reported");
    let case_id = text(&cases[0]["id"]);
    let view = app.case_view(&shop.key, &case_id).await;
    let first = &view["messages"][0];
    assert!(text(&first["body"]).contains("1 × Blue mug (MUG-1)"), "{first}");
    assert_eq!(
        first["attachments"],
        json!([{"filename": "mug.png", "content_type": "image/png", "size_bytes": PNG.len()}])
    );

    // The decision at once: the policy's reasons in words, a replacement offered now that the photo is in.
    let page = browser.get(&case_path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("What we can do"), "{}", page.body);
    assert!(page.body.contains("<legend>Choose what you would like</legend>"));
    assert!(page.body.contains("value=\"reship\" checked"), "{}", page.body);
    assert!(!page.body.contains("Send photos of the problem first"));
    assert!(page.body.contains("class=\"reasons\""));
    // The reasons follow the page's language.
    let polish = browser.get(&format!("{case_path}&lang=pl")).await;
    assert!(polish.body.contains("Co możemy zrobić") && polish.body.contains("Wyślijcie mi nowy egzemplarz"));
    let reasons = &polish.body[polish.body.find("class=\"reasons\"").unwrap()..];
    assert!(reasons[..reasons.find("</ul>").unwrap()].contains("To nie Twoja wina"), "{reasons}");
    browser.get(&format!("{case_path}&lang=en")).await;
    // Amounts are for the one mug reported, whenever the page is opened.
    let again = browser.get(&format!("/s/north-wind/cases/{}", text(&cases[0]["id"]))).await;
    assert!(again.body.contains("Refund me, I keep the item · 12.50 EUR"), "{}", again.body);

    // The photo is shown back, and served as the image it is.
    let photo_at = page.body.find("/photos/").unwrap();
    let start = page.body[..photo_at].rfind('"').unwrap() + 1;
    let photo = &page.body[start..photo_at + page.body[photo_at..].find('"').unwrap()];
    let (status, kind, bytes) = browser.fetch(photo).await;
    assert_eq!((status, kind.as_str(), bytes.as_slice()), (StatusCode::OK, "image/png", PNG.as_slice()));

    // The shop sees it too, over the API with its key; another store does not.
    let listed = app.get(&format!("/api/v1/cases/{case_id}/attachments"), &shop.key).await.expect(200);
    assert_eq!(
        (listed[0]["filename"].as_str(), listed[0]["size_bytes"].as_u64()),
        (Some("mug.png"), Some(PNG.len() as u64))
    );
    let url = format!("{}{}", app.base, text(&listed[0]["url"]));
    let image = reqwest::Client::new().get(&url).bearer_auth(&shop.key).send().await.unwrap();
    assert_eq!(image.headers()[reqwest::header::CONTENT_TYPE], "image/png");
    assert_eq!(image.bytes().await.unwrap().as_ref(), PNG.as_slice());
    let other = app.create_store("south-wind").await;
    app.get(&format!("/api/v1/cases/{case_id}/attachments"), &other.key).await.error(404, "not_found", None);
    let foreign = reqwest::Client::new().get(&url).bearer_auth(&other.key).send().await.unwrap();
    assert_eq!(foreign.status(), StatusCode::NOT_FOUND);

    // The customer chooses the replacement, clicking twice in two tabs at once: it is carried out
    // once, on the timeline, and both tabs show it.
    let path = format!("/s/north-wind/cases/{case_id}/remedy");
    let token = form_token(&page.body);
    let form = [("form_token", token.as_str()), ("remedy", "reship")];
    let (mut first, mut second) = (browser.twin(), browser.twin());
    let (chosen, twice) = tokio::join!(first.post(&path, &form), second.post(&path, &form));
    for answer in [&chosen, &twice] {
        assert_eq!(answer.status, StatusCode::SEE_OTHER);
        assert!(answer.location.as_deref().unwrap().ends_with("?done=1"), "{:?}", answer.location);
    }
    let done = browser.get(chosen.location.as_deref().unwrap()).await;
    assert!(done.body.contains("Your choice") && done.body.contains("Send me a replacement"), "{}", done.body);
    assert!(!done.body.contains("Confirm my choice"), "no second choice once carried out");
    let events = timeline_events(app, &shop.key, &case_id).await;
    assert!(events.contains(&"remedy_carried_out".to_owned()), "{events:?}");
    assert!(events.contains(&"claim_filed".to_owned()), "{events:?}");
    let view = app.case_view(&shop.key, &case_id).await;
    let carried =
        view["timeline"].as_array().unwrap().iter().find(|e| e["event"]["type"] == "remedy_carried_out").unwrap();
    assert_eq!(carried["actor"], json!({"type": "customer", "handle": "ana@example.com"}));
    // A later click changes nothing either.
    let again = browser.post(&path, &form).await;
    assert!(again.location.as_deref().unwrap().ends_with("?done=1"));
    let claims = app.get(&format!("/api/v1/cases/{case_id}/returns"), &shop.key).await.expect(200);
    assert_eq!(claims["claims"].as_array().unwrap().len(), 1);
    assert_eq!(claims["claims"][0]["lines"], json!([{"sku": "MUG-1", "quantity": 1}]));
}

async fn bad_reports_change_nothing(app: &TestApp) {
    let shop = app.create_store("north-wind").await;
    let created = app.create_order(&shop.key, &delivered("A-1001", "ana@example.com")).await;
    let order_id = text(&created["id"]);
    let mut browser = Browser::new(app);
    sign_in(&mut browser, "A-1001", "ana@example.com").await;
    let form = browser.get(&format!("/s/north-wind/orders/{order_id}/report?kind=damaged_in_transit")).await;
    let token = form_token(&form.body);
    let path = format!("/s/north-wind/orders/{order_id}/cases");
    let big = {
        let mut big = PNG.to_vec();
        big.resize(5 * 1024 * 1024 + 1, 0);
        big
    };
    let pdf: &[u8] = b"%PDF-1.7 not a photo";
    let cases: Vec<(&str, Vec<Field>, Vec<File>)> = vec![
        ("another order's line", vec![("qty:SOCK-3", "1")], vec![]),
        ("more than ordered", vec![("qty:MUG-1", "3")], vec![]),
        ("not a number", vec![("qty:MUG-1", "two")], vec![]),
        ("no line at all", vec![("qty:MUG-1", "0")], vec![]),
        ("a PDF called a photo", vec![("qty:MUG-1", "1")], vec![("photos", "mug.png", "image/png", pdf)]),
        ("a photo over 5 MB", vec![("qty:MUG-1", "1")], vec![("photos", "big.png", "image/png", &big)]),
        (
            "four photos",
            vec![("qty:MUG-1", "1")],
            vec![
                ("photos", "1.png", "image/png", PNG.as_slice()),
                ("photos", "2.png", "image/png", PNG.as_slice()),
                ("photos", "3.png", "image/png", PNG.as_slice()),
                ("photos", "4.png", "image/png", PNG.as_slice()),
            ],
        ),
    ];
    for (what, lines, files) in cases {
        let mut fields = vec![("form_token", token.as_str()), ("kind", "damaged_in_transit"), ("reason", "Broken")];
        fields.extend(lines);
        let answer = browser.post_multipart(&path, &fields, &files).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{what}");
        assert!(answer.body.contains("role=\"alert\""), "{what}: the problem is said");
        assert!(answer.body.contains("value=\"Broken\""), "{what}: what was typed is kept");
    }
    // Without the page's token nothing is read at all.
    let answer = browser
        .post_multipart(&path, &[("kind", "damaged_in_transit"), ("qty:MUG-1", "1"), ("reason", "x")], &[])
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    // A body over the report's limit (three photos at most, 5 MB each) is cut off while read:
    // the answer is 413, unless the server closed the connection before the client sent it all
    // (last, as that connection is of no more use to this browser).
    let huge = vec![0u8; 17 * 1024 * 1024];
    let fields = [("form_token", token.as_str()), ("kind", "damaged_in_transit"), ("qty:MUG-1", "1"), ("reason", "x")];
    if let Some(answer) =
        browser.try_post_multipart(&path, &fields, &[("photos", "huge.png", "image/png", &huge)]).await
    {
        assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert!(answer.body.contains("too large"), "{}", answer.body);
    }
    assert!(app.all_cases(&shop.key, "").await.is_empty(), "no refused report opened a case");
}

async fn an_exchange_offers_sizes_with_stock_and_gives_return_instructions(app: &TestApp) {
    let shop = app.create_store("north-wind").await;
    // The shop says where returns go.
    let source = format!(
        "{}\n[returns.address]\nname = \"North Wind Returns\"\nlines = [\"Magazynowa 12\"]\ncity = \"Poznań\"\n\
         postal_code = \"61-001\"\ncountry = \"PL\"\n",
        redress_domain::policy::STANDARD_POLICY_TOML.replace("version = 1", "version = 2")
    );
    app.call(Method::PUT, "/api/v1/policy", Some(&shop.admin), Some(&json!({ "source": source }))).await.expect(200);
    let price = json!({"amount_minor": 1999, "currency": "EUR"});
    let mut body = delivered("A-2001", "ana@example.com");
    body["lines"] = json!([{
        "sku": "TEE-M", "title": "Crew tee", "variant": {"size": "M"}, "quantity": 1, "unit_price": price,
        "other_variants": [
            {"sku": "TEE-L", "variant": {"size": "L"}, "unit_price": price, "in_stock": 3},
            {"sku": "TEE-S", "variant": {"size": "S"}, "unit_price": price, "in_stock": 0}
        ]
    }]);
    body["shipments"][0]["lines"] = json!([{"sku": "TEE-M", "quantity": 1}]);
    let created = app.create_order(&shop.key, &body).await;
    let order_id = text(&created["id"]);
    let mut browser = Browser::new(app);
    sign_in(&mut browser, "A-2001", "ana@example.com").await;
    let form = browser.get(&format!("/s/north-wind/orders/{order_id}/report?kind=exchange_request")).await;
    assert!(!form.body.contains("type=\"file\""), "no photos asked for a change of mind");
    let answer = browser
        .post_multipart(
            &format!("/s/north-wind/orders/{order_id}/cases"),
            &[
                ("form_token", &form_token(&form.body)),
                ("kind", "exchange_request"),
                ("qty:TEE-M", "1"),
                ("reason", "Too small"),
            ],
            &[],
        )
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let case_path = answer.location.unwrap();
    let case_id = case_path.split('/').next_back().unwrap().split('?').next().unwrap().to_owned();
    let page = browser.get(&case_path).await;
    // The exchange comes first, as the policy prefers it, with the sizes and their stock.
    let exchange = page.body.find("value=\"exchange\"").unwrap();
    assert!(exchange < page.body.find("value=\"return_refund\"").unwrap(), "{}", page.body);
    assert!(page.body.contains("value=\"exchange\" checked"));
    assert!(page.body.contains("<option value=\"TEE-L\">L · 19.99 EUR · 3 in stock</option>"), "{}", page.body);
    assert!(
        page.body.contains("<option value=\"TEE-S\" disabled>S · 19.99 EUR · out of stock</option>"),
        "{}",
        page.body
    );
    let token = form_token(&page.body);
    let remedy = format!("/s/north-wind/cases/{case_id}/remedy");

    // A sold-out size, a size the shop does not list, or no size: refused, nothing opened.
    for (to, error) in [("TEE-S", "out-of-stock"), ("TEE-XXL", "choose-variant"), ("", "choose-variant")] {
        let answer = browser.post(&remedy, &[("form_token", &token), ("remedy", "exchange"), ("swap:TEE-M", to)]).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER);
        assert!(
            answer.location.as_deref().unwrap().ends_with(&format!("error={error}")),
            "{to}: {:?}",
            answer.location
        );
    }
    let refused = browser.get(&format!("{case_path}&error=out-of-stock")).await;
    assert!(refused.body.contains("no longer in stock"));
    let returns = app.get(&format!("/api/v1/cases/{case_id}/returns"), &shop.key).await.expect(200);
    assert_eq!(returns["returns"], json!([]));

    // Size L it is: the return is opened with the wish recorded, and the page says what to do.
    let answer =
        browser.post(&remedy, &[("form_token", &token), ("remedy", "exchange"), ("swap:TEE-M", "TEE-L")]).await;
    assert!(answer.location.as_deref().unwrap().ends_with("?done=1"), "{:?}", answer.location);
    let returns = app.get(&format!("/api/v1/cases/{case_id}/returns"), &shop.key).await.expect(200);
    let rma = &returns["returns"][0];
    assert_eq!(rma["status"], "approved");
    assert_eq!(rma["exchange_wanted"][0]["item"]["sku"], "TEE-L");
    let page = browser.get(answer.location.as_deref().unwrap()).await;
    assert!(page.body.contains("Your return") && page.body.contains("RMA-"), "{}", page.body);
    assert!(page.body.contains("North Wind Returns") && page.body.contains("61-001 Poznań"));
    assert!(page.body.contains("Please send it by"));
    assert!(page.body.contains("1 × Crew tee (L)"), "what comes instead is shown");
    assert!(page.body.contains("1 × Crew tee"));
}

async fn the_address_changes_before_shipping_and_not_after(app: &TestApp) {
    let shop = app.create_store("north-wind").await;
    let waiting = app.create_order(&shop.key, &set(order("A-3001", "ana@example.com"), "/shipments", json!([]))).await;
    let waiting_id = text(&waiting["id"]);
    let mut browser = Browser::new(app);
    let page = sign_in(&mut browser, "A-3001", "ana@example.com").await;
    assert!(page.contains("Change the delivery address"));
    let form = browser.get(&format!("/s/north-wind/orders/{waiting_id}/address")).await;
    assert!(form.body.contains("value=\"ul. Długa 5\""));
    let token = form_token(&form.body);
    let address = format!("/s/north-wind/orders/{waiting_id}/address");
    let new = |street: &'static str, country: &'static str| {
        vec![
            ("name", "Ana Kowalska"),
            ("street", street),
            ("postal_code", "00-950"),
            ("city", "Warszawa"),
            ("country", country),
        ]
    };

    // A bad address is refused naming the field, and changes nothing.
    for (fields, problem) in [
        (new("Marszałkowska 1", "Poland"), "“POLAND” is not a country code"),
        (new("Marszałkowska 1", "ZZ"), "“ZZ” is not a country code"),
        (new("", "PL"), "Check the field “Street and number”"),
    ] {
        let mut fields = fields;
        fields.push(("form_token", &token));
        let answer = browser.post(&address, &fields).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.body);
        assert!(answer.body.contains(problem), "{problem}: {}", answer.body);
    }
    let mut fields = new("Marszałkowska 1", "PL");
    fields[2] = ("postal_code", "00950");
    fields.push(("form_token", &token));
    browser.get(&format!("{address}?lang=pl")).await;
    let answer = browser.post(&address, &fields).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer.body.contains("Ten kod pocztowy nie wygląda na kod z kraju PL"), "{}", answer.body);
    browser.get(&format!("{address}?lang=en")).await;
    assert!(app.all_cases(&shop.key, "").await.is_empty());

    // A good address is shown to be confirmed, and only the confirmation saves it.
    let mut fields = new("Marszałkowska 1", "pl");
    fields.push(("form_token", &token));
    let answer = browser.post(&address, &fields).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert!(answer.body.contains("Is this the right address?"), "{}", answer.body);
    assert!(answer.body.contains("00-950 Warszawa"), "{}", answer.body);
    assert!(app.all_cases(&shop.key, "").await.is_empty(), "nothing saved before the confirmation");
    fields.push(("confirmed", "yes"));
    let answer = browser.post(&address, &fields).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let page = browser.get(answer.location.as_deref().unwrap()).await;
    assert!(page.body.contains("your order will be delivered to the new address"), "{}", page.body);
    assert!(page.body.contains("Marszałkowska 1"));
    let stored = app.get(&format!("/api/v1/orders/{waiting_id}"), &shop.key).await.expect(200);
    assert_eq!(stored["shipping_address"]["city"], "Warszawa");
    assert_eq!(stored["shipping_address"]["country"], "PL");
    let cases = app.all_cases(&shop.key, "").await;
    assert_eq!(
        (cases.len(), cases[0]["kind"].as_str(), cases[0]["status"].as_str()),
        (1, Some("change_shipping_address"), Some("resolved"))
    );
    assert!(timeline_events(app, &shop.key, &text(&cases[0]["id"])).await.contains(&"order_amended".to_owned()));

    // An order with the carrier: refused with the reason, in the customer's language; nothing changes.
    let moving = app.create_order(&shop.key, &order("A-3002", "bob@example.com")).await;
    let moving_id = text(&moving["id"]);
    let mut bob = Browser::new(app);
    let page = sign_in(&mut bob, "A-3002", "bob@example.com").await;
    assert!(!page.contains("Change the delivery address"));
    let form = bob.get(&format!("/s/north-wind/orders/{moving_id}/address?lang=pl")).await;
    assert!(form.body.contains("id=\"too-late\""), "{}", form.body);
    assert!(form.body.contains("DHL"), "the reason names the carrier: {}", form.body);
    assert!(form.body.contains("<li>Zwrot produktu i pieniędzy</li>"), "and what can be done instead: {}", form.body);
    let mut fields = new("Marszałkowska 1", "PL");
    let token = form_token(&bob.get(&format!("/s/north-wind/orders/{moving_id}")).await.body);
    fields.push(("form_token", &token));
    fields.push(("confirmed", "yes"));
    let answer = bob.post(&format!("/s/north-wind/orders/{moving_id}/address"), &fields).await;
    assert_eq!(answer.status, StatusCode::CONFLICT);
    assert!(answer.body.contains("przewoźnika"), "{}", answer.body);
    let stored = app.get(&format!("/api/v1/orders/{moving_id}"), &shop.key).await.expect(200);
    assert_eq!(stored["shipping_address"]["city"], "Kraków");
    assert_eq!(app.all_cases(&shop.key, "").await.len(), 1, "no case for the refused change");
}

async fn another_customers_case_is_out_of_reach(app: &TestApp) {
    let shop = app.create_store("north-wind").await;
    app.create_order(&shop.key, &delivered("A-1001", "ana@example.com")).await;
    let theirs = app.create_order(&shop.key, &delivered("B-2002", "bob@example.com")).await;
    let their_order = text(&theirs["id"]);
    let mut bob = Browser::new(app);
    sign_in(&mut bob, "B-2002", "bob@example.com").await;
    let form = bob.get(&format!("/s/north-wind/orders/{their_order}/report?kind=damaged_in_transit")).await;
    let answer = bob
        .post_multipart(
            &format!("/s/north-wind/orders/{their_order}/cases"),
            &[
                ("form_token", &form_token(&form.body)),
                ("kind", "damaged_in_transit"),
                ("qty:MUG-1", "1"),
                ("reason", "Broken"),
            ],
            &[("photos", "mug.png", "image/png", PNG.as_slice())],
        )
        .await;
    let their_case = answer.location.unwrap();
    let page = bob.get(&their_case).await;
    let case_id = their_case.split('/').next_back().unwrap().split('?').next().unwrap().to_owned();
    let photo_at = page.body.find("/photos/").unwrap();
    let photo_id = page.body[photo_at + 8..].split('"').next().unwrap().to_owned();

    let mut ana = Browser::new(app);
    let own = sign_in(&mut ana, "A-1001", "ana@example.com").await;
    let token = form_token(&own);
    assert_eq!(ana.get(&format!("/s/north-wind/cases/{case_id}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(ana.fetch(&format!("/s/north-wind/cases/{case_id}/photos/{photo_id}")).await.0, StatusCode::NOT_FOUND);
    let answer = ana
        .post(&format!("/s/north-wind/cases/{case_id}/remedy"), &[("form_token", &token), ("remedy", "reship")])
        .await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    let answer = ana.post(&format!("/s/north-wind/orders/{their_order}/address"), &[("form_token", &token)]).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    let answer = ana
        .post_multipart(
            &format!("/s/north-wind/orders/{their_order}/cases"),
            &[("form_token", &token), ("kind", "damaged_in_transit"), ("qty:MUG-1", "1"), ("reason", "x")],
            &[],
        )
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    let events = timeline_events(app, &shop.key, &case_id).await;
    assert!(!events.contains(&"remedy_carried_out".to_owned()), "{events:?}");
    assert_eq!(app.all_cases(&shop.key, "").await.len(), 1);
}

/// Before the order ships, a wrong size is changed on the order itself (no return), to a size
/// in stock, through the amendment logic.
async fn a_new_size_before_shipping_amends_the_order(app: &TestApp) {
    let shop = app.create_store("north-wind").await;
    let price = json!({"amount_minor": 1999, "currency": "EUR"});
    let mut body = set(order("A-5001", "ana@example.com"), "/shipments", json!([]));
    body["lines"] = json!([{
        "sku": "TEE-M", "title": "Crew tee", "variant": {"size": "M"}, "quantity": 2, "unit_price": price,
        "other_variants": [
            {"sku": "TEE-L", "variant": {"size": "L"}, "unit_price": price, "in_stock": 5},
            {"sku": "TEE-XL", "variant": {"size": "XL"}, "unit_price": price, "in_stock": 1}
        ]
    }]);
    let created = app.create_order(&shop.key, &body).await;
    let order_id = text(&created["id"]);
    let mut browser = Browser::new(app);
    sign_in(&mut browser, "A-5001", "ana@example.com").await;
    let form = browser.get(&format!("/s/north-wind/orders/{order_id}/report?kind=change_order_items")).await;
    let answer = browser
        .post_multipart(
            &format!("/s/north-wind/orders/{order_id}/cases"),
            &[
                ("form_token", &form_token(&form.body)),
                ("kind", "change_order_items"),
                ("qty:TEE-M", "2"),
                ("reason", "I need L"),
            ],
            &[],
        )
        .await;
    let page = browser.get(answer.location.as_deref().unwrap()).await;
    assert!(page.body.contains("value=\"amend_order\" checked"), "{}", page.body);
    let case_id = answer.location.unwrap().split('/').next_back().unwrap().split('?').next().unwrap().to_owned();
    let remedy = format!("/s/north-wind/cases/{case_id}/remedy");
    let token = form_token(&page.body);
    // One XL left for two shirts: refused, the order unchanged.
    let refused =
        browser.post(&remedy, &[("form_token", &token), ("remedy", "amend_order"), ("swap:TEE-M", "TEE-XL")]).await;
    assert!(refused.location.as_deref().unwrap().ends_with("error=out-of-stock"), "{:?}", refused.location);
    let stored = app.get(&format!("/api/v1/orders/{order_id}"), &shop.key).await.expect(200);
    assert_eq!(stored["lines"][0]["sku"], "TEE-M");

    let done =
        browser.post(&remedy, &[("form_token", &token), ("remedy", "amend_order"), ("swap:TEE-M", "TEE-L")]).await;
    assert!(done.location.as_deref().unwrap().ends_with("?done=1"), "{:?}", done.location);
    let stored = app.get(&format!("/api/v1/orders/{order_id}"), &shop.key).await.expect(200);
    assert_eq!((stored["lines"][0]["sku"].as_str(), stored["lines"][0]["quantity"].as_u64()), (Some("TEE-L"), Some(2)));
    assert!(timeline_events(app, &shop.key, &case_id).await.contains(&"order_amended".to_owned()));
    let page = browser.get(done.location.as_deref().unwrap()).await;
    assert!(page.body.contains("Order changed: 2 × Crew tee [size L] (TEE-L)"), "{}", page.body);
}

/// Lines given when a case is opened are checked against the order and kept; decisions and
/// remedies default to them, over the API as in the portal.
async fn cases_keep_the_lines_they_were_opened_about(app: &TestApp) {
    let shop = app.create_store("north-wind").await;
    let created = app.create_order(&shop.key, &delivered("A-4001", "ana@example.com")).await;
    let order_id = text(&created["id"]);
    let mut body = crate::fixtures::case_on_order(&order_id, "Broken mug");
    body["kind"] = json!("damaged_in_transit");
    for (lines, field) in [
        (json!([{"sku": "SOCK-3", "quantity": 1}]), "lines[0].sku"),
        (json!([{"sku": "MUG-1", "quantity": 3}]), "lines[0].quantity"),
    ] {
        body["lines"] = lines;
        app.post("/api/v1/cases", &shop.key, &body).await.error(400, "invalid_field", Some(field));
    }
    assert!(app.all_cases(&shop.key, "").await.is_empty());
    body["lines"] = json!([{"sku": "MUG-1", "quantity": 1}]);
    let view = app.open_case(&shop.key, &body).await;
    let case_id = text(&view["case"]["id"]);
    let options = app.get(&format!("/api/v1/cases/{case_id}/options"), &shop.key).await.expect(200);
    assert_eq!(options["amounts"]["goods"]["amount_minor"], 1250, "one mug, not the order");
    let whole = app.get(&format!("/api/v1/cases/{case_id}/options?lines=MUG-1:2,TEA-9:1"), &shop.key).await.expect(200);
    assert_eq!(whole["amounts"]["goods"]["amount_minor"], 3300);
    let without_order =
        set(crate::fixtures::case_without_order("Hello"), "/lines", json!([{"sku": "MUG-1", "quantity": 1}]));
    app.post("/api/v1/cases", &shop.key, &without_order).await.error(400, "invalid_field", Some("lines"));
}

on_both_backends!(
    a_new_size_before_shipping_amends_the_order,
    cases_keep_the_lines_they_were_opened_about,
    damaged_item_reported_with_a_photo_and_replaced,
    bad_reports_change_nothing,
    an_exchange_offers_sizes_with_stock_and_gives_return_instructions,
    the_address_changes_before_shipping_and_not_after,
    another_customers_case_is_out_of_reach,
);
