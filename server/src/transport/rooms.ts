/**
 * socket.io rooms of the hub: every socket of a meeting, its moderators, the holders of the
 * workspace document, the watchers of the conclusions, and the sockets of one join link.
 */
export const rooms = {
  meeting: (id: string) => `m:${id}`,
  moderators: (id: string) => `m:${id}:mod`,
  /** Holders of the workspace document (joined at `doc:sync`). */
  doc: (id: string) => `m:${id}:doc`,
  /** Watchers of the conclusions (joined at `doc:conclusions`). */
  conclusions: (id: string) => `m:${id}:conclusions`,
  link: (id: string) => `link:${id}`,
  /** One site's devices, for its private chat thread with the operators (joined at `chat:history`). */
  chatThread: (id: string, siteId: string) => `m:${id}:chat:${siteId}`,
  /** The operators, who read every private thread (joined at `chat:history`). */
  chatOperators: (id: string) => `m:${id}:chat-operators`,
};
