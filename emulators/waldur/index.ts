// Two embedded Waldur instances for the federation features: A (source, Marketplace.Slurm side)
// and B (target). See README.md for endpoints, events and operator switches.
import { startInstance, Instance } from './instance';
import { RabbitManagement } from './rabbitmq';
import type { Store } from './store';

export interface WaldurInstanceInfo { url: string; token: string; adminUrl: string }
export interface WaldurBrokerOptions { wsUrl: string; managementUrl: string; adminUser: string; adminPassword: string }

/** The world both documents assume before their own setup: a staff user with a token, organisations, a category. */
function seed(side: 'A' | 'B') {
  return (store: Store): void => {
    store.addUser({ username: 'staff', email: 'staff@example.org', first_name: 'Staff', last_name: side, is_staff: true });
    store.addCategory('HPC', 'High performance computing');
    const customer = store.addCustomer(`Waldur ${side} organisation`, { abbreviation: `W${side}` });
    store.providers.set(customer.uuid, { uuid: customer.uuid, customer: customer.uuid, description: '', created: customer.created });
    if (side === 'A') store.addProject('Federation project', customer.uuid);
  };
}

export async function startWaldur(opts: { broker: WaldurBrokerOptions | null; targetStomp: boolean }): Promise<{ a: WaldurInstanceInfo; b: WaldurInstanceInfo; stop(): Promise<void> }> {
  const broker = opts.broker ? new RabbitManagement(opts.broker) : null;
  const started: Instance[] = [];
  try {
    started.push(await startInstance({ name: 'A', broker, stompWsUrl: opts.broker?.wsUrl ?? null, seed: seed('A') }));
    started.push(await startInstance({ name: 'B', broker, stompWsUrl: opts.broker && opts.targetStomp ? opts.broker.wsUrl : null, seed: seed('B') }));
  } catch (e) {
    await Promise.all(started.map((i) => i.stop()));
    throw e;
  }
  const [a, b] = started;
  const info = (i: Instance): WaldurInstanceInfo => ({ url: i.url, token: i.token, adminUrl: i.adminUrl });
  return {
    a: info(a),
    b: info(b),
    async stop() {
      await Promise.all(started.map((i) => i.stop()));
    },
  };
}
