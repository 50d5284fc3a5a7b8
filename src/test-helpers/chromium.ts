import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';

export const chromiumPath = process.env.NETWORKML_CHROMIUM ?? '/usr/bin/chromium';

/** Why browser tests cannot run here, or undefined when they can (for `test(..., { skip })`). */
export function chromiumMissing(): string | undefined {
  return existsSync(chromiumPath) ? undefined : `no Chromium at ${chromiumPath} (apt-get install chromium)`;
}

export interface OpenedPage {
  browser: Browser;
  page: Page;
  /** console.error / console.warning texts, in order. */
  consoleErrors: string[];
  /** Uncaught exceptions in the page. */
  pageErrors: string[];
  /** URLs of every request that was not file:// or data: (all were aborted). */
  blockedRequests: string[];
  close(): Promise<void>;
}

export interface OpenOptions {
  width?: number;
  height?: number;
}

/**
 * Opens a local HTML file in headless Debian Chromium with the network cut off: every request that is not
 * file:// or data: is aborted and recorded, so an offline page can be proven offline.
 */
export async function openFile(path: string, options: OpenOptions = {}): Promise<OpenedPage> {
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--disable-quic',
    ],
  });
  try {
    const page = await browser.newPage({
      viewport: { width: options.width ?? 1400, height: options.height ?? 900 },
    });
    const consoleErrors: string[] = [];
    const pageErrors: string[] = [];
    const blockedRequests: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning') consoleErrors.push(msg.text());
    });
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.route('**', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
      blockedRequests.push(url);
      return route.abort('blockedbyclient');
    });
    await page.goto(pathToFileURL(path).href, { waitUntil: 'load' });
    return { browser, page, consoleErrors, pageErrors, blockedRequests, close: () => browser.close() };
  } catch (err) {
    await browser.close();
    throw err;
  }
}

/** Full-page PNG, creating its folder (test-artifacts/ is git-ignored). */
export async function screenshot(page: Page, path: string): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  await page.screenshot({ path, fullPage: true });
}

/**
 * Share of a canvas's pixels that are neither transparent nor white: > 0 means something was drawn.
 * Reads the backing store, so it sees exactly what the chart library painted.
 */
export async function canvasInk(page: Page, canvasId: string): Promise<number> {
  return page.evaluate((id) => {
    // The project compiles without the DOM lib; these are the few browser shapes used here.
    interface Canvas2d {
      getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
    }
    interface CanvasLike {
      tagName: string;
      width: number;
      height: number;
      getContext(kind: '2d'): Canvas2d | null;
    }
    const doc = (globalThis as unknown as { document: { getElementById(id: string): CanvasLike | null } })
      .document;
    const canvas = doc.getElementById(id);
    if (canvas?.tagName !== 'CANVAS' || canvas.width === 0 || canvas.height === 0) return 0;
    const ctx = canvas.getContext('2d');
    if (!ctx) return 0;
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    let inked = 0;
    for (let i = 0; i < data.length; i += 4) {
      const white = data[i]! > 245 && data[i + 1]! > 245 && data[i + 2]! > 245;
      if (data[i + 3]! > 0 && !white) inked++;
    }
    return inked / (data.length / 4);
  }, canvasId);
}
