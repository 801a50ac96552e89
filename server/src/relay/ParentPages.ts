import { slidePaths } from '@giaoban/shared';
import { DomainError } from '../domain/index.js';
import { log } from '../log/log.js';

/** One page image as the parent served it. */
export interface PageImage {
  body: Buffer;
  contentType: string;
}

/** Pages kept in memory per link (a page never changes: a deck of 60 slides at ~200 kB is 12 MB). */
const MAX_PAGES = 120;
/** A page the parent does not answer within this time is an error for this request (tried again next time). */
const FETCH_TIMEOUT_MS = 10_000;
/** Refuse anything larger than a page image can be. */
const MAX_PAGE_BYTES = 20 * 1024 * 1024;

/**
 * The parent's page images as a child meeting's hub relays them: fetched from the parent hub once,
 * with the relay link's token, and served from memory to every site of the child meeting. The
 * child's sites never reach the parent hub (they may not even have a route to it), and a page turn
 * costs the parent one request per linked province, not one per commune.
 */
export class ParentPages {
  readonly #cache = new Map<string, Promise<PageImage>>();

  constructor(
    private readonly parentUrl: string,
    private readonly token: string,
  ) {}

  /** A page of a parent document, from memory or fetched once (concurrent requests share one fetch). */
  get(documentId: string, page: number): Promise<PageImage> {
    const key = `${documentId}/${page}`;
    const cached = this.#cache.get(key);
    if (cached) {
      // Most recently used last: a Map keeps insertion order.
      this.#cache.delete(key);
      this.#cache.set(key, cached);
      return cached;
    }
    const pending = this.#fetch(documentId, page);
    this.#cache.set(key, pending);
    pending.catch(() => {
      if (this.#cache.get(key) === pending) this.#cache.delete(key);
    });
    for (const old of this.#cache.keys()) {
      if (this.#cache.size <= MAX_PAGES) break;
      this.#cache.delete(old);
    }
    return pending;
  }

  /** How many pages are held (tests, metrics). */
  get size(): number {
    return this.#cache.size;
  }

  async #fetch(documentId: string, page: number): Promise<PageImage> {
    const url = new URL(slidePaths.page(documentId, page), this.parentUrl);
    let res: Response;
    try {
      res = await fetch(url, {
        headers: { Authorization: `Bearer ${this.token}` },
        signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      });
    } catch (err) {
      log.warn('ParentPages', 'fetch() | parent hub not reached', { documentId, page, error: String(err) });
      throw new DomainError('UNAVAILABLE', 'The parent meeting’s hub cannot be reached');
    }
    if (res.status === 404) throw new DomainError('NOT_FOUND', 'No such page in the parent meeting');
    if (!res.ok) {
      log.warn('ParentPages', 'fetch() | parent hub refused the page', {
        documentId,
        page,
        status: res.status,
      });
      throw new DomainError('UNAVAILABLE', `The parent meeting’s hub answered ${res.status}`);
    }
    const body = Buffer.from(await res.arrayBuffer());
    if (body.length > MAX_PAGE_BYTES) throw new DomainError('UNAVAILABLE', 'The parent’s page is too large');
    return { body, contentType: res.headers.get('content-type') ?? 'image/png' };
  }
}
