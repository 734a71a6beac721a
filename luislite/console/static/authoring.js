// Authoring pages of a version: intents and their labeled utterances, entities, patterns, phrase lists,
// versions and settings.
import { html, useEffect, useState } from './vendor/preact-htm.js';
import { PREDICTION, appFile, del, download, get, key, post, put, seg } from './api.js';
import { Confirm, Editable, InlineForm, Loading, Problem, link, useAction, useLoad } from './ui.js';

const versionPath = (app, version) => `/apps/${seg(app.id)}/versions/${seg(version)}`;

/** Character offsets of each token in the text (tokens are substrings, in order). */
function tokenOffsets(text, tokens) {
  let cursor = 0;
  return tokens.map((token) => {
    const start = Math.max(text.indexOf(token, cursor), cursor);
    cursor = start + token.length;
    return { text: token, start, end: cursor };
  });
}

/** An example's token-index labels as the character labels adding an example takes (end exclusive-1). */
function charLabels(labels, offsets) {
  return labels.map((l) => ({
    entityName: l.entityName, role: l.role || undefined,
    startCharIndex: offsets[l.startTokenIndex].start, endCharIndex: offsets[l.endTokenIndex].end - 1,
    children: charLabels(l.children || [], offsets),
  }));
}

/** What a word range may be labeled with: each machine-learned entity, its roles, its children (nested). */
export function labelChoices(entities, parents = []) {
  return entities.flatMap((e) => [
    { path: [...parents, e.name], label: [...parents, e.name].join(' › ') },
    ...(e.roles || []).map((r) => ({ path: [...parents, e.name], role: r.name, label: `${[...parents, e.name].join(' › ')} (role ${r.name})` })),
    ...labelChoices(e.children || [], [...parents, e.name]),
  ]);
}

/** Put a label for `choice` on chars [start, end] inside the label of its parent covering them. */
function addLabel(labels, choice, start, end) {
  const [name, ...rest] = choice.path;
  if (rest.length === 0) return [...labels, { entityName: name, role: choice.role, startCharIndex: start, endCharIndex: end, children: [] }];
  const parent = labels.find((l) => l.entityName === name && l.startCharIndex <= start && end <= l.endCharIndex);
  if (!parent) throw new Error(`Label the words with ${name} first: ${choice.path.at(-1)} is labeled inside it.`);
  return labels.map((l) => (l === parent ? { ...l, children: addLabel(l.children, { ...choice, path: rest }, start, end) } : l));
}

const withoutLabel = (labels, target) =>
  labels.filter((l) => l !== target).map((l) => ({ ...l, children: withoutLabel(l.children, target) }));

const flatLabels = (labels, depth = 0) => labels.flatMap((l) => [{ label: l, depth }, ...flatLabels(l.children, depth + 1)]);

/** The token index a DOM node of an utterance belongs to. */
const tokenOf = (node) => {
  const element = node && (node.nodeType === 1 ? node : node.parentElement);
  const token = element && element.closest('[data-token]');
  return token ? Number(token.dataset.token) : null;
};

/** Words of a text as offsets, for a text the API gave no tokens of (review utterances). */
export const wordOffsets = (text) => [...text.matchAll(/[\p{L}\p{N}_]+|[^\p{L}\p{N}_\s]/gu)]
  .map((m) => ({ text: m[0], start: m.index, end: m.index + m[0].length }));

/** A text whose words are labeled by selecting them (or by word numbers); `onChange` gets the new labels. */
export function LabeledText({ text, offsets, labels, choices, onChange, children }) {
  const [range, setRange] = useState(null);
  const [choice, setChoice] = useState(0);
  const [run, error] = useAction(async (change) => { await onChange(change(labels)); setRange(null); });
  const labeled = (i) => labels.some((l) => l.startCharIndex <= offsets[i].start && offsets[i].end - 1 <= l.endCharIndex);
  const select = () => {
    const selection = getSelection();
    const from = tokenOf(selection.anchorNode);
    const to = tokenOf(selection.focusNode);
    if (from === null || to === null || selection.isCollapsed) return;
    setRange([Math.min(from, to), Math.max(from, to)]);
  };
  const apply = (event) => {
    event.preventDefault();
    run((current) => addLabel(current, choices[choice], offsets[range[0]].start, offsets[range[1]].end - 1));
  };
  const wordOptions = offsets.map((t, i) => html`<option value=${i}>${i + 1}: ${t.text}</option>`);
  return html`<p class="text" onMouseUp=${select}>${offsets.map((t, i) => html`${i > 0 ? text.slice(offsets[i - 1].end, t.start) : ''}<span
      data-token=${i} class=${labeled(i) ? 'token labeled' : 'token'}>${t.text}</span>`)}</p>
    <div class="meta">
      ${children}
      ${flatLabels(labels).map(({ label, depth }) => html`<span class="chip" data-depth=${depth}>
        ${label.entityName}${label.role ? ` (${label.role})` : ''}: ${text.slice(label.startCharIndex, label.endCharIndex + 1)}
        <button type="button" class="icon" aria-label=${`Remove label ${label.entityName}`} onClick=${() => run((current) => withoutLabel(current, label))}>×</button></span>`)}
      ${!range && choices.length > 0 && html`<button type="button" class="small" onClick=${() => setRange([0, 0])}>Label words…</button>`}
    </div>
    ${range && html`<form class="inline picker" onSubmit=${apply} aria-label="Label words">
      <label>From <select value=${range[0]} onChange=${(e) => setRange([Number(e.target.value), Math.max(range[1], Number(e.target.value))])}>${wordOptions}</select></label>
      <label>to <select value=${range[1]} onChange=${(e) => setRange([range[0], Math.max(range[0], Number(e.target.value))])}>${wordOptions}</select></label>
      <label>Entity <select name="entity" value=${choice} onChange=${(e) => setChoice(Number(e.target.value))}>
        ${choices.map((c, i) => html`<option value=${i}>${c.label}</option>`)}</select></label>
      <button type="submit">Label</button><button type="button" onClick=${() => setRange(null)}>Cancel</button>
    </form>`}
    <${Problem} error=${error} />`;
}

function Utterance({ example, choices, save, predicted }) {
  const offsets = tokenOffsets(example.text, example.tokenizedText);
  const mismatch = predicted && predicted !== example.intentLabel;
  const [remove, removeError] = useAction(() => save(example, null));
  return html`<li class="utterance">
    <${LabeledText} text=${example.text} offsets=${offsets} labels=${charLabels(example.entityLabels, offsets)}
      choices=${choices} onChange=${(labels) => save(example, labels)}>
      ${predicted && html`<span class=${mismatch ? 'predicted mismatch' : 'predicted'}>predicted: ${predicted}${mismatch ? ' (differs)' : ''}</span>`}
      <${Confirm} name=${example.text} onConfirm=${remove} />
    <//>
    <${Problem} error=${removeError} />
  </li>`;
}

/** The top intent the version's trained model predicts for each text (none before training). */
async function predictIntents(app, version, texts) {
  const intents = {};
  for (const text of texts.slice(0, 50)) {
    const query = new URLSearchParams({ query: text, log: 'false' });
    try {
      const answer = await get(`/apps/${seg(app.id)}/versions/${seg(version)}/predict?${query}`, { prefix: PREDICTION });
      intents[text] = answer.prediction.topIntent;
    } catch {
      return intents;  // not trained yet
    }
  }
  return intents;
}

function IntentExamples({ app, version, intent, trained }) {
  const base = versionPath(app, version);
  const examples = useLoad(() => get(`${base}/examples?take=500`), [base]);
  const entities = useLoad(() => get(`${base}/entities?take=500`), [base]);
  const [predicted, setPredicted] = useState({});
  const mine = (examples.data || []).filter((e) => e.intentLabel === intent.name);
  useEffect(() => {
    if (examples.data) predictIntents(app, version, mine.map((e) => e.text)).then(setPredicted);
  }, [examples.data, trained]);
  const [add, addError] = useAction(async ({ text }) => {
    await post(`${base}/example`, { text, intentName: intent.name, entityLabels: [] });
    examples.reload();
  });
  const save = async (example, labels) => {
    if (labels === null) await del(`${base}/examples/${example.id}`);
    else await post(`${base}/example`, { text: example.text, intentName: example.intentLabel, entityLabels: labels });
    examples.reload();
  };
  const choices = labelChoices(entities.data || []);
  return html`<section aria-labelledby="utterances">
    <h2 id="utterances">${intent.name}</h2>
    <${InlineForm} fields=${{ text: { label: 'Example utterance', placeholder: 'Type an example of what a user might say' } }}
      submit="Add utterance" onSubmit=${add} error=${addError} />
    <p class="muted">Select words in an utterance with the mouse (or use “Label words…”) to label them with an entity.</p>
    <${Loading} load=${examples}>${() => html`<ul class="utterances">
      ${mine.map((e) => html`<${Utterance} key=${`${e.id}:${JSON.stringify(e.entityLabels)}`} example=${e}
        choices=${choices} save=${save} predicted=${predicted[e.text]} />`)}</ul>
      ${mine.length === 0 && html`<p>No utterance yet.</p>`}`}<//>
  </section>`;
}

export function Intents({ app, version, item, trained }) {
  const base = versionPath(app, version);
  const intents = useLoad(() => get(`${base}/intents?take=500`), [base]);
  const examples = useLoad(() => get(`${base}/examples?take=500`), [base, item]);
  const [create, createError] = useAction(async ({ name }) => {
    await post(`${base}/intents`, { name });
    intents.reload();
  });
  const [remove, removeError] = useAction(async (intent) => { await del(`${base}/intents/${seg(intent.id)}`); intents.reload(); });
  const count = (name) => (examples.data || []).filter((e) => e.intentLabel === name).length;
  const current = (intents.data || []).find((i) => i.id === item);
  if (current) return html`<p><a href=${link(app.id, version)}>← All intents</a></p>
    <${IntentExamples} app=${app} version=${version} intent=${current} trained=${trained} />`;
  return html`<${InlineForm} fields=${{ name: 'New intent' }} submit="Create intent" onSubmit=${create} error=${createError} />
    <${Problem} error=${removeError} />
    <${Loading} load=${intents}>${(list) => html`<table class="list">
      <thead><tr><th>Intent</th><th>Examples</th><th></th></tr></thead>
      <tbody>${list.map((intent) => html`<tr key=${intent.id}>
        <td><a href=${link(app.id, version, 'intents', intent.id)}>${intent.name}</a></td>
        <td>${count(intent.name)}</td>
        <td>${intent.name !== 'None' && html`<${Confirm} name=${intent.name} onConfirm=${() => remove(intent)} />`}</td></tr>`)}
      </tbody></table>`}<//>`;
}

const split = (text) => (text || '').split(',').map((s) => s.trim()).filter(Boolean);

const SUBLIST = { canonicalForm: 'Normalized value', list: { label: 'Synonyms (comma-separated)', required: false } };
const sublist = (v) => ({ canonicalForm: v.canonicalForm, list: split(v.list) });

/** Each kind of entity: where it lives, how one is created, what is shown of it, what may be added to it. */
const KINDS = [
  { path: 'entities', title: 'Machine-learned', fields: { name: 'Name', children: { label: 'Children (comma-separated)', required: false } },
    body: (v) => ({ name: v.name, children: split(v.children).map((name) => ({ name })) }),
    detail: (e) => (e.children || []).map((c) => c.name).join(', '),
    add: { fields: { name: 'Child' }, submit: 'Add child', request: (e, v) => [`entities/${seg(e.id)}/children`, { name: v.name }] } },
  { path: 'closedlists', title: 'List', fields: { name: 'Name' }, body: (v) => ({ name: v.name, subLists: [] }),
    detail: (e, change) => html`<ul class="sublists">${(e.subLists || []).map((s) => html`<li key=${s.id}>
      <${Editable} name=${`sublist ${s.canonicalForm}`} fields=${SUBLIST} initial=${{ canonicalForm: s.canonicalForm, list: s.list.join(', ') }}
        onSave=${(v) => change(`closedlists/${seg(e.id)}/sublists/${s.id}`, sublist(v), put)}>${s.canonicalForm} = ${s.list.join(', ')}<//>
      <button type="button" class="icon" aria-label=${`Remove sublist ${s.canonicalForm}`} onClick=${() => change(`closedlists/${seg(e.id)}/sublists/${s.id}`)}>×</button></li>`)}</ul>`,
    add: { fields: SUBLIST, submit: 'Add sublist', request: (e, v) => [`closedlists/${seg(e.id)}/sublists`, sublist(v)] } },
  { path: 'regexentities', title: 'Regular expression', fields: { name: 'Name', regexPattern: 'Pattern' },
    body: (v) => v, detail: (e) => e.regexPattern },
  { path: 'prebuilts', title: 'Prebuilt', prebuilt: true, detail: () => '' },
  { path: 'patternanyentities', title: 'Pattern.any', fields: { name: 'Name' }, body: (v) => ({ name: v.name, explicitList: [] }),
    detail: (e) => (e.explicitList || []).map((x) => x.explicitListItem).join(', '),
    add: { fields: { explicitListItem: 'Explicit list item' }, submit: 'Add item',
      request: (e, v) => [`patternanyentities/${seg(e.id)}/explicitlist`, { explicitListItem: v.explicitListItem }] } },
  { path: 'compositeentities', title: 'Composite', fields: { name: 'Name', children: 'Children (existing entity names, comma-separated)' },
    body: (v) => ({ name: v.name, children: split(v.children) }), detail: (e) => (e.children || []).map((c) => c.name).join(', '),
    add: { fields: { name: 'Child entity' }, submit: 'Add child',
      request: (e, v) => [`compositeentities/${seg(e.id)}/children`, { name: v.name }] } },
];

function EntityKind({ app, version, kind }) {
  const base = versionPath(app, version);
  const list = useLoad(() => get(`${base}/${kind.path}?take=500`), [base]);
  const prebuilts = useLoad(() => (kind.prebuilt ? get(`${base}/listprebuilts`) : Promise.resolve([])), [base]);
  const [create, createError] = useAction(async (values) => {
    await post(`${base}/${kind.path}`, kind.prebuilt ? [values.name] : kind.body(values));
    list.reload();
  });
  const [change, changeError] = useAction(async (path, body, method = post) => {
    if (body === undefined) await del(`${base}/${path}`); else await method(`${base}/${path}`, body);
    list.reload();
  });
  const fields = kind.prebuilt
    ? { name: { label: 'Prebuilt entity', options: (prebuilts.data || []).map((p) => p.name) } }
    : kind.fields;
  return html`<section aria-labelledby=${`kind-${kind.path}`}>
    <h2 id=${`kind-${kind.path}`}>${kind.title}</h2>
    <${InlineForm} fields=${fields} initial=${kind.prebuilt ? { name: (prebuilts.data || [{}])[0]?.name } : {}}
      submit=${kind.prebuilt ? 'Add prebuilt entity' : `Create ${kind.title.toLowerCase()} entity`} onSubmit=${create} error=${createError} />
    <${Problem} error=${changeError} />
    <${Loading} load=${list}>${(entities) => entities.length > 0 && html`<table class="list">
      <thead><tr><th>Name</th><th>Details</th><th>Roles</th><th></th></tr></thead>
      <tbody>${entities.map((e) => html`<tr key=${e.id}>
        <td>${e.name}</td>
        <td>${kind.detail(e, change)}${kind.add && html`<${InlineForm} fields=${kind.add.fields} submit=${kind.add.submit}
          onSubmit=${(v) => change(...kind.add.request(e, v))} />`}</td>
        <td>${(e.roles || []).map((r) => html`<span class="chip">${r.name}<button type="button" class="icon" aria-label=${`Remove role ${r.name}`}
          onClick=${() => change(`${kind.path}/${seg(e.id)}/roles/${seg(r.id)}`)}>×</button></span>`)}
          <${InlineForm} fields=${{ name: 'Role' }} submit="Add role" onSubmit=${(v) => change(`${kind.path}/${seg(e.id)}/roles`, { name: v.name })} /></td>
        <td><${Confirm} name=${e.name} onConfirm=${() => change(`${kind.path}/${seg(e.id)}`)} /></td></tr>`)}
      </tbody></table>`}<//>
  </section>`;
}

export const Entities = ({ app, version }) => KINDS.map((kind) => html`<${EntityKind} key=${kind.path} app=${app} version=${version} kind=${kind} />`);

/** A list of simple items of a version: load, create with a form, edit one in place (`update` makes the PUT body),
 * delete one. */
function ItemList({ app, version, path, createPath = path, fields, body, update, columns, submit, initial }) {
  const base = versionPath(app, version);
  const items = useLoad(() => get(`${base}/${path}?take=500`), [base]);
  const [create, createError] = useAction(async (values) => { await post(`${base}/${createPath}`, body(values)); items.reload(); });
  const save = async (item, values) => { await put(`${base}/${path}/${seg(item.id)}`, update(item, values)); items.reload(); };
  const title = (item) => Object.values(columns)[0](item);
  const [remove, removeError] = useAction(async (item) => { await del(`${base}/${path}/${seg(item.id)}`); items.reload(); });
  return html`<${InlineForm} fields=${fields} submit=${submit} onSubmit=${create} error=${createError} initial=${initial} />
    <${Problem} error=${removeError} />
    <${Loading} load=${items}>${(list) => html`<table class="list">
      <thead><tr>${Object.keys(columns).map((c) => html`<th>${c}</th>`)}<th></th></tr></thead>
      <tbody>${list.map((item) => html`<tr key=${item.id}>${Object.values(columns).map((f) => html`<td>${f(item)}</td>`)}
        <td class="actions"><${Editable} name=${title(item)} fields=${fields}
          initial=${Object.fromEntries(Object.keys(fields).map((f) => [f, item[f]]))} onSave=${(values) => save(item, values)} />
          <${Confirm} name=${title(item)} onConfirm=${() => remove(item)} /></td></tr>`)}</tbody>
    </table>`}<//>`;
}

export function Patterns({ app, version }) {
  const intents = useLoad(() => get(`${versionPath(app, version)}/intents?take=500`), [app, version]);
  return html`<p class="muted">A pattern is a template utterance: <code>{entity}</code> marks an entity, <code>[optional]</code> optional text.</p>
    <${Loading} load=${intents}>${(list) => html`<${ItemList} app=${app} version=${version} path="patternrules" createPath="patternrule"
      fields=${{ pattern: 'Pattern', intent: { label: 'Intent', options: list.map((i) => i.name) } }} initial=${{ intent: list[0]?.name }}
      body=${(v) => v} update=${(p, v) => ({ id: p.id, ...v })} submit="Add pattern" columns=${{ Pattern: (p) => p.pattern, Intent: (p) => p.intent }} />`}<//>`;
}

export const PhraseLists = ({ app, version }) => html`<p class="muted">Words and phrases that are signals of the same concept.</p>
  <${ItemList} app=${app} version=${version} path="phraselists" submit="Create phrase list"
    fields=${{ name: 'Name', phrases: 'Phrases (comma-separated)' }}
    body=${(v) => ({ name: v.name, phrases: split(v.phrases).join(','), isExchangeable: true, enabledForAllModels: true })}
    update=${(p, v) => ({ name: v.name, phrases: split(v.phrases).join(',') })}
    columns=${{ Name: (p) => p.name, Phrases: (p) => p.phrases, Enabled: (p) => (p.isActive === false ? 'no' : 'yes') }} />`;

export function Versions({ app, version, reloadApp }) {
  const base = `/apps/${seg(app.id)}`;
  const versions = useLoad(() => get(`${base}/versions?take=500`), [base]);
  const [act, error] = useAction(async (kind, v, values) => {
    if (kind === 'clone') {
      await post(`${base}/versions/${seg(v.version)}/clone`, { version: values.version });
    } else if (kind === 'delete') {
      await del(`${base}/versions/${seg(v.version)}`);
    } else {
      const lu = kind === 'lu';
      const content = await get(`${base}/versions/${seg(v.version)}/export${lu ? '?format=lu' : ''}`, { text: true });
      download(`${app.name}-${v.version}.${lu ? 'lu' : 'json'}`, content, lu ? 'text/plain' : 'application/json');
      return;
    }
    versions.reload();
    reloadApp();
  });
  const [importVersion, importError] = useAction(async (event) => {
    event.preventDefault();
    const [query, body, options] = await appFile(event.target.file.files[0]);
    await post(`${base}/versions/import?${new URLSearchParams({ ...query, versionId: event.target.versionId.value })}`, body, options);
    versions.reload();
  });
  return html`<p>The console edits the version chosen here (the app's active version on first visit).</p>
    <form class="inline" onSubmit=${importVersion} aria-label="Import a version">
      <label>LUIS app file (.json or .lu) <input name="file" type="file" accept=".json,.lu" required /></label>
      <label>New version name <input name="versionId" required /></label>
      <button type="submit">Import as a new version</button><${Problem} error=${importError} /></form>
    <${Problem} error=${error} />
    <${Loading} load=${versions}>${(list) => html`<table class="list">
      <thead><tr><th>Version</th><th>Trained</th><th>Intents</th><th>Entities</th><th>Utterances</th><th>Actions</th></tr></thead>
      <tbody>${list.map((v) => html`<tr key=${v.version}>
        <td>${v.version === version ? html`<strong>${v.version} (being edited)</strong>` : html`<a href=${link(app.id, v.version)}>Edit ${v.version}</a>`}</td>
        <td>${v.trainingStatus}</td><td>${v.intentsCount}</td><td>${v.entitiesCount}</td><td>${v.exampleUtterancesCount ?? ''}</td>
        <td class="actions"><button type="button" onClick=${() => act('json', v)}>Export JSON</button>
          <button type="button" onClick=${() => act('lu', v)}>Export .lu</button>
          <${InlineForm} fields=${{ version: 'New version name' }} submit="Clone" onSubmit=${(values) => act('clone', v, values)} />
          ${list.length > 1 && html`<${Confirm} name=${`version ${v.version}`} onConfirm=${() => act('delete', v)} />`}</td></tr>`)}
      </tbody></table>`}<//>`;
}

/** A version's settings (LUIS's UseAllTrainingData, NormalizePunctuation, …): each true or false. */
function VersionSettings({ app, version }) {
  const path = `${versionPath(app, version)}/settings`;
  const settings = useLoad(() => get(path), [path]);
  const [save, error] = useAction(async (values) => {
    await put(path, Object.entries(values).map(([name, value]) => ({ name, value })));
    settings.reload();
  });
  const choice = { options: [{ value: 'true', label: 'yes' }, { value: 'false', label: 'no' }] };
  return html`<${Loading} load=${settings}>${(list) => html`<${InlineForm} key=${JSON.stringify(list)} submit="Save version settings"
    fields=${Object.fromEntries(list.map((s) => [s.name, { ...choice, label: s.name }]))}
    initial=${Object.fromEntries(list.map((s) => [s.name, s.value.toLowerCase()]))} onSubmit=${save} error=${error} />`}<//>`;
}

export function Settings({ app, version, reloadApp }) {
  const settings = useLoad(() => get(`/apps/${seg(app.id)}/settings`), [app]);
  const [save, error] = useAction(async (values) => {
    await put(`/apps/${seg(app.id)}`, { name: values.name, description: values.description || '' });
    reloadApp();
  });
  const [remove, removeError] = useAction(async () => { await del(`/apps/${seg(app.id)}`); location.hash = '#/apps'; });
  const shown = key.get() || '';
  return html`<h2>App</h2>
    <${InlineForm} key=${`${app.name}\n${app.description}`} fields=${{ name: 'Name', description: { label: 'Description', required: false } }}
      initial=${{ name: app.name, description: app.description || '' }} submit="Rename" onSubmit=${save} error=${error} />
    <dl class="facts"><dt>App ID</dt><dd><code>${app.id}</code></dd><dt>Culture</dt><dd>${app.culture}</dd>
      <dt>Version being edited</dt><dd>${version}</dd>
      <dt>Public</dt><dd>${settings.data ? (settings.data.public ? 'yes' : 'no') : '…'}</dd>
      <dt>Authoring key in use</dt><dd><code>…${shown.slice(-4)}</code> (also valid for prediction)</dd></dl>
    <h2>Version ${version} settings</h2><${VersionSettings} app=${app} version=${version} />
    <h2>Query logs</h2>
    <button type="button" onClick=${async () => download(`${app.id}_querylogs.csv`, await get(`/apps/${seg(app.id)}/querylogs`, { text: true }), 'text/csv')}>Download query logs (CSV)</button>
    <h2>Delete app</h2><${Confirm} label="Delete app" name=${app.name} onConfirm=${remove} /><${Problem} error=${removeError} />`;
}
