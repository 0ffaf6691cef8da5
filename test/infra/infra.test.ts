// The infra tier's assertions, run as one jest test file: jest gives every test file its own
// module registry, and loading aws-cdk-lib into one costs about 4 s of CPU, so ten files cost
// about 40 s where one costs 4. Each `*.assertions.ts` file still reads (and can be run, with
// `npx jest --selectProjects infra -t '<describe name>'`) on its own.
import './app-settings.assertions';
import './deployability.assertions';
import './switchyard-stack.assertions';
import './constructs/api.assertions';
import './constructs/audit-trail.assertions';
import './constructs/functions.assertions';
import './constructs/observability.assertions';
import './constructs/provider-secrets.assertions';
import './constructs/tables.assertions';
import './constructs/usage-observability-nag.assertions';
import './constructs/usage-pipeline.assertions';
