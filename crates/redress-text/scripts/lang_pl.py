"""Polish templates for gen_train.py (written for this project)."""

LANG = "pl"
ACCENTED = True

ITEMS = ["kurtka", "sukienka", "buty", "trampki", "etui na telefon", "lampa", "wazon", "plecak", "zegarek",
         "słuchawki", "koszulka", "ekspres do kawy", "jeansy", "blender", "poduszka", "perfumy", "zabawka", "bluza",
         "głośnik", "kubki", "dywan", "okulary", "czajnik", "suszarka", "spódnica", "kozaki"]
ORDER_REFS = ["zamówienie {n}", "moje zamówienie {n}", "zamówienie nr {n}", "moje zamówienie", "zamówienie",
              "zamówienie #{n}", "zamówienia nr {n}", "moją paczkę"]
SIZES = ["S", "M", "L", "XL", "XS", "38", "40", "42", "44", "większy rozmiar", "mniejszy"]
COLOURS = ["czarny", "biały", "czerwony", "niebieski", "zielony", "szary", "różowy", "beżowy", "brązowy", "granatowy"]
AMOUNTS = [lambda r: f"{r.randrange(10, 900)},{r.randrange(0, 99):02d} zł", lambda r: f"{r.randrange(10, 900)} zł",
           lambda r: f"{r.randrange(10, 900)} PLN", lambda r: f"{r.randrange(10, 900)}zł",
           lambda r: f"{r.randrange(10, 500)} złotych"]
DATES = ["3 marca", "wczoraj", "w zeszły poniedziałek", "dwa tygodnie temu", "12.05", "w piątek",
         "w zeszłym tygodniu", "20 maja"]
CARRIERS = ["InPost", "DPD", "Poczta Polska", "DHL", "kurier", "paczkomat"]

GREETINGS = ["Dzień dobry,", "Witam,", "Cześć,", "Hej", "Dobry wieczór,", "Szanowni Państwo,", "Witam serdecznie,",
             "dzien dobry", "Halo,"]
CLOSINGS = ["Dziękuję.", "Pozdrawiam.", "Z góry dziękuję.", "Pozdrawiam, Kasia", "Czekam na odpowiedź.",
            "Proszę o pomoc.", "dzieki", "Z poważaniem.", "Miłego dnia."]
CONTEXT = ["Kupiłam {item} {date}.", "Złożyłem {ord} w zeszłym tygodniu.", "To był prezent dla mamy.",
           "Piszę w sprawie {ord}.", "Jestem stałym klientem.", "Mój mail to {email}.", "Zamawiałam przez stronę {date}."]
ANGRY = ["To skandal!", "Jestem bardzo rozczarowany.", "Fatalna obsługa.", "Mam tego dość.",
         "To niedopuszczalne.", "Najgorsze zakupy w życiu.", "Masakra!", "Jestem wściekła."]
ESCALATION = {
    "chargeback": ["Jeśli tego nie rozwiążecie, złożę reklamację w banku.", "Zgłoszę obciążenie zwrotne (chargeback).",
                   "Zgłoszę sprawę do banku.", "Otworzyłem już spór w PayPal."],
    "legal": ["Zgłoszę to do rzecznika praw konsumenta.", "Skontaktuję się z prawnikiem.",
              "Sprawa trafi do sądu.", "Złożę skargę do UOKiK."],
    "public_review": ["Wystawię negatywną opinię.", "Opiszę to na Facebooku.",
                      "Dam jedną gwiazdkę na Ceneo.", "Wszyscy w mediach społecznościowych się dowiedzą."],
    "repeat_contact": ["Piszę już po raz trzeci.", "Pisałem już dwa razy i nikt nie odpowiada.",
                       "Kontaktowałam się już kilka razy.", "Nadal brak odpowiedzi na moją poprzednią wiadomość."],
    "urgent": ["To pilne!", "Proszę o odpowiedź jak najszybciej.", "Potrzebuję tego na jutro.",
               "Proszę o natychmiastowe rozwiązanie."],
}

KINDS = {
    "cancel_order": [
        "Chcę anulować {ord}.", "Proszę anulować {ord}, zamówiłem przez pomyłkę.", "Jak mogę anulować {ord}?",
        "Czy możecie anulować zamówienie zanim zostanie wysłane?", "Rozmyśliłam się, proszę anulować zamówienie na {item}.",
        "anuluj zamowienie prosze", "Muszę anulować {ord}, znalazłem taniej.",
        "Zamówiłam dwa razy przez przypadek, proszę anulować jedno.", "Czy da się jeszcze anulować {ord}?",
        "Nie potrzebuję już tego, proszę o anulowanie zamówienia.", "Nie wysyłajcie {ord}, rezygnuję z zamówienia.",
    ],
    "change_shipping_address": [
        "Muszę zmienić adres dostawy w {ord}.", "Wpisałem zły adres, czy można go poprawić?",
        "Proszę wysłać {ord} na adres mojej pracy.", "Przeprowadziłam się, czy mogę zmienić adres dostawy?",
        "Zły numer domu w adresie, powinno być 42 a nie 24.", "Czy możecie zmienić kod pocztowy w {ord}?",
        "zmiana adresu dostawy", "Brakuje numeru mieszkania w adresie.",
        "Podałem stary adres przez pomyłkę, jak go zmienić przed wysyłką?",
        "Czy można wysłać paczkę do innego paczkomatu?",
    ],
    "change_order_items": [
        "Zamówiłam rozmiar {size}, a potrzebuję {size2}, czy można zmienić przed wysyłką?",
        "Czy mogę zmienić kolor w {ord} z {colour} na {colour2}?", "Pomyliłem rozmiar, proszę zmienić na {size}.",
        "Chcę zmienić ilość z 1 na 2 w {ord}.", "Chcę dodać jeszcze jedną rzecz do zamówienia przed wysyłką.",
        "Wybrałam zły model, czy możecie zmienić {ord}?", "Proszę usunąć jedną pozycję z mojego zamówienia.",
        "zmiana rozmiaru w zamowieniu na {size}", "Zaznaczyłem zły kolor, chciałem {colour}. Jeszcze nie wysłane.",
    ],
    "billing_info_error": [
        "Na fakturze jest błędna nazwa firmy.", "Brakuje mojego NIP na fakturze.",
        "Czy możecie poprawić nazwisko na fakturze? Jest literówka.", "Potrzebuję faktury na firmę z NIP 1234567890.",
        "Zły adres do faktury w {ord}.", "Proszę o korektę faktury z poprawnym NIP.",
        "bledne dane na fakturze", "Pomyliłam dane do faktury, czy można je zmienić?",
        "Faktura jest wystawiona na stary adres, potrzebuję korekty.",
    ],
    "order_status": [
        "Gdzie jest {ord}?", "Kiedy dotrze moja paczka?", "Jaki jest status {ord}?",
        "Czy {ord} zostało już wysłane?", "Jaki jest numer przesyłki do mojego zamówienia?", "Ile trwa dostawa do Gdańska?",
        "Śledzenie nie aktualizuje się od {days} dni, gdzie jest paczka?", "Czy coś wiadomo o mojej przesyłce?",
        "Zamówiłam {date}, kiedy wyślecie?", "gdzie moja paczka", "Czy paczka jest już w drodze?",
        "Przewidywana dostawa była {date}, czy nadal jedzie?",
    ],
    "not_received": [
        "!Status mówi doręczono, ale nie dostałem paczki.", "!Moja paczka nigdy nie dotarła.",
        "!{ord} ma status dostarczone, ale nic nie dostałam.", "!Nadal nie otrzymałem {ord} po {days} dniach.",
        "!Paczka zaginęła, {carrier} nie może jej znaleźć.", "!Podobno zostawiona u sąsiada, ale nikt jej nie ma.",
        "!nie dostalem paczki", "!Czekam miesiąc i zamówienie nie doszło.",
        "!{carrier} twierdzi, że doręczył, byłam cały dzień w domu i nikt nie przyszedł.",
        "!Paczkomat pokazuje odebrana, a ja jej nie odebrałem.",
    ],
    "damaged_in_transit": [
        "!{item} przyszła uszkodzona.", "!Karton był zgnieciony, a w środku wszystko połamane.",
        "!Wazon doszedł rozbity.", "!Paczka przyszła mokra i towar jest zniszczony.",
        "!Produkt jest pęknięty, widać że paczka spadła.", "!Przyszło wgniecione, karton cały zniszczony.",
        "!przyszlo uszkodzone", "!Ekran był pęknięty po otwarciu paczki.",
        "!Odebrałam dziś {ord}, ale towar jest uszkodzony w transporcie, mam zdjęcia kartonu.",
    ],
    "wrong_item_received": [
        "!Dostałem nie ten produkt, zamawiałem {item}, a przyszło coś innego.",
        "!Przysłaliście rozmiar {size} zamiast {size2}.", "!Zamawiałam kolor {colour}, a dostałam {colour2}.",
        "!To nie jest to, co zamówiłem, przyszedł inny model.", "!Dostałam czyjeś zamówienie.",
        "!Zły produkt w {ord}.", "!przyszedl zly rozmiar", "!Przyszedł zły kolor, wybrałam {colour}.",
        "!Etykieta jest moja, ale w środku zupełnie inny towar.",
    ],
    "missing_item": [
        "!Paczka przyszła, ale brakuje jednej rzeczy.", "!Zamówiłam 3 produkty, a przyszły tylko 2.",
        "!W paczce nie było {item}.", "!Brakuje połowy zamówienia.",
        "!W pudełku nie było ładowarki, która miała być w zestawie.", "!{ord} przyszło niekompletne.",
        "!brakuje produktu w paczce", "!Na fakturze jest {item}, ale nie było go w paczce.",
    ],
    "not_as_described": [
        "!Produkt w ogóle nie wygląda jak na zdjęciach.", "!Kolor jest zupełnie inny niż na stronie.",
        "!W opisie była skóra, a to plastik.", "!Jest dużo mniejszy niż w opisie.",
        "!Towar niezgodny z opisem, materiał słabej jakości.",
        "!Na zdjęciach był {colour}, a w rzeczywistości jest {colour2}.", "!nie jak na zdjeciu",
        "!Miało być wodoodporne, a nie jest.", "!Wymiary nie zgadzają się z opisem aukcji.",
    ],
    "defective_item": [
        "!Mój {item} nie działa.", "!Przestał działać po {days} dniach.",
        "!Urządzenie się nie włącza.", "!Zamek zepsuł się przy pierwszym użyciu.",
        "!Produkt jest wadliwy, sam się wyłącza.", "!Przycisk nie reaguje, wada fabryczna.",
        "!Bateria się nie ładuje.", "!wadliwy produkt", "!Jedna słuchawka nie gra.",
        "!Szwy się rozeszły po jednym praniu.", "!Chcę złożyć reklamację, {item} jest zepsuty.",
    ],
    "return_request": [
        "Chcę zwrócić {item}.", "Jak odesłać {ord}, żeby dostać zwrot pieniędzy?",
        "{item} nie pasuje, chcę zwrócić.", "Rozmyśliłem się i chcę odzyskać pieniądze.",
        "Czy mogę oddać towar i dostać zwrot pieniędzy?", "Chcę dokonać zwrotu.",
        "Za duże, chcę odesłać.", "Proszę o etykietę zwrotną.", "nie podoba mi sie chce zwrocic",
        "Chcę odstąpić od umowy i zwrócić zamówienie.",
    ],
    "exchange_request": [
        "Czy mogę wymienić {item} na rozmiar {size}?", "Chciałabym wymienić na inny kolor, {colour2}.",
        "{item} jest za mała, czy mogę wymienić na większy rozmiar?", "Chcę wymienić {ord} na inny model.",
        "Czy możecie wymienić na {colour} zamiast {colour2}?", "wymiana na rozmiar {size} prosze",
        "Nie pasuje, wolę wymianę zamiast zwrotu pieniędzy.", "Chcę ten sam produkt, ale w kolorze {colour}.",
    ],
    "return_policy_question": [
        "Jakie są zasady zwrotów?", "Ile mam dni na zwrot towaru?",
        "Czy muszę płacić za przesyłkę zwrotną?", "Czy można zwrócić produkty z wyprzedaży?",
        "Czy zwrot jest darmowy?", "Ile trwa zwrot pieniędzy po otrzymaniu paczki zwrotnej?",
        "Czy mogę zwrócić bez oryginalnego opakowania?", "ile dni na zwrot?",
        "Jak wygląda wymiana w waszym sklepie?", "Czy przyjmujecie zwroty otwartych produktów?",
    ],
    "refund_status": [
        "Gdzie są moje pieniądze za zwrot?", "Odesłałam {item} {days} dni temu i nadal brak zwrotu pieniędzy.",
        "Kiedy dostanę zwrot za {ord}?", "Napisaliście, że zwrot został zlecony, ale nic nie widzę.",
        "Zwrot pieniędzy nadal nie wpłynął na konto.", "Ile trwa zaksięgowanie zwrotu?",
        "!Minęło {days} dni od odebrania mojego zwrotu, gdzie są pieniądze?", "status zwrotu pieniedzy",
        "Obiecano mi zwrot {amount} i nadal nic.",
    ],
    "wrong_charge": [
        "!Pobrano mi płatność dwa razy za {ord}.", "!Obciążyliście mnie kwotą {amount}, a suma była mniejsza.",
        "!Mam podwójne obciążenie na karcie.", "!Pobrano złą kwotę.",
        "!Z karty zeszło {amount} dwa razy za to samo zamówienie.", "!Dlaczego pobraliście opłatę za wysyłkę, skoro miała być darmowa?",
        "!podwojna platnosc!!", "!Na wyciągu widzę dwie transakcje po {amount}.", "!Pobraliście {amount} za dużo.",
    ],
    "payment_not_reflected": [
        "Zapłaciłem, ale zamówienie nadal ma status nieopłacone.", "Płatność przeszła, a zamówienie czeka na płatność.",
        "Pieniądze zeszły z konta, a strona mówi, że płatność się nie udała.",
        "Zrobiłam przelew {amount} wczoraj i zamówienie nadal oczekuje na wpłatę.",
        "Zapłaciłem BLIKiem i zamówienie nie jest opłacone.", "zaplacilem a nie widac platnosci",
        "Dlaczego {ord} ma status oczekuje na płatność? Pieniądze pobrane.",
        "Pobrano pieniądze, ale nie dostałem potwierdzenia zamówienia.",
    ],
    "store_unavailable": [
        "!Wasza strona nie działa.", "!Nie mogę zapłacić, strona płatności wyrzuca błąd.",
        "!Strona się nie ładuje.", "!Przy płatności za każdym razem błąd.", "!Nie da się dodać nic do koszyka.",
        "!Aplikacja się zamyka przy składaniu zamówienia.", "!Karta odrzucona przy płatności, a wszędzie indziej działa.",
        "!sklep nie dziala", "!Przycisk zapłać nic nie robi.",
    ],
    "phishing_report": [
        "Dostałem maila od was z prośbą o dane karty, czy to prawdziwe?",
        "Ktoś wysłał SMS podszywając się pod wasz sklep z linkiem do dopłaty.",
        "Czy ta wiadomość jest od was? Prosi o potwierdzenie hasła.",
        "Dostałam podejrzany SMS o paczce i dopłacie, czy to oszustwo?",
        "Jest fałszywa strona z waszym logo.", "dostalem dziwnego maila wyglada na phishing",
        "Ktoś podszywa się pod sklep na WhatsAppie.", "Czy prosiliście mnie o dopłatę {amount} za ponowną wysyłkę?",
    ],
    "other": [
        "+Bardzo dziękuję, wszystko dotarło idealnie!", "Czy wysyłacie do Niemiec?", "W jakich godzinach pracujecie?",
        "Macie jakiś kod rabatowy?", "Czy ta {item} jest wodoodporna?", "+Świetna obsługa, dziękuję!",
        "Czy sprzedajecie karty podarunkowe?", "Jak założyć konto?", "Czy mogę zmienić hasło?",
        "Czy szukacie pracowników?", "Kiedy {item} będzie znowu dostępna?", "Czy macie sklep stacjonarny?",
        "+Chciałam tylko powiedzieć, że {item} jest super.", "Jakie formy płatności akceptujecie?",
        "Chcę się wypisać z newslettera.", "cześć", "Czy mogę porozmawiać z konsultantem?",
        "Jaka będzie jutro pogoda?", "ok dzięki", "Czy jest {item} w kolorze {colour}?",
    ],
}

REQUESTS = ["Proszę o wysłanie nowego.", "Chcę zwrotu pieniędzy.", "Co zamierzacie z tym zrobić?",
            "Możecie pomóc?", "Proszę to wyjaśnić.", "Chcę zwrot albo wymianę.", "Jak to rozwiążemy?",
            "Proszę o informację, co dalej.", "Czekam na odpowiedź.", "Możecie wysłać ponownie?", "Oczekuję rekompensaty."]
