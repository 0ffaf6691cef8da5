import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { readAppSettings } from '../../lib/app-settings';

const validConfig = JSON.stringify({ providers: { demo: { type: 'mock' } }, models: { demo: { targets: [{ provider: 'demo', model: 'm' }] } } });

function settings(context: Record<string, unknown>, file = validConfig) {
  return readAppSettings((key) => context[key], () => file);
}

describe('readAppSettings', () => {
  it('applies defaults and parses command-line strings', () => {
    expect(settings({})).toMatchObject({ stage: 'prod', stackName: 'Switchyard-prod', enableWaf: false, logRetention: RetentionDays.ONE_MONTH, reservedConcurrency: undefined });
    expect(settings({ stage: 'dev', enableWaf: 'true', logRetentionDays: '90', reservedConcurrency: '50', alarmEmail: 'ops@example.com' })).toMatchObject({
      stage: 'dev',
      stackName: 'Switchyard-dev',
      enableWaf: true,
      logRetention: RetentionDays.THREE_MONTHS,
      reservedConcurrency: 50,
      alarmEmail: 'ops@example.com',
    });
  });

  it('reads the deployment opt-ins, each off by default, and the deployed config path', () => {
    const read: Record<string, string>[] = [];
    readAppSettings(
      (key) => ({ allowDevProviders: 'true', apiGatewayCloudWatchRole: 'true', apiAccessLogs: 'false', tracing: 'true' })[key],
      (path) => (read.push({ path }), validConfig),
    );
    expect(settings({})).toMatchObject({ allowDevProviders: false, apiGatewayCloudWatchRole: false, apiAccessLogs: undefined, tracing: false });
    expect(settings({ allowDevProviders: 'true', apiGatewayCloudWatchRole: 'true', apiAccessLogs: 'false', tracing: 'true' })).toMatchObject({
      allowDevProviders: true,
      apiGatewayCloudWatchRole: true,
      apiAccessLogs: false,
      tracing: true,
    });
    expect(read).toEqual([{ path: 'switchyard.aws.config.json' }]);
  });

  it.each([
    [{ tracing: 'on' }, /context 'tracing'/],
    [{ apiAccessLogs: 'maybe' }, /context 'apiAccessLogs'/],
    [{ stage: 'Prod!' }, /context 'stage'/],
    [{ enableWaf: 'yes' }, /context 'enableWaf'/],
    [{ logRetentionDays: '10' }, /context 'logRetentionDays'/],
    [{ reservedConcurrency: '0' }, /context 'reservedConcurrency'/],
  ])('rejects bad context %p', (context, message) => {
    expect(() => settings(context)).toThrow(message);
  });

  it('fails synth with the config field that is wrong', () => {
    const bad = JSON.stringify({ providers: { demo: { type: 'mock' } }, models: { demo: { targets: [{ provider: 'nope', model: 'm' }] } } });
    expect(() => settings({ configPath: 'cfg.json' }, bad)).toThrow(/invalid config file 'cfg\.json'.*models\.demo\.targets\[0\]\.provider/);
  });
});
