agent-reply-photos =
    Dzień dobry,

    bardzo przepraszamy – zamówienie { $order } nie powinno tak do Państwa dotrzeć. Żeby szybko to załatwić, prosimy o dwa–trzy zdjęcia: produktu, jego metki i kartonu, w którym przyszedł. Gdy je dostaniemy, wyślemy nowy egzemplarz albo zwrócimy pieniądze – jak Państwo wolą – bez żadnych kosztów odesłania.

    Pozdrawiamy,
    { $agent }
    Northwind Outfitters
customer-answer-photos =
    Dzień dobry, w załączniku zdjęcia produktu, metki i kartonu. Dziękuję za szybką odpowiedź.
agent-reply-trace =
    Dzień dobry,

    dziękujemy za cierpliwość. Sprawdziliśmy zamówienie { $order }: przesyłka { $tracking } jest u przewoźnika { $carrier }. Zleciliśmy jej poszukiwanie i odezwiemy się w ciągu dwóch dni roboczych. Jeśli paczka się nie odnajdzie, wyślemy nową albo zwrócimy całą kwotę – do wyboru.

    Pozdrawiamy,
    { $agent }
customer-answer-trace =
    Dziękuję. Proszę o informację, jak tylko coś będzie wiadomo – czekam już dość długo.
agent-reply-amend =
    Dzień dobry,

    dobra wiadomość: zamówienie { $order } jeszcze nie opuściło magazynu, więc możemy je zmienić. Wstrzymaliśmy wysyłkę. Prosimy o potwierdzenie, jaką dokładnie zmianę wprowadzić – zaktualizujemy zamówienie od razu.

    Pozdrawiamy,
    { $agent }
customer-answer-amend =
    Tak, proszę postąpić zgodnie z moją pierwszą wiadomością. Dziękuję!
agent-reply-invoice =
    Dzień dobry,

    dziękujemy za dane. Poprosiliśmy księgowość o wystawienie faktury do zamówienia { $order }. Prosimy jeszcze o potwierdzenie nazwy firmy, adresu i NIP-u dokładnie w takiej formie, w jakiej mają się znaleźć na fakturze. Faktura przyjdzie mailem w ciągu dwóch dni roboczych.

    Pozdrawiamy,
    { $agent }
customer-answer-invoice =
    Tak, proszę postąpić zgodnie z moją pierwszą wiadomością. Dziękuję!
agent-reply-returns =
    Dzień dobry,

    oczywiście. Na zwrot lub wymianę nienoszonych produktów z metkami jest 30 dni od doręczenia. Przygotowaliśmy zwrot dla zamówienia { $order } – etykieta zwrotna przyjdzie wkrótce mailem, paczkę można nadać także w paczkomacie. Przy wymianie nowy rozmiar wysyłamy, gdy tylko przewoźnik zeskanuje Państwa paczkę. Produkty z wyprzedaży końcowej oraz otwarte produkty higieniczne (bielizna, stroje kąpielowe) można zwrócić tylko w razie wady.

    Pozdrawiamy,
    { $agent }
customer-answer-returns =
    Tak, poproszę. Dziękuję za pomoc!
agent-reply-warehouse =
    Dzień dobry,

    przepraszamy za brakujący produkt w zamówieniu { $order }. Poprosiliśmy magazyn o sprawdzenie zapisu z pakowania i wagi paczki. Gdy tylko to potwierdzą, wyślemy brakujący produkt ekspresowo, bez żadnych kosztów, i prześlemy nowy numer przesyłki.

    Pozdrawiamy,
    { $agent }
customer-answer-warehouse =
    Dziękuję. Proszę o informację, jak tylko coś będzie wiadomo – czekam już dość długo.
agent-reply-money =
    Dzień dobry,

    dziękujemy za zgłoszenie i przepraszamy za kłopot. Sprawdziliśmy płatności do zamówienia { $order } u operatora płatności i otworzyliśmy u nich zgłoszenie. Zlecony zwrot pojawia się na koncie zwykle w ciągu 5–10 dni roboczych; prześlemy numer referencyjny, gdy tylko go otrzymamy.

    Pozdrawiamy,
    { $agent }
customer-answer-money =
    Dziękuję. Proszę o informację, jak tylko coś będzie wiadomo – czekam już dość długo.
agent-reply-security =
    Dzień dobry,

    dziękujemy za czujność. Ta wiadomość nie pochodzi od nas: nigdy nie prosimy o dopłaty, dane karty ani dokumenty przez SMS czy komunikatory, a nasze maile przychodzą wyłącznie z domeny @northwind-outfitters.com. Zgłosiliśmy tę stronę.

    Pozdrawiamy,
    { $agent }
customer-answer-security =
    Dziękuję. Proszę o informację, jak tylko coś będzie wiadomo – czekam już dość długo.
agent-reply-outage =
    Dzień dobry,

    przepraszamy za kłopot. Dziś rano bramka płatności miała awarię, która jest już usunięta – płatności BLIK znowu działają. Nieudane próby nie zostały pobrane z konta.

    Pozdrawiamy,
    { $agent }
customer-answer-outage =
    Dziękuję. Proszę o informację, jak tylko coś będzie wiadomo – czekam już dość długo.
agent-reply-general =
    Dzień dobry,

    serdecznie dziękujemy za wiadomość! Przekazaliśmy ją całemu zespołowi. W razie jakichkolwiek pytań jesteśmy do dyspozycji.

    Pozdrawiamy,
    { $agent }
customer-answer-general =
    Dziękuję. Proszę o informację, jak tylko coś będzie wiadomo – czekam już dość długo.
