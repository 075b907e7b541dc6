/**
 * @module scorm-again itself, run headless in Node, as the source of commit payloads (issue 6 §3):
 * the library's own `Scorm12API` / `Scorm2004API` with `XMLHttpRequest` and `navigator.sendBeacon`
 * stubbed to record what it sends (URL, content type, body) instead of sending it. Tests then
 * post exactly those bytes to the gateway. Ordinary commits go as synchronous XHR with
 * `application/json;charset=UTF-8`; the Finish/Terminate commit as a beacon Blob of type
 * `text/plain;charset=UTF-8` (scorm-again 3.4.3 dist/esm/scorm12.js `SynchronousHttpService`).
 */
import * as scorm12 from 'scorm-again/scorm12';
import * as scorm2004 from 'scorm-again/scorm2004';

// 3.4.3's ESM files export the classes by name; its .d.ts files declare a default export.
const { Scorm12API } = scorm12 as unknown as { Scorm12API: typeof scorm12.default };
const { Scorm2004API } = scorm2004 as unknown as { Scorm2004API: typeof scorm2004.default };

export interface SentCommit {
  kind: 'xhr' | 'beacon';
  url: string;
  contentType: string;
  body: string;
}

type Run = (api: { init(): void; set(el: string, v: string): void; commit(): void; finish(): void }) => void;

// The stubs are globals: two recordings at once would each save the other's stub as "the
// original" and one would be left installed for good (a read-only `navigator` without
// `language`, which pdfjs then fails to replace in a later file of the same worker). Recordings
// therefore take turns.
let turn: Promise<unknown> = Promise.resolve();

/** The API's calls run inside `run`; returns what scorm-again sent, in order. Calls take turns. */
export function recordCommits(version: '1.2' | '2004', lmsCommitUrl: string, run: Run): Promise<SentCommit[]> {
  const mine = turn.then(() => record(version, lmsCommitUrl, run));
  turn = mine.catch(() => undefined);
  return mine;
}

async function record(version: '1.2' | '2004', lmsCommitUrl: string, run: Run): Promise<SentCommit[]> {
  const sent: Array<SentCommit | Promise<SentCommit>> = [];
  const g = globalThis as Record<string, unknown>;
  const saved = { xhr: g.XMLHttpRequest, nav: Object.getOwnPropertyDescriptor(globalThis, 'navigator') };
  g.XMLHttpRequest = class {
    private url = '';
    private headers: Record<string, string> = {};
    status = 0;
    responseText = '';
    open(_method: string, url: string) {
      this.url = url;
    }
    setRequestHeader(k: string, v: string) {
      this.headers[k.toLowerCase()] = v;
    }
    send(body: string) {
      sent.push({ kind: 'xhr', url: this.url, contentType: this.headers['content-type'] ?? '', body });
      this.status = 200;
      this.responseText = '{"result":true,"errorCode":0}';
    }
    getResponseHeader() {
      return 'application/json';
    }
  };
  Object.defineProperty(globalThis, 'navigator', {
    configurable: true,
    value: {
      sendBeacon(url: string, blob: Blob) {
        // scorm-again builds the Blob with type `text/plain;charset=UTF-8`; Blob lower-cases it.
        sent.push(blob.text().then((body) => ({ kind: 'beacon' as const, url, contentType: 'text/plain;charset=UTF-8', body })));
        return true;
      },
    },
  });
  try {
    const settings = { lmsCommitUrl, dataCommitFormat: 'json' as const, logLevel: 5 as const, autocommit: false };
    if (version === '1.2') {
      const api = new Scorm12API(settings);
      (api as unknown as { loadFromJSON(j: object): void }).loadFromJSON({ core: { student_id: 'u1', student_name: 'Rossi, Mario' } });
      run({
        init: () => void api.LMSInitialize(''),
        set: (el, v) => {
          if (api.LMSSetValue(el, v) !== 'true') throw new Error(`scorm-again refused ${el}=${v}: ${api.LMSGetLastError()}`);
        },
        commit: () => void api.LMSCommit(''),
        finish: () => void api.LMSFinish(''),
      });
    } else {
      const api = new Scorm2004API(settings);
      api.loadFromJSON({ learner_id: 'u1', learner_name: 'Rossi, Mario' });
      run({
        init: () => void api.Initialize(''),
        set: (el, v) => {
          if (api.SetValue(el, v) !== 'true') throw new Error(`scorm-again refused ${el}=${v}: ${api.GetLastError()}`);
        },
        commit: () => void api.Commit(''),
        finish: () => void api.Terminate(''),
      });
    }
    await new Promise((r) => setTimeout(r, 50));
    return await Promise.all(sent);
  } finally {
    g.XMLHttpRequest = saved.xhr;
    if (saved.nav) Object.defineProperty(globalThis, 'navigator', saved.nav);
    else delete g.navigator;
  }
}
