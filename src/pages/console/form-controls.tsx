/**
 * @module Labelled controls of the console's longer forms beside `Field` (signin-pages.tsx): a
 * select, a text area, a checkbox, a file input; each with its hint and error tied by
 * `aria-describedby` and `aria-invalid` set when it has one (WCAG 2.1: 1.3.1, 3.3.1, 3.3.2).
 */
import type { FC } from 'hono/jsx';
import type { FormProblem } from './signin-pages.tsx';

const mineOf = (id: string, problems: readonly FormProblem[]) => problems.filter((p) => p.field === id);

const Described: FC<{ id: string; hint?: string | undefined; mine: readonly FormProblem[] }> = ({ id, hint, mine }) => (
  <>
    {hint ? (
      <p class="hint" id={`${id}-hint`}>
        {hint}
      </p>
    ) : null}
    {mine.length ? (
      <p class="field-error" id={`${id}-error`}>
        {mine.map((p) => p.text ?? p.code).join(' ')}
      </p>
    ) : null}
  </>
);

const describedBy = (id: string, hint: string | undefined, mine: readonly FormProblem[]) =>
  [hint ? `${id}-hint` : null, mine.length ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;

export const SelectField: FC<{
  id: string;
  label: string;
  options: readonly { value: string; label: string }[];
  value?: string | undefined;
  hint?: string;
  problems?: readonly FormProblem[];
}> = ({ id, label, options, value, hint, problems = [] }) => {
  const mine = mineOf(id, problems);
  return (
    <div>
      <label for={id}>{label}</label>
      <Described id={id} hint={hint} mine={mine} />
      <select id={id} name={id} aria-invalid={mine.length ? 'true' : undefined} aria-describedby={describedBy(id, hint, mine)}>
        {options.map((o) => (
          <option value={o.value} selected={o.value === value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
};

export const TextareaField: FC<{ id: string; label: string; value?: string | undefined; hint?: string; problems?: readonly FormProblem[]; rows?: number }> = ({
  id,
  label,
  value,
  hint,
  problems = [],
  rows = 4,
}) => {
  const mine = mineOf(id, problems);
  return (
    <div>
      <label for={id}>{label}</label>
      <Described id={id} hint={hint} mine={mine} />
      <textarea id={id} name={id} rows={rows} aria-invalid={mine.length ? 'true' : undefined} aria-describedby={describedBy(id, hint, mine)}>
        {value ?? ''}
      </textarea>
    </div>
  );
};

export const CheckboxField: FC<{ id: string; label: string; checked?: boolean; hint?: string; problems?: readonly FormProblem[] }> = ({
  id,
  label,
  checked,
  hint,
  problems = [],
}) => {
  const mine = mineOf(id, problems);
  return (
    <div class="opt">
      <input
        type="checkbox"
        id={id}
        name={id}
        checked={checked}
        aria-invalid={mine.length ? 'true' : undefined}
        aria-describedby={describedBy(id, hint, mine)}
      />
      <div>
        <label for={id} style="margin:0">
          {label}
        </label>
        <Described id={id} hint={hint} mine={mine} />
      </div>
    </div>
  );
};

export const FileField: FC<{ id: string; label: string; hint?: string; problems?: readonly FormProblem[]; accept?: string }> = ({
  id,
  label,
  hint,
  problems = [],
  accept = '.xlsx,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
}) => {
  const mine = mineOf(id, problems);
  return (
    <div>
      <label for={id}>{label}</label>
      <Described id={id} hint={hint} mine={mine} />
      <input type="file" id={id} name={id} accept={accept} aria-invalid={mine.length ? 'true' : undefined} aria-describedby={describedBy(id, hint, mine)} />
    </div>
  );
};
