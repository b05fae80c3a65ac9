agent-reply-photos =
    Halo Kak { $first },

    Mohon maaf atas kejadian pada pesanan { $order }. Supaya bisa segera kami bantu, boleh kirimkan dua atau tiga foto: barangnya, labelnya, dan kardus pengirimannya? Setelah fotonya kami terima, kami kirim pengganti atau kembalikan dananya, sesuai pilihan Kakak, tanpa biaya retur.

    Salam,
    { $agent }
    Northwind Outfitters
customer-answer-photos =
    Halo kak { $agent }, fotonya saya lampirkan ya: barang, label, dan kardusnya. Makasih responsnya cepat.
agent-reply-trace =
    Halo Kak { $first },

    Terima kasih sudah menunggu. Pesanan { $order } saat ini ada di { $carrier } dengan nomor resi { $tracking }. Kami sudah minta pelacakan lengkap ke pihak kurir dan akan mengabari Kakak dalam dua hari kerja. Kalau paketnya tidak ditemukan, kami kirim ulang atau kembalikan dana penuh, sesuai pilihan Kakak.

    Salam,
    { $agent }
customer-answer-trace =
    Baik kak, ditunggu kabarnya ya. Sudah cukup lama soalnya.
agent-reply-amend =
    Halo Kak { $first },

    Kabar baik: pesanan { $order } belum keluar dari gudang kami, jadi masih bisa diubah. Pesanannya sudah kami tahan dulu. Boleh dikonfirmasi perubahan yang Kakak inginkan? Setelah itu langsung kami perbarui.

    Salam,
    { $agent }
customer-answer-amend =
    Iya kak, tolong diproses sesuai pesan saya sebelumnya ya. Terima kasih!
agent-reply-invoice =
    Halo Kak { $first },

    Terima kasih atas datanya. Kami sudah minta tim keuangan menerbitkan invoice baru untuk pesanan { $order }. Mohon konfirmasi nama, alamat, dan NPWP persis seperti yang harus tercantum. Invoice baru akan dikirim lewat email dalam dua hari kerja.

    Salam,
    { $agent }
customer-answer-invoice =
    Iya kak, tolong diproses sesuai pesan saya sebelumnya ya. Terima kasih!
agent-reply-returns =
    Halo Kak { $first },

    Tentu bisa. Barang yang belum dipakai dan labelnya masih terpasang bisa diretur atau ditukar dalam 30 hari sejak diterima. Retur untuk pesanan { $order } sudah kami siapkan: label pengiriman prabayar akan dikirim lewat email. Untuk penukaran, ukuran baru kami kirim begitu paket Kakak dipindai kurir. Barang final sale dan produk higienis yang sudah dibuka (pakaian dalam, pakaian renang) hanya bisa diretur jika cacat.

    Salam,
    { $agent }
customer-answer-returns =
    Oke kak, boleh diproses ya. Terima kasih banyak!
agent-reply-warehouse =
    Halo Kak { $first },

    Mohon maaf ada barang yang kurang di pesanan { $order }. Kami sudah minta tim gudang mengecek catatan pengemasan dan berat paketnya. Setelah dikonfirmasi, barang yang kurang akan kami kirim dengan layanan ekspres tanpa biaya, dan nomor resi barunya kami kabari.

    Salam,
    { $agent }
customer-answer-warehouse =
    Baik kak, ditunggu kabarnya ya. Sudah cukup lama soalnya.
agent-reply-money =
    Halo Kak { $first },

    Terima kasih sudah menginformasikan, mohon maaf atas ketidaknyamanannya. Pembayaran pesanan { $order } sudah kami cek ke penyedia pembayaran dan laporannya sudah kami teruskan. Setelah diproses, dana biasanya masuk dalam 5–10 hari kerja; nomor referensinya akan kami kirim begitu tersedia.

    Salam,
    { $agent }
customer-answer-money =
    Baik kak, ditunggu kabarnya ya. Sudah cukup lama soalnya.
agent-reply-security =
    Halo Kak { $first },

    Terima kasih sudah memberi tahu kami. Pesan itu bukan dari kami: kami tidak pernah meminta pembayaran, data kartu, atau dokumen lewat SMS atau WhatsApp, dan email kami hanya dari @northwind-outfitters.com. Nomor dan situs tersebut sudah kami laporkan.

    Salam,
    { $agent }
customer-answer-security =
    Baik kak, ditunggu kabarnya ya. Sudah cukup lama soalnya.
agent-reply-outage =
    Halo Kak { $first },

    Mohon maaf atas kendalanya. Sistem pembayaran kami sempat gangguan tadi pagi dan sekarang sudah normal kembali. Percobaan yang gagal tidak ditagihkan.

    Salam,
    { $agent }
customer-answer-outage =
    Baik kak, ditunggu kabarnya ya. Sudah cukup lama soalnya.
agent-reply-general =
    Halo Kak { $first },

    Terima kasih banyak atas pesannya! Sudah kami sampaikan ke seluruh tim. Kalau ada yang bisa kami bantu, kabari saja ya.

    Salam,
    { $agent }
customer-answer-general =
    Baik kak, ditunggu kabarnya ya. Sudah cukup lama soalnya.
