/**
 * Before any worker starts: every remote target named in the config must answer. In strict mode
 * (ci, nightly, E2E_STRICT) a silent target stops the run with one line; otherwise it is a warning
 * and its scenarios fail with "cannot reach". Synchronous, because cucumber.js must export a plain
 * object: the probes run in one short child process.
 */
import { spawnSync } from 'node:child_process';
import { ConfigError, SuiteConfig } from './config';

export function remoteUrls(cfg: SuiteConfig): string[] {
  const urls: (string | undefined)[] = [];
  if (cfg.attune?.target === 'remote') urls.push(cfg.attune.api_url, cfg.attune.notifier_url);
  if (cfg.waldur?.target === 'remote') urls.push(cfg.waldur.a?.url, cfg.waldur.b?.url);
  if (cfg.waldur?.broker.kind === 'rabbitmq') urls.push(cfg.waldur.broker.management_url);
  if (cfg.bud?.target === 'remote') urls.push(cfg.bud.url);
  return urls.filter((u): u is string => Boolean(u));
}

const PROBE = `
const urls = JSON.parse(process.argv[1]);
Promise.all(urls.map((u) => fetch(u.replace(/^ws/, 'http'), { signal: AbortSignal.timeout(5000) })
  .then(() => null, (e) => {
    const c = e.cause || {};
    const why = c.code || (c.errors && c.errors[0] && c.errors[0].code) || c.message || e.name;
    return u + ' does not answer (' + why + ')';
  })))
  .then((r) => process.stdout.write(JSON.stringify(r.filter(Boolean))));
`;

/** URLs (of those given) that do not answer, each with the reason. */
export function unreachable(urls: string[]): string[] {
  if (!urls.length) return [];
  const out = spawnSync(process.execPath, ['-e', PROBE, JSON.stringify(urls)], { encoding: 'utf8', timeout: 15_000 });
  try {
    return JSON.parse(out.stdout) as string[];
  } catch {
    return [`could not probe ${urls.join(', ')}`];
  }
}

export function preflight(cfg: SuiteConfig): void {
  const problems = unreachable(remoteUrls(cfg));
  if (!problems.length) return;
  const line = `${problems.join('; ')} (config ${cfg.source}); start the system or fix its URL`;
  if (cfg.strict) throw new ConfigError(line);
  process.stderr.write(`e2e warning: ${line}\n`);
}
