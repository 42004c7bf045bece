import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codes, postGraphQL } from '@storegraph/common/testing';
import { sha256 } from '../../src/persisted-operations';
import { startStack, type Stack } from '../support/harness';

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
