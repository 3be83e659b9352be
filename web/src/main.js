// The first page: drop a file, see its BLAKE3 (equal to `b3sum`), size and hashing speed.
import { detectLanguage, formatBytes, formatRate, language, setLanguage, t } from './i18n.js';
import { engineInfo, hashFile } from './hash_client.js';

const $ = (id) => document.getElementById(id);
let lastResult = null;

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

function wireDropZone() {
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
}

function wireLanguage() {
  const select = $('language');
  select.value = language();
  select.addEventListener('change', () => setLanguage(select.value, { remember: true }));
  document.addEventListener('languagechange', () => {
    if (lastResult) showResult(lastResult.file, lastResult.result);
  });
}

setLanguage(detectLanguage());
wireLanguage();
wireDropZone();
engineInfo()
  .then((info) => {
    $('engine').textContent = t('engine', { impl: info.implementation });
    document.body.dataset.engineReady = 'true';
  })
  .catch((error) => {
    $('engine').textContent = t('errorEngine', { detail: error.message });
  });
