"""Indonesian templates for gen_train.py (written for this project; formal and chat style)."""

LANG = "id"
ACCENTED = False

ITEMS = ["jaket", "dress", "sepatu", "sneakers", "casing hp", "lampu", "vas bunga", "tas ransel", "jam tangan",
         "headset", "kaos", "mesin kopi", "celana jeans", "blender", "bantal", "parfum", "mainan", "hoodie",
         "speaker", "gelas", "karpet", "kacamata", "teko listrik", "hair dryer", "rok", "sepatu boots"]
ORDER_REFS = ["pesanan {n}", "pesanan saya {n}", "order {n}", "pesanan saya", "pesanannya", "pesanan #{n}",
              "no pesanan {n}", "orderan saya"]
SIZES = ["S", "M", "L", "XL", "XXL", "38", "40", "42", "39", "ukuran lebih besar"]
COLOURS = ["hitam", "putih", "merah", "biru", "hijau", "abu-abu", "pink", "krem", "coklat", "navy"]
AMOUNTS = [lambda r: f"Rp {r.randrange(10, 900)}.000", lambda r: f"Rp{r.randrange(10, 900)}.000",
           lambda r: f"{r.randrange(10, 900)}rb", lambda r: f"{r.randrange(10, 900)} ribu",
           lambda r: f"Rp {r.randrange(1, 5)}.{r.randrange(100, 999)}.000"]
DATES = ["tanggal 3 Maret", "kemarin", "Senin lalu", "dua minggu lalu", "tgl 12/05", "hari Jumat", "minggu lalu",
         "20 Mei"]
CARRIERS = ["JNE", "J&T", "SiCepat", "AnterAja", "Pos Indonesia", "kurirnya", "abang kurir"]

GREETINGS = ["Halo,", "Halo kak,", "Selamat pagi,", "Selamat siang,", "Permisi,", "Min,", "Hai admin,", "gan",
             "Assalamualaikum,", "Kak,"]
CLOSINGS = ["Terima kasih.", "Makasih kak!", "Mohon bantuannya.", "Ditunggu balasannya.", "Terima kasih, Budi",
            "thx", "Mohon segera dibantu ya.", "Salam.", "makasih min"]
CONTEXT = ["Saya beli {item} {date}.", "Saya pesan {ord} minggu lalu.", "Ini kado buat ibu saya.",
           "Saya mau tanya soal {ord}.", "Saya pelanggan lama.", "Email saya {email}.", "Saya order lewat aplikasi {date}."]
ANGRY = ["Parah banget!", "Saya sangat kecewa.", "Pelayanan buruk sekali.", "Kesel banget.",
         "Tidak bisa diterima.", "Pengalaman belanja terburuk.", "Kapok belanja di sini!", "Saya marah sekali."]
ESCALATION = {
    "chargeback": ["Kalau tidak beres saya lapor ke bank untuk chargeback.", "Saya akan ajukan sanggahan transaksi ke bank.",
                   "Saya komplain ke bank biar dananya ditarik.", "Saya sudah buka dispute di PayPal."],
    "legal": ["Saya akan lapor ke BPSK.", "Saya akan bawa ke jalur hukum.",
              "Saya akan hubungi pengacara.", "Saya akan lapor ke YLKI soal perlindungan konsumen."],
    "public_review": ["Saya kasih bintang 1 nanti.", "Saya viralkan di media sosial.",
                      "Saya posting di Twitter biar semua tahu.", "Siap-siap ulasan buruk dari saya."],
    "repeat_contact": ["Ini sudah ketiga kalinya saya chat.", "Saya sudah email dua kali tapi tidak ada balasan.",
                       "Sudah berkali-kali saya hubungi.", "Chat saya sebelumnya belum dibalas."],
    "urgent": ["Mendesak!", "Tolong dibalas secepatnya.", "Barangnya mau dipakai besok.",
               "Mohon segera diproses."],
}

KINDS = {
    "cancel_order": [
        "Saya mau batalkan {ord}.", "Tolong cancel {ord}, saya salah pesan.", "Bagaimana cara membatalkan {ord}?",
        "Bisa dibatalkan sebelum dikirim?", "Saya berubah pikiran, tolong batalkan pesanan {item}.",
        "batalin pesanan dong", "Saya perlu membatalkan {ord}, nemu yang lebih murah.",
        "Kepencet order dua kali, tolong batalkan satu.", "Masih bisa cancel {ord} nggak?",
        "Sudah tidak butuh lagi, tolong batalkan pesanannya.", "Jangan dikirim {ord}, saya mau cancel.",
    ],
    "change_shipping_address": [
        "Saya mau ganti alamat pengiriman {ord}.", "Alamat saya salah ketik, bisa diubah?",
        "Tolong kirim {ord} ke alamat kantor saya.", "Saya pindah rumah, bisa ganti alamat pengiriman?",
        "Nomor rumah salah, harusnya 42 bukan 24.", "Bisa update kode pos di {ord}?",
        "ganti alamat kirim", "Nomor RT/RW di alamat saya kurang.",
        "Saya pakai alamat lama, gimana cara ganti sebelum dikirim?", "Bisa dikirim ke alamat lain aja?",
    ],
    "change_order_items": [
        "Saya pesan ukuran {size} tapi butuh {size2}, bisa diganti sebelum dikirim?",
        "Bisa ganti warna {ord} dari {colour} ke {colour2}?", "Salah pilih ukuran, tolong ganti ke {size}.",
        "Mau ubah jumlah dari 1 jadi 2 di {ord}.", "Mau tambah satu {item} lagi ke pesanan sebelum dikirim.",
        "Salah pilih varian, bisa diubah {ord}?", "Tolong kurangi satu {item} dari pesanan saya.",
        "ganti ukuran pesanan jadi {size} kak", "Salah klik warna, maunya {colour}. Belum dikirim kan?",
    ],
    "billing_info_error": [
        "Nama perusahaan di faktur salah.", "NPWP saya tidak tercantum di invoice.",
        "Bisa perbaiki nama di invoice? Salah ketik.", "Saya butuh faktur atas nama perusahaan dengan NPWP.",
        "Alamat penagihan di {ord} salah.", "Tolong terbitkan ulang faktur dengan NPWP yang benar.",
        "data invoice salah", "Saya salah isi data tagihan, bisa diganti?",
        "Invoice pakai alamat lama saya, perlu dikoreksi.",
    ],
    "order_status": [
        "{ord} sudah sampai mana?", "Kapan {item} saya sampai?", "Status {ord} gimana ya?",
        "Apakah {ord} sudah dikirim?", "Nomor resi pesanan saya berapa?", "Pengiriman ke Surabaya berapa hari?",
        "Resi tidak update sudah {days} hari, paketnya di mana?", "Ada kabar soal kiriman saya?",
        "Saya pesan {date}, kapan dikirim?", "pesanan saya kok belum sampai", "Paket saya sudah jalan belum?",
        "Estimasi sampai {date}, masih dalam perjalanan?",
    ],
    "not_received": [
        "!Status sudah diterima tapi paketnya tidak ada.", "!{item} saya tidak pernah sampai.",
        "!{ord} tertulis terkirim tapi saya tidak terima apa-apa.", "!Sudah {days} hari {ord} belum juga saya terima.",
        "!Paketnya hilang, {carrier} tidak bisa menemukan.", "!Katanya dititip ke tetangga tapi tidak ada yang terima.",
        "!paket ga pernah nyampe", "!Sudah sebulan menunggu dan pesanan tidak datang.",
        "!{carrier} bilang sudah diantar, saya di rumah seharian tidak ada yang datang.",
    ],
    "damaged_in_transit": [
        "!{item} saya sampai dalam keadaan rusak.", "!Kardusnya penyok dan {item} di dalamnya rusak.",
        "!{item} sampai pecah berkeping-keping.", "!Paket datang basah dan barangnya rusak.",
        "!{item} retak, kelihatan paketnya dibanting.", "!Barang datang penyok, kardusnya hancur.",
        "!barang dateng pecah", "!Layarnya retak waktu saya buka paket.",
        "!Terima {ord} hari ini tapi {item} rusak, ada foto kardusnya.",
    ],
    "wrong_item_received": [
        "!Barang yang datang salah, saya pesan {item} yang datang lain.",
        "!Dikirim ukuran {size} padahal saya pesan {size2}.", "!Saya pesan warna {colour} yang datang {colour2}.",
        "!Ini bukan yang saya pesan, dikirim {item} lain.", "!Yang datang pesanan orang lain.",
        "!Produk salah kirim untuk {ord}.", "!salah kirim ukuran", "!Warnanya salah, saya pilih {colour}.",
        "!Labelnya nama saya tapi isinya barang lain.",
    ],
    "missing_item": [
        "!Pesanan sampai tapi kurang satu {item}.", "!Saya pesan 3 barang yang datang cuma 2.",
        "!{item} tidak ada di dalam paket.", "!Setengah pesanan saya tidak ada.",
        "!Kotaknya datang tanpa charger, padahal harusnya termasuk.", "!{ord} datang tidak lengkap, {item} tidak ada.",
        "!barang kurang satu", "!Di invoice ada {item} tapi di paket tidak ada.",
    ],
    "not_as_described": [
        "!{item} beda jauh sama foto.", "!Warnanya beda banget dengan di website.",
        "!Deskripsinya kulit asli ternyata plastik.", "!Ukurannya jauh lebih kecil dari deskripsi.",
        "!{item} tidak sesuai deskripsi, bahannya jelek.", "!Di foto warna {colour} aslinya {colour2}.",
        "!ga sesuai gambar", "!Katanya anti air ternyata tidak.", "!Ukurannya tidak sesuai dengan keterangan di iklan.",
    ],
    "defective_item": [
        "!{item} saya tidak berfungsi.", "!{item} mati setelah {days} hari dipakai.",
        "!{item} tidak mau menyala.", "!Resletingnya rusak pas pertama dipakai.",
        "!{item} cacat, sering mati sendiri.", "!Tombolnya tidak berfungsi, cacat pabrik.",
        "!Baterainya tidak bisa dicas.", "!barang cacat", "!Headset sebelah tidak bunyi.",
        "!Jahitannya lepas setelah sekali dicuci.",
    ],
    "return_request": [
        "Saya mau mengembalikan {item}.", "Bagaimana cara retur {ord} untuk refund?",
        "{item} tidak muat, saya mau kembalikan.", "Saya berubah pikiran dan mau uang kembali.",
        "Bisa retur {item} dan uangnya dikembalikan?", "Saya mau ajukan pengembalian barang.",
        "Kebesaran, mau saya kembalikan.", "Tolong kirim label retur untuk {item}.",
        "ga suka mau retur aja", "Saya minta refund {item}, barangnya saya kirim balik.",
    ],
    "exchange_request": [
        "Bisa tukar {item} dengan ukuran {size}?", "Saya mau tukar ke warna lain, {colour2}.",
        "{item} kekecilan, bisa ditukar ukuran yang lebih besar?", "Saya mau tukar {ord} dengan model lain.",
        "Bisa ditukar yang {colour} bukan yang {colour2}?", "tukar size {size} dong kak",
        "Tidak muat, saya lebih pilih tukar daripada refund.", "Mau {item} yang sama tapi warna {colour}.",
    ],
    "return_policy_question": [
        "Bagaimana kebijakan retur di toko ini?", "Berapa hari batas waktu pengembalian barang?",
        "Ongkir retur ditanggung siapa?", "Barang diskon bisa diretur?", "Retur gratis tidak?",
        "Berapa lama refund setelah barang retur diterima?", "Bisa retur tanpa kotak aslinya?",
        "batas retur berapa hari?", "Cara tukar barang di toko ini gimana?", "Barang yang sudah dibuka bisa dikembalikan?",
    ],
    "refund_status": [
        "Refund saya mana?", "Saya sudah retur {item} {days} hari lalu tapi dana belum kembali.",
        "Kapan uang {ord} dikembalikan?", "Katanya refund sudah diproses tapi belum masuk.",
        "Dana refund belum masuk ke rekening.", "Berapa lama refund masuk?",
        "!Sudah {days} hari sejak retur saya diterima, refundnya mana?", "status refund saya",
        "Dijanjikan refund {amount} tapi belum masuk.",
    ],
    "wrong_charge": [
        "!Saya kena tagih dua kali untuk {ord}.", "!Saya ditagih {amount} padahal totalnya lebih kecil.",
        "!Ada tagihan ganda di kartu saya.", "!Nominal yang ditagih salah.",
        "!Saldo saya terpotong {amount} dua kali untuk pesanan yang sama.", "!Kenapa kena ongkir padahal gratis ongkir?",
        "!kepotong dua kali!!", "!Di mutasi ada dua transaksi {amount}.", "!Kelebihan bayar {amount}.",
    ],
    "payment_not_reflected": [
        "Saya sudah bayar tapi status pesanan masih belum dibayar.", "Pembayaran berhasil tapi pesanan masih menunggu pembayaran.",
        "Saldo sudah terpotong tapi di aplikasi pembayaran gagal.",
        "Saya transfer {amount} kemarin tapi status masih menunggu pembayaran.",
        "Sudah bayar pakai OVO tapi pesanan belum terkonfirmasi.", "udah transfer tapi belum ke-update",
        "Kenapa {ord} masih pending pembayaran? Saldo sudah kepotong.", "Sudah bayar via virtual account tapi belum diverifikasi.",
    ],
    "store_unavailable": [
        "!Websitenya down.", "!Tidak bisa checkout, halaman pembayaran error terus.",
        "!Situsnya tidak bisa dibuka.", "!Setiap bayar muncul error.", "!Tidak bisa masukin barang ke keranjang.",
        "!Aplikasinya force close pas mau order.", "!Kartu saya ditolak pas checkout padahal di tempat lain bisa.",
        "!web nya error", "!Tombol bayar tidak berfungsi.",
    ],
    "phishing_report": [
        "Saya dapat email atas nama toko ini minta data kartu, asli nggak?",
        "Ada SMS mengaku dari toko ini dengan link bayar bea cukai.",
        "Apakah pesan ini dari kalian? Minta konfirmasi password.",
        "Saya dapat SMS mencurigakan soal paket dan biaya tambahan, ini penipuan?",
        "Ada website palsu pakai logo kalian.", "dapet email aneh kayaknya phishing",
        "Ada yang ngaku-ngaku admin toko di WhatsApp minta kode OTP.", "Apa benar saya harus bayar {amount} untuk kirim ulang?",
    ],
    "other": [
        "+Terima kasih banyak, barangnya sampai dengan baik!", "Bisa kirim ke Malaysia?", "Jam operasional CS jam berapa?",
        "Ada kode promo?", "{item} ini tahan air?", "+Pelayanannya mantap, makasih!",
        "Jual voucher hadiah?", "Cara bikin akun gimana?", "Bisa ganti password?",
        "Ada lowongan kerja?", "Kapan {item} restock?", "Ada toko offline?",
        "+Cuma mau bilang {item}nya bagus banget.", "Metode pembayaran apa saja?",
        "Saya mau berhenti langganan newsletter.", "halo", "Bisa bicara dengan admin?",
        "Besok hujan nggak ya?", "ok makasih", "{item} ada warna {colour}?",
    ],
}

REQUESTS = ["Tolong kirim yang baru.", "Saya mau uang kembali.", "Bagaimana tanggung jawabnya?",
            "Bisa dibantu?", "Tolong diselesaikan.", "Saya minta refund atau tukar.", "Solusinya gimana?",
            "Mohon info langkah selanjutnya.", "Ditunggu responnya.", "Bisa dikirim ulang?", "Saya minta kompensasi."]
