/** Wire client for waldur (placeholder; its owner replaces this). */
import { HttpLog } from './http';
import { WaldurTarget } from '../targets';

export class WaldurClient {
  constructor(readonly target: WaldurTarget, readonly log: HttpLog) {}
}
