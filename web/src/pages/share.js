// "/share": where files shared to the app from another app land (the manifest's Web Share Target;
// the service worker kept them on this device and sent the tab here as /share#<id>). The person
// makes a room, or opens the link of a room they are in; that room offers the files as if they
// were picked, once someone else is there (app/shared_files.js). A document of its own under the
// room's strict policy (no third party sees the files' names), so the room opens in it directly.
import { addMessages, formatBytes, t } from '../i18n.js';
import { fillPage } from '../app/markup.js';
import { navigate, replaceLocation } from '../app/router.js';
import { forgetShare, markTabShare, markViewedShare, readShare, viewedShareId } from '../app/shared_files.js';
import { tabSignaling } from '../app/signaling.js';
import { generateRoomKey } from '../room/room_proof.js';

addMessages({
  en: {
    sharedFilesTitle: 'Send shared files',
    shareSummary: 'Waiting to be sent: {count} ({size}).',
    shareMore: '… and {count} more',
    shareNone:
      'Nothing is waiting to be sent: the shared files were sent already, or were shared more than an hour ago.',
    shareCreate: 'Create a room and send them',
    shareLinkLabel: 'Or paste the link of a room you are in',
    shareOpen: 'Open that room',
    shareWhen: 'In the room you choose to send them once someone else is there; each person accepts or declines.',
    shareDiscard: 'Discard them',
    shareBadLink: 'That is not a link to a room of this site.',
    shareHome: 'Back to the start page',
    shareNotKept:
      'This device could not keep the shared files (its storage may be full), so nothing was sent. Free some space and share them again, or create a room and choose the files there.',
    shareNothing: 'The share held no files and no text, so there is nothing to send.',
  },
  nl: {
    sharedFilesTitle: 'Gedeelde bestanden versturen',
    shareSummary: 'Klaar om te versturen: {count} ({size}).',
    shareMore: '… en nog {count}',
    shareNone: 'Er staat niets klaar: de gedeelde bestanden zijn al verstuurd, of meer dan een uur geleden gedeeld.',
    shareCreate: 'Maak een ruimte en verstuur ze',
    shareLinkLabel: 'Of plak de link van een ruimte waar je in zit',
    shareOpen: 'Open die ruimte',
    shareWhen: 'In de ruimte kies je ze te versturen zodra er iemand anders is; ieder accepteert of weigert zelf.',
    shareDiscard: 'Gooi ze weg',
    shareBadLink: 'Dat is geen link naar een ruimte van deze site.',
    shareHome: 'Terug naar de startpagina',
    shareNotKept:
      'Dit apparaat kon de gedeelde bestanden niet bewaren (de opslag is misschien vol), dus er is niets verstuurd. Maak ruimte vrij en deel ze opnieuw, of maak een ruimte en kies de bestanden daar.',
    shareNothing: 'Er zaten geen bestanden en geen tekst in wat je deelde, dus er is niets te versturen.',
  },
});

const SHOWN_NAMES = 20;

// Why nothing waits, by the name the service worker put in the fragment (sw.js, receiveShare).
const NOT_WAITING = { none: 'shareNone', 'not-kept': 'shareNotKept', 'nothing-shared': 'shareNothing' };

const MARKUP = `
<main data-view="share">
  <h1 data-i18n="sharedFilesTitle"></h1>
  <p id="share-summary" data-testid="share-summary" aria-live="polite"></p>
  <ul id="share-files" data-testid="share-files" style="overflow-wrap: anywhere"></ul>
  <section id="share-actions" hidden>
    <p><button id="share-create" class="button big" data-testid="share-create-room" type="button"></button></p>
    <form id="share-open">
      <label for="share-link" data-i18n="shareLinkLabel"></label>
      <input id="share-link" data-testid="share-room-link" type="url" autocomplete="off" required />
      <button class="button" type="submit" data-i18n="shareOpen"></button>
    </form>
    <p data-i18n="shareWhen"></p>
    <p><button id="share-discard" class="link-button" data-testid="share-discard" type="button" data-i18n="shareDiscard"></button></p>
  </section>
  <p id="share-error" class="error" data-testid="share-error" role="alert" hidden></p>
  <p><a href="/" data-link data-i18n="shareHome"></a></p>
</main>`;

// The room a pasted link names, as a path and fragment of this site, or null.
function roomTarget(text) {
  try {
    const url = new URL(text.trim(), location.origin);
    if (url.origin !== location.origin || !/^\/r\/[^/]+$/.test(url.pathname) || url.hash.length < 2) return null;
    return url.pathname + url.hash;
  } catch {
    return null;
  }
}

export function mount(root) {
  const { $ } = fillPage(root, MARKUP);
  const abort = new AbortController();
  const signal = abort.signal;
  // The service worker names the share in the fragment (never sent to the server).
  // Which share this page shows is remembered for a reload; it becomes the tab's share for the
  // next room only when the person makes or opens one here (markTabShare in the two handlers).
  const named = location.hash.slice(1);
  if (/^[0-9a-f-]{36}$/.test(named)) markViewedShare(named);
  // The worker could not keep a share, or it held nothing: why nothing waits (for this view).
  const why = Object.hasOwn(NOT_WAITING, named) ? named : 'none';
  if (location.hash) replaceLocation('/share');
  // A share that failed is what this view is about: an older share this tab viewed is not shown
  // in its place (the person would take it for the one just shared).
  const id = why === 'none' ? viewedShareId() : null;
  let share = null;
  let loaded = false;
  let creating = false;

  function render() {
    $('share-create').textContent = t(creating ? 'creating' : 'shareCreate');
    if (!loaded) return;
    $('share-actions').hidden = !share;
    if (!share) {
      $('share-summary').textContent = t(NOT_WAITING[why]);
      $('share-files').replaceChildren();
      return;
    }
    const size = share.files.reduce((sum, file) => sum + file.size, 0);
    $('share-summary').textContent = t('shareSummary', { count: share.files.length, size: formatBytes(size) });
    const items = share.files.slice(0, SHOWN_NAMES).map((file) => {
      const li = document.createElement('li');
      li.dataset.testid = 'share-file';
      li.textContent = `${file.name} (${formatBytes(file.size)})`;
      return li;
    });
    if (share.files.length > SHOWN_NAMES) {
      const more = document.createElement('li');
      more.textContent = t('shareMore', { count: share.files.length - SHOWN_NAMES });
      items.push(more);
    }
    $('share-files').replaceChildren(...items);
  }

  function showError(text) {
    $('share-error').textContent = text;
    $('share-error').hidden = !text;
  }

  async function createRoom() {
    creating = true;
    $('share-create').disabled = true;
    showError('');
    render();
    try {
      const roomId = await tabSignaling().createRoom();
      if (signal.aborted) return;
      if (id) markTabShare(id);
      // In place of /share: going back from the room does not lead to a share already taken.
      navigate(`/r/${roomId}#${generateRoomKey()}`, { replace: true });
    } catch (e) {
      if (signal.aborted) return;
      showError(t('errorCreate', { detail: e.code ?? e.message }));
      creating = false;
      $('share-create').disabled = false;
      render();
    }
  }

  $('share-create').addEventListener('click', createRoom);
  $('share-open').addEventListener('submit', (event) => {
    event.preventDefault();
    const target = roomTarget($('share-link').value);
    if (!target) return showError(t('shareBadLink'));
    if (id) markTabShare(id);
    navigate(target, { replace: true });
  });
  $('share-discard').addEventListener('click', async () => {
    share = null;
    render();
    await forgetShare(id);
  });
  document.addEventListener('languagechange', render, { signal });

  render();
  readShare(id).then((found) => {
    if (signal.aborted) return;
    share = found;
    loaded = true;
    render();
    document.body.dataset.share = share ? 'waiting' : why;
  });
  return () => {
    abort.abort();
    delete document.body.dataset.share;
  };
}
