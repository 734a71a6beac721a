// Shared pieces of the pages: loading state, errors in words, two-step delete, forms.
import { html, useCallback, useEffect, useRef, useState } from './vendor/preact-htm.js';
import { seg } from './api.js';

/** Load with `fetcher` whenever `deps` change: { data, error, reload }; only the latest load's answer is shown. */
export function useLoad(fetcher, deps) {
  const [state, setState] = useState({ data: null, error: null });
  const latest = useRef(0);
  const reload = useCallback(() => {
    const load = ++latest.current;
    const show = (next) => load === latest.current && setState(next);
    fetcher().then((data) => show({ data, error: null }), (error) => show({ data: null, error }));
  }, deps);
  useEffect(reload, [reload]);
  return { ...state, reload };
}

/** Run `action` (as of this render), showing its error in words: [run, error, busy]; `run` answers false on error. */
export function useAction(action) {
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const run = async (...args) => {
    setError(null);
    setBusy(true);
    try {
      return await action(...args);
    } catch (e) {
      setError(e);
      return false;
    } finally {
      setBusy(false);
    }
  };
  return [run, error, busy];
}

export const Problem = ({ error }) => error && html`<p class="error" role="alert">${error.message || String(error)}</p>`;

export const Loading = ({ load, children }) => {
  if (load.error) return html`<${Problem} error=${load.error} />`;
  if (load.data === null) return html`<p class="muted" aria-live="polite">Loading…</p>`;
  return children(load.data);
};

/** A delete button that asks once more before acting. */
export function Confirm({ label = 'Delete', onConfirm, name }) {
  const [asked, setAsked] = useState(false);
  if (!asked) return html`<button type="button" class="danger" aria-label=${`${label} ${name || ''}`.trim()} onClick=${() => setAsked(true)}>${label}</button>`;
  return html`<span class="confirm">
    <button type="button" class="danger" onClick=${() => { setAsked(false); onConfirm(); }}>Confirm ${label.toLowerCase()}</button>
    <button type="button" onClick=${() => setAsked(false)}>Cancel</button></span>`;
}

/** `children` with an Edit button that turns them into a form of `fields` (Save, Cancel) in place. */
export function Editable({ name, fields, initial, onSave, children }) {
  const [editing, setEditing] = useState(false);
  const [save, error] = useAction(async (values) => { await onSave(values); setEditing(false); });
  if (!editing) return html`${children} <button type="button" aria-label=${`Edit ${name}`} onClick=${() => setEditing(true)}>Edit</button>`;
  return html`<div class="editing"><${InlineForm} fields=${fields} initial=${initial} submit="Save" onSubmit=${save} error=${error} />
    <button type="button" onClick=${() => setEditing(false)}>Cancel</button></div>`;
}

/** A one-line form: labeled inputs (name -> label, or a function of the values) and a submit button; `onSubmit` gets the values. */
export function InlineForm({ fields, submit, onSubmit, error, initial = {} }) {
  const [values, setValues] = useState(initial);
  const send = async (event) => {
    event.preventDefault();
    if ((await onSubmit(values)) !== false) setValues(initial);
  };
  return html`<form class="inline" onSubmit=${send}>
    ${Object.entries(typeof fields === 'function' ? fields(values) : fields).map(([name, spec]) => {
      const { label, options, placeholder, required = true } = typeof spec === 'string' ? { label: spec } : spec;
      const input = (event) => setValues({ ...values, [name]: event.target.value });
      return html`<label>${label}
        ${options
          ? html`<select name=${name} value=${values[name] ?? ''} onChange=${input}>
              ${options.map((o) => html`<option value=${o.value ?? o}>${o.label ?? o}</option>`)}</select>`
          : html`<input name=${name} value=${values[name] ?? ''} placeholder=${placeholder} required=${required} onInput=${input} />`}
      </label>`;
    })}
    <button type="submit">${submit}</button>
    <${Problem} error=${error} />
  </form>`;
}

export const percent = (value) => `${(100 * value).toFixed(1)}%`;

/** The console's URL of an app's page: #/apps/<app>/<version>/<page>[/<item>]. */
export const link = (app, version, page = 'intents', item) =>
  `#/apps/${[app, version, page, item].filter((p) => p !== undefined).map(seg).join('/')}`;
