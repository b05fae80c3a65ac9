// The desk, live: the case page shows who else has the case open and what changed (new
// timeline entries and messages) without a reload, and warns a reply being written; the inbox
// says how many cases changed since it was drawn. The pages work without this script, and
// the server checks a reply against what changed whatever the script did.
(function () {
  'use strict';
  if (!window.EventSource) return;

  var live = document.getElementById('case-live');
  if (live) {
    var presence = document.getElementById('presence');
    var names = document.getElementById('presence-names');
    var changes = document.getElementById('live-changes');
    var timeline = document.querySelector('ol.timeline');
    var messages = document.querySelector('ul.messages');
    var reply = document.getElementById('reply-body');
    var warning = document.getElementById('reply-warning');
    var url = live.dataset.events + '?after=' + live.dataset.after + '&messages=' + live.dataset.messages;
    var source = new EventSource(url);
    source.addEventListener('case', function (event) {
      var batch = JSON.parse(event.data);
      names.textContent = batch.viewers.join(', ');
      presence.hidden = batch.viewers.length === 0;
      var others = [];
      batch.entries.forEach(function (entry) {
        if (timeline) {
          var item = document.createElement('li');
          var what = document.createElement('strong');
          what.textContent = entry.what;
          var when = document.createElement('span');
          when.className = 'muted';
          when.textContent = ' ' + entry.at + ' · ' + entry.actor;
          item.appendChild(what);
          item.appendChild(when);
          if (entry.detail) {
            item.appendChild(document.createElement('br'));
            item.appendChild(document.createTextNode(entry.detail));
          }
          timeline.appendChild(item);
        }
        if (entry.by_other) others.push(entry.what + ' · ' + entry.actor);
      });
      batch.new_messages.forEach(function (message) {
        if (!messages) return;
        var item = document.createElement('li');
        item.className = message.inbound ? 'inbound' : 'outbound';
        var author = document.createElement('span');
        author.className = 'author';
        author.textContent = message.author + ' · ' + message.at;
        item.appendChild(author);
        item.appendChild(document.createTextNode(message.body));
        messages.appendChild(item);
      });
      if (others.length) {
        var list = changes.querySelector('ul');
        others.forEach(function (line) {
          var item = document.createElement('li');
          item.textContent = line;
          list.appendChild(item);
        });
        changes.hidden = false;
        if (reply && warning && reply.value.trim() !== '') {
          warning.textContent = live.dataset.replyWarning;
          warning.hidden = false;
        }
      }
    });
  }

  var inbox = document.getElementById('inbox-live');
  if (inbox) {
    var line = document.getElementById('inbox-changed');
    var text = document.getElementById('inbox-changed-text');
    var stream = new EventSource(inbox.dataset.events + '?after=' + inbox.dataset.after);
    stream.addEventListener('changed', function (event) {
      var changed = JSON.parse(event.data);
      text.textContent = changed.text;
      line.hidden = changed.count === 0;
    });
  }
})();
