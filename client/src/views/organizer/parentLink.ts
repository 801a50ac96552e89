/**
 * What an organizer pastes to link a meeting to its parent (pure, unit-tested): the relay link the
 * parent's organizers issued, as its join URL (`https://hub/join#TOKEN`) or as the bare token with
 * the parent hub's address beside it. The token's own claims name the bridge point it stands for
 * (read for display only; the parent hub checks the token).
 */
export interface RelayLinkInput {
  /** The parent hub's address (origin), or null when it cannot be told. */
  url: string | null;
  token: string;
  /** The bridge point named in the token, when it can be read. */
  siteName: string | null;
}

/** Reads the pasted link or token (and the address field, which a pasted URL overrides when empty). */
export function parseRelayLink(pasted: string, address: string): RelayLinkInput {
  const text = pasted.trim();
  let url = originOf(address.trim());
  let token = text;
  const hash = text.indexOf('#');
  if (/^https?:\/\//i.test(text) && hash > 0) {
    token = decodeURIComponent(text.slice(hash + 1)).trim();
    url ??= originOf(text.slice(0, hash));
  }
  return { url, token, siteName: claimedName(token) };
}

/** The origin of an absolute http(s) URL, or null. */
function originOf(text: string): string | null {
  if (!text) return null;
  try {
    const u = new URL(text);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : null;
  } catch {
    return null;
  }
}

/** The `name` claim of a JWT, decoded without checking it (display only), or null. */
function claimedName(token: string): string | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const b64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(b64.padEnd(Math.ceil(b64.length / 4) * 4, '=')), (c) =>
      c.charCodeAt(0),
    );
    const claims = JSON.parse(new TextDecoder().decode(bytes)) as { name?: unknown; role?: unknown };
    return typeof claims.name === 'string' && claims.name ? claims.name : null;
  } catch {
    return null;
  }
}
