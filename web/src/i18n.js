import vi from './i18n/vi.js';
import en from './i18n/en.js';

const tables = { vi, en };
let lang = localStorage.getItem('ytexa.lang') === 'en' ? 'en' : 'vi';
document.documentElement.lang = lang;

export const getLang = () => lang;
export function setLang(l) {
  lang = tables[l] ? l : 'vi';
  localStorage.setItem('ytexa.lang', lang);
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
