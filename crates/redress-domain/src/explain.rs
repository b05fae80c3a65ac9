//! The words behind every rule: a small message catalogue from a rule id, a language and the
//! rule's parameters to a sentence a customer understands.
//!
//! English, Spanish, Portuguese, Polish and Indonesian are written out; any other language
//! falls back to English. Parameters are written into `{name}` slots; amounts and dates are
//! formatted by the caller, so the catalogue stays a table of sentences.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::policy::ItemCondition;
use crate::taxonomy::{UnknownId, vocabulary};

vocabulary!(
    /// A rule of the resolution engine; every decision lists the ones that produced it.
    RuleId {
        /// Nothing has left the warehouse: the order is changed in place.
        AmendBeforeShipping => "amend_before_shipping",
        /// Packed, and the policy only amends before packing.
        PackedNoAmendment => "packed_no_amendment",
        /// The carrier has the parcel: no amendment, alternatives instead.
        WithCarrierNoAmendment => "with_carrier_no_amendment",
        /// The order was delivered: no amendment, alternatives instead.
        DeliveredNoAmendment => "delivered_no_amendment",
        /// The carrier can stop the parcel and bring it back.
        CarrierIntercept => "carrier_intercept",
        /// Inside the return window.
        WithinWindow => "within_window",
        /// Outside the return window.
        OutsideWindow => "outside_window",
        /// Not delivered yet, so nothing to return.
        NotDeliveredYet => "not_delivered_yet",
        /// A final-sale line.
        FinalSale => "final_sale",
        /// A hygiene line.
        HygieneItem => "hygiene_item",
        /// A made-to-order line.
        MadeToOrder => "made_to_order",
        /// The condition a change-of-mind return must meet.
        ConditionRequired => "condition_required",
        /// The customer pays the return label.
        ReturnShippingCharged => "return_shipping_charged",
        /// The shop pays the return label.
        ReturnShippingFree => "return_shipping_free",
        /// A restocking fee is kept.
        RestockingFee => "restocking_fee",
        /// Store credit comes with a bonus.
        StoreCreditBonus => "store_credit_bonus",
        /// Low value: keep the item.
        KeepItemLowValue => "keep_item_low_value",
        /// The label costs more than the item: keep it.
        KeepItemLabelCostsMore => "keep_item_label_costs_more",
        /// Photos are needed before money moves.
        PhotosRequired => "photos_required",
        /// The amount is above the automatic approval limit.
        ApprovalAmount => "approval_amount",
        /// The customer's recent cases call for a person.
        ApprovalHistory => "approval_history",
        /// The customer reached a per-customer limit.
        CustomerLimit => "customer_limit",
        /// Not the customer's fault: they pay nothing.
        NotCustomersFault => "not_customers_fault",
        /// Goodwill compensation is offered.
        Compensation => "compensation",
        /// The parcel is on its way.
        ParcelInTransit => "parcel_in_transit",
        /// The carrier lost the parcel.
        ParcelLost => "parcel_lost",
        /// Marked delivered but not received: the carrier investigates.
        DeliveredNotReceived => "delivered_not_received",
        /// More was captured than the order costs.
        DuplicateCharge => "duplicate_charge",
        /// No overcharge could be found in the payments.
        NoOvercharge => "no_overcharge",
        /// No order is linked to the case.
        NoOrder => "no_order",
        /// A question: answered with facts.
        Information => "information",
        /// The first available option in the shop's order of preference.
        PreferredOption => "preferred_option",
        /// A person takes it from here.
        PersonDecides => "person_decides",
        /// Billing details can be corrected at any time.
        BillingCorrection => "billing_correction",
        /// The order was cancelled.
        OrderCancelled => "order_cancelled",
        /// Some units already had a remedy and are left out.
        AlreadyGiven => "already_given",
        /// The case already had goodwill compensation.
        CompensationGiven => "compensation_given",
    }
);

/// Sentences per rule, in the order en, es, pt, pl, id.
fn templates(rule: RuleId) -> [&'static str; 5] {
    use RuleId::*;
    match rule {
        AmendBeforeShipping => [
            "Your order has not left our warehouse yet, so we can change it directly.",
            "Tu pedido aún no ha salido de nuestro almacén, así que podemos cambiarlo directamente.",
            "O seu pedido ainda não saiu do nosso armazém, por isso podemos alterá-lo diretamente.",
            "Twoje zamówienie nie opuściło jeszcze magazynu, więc możemy je od razu zmienić.",
            "Pesanan Anda belum keluar dari gudang kami, jadi kami bisa langsung mengubahnya.",
        ],
        PackedNoAmendment => [
            "Your order is already packed, and this shop changes orders only before packing.",
            "Tu pedido ya está empaquetado y esta tienda solo modifica pedidos antes de empaquetarlos.",
            "O seu pedido já está embalado e esta loja só altera pedidos antes da embalagem.",
            "Twoje zamówienie jest już spakowane, a sklep zmienia zamówienia tylko przed pakowaniem.",
            "Pesanan Anda sudah dikemas, dan toko ini hanya mengubah pesanan sebelum dikemas.",
        ],
        WithCarrierNoAmendment => [
            "The parcel is already with {carrier}, so the order can no longer be changed; we offer the alternatives below.",
            "El paquete ya está con {carrier}, así que el pedido ya no se puede cambiar; te ofrecemos las alternativas de abajo.",
            "A encomenda já está com a {carrier}, por isso o pedido já não pode ser alterado; oferecemos as alternativas abaixo.",
            "Paczka jest już u przewoźnika {carrier}, więc zamówienia nie można zmienić; proponujemy poniższe rozwiązania.",
            "Paket sudah berada di {carrier}, jadi pesanan tidak bisa diubah lagi; kami menawarkan alternatif di bawah ini.",
        ],
        DeliveredNoAmendment => [
            "Your order has already been delivered, so it can no longer be changed; we offer the alternatives below.",
            "Tu pedido ya se entregó, así que ya no se puede cambiar; te ofrecemos las alternativas de abajo.",
            "O seu pedido já foi entregue, por isso já não pode ser alterado; oferecemos as alternativas abaixo.",
            "Twoje zamówienie zostało już doręczone, więc nie można go zmienić; proponujemy poniższe rozwiązania.",
            "Pesanan Anda sudah diterima, jadi tidak bisa diubah lagi; kami menawarkan alternatif di bawah ini.",
        ],
        CarrierIntercept => [
            "{carrier} can stop the parcel and bring it back to us.",
            "{carrier} puede detener el paquete y devolvérnoslo.",
            "A {carrier} pode parar a encomenda e devolvê-la a nós.",
            "{carrier} może zatrzymać paczkę i odesłać ją do nas.",
            "{carrier} dapat menghentikan paket dan mengembalikannya kepada kami.",
        ],
        WithinWindow => [
            "You are within the {days}-day return window, which ends on {deadline}.",
            "Estás dentro del plazo de devolución de {days} días, que termina el {deadline}.",
            "Está dentro do prazo de devolução de {days} dias, que termina em {deadline}.",
            "Mieścisz się w {days}-dniowym terminie zwrotu, który mija {deadline}.",
            "Anda masih dalam masa pengembalian {days} hari, yang berakhir pada {deadline}.",
        ],
        OutsideWindow => [
            "The {days}-day return window ended on {deadline}, so a return for a change of mind is no longer possible.",
            "El plazo de devolución de {days} días terminó el {deadline}, así que ya no es posible devolverlo por cambio de opinión.",
            "O prazo de devolução de {days} dias terminou em {deadline}, por isso já não é possível devolver por mudança de ideia.",
            "{days}-dniowy termin zwrotu minął {deadline}, więc zwrot bez podania przyczyny nie jest już możliwy.",
            "Masa pengembalian {days} hari telah berakhir pada {deadline}, jadi pengembalian karena berubah pikiran tidak lagi bisa dilakukan.",
        ],
        NotDeliveredYet => [
            "The order has not been delivered yet; a return can start once it arrives.",
            "El pedido aún no se ha entregado; la devolución puede empezar cuando llegue.",
            "O pedido ainda não foi entregue; a devolução pode começar quando chegar.",
            "Zamówienie nie zostało jeszcze doręczone; zwrot można zacząć po jego otrzymaniu.",
            "Pesanan belum diterima; pengembalian bisa dimulai setelah pesanan tiba.",
        ],
        FinalSale => [
            "{title} was sold as final sale and cannot be returned for a change of mind.",
            "{title} se vendió como venta final y no se puede devolver por cambio de opinión.",
            "{title} foi vendido como venda final e não pode ser devolvido por mudança de ideia.",
            "{title} sprzedano jako wyprzedaż końcową i nie podlega zwrotowi bez wady.",
            "{title} dijual sebagai barang obral final dan tidak dapat dikembalikan karena berubah pikiran.",
        ],
        HygieneItem => [
            "{title} is a hygiene item and cannot be returned once opened.",
            "{title} es un artículo de higiene y no se puede devolver una vez abierto.",
            "{title} é um artigo de higiene e não pode ser devolvido depois de aberto.",
            "{title} to artykuł higieniczny i po otwarciu nie podlega zwrotowi.",
            "{title} adalah barang kebersihan dan tidak dapat dikembalikan setelah dibuka.",
        ],
        MadeToOrder => [
            "{title} was made to order for you and cannot be returned for a change of mind.",
            "{title} se hizo por encargo para ti y no se puede devolver por cambio de opinión.",
            "{title} foi feito por encomenda para si e não pode ser devolvido por mudança de ideia.",
            "{title} wykonano na Twoje zamówienie i nie podlega zwrotowi bez wady.",
            "{title} dibuat khusus untuk Anda dan tidak dapat dikembalikan karena berubah pikiran.",
        ],
        ConditionRequired => [
            "Items must come back {conditions}.",
            "Los artículos deben devolverse {conditions}.",
            "Os artigos devem ser devolvidos {conditions}.",
            "Zwracane produkty muszą być {conditions}.",
            "Barang harus dikembalikan dalam keadaan {conditions}.",
        ],
        ReturnShippingCharged => [
            "The return label costs {amount}, which is taken from your refund.",
            "La etiqueta de devolución cuesta {amount}, que se descuenta de tu reembolso.",
            "A etiqueta de devolução custa {amount}, que é descontado do seu reembolso.",
            "Etykieta zwrotna kosztuje {amount} i jest odliczana od zwrotu pieniędzy.",
            "Label pengembalian seharga {amount} dipotong dari pengembalian dana Anda.",
        ],
        ReturnShippingFree => [
            "Return shipping is free for you.",
            "La devolución no te cuesta nada.",
            "O envio da devolução é gratuito para si.",
            "Odesłanie jest dla Ciebie bezpłatne.",
            "Pengiriman pengembalian gratis untuk Anda.",
        ],
        RestockingFee => [
            "A restocking fee of {percent}% ({amount}) is kept from the refund.",
            "Se retiene una tarifa de reposición del {percent}% ({amount}) del reembolso.",
            "É retida do reembolso uma taxa de reposição de {percent}% ({amount}).",
            "Z kwoty zwrotu potrącamy opłatę manipulacyjną {percent}% ({amount}).",
            "Biaya restocking {percent}% ({amount}) dipotong dari pengembalian dana.",
        ],
        StoreCreditBonus => [
            "Choose store credit and get {percent}% more: {amount} to spend in the shop.",
            "Elige saldo en la tienda y recibe un {percent}% más: {amount} para gastar.",
            "Escolha crédito na loja e receba mais {percent}%: {amount} para gastar.",
            "Wybierz środki w sklepie, a dostaniesz {percent}% więcej: {amount} do wydania.",
            "Pilih kredit toko dan dapatkan {percent}% lebih banyak: {amount} untuk berbelanja.",
        ],
        KeepItemLowValue => [
            "There is no need to send it back: keep it, and we refund you.",
            "No hace falta devolverlo: quédatelo y te hacemos el reembolso.",
            "Não é preciso devolver: fique com ele e nós reembolsamos.",
            "Nie musisz go odsyłać: zatrzymaj go, a my zwrócimy pieniądze.",
            "Tidak perlu dikirim kembali: simpan saja, dan kami mengembalikan dana Anda.",
        ],
        KeepItemLabelCostsMore => [
            "Sending it back would cost more ({amount}) than it is worth, so keep it.",
            "Devolverlo costaría más ({amount}) de lo que vale, así que quédatelo.",
            "Devolvê-lo custaria mais ({amount}) do que vale, por isso fique com ele.",
            "Odesłanie kosztowałoby więcej ({amount}) niż jest wart, więc zatrzymaj go.",
            "Mengirimnya kembali akan lebih mahal ({amount}) daripada nilainya, jadi simpan saja.",
        ],
        PhotosRequired => [
            "Please send photos of the item and its packaging so we can settle this.",
            "Envíanos fotos del artículo y del embalaje para poder resolverlo.",
            "Envie-nos fotos do artigo e da embalagem para podermos resolver.",
            "Prześlij zdjęcia produktu i opakowania, abyśmy mogli to załatwić.",
            "Mohon kirim foto barang dan kemasannya agar kami dapat menyelesaikannya.",
        ],
        ApprovalAmount => [
            "A refund of {amount} is checked by a team member first (automatic up to {limit}).",
            "Un reembolso de {amount} lo revisa primero alguien del equipo (automático hasta {limit}).",
            "Um reembolso de {amount} é primeiro verificado por alguém da equipa (automático até {limit}).",
            "Zwrot {amount} najpierw sprawdza ktoś z zespołu (automatycznie do {limit}).",
            "Pengembalian dana {amount} diperiksa dulu oleh tim kami (otomatis hingga {limit}).",
        ],
        ApprovalHistory => [
            "A team member will look at this request personally.",
            "Una persona del equipo revisará esta solicitud personalmente.",
            "Uma pessoa da equipa vai analisar este pedido pessoalmente.",
            "Osoba z zespołu osobiście zajmie się tą prośbą.",
            "Anggota tim kami akan memeriksa permintaan ini secara langsung.",
        ],
        CustomerLimit => [
            "This account has reached the limit of {limit} for this kind of request, so a team member decides.",
            "Esta cuenta ha alcanzado el límite de {limit} para este tipo de solicitud, así que decide una persona del equipo.",
            "Esta conta atingiu o limite de {limit} para este tipo de pedido, por isso decide uma pessoa da equipa.",
            "To konto osiągnęło limit {limit} takich próśb, więc decyzję podejmie osoba z zespołu.",
            "Akun ini telah mencapai batas {limit} untuk jenis permintaan ini, jadi tim kami yang memutuskan.",
        ],
        NotCustomersFault => [
            "This was not your fault, so putting it right costs you nothing.",
            "No fue culpa tuya, así que solucionarlo no te cuesta nada.",
            "Não foi culpa sua, por isso resolver não lhe custa nada.",
            "To nie Twoja wina, więc naprawienie tego nic Cię nie kosztuje.",
            "Ini bukan kesalahan Anda, jadi perbaikannya tidak dikenai biaya.",
        ],
        Compensation => [
            "To apologise, we add a voucher of {amount}.",
            "Para disculparnos, añadimos un cupón de {amount}.",
            "Para pedir desculpa, juntamos um vale de {amount}.",
            "W ramach przeprosin dodajemy kupon o wartości {amount}.",
            "Sebagai permintaan maaf, kami menambahkan voucher senilai {amount}.",
        ],
        ParcelInTransit => [
            "The parcel is on its way with {carrier}; tracking number {tracking}.",
            "El paquete está en camino con {carrier}; número de seguimiento {tracking}.",
            "A encomenda está a caminho com a {carrier}; número de seguimento {tracking}.",
            "Paczka jest w drodze z {carrier}; numer przesyłki {tracking}.",
            "Paket sedang dalam perjalanan bersama {carrier}; nomor resi {tracking}.",
        ],
        ParcelLost => [
            "{carrier} has lost the parcel: we send a new one or refund you.",
            "{carrier} ha perdido el paquete: te enviamos otro o te devolvemos el dinero.",
            "A {carrier} perdeu a encomenda: enviamos outra ou reembolsamos.",
            "{carrier} zgubił paczkę: wyślemy nową albo zwrócimy pieniądze.",
            "{carrier} kehilangan paket: kami mengirim yang baru atau mengembalikan dana Anda.",
        ],
        DeliveredNotReceived => [
            "{carrier} marked the parcel as delivered; we ask them to investigate where it went.",
            "{carrier} marcó el paquete como entregado; le pedimos que investigue dónde está.",
            "A {carrier} marcou a encomenda como entregue; pedimos que investigue onde está.",
            "{carrier} oznaczył paczkę jako doręczoną; prosimy o wyjaśnienie, gdzie trafiła.",
            "{carrier} menandai paket sudah terkirim; kami meminta mereka menyelidiki keberadaannya.",
        ],
        DuplicateCharge => [
            "You paid {captured} for an order of {total}; we refund the difference of {amount}.",
            "Pagaste {captured} por un pedido de {total}; te devolvemos la diferencia de {amount}.",
            "Pagou {captured} por um pedido de {total}; reembolsamos a diferença de {amount}.",
            "Zapłacono {captured} za zamówienie o wartości {total}; zwracamy różnicę {amount}.",
            "Anda membayar {captured} untuk pesanan senilai {total}; kami mengembalikan selisih {amount}.",
        ],
        NoOvercharge => [
            "Our records show one payment of {captured} for this order; a team member will check with the payment provider.",
            "Nuestros registros muestran un pago de {captured} para este pedido; alguien del equipo lo comprobará con el proveedor de pago.",
            "Os nossos registos mostram um pagamento de {captured} para este pedido; alguém da equipa vai verificar com o fornecedor de pagamento.",
            "Nasze dane pokazują jedną płatność {captured} za to zamówienie; ktoś z zespołu sprawdzi to u operatora płatności.",
            "Catatan kami menunjukkan satu pembayaran {captured} untuk pesanan ini; tim kami akan memeriksanya dengan penyedia pembayaran.",
        ],
        NoOrder => [
            "We could not link an order to this request, so a team member will help.",
            "No pudimos vincular un pedido a esta solicitud, así que te ayudará una persona del equipo.",
            "Não conseguimos associar um pedido a este pedido de ajuda, por isso uma pessoa da equipa vai ajudar.",
            "Nie udało się powiązać zamówienia z tą prośbą, więc pomoże osoba z zespołu.",
            "Kami tidak dapat menemukan pesanan untuk permintaan ini, jadi tim kami akan membantu.",
        ],
        Information => [
            "We answer with the facts of your order and our help articles.",
            "Te respondemos con los datos de tu pedido y nuestros artículos de ayuda.",
            "Respondemos com os dados do seu pedido e os nossos artigos de ajuda.",
            "Odpowiadamy, podając dane zamówienia i nasze artykuły pomocy.",
            "Kami menjawab dengan data pesanan Anda dan artikel bantuan kami.",
        ],
        PreferredOption => [
            "The first option is the one the shop recommends for this kind of problem.",
            "La primera opción es la que la tienda recomienda para este tipo de problema.",
            "A primeira opção é a que a loja recomenda para este tipo de problema.",
            "Pierwsza opcja to ta, którą sklep poleca przy tego rodzaju problemie.",
            "Opsi pertama adalah yang direkomendasikan toko untuk masalah seperti ini.",
        ],
        PersonDecides => [
            "No automatic option fits, so a team member takes it from here.",
            "Ninguna opción automática encaja, así que una persona del equipo se encarga.",
            "Nenhuma opção automática se aplica, por isso uma pessoa da equipa trata do assunto.",
            "Żadna automatyczna opcja nie pasuje, więc sprawą zajmie się osoba z zespołu.",
            "Tidak ada opsi otomatis yang sesuai, jadi tim kami yang akan menanganinya.",
        ],
        OrderCancelled => [
            "This order was cancelled on {date}: nothing more is sent or charged for it.",
            "Este pedido se canceló el {date}: no se envía ni se cobra nada más por él.",
            "Este pedido foi cancelado em {date}: nada mais é enviado nem cobrado por ele.",
            "To zamówienie anulowano {date}: nic więcej nie zostanie wysłane ani pobrane.",
            "Pesanan ini dibatalkan pada {date}: tidak ada lagi yang dikirim atau ditagih.",
        ],
        AlreadyGiven => [
            "Some of these items already had a refund, a replacement or a return, so they are left out.",
            "Algunos de estos artículos ya tuvieron un reembolso, un reemplazo o una devolución, así que no se incluyen.",
            "Alguns destes artigos já tiveram um reembolso, uma substituição ou uma devolução, por isso ficam de fora.",
            "Część tych produktów została już zwrócona, wymieniona lub zrefundowana, więc je pomijamy.",
            "Sebagian barang ini sudah mendapat pengembalian dana, penggantian, atau retur, jadi tidak disertakan.",
        ],
        CompensationGiven => [
            "A goodwill voucher was already given for this problem.",
            "Ya te dimos un vale de cortesía por este problema.",
            "Já lhe demos um vale de cortesia por este problema.",
            "Za ten problem przyznaliśmy już bon w ramach rekompensaty.",
            "Voucher kompensasi untuk masalah ini sudah diberikan.",
        ],
        BillingCorrection => [
            "Billing details can be corrected at any time; we issue a corrected invoice.",
            "Los datos de facturación se pueden corregir en cualquier momento; emitimos una factura corregida.",
            "Os dados de faturação podem ser corrigidos a qualquer momento; emitimos uma fatura corrigida.",
            "Dane do faktury można poprawić w każdej chwili; wystawimy fakturę korygującą.",
            "Data penagihan dapat diperbaiki kapan saja; kami menerbitkan faktur yang sudah dikoreksi.",
        ],
    }
}

/// The languages written out, in the catalogue's column order.
pub const LANGUAGES: [&str; 5] = ["en", "es", "pt", "pl", "id"];

fn column(language: &str) -> usize {
    let primary = language.split('-').next().unwrap_or(language).to_ascii_lowercase();
    LANGUAGES.iter().position(|l| *l == primary).unwrap_or(0)
}

/// The sentence for `rule` in `language` (a BCP 47 tag; English when not covered), with the
/// `{name}` slots filled from `params`. A slot without a parameter is left as written, which
/// tests catch.
pub fn explain(rule: RuleId, language: &str, params: &BTreeMap<String, String>) -> String {
    let mut text = templates(rule)[column(language)].to_owned();
    for (name, value) in params {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

/// A return condition in words, for the `{conditions}` slot.
pub fn condition_words(condition: ItemCondition, language: &str) -> &'static str {
    let words: [&str; 5] = match condition {
        ItemCondition::Unused => ["unused", "sin usar", "sem uso", "nieużywane", "belum dipakai"],
        ItemCondition::TagsOn => {
            ["with tags on", "con etiquetas", "com etiquetas", "z metkami", "dengan label terpasang"]
        }
        ItemCondition::OriginalPackaging => [
            "in the original packaging",
            "en su embalaje original",
            "na embalagem original",
            "w oryginalnym opakowaniu",
            "dalam kemasan asli",
        ],
    };
    words[column(language)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_is_written_in_every_language_with_the_same_slots() {
        for rule in RuleId::ALL {
            let texts = templates(*rule);
            let slots = |t: &str| {
                let mut s: Vec<String> =
                    t.split('{').skip(1).filter_map(|p| p.split_once('}').map(|(n, _)| n.to_owned())).collect();
                s.sort();
                s
            };
            for text in &texts {
                assert!(!text.trim().is_empty(), "{rule}");
                assert_eq!(slots(text), slots(texts[0]), "{rule}: every language fills the same slots");
            }
            let english: std::collections::BTreeSet<&str> = texts.iter().copied().collect();
            assert_eq!(english.len(), 5, "{rule}: a language repeats another's text");
        }
    }

    #[test]
    fn fills_slots_and_falls_back_to_english() {
        let params = BTreeMap::from([("carrier".to_owned(), "InPost".to_owned())]);
        assert_eq!(
            explain(RuleId::CarrierIntercept, "pl", &params),
            "InPost może zatrzymać paczkę i odesłać ją do nas."
        );
        assert_eq!(
            explain(RuleId::CarrierIntercept, "pt-BR", &params),
            "A InPost pode parar a encomenda e devolvê-la a nós."
        );
        assert_eq!(
            explain(RuleId::CarrierIntercept, "de", &params),
            "InPost can stop the parcel and bring it back to us."
        );
    }
}
