// The page: routes "/" (landing: create a room, plus the BLAKE3 hash demo), "/r/<room-id>#<room-key>"
// (the room) and "/privacy". One signaling connection per tab, opened only when needed.
import { detectLanguage, formatBytes, formatRate, language, setLanguage, t } from './i18n.js';
import { engineInfo, hashFile } from './hash_client.js';
import { SignalingClient } from './room/signaling_client.js';
import { generateRoomKey } from './room/room_proof.js';
import { enterRoom } from './room/room_session.js';

const $ = (id) => document.getElementById(id);
let signaling = null;
let room = null; // the entered room, if any: {mesh, chat, view, leave}
let roomEntered = false;

function signalingClient() {
  signaling ??= new SignalingClient();
  return signaling;
}

// ---------- routing ----------

function showView(name) {
  for (const view of document.querySelectorAll('main[data-view]')) view.hidden = view.dataset.view !== name;
  document.body.dataset.page = name;
}

function route() {
  const path = location.pathname;
  const roomMatch = /^\/r\/([^/]+)$/.exec(path);
  if (!roomMatch && room) {
    room.leave(); // navigating away from the room (back button, a link) leaves it
    room = null;
  }
  if (path === '/privacy') {
    showView('privacy');
    showPrivacyLanguage();
  } else if (roomMatch) {
    // The room view wires its DOM once per document; a second room in the same tab gets a fresh page.
    if (roomEntered) return void location.reload();
    roomEntered = true;
    showView('room');
    openRoom(decodeURIComponent(roomMatch[1]));
  } else {
    showView('landing');
    startHashDemo();
  }
}

function navigate(url) {
  history.pushState(null, '', url);
  route();
}

// Same-document links: no reload, so an open room keeps its signaling connection until it is left.
document.addEventListener('click', (event) => {
  const link = event.target.closest?.('a[data-link]');
  if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
  event.preventDefault();
  navigate(link.getAttribute('href'));
});
window.addEventListener('popstate', route);

function showPrivacyLanguage() {
  for (const article of document.querySelectorAll('[data-privacy-lang]')) {
    article.hidden = article.dataset.privacyLang !== language();
  }
}

// ---------- landing: create a room ----------

async function createRoom() {
  const button = $('create-room');
  const error = $('landing-error');
  button.disabled = true;
  button.textContent = t('creating');
  error.hidden = true;
  try {
    const roomId = await signalingClient().createRoom();
    // The key is made here and lives only in the fragment: the server never learns it.
    navigate(`/r/${roomId}#${generateRoomKey()}`);
  } catch (e) {
    error.textContent = t('errorCreate', { detail: e.code ?? e.message });
    error.hidden = false;
  } finally {
    button.disabled = false;
    button.textContent = t('createRoom');
  }
}

// ---------- the room ----------

async function openRoom(roomId) {
  const keyText = location.hash.slice(1);
  // The engine is ready before we join, so it attaches to each peer in the peer-open event itself
  // and gets every transfer message (the mesh replays those that came before the proof verified).
  const engine = await createTransferEngine();
  const handOverTransferChannel = engine?.handOverTransferChannel?.bind(engine) ?? null;
  // The core (in the engine) checks every remote description before the browser applies it.
  const checkDescription = engine ? (sdp) => engine.checkRemoteDescription(sdp) : null;
  room = await enterRoom({ roomId, keyText, shareUrl: location.href, signaling: signalingClient(), handOverTransferChannel, checkDescription });
  if (room.mesh && engine) connectTransfers(engine, room.mesh);
}

// The transfer half (web/src/transfer/) is built separately; import.meta.glob bundles it when it
// exists and yields nothing when it does not, so the room works either way.
const transferModules = import.meta.glob(['./transfer/engine_client.js', './transfer/transfer_panel.js']);

async function createTransferEngine() {
  try {
    const client = await transferModules['./transfer/engine_client.js']?.();
    return (await client?.createTransferEngine?.()) ?? null;
  } catch (error) {
    $('engine').textContent = t('errorEngine', { detail: error.message });
    return null; // the room, its chat and its proof work without the transfer half
  }
}

async function connectTransfers(engine, mesh) {
  const attached = new Set();
  const attach = (link) => {
    if (attached.has(link.id)) engine.detachPeer(link.id); // a reconnect brings a new PeerLink
    attached.add(link.id);
    engine.attachPeer(link);
  };
  const detach = (peerId) => {
    if (attached.delete(peerId)) engine.detachPeer(peerId);
  };
  mesh.addEventListener('peer-open', (e) => attach(e.detail));
  mesh.addEventListener('peer-closed', (e) => detach(e.detail.peerId));
  mesh.addEventListener('peer-left', (e) => detach(e.detail.peerId));
  for (const link of mesh.links()) attach(link);
  const panel = await transferModules['./transfer/transfer_panel.js']?.();
  panel?.mountTransferPanel?.($('transfers'), engine, mesh);
  document.body.dataset.transfers = 'ready';
}

// ---------- the hash demo (landing) ----------

let lastResult = null;
let hashDemoStarted = false;

function showResult(file, result) {
  lastResult = { file, result };
  $('file-name').textContent = file.name;
  $('file-size').textContent = `${formatBytes(file.size)} (${file.size.toLocaleString(language())} B)`;
  $('file-hash').textContent = result.hex;
  $('hash-speed').textContent = result.ms > 0 ? formatRate((result.bytes / result.ms) * 1000) : '—';
  $('hash-progress').value = 1;
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
    showResult(file, result);
  } catch (error) {
    $('file-hash').textContent = '';
    $('hash-error').textContent = t('errorRead', { detail: error.message });
    $('hash-error').hidden = false;
  }
}

function startHashDemo() {
  if (hashDemoStarted) return;
  hashDemoStarted = true;
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
  engineInfo()
    .then((info) => {
      $('engine').textContent = t('engine', { impl: info.implementation });
      document.body.dataset.engineReady = 'true';
    })
    .catch((error) => {
      $('engine').textContent = t('errorEngine', { detail: error.message });
    });
}

// ---------- language ----------

function wireLanguage() {
  const select = $('language');
  select.value = language();
  select.addEventListener('change', () => setLanguage(select.value, { remember: true }));
  document.addEventListener('languagechange', () => {
    select.value = language();
    if (lastResult) showResult(lastResult.file, lastResult.result);
    showPrivacyLanguage();
    room?.view.relabel();
  });
}

setLanguage(detectLanguage());
wireLanguage();
$('create-room').addEventListener('click', createRoom);
route();
