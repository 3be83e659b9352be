// Offers that wait for this person, told where they look: the tab's title counts them ("(2)
// CieloWeb Share", the plain title back when none waits), and while the tab is hidden each new
// offer raises a system notification, if the person allowed them. The permission is asked only
// when they press "Tell me when someone sends files", never on load. What waits is the batch
// view's to know (batch_view.js onWaiting); this module only shows it.
import { iconLabel, setLabel } from '../app/icons.js';
import { formatBytes } from '../i18n.js';
import { el } from './panel_dom.js';
import { countText, tr } from './strings.js';

const COUNT_PREFIX = /^\(\d+\) /;

const notifications = () => globalThis.Notification;

// A sender that offers and cancels in a loop must not flood the person's screen: each sender gets
// a few notifications at once and then one per half minute (the title keeps counting every offer),
// and one sender's notifications replace each other rather than pile up.
const NOTIFY_BURST = 3;
const NOTIFY_REFILL_MS = 30_000;

// root: the transfers section (the "notify me" control goes there); signal: the panel unmounted
// (the title is put back, notifications still shown are closed). Returns {update(waiting), relabel()}.
export function mountOfferAlerts(root, signal) {
  const plainTitle = document.title.replace(COUNT_PREFIX, '');
  const shown = new Map(); // batchId -> its Notification, while the offer waits
  let known = new Set(); // the batch ids that waited at the last update
  const budgets = new Map(); // peerId -> {tokens, at}: notifications each sender may still raise
  function mayNotify(peerId) {
    const now = Date.now();
    const budget = budgets.get(peerId) ?? { tokens: NOTIFY_BURST, at: now };
    budget.tokens = Math.min(NOTIFY_BURST, budget.tokens + (now - budget.at) / NOTIFY_REFILL_MS);
    budget.at = now;
    budgets.set(peerId, budget);
    if (budget.tokens < 1) return false;
    budget.tokens -= 1;
    return true;
  }
  const ask = el('button', {
    type: 'button',
    class: 'link-button',
    'data-testid': 'notify-offers',
    onclick: async () => {
      try {
        await notifications().requestPermission();
      } catch {
        // an old browser's callback form, or a refusal: the control simply reflects the answer
      }
      showControl();
    },
  });
  ask.append(...iconLabel('bell', tr('notifyMe')));
  const line = el('p', { class: 'notify-line' }, ask);
  root.append(line);
  // Shown while the question is open: the browser can notify and the person has not answered.
  function showControl() {
    line.hidden = notifications()?.permission !== 'default';
  }
  showControl();

  function notify(offer) {
    const N = notifications();
    if (document.visibilityState !== 'hidden' || N?.permission !== 'granted') return;
    if (!mayNotify(offer.peerId)) return;
    const title = tr('notifyTitle', { name: offer.peerName, what: countText(offer.count) });
    const options = {
      body: tr('notifyBody', { size: formatBytes(offer.totalSize) }),
      tag: `offer-from-${offer.peerId}`,
    };
    try {
      const note = new N(title, options);
      note.onclick = () => {
        window.focus();
        note.close();
      };
      shown.set(offer.batchId, note);
    } catch {
      // Where pages may notify only through a service worker (Chrome on Android).
      navigator.serviceWorker
        ?.getRegistration()
        .then((registration) => registration?.showNotification(title, options))
        .catch(() => {});
    }
  }

  function close(batchId) {
    shown.get(batchId)?.close();
    shown.delete(batchId);
  }

  function update(waiting) {
    const now = new Set(waiting.map((offer) => offer.batchId));
    for (const offer of waiting) if (!known.has(offer.batchId)) notify(offer);
    for (const batchId of shown.keys()) if (!now.has(batchId)) close(batchId);
    known = now;
    document.title = waiting.length > 0 ? `(${waiting.length}) ${plainTitle}` : plainTitle;
  }

  // Back in the tab: the notifications have done their work.
  document.addEventListener(
    'visibilitychange',
    () => {
      if (document.visibilityState === 'visible') for (const batchId of [...shown.keys()]) close(batchId);
    },
    { signal },
  );
  signal.addEventListener('abort', () => {
    for (const batchId of [...shown.keys()]) close(batchId);
    document.title = plainTitle;
  });
  return {
    update,
    relabel() {
      setLabel(ask, tr('notifyMe'));
    },
  };
}
