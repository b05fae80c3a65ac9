# Sugerowane odpowiedzi, polski. Zob. en.ftl. Zmienne wstawiane są w mianowniku, więc zdania
# są tak zbudowane, by nie wymagały ich odmiany (np. „zamówienie nr …:”).

greeting-known = Dzień dobry, { $name },
greeting-unknown = Dzień dobry,
signoff-known = Pozdrawiamy serdecznie,
    Obsługa klienta { $shop }
signoff-unknown = Pozdrawiamy serdecznie,
    Obsługa klienta
reasons-intro = Dlaczego tak zdecydowaliśmy:
policy-intro = Co mówią nasze zasady:
order-known = zamówienie nr { $order }
order-unknown = Twoje zamówienie
items-unknown = zamówione produkty
carrier-unknown = przewoźnik
amount-unknown = należna kwota
refund-when-known = do { $refund_date }
refund-when-unknown = w ciągu 5–10 dni roboczych
delivery-when-known = do { $delivery_date }
delivery-when-unknown = w ciągu kilku dni roboczych
tracking-known = Przesyłkę możesz śledzić u przewoźnika { $carrier }, numer przesyłki { $tracking } ({ $tracking_url }).
tracking-known-no-link = Przesyłkę możesz śledzić u przewoźnika { $carrier }, numer przesyłki { $tracking }.
tracking-unknown = Numer przesyłki wyślemy, gdy tylko paczka trafi do przewoźnika.
ordered-known = (złożone { $order_date })
ordered-unknown = {""}

kind-cancel_order = Otrzymaliśmy prośbę o anulowanie: { $order_ref } { $ordered }. Jeśli paczka nie opuściła jeszcze magazynu, anulujemy je od razu i zwolnimy płatność; wkrótce potwierdzimy.
    .subject = Anulowanie: { $order_ref }
kind-change_shipping_address = Dziękujemy za informację o adresie dostawy ({ $order_ref }). Odpisz nam z pełnym nowym adresem: dopóki paczka nie trafi do przewoźnika, zmienimy go.
    .subject = Adres dostawy: { $order_ref }
kind-change_order_items = Otrzymaliśmy prośbę o zmianę produktów ({ $items }) – { $order_ref }. Jeśli zamówienie nie jest jeszcze spakowane, zmienimy je przed wysyłką i potwierdzimy nowe produkty oraz ewentualną różnicę w cenie.
    .subject = Zmiana: { $order_ref }
kind-billing_info_error = Poprawimy dane do faktury ({ $order_ref }). Prześlij nam poprawne imię i nazwisko lub nazwę firmy, adres i NIP, a wystawimy fakturę korygującą.
    .subject = Dane do faktury: { $order_ref }
kind-order_status = Najnowsze informacje – { $order_ref }. { $tracking_line } Paczka powinna dotrzeć { $delivery_when }.
    .subject = Gdzie jest { $order_ref }
kind-not_received = Przykro nam, że { $order_ref } jeszcze do Ciebie nie dotarło. { $tracking_line } Sprawdzamy to z przewoźnikiem ({ $carrier }) i odezwiemy się w ciągu 2 dni roboczych.
    .subject = Nie dotarło: { $order_ref }
kind-damaged_in_transit = Przykro nam, że produkt dotarł uszkodzony ({ $items }). Czy możesz przesłać zdjęcie produktu i kartonu? Rozwiążemy sprawę, gdy tylko je zobaczymy.
    .subject = Uszkodzony produkt: { $order_ref }
kind-wrong_item_received = Przepraszamy, wysłaliśmy zły produkt ({ $order_ref }). Czy możesz przesłać zdjęcie tego, co otrzymałeś? Od razu wyślemy właściwy: { $items }.
    .subject = Zły produkt: { $order_ref }
kind-missing_item = Przykro nam, że w paczce zabrakło produktu ({ $items }) – { $order_ref }. Sprawdzamy to z magazynem i wyślemy brakującą część.
    .subject = Brakujący produkt: { $order_ref }
kind-not_as_described = Przykro nam, że produkt ({ $items }) nie odpowiada opisowi. Czy możesz napisać, czym się różni, najlepiej ze zdjęciem?
    .subject = Niezgodność z opisem: { $items }
kind-defective_item = Przykro nam, że produkt ({ $items }) nie działa, jak powinien. Czy możesz opisać wadę i przesłać zdjęcie lub krótki film? Obejmuje go nasza gwarancja.
    .subject = Reklamacja: { $order_ref }
kind-return_request = Dziękujemy za wiadomość. Możesz zwrócić produkty ({ $items }) – { $order_ref }: wyślemy Ci etykietę zwrotną, a pieniądze zwrócimy, gdy paczka do nas dotrze.
    .subject = Zwrot: { $items }
kind-exchange_request = Chętnie pomożemy w wymianie ({ $items }). Napisz, jaki rozmiar lub kolor wybierasz, a wyślemy darmową etykietę zwrotną.
    .subject = Wymiana: { $items }
kind-return_policy_question = Dziękujemy za pytanie. Zwrot lub wymianę możesz w każdej chwili rozpocząć na stronie zamówienia; najważniejsze zasady są poniżej.
    .subject = Zasady zwrotów
kind-refund_status = Zwrot pieniędzy ({ $amount }) – { $order_ref } – jest w drodze. Środki powinny pojawić się na koncie { $refund_when }.
    .subject = Zwrot pieniędzy: { $order_ref }
kind-wrong_charge = Przepraszamy za kłopot z płatnością ({ $order_ref }). Sprawdzamy ją u operatora płatności; jeśli pobraliśmy pieniądze dwa razy lub za dużo, zwrócimy całą różnicę.
    .subject = Płatność: { $order_ref }
kind-payment_not_reflected = Dziękujemy za informację. Przypisujemy Twoją płatność ({ $order_ref }); przelew może do nas dotrzeć w ciągu 1–3 dni roboczych. Prosimy nie płacić ponownie.
    .subject = Płatność: { $order_ref }
kind-store_unavailable = Przykro nam, że sklep sprawił Ci kłopot. Spróbuj ponownie za kilka minut; jeśli błąd się powtórzy, odpisz ze zrzutem ekranu, a pomożemy złożyć zamówienie.
    .subject = Problem ze sklepem
kind-phishing_report = Dziękujemy za ostrzeżenie. Ta wiadomość nie pochodzi od nas: nigdy nie prosimy o hasła ani numery kart w e-mailu czy SMS-ie. Nie klikaj w linki, a jeśli podałeś dane karty, skontaktuj się z bankiem.
    .subject = Podejrzana wiadomość w naszym imieniu
kind-other = Dziękujemy za wiadomość. Otrzymaliśmy ją i odpowiemy najszybciej, jak to możliwe.
    .subject = Twoja wiadomość

remedy-amend_order = Zmieniliśmy { $order_ref } zgodnie z prośbą. Produkty: { $items }. Wysyłka odbędzie się normalnie.
    .subject = Zmienione: { $order_ref }
remedy-cancel_order = Anulowaliśmy { $order_ref }. Kwota { $amount } wróci na Twoje konto { $refund_when }.
    .subject = Anulowane: { $order_ref }
remedy-carrier_trace = Zgłosiliśmy reklamację u przewoźnika ({ $carrier }) – { $order_ref }. { $tracking_line } Odezwiemy się w ciągu 2 dni roboczych; jeśli paczka zaginęła, wyślemy nową lub zwrócimy pieniądze.
    .subject = Szukamy przesyłki: { $order_ref }
remedy-reship = Wysyłamy ponownie, bez opłat: { $items }. { $tracking_line } Paczka powinna dotrzeć { $delivery_when }.
    .subject = Ponowna wysyłka: { $order_ref }
remedy-exchange = Wymiana zatwierdzona: wyślemy { $items }, gdy tylko Twój zwrot będzie w drodze. { $tracking_line }
    .subject = Wymiana: { $order_ref }
remedy-return_refund = Zwrot zatwierdzony. Odeślij produkty ({ $items }) z załączoną etykietą; gdy dotrą, zwrócimy { $amount }, a środki pojawią się na koncie { $refund_when }.
    .subject = Zwrot: { $order_ref }
remedy-refund_keep_item = Zwróciliśmy { $amount } za produkty ({ $items }); możesz je zatrzymać. Pieniądze pojawią się na koncie { $refund_when }.
    .subject = Zwrot pieniędzy: { $order_ref }
remedy-partial_refund = Zwróciliśmy część kwoty: { $amount } ({ $order_ref }). Środki pojawią się na koncie { $refund_when }.
    .subject = Częściowy zwrot: { $order_ref }
remedy-store_credit = Dodaliśmy do Twojego konta saldo w sklepie: { $amount }. Możesz je wykorzystać przy dowolnym zamówieniu.
    .subject = Saldo w sklepie: { $order_ref }
remedy-compensation = Przepraszamy za kłopot. W ramach przeprosin dodaliśmy do Twojego konta bon o wartości { $amount } na kolejne zakupy.
    .subject = Przeprosiny: { $order_ref }
remedy-refund_duplicate_charge = Masz rację: { $order_ref } zostało opłacone dwa razy. Zwróciliśmy podwójnie pobraną kwotę { $amount }; pojawi się na koncie { $refund_when }.
    .subject = Zwrot podwójnej płatności
remedy-reissue_invoice = Wystawiliśmy fakturę korygującą ({ $order_ref }). Jest w załączniku i na stronie zamówienia.
    .subject = Faktura korygująca: { $order_ref }
remedy-inform = Dziękujemy za pytanie ({ $order_ref }). Oto najważniejsze informacje.
    .subject = Informacja: { $order_ref }
remedy-escalate = Przekazaliśmy Twoją sprawę ({ $order_ref }) specjaliście z naszego zespołu, który odezwie się w ciągu 1 dnia roboczego.
    .subject = Twoja sprawa: { $order_ref }

# The last lines of an answer sent by email: how to answer, and who writes.
email-footer = Odpowiedz na tę wiadomość, aby dopisać coś do sprawy { $case }.
    { $shop }

## Przypomnienia, które Redress wysyła sam.
follow-reminder = Wciąż czekamy na Twoją odpowiedź w sprawie { $case }. Odpowiedz na tę wiadomość, gdy tylko możesz, aby { $shop } mógł wszystko naprawić.
follow-closed = Nie otrzymaliśmy odpowiedzi, więc sprawa { $case } została zamknięta. Jeśli nadal potrzebujesz pomocy, odpowiedz, a otworzymy ją ponownie.
follow-return-reminder = Zwrot w sprawie { $case } nie został jeszcze wysłany. Wyślij go wkrótce, aby { $shop } mógł dokończyć zwrot pieniędzy lub wymianę.
follow-survey = Jak nam poszło w sprawie { $case }? Oceń nas od 1 do 5 jednym kliknięciem: { $link }
# A refund asked for that waits for approval: never said to be on its way.
refund-awaiting = Zwrot pieniędzy ({ $amount }) – { $order_ref } – został zlecony i czeka na zatwierdzenie przez nasz zespół. Napiszemy, gdy tylko zostanie zatwierdzony i wysłany.
    .subject = Zwrot pieniędzy: { $order_ref }
# Powiadomienia: co klient otrzymuje na swoim kanale, gdy coś dzieje się w sprawie.
follow-refund-sent = { $shop } wysyła zwrot pieniędzy w kwocie { $amount } w sprawie { $case }. W zależności od banku może to potrwać kilka dni roboczych.
follow-refund-sent-by = { $shop } wysyła zwrot pieniędzy w kwocie { $amount } w sprawie { $case }. Środki powinny być na koncie do { $date }.
follow-label-issued = Etykieta zwrotna w sprawie { $case } jest gotowa. Wydrukuj ją, naklej na paczkę i przekaż paczkę przewoźnikowi.
follow-resolved = Sprawa { $case } jest rozwiązana. Jeśli coś jest jeszcze nie tak, odpowiedz na tę wiadomość, a otworzymy ją ponownie.
follow-portal-link = Zamówienie i tę sprawę możesz zawsze sprawdzić tutaj: { $link }
