// node --test scripts/chaos/classify.test.mjs
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyRepeats } from './classify.mjs';

const steps = ['s1', 's2', 's3'];
const d = (step, key, at) => ({ step, key, at });
const run = (list, finished = {}) => classifyRepeats(new Map([['r', list]]), steps, (id) => finished[id]);

test('a repeat of the step in flight, same key, before the next step: allowed in-flight repeat', () => {
  const r = run([d('s1', 'e:s1', 1), d('s2', 'e:s2', 2), d('s2', 'e:s2', 10), d('s3', 'e:s3', 11)], { e: 12 });
  assert.equal(r.duplicateCompleted.length, 0);
  assert.deepEqual(r.inFlightPerStep, { s1: 0, s2: 1, s3: 0 });
});

test('a repeat after the next step arrived is a duplicate of a completed step', () => {
  const r = run([d('s1', 'e:s1', 1), d('s2', 'e:s2', 2), d('s1', 'e:s1', 3), d('s3', 'e:s3', 4)], { e: 5 });
  assert.equal(r.duplicateCompleted.length, 1);
  assert.equal(r.duplicateCompleted[0].why, 'after s2 arrived');
});

test('a repeat with another Idempotency-Key (a second execution) is a duplicate', () => {
  const r = run([d('s1', 'e:s1', 1), d('s1', 'f:s1', 2), d('s2', 'e:s2', 3), d('s3', 'e:s3', 4)]);
  assert.equal(r.duplicateCompleted[0].why, 'another Idempotency-Key');
});

test('a repeat of the last step after the execution finished is a duplicate; before it, allowed', () => {
  const after = run([d('s1', 'e:s1', 1), d('s2', 'e:s2', 2), d('s3', 'e:s3', 3), d('s3', 'e:s3', 9)], { e: 5 });
  assert.equal(after.duplicateCompleted[0].why, 'after the execution finished');
  const before = run([d('s1', 'e:s1', 1), d('s2', 'e:s2', 2), d('s3', 'e:s3', 3), d('s3', 'e:s3', 4)], { e: 5 });
  assert.equal(before.duplicateCompleted.length, 0);
  assert.equal(before.inFlightRepeats.length, 1);
});
