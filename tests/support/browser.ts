/**
 * Headless Chromium for browser tests: Debian's /usr/bin/chromium driven by playwright-core
 * (`npx playwright install` cannot download a browser here). The flags are the ones measured in
 * shared/reference/browser-webrtc-tests.md; infra/test.sh runs browser tests inside a network
 * namespace that has only loopback, so WebRTC offers no candidate outside 127.0.0.0/8.
 */
import { type Browser, chromium } from 'playwright-core';

/** Where Debian installs Chromium; GIAOBAN_CHROMIUM overrides it. */
export const chromiumPath = process.env.GIAOBAN_CHROMIUM ?? '/usr/bin/chromium';

/** Flags every test browser gets. */
export const chromiumArgs: readonly string[] = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  // A synthetic camera (moving test pattern, 20 fps) and microphone (beeps), granted without a prompt.
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  // Without it Chromium gathers no ICE candidate on loopback.
  '--allow-loopback-in-peer-connection',
  // A 640x480 camera sends all three simulcast layers instead of two.
  '--force-fieldtrials=WebRTC-LegacySimulcastLayerLimit/Disabled/',
  '--autoplay-policy=no-user-gesture-required',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Options for {@link launchChromium}. */
export interface LaunchChromiumOptions {
  /** Flags added after {@link chromiumArgs}. */
  extraArgs?: readonly string[];
}

/** Starts a headless Chromium with fake camera and microphone; close it with `browser.close()`. */
export async function launchChromium(options: LaunchChromiumOptions = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [...chromiumArgs, ...(options.extraArgs ?? [])],
  });
}
