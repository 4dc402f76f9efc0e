// The app's one hash router. An address is #/<page>/<part>/<part>?<query>: the page picks the
// screen (main.js), the parts pick what the page shows (#/patients/12, #/consults/new/7,
// #/training/sessions/3/live) and the query holds a view's settings (the reports' period and
// drill). Pages read the address only through this module and re-render through useRoute, so
// Back, a reload and a shared link open the same screen everywhere.
import { useState, useEffect } from 'preact/hooks';

// The address's path as parts: '#/consults/new/7?x=1' → ['consults', 'new', '7'].
export const parts = () => location.hash.replace(/^#\/?/, '').split('?')[0].split('/').filter(Boolean);
// The address's query (the part after '?').
export const query = () => new URLSearchParams(location.hash.split('?')[1] || '');
// A part that is an id: its number, else null (so '12abc' is not 12).
export const idOf = (part) => (/^\d+$/.test(part || '') ? Number(part) : null);

// Calls fn whenever the address changes (Back, a link, go()); returns the unsubscribe.
export function onRoute(fn) {
  window.addEventListener('hashchange', fn);
  return () => window.removeEventListener('hashchange', fn);
}

// The page's reading of the address (parse() over parts() and query()), kept current.
export function useRoute(parse) {
  const [r, setR] = useState(parse);
  useEffect(() => onRoute(() => setR(() => parse())), []);
  return r;
}

// Opens an address ('patients/12' or '#/patients/12'): a step that Back undoes.
export function go(path) {
  const h = path.startsWith('#') ? path : '#/' + path;
  if (location.hash !== h) location.hash = h;
}
// Changes the address without a step in the history (a filter changed, not a place visited).
export const replace = (h) => history.replaceState(null, '', h);
