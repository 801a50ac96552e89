import { useSyncExternalStore } from 'react';

/** Organizer pages live in the fragment (`/#/meetings/…`) so any static server can serve them. */
export type Route =
  | { page: 'meetings' }
  | { page: 'new' }
  | { page: 'meeting'; id: string }
  | { page: 'calendar' }
  | { page: 'statistics' };

/** Parses a location hash into a route (pure). */
export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '');
  if (path === '/meetings/new') return { page: 'new' };
  if (path === '/calendar') return { page: 'calendar' };
  if (path === '/statistics') return { page: 'statistics' };
  const match = /^\/meetings\/([^/]+)$/.exec(path);
  if (match?.[1]) return { page: 'meeting', id: decodeURIComponent(match[1]) };
  return { page: 'meetings' };
}

const subscribe = (listener: () => void) => {
  window.addEventListener('hashchange', listener);
  return () => window.removeEventListener('hashchange', listener);
};

/** The current organizer route; re-renders on navigation. */
export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  return parseRoute(hash);
}

/** Link target of a route. */
export function href(route: Route): string {
  switch (route.page) {
    case 'meetings':
      return '#/';
    case 'new':
      return '#/meetings/new';
    case 'meeting':
      return `#/meetings/${encodeURIComponent(route.id)}`;
    case 'calendar':
      return '#/calendar';
    case 'statistics':
      return '#/statistics';
    default: {
      const never: never = route;
      return never;
    }
  }
}

/** Navigates to a route. */
export function navigate(route: Route): void {
  window.location.hash = href(route);
}
