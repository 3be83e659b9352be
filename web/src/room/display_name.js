// Where the person's display name for rooms is remembered (the one owner of that storage). In this
// origin's localStorage, for the next room, unless Google's ad code may run in this origin's pages
// for this person (they chose "Choose ad settings"): a script in the landing page could read
// localStorage, so the name is then kept only in the room's own history entry (a reload of the
// room finds it; no ad page can read another entry's state) and is gone from localStorage before
// the tag loads (docs/ads.md).
import { adChoice } from '../ads/ad_choice.js';
import { cleanName } from '../text.js';

const NAME_KEY = 'cieloweb.name';

const adCodeMayRun = () => adChoice() === 'ask';

// The name to enter a room with: the remembered one, or `makeDefault()` (then remembered).
export function rememberedName(makeDefault) {
  if (adCodeMayRun()) {
    forgetDisplayName();
    const kept = cleanName(history.state?.displayName ?? '');
    if (kept) return kept;
  } else {
    const saved = cleanName(readStored() ?? '');
    if (saved) return saved;
  }
  const name = makeDefault();
  rememberDisplayName(name);
  return name;
}

export function rememberDisplayName(name) {
  if (!adCodeMayRun()) return void store(name);
  forgetDisplayName();
  history.replaceState({ ...history.state, displayName: name }, '');
}

// Called before any ad code comes into a page.
export function forgetDisplayName() {
  try {
    localStorage.removeItem(NAME_KEY);
  } catch {
    // storage blocked: nothing was stored either
  }
}

function readStored() {
  try {
    return localStorage.getItem(NAME_KEY);
  } catch {
    return null;
  }
}

function store(name) {
  try {
    localStorage.setItem(NAME_KEY, name);
  } catch {
    // storage blocked: the name holds for this room only
  }
}
