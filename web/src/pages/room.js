// "/r/<room-id>#<room-key>": the room. Mounting makes a transfer engine, enters the room (join,
// mesh, chat, view) and wires the two; unmounting leaves the room on the server, closes every peer
// connection, disconnects the transfers and removes what was wired to document, so the tab can
// enter another room without a reload.
import { addMessages, t } from '../i18n.js';
import { fillPage } from '../app/markup.js';
import { replaceLocation } from '../app/router.js';
import { tabSignaling } from '../app/signaling.js';
import { enterRoom } from '../room/room_session.js';
import { CallSession } from '../call/call_session.js';
import { CallView } from '../call/call_view.js';
import { cushionWhileFilesFlow } from '../call/files_cushion.js';
import { forgetTestHook, testHooks } from '../test_hooks.js';
import { connectTransfers } from '../transfer/connect_transfers.js';
import { createTransferEngine } from '../transfer/engine_client.js';

// The names of the room's controls whose words are not on screen (read by screen readers).
addMessages({
  en: { roomLinkLabel: 'Room link', roomQrLabel: 'QR code of the room link', chatInputLabel: 'Message' },
  nl: {
    roomLinkLabel: 'Link naar de ruimte',
    roomQrLabel: 'QR-code van de link naar de ruimte',
    chatInputLabel: 'Bericht',
  },
});

const MARKUP = `
<main data-view="room" class="room">
  <p id="room-status" class="notice" data-testid="room-status" role="status" hidden></p>
  <!-- Offers waiting for this person's Accept or Decline (transfer/batch_view.js): first thing in the room. -->
  <section id="offers" class="offers" data-testid="incoming-offers" aria-live="polite"></section>

  <section class="panel share">
    <h2 class="panel-title"><span data-icon="link"></span><span data-i18n="shareTitle"></span></h2>
    <div class="share-body">
      <div class="share-main">
        <p class="muted" data-i18n="shareHint"></p>
        <div class="share-row">
          <input id="share-link" data-testid="share-link" readonly data-i18n-label="roomLinkLabel" />
          <button id="copy-link" class="button" data-testid="copy-link" type="button">
            <span data-icon="copy"></span><span class="label" data-i18n="copy"></span>
          </button>
          <button id="share-native" class="button secondary" data-testid="share-native" type="button" hidden>
            <span data-icon="share"></span><span class="label" data-i18n="shareNative"></span>
          </button>
        </div>
      </div>
      <canvas id="share-qr" data-testid="share-qr" width="160" height="160" role="img" data-i18n-label="roomQrLabel"></canvas>
    </div>
  </section>

  <section class="panel peers">
    <h2 class="panel-title"><span data-icon="users"></span><span data-i18n="peopleTitle"></span></h2>
    <p id="room-capacity" class="muted" data-testid="room-capacity" hidden></p>
    <label class="self-name">
      <span data-i18n="yourName"></span>
      <input id="self-name" data-testid="self-name" autocomplete="nickname" />
    </label>
    <div id="peers-empty" class="empty-state" data-testid="peers-empty">
      <span class="empty-icon" data-icon="users"></span>
      <strong data-i18n="peersEmptyTitle"></strong>
      <p data-i18n="peersEmpty"></p>
    </div>
    <ul id="peer-list" class="peer-list" data-testid="peer-list"></ul>
  </section>

  <!-- Rendered by call/call_view.js once the room is entered. -->
  <section id="call" class="panel call" data-testid="call"></section>

  <!-- Rendered by transfer/transfer_panel.js (mountTransferPanel), wired by connectTransfers. -->
  <section id="transfers" class="panel transfers" data-testid="transfers">
    <h2 class="panel-title"><span data-icon="swap"></span><span data-i18n="transfersTitle"></span></h2>
    <div class="drop-zone" data-testid="room-drop-zone" tabindex="0">
      <span class="drop-icon" data-icon="upload"></span>
      <p>
        <span class="on-fine-pointer" data-i18n="roomDropHint"></span>
        <span class="on-coarse-pointer" data-i18n="roomChooseHint"></span>
      </p>
      <div class="pickers">
        <label class="button" role="button" tabindex="0">
          <span data-icon="files"></span><span data-i18n="pickFiles"></span>
          <input data-testid="room-file-input" type="file" multiple hidden />
        </label>
        <label class="button secondary" role="button" tabindex="0">
          <span data-icon="folder"></span><span data-i18n="pickFolder"></span>
          <input data-testid="room-folder-input" type="file" webkitdirectory multiple hidden />
        </label>
      </div>
    </div>
    <div class="transfer-list" data-testid="transfer-list"></div>
    <div class="empty-state transfers-empty" data-testid="transfers-empty">
      <span class="empty-icon" data-icon="swap"></span>
      <strong data-i18n="transfersEmptyTitle"></strong>
      <p>
        <span class="on-fine-pointer" data-i18n="transfersEmptyDrop"></span>
        <span class="on-coarse-pointer" data-i18n="transfersEmptyChoose"></span>
      </p>
    </div>
  </section>

  <section class="panel chat">
    <h2 class="panel-title"><span data-icon="chat"></span><span data-i18n="chatTitle"></span></h2>
    <ol id="chat-list" class="chat-list" data-testid="chat-list" aria-live="polite"></ol>
    <div class="empty-state chat-empty" data-testid="chat-empty">
      <span class="empty-icon" data-icon="chat"></span>
      <p data-i18n="chatEmpty"></p>
    </div>
    <form id="chat-form" class="chat-form">
      <input id="chat-input" data-testid="chat-input" maxlength="4000" autocomplete="off" data-i18n-label="chatInputLabel" />
      <button class="button" data-testid="chat-send" type="submit">
        <span data-icon="send"></span><span class="label" data-i18n="send"></span>
      </button>
    </form>
  </section>
</main>`;

// The previous room's leaving, which the next room waits for: one signaling connection is in at
// most one room, so its leave must reach the server before the next join.
let previousRoomLeft = Promise.resolve();

async function startEngine(signal) {
  try {
    return await createTransferEngine();
  } catch (error) {
    if (!signal.aborted) document.getElementById('engine').textContent = t('errorEngine', { detail: error.message });
    return null; // the room, its chat and its proof work without the transfer half
  }
}

export function mount(root, { roomId }) {
  const { page, $ } = fillPage(root, MARKUP);
  const abort = new AbortController();
  const signal = abort.signal;
  document.body.dataset.room = 'entering';
  // The key: from the link's fragment or, after a reload or a step back, from this history entry's
  // state. Out of the address bar at once: kept in the entry's state it survives a reload, and no
  // later page (nor the history list, nor a screenshot of the address bar) shows or reads it.
  const fromLink = location.hash.length > 1 ? location.hash.slice(1) : '';
  const saved = history.state?.roomKey;
  const keyText = fromLink || (typeof saved === 'string' ? saved : '');
  const shareUrl = `${location.origin}${location.pathname}${keyText ? `#${keyText}` : ''}`;
  if (fromLink) replaceLocation(location.pathname + location.search, { ...history.state, roomKey: keyText });
  let room = null;
  let disconnectTransfers = null;
  let call = null;
  let callView = null;

  const entered = (async () => {
    await previousRoomLeft;
    // The engine is ready before we join, so it attaches to each peer in the peer-open event itself
    // and gets every transfer message (the mesh replays those that came before the proof verified).
    const engine = await startEngine(signal);
    if (signal.aborted) return void engine?.close();
    try {
      room = await enterRoom({
        root: page,
        roomId,
        keyText,
        shareUrl,
        signaling: tabSignaling(),
        // A worker engine takes each transfer channel the moment it is made.
        handOverTransferChannel: engine?.handOverTransferChannel?.bind(engine) ?? null,
        // The core (in the engine) checks every remote description before the browser applies it.
        checkDescription: engine ? (sdp) => engine.checkRemoteDescription(sdp) : null,
        signal,
      });
    } catch (error) {
      engine?.close(); // the engine was made for this room only
      throw error;
    }
    if (room.mesh && !signal.aborted) {
      testHooks().mesh = room.mesh; // read by the browser tests
      call = new CallSession(room.mesh);
      callView = new CallView($('call'), call);
      testHooks().call = call;
      // While a call is on, the transfers leave it room (smaller send buffers): docs/calls.md.
      if (engine) call.addEventListener('active', (e) => engine.setCallActive(e.detail.active));
      // While files flow, the call's receivers hold more (call/files_cushion.js).
      if (engine) cushionWhileFilesFlow(engine, call, { signal });
    }
    if (room.mesh && engine && !signal.aborted)
      disconnectTransfers = connectTransfers(engine, room.mesh, $('transfers'), $('offers'));
    else engine?.close();
  })();
  entered.catch((error) => console.error('entering the room failed', error));

  document.addEventListener(
    'languagechange',
    () => {
      room?.view.relabel();
      callView?.relabel();
    },
    { signal },
  );

  return () => {
    abort.abort();
    delete document.body.dataset.room;
    delete document.body.dataset.transfers;
    forgetTestHook('mesh', room?.mesh);
    forgetTestHook('call', call);
    callView?.dispose();
    call?.close(); // devices released at once, before the room is left
    previousRoomLeft = entered
      .catch(() => {}) // said above
      .then(() => {
        room?.leave();
        disconnectTransfers?.();
      });
  };
}
