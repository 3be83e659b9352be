// Whether the CMP's TCF answer lets us request ads: Purpose 1 (store or read on the device) and
// Google (vendor 755) both consented, or GDPR does not apply to this visit. Google's TCF guidance
// is not to call the ad tag without that consent; non-personalised ads still set cookies, so a
// refusal means no ad request at all.
const GOOGLE_VENDOR = 755;
const WAIT_FOR_CMP_MS = 15000;

export function allowsAds(tcData) {
  if (!tcData) return false;
  if (tcData.gdprApplies === false) return true;
  return tcData.purpose?.consents?.[1] === true && tcData.vendor?.consents?.[GOOGLE_VENDOR] === true;
}

// Calls onAnswer(allowed) each time the person answers (an earlier answer on load, then every change
// made in the CMP). Waits for the CMP's __tcfapi to appear; a CMP that never comes means no ads.
// @return stop()
export function watchConsent(onAnswer) {
  let stopped = false;
  let listenerId = null;
  const started = Date.now();
  const attach = () => {
    if (stopped) return;
    if (typeof window.__tcfapi !== 'function') {
      if (Date.now() - started < WAIT_FOR_CMP_MS) setTimeout(attach, 100);
      return;
    }
    window.__tcfapi('addEventListener', 2, (tcData, success) => {
      if (!success) return;
      listenerId = tcData.listenerId;
      if (stopped) return void remove(); // stopped before the CMP's first answer
      if (tcData.eventStatus === 'tcloaded' || tcData.eventStatus === 'useractioncomplete') onAnswer(allowsAds(tcData));
    });
  };
  function remove() {
    if (listenerId !== null && typeof window.__tcfapi === 'function')
      window.__tcfapi('removeEventListener', 2, () => {}, listenerId);
    listenerId = null;
  }
  attach();
  return () => {
    stopped = true;
    remove();
  };
}
