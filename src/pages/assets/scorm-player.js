// The reference SCORM player (issue 6 §2), run in the member's browser. For each module it asks
// the gateway for a launch (POST launchUrl?sco=…: the server draws the session and hands back the
// run-time state to resume from), creates scorm-again's API (window.API for SCORM 1.2,
// window.API_1484_11 for 2004) with lmsCommitUrl pointing at the gateway, then loads the module
// in the frame. Leaving a module or the page first unloads the module (whose own unload handlers
// still reach a live API to save exit, suspend data and location), then finishes the API, whose
// final commit scorm-again sends as a beacon, so closing the tab keeps the progress.
(function () {
  'use strict';
  var root = document.getElementById('player');
  var cfg = JSON.parse(root.getAttribute('data-config'));
  var frame = document.getElementById('sco-frame');
  var statusEl = document.getElementById('player-status');
  var current = null;

  // Removing the frame runs the module's pagehide/unload handlers at once, while its API is live;
  // the parent's pagehide fires before the frame's, and a new src would unload it only later.
  function unloadModule() {
    var fresh = frame.cloneNode(false);
    fresh.removeAttribute('src');
    fresh.hidden = true;
    frame.parentNode.replaceChild(fresh, frame);
    frame = fresh;
  }

  function finish() {
    var api = current;
    current = null;
    if (!api) return;
    try {
      if (cfg.version === '1.2') api.LMSFinish('');
      else api.Terminate('');
    } catch (e) {
      // Already finished by the module itself: nothing to send.
    }
  }

  function launch(sco, button) {
    unloadModule();
    finish();
    statusEl.textContent = 'Avvio di «' + sco.title + '»…';
    fetch(cfg.launchUrl + '?sco=' + encodeURIComponent(sco.identifier), { method: 'POST' })
      .then(function (r) {
        if (!r.ok) throw new Error('HTTP ' + r.status);
        return r.json();
      })
      .then(function (l) {
        var settings = {
          lmsCommitUrl: l.commitUrl,
          dataCommitFormat: 'json',
          autocommit: true,
          autocommitSeconds: cfg.autocommitSeconds,
          logLevel: 4,
        };
        var api = cfg.version === '1.2' ? new window.Scorm12API(settings) : new window.Scorm2004API(settings);
        try {
          api.loadFromJSON(l.cmi);
        } catch (e) {
          // A value the runtime refuses is left out; the module starts from its default.
        }
        if (cfg.version === '1.2') window.API = api;
        else window.API_1484_11 = api;
        current = api;
        frame.src = l.contentUrl;
        frame.hidden = false;
        frame.title = sco.title;
        var buttons = document.querySelectorAll('[data-sco]');
        for (var i = 0; i < buttons.length; i++) buttons[i].removeAttribute('aria-current');
        button.setAttribute('aria-current', 'true');
        statusEl.textContent = '«' + sco.title + '» in corso. I progressi sono salvati automaticamente.';
      })
      .catch(function () {
        statusEl.textContent = 'Impossibile avviare il modulo. Ricarichi la pagina; se il link è scaduto ne chieda uno nuovo all’ente.';
      });
  }

  var buttons = document.querySelectorAll('[data-sco]');
  for (var i = 0; i < buttons.length; i++) {
    (function (button) {
      var sco = { identifier: button.getAttribute('data-sco'), title: button.getAttribute('data-title') };
      button.addEventListener('click', function () {
        launch(sco, button);
      });
    })(buttons[i]);
  }
  window.addEventListener('pagehide', function () {
    unloadModule();
    finish();
  });
})();
