import vi from './i18n/vi.js';

// Vietnamese is in the entry script; English comes on demand (most people read Vietnamese, and
// every byte before the login form counts on a 512 kbit/s link). Once fetched the service worker
// keeps it, so the app opens in English offline too.
const tables = { vi };
const loaders = { en: () => import('./i18n/en.js') };
let lang = 'vi';
document.documentElement.lang = lang;

async function load(l) {
  if (!tables[l] && loaders[l]) tables[l] = (await loaders[l]()).default;
}

export const getLang = () => lang;
// The language chosen on this browser, its table loaded; Vietnamese if that cannot be fetched.
export async function startLang() {
  if (localStorage.getItem('ytexa.lang') === 'en') await setLang('en', false);
}
export async function setLang(l, remember = true) {
  await load(l).catch(() => {});
  lang = tables[l] ? l : 'vi';
  if (remember) localStorage.setItem('ytexa.lang', lang);
  document.documentElement.lang = lang;
}
export const t = (key) => tables[lang][key] ?? tables.vi[key] ?? key;
// A wait or a duration in whole minutes as people say it: "45 phút", "1 giờ 35 phút", "3 giờ";
// the same on every page (the home page's cards, the consultation inbox).
export function duration(minutes) {
  if (minutes === null || minutes === undefined) return '';
  if (minutes < 60) return `${minutes} ${t('minutes')}`;
  const h = Math.floor(minutes / 60),
    m = minutes % 60;
  return m ? `${h} ${t('hours')} ${m} ${t('minutes')}` : `${h} ${t('hours')}`;
}
