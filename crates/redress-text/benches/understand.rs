//! Throughput and latency of `understand()` and of the entity extractor.
//!
//! `cargo bench -p redress-text --bench understand`. Divan reports the time per call; messages
//! per second on one core is 1 / that time (the `messages` counter shows it directly).

use divan::counter::ItemsCount;
use redress_text::Understanding;

fn main() {
    divan::main();
}

const MESSAGES: &[(&str, &str)] = &[
    (
        "en",
        "Hi, my order #10482 arrived yesterday but the vase was completely smashed. I paid $59.98, can I get a replacement?",
    ),
    ("es", "Hola, me cobraron dos veces el pedido 558211, 1.299,50 € cada uno. Necesito que me devuelvan uno urgente."),
    ("pt", "Oi, comprei um tênis tamanho 42 preto e veio 40 branco. Quero trocar, o pedido é 77812."),
    ("pl", "Dzień dobry, paczka nie dotarła, numer przesyłki 00340434161094012345. Piszę już trzeci raz!"),
    ("id", "Kak, saya sudah bayar Rp 150.000 tapi status pesanan masih belum dibayar. Tolong dicek ya"),
    ("en", "where is my refund??"),
    ("es", "quiero cancelar mi pedido"),
    ("en", "Thanks a lot, the package arrived and everything is perfect!"),
];

#[divan::bench]
fn understand_one_message(bencher: divan::Bencher) {
    let model = Understanding::shipped();
    let mut i = 0;
    bencher.counter(ItemsCount::new(1usize)).bench_local(|| {
        let (_, text) = MESSAGES[i % MESSAGES.len()];
        i += 1;
        divan::black_box(model.understand(divan::black_box(text), None))
    });
}

#[divan::bench]
fn understand_batch_of_eight(bencher: divan::Bencher) {
    let model = Understanding::shipped();
    bencher.counter(ItemsCount::new(MESSAGES.len())).bench_local(|| {
        for (_, text) in MESSAGES {
            divan::black_box(model.understand(divan::black_box(text), None));
        }
    });
}

#[divan::bench]
fn entities_only(bencher: divan::Bencher) {
    bencher.counter(ItemsCount::new(MESSAGES.len())).bench_local(|| {
        for (lang, text) in MESSAGES {
            divan::black_box(redress_text::entities::extract(divan::black_box(text), Some(lang)));
        }
    });
}

#[divan::bench]
fn load_model(bencher: divan::Bencher) {
    bencher.bench_local(|| divan::black_box(Understanding::load_shipped().is_ok()));
}

/// Messages of 500 bytes (typical email length), in the five languages.
fn messages_of_500_bytes() -> Vec<String> {
    (0..MESSAGES.len())
        .map(|start| {
            let mut text = String::new();
            for (_, t) in MESSAGES.iter().cycle().skip(start) {
                if text.len() >= 500 {
                    break;
                }
                text.push_str(t);
                text.push(' ');
            }
            redress_text::text::cap(&text, 500).0.to_owned()
        })
        .collect()
}

#[divan::bench]
fn understand_500_byte_messages(bencher: divan::Bencher) {
    let model = Understanding::shipped();
    let messages = messages_of_500_bytes();
    bencher.counter(ItemsCount::new(messages.len())).bench_local(|| {
        for text in &messages {
            divan::black_box(model.understand(divan::black_box(text), None));
        }
    });
}

#[divan::bench]
fn understand_8kb_message(bencher: divan::Bencher) {
    let model = Understanding::shipped();
    let long: String = MESSAGES.iter().map(|(_, t)| *t).cycle().take(60).collect::<Vec<_>>().join(" ");
    bencher.bench_local(|| divan::black_box(model.understand(divan::black_box(&long), None)));
}
