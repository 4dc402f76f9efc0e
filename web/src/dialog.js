// An in-page confirmation (never window.confirm): a modal <dialog> with the question, what it is
// about, and two buttons. Escape or "Huỷ" answers no; the focus starts on "Huỷ" and comes back to
// where it was.
import { useEffect, useRef } from 'preact/hooks';
import { html } from 'htm/preact';
import { t } from './i18n.js';

export function Confirm({ title, children, yes, onYes, onNo, danger }) {
  const ref = useRef(null);
  useEffect(() => {
    const d = ref.current;
    const back = document.activeElement;
    if (d && !d.open) d.showModal?.();
    d?.querySelector('button.cancel')?.focus();
    return () => back?.focus?.();
  }, []);
  return html`<dialog class="confirm-dialog" ref=${ref} aria-labelledby="confirm-title" onCancel=${(e) => {
    e.preventDefault();
    onNo();
  }}>
    <h2 id="confirm-title">${title}</h2>
    ${children}
    <div class="actions">
      <button type="button" class=${danger ? 'danger' : ''} onClick=${onYes}>${yes}</button>
      <button type="button" class="cancel secondary" onClick=${onNo}>${t('dlg_cancel')}</button>
    </div>
  </dialog>`;
}
