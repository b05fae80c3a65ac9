"""More inbox-style kind templates for gen_inbox.py, per language (written for this project):
the near-miss pairs (a late parcel vs a lost one, charged after cancelling vs cancelling, where
is my refund vs how refunds work, a question before buying vs a request), slangy and
roundabout phrasings ("my stuff", "call it off", "where it gets delivered"), and claims that
quote the listing. Same format as the KINDS of inbox_en.py."""

KINDS = {
    "en": {
        "cancel_order": [
            "Can I call off the order? Still says processing.",
            "Please stop my order before it leaves the warehouse, I don't want it anymore.",
            "Scrap the order I made earlier, I'll buy it later when it's on sale.",
            "Will I be charged if I cancel now? If not, please cancel {ord}.",
        ],
        "change_shipping_address": [
            "I've moved, so the parcel needs to go to my new flat instead, can you change it?",
            "I need it delivered somewhere else, my new place is 9 Rose Lane. Not shipped yet I hope.",
            "Could the courier bring it to my work instead of home? Address to follow.",
        ],
        "order_status": [
            "are my things on the way yet? ordered {date}",
            "Has my package left your warehouse? Just want an idea of when it comes.",
            "When can I expect the {item}? No rush, just planning.",
            "The parcel is a few days late but tracking still moves, should I just wait?",
            "Tracking shows it's at the local depot since yesterday, will it come today?",
        ],
        "not_received": [
            "!The delivery window passed two weeks ago and tracking stopped completely, I think it's lost.",
            "!Courier says it was delivered to a parcel locker but I never got a code and it isn't there.",
            "!Marked as delivered and signed for by someone I don't know. I never received it.",
        ],
        "not_as_described": [
            "!The 'solid oak' shelf is clearly laminate over particle board.",
            "!Advertised as stainless steel, it's already rusting. Not what the listing said.",
            "!The listing says 64GB, the phone has 32GB.",
            "!Photos show a thick wool blanket, I got a thin fleece one.",
        ],
        "defective_item": [
            "!The kettle trips the fuse every time I switch it on, seems faulty.",
            "!The fan makes a burning smell after a minute, that's dangerous.",
            "!Screen has dead pixels out of the box.",
        ],
        "missing_item": [
            "!The power adapter wasn't in the box, everything else was.",
            "!Only one shoe in the box?? Where's the other one?",
            "!The screws and instructions were missing from the furniture kit.",
        ],
        "wrong_item_received": [
            "!This parcel has someone else's order inside, not mine.",
            "!Wrong flavour sent, I ordered vanilla and got chocolate.",
        ],
        "return_policy_question": [
            "Thinking of ordering boots but I'm between sizes, if they're too big can I swap them later?",
            "What happens if it doesn't fit, can I exchange it or only return it?",
            "After a return, is it a refund to my card or a voucher?",
            "Can swimwear be returned if the hygiene sticker is still on?",
            "Is there a deadline for returns once the parcel has arrived?",
        ],
        "return_request": [
            "I'd like to send the air fryer back, turns out I barely use it.",
            "Returning the boots, please refund me. They're unworn.",
        ],
        "exchange_request": [
            "The jacket I got is a bit small, could you send an L and I'll send this one back?",
            "Can I swap it for the same one in black? Happy to send this back first.",
        ],
        "refund_status": [
            "Your return label said refund within 5 days, it's been 12. Where is my money?",
            "I cancelled the order myself on Monday, when does the money come back?",
        ],
        "wrong_charge": [
            "!There's an extra charge on my card I never agreed to.",
            "!I was charged the full price, not the sale price that was shown.",
            "!My order was cancelled but the payment still went through. Please refund it.",
        ],
        "store_unavailable": [
            "!Pressing the pay button just shows an error page.",
            "!Your discount code page crashes and I can't check out.",
        ],
        "phishing_report": [
            "Someone on the phone said they were from your shop and wanted my login code.",
        ],
        "other": [
            "Do you deliver on Saturday afternoons?",
            "Can you order me a taxi for 8?",
            "Do I get points for buying?",
            "What's the weather like in Lisbon this week?",
        ],
    },
    "es": {
        "cancel_order": [
            "¿Puedo anular la compra? Sigue en 'procesando'.",
            "Paren mi pedido antes de que salga del almacén, ya no lo quiero.",
            "Hice la compra hace un rato y me arrepentí, ¿la pueden frenar antes del envío?",
            "¿Me cobran algo si cancelo ahora? Si no, cancelen {ord} porfa.",
        ],
        "change_shipping_address": [
            "Me he mudado, el paquete tiene que ir al piso nuevo, ¿lo cambiáis?",
            "Necesito que lo entreguen en otro sitio, mi casa nueva es Calle Olmo 9. Aún no sale, ¿no?",
        ],
        "order_status": [
            "¿mis cosas ya van de camino? pedí el {date}",
            "¿Mi paquete ya salió del almacén? Solo quiero saber más o menos cuándo llega.",
            "¿Para cuándo me llega el {item}? Sin prisa, es para organizarme.",
            "El paquete va unos días tarde pero el seguimiento se mueve, ¿espero?",
        ],
        "not_received": [
            "!La fecha de entrega pasó hace dos semanas y el seguimiento se paró del todo, creo que se perdió.",
            "!Dice entregado en un locker pero nunca me llegó el código y no está ahí.",
        ],
        "not_as_described": [
            "!La estantería 'de roble macizo' es aglomerado con chapa.",
            "!Decía acero inoxidable y ya se está oxidando. No es lo que ponía el anuncio.",
            "!El anuncio dice 64 GB y el móvil tiene 32.",
        ],
        "defective_item": [
            "!El ventilador huele a quemado al minuto, es peligroso.",
            "!La pantalla vino con píxeles muertos.",
        ],
        "missing_item": [
            "!El adaptador de corriente no venía en la caja, lo demás sí.",
            "!¿Solo un zapato en la caja? ¿Y el otro?",
        ],
        "wrong_item_received": [
            "!En el paquete venía el pedido de otra persona, no el mío.",
        ],
        "return_policy_question": [
            "Estoy entre dos tallas de botas, si me quedan grandes ¿luego las puedo cambiar?",
            "Cuando devuelvo algo, ¿el reembolso va a la tarjeta o es un vale?",
            "¿Hasta cuántos días después de recibirlo puedo devolverlo?",
        ],
        "return_request": [
            "Quiero devolver la freidora, al final no la uso.",
            "Devuelvo las botas, sin usar, reembólsenme porfa.",
        ],
        "refund_status": [
            "Cancelé yo el pedido el lunes, ¿cuándo me vuelve el dinero?",
        ],
        "wrong_charge": [
            "!Tengo un cargo extra en la tarjeta que nunca autoricé.",
            "!Me cobraron el precio completo y no el de oferta que salía.",
        ],
        "store_unavailable": [
            "!Al pagar me salta una página de error y no avanza.",
        ],
        "phishing_report": [
            "Me llamó alguien diciendo que era de su tienda y me pidió el código del SMS. ¿Son ustedes?",
        ],
        "other": [
            "¿Entregan también los sábados por la tarde?",
            "¿Me pides un taxi para las ocho?",
            "¿Dan puntos por comprar?",
        ],
    },
    "pt": {
        "cancel_order": [
            "Dá pra desistir da compra? Ainda tá 'processando'.",
            "Segurem meu pedido antes de sair do depósito, não quero mais.",
            "Comprei há pouco e me arrependi, conseguem segurar antes do envio?",
            "Se eu cancelar agora sou cobrado? Se não, cancelem o {ord}.",
        ],
        "change_shipping_address": [
            "Mudei de casa, o pacote tem que ir pro apê novo, vocês alteram?",
            "Preciso que entreguem noutro sítio, a minha casa nova é na Rua do Olmo 9.",
        ],
        "order_status": [
            "minhas coisas já tão a caminho? pedi dia {date}",
            "Meu pacote já saiu do depósito? Só quero ter uma ideia de quando chega.",
            "Pra quando chega o {item}? Sem pressa, só pra me organizar.",
            "O pacote tá uns dias atrasado mas o rastreio anda, espero?",
        ],
        "not_received": [
            "!A data de entrega passou há duas semanas e o rastreio parou de vez, acho que extraviou.",
            "!Diz entregue no armário mas nunca recebi o código e não está lá.",
        ],
        "not_as_described": [
            "!A estante 'de carvalho maciço' é aglomerado com película.",
            "!Dizia aço inox e já está enferrujando. Não é o que o anúncio dizia.",
            "!O anúncio diz 64 GB e o celular tem 32.",
        ],
        "defective_item": [
            "!O ventilador cheira a queimado depois de um minuto, é perigoso.",
            "!A tela veio com pixels mortos.",
        ],
        "missing_item": [
            "!O adaptador de tomada não veio na caixa, o resto sim.",
            "!Só um pé do sapato na caixa?? Cadê o outro?",
        ],
        "wrong_item_received": [
            "!No pacote veio a encomenda de outra pessoa, não a minha.",
        ],
        "return_policy_question": [
            "Tô entre dois números de bota, se ficar grande depois posso trocar?",
            "Quando devolvo, o reembolso vai pro cartão ou vira vale?",
            "Até quantos dias depois de receber posso devolver?",
        ],
        "return_request": [
            "Queria devolver a airfryer, no fim quase não uso.",
        ],
        "refund_status": [
            "Eu mesma cancelei o pedido na segunda, quando o dinheiro volta?",
        ],
        "wrong_charge": [
            "!Tem uma cobrança a mais no cartão que eu nunca autorizei.",
            "!Cobraram o preço cheio e não o da promoção que aparecia.",
        ],
        "store_unavailable": [
            "!Quando vou pagar aparece uma página de erro e não avança.",
        ],
        "phishing_report": [
            "Um cara ligou dizendo ser da loja e pediu o código que chegou por SMS. Era de vocês?",
        ],
        "other": [
            "Vocês entregam no sábado à tarde?",
            "Pede um táxi pra mim às oito?",
            "Ganho pontos comprando com vocês?",
        ],
    },
    "pl": {
        "cancel_order": [
            "Mogę odwołać zakup? Ciągle jest 'w realizacji'.",
            "Zatrzymajcie moje zamówienie, zanim wyjedzie z magazynu, już go nie chcę.",
            "Zamówiłam przed chwilą i żałuję, możecie to wstrzymać przed wysyłką?",
        ],
        "change_shipping_address": [
            "Przeprowadziłam się, paczka musi iść na nowe mieszkanie, zmienicie?",
            "Potrzebuję dostawy w inne miejsce, nowy adres to ul. Wiązowa 9.",
        ],
        "order_status": [
            "moje rzeczy już jadą? zamawiałam {date}",
            "Czy paczka wyjechała już z magazynu? Chcę tylko wiedzieć mniej więcej kiedy będzie.",
            "Na kiedy mogę się spodziewać {item}? Bez pośpiechu, tylko planuję.",
            "Paczka spóźnia się kilka dni, ale śledzenie się zmienia, czekać?",
        ],
        "not_received": [
            "!Termin dostawy minął dwa tygodnie temu i śledzenie całkiem stanęło, chyba zaginęła.",
            "!Pokazuje doręczono do paczkomatu, ale nie dostałem kodu i paczki tam nie ma.",
        ],
        "not_as_described": [
            "!Regał 'z litego dębu' to płyta z okleiną.",
            "!Miała być stal nierdzewna, a już rdzewieje. Nie to, co w ogłoszeniu.",
            "!W ogłoszeniu 64 GB, a telefon ma 32.",
        ],
        "defective_item": [
            "!Wentylator po minucie śmierdzi spalenizną, to niebezpieczne.",
            "!Ekran ma martwe piksele od nowości.",
        ],
        "missing_item": [
            "!Zasilacza nie było w pudełku, reszta jest.",
            "!Tylko jeden but w pudełku?? Gdzie drugi?",
        ],
        "wrong_item_received": [
            "!W paczce przyszło czyjeś zamówienie, nie moje.",
        ],
        "return_policy_question": [
            "Waham się między dwoma rozmiarami butów, jak będą za duże, to potem mogę wymienić?",
            "Przy zwrocie pieniądze wracają na kartę czy dostaję bon?",
            "Czy stroje kąpielowe można zwrócić z nienaruszoną naklejką higieniczną?",
        ],
        "return_request": [
            "Chcę oddać frytkownicę, jednak jej nie używam.",
        ],
        "refund_status": [
            "Sama anulowałam zamówienie w poniedziałek, kiedy wrócą pieniądze?",
        ],
        "wrong_charge": [
            "!Na karcie jest dodatkowa opłata, na którą się nie zgadzałem.",
            "!Pobraliście pełną cenę zamiast promocyjnej, która była pokazana.",
        ],
        "store_unavailable": [
            "!Przy płaceniu wyskakuje strona z błędem i nic dalej.",
        ],
        "phishing_report": [
            "Ktoś dzwonił, że jest z Waszego sklepu, i chciał kod z SMS-a. To Wy?",
        ],
        "other": [
            "Dostarczacie też w soboty po południu?",
            "Zamówisz mi taksówkę na ósmą?",
            "Zbieracie punkty za zakupy?",
        ],
    },
    "id": {
        "cancel_order": [
            "Bisa batalin pembelian? Masih 'diproses'.",
            "Tolong tahan pesananku sebelum keluar gudang, udah gak mau.",
            "Barusan checkout tapi nyesel, bisa ditahan sebelum dikirim?",
            "Kalau cancel sekarang kena biaya gak? Kalau gak, batalin {ord} ya.",
        ],
        "change_shipping_address": [
            "Aku udah pindah, paketnya harus ke kos baru, bisa diubah?",
            "Tolong kirim ke alamat lain, rumah baruku di Jl. Anggrek 9.",
        ],
        "order_status": [
            "barang-barangku udah jalan belum? pesan {date}",
            "Paketku udah keluar gudang belum? Cuma mau kira-kira kapan sampai.",
            "Kira-kira {item} sampai kapan ya? Gak buru-buru, cuma mau atur jadwal.",
            "Paketnya telat beberapa hari tapi resi masih jalan, tunggu aja ya?",
        ],
        "not_received": [
            "!Estimasi sampai udah lewat dua minggu dan resi berhenti total, kayaknya hilang.",
            "!Katanya udah dikirim ke loker tapi kode gak pernah dapat dan paketnya gak ada.",
        ],
        "not_as_described": [
            "!Rak 'kayu jati solid' ternyata papan partikel dilapis stiker.",
            "!Katanya stainless, baru seminggu udah karatan. Gak sesuai deskripsi.",
            "!Di iklan 64GB, hp-nya cuma 32GB.",
        ],
        "defective_item": [
            "!Kipasnya bau gosong setelah semenit, bahaya.",
            "!Layarnya ada dead pixel dari baru.",
        ],
        "missing_item": [
            "!Adaptornya gak ada di kotak, yang lain lengkap.",
            "!Sepatunya cuma sebelah?? Yang satu lagi mana?",
        ],
        "wrong_item_received": [
            "!Isi paketnya pesanan orang lain, bukan punyaku.",
        ],
        "return_policy_question": [
            "Aku ragu ukuran sepatunya, kalau kegedean nanti bisa tukar?",
            "Kalau balikin barang, refund ke kartu atau jadi voucher?",
            "Berapa hari setelah barang diterima masih bisa dikembalikan?",
        ],
        "return_request": [
            "Aku mau balikin air fryer-nya, ternyata jarang dipakai.",
        ],
        "refund_status": [
            "Aku sendiri yang batalin pesanan hari Senin, uangnya kapan balik?",
        ],
        "wrong_charge": [
            "!Ada biaya tambahan di kartu yang gak pernah aku setujui.",
            "!Kena harga normal padahal yang tampil harga promo.",
        ],
        "store_unavailable": [
            "!Pas mau bayar selalu keluar tulisan error, gak bisa lanjut.",
        ],
        "phishing_report": [
            "Ada yang telepon ngaku dari toko kalian minta kode OTP. Itu beneran?",
        ],
        "other": [
            "Sabtu sore ada pengiriman juga?",
            "Tolong pesenin taksi jam delapan.",
            "Belanja di sini dapat cashback gak?",
        ],
    },
}

# Escalation phrased by parts, composed by gen_inbox.py: a need and a deadline make urgency
# ("I need the right one" + "before Saturday"), a count or an earlier try and a silence make
# repeated contact ("this is my third email" / "I told you last week" + "nobody has replied").
URGENT_NEED = {
    "en": ["I need it", "I need the right one", "it has to arrive", "please sort it out", "I need an answer",
           "please fix this", "it must be here", "I really need this done", "please send it"],
    "es": ["lo necesito", "necesito el correcto", "tiene que llegar", "resuélvanlo por favor", "necesito una respuesta",
           "arreglenlo porfa", "tiene que estar aquí", "necesito que se solucione", "mándenlo"],
    "pt": ["preciso dele", "preciso do certo", "tem que chegar", "resolvam por favor", "preciso de uma resposta",
           "arrumem isso pfv", "tem que estar aqui", "preciso que resolvam", "mandem"],
    "pl": ["potrzebuję tego", "potrzebuję właściwego", "musi dojść", "załatwcie to proszę", "potrzebuję odpowiedzi",
           "naprawcie to", "musi tu być", "muszę mieć to załatwione", "wyślijcie"],
    "id": ["aku butuh", "aku butuh yang bener", "harus sampai", "tolong diberesin", "butuh jawaban",
           "tolong dibenerin", "harus udah ada", "harus beres", "tolong dikirim"],
}
URGENT_WHEN = {
    "en": ["today", "by tomorrow", "before Saturday", "before the weekend", "by Friday", "tonight", "this morning",
           "before my flight on Monday", "before the wedding on Saturday", "before my guests arrive", "right now"],
    "es": ["hoy", "para mañana", "antes del sábado", "antes del finde", "para el viernes", "esta noche", "ya",
           "antes de mi vuelo del lunes", "antes de la boda del sábado", "antes de que lleguen mis invitados", "ahorita"],
    "pt": ["hoje", "até amanhã", "antes de sábado", "antes do fim de semana", "até sexta", "hoje à noite", "já",
           "antes do meu voo na segunda", "antes do casamento no sábado", "antes das visitas chegarem", "ainda hoje"],
    "pl": ["dzisiaj", "na jutro", "przed sobotą", "przed weekendem", "do piątku", "dziś wieczorem", "natychmiast",
           "przed moim lotem w poniedziałek", "przed weselem w sobotę", "zanim przyjdą goście", "jeszcze dziś"],
    "id": ["hari ini", "besok", "sebelum Sabtu", "sebelum weekend", "paling lambat Jumat", "nanti malam", "sekarang",
           "sebelum aku terbang Senin", "sebelum nikahan hari Sabtu", "sebelum tamu datang", "hari ini juga"],
}
REPEAT_COUNT = {
    "en": ["This is my third email about this.", "Second message about the same problem.", "I've written four times now.",
           "I called twice already.", "I told you last week", "I reported this on Monday", "As I wrote before,",
           "I've been in touch three times"],
    "es": ["Es mi tercer correo sobre esto.", "Segundo mensaje por el mismo problema.", "Ya he escrito cuatro veces.",
           "Ya llamé dos veces.", "Os lo dije la semana pasada", "Lo reporté el lunes", "Como ya escribí antes,",
           "Les he contactado tres veces"],
    "pt": ["É o meu terceiro e-mail sobre isso.", "Segunda mensagem sobre o mesmo problema.", "Já escrevi quatro vezes.",
           "Já liguei duas vezes.", "Avisei vocês semana passada", "Reportei isso na segunda", "Como já escrevi antes,",
           "Já entrei em contato três vezes"],
    "pl": ["To mój trzeci mail w tej sprawie.", "Druga wiadomość o tym samym.", "Pisałam już cztery razy.",
           "Dzwoniłem już dwa razy.", "Mówiłam wam w zeszłym tygodniu", "Zgłaszałem to w poniedziałek",
           "Jak już pisałam wcześniej,", "Kontaktowałem się już trzy razy"],
    "id": ["Ini email ketigaku soal ini.", "Pesan kedua soal masalah yang sama.", "Udah empat kali aku tulis.",
           "Udah dua kali telepon.", "Minggu lalu udah aku bilang", "Udah aku laporin hari Senin",
           "Seperti yang udah aku tulis sebelumnya,", "Udah tiga kali aku hubungi"],
}
REPEAT_SILENCE = {
    "en": ["and nobody has replied.", "and I still haven't heard back.", "and nobody answers.", "and still nothing.",
           "and all I get is an automatic reply."],
    "es": ["y nadie ha respondido.", "y sigo sin respuesta.", "y nadie contesta.", "y nada.",
           "y solo recibo respuestas automáticas."],
    "pt": ["e ninguém respondeu.", "e continuo sem resposta.", "e ninguém responde.", "e nada.",
           "e só recebo resposta automática."],
    "pl": ["i nikt nie odpisał.", "i dalej brak odpowiedzi.", "i nikt nie odpowiada.", "i nic.",
           "i dostaję tylko automatyczne odpowiedzi."],
    "id": ["dan gak ada yang bales.", "dan masih belum ada jawaban.", "dan gak ada yang jawab.", "dan tetap gak ada kabar.",
           "dan cuma dapat balasan otomatis."],
}

# An imminent event, then a request to meet it ("the party is tomorrow" + "can you get it to me
# by then?"): urgency said without any urgency word.
URGENT_EVENT = {
    "en": ["the party is tomorrow afternoon", "we're leaving for camp on Friday", "the sale ends at midnight",
           "my flight is at 6am on Monday", "the wedding is this Saturday", "my exam is first thing tomorrow",
           "the courier collects tonight", "it's dispatched tonight"],
    "es": ["la fiesta es mañana por la tarde", "nos vamos de campamento el viernes", "la oferta acaba a medianoche",
           "mi vuelo sale el lunes a las 6", "la boda es este sábado", "mi examen es mañana a primera hora",
           "el mensajero recoge esta noche", "sale esta noche"],
    "pt": ["a festa é amanhã à tarde", "a gente viaja pro acampamento na sexta", "a promoção acaba à meia-noite",
           "meu voo é segunda às 6", "o casamento é este sábado", "minha prova é amanhã cedo",
           "a transportadora recolhe hoje à noite", "sai hoje à noite"],
    "pl": ["impreza jest jutro po południu", "w piątek jedziemy na obóz", "promocja kończy się o północy",
           "mam lot w poniedziałek o 6", "ślub jest w tę sobotę", "egzamin mam jutro z samego rana",
           "kurier odbiera dziś wieczorem", "wysyłka jest dziś wieczorem"],
    "id": ["acaranya besok sore", "Jumat kami berangkat kemah", "promonya habis tengah malam",
           "pesawatku Senin jam 6 pagi", "nikahannya Sabtu ini", "ujianku besok pagi-pagi",
           "kurirnya ambil nanti malam", "dikirimnya nanti malam"],
}
URGENT_BY_THEN = {
    "en": ["can you get it to me by then?", "can you send it before that?", "please fix it before then!",
           "can you sort it before that?"],
    "es": ["¿me lo pueden hacer llegar antes?", "¿lo pueden enviar antes?", "¡arréglenlo antes!",
           "¿lo pueden resolver antes?"],
    "pt": ["conseguem mandar antes?", "dá pra enviar antes disso?", "resolvam antes disso!", "conseguem resolver antes?"],
    "pl": ["wyślecie przed tym?", "zdążycie to wysłać wcześniej?", "naprawcie to przed tym!", "załatwicie to wcześniej?"],
    "id": ["bisa dikirim sebelum itu?", "bisa sampai sebelum itu?", "tolong beresin sebelum itu!", "bisa diurus sebelum itu?"],
}
# More ways to say "not the first time".
REPEAT_MORE = {
    "en": ["Fourth message now.", "I asked on Monday and nobody confirmed anything.",
           "I've called three times and each time I'm promised an email that never comes.",
           "I've chased this twice by phone.", "Writing again since my last two emails were ignored."],
    "es": ["Cuarto mensaje ya.", "Lo pedí el lunes y nadie me ha confirmado nada.",
           "He llamado tres veces y siempre me prometen un correo que nunca llega.",
           "Ya reclamé esto dos veces por teléfono.", "Escribo otra vez porque ignoraron mis dos últimos correos."],
    "pt": ["Quarta mensagem já.", "Pedi na segunda e ninguém confirmou nada.",
           "Liguei três vezes e sempre prometem um e-mail que nunca chega.",
           "Já cobrei isso duas vezes por telefone.", "Escrevo de novo porque ignoraram meus dois últimos e-mails."],
    "pl": ["To już czwarta wiadomość.", "Prosiłam w poniedziałek i nikt nic nie potwierdził.",
           "Dzwoniłem trzy razy i za każdym razem obiecują maila, który nie przychodzi.",
           "Dwa razy już się o to upominałam telefonicznie.", "Piszę znowu, bo moje dwa ostatnie maile zignorowano."],
    "id": ["Udah pesan keempat nih.", "Hari Senin udah minta dan gak ada yang konfirmasi.",
           "Udah tiga kali telepon dan selalu dijanjiin email yang gak pernah datang.",
           "Udah dua kali aku tagih lewat telepon.", "Aku tulis lagi karena dua email terakhirku dicuekin."],
}
# Urgency denied: calm, however the word is there.
CALM_MORE = {
    "en": ["No stress, it's not urgent.", "Not urgent at all, just curious.", "It's not for today, take your time."],
    "es": ["Sin prisa, no es urgente.", "Nada urgente, solo curiosidad.", "No es para hoy, tranquilos."],
    "pt": ["Sem pressa, não é urgente.", "Nada urgente, só curiosidade.", "Não é pra hoje, com calma."],
    "pl": ["Bez pośpiechu, to nic pilnego.", "Nic pilnego, tylko pytam.", "To nie na dzisiaj, spokojnie."],
    "id": ["Santai aja, gak urgent.", "Gak buru-buru kok, cuma nanya.", "Bukan buat hari ini, pelan-pelan aja."],
}
