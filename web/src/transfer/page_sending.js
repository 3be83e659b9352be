// Sending the way people do: files or folders dropped anywhere on the room page (not only on its
// drop zone) are offered like picked ones; files pasted from the clipboard once the person says
// Send to what they pasted. Text is none of this module's business: a drop of text is left to the
// browser, and pasted text goes to the chat input (room/room_view.js). While files are dragged over the page, body[data-dropping] lets the
// styles show that the whole page takes them; this module is that mark's one owner.
import { iconLabel } from '../app/icons.js';
import { typingInto } from '../app/typing.js';
import { formatBytes } from '../i18n.js';
import { entriesFromDrop } from './file_picking.js';
import { el } from './panel_dom.js';
import { countText, tr } from './strings.js';

// The question under the drop zone: what was pasted, Send or Cancel. A new paste replaces it.
function askBeforeSending(files, send, signal) {
  document.querySelector('[data-testid=paste-ask]')?.remove();
  const size = files.reduce((sum, file) => sum + file.size, 0);
  const what = files.length === 1 ? files[0].name || 'pasted' : countText(files.length);
  const question = el(
    'p',
    { class: 'paste-ask', 'data-testid': 'paste-ask', role: 'status' },
    el('span', { text: tr('pastedAsk', { what, size: formatBytes(size) }) }),
    ' ',
    el(
      'button',
      {
        type: 'button',
        class: 'button',
        'data-testid': 'paste-send',
        onclick: () => {
          question.remove();
          send(files.map((file) => ({ file, path: file.name || 'pasted' })));
        },
      },
      ...iconLabel('send', tr('pastedSend')),
    ),
    ' ',
    el(
      'button',
      { type: 'button', class: 'button secondary', 'data-testid': 'paste-cancel', onclick: () => question.remove() },
      ...iconLabel('close', tr('cancel')),
    ),
  );
  const zone = document.querySelector('[data-testid=room-drop-zone]');
  (zone ?? document.body).after(question);
  signal.addEventListener('abort', () => question.remove());
  question.querySelector('[data-testid=paste-send]').focus();
}

const carriesFiles = (dataTransfer) => [...(dataTransfer?.types ?? [])].includes('Files');

// send(entries): offers [{file, path}]. The listeners end with `signal` (the panel unmounted).
export function listenForPageSending(send, signal) {
  const listening = { signal };
  let dragEnd = null;
  const stopDropping = () => {
    clearTimeout(dragEnd);
    delete document.body.dataset.dropping;
  };
  document.addEventListener(
    'dragover',
    (e) => {
      if (!carriesFiles(e.dataTransfer)) return;
      e.preventDefault(); // the page takes the drop (the browser would open the file instead)
      e.dataTransfer.dropEffect = 'copy';
      document.body.dataset.dropping = 'files';
      // dragover repeats while the pointer is over the page; its end (a drag that left the
      // window or was given up) is its silence.
      clearTimeout(dragEnd);
      dragEnd = setTimeout(stopDropping, 300);
    },
    listening,
  );
  document.addEventListener(
    'drop',
    (e) => {
      stopDropping();
      if (!carriesFiles(e.dataTransfer)) return;
      e.preventDefault();
      entriesFromDrop(e.dataTransfer)
        .then(send)
        .catch((error) => console.warn('dropped files could not be read', error));
    },
    listening,
  );
  document.addEventListener(
    'paste',
    (e) => {
      const data = e.clipboardData;
      const files = [...(data?.files ?? [])];
      if (files.length === 0) return;
      // Text pasted into a field stays text, even when the clipboard also holds a picture of it
      // (word processors put both).
      if (typingInto(e.target) && data.types.includes('text/plain')) return;
      e.preventDefault();
      // A clipboard may hold what was never meant for the room (a screenshot taken a minute
      // ago): pasted files wait for a Send, like pasted text waits in the chat input.
      askBeforeSending(files, send, signal);
    },
    listening,
  );
  signal.addEventListener('abort', stopDropping);
}
