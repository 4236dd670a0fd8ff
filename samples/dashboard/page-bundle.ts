// Bundles the dashboard's page script for the browser, at start, with esbuild: the compiled
// dashboard-page.js and what it imports, with `tsro` and `tsro/browser` both resolved to the
// compiled tsro/browser entry (the page's API classes import their decorators from 'tsro'), for
// platform 'browser' and without a Node.js built-in.

import * as path from 'node:path';
import * as esbuild from 'esbuild';

/** The compiled tsro/browser entry, next to this sample in dist/. */
export const BROWSER_ENTRY = path.join(__dirname, '..', '..', 'src', 'browser.js');

/** Bundles `entry` (a compiled .js file) for browsers; resolves with the minified script. */
export async function bundleForBrowser(entry: string): Promise<string> {
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    minify: true,
    write: false,
    logLevel: 'silent',
    alias: { 'tsro/browser': BROWSER_ENTRY, tsro: BROWSER_ENTRY },
  });
  return result.outputFiles[0]!.text;
}
