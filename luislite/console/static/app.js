// The console's shell: sign in, the apps list, and an app's pages under a version, routed by the URL's hash.
import { html, render, useEffect, useErrorBoundary, useState } from './vendor/preact-htm.js';
import { ApiError, SIGNED_OUT, appFile, del, get, key, post, put, seg } from './api.js';
import { Confirm, InlineForm, Loading, Problem, link, useAction, useLoad } from './ui.js';
import { Entities, Intents, Patterns, PhraseLists, Settings, Versions } from './authoring.js';
import { BatchTesting, Publish, Review, TestPanel, TrainButton } from './runtime.js';

const PAGES = {
  intents: ['Intents', Intents], entities: ['Entities', Entities], patterns: ['Patterns', Patterns],
  phraselists: ['Phrase lists', PhraseLists], test: ['Test', TestPanel], publish: ['Publish', Publish],
  review: ['Review endpoint utterances', Review], batch: ['Batch testing', BatchTesting],
  versions: ['Versions', Versions], settings: ['Settings', Settings],
};

/** The hash as a route: #/apps, or #/apps/<app>/<version>/<page>[/<item>]. */
function parseRoute() {
  const [, apps, app, version, page, item] = location.hash.split('/').map(decodeURIComponent);
  if (apps !== 'apps' || !app) return { page: 'apps' };
  return { app, version, page: PAGES[page] ? page : 'intents', item };
}

function SignIn({ onSignIn }) {
  const [value, setValue] = useState('');
  const [check, error, busy] = useAction(async () => {
    key.set(value.trim());
    try {
      await get('/apps/?take=1');
    } catch (e) {
      key.clear();
      throw e.status === 401 ? new ApiError(401, 'That key is not an authoring key of this service.') : e;
    }
    onSignIn();
  });
  return html`<main class="signin">
    <h1>luislite</h1>
    <p>Language Understanding, served locally. Sign in with the authoring key
      (<code>LUISLITE_AUTHORING_KEYS</code>, or the key kept in the data directory's <code>authoring-key.json</code>).</p>
    <form onSubmit=${(e) => { e.preventDefault(); check(); }}>
      <label>Authoring key <input id="key" type="password" autocomplete="off" required value=${value}
        onInput=${(e) => setValue(e.target.value)} /></label>
      <button type="submit" disabled=${busy}>Sign in</button>
      <${Problem} error=${error} />
    </form>
    <p class="muted">The key stays in this tab only (session storage) and goes to this service alone.</p>
  </main>`;
}

function Apps() {
  const apps = useLoad(() => get('/apps/?take=500'), []);
  const cultures = useLoad(() => get('/apps/cultures'), []);
  const domains = useLoad(() => get('/apps/customprebuiltdomains'), []);
  /** The prebuilt domain chosen in the new-app form, if the chosen culture has it (else none). */
  const chosenDomain = ({ culture = 'en-us', domain }) => (domains.data || []).find((d) => d.culture === culture && d.name === domain)?.name;
  const [create, createError] = useAction(async (values) => {
    const { name, culture = 'en-us', description = '' } = values;
    const domain = chosenDomain(values);
    if (!domain) {
      const id = await post('/apps/', { name, culture, description, initialVersionId: '0.1' });
      location.hash = link(id, '0.1');
      return;
    }
    const id = await post('/apps/customprebuiltdomains', { domainName: domain, culture });  // named after the domain
    if (name || description) await put(`/apps/${seg(id)}`, { name: name || undefined, description: description || undefined });
    location.hash = `#/apps/${seg(id)}`;
  });
  const [importApp, importError] = useAction(async (event) => {
    event.preventDefault();
    const [query, body, options] = await appFile(event.target.file.files[0]);
    const name = event.target.appName.value.trim();
    const id = await post(`/apps/import?${new URLSearchParams({ ...query, ...(name && { appName: name }) })}`, body, options);
    location.hash = `#/apps/${seg(id)}`;
  });
  const [remove, removeError] = useAction(async (app) => { await del(`/apps/${seg(app.id)}`); apps.reload(); });
  const cultureOptions = (cultures.data || [{ code: 'en-us', name: 'English' }]).map((c) => ({ value: c.code, label: `${c.name} (${c.code})` }));
  /** The new-app form's fields: the domains of the chosen culture; with a domain, the name may stay the domain's. */
  const newAppFields = (values) => {
    const domain = chosenDomain(values);
    const offered = (domains.data || []).filter((d) => d.culture === (values.culture || 'en-us')).map((d) => d.name);
    return {
      name: { label: 'Name', required: !domain, placeholder: domain },
      culture: { label: 'Culture', options: cultureOptions },
      domain: { label: 'Start from a prebuilt domain', options: [{ value: '', label: 'none' }, ...offered] },
      description: { label: 'Description', required: false },
    };
  };
  return html`<main>
    <h1>My apps</h1>
    <section aria-labelledby="new-app"><h2 id="new-app">New app</h2>
      <${InlineForm} fields=${newAppFields} initial=${{ culture: 'en-us' }} submit="Create app" onSubmit=${create} error=${createError} />
    </section>
    <section aria-labelledby="import-app"><h2 id="import-app">Import an app</h2>
      <form class="inline" onSubmit=${importApp}>
        <label>LUIS app file (.json or .lu) <input name="file" type="file" accept=".json,.lu" required /></label>
        <label>Name (optional) <input name="appName" /></label>
        <button type="submit">Import</button>
        <${Problem} error=${importError} />
      </form>
    </section>
    <${Problem} error=${removeError} />
    <${Loading} load=${apps}>${(list) => (list.length === 0 ? html`<p>No app yet: create or import one.</p>` : html`
      <table class="list"><caption>${list.length} app${list.length === 1 ? '' : 's'}</caption>
        <thead><tr><th>Name</th><th>Culture</th><th>Active version</th><th>Endpoint hits</th><th>Created</th><th></th></tr></thead>
        <tbody>${list.map((app) => html`<tr key=${app.id}>
          <td><a href=${link(app.id, app.activeVersion)}>${app.name}</a></td><td>${app.culture}</td>
          <td>${app.activeVersion}</td><td>${app.endpointHitsCount ?? 0}</td>
          <td>${(app.createdDateTime || '').slice(0, 10)}</td>
          <td><${Confirm} name=${app.name} onConfirm=${() => remove(app)} /></td></tr>`)}</tbody>
      </table>`)}<//>
  </main>`;
}

function AppPages({ route }) {
  const app = useLoad(() => get(`/apps/${seg(route.app)}`), [route.app]);
  const [trained, setTrained] = useState(0);
  useEffect(() => {
    if (app.data && !route.version) location.replace(link(app.data.id, app.data.activeVersion));
  }, [app.data, route.version]);
  return html`<${Loading} load=${app}>${(info) => {
    const version = route.version || info.activeVersion;
    const [title, Page] = PAGES[route.page];
    const context = { app: info, version, item: route.item, trained, reloadApp: app.reload };
    return html`<div class="app">
      <header class="appbar">
        <div><a href="#/apps">My apps</a> › <strong>${info.name}</strong> <span class="muted">version ${version}</span></div>
        <${TrainButton} app=${info} version=${version} onTrained=${() => setTrained((n) => n + 1)} />
      </header>
      <div class="columns">
        <nav aria-label="App pages"><ul>${Object.entries(PAGES).map(([name, [label]]) => html`
          <li><a href=${link(info.id, version, name)} aria-current=${name === route.page ? 'page' : undefined}>${label}</a></li>`)}
        </ul></nav>
        <main id="page"><h1>${title}</h1><${Page} ...${context} /></main>
      </div></div>`;
  }}<//>`;
}

/** A page that failed to render says so in words, instead of leaving a blank page. */
function Guard({ children }) {
  const [error, reset] = useErrorBoundary();
  if (!error) return children;
  return html`<main><${Problem} error=${new Error(`This page failed: ${error.message}`)} />
    <button type="button" onClick=${() => { location.hash = '#/apps'; reset(); }}>Back to my apps</button></main>`;
}

function Console() {
  const [route, setRoute] = useState(parseRoute());
  const [signedIn, setSignedIn] = useState(Boolean(key.get()));
  useEffect(() => {
    const onHash = () => setRoute(parseRoute());
    const onSignedOut = () => setSignedIn(false);
    addEventListener('hashchange', onHash);
    addEventListener(SIGNED_OUT, onSignedOut);
    return () => { removeEventListener('hashchange', onHash); removeEventListener(SIGNED_OUT, onSignedOut); };
  }, []);
  if (!signedIn) return html`<${SignIn} onSignIn=${() => setSignedIn(true)} />`;
  const signOut = () => { key.clear(); setSignedIn(false); };
  return html`<div class="shell">
    <header class="top"><a class="brand" href="#/apps">luislite</a><span class="muted">Language Understanding, locally</span>
      <button type="button" id="signout" onClick=${signOut}>Sign out</button></header>
    <${Guard}>${route.page === 'apps' ? html`<${Apps} />` : html`<${AppPages} key=${route.app} route=${route} />`}<//>
  </div>`;
}

render(html`<${Console} />`, document.getElementById('console'));
