import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type PeerName = 'hive-gateway' | 'hive-router-runtime';

const PEER_PACKAGES = ['@graphql-hive/gateway@2.15', '@graphql-hive/router-runtime@1.4'];

/**
 * Installs Hive Gateway and its Rust planner into `dir`, a folder of its own outside the
 * workspace (never the project's dependencies), once: later runs reuse it.
 */
export async function installPeers(dir: string): Promise<void> {
  if (existsSync(join(dir, 'node_modules/@graphql-hive/gateway')) && existsSync(join(dir, 'node_modules/@graphql-hive/router-runtime'))) return;
  mkdirSync(dir, { recursive: true });
  // The delegate override is what makes it install here (SPEC 7).
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'storegraph-bench-peers', private: true, overrides: { '@graphql-tools/delegate': '12.2.1' } }));
  console.log(`installing ${PEER_PACKAGES.join(' ')} into ${dir} ...`);
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...PEER_PACKAGES], { cwd: dir, stdio: 'inherit' });
}

/**
 * The same identity work as our gateway: the client's bearer token verified (signature,
 * revocation in Redis) by the gateway's own code, and a signed identity for each subgraph
 * call, handed to Hive's propagateHeaders.
 */
function writeConfig(dir: string, root: string): string {
  const path = join(dir, 'gateway.config.cjs');
  writeFileSync(
    path,
    `const { readConfig } = require(${JSON.stringify(join(root, 'gateway/dist/config.js'))});
const { createIdentityResolver } = require(${JSON.stringify(join(root, 'gateway/dist/context.js'))});
const { IdentityAssertions } = require(${JSON.stringify(join(root, 'gateway/dist/identity-assertions.js'))});
const { AccessTokenVerifier, createRedis, IDENTITY_HEADER } = require(${JSON.stringify(join(root, 'packages/common/dist/index.js'))});
const config = readConfig();
const redis = createRedis(config.redisUrl, config.redisPrefix);
const verifier = AccessTokenVerifier.fromPem(config.jwtPublicKeyPem);
const assertions = new IdentityAssertions(config.gatewaySecret, config.identityAssertionTtlSeconds);
const contexts = new WeakMap();
async function contextOf(request) {
  let context = contexts.get(request);
  if (!context) {
    const resolve = createIdentityResolver({ verifier: await verifier, redis, assertions, trustProxy: false });
    context = resolve(request.headers.get('authorization') ?? undefined, null);
    contexts.set(request, context);
  }
  return context;
}
module.exports.gatewayConfig = {
  logging: 'warn',
  propagateHeaders: {
    fromClientToSubgraphs: async ({ request }) => ({ [IDENTITY_HEADER]: (await contextOf(request)).identityHeader() }),
  },
};
`,
  );
  return path;
}

export function startPeer(
  peer: PeerName,
  dir: string,
  options: { root: string; env: NodeJS.ProcessEnv; port: number; supergraph: string; subgraphUrls: Record<string, string> },
): ChildProcess {
  const config = writeConfig(dir, options.root);
  // The same supergraph, routed to the bench's subgraph ports.
  let sdl = readFileSync(options.supergraph, 'utf8');
  for (const [name, url] of Object.entries(options.subgraphUrls)) {
    sdl = sdl.replace(new RegExp(`(@join__graph\\(name: "${name}", url: ")[^"]*"`), `$1${url}"`);
  }
  const supergraph = join(dir, 'supergraph.graphql');
  writeFileSync(supergraph, sdl);
  const args = [join(dir, 'node_modules/@graphql-hive/gateway/dist/bin.js'), 'supergraph', supergraph, '--port', String(options.port), '--fork', '1'];
  if (peer === 'hive-router-runtime') args.push('--hive-router-runtime');
  // Hive finds gateway.config.cjs in its working directory.
  void config;
  // Hive logs every failed request: its output goes to a file beside it, not into the figures.
  const log = openSync(join(dir, `${peer}.log`), 'w');
  return spawn(process.execPath, args, { cwd: dir, env: options.env, stdio: ['ignore', log, log] });
}
