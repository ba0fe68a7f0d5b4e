// The lesson site's page script (plain JavaScript, no build step). Every page
// works without it; it adds: copy buttons, per-step progress kept in the
// browser, search, keyboard navigation, and the grade beside each step when
// the site is served with a grade.json. It asks for nothing outside the site:
// the search's scripts come from its own assets, when the search box is first used.
'use strict';

(function () {
  // localStorage may be unavailable (private windows, some file:// setups): progress then lasts one visit.
  var memory = {};
  var store = {
    get: function (key) { try { return window.localStorage.getItem(key); } catch (e) { return memory[key] || null; } },
    set: function (key, value) {
      try { if (value === null) window.localStorage.removeItem(key); else window.localStorage.setItem(key, value); }
      catch (e) { memory[key] = value; }
    },
  };

  // On a phone the navigation starts folded, so the lesson comes first (the CSS shows its toggle there).
  var fold = document.querySelector('.nav-fold');
  if (fold && window.matchMedia && window.matchMedia('(max-width: 48rem)').matches) fold.open = false;

  // Copy buttons: the Clipboard API where allowed (https, localhost), else a hidden textarea and execCommand.
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    return new Promise(function (resolve, reject) {
      var area = document.createElement('textarea');
      area.value = text;
      area.setAttribute('readonly', '');
      area.style.position = 'fixed';
      area.style.opacity = '0';
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
      document.body.removeChild(area);
      if (ok) resolve(); else reject(new Error('copy failed'));
    });
  }
  document.querySelectorAll('.code-block').forEach(function (block) {
    var button = block.querySelector('button.copy');
    var code = block.querySelector('code');
    if (!button || !code) return;
    button.hidden = false;
    button.setAttribute('aria-label', 'Copy the code');
    button.addEventListener('click', function () {
      copyText(code.textContent).then(function () { button.textContent = 'Copied'; }, function () { button.textContent = 'Select and copy'; });
      setTimeout(function () { button.textContent = 'Copy'; }, 1500);
    });
  });

  // Progress: one checkbox per step; the navigator marks the steps that are done.
  function showProgress(key, done) {
    document.querySelectorAll('a[data-progress="' + key + '"]').forEach(function (a) {
      a.classList.toggle('done', done);
      a.setAttribute('aria-label', a.textContent + (done ? ' (done)' : ''));
    });
  }
  document.querySelectorAll('input.step-done').forEach(function (box) {
    var key = box.getAttribute('data-progress');
    box.checked = store.get('kubelab:done:' + key) === '1';
    showProgress(key, box.checked);
    box.addEventListener('change', function () {
      store.set('kubelab:done:' + key, box.checked ? '1' : null);
      showProgress(key, box.checked);
    });
  });

  // The home page's list of labs: how many steps of each are ticked.
  document.querySelectorAll('.progress[data-steps]').forEach(function (span) {
    var keys = span.getAttribute('data-steps').split(' ');
    var done = keys.filter(function (key) { return store.get('kubelab:done:' + key) === '1'; }).length;
    if (done === 0) return;
    span.hidden = false;
    span.textContent = done === keys.length ? 'all steps done' : done + ' of ' + keys.length + ' steps done';
  });

  // The grade (window.KUBELAB_GRADE, set by grade.js when `kubelab site serve` has a grade.json).
  var grade = window.KUBELAB_GRADE;
  if (grade && grade.labs) {
    var checks = {};
    var steps = {};
    grade.labs.forEach(function (lab) {
      lab.steps.forEach(function (step) {
        steps[lab.name + '/' + step.id] = step;
        step.checks.forEach(function (c) { checks[c.id] = c; });
      });
    });
    document.querySelectorAll('.step-box').forEach(function (box) {
      var step = steps[box.getAttribute('data-lab') + '/' + box.getAttribute('data-step')];
      var score = box.querySelector('.step-score');
      if (step && score) {
        score.hidden = false;
        score.textContent = 'Graded: ' + step.score + ' / ' + step.maxScore;
        score.classList.add(step.score === step.maxScore ? 'passed' : 'failed');
      }
      box.querySelectorAll('li[data-check]').forEach(function (li) {
        var result = checks[li.getAttribute('data-check')];
        if (!result) return;
        var status = li.querySelector('.status');
        status.hidden = false;
        status.textContent = result.status;
        status.classList.add(result.status);
        var reason = li.querySelector('.reason');
        if (result.reason && reason) { reason.hidden = false; reason.textContent = result.reason; }
      });
    });
    var main = document.getElementById('main');
    var h1 = main && main.querySelector('h1');
    if (h1) {
      var banner = document.createElement('p');
      banner.className = 'grade-banner';
      banner.textContent = 'Grade of ' + grade.implementation + ' (' + grade.startedAt + '): ' + grade.score + ' / ' + grade.maxScore + ' points.';
      h1.insertAdjacentElement('afterend', banner);
    }
  }

  // Search over every page (window.KUBELAB_SEARCH from search-index.js, window.MiniSearch from minisearch.js).
  // The two scripts (the index is most of the site's weight) load when the search
  // box is first used, not with every page: most visits never search.
  var input = document.getElementById('search');
  var results = document.getElementById('search-results');
  var assets = document.currentScript ? document.currentScript.src.replace(/site\.js(\?.*)?$/, '') : 'assets/';
  var index = null;
  var loading = null;
  function loadScript(name) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement('script');
      script.src = assets + name;
      script.onload = resolve;
      script.onerror = function () { reject(new Error('could not load ' + name)); };
      document.body.appendChild(script);
    });
  }
  function loadSearch() {
    if (!loading) {
      loading = loadScript('minisearch.js').then(function () { return loadScript('search-index.js'); });
      loading.then(showResults, function () { loading = null; });
    }
    return loading;
  }
  function searchIndex() {
    if (!index && window.MiniSearch && window.KUBELAB_SEARCH) {
      index = new window.MiniSearch({ fields: ['title', 'text'], storeFields: ['title', 'url', 'text'], searchOptions: { boost: { title: 3 }, prefix: true, fuzzy: 0.2 } });
      index.addAll(window.KUBELAB_SEARCH);
    }
    return index;
  }
  function snippet(text, terms) {
    var lower = text.toLowerCase();
    var at = -1;
    terms.some(function (t) { at = lower.indexOf(t.toLowerCase()); return at >= 0; });
    var start = Math.max(0, at - 40);
    return (start > 0 ? '…' : '') + text.slice(start, start + 140) + (text.length > start + 140 ? '…' : '');
  }
  function showResults() {
    var query = input.value.trim();
    results.textContent = '';
    var idx = query && searchIndex();
    if (!idx) { results.hidden = true; return; }
    var found = idx.search(query).slice(0, 12);
    if (found.length === 0) {
      var none = document.createElement('li');
      none.textContent = 'Nothing found for "' + query + '".';
      results.appendChild(none);
    }
    found.forEach(function (hit) {
      var li = document.createElement('li');
      var a = document.createElement('a');
      a.href = hit.url;
      a.textContent = hit.title;
      var small = document.createElement('span');
      small.className = 'snippet';
      small.textContent = snippet(hit.text, hit.terms);
      a.appendChild(small);
      li.appendChild(a);
      results.appendChild(li);
    });
    results.hidden = false;
  }
  if (input && results) {
    input.addEventListener('focus', loadSearch);
    input.addEventListener('input', function () { loadSearch(); showResults(); });
    input.addEventListener('keydown', function (e) {
      if (e.key === 'Escape') { input.value = ''; showResults(); input.blur(); }
      if (e.key === 'ArrowDown') { var first = results.querySelector('a'); if (first) { e.preventDefault(); first.focus(); } }
    });
    results.addEventListener('keydown', function (e) {
      var links = Array.prototype.slice.call(results.querySelectorAll('a'));
      var at = links.indexOf(document.activeElement);
      if (e.key === 'ArrowDown' && at < links.length - 1) { e.preventDefault(); links[at + 1].focus(); }
      if (e.key === 'ArrowUp') { e.preventDefault(); (at > 0 ? links[at - 1] : input).focus(); }
      if (e.key === 'Escape') { input.focus(); }
    });
  }

  // Keys: j or → next page, k or ← previous, / search. Not while typing, not with modifiers.
  document.addEventListener('keydown', function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    var target = e.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    if (e.key === '/' && input) { e.preventDefault(); input.focus(); return; }
    var rel = e.key === 'j' || e.key === 'ArrowRight' ? 'next' : e.key === 'k' || e.key === 'ArrowLeft' ? 'prev' : null;
    var link = rel && document.querySelector('link[rel="' + rel + '"]');
    if (link) window.location.href = link.getAttribute('href');
  });

  // Printing shows hints and solutions, which are folded on screen.
  window.addEventListener('beforeprint', function () {
    document.querySelectorAll('details').forEach(function (d) { d.setAttribute('data-was-open', d.open ? '1' : ''); d.open = true; });
  });
  window.addEventListener('afterprint', function () {
    document.querySelectorAll('details').forEach(function (d) { d.open = d.getAttribute('data-was-open') === '1'; });
  });
})();
