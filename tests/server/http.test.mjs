// The HTTP side of the real binary: the page, its headers, /healthz, /metrics.
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startServer } from './harness.mjs';

// fetch() normalises "..": send the raw target instead.
function rawGet(port, target, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: target, headers }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('serving the page', () => {
  let server;
  before(async () => {
    // The third parties the landing and privacy pages may use, turned on (they are off by default).
    server = await startServer([
      '--third-parties',
      'sign-in',
      '--adsense-client',
      'ca-pub-1234567890123456',
      '--adsense-slots',
      'landing=1234567890',
    ]);
  });
  after(() => server.stop());

  test('/, /privacy and /r/<room> serve index.html with security headers', async () => {
    for (const target of ['/', '/privacy', '/r/Y0Zd5xiDoZXFzpYyblVRIA']) {
      const res = await fetch(server.url + target);
      assert.equal(res.status, 200);
      const body = await res.text();
      assert.match(body, /CieloWeb test page/);
      assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
      const csp = res.headers.get('content-security-policy');
      if (target.startsWith('/r/')) {
        assert.equal(res.headers.get('cache-control'), 'no-cache');
        assert.match(csp, /script-src 'self' 'wasm-unsafe-eval';/);
        assert.doesNotMatch(body, /nonce=/);
      } else {
        // A page with ads: scripts by a nonce of this response (AdSense's CSP form), on the page's
        // own script tag too; never cached.
        assert.equal(res.headers.get('cache-control'), 'no-store');
        const nonce = csp.match(/script-src 'nonce-([A-Za-z0-9+/]{22}==)' 'strict-dynamic'/)?.[1];
        assert.ok(nonce, csp);
        assert.match(body, new RegExp(`<script nonce="${nonce.replaceAll('+', '\\+')}" type="module"`));
      }
      assert.match(csp, /connect-src 'self'/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.match(csp, /object-src 'none'/);
      if (target.startsWith('/r/')) {
        // The room page admits no third party, whatever the configuration.
        assert.doesNotMatch(csp, /https?:/);
      } else {
        assert.match(csp, /connect-src [^;]*https:\/\/\*\.googlesyndication\.com/);
        assert.match(csp, /identitytoolkit\.googleapis\.com/);
      }
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
      assert.equal(res.headers.get('x-frame-options'), 'DENY');
    }
  });

  test('hashed assets are immutable; wasm has its content type', async () => {
    const js = await fetch(`${server.url}/assets/index-4f3a9c1b.js`);
    assert.equal(js.status, 200);
    assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(js.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    const wasm = await fetch(`${server.url}/assets/core-9b8e7d6c.wasm`);
    assert.equal(wasm.status, 200);
    assert.equal(wasm.headers.get('content-type'), 'application/wasm');
    assert.deepEqual([...new Uint8Array(await wasm.arrayBuffer())].slice(0, 4), [0, 0x61, 0x73, 0x6d]);
  });

  test('an unchanged file answers 304 to its ETag; a page with ads never does', async () => {
    const room = '/r/Y0Zd5xiDoZXFzpYyblVRIA';
    const first = await fetch(server.url + room);
    const etag = first.headers.get('etag');
    assert.ok(etag);
    const again = await rawGet(server.port, room, { 'If-None-Match': etag });
    assert.equal(again.status, 304);
    assert.equal(again.body, '');
    // The landing page names a new nonce each time: no ETag, and a stored copy's tag gets the page.
    assert.equal((await fetch(`${server.url}/`)).headers.get('etag'), null);
    const landing = await rawGet(server.port, '/', { 'If-None-Match': etag });
    assert.equal(landing.status, 200);
    assert.match(landing.body, /<script nonce="/);
  });

  test('traversal, dot files, encoded slashes and unknown paths are 404', async () => {
    for (const target of [
      '/../etc/passwd',
      '/assets/../../etc/passwd',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/.secret',
      '/assets%2fx.js',
      '/nope.js',
      '/r/a/b',
      '/assets/',
    ]) {
      const res = await rawGet(server.port, target);
      assert.equal(res.status, 404, target);
      assert.doesNotMatch(res.body, /root:|hidden/);
    }
  });

  test('only GET and HEAD', async () => {
    const res = await fetch(`${server.url}/`, { method: 'POST', body: 'x' });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'GET, HEAD');
    const head = await fetch(`${server.url}/`, { method: 'HEAD' });
    assert.equal(head.status, 200);
  });

  test('/healthz and /metrics', async () => {
    const health = await fetch(`${server.url}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok' });
    const metrics = await fetch(`${server.url}/metrics`);
    assert.equal(metrics.status, 200);
    const text = await metrics.text();
    for (const name of [
      'cieloweb_ws_connections',
      'cieloweb_rooms',
      'cieloweb_peers',
      'cieloweb_http_requests_total',
      'cieloweb_rejects_total',
      'cieloweb_messages_received_total',
    ]) {
      assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'));
    }
  });

  test('ads.txt names the configured publisher; the page learns the ad units', async () => {
    const txt = await fetch(`${server.url}/ads.txt`);
    assert.equal(txt.status, 200);
    assert.equal(await txt.text(), 'google.com, pub-1234567890123456, DIRECT, f08c47fec0942fa0\n');
    const config = await (await fetch(`${server.url}/api/ads-config`)).json();
    assert.deepEqual(config, {
      ads: true,
      client: 'ca-pub-1234567890123456',
      slots: { landing: '1234567890' },
      cmp: 'google',
    });
  });

  test('a plain GET on /ws and an upgrade elsewhere are refused', async () => {
    assert.equal((await fetch(`${server.url}/ws`)).status, 426);
  });
});

test('without --third-parties no page lists a third-party host, and there are no ads', async () => {
  const server = await startServer();
  try {
    for (const target of ['/', '/privacy', '/r/Y0Zd5xiDoZXFzpYyblVRIA', '/healthz', '/nope']) {
      const res = await fetch(server.url + target);
      const csp = res.headers.get('content-security-policy');
      assert.match(csp, /connect-src 'self'/, target);
      assert.match(csp, /script-src 'self' 'wasm-unsafe-eval';/, target);
      assert.doesNotMatch(csp, /https?:/, target);
    }
    assert.equal((await fetch(`${server.url}/ads.txt`)).status, 404);
    assert.deepEqual(await (await fetch(`${server.url}/api/ads-config`)).json(), { ads: false });
  } finally {
    await server.stop();
  }
});

test('a body over the limit is answered 413, not dropped', async () => {
  const server = await startServer(['--max-body-bytes', '1024']);
  try {
    const res = await fetch(`${server.url}/`, { method: 'POST', body: 'x'.repeat(64 * 1024) });
    assert.equal(res.status, 413);
    assert.match(res.headers.get('content-security-policy'), /default-src 'self'/);
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
  } finally {
    await server.stop();
  }
});

test('without a built page: a clear 503, while /healthz still answers', async () => {
  const empty = mkdtempSync(path.join(tmpdir(), 'cielo-empty-'));
  const server = await startServer([], { webRoot: path.join(empty, 'missing') });
  try {
    const res = await fetch(`${server.url}/`);
    assert.equal(res.status, 503);
    assert.match(await res.text(), /not been built/);
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
  } finally {
    await server.stop();
  }
});
