// Messages a data channel carries before its peer is verified are held here, in order, until the
// owner of that channel is ready for them (the mesh for the app channel, the transfer engine for the
// transfer channel). A peer that floods before its proof loses the excess: it is not trusted yet,
// and an unverified peer must not be able to grow our memory.
export const MAX_EARLY_MESSAGES = 256;

export class EarlyMessages {
  constructor(limit = MAX_EARLY_MESSAGES) {
    this.limit_ = limit;
    this.held_ = [];
  }

  // Keeps `data` if there is room; returns whether it was kept.
  hold(data) {
    if (this.held_.length >= this.limit_) return false;
    this.held_.push(data);
    return true;
  }

  // Hands every held message to `deliver`, oldest first, and forgets them.
  drain(deliver) {
    for (const data of this.held_.splice(0)) deliver(data);
  }

  clear() {
    this.held_.length = 0;
  }

  get size() {
    return this.held_.length;
  }
}
