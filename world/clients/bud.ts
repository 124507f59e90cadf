/** Wire client for bud (placeholder; its owner replaces this). */
import { HttpLog } from './http';
import { BudTarget } from '../targets';

export class BudClient {
  constructor(readonly target: BudTarget, readonly log: HttpLog) {}
}
