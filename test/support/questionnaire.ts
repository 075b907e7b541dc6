/**
 * @module Reading the member's questionnaire pages the way a member's browser would: the served
 * questions with their options as shown, and the form fields to post back. Also a recorder of
 * every member-facing response, so tests can scan them all for answer keys (R-QST-6).
 */

export interface ShownQuestion {
  /** Position on the page, 0-based (`a<k>` field). */
  k: number;
  text: string;
  options: Array<{ value: string; text: string }>;
}

export interface QuestionnairePage {
  status: number;
  html: string;
  /** The attempt number of the form on the page, null when the page has no form. */
  attempt: number | null;
  askQuality: boolean;
  questions: ShownQuestion[];
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };
export const unescapeHtml = (s: string) => s.replace(/&(amp|lt|gt|quot|#39);/g, (m) => ENTITIES[m]!);

export function parsePage(status: number, html: string): QuestionnairePage {
  const attempt = /<input type="hidden" name="attempt" value="(\d)"/.exec(html);
  const questions: ShownQuestion[] = [];
  for (const chunk of html.split('<fieldset>').slice(1)) {
    const legend = /<legend>([\s\S]*?)<\/legend>/.exec(chunk)?.[1] ?? '';
    const m = /^Domanda (\d+) di \d+\. ([\s\S]*)$/.exec(unescapeHtml(legend));
    if (!m) continue;
    const options: ShownQuestion['options'] = [];
    const re = /<input type="radio" id="a(\d+)-(\d+)" name="a\d+" value="([^"]*)"[^>]*\/>\s*<label for="a\d+-\d+">([\s\S]*?)<\/label>/g;
    for (let o = re.exec(chunk); o; o = re.exec(chunk)) options.push({ value: o[3]!, text: unescapeHtml(o[4]!) });
    questions.push({ k: Number(m[1]) - 1, text: m[2]!, options });
  }
  return { status, html, attempt: attempt ? Number(attempt[1]) : null, askQuality: /name="q1"/.test(html), questions };
}

export interface PoolEntry {
  text: string;
  options: string[];
  correct: number;
}

/**
 * Form fields answering the shown questions: right ones (`right` of them, the first ones) and
 * wrong ones for the rest, found by the option texts in the organiser's pool; quality answers
 * when the page asks for them.
 */
export function answerForm(
  page: QuestionnairePage,
  pool: readonly PoolEntry[],
  right: number,
  quality: Record<string, string> = { q1: '8', q2: '7', q3: '6', q4: '9', q5: '8' },
) {
  const form = new URLSearchParams();
  form.set('attempt', String(page.attempt));
  if (page.askQuality) for (const [k, v] of Object.entries(quality)) form.set(k, v);
  page.questions.forEach((q, i) => {
    const p = pool.find((x) => x.text === q.text);
    if (!p) throw new Error(`question not in the pool: ${q.text}`);
    const rightText = p.options[p.correct]!;
    const choice = i < right ? q.options.find((o) => o.text === rightText) : q.options.find((o) => o.text !== rightText);
    form.set(`a${q.k}`, choice!.value);
  });
  return form;
}

/** Every response of a member page, kept to be scanned. */
export class ResponseLog {
  readonly entries: Array<{ url: string; status: number; body: string }> = [];

  async fetch(url: string, init?: RequestInit): Promise<{ status: number; body: string; headers: Headers }> {
    const res = await fetch(url, { redirect: 'manual', ...init });
    const body = await res.text();
    this.entries.push({ url, status: res.status, body });
    return { status: res.status, body, headers: res.headers };
  }

  async page(url: string, init?: RequestInit): Promise<QuestionnairePage> {
    let r = await this.fetch(url, init);
    if (r.status === 303) r = await this.fetch(new URL(r.headers.get('location')!, url).toString());
    return parsePage(r.status, r.body);
  }

  post(url: string, form: URLSearchParams): Promise<QuestionnairePage> {
    return this.page(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
  }
}
