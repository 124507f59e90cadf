/**
 * Parallel scheduling: a @serial scenario runs alone (nothing else in progress, nothing starts
 * beside it); everything else runs side by side, isolated by unique names.
 */
import { setParallelCanAssign } from '@cucumber/cucumber';

const serial = (p: { tags: readonly { name: string }[] }) => p.tags.some((t) => t.name === '@serial');

setParallelCanAssign((candidate, inProgress) => {
  if (inProgress.some(serial)) return false;
  return !serial(candidate) || inProgress.length === 0;
});
