// Every message the server can answer with is read by someone in one language (docs/api.md,
// "Errors"): the format strings handed to yx_fail, yx_fail_field, yx_fail_code and yx_fail_check,
// and the plain texts of a WebSocket's send_error, are "Vietnamese / English" with exactly one
// separator between the halves, the Vietnamese first.
// The server splits them where the format has " / " and answers the half Accept-Language asks
// for, so a second separator would cut a message in the wrong place. Both halves are formatted by
// one vsnprintf, so each half takes its own copy of the values: the same conversions in the same
// order, and the call passes them twice. A format that is "%s" alone hands on a message the
// program made elsewhere (a checker's "vi / en" text), which is split at its own separator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const src = join(root, 'src');

// The argument that is the format, by function (0-based, after r).
const FORMAT_ARG = { yx_fail: 2, yx_fail_field: 3, yx_fail_code: 4, yx_fail_check: 6, CLIENT: 1, GRANT: 1, send_error: 2 };
// The calls whose message is a plain text, not a format (a WebSocket's error, src/realtime/hub.c).
const PLAIN = new Set(['send_error']);

function* cFiles(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* cFiles(p);
    else if (name.endsWith('.c')) yield p;
  }
}

// The top-level arguments of the call whose '(' is at open, as source text.
function callArgs(s, open) {
  const args = [];
  let depth = 0, start = open + 1;
  for (let i = open; i < s.length; i++) {
    const c = s[i];
    if (c === '"' || c === "'") {
      for (i++; s[i] !== c; i++) if (s[i] === '\\') i++;
    } else if (c === '/' && s[i + 1] === '*') {
      i = s.indexOf('*/', i) + 1;
    } else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) { args.push(s.slice(start, i)); return args; }
    } else if (c === ',' && depth === 1) { args.push(s.slice(start, i)); start = i + 1; }
  }
  return args;
}

// A C argument made only of adjacent string literals, as its text; null for anything else.
function literal(arg) {
  const t = arg.trim();
  if (!/^"(?:[^"\\]|\\.)*"(\s*"(?:[^"\\]|\\.)*")*$/.test(t)) return null;
  return [...t.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]).join('');
}

export function messages() {
  const out = [];
  const call = /\b(yx_fail_check|yx_fail_field|yx_fail_code|yx_fail|CLIENT|GRANT|send_error)\s*\(/g;
  for (const file of cFiles(src)) {
    const s = readFileSync(file, 'utf8');
    for (const m of s.matchAll(call)) {
      if (/^\s*(int|#define|static void)/.test(s.slice(s.lastIndexOf('\n', m.index) + 1, m.index))) continue; // a definition
      const args = callArgs(s, m.index + m[0].length - 1);
      const fmt = literal(args[FORMAT_ARG[m[1]]] ?? '');
      if (fmt !== null)
        out.push({
          file: relative(root, file),
          line: s.slice(0, m.index).split('\n').length,
          fmt,
          values: PLAIN.has(m[1]) ? null : args.length - FORMAT_ARG[m[1]] - 1,
        });
    }
  }
  return out;
}

const VIETNAMESE = /[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]/i;

test('the messages are found', () => {
  const all = messages();
  // If this falls, the reader above has stopped finding the calls, and the checks below say nothing.
  assert.ok(all.length > 400, `only ${all.length} messages found`);
});

test('a message has at most one separator, the Vietnamese before it and the English after', () => {
  const bad = [];
  for (const { file, line, fmt } of messages()) {
    const parts = fmt.split(' / ');
    if (parts.length > 2) bad.push(`${file}:${line}: ${parts.length - 1} separators: ${fmt}`);
    else if (parts.length === 2 && (!VIETNAMESE.test(parts[0]) || VIETNAMESE.test(parts[1])))
      bad.push(`${file}:${line}: not "Vietnamese / English": ${fmt}`);
  }
  assert.deepEqual(bad, []);
});

// The conversions of a format, in order, as written ("%lld", "%.40s", "%zu"); "%%" is none.
export function conversions(fmt) {
  return [...fmt.matchAll(/%(?:%|[-+ #0]*(?:\*|\d+)?(?:\.(?:\*|\d+))?(?:hh|h|ll|l|z|j|t|L)?[diouxXeEfgGcsp])/g)]
    .map((m) => m[0])
    .filter((c) => c !== '%%');
}

test('every message is Vietnamese and English, or a message made elsewhere handed on', () => {
  const english = messages().filter(({ fmt }) => fmt !== '%s' && !fmt.includes(' / '));
  assert.deepEqual(
    english.map((m) => `${m.file}:${m.line}: ${m.fmt}`),
    [],
  );
});

test('both halves take the same values in the same order, and the call passes them for both', () => {
  const bad = [];
  for (const { file, line, fmt, values } of messages()) {
    const parts = fmt.split(' / ');
    if (parts.length !== 2) continue;
    const vi = conversions(parts[0]), en = conversions(parts[1]);
    const stars = (vi.join('') + en.join('')).split('*').length - 1;
    if (vi.join(' ') !== en.join(' ')) bad.push(`${file}:${line}: [${vi}] / [${en}]: ${fmt}`);
    else if (values !== null && values !== vi.length + en.length + stars)
      bad.push(`${file}:${line}: ${values} values for ${vi.length + en.length} conversions: ${fmt}`);
  }
  assert.deepEqual(bad, []);
});
