// Entering a room: read the key from the fragment, join through the signaling server, and wire the
// mesh, the chat and the view together. Status notices (room full, peer left, connection failed,
// blocked peer, server lost) are decided here, from the events of the parts.
import { t } from '../i18n.js';
import { Chat } from './chat.js';
import { PeerMesh } from './peer_mesh.js';
import { importRoomKey } from './room_proof.js';
import { RoomView } from './room_view.js';
import { cleanName } from '../text.js';
import { rememberDisplayName, rememberedName } from './display_name.js';

export const ROOM_ID_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;

// A new person's name until they give one: "Guest 123".
const guestName = () => t('defaultName', { n: 100 + Math.floor(Math.random() * 900) });

const JOIN_ERROR_STATUS = {
  'room-full': 'statusRoomFull',
  'room-not-found': 'statusRoomNotFound',
  'too-many-guesses': 'statusTooManyGuesses',
  'invalid-name': 'statusInvalidName',
};

// Resolves to {view, mesh, chat, leave()}; mesh and chat are null when the room cannot be entered
// (the view then shows why). leave() leaves the room on the server, closes every peer connection
// and undoes the view's wiring.
// handOverTransferChannel: see PeerMesh (the transfer engine in a worker takes each channel).
// The secret this tab gives its peers resume tokens from (PeerMesh resumeSecret): kept in
// sessionStorage, so it survives a reload of this tab and no other tab or person has it.
async function tabResumeSecret(roomId) {
  const storageKey = `cieloweb.resume.${roomId}`;
  let text = globalThis.sessionStorage?.getItem(storageKey);
  if (!/^[0-9a-f]{64}$/.test(text ?? '')) {
    text = Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => b.toString(16).padStart(2, '0')).join('');
    globalThis.sessionStorage?.setItem(storageKey, text);
  }
  const raw = Uint8Array.from(text.match(/../g), (h) => parseInt(h, 16));
  return crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
}

// checkDescription: the core's SDP check (PeerMesh); null blocks every peer (fail closed).
// root: the room page's element (the view renders there); signal: aborted when the page unmounts,
// which removes what this room wired to the tab's signaling client.
export async function enterRoom({
  root,
  roomId,
  keyText,
  shareUrl,
  signaling,
  handOverTransferChannel = null,
  checkDescription = null,
  signal = undefined,
}) {
  let name = rememberedName(guestName);
  let mesh = null;
  const view = new RoomView({
    root,
    shareUrl,
    onNameChange: (raw) => {
      const clean = cleanName(raw);
      if (!clean) return;
      name = clean;
      rememberDisplayName(clean);
      view.setSelfName(clean);
      mesh?.setName(clean);
    },
  });
  view.setSelfName(name);
  // For the tests and the styles: where entering stands (nothing once the page unmounted).
  const mark = (state) => {
    if (!signal?.aborted) document.body.dataset.room = state;
  };
  const notEntered = { view, mesh: null, chat: null, leave: () => view.dispose() };
  mark('entering');

  let key = null;
  try {
    if (!ROOM_ID_PATTERN.test(roomId)) throw Object.assign(new Error('bad room id'), { status: 'statusRoomNotFound' });
    key = await importRoomKey(keyText ?? '');
  } catch (error) {
    view.showStatus(error.status ?? 'statusMissingKey', {}, 'error');
    mark('error');
    return notEntered;
  }

  const resumeSecret = await tabResumeSecret(roomId);
  if (signal?.aborted) return notEntered;
  mesh = new PeerMesh(signaling, key, { name, handOverTransferChannel, checkDescription, resumeSecret, roomId });
  const chat = new Chat(mesh);
  view.attach(mesh, chat);

  const nameOf = (peerId) => mesh.peerList().find((p) => p.id === peerId)?.name || t('chatEmptyName');
  mesh.addEventListener('peer-left', (e) =>
    view.showStatus('statusPeerLeft', { name: e.detail.name || t('chatEmptyName') }),
  );
  mesh.addEventListener('peer-failed', (e) =>
    view.showStatus('statusConnectionFailed', { name: nameOf(e.detail.peerId) }, 'error'),
  );
  mesh.addEventListener('peer-blocked', (e) =>
    view.showStatus('statusBlocked', { name: nameOf(e.detail.peerId) }, 'error'),
  );
  const options = { signal };
  signaling.addEventListener(
    'closed',
    (e) => {
      if (e.detail.willReconnect) view.showStatus('statusServerLost', {}, 'error');
    },
    options,
  );
  signaling.addEventListener(
    'joined',
    (e) => {
      view.clearStatus('statusServerLost');
      view.showCapacity(e.detail.capacity);
    },
    options,
  );
  signaling.addEventListener(
    'error',
    (e) => {
      const status = JOIN_ERROR_STATUS[e.detail.code];
      if (status) view.showStatus(status, {}, 'error'); // a re-join after a reconnect was refused
    },
    options,
  );
  const leave = () => {
    view.dispose();
    mesh.leave();
  };

  try {
    await signaling.join(roomId, name);
  } catch (error) {
    const status = JOIN_ERROR_STATUS[error.code];
    if (status) view.showStatus(status, {}, 'error');
    else view.showStatus('statusJoinFailed', { detail: error.code ?? error.message }, 'error');
    mark('error');
    return { view, mesh: null, chat: null, leave };
  }
  mark('joined');
  return { mesh, chat, view, leave };
}
