// The reference SCORM player (issue 6 §2, R-ISO-1), run in the member's browser on the gateway's
// origin. For each module it asks the gateway for a launch (POST launchUrl?sco=…: the server draws
// the session and hands back the run-time state to resume from and the runner's address on the
// content origin), frames the runner and, when the runner says it is ready, sends it the launch
// by postMessage to the content origin only. The module and its run-time API live in the runner:
// nothing of the package runs here. Leaving a module or the page removes the runner's frame,
// which unloads the module (its unload handlers still reach a live API) and finishes the API,
// whose final commit leaves as a beacon, so closing the tab keeps the progress.
(function () {
  'use strict';
  var root = document.getElementById('player');
  var cfg = JSON.parse(root.getAttribute('data-config'));
  var frame = document.getElementById('sco-frame');
  var statusEl = document.getElementById('player-status');
  var current = null; // { launch, title }

  function unloadModule() {
    current = null;
    var fresh = frame.cloneNode(false);
    fresh.removeAttribute('src');
    fresh.hidden = true;
    frame.parentNode.replaceChild(fresh, frame);
    frame = fresh;
  }

  window.addEventListener('message', function (e) {
    // Only the runner in our frame, from the content origin, speaks to the player.
    if (!cfg.contentOrigin || e.origin !== cfg.contentOrigin || e.source !== frame.contentWindow || !current) return;
    var m = e.data;
    if (!m || m.source !== 'cdl-runner') return;
    if (m.type === 'ready') {
      frame.contentWindow.postMessage({ source: 'cdl-player', type: 'launch', cmi: current.launch.cmi, path: current.launch.contentPath }, cfg.contentOrigin);
    } else if (m.type === 'finished') {
      // The module finished the API itself (its own exit button): the runner sends nothing more.
      statusEl.textContent = cfg.review
        ? '«' + current.title + '» terminato. Scelga un altro modulo o chiuda la pagina.'
        : '«' + current.title + '» terminato. Scelga un altro modulo o chiuda la pagina: i progressi sono salvati.';
      // The list again once the final commit is stored (modules whose prerequisites now hold), and
      // once more when the derivation has caught up with the statuses.
      setTimeout(refreshModules, 1500);
      setTimeout(refreshModules, 7000);
    } else if (m.type === 'commit-error') {
      statusEl.textContent = 'Non è stato possibile salvare gli ultimi progressi: controlli la connessione. Il modulo riprova da solo.';
    }
  });

  // The modules list as the server renders it now (statuses, prerequisites), the current module kept marked.
  function refreshModules() {
    fetch(window.location.href, { cache: 'no-store', credentials: 'same-origin' })
      .then(function (r) {
        return r.ok ? r.text() : null;
      })
      .then(function (html) {
        if (!html) return;
        var fresh = new DOMParser().parseFromString(html, 'text/html').querySelector('.modules');
        var list = document.querySelector('.modules');
        if (!fresh || !list) return;
        var marked = list.querySelector('[aria-current]');
        var node = document.importNode(fresh, true);
        list.parentNode.replaceChild(node, list);
        if (marked) {
          var same = node.querySelector('[data-sco="' + CSS.escape(marked.getAttribute('data-sco')) + '"]');
          if (same) same.setAttribute('aria-current', 'true');
        }
        bind();
      })
      .catch(function () {
        // The list stays as it was; a reload shows it.
      });
  }

  function launch(sco, button) {
    unloadModule();
    statusEl.textContent = 'Avvio di «' + sco.title + '»…';
    fetch(cfg.launchUrl + '?sco=' + encodeURIComponent(sco.identifier), { method: 'POST' })
      .then(function (r) {
        if (r.status === 409) throw new Error('prerequisites');
        if (!r.ok) throw new Error('HTTP ' + r.status);
        return r.json();
      })
      .then(function (l) {
        current = { launch: l, title: sco.title };
        frame.src = l.runnerUrl;
        frame.hidden = false;
        frame.title = sco.title;
        var buttons = document.querySelectorAll('[data-sco]');
        for (var i = 0; i < buttons.length; i++) buttons[i].removeAttribute('aria-current');
        button.setAttribute('aria-current', 'true');
        statusEl.textContent = cfg.review
          ? '«' + sco.title + '» aperto in consultazione: nulla viene conteggiato.'
          : '«' + sco.title + '» in corso. I progressi sono salvati automaticamente.';
      })
      .catch(function (err) {
        statusEl.textContent =
          err && err.message === 'prerequisites'
            ? '«' + sco.title + '» sarà disponibile dopo aver completato i moduli indicati.'
            : 'Impossibile avviare il modulo. Ricarichi la pagina; se il link è scaduto ne chieda uno nuovo all’ente.';
        refreshModules();
      });
  }

  function bind() {
    var buttons = document.querySelectorAll('[data-sco]');
    for (var i = 0; i < buttons.length; i++) {
      (function (button) {
        var sco = { identifier: button.getAttribute('data-sco'), title: button.getAttribute('data-title') };
        button.addEventListener('click', function () {
          launch(sco, button);
        });
      })(buttons[i]);
    }
  }
  bind();
  window.addEventListener('pagehide', unloadModule);
})();
