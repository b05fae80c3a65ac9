"""Second Polish phrasing bank: narrative, indirect and colloquial messages."""

KINDS = {
    "cancel_order": [
        "Krótko mówiąc, {item} już nie jest mi potrzebny. Możecie anulować przed spakowaniem?",
        "Pomyliłem się przy {ord}, da się anulować zamiast odsyłać później?",
        "Proszę nie realizować zamówienia, anuluję je.", "Czy moje zamówienie da się jeszcze anulować? Chcę je anulować.",
        "Prośba o anulowanie {ord}. Powód: zły produkt.", "nieważne, anulujcie zamówienie",
        "Chcę zrezygnować z tego zamówienia, nic jeszcze nie dostałam i już nie chcę.",
        "Zatrzymajcie moje zamówienie, rezygnuję z zakupu.",
    ],
    "change_shipping_address": [
        "Mały problem: w zamówieniu jest moje stare mieszkanie. Nowy adres to ul. Młyńska 3. Zmienicie?",
        "Wyjeżdżam, czy możecie wysłać paczkę do siostry?",
        "Możecie zmienić adres dostawy w {ord} na adres pracy?", "Adres w zamówieniu jest niepełny, dopiszcie numer lokalu.",
        "Zmiana adresu dostawy: Al. Parkowa 88 m. 2.", "zmiencie adres dostawy, ten w zamowieniu jest zly",
        "Czy mogę wybrać inny adres dostawy teraz, gdy zamówienie jest złożone?", "złe miasto w adresie dostawy, poprawcie",
    ],
    "change_order_items": [
        "Właśnie zauważyłam, że wybrałam zły rozmiar, zmieńcie na {size} przed wysyłką.",
        "Możecie zmienić wariant w zamówieniu? Chcę {colour}.", "Chwila, chcę dodać drugi {item} do zamówienia.",
        "Mogę zmodyfikować zamówienie? Potrzebuję dwóch zamiast trzech.", "Zmieńcie {ord}: {item} na większą wersję.",
        "Chcę zmienić zawartość zamówienia przed nadaniem.", "zly rozmiar wybrany przy zamawianiu, zmienicie",
        "Zamówienie jeszcze nie wyszło, prawda? Zmienicie kolor na {colour2}?",
    ],
    "billing_info_error": [
        "Do rozliczenia delegacji potrzebuję faktury z danymi firmy, obecna jest błędna.",
        "Możecie poprawić adres nabywcy na fakturze? Jest stary.", "Na fakturze brakuje naszego NIP.",
        "Proszę wygenerować fakturę ponownie z poprawną nazwą firmy.", "Na fakturze jest zły kraj nabywcy.",
        "dane na paragonie sa bledne", "Potrzebuję korekty faktury, NIP jest zły.",
        "Na fakturze jest błąd w nazwie firmy.",
    ],
    "order_status": [
        "Chciałem zapytać, gdzie jest moja paczka, śledzenie stoi w miejscu.", "Czy jest coś nowego w sprawie dostawy {ord}?",
        "Śledzenie pokazuje tylko utworzenie etykiety, czy to na pewno wysłane?", "Kiedy zostanie doręczone moje zamówienie?",
        "Czekam na {ord}, możecie sprawdzić, gdzie jest?", "Możecie podać przybliżony termin dostawy?",
        "Czy {carrier} już odebrał moją paczkę?", "Czy zamówienie nadal jest w drodze? Brak informacji od {days} dni.",
        "O której przyjedzie kurier?",
    ],
    "not_received": [
        "!Aplikacja mówi, że paczkę doręczono wczoraj, ale nigdzie jej nie ma.",
        "!Razem z sąsiadem szukaliśmy wszędzie, paczki oznaczonej jako doręczona nie ma.",
        "!Czekam wieki i paczka nie dotarła, śledzenie stoi, a kurier mówi, że zaginęła.",
        "!Podobno zostawiona w bezpiecznym miejscu, a tam nic nie ma.", "!W ogóle nie dostałem paczki.",
        "!Doręczenie się nie odbyło, a status mówi zakończone.", "!nie doszla paczka a pisze doreczona",
        "!Zaginiona paczka: {ord} nigdy do mnie nie dotarło.",
    ],
    "damaged_in_transit": [
        "!Po otwarciu kartonu {item} był zepsuty, a karton zgnieciony.",
        "!Paczka wyglądała, jakby nią rzucano, {item} w środku pęknięty.",
        "!Przyszło uszkodzone: wgniecenie z boku i pęknięta szyba.", "!Przesyłka przyszła rozbita.",
        "!Róg kartonu był wgnieciony, {item} też.", "!Wszystko w środku przyszło połamane.",
        "!przyszlo rozbite, opakowanie zgniecione", "!Towar został uszkodzony w transporcie.",
    ],
    "wrong_item_received": [
        "!Przedmiot, który dostałem, to nie ten, który zamówiłem.", "!Przysłaliście {item}, a zamawiałam coś innego.",
        "!Otworzyłem karton i to nie moje zamówienie.", "!Znowu przyszedł zły rozmiar.",
        "!To inny model, nie ten, który kupiłam.", "!Doręczono mi cudzą paczkę.",
        "!wyslaliscie zly produkt", "!Kolor, który dostałam, to nie ten, który wybrałam.",
    ],
    "missing_item": [
        "!Paczka doszła, ale czegoś brakuje.", "!Dostałem tylko część zamówionych rzeczy.",
        "!W przesyłce brakuje {item}.", "!Nie wszystko było w kartonie.",
        "!Miały być dwie rzeczy, a była jedna.", "!Moje zamówienie jest niekompletne.",
        "!brakuje jednej rzeczy", "!W paczce brakowało części zamówienia.",
    ],
    "not_as_described": [
        "!To, co dostałam, to nie to, co było na stronie.", "!{item} w ogóle nie zgadza się z opisem.",
        "!Jakość dużo gorsza niż w ogłoszeniu.", "!Zdjęcia wprowadzają w błąd, inny kolor.",
        "!Parametry w ofercie są nieprawdziwe.", "!Niezgodne z opisem.", "!Nie przypomina strony produktu.",
        "!nie to samo co na zdjeciu",
    ],
    "defective_item": [
        "!{item} przyszedł cały, ale nie działa.", "!Zepsuło się po kilku użyciach.",
        "!{item} ma usterkę, nie ładuje się.", "!Jest wadliwy.", "!Urządzenie ciągle samo się wyłącza.",
        "!Nie działa poprawnie.", "!juz przestalo dzialac", "!Wadliwy produkt, proszę o pomoc.",
    ],
    "return_request": [
        "Chcę zwrócić rzecz z {ord}.", "Jak zacząć zwrot?", "Chcę to zwrócić, proszę o zwrot pieniędzy.",
        "Zwracam {item}, co mam zrobić?", "Chcę odesłać zamówienie.", "zwrot prosze, nie pasuje",
        "Dostanę zwrot pieniędzy, jeśli odeślę?", "Chcę to zwrócić i odzyskać pieniądze.",
    ],
    "exchange_request": [
        "Chciałabym wymienić na inny rozmiar.", "Możecie dać inny kolor?",
        "Proszę wymienić mój {item} na rozmiar {size}.", "Czy mogę zrobić wymianę?", "Chcę wymienić na inny.",
        "wymiana na wiekszy rozmiar prosze", "Wymienicie na {colour}?", "Muszę wymienić, źle leży.",
    ],
    "return_policy_question": [
        "Czy mogę zwrócić coś po 30 dniach?", "Czy można zwrócić produkty personalizowane?", "Czy zwracacie koszt wysyłki?",
        "Skąd mam wiedzieć, czy produkt można zwrócić?", "Jak wygląda wymiana?", "przyjmujecie zwroty?",
        "Czy jest termin na zwrot?", "Czy mogę zwrócić prezent?",
    ],
    "refund_status": [
        "Nadal czekam na zwrot pieniędzy.", "Czy zwrot został wysłany?", "Kiedy mi zwrócicie pieniądze?",
        "Zwrot nie dotarł.", "Odesłałam zamówienie i nie dostałam zwrotu.", "gdzie moje pieniadze?",
        "Coś nowego w sprawie mojego zwrotu?", "Zwrot wisi od tygodni.",
    ],
    "wrong_charge": [
        "!Pobraliście więcej, niż powinniście.", "!Dlaczego karta została obciążona dwa razy?",
        "!Pieniądze zeszły dwukrotnie.", "!Obciążono mnie błędną kwotą.", "!Na koncie mam zdublowaną płatność.",
        "!zla kwota pobrana", "!Obciążenie karty nie zgadza się z zamówieniem.", "!Proszę zwrócić zdublowane obciążenie.",
    ],
    "payment_not_reflected": [
        "Zapłaciłem, a nadal jest oczekiwanie na płatność.", "Moja płatność się nie pokazuje.", "Zamówienie nieopłacone, a zapłaciłam.",
        "Pieniądze pobrane, zamówienie niepotwierdzone.", "platnosc nie zaktualizowala sie w zamowieniu", "Czy dostaliście moją wpłatę?",
        "Zapłaciłem, dlaczego zamówienie jest wstrzymane?", "Przelew wyszedł, potwierdźcie proszę.",
    ],
    "store_unavailable": [
        "!Nie mogę nic kupić, strona jest zepsuta.", "!Płatność na stronie nie działa.", "!Strona nie działa.",
        "!Płatność ciągle się wysypuje na waszej stronie.", "!Strona nie działa od rana", "!Nie mogę sfinalizować zakupu.",
        "!Sklep internetowy się nie ładuje.", "!Przycisk kupuję nie działa.",
    ],
    "phishing_report": [
        "Czy to oszustwo?", "Dostałam fałszywego maila z waszą marką.", "Ktoś się pod was podszywa.",
        "Wygląda na phishing, czy to od was?", "Podejrzany SMS o mojej paczce.", "falszywa strona z wasza nazwa",
        "Dostałem wiadomość z prośbą o dane karty w waszym imieniu.", "Czy ten link jest bezpieczny?",
    ],
    "other": [
        '+Dziękuję, nowy egzemplarz dotarł i jest idealny.', '+Bardzo mi pomogliście, dziękuję serdecznie!', '+Ale szybko, stokrotne dzięki.', '+Sukienka leży pięknie, dziękuję!', '+Jestem zadowolona z zamówienia, kupię znowu.', '+Gratuluję szybkiej dostawy!', '+Problem rozwiązany, jesteście najlepsi.', '+Śliczne opakowanie i miły liścik, dziękuję.',
        "+Dzięki za pomoc!", "+Świetna obsługa, dziękuję.", "Dzień dobry, mam pytanie.", "Czy pracujecie w święta?",
        "Czy to jest na stanie?", "Jak się z wami skontaktować telefonicznie?", "Czy mogę zamówić telefonicznie?", "Sprzedajecie tylko online?",
        "która godzina?", "+Ok, wszystko załatwione.", "Gdzie się znajdujecie?", "Macie katalog?",
    ],
}
