// The portal's chat page, live: the shop's answers (the assistant's, or a person's after a
// hand-off) appear without a reload. The page works without this script.
(function () {
  'use strict';
  var list = document.querySelector('ol.chat[data-events]');
  if (!list || !window.EventSource || list.dataset.after === '0') return;
  var next = Number(list.dataset.after);
  var source = new EventSource(list.dataset.events + '?after=' + next);
  source.addEventListener('lines', function (event) {
    var batch = JSON.parse(event.data);
    batch.lines.forEach(function (line) {
      if (line.number < next) return;
      next = line.number + 1;
      var item = document.createElement('li');
      item.className = line.by_customer ? 'inbound' : 'outbound';
      var who = document.createElement('span');
      who.className = 'who';
      who.textContent = line.by_customer ? list.dataset.you : line.by_person ? list.dataset.person : list.dataset.shop;
      item.appendChild(who);
      item.appendChild(document.createTextNode(line.text));
      list.appendChild(item);
    });
  });
})();
