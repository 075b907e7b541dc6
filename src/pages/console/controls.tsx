/**
 * @module What the council's pages share: a table that stacks into labelled blocks on a phone,
 * the province chooser of the CN's views, and a decision form (accept or refuse, with a reason).
 */
import type { Child } from 'hono/jsx';
import { PROVINCES } from '../../domain/provinces.ts';

export interface Column<T> {
  label: string;
  cell: (row: T) => Child;
}

/** A table with header cells; under 40rem each row becomes a block of "label: value" lines (`table.stack`). */
export function StackTable<T>({ columns, rows }: { columns: readonly Column<T>[]; rows: readonly T[] }) {
  return (
    <div class="table-wrap">
      <table class="stack">
        <thead>
          <tr>
            {columns.map((c) => (
              <th scope="col">{c.label}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr>
              {columns.map((c) => (
                <td data-label={c.label}>{c.cell(r)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The 107 provinces by name, for the views the CN reads for any province. */
export function ProvinceSelect({ value }: { value: string | null }) {
  return (
    <>
      <label for="provincia">Provincia</label>
      <select id="provincia" name="provincia">
        {PROVINCES.map((p) => (
          <option value={p.code} selected={p.code === value}>
            {p.name} ({p.code})
          </option>
        ))}
      </select>
    </>
  );
}

/** The province's name for a page title or the staff bar (the code when unknown). */
export const provinceName = (code: string) => PROVINCES.find((p) => p.code === code)?.name ?? code;

/**
 * A decision in a council's queue: one of two choices, the reason field named `reason` (required
 * by the operation when refusing) or `reference` (a deliberation), and the submit button.
 */
export function DecisionForm(p: {
  action: string;
  id: string;
  yes: { value: string; label: string };
  no: { value: string; label: string };
  text: { name: 'reason' | 'reference'; label: string; required: boolean };
}) {
  return (
    <form method="post" action={p.action}>
      <fieldset>
        <legend>Decisione</legend>
        <div class="opt">
          <input type="radio" id={`yes-${p.id}`} name="decision" value={p.yes.value} required />
          <label for={`yes-${p.id}`}>{p.yes.label}</label>
        </div>
        <div class="opt">
          <input type="radio" id={`no-${p.id}`} name="decision" value={p.no.value} />
          <label for={`no-${p.id}`}>{p.no.label}</label>
        </div>
      </fieldset>
      <label for={`${p.text.name}-${p.id}`}>{p.text.label}</label>
      <input type="text" id={`${p.text.name}-${p.id}`} name={p.text.name} required={p.text.required} autocomplete="off" />
      <p>
        <button type="submit">Registra la decisione</button>
      </p>
    </form>
  );
}
