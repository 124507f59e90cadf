import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ComponentMapper, twoDecimals } from '../../emulators/waldur/agent/mapping';
import { ConfigProblem, parseAgentConfig } from '../../emulators/waldur/agent/config';
import { stompUrl } from '../../emulators/waldur/agent/events';

const mapper = new ComponentMapper({
  cpu: {},
  node_hours: { target_components: { cpu_k_hours: { factor: 128 } } },
  a: { target_components: { shared: { factor: 2 } } },
  b: { target_components: { shared: { factor: 3 } } },
  gpu: { target_components: { gpu_hours: { factor: 5 }, storage_gb_hours: { factor: 10 } } },
});

test('forward: passthrough keeps the name, conversion multiplies', () => {
  assert.deepEqual(mapper.forward({ cpu: 7, node_hours: 10 }), { cpu: 7, cpu_k_hours: 1280 });
});

test('forward: several sources onto one target are summed, then truncated', () => {
  assert.deepEqual(mapper.forward({ a: 10, b: 10 }), { shared: 50 });
  assert.deepEqual(new ComponentMapper({ x: { target_components: { y: { factor: 0.5 } } } }).forward({ x: 3 }), { y: 1 });
});

test('forward: unknown source components pass through unchanged', () => {
  assert.deepEqual(mapper.forward({ mem: 4 }), { mem: 4 });
});

test('reverse: target / factor summed per source, unknown targets ignored', () => {
  assert.deepEqual(mapper.reverse({ cpu_k_hours: 1280, unknown: 3 }), { node_hours: 10 });
  assert.deepEqual(mapper.reverse({ gpu_hours: 500, storage_gb_hours: 800 }), { gpu: 180 });
  assert.equal(twoDecimals(mapper.reverse({ cpu_k_hours: 100 }).node_hours), '0.78');
});

const TEMPLATE = `
offerings:
  - name: Federation E2E
    waldur_api_url: https://a.example/api
    waldur_api_token: ta
    waldur_offering_uuid: "11111111111111111111111111111111"
    backend_type: WALDUR
    order_processing_backend: waldur
    stomp_enabled: true
    backend_settings:
      target_api_url: https://b.example
      target_api_token: tb
      target_offering_uuid: "22222222222222222222222222222222"
      target_customer_uuid: "33333333333333333333333333333333"
      target_stomp_enabled: true
    backend_components:
      node_hours:
        measured_unit: Node-hours
        accounting_type: limit
        label: Node Hours
        target_components:
          cpu_k_hours: {factor: 128.0}
`;

test('config: the plan template is read like waldur_site_agent reads it', () => {
  const [o] = parseAgentConfig(TEMPLATE).offerings;
  assert.equal(o.waldur_api_url, 'https://a.example/api/');
  assert.equal(o.backend_type, 'waldur');
  assert.equal(o.backend_settings.target_api_url, 'https://b.example/');
  assert.equal(o.backend_settings.target_stomp_offering_uuid, '22222222222222222222222222222222');
  assert.equal(o.websocket_use_tls, true);
  assert.equal(stompUrl(o), 'wss://a.example:443/rmqws-stomp');
  assert.equal(stompUrl({ ...o, websocket_use_tls: false, stomp_ws_port: 8080 }), 'ws://a.example:8080/rmqws-stomp');
});

test('config: missing keys and bad factors are named', () => {
  assert.throws(() => parseAgentConfig(TEMPLATE.replace('      target_api_token: tb\n', '')), (e: Error) => e instanceof ConfigProblem && /target_api_token/.test(e.message));
  assert.throws(() => parseAgentConfig(TEMPLATE.replace('128.0', '0')), /factor must be a number > 0/);
  assert.throws(() => parseAgentConfig('offerings: []'), /at least one offering/);
  assert.throws(() => parseAgentConfig(TEMPLATE.replace('WALDUR', 'slurm')), /not supported/);
});
