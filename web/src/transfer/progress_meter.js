// Speed and ETA for one file and one peer. The rate is exponentially smoothed over ~2 s so the
// shown speed does not jump with every burst of the data channel.
const SMOOTHING_MS = 2000;

export class ProgressMeter {
  constructor() {
    this.lastMs = null;
    this.lastBytes = 0;
    this.rate = null;
  }

  sample(nowMs, bytesDone) {
    if (this.lastMs !== null && bytesDone < this.lastBytes) {
      // Fewer bytes than before: the transfer restarted from zero (the file changed).
      this.lastMs = null;
      this.rate = null;
    }
    if (this.lastMs !== null && nowMs > this.lastMs) {
      const dt = nowMs - this.lastMs;
      const instant = ((bytesDone - this.lastBytes) * 1000) / dt;
      const weight = dt / (dt + SMOOTHING_MS);
      this.rate = this.rate === null ? instant : this.rate + weight * (instant - this.rate);
    }
    if (this.lastMs === null || nowMs > this.lastMs) {
      this.lastMs = nowMs;
      this.lastBytes = bytesDone;
    }
  }

  // Bytes per second (0 until two samples) and seconds left (null when unknown).
  figures(bytesDone, bytesTotal) {
    const speed = this.rate ?? 0;
    const left = bytesTotal - bytesDone;
    const eta = left <= 0 ? 0 : speed > 1 ? left / speed : null;
    return { speed, eta };
  }
}
