// The desk's keyboard shortcuts: j/k move through the inbox's cases (on a case page: go to the
// next or previous case of that list) and o opens one; on a case r writes a reply, n a note, a
// takes the case, e resolves it (through the page's own forms); ? lists them. Nothing fires
// while typing in a field or with a modifier held.
(function () {
  'use strict';
  var help = document.getElementById('keys-help');
  var rows = Array.prototype.slice.call(document.querySelectorAll('tr[data-case]'));
  var current = -1;

  function typing(target) {
    var tag = target && target.tagName;
    return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || (target && target.isContentEditable);
  }

  // The inbox's order, kept for the tab, so j and k on a case page go to the next and previous
  // case of the list the agent came from.
  var place = window.location.pathname.match(/^(\/desk\/[^/]+)\/cases\/([^/]+)$/);
  try {
    if (rows.length) {
      sessionStorage.setItem('desk-cases', JSON.stringify(rows.map(function (row) { return row.dataset.case; })));
    }
  } catch (e) { /* storage refused: the shortcuts still work in the inbox */ }

  function nextCase(step) {
    if (!place) return false;
    var list;
    try { list = JSON.parse(sessionStorage.getItem('desk-cases') || '[]'); } catch (e) { return false; }
    var at = list.indexOf(place[2]);
    var next = at < 0 ? undefined : list[at + step];
    if (!next) return false;
    window.location.assign(place[1] + '/cases/' + next);
    return true;
  }

  function move(step) {
    if (!rows.length) return nextCase(step);
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
      case 'j': done = move(1) !== false; break;
      case 'k': done = move(-1) !== false; break;
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
