// Passkeys in the console (issue 14, R-ACC-2): progressive enhancement. The buttons are hidden
// until this script finds WebAuthn in the browser; without it everything else works as before.
// The ceremony itself is @simplewebauthn/browser's (served from our origin as webauthn.js).
(function () {
  if (!window.PublicKeyCredential || !window.SimpleWebAuthnBrowser) return;
  var lib = window.SimpleWebAuthnBrowser;
  function post(url, body) {
    return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body || {}), credentials: 'same-origin' }).then(function (r) {
      return r.json().then(function (j) {
        if (!r.ok) throw new Error(j.message || 'errore');
        return j;
      });
    });
  }
  function say(el, text) {
    var out = document.getElementById(el.getAttribute('data-passkey-status'));
    if (out) out.textContent = text;
  }
  document.querySelectorAll('[data-passkey]').forEach(function (btn) {
    btn.hidden = false;
    btn.addEventListener('click', function (ev) {
      ev.preventDefault();
      var kind = btn.getAttribute('data-passkey');
      var base = btn.getAttribute('data-passkey-url');
      btn.disabled = true;
      say(btn, 'Segua le indicazioni del browser…');
      post(base + '/opzioni')
        .then(function (options) {
          return kind === 'register' ? lib.startRegistration({ optionsJSON: options }) : lib.startAuthentication({ optionsJSON: options });
        })
        .then(function (response) {
          var label = document.getElementById('passkey-label');
          return post(base, { response: response, label: label ? label.value : '' });
        })
        .then(function (done) {
          window.location.assign(done.next);
        })
        .catch(function (err) {
          btn.disabled = false;
          say(btn, err && err.name === 'NotAllowedError' ? 'Operazione annullata.' : 'La passkey non è stata accettata: ' + (err && err.message ? err.message : 'riprovi.'));
        });
    });
  });
})();
