// "/new": makes a room in a document that holds nothing but our own code. The landing page comes
// here (a full page load) once Google's ad tag is in its document: a room's key must never be made
// where third-party code could watch it being made, or the address it is handed to (docs/ads.md).
// Only anonymous and free people ever have the tag, and their rooms take the free capacity, so the
// connection stays anonymous here (no sign-in code in a document under the strict policy).
import { addMessages, t } from '../i18n.js';
import { fillPage } from '../app/markup.js';
import { navigate } from '../app/router.js';
import { tabSignaling } from '../app/signaling.js';
import { generateRoomKey } from '../room/room_proof.js';

addMessages({
  en: { newRoomHome: 'Back to the start page' },
  nl: { newRoomHome: 'Terug naar de startpagina' },
});

const MARKUP = `
<main data-view="new-room">
  <p class="pending" data-i18n="creating"></p>
  <p id="new-room-error" class="error" data-testid="landing-error" role="alert" hidden></p>
  <a href="/" class="button" data-i18n="newRoomHome" hidden id="new-room-home"></a>
</main>`;

export function mount(root) {
  const { $ } = fillPage(root, MARKUP);
  const abort = new AbortController();
  (async () => {
    try {
      const roomId = await tabSignaling().createRoom();
      if (abort.signal.aborted) return;
      // In place of /new: going back leads to the page before, not to a new room.
      navigate(`/r/${roomId}#${generateRoomKey()}`, { replace: true });
    } catch (e) {
      if (abort.signal.aborted) return;
      $('new-room-error').textContent = t('errorCreate', { detail: e.code ?? e.message });
      $('new-room-error').hidden = false;
      $('new-room-home').hidden = false;
    }
  })();
  return () => abort.abort();
}
