// The room link as a QR code on the share card's <canvas>, drawn by us from qrcode's module matrix.
// Why not qrcode's own toCanvas: it sets the canvas's CSS size (the card jumps when it draws: a
// layout shift), and it runs the segment optimiser over a link that is all byte mode anyway. The
// drawing waits for an idle moment so it is a task of its own, not part of entering the room.
import { create as createQr } from 'qrcode/lib/core/qrcode.js';

const QUIET_MODULES = 1; // the white border, in modules (the card's padding adds the rest)

// Draws `text` on `canvas`, each module a whole number of the canvas's pixels, at least as many as
// the screen shows (image-rendering: pixelated keeps the edges hard when it is scaled down);
// onTooLong() when `text` does not fit in a QR code.
export function drawShareQr(canvas, text, { onTooLong }) {
  const draw = () => {
    let qr;
    try {
      qr = createQr([{ data: text, mode: 'byte' }], { errorCorrectionLevel: 'M' });
    } catch {
      onTooLong();
      return;
    }
    const { size, data } = qr.modules;
    const side = size + 2 * QUIET_MODULES;
    // The content box the canvas is shown in (clientWidth includes the card's padding).
    const style = getComputedStyle(canvas);
    const content = canvas.clientWidth - Number.parseFloat(style.paddingLeft) - Number.parseFloat(style.paddingRight);
    const shownPixels = Math.max(content, 1) * (globalThis.devicePixelRatio || 1);
    const scale = Math.max(1, Math.ceil(shownPixels / side));
    canvas.width = side * scale;
    canvas.height = side * scale;
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.fillStyle = '#000';
    for (let row = 0; row < size; row += 1) {
      for (let col = 0; col < size; col += 1) {
        if (data[row * size + col])
          ctx.fillRect((col + QUIET_MODULES) * scale, (row + QUIET_MODULES) * scale, scale, scale);
      }
    }
    canvas.dataset.qr = 'drawn'; // for the tests: the pixels are the code from now on
  };
  // An idle moment, and within 5 s even on a busy page. (A 1 s deadline put the drawing inside the
  // busy start of the room more often than not: 100-200 ms more blocking time in Lighthouse.)
  if (globalThis.requestIdleCallback) requestIdleCallback(draw, { timeout: 5000 });
  else setTimeout(draw);
}
