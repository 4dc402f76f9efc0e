// An image of a consultation (an X-ray, a photo of a wound) read at full screen: zoom by buttons,
// the wheel or two fingers, move it by dragging, contrast and brightness and inversion as CSS
// filters (nothing is sent again: the same preview the page showed, with the session's cookie like
// the download), reset. Keyboard: + and − zoom, arrows move, I inverts, 0 resets, Escape closes; the
// focus stays in the viewer and goes back to the thumbnail after.
import { useState, useEffect, useRef } from 'preact/hooks';
import { html } from 'htm/preact';
import { t } from './i18n.js';

const MIN = 1;
const MAX = 8;
const START = { zoom: 1, x: 0, y: 0, contrast: 100, brightness: 100, invert: false };
const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));

export function ImageViewer({ file, onClose }) {
  const [v, setV] = useState(START);
  const box = useRef(null);
  const pointers = useRef(new Map());
  const pinch = useRef(null);
  const zoomBy = (f) => setV((o) => ({ ...o, zoom: clamp(o.zoom * f, MIN, MAX), ...(o.zoom * f <= MIN ? { x: 0, y: 0 } : {}) }));
  const move = (dx, dy) => setV((o) => (o.zoom > 1 ? { ...o, x: o.x + dx, y: o.y + dy } : o));
  useEffect(() => {
    const back = document.activeElement;
    box.current?.querySelector('button')?.focus();
    const prev = document.body.style.overflow;
    document.body.style.overflow = 'hidden';
    return () => {
      document.body.style.overflow = prev;
      back?.focus?.();
    };
  }, []);
  // The wheel zooms the image, not the page (a passive listener could not stop the page).
  useEffect(() => {
    const el = box.current?.querySelector('.iv-stage');
    if (!el) return undefined;
    const wheel = (e) => {
      e.preventDefault();
      zoomBy(e.deltaY < 0 ? 1.2 : 1 / 1.2);
    };
    el.addEventListener('wheel', wheel, { passive: false });
    return () => el.removeEventListener('wheel', wheel);
  }, []);
  const onKey = (e) => {
    const inRange = e.target.type === 'range';
    const keys = {
      Escape: onClose,
      '+': () => zoomBy(1.25),
      '=': () => zoomBy(1.25),
      '-': () => zoomBy(0.8),
      0: () => setV(START),
      i: () => setV((o) => ({ ...o, invert: !o.invert })),
      I: () => setV((o) => ({ ...o, invert: !o.invert })),
      ...(inRange
        ? {}
        : { ArrowLeft: () => move(40, 0), ArrowRight: () => move(-40, 0), ArrowUp: () => move(0, 40), ArrowDown: () => move(0, -40) }),
    };
    if (keys[e.key]) {
      e.preventDefault();
      keys[e.key]();
      return;
    }
    // Tab stays inside the viewer.
    if (e.key === 'Tab') {
      const all = [...box.current.querySelectorAll('button, a[href], input')];
      const i = all.indexOf(document.activeElement);
      const next = e.shiftKey ? (i <= 0 ? all.length - 1 : i - 1) : i === all.length - 1 ? 0 : i + 1;
      e.preventDefault();
      all[next]?.focus();
    }
  };
  // One finger (or the mouse) moves the image; two fingers zoom it.
  const down = (e) => {
    // A mouse is one pointer: anything left of an earlier touch is over.
    if (e.pointerType === 'mouse') pointers.current.clear();
    e.currentTarget.setPointerCapture?.(e.pointerId);
    pointers.current.set(e.pointerId, { x: e.clientX, y: e.clientY });
    if (pointers.current.size === 2) {
      const [a, b] = [...pointers.current.values()];
      pinch.current = { d: Math.hypot(a.x - b.x, a.y - b.y), zoom: v.zoom };
    }
  };
  const drag = (e) => {
    const last = pointers.current.get(e.pointerId);
    if (!last) return;
    pointers.current.set(e.pointerId, { x: e.clientX, y: e.clientY });
    if (pointers.current.size === 2 && pinch.current) {
      const [a, b] = [...pointers.current.values()];
      const d = Math.hypot(a.x - b.x, a.y - b.y);
      const zoom = clamp((pinch.current.zoom * d) / Math.max(1, pinch.current.d), MIN, MAX);
      setV((o) => ({ ...o, zoom }));
    } else move(e.clientX - last.x, e.clientY - last.y);
  };
  const up = (e) => {
    pointers.current.delete(e.pointerId);
    if (pointers.current.size < 2) pinch.current = null;
  };
  const filter = `contrast(${v.contrast}%) brightness(${v.brightness}%)${v.invert ? ' invert(1)' : ''}`;
  return html`<div class="viewer" role="dialog" aria-modal="true" aria-label=${file.name} ref=${box} onKeyDown=${onKey}>
    <div class="iv-bar" role="toolbar" aria-label=${t('iv_image')}>
      <button type="button" onClick=${() => zoomBy(1.25)} aria-label=${t('iv_zoom_in')} title=${t('iv_zoom_in')}>+</button>
      <output class="iv-zoom" aria-live="polite">${Math.round(v.zoom * 100)}%</output>
      <button type="button" onClick=${() => zoomBy(0.8)} aria-label=${t('iv_zoom_out')} title=${t('iv_zoom_out')}>−</button>
      <label class="iv-range">${t('iv_contrast')}
        <input type="range" min="50" max="300" step="10" value=${v.contrast} onInput=${(e) => setV({ ...v, contrast: Number(e.target.value) })} /></label>
      <label class="iv-range">${t('iv_brightness')}
        <input type="range" min="50" max="200" step="10" value=${v.brightness} onInput=${(e) => setV({ ...v, brightness: Number(e.target.value) })} /></label>
      <button type="button" aria-pressed=${v.invert} onClick=${() => setV({ ...v, invert: !v.invert })}>${t('iv_invert')}</button>
      <button type="button" class="secondary" onClick=${() => setV(START)}>${t('iv_reset')}</button>
      <a class="button secondary" href=${file.url}>${t('download_original')}</a>
      <button type="button" class="iv-close" onClick=${onClose}>${t('close')}</button>
    </div>
    <div class="iv-stage" onPointerDown=${down} onPointerMove=${drag} onPointerUp=${up} onPointerCancel=${up}>
      <img src=${file.url + '/preview'} alt=${file.name} draggable=${false} onDragStart=${(e) => e.preventDefault()}
        style=${{ transform: `translate(${v.x}px, ${v.y}px) scale(${v.zoom})`, filter }} />
    </div>
    <p class="iv-help">${t('iv_help')}</p>
  </div>`;
}
