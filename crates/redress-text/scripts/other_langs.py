#!/usr/bin/env python3
"""Generates crates/redress-text/data/other_languages.jsonl: shop messages in languages Redress
does not serve (German, French, Italian, Dutch, Turkish), written for this project, so that the
language model can say "this is German" instead of forcing it into one of the five. Only the
language model reads them. Run from the repository root:

    python3 crates/redress-text/scripts/other_langs.py

Deterministic (fixed seed).
"""

import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_train import HERE, strip_accents, typo  # noqa: E402

OUT = os.path.join(HERE, "..", "data", "other_languages.jsonl")
PER_LANG = 900
SEED = 20261206

BANKS = {
    "de": {
        "greet": ["Hallo,", "Guten Tag,", "Sehr geehrte Damen und Herren,", "Hi,", "Moin,", "Servus,"],
        "body": [
            "ich habe gestern bestellt und noch keine Bestätigung bekommen.",
            "der Artikel ist leider nicht wie beschrieben.",
            "können Sie mir bitte eine Rechnung schicken?",
            "das Paket liegt angeblich beim Nachbarn, aber da ist nichts.",
            "ich möchte mein Geld zurück.",
            "warum dauert das so lange?",
            "bitte melden Sie sich so schnell wie möglich.",
            "gibt es das auch in einer anderen Farbe?",
            "der Kundenservice antwortet nicht.",
            "ich bin sehr enttäuscht von der Qualität.",
            "wann ist der Artikel wieder verfügbar?",
            "kann ich auch per Rechnung bezahlen?",
            "die Größe passt leider nicht.",
            "wo finde ich meine Bestellnummer?",
            "mein Konto wurde gesperrt, was soll ich tun?",
            "die Ware ist heute angekommen, danke.",
            "könnten Sie das bitte prüfen?",
            "ich habe keine E-Mail mit der Sendungsnummer erhalten.",
            "das ist wirklich ärgerlich.",
            "schönes Wochenende und danke für Ihre Mühe!",
            "wo ist meine Bestellung? Ich warte seit zwei Wochen.",
            "mein Paket ist beschädigt angekommen, der Karton war völlig zerdrückt.",
            "ich möchte meine Bestellung stornieren, sie wurde noch nicht versendet.",
            "laut Sendungsverfolgung wurde das Paket zugestellt, aber ich habe nichts bekommen.",
            "mir wurde der Betrag doppelt abgebucht.",
            "ich habe die falsche Größe bekommen, bestellt war M.",
            "wann bekomme ich mein Geld zurück? Die Rücksendung ist seit einer Woche bei Ihnen.",
            "die Kopfhörer funktionieren nicht, der linke Lautsprecher ist stumm.",
            "kann ich die Lieferadresse noch ändern?",
            "wie lange habe ich Zeit für eine Rückgabe?",
            "der Artikel sieht ganz anders aus als auf den Fotos.",
            "im Paket fehlt ein Teil, die Rechnung listet zwei Artikel.",
            "ich möchte die Jacke gegen eine größere umtauschen.",
            "auf der Rechnung steht der falsche Firmenname.",
            "ich habe per Überweisung bezahlt, aber die Bestellung ist noch offen.",
            "die Webseite lädt nicht und ich kann nicht bezahlen.",
            "ich habe eine seltsame SMS bekommen, angeblich von Ihnen.",
            "vielen Dank, alles ist gut angekommen!",
            "das ist schon das dritte Mal, dass ich schreibe, und niemand antwortet.",
            "ich brauche das Geschenk bis morgen, bitte dringend.",
            "DHL sagt, das Paket liegt in der Filiale, aber dort ist es nicht.",
            "könnt ihr mir bitte einen Rücksendeschein schicken?",
        ],
        "close": ["Mit freundlichen Grüßen", "Viele Grüße, Jonas", "Danke im Voraus.", "LG Anna", "Beste Grüße"],
    },
    "fr": {
        "greet": ["Bonjour,", "Bonsoir,", "Madame, Monsieur,", "Salut,", "Bonjour à tous,"],
        "body": [
            "j'ai commandé hier et je n'ai pas encore reçu de confirmation.",
            "l'article n'est malheureusement pas conforme à la description.",
            "pouvez-vous m'envoyer une facture s'il vous plaît ?",
            "le colis aurait été laissé chez le voisin, mais il n'y a rien.",
            "je veux être remboursé.",
            "pourquoi est-ce que c'est si long ?",
            "merci de me recontacter au plus vite.",
            "est-ce que ça existe dans une autre couleur ?",
            "le service client ne répond pas.",
            "je suis très déçue de la qualité.",
            "quand l'article sera-t-il de nouveau disponible ?",
            "est-ce que je peux payer en plusieurs fois ?",
            "la taille ne me va pas.",
            "où est-ce que je trouve mon numéro de commande ?",
            "mon compte a été bloqué, que dois-je faire ?",
            "j'ai bien reçu la marchandise aujourd'hui, merci.",
            "pourriez-vous vérifier s'il vous plaît ?",
            "je n'ai reçu aucun e-mail avec le numéro de suivi.",
            "c'est vraiment agaçant.",
            "bon week-end et merci pour votre aide !",
            "où en est ma commande ? J'attends depuis deux semaines.",
            "mon colis est arrivé abîmé, le carton était écrasé.",
            "je voudrais annuler ma commande, elle n'est pas encore partie.",
            "le suivi indique livré mais je n'ai rien reçu.",
            "j'ai été débité deux fois pour la même commande.",
            "j'ai reçu la mauvaise taille, j'avais commandé un M.",
            "quand vais-je être remboursé ? Le retour est chez vous depuis une semaine.",
            "le casque ne marche pas, l'écouteur gauche ne fait aucun son.",
            "est-ce que je peux encore changer l'adresse de livraison ?",
            "combien de temps ai-je pour faire un retour ?",
            "l'article ne ressemble pas du tout aux photos.",
            "il manque un article dans le colis.",
            "je souhaite échanger la veste contre une taille au-dessus.",
            "le nom de la société est faux sur la facture.",
            "j'ai payé par virement mais la commande est toujours en attente.",
            "le site ne charge pas et je n'arrive pas à payer.",
            "j'ai reçu un SMS bizarre qui se fait passer pour vous.",
            "merci beaucoup, tout est bien arrivé !",
            "c'est la troisième fois que j'écris et personne ne répond.",
            "c'est un cadeau pour demain, c'est urgent svp.",
            "Colissimo dit que le colis est au point relais mais il n'y est pas.",
            "pouvez-vous m'envoyer une étiquette de retour s'il vous plaît ?",
        ],
        "close": ["Cordialement", "Merci d'avance.", "Bien à vous, Claire", "Bonne journée", "Merci !"],
    },
    "it": {
        "greet": ["Buongiorno,", "Salve,", "Ciao,", "Gentile assistenza,", "Buonasera,"],
        "body": [
            "ho ordinato ieri e non ho ancora ricevuto la conferma.",
            "purtroppo l'articolo non corrisponde alla descrizione.",
            "potete mandarmi la fattura per favore?",
            "il pacco sarebbe stato lasciato al vicino, ma non c'è niente.",
            "voglio indietro i miei soldi.",
            "perché ci vuole così tanto?",
            "vi prego di ricontattarmi il prima possibile.",
            "c'è anche in un altro colore?",
            "il servizio clienti non risponde.",
            "sono molto delusa dalla qualità.",
            "quando sarà di nuovo disponibile l'articolo?",
            "posso pagare a rate?",
            "la taglia purtroppo non va bene.",
            "dove trovo il numero dell'ordine?",
            "il mio account è stato bloccato, cosa devo fare?",
            "la merce è arrivata oggi, grazie.",
            "potreste controllare per cortesia?",
            "non ho ricevuto nessuna email con il numero di spedizione.",
            "è davvero fastidioso.",
            "buon fine settimana e grazie del vostro aiuto!",
            "ciao, volevo sapere se il mio pacco è già partito.",
            "il corriere non è mai passato.",
            "dov'è il mio ordine? Aspetto da due settimane.",
            "il pacco è arrivato danneggiato, la scatola era schiacciata.",
            "vorrei annullare il mio ordine, non è ancora stato spedito.",
            "il tracciamento dice consegnato ma non ho ricevuto niente.",
            "mi avete addebitato due volte lo stesso importo.",
            "ho ricevuto la taglia sbagliata, avevo ordinato una M.",
            "quando riceverò il rimborso? Il reso è da voi da una settimana.",
            "le cuffie non funzionano, quella sinistra non suona.",
            "posso ancora cambiare l'indirizzo di consegna?",
            "quanti giorni ho per fare un reso?",
            "l'articolo non assomiglia per niente alle foto.",
            "nel pacco manca un articolo.",
            "vorrei cambiare la giacca con una taglia più grande.",
            "sulla fattura c'è il nome sbagliato dell'azienda.",
            "ho pagato con bonifico ma l'ordine risulta ancora non pagato.",
            "il sito non si carica e non riesco a pagare.",
            "ho ricevuto un SMS strano che sembra vostro.",
            "grazie mille, è arrivato tutto perfetto!",
            "è la terza volta che scrivo e nessuno risponde.",
            "è un regalo per domani, è urgente per favore.",
            "il corriere dice che il pacco è in giacenza ma non mi hanno avvisato.",
            "potete mandarmi l'etichetta per il reso?",
        ],
        "close": ["Cordiali saluti", "Grazie in anticipo.", "Saluti, Marco", "Buona giornata", "Grazie!"],
    },
    "nl": {
        "greet": ["Hallo,", "Goedemiddag,", "Beste klantenservice,", "Hoi,", "Goedendag,"],
        "body": [
            "ik heb gisteren besteld en nog geen bevestiging gekregen.",
            "het artikel is helaas niet zoals beschreven.",
            "kunnen jullie mij een factuur sturen?",
            "het pakket zou bij de buren liggen, maar daar is niets.",
            "ik wil mijn geld terug.",
            "waarom duurt het zo lang?",
            "neem alsjeblieft zo snel mogelijk contact op.",
            "is dit er ook in een andere kleur?",
            "de klantenservice reageert niet.",
            "ik ben erg teleurgesteld in de kwaliteit.",
            "wanneer is het artikel weer op voorraad?",
            "kan ik ook achteraf betalen?",
            "de maat past helaas niet.",
            "waar vind ik mijn bestelnummer?",
            "mijn account is geblokkeerd, wat moet ik doen?",
            "de spullen zijn vandaag aangekomen, bedankt.",
            "kunnen jullie dat even nakijken?",
            "ik heb geen mail met het trackingnummer ontvangen.",
            "dit is echt vervelend.",
            "fijn weekend en bedankt voor de moeite!",
            "waar is mijn bestelling? Ik wacht al twee weken.",
            "mijn pakket is beschadigd aangekomen, de doos was helemaal ingedeukt.",
            "ik wil mijn bestelling annuleren, hij is nog niet verzonden.",
            "volgens de track en trace is het bezorgd maar ik heb niets ontvangen.",
            "er is twee keer geld afgeschreven voor dezelfde bestelling.",
            "ik heb de verkeerde maat gekregen, ik had M besteld.",
            "wanneer krijg ik mijn geld terug? Het retourpakket is al een week bij jullie.",
            "de koptelefoon doet het niet, links komt geen geluid uit.",
            "kan ik het afleveradres nog wijzigen?",
            "hoe lang heb ik om iets te retourneren?",
            "het artikel lijkt helemaal niet op de foto's.",
            "er ontbreekt een artikel in het pakket.",
            "ik wil de jas ruilen voor een maat groter.",
            "op de factuur staat de verkeerde bedrijfsnaam.",
            "ik heb via iDEAL betaald maar de bestelling staat nog open.",
            "de website laadt niet en ik kan niet afrekenen.",
            "ik kreeg een vreemde sms die van jullie lijkt te komen.",
            "bedankt, alles is goed aangekomen!",
            "dit is al de derde keer dat ik mail en niemand reageert.",
            "het is een cadeau voor morgen, het is dringend.",
            "PostNL zegt dat het pakket bij de buren ligt maar die hebben niets.",
            "kunnen jullie me een retourlabel sturen?",
        ],
        "close": ["Met vriendelijke groet", "Alvast bedankt.", "Groetjes, Sanne", "Fijne dag", "Dank je!"],
    },
    "tr": {
        "greet": ["Merhaba,", "İyi günler,", "Selam,", "Sayın yetkili,", "Kolay gelsin,"],
        "body": [
            "dün sipariş verdim ama hâlâ onay gelmedi.",
            "ürün maalesef açıklamadaki gibi değil.",
            "bana fatura gönderebilir misiniz lütfen?",
            "paket komşuya bırakılmış deniyor ama orada bir şey yok.",
            "paramı geri istiyorum.",
            "neden bu kadar uzun sürüyor?",
            "lütfen en kısa sürede bana dönün.",
            "bunun başka rengi var mı?",
            "müşteri hizmetleri cevap vermiyor.",
            "kaliteden çok hayal kırıklığına uğradım.",
            "ürün ne zaman tekrar stoğa girer?",
            "taksitle ödeyebilir miyim?",
            "beden maalesef olmadı.",
            "sipariş numaramı nerede bulabilirim?",
            "hesabım kilitlendi, ne yapmalıyım?",
            "ürünler bugün geldi, teşekkürler.",
            "kontrol edebilir misiniz lütfen?",
            "kargo takip numarası olan bir e-posta almadım.",
            "bu gerçekten can sıkıcı.",
            "i̇yi hafta sonları, yardımınız için teşekkürler!",
            "siparişim nerede? İki haftadır bekliyorum.",
            "paketim hasarlı geldi, kutu tamamen ezilmişti.",
            "siparişimi iptal etmek istiyorum, henüz kargoya verilmedi.",
            "kargo takibinde teslim edildi yazıyor ama hiçbir şey almadım.",
            "aynı sipariş için iki kez ücret alındı.",
            "yanlış beden geldi, M sipariş etmiştim.",
            "param ne zaman iade edilecek? İade paketi bir haftadır sizde.",
            "kulaklık çalışmıyor, sol taraftan ses gelmiyor.",
            "teslimat adresini hâlâ değiştirebilir miyim?",
            "iade için kaç günüm var?",
            "ürün fotoğraflara hiç benzemiyor.",
            "paketten bir ürün eksik çıktı.",
            "ceketi bir beden büyüğüyle değiştirmek istiyorum.",
            "faturada şirket adı yanlış yazılmış.",
            "havale ile ödedim ama sipariş hâlâ ödeme bekliyor görünüyor.",
            "site açılmıyor ve ödeme yapamıyorum.",
            "sizden geldiğini iddia eden garip bir SMS aldım.",
            "çok teşekkürler, her şey sorunsuz geldi!",
            "üçüncü kez yazıyorum ve kimse cevap vermiyor.",
            "yarın için hediye, lütfen acil.",
            "kargo şirketi paketin şubede olduğunu söylüyor ama orada yok.",
            "bana iade etiketi gönderebilir misiniz?",
        ],
        "close": ["Saygılarımla", "Şimdiden teşekkürler.", "İyi çalışmalar", "Teşekkürler, Ayşe", "Kolay gelsin."],
    },
}


def main():
    rng = random.Random(SEED)
    rows = []
    for lang, bank in BANKS.items():
        seen = set()
        while len(seen) < PER_LANG:
            parts = []
            if rng.random() < 0.6:
                parts.append(rng.choice(bank["greet"]))
            body = rng.sample(bank["body"], rng.choice([1, 1, 1, 2, 3]))
            body[0] = body[0][0].upper() + body[0][1:] if not parts else body[0]
            parts.extend(body)
            if rng.random() < 0.4:
                parts.append(rng.choice(bank["close"]))
            text = " ".join(parts)
            if rng.random() < 0.3:
                text = text.lower()
            if rng.random() < 0.3:
                text = strip_accents(text)
            if rng.random() < 0.2:
                text = typo(rng, text)
            if text in seen:
                continue
            seen.add(text)
            rows.append({"text": text, "lang": lang})
    with open(OUT, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"wrote {len(rows)} examples to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
