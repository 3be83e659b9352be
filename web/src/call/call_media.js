// Our own devices in a call: the microphone, the camera and a shared screen, each a track that the
// call session puts in a PeerConnection slot. The camera is stopped when turned off (its light goes
// out); the microphone is only not sent when muted, so unmuting is instant. Each failure is named
// for the person: 'denied' (permission refused), 'missing' (no such device), 'busy' (in use
// elsewhere or broken).

const CAMERA_CONSTRAINTS = { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } };

export function deviceProblem(error) {
  switch (error?.name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'denied';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'missing';
    default:
      return 'busy'; // NotReadableError, AbortError: the device exists but gave nothing
  }
}

export class CallMedia extends EventTarget {
  constructor() {
    super();
    // What the other side sees our tracks in (their ids tell the camera from the screen).
    this.camStream = new MediaStream();
    this.screenStream = new MediaStream();
    this.preview = new MediaStream(); // our camera alone, for our own tile (never our audio)
    this.mic = null;
    this.cam = null;
    this.screen = null;
    this.screenAudio = null;
    this.micOn = false;
    this.choice = { mic: '', cam: '', speaker: '' }; // chosen device ids ('' = the default)
    // Counts stop()s: a device that arrives after the call was left (or the page closed) is
    // stopped at once instead of being kept (and later sent).
    this.epoch = 0;
  }

  get camOn() {
    return this.cam !== null;
  }

  get screenOn() {
    return this.screen !== null;
  }

  // Asks for the microphone and (if `video`) the camera. Resolves to the problems met, as
  // [{device: 'mic'|'cam', problem}]: a call goes on with whatever could be had, even nothing.
  async start({ video = true } = {}) {
    const problems = [];
    const micProblem = await this.startMic();
    if (micProblem) problems.push({ device: 'mic', problem: micProblem });
    if (video) {
      const problem = await this.setCamera(true);
      if (problem) problems.push({ device: 'cam', problem });
    }
    return problems;
  }

  // The microphone, on: null, or the problem met.
  async startMic() {
    try {
      if (!this.mic) {
        const track = await this.current_(this.track_('audio'));
        if (!track) return null;
        this.setMic(track);
      }
      this.micOn = true;
      return null;
    } catch (error) {
      return deviceProblem(error);
    }
  }

  // Turns the camera on (a new track) or off (stopped): null, or the problem met.
  async setCamera(on) {
    if (!on) return void this.setCam(null);
    if (this.cam) return null;
    try {
      const track = await this.current_(this.track_('video'));
      if (track && !this.cam) this.setCam(track);
      else track?.stop(); // left meanwhile, or turned on twice
      return null;
    } catch (error) {
      return deviceProblem(error);
    }
  }

  // Another microphone or camera, mid-call: a new track in the same slot (replaceTrack, no
  // renegotiation); the old one stops. Null, or the problem met (the old device stays then).
  async switchDevice(kind, deviceId) {
    const field = kind === 'audio' ? 'mic' : 'cam';
    const before = this.choice[field];
    this.choice[field] = deviceId;
    if (!this[field]) return null; // used the next time it is turned on
    try {
      const track = await this.current_(this.track_(kind));
      if (!track) return null;
      if (!this[field]) return void track.stop(); // turned off meanwhile: it stays off
      if (field === 'mic') this.setMic(track);
      else this.setCam(track);
      return null;
    } catch (error) {
      this.choice[field] = before;
      return deviceProblem(error);
    }
  }

  // Shares a screen, window or tab (with its audio where the browser offers it). Null, or the problem.
  async startScreen() {
    if (this.screen) return null;
    let stream;
    const epoch = this.epoch;
    try {
      stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: true });
    } catch (error) {
      return deviceProblem(error);
    }
    if (epoch !== this.epoch || this.screen) {
      for (const track of stream.getTracks()) track.stop(); // left meanwhile, or shared twice
      return null;
    }
    this.screen = stream.getVideoTracks()[0] ?? null;
    this.screenAudio = stream.getAudioTracks()[0] ?? null;
    for (const track of stream.getTracks()) {
      this.screenStream.addTrack(track);
      // The browser's own "Stop sharing" ends the track.
      track.addEventListener('ended', () => this.stopScreen());
    }
    this.changed_();
    return null;
  }

  stopScreen() {
    if (!this.screen && !this.screenAudio) return;
    for (const track of [this.screen, this.screenAudio]) this.drop_(this.screenStream, track);
    this.screen = null;
    this.screenAudio = null;
    this.changed_();
  }

  // Leaves: every device released.
  stop() {
    this.epoch += 1;
    this.setMic(null);
    this.setCam(null);
    this.stopScreen();
    this.micOn = false;
  }

  setMic(track) {
    this.drop_(this.camStream, this.mic);
    this.mic = track;
    if (track) this.camStream.addTrack(track);
    this.changed_();
  }

  setCam(track) {
    this.drop_(this.camStream, this.cam);
    this.drop_(this.preview, this.cam);
    this.cam = track;
    if (track) {
      this.camStream.addTrack(track);
      this.preview.addTrack(track);
    }
    this.changed_();
  }

  async track_(kind) {
    const field = kind === 'audio' ? 'mic' : 'cam';
    const base = kind === 'audio' ? { echoCancellation: true, noiseSuppression: true } : CAMERA_CONSTRAINTS;
    const id = this.choice[field];
    const constraints = id ? { ...base, deviceId: { exact: id } } : base;
    const stream = await navigator.mediaDevices.getUserMedia({ [kind]: constraints });
    return stream.getTracks()[0];
  }

  // The track `request` gives, or null (the track stopped) if the call was left meanwhile.
  async current_(request) {
    const epoch = this.epoch;
    const track = await request;
    if (epoch === this.epoch) return track;
    track.stop();
    return null;
  }

  drop_(stream, track) {
    if (!track) return;
    stream.removeTrack(track);
    if (stream !== this.preview) track.stop();
  }

  changed_() {
    this.dispatchEvent(new Event('change'));
  }
}
