/** The shape of bench-results/<timestamp>/result.json. */
import type { ClipSpec } from './media/Clip.js';
import type { Options } from './options.js';
import type { CapacityResult } from './scenarios/capacity.js';
import type { FanoutResult } from './scenarios/fanout.js';
import type { FloorResult } from './scenarios/floor.js';
import type { JoinScenarioResult } from './scenarios/join.js';
import type { LinkedResult } from './scenarios/linked.js';
import type { PublisherResult } from './scenarios/publisher.js';
import type { MachineInfo } from './util/proc.js';

export interface BenchResult {
  version: 1;
  startedAt: string;
  finishedAt: string;
  seconds: number;
  machine: MachineInfo;
  /** 1/5/15-minute load averages when the run started and ended (others may share the machine). */
  loadAtStart: number[];
  loadAtEnd: number[];
  git: { commit: string; uncommittedFiles: number };
  options: Options;
  bots: {
    technique: string;
    clip: ClipSpec;
    /** What the clip really carries per layer (the encoder's rate control is not exact). */
    layers: { width: number; height: number; kbps: number; pps: number; keyFrames: number }[];
    audio: { pps: number; kbps: number };
    /** CPU priority of the simulated sites (the servers run at 0). */
    nice: number;
  };
  capacity: CapacityResult[];
  baseline: CapacityResult[];
  floor: FloorResult | null;
  join: JoinScenarioResult[];
  fanout: FanoutResult | null;
  /** Absent in results written before the publisher scenario existed. */
  publisher?: PublisherResult | null;
  /** Linked meetings: delay per level, a floor change two levels down, cost per link. */
  linked?: LinkedResult | null;
  errors: string[];
}
