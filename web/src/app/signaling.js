// One signaling connection per tab, opened only when a page needs it (creating or entering a room)
// and kept across pages: leaving a room leaves it on the server, it does not reconnect.
import { SignalingClient } from '../room/signaling_client.js';

let client = null;

export function tabSignaling() {
  client ??= new SignalingClient();
  return client;
}
