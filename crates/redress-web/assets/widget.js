// Redress's chat box for a shop's own site. Add to any page:
//   <script src="https://REDRESS/assets/widget.js" data-store="STORE-SLUG" async></script>
// and list the site in the store's policy (assistant.chat_origins). No cookies: the
// conversation's id is kept in this site's localStorage; answers arrive live (server-sent
// events), the assistant's and a person's after a hand-off alike.
(function () {
  'use strict';
  var tag = document.currentScript;
  if (!tag || !tag.dataset.store || !window.fetch || !window.EventSource) return;
  var base = new URL(tag.src).origin + '/s/' + encodeURIComponent(tag.dataset.store);
  var words = {
    en: ['Questions about an order?', 'Chat with us', 'Your message', 'Send', 'Close', 'Hello! Ask about an order, a delivery, a return or a refund.', 'The message could not be sent. Try again.', 'Our team'],
    es: ['¿Dudas sobre un pedido?', 'Escríbenos', 'Tu mensaje', 'Enviar', 'Cerrar', '¡Hola! Pregunta por un pedido, un envío, una devolución o un reembolso.', 'No se pudo enviar el mensaje. Inténtalo de nuevo.', 'Nuestro equipo'],
    pt: ['Dúvidas sobre um pedido?', 'Fale conosco', 'Sua mensagem', 'Enviar', 'Fechar', 'Olá! Pergunte sobre um pedido, uma entrega, uma devolução ou um reembolso.', 'Não foi possível enviar a mensagem. Tente de novo.', 'Nossa equipe'],
    pl: ['Pytanie o zamówienie?', 'Napisz do nas', 'Twoja wiadomość', 'Wyślij', 'Zamknij', 'Dzień dobry! Zapytaj o zamówienie, dostawę, zwrot lub zwrot pieniędzy.', 'Nie udało się wysłać wiadomości. Spróbuj ponownie.', 'Nasz zespół'],
    id: ['Ada pertanyaan soal pesanan?', 'Chat dengan kami', 'Pesan Anda', 'Kirim', 'Tutup', 'Halo! Tanyakan soal pesanan, pengiriman, retur, atau pengembalian dana.', 'Pesan tidak terkirim. Coba lagi.', 'Tim kami']
  };
  var language = (tag.dataset.lang || document.documentElement.lang || navigator.language || 'en').slice(0, 2).toLowerCase();
  var t = words[language] || words.en;
  var key = 'redress-chat:' + base;
  var conversation = localStorage.getItem(key);
  var next = 0;
  var source = null;

  var style = document.createElement('style');
  style.textContent =
    '.redress-chat{position:fixed;right:16px;bottom:16px;z-index:2147483000;font:15px/1.4 system-ui,sans-serif}' +
    '.redress-chat button{font:inherit;cursor:pointer;border-radius:20px;border:0;padding:10px 16px;background:#1f4e79;color:#fff}' +
    '.redress-chat section{display:none;flex-direction:column;width:min(360px,calc(100vw - 32px));height:min(520px,calc(100vh - 96px));background:#fff;color:#111;border:1px solid #ccc;border-radius:12px;box-shadow:0 4px 24px rgba(0,0,0,.2);overflow:hidden}' +
    '.redress-chat.open section{display:flex}.redress-chat.open>button{display:none}' +
    '.redress-chat header{display:flex;justify-content:space-between;align-items:center;padding:8px 12px;background:#1f4e79;color:#fff}' +
    '.redress-chat header button{padding:4px 10px;background:transparent;border:1px solid #fff}' +
    '.redress-chat ol{flex:1;overflow-y:auto;margin:0;padding:12px;list-style:none}' +
    '.redress-chat li{margin:0 0 8px;padding:8px 10px;border-radius:10px;white-space:pre-wrap;max-width:85%;overflow-wrap:anywhere}' +
    '.redress-chat li.shop{background:#eef2f6}.redress-chat li.you{background:#dff0d8;margin-left:auto}' +
    '.redress-chat form{display:flex;gap:6px;padding:8px;border-top:1px solid #ddd}' +
    '.redress-chat textarea{flex:1;font:inherit;resize:none;padding:6px}';
  document.head.appendChild(style);

  var box = document.createElement('div');
  box.className = 'redress-chat';
  box.innerHTML =
    '<button type="button" aria-expanded="false"></button>' +
    '<section role="dialog" aria-modal="false"><header><strong></strong><button type="button"></button></header>' +
    '<ol aria-live="polite" tabindex="0"></ol><form><label hidden for="redress-chat-text"></label>' +
    '<textarea id="redress-chat-text" rows="2" maxlength="2000" required></textarea><button type="submit"></button></form></section>';
  var opener = box.children[0];
  var panel = box.children[1];
  var list = panel.querySelector('ol');
  var form = panel.querySelector('form');
  var text = form.querySelector('textarea');
  opener.textContent = t[1];
  panel.setAttribute('aria-label', t[1]);
  panel.querySelector('strong').textContent = t[0];
  // The conversation scrolls: reachable by keyboard, and named.
  list.setAttribute('aria-label', t[1]);
  panel.querySelector('header button').textContent = t[4];
  form.querySelector('label').textContent = t[2];
  text.placeholder = t[2];
  text.setAttribute('aria-label', t[2]);
  form.querySelector('button').textContent = t[3];
  document.body.appendChild(box);

  function show(byCustomer, words, byPerson) {
    var item = document.createElement('li');
    item.className = byCustomer ? 'you' : 'shop';
    if (byPerson) {
      // A person from the shop's team answers, not the assistant: say so.
      var who = document.createElement('strong');
      who.textContent = t[7];
      item.appendChild(who);
      item.appendChild(document.createElement('br'));
    }
    item.appendChild(document.createTextNode(words));
    list.appendChild(item);
    list.scrollTop = list.scrollHeight;
  }

  function add(lines) {
    lines.forEach(function (line) {
      if (line.number < next) return;
      next = line.number + 1;
      show(line.by_customer, line.text, line.by_person);
    });
  }

  function listen() {
    if (source) source.close();
    if (!conversation) return;
    source = new EventSource(base + '/assistant/' + encodeURIComponent(conversation) + '/events?after=' + next);
    source.addEventListener('lines', function (event) { add(JSON.parse(event.data).lines); });
  }

  opener.addEventListener('click', function () {
    box.classList.add('open');
    opener.setAttribute('aria-expanded', 'true');
    if (!list.children.length) {
      if (conversation) listen(); else show(false, t[5]);
    }
    text.focus();
  });
  panel.querySelector('header button').addEventListener('click', function () {
    box.classList.remove('open');
    opener.setAttribute('aria-expanded', 'false');
    opener.focus();
  });
  text.addEventListener('keydown', function (event) {
    if (event.key === 'Enter' && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
  });
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var words = text.value.trim();
    if (!words) return;
    text.value = '';
    var post = function (continuing) {
      var body = { text: words, language: language };
      if (continuing) body.conversation = conversation;
      return fetch(base + '/assistant', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
        .then(function (response) {
          // A conversation the shop no longer keeps starts over.
          if (response.status === 404 && continuing) return post(false);
          if (!response.ok) throw new Error(response.status);
          return response.json();
        });
    };
    post(Boolean(conversation))
      .then(function (answer) {
        var first = answer.lines - answer.replies.length - 1;
        var lines = [{ number: first, by_customer: true, text: words }].concat(answer.replies.map(function (reply, i) {
          return { number: first + 1 + i, by_customer: false, by_person: reply.by_person, text: reply.text };
        }));
        if (answer.conversation !== conversation) {
          conversation = answer.conversation;
          localStorage.setItem(key, conversation);
          next = first;
          add(lines);
          listen();
        } else {
          add(lines);
        }
      })
      .catch(function () { text.value = words; show(false, t[6]); });
  });
})();
