// The call's bitrate policy (web/src/call/call_policy.js, docs/calls.md): less per peer as the call
// grows, thumbnails above the mesh limit, a screen's bitrate split over the peers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cameraEncoding, isThumbnailCall, screenEncoding, VIDEO_MESH_LIMIT } from '../../web/src/call/call_policy.js';

test('call policy: each more peer gets no more bitrate, resolution or frame rate than the last', () => {
  let previous = null;
  for (let peers = 1; peers <= 23; peers += 1) {
    const e = cameraEncoding(peers);
    assert.ok(e.maxBitrate > 0 && e.scaleResolutionDownBy >= 1 && e.maxFramerate > 0, `${peers}: ${JSON.stringify(e)}`);
    if (previous) {
      assert.ok(e.maxBitrate <= previous.maxBitrate, `${peers} peers: bitrate grew`);
      assert.ok(e.scaleResolutionDownBy >= previous.scaleResolutionDownBy, `${peers} peers: resolution grew`);
      assert.ok(e.maxFramerate <= previous.maxFramerate, `${peers} peers: frame rate grew`);
    }
    previous = e;
  }
  // Our upload for video stays bounded as the call grows (at most 3 Mb/s here).
  for (let peers = 1; peers <= 23; peers += 1) assert.ok(peers * cameraEncoding(peers).maxBitrate <= 3_000_000);
});

test('call policy: thumbnails exactly above the mesh limit', () => {
  assert.equal(VIDEO_MESH_LIMIT, 5);
  assert.equal(isThumbnailCall(VIDEO_MESH_LIMIT), false);
  assert.equal(isThumbnailCall(VIDEO_MESH_LIMIT + 1), true);
  assert.equal(cameraEncoding(VIDEO_MESH_LIMIT - 1).maxFramerate > 5, true); // 5 people: full video
  assert.deepEqual(cameraEncoding(VIDEO_MESH_LIMIT), {
    maxBitrate: 120_000,
    scaleResolutionDownBy: 4,
    maxFramerate: 5,
  });
});

test('call policy: a screen keeps its resolution and splits its bitrate, never under 300 kb/s', () => {
  assert.equal(screenEncoding(1).maxBitrate, 2_500_000);
  assert.equal(screenEncoding(5).maxBitrate, 500_000);
  assert.equal(screenEncoding(20).maxBitrate, 300_000);
  for (const peers of [1, 4, 7]) assert.equal(screenEncoding(peers).scaleResolutionDownBy, 1);
});
