import type { Logger } from '../core/ports/logger';
import type { UsageSink } from '../core/ports/usage-sink';
import type { UsageEvent } from '../core/usage/usage-event';

/**
 * Writes each usage event whole as one structured log line (`usage event`), so CloudWatch Logs
 * holds every event until the Firehose usage pipeline is wired into the stack; Logs Insights can
 * query it meanwhile. Never throws.
 */
export class LogUsageSink implements UsageSink {
  constructor(private readonly logger: Logger) {}

  async write(event: UsageEvent): Promise<void> {
    this.logger.info('usage event', { usageEvent: event });
  }
}
