// Steps of the transfer tests shared by their files: hashing with b3sum, saving a received file
// the way a person does (its Save link), and waiting for conditions.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';

export function b3sum(file) {
  return execFileSync('b3sum', ['--no-names', file], { encoding: 'utf8' }).trim();
}

// The received file as the person gets it: a click on its Save link (a download of the file
// built from its OPFS segments), saved under `dir` and hashed by b3sum.
export async function savedHash(page, p, dir) {
  const link = page.locator(`[data-testid=save-link][data-path="${p}"]`);
  await link.waitFor();
  // As a person does: the link scrolled into view and the page settled (two frames) before the
  // click. A click in the same instant as Playwright's own scroll to a link at the bottom edge
  // started no download in 3 of 4 runs of the folder test (always the 11th file).
  await link.scrollIntoViewIfNeeded();
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 15000 }).catch(async (e) => {
      e.message += `\n(save link of ${p}: ${await link.evaluate((a) => a.outerHTML).catch((x) => x.message)})`;
      throw e;
    }),
    link.click(),
  ]);
  const file = path.join(dir, 'downloads', `${Date.now()}-${Math.random().toString(36).slice(2)}`);
  mkdirSync(path.dirname(file), { recursive: true });
  await download.saveAs(file);
  assert.equal(download.suggestedFilename(), p.split('/').pop());
  const hash = b3sum(file);
  rmSync(file);
  return hash;
}

// Polls a condition in the page (page.waitForFunction would take the Promise itself as truthy).
export async function until(peer, condition, { timeout = 30000, polling = 50, arg } = {}) {
  const deadline = Date.now() + timeout;
  while (!(await peer.page.evaluate(condition, arg))) {
    if (Date.now() > deadline) throw new Error(`${peer.name}: timed out after ${timeout} ms waiting for ${condition}`);
    await new Promise((r) => setTimeout(r, polling));
  }
}

// The same for a condition checked from here.
export async function eventually(check, what, timeout = 30000) {
  const deadline = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// The incoming batch (its Accept, Decline, status, files) whose text contains `text`.
export function incomingBatch(peer, text) {
  return peer.page.locator('[data-testid=transfer-batch][data-direction=in]').filter({ hasText: text });
}

// Every path in the page's origin private file system ('folder/sub/name'), or only the files'.
export async function opfsEntries(page, { filesOnly = false } = {}) {
  return page.evaluate(async (filesOnly) => {
    const names = [];
    async function walk(d, prefix) {
      for await (const [name, h] of d.entries()) {
        if (h.kind === 'directory') {
          if (!filesOnly) names.push(prefix + name);
          await walk(h, `${prefix}${name}/`);
        } else {
          names.push(prefix + name);
        }
      }
    }
    await walk(await navigator.storage.getDirectory(), '');
    return names;
  }, filesOnly);
}
