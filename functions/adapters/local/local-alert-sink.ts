import { describeAlert, type AlertSink, type BudgetAlert } from '../../core/alerts/budget-alerts';
import type { Logger } from '../../core/ports/logger';

/** Attempts to deliver one alert to the webhook before giving up (logged). */
const WEBHOOK_ATTEMPTS = 3;
const WEBHOOK_TIMEOUT_MS = 5_000;

/**
 * Budget alerts of the local server (DESIGN §4): a log line for each, and, when
 * `budgets.alertWebhookUrl` is set, a JSON POST of the alert to it (three attempts, then logged
 * as undelivered). {@link LocalAlertSink.drain} waits for deliveries in flight.
 */
export class LocalAlertSink implements AlertSink {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly logger: Logger,
    private readonly webhookUrl: string | undefined,
    private readonly fetchImpl: typeof fetch = globalThis.fetch,
  ) {}

  send(alert: BudgetAlert): Promise<void> {
    this.logger.warn(`budget alert: ${describeAlert(alert)}`, { ...alert });
    if (this.webhookUrl === undefined) return Promise.resolve();
    const delivery = this.post(this.webhookUrl, alert).finally(() => this.inFlight.delete(delivery));
    this.inFlight.add(delivery);
    return delivery;
  }

  /** Resolves once every webhook delivery in flight has ended. */
  async drain(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  private async post(url: string, alert: BudgetAlert): Promise<void> {
    let failure = '';
    for (let attempt = 1; attempt <= WEBHOOK_ATTEMPTS; attempt += 1) {
      try {
        const response = await this.fetchImpl(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alert), signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS) });
        await response.body?.cancel();
        if (response.ok) return;
        failure = `HTTP ${response.status}`;
      } catch (error) {
        failure = String(error);
      }
    }
    this.logger.error('budget alert not delivered to the webhook', { alert, webhook: url, error: failure });
  }
}
