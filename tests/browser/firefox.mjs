// Debian's Firefox ESR driven by puppeteer-core over WebDriver BiDi (no browser download). The prefs
// let WebRTC work between browsers on one machine (host candidates as addresses, loopback allowed)
// and give fake media with no permission prompt, as Chromium's fake-device flags do.
import puppeteer from 'puppeteer-core';

export const FIREFOX_PATH = process.env.FIREFOX_PATH || '/usr/bin/firefox-esr';

export const FIREFOX_PREFS = {
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  'media.peerconnection.ice.loopback': true,
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
  'media.autoplay.default': 0, // allowed: remote audio is decoded only while it plays
  'media.autoplay.blocking_policy': 0,
};

export async function launchFirefox() {
  return puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX_PATH,
    headless: true,
    extraPrefsFirefox: FIREFOX_PREFS,
  });
}
