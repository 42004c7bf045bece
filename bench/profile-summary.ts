import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a file's code comes from: a package, node itself, or our own workspace. */
function origin(url: string): string {
  if (!url) return '(native/gc/idle)';
  const pkg = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (pkg) return pkg[1];
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0];
  const own = url.match(/(packages\/[^/]+|subgraphs\/[^/]+|gateway)\//);
  return own ? own[1] : url;
}

/**
 * Prints, for each CPU profile the bench wrote (one per process), the self time per
 * origin (package or workspace) and the hottest functions: where the time goes.
 */
export function summarizeProfiles(dir: string): void {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const self = new Map<number, number>();
    profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
    const total = [...self.values()].reduce((a, b) => a + b, 0);
    const byOrigin = new Map<string, number>();
    const byFunction = new Map<string, number>();
    for (const [id, us] of self) {
      const node = byId.get(id)!;
      const name = node.callFrame.functionName || '(anonymous)';
      if (name === '(idle)' || name === '(program)') continue;
      byOrigin.set(origin(node.callFrame.url), (byOrigin.get(origin(node.callFrame.url)) ?? 0) + us);
      const key = `${name} ${origin(node.callFrame.url)}`;
      byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    }
    const idle = [...self].filter(([id]) => byId.get(id)!.callFrame.functionName === '(idle)').reduce((a, [, us]) => a + us, 0);
    console.log(`\n${file}: ${(total / 1e6).toFixed(1)} s sampled, ${((100 * idle) / total).toFixed(0)}% idle`);
    const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n);
    for (const [name, us] of top(byOrigin, 8)) console.log(`  ${((100 * us) / total).toFixed(1).padStart(5)}%  ${name}`);
    console.log('  hottest functions:');
    for (const [name, us] of top(byFunction, 6)) console.log(`  ${((100 * us) / total).toFixed(1).padStart(5)}%  ${name}`);
  }
}
