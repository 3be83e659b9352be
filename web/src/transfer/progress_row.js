// One file's progress towards one peer in the transfer panel: drawn by the page (a <progress>, the
// speed and the ETA) or, when the worker can paint it, a canvas handed over to the worker
// (progress_painter.js), so that a tick costs the page's main thread nothing.
import { formatRate } from '../i18n.js';
import { el, setIfChanged } from './panel_dom.js';
import { progressRowId } from './progress_painter.js';
import { formatDuration, tr } from './strings.js';

// The row of `file` ({node, peers: Map, key}) for `peerId`, made on first use: {node, status,
// update(detail), step?(percent), finish(ok), drop?()}. announced: painted row id -> its last
// accessible percent (kept across re-renders).
export function progressRow(engine, file, peerId, peerName, announced) {
  let row = file.peers.get(peerId);
  if (!row) {
    const status = el('span', { class: 'status', 'data-testid': 'file-status' });
    const progress = engine.paintsProgress
      ? paintedProgress(engine, progressRowId(file.key, peerId), announced)
      : domProgress();
    const node = el(
      'div',
      { class: 'transfer-peer', 'data-peer-id': peerId },
      el('span', { class: 'peer', text: peerName(peerId) }),
      ...progress.nodes,
      status,
    );
    row = { node, status, ...progress };
    file.peers.set(peerId, row);
    file.node.querySelector('.peers').append(node);
  }
  return row;
}

// Progress drawn by the page, updated on every tick.
function domProgress() {
  const bar = el('progress', { max: '1', value: '0', 'data-testid': 'file-progress' });
  const speed = el('span', { class: 'speed', 'data-testid': 'file-speed' });
  const eta = el('span', { class: 'eta', 'data-testid': 'file-eta' });
  return {
    nodes: [bar, speed, eta],
    update(d) {
      setIfChanged(bar, 'value', d.total > 0 ? d.bytes / d.total : 0);
      setIfChanged(speed, 'textContent', formatRate(d.speed));
      setIfChanged(eta, 'textContent', d.eta === null ? '' : tr('eta', { time: formatDuration(d.eta) }));
    },
    finish(ok) {
      if (ok) bar.value = 1;
      speed.textContent = '';
      eta.textContent = '';
    },
  };
}

// Progress drawn by the transfer worker on a canvas handed over to it. The canvas goes over once it
// has a size.
function paintedProgress(engine, rowId, announced) {
  // For screen readers a progressbar whose value the worker moves in steps of 10 % (the drawn
  // speed and ETA are not read out: updating them would wake this thread on every tick).
  const canvas = el('canvas', {
    class: 'progress-canvas',
    'data-testid': 'file-progress-canvas',
    'data-row': rowId,
    role: 'progressbar',
    'aria-label': tr('progressLabel'),
    'aria-valuemin': '0',
    'aria-valuemax': '100',
    'aria-valuenow': String(announced.get(rowId) ?? 0),
  });
  let handedOver = false;
  new ResizeObserver(([entry]) => {
    const { width, height } = entry.contentRect;
    if (width === 0 || height === 0) return;
    const size = { width, height, dpr: devicePixelRatio || 1 };
    if (handedOver) {
      engine.resizeProgress(rowId, size);
      return;
    }
    handedOver = true;
    // Resolved colours (the palette's light-dark() pairs mean nothing to a worker's canvas): the
    // styles give the canvas its accent-color and, as its caret colour, the bar's track.
    const style = getComputedStyle(canvas);
    engine.paintProgress(rowId, canvas, size, {
      accent: /^rgb/.test(style.accentColor) ? style.accentColor : '#0a58ca',
      track: /^rgb/.test(style.caretColor) ? style.caretColor : 'rgba(127, 127, 127, 0.25)',
      text: style.color,
      font: `${style.fontSize} ${style.fontFamily}`,
    });
  }).observe(canvas);
  return {
    nodes: [canvas],
    update() {},
    step(percent) {
      announced.set(rowId, percent); // a re-drawn batch starts from it
      canvas.setAttribute('aria-valuenow', String(percent));
    },
    // Done: a plain bar takes the canvas's place, and the worker lets the canvas go, so a long
    // session or a big folder keeps no canvas per finished file.
    finish(ok) {
      if (ok) this.step(100);
      const percent = announced.get(rowId) ?? 0;
      canvas.replaceWith(
        el('progress', {
          class: 'progress-done',
          max: '100',
          value: String(percent),
          'data-testid': 'file-progress',
          'data-row': rowId,
        }),
      );
      engine.dropProgress(rowId);
    },
    drop: () => engine.dropProgress(rowId),
  };
}
