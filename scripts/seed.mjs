// Demo data through the public API (so it passes the same validation as users' data): the demo user,
// credentials pointing at the mock external APIs, and sample workflows. Safe to run repeatedly.
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
  const list = [
    {
      name: 'Order confirmation to Slack',
      description: "GoFlow's classic: a webhook with an order, a templated Slack message.",
      trigger: { type: 'webhook', responseMode: 'async' },
      steps: creds.slack
        ? [{ id: 'notify', connector: 'slack', action: 'send_message', credentialId: creds.slack, input: { text: 'Hello {{user.name}}! Order #{{order.id}} confirmed.' } }]
        : [{ id: 'greet', connector: 'core', action: 'transform', input: { value: { text: 'Hello {{user.name}}! Order #{{order.id}} confirmed.' } } }],
    },
    {
      name: 'Greeting transform (manual)',
      description: 'Built-in steps only: a condition and a transform.',
      trigger: { type: 'manual' },
      steps: [
        { id: 'vip', connector: 'core', action: 'condition', input: { if: '{{eq customer.tier "gold"}}', then: ['vipGreeting'], else: ['plainGreeting'] } },
        { id: 'vipGreeting', connector: 'core', action: 'transform', input: { value: { text: 'Welcome back, {{upper customer.name}}!' } } },
        { id: 'plainGreeting', connector: 'core', action: 'transform', input: { value: { text: 'Hello {{default customer.name "there"}}' } } },
      ],
    },
  ];
  return list;
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

  const catalogue = (await call(api, 'GET', '/api/connectors', token)).body;
  const creds = {};
  for (const c of catalogue) {
    if (!c.credentials || !mockUrl) continue;
    const sample = c.sampleCredentials;
    if (!sample) continue;
    const res = await call(api, 'POST', '/api/credentials', token, { connector: c.key, name: `Demo ${c.name}`, data: sample });
    if (res.status === 201) creds[c.key] = res.body.id;
  }
  let created = 0;
  for (const wf of demoWorkflows(creds)) {
    const res = await call(api, 'POST', '/api/workflows', token, wf);
    if (res.status !== 201) throw new Error(`seeding workflow "${wf.name}": ${res.status} ${JSON.stringify(res.body)}`);
    created++;
  }
  return `${DEMO_EMAIL} / ${DEMO_PASSWORD} with ${Object.keys(creds).length} credentials and ${created} workflows`;
}
