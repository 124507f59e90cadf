// The container runner's reading of an action's `container:` section (emulators/attune/container.ts):
// whatever a pack writes there reaches the engine's command line only as a value, never as an option.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { containerSettings } from '../../emulators/attune/container';
import { venvPath } from '../../emulators/attune/deps';

function packWith(container: Record<string, unknown> | undefined): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-test-'));
  fs.mkdirSync(path.join(dir, 'actions'));
  fs.writeFileSync(path.join(dir, 'actions', 'probe.yaml'), JSON.stringify({ ref: 'p.probe', runner_type: 'container', container }));
  return dir;
}

describe('container settings', () => {
  it('accepts an image reference with limits', () => {
    const dir = packWith({ image: 'localhost/p-runner:1', memory: '64m', cpus: 0.5 });
    assert.deepEqual(containerSettings(dir, 'p.probe'), { image: 'localhost/p-runner:1', memory: '64m', cpus: 0.5 });
    fs.rmSync(dir, { recursive: true });
  });

  for (const [what, container, message] of [
    ['no image', {}, 'no container.image'],
    ['an image that is an option', { image: '--privileged' }, "invalid container.image '--privileged'"],
    ['a memory value with more in it', { image: 'x', memory: '64m --privileged' }, 'invalid container.memory'],
    ['a CPU count that is no number', { image: 'x', cpus: 'all' }, 'invalid container.cpus'],
  ] as const) {
    it(`refuses ${what}`, () => {
      const dir = packWith(container as Record<string, unknown>);
      const got = containerSettings(dir, 'p.probe');
      assert.equal(typeof got, 'string');
      assert.match(got as string, new RegExp(message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
      fs.rmSync(dir, { recursive: true });
    });
  }

  it('says so when the action has no definition in its pack', () => {
    const dir = packWith({ image: 'x' });
    assert.equal(containerSettings(dir, 'p.other'), "Action 'p.other' has no definition in its pack");
    fs.rmSync(dir, { recursive: true });
  });
});

describe('per-pack venv path', () => {
  it("is venvs/<pack> under the runtime envs dir, '.', '/' and '\\\\' made '_' as upstream", () => {
    assert.match(venvPath('my.pack/x'), /\/venvs\/my_pack_x$/);
  });
});
