// Vite plugin: writes the service worker (web/src/sw.js) to the build's root as sw.js, with its
// BUILD line filled in from the build itself: the files it precaches (every hashed file under
// assets/ but those excluded, the emitted icons, the given public files), the WASM core's files
// (cached on first use) and two versions: one over everything the worker serves (so any change to
// the page, the core or the worker makes a new sw.js, which is how browsers notice an update) and
// one over the core alone (its cache survives builds that did not change it). It runs in
// generateBundle, so sw.js is in the bundle before precompress.js writes the .br/.gz copies in
// closeBundle: sw.js gets them, and the list (taken from the bundle) never names one.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const BUILD_LINE = /^const BUILD = .*;$/m;

function digest(parts) {
  const hash = createHash('sha256');
  for (const [name, bytes] of parts) hash.update(`${name}\0`).update(bytes).update('\0');
  return hash.digest('hex').slice(0, 16);
}

// The version of the WASM core: a digest of its files in the public folder. The page asks for the
// core under it (`?v=`, baked in as __CIELO_CORE_VERSION__ by vite.config.js) and the worker keeps
// and serves only that version, so new page code never runs on a cached older core.
export function coreVersionOf(publicDir, names) {
  return digest(names.map((name) => [name, readPublic(publicDir, name)]));
}

// A file of the public folder, or a marker in its place (the digest then says it was missing).
function readPublic(publicDir, name) {
  const file = path.join(publicDir, name);
  return existsSync(file) ? readFileSync(file) : Buffer.from('(missing)');
}

// options: source (the worker's file), exclude (RegExps of bundle file names never precached),
// publicFiles (names in the public folder to precache), core (names in the public folder).
export function serviceWorker({ source, exclude = [], publicFiles = [], core = [] }) {
  let publicDir = '';
  return {
    name: 'cieloweb-service-worker',
    apply: 'build',
    enforce: 'post',
    configResolved(config) {
      publicDir = config.publicDir;
    },
    generateBundle(_, bundle) {
      const content = (name) => (bundle[name].type === 'chunk' ? bundle[name].code : bundle[name].source);
      if (!bundle['index.html']) this.error('service worker: no index.html in the bundle');
      const built = Object.keys(bundle)
        .filter((name) => /^(assets|icons)\//.test(name))
        .filter((name) => !/\.(map|br|gz)$/.test(name) && !exclude.some((re) => re.test(name)))
        .sort();
      const template = readFileSync(source, 'utf8');
      const coreVersion = coreVersionOf(publicDir, core);
      const version = digest([
        ['index.html', content('index.html')],
        ...built.map((name) => [name, content(name)]),
        ...publicFiles.map((name) => [name, readPublic(publicDir, name)]),
        ['core', coreVersion],
        ['sw.js', template],
      ]);
      const build = {
        version,
        coreVersion,
        files: [...built, ...publicFiles].map((name) => `/${name}`),
        core: core.map((name) => `/${name}?v=${coreVersion}`),
      };
      if (!BUILD_LINE.test(template)) this.error(`service worker: no "const BUILD = …;" line in ${source}`);
      const code = template.replace(BUILD_LINE, `const BUILD = ${JSON.stringify(build)};`);
      this.emitFile({ type: 'asset', fileName: 'sw.js', source: code });
    },
  };
}
