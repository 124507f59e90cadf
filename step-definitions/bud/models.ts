/** Bud models: providers, listing and search, lookup, edit (multipart form) and delete. */
import { DataTable, Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import { AcceptanceWorld } from '../../world/world';
import { Body, BudResponse, ModelEdit, PageQuery } from '../../world/clients/bud';
import { BUD_FIELDS } from '../../support/params-bud';
import { accessToken, answer, budUser, expectOutcome, rememberAnswer, show, UNKNOWN_ID } from './helpers';
import { admin, currentModel, listedModels, MODEL_COUNT, MODEL_STEM, modelName, onboardedModel } from './model-support';

const ACCEPTED = { status: 200, text: 'accepted' };
const TAG_COLOR = '#FF5733';

Given('the bud admin is logged in', async function (this: AcceptanceWorld) {
  await admin(this);
});

// --- providers -------------------------------------------------------------------------------

/** The access token of the acting admin or user. */
const tokenOf = async (w: AcceptanceWorld, actor: 'admin' | 'user'): Promise<string> => (actor === 'admin' ? admin(w) : accessToken(budUser(w)));

async function listProviders(w: AcceptanceWorld, params: PageQuery = {}, actor: 'admin' | 'user' = 'admin'): Promise<BudResponse> {
  return rememberAnswer(w, 'provider listing', await w.bud.providers(await tokenOf(w, actor), params));
}

const providersOf = (res: BudResponse): Body[] => (res.body.providers as Body[] | undefined) ?? [];

When('the bud {budActor} lists the model providers', async function (this: AcceptanceWorld, actor: 'admin' | 'user') {
  await listProviders(this, {}, actor);
});

When('the bud admin lists the model providers offering a capability only some providers have', async function (this: AcceptanceWorld) {
  const all = providersOf(await listProviders(this, { limit: 100 }));
  const capabilities = [...new Set(all.flatMap((p) => (p.capabilities as string[] | undefined) ?? []))];
  const offering = (c: string) => all.filter((p) => ((p.capabilities as string[] | undefined) ?? []).includes(c));
  // A capability every provider has would let an ignored filter pass unnoticed.
  const capability = capabilities.find((c) => offering(c).length < all.length);
  if (!capability) throw new Error(`cannot check the capability filter: every provider offers every capability ${show(all)}`);
  this.remember('bud:capability', { capability, ids: offering(capability).map((p) => p.id).sort() });
  await listProviders(this, { capabilities: capability, limit: 100 });
});

Then('every listed provider has an id, a name and a type', function (this: AcceptanceWorld) {
  const providers = providersOf(answer(this, 'provider listing'));
  expect(providers, 'expected at least one provider').to.not.be.empty;
  for (const p of providers) {
    expect([typeof p.id, typeof p.name, typeof p.type], `provider without id, name or type: ${show(p)}`).to.deep.equal(['string', 'string', 'string']);
  }
});

Then('exactly the providers offering that capability are listed', function (this: AcceptanceWorld) {
  const { capability, ids } = this.recall<{ capability: string; ids: string[] }>('bud:capability');
  const listed = providersOf(answer(this, 'provider listing'));
  expect(listed.map((p) => p.id).sort(), `providers listed for "${capability}": ${show(listed)}`).to.deep.equal(ids);
});

// --- listing ---------------------------------------------------------------------------------

When('the bud {budActor} lists the models', async function (this: AcceptanceWorld, actor: 'admin' | 'user') {
  rememberAnswer(this, 'model listing', await this.bud.listModels(await tokenOf(this, actor)));
});

When("the bud admin searches the model list for the onboarded model's name", async function (this: AcceptanceWorld) {
  rememberAnswer(this, 'model listing', await this.bud.listModels(await admin(this), { name: onboardedModel(this).name, search: true }));
});

Then('every listed model is wrapped with its endpoint count', function (this: AcceptanceWorld) {
  const items = (answer(this, 'model listing').body.models as Body[] | undefined) ?? [];
  expect(items, 'expected a "models" list with at least one model').to.not.be.empty;
  for (const item of items) {
    expect(item.model, `list item without "model": ${show(item)}`).to.be.an('object');
    expect(item.endpoints_count, `list item without endpoints_count: ${show(item)}`).to.be.a('number');
  }
});

Then('the onboarded model {budIs} in the model list', function (this: AcceptanceWorld, present: boolean) {
  const ids = listedModels(answer(this, 'model listing')).map((m) => m.id);
  const { id, name } = onboardedModel(this);
  expect(ids.includes(id), `model ${name} (${id}) ${present ? 'missing from' : 'still in'} the list ${show(ids)}`).to.equal(present);
});

When('the bud admin reads the first {int} pages of the model list, {int} model(s) per page', async function (this: AcceptanceWorld, pages: number, limit: number) {
  // Only this scenario's models (name search on its own stem): other workers' models would shift the pages.
  const name = this.recall<string>(MODEL_STEM);
  const answers: BudResponse[] = [];
  for (let page = 1; page <= pages; page += 1) answers.push(await this.bud.listModels(await admin(this), { page, limit, name, search: true }));
  this.remember('bud:pages', answers);
});

Then('both pages are accepted and share no model', function (this: AcceptanceWorld) {
  const [a, b] = this.recall<BudResponse[]>('bud:pages');
  expectOutcome('model listing', a, ACCEPTED);
  expectOutcome('model listing', b, ACCEPTED);
  const first = listedModels(a).map((m) => m.id);
  const second = listedModels(b).map((m) => m.id);
  expect([first.length, second.length], `expected one model on each page, got ${show(first)} and ${show(second)}`).to.deep.equal([1, 1]);
  expect(second, `pages overlap: ${show(first)} and ${show(second)}`).to.not.include(first[0]);
});

Then('each page reports page, limit, total record and total pages', function (this: AcceptanceWorld) {
  this.recall<BudResponse[]>('bud:pages').forEach((res, i) => {
    const { page, limit, total_record, total_pages } = res.body;
    expect({ page, limit }, `page ${i + 1}: ${show(res.body)}`).to.deep.equal({ page: i + 1, limit: 1 });
    const created = this.recall<number>(MODEL_COUNT);
    expect(total_record, `page ${i + 1}: expected total_record ${created} (the scenario's models), got ${show(total_record)}`).to.equal(created);
    expect(total_pages, `page ${i + 1}: expected total_pages = total_record with 1 per page, got ${show(res.body)}`).to.equal(total_record);
  });
});

When('the bud admin lists the model {budMetadata}', async function (this: AcceptanceWorld, list: 'tags' | 'tasks' | 'authors' | 'catalog') {
  rememberAnswer(this, 'metadata listing', await this.bud.modelMetadata(await admin(this), list));
});

// --- lookup and delete -----------------------------------------------------------------------

async function lookUp(w: AcceptanceWorld, id: string): Promise<void> {
  rememberAnswer(w, 'model lookup', await w.bud.getModel(await admin(w), id));
}

async function remove(w: AcceptanceWorld, id: string, token?: string): Promise<BudResponse> {
  return rememberAnswer(w, 'model deletion', await w.bud.deleteModel(token ?? await admin(w), id));
}

When('the bud admin looks up the model', async function (this: AcceptanceWorld) {
  await lookUp(this, onboardedModel(this).id);
});

When('the bud admin looks up a model that does not exist', async function (this: AcceptanceWorld) {
  await lookUp(this, UNKNOWN_ID);
});

When('the bud admin deletes the model', async function (this: AcceptanceWorld) {
  await remove(this, onboardedModel(this).id);
});

Given('the bud admin has deleted the model', async function (this: AcceptanceWorld) {
  expectOutcome('model deletion', await remove(this, onboardedModel(this).id), ACCEPTED);
});

When('the bud admin deletes a model that does not exist', async function (this: AcceptanceWorld) {
  await remove(this, UNKNOWN_ID);
});

When('the bud admin deletes the model with id {string}', async function (this: AcceptanceWorld, id: string) {
  await remove(this, id);
});

When('the bud user deletes the model with id {string}', async function (this: AcceptanceWorld, id: string) {
  await remove(this, id, accessToken(budUser(this)));
});

When('the bud user deletes the onboarded model', async function (this: AcceptanceWorld) {
  await remove(this, onboardedModel(this).id, accessToken(budUser(this)));
});

Then('the model reads back with its id, name, provider type {string} and source', function (this: AcceptanceWorld, providerType: string) {
  const model = answer(this, 'model lookup').body.model as Body;
  const { id, name } = onboardedModel(this);
  const got = { id: model?.id, name: model?.name, provider_type: model?.provider_type, source: typeof model?.source };
  expect(got, `model lookup: ${show(model)}`).to.deep.equal({ id, name, provider_type: providerType, source: 'string' });
});

// --- edit ------------------------------------------------------------------------------------

/** A form value as budapp takes it: tags are `[{name, color}]`, everything else text. */
const formValue = (field: string, value: string): ModelEdit[string] => (field === 'tags' ? [{ name: value, color: TAG_COLOR }] : value);

/** A field as it reads back: tag names joined, everything else as is. */
const readBack = (model: Body, field: string): unknown =>
  field === 'tags' ? ((model.tags as Body[] | undefined) ?? []).map((t) => t.name).join(', ') : model[field];

async function edit(w: AcceptanceWorld, changes: ModelEdit, id = onboardedModel(w).id): Promise<BudResponse> {
  return rememberAnswer(w, 'model update', await w.bud.editModel(await admin(w), id, changes));
}

/** The names this scenario gave the model, newest last. */
function newName(w: AcceptanceWorld, name = modelName(w)): string {
  const names = w.recalled('bud:new-names') ? w.recall<string[]>('bud:new-names') : w.remember<string[]>('bud:new-names', []);
  names.push(name);
  return name;
}

const tableEdits = (table: DataTable): ModelEdit =>
  Object.fromEntries(Object.entries(table.rowsHash()).map(([k, v]) => [BUD_FIELDS[k] ?? k, formValue(BUD_FIELDS[k] ?? k, v)]));

When('the bud admin renames the model', async function (this: AcceptanceWorld) {
  await edit(this, { name: newName(this) });
});

When('the bud admin renames the model and sets:', async function (this: AcceptanceWorld, table: DataTable) {
  await edit(this, { ...tableEdits(table), name: newName(this) });
});

When('the bud admin renames the model with a Unicode name and sets:', async function (this: AcceptanceWorld, table: DataTable) {
  await edit(this, { ...tableEdits(table), name: newName(this, `Modèle ${modelName(this)} 模型`) });
});

When('the bud admin renames the model {int} times concurrently', async function (this: AcceptanceWorld, times: number) {
  const token = await admin(this);
  const { id } = onboardedModel(this);
  const names = Array.from({ length: times }, () => newName(this));
  this.remember('bud:renames', await Promise.all(names.map((name) => this.bud.editModel(token, id, { name }))));
});

Then('every one of the renames is accepted', function (this: AcceptanceWorld) {
  for (const res of this.recall<BudResponse[]>('bud:renames')) expectOutcome('model update', res, ACCEPTED);
});

When("the bud admin sets the model's {budField} to {string}", async function (this: AcceptanceWorld, field: string, value: string) {
  await edit(this, { [field]: formValue(field, value) });
});

When("the bud admin sets the model's {budField} to {int} characters", async function (this: AcceptanceWorld, field: string, n: number) {
  await edit(this, { [field]: 'a'.repeat(n) });
});

When('the bud admin sets the description of a model that does not exist', async function (this: AcceptanceWorld) {
  await edit(this, { description: 'No such model' }, UNKNOWN_ID);
});

Then('the model reads back under its new name', async function (this: AcceptanceWorld) {
  const names = this.recall<string[]>('bud:new-names');
  const model = await currentModel(this);
  expect(model.name, `model: expected the new name ${names[names.length - 1]}, got ${show(model.name)}`).to.equal(names[names.length - 1]);
});

Then('the model reads back under one of the new names', async function (this: AcceptanceWorld) {
  const names = this.recall<string[]>('bud:new-names');
  const model = await currentModel(this);
  expect(names, `model: expected one of the new names, got ${show(model.name)}`).to.include(model.name);
});

Then("the model's {budField} reads back as {string}", async function (this: AcceptanceWorld, field: string, value: string) {
  const model = await currentModel(this);
  expect(readBack(model, field), `model: expected ${field} "${value}", got ${show(model)}`).to.equal(value);
});

Then('the model still reads back as onboarded', async function (this: AcceptanceWorld) {
  const { original } = onboardedModel(this);
  const model = await currentModel(this);
  const pick = (m: Body) => ({ name: m.name, description: m.description, github_url: m.github_url, tags: m.tags });
  expect(pick(model), 'model changed by a refused edit').to.deep.equal(pick(original));
});

Then("the model's name and tags read back as onboarded", async function (this: AcceptanceWorld) {
  const { original } = onboardedModel(this);
  const model = await currentModel(this);
  expect({ name: model.name, tags: model.tags }, 'fields that were not sent changed').to.deep.equal({ name: original.name, tags: original.tags });
});
