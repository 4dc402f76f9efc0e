// Every message the server can answer with is read by someone in one language (docs/api.md,
// "Errors"): the format strings handed to yx_fail, yx_fail_field, yx_fail_code and yx_fail_check
// are "Vietnamese / English" with exactly one separator between the halves, the Vietnamese first,
// or (for now) English alone. The server splits them where the format has " / " and answers the
// half Accept-Language asks for, so a second separator would cut a message in the wrong place.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const src = join(root, 'src');

// The argument that is the format, by function (0-based, after r).
const FORMAT_ARG = { yx_fail: 2, yx_fail_field: 3, yx_fail_code: 4, yx_fail_check: 6, CLIENT: 1, GRANT: 1 };

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
  const call = /\b(yx_fail_check|yx_fail_field|yx_fail_code|yx_fail|CLIENT|GRANT)\s*\(/g;
  for (const file of cFiles(src)) {
    const s = readFileSync(file, 'utf8');
    for (const m of s.matchAll(call)) {
      if (/^\s*(int|#define)/.test(s.slice(s.lastIndexOf('\n', m.index) + 1, m.index))) continue; // a definition
      const args = callArgs(s, m.index + m[0].length - 1);
      const fmt = literal(args[FORMAT_ARG[m[1]]] ?? '');
      if (fmt !== null) out.push({ file: relative(root, file), line: s.slice(0, m.index).split('\n').length, fmt });
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

test('no new message is English alone', () => {
  // The messages written before issue 21 in English alone; each one given its Vietnamese lowers
  // this figure, and a new message in English alone fails the test.
  const ENGLISH_ONLY_AT_MOST = 147;
  const english = messages().filter(({ fmt }) => !fmt.includes(' / ') && !VIETNAMESE.test(fmt));
  assert.ok(english.length <= ENGLISH_ONLY_AT_MOST, `${english.length} messages in English alone:\n${english.map((m) => `${m.file}:${m.line}: ${m.fmt}`).join('\n')}`);
});
