import type { DeviceActions } from '../../components/LocalControls';
import { bridgePoint, devices } from '../../services/actions';

/**
 * What a bridge point's controls do. The room display's own page runs them; the technician's
 * window runs the same controls through a relay to that page (technicianChannel.ts). Each resolves
 * to null when it failed (the page that ran it shows why).
 */
export interface SiteActions extends DeviceActions {
  requestFloor(topic: string): Promise<unknown>;
  withdrawRequest(requestId: string): Promise<unknown>;
  yieldFloor(): Promise<unknown>;
  declareDelegates(delegates: number): Promise<unknown>;
}

/** The actions of the page that holds the meeting connection. */
export const localSiteActions: SiteActions = {
  requestFloor: (topic) => bridgePoint.requestFloor(topic),
  withdrawRequest: (id) => bridgePoint.withdrawRequest(id),
  yieldFloor: () => bridgePoint.yieldFloor(),
  declareDelegates: (n) => bridgePoint.declareDelegates(n),
  selfMute: (muted) => devices.selfMute(muted),
  setCameraEnabled: async (on) => {
    await devices.setCameraEnabled(on);
    return true;
  },
};
