// Progress rows painted by the transfer worker. The page hands each row's <canvas> over with
// transferControlToOffscreen(); from then on the worker draws the bar, the speed and the ETA on
// every progress tick, and the canvas's frames go to the compositor without the page's main
// thread. A long transfer then costs the main thread nothing at all: it runs no script, no style,
// no layout and no paint for progress, so it stays free for the user (and for chat) even when the
// transfer keeps every core busy.
import { formatRate } from '../i18n.js';
import { formatDuration, tr } from './strings.js';

// The id of a row: one file (the engine's transfer key) to or from one peer. The page names its
// canvases by it and the worker finds them by it from the engine's progress events.
export const progressRowId = (key, peerId) => `${key}|${peerId}`;

const BAR_PX = 6; // CSS pixels
const GAP_PX = 4;

export class ProgressPainter {
  constructor() {
    this.rows = new Map(); // id -> {canvas, ctx, size, colors, state}
  }

  // size: {width, height, dpr} in CSS pixels; colors: {accent, track, text, font}
  add(id, canvas, size, colors) {
    // A row the page drew anew (its batch re-rendered) keeps what it showed.
    const state = this.rows.get(id)?.state ?? { fraction: 0, text: '' };
    const row = { canvas, ctx: canvas.getContext('2d'), size, colors, state, frames: 0, announced: null };
    this.rows.set(id, row);
    // A row that has not started is not drawn: its canvas gets no backing store until its file
    // moves (a folder of thousands of files waits in unallocated canvases).
    if (state.fraction > 0 || state.text) this.draw(row);
  }

  resize(id, size) {
    const row = this.rows.get(id);
    if (!row) return;
    row.size = size;
    if (row.frames > 0) this.draw(row);
  }

  // The page replaced the row's canvas (its file is done): the canvas and its pixels go.
  remove(id) {
    this.rows.delete(id);
  }

  // A progress event of the engine: {bytes, total, speed, eta}.
  progress(id, { bytes, total, speed, eta }) {
    const row = this.rows.get(id);
    if (!row) return;
    const etaText = eta === null ? '' : ` · ${tr('eta', { time: formatDuration(eta) })}`;
    row.state = { fraction: total > 0 ? bytes / total : 0, text: `${formatRate(speed)}${etaText}` };
    this.draw(row);
  }

  // The row's progress in whole tens of percent when it has reached a new ten since the last call,
  // otherwise null (for the page's accessible value, which need not move on every tick).
  step(id) {
    const row = this.rows.get(id);
    if (!row) return null;
    const percent = Math.floor(row.state.fraction * 10) * 10;
    if (percent === row.announced) return null;
    row.announced = percent;
    return percent;
  }

  // The file is done for this row (completed or failed): a full or a frozen bar, no figures (the
  // page shows the outcome as text next to it).
  finish(id, ok) {
    const row = this.rows.get(id);
    if (!row) return;
    row.state = { fraction: ok ? 1 : row.state.fraction, text: '' };
    this.draw(row);
  }

  // What each row shows now, for tests and diagnostics.
  state() {
    return Object.fromEntries([...this.rows].map(([id, row]) => [id, { ...row.state, frames: row.frames }]));
  }

  draw(row) {
    const { canvas, ctx, size, colors, state } = row;
    const width = Math.max(1, Math.round(size.width * size.dpr));
    const height = Math.max(1, Math.round(size.height * size.dpr));
    if (canvas.width !== width) canvas.width = width;
    if (canvas.height !== height) canvas.height = height;
    ctx.setTransform(size.dpr, 0, 0, size.dpr, 0, 0);
    ctx.clearRect(0, 0, size.width, size.height);
    const barTop = Math.max(0, Math.round((size.height - BAR_PX - GAP_PX - 12) / 2));
    ctx.fillStyle = colors.track;
    ctx.fillRect(0, barTop, size.width, BAR_PX);
    ctx.fillStyle = colors.accent;
    ctx.fillRect(0, barTop, size.width * Math.min(1, Math.max(0, state.fraction)), BAR_PX);
    if (state.text) {
      ctx.fillStyle = colors.text;
      ctx.font = colors.font;
      ctx.textBaseline = 'top';
      ctx.fillText(state.text, 0, barTop + BAR_PX + GAP_PX);
    }
    row.frames += 1;
  }
}
