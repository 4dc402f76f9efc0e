// Drafts of long texts in the browser (issue 21): what a doctor types in the notes, an opinion or a
// conclusion, or a station in a visit's reason, survives a reload or a step Back. Kept in
// sessionStorage (this tab only, gone when it closes) under the user, the form and the record, so
// nobody else who signs in on the same browser reads it; cleared when the form is sent, and all of
// them on logout (clearDrafts).
import { useState, useEffect } from 'preact/hooks';

const PREFIX = 'ytexa.draft:';
const keyOf = (user, form, record) => `${PREFIX}${user ?? 0}:${form}:${record ?? 0}`;

function read(key) {
  if (!key) return null;
  try {
    const s = sessionStorage.getItem(key);
    return s ? JSON.parse(s) : null;
  } catch {
    return null;
  }
}

// [value, set, clear]: like useState(initial), but a value kept earlier for (user, form, record)
// comes back in its place, and each change is kept. clear() forgets the draft (after sending).
// Without a form (null) nothing is kept: a plain state.
export function useDraft(user, form, record, initial) {
  const key = form ? keyOf(user, form, record) : null;
  const [value, setValue] = useState(() => read(key) ?? initial);
  useEffect(() => {
    setValue(read(key) ?? initial);
  }, [key]);
  const set = (next) =>
    setValue((old) => {
      const v = typeof next === 'function' ? next(old) : next;
      try {
        if (key) sessionStorage.setItem(key, JSON.stringify(v));
      } catch {
        // A full or refused storage keeps the text on the page only.
      }
      return v;
    });
  // clear(next): forgets the draft; with next, the form shows next (not kept) from now on.
  const clear = (...next) => {
    try {
      if (key) sessionStorage.removeItem(key);
    } catch {
      // nothing kept
    }
    if (next.length) setValue(next[0]);
  };
  return [value, set, clear];
}

// Forgets every draft of this tab: called on logout.
export function clearDrafts() {
  try {
    for (const k of Object.keys(sessionStorage)) if (k.startsWith(PREFIX)) sessionStorage.removeItem(k);
  } catch {
    // no storage
  }
}
