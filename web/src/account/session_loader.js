// The only way into the Firebase SDK: loadSession() asks the server whether accounts are on and,
// only then, imports firebase_session.js (its own chunk, the SDK with it). The sign-in and account
// pages call it; the header only when this browser signed in before (account_api.js).
import { language } from '../i18n.js';
import { authConfig } from './account_api.js';

let loading = null;

// The page's FirebaseSession, or null when accounts are off.
export function loadSession() {
  loading ??= (async () => {
    const config = await authConfig();
    if (!config.enabled) return null;
    const { openSession } = await import('./firebase_session.js');
    const session = openSession(config);
    // Firebase words its mails (verification, reset) in the page's language.
    session.setLanguage(language());
    document.addEventListener('languagechange', () => session.setLanguage(language()));
    return session;
  })().catch((error) => {
    loading = null; // a failed chunk load may work on the next try
    throw error;
  });
  return loading;
}
