const STORAGE_KEY = 'giaoban.joinToken';

/**
 * The join-link token of this tab. A fresh link (`/join#TOKEN`) wins and is kept in
 * sessionStorage so a reload rejoins; the fragment is then stripped from the address bar so
 * the token is not left on screen or in screenshots.
 */
export function takeJoinToken(): string | null {
  const fromHash = decodeURIComponent(window.location.hash.replace(/^#/, '')).trim();
  if (fromHash.length >= 10) {
    try {
      sessionStorage.setItem(STORAGE_KEY, fromHash);
    } catch {
      // without storage a reload will need the link again
    }
    window.history.replaceState(null, '', window.location.pathname + window.location.search);
    return fromHash;
  }
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

/** Forgets the token (the link was refused, or the user leaves). */
export function forgetJoinToken(): void {
  try {
    sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // nothing stored
  }
}
