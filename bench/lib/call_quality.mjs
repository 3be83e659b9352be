// A call's quality over a window, from the receiver's stats sampled through it (bench/suites/
// calls.mjs). Each sample: { at (ms), concealed, samples (audio), freezes, freezeSeconds, frames }.
//
// A freeze is counted by the browser when the frame after it is decoded, and the gap while the
// other person was out of the call can be counted seconds after the call resumed, inside a later
// window, as one freeze as long as the whole time away. So each freeze is dated: it began at the
// latest at the time of the first sample that counts it, less its duration, and one that began
// before the window's first sample is not the window's. When one sample counts several freezes
// (their durations are only known together), all but one are the window's.
export function callQuality(samples) {
  const from = samples[0];
  const to = samples.at(-1);
  let freezes = 0;
  for (let i = 1; i < samples.length; i += 1) {
    const count = samples[i].freezes - samples[i - 1].freezes;
    if (count <= 0) continue;
    const began = samples[i].at - 1000 * (samples[i].freezeSeconds - samples[i - 1].freezeSeconds);
    freezes += began >= from.at ? count : count - 1;
  }
  return {
    concealed: (to.concealed - from.concealed) / Math.max(1, to.samples - from.samples),
    samples: to.samples - from.samples,
    freezes,
    freezesCounted: to.freezes - from.freezes,
    fps: (to.frames - from.frames) / ((to.at - from.at) / 1000),
  };
}
