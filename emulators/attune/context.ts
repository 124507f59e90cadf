import type { Tokens } from './auth';
import type { Database } from './db';
import type { Engine } from './engine';
import type { Notifier } from './notifier';
import type { Crypto } from './secrets';
import type { TimerSensor } from './sensor';

/** Everything a route module needs. */
export interface Ctx {
  db: Database;
  tokens: Tokens;
  engine: Engine;
  sensor: TimerSensor;
  notifier: Notifier;
  crypto: Crypto;
  packsRoot: string;
}
