// The public REST API, as the console calls it: the authoring key from the tab's sessionStorage, errors in words.
const AUTHORING = '/luis/authoring/v3.0-preview';
export const PREDICTION = '/luis/prediction/v3.0';
const KEY = 'luislite.authoringKey';
export const SIGNED_OUT = 'luislite:signed-out';

export const key = {
  get: () => sessionStorage.getItem(KEY),
  set: (value) => sessionStorage.setItem(KEY, value),
  clear: () => sessionStorage.removeItem(KEY),
};

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** Call the API: a JSON body (or text with `type`), the JSON answer (or text), an ApiError with LUIS's message. */
export async function call(method, path, body, { prefix = AUTHORING, type, text = false } = {}) {
  const headers = { 'Ocp-Apim-Subscription-Key': key.get() || '' };
  let payload;
  if (body !== undefined) {
    headers['Content-Type'] = type || 'application/json';
    payload = type ? body : JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(prefix + path, { method, headers, body: payload, cache: 'no-store' });
  } catch (error) {
    throw new ApiError(0, `The service did not answer (${error.message}).`);
  }
  const answer = await response.text();
  if (response.status === 401 && prefix === AUTHORING) {
    key.clear();
    dispatchEvent(new Event(SIGNED_OUT));  // the key was refused: back to signing in
  }
  if (!response.ok) {
    let message = answer || response.statusText;
    try { message = JSON.parse(answer).error.message || message; } catch { /* not LUIS JSON: the text itself */ }
    throw new ApiError(response.status, `${response.status}: ${message}`);
  }
  if (text) return answer;
  return answer ? JSON.parse(answer) : null;
}

export const get = (path, options) => call('GET', path, undefined, options);
export const post = (path, body, options) => call('POST', path, body, options);
export const put = (path, body, options) => call('PUT', path, body, options);
export const del = (path, options) => call('DELETE', path, undefined, options);

/** URL-safe path segment. */
export const seg = (value) => encodeURIComponent(value);

/** Offer `content` as a file download. */
export function download(name, content, type = 'application/json') {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([content], { type }));
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

/** A LUIS app file (.json, or .lu text) as an import request's query, body and options. */
export async function appFile(file) {
  const content = await file.text();
  if (file.name.toLowerCase().endsWith('.lu')) return [{ format: 'lu' }, content, { type: 'text/plain' }];
  try {
    return [{}, JSON.parse(content), {}];
  } catch (error) {
    throw new Error(`${file.name} is neither a .lu file nor LUIS JSON (${error.message}).`);
  }
}
