/** Wire client for attune (placeholder; its owner replaces this). */
import { HttpLog } from './http';
import { AttuneTarget } from '../targets';

export class AttuneClient {
  constructor(readonly target: AttuneTarget, readonly log: HttpLog) {}
}
