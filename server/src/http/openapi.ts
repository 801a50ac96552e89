import { HttpSchemas, PROTOCOL_VERSION } from '@giaoban/shared';
import { z } from 'zod';

type Op = {
  summary: string;
  body?: z.ZodType;
  auth?: boolean;
  status?: number;
};

const ops: Record<string, Record<string, Op>> = {
  '/api/health': { get: { summary: 'Liveness and protocol version', auth: false } },
  '/api/auth/login': {
    post: {
      summary:
        'Organizer sign-in; returns a session token. 429 with Retry-After after repeated failures (per account and per address)',
      body: HttpSchemas.login,
      auth: false,
    },
  },
  '/api/auth/logout': {
    post: { summary: 'Organizer sign-out: the session token is refused from now on', status: 204 },
  },
  '/api/directory/sites': {
    get: { summary: 'The sites directory (34 provincial-level units + the central host, plus your own)' },
    post: {
      summary: 'Add a site to the directory (e.g. a commune)',
      body: HttpSchemas.createSite,
      status: 201,
    },
  },
  '/api/meetings': {
    get: { summary: 'List meetings' },
    post: { summary: 'Create a meeting', body: HttpSchemas.createMeeting, status: 201 },
  },
  '/api/meetings/{id}': {
    get: { summary: 'One meeting with its invited sites and agenda' },
    patch: { summary: 'Edit a meeting', body: HttpSchemas.updateMeeting },
  },
  '/api/meetings/{id}/sites': { put: { summary: 'Set the invited sites', body: HttpSchemas.inviteSites } },
  '/api/meetings/{id}/agenda': {
    post: { summary: 'Add an agenda item', body: HttpSchemas.agendaItem, status: 201 },
  },
  '/api/meetings/{id}/agenda/order': {
    put: { summary: 'Reorder the agenda', body: HttpSchemas.reorderAgenda },
  },
  '/api/meetings/{id}/agenda/{itemId}': {
    patch: { summary: 'Edit an agenda item', body: HttpSchemas.agendaItem },
    delete: { summary: 'Remove an agenda item', status: 204 },
  },
  '/api/meetings/{id}/links': {
    get: { summary: 'List the join links of a meeting' },
    post: {
      summary: 'Issue a join link (per site or person, per role)',
      body: HttpSchemas.issueLink,
      status: 201,
    },
  },
  '/api/meetings/{id}/links/{linkId}/revoke': {
    post: { summary: 'Revoke a join link; its connections are cut at once' },
  },
};

/** OpenAPI 3.1 description of the organizer HTTP API, generated from the same zod schemas that validate it. */
export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [p, methods] of Object.entries(ops)) {
    paths[p] = {};
    for (const [method, op] of Object.entries(methods)) {
      const params = [...p.matchAll(/\{(\w+)\}/g)].map((m) => ({
        name: m[1],
        in: 'path',
        required: true,
        schema: { type: 'string' },
      }));
      (paths[p] as Record<string, unknown>)[method] = {
        summary: op.summary,
        ...(params.length ? { parameters: params } : {}),
        ...(op.auth === false ? { security: [] } : {}),
        ...(op.body
          ? {
              requestBody: {
                required: true,
                content: { 'application/json': { schema: z.toJSONSchema(op.body, { io: 'input' }) } },
              },
            }
          : {}),
        responses: {
          [String(op.status ?? 200)]: { description: 'Success (JSON)' },
          '4XX': { $ref: '#/components/responses/Error' },
        },
      };
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Giao Ban organizer API',
      version: `protocol ${PROTOCOL_VERSION}`,
      description:
        'Prepare online briefing meetings: sites, agenda, join links. Live meeting control happens over socket.io (see @giaoban/shared events).',
    },
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      responses: {
        Error: {
          description: 'An error with a code from the closed set',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: {
                  error: {
                    type: 'object',
                    properties: { code: { type: 'string' }, message: { type: 'string' } },
                    required: ['code', 'message'],
                  },
                },
              },
            },
          },
        },
      },
    },
    paths,
  };
}
