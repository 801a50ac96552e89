/**
 * CPU and memory of processes and of the machine, read from /proc (Linux). CPU times are in
 * milliseconds of CPU (user + system); 1000 ms of CPU per second of wall time is one full core.
 */
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ; 100 on every mainstream Linux). */
const TICKS_PER_SECOND = 100;

/** User + system CPU of a process so far, in ms; null when it is gone. */
export function processCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may itself contain spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return ((utime + stime) * 1000) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** CPU so far (ms), name and parent of every live process. */
export function allProcesses(): Map<number, { name: string; ppid: number; cpuMs: number }> {
  const out = new Map<number, { name: string; ppid: number; cpuMs: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(entry), {
        name,
        ppid: Number(fields[1]),
        cpuMs: ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND,
      });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Whether `pid` descends from `ancestor` (or is it). */
export function descendsFrom(procs: ReturnType<typeof allProcesses>, pid: number, ancestor: number): boolean {
  for (let p: number | undefined = pid; p !== undefined && p > 1; p = procs.get(p)?.ppid) {
    if (p === ancestor) return true;
  }
  return false;
}

/** Peak resident memory (VmHWM) of a process in MB; null when it is gone. */
export function peakRssMb(pid: number): number | null {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** Machine-wide CPU counters (ms summed over all cores). */
export interface SystemCpu {
  busyMs: number;
  /** Of which interrupt and soft-interrupt time (on a loopback benchmark: mostly its own packets). */
  irqMs: number;
  totalMs: number;
}

/** Reads the first line of /proc/stat. */
export function systemCpu(): SystemCpu {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = v;
  const busy = user + nice + system + irq + softirq + steal;
  const total = busy + idle + iowait;
  return {
    busyMs: (busy * 1000) / TICKS_PER_SECOND,
    irqMs: ((irq + softirq) * 1000) / TICKS_PER_SECOND,
    totalMs: (total * 1000) / TICKS_PER_SECOND,
  };
}

/** UDP counters of this network namespace (/proc/net/snmp). */
export interface UdpCounters {
  inDatagrams: number;
  /** Datagrams dropped because a socket's receive buffer was full. */
  rcvbufErrors: number;
  sndbufErrors: number;
}

/** Reads the Udp lines of /proc/net/snmp (zeros when unreadable). */
export function udpCounters(): UdpCounters {
  try {
    const lines = readFileSync('/proc/net/snmp', 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('Udp:'));
    const names = (lines[0] ?? '').split(/\s+/).slice(1);
    const values = (lines[1] ?? '').split(/\s+/).slice(1).map(Number);
    const get = (n: string) => values[names.indexOf(n)] ?? 0;
    return {
      inDatagrams: get('InDatagrams'),
      rcvbufErrors: get('RcvbufErrors'),
      sndbufErrors: get('SndbufErrors'),
    };
  } catch {
    return { inDatagrams: 0, rcvbufErrors: 0, sndbufErrors: 0 };
  }
}

/** The machine the figures come from. */
export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGb: number;
  kernel: string;
  node: string;
  loadAverage: number[];
}

/** Describes this machine (CPU model from /proc/cpuinfo). */
export function machineInfo(): MachineInfo {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m?.[1]) cpuModel = m[1].trim();
  } catch {
    // keep os.cpus()'s answer
  }
  return {
    cpuModel,
    cores: os.availableParallelism?.() ?? os.cpus().length,
    memoryGb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    kernel: os.release(),
    node: process.version,
    loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}
