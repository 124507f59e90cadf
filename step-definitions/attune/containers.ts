/**
 * The container runner (T3.17): an action that runs in a container of an image built from a busybox
 * rootfs the suite makes itself (no registry), and reports what it can see of its confinement. The
 * engine's own view (images, leftover containers) is read on the worker's host as its operator would.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import { AcceptanceWorld } from '../../world/world';
import { Execution, tarGz } from '../../world/clients/attune';
import { ContainerHost } from '../../world/clients/container-host';
import { describe } from '../../world/wait';
import { unavailable } from '../waldur/strict';
import { finished, refName, trackUndo } from './context';

const CONTAINER_PACK_DIR = path.join(__dirname, '..', '..', 'features', 'attune', 'fixtures', 'e2e_container');
/** A statically linked busybox (Debian's busybox-static): the whole userland of the image. */
const BUSYBOX = '/bin/busybox';

interface ContainerRun {
  execution: Execution;
  imageId: string | null;
}

interface Probe {
  image?: string;
  hostname?: string;
  interfaces?: string;
  cap_eff?: string;
  memory_limit?: string;
  cpu_quota?: string;
  code_mount?: string;
  script?: string;
  params?: Record<string, unknown>;
}

function host(world: AcceptanceWorld): ContainerHost {
  return world.recall<ContainerHost>('attune.container-host');
}

Given("a container engine answers on the worker's host", async function (this: AcceptanceWorld) {
  if (!this.target('attune').embedded) {
    return unavailable(this, "the container engine of a remote deployment's worker host is not reachable from the suite");
  }
  const found = await ContainerHost.find();
  if (typeof found === 'string') return unavailable(this, `no container engine answers on the worker's host: ${found}`);
  this.remember('attune.container-host', found);
  return undefined;
});

/** The image's root filesystem: busybox as /bin/sh (its applets run inside it) and the image's own name. */
function rootfs(image: string): Buffer {
  if (!fs.existsSync(BUSYBOX)) throw new Error(`${BUSYBOX} is missing: install Debian's busybox-static to build the test image`);
  return tarGz([
    { name: 'bin/sh', data: fs.readFileSync(BUSYBOX), mode: 0o755 },
    { name: 'etc/e2e-image', data: Buffer.from(`${image}\n`), mode: 0o644 },
    { name: 'etc/passwd', data: Buffer.from('root:x:0:0:root:/:/bin/sh\n'), mode: 0o644 },
  ]);
}

Given('a pack with a container action on an image built locally from a busybox rootfs', async function (this: AcceptanceWorld) {
  const ref = refName(this, 'ctr');
  const image = `localhost/${ref}-runner:1`; // the fixture's image name under the pack's ref
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-container-pack-'));
  this.registry.track(`temporary pack folder ${dir}`, () => fs.rmSync(dir, { recursive: true, force: true }));
  fs.cpSync(CONTAINER_PACK_DIR, dir, { recursive: true });
  fs.mkdirSync(path.join(dir, 'images'));
  fs.writeFileSync(path.join(dir, 'images', 'rootfs.tar.gz'), rootfs(image));
  const engine = host(this);
  expect(await engine.imageId(image), `image ${image} before the first run`).to.equal(null);
  this.registry.track(`image ${image}`, () => engine.removeImage(image));
  await this.attune.uploadPack(dir, ref);
  trackUndo(this, `pack ${ref}`, () => this.attune.deletePack(ref));
  this.remember('attune.container', { action: `${ref}.probe`, image });
  this.remember<ContainerRun[]>('attune.container-runs', []);
});

When('the container action runs with {string} set to {string}', async function (this: AcceptanceWorld, name: string, value: string) {
  const { action, image } = this.recall<{ action: string; image: string }>('attune.container');
  const reply = await this.attune.execute(action, { [name]: value });
  expect(reply.status, `running ${action} answered ${describe(reply.body)}`).to.equal(201);
  const execution = await finished(this.attune, reply.body.data.id, 120_000);
  this.recall<ContainerRun[]>('attune.container-runs').push({ execution, imageId: await host(this).imageId(image) });
});

function runs(world: AcceptanceWorld): ContainerRun[] {
  const all = world.recall<ContainerRun[]>('attune.container-runs');
  expect(all, 'runs of the container action').to.not.be.empty;
  return all;
}

const probeOf = (e: Execution) => (e.result?.data ?? {}) as Probe;

Then('every run completed inside a container of that image, with its parameters', function (this: AcceptanceWorld) {
  const { image } = this.recall<{ image: string }>('attune.container');
  for (const { execution } of runs(this)) {
    expect(execution.status, `execution ${execution.id} ended with ${describe(execution.result)}`).to.equal('completed');
    const probe = probeOf(execution);
    expect(probe.image, `the image marker seen by execution ${execution.id} (${JSON.stringify(probe)})`).to.equal(image);
    expect(probe.hostname, 'the hostname inside the container (not the host\'s)').to.be.a('string').and.not.equal(os.hostname());
    expect(probe.params, 'the parameters the action read on stdin').to.deep.equal(execution.config ?? {});
  }
});

Then("the action's code was mounted into the container read-only", function (this: AcceptanceWorld) {
  for (const { execution } of runs(this)) {
    const probe = probeOf(execution);
    expect(probe.script, `the script execution ${execution.id} ran`).to.equal('/attune/actions/probe.sh');
    expect(String(probe.code_mount ?? '').split(',')[0], `mount options of /attune/actions (${probe.code_mount})`).to.equal('ro');
  }
});

Then('the container had only loopback networking, no capabilities, {int} MB of memory and half a CPU', function (this: AcceptanceWorld, mb: number) {
  for (const { execution } of runs(this)) {
    const probe = probeOf(execution);
    expect(String(probe.interfaces ?? '').trim().split(/\s+/), `network interfaces inside execution ${execution.id}'s container`).to.deep.equal(['lo']);
    expect(probe.cap_eff, 'effective capabilities (privileged mode would have them all)').to.match(/^0+$/);
    expect(Number(probe.memory_limit), 'the cgroup memory limit').to.equal(mb * 1024 * 1024);
    const [quota, period] = String(probe.cpu_quota ?? '').trim().split(/\s+/).map(Number);
    expect(quota / period, `the cgroup CPU quota (${probe.cpu_quota})`).to.equal(0.5);
  }
});

Then('no container of those runs is left on the host', async function (this: AcceptanceWorld) {
  for (const { execution } of runs(this)) {
    const left = await host(this).containersLabelled('attune.execution', String(execution.id));
    expect(left, `containers labelled attune.execution=${execution.id}`).to.deep.equal([]);
  }
});

Then('the image was imported on the first run and reused by the next', function (this: AcceptanceWorld) {
  const [first, ...rest] = runs(this);
  expect(first.imageId, 'the image after the first run').to.be.a('string');
  expect(rest, 'runs after the first').to.not.be.empty;
  for (const r of rest) expect(r.imageId, `the image after execution ${r.execution.id} (the same image, not imported again)`).to.equal(first.imageId);
});
