// A room takes the capacity of its creator's plan: before creating one, a person who signed in on
// this browser hands the signaling connection their ID token (docs/accounts.md, "Signaling"). The
// SDK is loaded only for such a person, and only here on the landing page, never in the room.
import { signedInBefore } from './account_api.js';
import { loadSession } from './session_loader.js';

// Best effort: any failure (accounts off, signed out, token refused) leaves the connection
// anonymous, and the room then gets the free capacity.
export async function signInForRoom(signaling) {
  if (!signedInBefore()) return null;
  try {
    const session = await loadSession();
    if (!session || !(await session.ready())) return null;
    const token = await session.idToken();
    return token ? await signaling.signIn(token) : null;
  } catch {
    return null;
  }
}
