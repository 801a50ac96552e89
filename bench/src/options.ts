/** Command-line options of `npm run bench`. */

export const SCENARIOS = ['capacity', 'floor', 'join', 'fanout', 'baseline', 'publisher', 'linked'] as const;
/** What runs without --scenario (the publisher and linked scenarios run when asked). */
const DEFAULT_SCENARIOS = ['capacity', 'floor', 'join', 'fanout', 'baseline'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface Options {
  sites: number[];
  duration: number;
  warmup: number;
  quick: boolean;
  scenarios: Scenario[];
  floorSites: number;
  floorChanges: number;
  joinBase: number;
  joinBurst: number;
  pages: number;
  observers: number;
  fanoutChanges: number;
  /** Floor grants to the Chromium publisher (publisher scenario). */
  publisherGrants: number;
  /** Province meetings linked to the national one (linked scenario). */
  provinces: number;
  out: string;
  /** Extra environment for the hub (its own configuration variables). */
  hubEnv: Record<string, string>;
}

export const USAGE = `Usage: npm run bench -- [options]

  --sites 16,32,64        bridge points per capacity run (add 128,200 when asked)
  --duration 20           seconds of each measurement window
  --quick                 about a minute: --sites 8,16 --duration 5, fewer changes, 200 observers
  --scenario LIST         any of capacity,floor,join,fanout,baseline,publisher,linked
                          (default: all but publisher and linked)
  --floor-sites 64        sites during the floor changes (default: 64 if measured, else the largest --sites)
  --floor-changes 20      floor changes to time
  --join-base 16          sites already in the meeting when the join burst comes
  --join-burst 16         sites joining at once
  --pages 3               real Chromium pages joining (0 = none)
  --observers 1000        socket.io clients in the fan-out meeting
  --fanout-changes 10     queue request+withdraw pairs (and 2x as many page turns)
  --publisher-grants 8    floor grants to the Chromium publisher (mic open → hub audio samples)
  --provinces 8           province meetings linked to the national one (linked; at most 33)
  --warmup 3              seconds between a full meeting and its measurement window
  --out bench-results     output folder (results go to <out>/<timestamp>/)
  --hub-env K=V,K2=V2     extra hub configuration, e.g. MEDIA_RTC_PORT=0 (a UDP port per transport)
`;

function positiveInts(v: string, flag: string): number[] {
  const list = v.split(',').map((s) => Number(s.trim()));
  if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new Error(`${flag} takes positive integers separated by commas, got "${v}"`);
  }
  return list;
}

/** Parses argv; throws with a message naming the flag on a bad value. */
export function parseOptions(argv: readonly string[]): Options {
  const quick = argv.includes('--quick');
  const o: Options = {
    sites: quick ? [8, 16] : [16, 32, 64],
    duration: quick ? 5 : 20,
    warmup: quick ? 1 : 3,
    quick,
    scenarios: [...DEFAULT_SCENARIOS],
    floorSites: 0,
    floorChanges: quick ? 10 : 20,
    joinBase: quick ? 4 : 16,
    joinBurst: quick ? 8 : 16,
    pages: 3,
    observers: quick ? 200 : 1000,
    fanoutChanges: quick ? 5 : 10,
    publisherGrants: 8,
    provinces: quick ? 2 : 8,
    out: 'bench-results',
    hubEnv: {},
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string;
    if (flag === '--quick') continue;
    if (flag === '--help' || flag === '-h') throw new Error(USAGE);
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`${flag} needs a value\n\n${USAGE}`);
    i++;
    const int = (): number => positiveInts(value, flag)[0] as number;
    switch (flag) {
      case '--sites':
        o.sites = positiveInts(value, flag);
        break;
      case '--duration':
        o.duration = int();
        break;
      case '--warmup':
        o.warmup = Number(value);
        break;
      case '--scenario':
      case '--scenarios': {
        const list = value.split(',').map((s) => s.trim());
        const bad = list.filter((s) => !(SCENARIOS as readonly string[]).includes(s));
        if (bad.length)
          throw new Error(`unknown scenario ${bad.join(', ')}; choose from ${SCENARIOS.join(', ')}`);
        o.scenarios = list as Scenario[];
        break;
      }
      case '--floor-sites':
        o.floorSites = int();
        break;
      case '--floor-changes':
        o.floorChanges = int();
        break;
      case '--join-base':
        o.joinBase = Number(value);
        break;
      case '--join-burst':
        o.joinBurst = int();
        break;
      case '--pages':
        o.pages = Number(value);
        break;
      case '--observers':
        o.observers = int();
        break;
      case '--fanout-changes':
        o.fanoutChanges = int();
        break;
      case '--publisher-grants':
        o.publisherGrants = int();
        break;
      case '--provinces':
        o.provinces = int();
        break;
      case '--out':
        o.out = value;
        break;
      case '--hub-env':
        for (const pair of value.split(',')) {
          const eq = pair.indexOf('=');
          if (eq <= 0) throw new Error(`--hub-env takes KEY=VALUE pairs separated by commas, got "${pair}"`);
          o.hubEnv[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
        }
        break;
      default:
        throw new Error(`unknown option ${flag}\n\n${USAGE}`);
    }
  }
  // The floor changes run in a capacity meeting: 64 sites when that is measured, else the largest.
  if (o.floorSites === 0) o.floorSites = quick || !o.sites.includes(64) ? Math.max(...o.sites) : 64;
  return o;
}
