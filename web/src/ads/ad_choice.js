// The person's answer to our ad notice, kept in this browser (localStorage, never a cookie):
// 'none' (no ads: no Google host is ever asked), 'ask' (load Google's tag, whose certified CMP
// asks about cookies), 'refused' (they refused in the CMP: from then on no tag at all, as with
// 'none', until they ask again through "Ad settings"), or null (not answered: nothing is loaded,
// the notice shows).
const KEY = 'cw-ads-choice';

export function adChoice() {
  try {
    const value = localStorage.getItem(KEY);
    return ['none', 'ask', 'refused'].includes(value) ? value : null;
  } catch {
    return null; // storage blocked: ask again, load nothing
  }
}

export function rememberAdChoice(value) {
  try {
    if (value === null) localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, value);
  } catch {
    // storage blocked: the answer holds for this page only
  }
}
