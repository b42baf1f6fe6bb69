// The dashboard's files, served by the gateway itself so it works offline: the page, its script
// and styles from the package's `dashboard/` folder, and the charting library (uPlot) from its
// npm package, resolved in node_modules (a dependency, never a CDN, never a hand-copied file).
// Read once at start-up; a request for them never touches the disk. The page is public (a
// sign-in form); every number it shows comes from admin endpoints that want the admin key.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EndpointSpec } from '../gateway/endpoint.js';
import { GatewayError } from '../spec/errors.js';
import { plainEndpoint, type PlainBody } from './plain-endpoint.js';

/** The package root: compiled code runs from dist/src/telemetry/, sources sit in src/telemetry/. */
function packageRootDashboard(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const up = here.includes(`${sep}dist${sep}src${sep}`) ? '../../..' : '../..';
  return join(resolve(here, up), 'dashboard') + sep;
}

const TYPES = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' } as const;

interface Asset {
  path: string;
  type: keyof typeof TYPES;
  file: () => string;
}

export function dashboardEndpoints(): Array<[string, EndpointSpec]> {
  const dir = packageRootDashboard();
  const require = createRequire(import.meta.url);
  const assets: Asset[] = [
    { path: '/dashboard', type: 'html', file: () => `${dir}index.html` },
    { path: '/dashboard/app.js', type: 'js', file: () => `${dir}app.js` },
    { path: '/dashboard/panels.js', type: 'js', file: () => `${dir}panels.js` },
    { path: '/dashboard/app.css', type: 'css', file: () => `${dir}app.css` },
    { path: '/dashboard/uplot.js', type: 'js', file: () => require.resolve('uplot/dist/uPlot.iife.min.js') },
    { path: '/dashboard/uplot.css', type: 'css', file: () => require.resolve('uplot/dist/uPlot.min.css') },
  ];
  return assets.map((a) => {
    let body: PlainBody | Error;
    try {
      body = { contentType: TYPES[a.type], body: readFileSync(a.file()), cacheControl: 'no-cache' };
    } catch (e) {
      body = e as Error;
    }
    const spec = plainEndpoint('admin', 'none', (_d, call) => {
      if (!call.ex.snapshot.telemetry.dashboard.enabled) throw new GatewayError('not_found', 'the dashboard is off: telemetry.dashboard.enabled is false');
      if (body instanceof Error) throw new GatewayError('internal_error', `dashboard asset ${a.path} is missing from the package`, { cause: body });
      return body;
    });
    return [`GET ${a.path}`, spec];
  });
}
