import { randomBytes } from 'node:crypto';
import { EventBus } from '../events/bus';
import { createLogger } from '../logger';
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

/**
 * Deletes a namespace's streams after its apps stopped (their connections are closed by
 * then), over a connection of its own.
 */
export async function dropNamespace(natsUrl: string, namespace: string): Promise<void> {
  const bus = await EventBus.connect({ url: natsUrl, name: 'test-cleanup', namespace, logger: createLogger('test-cleanup', 'error') });
  try {
    await deleteStreams(bus);
  } finally {
    await bus.close();
  }
}
