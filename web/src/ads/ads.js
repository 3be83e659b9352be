// Ads for free and anonymous people, on the pages that may carry them (landing, privacy:
// docs/ads.md), and only after they answered. The order of a visit:
//   1. Nothing from Google while the configuration has no ads, the person is pro (or their plan is
//      not known yet), or this document was not loaded for a page with ads (its policy admits no
//      ad code): no notice, no slot, no request.
//   2. Not answered yet: our notice ("Choose ad settings" / "No ads"). Still no Google request.
//   3. "No ads": nothing, remembered in this browser; the footer's "Ad settings" asks again.
//   4. "Choose ad settings": Google's tag, which brings Google's certified CMP, with ad requests
//      paused; or, with a configured CMP, its script alone and Google's tag only after its consent.
//      A unit is pushed only once the CMP's TCF answer allows it (tcf_consent.js). Refused: no
//      unit, no ad request, and no tag on later pages until "Ad settings".
// The slot sits after the page's working area, so whatever it shows or drops never moves it.
import './ad_strings.js';
import { accountPlan } from '../account/header.js';
import { documentCarriesAds, markAdCodeLoaded } from '../app/router.js';
import { t } from '../i18n.js';
import { adChoice, rememberAdChoice } from './ad_choice.js';
import { forgetDisplayName } from '../room/display_name.js';
import { watchConsent } from './tcf_consent.js';

const TAG_URL = 'https://pagead2.googlesyndication.com/pagead/js/adsbygoogle.js';

let configPromise = null;
function adsConfig() {
  configPromise ??= fetch('/api/ads-config', { headers: { Accept: 'application/json' } })
    .then((res) => (res.ok ? res.json() : { ads: false }))
    .catch(() => ({ ads: false }));
  return configPromise;
}

// Third-party code in this document, never removed: "No ads" afterwards reloads the page.
let tagLoaded = false; // Google's tag
let cmpLoaded = false; // a configured CMP's script (--ads-cmp script)
let refusedBefore = false; // the answer "Ad settings" cleared was a refusal in the CMP

// Whoever asks for consent. Google's certified CMP comes with Google's tag, so with it the tag is
// what asks (its ad requests paused until consent); a configured CMP comes alone, and the tag only
// after its consent (loadTag from the consent callback): a refusal there means no tag at all.
function loadConsentAsker(config) {
  forgetDisplayName(); // before any third-party code comes into this document
  if (config.cmp === 'script') {
    if (cmpLoaded) return;
    cmpLoaded = true;
    markAdCodeLoaded();
    return appendScript(config.cmpScript);
  }
  loadTag(config);
}

function loadTag(config) {
  if (tagLoaded) return;
  tagLoaded = true;
  forgetDisplayName();
  markAdCodeLoaded(); // from now on, pages without ads open in a new document
  window.adsbygoogle = window.adsbygoogle || [];
  window.adsbygoogle.pauseAdRequests = 1;
  appendScript(`${TAG_URL}?client=${encodeURIComponent(config.client)}`);
}

function appendScript(src) {
  const script = document.createElement('script');
  script.async = true;
  script.src = src;
  script.crossOrigin = 'anonymous';
  document.head.append(script);
}

function button(label, testid, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'button';
  b.dataset.testid = testid;
  b.textContent = t(label);
  b.addEventListener('click', onClick);
  return b;
}

// The footer's "Ad settings": forgets the answer, so every slot asks again.
function showSettingsLink() {
  const link = document.getElementById('ad-settings');
  if (!link?.hidden) return; // no footer link, or shown already
  link.textContent = t('adsSettings'); // its words came with this module
  link.hidden = false;
  link.addEventListener('click', () => {
    refusedBefore ||= adChoice() === 'refused';
    rememberAdChoice(null);
    document.dispatchEvent(new CustomEvent('adchoicechange'));
  });
}

// Fills `container` with the ad slot of `place` ('landing', 'privacy'). @return unmount()
export function mountAdSlot(container, place) {
  const slot = document.createElement('aside');
  slot.className = 'ad-slot';
  slot.dataset.testid = 'ad-slot';
  slot.hidden = true;
  container.append(slot);
  const abort = new AbortController();
  let stopConsent = null;
  let config = null;

  function answer(choice) {
    if (choice === 'none' && (tagLoaded || cmpLoaded)) {
      rememberAdChoice(choice);
      return void location.reload(); // leave no Google code behind
    }
    // Asked again after a refusal, or with Google's CMP already here: Google's own "change your
    // choices" message (its CMP would otherwise keep the stored answer without asking).
    if (choice === 'ask' && (tagLoaded || refusedBefore) && config.cmp === 'google') {
      window.googlefc = window.googlefc || {};
      window.googlefc.callbackQueue = window.googlefc.callbackQueue || [];
      window.googlefc.callbackQueue.push(() => window.googlefc.showRevocationMessage?.());
    }
    rememberAdChoice(choice);
    document.dispatchEvent(new CustomEvent('adchoicechange'));
  }

  function showNotice() {
    const text = document.createElement('p');
    text.textContent = t('adsNotice');
    const actions = document.createElement('p');
    actions.className = 'ad-actions';
    actions.append(
      button('adsChoose', 'ads-choose', () => answer('ask')),
      button('adsNone', 'ads-none', () => answer('none')),
    );
    slot.dataset.state = 'notice';
    slot.setAttribute('aria-label', t('adsSettings'));
    slot.replaceChildren(text, actions);
    slot.hidden = false;
  }

  function showAds() {
    loadConsentAsker(config);
    const unit = config.slots?.[place];
    slot.dataset.state = 'waiting';
    slot.setAttribute('aria-label', t('adsLabel'));
    slot.replaceChildren();
    slot.hidden = !unit;
    let pushed = false;
    stopConsent = watchConsent((allowed) => {
      // Refused in the CMP: remembered, so the next pages load no tag at all.
      rememberAdChoice(allowed ? 'ask' : 'refused');
      if (!allowed || !unit) {
        slot.dataset.state = 'refused';
        slot.replaceChildren();
        slot.hidden = true;
        return;
      }
      if (pushed) return;
      pushed = true;
      loadTag(config); // with a configured CMP: only now, after its consent
      const ins = document.createElement('ins');
      ins.className = 'adsbygoogle';
      ins.dataset.adClient = config.client;
      ins.dataset.adSlot = unit;
      ins.dataset.adFormat = 'auto';
      ins.dataset.fullWidthResponsive = 'true';
      slot.replaceChildren(ins);
      slot.dataset.state = 'ad';
      window.adsbygoogle.pauseAdRequests = 0;
      window.adsbygoogle.push({});
    });
  }

  function render() {
    if (abort.signal.aborted) return;
    // A listener of an earlier answer must not act on this one.
    stopConsent?.();
    stopConsent = null;
    const choice = adChoice();
    if (choice === null) return showNotice();
    if (choice === 'ask') return showAds();
    slot.dataset.state = choice; // 'none' or 'refused': nothing from Google
    slot.replaceChildren();
    slot.hidden = true;
  }

  (async () => {
    config = await adsConfig();
    if (!config.ads || !documentCarriesAds() || abort.signal.aborted) return;
    const plan = await accountPlan();
    if ((plan !== 'none' && plan !== 'free') || abort.signal.aborted) return;
    showSettingsLink();
    document.addEventListener('adchoicechange', render, { signal: abort.signal });
    document.addEventListener('languagechange', () => slot.dataset.state === 'notice' && showNotice(), {
      signal: abort.signal,
    });
    render();
  })();

  return () => {
    abort.abort();
    stopConsent?.();
    slot.remove();
  };
}
