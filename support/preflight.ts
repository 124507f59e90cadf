/**
 * Before any worker starts: every remote target named in the config must answer. In strict mode
 * (ci, nightly, E2E_STRICT) a silent target stops the run with one line; otherwise it is a warning
 * and its scenarios fail with "cannot reach".
 */
import { ConfigError, SuiteConfig } from './config';

async function answers(url: string): Promise<string | undefined> {
  const httpUrl = url.replace(/^ws/, 'http');
  try {
    await fetch(httpUrl, { method: 'GET', signal: AbortSignal.timeout(5000) });
    return undefined;
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).name;
    return `${url} does not answer (${cause})`;
  }
}

export function remoteUrls(cfg: SuiteConfig): string[] {
  const urls: (string | undefined)[] = [];
  if (cfg.attune?.target === 'remote') urls.push(cfg.attune.api_url, cfg.attune.notifier_url);
  if (cfg.waldur?.target === 'remote') urls.push(cfg.waldur.a?.url, cfg.waldur.b?.url);
  if (cfg.waldur?.broker.kind === 'rabbitmq') urls.push(cfg.waldur.broker.management_url);
  if (cfg.bud?.target === 'remote') urls.push(cfg.bud.url);
  return urls.filter((u): u is string => Boolean(u));
}

export async function preflight(cfg: SuiteConfig): Promise<void> {
  const problems = (await Promise.all(remoteUrls(cfg).map(answers))).filter((p): p is string => Boolean(p));
  if (!problems.length) return;
  const line = `${problems.join('; ')} (config ${cfg.source}); start the system or fix its URL`;
  if (cfg.strict) throw new ConfigError(line);
  process.stderr.write(`e2e warning: ${line}\n`);
}
