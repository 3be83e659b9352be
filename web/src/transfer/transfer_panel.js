// The transfer list of the room, made of four views: the send controls (send_controls.js: "send
// to", inputs, drops and pastes anywhere on the page, storage bar), the batches (batch_view.js) and
// their progress rows (progress_row.js), and the alerts of offers that wait (offer_alerts.js: the
// tab title, system notifications). Which peers the engine serves is connectTransfers' business,
// not the panel's.
import { testHooks } from '../test_hooks.js';
import { BatchView } from './batch_view.js';
import { mountOfferAlerts } from './offer_alerts.js';
import { mountSendControls } from './send_controls.js';

// offers: where offers waiting for a decision are shown (the room puts them at its top; the list
// when not given). Returns unmount(): the panel stops listening to the document. Its engine
// listeners end with the engine, which is closed with the room (connect_transfers.js).
export function mountTransferPanel(root, engine, mesh, offers = null) {
  const mounted = new AbortController();
  // The room view may give us its whole "Files" section with an empty list inside; render there.
  const container = root.querySelector('[data-testid=transfer-list]') ?? root;
  container.dataset.testid = 'transfer-list';
  container.classList.add('transfer-list');
  testHooks().engine = engine; // read by the browser tests
  const peerName = (id) => mesh?.peerList?.().find((p) => p.id === id)?.name ?? id;

  const controls = mountSendControls(root, container, engine, mounted.signal);
  const alerts = mountOfferAlerts(root, mounted.signal);
  const batches = new BatchView(container, engine, peerName, {
    offers: offers ?? container,
    onWaiting: (waiting) => alerts.update(waiting),
  });
  document.addEventListener(
    'languagechange',
    () => {
      controls.relabel();
      alerts.relabel();
      batches.renderAll();
    },
    { signal: mounted.signal },
  );
  return () => mounted.abort();
}
