import {
  AgendaItem,
  AuditEntry,
  BookingResult,
  CalendarData,
  CalendarEntry,
  CalendarYear,
  DirectorySite,
  HolidayEntry,
  HttpSchemas,
  JoinLink,
  MeetingDeadlines,
  MeetingInfo,
  MeetingPlan,
  PROTOCOL_VERSION,
  RecordingList,
  RecordingRetention,
  ScheduleSchemas,
  SiteConfirmation,
  SiteState,
  SiteStatisticsResponse,
  SlideDocument,
} from '@giaoban/shared';
import { z } from 'zod';
import { AttachParentBody, ParentLinkAnswer } from '../relay/relayRoutes.js';

/** How a route answers: JSON with a schema, no content, a file, or text. */
type Answer = z.ZodType | 'none' | { file: string } | { text: string };

type Op = {
  summary: string;
  body?: z.ZodType | { raw: string };
  /** `organizer` (default): an organizer session; `none`; `join`: a join link token; `either`. */
  auth?: 'organizer' | 'none' | 'join' | 'either' | 'metrics';
  status?: number;
  response: Answer;
  query?: Record<string, string>;
};

const MeetingSummary = z.object({
  meeting: MeetingInfo,
  sites: z.array(SiteState),
  agenda: z.array(AgendaItem),
});
const IssuedLink = z.object({
  link: JoinLink,
  token: z.string(),
  url: z.string().describe('Absolute URL of the join page, on PUBLIC_URL when set'),
  sip: z
    .object({ uri: z.string(), username: z.string(), password: z.string() })
    .optional()
    .describe('Site links with SIP on: where a room system dials in and its digest credential (docs/SIP.md)'),
});
const LoginResponse = z.object({ token: z.string(), expiresAt: z.number() });
const Holidays = z.object({
  year: z.number(),
  exceptions: z.array(HolidayEntry),
  published: CalendarYear.nullable(),
});
const Ready = z.object({
  ready: z.boolean(),
  checks: z.object({ serving: z.boolean(), store: z.boolean(), media: z.boolean() }),
});

const ops: Record<string, Record<string, Op>> = {
  '/api/health': {
    get: {
      summary: 'Liveness and protocol version',
      auth: 'none',
      response: z.object({ ok: z.boolean(), protocolVersion: z.number() }),
    },
  },
  '/api/ready': {
    get: {
      summary:
        'Readiness: 200 when the store answers and a media worker runs, else 503 naming what is not ready',
      auth: 'none',
      response: Ready,
    },
  },
  '/api/metrics': {
    get: {
      summary:
        'Prometheus metrics (meetings, sites, consumers, packets and loss per meeting, workers, Redis, documents)',
      auth: 'metrics',
      response: { text: 'text/plain; version=0.0.4' },
    },
  },
  '/api/config': {
    get: {
      summary: 'Client configuration',
      auth: 'none',
      response: z.object({ defaultLocale: z.string(), protocolVersion: z.number() }),
    },
  },
  '/api/openapi.json': {
    get: { summary: 'This document', auth: 'none', response: z.record(z.string(), z.unknown()) },
  },
  '/api/auth/login': {
    post: {
      summary:
        'Organizer sign-in; returns a session token. 429 with Retry-After after repeated failures (per account and per address)',
      body: HttpSchemas.login,
      auth: 'none',
      response: LoginResponse,
    },
  },
  '/api/auth/logout': {
    post: {
      summary: 'Organizer sign-out: the session token is refused from now on',
      status: 204,
      response: 'none',
    },
  },
  '/api/directory/sites': {
    get: {
      summary: 'The sites directory (34 provincial-level units + the central host, plus your own)',
      response: z.array(DirectorySite),
    },
    post: {
      summary: 'Add a site to the directory (e.g. a commune)',
      body: HttpSchemas.createSite,
      status: 201,
      response: DirectorySite,
    },
  },
  '/api/meetings': {
    get: { summary: 'List meetings', response: z.array(MeetingSummary) },
    post: {
      summary: 'Create a meeting (409 CONFLICT when it clashes with a booked meeting; see /api/bookings)',
      body: HttpSchemas.createMeeting,
      status: 201,
      response: MeetingSummary,
    },
  },
  '/api/meetings/{id}': {
    get: { summary: 'One meeting with its invited sites and agenda', response: MeetingSummary },
    patch: {
      summary: 'Edit a meeting (moving it onto a clash is refused with 409)',
      body: HttpSchemas.updateMeeting,
      response: MeetingSummary,
    },
  },
  '/api/meetings/{id}/sites': {
    put: {
      summary: 'Set the invited sites (refused with 409 on a clash)',
      body: HttpSchemas.inviteSites,
      response: MeetingSummary,
    },
  },
  '/api/meetings/{id}/agenda': {
    post: { summary: 'Add an agenda item', body: HttpSchemas.agendaItem, status: 201, response: AgendaItem },
  },
  '/api/meetings/{id}/agenda/order': {
    put: { summary: 'Reorder the agenda', body: HttpSchemas.reorderAgenda, status: 204, response: 'none' },
  },
  '/api/meetings/{id}/agenda/{itemId}': {
    patch: { summary: 'Edit an agenda item', body: HttpSchemas.agendaItem, response: AgendaItem },
    delete: { summary: 'Remove an agenda item', status: 204, response: 'none' },
  },
  '/api/meetings/{id}/links': {
    get: { summary: 'List the join links of a meeting', response: z.array(JoinLink) },
    post: {
      summary: 'Issue a join link (per site or person, per role); its URL is absolute',
      body: HttpSchemas.issueLink,
      status: 201,
      response: IssuedLink,
    },
  },
  '/api/meetings/{id}/links/{linkId}/revoke': {
    post: { summary: 'Revoke a join link; its connections are cut at once', response: JoinLink },
  },
  '/api/meetings/{id}/parent': {
    get: {
      summary: 'The parent meeting this one is linked to (linked meetings), and the link’s state',
      response: z.object({ parent: ParentLinkAnswer.nullable() }),
    },
    put: {
      summary:
        'Link this meeting to a parent meeting: the parent hub’s URL and a relay link issued there; the hub joins it at once and relays its program',
      body: AttachParentBody,
      response: ParentLinkAnswer,
    },
    delete: { summary: 'Unlink this meeting from its parent', response: z.object({ parent: z.null() }) },
  },
  '/api/meetings/{id}/parent/pages/{docId}/{file}': {
    get: {
      summary:
        'A page the parent meeting shows (`<n>.png`), for anyone of this (child) meeting: fetched once from the parent over the relay link and served from this hub',
      auth: 'either',
      response: { file: 'image/png' },
    },
  },
  '/api/meetings/{id}/openTechCheck': {
    post: { summary: 'Open the technical check (kiểm tra kỹ thuật)', response: MeetingSummary },
  },
  '/api/meetings/{id}/goLive': {
    post: { summary: 'Start the meeting (from the technical check)', response: MeetingSummary },
  },
  '/api/meetings/{id}/end': {
    post: { summary: 'End the meeting', response: MeetingSummary },
  },
  '/api/meetings/{id}/exports/{file}': {
    get: {
      summary:
        'Download an export: minutes (biên bản) DOCX/PDF, conclusion notice, attendance report (organizer session, or the chair’s or a secretary’s join link)',
      auth: 'either',
      response: { file: 'application/octet-stream' },
    },
  },
  '/api/meetings/{id}/audit': {
    get: {
      summary: 'The meeting’s audit log, oldest first (organizer session, or the chair’s link)',
      auth: 'either',
      response: z.object({ entries: z.array(AuditEntry) }),
    },
  },
  '/api/meetings/{id}/recordings': {
    get: {
      summary:
        'The meeting’s recordings: finished segments (start/end seconds) and chapters (agenda items, floor turns, pages) — organizer session or a secretary’s link',
      auth: 'either',
      response: RecordingList,
    },
  },
  '/api/meetings/{id}/recording-retention': {
    put: {
      summary:
        'Set how long the meeting’s recordings are kept: the hub default (RECORDING_RETENTION_DAYS), until the end of a day (Vietnam time), or until deleted (the organizer; audited)',
      body: RecordingRetention,
      response: RecordingList,
    },
  },
  '/api/meetings/{id}/record.zip': {
    get: {
      summary:
        'The meeting’s whole record as one streamed ZIP: minutes, notice and attendance (DOCX), attendance, chat and audit (CSV), and — for whoever may watch them — every recording’s segments (Matroska) and chapters under recordings/ (organizer session, or the chair’s or a secretary’s join link)',
      auth: 'either',
      response: { file: 'application/zip' },
    },
  },
  '/api/meetings/{id}/recordings/{rid}/{file}': {
    get: {
      summary:
        'One finished segment of a recording (Matroska: VP8 program + Opus); `?token=` for a video element — organizer session or a secretary’s link',
      auth: 'either',
      query: { token: 'the bearer token, for a <video> element that cannot send a header' },
      response: { file: 'video/x-matroska' },
    },
  },
  '/api/meetings/{id}/recordings/{rid}': {
    delete: { summary: 'Delete a recording (the organizer)', status: 204, response: 'none' },
  },
  '/api/meetings/{id}/documents': {
    get: {
      summary: 'The meeting’s report documents and their conversion status',
      auth: 'either',
      response: z.array(SlideDocument),
    },
    post: {
      summary:
        'Upload a report (PDF, PPTX, DOCX, ODP, ODT) as the raw body, ?filename=&agendaItemId=; converted to pages in the background',
      body: { raw: 'application/octet-stream' },
      auth: 'either',
      status: 202,
      response: SlideDocument,
    },
  },
  '/api/meetings/{id}/documents/{docId}': {
    delete: { summary: 'Remove a report document', status: 204, response: 'none' },
  },
  '/api/documents/{docId}/pages/{file}': {
    get: {
      summary: 'A page image (`<n>.png`), for anyone of the meeting',
      auth: 'either',
      response: { file: 'image/png' },
    },
  },
  '/api/documents/{docId}/thumbs/{file}': {
    get: { summary: 'A page thumbnail (`<n>.png`)', auth: 'either', response: { file: 'image/png' } },
  },
  '/api/statistics/sites': {
    get: {
      summary:
        'Statistics across meetings per site: invitations, attendance rate, lateness against going live, speaking turns and time, poor-link episodes and share, with a per-meeting timeline (meetings that took place, scheduled in the days from..to, Vietnam time)',
      query: { from: 'first day, YYYY-MM-DD (required)', to: 'last day, YYYY-MM-DD (required)' },
      response: SiteStatisticsResponse,
    },
  },
  '/api/statistics/sites.csv': {
    get: {
      summary: 'The same per-site totals as CSV for Excel (UTF-8 with BOM, Vietnamese headers)',
      query: { from: 'first day, YYYY-MM-DD (required)', to: 'last day, YYYY-MM-DD (required)' },
      response: { text: 'text/csv; charset=utf-8' },
    },
  },
  '/api/bookings': {
    get: {
      summary:
        'The calendar: meetings overlapping [from, to), per bridge point (siteId) or host site (hostSiteId)',
      query: {
        from: 'instant (ms), default a month ago',
        to: 'instant (ms), default 92 days after from',
        siteId: 'a site taking part',
        hostSiteId: 'the host site',
      },
      response: z.array(CalendarEntry),
    },
    post: {
      summary:
        'Book a meeting or a monthly/quarterly series; 409 CONFLICT naming the site and meeting when a site would be in two meetings at once or the hub over BOOKING_SITE_CAPACITY sites',
      body: ScheduleSchemas.book,
      status: 201,
      response: BookingResult,
    },
  },
  '/api/meetings/{id}/plan': {
    patch: {
      summary: 'Change the planned length (refused with 409 on a clash)',
      body: ScheduleSchemas.updatePlan,
      response: MeetingPlan,
    },
  },
  '/api/deadlines': {
    get: {
      summary:
        'Every meeting’s deadlines: documents, confirmations, tech check, conclusion notice (?overdue=1: overdue notices only)',
      query: { overdue: '1 to list only overdue notices' },
      response: z.array(MeetingDeadlines),
    },
  },
  '/api/meetings/{id}/deadlines': {
    get: { summary: 'One meeting’s deadlines', response: MeetingDeadlines },
  },
  '/api/meetings/{id}/notice': {
    post: {
      summary: 'Record that the conclusion notice was issued (after the meeting ended)',
      body: ScheduleSchemas.issueNotice,
      response: MeetingDeadlines,
    },
  },
  '/api/confirm': {
    post: {
      summary:
        'A bridge point confirms attendance and delegates with its own join link, until the end of the day before',
      body: ScheduleSchemas.confirm,
      auth: 'join',
      response: SiteConfirmation,
    },
  },
  '/api/calendar': {
    get: {
      summary: 'The working-day calendar data in force (published yearly changes with their sources)',
      response: CalendarData,
    },
  },
  '/api/calendar/holidays': {
    get: {
      summary: 'The days of a year that differ from Monday–Friday, and why',
      query: { year: 'e.g. 2026' },
      response: Holidays,
    },
  },
  '/api/calendar/years/{year}': {
    put: {
      summary: 'Replace one year’s published changes (a new government notice)',
      body: ScheduleSchemas.calendarYear,
      response: CalendarYear,
    },
  },
};

const SECURITY: Record<NonNullable<Op['auth']>, unknown[]> = {
  organizer: [{ organizer: [] }],
  none: [],
  join: [{ joinLink: [] }],
  either: [{ organizer: [] }, { joinLink: [] }],
  metrics: [{}, { metricsToken: [] }],
};

function content(answer: Answer): Record<string, unknown> | undefined {
  if (answer === 'none') return undefined;
  if ('file' in answer) return { [answer.file]: { schema: { type: 'string', format: 'binary' } } };
  if ('text' in answer) return { [answer.text]: { schema: { type: 'string' } } };
  return {
    'application/json': {
      schema: z.toJSONSchema(answer as z.ZodType, { io: 'output', unrepresentable: 'any' }),
    },
  };
}

/** Every documented path and method, e.g. `GET /api/meetings/{id}` (for the route-coverage test). */
export function documentedRoutes(): string[] {
  return Object.entries(ops).flatMap(([p, methods]) =>
    Object.keys(methods).map((m) => `${m.toUpperCase()} ${p}`),
  );
}

/** OpenAPI 3.1 description of the HTTP API, generated from the same zod schemas that validate it. */
export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [p, methods] of Object.entries(ops)) {
    paths[p] = {};
    for (const [method, op] of Object.entries(methods)) {
      const params = [
        ...[...p.matchAll(/\{(\w+)\}/g)].map((m) => ({
          name: m[1],
          in: 'path',
          required: true,
          schema: { type: 'string' },
        })),
        ...Object.entries(op.query ?? {}).map(([name, description]) => ({
          name,
          in: 'query',
          required: false,
          description,
          schema: { type: 'string' },
        })),
      ];
      const body = op.body
        ? 'raw' in op.body
          ? { [op.body.raw]: { schema: { type: 'string', format: 'binary' } } }
          : {
              'application/json': {
                schema: z.toJSONSchema(op.body as z.ZodType, { io: 'input', unrepresentable: 'any' }),
              },
            }
        : null;
      const answer = content(op.response);
      (paths[p] as Record<string, unknown>)[method] = {
        summary: op.summary,
        ...(params.length ? { parameters: params } : {}),
        security: SECURITY[op.auth ?? 'organizer'],
        ...(body ? { requestBody: { required: true, content: body } } : {}),
        responses: {
          [String(op.status ?? 200)]: { description: 'Success', ...(answer ? { content: answer } : {}) },
          '4XX': { $ref: '#/components/responses/Error' },
          '5XX': { $ref: '#/components/responses/Error' },
        },
      };
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Giao Ban HTTP API',
      version: `protocol ${PROTOCOL_VERSION}`,
      description:
        'Prepare and book online briefing meetings (sites, agenda, documents, join links, calendar, deadlines), move them through their life, and operate the hub (metrics, readiness). Live meeting control happens over socket.io (see @giaoban/shared events).',
    },
    security: [{ organizer: [] }],
    components: {
      securitySchemes: {
        organizer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'POST /api/auth/login',
        },
        joinLink: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'The token of a join link',
        },
        metricsToken: { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN, when the hub sets one' },
      },
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
                    properties: {
                      code: {
                        type: 'string',
                        enum: [
                          'VALIDATION',
                          'UNAUTHENTICATED',
                          'FORBIDDEN',
                          'NOT_FOUND',
                          'INVALID_STATE',
                          'CONFLICT',
                          'LIMIT',
                          'PROTOCOL_MISMATCH',
                          'UNAVAILABLE',
                          'INTERNAL',
                        ],
                      },
                      message: { type: 'string' },
                    },
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
