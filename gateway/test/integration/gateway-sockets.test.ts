import { startStack, type Stack } from '../support/harness';
import { signToken } from '../support/tokens';
import { RawSocket } from '../support/ws-client';

const WHO = '{ whoami { userId clientIp } }';

/** Limits of the WebSocket endpoint; the gateway trusts X-Forwarded-For here, so each test poses as its own address. */
describe('gateway WebSocket limits', () => {
  let stack: Stack;
  const sockets: RawSocket[] = [];
  beforeAll(async () => {
    stack = await startStack('development', {
      TRUST_PROXY: 'true',
      WS_MAX_MESSAGE_BYTES: '4096',
      WS_CONNECTION_INIT_TIMEOUT_MS: '300',
      WS_MAX_SOCKETS_PER_ADDRESS: '3',
      WS_MAX_SOCKETS_PER_USER: '2',
    });
  });
  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((socket) => socket.close()));
  });
  afterAll(() => stack?.stop());

  const open = (address: string): RawSocket => {
    const socket = new RawSocket(stack.gatewayUrl, { 'x-forwarded-for': address });
    sockets.push(socket);
    return socket;
  };

  it('closes a socket whose message is larger than WS_MAX_MESSAGE_BYTES (1009), and serves one below it', async () => {
    const small = open('198.51.100.1');
    expect(await small.init({ padding: 'x'.repeat(3000) })).toBe('ack');
    const big = open('198.51.100.1');
    expect(await big.init({ padding: 'x'.repeat(5000) })).toMatchObject({ code: 1009 });
  });

  it('closes a socket that sends no connection_init within WS_CONNECTION_INIT_TIMEOUT_MS (4408)', async () => {
    const silent = open('198.51.100.2');
    await silent.opened();
    const started = Date.now();
    const closed = await silent.closed;
    expect(closed).toEqual({ code: 4408, reason: 'Connection initialisation timeout' });
    // graphql-ws's own default is 3 s; the setting is what counts.
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('refuses the socket past WS_MAX_SOCKETS_PER_ADDRESS with 4429; the first ones keep working', async () => {
    const first = [open('198.51.100.3'), open('198.51.100.3'), open('198.51.100.3')];
    for (const socket of first) expect(await socket.init()).toBe('ack');
    const extra = open('198.51.100.3');
    expect(await extra.closed).toEqual({
      code: 4429,
      reason: 'Too many sockets from this address (WS_MAX_SOCKETS_PER_ADDRESS=3)',
    });
    // Counted from the upgrade: a socket that has not even sent connection_init yet is refused.
    for (const [index, socket] of first.entries()) {
      const outcome = await socket.request(String(index), WHO);
      expect(outcome.results).toEqual([{ data: { whoami: { userId: null, clientIp: '198.51.100.3' } } }]);
    }
    expect(await open('198.51.100.4').init()).toBe('ack');
    // A closed socket leaves the count: the address may open another.
    await first[0].close();
    const again = open('198.51.100.3');
    expect(await again.init()).toBe('ack');
  });

  it('refuses the socket past WS_MAX_SOCKETS_PER_USER with 4429, from any address; the first ones keep working', async () => {
    const { token } = await signToken('user-many-tabs');
    const auth = { authorization: `Bearer ${token}` };
    const first = [open('198.51.100.5'), open('198.51.100.6')];
    for (const socket of first) expect(await socket.init(auth)).toBe('ack');
    const extra = open('198.51.100.7');
    expect(await extra.init(auth)).toEqual({ code: 4429, reason: 'Too many sockets for this user (WS_MAX_SOCKETS_PER_USER=2)' });
    for (const [index, socket] of first.entries()) {
      const outcome = await socket.request(String(index), WHO);
      expect(outcome.results).toEqual([{ data: { whoami: { userId: 'user-many-tabs', clientIp: expect.any(String) } } }]);
    }
    // Another user, and anonymous sockets, are not counted against this user.
    expect(await open('198.51.100.7').init({ authorization: `Bearer ${(await signToken('someone-else')).token}` })).toBe('ack');
    expect(await open('198.51.100.7').init()).toBe('ack');
    await first[1].close();
    expect(await open('198.51.100.8').init(auth)).toBe('ack');
  });
});
