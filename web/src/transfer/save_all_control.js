// The "Save all" button of a received batch and its status line: the batch's files, with their
// folders, to a folder the person picks or as one zip (save_all.js). The files are read from the
// batch view's own record of what completed (each file's OPFS-backed File).
import { iconLabel } from '../app/icons.js';
import { saveAll } from './save_all.js';
import { tr } from './strings.js';
import { el } from './panel_dom.js';

// The folder all paths share ("photos" for photos/a.jpg and photos/b/c.jpg), else none.
function commonFolder(paths) {
  const first = paths[0]?.split('/') ?? [];
  if (first.length < 2) return '';
  return paths.every((p) => p.startsWith(`${first[0]}/`)) ? first[0] : '';
}

// files(): [{path, blob}] of the batch's completed files at the time of the click.
export function saveAllControl(files) {
  const status = el('span', { class: 'save-all-status', 'data-testid': 'save-all-status', role: 'status' });
  const button = el('button', {
    type: 'button',
    class: 'button',
    'data-testid': 'save-all',
    text: tr('saveAll'),
    onclick: async () => {
      const list = files();
      button.disabled = true;
      status.textContent = tr('savingAll', { percent: 0 });
      try {
        const archiveName =
          commonFolder(list.map((f) => f.path)) || `cieloweb-${new Date().toISOString().slice(0, 10)}`;
        const saved = await saveAll(list, {
          archiveName,
          onProgress: (done, total) => {
            status.textContent = tr('savingAll', { percent: total > 0 ? Math.floor((100 * done) / total) : 100 });
          },
        });
        status.textContent = tr(saved.how === 'folder' ? 'savedAllFolder' : 'savedAllZip', { name: saved.name });
        status.dataset.saved = saved.how;
      } catch (error) {
        // Closing the folder picker is a change of mind, not a failure.
        status.textContent = error?.name === 'AbortError' ? '' : tr('saveAllFailed', { detail: error.message });
      } finally {
        button.disabled = false;
      }
    },
  });
  button.replaceChildren(...iconLabel('saveAll', tr('saveAll')));
  return [button, status];
}
