//! Keyword lexicons: escalation signals and sentiment cue words, in English, Spanish,
//! Portuguese, Polish and Indonesian, written over accent-folded lower-case words.
//!
//! A phrase is a space-separated list of word patterns: a plain word matches exactly, `word*`
//! matches any word starting with `word`, and `?` matches any one word.

use rustc_hash::FxHashMap as HashMap;

use redress_domain::EscalationSignal;

use crate::text::{Token, WordPatterns, first_two};

/// Phrases per language code, per escalation signal. Every language also gets the English
/// list, since English words ("chargeback", "asap") turn up in every language.
const ESCALATION: &[(EscalationSignal, &str, &[&str])] = &[
    (
        EscalationSignal::Chargeback,
        "en",
        &[
            "chargeback*",
            "charge back",
            "dispute the charge",
            "dispute the payment",
            "dispute the transaction",
            "dispute it",
            "dispute with my bank",
            "dispute with my card",
            "file a dispute",
            "open a dispute",
            "raise a dispute",
            "paypal dispute",
            "paypal claim",
            "contact my bank",
            "call my bank",
            "calling my bank",
            "ask my bank",
            "tell my bank",
            "go to my bank",
            "going to my bank",
            "through my bank",
            "via my bank",
            "reverse the charge",
            "reverse the payment",
            "credit card company",
            "card issuer",
            "stop the payment",
        ],
    ),
    (
        EscalationSignal::Chargeback,
        "es",
        &[
            "contracargo*",
            "disputa*",
            "desconocer el cargo",
            "desconocer la compra",
            "desconocere el cargo",
            "reclamo al banco",
            "reclamar al banco",
            "reclamare al banco",
            "reclamacion al banco",
            "reclamacion en el banco",
            "llamar a mi banco",
            "llamare a mi banco",
            "hablar con mi banco",
            "hablare con mi banco",
            "contactar a mi banco",
            "a traves de mi banco",
            "con mi banco",
            "anular el pago",
            "revertir el cargo",
            "revertir el pago",
            "cancelar el cargo con",
        ],
    ),
    (
        EscalationSignal::Chargeback,
        "pt",
        &[
            "contestar a compra",
            "contestar a cobranca",
            "contestar o pagamento",
            "contestar no cartao",
            "contestacao",
            "vou contestar",
            "disputa*",
            "estorno no cartao",
            "estorno pelo banco",
            "estorno pelo cartao",
            "estorno ao banco",
            "pedir o estorno",
            "pedir estorno",
            "solicitar o estorno",
            "solicitar estorno",
            "ligar para o banco",
            "ligar pro banco",
            "acionar o banco",
            "acionar meu banco",
            "falar com o banco",
            "falar com meu banco",
            "pedir ao banco",
            "operadora do cartao",
            "administradora do cartao",
        ],
    ),
    (
        EscalationSignal::Chargeback,
        "pl",
        &[
            "chargeback*",
            "obciazeni* zwrotn*",
            "reklamacj* w bank*",
            "reklamacj* do bank*",
            "zglos* do bank*",
            "zglos* ? do bank*",
            "zglos* w bank*",
            "zglos* ? w bank*",
            "zakwestionuj*",
            "spor* z bank*",
            "spor* w paypal",
            "do mojego banku",
            "przez bank",
            "zwrot przez bank",
            "cofniecie transakcji",
            "cofnac platnosc",
        ],
    ),
    (
        EscalationSignal::Chargeback,
        "id",
        &[
            "chargeback",
            "charge back",
            "lapor ke bank",
            "lapor bank",
            "laporkan ke bank",
            "melapor ke bank",
            "komplain ke bank",
            "ke pihak bank",
            "sanggah transaksi",
            "sanggahan",
            "dispute",
            "blokir transaksi",
            "tarik dana lewat bank",
        ],
    ),
    (
        EscalationSignal::Legal,
        "en",
        &[
            "lawyer*",
            "attorney*",
            "solicitor*",
            "legal action",
            "legal steps",
            "take legal",
            "legally",
            "sue",
            "suing",
            "sued",
            "court",
            "small claims",
            "consumer protection",
            "consumer rights",
            "my rights",
            "trading standards",
            "ombudsman",
            "ftc",
            "lawsuit",
            "report you to the",
            "authorities",
        ],
    ),
    (
        EscalationSignal::Legal,
        "es",
        &[
            "abogad*",
            "demanda*",
            "demandar*",
            "demandare",
            "denuncia*",
            "denunciar*",
            "tribunal*",
            "juzgado",
            "juicio",
            "profeco",
            "sernac",
            "indecopi",
            "omic",
            "consumo",
            "defensa del consumidor",
            "proteccion al consumidor",
            "derechos del consumidor",
            "mis derechos",
            "via legal",
            "acciones legales",
            "accion legal",
            "medidas legales",
            "hoja de reclamaciones",
            "libro de reclamaciones",
        ],
    ),
    (
        EscalationSignal::Legal,
        "pt",
        &[
            "advogad*",
            "processo judicial",
            "vou processar",
            "processar voces",
            "processar a loja",
            "processar a empresa",
            "procon",
            "justica",
            "juizado",
            "pequenas causas",
            "defesa do consumidor",
            "direitos do consumidor",
            "meus direitos",
            "codigo de defesa",
            "cdc",
            "acao judicial",
            "medidas legais",
            "medidas judiciais",
            "tribunal",
            "denuncia*",
            "denunciar",
        ],
    ),
    (
        EscalationSignal::Legal,
        "pl",
        &[
            "prawnik*",
            "adwokat*",
            "radc* prawn*",
            "sad",
            "sadu",
            "sadem",
            "sadowej",
            "sadowa",
            "sadownie",
            "pozew",
            // Not `pozw*`: that also matches `pozwala` ("allows").
            "pozew",
            "pozwe",
            "pozwu",
            "pozwem",
            "pozwac",
            "pozwiemy",
            "pozwie",
            "uokik",
            "rzecznik* praw konsument*",
            "rzecznik* konsument*",
            "praw* konsument*",
            "moje prawa",
            "kroki prawne",
            "krokow prawnych",
            "droga prawna",
            "droge prawna",
            "na drodze prawnej",
            "policj*",
            "prokuratur*",
        ],
    ),
    (
        EscalationSignal::Legal,
        "id",
        &[
            "pengacara",
            "kuasa hukum",
            "jalur hukum",
            "ranah hukum",
            "proses hukum",
            "hukum",
            "tuntut",
            "menuntut",
            "tuntutan",
            "gugat",
            "menggugat",
            "gugatan",
            "pengadilan",
            "bpsk",
            "ylki",
            "perlindungan konsumen",
            "hak konsumen",
            "lapor polisi",
            "polisi",
            "somasi",
        ],
    ),
    (
        EscalationSignal::PublicReview,
        "en",
        &[
            "bad review*",
            "negative review*",
            "terrible review*",
            "honest review*",
            "leave a review",
            "write a review",
            "post a review",
            "one star",
            "1 star",
            "zero stars",
            "0 stars",
            "trustpilot",
            "yelp",
            "google review*",
            "social media",
            "twitter",
            "tweet",
            "facebook",
            "instagram",
            "tiktok",
            "reddit",
            "youtube",
            "go viral",
            "tell everyone",
            "warn everyone",
            "warn others",
            "warn other",
            "post about",
            "bbb",
            "better business bureau",
        ],
    ),
    (
        EscalationSignal::PublicReview,
        "es",
        &[
            "resena*",
            "mala opinion",
            "opinion negativa",
            "mala calificacion",
            "calificacion negativa",
            "una estrella",
            "1 estrella",
            "cero estrellas",
            "redes sociales",
            "en redes",
            "publicar*",
            "publicare",
            "lo voy a publicar",
            "twitter",
            "facebook",
            "instagram",
            "tiktok",
            "escrachar",
            "viralizar",
            "todo el mundo sepa",
            "advertir a otros",
            "trustpilot",
        ],
    ),
    (
        EscalationSignal::PublicReview,
        "pt",
        &[
            "reclame aqui",
            "reclameaqui",
            "reclamacao no reclame",
            "avaliacao negativa",
            "avaliacao ruim",
            "pessima avaliacao",
            "avaliar mal",
            "uma estrela",
            "1 estrela",
            "zero estrelas",
            "redes sociais",
            "nas redes",
            "expor*",
            "vou expor",
            "postar",
            "publicar",
            "twitter",
            "facebook",
            "instagram",
            "tiktok",
            "todo mundo saber",
        ],
    ),
    (
        EscalationSignal::PublicReview,
        "pl",
        &[
            "negatywn* opini*",
            "zl* opini*",
            "wystaw* opini*",
            "opinie",
            "opinii",
            "opinia",
            "recenzj*",
            "jedna gwiazdk*",
            "1 gwiazdk*",
            "zero gwiazdek",
            "media* spolecznosciow*",
            "mediach",
            "facebook*",
            "instagram*",
            "tiktok*",
            "twitter*",
            "ceneo",
            "opisze to",
            "naglos*",
            "ostrzeg* innych",
            "trustpilot",
        ],
    ),
    (
        EscalationSignal::PublicReview,
        "id",
        &[
            "ulasan",
            "ulasan buruk",
            "ulasan jelek",
            "review jelek",
            "review buruk",
            "kasih review",
            "bintang 1",
            "bintang satu",
            "rating 1",
            "rating jelek",
            "viral*",
            "memviralkan",
            "media sosial",
            "medsos",
            "sosmed",
            "twitter",
            "instagram",
            "facebook",
            "tiktok",
            "posting",
            "aku posting",
            "saya posting",
            "spill",
        ],
    ),
    (
        EscalationSignal::RepeatContact,
        "en",
        &[
            "already wrote",
            "already written",
            "already emailed",
            "already contacted",
            "already called",
            "already asked",
            "already messaged",
            "already reported",
            "already told",
            "already sent",
            "wrote before",
            "written before",
            "wrote to you",
            "emailed you",
            "contacted you",
            "second time",
            "third time",
            "fourth time",
            "fifth time",
            "many times",
            "several times",
            "multiple times",
            "countless times",
            "numerous times",
            "times already",
            "still no answer",
            "still no response",
            "still no reply",
            "no one answered",
            "no one has answered",
            "nobody answered",
            "nobody has answered",
            "no one replied",
            "nobody replied",
            "no reply",
            "no response",
            "keep asking",
            "keep writing",
            "keep emailing",
            "again and again",
            "how many times",
            "once again",
            "writing again",
            "asking again",
            "contacting you again",
            "previous email*",
            "previous message*",
            "my last email",
            "my last message",
            "last time i wrote",
            "following up",
            "follow up on",
            "ticket number",
            "chasing",
        ],
    ),
    (
        EscalationSignal::RepeatContact,
        "es",
        &[
            "escribo otra vez",
            "pregunto otra vez",
            "escribo de nuevo",
            "pregunto de nuevo",
            "reclamo de nuevo",
            "escribo nuevamente",
            "nuevamente les escribo",
            "ya escribi",
            "ya les escribi",
            "ya os escribi",
            "ya envie",
            "ya mande",
            "ya llame",
            "ya reclame",
            "ya pregunte",
            "ya me comunique",
            "ya los contacte",
            "ya les contacte",
            "les escribi",
            "varias veces",
            "muchas veces",
            "mil veces",
            "segunda vez",
            "tercera vez",
            "cuarta vez",
            "sigo sin respuesta",
            "sigo esperando respuesta",
            "sin respuesta",
            "nadie responde",
            "nadie me responde",
            "nadie contesta",
            "nadie me contesta",
            "no me responden",
            "no me contestan",
            "no responden",
            "no contestan",
            "vuelvo a escribir",
            "vuelvo a escribirles",
            "vuelvo a preguntar",
            "insisto",
            "reitero",
            "mi mensaje anterior",
            "mi correo anterior",
        ],
    ),
    (
        EscalationSignal::RepeatContact,
        "pt",
        &[
            "escrevendo de novo",
            "pergunto de novo",
            "escrevo novamente",
            "contato novamente",
            "escrevo outra vez",
            "mais uma vez",
            "ja escrevi",
            "ja mandei",
            "ja enviei",
            "ja entrei em contato",
            "ja liguei",
            "ja reclamei",
            "ja perguntei",
            "ja falei",
            "varias vezes",
            "muitas vezes",
            "mil vezes",
            "segunda vez",
            "terceira vez",
            "quarta vez",
            "sem resposta",
            "sem retorno",
            "nenhuma resposta",
            "nenhum retorno",
            "ninguem responde",
            "ninguem me responde",
            "ninguem retorna",
            "ninguem me retorna",
            "nao me respondem",
            "nao respondem",
            "continuo sem resposta",
            "continuo esperando",
            "volto a escrever",
            "volto a perguntar",
            "reitero",
            "minha mensagem anterior",
            "meu email anterior",
            "meu e mail anterior",
        ],
    ),
    (
        EscalationSignal::RepeatContact,
        "pl",
        &[
            "pisze znowu",
            "znowu pisze",
            "pisze ponownie",
            "ponownie pisze",
            "ponownie prosze",
            "po raz kolejny",
            "po raz drugi",
            "po raz trzeci",
            "po raz czwarty",
            "kolejny raz",
            "juz pisal*",
            "juz dzwonil*",
            "juz zglasz*",
            "juz wysylal*",
            "juz kontaktowal*",
            "pisze juz",
            "pisze po raz",
            "drugi raz",
            "trzeci raz",
            "kilka razy",
            "wiele razy",
            "kilkukrotnie",
            "wielokrotnie",
            "bez odpowiedzi",
            "brak odpowiedzi",
            "zadnej odpowiedzi",
            "nikt nie odpowiada",
            "nikt nie odpisuje",
            "nikt mi nie odpisal",
            "nikt nie odpisal",
            "nikt nie odpowiedzial",
            "nadal czekam na odpowiedz",
            "wciaz czekam na odpowiedz",
            "ponawiam",
            "poprzedni* wiadomos*",
            "poprzedni* mail*",
        ],
    ),
    (
        EscalationSignal::RepeatContact,
        "id",
        &[
            "berkali kali",
            "sudah berkali",
            "udah berkali",
            "beberapa kali",
            "sudah chat",
            "udah chat",
            "sudah email",
            "udah email",
            "sudah menghubungi",
            "sudah hubungi",
            "udah hubungi",
            "sudah komplain",
            "udah komplain",
            "sudah lapor",
            "udah lapor",
            "sudah tanya",
            "udah tanya",
            "sudah kirim pesan",
            "kedua kalinya",
            "ketiga kalinya",
            "kesekian kalinya",
            "kesekian kali",
            "kali kedua",
            "kali ketiga",
            "tidak ada balasan",
            "gak ada balasan",
            "ga ada balasan",
            "nggak ada balasan",
            "tidak dibalas",
            "ga dibalas",
            "gak dibalas",
            "belum dibalas",
            "belum ada balasan",
            "tidak ada respon",
            "ga ada respon",
            "gak ada respon",
            "tidak direspon",
            "ga direspon",
            "gak direspon",
            "chat lagi",
            "email lagi",
            "hubungi lagi",
            "menghubungi lagi",
            "komplain lagi",
        ],
    ),
    (
        EscalationSignal::Urgent,
        "en",
        &[
            "urgent*",
            "asap",
            "as soon as possible",
            "immediately",
            "right away",
            "right now",
            "emergency",
            "time sensitive",
            "need it by",
            "need it for",
            "need this by",
            "need them by",
            "need it before",
            "by tomorrow",
            "for tomorrow",
            "hurry",
            "as fast as",
            "quickly please",
            "today please",
            "without delay",
            "critical",
        ],
    ),
    (
        EscalationSignal::Urgent,
        "es",
        &[
            "urgent*",
            "cuanto antes",
            "lo antes posible",
            "lo mas pronto posible",
            "inmediat*",
            "de inmediato",
            "ya mismo",
            "hoy mismo",
            "es para manana",
            "para manana",
            "lo necesito para",
            "lo necesito antes",
            "rapido por favor",
            "sin demora",
            "emergencia",
            "apurense",
            "asap",
        ],
    ),
    (
        EscalationSignal::Urgent,
        "pt",
        &[
            "urgent*",
            "urgencia",
            "o quanto antes",
            "o mais rapido possivel",
            "o mais breve possivel",
            "imediatamente",
            "de imediato",
            "hoje mesmo",
            "para amanha",
            "pra amanha",
            "preciso disso para",
            "preciso para",
            "com urgencia",
            "rapido por favor",
            "sem demora",
            "emergencia",
            "asap",
        ],
    ),
    (
        EscalationSignal::Urgent,
        "pl",
        &[
            "pilne",
            "pilnie",
            "pilna",
            "pilny",
            "pilnego",
            "natychmiast*",
            "jak najszybciej",
            "jak najpredzej",
            "na juz",
            "na jutro",
            "niezwlocznie",
            "bezzwlocznie",
            "szybko prosze",
            "potrzebuje tego na",
            "potrzebuje go na",
            "potrzebuje jej na",
            "asap",
            "sprawa niecierpiaca zwloki",
        ],
    ),
    (
        EscalationSignal::Urgent,
        "id",
        &[
            "urgent",
            "mendesak",
            "segera",
            "secepatnya",
            "sesegera mungkin",
            "cepetan",
            "buruan",
            "tolong cepat",
            "cepat ya",
            "cepat dong",
            "sekarang juga",
            "hari ini juga",
            "darurat",
            "asap",
            "butuh besok",
            "buat besok",
            "untuk besok",
            "dipakai besok",
            "tolong dipercepat",
        ],
    ),
];

/// Words that lean a message negative or positive; used as extra features by the sentiment
/// model and as a fall-back when it is unsure.
const NEGATIVE: &[&str] = &[
    // en
    "angry",
    "furious",
    "terrible",
    "awful",
    "horrible",
    "worst",
    "disappoint*",
    "unacceptable",
    "ridiculous",
    "scam*",
    "useless",
    "annoy*",
    "frustrat*",
    "upset",
    "hate",
    "disgust*",
    "pathetic",
    "shame*",
    "fraud*",
    "incompeten*",
    "rubbish",
    "garbage",
    "crap",
    "sucks",
    "fed",
    "sick",
    "never",
    "bad",
    "poor",
    "broken",
    "wtf",
    "joke",
    "nightmare",
    "mad",
    // es
    "enojad*",
    "enfadad*",
    "furios*",
    "terrible",
    "horrible",
    "pesim*",
    "decepcion*",
    "inaceptable",
    "ridicul*",
    "estafa*",
    "inutil*",
    "molest*",
    "harto",
    "harta",
    "verguenza",
    "fraude",
    "basura",
    "mal",
    "malo",
    "mala",
    "peor",
    "indignad*",
    "lamentable",
    "desastre",
    "porqueria",
    // pt
    "irritad*",
    "furios*",
    "pessim*",
    "horrivel",
    "decepcion*",
    "inaceitavel",
    "ridicul*",
    "golpe*",
    "inutil",
    "absurdo",
    "absurda",
    "revoltad*",
    "vergonha",
    "fraude",
    "lixo",
    "ruim",
    "pior",
    "chatead*",
    "indignad*",
    "lamentavel",
    "desrespeito",
    "palhacada",
    "cansad*",
    // pl
    "zly",
    "zla",
    "wsciek*",
    "okropn*",
    "straszn*",
    "fataln*",
    "najgorsz*",
    "rozczarowan*",
    "rozczarowa*",
    "niedopuszczaln*",
    "skandal*",
    "oszust*",
    "oszukan*",
    "bezuzyteczn*",
    "irytuj*",
    "zenad*",
    "wstyd*",
    "dramat",
    "masakra",
    "tragedia",
    "tragiczn*",
    "kpina",
    "zalosn*",
    "niezadowolon*",
    "beznadziejn*",
    "zdenerwowan*",
    "denerwuj*",
    "sfrustrowan*",
    // id
    "kecewa",
    "marah",
    "kesal",
    "kesel",
    "jelek",
    "buruk",
    "parah",
    "payah",
    "penipu*",
    "tipu",
    "nipu",
    "bohong",
    "mengecewakan",
    "menyebalkan",
    "sebel",
    "sebal",
    "lambat",
    "lelet",
    "rusak",
    "gak",
    "nggak",
    "tidak",
    "bodoh",
    "sampah",
    "anjir",
    "anjing",
    "kampret",
    "zonk",
    "kapok",
    "rugi",
    "hancur",
    "bete",
];

const POSITIVE: &[&str] = &[
    // en
    "thank*",
    "thx",
    "thanx",
    "great",
    "awesome",
    "amazing",
    "love*",
    "perfect*",
    "excellent",
    "happy",
    "appreciate*",
    "wonderful",
    "fantastic",
    "helpful",
    "glad",
    "nice",
    "good",
    "pleased",
    "satisfied",
    "best",
    "cheers",
    "kind",
    "quick",
    "fast",
    // es
    "gracias",
    "genial*",
    "excelente",
    "perfect*",
    "encant*",
    "feliz",
    "contento",
    "contenta",
    "maravill*",
    "agradezco",
    "agradecid*",
    "buenisim*",
    "bueno",
    "buena",
    "rapid*",
    "amable*",
    "fenomenal",
    // pt
    "obrigad*",
    "brigad*",
    "otimo",
    "otima",
    "excelente",
    "perfeit*",
    "adorei",
    "amei",
    "feliz",
    "satisfeit*",
    "maravilh*",
    "agradeco",
    "bom",
    "boa",
    "rapid*",
    "gentil*",
    "show",
    "top",
    // pl
    "dzieki",
    "dziekuje",
    "podziek*",
    "dziekujemy",
    "super",
    "swietn*",
    "doskonal*",
    "idealn*",
    "zadowolon*",
    "wspanial*",
    "rewelac*",
    "polecam",
    "fajn*",
    "dobr*",
    "szybk*",
    "mily",
    "mila",
    "milo",
    "milego",
    "uprzejm*",
    // id
    "terima",
    "kasih",
    "makasih",
    "trims",
    "mantap",
    "bagus",
    "keren",
    "puas",
    "senang",
    "suka",
    "cepat",
    "ramah",
    "baik",
    "recommended",
    "enak",
    "memuaskan",
    "terbaik",
    "oke",
    "sip",
];

/// Negators that flip the cue word right after them.
const NEGATORS: &[&str] =
    &["not", "no", "never", "nao", "nunca", "nie", "tidak", "gak", "nggak", "ga", "bukan", "belum"];

/// One word pattern of a phrase.
#[derive(Debug, Clone)]
enum WordPattern {
    Exact(&'static str),
    Prefix(&'static str),
    Any,
}

impl WordPattern {
    fn parse(word: &'static str) -> Self {
        if word == "?" {
            WordPattern::Any
        } else if let Some(p) = word.strip_suffix('*') {
            WordPattern::Prefix(p)
        } else {
            WordPattern::Exact(word)
        }
    }

    fn matches(&self, w: &str) -> bool {
        match self {
            WordPattern::Exact(e) => *e == w,
            WordPattern::Prefix(p) => w.starts_with(p),
            WordPattern::Any => true,
        }
    }
}

#[derive(Debug, Clone)]
struct Phrase {
    signal: EscalationSignal,
    lang: [u8; 2],
    words: Vec<WordPattern>,
}

/// An escalation hit: which signal, and the words of the message that triggered it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignalHit {
    /// The signal.
    pub signal: EscalationSignal,
    /// The message text that matched, as written.
    pub trigger: String,
    /// The token range `(first, end)` that matched.
    pub tokens: (usize, usize),
}

/// The compiled escalation lexicon.
#[derive(Debug, Clone)]
pub struct EscalationLexicon {
    phrases: Vec<Phrase>,
    /// Phrases whose first word is exact, by that word.
    by_first_word: HashMap<&'static str, Vec<usize>>,
    /// Phrases whose first word is a prefix, by the prefix's first two bytes (all prefixes in
    /// the lists are at least that long), so that a word is checked only against the prefixes
    /// it could start with.
    by_prefix_start: HashMap<[u8; 2], Vec<usize>>,
    /// Phrases whose first word is a wildcard or a one-letter prefix.
    other_first: Vec<usize>,
}

impl Default for EscalationLexicon {
    fn default() -> Self {
        Self::new()
    }
}

impl EscalationLexicon {
    /// Compiles the built-in lexicon.
    pub fn new() -> Self {
        let mut phrases = Vec::new();
        for (signal, lang, list) in ESCALATION {
            for p in *list {
                let lang = first_two(lang).unwrap_or(*b"en");
                phrases.push(Phrase { signal: *signal, lang, words: p.split(' ').map(WordPattern::parse).collect() });
            }
        }
        let mut by_first_word: HashMap<&'static str, Vec<usize>> = HashMap::default();
        let mut by_prefix_start: HashMap<[u8; 2], Vec<usize>> = HashMap::default();
        let mut other_first = Vec::new();
        for (i, p) in phrases.iter().enumerate() {
            match p.words.first() {
                Some(WordPattern::Exact(w)) => by_first_word.entry(*w).or_default().push(i),
                Some(WordPattern::Prefix(w)) => match first_two(w) {
                    Some(k) => by_prefix_start.entry(k).or_default().push(i),
                    None => other_first.push(i),
                },
                _ => other_first.push(i),
            }
        }
        Self { phrases, by_first_word, by_prefix_start, other_first }
    }

    /// Finds escalation phrases of `lang` (and of English, which every language borrows from)
    /// in `tokens`. With no language, all lists are used.
    pub fn find(&self, original: &str, tokens: &[Token], lang: Option<&str>) -> Vec<SignalHit> {
        let mut hits: Vec<SignalHit> = Vec::new();
        for start in 0..tokens.len() {
            let word = tokens[start].folded.as_str();
            let exact = self.by_first_word.get(word).map(Vec::as_slice).unwrap_or(&[]);
            let prefixed = first_two(word).and_then(|k| self.by_prefix_start.get(&k)).map(Vec::as_slice).unwrap_or(&[]);
            for &pi in exact.iter().chain(prefixed).chain(&self.other_first) {
                let phrase = &self.phrases[pi];
                // Language tags are two letters: compared as bytes, not as strings.
                if let Some(l) = lang
                    && phrase.lang != l.as_bytes()
                    && phrase.lang != *b"en"
                {
                    continue;
                }
                let k = phrase.words.len();
                if k == 0 || tokens.len() - start < k {
                    continue;
                }
                if phrase.words.iter().zip(&tokens[start..start + k]).all(|(p, t)| p.matches(&t.folded))
                    && !negated(tokens, start, lang)
                {
                    let trigger =
                        original.get(tokens[start].start..tokens[start + k - 1].end).unwrap_or_default().to_owned();
                    if !hits.iter().any(|h| h.signal == phrase.signal && h.trigger == trigger) {
                        hits.push(SignalHit { signal: phrase.signal, trigger, tokens: (start, start + k) });
                    }
                }
            }
        }
        hits
    }
}

/// Words that, together in a clause, tell urgency or repeated contact whatever the phrasing:
/// a time ("today", "amanhã", "sobota") with a request ("need", "tolong", "mandem") is a
/// deadline; a count ("third", "dos veces", "lagi") or a silence ("nobody", "nikt", "gak ada")
/// with a contact ("email", "escribí", "dzwoniłem") is repeated contact. Folded words, all five
/// languages in one list (they rarely collide, and messages mix languages).
const TIME: &[&str] = &[
    "today",
    "tonight",
    "tomorrow",
    "tmrw",
    "tmr",
    "now",
    "asap",
    "midnight",
    "weekend",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "hoy",
    "manana",
    "noche",
    "ahora",
    "ahorita",
    "lunes",
    "martes",
    "miercoles",
    "jueves",
    "viernes",
    "sabado",
    "domingo",
    "finde",
    "medianoche",
    "hoje",
    "amanha",
    "agora",
    "terca",
    "quarta",
    "quinta",
    "sexta",
    "meia",
    "dzis",
    "dzisiaj",
    "jutro",
    "teraz",
    "wieczorem",
    "poniedzial*",
    "wtor*",
    "srod*",
    "czwart*",
    "piat*",
    "sobot*",
    "niedziel*",
    "polnoc*",
    "besok",
    "sekarang",
    "nanti",
    "malam",
    "senin",
    "selasa",
    "rabu",
    "kamis",
    "jumat",
    "sabtu",
];
const REQUEST: &[&str] = &[
    "need*",
    "please",
    "pls",
    "plz",
    "must",
    "send",
    "sort",
    "fix",
    "help",
    "necesit*",
    "porfa",
    "favor",
    "manden",
    "envien",
    "mandar",
    "enviar",
    "arregl*",
    "ayud*",
    "resuelv*",
    "precis*",
    "pfv",
    "mandem",
    "enviem",
    "resolvam",
    "arrum*",
    "ajud*",
    "potrzebuj*",
    "prosze",
    "musz*",
    "musi",
    "wyslij*",
    "wyslecie",
    "napraw*",
    "pomoz*",
    "zalatw*",
    "butuh",
    "tolong",
    "harus",
    "kirim*",
    "beresin",
    "bantu",
];
const COUNT: &[&str] = &[
    "twice",
    "second",
    "third",
    "fourth",
    "fifth",
    "again",
    "already",
    "times",
    "several",
    "veces",
    "segund*",
    "tercer*",
    "cuart*",
    "otra",
    "vuelvo",
    "nuevo",
    "nuevamente",
    "vezes",
    "terceir*",
    "quart*",
    "novo",
    "outra",
    "razy",
    "drugi*",
    "trzeci*",
    "czwart*",
    "piat*",
    "ponownie",
    "znowu",
    "juz",
    "kolejn*",
    "kali",
    "kedua",
    "ketiga",
    "keempat",
    "kelima",
    "lagi",
    "berkali",
];
const CONTACT: &[&str] = &[
    "email*",
    "mail*",
    "wrote",
    "written",
    "writing",
    "message*",
    "called",
    "calling",
    "call",
    "asked",
    "asking",
    "chased",
    "contacted",
    "told",
    "chat",
    "ticket",
    "escrib*",
    "correo*",
    "mensaj*",
    "llam*",
    "pregunt*",
    "reclam*",
    "contact*",
    "dije",
    "escrev*",
    "mensag*",
    "liguei",
    "ligo",
    "ligar",
    "perguntei",
    "avisei",
    "falei",
    "contat*",
    "pisal*",
    "pisz*",
    "wiadomos*",
    "dzwoni*",
    "pytal*",
    "zglasz*",
    "kontakt*",
    "mowil*",
    "czat",
    "pesan",
    "telepon",
    "tanya",
    "komplain",
    "hubungi",
    "bilang",
    "lapor*",
    "dm",
];
const SILENCE: &[&str] = &[
    "nobody",
    "answer*",
    "reply",
    "replied",
    "replies",
    "respond*",
    "response",
    "ignored",
    "nothing",
    "never",
    "heard",
    "nadie",
    "respuesta",
    "contest*",
    "nada",
    "nunca",
    "ignor*",
    "ninguem",
    "resposta",
    "retorn*",
    "nikt",
    "odpowiedz*",
    "odpis*",
    "nic",
    "nigdy",
    "zignor*",
    "brak",
    "bales",
    "dibales",
    "balas*",
    "jawab",
    "respon",
    "dicuekin",
    "cuek*",
];

/// Which of those kinds of words a clause has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClauseCues {
    /// A time word.
    pub time: bool,
    /// A request or need.
    pub request: bool,
    /// A count or "again".
    pub count: bool,
    /// A way of getting in touch.
    pub contact: bool,
    /// No answer.
    pub silence: bool,
}

fn clause_words() -> &'static WordPatterns<u8> {
    static WORDS: std::sync::OnceLock<WordPatterns<u8>> = std::sync::OnceLock::new();
    WORDS.get_or_init(|| {
        // A word can be in several lists (`piat*`: Friday and fifth): its bits are or-ed.
        let mut bits: Vec<(&'static str, u8)> = Vec::new();
        for (list, bit) in [(TIME, 1u8), (REQUEST, 2), (COUNT, 4), (CONTACT, 8), (SILENCE, 16)] {
            for w in list {
                match bits.iter_mut().find(|(x, _)| x == w) {
                    Some((_, b)) => *b |= bit,
                    None => bits.push((w, bit)),
                }
            }
        }
        WordPatterns::new(bits)
    })
}

/// Per token, which kinds of escalation words it is (looked up once per message; a clause's
/// cues are the union over its tokens, see [`ClauseCues::of`]).
pub fn clause_bits(tokens: &[Token]) -> Vec<u8> {
    let words = clause_words();
    tokens.iter().map(|t| words.get(&t.folded).unwrap_or(0)).collect()
}

impl ClauseCues {
    /// The cues of a clause from its tokens' [`clause_bits`].
    pub fn of(bits: &[u8]) -> Self {
        let bits = bits.iter().fold(0u8, |acc, b| acc | b);
        ClauseCues {
            time: bits & 1 != 0,
            request: bits & 2 != 0,
            count: bits & 4 != 0,
            contact: bits & 8 != 0,
            silence: bits & 16 != 0,
        }
    }
}

/// The kinds of escalation words in `tokens` (one clause).
pub fn clause_cues(tokens: &[Token]) -> ClauseCues {
    ClauseCues::of(&clause_bits(tokens))
}

/// Words that, just before a phrase, deny it: "it's not urgent", "no es urgente", "nic
/// pilnego", "gak urgent".
const PHRASE_NEGATORS: &[&str] =
    &["not", "no", "nao", "nie", "nic", "gak", "ga", "nggak", "tidak", "bukan", "never", "nunca"];

/// True when one of the two words before `start` denies what follows. In Portuguese `no` is
/// "in the" ("reclamar no Reclame Aqui"), not a denial.
fn negated(tokens: &[Token], start: usize, lang: Option<&str>) -> bool {
    tokens[start.saturating_sub(2)..start]
        .iter()
        .any(|t| PHRASE_NEGATORS.contains(&t.folded.as_str()) && !(t.folded == "no" && lang == Some("pt")))
}

/// Counts of sentiment cue words in a message.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cues {
    /// Negative cue words (including negated positive ones).
    pub negative: u32,
    /// Positive cue words (including negated negative ones).
    pub positive: u32,
    /// Exclamation marks, capped.
    pub exclamations: u32,
    /// Words written in capitals (shouting), capped.
    pub shouting: u32,
}

const CUE_NEGATIVE: u8 = 1;
const CUE_POSITIVE: u8 = 2;
const CUE_NEGATOR: u8 = 4;

/// The cue lists as one map from word to bits, so that a word is looked up once. A pattern in
/// several lists gets all their bits; one that is a prefix in one list and a word in another
/// keeps both entries (the map tries words, then prefixes).
fn cue_words() -> &'static WordPatterns<u8> {
    static WORDS: std::sync::OnceLock<WordPatterns<u8>> = std::sync::OnceLock::new();
    WORDS.get_or_init(|| {
        let mut bits: Vec<(&'static str, u8)> = Vec::new();
        for (list, bit) in [(NEGATIVE, CUE_NEGATIVE), (POSITIVE, CUE_POSITIVE), (NEGATORS, CUE_NEGATOR)] {
            for w in list {
                match bits.iter_mut().find(|(x, _)| x == w) {
                    Some((_, b)) => *b |= bit,
                    None => bits.push((w, bit)),
                }
            }
        }
        WordPatterns::new(bits)
    })
}

/// Counts sentiment cue words, flipping a cue right after a negator.
pub fn sentiment_cues(original: &str, tokens: &[Token]) -> Cues {
    let mut cues = Cues::default();
    let mut negated = false;
    let words = cue_words();
    for tok in tokens.iter().take(400) {
        let w = tok.folded.as_str();
        let bits = words.get(w).unwrap_or(0);
        let neg = bits & CUE_NEGATIVE != 0;
        let pos = bits & CUE_POSITIVE != 0;
        if bits & CUE_NEGATOR != 0 {
            negated = true;
            continue;
        }
        match (neg, pos, negated) {
            (true, false, false) | (false, true, true) => cues.negative += 1,
            (false, true, false) | (true, false, true) => cues.positive += 1,
            _ => {}
        }
        negated = false;
        let letters = original.get(tok.start..tok.end).unwrap_or_default();
        if letters.chars().count() >= 3 && letters.chars().all(|c| c.is_uppercase()) {
            cues.shouting = (cues.shouting + 1).min(5);
        }
    }
    cues.exclamations = original.matches('!').count().min(5) as u32;
    cues
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::tokenize;

    #[test]
    fn finds_signals_in_five_languages_with_triggers() {
        let lex = EscalationLexicon::new();
        let cases = [
            ("I will file a chargeback with my bank", "en", EscalationSignal::Chargeback),
            ("Voy a poner una denuncia en Profeco", "es", EscalationSignal::Legal),
            ("Vou reclamar no Reclame Aqui", "pt", EscalationSignal::PublicReview),
            ("Piszę już po raz trzeci!", "pl", EscalationSignal::RepeatContact),
            ("tolong segera diproses", "id", EscalationSignal::Urgent),
        ];
        for (text, lang, signal) in cases {
            let hits = lex.find(text, &tokenize(text), Some(lang));
            assert!(hits.iter().any(|h| h.signal == signal), "{text}: {hits:?}");
        }
        let hits = lex.find("Piszę już po raz trzeci!", &tokenize("Piszę już po raz trzeci!"), Some("pl"));
        assert!(hits.iter().any(|h| h.trigger == "Piszę już" || h.trigger == "po raz trzeci"));
    }

    #[test]
    fn clauses_tell_deadlines_and_repeated_contact() {
        let c = clause_cues(&tokenize("I need a replacement sent out today please"));
        assert!(c.time && c.request && !c.contact);
        let c = clause_cues(&tokenize("Já são cinco e-mails e ninguém responde"));
        assert!(c.contact && c.silence);
        let c = clause_cues(&tokenize("Dzwoniłam trzy razy"));
        assert!(c.count && c.contact);
    }

    #[test]
    fn denied_phrases_are_not_hits() {
        let lex = EscalationLexicon::new();
        for (text, lang) in [
            ("no stress, it's not urgent", "en"),
            ("sin prisa, no es urgente", "es"),
            ("bez pośpiechu, to nic pilnego", "pl"),
            ("santai aja gak urgent", "id"),
            ("Strona nie pozwala zapłacić", "pl"),
        ] {
            assert!(lex.find(text, &tokenize(text), Some(lang)).is_empty(), "{text}");
        }
        let text = "this is urgent, not a joke";
        assert_eq!(lex.find(text, &tokenize(text), Some("en")).len(), 1);
    }

    #[test]
    fn counts_cues_with_negation() {
        let text = "not happy, this is TERRIBLE!!";
        let c = sentiment_cues(text, &tokenize(text));
        assert_eq!(c.negative, 2);
        assert_eq!(c.positive, 0);
        assert_eq!(c.exclamations, 2);
        assert_eq!(c.shouting, 1);
    }
}
