// "Save all" of a received folder: as one zip where the page cannot write to a folder (Firefox,
// Safari: here Chromium with showDirectoryPicker taken away), unpacked by Info-ZIP with every path
// and byte intact; and into a folder the person picks (Chromium; the test hands the page a folder
// of its private storage in place of the system's picker), tree intact and nothing overwritten.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import * as flow from './room_flow.mjs';
import { roomSuite } from './service.mjs';
import { incomingBatch } from './transfer_steps.mjs';

const suite = roomSuite('cieloweb-save-all-');
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

// A folder "holiday" of 6 files in 3 levels; resolves to {rel: sha256}.
function holiday() {
  const files = {};
  for (const [i, rel] of ['a.bin', 'b.txt', 'day1/c.bin', 'day1/d.bin', 'day1/evening/e.bin', 'day2/f.bin'].entries()) {
    const file = path.join(suite.dir, 'holiday', rel);
    mkdirSync(path.dirname(file), { recursive: true });
    const bytes = rel.endsWith('.txt') ? Buffer.from('notes\n'.repeat(5000)) : randomBytes(100_000 + i * 4321);
    writeFileSync(file, bytes);
    files[`holiday/${rel}`] = sha256(bytes);
  }
  return files;
}

async function receiveFolder(alice, bob, files) {
  await alice.page.setInputFiles('[data-testid=room-folder-input]', path.join(suite.dir, 'holiday'));
  await incomingBatch(bob, 'holiday').locator('[data-testid=accept-batch]').click();
  for (const rel of Object.keys(files))
    await bob.page.waitForSelector(`[data-testid=file-hash][data-path="${rel}"]`, { timeout: 60000 });
  return bob.page.locator('[data-testid=save-all]');
}

test('Save all: one zip where the page cannot write to a folder; unzip finds every path and byte', async () => {
  const alice = await flow.newPeer(suite.browser, 'Alice');
  const bob = await flow.newPeer(suite.browser, 'Bob');
  try {
    await bob.context.addInitScript(() => delete window.showDirectoryPicker);
    await flow.joinRoom(bob, await flow.createRoom(alice, suite.service.origin));
    await flow.waitReadyForFiles(alice, bob);
    const files = holiday();
    const saveAll = await receiveFolder(alice, bob, files);
    const [download] = await Promise.all([bob.page.waitForEvent('download'), saveAll.click()]);
    assert.equal(download.suggestedFilename(), 'holiday.zip');
    const zip = path.join(suite.dir, 'holiday.zip');
    await download.saveAs(zip);
    assert.match(execFileSync('unzip', ['-t', zip], { encoding: 'utf8' }), /No errors detected/);
    const out = path.join(suite.dir, 'unzipped');
    execFileSync('unzip', ['-q', zip, '-d', out]);
    for (const [rel, hash] of Object.entries(files)) assert.equal(sha256(readFileSync(path.join(out, rel))), hash, rel);
    const listed = execFileSync('unzip', ['-Z1', zip], { encoding: 'utf8' }).trim().split('\n').sort();
    assert.deepEqual(listed, Object.keys(files).sort(), 'nothing more in the archive');
    assert.equal(await bob.page.getAttribute('[data-testid=save-all-status]', 'data-saved'), 'zip');
    assert.deepEqual([...alice.errors, ...bob.errors], []);
  } finally {
    await flow.closeAll(alice, bob);
  }
});

test('Save all: into a chosen folder, the tree intact and an existing file kept', async () => {
  const alice = await flow.newPeer(suite.browser, 'Alice');
  const bob = await flow.newPeer(suite.browser, 'Bob');
  try {
    // The system's folder picker cannot be driven headless: the page gets a folder of its own
    // storage instead, which already holds a holiday/a.bin of someone else's.
    await bob.context.addInitScript(() => {
      window.showDirectoryPicker = async () => {
        const root = await navigator.storage.getDirectory();
        const chosen = await root.getDirectoryHandle('chosen', { create: true });
        const mine = await (await chosen.getDirectoryHandle('holiday', { create: true })).getFileHandle('a.bin', {
          create: true,
        });
        const w = await mine.createWritable();
        await w.write('mine');
        await w.close();
        return chosen;
      };
    });
    await flow.joinRoom(bob, await flow.createRoom(alice, suite.service.origin));
    await flow.waitReadyForFiles(alice, bob);
    const files = holiday();
    await (await receiveFolder(alice, bob, files)).click();
    await bob.page.waitForSelector('[data-testid=save-all-status][data-saved=folder]', { timeout: 30000 });
    const written = await bob.page.evaluate(async () => {
      const out = {};
      async function walk(dir, prefix) {
        for await (const [name, handle] of dir.entries()) {
          if (handle.kind === 'directory') await walk(handle, `${prefix}${name}/`);
          else {
            const bytes = await (await handle.getFile()).arrayBuffer();
            const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
            out[prefix + name] = [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
          }
        }
      }
      await walk(await (await navigator.storage.getDirectory()).getDirectoryHandle('chosen'), '');
      return out;
    });
    const expected = {
      ...files,
      'holiday/a.bin': sha256(Buffer.from('mine')),
      'holiday/a (1).bin': files['holiday/a.bin'],
    };
    assert.deepEqual(written, expected);
    assert.deepEqual([...alice.errors, ...bob.errors], []);
  } finally {
    await flow.closeAll(alice, bob);
  }
});
