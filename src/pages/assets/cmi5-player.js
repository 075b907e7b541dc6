// The player of a cmi5 course (issue 16, R-CMI-1), on the gateway's origin, over the reference
// player's page: each AU's button asks the gateway for a launch (POST launchUrl?au=…: the server
// registers the session, writes LMS.LaunchData and answers the AU's launch URL on the content
// origin). An AnyWindow AU plays in the page's frame; an OwnWindow one in a window of its own
// (cmi5 §8.1), opened at the click so no pop-up blocker stops it. The AU talks to the LRS on the
// content origin itself: nothing of the package runs here.
(function () {
  'use strict';
  var root = document.getElementById('player');
  var cfg = JSON.parse(root.getAttribute('data-config'));
  var frame = document.getElementById('sco-frame');
  var statusEl = document.getElementById('player-status');

  function launch(au, button) {
    // A window opened now, in the click, for an AU that wants its own (no pop-up blocker stops it).
    var own = (cfg.ownWindow || []).indexOf(au.identifier) >= 0;
    var win = own ? window.open('about:blank', '_blank') : null;
    statusEl.textContent = 'Avvio di «' + au.title + '»…';
    fetch(cfg.launchUrl + '?au=' + encodeURIComponent(au.identifier), { method: 'POST' })
      .then(function (r) {
        if (!r.ok) throw new Error('HTTP ' + r.status);
        return r.json();
      })
      .then(function (l) {
        if (own && win) {
          win.opener = null;
          win.location.href = l.url;
          statusEl.textContent = '«' + au.title + '» è aperto in una nuova finestra. Al termine la chiuda e ricarichi questa pagina.';
        } else {
          if (win) win.close();
          frame.src = l.url;
          frame.hidden = false;
          frame.title = au.title;
          statusEl.textContent = '«' + au.title + '» in corso.';
        }
        var buttons = document.querySelectorAll('[data-sco]');
        for (var i = 0; i < buttons.length; i++) buttons[i].removeAttribute('aria-current');
        button.setAttribute('aria-current', 'true');
      })
      .catch(function () {
        if (win) win.close();
        statusEl.textContent = 'Impossibile avviare il modulo. Ricarichi la pagina; se il link è scaduto ne chieda uno nuovo all’ente.';
      });
  }

  var buttons = document.querySelectorAll('[data-sco]');
  for (var i = 0; i < buttons.length; i++) {
    (function (button) {
      var au = { identifier: button.getAttribute('data-sco'), title: button.getAttribute('data-title') };
      button.addEventListener('click', function () {
        launch(au, button);
      });
    })(buttons[i]);
  }
})();
