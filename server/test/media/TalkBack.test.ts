/**
 * Talk-back as a consumption-policy input (issue 14): the operator's microphone — a microphone from
 * no room — reaches the one site it talks with; the site's answer reaches the operators only
 * (the domain's micHeardBy, fed from the record by MediaRegistry's mediaPolicyOf).
 */
import type { SiteId } from '@giaoban/shared';
import { describe, expect, it } from 'vitest';
import { mediaPolicyOf } from '../../src/app/MediaRegistry.js';
import {
  consumerTarget,
  mayPublish,
  PolicyPass,
  type ProducerView,
  type ViewerView,
  wantedOnDemand,
} from '../../src/media/ConsumptionPolicy.js';
import { A, DN, HN, liveMeeting } from '../domain/harness.js';

const viewer = (role: ViewerView['role'], siteId: SiteId | null): ViewerView => ({
  role,
  siteId,
  visibleTiles: new Set(),
});
const OPERATOR_MIC: ProducerView = { siteId: null, source: 'mic' };
const micOf = (siteId: SiteId): ProducerView => ({ siteId, source: 'mic' });

describe('talk-back in the consumption policy', () => {
  it('an operator may publish a microphone (for talk-back), not a camera', () => {
    expect(mayPublish('operator', 'mic')).toBe(true);
    expect(mayPublish('operator', 'camera')).toBe(false);
    expect(mayPublish('observer', 'mic')).toBe(false);
  });

  it("the operator's microphone flows to the talk-back site's devices only, and to nobody without talk-back", () => {
    const { m } = liveMeeting();
    const idle = new PolicyPass(mediaPolicyOf(m.record));
    expect(consumerTarget(viewer('site', DN), OPERATOR_MIC, idle).paused).toBe(true);
    expect(wantedOnDemand(viewer('site', DN), OPERATOR_MIC, idle)).toBe(false);
    m.ok(A.operator, { type: 'talkback:set', siteId: DN });
    const pass = new PolicyPass(mediaPolicyOf(m.record));
    expect(consumerTarget(viewer('site', DN), OPERATOR_MIC, pass).paused).toBe(false);
    expect(wantedOnDemand(viewer('site', DN), OPERATOR_MIC, pass)).toBe(true);
    for (const other of [
      viewer('site', HN),
      viewer('chair', 'trung-uong' as SiteId),
      viewer('observer', null),
    ]) {
      expect(consumerTarget(other, OPERATOR_MIC, pass).paused).toBe(true);
      expect(wantedOnDemand(other, OPERATOR_MIC, pass)).toBe(false);
    }
  });

  it("the talk-back site's microphone is open and flows to the operator, paused for every other viewer", () => {
    const { m } = liveMeeting();
    m.ok(A.operator, { type: 'talkback:set', siteId: DN });
    const pass = new PolicyPass(mediaPolicyOf(m.record));
    expect(pass.micOpen(DN)).toBe(true);
    expect(consumerTarget(viewer('operator', null), micOf(DN), pass).paused).toBe(false);
    expect(consumerTarget(viewer('chair', 'trung-uong' as SiteId), micOf(DN), pass).paused).toBe(true);
    expect(consumerTarget(viewer('site', HN), micOf(DN), pass).paused).toBe(true);
    expect(consumerTarget(viewer('observer', null), micOf(DN), pass).paused).toBe(true);
  });
});
