// Bounded action output (emulators/attune/output.ts, after upstream's log_writer.rs): the worker
// keeps at most the configured limit per stream while the action writes far more.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { BoundedOutput, outputLimits } from '../../emulators/attune/output';

describe('bounded output', () => {
  it('writes what it keeps to the log file as it arrives, and the notice once it cuts', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bounded-log-'));
    try {
      const file = path.join(dir, 'execution_1', 'stdout.log');
      const out = new BoundedOutput('stdout', { maxBytes: 138 }, file);
      out.write(Buffer.from('12345'));
      assert.equal(fs.readFileSync(file, 'utf8'), '12345', 'written before the run ends');
      out.write(Buffer.from('678901'));
      out.write(Buffer.from('dropped'));
      out.close();
      assert.equal(fs.readFileSync(file, 'utf8'), out.text());
      assert.equal(out.text(), '1234567890\n\n[OUTPUT TRUNCATED: stdout exceeded size limit]\n');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('holds at most the limit while 50 MB stream through, and counts every dropped byte', () => {
    const out = new BoundedOutput('stdout', { maxBytes: 1024 * 1024, message: '... (output truncated after 1MB)' });
    const chunk = Buffer.alloc(64 * 1024, 'a');
    for (let i = 0; i < 800; i++) out.write(chunk); // 50 MiB
    const text = out.text();
    assert.ok(Buffer.byteLength(text) <= 1024 * 1024, `kept ${Buffer.byteLength(text)} bytes`);
    assert.ok(text.endsWith('\n... (output truncated after 1MB)\n'));
    assert.equal(out.truncated, true);
    assert.equal(out.total, 800 * 64 * 1024);
    assert.equal(out.bytesTruncated + (Buffer.byteLength(text) - '\n... (output truncated after 1MB)\n'.length), out.total);
    // Nothing past the limit is retained: the buffers hold the kept bytes only.
    const held = (out as unknown as { chunks: Buffer[] }).chunks.reduce((n, c) => n + c.length, 0);
    assert.ok(held <= 1024 * 1024, `held ${held} bytes`);
  });

  it('keeps output under the limit whole, and uses upstream\'s notice when none is configured', () => {
    const small = new BoundedOutput('stdout', { maxBytes: 1000 });
    small.write(Buffer.from('hello\n'));
    assert.equal(small.text(), 'hello\n');
    assert.equal(small.truncated, false);
    const cut = new BoundedOutput('stderr', { maxBytes: 138 });
    cut.write(Buffer.from('12345678901'));
    assert.equal(cut.text(), '1234567890\n\n[OUTPUT TRUNCATED: stderr exceeded size limit]\n');
    assert.equal(cut.bytesTruncated, 1);
  });

  it('reads the limit and message from the worker config, defaulting to upstream\'s 10 MiB', () => {
    assert.deepEqual(outputLimits({}), { maxBytes: 10 * 1024 * 1024, message: undefined });
    assert.deepEqual(outputLimits({ ATTUNE__WORKER__MAX_OUTPUT_SIZE_BYTES: '1048576', ATTUNE__WORKER__OUTPUT_TRUNCATION_MESSAGE: 'cut' }), { maxBytes: 1048576, message: 'cut' });
  });
});
