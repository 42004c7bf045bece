import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codes, postGraphQL, type GraphQLErrorShape } from '@storegraph/common/testing';
import { sha256 } from '../../src/persisted-operations';
import { startStack, type Stack } from '../support/harness';
import { RawSocket } from '../support/ws-client';

const LISTED = 'query Who { whoami { userId } }';

describe('gateway limits', () => {
  describe('depth limit', () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack('development', { MAX_QUERY_DEPTH: '1' });
    });
    afterAll(() => stack?.stop());

    it('refuses an operation deeper than MAX_QUERY_DEPTH before planning it', async () => {
      const response = await postGraphQL(stack.gatewayUrl, '{ whoami { userId } }');
      expect(codes(response)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
      expect(response.errors?.[0].message).toContain('limit is 1');
    });
  });

  describe('operation limits, over HTTP and WebSocket alike', () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack('development', {
        MAX_QUERY_ALIASES: '2',
        MAX_QUERY_ROOT_FIELDS: '3',
        MAX_QUERY_DIRECTIVES: '2',
        MAX_QUERY_TOKENS: '60',
        MAX_QUERY_COST: '25',
        QUERY_COST_DEFAULT_LIST_SIZE: '10',
      });
    });
    afterAll(() => stack?.stop());

    /** The errors of one operation sent over a fresh socket, as a subscription would be. */
    async function overSocket(query: string, variables: Record<string, unknown> = {}): Promise<GraphQLErrorShape[] | undefined> {
      const socket = new RawSocket(stack.gatewayUrl);
      try {
        expect(await socket.init()).toBe('ack');
        const outcome = await socket.request('1', query, variables);
        return outcome.errors ?? outcome.results.flatMap((result) => result.errors ?? []);
      } finally {
        await socket.close();
      }
    }

    /** Refused with `code` and the same message on both paths; the message names the limit. */
    async function expectRefusedOnBoth(query: string, code: string, names: string, variables: Record<string, unknown> = {}) {
      const http = await postGraphQL(stack.gatewayUrl, query, variables);
      expect(http.data ?? null).toBeNull();
      expect(codes(http)).toEqual([code]);
      expect(http.errors?.[0].message).toContain(names);
      const ws = await overSocket(query, variables);
      expect(ws?.map((error) => error.extensions?.code)).toEqual([code]);
      expect(ws?.[0].message).toBe(http.errors?.[0].message);
    }

    async function expectRunsOnBoth(query: string, variables: Record<string, unknown> = {}) {
      const http = await postGraphQL(stack.gatewayUrl, query, variables);
      expect(http.errors).toBeUndefined();
      expect(http.data).toBeTruthy();
      expect(await overSocket(query, variables)).toEqual([]);
    }

    it('parser tokens: GRAPHQL_PARSE_FAILED past MAX_QUERY_TOKENS', async () => {
      await expectRunsOnBoth(`{ whoami { ${'userId '.repeat(20)} } }`);
      await expectRefusedOnBoth(
        `{ whoami { ${'userId '.repeat(60)} } }`,
        'GRAPHQL_PARSE_FAILED',
        'Operation has more than 60 tokens; the limit is 60 (MAX_QUERY_TOKENS)',
      );
    });

    it('aliases: GRAPHQL_VALIDATION_FAILED past MAX_QUERY_ALIASES, counted through fragments', async () => {
      await expectRunsOnBoth('{ a: whoami { userId } b: whoami { userId } }');
      await expectRefusedOnBoth(
        '{ a: whoami { userId } b: whoami { userId } c: whoami { userId } }',
        'GRAPHQL_VALIDATION_FAILED',
        'Operation has 3 aliases; the limit is 2 (MAX_QUERY_ALIASES)',
      );
      // One alias in a fragment spread under two aliases executes as three.
      await expectRefusedOnBoth(
        '{ a: whoami { ...F } b: whoami { ...F } } fragment F on Echo { id: userId }',
        'GRAPHQL_VALIDATION_FAILED',
        'Operation has 4 aliases; the limit is 2',
      );
    });

    it('root fields: GRAPHQL_VALIDATION_FAILED past MAX_QUERY_ROOT_FIELDS', async () => {
      await expectRunsOnBoth('{ a: whoami { userId } b: whoami { userId } whoami { userId } }');
      await expectRefusedOnBoth(
        '{ a: whoami { userId } b: whoami { userId } whoami { userId } fail }',
        'GRAPHQL_VALIDATION_FAILED',
        'Operation has 4 root fields; the limit is 3 (MAX_QUERY_ROOT_FIELDS)',
      );
    });

    it('directives: GRAPHQL_VALIDATION_FAILED past MAX_QUERY_DIRECTIVES', async () => {
      await expectRunsOnBoth('{ whoami @include(if: true) { userId @skip(if: false) } }');
      await expectRefusedOnBoth(
        '{ whoami @include(if: true) { userId @skip(if: false) role @include(if: true) } }',
        'GRAPHQL_VALIDATION_FAILED',
        'Operation has 3 directives; the limit is 2 (MAX_QUERY_DIRECTIVES)',
      );
    });

    it('cost: lists multiply what they hold, sized by `first` from the variables or by default', async () => {
      // internalHeaders has no `first`: 10 (QUERY_COST_DEFAULT_LIST_SIZE). whoami { internalHeaders userId } = 1 + 10 + 1.
      await expectRunsOnBoth('{ a: whoami { internalHeaders userId } b: whoami { internalHeaders } }');
      await expectRefusedOnBoth(
        '{ a: whoami { internalHeaders userId role } b: whoami { internalHeaders userId role } }',
        'GRAPHQL_VALIDATION_FAILED',
        'Operation is estimated to cost 26; the limit is 25 (MAX_QUERY_COST)',
      );
      // echoes(first: $n) { internalHeaders } = n x (1 + 10): n comes from the request's variables.
      const query = 'query($n: Int) { echoes(first: $n) { internalHeaders } }';
      await expectRunsOnBoth(query, { n: 2 });
      await expectRefusedOnBoth(query, 'GRAPHQL_VALIDATION_FAILED', 'estimated to cost 33; the limit is 25', { n: 3 });
      // Without the variable, the argument's schema default (3) counts.
      await expectRefusedOnBoth(query, 'GRAPHQL_VALIDATION_FAILED', 'estimated to cost 33');
    });
  });

  describe('body size', () => {
    let stack: Stack;
    const opened: Socket[] = [];
    beforeAll(async () => {
      stack = await startStack('development', { MAX_BODY_BYTES: '10000' });
    });
    // A connection the server failed to close would keep the gateway from stopping.
    afterEach(() => opened.splice(0).forEach((socket) => socket.destroy()));
    afterAll(() => stack?.stop());

    function open(): Socket {
      const url = new URL(stack.gatewayUrl);
      const socket = tcpConnect({ host: url.hostname, port: Number(url.port) });
      socket.on('error', () => undefined); // writes after the server closed: EPIPE / ECONNRESET
      opened.push(socket);
      return socket;
    }

    /** Everything the server sent until it closed the connection (or the deadline passed). */
    function answer(socket: Socket, timeoutMs = 5000): Promise<string> {
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no close within ${timeoutMs} ms; got: ${text.slice(0, 200)}`)), timeoutMs);
        socket.once('close', () => {
          clearTimeout(timer);
          resolve(text);
        });
      });
    }

    it('serves a body under MAX_BODY_BYTES', async () => {
      const response = await postGraphQL(stack.gatewayUrl, `{ whoami { userId } }${' '.repeat(9000)}`);
      expect(response.errors).toBeUndefined();
    });

    it('refuses a Content-Length over the cap with 413 at once, without waiting for the body', async () => {
      const socket = open();
      const reply = answer(socket);
      socket.write('POST /graphql HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\nContent-Length: 50000000\r\n\r\n');
      const text = await reply;
      expect(text).toMatch(/^HTTP\/1\.1 413/);
      expect(text.toLowerCase()).toContain('connection: close');
      expect(text).toContain('Request body is larger than 10000 bytes');
    });

    it('stops reading a chunked body at the cap, answers 413 and closes the connection', async () => {
      const total = 32 * 1024 * 1024;
      const chunk = Buffer.alloc(16 * 1024, 'a');
      const socket = open();
      const serverRead = new Promise<number>((resolve) => {
        stack.gateway.server.on('connection', (server) => {
          const port = server.remotePort;
          server.once('close', () => {
            if (port === socket.localPort) resolve(server.bytesRead);
          });
        });
      });
      const reply = answer(socket, 15_000);
      let closed = false;
      socket.once('close', () => (closed = true));
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      socket.write('POST /graphql HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n');
      let written = 0;
      while (written < total && !closed) {
        const more = socket.write(`${chunk.length.toString(16)}\r\n${chunk.toString('latin1')}\r\n`, 'latin1');
        written += chunk.length;
        if (!more) await new Promise<void>((resolve) => (socket.once('drain', resolve), socket.once('close', resolve)));
      }
      if (!closed) socket.end('0\r\n\r\n');
      const text = await reply;
      expect(text).toMatch(/^HTTP\/1\.1 413/);
      // The old reader took the whole body in before answering.
      expect(written).toBeLessThan(total);
      expect(await serverRead).toBeLessThan(1024 * 1024);
    });
  });

  describe('persisted operations only', () => {
    let stack: Stack;
    beforeAll(async () => {
      const dir = mkdtempSync(join(tmpdir(), 'storegraph-manifest-'));
      const manifest = join(dir, 'persisted-documents.json');
      writeFileSync(manifest, JSON.stringify({ [sha256(LISTED)]: LISTED }));
      stack = await startStack('production', { PERSISTED_OPERATIONS_ONLY: 'true', PERSISTED_OPERATIONS_PATH: manifest });
    });
    afterAll(() => stack?.stop());

    it('runs an operation from the manifest, sent as text', async () => {
      const response = await postGraphQL<{ whoami: unknown }>(stack.gatewayUrl, LISTED);
      expect(response.errors).toBeUndefined();
      expect(response.data?.whoami).toBeDefined();
    });

    it('runs an operation from the manifest, sent as its hash only', async () => {
      const response = await fetch(stack.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: sha256(LISTED) } } }),
      });
      const body = (await response.json()) as { data?: { whoami: unknown }; errors?: unknown };
      expect(body.errors).toBeUndefined();
      expect(body.data?.whoami).toBeDefined();
    });

    it('refuses any other operation', async () => {
      const response = await postGraphQL(stack.gatewayUrl, '{ whoami { userId role } }');
      expect(codes(response)).toEqual(['PERSISTED_QUERY_NOT_IN_LIST']);
      const unknownHash = await fetch(stack.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: sha256('{ nope }') } } }),
      });
      const body = (await unknownHash.json()) as { errors?: Array<{ extensions?: { code?: string } }> };
      expect(body.errors?.[0].extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    });
  });
});
