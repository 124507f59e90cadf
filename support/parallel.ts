/**
 * Parallel scheduling: a @serial scenario has its system to itself (no other scenario of that system
 * in progress, none starts beside it); scenarios of the other systems, which run in processes and on
 * targets of their own, go on beside it. Everything else runs side by side, isolated by unique names.
 */
import { setParallelCanAssign } from '@cucumber/cucumber';
import { SYSTEMS } from './config';

type Pickle = { tags: readonly { name: string }[] };
const SYSTEM_TAGS = SYSTEMS.map((s) => `@${s}`);
const serial = (p: Pickle) => p.tags.some((t) => t.name === '@serial');
const systemsOf = (p: Pickle) => p.tags.map((t) => t.name).filter((n) => SYSTEM_TAGS.includes(n));
const sharesSystem = (a: Pickle, b: Pickle) => systemsOf(a).some((s) => systemsOf(b).includes(s));

setParallelCanAssign((candidate, inProgress) => {
  if (inProgress.some((p) => serial(p) && sharesSystem(p, candidate))) return false;
  return !serial(candidate) || !inProgress.some((p) => sharesSystem(p, candidate));
});
