// The room's view: share link (copy + QR), the people (state, path, safety code, blocked warning),
// our editable name, status notices and the chat. It only reads the mesh and the chat and calls
// their methods; the transfers section is left to web/src/transfer/transfer_panel.js.
import { setIcon, setLabel } from '../app/icons.js';
import { typingInto } from '../app/typing.js';
import { formatTime, t } from '../i18n.js';
import { deliveryState, MAX_KEPT_MESSAGES } from './chat.js';
import { drawShareQr } from './share_qr.js';

function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v !== undefined && v !== null) node.setAttribute(k, v);
  }
  if (text !== undefined) node.textContent = text; // never innerHTML: names and chat are untrusted
  return node;
}

const STATE_TEXT = {
  connecting: 'stateConnecting',
  verifying: 'stateVerifying',
  open: 'stateOpen',
  blocked: 'stateBlocked',
  reconnecting: 'stateReconnecting',
  failed: 'stateFailed',
};

// The warning under a blocked peer, by PeerMesh's reason.
const BLOCKED_TEXT = {
  'proof-mismatch': 'blockedWarning',
  'sdp-refused': 'blockedWarningCertificate',
  'certificate-mismatch': 'blockedWarningCertificate',
  'no-verifier': 'blockedWarningNoVerifier',
};

const AVATAR_TONES = 6; // room.css colours .avatar[data-tone] 0…5

export function formatSafetyCode(code) {
  return code ? `${code.slice(0, 3)} ${code.slice(3)}` : '';
}

export class RoomView {
  // root: the room page's element; shareUrl: the full link with its #key; mesh/chat: may be null
  // until the room is joined. dispose() removes every listener it added and its timer.
  constructor({ root = document, shareUrl, onNameChange }) {
    this.root_ = root;
    this.abort_ = new AbortController();
    this.copiedTimer_ = null;
    this.shareUrl_ = shareUrl;
    this.mesh_ = null;
    this.chat_ = null;
    this.status_ = null; // {key, params, tone}
    this.selfName_ = '';
    this.onNameChange_ = onNameChange;
    this.wireStatic_();
  }

  attach(mesh, chat) {
    this.mesh_ = mesh;
    this.chat_ = chat;
    const options = { signal: this.abort_.signal };
    for (const type of [
      'peer-joined',
      'peer-updated',
      'peer-open',
      'peer-closed',
      'peer-blocked',
      'peer-left',
      'peer-failed',
    ]) {
      mesh.addEventListener(type, () => this.renderPeers(), options);
    }
    chat.addEventListener('message', (e) => this.appendMessage_(e.detail.message), options);
    chat.addEventListener('update', (e) => this.updateMessage_(e.detail.message), options);
    this.renderPeers();
  }

  dispose() {
    this.abort_.abort();
    clearTimeout(this.copiedTimer_);
  }

  $(id) {
    return this.root_.querySelector(`#${id}`);
  }

  setSelfName(name) {
    this.selfName_ = name;
    this.$('self-name').value = name;
  }

  // One notice at a time, the newest; key is an i18n key so it follows language switches.
  showStatus(key, params = {}, tone = 'info') {
    this.status_ = { key, params, tone };
    this.renderStatus_();
  }

  // How many people the room holds (its creator's plan decides it).
  showCapacity(capacity) {
    this.capacity_ = Number.isInteger(capacity) && capacity > 0 ? capacity : null;
    this.renderCapacity_();
  }

  renderCapacity_() {
    const line = this.$('room-capacity');
    line.hidden = this.capacity_ == null;
    if (this.capacity_ != null) line.textContent = t('roomCapacity', { count: this.capacity_ });
  }

  clearStatus(key) {
    if (!key || this.status_?.key === key) {
      this.status_ = null;
      this.renderStatus_();
    }
  }

  // Re-renders everything that holds translated text built here (static text uses data-i18n).
  relabel() {
    this.renderStatus_();
    if (this.capacity_ != null) this.renderCapacity_();
    this.renderPeers();
    const list = this.$('chat-list');
    list.replaceChildren();
    for (const m of this.chat_?.messages ?? []) this.appendMessage_(m);
  }

  wireStatic_() {
    const options = { signal: this.abort_.signal };
    const link = this.$('share-link');
    link.value = this.shareUrl_;
    link.addEventListener('focus', () => link.select(), options);
    const copy = this.$('copy-link');
    copy.addEventListener(
      'click',
      async () => {
        try {
          await navigator.clipboard.writeText(this.shareUrl_);
        } catch {
          link.select(); // the clipboard API needs a secure context and permission: fall back
          document.execCommand('copy');
        }
        setLabel(copy, t('copied'));
        setIcon(copy, 'check');
        copy.dataset.copied = 'true';
        clearTimeout(this.copiedTimer_);
        this.copiedTimer_ = setTimeout(() => {
          setLabel(copy, t('copy'));
          setIcon(copy, 'copy');
          delete copy.dataset.copied;
        }, 2000);
      },
      options,
    );
    // The system's share sheet, where the browser has one (phones, some desktops).
    const shareNative = this.$('share-native');
    const shared = { title: 'CieloWeb Share', url: this.shareUrl_ };
    shareNative.hidden = typeof navigator.share !== 'function' || navigator.canShare?.(shared) === false;
    shareNative.addEventListener(
      'click',
      () =>
        navigator.share(shared).catch(() => {
          // closed by the person, or refused: the link and Copy are still there
        }),
      options,
    );
    drawShareQr(this.$('share-qr'), this.shareUrl_, {
      onTooLong: () => {
        this.$('share-qr').hidden = true; // a link too long for a QR code is still shareable as text
      },
    });

    const nameInput = this.$('self-name');
    const commitName = () => {
      // The one display-name limit (protocol/limits.json) is applied by cleanName in onNameChange.
      const name = nameInput.value.trim();
      if (!name) {
        nameInput.value = this.selfName_;
        return;
      }
      if (name === this.selfName_) return;
      this.selfName_ = name;
      this.onNameChange_?.(name);
    };
    nameInput.addEventListener('change', commitName, options);
    nameInput.addEventListener(
      'keydown',
      (e) => {
        if (e.key === 'Enter') nameInput.blur();
      },
      options,
    );

    // Text pasted anywhere but in a field goes to the chat input, to be read and sent with Send: a
    // message reaches everyone in the room at once and cannot be taken back, and a clipboard may
    // hold what was never meant for them. Pasted files are the transfer panel's (page_sending.js).
    document.addEventListener(
      'paste',
      (e) => {
        const data = e.clipboardData;
        if (e.defaultPrevented || !data || data.files.length > 0 || typingInto(e.target)) return;
        const text = data.getData('text/plain');
        if (!text) return;
        e.preventDefault();
        this.draftMessage_(text);
      },
      options,
    );

    this.$('chat-form').addEventListener(
      'submit',
      (e) => {
        e.preventDefault();
        const input = this.$('chat-input');
        if (this.chat_?.send(input.value)) input.value = '';
      },
      options,
    );
  }

  // Adds `text` to the message being written, and puts the cursor after it.
  draftMessage_(text) {
    const input = this.$('chat-input');
    const limit = input.maxLength > 0 ? input.maxLength : Infinity;
    input.value = `${input.value}${text}`.slice(0, limit);
    input.focus();
    input.setSelectionRange(input.value.length, input.value.length);
  }

  renderStatus_() {
    const box = this.$('room-status');
    if (!this.status_) {
      box.hidden = true;
      box.textContent = '';
      delete box.dataset.key;
      return;
    }
    box.hidden = false;
    box.dataset.key = this.status_.key;
    box.dataset.tone = this.status_.tone;
    box.textContent = t(this.status_.key, this.status_.params);
  }

  renderPeers() {
    const list = this.$('peer-list');
    const peers = this.mesh_?.peerList() ?? [];
    this.$('peers-empty').hidden = peers.length > 0;
    list.replaceChildren(
      ...peers.map((p) => {
        const item = el('li', {
          'data-testid': 'peer',
          'data-peer-id': p.id,
          'data-state': p.state,
          class: `peer ${p.state}`,
        });
        const name = p.name || t('chatEmptyName');
        // A round badge with the name's first letter, its colour picked by the name (decoration:
        // the name itself follows).
        const tone = [...name].reduce((sum, ch) => sum + ch.codePointAt(0), 0) % AVATAR_TONES;
        item.append(el('span', { class: 'avatar', 'aria-hidden': 'true', 'data-tone': tone }, [...name][0] ?? '?'));
        const main = el('div', { class: 'peer-main' });
        const meta = el('div', { class: 'peer-meta' });
        main.append(el('span', { class: 'peer-name', 'data-testid': 'peer-name' }, name), meta);
        item.append(main);
        meta.append(
          el('span', { class: 'peer-state', 'data-testid': 'peer-state' }, t(STATE_TEXT[p.state] ?? 'stateConnecting')),
        );
        if (p.state === 'open' && p.path) {
          meta.append(
            el(
              'span',
              { class: 'peer-path', 'data-testid': 'peer-path', 'data-path': p.path },
              t(p.path === 'relayed' ? 'pathRelayed' : 'pathDirect'),
            ),
          );
        }
        if (p.safetyCode) {
          const code = el('span', {
            class: 'peer-safety',
            'data-testid': 'peer-safety',
            title: t('safetyHint', { name }),
          });
          code.append(
            `${t('safetyCode')} `,
            el('code', { 'data-testid': 'peer-safety-code' }, formatSafetyCode(p.safetyCode)),
          );
          meta.append(code);
        }
        if (p.state === 'blocked') {
          const text = BLOCKED_TEXT[p.blockedReason] ?? 'blockedWarning';
          item.append(
            el(
              'p',
              { class: 'warning', role: 'alert', 'data-testid': 'peer-warning', 'data-reason': p.blockedReason ?? '' },
              t(text, { name }),
            ),
          );
        }
        return item;
      }),
    );
  }

  senderName_(message) {
    if (message.from === 'self') return `${this.selfName_} (${t('you')})`;
    const peer = this.mesh_?.peerList().find((p) => p.id === message.from);
    return peer?.name || message.fromName || t('chatEmptyName');
  }

  appendMessage_(message) {
    const item = el('li', {
      'data-testid': 'chat-message',
      'data-message-id': message.id,
      class: message.from === 'self' ? 'mine' : 'theirs',
    });
    const meta = el('div', { class: 'chat-meta' });
    meta.append(el('span', { class: 'chat-sender', 'data-testid': 'chat-sender' }, this.senderName_(message)));
    meta.append(
      el(
        'time',
        { 'data-testid': 'chat-time', datetime: new Date(message.sentAt).toISOString() },
        formatTime(message.sentAt),
      ),
    );
    item.append(meta, el('p', { class: 'chat-text', 'data-testid': 'chat-text' }, message.text));
    if (message.from === 'self') item.append(el('span', { class: 'chat-delivery', 'data-testid': 'chat-delivery' }));
    const list = this.$('chat-list');
    list.append(item);
    // The view shows what the chat keeps (its newest MAX_KEPT_MESSAGES), no more: a peer that
    // floods the room cannot grow the page without bound.
    while (list.childElementCount > MAX_KEPT_MESSAGES) list.firstElementChild.remove();
    this.updateMessage_(message);
    item.scrollIntoView({ block: 'nearest' });
  }

  updateMessage_(message) {
    const item = this.$('chat-list').querySelector(`[data-message-id="${CSS.escape(message.id)}"]`);
    if (!item || message.from !== 'self') return;
    const state = deliveryState(message);
    item.dataset.delivery = state;
    const key = { failed: 'deliveryFailed', sent: 'deliverySent', delivered: 'deliveryDelivered' }[state];
    item.querySelector('[data-testid=chat-delivery]').textContent = t(key);
  }
}
