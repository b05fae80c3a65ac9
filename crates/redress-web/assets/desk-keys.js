// The desk's keyboard shortcuts: j/k move through the inbox's cases and o opens one; on a
// case r writes a reply, n a note, a takes the case, e resolves it (through the page's own
// forms); ? lists them. Nothing fires while typing in a field or with a modifier held.
(function () {
  'use strict';
  var help = document.getElementById('keys-help');
  var rows = Array.prototype.slice.call(document.querySelectorAll('tr[data-case]'));
  var current = -1;

  function typing(target) {
    var tag = target && target.tagName;
    return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || (target && target.isContentEditable);
  }

  function move(step) {
    if (!rows.length) return;
    if (current >= 0) rows[current].classList.remove('current');
    current = Math.max(0, Math.min(rows.length - 1, current + step));
    var row = rows[current];
    row.classList.add('current');
    var link = row.querySelector('a');
    if (link) link.focus();
  }

  function submit(id) {
    var form = document.getElementById(id);
    if (!form) return false;
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
    return true;
  }

  function focus(id) {
    var field = document.getElementById(id);
    if (!field) return false;
    field.focus();
    return true;
  }

  document.addEventListener('keydown', function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target) || (help && help.open)) return;
    var done = false;
    switch (event.key) {
      case '?': if (help && help.showModal) { help.showModal(); done = true; } break;
      case 'j': move(1); done = rows.length > 0; break;
      case 'k': move(-1); done = rows.length > 0; break;
      case 'o':
        if (current >= 0) { var link = rows[current].querySelector('a'); if (link) { link.click(); done = true; } }
        break;
      case 'r': done = focus('reply-body'); break;
      case 'n': done = focus('note-body'); break;
      case 'a': done = submit('take-form'); break;
      case 'e': done = submit('resolve-form'); break;
    }
    if (done) event.preventDefault();
  });
})();
