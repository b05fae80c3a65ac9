"""Second Indonesian phrasing bank: narrative, indirect and colloquial messages."""

KINDS = {
    "cancel_order": [
        "Singkatnya, saya sudah tidak perlu {item}. Bisa dibatalkan sebelum dikemas?",
        "Saya salah waktu buat {ord}, bisa dibatalkan saja daripada nanti retur?",
        "Jangan diproses pesanan saya, saya batalkan.", "Pesanan saya masih bisa dibatalkan? Saya mau batal.",
        "Permintaan pembatalan {ord}. Alasan: salah pilih barang.", "gajadi deh, batalin pesanan ya",
        "Saya mau menghentikan pesanan ini, belum terima apa-apa dan sudah tidak mau.",
        "Tolong stop pesanan saya, saya tidak jadi beli.",
    ],
    "change_shipping_address": [
        "Ada masalah kecil: saya pakai alamat kos lama di pesanan. Alamat baru Jl. Kincir 3. Bisa diganti?",
        "Saya mau pergi, bisa kirim paketnya ke rumah kakak saya?",
        "Bisa ubah alamat pengiriman {ord} ke alamat kantor?", "Alamat di pesanan kurang lengkap, tambahkan nomor unit.",
        "Ganti alamat pengiriman: Jl. Taman 88, Unit 2.", "tolong ganti alamat kirim, yang di pesanan salah",
        "Bisa pilih alamat pengiriman lain setelah pesanan dibuat?", "kota di alamat pengiriman salah, tolong dibetulkan",
    ],
    "change_order_items": [
        "Baru sadar saya salah pilih ukuran, tolong jadikan {size} sebelum dikirim.",
        "Bisa ganti varian pesanan saya? Saya mau yang {colour}.", "Eh tunggu, saya mau tambah satu {item} lagi ke pesanan.",
        "Bisa ubah pesanan? Saya perlu dua bukan tiga.", "Ubah {ord}: ganti {item} jadi versi yang lebih besar.",
        "Saya mau ubah isi pesanan sebelum dikirim.", "salah pilih size pas checkout, bisa diganti",
        "Pesanannya belum dikirim kan? Bisa ganti warna jadi {colour2}?",
    ],
    "billing_info_error": [
        "Untuk reimburse kantor saya butuh faktur dengan data perusahaan, yang sekarang salah.",
        "Bisa betulkan alamat penagihan di faktur? Masih alamat lama.", "Di faktur tidak ada NPWP kami.",
        "Tolong buat ulang faktur dengan nama PT yang benar.", "Negara penagihan di invoice salah.",
        "data tagihan di struk salah", "Saya perlu faktur revisi, NPWP-nya salah.",
        "Ada salah ketik nama perusahaan di faktur saya.",
    ],
    "order_status": [
        "Mau tanya paket saya di mana, resinya tidak bergerak.", "Ada kabar terbaru soal pengiriman {ord}?",
        "Resi cuma tulis label dibuat, beneran sudah dikirim?", "Kapan pesanan saya diantar?",
        "Saya menunggu {ord}, bisa dicek posisinya?", "Bisa kasih perkiraan sampai?",
        "{carrier} sudah pickup paket saya belum?", "Pesanan saya masih di jalan? Sudah {days} hari tidak ada kabar.",
        "Kurirnya datang jam berapa?",
    ],
    "not_received": [
        "!Aplikasi bilang paket saya sudah diantar kemarin tapi tidak ada di mana-mana.",
        "!Saya dan tetangga sudah cari ke mana-mana, paket yang katanya terkirim tidak ada.",
        "!Sudah lama banget nunggu dan paket tidak pernah datang, resi berhenti dan kurir bilang hilang.",
        "!Katanya ditaruh di tempat aman, tapi tidak ada apa-apa.", "!Saya sama sekali tidak terima paket.",
        "!Pengantaran tidak pernah terjadi tapi status selesai.", "!paket ga dateng tapi status diterima",
        "!Paket hilang: {ord} tidak pernah sampai ke saya.",
    ],
    "damaged_in_transit": [
        "!Waktu buka kardus {item} sudah rusak, dan kardusnya penyok.",
        "!Paketnya kayak habis dilempar, {item} di dalamnya retak.",
        "!Datang dalam keadaan rusak: penyok di samping dan kacanya pecah.", "!Kiriman saya datang rusak.",
        "!Sudut kardusnya ringsek, {item} juga.", "!Semua isinya pecah waktu sampai.",
        "!datang rusak, packingnya hancur", "!Barang rusak selama pengiriman.",
    ],
    "wrong_item_received": [
        "!Barang yang saya terima bukan yang saya pesan.", "!Dikirim {item} padahal pesanan saya barang lain.",
        "!Buka kardus dan itu bukan pesanan saya.", "!Ukurannya salah lagi.",
        "!Modelnya lain, bukan yang saya beli.", "!Saya dikirimi paket orang lain.",
        "!salah kirim produk", "!Warna yang saya terima bukan yang saya pilih.",
    ],
    "missing_item": [
        "!Paket sampai tapi ada yang kurang.", "!Saya cuma terima sebagian barang yang dipesan.",
        "!{item} tidak ada di kiriman saya.", "!Tidak semuanya ada di kardus.",
        "!Harusnya dua barang tapi cuma ada satu.", "!Pesanan saya tidak lengkap.",
        "!ada barang yang kurang", "!Paketnya kurang sebagian pesanan.",
    ],
    "not_as_described": [
        "!Yang saya terima tidak seperti yang di website.", "!{item} sama sekali tidak sesuai deskripsi.",
        "!Kualitasnya jauh lebih jelek dari iklan.", "!Fotonya menipu, warnanya lain.",
        "!Spesifikasi di iklan salah.", "!Tidak sesuai deskripsi.", "!Tidak mirip halaman produk sama sekali.",
        "!ga sama kayak fotonya",
    ],
    "defective_item": [
        "!{item} sampai dengan baik tapi tidak berfungsi.", "!Rusak setelah beberapa kali pakai.",
        "!{item} ada kerusakan, tidak bisa dicas.", "!Barangnya cacat.", "!Alatnya mati sendiri terus.",
        "!Tidak berfungsi dengan baik.", "!udah ga nyala", "!Produk rusak, tolong dibantu.",
    ],
    "return_request": [
        "Saya mau retur satu barang dari {ord}.", "Cara mulai retur gimana?", "Saya mau kembalikan, tolong refund.",
        "Saya retur {item}, harus ngapain?", "Saya mau kirim balik pesanan saya.", "retur ya, ga muat",
        "Kalau saya kembalikan dapat refund?", "Saya mau kembalikan ini dan uang saya kembali.",
    ],
    "exchange_request": [
        "Saya mau tukar ke ukuran lain.", "Bisa dapat warna lain?",
        "Tolong tukar {item} saya ke ukuran {size}.", "Bisa tukar barang?", "Saya mau tukar dengan yang lain.",
        "tuker ke size lebih besar ya", "Bisa ditukar yang {colour}?", "Saya harus tukar, kurang pas.",
    ],
    "return_policy_question": [
        "Bisa retur setelah 30 hari?", "Barang custom bisa diretur?", "Ongkir dikembalikan tidak?",
        "Gimana tahu barang bisa diretur atau tidak?", "Proses tukar barang seperti apa?", "terima retur ga?",
        "Ada batas waktu retur?", "Kado bisa diretur?",
    ],
    "refund_status": [
        "Masih menunggu refund saya.", "Refund sudah dikirim?", "Kapan saya di-refund?",
        "Refundnya belum masuk.", "Saya sudah retur tapi belum di-refund.", "uang saya mana?",
        "Ada kabar soal refund saya?", "Refund sudah pending berminggu-minggu.",
    ],
    "wrong_charge": [
        "!Saya ditagih lebih dari seharusnya.", "!Kenapa kartu saya kena dua kali?",
        "!Uang saya terpotong dua kali.", "!Saya ditagih jumlah yang salah.", "!Ada pembayaran dobel di akun saya.",
        "!tagihan salah", "!Tagihan kartu tidak sesuai pesanan.", "!Tolong kembalikan tagihan yang dobel.",
    ],
    "payment_not_reflected": [
        "Saya sudah bayar tapi masih menunggu pembayaran.", "Pembayaran saya tidak muncul.", "Pesanan belum lunas padahal saya sudah bayar.",
        "Uang terpotong, pesanan belum terkonfirmasi.", "pembayaran belum update di pesanan", "Pembayaran saya sudah diterima?",
        "Saya sudah bayar, kenapa pesanan ditahan?", "Transfer saya sudah keluar, tolong dikonfirmasi.",
    ],
    "store_unavailable": [
        "!Tidak bisa beli apa-apa, websitenya rusak.", "!Pembayaran di web tidak bisa.", "!Halamannya tidak jalan.",
        "!Pembayaran selalu gagal di web kalian.", "!Web down", "!Tidak bisa menyelesaikan checkout.",
        "!Toko online kalian tidak bisa dibuka.", "!Tombol beli tidak berfungsi.",
    ],
    "phishing_report": [
        "Ini penipuan ya?", "Saya dapat email palsu pakai merek kalian.", "Ada yang menyamar jadi kalian.",
        "Kayaknya phishing, ini dari kalian?", "SMS mencurigakan soal paket saya.", "situs palsu pakai nama kalian",
        "Saya dapat pesan minta data kartu atas nama kalian.", "Link ini aman tidak?",
    ],
    "other": [
        '+Terima kasih, barang pengganti sudah sampai dan sempurna.', '+Kalian sangat membantu, terima kasih banyak!', '+Wah cepat sekali, makasih banyak.', '+Dressnya pas dan cantik, terima kasih!', '+Senang dengan pesanan saya, bakal beli lagi.', '+Mantap pengirimannya cepat!', '+Masalah beres, kalian the best.', '+Packingnya rapi dan ada kartu ucapan, terima kasih.',
        "+Makasih bantuannya!", "+Pelayanannya bagus, terima kasih.", "Halo, saya mau tanya.", "Hari libur buka?",
        "Barangnya ready stok?", "Nomor telepon yang bisa dihubungi?", "Bisa pesan lewat telepon?", "Cuma jualan online ya?",
        "jam berapa sekarang?", "+Oke, sudah beres.", "Lokasinya di mana?", "Ada katalog?",
    ],
}
