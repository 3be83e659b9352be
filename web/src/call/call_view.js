// The call's part of the room page: joining, the controls (microphone, camera, screen, devices,
// leave), its notices and a grid of tiles that adapts from 2 people to the room's size. It reads
// the CallSession and calls its methods; names are untrusted text (textContent only).
import { t, translate } from '../i18n.js';
import './call_strings.js';
import './call.css';

// The RTP audio level (0..1, from the sender's header extension) above which someone speaks; read
// every 100 ms (a cheap, synchronous read) and shown for a second after, so short syllables (and
// the fake microphone's short beeps) are not missed between reads.
const SPEAKING_LEVEL = 0.01;
const SPEAKING_POLL_MS = 100;
const SPEAKING_HOLD_MS = 1000;

const MARKUP = `
  <h2 data-i18n="callTitle"></h2>
  <p class="muted" data-i18n="callHint"></p>
  <p class="notice" data-testid="call-notice" role="status" hidden></p>
  <div class="call-start" data-testid="call-start">
    <button class="button" type="button" data-testid="call-join" data-i18n="callJoin"></button>
    <button class="button secondary" type="button" data-testid="call-join-audio" data-i18n="callJoinAudio"></button>
  </div>
  <div class="call-controls" data-testid="call-controls" hidden>
    <button class="button toggle" type="button" data-testid="call-mic" aria-pressed="true" aria-keyshortcuts="M"
      data-i18n="callMic"></button>
    <button class="button toggle" type="button" data-testid="call-camera" aria-pressed="true" aria-keyshortcuts="V"
      data-i18n="callCamera"></button>
    <button class="button toggle" type="button" data-testid="call-screen" aria-pressed="false" data-i18n="callScreen"></button>
    <button class="button danger" type="button" data-testid="call-leave" data-i18n="callLeave"></button>
    <div class="call-devices">
      <label><span data-i18n="callChooseMic"></span> <select data-testid="call-choose-mic"></select></label>
      <label><span data-i18n="callChooseCamera"></span> <select data-testid="call-choose-camera"></select></label>
      <label data-speaker hidden><span data-i18n="callChooseSpeaker"></span>
        <select data-testid="call-choose-speaker"></select></label>
    </div>
    <p class="muted" data-i18n="callShortcuts"></p>
  </div>
  <p class="muted" data-testid="call-count" hidden></p>
  <div class="call-grid" data-testid="call-grid"></div>`;

const typing = (target) => target?.closest?.('input, textarea, select, [contenteditable=""], [contenteditable=true]');

export class CallView {
  constructor(section, session) {
    this.section_ = section;
    this.session_ = session;
    this.abort_ = new AbortController();
    this.tiles_ = new Map(); // key ('self', 'peerId:cam', 'peerId:screen') -> {el, media, ...}
    this.watching_ = new Map(); // peerId -> what we last told it (its camera tile visible)
    this.speaker_ = '';
    section.innerHTML = MARKUP; // our own constant markup only
    translate(section);
    this.q = (id) => section.querySelector(`[data-testid=${id}]`);
    const signal = this.abort_.signal;
    const click = (id, fn) => this.q(id).addEventListener('click', fn, { signal });
    click('call-join', () => session.join({ video: true }));
    click('call-join-audio', () => session.join({ video: false }));
    click('call-mic', () => session.toggleMic());
    click('call-camera', () => session.toggleCamera());
    click('call-screen', () => session.toggleScreen());
    click('call-leave', () => session.leave());
    const choose = (id, fn) => this.q(id).addEventListener('change', (e) => fn(e.target.value), { signal });
    choose('call-choose-mic', (id) => session.switchDevice('audio', id));
    choose('call-choose-camera', (id) => session.switchDevice('video', id));
    choose('call-choose-speaker', (id) => this.setSpeaker_(id));
    document.addEventListener('keydown', (e) => this.onKey_(e), { signal });
    document.addEventListener('visibilitychange', () => this.updateWatching_(), { signal });
    navigator.mediaDevices?.addEventListener?.('devicechange', () => this.listDevices_(), { signal });
    session.addEventListener('change', () => this.render_(), { signal });
    session.addEventListener('notice', (e) => this.showNotice_(e.detail), { signal });
    this.observer_ = new IntersectionObserver(() => this.updateWatching_(), { threshold: 0.1 });
    this.speakingTimer_ = null;
    this.render_();
  }

  relabel() {
    translate(this.section_);
    this.render_();
  }

  dispose() {
    this.abort_.abort();
    this.observer_.disconnect();
    clearInterval(this.speakingTimer_);
  }

  // The speaking indicator polls only while we are in the call: out of it, a timer ten times a
  // second would wake the page for nothing, beside a transfer too.
  pollSpeaking_(on) {
    if (on && this.speakingTimer_ === null)
      this.speakingTimer_ = setInterval(() => this.showSpeaking_(), SPEAKING_POLL_MS);
    if (!on && this.speakingTimer_ !== null) {
      clearInterval(this.speakingTimer_);
      this.speakingTimer_ = null;
    }
  }

  onKey_(e) {
    if (!this.session_.joined || e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
    const key = e.key.toLowerCase();
    if (key === 'm') this.session_.toggleMic();
    else if (key === 'v') this.session_.toggleCamera();
    else return;
    e.preventDefault();
  }

  showNotice_({ key, params, tone }) {
    const notice = this.q('call-notice');
    notice.textContent = t(key, params);
    notice.dataset.key = key;
    notice.dataset.tone = tone;
    notice.hidden = false;
  }

  render_() {
    const session = this.session_;
    const media = session.media;
    const joined = session.joined;
    this.pollSpeaking_(joined);
    if (joined && !this.devicesListed_) this.listDevices_();
    this.devicesListed_ = joined && this.devicesListed_;
    this.q('call-start').hidden = joined;
    this.q('call-controls').hidden = !joined;
    const press = (id, on) => this.q(id).setAttribute('aria-pressed', String(on));
    press('call-mic', media.micOn && media.mic !== null);
    press('call-camera', media.camOn);
    press('call-screen', media.screenOn);
    this.q('call-screen').hidden = !navigator.mediaDevices?.getDisplayMedia;
    const people = session.participants();
    const count = this.q('call-count');
    count.hidden = people.length === 0;
    count.textContent = t('callInCall', { count: people.length + (joined ? 1 : 0) });

    const wanted = new Map();
    if (joined) {
      wanted.set('self', { name: t('callYou'), stream: media.preview, self: true, mic: media.micOn, cam: media.camOn });
      if (media.screenOn)
        wanted.set('self:screen', {
          name: t('callScreenOf', { name: t('callYou') }),
          stream: media.screenStream,
          self: true,
          screen: true,
          mic: true,
          cam: true,
        });
      for (const p of people) {
        wanted.set(`${p.peerId}:cam`, { ...p, stream: p.camStream });
        if (p.screen && p.screenStream)
          wanted.set(`${p.peerId}:screen`, {
            ...p,
            name: t('callScreenOf', { name: p.name }),
            stream: p.screenStream,
            screen: true,
            cam: true,
            mic: true,
          });
      }
    }
    for (const [key, tile] of this.tiles_) {
      if (wanted.has(key)) continue;
      this.observer_.unobserve(tile.el);
      tile.media.srcObject = null;
      if (tile.sound) tile.sound.srcObject = null;
      tile.el.remove();
      this.tiles_.delete(key);
    }
    const grid = this.q('call-grid');
    for (const [key, want] of wanted) this.renderTile_(grid, key, want);
    grid.dataset.count = String(wanted.size);
    this.updateWatching_();
  }

  renderTile_(grid, key, want) {
    let tile = this.tiles_.get(key);
    if (!tile) {
      const el = document.createElement('figure');
      el.className = 'call-tile';
      el.dataset.testid = 'call-tile';
      // The picture plays muted; the sound has an element of its own, which plays even while the
      // picture has no frame to start on (a camera that is off, or denied, from the start).
      const media = document.createElement('video');
      media.autoplay = true;
      media.playsInline = true;
      media.muted = true;
      const caption = document.createElement('figcaption');
      el.append(media, caption);
      grid.append(el);
      tile = { el, media, caption, peerId: want.peerId ?? null, screen: Boolean(want.screen), sound: null };
      if (!want.self) {
        tile.sound = document.createElement('audio'); // never our own sound back to us
        tile.sound.autoplay = true;
        el.append(tile.sound);
        if (this.speaker_) tile.sound.setSinkId?.(this.speaker_).catch(() => {});
      }
      this.tiles_.set(key, tile);
      if (tile.peerId && !tile.screen) this.observer_.observe(el);
    }
    if (tile.media.srcObject !== want.stream) tile.media.srcObject = want.stream ?? null;
    if (tile.sound) {
      this.playSound_(tile, want.stream?.getAudioTracks() ?? []);
      // What the tile shows is what is heard: a peer whose state says its microphone is off is
      // not played, whatever audio it still sends.
      tile.sound.muted = !want.mic;
    }
    tile.el.dataset.peer = want.peerId ?? 'self';
    tile.el.dataset.kind = want.screen ? 'screen' : 'camera';
    tile.el.dataset.mic = want.mic ? 'on' : 'off';
    tile.el.dataset.camera = want.cam ? 'on' : 'off';
    if (want.path) tile.el.dataset.path = want.path;
    const states = [
      want.mic ? null : t('callMicOff'),
      want.cam ? null : t('callCameraOff'),
      want.path === 'relayed' ? t('callRelayed') : null,
    ].filter(Boolean);
    tile.caption.textContent = [want.name, ...states].join(' · ');
    tile.el.setAttribute('aria-label', tile.caption.textContent);
  }

  // The tile's sound element gets the stream's audio tracks (a new stream only when they change).
  playSound_(tile, tracks) {
    const ids = tracks.map((track) => track.id).join();
    if (tile.soundIds === ids) return;
    tile.soundIds = ids;
    tile.sound.srcObject = tracks.length > 0 ? new MediaStream(tracks) : null;
    if (tracks.length > 0) tile.sound.play().catch(() => {}); // autoplay may wait for a gesture
  }

  // A remote camera tile out of view (scrolled away, or this tab hidden): that peer stops sending
  // us its video until the tile shows again.
  updateWatching_() {
    const visible = new Map();
    for (const tile of this.tiles_.values()) {
      if (!tile.peerId || tile.screen) continue;
      const box = tile.el.getBoundingClientRect();
      const inView = box.bottom > 0 && box.top < innerHeight && box.right > 0 && box.left < innerWidth;
      visible.set(tile.peerId, inView && document.visibilityState === 'visible');
    }
    for (const [peerId, on] of visible) {
      if (this.watching_.get(peerId) === on) continue;
      this.watching_.set(peerId, on);
      this.session_.setWatching(peerId, on);
    }
    for (const peerId of [...this.watching_.keys()]) if (!visible.has(peerId)) this.watching_.delete(peerId);
  }

  showSpeaking_() {
    if (!this.session_.joined) return;
    for (const p of this.session_.participants()) {
      const tile = this.tiles_.get(`${p.peerId}:cam`);
      if (!tile) continue;
      const sources = p.audioReceiver?.getSynchronizationSources?.() ?? [];
      const now = performance.now();
      if (p.mic && sources.some((s) => (s.audioLevel ?? 0) > SPEAKING_LEVEL))
        tile.speakingUntil = now + SPEAKING_HOLD_MS;
      const speaking = p.mic && (tile.speakingUntil ?? 0) > now;
      if ((tile.el.dataset.speaking === 'true') !== speaking) tile.el.dataset.speaking = String(speaking);
    }
  }

  async listDevices_() {
    this.devicesListed_ = true;
    const devices = (await navigator.mediaDevices?.enumerateDevices?.()) ?? [];
    const fill = (id, kind, chosen) => {
      const select = this.q(id);
      const options = [new Option(t('callDefaultDevice'), '')];
      let n = 0;
      for (const d of devices)
        if (d.kind === kind && d.deviceId) options.push(new Option(d.label || `${kind} ${++n}`, d.deviceId));
      select.replaceChildren(...options);
      select.value = chosen;
    };
    fill('call-choose-mic', 'audioinput', this.session_.media.choice.mic);
    fill('call-choose-camera', 'videoinput', this.session_.media.choice.cam);
    const canChooseSpeaker = 'setSinkId' in HTMLMediaElement.prototype;
    this.section_.querySelector('[data-speaker]').hidden = !canChooseSpeaker;
    if (canChooseSpeaker) fill('call-choose-speaker', 'audiooutput', this.speaker_);
  }

  setSpeaker_(deviceId) {
    this.speaker_ = deviceId;
    for (const tile of this.tiles_.values())
      if (tile.sound)
        tile.sound
          .setSinkId?.(deviceId)
          .catch(() => this.showNotice_({ key: 'callProblem_speaker_busy', params: {}, tone: 'error' }));
  }
}
