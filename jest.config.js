/**
 * Test tiers (DESIGN §7), one jest project each; `npm test` runs all, and each runs alone with
 * `npx jest --selectProjects <tier>` (or `npm run test:<tier>`):
 * - unit: in-process, no sockets, no child processes, timers on the injected clock;
 * - integration: fake upstreams on 127.0.0.1, DynamoDB Local, fake AWS services, the CLI;
 * - infra: the CDK stack, cdk-nag and cfn-lint on the synthesized template;
 * - e2e: the synthesized esbuild bundles under the Lambda streaming emulation.
 * One DynamoDB Local serves the whole run (test/helpers/global-setup.ts).
 */
const transform = { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' } }] };
// ESM-only client packages (the Vercel AI SDK, the OpenAI Agents SDK and what they import) are
// compiled to CommonJS like the project's own files; every other package loads as published.
const ESM_ONLY = ['ai', '@ai-sdk', '@openai/agents[^/]*', '@standard-schema', 'eventsource-parser', '@opentelemetry', 'zod', '@workflow'];
const transformIgnorePatterns = [`/node_modules/(?!(${ESM_ONLY.join('|')})/)`];
const tier = (name) => ({ displayName: name, testEnvironment: 'node', transform, transformIgnorePatterns, testMatch: [`<rootDir>/test/${name}/**/*.test.ts`] });

/** @type {import('jest').Config} */
module.exports = {
  projects: [tier('unit'), tier('integration'), tier('infra'), tier('e2e')],
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
  // Most suites wait on sockets, DynamoDB Local or a synth subprocess: one worker per core keeps both busy.
  maxWorkers: '100%',
  testTimeout: 30000,
};
