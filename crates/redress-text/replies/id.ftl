# Balasan yang disarankan, bahasa Indonesia. Lihat en.ftl.

greeting-known = Halo { $name },
greeting-unknown = Halo,
signoff-known = Salam hangat,
    Layanan Pelanggan { $shop }
signoff-unknown = Salam hangat,
    Layanan Pelanggan
reasons-intro = Alasan keputusan kami:
policy-intro = Ketentuan kami:
order-known = pesanan { $order }
order-unknown = pesanan Anda
items-unknown = barang Anda
carrier-unknown = kurir
amount-unknown = dananya
refund-when-known = paling lambat { $refund_date }
refund-when-unknown = dalam 5 sampai 10 hari kerja
delivery-when-known = paling lambat { $delivery_date }
delivery-when-unknown = dalam beberapa hari kerja
tracking-known = Paket bisa dilacak di { $carrier } dengan nomor resi { $tracking } ({ $tracking_url }).
tracking-known-no-link = Paket bisa dilacak di { $carrier } dengan nomor resi { $tracking }.
tracking-unknown = Nomor resi akan kami kirim begitu paket diserahkan ke kurir.
ordered-known = (dipesan { $order_date })
ordered-unknown = {""}

kind-cancel_order = Permintaan pembatalan { $order_ref } { $ordered } sudah kami terima. Jika belum keluar dari gudang, pesanan langsung kami batalkan dan pembayaran dilepas; konfirmasi akan segera kami kirim.
    .subject = Pembatalan { $order_ref }
kind-change_shipping_address = Terima kasih atas info alamat pengiriman { $order_ref }. Balas dengan alamat baru yang lengkap: selama paket belum di kurir, alamat akan kami ubah.
    .subject = Alamat pengiriman { $order_ref }
kind-change_order_items = Permintaan mengubah { $items } di { $order_ref } sudah kami terima. Jika pesanan belum dikemas, kami bisa mengubahnya sebelum dikirim dan akan mengonfirmasi barang baru serta selisih harganya.
    .subject = Perubahan { $order_ref }
kind-billing_info_error = Data penagihan { $order_ref } akan kami perbaiki. Kirimkan nama, alamat dan NPWP yang benar, lalu kami terbitkan faktur revisi.
    .subject = Data penagihan { $order_ref }
kind-order_status = Berikut kabar terbaru { $order_ref }. { $tracking_line } Perkiraan tiba { $delivery_when }.
    .subject = Posisi { $order_ref }
kind-not_received = Mohon maaf { $order_ref } belum sampai. { $tracking_line } Kami sedang mengecek ke { $carrier } dan akan mengabari dalam 2 hari kerja.
    .subject = { $order_ref } belum sampai
kind-damaged_in_transit = Mohon maaf { $items } sampai dalam keadaan rusak. Bisa kirimkan foto barang dan kardusnya? Kami segera selesaikan setelah melihatnya.
    .subject = Barang rusak di { $order_ref }
kind-wrong_item_received = Mohon maaf, kami salah mengirim barang di { $order_ref }. Bisa kirimkan foto barang yang diterima? { $items } akan segera kami kirim.
    .subject = Barang salah di { $order_ref }
kind-missing_item = Mohon maaf { $items } tidak ada di { $order_ref }. Kami sedang mengecek ke gudang dan akan mengirim yang kurang.
    .subject = Barang kurang di { $order_ref }
kind-not_as_described = Mohon maaf { $items } tidak sesuai dengan deskripsinya. Bisa jelaskan bedanya, dengan foto jika memungkinkan?
    .subject = Tentang { $items }
kind-defective_item = Mohon maaf { $items } tidak berfungsi dengan baik. Bisa jelaskan kerusakannya dan kirim foto atau video singkat? Barang ini dilindungi garansi kami.
    .subject = Barang cacat di { $order_ref }
kind-return_request = Terima kasih atas pesannya. { $items } dari { $order_ref } bisa dikembalikan: kami kirim label retur dan dana dikembalikan setelah paket sampai di kami.
    .subject = Pengembalian { $items }
kind-exchange_request = Dengan senang hati kami bantu menukar { $items }. Beri tahu ukuran atau warna yang diinginkan, lalu kami kirim label retur gratis.
    .subject = Penukaran { $items }
kind-return_policy_question = Terima kasih atas pertanyaannya. Pengembalian atau penukaran bisa diajukan kapan saja dari halaman pesanan; aturan utamanya ada di bawah.
    .subject = Kebijakan pengembalian kami
kind-refund_status = Refund sebesar { $amount } untuk { $order_ref } sedang diproses. Dana akan terlihat di mutasi Anda { $refund_when }.
    .subject = Refund { $order_ref }
kind-wrong_charge = Mohon maaf atas tagihan { $order_ref }. Kami sedang mengecek pembayaran ke penyedia pembayaran; jika Anda ditagih dua kali atau terlalu banyak, selisihnya dikembalikan penuh.
    .subject = Tagihan { $order_ref }
kind-payment_not_reflected = Terima kasih atas infonya. Pembayaran Anda sedang kami cocokkan dengan { $order_ref }; transfer bank bisa butuh 1 sampai 3 hari kerja. Mohon jangan membayar lagi.
    .subject = Pembayaran { $order_ref }
kind-store_unavailable = Mohon maaf toko kami bermasalah. Silakan coba lagi beberapa menit lagi; jika masih gagal, balas dengan tangkapan layar dan kami bantu menyelesaikan pesanan.
    .subject = Kendala di toko kami
kind-phishing_report = Terima kasih sudah memberi tahu. Pesan itu bukan dari kami: kami tidak pernah meminta kata sandi, kode OTP atau nomor kartu lewat email atau SMS. Jangan klik tautannya, dan jika sudah memasukkan data kartu, segera hubungi bank Anda.
    .subject = Pesan mencurigakan atas nama kami
kind-other = Terima kasih sudah menghubungi kami. Pesan Anda sudah kami terima dan akan segera kami balas.
    .subject = Pesan Anda

remedy-amend_order = { $order_ref } sudah kami ubah sesuai permintaan: sekarang berisi { $items } dan akan dikirim seperti biasa.
    .subject = { $order_ref } sudah diubah
remedy-cancel_order = { $order_ref } sudah kami batalkan. Dana { $amount } akan kembali ke rekening Anda { $refund_when }.
    .subject = { $order_ref } dibatalkan
remedy-carrier_trace = Kami sudah mengajukan pelacakan ke { $carrier } untuk { $order_ref }. { $tracking_line } Kabar terbaru kami kirim dalam 2 hari kerja; jika paket hilang, kami kirim ulang atau kembalikan dana Anda.
    .subject = Kami melacak { $order_ref }
remedy-reship = { $items } kami kirim ulang tanpa biaya. { $tracking_line } Perkiraan tiba { $delivery_when }.
    .subject = Pengiriman ulang { $order_ref }
remedy-exchange = Penukaran disetujui: { $items } kami kirim begitu paket retur Anda dalam perjalanan. { $tracking_line }
    .subject = Penukaran { $order_ref }
remedy-return_refund = Pengembalian disetujui. Kirim balik { $items } dengan label terlampir; setelah sampai, kami kembalikan { $amount } yang akan masuk { $refund_when }.
    .subject = Pengembalian { $order_ref }
remedy-refund_keep_item = Dana { $amount } untuk { $items } sudah kami kembalikan, dan barangnya boleh Anda simpan. Dana akan masuk { $refund_when }.
    .subject = Refund { $order_ref }
remedy-partial_refund = Kami sudah mengembalikan sebagian dana sebesar { $amount } untuk { $order_ref }. Dana akan masuk { $refund_when }.
    .subject = Refund sebagian { $order_ref }
remedy-store_credit = Saldo toko sebesar { $amount } sudah kami tambahkan ke akun Anda. Bisa dipakai untuk pesanan apa pun, kapan saja.
    .subject = Saldo toko untuk { $order_ref }
remedy-compensation = Mohon maaf atas ketidaknyamanannya. Sebagai permintaan maaf, kami tambahkan voucher { $amount } ke akun Anda untuk pesanan berikutnya.
    .subject = Permintaan maaf kami untuk { $order_ref }
remedy-refund_duplicate_charge = Anda benar: { $order_ref } tertagih dua kali. Tagihan ganda sebesar { $amount } sudah kami kembalikan dan akan masuk { $refund_when }.
    .subject = Tagihan ganda dikembalikan
remedy-reissue_invoice = Faktur revisi untuk { $order_ref } sudah kami terbitkan. Terlampir dan juga ada di halaman pesanan.
    .subject = Faktur revisi { $order_ref }
remedy-inform = Terima kasih atas pertanyaan tentang { $order_ref }. Berikut yang perlu Anda ketahui.
    .subject = Tentang { $order_ref }
remedy-escalate = Kasus Anda tentang { $order_ref } sudah kami teruskan ke spesialis di tim kami, yang akan membalas dalam 1 hari kerja.
    .subject = Kasus Anda tentang { $order_ref }

# The last lines of an answer sent by email: how to answer, and who writes.
email-footer = Balas email ini untuk menambahkan sesuatu ke kasus { $case } Anda.
    { $shop }

## Tindak lanjut yang ditulis Redress sendiri.
follow-reminder = Kami masih menunggu jawaban Anda untuk kasus { $case }. Balas pesan ini bila sempat agar { $shop } dapat menyelesaikannya.
follow-closed = Kami belum menerima jawaban, jadi kasus { $case } kini ditutup. Jika masih perlu bantuan, cukup balas dan kami akan membukanya lagi.
follow-return-reminder = Barang retur untuk kasus { $case } belum dikirim. Mohon segera kirim agar { $shop } dapat menyelesaikan pengembalian dana atau penukaran Anda.
follow-survey = Bagaimana layanan kami untuk kasus { $case }? Beri nilai 1 sampai 5 dengan satu klik: { $link }
# A refund asked for that waits for approval: never said to be on its way.
refund-awaiting = Refund sebesar { $amount } untuk { $order_ref } sudah diajukan dan sedang menunggu persetujuan tim kami. Kami akan mengabari Anda begitu refund disetujui dan dikirim.
    .subject = Refund { $order_ref }
# Pemberitahuan: yang diterima pelanggan di salurannya sendiri saat ada perkembangan kasus.
follow-refund-sent = { $shop } telah mengirim pengembalian dana sebesar { $amount } untuk kasus { $case }. Tergantung bank Anda, dana bisa baru terlihat dalam beberapa hari kerja.
follow-refund-sent-by = { $shop } telah mengirim pengembalian dana sebesar { $amount } untuk kasus { $case }. Dana seharusnya masuk paling lambat { $date }.
follow-label-issued = Label pengembalian untuk kasus { $case } sudah siap. Cetak, tempelkan pada paket, lalu serahkan paket ke kurir.
follow-resolved = Kasus { $case } sudah selesai. Jika masih ada yang kurang, cukup balas pesan ini dan kami akan membukanya kembali.
follow-portal-link = Lihat pesanan dan kasus ini kapan saja: { $link }
