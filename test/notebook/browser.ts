/** Headless Chromium through playwright-core and Debian's /usr/bin/chromium (never a downloaded browser). */
import type { Browser } from "playwright-core";
import { CHROMIUM } from "../kernel/jupyter";

export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export async function launch(): Promise<Browser> {
  // playwright-core never downloads a browser; executablePath pins Debian's.
  process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = "1";
  const { chromium } = await import("playwright-core");
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}
