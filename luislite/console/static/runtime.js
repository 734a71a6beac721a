// Pages that use trained models: train, the test panel, publish, review endpoint utterances, batch testing.
import { html, useEffect, useRef, useState } from './vendor/preact-htm.js';
import { PREDICTION, del, get, post, seg } from './api.js';
import { Loading, Problem, percent, useAction, useLoad } from './ui.js';
import { LabeledText, labelChoices, wordOffsets } from './authoring.js';

const versionPath = (app, version) => `/apps/${seg(app.id)}/versions/${seg(version)}`;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const DONE = ['Success', 'UpToDate', 'Fail'];

/** Poll `fetcher` every second until `done(answer)`, reporting each answer; stops when the page is left. */
function usePoll() {
  const alive = useRef(true);
  useEffect(() => () => { alive.current = false; }, []);
  return async (fetcher, done, report) => {
    for (;;) {
      const answer = await fetcher();
      if (!alive.current) return answer;
      report(answer);
      if (done(answer)) return answer;
      await sleep(1000);
    }
  };
}

function trainingSummary(models) {
  if (models.length === 0) return { state: 'Untrained', done: true };
  const failed = models.find((m) => m.details.status === 'Fail');
  if (failed) return { state: `Training failed: ${failed.details.failureReason || 'no reason given'}`, done: true, failed: true };
  const done = models.every((m) => DONE.includes(m.details.status));
  const progress = done ? null : models.map((m) => m.details.progress).find((p) => p && p.steps);
  const detail = progress ? `step ${progress.step} of ${progress.steps}, loss ${progress.loss}` : '';
  if (!done) return { state: `Training… ${detail}`.trim(), done, progress };
  // luislite's: Train answered with a quick model, which the worker is refining
  const refinement = models[0].details.refinement;
  const refining = Boolean(refinement) && !DONE.includes(refinement.status);
  const step = refining && refinement.progress && refinement.progress.steps
    ? ` step ${refinement.progress.step} of ${refinement.progress.steps}` : '';
  return { state: refining ? `Trained (quick model), refining…${step}` : 'Trained', done, refining };
}

const settled = (models) => { const summary = trainingSummary(models); return summary.done && !summary.refining; };

export function TrainButton({ app, version, onTrained }) {
  const [status, setStatus] = useState({ state: '…', done: true });
  const poll = usePoll();
  const path = `${versionPath(app, version)}/train`;
  const watch = (until) => poll(() => get(path), until, (models) => setStatus(trainingSummary(models)));
  const unknown = () => setStatus({ state: 'Status unknown', done: true });
  useEffect(() => { watch(settled).catch(unknown); }, [path]);
  const [train, error, busy] = useAction(async () => {
    await post(path);
    setStatus({ state: 'Training… queued', done: false });
    const summary = trainingSummary(await watch((models) => trainingSummary(models).done));
    if (summary.failed) return;
    onTrained();
    if (summary.refining) watch(settled).then(onTrained, unknown);  // the refined model answers from now on
  });
  return html`<div class="train">
    <button type="button" id="train" class="primary" disabled=${busy || !status.done} onClick=${train}>Train</button>
    ${status.progress && html`<progress max=${status.progress.steps} value=${status.progress.step} aria-label="Training progress"></progress>`}
    <span id="train-status" role="status" aria-live="polite">${status.state}</span><${Problem} error=${error} /></div>`;
}

/** The text with each entity's span marked, from the `$instance` offsets of a verbose v3 answer. */
function highlighted(query, entities) {
  const spans = Object.entries(entities.$instance || {}).flatMap(([name, found]) =>
    found.map((f) => ({ name, start: f.startIndex, end: f.startIndex + f.length })))
    .sort((a, b) => a.start - b.start).filter((s, i, all) => i === 0 || s.start >= all[i - 1].end);
  const parts = [];
  let cursor = 0;
  for (const span of spans) {
    parts.push(query.slice(cursor, span.start));
    parts.push(html`<mark title=${`${span.name} [${span.start}, ${span.end})`}>${query.slice(span.start, span.end)}<sub>${span.name}</sub></mark>`);
    cursor = span.end;
  }
  parts.push(query.slice(cursor));
  return { parts, spans };
}

function PredictionView({ title, answer }) {
  const { prediction } = answer;
  const { parts, spans } = highlighted(answer.query, prediction.entities);
  const intents = Object.entries(prediction.intents).sort((a, b) => b[1].score - a[1].score);
  return html`<section class="prediction" aria-label=${title}><h2>${title}</h2>
    <p>Top intent: <strong class="top-intent">${prediction.topIntent}</strong></p>
    <p class="highlighted">${parts}</p>
    <h3>Entities</h3>${spans.length === 0 ? html`<p class="muted">None found.</p>` : html`<table class="list entities">
      <thead><tr><th>Entity</th><th>Text</th><th>Start</th><th>Length</th></tr></thead>
      <tbody>${spans.map((s) => html`<tr><td>${s.name}</td><td>${answer.query.slice(s.start, s.end)}</td><td>${s.start}</td><td>${s.end - s.start}</td></tr>`)}</tbody></table>`}
    <h3>Intents</h3><table class="list scores"><tbody>${intents.map(([name, { score }]) => html`<tr>
      <th scope="row">${name}</th><td><${Bar} value=${score} /></td></tr>`)}</tbody></table>
    <details><summary>Raw v3 JSON</summary><pre class="json">${JSON.stringify(answer, null, 2)}</pre></details>
  </section>`;
}

export function TestPanel({ app, version }) {
  const [query, setQuery] = useState('');
  const [slot, setSlot] = useState('');
  const [answers, setAnswers] = useState(null);
  const [test, error, busy] = useAction(async (event) => {
    event.preventDefault();
    const params = new URLSearchParams({ query, verbose: 'true', 'show-all-intents': 'true', log: 'false' });
    const targets = [[`Version ${version}`, versionPath(app, version)], ...(slot ? [[`Published ${slot} slot`, `/apps/${seg(app.id)}/slots/${slot}`]] : [])];
    setAnswers(await Promise.all(targets.map(async ([title, path]) => [title, await get(`${path}/predict?${params}`, { prefix: PREDICTION })])));
  });
  return html`<form class="inline" onSubmit=${test}>
      <label>Type a test utterance <input id="test-query" value=${query} required onInput=${(e) => setQuery(e.target.value)} /></label>
      <label>Compare with <select value=${slot} onChange=${(e) => setSlot(e.target.value)}>
        <option value="">nothing</option><option value="production">production slot</option><option value="staging">staging slot</option></select></label>
      <button type="submit" disabled=${busy}>Test</button></form>
    <${Problem} error=${error} />
    <div class="side-by-side">${answers && answers.map(([title, answer]) => html`<${PredictionView} title=${title} answer=${answer} />`)}</div>`;
}

/** The server's public URL (LUISLITE_PUBLIC_URL, else its host) from a slot's v2.0 `endpointUrl`, as published. */
const serverUrl = (info) => info.endpointUrl.replace(/\/luis\/v2\.0\/apps\/[^/]*$/, '');

export function Publish({ app, version, reloadApp }) {
  const [slot, setSlot] = useState('production');
  const [publish, error, busy] = useAction(async (event) => {
    event.preventDefault();
    await post(`/apps/${seg(app.id)}/publish`, { versionId: version, isStaging: slot === 'staging' });
    reloadApp();
  });
  const slots = Object.entries(app.endpoints || {});
  return html`<form class="inline" onSubmit=${publish}>
      <fieldset><legend>Publish version ${version} to</legend>
        ${['production', 'staging'].map((s) => html`<label><input type="radio" name="slot" value=${s} checked=${slot === s} onChange=${() => setSlot(s)} /> ${s} slot</label>`)}
      </fieldset><button type="submit" class="primary" disabled=${busy}>Publish</button></form>
    <${Problem} error=${error} />
    ${slots.length === 0 ? html`<p>Not published yet.</p>` : slots.map(([name, info]) => {
      const url = `${serverUrl(info)}${PREDICTION}/apps/${app.id}/slots/${name.toLowerCase()}/predict`;
      return html`<section class="slot" aria-label=${`${name} slot`}><h2>${name.toLowerCase()} slot</h2>
        <dl class="facts"><dt>Version</dt><dd class="slot-version">${info.versionId}</dd><dt>Published</dt><dd>${info.publishedDateTime}</dd>
          <dt>Endpoint URL</dt><dd><code class="endpoint">${url}</code></dd>
          <dt>v2.0 endpoint URL</dt><dd><code class="endpoint-v2">${info.endpointUrl}</code></dd></dl>
        <p>Try it (with your key in <code>LUIS_KEY</code>):</p>
        <pre class="curl">curl -G "${url}" --data-urlencode "query=book a flight to Paris" -H "Ocp-Apim-Subscription-Key: $LUIS_KEY"</pre></section>`;
    })}`;
}

/** Predicted entities of a logged query (those an example can label) as example labels. */
const predictedLabels = (entities) => entities.filter((e) => (e.kind || 'ml') === 'ml').map((e) => ({
  entityName: e.entity, role: e.role, startCharIndex: e.startPos, endCharIndex: e.endPos,
  children: predictedLabels(e.children || []),
}));

function ReviewItem({ utterance, intents, choices, act }) {
  const [intent, setIntent] = useState(utterance.predictedIntent);
  const [labels, setLabels] = useState(predictedLabels(utterance.entities || []));
  return html`<li class="utterance review-item">
    <${LabeledText} text=${utterance.text} offsets=${wordOffsets(utterance.text)} labels=${labels} choices=${choices} onChange=${setLabels}>
      <span class="predicted">predicted: ${utterance.predictedIntent} (${utterance.score.toFixed(2)})</span>
      <label class="sr-only" for=${`intent-${utterance.id}`}>Intent of ${utterance.text}</label>
      <select id=${`intent-${utterance.id}`} value=${intent} onChange=${(e) => setIntent(e.target.value)}>
        ${intents.map((i) => html`<option value=${i.name}>${i.name}</option>`)}</select>
      <button type="button" onClick=${() => act(utterance, { intentName: intent, entityLabels: labels })}>Accept</button>
      <button type="button" onClick=${() => act(utterance)}>Dismiss</button>
    <//>
  </li>`;
}

export function Review({ app, version }) {
  const base = versionPath(app, version);
  const [every, setEvery] = useState(false);
  const review = useLoad(() => get(`${base}/reviewutterances?take=100${every ? '&margin=1' : ''}`), [base, every]);
  const intents = useLoad(() => get(`${base}/intents?take=500`), [base]);
  const entities = useLoad(() => get(`${base}/entities?take=500`), [base]);
  const [act, error] = useAction(async (utterance, correction) => {
    if (correction) await post(`${base}/reviewutterances/${utterance.id}/accept`, correction);
    else await del(`${base}/reviewutterances/${utterance.id}`);
    review.reload();
  });
  return html`<p class="muted">Endpoint utterances the model was unsure of. Accept one, with the predicted or a corrected
      intent and labels, to add it as an example; dismiss it to take it off the list.</p>
    <label>Show <select id="review-show" value=${every ? 'all' : 'unsure'} onChange=${(e) => setEvery(e.target.value === 'all')}>
      <option value="unsure">utterances the model was unsure of</option><option value="all">every logged utterance not yet labeled</option></select></label>
    <${Problem} error=${error} />
    <${Loading} load=${review}>${(list) => (list.length === 0 ? html`<p>Nothing to review.</p>` : html`<ul class="utterances">
      ${list.map((u) => html`<${ReviewItem} key=${u.id} utterance=${u} act=${act}
        intents=${intents.data || [{ name: u.predictedIntent }]} choices=${labelChoices(entities.data || [])} />`)}</ul>`)}<//>`;
}

export function Bar({ value, second }) {
  return html`<span class="bar-cell"><span class="bar" role="img" aria-label=${percent(value)}><span style=${{ width: percent(value) }}></span></span>
    ${second !== undefined && html`<span class="bar second" role="img" aria-label=${percent(second)}><span style=${{ width: percent(second) }}></span></span>`}
    <span class="figure">${value.toFixed(3)}${second !== undefined ? ` / ${second.toFixed(3)}` : ''}</span></span>`;
}

function Scores({ title, classes, other }) {
  const names = Object.keys(classes);
  if (names.length === 0) return null;
  return html`<h3>${title}</h3><table class="list scores">
    <thead><tr><th></th><th>Precision</th><th>Recall</th><th>F1</th><th>Support</th></tr></thead>
    <tbody>${names.map((name) => html`<tr><th scope="row">${name}</th>
      ${['precision', 'recall', 'f1'].map((k) => html`<td><${Bar} value=${classes[name][k]} second=${other && other[name] ? other[name][k] : undefined} /></td>`)}
      <td>${classes[name].support}</td></tr>`)}</tbody></table>`;
}

function Confusion({ matrix }) {
  const names = Object.keys(matrix);
  const most = Math.max(1, ...names.flatMap((g) => names.map((p) => matrix[g][p])));
  const cell = (g, p) => {
    const n = matrix[g][p];
    const strength = n / most;
    const hue = g === p ? '150, 60%, 35%' : '5, 75%, 45%';
    return html`<td class="heat" style=${{ backgroundColor: n ? `hsla(${hue}, ${0.15 + 0.85 * strength})` : 'transparent', color: strength > 0.55 ? '#fff' : 'inherit' }}>${n}</td>`;
  };
  return html`<table class="confusion"><caption>Rows: expected intent; columns: predicted intent</caption>
    <thead><tr><th></th>${names.map((p) => html`<th scope="col">${p}</th>`)}</tr></thead>
    <tbody>${names.map((g) => html`<tr><th scope="row">${g}</th>${names.map((p) => cell(g, p))}</tr>`)}</tbody></table>`;
}

function Report({ report, other, otherName }) {
  const cards = [['Intent accuracy', percent(report.intent_accuracy)], ['Sentence exact match', percent(report.sentence_exact_match)],
    ['Entity F1', report.entity_averages ? percent(report.entity_averages.micro.f1) : '–'], ['Utterances', report.utterances],
    ['Wrong', report.errors.length]];
  const labels = (list) => list.map((e) => `${e.entity}: ${e.text}`).join(', ') || '—';
  return html`<section class="report" aria-label="Batch test report">
    <div class="cards">${cards.map(([k, v]) => html`<div class="card">${k}<b>${v}</b></div>`)}</div>
    ${other && html`<p class="legend"><span class="swatch"></span> this version <span class="swatch second"></span> ${otherName}</p>`}
    <${Scores} title="Intents" classes=${report.intents} other=${other && other.intents} />
    <${Scores} title="Entities (exact span)" classes=${report.entities} other=${other && other.entities} />
    <h3>Confusion matrix</h3><${Confusion} matrix=${report.confusion} />
    <h3>Wrong utterances (${report.errors.length})</h3>
    ${report.errors.length > 0 && html`<table class="list errors">
      <thead><tr><th>Utterance</th><th>Expected intent</th><th>Predicted intent</th><th>Expected entities</th><th>Predicted entities</th></tr></thead>
      <tbody>${report.errors.map((e) => html`<tr><td>${e.text}</td><td>${e.expected_intent}</td>
        <td class=${e.expected_intent === e.predicted_intent ? '' : 'mismatch'}>${e.predicted_intent}</td>
        <td>${labels(e.expected_entities)}</td><td>${labels(e.predicted_entities)}</td></tr>`)}</tbody></table>`}
  </section>`;
}

/** What a batch test runs on: a version (`0.1`) or a published slot (`slot:production`), its path and its name. */
const testTarget = (app, target) => {
  const slot = target.startsWith('slot:') && target.slice(5);
  return slot ? [`/apps/${seg(app.id)}/slots/${seg(slot)}/batchtests`, `${slot} slot`]
    : [`${versionPath(app, target)}/batchtests`, `version ${target}`];
};

export function BatchTesting({ app, version }) {
  const versions = useLoad(() => get(`/apps/${seg(app.id)}/versions?take=500`), [app]);
  const [compare, setCompare] = useState('');
  const [state, setState] = useState(null);
  const [compared, setCompared] = useState('');  // what the shown report compares with, as chosen when it ran
  const poll = usePoll();
  const runOne = async (target, utterances) => {
    const [path, name] = testTarget(app, target);
    const { id } = await post(path, utterances);
    const test = await poll(() => get(`${path}/${id}`), (t) => ['Success', 'Failed'].includes(t.status),
      (t) => setState((s) => ({ ...s, [target]: t })));
    if (test.status !== 'Success') throw new Error(`The batch test of ${name} failed: ${test.failureReason || 'no reason given'}`);
    return test;
  };
  const [run, error, busy] = useAction(async (event) => {
    event.preventDefault();
    const utterances = JSON.parse(await event.target.file.files[0].text());
    setState({});
    setCompared(compare);
    await Promise.all([version, ...(compare && compare !== version ? [compare] : [])].map((v) => runOne(v, utterances)));
  });
  const mine = state && state[version];
  const theirs = state && compared && state[compared];
  const slots = Object.keys(app.endpoints || {}).map((s) => s.toLowerCase());
  return html`<p class="muted">A batch test file is a JSON array of labeled utterances:
      <code>[{"text": "…", "intent": "…", "entities": [{"entity": "…", "startPos": 0, "endPos": 4}]}]</code> (endPos inclusive).</p>
    <form class="inline" onSubmit=${run}>
      <label>Batch test file <input name="file" type="file" accept=".json" required /></label>
      <label>Compare with <select value=${compare} onChange=${(e) => setCompare(e.target.value)}>
        <option value="">nothing</option>${(versions.data || []).filter((v) => v.version !== version).map((v) => html`<option value=${v.version}>version ${v.version}</option>`)}
        ${slots.map((s) => html`<option value=${`slot:${s}`}>published ${s} slot</option>`)}</select></label>
      <button type="submit" class="primary" disabled=${busy}>Run</button></form>
    <${Problem} error=${error} />
    ${mine && html`<p role="status">Version ${version}: ${mine.status}${mine.progress ? ` (${mine.progress.done} of ${mine.progress.utterances} utterances)` : ''}</p>`}
    ${mine && mine.report && html`<${Report} report=${mine.report} other=${theirs && theirs.report} otherName=${compared && testTarget(app, compared)[1]} />`}`;
}
