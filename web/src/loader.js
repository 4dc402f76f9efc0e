// The app's one loader: what a page shows while its data or its code is on the way (a short
// "Đang tải…"), and when that failed (the reason and "Thử lại"). useLoad is for a page's data,
// lazy() for a page's code that the first load leaves out (the video room, calls, training, the
// reports): vite makes each dynamic import() a chunk of its own, fetched when its route opens.
import { useState, useEffect } from 'preact/hooks';
import { html } from 'htm/preact';
import { t } from './i18n.js';
import { errorText } from './words.js';

// Runs fn (which returns a promise) whenever deps change and keeps its result and its error (as
// text): [value, error, reload, setValue]. The value stays null until the first answer.
export function useLoad(fn, deps) {
  const [v, setV] = useState(null);
  const [error, setError] = useState(null);
  const load = () =>
    fn()
      .then((x) => {
        setV(x);
        setError(null);
      })
      .catch((e) => setError(errorText(e)));
  useEffect(() => {
    load();
  }, deps);
  return [v, error, load, setV];
}

// Loading, or the error with a retry when one is given.
export function Pending({ error, retry }) {
  if (!error) return html`<p class="loading" aria-busy="true">${t('loading')}</p>`;
  return html`<div class="error" role="alert"><p>${error}</p>
    ${retry && html`<button type="button" onClick=${retry}>${t('retry')}</button>`}</div>`;
}

// A component whose code is fetched on first use: load() is a dynamic import, name the export.
// Once fetched it is kept, so opening the route again shows it at once; a failed fetch (the link
// dropped) says so and offers to try again, without a reload of the whole app.
export function lazy(load, name) {
  let loaded = null;
  function Lazy(props) {
    const [C, setC] = useState(() => loaded);
    const [error, setError] = useState(null);
    const fetchCode = () => {
      setError(null);
      load()
        .then((m) => {
          loaded = m[name];
          setC(() => loaded);
        })
        .catch((e) => setError(errorText({ status: 0, message: e.message })));
    };
    useEffect(() => {
      if (!C) fetchCode();
    }, []);
    return C ? html`<${C} ...${props} />` : html`<${Pending} error=${error} retry=${fetchCode} />`;
  }
  // Fetches the code ahead of use (the browser keeps one copy however often it is asked); a failure
  // is left for the first use to show.
  Lazy.preload = () =>
    load().then(
      (m) => {
        loaded = m[name];
      },
      () => {},
    );
  return Lazy;
}
