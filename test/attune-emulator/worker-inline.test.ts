// Inline shell actions (T3.20): parameter and key values reach the code as shell variables, never
// on bash's command line; the code still runs as written (functions, here-docs, its exit code).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { run } from '../../emulators/attune/worker';

const inline = (entrypoint: string, parameters: Record<string, unknown>) =>
  run({ runtime: 'shell', entrypoint, packDir: null, parameters, parameterFormat: 'json', env: {}, timeoutMs: 10_000, signal: new AbortController().signal });

describe('inline shell actions', () => {
  it('see their parameters as variables, which are not on their command line', async () => {
    const secret = `s3cr3t-${process.pid}-${Date.now()}`;
    const out = await inline(`printf '%s|%s\\n' "$api_key" "$PARAM_API_KEY"; tr '\\0' ' ' < /proc/$$/cmdline; echo; exit 0`, { api_key: secret });
    const [vars, cmdline] = out.stdout.split('\n');
    assert.equal(out.exitCode, 0, out.stderr);
    assert.equal(vars, `${secret}|${secret}`);
    assert.match(cmdline, /^\/bin\/bash /);
    assert.equal(cmdline.includes(secret), false, `the command line shows the secret: ${cmdline}`);
  });

  it('run their code as written: functions, here-documents and the exit code', async () => {
    const out = await inline(`greet() { echo "hi $1"; }\ngreet "$name"\ncat <<EOT\ndoc $name\nEOT\nexit 7`, { name: 'ann' });
    assert.deepEqual([out.exitCode, out.stdout], [7, 'hi ann\ndoc ann\n']);
  });
});
