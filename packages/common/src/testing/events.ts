import { randomBytes } from 'node:crypto';
import type { EventBus } from '../events/bus';
import { streams } from '../events/contracts';

/** A NATS namespace of its own for one test file: its streams never meet anyone else's. */
export function testNamespace(): string {
  return `t${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

/** Deletes the namespace's streams (and with them its consumers). */
export async function deleteStreams(bus: EventBus): Promise<void> {
  for (const def of Object.values(streams)) {
    await bus.jsm.streams.delete(bus.stream(def.name)).catch(() => undefined);
  }
}
