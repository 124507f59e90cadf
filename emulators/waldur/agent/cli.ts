// `waldur_site_agent -m order_process|event_process -c <config.yaml>` for the reference agent, so the
// suite's command driver can be exercised without the real Python agent:
//   node -r ts-node/register/transpile-only emulators/waldur/agent/cli.ts -m order_process -c agent.yaml
// order_process runs a cycle at start and then every WALDUR_SITE_AGENT_ORDER_PROCESS_PERIOD_MINUTES
// (default 5, fractions allowed); event_process keeps the STOMP consumers running. SIGTERM/SIGINT stop it.
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { parseAgentConfig } from './config';
import { AgentRun, Mode } from './index';

function arg(flags: string[]): string | undefined {
  const i = process.argv.findIndex((a) => flags.includes(a));
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const mode = (arg(['-m', '--mode']) ?? 'order_process') as Mode;
  const file = arg(['-c', '--config-file']);
  if (!file || (mode !== 'order_process' && mode !== 'event_process')) {
    process.stderr.write('usage: waldur_site_agent -m order_process|event_process -c <config.yaml>\n');
    process.exit(2);
  }
  const run = new AgentRun(randomUUID(), mode, parseAgentConfig(readFileSync(file, 'utf8')));
  await run.start();
  const periodMs = Number(process.env.WALDUR_SITE_AGENT_ORDER_PROCESS_PERIOD_MINUTES ?? 5) * 60_000;
  let timer: NodeJS.Timeout | undefined;
  const loop = async (): Promise<void> => {
    await run.cycle().catch((e) => process.stderr.write(`cycle failed: ${(e as Error).message}\n`));
    timer = setTimeout(loop, periodMs);
  };
  if (mode === 'order_process') await loop();
  // event_process: run_periodic_username_reconciliation every WALDUR_SITE_AGENT_RECONCILIATION_PERIOD_MINUTES (60).
  const reconcileMs = Number(process.env.WALDUR_SITE_AGENT_RECONCILIATION_PERIOD_MINUTES ?? 60) * 60_000;
  const reconcile = mode === 'event_process' ? setInterval(() => void run.reconcileUsernames().catch((e) => process.stderr.write(`reconciliation failed: ${(e as Error).message}\n`)), reconcileMs) : undefined;
  const stop = async () => {
    clearTimeout(timer);
    clearInterval(reconcile);
    await run.stop();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((e) => {
  process.stderr.write(`waldur_site_agent: ${(e as Error).message}\n`);
  process.exit(1);
});
