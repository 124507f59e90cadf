/** The pure helpers behind the Attune steps: cron laid over now, announced statuses, payload tables. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { cronStartingNow, payloadOf, statusesOf } from '../../step-definitions/attune/context';
import { Notification } from '../../world/capture/notifications';

test('lays a list of cron seconds over the current time and keeps steps as written', () => {
  const now = Date.parse('2026-01-01T00:00:57.300Z');
  assert.equal(cronStartingNow('0,3,6,12 * * * * *', now), '0,3,6,12 * * * * *');
  assert.equal(cronStartingNow('0,3,6,12 * * * * *', Date.parse('2026-01-01T00:00:50.500Z')), '5,53,56,59 * * * * *');
  assert.equal(cronStartingNow('0 * * * * *', Date.parse('2026-01-01T00:00:10.000Z')), '12 * * * * *');
  assert.equal(cronStartingNow('*/5 * * * * *', now), '*/5 * * * * *');
  assert.equal(cronStartingNow('0,3,6,12 * * * * *', Date.parse('2026-01-01T00:00:10.000Z')), '12,15,18,24 * * * * *');
});

test('reads the statuses an execution went through from its notifications', () => {
  const n = (payload: Record<string, unknown>) => ({ type: 'notification', payload, receivedAt: 0 }) as Notification;
  const seen = [n({ status: 'requested' }), n({ old_status: 'requested', status: 'scheduled' }), n({ old_status: 'scheduled', status: 'running' }), n({ old_status: 'running', status: 'completed' })];
  assert.deepEqual(statusesOf(seen), ['requested', 'scheduled', 'running', 'completed']);
  assert.deepEqual(statusesOf([n({ old_status: 'running', status: 'failed' })]), ['running', 'failed']);
});

test('turns a payload table into nested JSON with numbers', () => {
  assert.deepEqual(payloadOf({ user_id: '12345', 'metadata.source': 'web', 'metadata.campaign': 'spring2024', email: 'a@b.c' }), {
    user_id: 12345, metadata: { source: 'web', campaign: 'spring2024' }, email: 'a@b.c',
  });
});
