// How much each of our video senders may use, by how many people we send video to. In a mesh every
// sender encodes once per peer, so our upload and CPU grow with the call: the more people, the less
// each. Above VIDEO_MESH_LIMIT people in the call, video falls back to thumbnails (small, slow) and
// the call is mostly audio. Where the numbers come from: docs/calls.md.

// People in a call (us included) up to whom everyone gets full video. MiroTalk's maintainer puts a
// mesh's good quality at about 5 people, Nextcloud Talk at 4–6 by upload; 2 cores decoded 4
// peers at about 20 fps and 6 at under 1 fps (../shared facts, measured on these machines).
export const VIDEO_MESH_LIMIT = 5;

// The camera's encoding for each peer when we send video to `peers` others.
const CAMERA_STEPS = [
  { maxBitrate: 1_500_000, scaleResolutionDownBy: 1, maxFramerate: 30 }, // 1 other
  { maxBitrate: 900_000, scaleResolutionDownBy: 1, maxFramerate: 30 }, // 2
  { maxBitrate: 600_000, scaleResolutionDownBy: 1.5, maxFramerate: 24 }, // 3
  { maxBitrate: 400_000, scaleResolutionDownBy: 2, maxFramerate: 20 }, // 4
];
const CAMERA_THUMBNAIL = { maxBitrate: 120_000, scaleResolutionDownBy: 4, maxFramerate: 5 };

// A shared screen is text more than motion: resolution kept, frame rate low, the bitrate split.
const SCREEN_TOTAL_BITRATE = 2_500_000;

export function isThumbnailCall(peopleInCall) {
  return peopleInCall > VIDEO_MESH_LIMIT;
}

export function cameraEncoding(peers) {
  if (isThumbnailCall(peers + 1)) return { ...CAMERA_THUMBNAIL };
  return { ...CAMERA_STEPS[Math.max(0, Math.min(peers, CAMERA_STEPS.length) - 1)] };
}

export function screenEncoding(peers) {
  return {
    maxBitrate: Math.max(300_000, Math.round(SCREEN_TOTAL_BITRATE / Math.max(1, peers))),
    scaleResolutionDownBy: 1,
    maxFramerate: isThumbnailCall(peers + 1) ? 5 : 15,
  };
}
