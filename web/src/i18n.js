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
