import { connect, createServer, type AddressInfo } from 'node:net';

/** Whether something accepts connections on this loopback port right now. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Waits until something listens on `port` (open) or nothing does any more. */
export async function waitForPort(port: number, open: boolean, what = 'server'): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await portOpen(port)) !== open) {
    if (Date.now() > deadline) throw new Error(`${what} port ${port} did not become ${open ? 'open' : 'closed'}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A port nothing listens on right now: the kernel picks it for a moment, then it is released. */
export function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
