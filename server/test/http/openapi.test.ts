import type { Router } from 'express';
import { describe, expect, it } from 'vitest';
import { createHttpApp, type ExportApi, type OrganizerApi } from '../../src/http/app.js';
import { type DocumentApi, documentRoutes } from '../../src/http/documents.js';
import { documentedRoutes, openApiDocument } from '../../src/http/openapi.js';
import { operationRoutes } from '../../src/http/operations.js';
import { recordBundleRoutes } from '../../src/http/recordBundle.js';
import { recordingRoutes } from '../../src/http/recordings.js';
import { scheduleRoutes } from '../../src/http/schedule.js';
import { statisticsRoutes } from '../../src/http/statistics.js';
import { relayRoutes } from '../../src/relay/relayRoutes.js';

/** Any object whose every method throws: the routes are only listed here, never called. */
const stub = <T>(): T =>
  new Proxy(
    {},
    {
      get: () => () => {
        throw new Error('not called');
      },
    },
  ) as T;

interface Layer {
  route?: { path: unknown; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every `METHOD /api/path` the express app serves, with `:param` written `{param}`. */
function servedRoutes(stack: Layer[]): string[] {
  const out: string[] = [];
  for (const layer of stack) {
    if (layer.route && typeof layer.route.path === 'string' && layer.route.path.startsWith('/api/')) {
      const p = layer.route.path.replace(/:(\w+)/g, '{$1}');
      for (const [m, on] of Object.entries(layer.route.methods))
        if (on && m !== '_all') out.push(`${m.toUpperCase()} ${p}`);
    } else if (layer.handle?.stack) {
      out.push(...servedRoutes(layer.handle.stack));
    }
  }
  return out;
}

describe('OpenAPI document', () => {
  const app = createHttpApp(
    stub<OrganizerApi>(),
    '/nonexistent-client-dir',
    stub<ExportApi>(),
    stub<DocumentApi>(),
    undefined,
    [
      scheduleRoutes(stub(), () => 'org'),
      statisticsRoutes(stub(), () => 'org'),
      relayRoutes(stub(), () => 'org'),
      recordingRoutes(stub(), stub(), stub(), stub()),
      recordBundleRoutes(stub(), stub(), stub()),
      operationRoutes(stub(), { store: async () => true, media: () => true, serving: () => true }, null),
    ] as Router[],
  );
  const served = servedRoutes((app as unknown as { router: { stack: Layer[] } }).router.stack);

  it('lists every route the hub serves (documents, exports, booking, metrics included)', () => {
    expect(served.length).toBeGreaterThan(40);
    const missing = served.filter((r) => !documentedRoutes().includes(r));
    expect(missing).toEqual([]);
    expect(documentRoutes(stub())).toBeDefined();
  });

  it('documents only routes that exist', () => {
    expect(documentedRoutes().filter((r) => !served.includes(r))).toEqual([]);
  });

  it('gives every answer with a body a response schema', () => {
    const doc = openApiDocument() as {
      paths: Record<
        string,
        Record<string, { responses: Record<string, { content?: Record<string, { schema?: unknown }> }> }>
      >;
    };
    for (const [p, methods] of Object.entries(doc.paths)) {
      for (const [m, op] of Object.entries(methods)) {
        const [status, ok] = Object.entries(op.responses)[0] ?? [];
        if (status === '204') {
          expect(ok?.content, `${m} ${p}`).toBeUndefined();
          continue;
        }
        const media = Object.values(ok?.content ?? {});
        expect(media.length, `${m} ${p}`).toBe(1);
        expect(media[0]?.schema, `${m} ${p}`).toBeTruthy();
      }
    }
    const booking = doc.paths['/api/bookings']?.post?.responses['201']?.content?.['application/json']
      ?.schema as {
      properties: Record<string, unknown>;
    };
    expect(Object.keys(booking.properties).sort()).toEqual(['entries', 'meetingIds', 'seriesId']);
  });
});
