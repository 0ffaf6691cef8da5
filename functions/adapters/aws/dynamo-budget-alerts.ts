import { ConditionalCheckFailedException, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { budgetAlert, crossedThresholds, type AlertSink, type BudgetAlert } from '../../core/alerts/budget-alerts';

/** A spend counter as the admission and settlement write it (see `DynamoSpendStore`). */
interface CounterImage {
  scope: string;
  period: string;
  spent?: number;
  limitMicroUsd?: number;
  alerts?: number[];
}

/**
 * Budget alerts on AWS (DESIGN §4), from the spend table's stream: each change to a budget counter
 * carries its settled spend before and after, its limit and its thresholds, so the crossings are
 * exact whatever the concurrency. A crossing is claimed on the counter item (`alerted`, a number
 * set, added on condition that it lacks the threshold) before it is sent, so a threshold alerts
 * once per period even when the stream delivers a record twice or two functions race; a send that
 * fails gives the claim back and throws, so the stream retries it.
 */
export class DynamoBudgetAlerts {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly sink: AlertSink,
  ) {}

  /** Handles one batch of stream records, in order. */
  async handle(records: readonly DynamoDBRecord[]): Promise<void> {
    for (const record of records) {
      // Budget counters only (the event source's filter too): they carry their limit.
      if (record.eventName === 'REMOVE' || !record.dynamodb?.NewImage?.limitMicroUsd) continue;
      const after = unmarshall(record.dynamodb.NewImage as Record<string, AttributeValue>) as CounterImage;
      const before = record.dynamodb.OldImage ? (unmarshall(record.dynamodb.OldImage as Record<string, AttributeValue>) as CounterImage) : undefined;
      if (after.limitMicroUsd === undefined || after.alerts === undefined || after.spent === undefined) continue;
      const at = (record.dynamodb.ApproximateCreationDateTime ?? Date.now() / 1000) * 1000;
      for (const percent of crossedThresholds(before?.spent ?? 0, after.spent, after.limitMicroUsd, after.alerts)) {
        const alert = budgetAlert({ scope: after.scope, periodKey: after.period, thresholdPercent: percent, limitMicroUsd: after.limitMicroUsd, spentMicroUsd: after.spent, at });
        if (await this.claim(after, percent)) await this.send(after, percent, alert);
      }
    }
  }

  /** Marks the threshold alerted on the counter; false when it already was. */
  private async claim(counter: CounterImage, percent: number): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { scope: counter.scope, period: counter.period },
          UpdateExpression: 'ADD alerted :threshold',
          ConditionExpression: 'attribute_not_exists(alerted) OR NOT contains(alerted, :percent)',
          ExpressionAttributeValues: { ':threshold': new Set([percent]), ':percent': percent },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  private async send(counter: CounterImage, percent: number, alert: BudgetAlert): Promise<void> {
    try {
      await this.sink.send(alert);
    } catch (error) {
      await this.client.send(
        new UpdateCommand({ TableName: this.tableName, Key: { scope: counter.scope, period: counter.period }, UpdateExpression: 'DELETE alerted :threshold', ExpressionAttributeValues: { ':threshold': new Set([percent]) } }),
      );
      throw error;
    }
  }
}
