/** Packs: the fixture pack every Attune scenario works with. */
import { Given } from '@cucumber/cucumber';
import { AcceptanceWorld } from '../../world/world';
import { registerFixturePack } from './context';

Given('a registered pack with the test actions', async function (this: AcceptanceWorld) {
  this.remember('attune.pack', await registerFixturePack(this, this.attune));
});
