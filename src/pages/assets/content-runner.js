// The content runner (R-ISO-3), on the content origin. The player (on the gateway's origin) frames
// this page and, once it says it is ready, sends it the launch: the run-time state to resume from
// and the module's address. The runner creates scorm-again's API here, where the module finds it
// (window.parent.API or API_1484_11), with commits going to this origin's commit URL, which only
// accepts this launch's commits. Then it loads the module in its frame. It tells the player when
// the module finished the API itself (its own exit button) and when a commit failed. On leaving
// (the player removes this frame, or the tab closes) it first unloads the module, whose unload
// handlers still reach a live API, then finishes, whose final commit leaves as a beacon.
(function () {
  'use strict';
  var cfg = JSON.parse(document.getElementById('runner').getAttribute('data-config'));
  var frame = document.getElementById('sco');
  var api = null;
  var finished = false;

  function tell(type, detail) {
    window.parent.postMessage({ source: 'cdl-runner', type: type, detail: detail || null }, cfg.playerOrigin);
  }

  function start(launch) {
    if (api) return; // one launch per runner page
    var settings = {
      lmsCommitUrl: cfg.commitUrl,
      dataCommitFormat: 'json',
      autocommit: true,
      autocommitSeconds: cfg.autocommitSeconds,
      logLevel: 4,
    };
    // SCORM 1.2 RTE 3.4.4 (p. 3-25): a SCO need only call LMSInitialize and LMSFinish; when it never
    // sets cmi.core.lesson_status, the LMS sets it to "completed" at LMSFinish, then, with a mastery
    // score and a raw score, to "passed" or "failed" (scorm-again's mastery_override, on by default
    // in 1.2, applies it in credit/normal launches only; a browse launch ends "browsed").
    if (cfg.version === '1.2') settings.autoCompleteLessonStatus = true;
    api = cfg.version === '1.2' ? new window.Scorm12API(settings) : new window.Scorm2004API(settings);
    try {
      api.loadFromJSON(launch.cmi || {});
    } catch (e) {
      // A value the runtime refuses is left out; the module starts from its default.
    }
    if (cfg.version === '1.2') conformStatus12(api);
    var done = cfg.version === '1.2' ? 'LMSFinish' : 'Terminate';
    api.on(done, function () {
      finished = true;
      tell('finished');
    });
    api.on('CommitError', function () {
      tell('commit-error');
    });
    if (cfg.version === '1.2') window.API = api;
    else window.API_1484_11 = api;
    // Only a path inside the package: the capability's base and the manifest's relative launch file.
    frame.src = cfg.contentBase + String(launch.path || '').replace(/^\/+/, '');
    frame.hidden = false;
    tell('started');
  }

  // SCORM 1.2 conformance requirements (lesson_status): the LMS re-evaluates the status against the
  // mastery score only when the SCO did not set it to "incomplete"; scorm-again's override would
  // also turn a SCO's "incomplete" with a high score into "passed", so it is switched off then.
  // scorm-again 3.4.3 counts its own initial "not attempted" as a status the SCO set (its
  // LMSInitialize sees the default), which would disable the auto-completion above: a status of
  // "not attempted" at initialisation is the LMS's own, not the SCO's.
  function conformStatus12(a) {
    var initializeCall = a.LMSInitialize;
    a.LMSInitialize = function (parameter) {
      var result = initializeCall.call(a, parameter);
      if (a.cmi.core.lesson_status === 'not attempted') a.statusSetByModule = false;
      return result;
    };
    var finishCall = a.LMSFinish;
    a.LMSFinish = function (parameter) {
      if (a.statusSetByModule && a.cmi.core.lesson_status === 'incomplete') a.settings = { mastery_override: false };
      return finishCall.call(a, parameter);
    };
  }

  function unloadModule() {
    if (!frame.parentNode) return;
    frame.parentNode.removeChild(frame);
  }

  function finish() {
    if (!api || finished) return;
    finished = true;
    try {
      if (cfg.version === '1.2') api.LMSFinish('');
      else api.Terminate('');
    } catch (e) {
      // Already finished by the module: nothing to send.
    }
  }

  window.addEventListener('message', function (e) {
    // Only the player that framed this page starts it.
    if (e.origin !== cfg.playerOrigin || e.source !== window.parent) return;
    var m = e.data;
    if (m && m.source === 'cdl-player' && m.type === 'launch') start(m);
  });
  window.addEventListener('pagehide', function () {
    unloadModule();
    finish();
  });
  tell('ready');
})();
