/*
 * The console's one script, of our own origin (progressive enhancement only: every form works
 * without it). Upload forms (`form[data-upload]`) are sent with XMLHttpRequest so the page can
 * show the upload's progress; the answer (the same page the plain form would show) replaces the
 * document. Copy buttons (`[data-copy]`, hidden without script) copy the field they name.
 */
(() => {
  'use strict';
  for (const button of document.querySelectorAll('[data-copy]')) {
    const field = document.getElementById(button.getAttribute('data-copy'));
    if (!field || !navigator.clipboard) continue;
    button.hidden = false;
    button.addEventListener('click', () => {
      navigator.clipboard.writeText(field.value).then(
        () => {
          button.textContent = 'Copiato';
        },
        () => {
          field.select();
        },
      );
    });
  }
  if (!window.XMLHttpRequest || !window.FormData) return;
  for (const form of document.querySelectorAll('form[data-upload]')) {
    form.addEventListener('submit', (ev) => {
      const input = form.querySelector('input[type=file]');
      const status = form.querySelector('[data-progress]');
      if (!input || !input.files || !input.files.length || !status) return; // the server says what is missing
      ev.preventDefault();
      const bar = status.querySelector('progress');
      const text = status.querySelector('span');
      const button = form.querySelector('button[type=submit]');
      status.hidden = false;
      if (button) button.disabled = true;
      text.textContent = 'Invio del file in corso…';
      const xhr = new XMLHttpRequest();
      xhr.open('POST', form.action);
      xhr.upload.addEventListener('progress', (e) => {
        if (!e.lengthComputable) return;
        const pct = Math.round((e.loaded * 100) / e.total);
        bar.value = pct;
        text.textContent = `Invio del file: ${pct}%`;
      });
      xhr.upload.addEventListener('load', () => {
        bar.removeAttribute('value');
        text.textContent = 'File inviato: controllo in corso…';
      });
      xhr.addEventListener('load', () => {
        document.open();
        document.write(xhr.responseText);
        document.close();
      });
      xhr.addEventListener('error', () => {
        if (button) button.disabled = false;
        text.textContent = 'Invio non riuscito: controlli la connessione e riprovi.';
      });
      xhr.send(new FormData(form));
    });
  }
})();
