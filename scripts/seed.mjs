// Demo data through the public API (so it passes the same validation as users' data): the demo user,
// credentials pointing at the mock external APIs (each connector's sample credential), and sample
// workflows that work offline. Safe to run repeatedly.
import { connectors } from '../backend/dist/connectors/registry.js';
import { rebaseOnMock } from '../backend/dist/connectors/sdk.js';

export const DEMO_EMAIL = 'demo@tributary.local';
export const DEMO_PASSWORD = 'password123';

async function call(api, method, path, token, body) {
  const res = await fetch(`${api}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** Sample workflows, given the ids of the demo credentials by connector key. */
function demoWorkflows(creds) {
  return [
    {
      name: 'Order confirmation to Slack',
      description: "GoFlow's classic: a webhook with an order, a templated Slack message. Try: curl -XPOST <webhookUrl> -H 'content-type: application/json' -d '{\"user\":{\"name\":\"Alex\"},\"order\":{\"id\":\"12345\"}}'",
      trigger: { type: 'webhook', responseMode: 'async' },
      steps: [{ id: 'notify', connector: 'slack', action: 'send_message', credentialId: creds.slack, input: { text: 'Hello {{user.name}}! Order #{{order.id}} confirmed.' } }],
    },
    {
      name: 'Legacy order status (REST to SOAP bridge)',
      description: 'A sync webhook: POST {"orderId": "1002"} and get JSON back from the SOAP OrderService.',
      trigger: { type: 'webhook', responseMode: 'sync' },
      steps: [
        {
          id: 'soap',
          connector: 'soap',
          action: 'call',
          credentialId: creds.soap,
          input: { operation: 'GetOrderStatus', namespace: 'http://tributary.dev/legacy/orders', parameters: { OrderId: '{{orderId}}' } },
        },
        { id: 'answer', connector: 'core', action: 'transform', input: { value: { orderId: '{{orderId}}', result: '{{steps.soap.result}}' } } },
      ],
    },
    {
      name: 'Hourly weather to Discord',
      description: 'A schedule, a public API, a message with data from the previous step.',
      trigger: { type: 'schedule', intervalSeconds: 3600, payload: { city: 'London,GB' } },
      steps: [
        { id: 'weather', connector: 'openweather', action: 'current_weather', credentialId: creds.openweather, input: { city: '{{city}}', units: 'metric' } },
        { id: 'post', connector: 'discord', action: 'send_message', credentialId: creds.discord, input: { content: 'Weather in {{city}}: {{json steps.weather}}' } },
      ],
    },
    {
      name: 'VIP greeting (built-in steps)',
      description: 'Run it by hand with {"customer": {"name": "Ada", "tier": "gold"}}: a condition picks a branch.',
      trigger: { type: 'manual' },
      steps: [
        { id: 'vip', connector: 'core', action: 'condition', input: { if: '{{eq customer.tier "gold"}}', then: ['vipGreeting'], else: ['plainGreeting'] } },
        { id: 'vipGreeting', connector: 'core', action: 'transform', input: { value: { text: 'Welcome back, {{upper customer.name}}!' } } },
        { id: 'plainGreeting', connector: 'core', action: 'transform', input: { value: { text: 'Hello {{default customer.name "there"}}' } } },
      ],
    },
  ];
}

/** A connector's sample credential (written against MOCK_ORIGIN), pointed at the running mock. */
function sampleFor(connector, mockUrl) {
  return rebaseOnMock(connector.sampleCredentials, mockUrl.replace(/\/+$/, ''));
}

/** @returns {Promise<string>} a one-line summary */
export async function seedDemo(api, mockUrl) {
  let auth = await call(api, 'POST', '/api/auth/login', undefined, { email: DEMO_EMAIL, password: DEMO_PASSWORD });
  if (auth.status === 401) {
    auth = await call(api, 'POST', '/api/auth/register', undefined, { email: DEMO_EMAIL, password: DEMO_PASSWORD, name: 'Demo User', organization: 'Demo workspace' });
  }
  if (auth.status >= 300) throw new Error(`seeding: could not log in the demo user (${auth.status} ${JSON.stringify(auth.body)})`);
  const token = auth.body.token;

  const existing = await call(api, 'GET', '/api/workflows?limit=100', token);
  if (existing.body.items.length) return `${DEMO_EMAIL} already has ${existing.body.items.length} workflows`;

  const creds = {};
  for (const c of connectors) {
    if (!c.sampleCredentials) continue;
    const res = await call(api, 'POST', '/api/credentials', token, { connector: c.key, name: `Demo ${c.name} (mock)`, data: sampleFor(c, mockUrl) });
    if (res.status !== 201) throw new Error(`seeding credential for ${c.key}: ${res.status} ${JSON.stringify(res.body)}`);
    creds[c.key] = res.body.id;
  }
  let created = 0;
  for (const wf of demoWorkflows(creds)) {
    const res = await call(api, 'POST', '/api/workflows', token, wf);
    if (res.status !== 201) throw new Error(`seeding workflow "${wf.name}": ${res.status} ${JSON.stringify(res.body)}`);
    created++;
  }
  return `${DEMO_EMAIL} / ${DEMO_PASSWORD} with ${Object.keys(creds).length} credentials and ${created} workflows`;
}
