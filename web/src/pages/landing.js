// "/": create a room; the hash demo of the first page stays as a small panel (BLAKE3 of a dropped
// file, through hash_client.js).
import { formatBytes, formatRate, language, t } from '../i18n.js';
import { engineInfo, hashFile } from '../hash_client.js';
import { fillPage } from '../app/markup.js';
import { mountAdSlot } from '../ads/ads.js';
import { adCodeInDocument, navigate } from '../app/router.js';
import { signInForRoom } from '../account/room_plan.js';
import { tabSignaling } from '../app/signaling.js';
import { generateRoomKey } from '../room/room_proof.js';

const MARKUP = `
<main data-view="landing" class="landing">
  <section class="hero">
    <h1 data-i18n="heroTitle"></h1>
    <p class="lead" data-i18n="heroLead"></p>
    <button id="create-room" class="button big" data-testid="create-room" type="button">
      <span data-icon="plus"></span><span class="label" data-i18n="createRoom"></span>
    </button>
    <p id="landing-error" class="error" data-testid="landing-error" role="alert" hidden></p>
    <ul class="features">
      <li><span data-icon="lock"></span><strong data-i18n="featDirectTitle"></strong><span data-i18n="featDirect"></span></li>
      <li><span data-icon="shield"></span><strong data-i18n="featVerifiedTitle"></strong><span data-i18n="featVerified"></span></li>
      <li><span data-icon="retry"></span><strong data-i18n="featResumeTitle"></strong><span data-i18n="featResume"></span></li>
    </ul>
  </section>

  <details class="panel hash-panel" open>
    <summary data-i18n="hashPanel"></summary>
    <p class="muted" data-i18n="lead"></p>
    <section id="drop-zone" class="drop-zone" data-testid="drop-zone" tabindex="0">
      <span class="drop-icon" data-icon="upload"></span>
      <p>
        <span class="on-fine-pointer" data-i18n="dropHint"></span>
        <span class="on-coarse-pointer" data-i18n="chooseHint"></span>
      </p>
      <label class="button" role="button" tabindex="0">
        <span data-icon="files"></span><span data-i18n="pick"></span>
        <input id="file-input" data-testid="file-input" type="file" hidden />
      </label>
    </section>
    <section id="result" class="result" hidden aria-live="polite">
      <dl>
        <dt data-i18n="name"></dt>
        <dd id="file-name" data-testid="file-name"></dd>
        <dt data-i18n="size"></dt>
        <dd id="file-size" data-testid="file-size"></dd>
        <dt data-i18n="hash"></dt>
        <dd><code id="file-hash" data-testid="file-hash"></code></dd>
        <dt data-i18n="speed"></dt>
        <dd id="hash-speed" data-testid="hash-speed"></dd>
      </dl>
      <progress id="hash-progress" data-testid="hash-progress" max="1" value="0"></progress>
      <p id="hash-error" class="error" data-testid="hash-error" hidden></p>
    </section>
  </details>
</main>`;

export function mount(root) {
  const { $, page } = fillPage(root, MARKUP);
  const abort = new AbortController();
  const signal = abort.signal;
  let lastResult = null;

  async function createRoom() {
    const button = $('create-room');
    const error = $('landing-error');
    const label = button.querySelector('.label');
    button.disabled = true;
    label.textContent = t('creating');
    error.hidden = true;
    // Google's ad tag is in this document: the room (its key) is made in one of its own.
    if (adCodeInDocument()) return void location.assign('/new');
    try {
      // A signed-in person's room gets their plan's capacity (the server reads the plan).
      await signInForRoom(tabSignaling());
      const roomId = await tabSignaling().createRoom();
      if (signal.aborted) return;
      // The key is made here and lives only in the fragment: the server never learns it.
      navigate(`/r/${roomId}#${generateRoomKey()}`);
    } catch (e) {
      error.textContent = t('errorCreate', { detail: e.code ?? e.message });
      error.hidden = false;
    } finally {
      button.disabled = false;
      label.textContent = t('createRoom');
    }
  }

  function showResult(file, result) {
    lastResult = { file, result };
    $('file-name').textContent = file.name;
    $('file-size').textContent = `${formatBytes(file.size)} (${file.size.toLocaleString(language())} B)`;
    $('file-hash').textContent = result.hex;
    $('hash-speed').textContent = result.ms > 0 ? formatRate((result.bytes / result.ms) * 1000) : '—';
    $('hash-progress').value = 1;
  }

  // Which build of the core hashed it, once the core is there: the landing page never fetches the
  // core for a visitor who only makes a room (tests/browser/page_weight.test.mjs).
  function showEngine() {
    engineInfo()
      .then((info) => {
        if (signal.aborted) return;
        document.getElementById('engine').textContent = t('engine', { impl: info.implementation });
        document.body.dataset.engineReady = 'true';
      })
      .catch((error) => {
        if (!signal.aborted)
          document.getElementById('engine').textContent = t('errorEngine', { detail: error.message });
      });
  }

  async function handleFile(file) {
    $('result').hidden = false;
    $('hash-error').hidden = true;
    $('file-name').textContent = file.name;
    $('file-size').textContent = formatBytes(file.size);
    $('file-hash').textContent = t('hashing');
    $('hash-speed').textContent = '';
    $('hash-progress').value = 0;
    try {
      const result = await hashFile(file, (done, total) => {
        $('hash-progress').value = total > 0 ? done / total : 1;
      });
      if (!signal.aborted) showResult(file, result);
      showEngine();
    } catch (error) {
      $('file-hash').textContent = '';
      $('hash-error').textContent = t('errorRead', { detail: error.message });
      $('hash-error').hidden = false;
    }
  }

  const zone = $('drop-zone');
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('over');
    const file = event.dataTransfer?.files?.[0];
    if (file) handleFile(file);
  });
  $('file-input').addEventListener('change', (event) => {
    const file = event.target.files?.[0];
    if (file) handleFile(file);
  });
  $('create-room').addEventListener('click', createRoom);
  document.addEventListener('languagechange', () => lastResult && showResult(lastResult.file, lastResult.result), {
    signal,
  });

  const unmountAdSlot = mountAdSlot(page, 'landing');
  return () => {
    abort.abort();
    unmountAdSlot();
  };
}
