/**
 * @module Managing people (R-ACC-1), for admins and the CN, and the outbox for admins:
 *
 *   GET  POST /console/utenti                      the accounts; invite a person
 *   POST /console/utenti/{id}/invito               a new invitation link
 *   POST /console/utenti/{id}/disattiva|riattiva   disable (ends the sessions) or enable
 *   POST /console/utenti/{id}/azzera-verifica      remove a lost phone's TOTP (the person enrols again)
 *   GET  /console/posta                            the outbox: recipient, subject, state
 *
 * Every act is the services' operation with the signed-in person as its actor.
 */
import { Hono, type Context } from 'hono';
import { outboxPage, staffPage, type StaffListView } from '../../pages/console/staff-pages.tsx';
import { InviteForm } from '../../schemas/console.ts';
import { outboxOverview } from '../../services/mail.ts';
import { listOrganisers } from '../../services/registry/organisers.ts';
import { inviteStaff, listStaff, resendInvitation, resetSecondFactor, setStaffDisabled } from '../../services/staff/accounts.ts';
import type { Deps } from '../deps.ts';
import { problemOfError, readForm } from './forms.ts';
import { actorOf, requirePerson, type ConsoleEnv } from './session.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const NOTICES: Readonly<Record<string, string>> = {
  invitato: 'Invito inviato.',
  'nuovo-invito': 'Nuovo invito inviato; il link precedente non vale più.',
  disattivato: 'Account disattivato: le sue sessioni sono state chiuse.',
  riattivato: 'Account riattivato.',
  'verifica-azzerata': 'Verifica in due passaggi azzerata e sessioni chiuse: al prossimo accesso la persona configurerà un nuovo telefono.',
};

export function staffRoutes(deps: Deps) {
  const app = new Hono<ConsoleEnv>();
  const managers = requirePerson(['admin', 'cn']);

  const render = async (c: Context<ConsoleEnv>, extra: Partial<StaffListView>, status: 200 | 404 | 409 | 422 = 200) => {
    const actor = actorOf(c);
    const [accounts, organisers] = await Promise.all([listStaff(deps, actor), listOrganisers(deps, actor)]);
    return c.html(staffPage(c.get('staff')!.user, { accounts, organisers, notice: NOTICES[c.req.query('esito') ?? ''], ...extra }), status);
  };

  app.get('/console/utenti', managers, (c) => render(c, {}));

  app.post('/console/utenti', managers, async (c) => {
    const form = await readForm(c, InviteForm);
    if (!form.ok) return render(c, { problems: form.problems, values: form.values }, 422);
    const f = form.data;
    const subject = f.role === 'organiser' ? f.organiser || null : f.role === 'cpo' ? f.province || null : null;
    try {
      const invited = await inviteStaff(deps, actorOf(c), { ...f, subject, origin: new URL(c.req.url).origin });
      // Without a mailer the inviter hands the link over; with one it never shows here.
      if (!invited.mailed)
        return render(c, { notice: `Account creato per ${invited.account.displayName}.`, handOver: { email: invited.account.email, link: invited.link } });
      return c.redirect('/console/utenti?esito=invitato', 303);
    } catch (err) {
      const field = f.role === 'organiser' ? 'organiser' : 'province';
      const p = problemOfError(err);
      return render(c, { problems: [p.code === 'invalid-staff-subject' ? { ...p, field } : p], values: form.values }, 422);
    }
  });

  const act = (path: string, run: (c: Context<ConsoleEnv>, id: string) => Promise<Response>) =>
    app.post(`/console/utenti/:id/${path}`, managers, async (c) => {
      const id = c.req.param('id');
      if (!UUID.test(id)) return render(c, { problems: [{ code: 'staff-not-found' }] }, 404);
      try {
        return await run(c, id);
      } catch (err) {
        const p = problemOfError(err);
        return render(c, { problems: [p] }, p.code === 'staff-not-found' ? 404 : 409);
      }
    });
  act('invito', async (c, id) => {
    const invited = await resendInvitation(deps, actorOf(c), id, new URL(c.req.url).origin);
    if (!invited.mailed) return render(c, { notice: 'Nuovo invito creato.', handOver: { email: invited.account.email, link: invited.link } });
    return c.redirect('/console/utenti?esito=nuovo-invito', 303);
  });
  act('disattiva', async (c, id) => {
    await setStaffDisabled(deps, actorOf(c), id, true);
    return c.redirect('/console/utenti?esito=disattivato', 303);
  });
  act('azzera-verifica', async (c, id) => {
    await resetSecondFactor(deps, actorOf(c), id);
    return c.redirect('/console/utenti?esito=verifica-azzerata', 303);
  });
  act('riattiva', async (c, id) => {
    await setStaffDisabled(deps, actorOf(c), id, false);
    return c.redirect('/console/utenti?esito=riattivato', 303);
  });

  app.get('/console/posta', requirePerson(['admin']), async (c) =>
    c.html(outboxPage(c.get('staff')!.user, await outboxOverview(deps, actorOf(c)), Boolean(deps.config.SMTP_URL))),
  );

  return app;
}
