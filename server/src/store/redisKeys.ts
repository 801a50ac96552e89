/**
 * Every Redis key the hub uses, in one place (docs/REDIS.md lists them). Ids are URI-encoded, so
 * no id can contain the `:` separator and two different (meeting, document) pairs never share a key.
 */
export interface RedisKeys {
  /** The configured prefix, `gb:` by default. */
  readonly prefix: string;
  /** HASH { version, record }: one meeting, saved whole with a compare-and-set on `version`. */
  meeting(meetingId: string): string;
  /** LIST of meeting ids in creation order. */
  meetingIndex(): string;
  /** LIST of the meeting's join-link ids in the order issued. */
  meetingLinks(meetingId: string): string;
  /** LIST of binary updates of one document of a meeting (live minutes, …), in append order. */
  doc(meetingId: string, docName: string): string;
  /** STRING counter: how many times the document's log was compacted (guards racing compactions). */
  docEpoch(meetingId: string, docName: string): string;
  /** LIST of JSON entries of one append-only journal of a meeting (chat, audit), in append order. */
  journal(meetingId: string, name: string): string;
  /** STRING: one join link as JSON. */
  link(linkId: string): string;
  /** HASH siteId → site JSON: the organizer's directory. */
  directory(): string;
  /** LIST of site ids in the order first put. */
  directoryOrder(): string;
  /** STRING instance id, with a TTL: which hub instance holds the meeting's media. */
  mediaOwner(meetingId: string): string;
  /** STRING JSON { url, startedAt }, with a TTL refreshed while the instance lives. */
  instance(instanceId: string): string;
  /** SET of instance ids that have ever started and not been swept. */
  instanceIndex(): string;
  /** HASH participantId → meetingId: the connections an instance holds. */
  presence(instanceId: string): string;
  /** STRING with a TTL: the one instance that runs a given floor expiry or sweep. */
  lock(name: string): string;
  /** Pub/sub channel every instance listens to. */
  busAll(): string;
  /** Pub/sub channel of one instance. */
  busOf(instanceId: string): string;
  /** Redis stream of the socket.io adapter (broadcasts to clients on every instance). */
  socketStream(): string;
  /** Prefix of the socket.io adapter's pub/sub channels. */
  socketChannelPrefix(): string;
  /** Prefix of socket.io connection-state-recovery sessions. */
  socketSessionPrefix(): string;
}

const enc = (id: string): string => encodeURIComponent(id);

/** The key layout under `prefix` (validated: letters, digits and `_-.:{}` only). */
export function redisKeys(prefix = 'gb:'): RedisKeys {
  if (!/^[A-Za-z0-9_\-.:{}]*$/.test(prefix)) {
    throw new Error(`redisKeys() | REDIS_PREFIX may only hold letters, digits and _-.:{} [prefix:${prefix}]`);
  }
  const p = prefix;
  return {
    prefix: p,
    meeting: (id) => `${p}meeting:${enc(id)}`,
    meetingIndex: () => `${p}meetings`,
    meetingLinks: (id) => `${p}meeting:${enc(id)}:links`,
    doc: (id, name) => `${p}meeting:${enc(id)}:doc:${enc(name)}`,
    docEpoch: (id, name) => `${p}meeting:${enc(id)}:doc:${enc(name)}:epoch`,
    journal: (id, name) => `${p}meeting:${enc(id)}:journal:${enc(name)}`,
    link: (id) => `${p}link:${enc(id)}`,
    directory: () => `${p}directory`,
    directoryOrder: () => `${p}directory:order`,
    mediaOwner: (id) => `${p}media-owner:${enc(id)}`,
    instance: (id) => `${p}instance:${enc(id)}`,
    instanceIndex: () => `${p}instances`,
    presence: (id) => `${p}presence:${enc(id)}`,
    lock: (name) => `${p}lock:${name}`,
    busAll: () => `${p}bus:all`,
    busOf: (id) => `${p}bus:${enc(id)}`,
    socketStream: () => `${p}socket.io`,
    socketChannelPrefix: () => `${p}socket.io`,
    socketSessionPrefix: () => `${p}socket.io:session:`,
  };
}
