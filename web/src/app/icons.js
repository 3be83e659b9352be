// The app's icons: small line drawings on a 24 x 24 grid, stroked in currentColor (so they take the
// colour of the text they stand next to, in both colour schemes) and hidden from assistive
// technology (every control that shows one keeps its words, or an aria-label). Drawn for this app;
// each is one SVG path. A page's markup asks for one with a placeholder, <span data-icon="copy">,
// which fillPage (markup.js) replaces; code calls icon('copy').

const PATHS = {
  plus: 'M12 5v14M5 12h14',
  check: 'M4.5 12.5l5 5L19.5 7',
  close: 'M6 6l12 12M18 6 6 18',
  copy: 'M10 8h9a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2h-9a2 2 0 0 1-2-2v-9a2 2 0 0 1 2-2zM16 8V5a2 2 0 0 0-2-2H5a2 2 0 0 0-2 2v9a2 2 0 0 0 2 2h3',
  link: 'M10 14a4.5 4.5 0 0 0 6.4 0l3-3a4.5 4.5 0 0 0-6.4-6.4l-1.2 1.2M14 10a4.5 4.5 0 0 0-6.4 0l-3 3a4.5 4.5 0 0 0 6.4 6.4l1.2-1.2',
  share: 'M12 3v12M7.5 7.5 12 3l4.5 4.5M8 11H6a2 2 0 0 0-2 2v6a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-6a2 2 0 0 0-2-2h-2',
  files: 'M13 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V9zM13 3v6h6M12 12v6M9 15h6',
  folder: 'M3 7a2 2 0 0 1 2-2h4.5l2 2.5H19a2 2 0 0 1 2 2V17a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2z',
  upload: 'M12 15V4M7.5 8.5 12 4l4.5 4.5M4 15v3a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-3',
  download: 'M12 4v11M7.5 10.5 12 15l4.5-4.5M4 15v3a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-3',
  saveAll:
    'M3 7a2 2 0 0 1 2-2h4.5l2 2.5H19a2 2 0 0 1 2 2V17a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2zM12 10.5v5.5M9.5 13.5 12 16l2.5-2.5',
  cancel: 'M12 3a9 9 0 1 1 0 18a9 9 0 1 1 0-18zM9 9l6 6M15 9l-6 6',
  retry: 'M20 12a8 8 0 1 1-2.34-5.66M17.66 1.84v4.5h-4.5',
  send: 'M21 3 10.5 13.5M21 3l-6.5 18-4-7.5L3 10z',
  bell: 'M6 17v-6a6 6 0 0 1 12 0v6l1.5 1.5h-15zM10 21h4',
  trash: 'M4 7h16M9.5 7V4.5h5V7M6.5 7l1 13h9l1-13M10 11v5M14 11v5',
  users:
    'M9 11.5a3.5 3.5 0 1 0 0-7a3.5 3.5 0 1 0 0 7zM3 20a6 6 0 0 1 12 0M15.5 4.8a3.5 3.5 0 0 1 0 6.4M17.5 14.3A6 6 0 0 1 21 20',
  chat: 'M5 4h14a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2h-9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z',
  swap: 'M7 20V5M3.5 8.5 7 5l3.5 3.5M17 4v15M13.5 15.5 17 19l3.5-3.5',
  incoming: 'M12 5v14M6 13l6 6 6-6',
  outgoing: 'M12 19V5M6 11l6-6 6 6',
  shield: 'M12 3l7 3v5.5c0 4.3-2.9 7.9-7 9.5-4.1-1.6-7-5.2-7-9.5V6zM9 12l2.2 2.2L15.5 10',
  lock: 'M7 11V8a5 5 0 0 1 10 0v3M6.5 11h11a1.5 1.5 0 0 1 1.5 1.5v7a1.5 1.5 0 0 1-1.5 1.5h-11A1.5 1.5 0 0 1 5 19.5v-7A1.5 1.5 0 0 1 6.5 11z',
  globe:
    'M12 3a9 9 0 1 1 0 18a9 9 0 1 1 0-18zM3.5 12h17M12 3c2.4 2.5 3.6 5.5 3.6 9s-1.2 6.5-3.6 9c-2.4-2.5-3.6-5.5-3.6-9S9.6 5.5 12 3z',
  // File kinds (fileIcon below).
  image:
    'M5 4h14a1 1 0 0 1 1 1v14a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1zM4 16l4.5-4.5 4 4 2.5-2.5L20 18M15.5 7a1.5 1.5 0 1 0 0 3a1.5 1.5 0 1 0 0-3z',
  video: 'M4 6h11a1 1 0 0 1 1 1v10a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V7a1 1 0 0 1 1-1zM16 10.5l5-3v9l-5-3',
  audio: 'M9 18V6l11-2v12M9 18a3 3 0 1 1-6 0a3 3 0 1 1 6 0zM20 16a3 3 0 1 1-6 0a3 3 0 1 1 6 0z',
  archive: 'M3.5 4h17v4h-17zM5 8v11a1 1 0 0 0 1 1h12a1 1 0 0 0 1-1V8M10 12h4',
  document: 'M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8zM14 3v5h5M9 13h6M9 17h6M9 9h1.5',
  code: 'M8 7.5 3.5 12 8 16.5M16 7.5l4.5 4.5-4.5 4.5M13.5 5l-3 14',
  other: 'M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8zM14 3v5h5',
};

const SVG = 'http://www.w3.org/2000/svg';

// An <svg> of the icon `name`, sized by CSS (.icon: 1.25em).
export function icon(name, className = 'icon') {
  const svg = document.createElementNS(SVG, 'svg');
  for (const [k, v] of Object.entries({
    class: className,
    viewBox: '0 0 24 24',
    width: '20',
    height: '20',
    fill: 'none',
    stroke: 'currentColor',
    'stroke-width': '2',
    'stroke-linecap': 'round',
    'stroke-linejoin': 'round',
    'aria-hidden': 'true',
    focusable: 'false',
    'data-icon-name': name,
  })) {
    svg.setAttribute(k, v);
  }
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute('d', PATHS[name] ?? PATHS.other);
  svg.append(path);
  return svg;
}

// An icon and its words, for a button: [svg, <span class="label">].
export function iconLabel(name, text) {
  const label = document.createElement('span');
  label.className = 'label';
  label.textContent = text;
  return [icon(name), label];
}

// The words of a button made with iconLabel (or of a plain one).
export function setLabel(button, text) {
  (button.querySelector('.label') ?? button).textContent = text;
}

// Swaps the icon of a button for another (Copy becomes a check mark for a moment).
export function setIcon(button, name) {
  const old = button.querySelector('svg.icon');
  if (old && old.dataset.iconName !== name) old.replaceWith(icon(name));
}

// Replaces every <span data-icon="name"> placeholder under `root` with its icon.
export function placeIcons(root) {
  for (const slot of root.querySelectorAll('[data-icon]')) {
    const svg = icon(slot.dataset.icon);
    if (slot.className) svg.classList.add(...slot.classList);
    slot.replaceWith(svg);
  }
}

// What kind of file a name (or MIME type) is, for its icon: image, video, audio, archive,
// document, code (text too) or other.
const KINDS = {
  image: 'jpg jpeg png gif webp avif heic heif bmp tif tiff svg ico raw dng cr2 cr3 nef arw psd',
  video: 'mp4 m4v mov webm mkv avi wmv flv mpg mpeg 3gp ogv',
  audio: 'mp3 m4a aac wav flac ogg oga opus wma aif aiff mid midi',
  archive: 'zip rar 7z tar gz tgz bz2 xz zst lz lzma iso dmg cab jar apk deb rpm',
  document: 'pdf doc docx odt rtf xls xlsx ods ppt pptx odp pages numbers key epub',
  code: 'txt md csv tsv json xml yaml yml toml ini log html htm css js mjs ts jsx tsx py rb go rs c h cc cpp hpp java kt swift sh sql',
};
const BY_EXTENSION = new Map(
  Object.entries(KINDS).flatMap(([kind, list]) => list.split(' ').map((extension) => [extension, kind])),
);
const BY_TYPE = [
  [/^image\//, 'image'],
  [/^video\//, 'video'],
  [/^audio\//, 'audio'],
  [/zip|compressed|x-tar|x-7z|x-rar/, 'archive'],
  [/pdf|msword|officedocument|opendocument|rtf|epub/, 'document'],
  [/^text\/|json|xml|javascript/, 'code'],
];

export function fileKind(path, type = '') {
  const name = String(path ?? '')
    .split('/')
    .pop()
    .toLowerCase();
  const dot = name.lastIndexOf('.');
  const byName = dot > 0 ? BY_EXTENSION.get(name.slice(dot + 1)) : undefined;
  return byName ?? BY_TYPE.find(([pattern]) => pattern.test(type))?.[1] ?? 'other';
}

// The file-kind icon of a transfer list's row: a tinted tile (its colour by kind, in the styles).
export function fileIcon(path, type = '') {
  const kind = fileKind(path, type);
  const tile = document.createElement('span');
  tile.className = 'file-icon';
  tile.dataset.kind = kind;
  tile.append(icon(kind));
  return tile;
}
