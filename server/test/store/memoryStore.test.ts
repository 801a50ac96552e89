import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/store/MemoryStore.js';
import { describeStoreContract, sampleRecord } from './storeContract.js';

describeStoreContract('MemoryStore', async () => new MemoryStore());

describe('MemoryStore', () => {
  it('rejects with UNAVAILABLE once closed', async () => {
    const store = new MemoryStore();
    await store.close();
    await expect(store.meetings.create(sampleRecord('m1'))).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});
